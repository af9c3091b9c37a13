#!/usr/bin/env node
// Removes from dist/src what tsc built from sources that no longer exist
// (`tsc` never deletes), so a deleted module cannot end up in the packed
// tarball. Part of `npm run build`, after tsc. Files under dist/src/view/assets
// (the bundled page) are kept. Usage: node scripts/prune-dist.mjs [root]
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src');
const OUTPUTS = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;

/** Whether `src/<rel>` (a built file's path without its output suffix) still has a source. */
function hasSource(rel) {
  const stem = join(root, 'src', rel.replace(OUTPUTS, ''));
  return ['.ts', '.tsx', '.mts'].some((ext) => {
    try {
      return statSync(`${stem}${ext}`).isFile();
    } catch {
      return false;
    }
  });
}

let removed = 0;
function prune(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const rel = relative(built, path);
    if (rel === join('view', 'assets')) continue;
    if (statSync(path).isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (OUTPUTS.test(name) && !hasSource(rel)) {
      rmSync(path);
      removed++;
    }
  }
}
prune(built);
if (removed > 0) console.log(`prune-dist: removed ${removed} stale file(s) of deleted sources`);
