import { ParameterError } from '../errors.js';

/** `.chunk%02d` % 3 -> `.chunk03`: the `%d` forms of Python's % operator. */
export function formatChunkName(format: string, num: number): string {
  let used = false;
  const out = format.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) => {
    used = true;
    return String(num).padStart(Number(width || 0), zero === '0' ? '0' : ' ');
  });
  if (!used) {
    throw new ParameterError([
      {
        path: 'chunk_format',
        expected: "a pattern with one %d, e.g. '.chunk%02d'",
        found: JSON.stringify(format),
      },
    ]);
  }
  return out;
}
