// `npm run conformance -- <dir> [case ...]`: runs a folder of ptypy conformance cases of
// either corpus (PtyScan/PtydScan or Hdf5Loader, told apart by each case's harness.class;
// default: ../shared/conformance/ptypy-cases) and prints one line per case.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatResult, formatSummary, runCorpus } from '../src/conformance/index.js';
import { h5ready } from '../src/h5/index.js';

const defaultDir = fileURLToPath(new URL('../../shared/conformance/ptypy-cases/', import.meta.url));
const [dirArg, ...names] = process.argv.slice(2);
const dir = resolve(dirArg ?? defaultDir);
await h5ready();
const results = runCorpus(dir, names.length > 0 ? names : undefined);
for (const result of results) console.log(formatResult(result));
console.log(formatSummary(results));
process.exitCode = results.some((r) => r.status === 'fail') ? 1 : 0;
