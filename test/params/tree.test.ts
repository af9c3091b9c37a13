import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import {
  defineParams,
  normalizeParams,
  ParamTree,
  parseParams,
  parsePyLiteral,
} from '../../src/params/index.js';
import { PyTuple } from '../../src/py/value.js';

const BASE = `
# A comment line.
[name]
type = str
default = 'Base'
help = Name of the class

[auto_center]
type = bool, None
default = None
help = Find the centre automatically
doc = First paragraph,
    continued here.

    Second paragraph.
userlevel = 0

[rebin]
type = int, None
default = None
help = Rebinning factor
lowlim = 1
uplim = 32

[save]
type = str, None
default = None
help = Saving mode
choices = [None, 'append', 'link']

[center]
type = str, tuple, list
default = 'fftshift'
help = Optical axis
choices = ['fftshift', 'geometric', 'fft']

[shape]
type = int, tuple
default = (256, 256)
help = ROI shape

[energy]
type = float
default = 7.2
help = Photon energy in keV

[positions]
type = array
default = []
help = Positions

[geometry.distance]
type = float
default = 7.19
help = Sample-detector distance in metres
lowlim = 0

[geometry.options]
type = dict
default = {'a': [1, 2]}
help = Free-form options
`;

const base = defineParams(BASE, { name: 'Base' });

function problemsOf(fn: () => unknown): { path: string; expected: string; found: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParameterError) return [...e.problems];
    throw e;
  }
  assert.fail('expected a ParameterError');
}

describe('parameter text parsing', () => {
  it('reads every field into a descriptor', () => {
    const rebin = base.get('rebin');
    assert.deepEqual(rebin, {
      name: 'rebin',
      type: ['int', 'None'],
      default: null,
      help: 'Rebinning factor',
      doc: '',
      userlevel: null,
      choices: null,
      lowlim: 1n,
      uplim: 32n,
    });
    assert.deepEqual(base.get('save')?.choices, [null, 'append', 'link']);
    assert.deepEqual(base.get('shape')?.default, new PyTuple([256n, 256n]));
    assert.equal(base.get('auto_center')?.userlevel, 0);
  });

  it('joins continuation lines and keeps paragraph breaks', () => {
    assert.equal(
      base.get('auto_center')?.doc,
      'First paragraph,\ncontinued here.\n\nSecond paragraph.',
    );
  });

  it('declares the parent of dotted names as a Param sub-tree', () => {
    assert.deepEqual(base.get('geometry')?.type, ['Param']);
    assert.deepEqual(
      base.children('geometry').map((d) => d.name),
      ['geometry.distance', 'geometry.options'],
    );
  });

  it('reports every problem of a bad text at once, with paths and lines', () => {
    const text = [
      'stray = 1',
      '[a]',
      'type = int',
      'default = 3.5',
      '[b]',
      'type = integer',
      '[c]',
      'help = no type',
      '[d]',
      'type = str',
      "default = __import__('os')",
      'colour = red',
      '[e]',
      'type = int',
      'default = 0',
      'lowlim = 1',
      '[a]',
      'type = int',
    ].join('\n');
    const problems = problemsOf(() => defineParams(text, { name: 'Bad' }));
    const paths = problems.map((p) => p.path);
    assert.deepEqual(paths.sort(), [
      'scandata.Bad',
      'scandata.Bad.a',
      'scandata.Bad.a.default',
      'scandata.Bad.b.type',
      'scandata.Bad.c.type',
      'scandata.Bad.d.colour',
      'scandata.Bad.d.default',
      'scandata.Bad.e.default',
    ]);
    const a = problems.find((p) => p.path === 'scandata.Bad.a.default');
    assert.equal(a?.expected, 'type int');
    assert.match(problems.find((p) => p.path === 'scandata.Bad')?.found ?? '', /line 1/);
    assert.match(problems.find((p) => p.path === 'scandata.Bad.a')?.found ?? '', /line 17/);
    assert.match(problems.find((p) => p.path === 'scandata.Bad.e.default')?.expected ?? '', />= 1/);
  });

  it('refuses sub-parameters under a parameter that is not a Param', () => {
    const problems = problemsOf(() =>
      defineParams('[a]\ntype = int\ndefault = 1\n[a.b]\ntype = int', { name: 'X' }),
    );
    assert.equal(problems[0]?.path, 'scandata.X.a.b');
  });
});

describe('inheritance', () => {
  const child = defineParams(
    `
[auto_center]
default = False

[rebin]
uplim = 8
default = 2

[label]
type = str, None
default = None
help = A new parameter

[geometry.energy]
type = float
default = 9.0
help = Energy in a sub-tree
`,
    { name: 'Child', parent: base },
  );

  it('overrides single fields and keeps the rest of the inherited entry', () => {
    const ac = child.get('auto_center');
    assert.equal(ac?.default, false);
    assert.deepEqual(ac?.type, ['bool', 'None']);
    assert.equal(ac?.help, 'Find the centre automatically');
    assert.equal(ac?.doc, base.get('auto_center')?.doc);
    assert.equal(child.get('rebin')?.lowlim, 1n);
    assert.equal(child.get('rebin')?.uplim, 8n);
    assert.equal(child.defaults().rebin, 2n);
  });

  it('keeps the parent order and appends new entries, also inside sub-trees', () => {
    const names = [...child.entries.keys()];
    assert.deepEqual(names.slice(0, base.entries.size), [...base.entries.keys()]);
    assert.deepEqual(names.slice(base.entries.size), ['label', 'geometry.energy']);
    assert.deepEqual(Object.keys(child.defaults().geometry ?? {}), [
      'distance',
      'options',
      'energy',
    ]);
  });

  it('leaves the parent tree untouched', () => {
    assert.equal(base.get('auto_center')?.default, null);
    assert.equal(base.get('label'), undefined);
    assert.equal(child.parent, base);
  });

  it('checks an overridden default against the inherited limits', () => {
    const problems = problemsOf(() =>
      defineParams('[rebin]\ndefault = 64', { name: 'Sub', parent: base }),
    );
    assert.deepEqual(problems, [
      { path: 'scandata.Sub.rebin.default', expected: '1 <= rebin <= 32', found: '64 (int)' },
    ]);
  });
});

describe('defaults', () => {
  it('builds nested plain objects with Python-typed values', () => {
    assert.deepEqual(base.defaults(), {
      name: 'Base',
      auto_center: null,
      rebin: null,
      save: null,
      center: 'fftshift',
      shape: new PyTuple([256n, 256n]),
      energy: 7.2,
      positions: [],
      geometry: { distance: 7.19, options: { a: [1n, 2n] } },
    });
  });

  it('returns an independent deep copy each call', () => {
    const a = base.defaults();
    const shape = a.shape as PyTuple;
    shape.items[0] = 1n;
    (a.positions as unknown[]).push(1n);
    const geometry = a.geometry as { options: { a: unknown[] } };
    geometry.options.a.push(3n);
    a.name = 'changed';
    const b = base.defaults();
    assert.deepEqual(b.shape, new PyTuple([256n, 256n]));
    assert.deepEqual(b.positions, []);
    assert.deepEqual(b.geometry, { distance: 7.19, options: { a: [1n, 2n] } });
    assert.equal(b.name, 'Base');
  });
});

describe('validation', () => {
  it('accepts the defaults and the usual JS spellings of Python values', () => {
    base.validate(base.defaults());
    base.validate({
      rebin: 2, // an integer-valued number is fine for int
      energy: 9n, // a bigint is fine for float
      shape: [128, 128], // an array is fine for tuple
      center: new PyTuple([10.5, 20]),
      save: 'append',
      auto_center: null,
      positions: ndarray('float64', [3, 2]),
      geometry: { distance: 5, options: { anything: 'goes' } },
      label: undefined, // undefined keys count as absent, even unknown ones
    });
  });

  it('reports every problem at once with its path, expected and found', () => {
    const problems = problemsOf(() =>
      base.validate({
        rebin: 2.5,
        save: 'merge',
        center: 'middle',
        energy: '7.2',
        shpe: 64,
        name: null,
        geometry: { distance: -1, color: 'red' },
      }),
    );
    assert.deepEqual(problems, [
      { path: 'scandata.Base.rebin', expected: 'type int or None', found: '2.5 (number)' },
      {
        path: 'scandata.Base.save',
        expected: "one of None, 'append', 'link'",
        found: "'merge' (str)",
      },
      {
        path: 'scandata.Base.center',
        expected: "one of 'fftshift', 'geometric', 'fft'",
        found: "'middle' (str)",
      },
      { path: 'scandata.Base.energy', expected: 'type float', found: "'7.2' (str)" },
      {
        path: 'scandata.Base.shpe',
        expected: "a known parameter (did you mean 'shape'?)",
        found: 'unknown key',
      },
      { path: 'scandata.Base.name', expected: 'type str', found: 'None' },
      {
        path: 'scandata.Base.geometry.distance',
        expected: 'distance >= 0',
        found: '-1 (number)',
      },
      {
        path: 'scandata.Base.geometry.color',
        expected: 'a known parameter (distance, options)',
        found: 'unknown key',
      },
    ]);
  });

  it('puts the count and every line into the error message', () => {
    assert.throws(
      () => base.validate({ rebin: 0, save: 'x' }),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.message.startsWith('2 invalid parameters:') &&
        e.message.includes('scandata.Base.rebin: expected 1 <= rebin <= 32, found 0 (number)') &&
        e.parameter === 'scandata.Base.rebin',
    );
  });

  it('checks limits on both sides, inclusive, for numbers and bigints', () => {
    for (const ok of [1, 1n, 32, 32n, null]) base.validate({ rebin: ok });
    for (const bad of [0, 0n, 33, 33n, -5]) {
      assert.equal(problemsOf(() => base.validate({ rebin: bad })).length, 1);
    }
  });

  it('applies choices to values of the kinds they list only', () => {
    base.validate({ center: [20, 30] });
    base.validate({ save: null });
    assert.equal(problemsOf(() => base.validate({ center: 'FFTSHIFT' })).length, 1);
  });

  it('uses the given path prefix', () => {
    const problems = problemsOf(() => base.validate({ rebin: 99 }, { path: 'scans.s1.data' }));
    assert.equal(problems[0]?.path, 'scans.s1.data.rebin');
  });

  it('rejects a non-dict and values that are not Python values', () => {
    assert.equal(problemsOf(() => base.validate([1, 2]))[0]?.expected, 'a dict of parameters');
    assert.equal(problemsOf(() => base.validate({ name: new Date(0) }))[0]?.found, 'Date object');
  });
});

describe('normalizeParams', () => {
  it('merges defaults with user values (user wins), sub-trees key by key', () => {
    const positions = ndarray('float64', [2, 2]);
    const info = normalizeParams(base, {
      rebin: 2,
      positions,
      geometry: { distance: 3 },
      save: undefined,
    });
    assert.equal(info.rebin, 2);
    assert.equal(info.save, null);
    assert.equal(info.positions, positions, 'large arrays are taken by reference');
    assert.deepEqual(info.geometry, { distance: 3, options: { a: [1n, 2n] } });
    assert.equal(info.energy, 7.2);
  });

  it('replaces free-form dicts whole rather than merging them', () => {
    const info = normalizeParams(base, { geometry: { options: { b: 1 } } });
    assert.deepEqual((info.geometry as { options: unknown }).options, { b: 1 });
  });

  it('throws one ParameterError for all problems', () => {
    assert.equal(problemsOf(() => normalizeParams(base, { rebin: 0, bogus: 1 })).length, 2);
    assert.equal(problemsOf(() => normalizeParams(base, 'shape=4')).length, 1);
  });
});

describe('text round trip', () => {
  it('parse(toString(tree)) equals the tree, inherited entries included', () => {
    const child = defineParams(
      "[auto_center]\ndefault = True\n[extra]\ntype = str\ndefault = 'a\\nb'\nhelp = x",
      {
        name: 'Child',
        parent: base,
      },
    );
    for (const tree of [base, child]) {
      const again = parseParams(tree.toString(), tree.name);
      assert.ok(again instanceof ParamTree);
      assert.deepEqual([...again.entries], [...tree.entries]);
      assert.ok(again.equals(tree));
      assert.equal(again.toString(), tree.toString());
    }
  });

  it('defaults text is itself a parseable tree with the same defaults', () => {
    const again = parseParams(base.defaultsText(), 'Base');
    assert.deepEqual(again.defaults(), base.defaults());
  });

  it('help lists path, type, default, limits and choices', () => {
    const help = base.help(['rebin', 'save']);
    assert.match(help, /^scandata\.Base\.rebin$/m);
    assert.match(help, /type: +int, None/);
    assert.match(help, /limits: +1 <= rebin <= 32/);
    assert.match(help, /choices: +None, 'append', 'link'/);
    assert.doesNotMatch(help, /scandata\.Base\.energy/);
  });
});

describe('keys named __proto__', () => {
  it('stay data in literals, defaults and merged parameters', () => {
    const value = parsePyLiteral("{'__proto__': {'polluted': 1}}");
    assert.ok(Object.hasOwn(value as object, '__proto__'));
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    const tree = defineParams("[opts]\ntype = dict\ndefault = {'__proto__': 1}\nhelp = x", {
      name: 'Proto',
    });
    assert.ok(Object.hasOwn(tree.defaults().opts as object, '__proto__'));
  });

  it('is reported as an unknown parameter, not swallowed', () => {
    const pars: unknown = JSON.parse('{"__proto__": {"rebin": 99}}');
    const problems = problemsOf(() => normalizeParams(base, pars));
    assert.deepEqual(
      problems.map((p) => p.path),
      ['scandata.Base.__proto__'],
    );
  });
});
