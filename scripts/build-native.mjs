#!/usr/bin/env node
// Builds ptyscan's optional native addons (MPI, HDF5) where the package is
// installed: ptyscan's install script (npm install <tarball|git url>, npm ci)
// and `ptyscan doctor --build` run it. An addon whose system libraries are
// missing is skipped; one that fails to build is reported. Either way it ends
// with one line saying what was built and what was skipped (and how to get
// it), records that in build/native-report.json, and exits 0: an optional
// addon never fails an install. `--strict` exits 1 when a build failed;
// `--report` builds nothing and prints the line of the last build.
//
//   node scripts/build-native.mjs [mpi] [hdf5] [--strict | --report]
import { existsSync, readFileSync } from 'node:fs';
import {
  ADDONS,
  buildAddon,
  productOf,
  REPORT_FILE,
  reportLine,
  writeReport,
} from './native-addon.mjs';

const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
const unknown = [
  ...names.filter((n) => !ADDONS.some((a) => a.name === n)),
  ...args.filter((a) => a.startsWith('--') && a !== '--strict' && a !== '--report'),
];
if (unknown.length > 0) {
  console.error(
    `ptyscan: build-native: unknown argument '${unknown[0]}' (addons: ${ADDONS.map((a) => a.name).join(', ')}; options: --strict, --report)`,
  );
  process.exit(2);
}
const chosen = ADDONS.filter((a) => names.length === 0 || names.includes(a.name));

if (args.includes('--report')) {
  console.log(lastReport());
  process.exit(0);
}
if (process.env._PACOTE_NO_PREPARE_ !== undefined) {
  // npm installs a git dependency in a temporary checkout only to pack it: a build there is thrown away.
  console.log(
    "ptyscan: native addons: not built in npm's temporary git checkout; they are built where the package is installed",
  );
  process.exit(0);
}

let results;
try {
  results = chosen.map((addon) => buildAddon(addon, { log: (line) => console.log(line) }));
  writeReport(results);
} catch (error) {
  // Nothing here may fail an install.
  console.log(
    `ptyscan: native addons: not built: ${error instanceof Error ? error.message : error} (npx ptyscan doctor --build tries again)`,
  );
  process.exit(0);
}
console.log(reportLine(results));
process.exitCode = args.includes('--strict') && results.some((r) => r.status === 'failed') ? 1 : 0;

/** The line of the last build, checked against the files that are there now. */
function lastReport() {
  if (!existsSync(REPORT_FILE)) {
    const found = chosen.filter((addon) => existsSync(productOf(addon)));
    if (found.length === 0) {
      return "ptyscan: native addons: the install step did not run (npm's allowScripts policy or --ignore-scripts), so none is built (npx ptyscan doctor --build builds them)";
    }
    // Built by an older build step, which kept no report.
    return reportLine(
      chosen.map((addon) =>
        found.includes(addon)
          ? { label: addon.label, status: 'built', detail: 'no report of its build' }
          : {
              label: addon.label,
              status: 'skipped',
              detail: 'not built, and no report of a build',
              hint: 'npx ptyscan doctor --build',
            },
      ),
    );
  }
  const { results } = JSON.parse(readFileSync(REPORT_FILE, 'utf8'));
  const now = results
    .filter((r) => chosen.some((a) => a.name === r.name))
    .map((r) => {
      const addon = ADDONS.find((a) => a.name === r.name);
      if (r.status !== 'built' || addon === undefined || existsSync(productOf(addon))) return r;
      return {
        ...r,
        status: 'failed',
        detail: `built, but ${productOf(addon)} is gone`,
        hint: 'npx ptyscan doctor --build',
      };
    });
  return reportLine(now);
}
