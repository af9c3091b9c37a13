import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import { normalizeParams, parseParams } from '../../src/params/index.js';
import { PTYSCAN_PARAMS } from '../../src/scan/pty-scan-params.js';
import { getParams } from '../../src/sources/index.js';
import { CASES, noCorpus } from '../helpers/corpus.js';

/** The `| key | default | key | default |` table of the corpus README's params.json section. */
function readmeDefaults(): Map<string, string> {
  const readme = readFileSync(join(CASES, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## params.json'), readme.indexOf('## expected/'));
  const out = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    for (let i = 1; i + 1 < cells.length - 1; i += 2) {
      const key = cells[i] ?? '';
      const literal = /^("[^"]*"|null|true|false|-?[\d.e+-]+)/.exec(cells[i + 1] ?? '')?.[1];
      if (/^\w+$/.test(key) && key !== 'key' && literal !== undefined) out.set(key, literal);
    }
  }
  return out;
}

describe('PtyScan parameters', () => {
  it("has ptypy's defaults from the corpus README, with ints as bigint and floats as number", {
    skip: noCorpus,
  }, () => {
    const table = readmeDefaults();
    assert.equal(table.size, 20);
    const defaults = PTYSCAN_PARAMS.defaults();
    for (const [key, literal] of table) {
      const ours = defaults[key];
      const json: unknown = JSON.parse(literal);
      if (typeof json === 'number' && !/[.e]/.test(literal)) {
        assert.equal(ours, BigInt(json), `${key} is a Python int`);
      } else {
        assert.equal(ours, json, key);
      }
    }
  });

  it('adds compression, compression_level, shuffle, compression_plugins and workers', () => {
    const d = PTYSCAN_PARAMS.defaults();
    assert.equal(d.compression, 'gzip');
    // None: the pipeline and the threads are chosen for the machine (src/ptyd/compression.ts).
    assert.equal(d.compression_level, null);
    assert.equal(d.shuffle, null);
    assert.equal(d.compression_plugins, false);
    assert.equal(d.workers, null);
    assert.deepEqual(PTYSCAN_PARAMS.get('compression')?.choices, [
      'gzip',
      'lzf',
      'none',
      'bitshuffle-lz4',
      'lz4',
      'zstd',
    ]);
    for (const [key, bad] of [
      ['compression', 'bzip2'],
      ['compression_level', 10],
      ['workers', 0],
      ['shuffle', 'yes'],
    ] as const) {
      assert.throws(() => normalizeParams(PTYSCAN_PARAMS, { [key]: bad }), ParameterError);
    }
  });

  it('declares the documented types, limits and choices', () => {
    const rebin = PTYSCAN_PARAMS.get('rebin');
    assert.deepEqual([rebin?.lowlim, rebin?.uplim], [1n, 32n]);
    const orientation = PTYSCAN_PARAMS.get('orientation');
    assert.deepEqual(orientation?.type, ['int', 'tuple', 'list', 'None']);
    assert.deepEqual([orientation?.lowlim, orientation?.uplim], [0n, 7n]);
    assert.deepEqual(PTYSCAN_PARAMS.get('save')?.choices, [
      null,
      'append',
      'link',
      'merge',
      'cxi',
      'nxcxi',
      'fold-slice',
    ]);
    assert.deepEqual(PTYSCAN_PARAMS.get('load_parallel')?.choices, [
      'data',
      'common',
      'all',
      'none',
    ]);
    assert.deepEqual(PTYSCAN_PARAMS.get('center')?.choices, ['fftshift', 'geometric', 'fft']);
    assert.equal(PTYSCAN_PARAMS.get('min_frames')?.lowlim, 1n);
    for (const d of PTYSCAN_PARAMS.entries.values()) assert.notEqual(d.help, '', d.name);
  });

  it('accepts the parameters of every PtyScan case in the corpus', { skip: noCorpus }, () => {
    let checked = 0;
    for (const name of readdirSync(CASES)) {
      if (name.startsWith('_') || name.includes('.')) continue;
      const params = JSON.parse(readFileSync(join(CASES, name, 'params.json'), 'utf8'));
      if (params.harness.class !== 'PtyScan') continue;
      const { calls, reveal, harness, ...pars } = params;
      const info = normalizeParams(PTYSCAN_PARAMS, pars);
      for (const [k, v] of Object.entries(pars)) assert.deepEqual(info[k], v, `${name}: ${k}`);
      checked++;
    }
    assert.ok(checked >= 30, `checked ${checked} cases`);
  });

  it('reports several bad parameters under scandata.PtyScan at once', () => {
    assert.throws(
      () =>
        normalizeParams(PTYSCAN_PARAMS, {
          rebin: 64,
          orientation: 8,
          save: 'overwrite',
          center: 'middle',
          min_frames: 0,
          energy: '7.2 keV',
        }),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.problems.map((p) => p.path).join() ===
          ['save', 'rebin', 'orientation', 'min_frames', 'center', 'energy']
            .map((k) => `scandata.PtyScan.${k}`)
            .join(),
    );
  });

  it('round-trips through the text form and is registered as scandata.PtyScan', () => {
    assert.ok(parseParams(PTYSCAN_PARAMS.toString(), 'PtyScan').equals(PTYSCAN_PARAMS));
    assert.equal(getParams('PtyScan'), PTYSCAN_PARAMS);
    assert.equal(getParams('scandata.PtyScan'), PTYSCAN_PARAMS);
    assert.equal(PTYSCAN_PARAMS.path, 'scandata.PtyScan');
  });
});
