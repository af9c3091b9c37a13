#!/usr/bin/env node
// The demo of `npm run demo`: runs the built `ptyscan` command as a user would.
// 1. simulate a small scan into demo-out/raw (npy frames, positions.txt, geometry.txt)
// 2. prepare it with NumpyScan into demo-out/scan.ptyd (config demo-out/scan.json)
// 3. list the file, 4. draw the quick-look PNGs into demo-out/preview/,
// 5. print the command that opens the file in the browser viewer
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(root, 'dist', 'src', 'cli', 'main.js');
const out = join(root, 'demo-out');

if (!existsSync(cliPath)) {
  console.error(`demo: ${relative(root, cliPath)} is missing; build first with 'npm run build'.`);
  process.exit(1);
}

function ptyscan(...args) {
  const shown = args.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(' ');
  console.log(`\n$ ptyscan ${shown}`);
  const result = spawnSync(process.execPath, [cliPath, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`demo: 'ptyscan ${shown}' failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

ptyscan('simulate', join(out, 'raw'), '--frames', '60', '--shape', '128', '--pattern', 'round');

const config = {
  name: 'NumpyScan',
  base_path: 'raw',
  shape: 96,
  save: 'append',
  dfile: 'scan.ptyd',
};
const configFile = join(out, 'scan.json');
writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
console.log(`\n${relative(root, configFile)}:\n${JSON.stringify(config, null, 2)}`);

ptyscan('prepare', configFile, '--chunk', '20');
ptyscan('info', join(out, 'scan.ptyd'));
ptyscan('preview', join(out, 'scan.ptyd'), '--out', join(out, 'preview'), '--frames', '0,30,59');

const dfile = relative(root, join(out, 'scan.ptyd'));
console.log(`\nDone: open the PNGs above, or see the scan in a browser (h5web and a dashboard):\n`);
console.log(
  `  npx ptyscan view ${dfile}      # prints a http://127.0.0.1:... URL to open; Ctrl-C stops`,
);
