/**
 * Hostile and broken configs: keys that reach JavaScript prototypes, modules
 * that run code, alias bombs, deep nesting, huge files and terminal escape
 * sequences all end in one clear line (or are refused), and nothing runs
 * that was not asked for.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { h5ready } from '../../src/h5/index.js';
import { MAX_CONFIG_BYTES, readScanConfig } from '../../src/sources/scan-config.js';
import { cli } from '../cli/helpers.js';
import { tempDir } from '../helpers/index.js';

const SCAN = fileURLToPath(new URL('../../src/scan/index.js', import.meta.url));
const dir = tempDir('configs');
let modules = 0;

/** A module exporting a PtyScan subclass that leaves `marker` behind when it is imported. */
function markingModule(marker: string): string {
  modules += 1;
  const file = join(dir, `marking-${modules}.mts`);
  writeFileSync(
    file,
    `import { writeFileSync } from 'node:fs';\nimport { PtyScan } from ${JSON.stringify(SCAN)};\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport class Marking extends PtyScan {}\nexport default Marking;\n`,
  );
  return file;
}

function config(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The output is one error line, with no stack and no raw control character. */
function oneLine(err: string): void {
  const lines = err.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one error line, found:\n${err}`);
  assert.match(lines[0]!, /^ptyscan: error: /);
  assert.doesNotMatch(err, /\n\s+at /, 'no stack');
}

before(async () => {
  await h5ready();
});

describe('hostile config keys', () => {
  it('"__proto__" in a JSON config is refused: its hidden module is not imported, its keys not skipped', async () => {
    const marker = join(dir, 'proto-ran');
    const file = config(
      'proto.json',
      `{"name": "MoonFlowerScan", "num_frames": 4, "__proto__": {"module": ${JSON.stringify(markingModule(marker))}, "name": "Marking", "bogus_key": 1}}`,
    );
    for (const command of ['validate', 'prepare']) {
      const run = await cli([command, file]);
      assert.equal(run.code, 1, `${command}: ${run.out}${run.err}`);
      oneLine(run.err);
      assert.match(run.err, /'__proto__' is not allowed/);
      assert.equal(existsSync(marker), false, `${command} imported the hidden module`);
    }
  });

  it('"constructor" and "prototype" are refused at any level, in JSON and YAML', () => {
    const cases = [
      [
        'ctor.json',
        '{"name": "NumpyScan", "positions": {"constructor": 1}}',
        'positions.constructor',
      ],
      ['proto.yaml', 'name: NumpyScan\nprototype: {}\n', 'prototype'],
      ['proto2.yaml', 'name: NumpyScan\n__proto__:\n  module: x.js\n', '__proto__'],
      ['list.json', '{"name": "NumpyScan", "x": [{"__proto__": {}}]}', 'x[0].__proto__'],
    ] as const;
    for (const [name, text, key] of cases) {
      assert.throws(
        () => readScanConfig(config(name, text)),
        (e: Error) => e.name === 'FileFormatError' && e.message.includes(`'${key}'`),
        name,
      );
    }
  });
});

describe('a module runs code: only prepare and validate --load-module import it', () => {
  it('validate names the module and does not import it; --load-module does, and says so', async () => {
    const marker = join(dir, 'module-ran');
    const module = markingModule(marker);
    const file = config(
      'module.json',
      `{"module": ${JSON.stringify(module)}, "name": "Marking", "num_frames": 4, "own_key": 3}`,
    );
    const plain = await cli(['validate', file]);
    assert.equal(plain.code, 0, plain.err);
    assert.ok(
      plain.out.includes(`module ${module} would be imported, and its code run`),
      plain.out,
    );
    assert.match(plain.out, /not checked without the module: own_key/);
    assert.match(plain.out, /num_frames = 4/);
    assert.equal(existsSync(marker), false, 'validate imported the module without --load-module');

    const loaded = await cli(['validate', file, '--load-module']);
    assert.equal(loaded.code, 1, 'Marking has no own_key parameter');
    assert.match(loaded.err, /own_key/);
    assert.equal(existsSync(marker), true);
  });

  it('a bad PtyScan parameter is still found without loading the module', async () => {
    const file = config('module-bad.json', `{"module": "./nowhere.js", "name": "X", "rebin": 99}`);
    const run = await cli(['validate', file]);
    assert.equal(run.code, 1);
    assert.match(run.err, /rebin/);
  });

  it('the help of prepare and validate says that a module runs code', async () => {
    for (const command of ['prepare', 'validate']) {
      const help = await cli([command, '--help']);
      assert.match(help.out, /module/);
      assert.match(help.out, /runs? (its )?code/, command);
    }
  });
});

describe('configs that would exhaust the parser: one line each', () => {
  it('a YAML alias bomb', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, c] of [...'bcdefghi'].entries()) {
      const prev = 'abcdefghi'[i]!;
      levels.push(`${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const run = await cli([
      'validate',
      config('bomb.yaml', `${levels.join('\n')}\nname: NumpyScan\n`),
    ]);
    assert.equal(run.code, 1);
    oneLine(run.err);
    assert.match(run.err, /bomb\.yaml: invalid YAML/);
  });

  it('JSON and YAML nested 100000 deep', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const json = await cli([
      'validate',
      config('deep.json', `{"name": "NumpyScan", "x": ${deep}}`),
    ]);
    assert.equal(json.code, 1);
    oneLine(json.err);
    assert.match(json.err, /deep\.json:1: invalid JSON: lists and objects nested deeper than 512/);
    const yaml = await cli(['validate', config('deep.yaml', `name: NumpyScan\nx: ${deep}\n`)]);
    assert.equal(yaml.code, 1);
    assert.match(yaml.err, /^ptyscan: error: .*deep\.yaml.*invalid YAML/);
    assert.doesNotMatch(yaml.err, /\n\s+at /);
    // The excerpt of a long line is a window around the column, not the whole line.
    assert.ok(yaml.err.length < 1000, `${yaml.err.length} characters`);
  });

  it(`a config over ${MAX_CONFIG_BYTES} bytes is refused before it is parsed`, async () => {
    const label = 'x'.repeat(MAX_CONFIG_BYTES);
    const file = config('huge.json', `{"name": "NumpyScan", "label": "${label}"}`);
    const run = await cli(['validate', file]);
    assert.equal(run.code, 1);
    oneLine(run.err);
    assert.match(run.err, new RegExp(`more than the ${MAX_CONFIG_BYTES} a config may have`));
  });
});

describe('file content never drives the terminal', () => {
  it('an escape sequence in positions.txt is shown escaped in the error line', async () => {
    const raw = join(dir, 'escape-raw');
    mkdirSync(join(raw, 'ccd'), { recursive: true });
    writeFileSync(
      join(raw, 'positions.txt'),
      'ccd/diffraction_0000.npy \u001b[2J\u001b[31mboom 1\n',
    );
    const file = config(
      'escape.json',
      `{"name": "NumpyScan", "base_path": ${JSON.stringify(raw)}, "save": "append", "dfile": ${JSON.stringify(join(dir, 'escape.ptyd'))}}`,
    );
    const run = await cli(['prepare', file, '--quiet']);
    assert.equal(run.code, 1);
    oneLine(run.err);
    assert.equal(run.err.includes('\u001b'), false, 'a raw escape character reached the terminal');
    assert.match(run.err, /\\x1b\[2J\\x1b\[31mboom/);
  });

  it('an error that is not a ptyscan error is one line too (--verbose adds where)', async () => {
    // A user's source whose load() has a bug: prepare names it in one line.
    const module = join(dir, 'buggy.mts');
    writeFileSync(
      module,
      `import { PtyScan } from ${JSON.stringify(SCAN)};\nexport class Buggy extends PtyScan {\n  override loadPositions() { return (null as unknown as { x: () => null }).x(); }\n}\n`,
    );
    const file = config(
      'buggy.json',
      `{"module": ${JSON.stringify(module)}, "name": "Buggy", "num_frames": 2}`,
    );
    const run = await cli(['prepare', file, '--quiet']);
    assert.equal(run.code, 1);
    oneLine(run.err);
    assert.match(run.err, /TypeError/);
  });
});
