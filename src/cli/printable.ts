/** Text from files and configs, made safe to print on a terminal. */

/**
 * `text` with terminal control characters (escape sequences, carriage
 * returns, ...) shown as `\xNN`, so file content quoted in a message cannot
 * drive the terminal; newlines and tabs stay.
 *
 * @example
 * printable('a\u001b[31mb'); // 'a\\x1b[31mb'
 */
export function printable(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    const control = (code < 0x20 && c !== '\n' && c !== '\t') || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}
