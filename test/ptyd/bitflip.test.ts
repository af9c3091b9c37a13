/**
 * Corrupt-file robustness: flip one bit at 200 seeded offsets of a real .ptyd
 * (and of our own rewrite of it) and read the whole file each time.
 *
 * What we guarantee: a read never crashes or hangs and never returns a wrong
 * array: it throws a PtyscanError or returns the original values. Array data
 * is protected by zlib's checksum (gzip) or fletcher32 (our uncompressed
 * chunks); in our files (HDF5 1.8 format) all metadata is checksummed too.
 * Not protected, by the format itself: the few bytes of contiguous scalars and
 * strings (e.g. a label "scanA" can become "scaNA"); in ptypy's oldest-format
 * files also object names (local heaps) and the chunk B-tree, whose
 * corruption can make HDF5 read a chunk as never written, i.e. zeros. Our
 * files use the HDF5 1.10 format, whose chunk indexes are checksummed. The
 * test checks that every undetected change is of exactly these kinds.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { PtyscanError } from '../../src/errors.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read, h5write } from '../../src/ptyd/index.js';
import { isNdArray, isPyDict, type PyValue } from '../../src/py/value.js';
import { CASES, noCorpus } from '../helpers/corpus.js';
import { tempDir } from '../helpers/index.js';
import { seeded } from './helpers.js';

const SOURCE = join(CASES, 'save_append/expected/out.ptyd');
const dir = tempDir('bitflip');
before(async () => {
  await h5ready();
});

type Change = 'name' | 'leaf' | 'zeroed' | 'array' | 'structure';

/** Kinds of difference between a corrupt read and the original. */
function changes(found: PyValue, original: PyValue, out: Set<Change>): void {
  if (isDeepStrictEqual(found, original)) return;
  if (isPyDict(found) && isPyDict(original)) {
    const a = Object.keys(found);
    const b = Object.keys(original);
    if (a.length !== b.length) {
      out.add('structure');
      return;
    }
    a.sort().forEach((k, i) => {
      const o = b.sort()[i] ?? '';
      if (k !== o) out.add('name');
      changes(found[k] ?? null, original[k === o ? k : o] ?? null, out);
    });
    return;
  }
  if (isNdArray(found) && isNdArray(original)) {
    const zeroed =
      found.dtype === original.dtype &&
      isDeepStrictEqual(found.shape, original.shape) &&
      Array.from(found.data as ArrayLike<number | bigint>).every(
        (v, i) => v === original.data[i] || Number(v) === 0,
      );
    out.add(zeroed ? 'zeroed' : 'array');
    return;
  }
  if (isNdArray(found) || isNdArray(original)) {
    out.add('structure');
    return;
  }
  const leaf = (v: PyValue) =>
    v === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof v);
  out.add(leaf(found) && leaf(original) ? 'leaf' : 'structure');
}

function flipRun(file: string, allowed: ReadonlySet<Change>): Record<string, number> {
  const bytes = readFileSync(file);
  const original = h5read(file);
  const rnd = seeded(424242);
  const tally: Record<string, number> = { same: 0, error: 0 };
  for (let i = 0; i < 200; i++) {
    const offset = Math.floor(rnd() * bytes.length);
    const bit = Math.floor(rnd() * 8);
    const copy = Buffer.from(bytes);
    copy[offset] = (copy[offset] ?? 0) ^ (1 << bit);
    const corrupt = join(dir, `flip-${i}.ptyd`);
    writeFileSync(corrupt, copy);
    let value: PyValue;
    try {
      value = h5read(corrupt);
    } catch (error) {
      assert.ok(
        error instanceof PtyscanError,
        `offset ${offset}: untyped failure ${String(error)}`,
      );
      tally.error = (tally.error ?? 0) + 1;
      continue;
    } finally {
      rmSync(corrupt);
    }
    const kinds = new Set<Change>();
    changes(value, original, kinds);
    if (kinds.size === 0) tally.same = (tally.same ?? 0) + 1;
    for (const kind of kinds) {
      assert.ok(allowed.has(kind), `offset ${offset} bit ${bit}: undetected ${kind} change`);
      tally[kind] = (tally[kind] ?? 0) + 1;
    }
  }
  return tally;
}

describe('one flipped bit', { skip: noCorpus }, () => {
  it("in ptypy's file: a typed error or the original values (names, scalars, chunk index unprotected)", (t) => {
    const tally = flipRun(SOURCE, new Set<Change>(['name', 'leaf', 'zeroed']));
    t.diagnostic(JSON.stringify(tally));
    assert.ok((tally.error ?? 0) > 0 && (tally.same ?? 0) > 0);
  });

  it('in our file: a typed error or the original values (only scalars and strings unprotected)', (t) => {
    const ours = join(dir, 'ours.ptyd');
    h5write(ours, h5read(SOURCE));
    const tally = flipRun(ours, new Set<Change>(['leaf']));
    t.diagnostic(JSON.stringify(tally));
    assert.ok((tally.error ?? 0) > 0 && (tally.same ?? 0) > 0);
  });
});
