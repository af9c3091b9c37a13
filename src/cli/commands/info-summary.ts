/**
 * The one-screen summary `ptyscan info` prints under the tree of a `.ptyd`
 * file: the writer's state, how many frames in how many chunks of which
 * sizes, where linked chunks live, the meta data.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeElementType, H5File } from '../../h5/index.js';
import { openPtydReader, type PtydChunkInfo, readWriterStatus } from '../../ptyd/index.js';
import { isNdArray, isPyDict, type PyValue } from '../../py/value.js';

/** Runs of equal chunk sizes: `0-8: 8 frames each, 9: 3 frames`. */
function chunkSizes(chunks: readonly PtydChunkInfo[]): string {
  const runs: { from: string; to: string; frames: number; count: number; dead: boolean }[] = [];
  for (const c of chunks) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.frames === c.frames && last.dead === c.dead) {
      last.to = c.key;
      last.count += 1;
    } else {
      runs.push({ from: c.key, to: c.key, frames: c.frames, count: 1, dead: c.dead });
    }
  }
  return runs
    .map((r) => {
      const keys = r.count === 1 ? r.from : `${r.from}-${r.to}`;
      if (r.dead) return `${keys}: dead link${r.count === 1 ? '' : 's'}`;
      const each = r.count === 1 ? '' : ' each';
      return `${keys}: ${r.frames} frame${r.frames === 1 ? '' : 's'}${each}`;
    })
    .join(', ');
}

/** A value of `meta` in words: pairs as `(a, b)`, None as `None`. */
function metaText(value: PyValue | undefined): string {
  if (value === undefined || value === null) return 'None';
  if (isNdArray(value)) {
    return `(${Array.from(value.data as ArrayLike<number | bigint>, String).join(', ')})`;
  }
  if (Array.isArray(value)) return `(${value.map((v) => metaText(v)).join(', ')})`;
  return String(value);
}

function bytesText(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

/** `data (8, 32, 32) int32, weights ... ` of the first readable chunk. */
function datasetsText(file: string, chunk: PtydChunkInfo | undefined): string {
  if (chunk === undefined) return 'no readable chunk';
  const h5 = H5File.open(file, 'r');
  try {
    return chunk.datasets
      .map((name) => {
        const entry = h5.resolve(`${chunk.path}/${name}`);
        if (entry.kind !== 'dataset') return name;
        const inner = entry.shape.slice(1).join('x');
        return `${name} ${inner === '' ? '' : `${inner} `}${describeElementType(entry.dtype)}`;
      })
      .join(', ');
  } finally {
    h5.close();
  }
}

/**
 * The summary of a `.ptyd` file, one `  key  value` line each, or null for
 * an HDF5 file without a `chunks` group (not a `.ptyd`).
 */
export function ptydSummary(file: string, confineLinks = false): string | null {
  const probe = H5File.open(file, 'r');
  let isPtyd: boolean;
  try {
    isPtyd = probe.has('/chunks');
  } finally {
    probe.close();
  }
  if (!isPtyd) return null;
  const status = readWriterStatus(file);
  const reader = openPtydReader(file, { confineLinks });
  try {
    const chunks = reader.listChunks();
    const present = chunks.filter((c) => !c.dead);
    const frames = present.reduce((n, c) => n + c.frames, 0);
    const meta = reader.entry('/meta').kind === 'missing' ? {} : reader.readValue('/meta');
    const m = isPyDict(meta) ? meta : {};
    const expected = m.num_frames;
    const links = chunks.filter((c) => c.link !== undefined);
    const dead = links.filter((c) => c.dead);
    const folder = dirname(file);
    let bytes = statSync(file).size;
    for (const c of links) {
      const target = join(folder, c.link!.file);
      if (existsSync(target)) bytes += statSync(target).size;
    }
    const rows: [string, string][] = [
      [
        'state',
        status === null
          ? 'no writer state (written by ptypy, in append mode, or by another program)'
          : `${status.state} (heartbeat ${status.heartbeat})`,
      ],
      [
        'frames',
        `${frames}${expected === undefined || expected === null ? '' : ` of ${metaText(expected)}`} in ${present.length} chunk${present.length === 1 ? '' : 's'}`,
      ],
      ['chunks', chunks.length === 0 ? 'none' : chunkSizes(chunks)],
      ['datasets', datasetsText(file, present[0])],
      [
        'links',
        links.length === 0
          ? 'none: every chunk is inside the file'
          : `${links.length} external (${links[0]!.link!.file}${links.length > 1 ? ` .. ${links[links.length - 1]!.link!.file}` : ''}), ${dead.length === 0 ? 'all present' : `${dead.length} dead: ${dead.map((c) => c.link!.file).join(', ')}`}`,
      ],
      [
        'meta',
        `shape ${metaText(m.shape)}, center ${metaText(m.center)}, psize ${metaText(m.psize)}, energy ${metaText(m.energy)} keV, distance ${metaText(m.distance)} m`,
      ],
      ['size', `${bytesText(bytes)} on disk${links.length > 0 ? ' (master and chunk files)' : ''}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    return `summary:\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}`;
  } finally {
    reader.close();
  }
}
