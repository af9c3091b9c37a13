import { FileFormatError } from '../errors.js';
import type { PyValue } from './value.js';

/** Deepest nesting of lists and objects {@link parsePyJson} reads (Python's own limit is about 1000). */
export const MAX_JSON_DEPTH = 512;

/**
 * Parses JSON text into Python-typed values, keeping the int/float
 * distinction of the literal text that `JSON.parse` loses: `9` becomes the
 * Python int `9n`, `9.0` and `7.19` the float `9` and `7.19`. Arrays become
 * lists and objects dicts. This is how Python's `json` module reads a file.
 * Keys are own data properties (a key `__proto__` stays a key), and nesting
 * deeper than {@link MAX_JSON_DEPTH} is a FileFormatError, not a stack overflow.
 */
export function parsePyJson(text: string, file = '<json>'): PyValue {
  let pos = 0;
  let depth = 0;
  const fail = (what: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new FileFormatError(`${file}:${line}: invalid JSON: ${what}.`, {
      file,
      expected: 'valid JSON',
      found: what,
    });
  };
  const skip = (): void => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos]!)) pos++;
  };
  const nested = (): void => {
    depth++;
    if (depth > MAX_JSON_DEPTH)
      fail(`lists and objects nested deeper than ${MAX_JSON_DEPTH} levels`);
  };
  const value = (): PyValue => {
    skip();
    const c = text[pos];
    if (c === '{') {
      pos++;
      nested();
      const out: Record<string, PyValue> = {};
      skip();
      if (text[pos] === '}') {
        pos++;
        depth--;
        return out;
      }
      for (;;) {
        skip();
        if (text[pos] !== '"') fail(`expected a key at offset ${pos}`);
        const key = string();
        skip();
        if (text[pos] !== ':') fail(`expected ':' at offset ${pos}`);
        pos++;
        // Defined, not assigned: `__proto__` must not replace the object's prototype.
        Object.defineProperty(out, key, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          depth--;
          return out;
        }
        fail(`expected ',' or '}' at offset ${pos}`);
      }
    }
    if (c === '[') {
      pos++;
      nested();
      const out: PyValue[] = [];
      skip();
      if (text[pos] === ']') {
        pos++;
        depth--;
        return out;
      }
      for (;;) {
        out.push(value());
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          depth--;
          return out;
        }
        fail(`expected ',' or ']' at offset ${pos}`);
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 64));
    if (m === null) return fail(`unexpected character at offset ${pos}`);
    pos += m[0].length;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]);
  };
  const string = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const result = value();
  skip();
  if (pos !== text.length) fail(`trailing characters at offset ${pos}`);
  return result;
}
