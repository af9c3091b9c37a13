import { ParameterError } from '../errors.js';
import { isNdArray, type PyDict, PyTuple, type PyValue } from '../py/value.js';
import { setOwn } from './own.js';

/**
 * A small, safe reader and writer of Python literals, the syntax ptypy uses for
 * parameter defaults: `None`, `True`, `False`, ints, floats, strings, tuples,
 * lists and dicts with string keys. It is a parser, never an evaluator: a name
 * other than `None`/`True`/`False`, a call or an operator is rejected.
 */

/** Deeper nesting than this is rejected rather than risking the JS stack. */
const MAX_DEPTH = 64;

/**
 * Parses one Python literal into a {@link PyValue}: int -> bigint, float ->
 * number, tuple -> {@link PyTuple}, list -> array, dict -> plain object, None -> null.
 *
 * @param text - the literal, e.g. `(1, -2.5, 'a\n')`.
 * @param path - parameter path named in the error, e.g. `scandata.PtyScan.shape.default`.
 * @throws ParameterError when `text` is not a single literal.
 * @example
 * parsePyLiteral("[1, (2.0, None)]"); // [1n, PyTuple([2, null])]
 */
export function parsePyLiteral(text: string, path = 'value'): PyValue {
  const reader = new LiteralReader(text, path);
  const value = reader.value(0);
  reader.skipSpace();
  if (!reader.atEnd()) reader.fail('the end of the literal');
  return value;
}

class LiteralReader {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly path: string,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(expected: string): never {
    const rest = this.text.slice(this.pos, this.pos + 20);
    const found = this.atEnd() ? 'end of text' : `'${rest}' at column ${this.pos + 1}`;
    throw new ParameterError([
      { path: this.path, expected: `a Python literal (${expected})`, found },
    ]);
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} nested levels`);
    this.skipSpace();
    const c = this.peek();
    if (c === '(') return this.sequence(')', depth);
    if (c === '[') return this.sequence(']', depth);
    if (c === '{') return this.dict(depth);
    if (c === "'" || c === '"') return this.string(false);
    if ((c === 'r' || c === 'R') && /['"]/.test(this.text[this.pos + 1] ?? '')) {
      this.pos++;
      return this.string(true);
    }
    if (/[-+0-9.]/.test(c)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
    if (word === 'None' || word === 'True' || word === 'False') {
      this.pos += word.length;
      return word === 'None' ? null : word === 'True';
    }
    return this.fail('None, True, False, a number, a string, a tuple, a list or a dict');
  }

  /** A tuple `(...)` or a list `[...]`; `(x)` without a comma is just `x`, as in Python. */
  private sequence(close: ')' | ']', depth: number): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.peek() === close) break;
      items.push(this.value(depth + 1));
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        sawComma = true;
      } else if (this.peek() !== close) {
        this.fail(`',' or '${close}'`);
      }
    }
    this.pos++;
    if (close === ']') return items;
    if (items.length === 1 && !sawComma) return items[0] ?? null;
    return new PyTuple(items);
  }

  private dict(depth: number): PyDict {
    this.pos++;
    const out: PyDict = {};
    for (;;) {
      this.skipSpace();
      if (this.peek() === '}') break;
      const key = this.value(depth + 1);
      if (typeof key !== 'string') this.fail('a string dict key');
      this.skipSpace();
      if (this.peek() !== ':') this.fail("':' after a dict key");
      this.pos++;
      setOwn(out, key, this.value(depth + 1));
      this.skipSpace();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') this.fail("',' or '}'");
    }
    this.pos++;
    return out;
  }

  private number(): bigint | number {
    const rest = this.text.slice(this.pos);
    const match =
      /^([-+]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][-+]?\d(?:_?\d)*)?)/.exec(
        rest,
      );
    const sign = match?.[1] ?? '';
    const body = (match?.[2] ?? '').replaceAll('_', '');
    const mantissa = body.replace(/[eE].*$/, '');
    if (!/\d/.test(mantissa)) this.fail('a number');
    const after = rest[(match?.[0] ?? '').length] ?? '';
    // `1j`, `1abc` or `1 + 2` are not single literals.
    if (/[A-Za-z0-9_]/.test(after)) this.fail('a number without a suffix');
    // Python rejects `007`; only a run of zeros may start with a zero.
    if (/^0+[1-9]/.test(body) && !/[.eE]/.test(body)) this.fail('an int without leading zeros');
    this.pos += match?.[0].length ?? 0;
    const negative = sign === '-';
    if (/^0[xXoObB]/.test(body)) {
      const n = BigInt(body);
      return negative ? -n : n;
    }
    if (/[.eE]/.test(body)) {
      const x = Number(body);
      return negative ? -x : x;
    }
    const n = BigInt(body);
    return negative ? -n : n;
  }

  private string(raw: boolean): string {
    const quote = this.peek();
    this.pos++;
    let out = '';
    for (;;) {
      if (this.atEnd()) this.fail(`a closing ${quote}`);
      const c = this.peek();
      this.pos++;
      if (c === quote) return out;
      if (c === '\n') this.fail(`a closing ${quote} on the same line`);
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.peek();
      if (this.atEnd()) this.fail(`a closing ${quote}`);
      this.pos++;
      if (raw) {
        out += `\\${e}`;
        continue;
      }
      out += this.escape(e);
    }
  }

  /** Python's escape sequences; an unknown one keeps its backslash, as Python does. */
  private escape(e: string): string {
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\n': '',
    };
    const s = simple[e];
    if (s !== undefined) return s;
    if (/[0-7]/.test(e)) {
      let digits = e;
      while (digits.length < 3 && /[0-7]/.test(this.peek())) {
        digits += this.peek();
        this.pos++;
      }
      return String.fromCodePoint(Number.parseInt(digits, 8));
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width === 0) return `\\${e}`;
    const hex = this.text.slice(this.pos, this.pos + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex))
      this.fail(`${width} hex digits after \\${e}`);
    this.pos += width;
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff) this.fail('a Unicode code point');
    return String.fromCodePoint(code);
  }
}

/**
 * Writes a {@link PyValue} as Python source, the inverse of {@link parsePyLiteral}:
 * floats always carry a `.` or an exponent (as Python's `repr`), so an int stays
 * an int and a float a float when read back. An {@link NdArray} is written as a
 * nested list (Python literals have no arrays).
 *
 * @throws ParameterError for NaN or infinite floats, which have no literal form.
 */
export function formatPyLiteral(value: PyValue, path = 'value'): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return formatFloat(value, path);
  if (typeof value === 'string') return formatString(value);
  if (Array.isArray(value)) return `[${value.map((v) => formatPyLiteral(v, path)).join(', ')}]`;
  if (value instanceof PyTuple) {
    const items = value.items.map((v) => formatPyLiteral(v, path));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if (isNdArray(value)) return formatPyLiteral(nestedList(value.data, value.shape), path);
  const entries = Object.entries(value).map(
    ([k, v]) => `${formatString(k)}: ${formatPyLiteral(v, path)}`,
  );
  return `{${entries.join(', ')}}`;
}

function nestedList(data: ArrayLike<number | bigint>, shape: readonly number[]): PyValue {
  const at = (offset: number, axis: number): PyValue => {
    if (axis === shape.length) return data[offset] ?? 0;
    let stride = 1;
    for (let a = axis + 1; a < shape.length; a++) stride *= shape[a] ?? 1;
    const out: PyValue[] = [];
    for (let i = 0; i < (shape[axis] ?? 0); i++) out.push(at(offset + i * stride, axis + 1));
    return out;
  };
  return at(0, 0);
}

/** Python's float `repr`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
function formatFloat(x: number, path: string): string {
  if (!Number.isFinite(x)) {
    throw new ParameterError([
      { path, expected: 'a finite float (Python literals have no inf/nan)', found: String(x) },
    ]);
  }
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  const sign = x < 0 ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

/** Python's `repr` of a str: single quotes unless the text holds `'` and no `"`. */
function formatString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
