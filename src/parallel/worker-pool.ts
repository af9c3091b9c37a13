import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  type Transferable,
  Worker,
} from 'node:worker_threads';
import { ParallelError } from '../errors.js';
import { errorFromWire, errorToWire, type WireError } from './error-wire.js';

/** How long one blocking wait lasts before the pool looks again (ms); waits repeat until done. */
const WAIT_SLICE_MS = 200;
/** A worker that has not started serving after this long (ms) is taken as failed to start. */
const STARTUP_LIMIT_MS = 60_000;

/** Indices into a worker's shared signal array. */
const DONE = 0;
const STATE = 1;
/** Values of `signal[STATE]`. */
const STARTING = 0;
const SERVING = 1;
const EXITED = 2;

/** What the pool sends a worker: one job and its id. */
interface JobMessage<Job> {
  id: number;
  job: Job;
}

/** What a worker sends back: a job's result or error, or that the thread itself failed. */
type WorkerMessage<Result> =
  | { kind: 'done'; id: number; result: Result }
  | { kind: 'failed'; id: number; error: WireError }
  | { kind: 'lost'; error: WireError };

/** A finished job: which worker ran it, its id, and its result or its error (rebuilt with its class). */
export type Completion<Result> = { worker: number; job: number } & (
  | { ok: true; result: Result }
  | { ok: false; error: Error }
);

/**
 * Every worker starts here and then imports its script: a script that fails
 * to load (or a thread that dies) is reported through the shared state and
 * the job channel, since the synchronous main thread never sees 'error' events.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const fail = (error) => {
  const e = error instanceof Error ? error : new Error(String(error));
  workerData.port.postMessage({ kind: 'lost', error: { name: e.name, message: e.message, context: {}, stack: e.stack } });
  Atomics.store(workerData.signal, ${STATE}, ${EXITED});
  Atomics.notify(workerData.signal, ${DONE});
};
process.on('exit', () => {
  Atomics.store(workerData.signal, ${STATE}, ${EXITED});
  Atomics.notify(workerData.signal, ${DONE});
});
// A .ts script runs from source under tsx, whose hooks do not reach worker threads by themselves;
// tsx is found from this module, not from the working folder the eval'd worker would resolve from.
const load = workerData.tsx
  ? import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.script); })
  : import(workerData.script);
load.catch(fail);
`;

/** What the pool hands each worker in `workerData`. */
export interface PoolWorkerData {
  /** URL of the worker's script. */
  script: string;
  /** URL of tsx's API, to run a `.ts` script from source; null for built `.js` scripts. */
  tsx: string | null;
  /** The worker's end of its job channel. */
  port: MessagePort;
  /** `[done, state]`: done is incremented and notified after every outcome is posted; state is starting/serving/exited. */
  signal: Int32Array;
  /** The caller's own data for the worker. */
  data: unknown;
}

interface Slot {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  /** Job ids sent and not yet completed, oldest first. */
  pending: number[];
  started: number;
}

/**
 * The file of a worker script next to `base` (pass `import.meta.url`):
 * `name.ts` when running from source (tsx, whose hooks worker threads
 * inherit through `execArgv`), `name.js` from the built `dist/`.
 */
export function workerScript(base: string, name: string): URL {
  const ext = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, base);
}

/**
 * A fixed set of worker threads driven synchronously from the main thread,
 * each running a script that answers jobs of type `Job` with results of
 * type `Result` through {@link serveJobs}:
 * `submit()` returns at once, `collect()` picks up finished jobs without
 * blocking, and `waitOne()`/`waitAll()` block (with `Atomics.wait`) until
 * outcomes arrive. No event-loop turn is needed, so a synchronous caller
 * such as `PtyScan.auto()` can use it. Workers answer through
 * {@link serveJobs}.
 */
export class WorkerPool<Job, Result> {
  readonly size: number;
  private readonly slots: Slot[];
  private nextJob = 0;
  private closed = false;

  constructor(script: URL, size: number, data: unknown = null) {
    if (!Number.isInteger(size) || size < 1) {
      throw new ParallelError(`A worker pool needs at least one worker, found ${size}.`, {
        parameter: 'workers',
        expected: 'an integer >= 1',
        found: String(size),
      });
    }
    this.size = size;
    this.slots = Array.from({ length: size }, () => {
      const channel = new MessageChannel();
      const signal = new Int32Array(new SharedArrayBuffer(8));
      const workerData: PoolWorkerData = {
        script: script.href,
        tsx: script.href.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null,
        port: channel.port2,
        signal,
        data,
      };
      const worker = new Worker(BOOTSTRAP, {
        eval: true,
        workerData,
        transferList: [channel.port2],
      });
      // The pool is driven synchronously; an idle worker must not keep the process alive.
      worker.unref();
      return { worker, port: channel.port1, signal, pending: [], started: performance.now() };
    });
  }

  /** Number of jobs the worker has not finished. */
  busy(worker: number): number {
    return this.slot(worker).pending.length;
  }

  /** Sends `job` to `worker`; returns the job's id. */
  submit(worker: number, job: Job, transfer: Transferable[] = []): number {
    if (this.closed) throw new ParallelError('The worker pool is closed.');
    const slot = this.slot(worker);
    const id = this.nextJob++;
    const message: JobMessage<Job> = { id, job };
    slot.port.postMessage(message, transfer);
    slot.pending.push(id);
    return id;
  }

  /** Outcomes that have arrived, without waiting. */
  collect(): Completion<Result>[] {
    const out: Completion<Result>[] = [];
    this.slots.forEach((slot, worker) => {
      for (;;) {
        const received = receiveMessageOnPort(slot.port);
        if (received === undefined) break;
        const message = received.message as WorkerMessage<Result>;
        if (message.kind === 'lost') {
          this.lost(worker, `the thread failed: ${message.error.name}: ${message.error.message}`);
        }
        slot.pending = slot.pending.filter((j) => j !== message.id);
        out.push(
          message.kind === 'done'
            ? { worker, job: message.id, ok: true, result: message.result }
            : { worker, job: message.id, ok: false, error: errorFromWire(message.error) },
        );
      }
    });
    return out;
  }

  /** Blocks until `worker` has at most `limit` unfinished jobs; returns every outcome collected meanwhile. */
  waitUntil(worker: number, limit: number): Completion<Result>[] {
    const slot = this.slot(worker);
    const out = this.collect();
    while (slot.pending.length > limit) {
      const seen = Atomics.load(slot.signal, DONE);
      const more = this.collect();
      out.push(...more);
      if (more.length > 0) continue;
      // 'exit' events need an event-loop turn we do not give: the worker reports its state itself.
      const state = Atomics.load(slot.signal, STATE);
      if (state === EXITED) this.lost(worker, 'the thread exited');
      if (state === STARTING && performance.now() - slot.started > STARTUP_LIMIT_MS) {
        this.lost(worker, `the thread did not start within ${STARTUP_LIMIT_MS / 1000} s`);
      }
      Atomics.wait(slot.signal, DONE, seen, WAIT_SLICE_MS);
    }
    return out;
  }

  /** Blocks until every job has finished; returns their outcomes. */
  waitAll(): Completion<Result>[] {
    const out: Completion<Result>[] = [];
    for (let w = 0; w < this.size; w++) out.push(...this.waitUntil(w, 0));
    return out;
  }

  /** The worker with the fewest unfinished jobs (the lowest index on a tie). */
  leastBusy(): number {
    let best = 0;
    for (let w = 1; w < this.size; w++) if (this.busy(w) < this.busy(best)) best = w;
    return best;
  }

  /** Stops every worker; jobs not finished are dropped. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) {
      slot.port.close();
      void slot.worker.terminate();
    }
  }

  private slot(worker: number): Slot {
    const slot = this.slots[worker];
    if (slot === undefined)
      throw new ParallelError(`No worker ${worker} in a pool of ${this.size}.`);
    return slot;
  }

  private lost(worker: number, found: string): never {
    const jobs = this.slot(worker).pending;
    throw new ParallelError(
      `Worker thread ${worker} stopped with ${jobs.length} unfinished job(s) (${jobs.join(', ')}): ${found}.`,
      { expected: 'a running worker thread', found },
    );
  }
}

/**
 * The worker side of a {@link WorkerPool}: runs `handle` for every job, in
 * order, and posts its result; an error is posted too (with its class and
 * context), so the pool never waits for a job that failed.
 */
export function serveJobs<Job, Result>(
  workerData: PoolWorkerData,
  handle: (job: Job) => Result | Promise<Result>,
): void {
  const { port, signal } = workerData;
  const post = (message: WorkerMessage<Result>) => {
    port.postMessage(message);
    Atomics.add(signal, DONE, 1);
    Atomics.notify(signal, DONE);
  };
  Atomics.store(signal, STATE, SERVING);
  let queue = Promise.resolve();
  port.on('message', ({ id, job }: JobMessage<Job>) => {
    queue = queue.then(async () => {
      try {
        post({ kind: 'done', id, result: await handle(job) });
      } catch (error) {
        post({ kind: 'failed', id, error: errorToWire(error) });
      }
    });
  });
}
