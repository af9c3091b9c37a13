/**
 * `npm run build` leaves no built file of a deleted source in dist/src (tsc
 * never deletes, so one could end up in the packed tarball): the prune step
 * run on a real tree, and the tree this checkout built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Writes `text` to `root/rel`, making its folders. */
function put(root: string, rel: string, text = ''): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => statSync(join(dir, rel)).isFile())
    .sort();
}

describe('build leaves no stale files in dist/src', () => {
  it('the prune step removes the outputs of deleted sources and keeps the rest', () => {
    const root = tempDir('prune');
    put(root, 'src/a.ts');
    put(root, 'src/sub/b.ts');
    for (const out of [
      'a.js',
      'a.d.ts',
      'a.js.map',
      'sub/b.js',
      'gone.js',
      'gone.d.ts',
      'gone.d.ts.map',
      'old/c.js',
    ]) {
      put(root, `dist/src/${out}`);
    }
    put(root, 'dist/src/view/assets/page.js');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'prune-dist.mjs'), root], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /removed 4 stale file/);
    assert.deepEqual(filesUnder(join(root, 'dist', 'src')), [
      'a.d.ts',
      'a.js',
      'a.js.map',
      'sub/b.js',
      'view/assets/page.js',
    ]);
    assert.ok(!existsSync(join(root, 'dist', 'src', 'old')));
  });

  it('npm run build runs it', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    assert.match(
      scripts.build ?? '',
      /tsc -p tsconfig\.build\.json && .*node scripts\/prune-dist\.mjs/,
    );
  });

  it('every built module of this checkout has its source', () => {
    const built = join(ROOT, 'dist', 'src');
    const stale = filesUnder(built)
      .filter((rel) => /\.js$/.test(rel) && !rel.startsWith(join('view', 'assets')))
      .filter(
        (rel) =>
          !existsSync(join(ROOT, 'src', rel.replace(/\.js$/, '.ts'))) &&
          !existsSync(join(ROOT, 'src', rel.replace(/\.js$/, '.tsx'))),
      )
      .map((rel) => relative(ROOT, join(built, rel)));
    assert.deepEqual(stale, []);
  });
});
