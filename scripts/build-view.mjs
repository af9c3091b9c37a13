#!/usr/bin/env node
// Bundles the `ptyscan view` page (src/view/page, React + @h5web/app) with
// esbuild into dist/src/view/assets/page.js and page.css, served from the
// package: nothing is fetched at run time. Part of `npm run build`.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'src', 'view', 'assets');
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { page: join(root, 'src', 'view', 'page', 'main.ts') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  outdir,
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.woff2': 'file', '.woff': 'file', '.svg': 'dataurl', '.png': 'dataurl' },
  logLevel: 'warning',
});
