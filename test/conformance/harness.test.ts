import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  formatResult,
  formatSummary,
  readCase,
  runCase,
  runCorpus,
} from '../../src/conformance/index.js';
import { h5ready } from '../../src/h5/index.js';
import { CASES } from '../helpers/corpus.js';
import { tempDir } from '../helpers/index.js';

// The harness must be able to fail: each test copies a real case, changes one
// expectation, and checks that the difference is reported.
describe('conformance harness', () => {
  const root = tempDir('harness');
  before(async () => {
    await h5ready();
  });

  function copyCase(name: string, as = name): string {
    const dir = join(root, as);
    cpSync(join(CASES, name), dir, { recursive: true });
    return dir;
  }

  function editJson(file: string, edit: (json: Record<string, unknown>) => void): void {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(json);
    writeFileSync(file, JSON.stringify(json));
  }

  it('passes an untouched copy of a case', () => {
    const dir = copyCase('orientation_3');
    assert.deepEqual(runCase(readCase(dir, 'orientation_3')), {
      status: 'pass',
      name: 'orientation_3',
    });
  });

  it('reports a changed chunk counter', () => {
    const dir = copyCase('orientation_3', 'chunk_num_changed');
    editJson(join(dir, 'expected/call_1.json'), (j) => {
      j.chunk_num = 7;
    });
    const result = runCase(readCase(dir, 'chunk_num_changed'));
    assert.equal(result.status, 'fail');
    assert.match(
      formatResult(result),
      /^fail chunk_num_changed: call 1: chunk_num: expected 7, found 1$/,
    );
  });

  it('reports the first differing pixel when the data differ', () => {
    const dir = copyCase('rebin_3_two_stage_mean', 'pixel_changed');
    const npy = join(dir, 'expected/call_0_data.npy');
    const bytes = readFileSync(npy);
    // Change the last float64 of the stack by one ulp-ish bit flip in its mantissa.
    bytes[bytes.length - 8] = (bytes[bytes.length - 8] ?? 0) ^ 1;
    writeFileSync(npy, bytes);
    editJson(join(dir, 'expected/call_0.json'), (j) => {
      j.data_sha256 = '0'.repeat(64);
    });
    const result = runCase(readCase(dir, 'pixel_changed'));
    assert.equal(result.status, 'fail');
    assert.match(formatResult(result), /call 0: data\[flat \d+\]: expected/);
  });

  it('reports a meta type difference (int vs float)', () => {
    const dir = copyCase('meta_types_psize_tuple_int_energy', 'energy_type');
    editJson(join(dir, 'expected/call_0.json'), (j) => {
      (j.common_types as Record<string, string>).energy = 'float';
    });
    const result = runCase(readCase(dir, 'energy_type'));
    assert.match(formatResult(result), /common_types.energy: expected "float", found "int"/);
  });

  it('reports a saved file whose structure differs from ptypy’s', () => {
    const dir = copyCase('save_append', 'structure_changed');
    editJson(join(dir, 'expected/out.ptyd.structure.json'), (j) => {
      const entries = j.entries as { path: string; attrs: { type: { value: string } } }[];
      const meta = entries.find((e) => e.path === '/meta/energy');
      assert.ok(meta);
      meta.attrs.type.value = 'array';
    });
    const result = runCase(readCase(dir, 'structure_changed'));
    assert.match(
      formatResult(result),
      /saved file: \/meta\/energy: type attribute expected array, found scalar/,
    );
  });

  it('reports an expected error that does not happen', () => {
    const dir = copyCase('rebin_2_mask', 'error_expected');
    editJson(join(dir, 'expected/call_0.json'), (j) => {
      for (const key of Object.keys(j)) delete j[key];
      j.error = 'RuntimeError';
      j.message = 'made up';
    });
    const result = runCase(readCase(dir, 'error_expected'));
    assert.match(formatResult(result), /call 0: expected RuntimeError, found data/);
  });

  it('runs a folder through the npm script and exits non-zero when a case fails', () => {
    const corpus = mkdtempSync(join(root, 'corpus-'));
    cpSync(join(CASES, 'orientation_1'), join(corpus, 'orientation_1'), { recursive: true });
    cpSync(join(root, 'chunk_num_changed'), join(corpus, 'chunk_num_changed'), { recursive: true });
    const results = runCorpus(corpus);
    assert.equal(formatSummary(results), '1 passed, 1 failed, 0 skipped');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/conformance.ts', corpus], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines[0], 'fail chunk_num_changed: call 1: chunk_num: expected 7, found 1');
    assert.equal(lines[1], 'pass orientation_1');
    assert.equal(lines[2], '1 passed, 1 failed, 0 skipped');
  });
});
