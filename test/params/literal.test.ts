import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import { formatPyLiteral, parsePyLiteral } from '../../src/params/literal.js';
import { PyTuple } from '../../src/py/value.js';

describe('Python literal parser', () => {
  it('keeps the int/float distinction: int -> bigint, float -> number', () => {
    assert.equal(parsePyLiteral('256'), 256n);
    assert.equal(parsePyLiteral('7.2'), 7.2);
    assert.equal(parsePyLiteral('1.'), 1);
    assert.equal(typeof parsePyLiteral('1.'), 'number');
    assert.equal(parsePyLiteral('.5e-3'), 0.0005);
    assert.equal(parsePyLiteral('1_000'), 1000n);
    assert.equal(parsePyLiteral('0x1F'), 31n);
    assert.equal(parsePyLiteral('12345678901234567890'), 12345678901234567890n);
  });

  it('reads None, booleans and negative numbers', () => {
    assert.equal(parsePyLiteral('None'), null);
    assert.equal(parsePyLiteral('True'), true);
    assert.equal(parsePyLiteral(' False '), false);
    assert.equal(parsePyLiteral('-3'), -3n);
    assert.equal(parsePyLiteral('-2.5e-7'), -2.5e-7);
    assert.equal(parsePyLiteral('+4'), 4n);
  });

  it('reads tuples, including the one-element and empty forms', () => {
    assert.deepEqual(parsePyLiteral('(1, 2)'), new PyTuple([1n, 2n]));
    assert.deepEqual(parsePyLiteral('(1,)'), new PyTuple([1n]));
    assert.deepEqual(parsePyLiteral('()'), new PyTuple([]));
    // Parentheses without a comma only group, as in Python.
    assert.equal(parsePyLiteral('(5)'), 5n);
    assert.deepEqual(parsePyLiteral('(True, False, True)'), new PyTuple([true, false, true]));
  });

  it('reads nested lists and dicts', () => {
    assert.deepEqual(parsePyLiteral('[1, [2.5, [-3, None]], (4,), ]'), [
      1n,
      [2.5, [-3n, null]],
      new PyTuple([4n]),
    ]);
    assert.deepEqual(parsePyLiteral("{'a': [], \"b\": {'c': -1}}"), { a: [], b: { c: -1n } });
    assert.deepEqual(parsePyLiteral('[]'), []);
    assert.deepEqual(parsePyLiteral('{}'), {});
  });

  it('decodes string escapes like Python', () => {
    assert.equal(parsePyLiteral("'fftshift'"), 'fftshift');
    assert.equal(parsePyLiteral(String.raw`'it\'s'`), "it's");
    assert.equal(parsePyLiteral(String.raw`"a\"b"`), 'a"b');
    assert.equal(parsePyLiteral(String.raw`'tab\tnew\nline\\'`), 'tab\tnew\nline\\');
    assert.equal(parsePyLiteral(String.raw`'\x41\u00e9\101'`), 'A\u00e9A');
    assert.equal(parsePyLiteral("'.chunk%02d'"), '.chunk%02d');
    // Unknown escapes keep their backslash; raw strings keep every backslash.
    assert.equal(parsePyLiteral(String.raw`'\d'`), '\\d');
    assert.equal(parsePyLiteral(String.raw`r'\n'`), '\\n');
  });

  for (const code of [
    "__import__('os')",
    "__import__('os').system('true')",
    'open("x")',
    'os',
    '1 + 2',
    '[1, 2][0]',
    'lambda: 0',
    '1j',
    '007',
    "'unterminated",
    '{1: 2}',
    '[1 2]',
    '--1',
    '',
  ]) {
    it(`rejects ${JSON.stringify(code)} with a ParameterError`, () => {
      assert.throws(
        () => parsePyLiteral(code, 'scandata.X.y.default'),
        (e: unknown) =>
          e instanceof ParameterError &&
          e.problems.length === 1 &&
          e.problems[0]?.path === 'scandata.X.y.default' &&
          /Python literal/.test(e.problems[0]?.expected ?? ''),
      );
    });
  }

  it('rejects nesting deep enough to threaten the stack', () => {
    assert.throws(() => parsePyLiteral(`${'['.repeat(5000)}${']'.repeat(5000)}`), ParameterError);
  });
});

describe('Python literal writer', () => {
  it("writes floats as Python's repr, so they read back as floats", () => {
    assert.equal(formatPyLiteral(7.19), '7.19');
    assert.equal(formatPyLiteral(1), '1.0');
    assert.equal(formatPyLiteral(0.000172), '0.000172');
    assert.equal(formatPyLiteral(1.5e-5), '1.5e-05');
    assert.equal(formatPyLiteral(1e16), '1e+16');
    assert.equal(formatPyLiteral(-0), '-0.0');
    assert.equal(formatPyLiteral(256n), '256');
  });

  it('round-trips values through text', () => {
    const values = [
      null,
      true,
      -12n,
      0.1,
      -2.5e-300,
      1.7976931348623157e308,
      'quote \' and " and \\ and \n',
      new PyTuple([1n]),
      new PyTuple([]),
      [1n, [2.5, new PyTuple([null, 'x'])], {}],
      { a: { b: [true] }, 'key with space': 3n },
    ];
    for (const v of values) assert.deepEqual(parsePyLiteral(formatPyLiteral(v)), v);
  });

  it('refuses NaN and infinity, which have no literal', () => {
    assert.throws(() => formatPyLiteral(Number.NaN), ParameterError);
    assert.throws(() => formatPyLiteral(Number.POSITIVE_INFINITY), ParameterError);
  });
});
