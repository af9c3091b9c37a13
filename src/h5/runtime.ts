/**
 * The h5wasm runtime: loading it once, silencing and capturing HDF5's own
 * diagnostics, and turning failures into {@link H5Error}s. The only place
 * (with the rest of `src/h5/`) that touches h5wasm.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type h5wasm from 'h5wasm/node';
import { type ErrorContext, H5Error, PtyscanError } from '../errors.js';

/** The emscripten module of h5wasm, with the C bindings. */
export type H5Module = Awaited<typeof h5wasm.ready>;

let loaded: H5Module | undefined;
let loading: Promise<H5Module> | undefined;
let diagFd = -1;
/** Why the loaded runtime died (a WebAssembly abort), or null while it works. */
let crash: string | null = null;

/** Emscripten's stream for fd 2 under NODERAWFS: a plain object holding the real fd. */
interface RawStream {
  nfd: number;
}

function isRawStream(value: unknown): value is RawStream {
  return typeof value === 'object' && value !== null && 'nfd' in value;
}

/**
 * HDF5 prints an error stack to stderr for every failed call, including the
 * probes we make on purpose (does this path exist?). We point the module's
 * stderr at an unlinked temp file instead: the terminal stays clean and the
 * last stack can be quoted in our error messages.
 */
function captureDiagnostics(module: H5Module): void {
  const fs = module.FS as unknown as { getStream?: (fd: number) => unknown };
  const stream = fs.getStream?.(2);
  if (!isRawStream(stream)) return;
  const path = join(tmpdir(), `ptyscan-h5diag-${process.pid}-${Date.now()}.log`);
  if (diagFd >= 0) closeSync(diagFd);
  diagFd = openSync(path, 'a+');
  unlinkSync(path);
  stream.nfd = diagFd;
}

function installPlugins(module: H5Module): void {
  // h5wasm-plugins ships the compiled filters next to its index; we only need the search path.
  const url = import.meta.resolve('h5wasm-plugins');
  const dir = join(fileURLToPath(url), '..', 'plugins');
  module.insert_plugin_search_path(dir, 0);
}

/**
 * Loads h5wasm (once). Every other function of `src/h5/` needs this to have
 * finished; after it, the whole API is synchronous.
 *
 * @example
 * await h5ready();
 * const f = H5File.open('scan.ptyd');
 */
export async function h5ready(): Promise<void> {
  if (loaded && crash === null) return;
  if (crash !== null) {
    // The runtime that crashed is dropped: a fresh instance of the same module.
    crash = null;
    loaded = undefined;
    loading = freshModule();
  }
  // Loaded on first use: its 4 MB module costs a command that needs no HDF5 (or
  // writes through the native addon) a tenth of a second.
  loading ??= import('h5wasm/node').then(({ default: lib }) => lib.ready);
  const module = await loading;
  if (loaded === module) return;
  captureDiagnostics(module);
  installPlugins(module);
  loaded = module;
}

/** A new instance of h5wasm's module (its own memory and HDF5 library state). */
async function freshModule(): Promise<H5Module> {
  const url = new URL('./hdf5_util.js', import.meta.resolve('h5wasm/node'));
  const factory = (await import(url.href)).default as (options: object) => Promise<H5Module>;
  return factory({ noInitialRun: true });
}

/** The error for any use of a runtime that crashed. */
function crashedError(): H5Error {
  return new H5Error(
    `The HDF5 runtime crashed earlier (${crash}); the files it had open are lost. Await h5ready() again for a fresh runtime, or restart the process.`,
    { expected: 'a working HDF5 runtime', found: 'a crashed one' },
  );
}

/** Throws when `module` (that `file` was opened by) is not the working runtime. */
export function assertCurrent(module: H5Module, file: string): void {
  if (h5current(module)) return;
  if (crash !== null) throw crashedError();
  throw new H5Error(`${file} was opened by an HDF5 runtime that crashed: open it again.`, { file });
}

/** Whether `module` is the working runtime (files opened by one that crashed are not). */
export function h5current(module: H5Module): boolean {
  return crash === null && module === loaded;
}

/** The loaded module; throws a {@link H5Error} when {@link h5ready} was not awaited. */
export function h5module(): H5Module {
  if (crash !== null) throw crashedError();
  if (!loaded) {
    throw new H5Error('The HDF5 runtime is not loaded: call `await h5ready()` once first.', {
      expected: 'h5ready() awaited',
      found: 'not loaded',
    });
  }
  return loaded;
}

/** Size of the diagnostics log now; compare after a call to see whether HDF5 reported errors. */
export function diagMark(): number {
  if (diagFd < 0) return 0;
  const size = fstatSync(diagFd).size;
  if (size > 1 << 20) {
    ftruncateSync(diagFd, 0);
    return 0;
  }
  return size;
}

/** True when HDF5 printed an error stack since `mark`. */
export function diagSince(mark: number): boolean {
  return diagFd >= 0 && fstatSync(diagFd).size > mark;
}

/** The most telling lines of the last HDF5 error stack printed after `mark`. */
export function diagText(mark: number): string {
  if (diagFd < 0) return '';
  const size = fstatSync(diagFd).size;
  if (size <= mark) return '';
  const length = Math.min(size - mark, 64 * 1024);
  const bytes = Buffer.alloc(length);
  readSync(diagFd, bytes, 0, length, size - length);
  const text = bytes.toString('utf8');
  const last = text.lastIndexOf('HDF5-DIAG');
  const stack = last >= 0 ? text.slice(last) : text;
  const details = stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('minor:') || /error message|errno/.test(line))
    .map((line) => line.replace(/^minor:\s*/, ''));
  const unique = [...new Set(details)];
  return unique.slice(-3).join('; ');
}

/**
 * Runs one HDF5 call and turns every way it can fail into an {@link H5Error}:
 * a thrown JS error (h5wasm's bindings throw plain strings/Errors), a negative
 * status, or an error stack HDF5 printed while returning success (h5wasm
 * ignores most statuses, e.g. a failed filter during `H5Dclose`).
 */
export function h5call<T>(what: string, context: ErrorContext, call: () => T): T {
  if (crash !== null) throw crashedError();
  const mark = diagMark();
  let result: T;
  try {
    result = call();
  } catch (error) {
    if (error instanceof PtyscanError) throw error;
    throw failure(what, context, mark, error);
  }
  if ((typeof result === 'number' && result < 0) || diagSince(mark)) {
    throw failure(what, context, mark, undefined);
  }
  return result;
}

/** Like {@link h5call} but HDF5's own error output is expected (probing for a path). */
export function h5probe<T>(what: string, context: ErrorContext, call: () => T): T {
  if (crash !== null) throw crashedError();
  try {
    return call();
  } catch (error) {
    if (error instanceof PtyscanError) throw error;
    throw failure(what, context, diagMark(), error);
  }
}

function failure(what: string, context: ErrorContext, mark: number, cause: unknown): H5Error {
  const diag = diagText(mark);
  // A WebAssembly.RuntimeError (out-of-bounds access, abort) leaves the module unusable.
  const crashed = cause instanceof Error && cause.name === 'RuntimeError';
  if (crashed) crash = cause.message.slice(0, 200);
  const reason = crashed
    ? `the HDF5 runtime crashed (${cause.message}); await h5ready() for a fresh one, or restart the process`
    : diag ||
      (cause instanceof Error ? cause.message : cause === undefined ? 'failed' : String(cause));
  const where = [context.file, context.dataset].filter((s) => s !== undefined).join(':');
  return new H5Error(`${what} failed${where ? ` for ${where}` : ''}: ${reason}.`, {
    ...context,
    found: context.found ?? reason,
    cause,
  });
}
