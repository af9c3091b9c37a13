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
import { h5ready, nativeHdf5Status } from '../../src/h5/index.js';
import { CASES, HDF5_CASES, noCorpus, noHdf5Corpus } from '../helpers/corpus.js';
import { tempDir } from '../helpers/index.js';
import { python } from '../helpers/python.js';

// The harness must be able to fail: each test copies a real case, changes one
// expectation, and checks that the difference is reported.
describe('conformance harness', { skip: noCorpus || noHdf5Corpus }, () => {
  const root = tempDir('harness');
  before(async () => {
    await h5ready();
  });

  function copyCase(name: string, as = name, corpus = CASES): string {
    const dir = join(root, as);
    cpSync(join(corpus, name), dir, { recursive: true });
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

  it('an Hdf5Loader case: passes untouched, fails on a changed source index', () => {
    const dir = copyCase('map2_skip', 'map2_skip', HDF5_CASES);
    assert.deepEqual(runCase(readCase(dir, 'map2_skip')), { status: 'pass', name: 'map2_skip' });
    const changed = copyCase('map2_skip', 'source_index_changed', HDF5_CASES);
    editJson(join(changed, 'expected/call_1.json'), (j) => {
      (j.source_index as number[][])[0] = [99];
    });
    assert.equal(
      formatResult(runCase(readCase(changed, 'source_index_changed'))),
      'fail source_index_changed: call 1: source_index[0][0]: expected 99, found 12',
    );
  });

  it('an intended difference is still checked: inverted flags whose weights do not follow the rule fail', () => {
    const dir = copyCase('mask_invert', 'flags_elsewhere', HDF5_CASES);
    // An int32 flag mask (value 4) on pixels the recorded mask had as good: the rule
    // (weight 1 exactly where ptypy's 1 - mask is 1) no longer holds there.
    python(
      `import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f: old = f['entry/mask'][()]
new = np.where(old == 0, 4, 0).astype(np.int32)
new[0, 0] = 0
with h5py.File(sys.argv[1], 'w') as f: f['entry/mask'] = new`,
      [join(dir, 'raw/mask.h5')],
    );
    const result = runCase(readCase(dir, 'flags_elsewhere'));
    assert.equal(result.status, 'fail');
    assert.match(
      formatResult(result),
      /call 0: weights\[flat \d+\]: expected 1 \(ptypy's 1 - mask is 1\), found 0/,
    );
  });

  it('one folder may mix both corpora: the runner tells them apart by harness.class', () => {
    const corpus = mkdtempSync(join(root, 'mixed-'));
    cpSync(join(CASES, 'orientation_1'), join(corpus, 'orientation_1'), { recursive: true });
    cpSync(join(HDF5_CASES, 'map5_skip'), join(corpus, 'map5_skip'), { recursive: true });
    cpSync(
      join(HDF5_CASES, 'positions_file_missing_error'),
      join(corpus, 'positions_file_missing_error'),
      {
        recursive: true,
      },
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/conformance.ts', corpus], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0);
    assert.deepEqual(run.stdout.trim().split('\n'), [
      'pass map5_skip',
      'pass orientation_1',
      'pass positions_file_missing_error (intended difference: positions.file falls back to intensities.file, as documented; the same run as with positions.file = intensities.file)',
      '3 passed, 0 failed, 0 skipped',
    ]);
  });
  it("a saved case: the default pipeline passes as an intended difference, ptypy's own pipeline passes plainly, other filters fail", () => {
    const native = nativeHdf5Status().available;
    const run = (as: string, params: Record<string, unknown>) => {
      const dir = copyCase('save_append', as);
      editJson(join(dir, 'params.json'), (j) => Object.assign(j, params));
      return runCase(readCase(dir, as));
    };
    const byDefault = run('save_default_pipeline', {});
    assert.equal(byDefault.status, 'pass', formatResult(byDefault));
    const note = 'byte shuffle then gzip 1 (ptypy writes gzip without the shuffle)';
    // Without the addon the default is ptypy's pipeline itself.
    if (native)
      assert.match(
        formatResult(byDefault),
        new RegExp(`intended difference: the default pipeline, ${note.replace(/[()]/g, '\\$&')}`),
      );
    else assert.equal(formatResult(byDefault), 'pass save_default_pipeline');
    const ptypy = run('save_ptypy_pipeline', { compression_level: 4, shuffle: false });
    assert.equal(formatResult(ptypy), 'pass save_ptypy_pipeline');
    const lzf = run('save_lzf', { compression: 'lzf' });
    assert.equal(lzf.status, 'fail');
    assert.match(
      formatResult(lzf),
      /saved file: \/chunks\/0\/data: filters expected gzip 4, found lzf/,
    );
  });
});
