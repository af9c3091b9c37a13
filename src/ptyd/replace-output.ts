/**
 * An output written under a working name takes its real name only once it
 * is complete: forced to disk, the existing file of that name kept as
 * `.old` (see `keepOld`), renamed into place, its folder forced to disk. A
 * write that fails before leaves the existing file where it was, untouched.
 */
import { renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncPath, tempName } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta, ScanProgress, ScanSink } from '../sink/types.js';
import { keepOld } from './chunk-files.js';
import { PtydSink, type PtydSinkOptions } from './ptyd-sink.js';

/** Moves the complete file `working` to `output`, keeping an existing `output` as `.old`. */
export function replaceOutput(working: string, output: string): void {
  fsyncPath(working);
  keepOld(output);
  renameSync(working, output);
  fsyncPath(dirname(output));
}

/**
 * A `.ptyd` writer ({@link PtydSink}) whose file takes its name `dfile`
 * only when the scan ends: until then it is written under a working name,
 * and a scan closed before its end leaves no file (an existing `dfile`
 * stays as it was). Link and merge modes name chunk files after their
 * master, so this is for `append` (the default).
 */
export class FinalNamePtydSink implements ScanSink {
  readonly dfile: string;
  private readonly working: string;
  private readonly inner: PtydSink;
  private done = false;

  constructor(options: Omit<PtydSinkOptions, 'mode'> & { mode?: 'append' }) {
    this.dfile = options.dfile;
    this.working = tempName(options.dfile);
    this.inner = new PtydSink({ ...options, mode: 'append', dfile: this.working });
  }

  begin(info: PyDict): ScanProgress | null {
    return this.inner.begin(info);
  }

  writeMeta(meta: Meta): void {
    this.inner.writeMeta(meta);
  }

  writeChunk(chunk: Chunk): void {
    this.inner.writeChunk(chunk);
  }

  end(info: PyDict): void {
    if (this.done) return;
    this.inner.end(info);
    replaceOutput(this.working, this.dfile);
    this.done = true;
  }

  close(): void {
    try {
      this.inner.close();
    } finally {
      if (!this.done) rmSync(this.working, { force: true });
    }
  }
}
