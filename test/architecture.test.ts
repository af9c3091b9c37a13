/**
 * The architecture rules of docs/architecture.md, checked on the sources:
 * folders import each other one way only, one folder talks to HDF5, save
 * modes are modules (no branches on their names elsewhere), files stay small,
 * and importing a module has no side effect.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './helpers/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const CYCLES_TOOL = join(ROOT, '..', 'shared', 'tools', 'folder-cycles.py');

/** Every `.ts` file under `src/`, as `[path relative to src/, text]`. */
function sources(dir = SRC): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts'))
      out.push([relative(SRC, path), readFileSync(path, 'utf8')]);
  }
  return out.sort(([a], [b]) => a.localeCompare(b));
}

/** The module specifiers a file imports (static and dynamic). */
function imports(text: string): string[] {
  const found = text.matchAll(
    /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g,
  );
  return [...found].map((m) => m[1] ?? m[2] ?? '');
}

/** Files whose imports match `pattern`. */
function importers(pattern: RegExp): string[] {
  return sources()
    .filter(([, text]) => imports(text).some((spec) => pattern.test(spec)))
    .map(([file]) => file);
}

describe('architecture', () => {
  it('no folder of src/ imports a folder that imports it back (shared/tools/folder-cycles.py)', () => {
    const run = spawnSync(PYTHON, [CYCLES_TOOL, SRC], { encoding: 'utf8' });
    assert.equal(run.error, undefined, `python3 could not run the tool: ${run.error?.message}`);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '', `import cycles between folders:\n${run.stdout}`);
  });

  it('h5wasm is imported in src/h5/ only', () => {
    const outside = importers(/^h5wasm/).filter((file) => !file.startsWith('h5/'));
    assert.deepEqual(outside, []);
    assert.ok(importers(/^h5wasm/).length > 0, 'the check sees the h5wasm import');
  });

  it('the native HDF5 addon is loaded in src/native/ and used through src/h5/ only', () => {
    const naming = sources()
      .filter(([, text]) => text.includes('ptyscan_hdf5.node'))
      .map(([file]) => file);
    assert.deepEqual(
      naming.filter((file) => !file.startsWith('native/')),
      [],
      'the addon file is named in src/native/ only',
    );
    const users = importers(/native\/addon\.js$|^\.\/addon\.js$/);
    assert.deepEqual(
      users.filter((file) => !file.startsWith('h5/') && !file.startsWith('native/')),
      [],
      'native/addon.js is imported by src/h5/ and src/native/ only',
    );
  });

  it('frames/ gets its allocator passed in: it imports nothing of native/', () => {
    const frames = sources().filter(([file]) => file.startsWith('frames/'));
    for (const [file, text] of frames) {
      assert.ok(!imports(text).some((spec) => spec.includes('native/')), `${file} imports native/`);
    }
  });

  it('save modes are modules: no branch on a save mode name outside src/ptyd/modes/', () => {
    const modes = 'append|link|merge|cxi|nxcxi|fold-slice';
    const branch = new RegExp(`[!=]==\\s*'(${modes})'|'(${modes})'\\s*[!=]==`);
    const outside = sources()
      .filter(([file, text]) => !file.startsWith('ptyd/modes/') && branch.test(text))
      .map(([file]) => file);
    assert.deepEqual(outside, []);
  });

  it('a runner names no save mode', () => {
    const runners = sources().filter(([file]) => /^sink\/.*-runner\.ts$/.test(file));
    assert.ok(runners.length >= 3, runners.map(([f]) => f).join(', '));
    for (const [file, text] of runners) {
      assert.doesNotMatch(text, /'(append|link|merge|cxi|nxcxi|fold-slice)'/, file);
    }
  });

  it('no file in src/ is over 400 lines', () => {
    const long = sources()
      .map(([file, text]) => [file, text.split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 400);
    assert.deepEqual(long, []);
  });

  it('importing a module registers nothing (sideEffects: false)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      sideEffects?: unknown;
    };
    assert.equal(pkg.sideEffects, false);
    const registering = sources()
      .filter(([, text]) => /^register\w*\(/m.test(text))
      .map(([file]) => file);
    assert.deepEqual(registering, []);
  });
});
