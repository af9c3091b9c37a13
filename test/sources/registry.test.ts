import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileFormatError, ParameterError } from '../../src/errors.js';
import { PtyScan } from '../../src/scan/index.js';
import {
  createScan,
  createSourceRegistry,
  getParams,
  getSource,
  listSources,
  MoonFlowerScan,
  NumpyScan,
  readScanConfig,
  registerSource,
  resolveScanConfig,
} from '../../src/sources/index.js';
import { quiet, tempDir } from '../helpers/index.js';
import { ConstantScan } from './fixtures/my-scan.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const root = tempDir('registry');

function problemsOf(e: unknown): string[] {
  assert.ok(e instanceof ParameterError, `expected a ParameterError, got ${String(e)}`);
  return e.problems.map((p) => `${p.path}: expected ${p.expected}, found ${p.found}`);
}

describe('sources by name', () => {
  it('the built-in sources are in the default registry, with their parameter trees', () => {
    assert.equal(getSource('NumpyScan'), NumpyScan);
    assert.equal(getSource('MoonFlowerScan'), MoonFlowerScan);
    assert.ok(listSources().includes('NumpyScan'));
    assert.equal(getParams('scandata.NumpyScan'), NumpyScan.params);
    assert.equal(getParams('MoonFlowerScan'), MoonFlowerScan.params);
  });

  it('an unknown name lists the known names', async () => {
    await assert.rejects(createScan({ name: 'NumbyScan' }), (e: unknown) => {
      const [problem, ...rest] = problemsOf(e);
      assert.equal(rest.length, 0);
      assert.match(problem!, /^name: expected a registered source \(.*NumpyScan.*\)/);
      assert.match(problem!, /MoonFlowerScan/);
      assert.match(problem!, /found 'NumbyScan'$/);
      return true;
    });
    assert.throws(() => getSource('Nope'), ParameterError);
  });

  it('a config without name or module says what is missing', async () => {
    await assert.rejects(createScan({ shape: 64n }), /name: expected a source name/);
  });

  it('a second class under a taken name is refused; the same class again is fine', () => {
    registerSource('NumpyScan', NumpyScan);
    assert.throws(
      () => registerSource('NumpyScan', MoonFlowerScan),
      /already registered by class NumpyScan/,
    );
    registerSource('ConstantScanForTest', ConstantScan);
    assert.equal(getSource('ConstantScanForTest'), ConstantScan);
  });

  it('validates against the class tree before constructing: every problem at once', async () => {
    await assert.rejects(
      createScan({ name: 'MoonFlowerScan', num_frames: 0n, pattern: 'zigzag', shapee: 3n }),
      (e: unknown) => {
        const problems = problemsOf(e);
        assert.equal(problems.length, 3, problems.join('\n'));
        assert.ok(problems.some((p) => p.startsWith('scandata.MoonFlowerScan.num_frames')));
        assert.ok(problems.some((p) => p.startsWith('scandata.MoonFlowerScan.pattern')));
        assert.ok(problems.some((p) => p.includes("did you mean 'shape'")));
        return true;
      },
    );
  });

  it("resolves relative paths against the config's folder, never other strings", async () => {
    const { params, info } = await resolveScanConfig(
      {
        name: 'NumpyScan',
        base_path: 'raw/',
        dfile: '../out/scan.ptyd',
        label: 'raw/x',
        save: 'append',
      },
      { baseDir: '/data/run7' },
    );
    assert.equal(params.base_path, '/data/run7/raw');
    assert.equal(params.dfile, '/data/out/scan.ptyd');
    assert.equal(params.label, 'raw/x');
    assert.equal(info.base_path, '/data/run7/raw');
    const absolute = await resolveScanConfig(
      { name: 'NumpyScan', base_path: '/abs/raw' },
      { baseDir: '/data/run7' },
    );
    assert.equal(absolute.params.base_path, '/abs/raw');
  });

  it('loads a user class from a module path: the named export, else the default export', async () => {
    const config = {
      module: './my-scan.ts',
      name: 'ConstantScan',
      level: 5n,
      shape: 8n,
      calibration_file: 'cal.h5',
    };
    const { cls, params } = await resolveScanConfig(config, { baseDir: FIXTURES });
    assert.equal(cls, ConstantScan);
    assert.equal(params.calibration_file, join(FIXTURES, 'cal.h5'));
    assert.equal(params.module, undefined, 'module is not a parameter');
    const scan = await createScan(config, { baseDir: FIXTURES, ...quiet });
    assert.ok(scan instanceof ConstantScan);
    scan.initialize();
    const msg = scan.auto(4);
    assert.equal(msg.msg, 'data');
    if (msg.msg === 'data') assert.equal(msg.iterable[2]!.data.data[0], 7);

    const byDefault = await resolveScanConfig({ module: './my-scan.ts' }, { baseDir: FIXTURES });
    assert.equal(byDefault.cls.name, 'DefaultScan');
    assert.equal(byDefault.info.name, 'ConstantScan');
  });

  it('a module that is missing, or exports no PtyScan class, is a ParameterError naming the file', async () => {
    await assert.rejects(
      resolveScanConfig({ module: './nope.js', name: 'X' }, { baseDir: FIXTURES }),
      (e: unknown) => {
        const [problem] = problemsOf(e);
        assert.match(problem!, /^module: expected a module that loads, found .*nope\.js/);
        return true;
      },
    );
    await assert.rejects(
      resolveScanConfig({ module: './my-scan.ts', name: 'notAClass' }, { baseDir: FIXTURES }),
      (e: unknown) => {
        const [problem] = problemsOf(e);
        assert.match(
          problem!,
          /PtyScan subclass, found .*my-scan\.ts exports BrokenScan, ConstantScan, default, notAClass/,
        );
        return true;
      },
    );
    assert.ok(PtyScan);
  });
});

describe('scan config files', () => {
  it('JSON keeps ints as Python ints and floats as floats', () => {
    const file = join(root, 'scan.json');
    writeFileSync(
      file,
      '{"name": "NumpyScan", "shape": 128, "distance": 7.0, "center": [64, 64.5]}',
    );
    const { config, baseDir, file: path } = readScanConfig(file);
    assert.equal(path, resolve(file));
    assert.equal(baseDir, root);
    assert.deepEqual(config, { name: 'NumpyScan', shape: 128n, distance: 7, center: [64n, 64.5] });
  });

  it('YAML keeps ints as Python ints, floats as floats, null as None', () => {
    const file = join(root, 'scan.yaml');
    writeFileSync(
      file,
      'name: NumpyScan\nshape: 128\ndistance: 7.0\npsize: 1.72e-4\nrebin: null\norientation: [true, false, true]\n',
    );
    assert.deepEqual(readScanConfig(file).config, {
      name: 'NumpyScan',
      shape: 128n,
      distance: 7,
      psize: 1.72e-4,
      rebin: null,
      orientation: [true, false, true],
    });
  });

  it('a YAML syntax error is reported whole: what is wrong, where, and the lines around it', () => {
    const file = join(root, 'flow.yaml');
    writeFileSync(file, 'name: NumpyScan\nbase_path: raw\nshape: [32, 32\nsave: link\n');
    assert.throws(
      () => readScanConfig(file),
      (e: unknown) =>
        e instanceof FileFormatError &&
        e.message ===
          `${file}:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n` +
            '  3 | shape: [32, 32\n' +
            '  4 | save: link\n' +
            '    | ^',
    );
  });

  it('broken or non-object configs are FileFormatErrors naming the file and line', () => {
    const cases: [string, string, RegExp][] = [
      ['bad.json', '{"name": "NumpyScan",\n "shape": }', /bad\.json:2: invalid JSON/],
      ['bad.yaml', 'name: NumpyScan\nshape: [1, 2\n', /bad\.yaml:\d+:\d+: invalid YAML/],
      ['list.yaml', '- 1\n- 2\n', /list\.yaml: a scan config must be an object/],
      ['dup.yaml', 'shape: 1\nshape: 2\n', /dup\.yaml:2:\d+: invalid YAML/],
    ];
    for (const [name, text, message] of cases) {
      const file = join(root, name);
      writeFileSync(file, text);
      assert.throws(
        () => readScanConfig(file),
        (e: unknown) => e instanceof FileFormatError && message.test(e.message),
        name,
      );
    }
    assert.throws(
      () => readScanConfig(join(root, 'missing.json')),
      /missing\.json: cannot read the config/,
    );
  });
});

describe('registries built by a function', () => {
  it('createSourceRegistry() holds the built-in sources and the PtyScan tree, in a fixed order', () => {
    const registry = createSourceRegistry();
    assert.deepEqual(registry.list(), [
      'CxiScan',
      'FoldSliceScan',
      'Hdf5Loader',
      'Hdf5LoaderFast',
      'SwmrLoader',
      'MoonFlowerScan',
      'NumpyScan',
      'PtydScan',
    ]);
    assert.deepEqual(
      registry.params.list().map((t) => t.name),
      [
        'PtyScan',
        'PtydScan',
        'CxiScan',
        'FoldSliceScan',
        'Hdf5Loader',
        'Hdf5LoaderFast',
        'SwmrLoader',
        'MoonFlowerScan',
        'NumpyScan',
      ],
    );
  });

  it('a registry of your own is apart from the default one, and createScan uses the one it is given', async () => {
    const registry = createSourceRegistry();
    registry.register('OwnRegistryScan', ConstantScan);
    assert.equal(registry.get('OwnRegistryScan'), ConstantScan);
    assert.throws(() => getSource('OwnRegistryScan'), ParameterError);
    assert.ok(!createSourceRegistry().list().includes('OwnRegistryScan'));
    const scan = await createScan({ name: 'OwnRegistryScan', level: 2n }, { registry, ...quiet });
    assert.ok(scan instanceof ConstantScan);
    await assert.rejects(createScan({ name: 'OwnRegistryScan' }), /registered source/);
  });
});
