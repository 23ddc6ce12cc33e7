import { BackendError } from '../core/errors.js';
import {
  CHUNK_BITS, CLAIM_LOW, CONTENDED, ERROR_BYTE_OFFSET, CONTENDED_MAX_MS, CONTENDED_MIN_MS, CONTROL_BYTES, PREEMPTED_GAP_MS, PREEMPTIONS, DONE, FAILED, GENERATION, JOB_BYTE_OFFSET, JOB_F64, JOB_HEADER_F64, KERNEL_WORKER_SOURCE,
  MAX_ARGS, MAX_CHUNKS, PARKED, POLLS_PER_CLOCK_READ, STOP, TAG_BITS, TAG_SHIFT, TICKET, WAITING,
} from './kernel-worker-source.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

// A pool of workers that help the calling thread run one kernel call over the shared heap. A job
// is a range of units cut into chunks that every thread, the caller included, claims from a shared
// ticket, the caller from the bottom and the workers from the top (the protocol is described in
// kernel-worker-source.ts). The caller never waits for a worker to start: it claims chunks until
// none is left, and then waits only for chunks a worker has already begun. One job at a time,
// always from the thread that owns the pool.

/** One kernel call over `units` units of work, cut into chunks of `chunk` units. */
export interface RangeJob {
  /** Index of the kernel, in the `names` the pool was started with. */
  kernel: number;
  /** The call's arguments for the whole range (unit 0 onwards). */
  args: ArrayLike<number>;
  /** Index of the argument that counts units: each chunk gets its own length there. */
  count: number;
  /** Per argument, how much it advances per unit (bytes, for a pointer); 0 keeps it fixed. */
  strides: ArrayLike<number>;
  units: number;
  chunk: number;
  /** A per-thread argument (scratch space): thread t adds t · stride to it. */
  perThread?: { arg: number; stride: number };
}

interface WorkerHandle {
  post(message: unknown): void;
  ready: Promise<void>;
  terminate(): void;
}

const isBrowserLike = typeof (globalThis as { Worker?: unknown }).Worker === 'function';

async function startWorker(): Promise<WorkerHandle> {
  if (isBrowserLike) {
    const url = URL.createObjectURL(new Blob([KERNEL_WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    const ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (event: ErrorEvent) => reject(new BackendError(`a kernel worker failed to start: ${event.message}`));
    });
    return { post: (m) => worker.postMessage(m), ready, terminate: () => worker.terminate() };
  }
  const { Worker: NodeWorker } = await importNodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
  // No inherited execArgv: the worker needs no loaders (tsx, --input-type) of the parent's.
  const worker = new NodeWorker(KERNEL_WORKER_SOURCE, { eval: true, execArgv: [] });
  // A parked worker must not keep the process alive once the program is done.
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (error) => reject(new BackendError(`a kernel worker failed to start: ${error.message}`)));
  });
  return { post: (m) => worker.postMessage(m), ready, terminate: () => void worker.terminate() };
}

/** Whether the calling thread may block in `Atomics.wait` (a browser's main thread may not). */
function callerMayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * How long the caller polls for the chunks workers are still running before it blocks in
 * `Atomics.wait`, in milliseconds. A chunk takes microseconds; a worker that takes longer has
 * most likely been descheduled, and blocking frees the caller's core for it.
 */
const CALLER_SPIN_MS = 0.05;
const TAG_MASK = (1 << TAG_BITS) - 1;
/**
 * Signs of preemption (see PREEMPTED_GAP_MS) that mark the cores contended when this many come
 * within SIGN_WINDOW_MS. One sign is not enough: an idle virtual machine deschedules a thread for
 * a millisecond now and then (measured here: one or two signs in 400 steps of 1 ms), and taking
 * each for lasting load cost whole seconds of single-threaded steps; another process keeping a
 * core busy gives signs every few jobs.
 */
const SIGNS_FOR_CONTENTION = 3;
const SIGN_WINDOW_MS = 100;

export class ThreadPool {
  /** Threads that run a job: the workers plus the calling thread. */
  readonly size: number;
  private readonly control: Int32Array;
  private readonly job: Float64Array;
  private readonly mayBlock = callerMayBlock();
  private readonly call: number[] = [];
  private disposed = false;
  private preemptionsSeen = 0;
  /** When the last SIGNS_FOR_CONTENTION − 1 signs of preemption came (a ring, oldest at signNext). */
  private readonly signs = new Float64Array(SIGNS_FOR_CONTENTION - 1).fill(-Infinity);
  private signNext = 0;
  /** Until when (performance.now()) the cores count as contended, and that period's length. */
  private contendedUntil = -Infinity;
  private contendedSpan = 0;
  /** Chunks the workers ran, for tests and benchmarks (the caller's share is the rest). */
  chunksByWorkers = 0;
  chunksTotal = 0;

  private constructor(
    private readonly workers: WorkerHandle[],
    buffer: SharedArrayBuffer,
  ) {
    this.size = workers.length + 1;
    this.control = new Int32Array(buffer, 0, JOB_BYTE_OFFSET / 4);
    this.job = new Float64Array(buffer, JOB_BYTE_OFFSET, JOB_F64);
  }

  /**
   * Starts `threads − 1` workers, each with its own instance of `module` over the shared
   * `memory`. `names` lists the exports jobs may run, by index.
   */
  static async start(
    threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[],
  ): Promise<ThreadPool> {
    const buffer = new SharedArrayBuffer(CONTROL_BYTES);
    const workers = await Promise.all(Array.from({ length: threads - 1 }, startWorker));
    workers.forEach((worker, i) => worker.post({ module, memory, control: buffer, names, index: i + 1 }));
    try {
      await Promise.all(workers.map((worker) => worker.ready));
    } catch (error) {
      for (const worker of workers) worker.terminate();
      throw error;
    }
    return new ThreadPool(workers, buffer);
  }

  /**
   * Runs `job` on every thread that is free to help: `runHere(args)` runs one chunk on the calling
   * thread (the same kernel, called directly). Returns when every chunk is done; throws a
   * BackendError if a worker's chunk failed.
   */
  run(job: RangeJob, runHere: (args: number[]) => void): void {
    if (this.disposed) throw new BackendError('the thread pool was shut down');
    const argCount = job.args.length;
    if (argCount > MAX_ARGS) throw new BackendError(`a kernel job takes at most ${MAX_ARGS} arguments`);
    const chunks = Math.ceil(job.units / job.chunk);
    if (!(chunks >= 1 && chunks <= MAX_CHUNKS)) throw new BackendError(`a kernel job has 1 to ${MAX_CHUNKS} chunks, got ${chunks}`);
    const { control, job: slot } = this;
    slot[0] = job.kernel;
    slot[1] = argCount;
    slot[2] = job.count;
    slot[3] = job.units;
    slot[4] = job.chunk;
    slot[5] = job.perThread ? job.perThread.arg : -1;
    slot[6] = job.perThread ? job.perThread.stride : 0;
    for (let i = 0; i < argCount; i++) {
      slot[JOB_HEADER_F64 + i] = job.args[i];
      slot[JOB_HEADER_F64 + MAX_ARGS + i] = job.strides[i];
    }
    const tag = (Atomics.load(control, GENERATION) + 1) & TAG_MASK;
    Atomics.store(control, DONE, 0);
    Atomics.store(control, TICKET, (tag << TAG_SHIFT) | chunks);
    Atomics.add(control, GENERATION, 1);
    if (Atomics.load(control, PARKED) > 0) Atomics.notify(control, GENERATION);

    // The caller's own chunks, claimed from the bottom (kernel-worker-source.ts).
    const call = this.call;
    call.length = argCount;
    let mine = 0;
    const started = performance.now();
    let ownEnd = started;
    try {
      for (;;) {
        const ticket = Atomics.load(control, TICKET);
        const left = ticket & MAX_CHUNKS;
        if (left === 0) break;
        if (Atomics.compareExchange(control, TICKET, ticket, ticket + CLAIM_LOW) !== ticket) continue;
        const start = ((ticket >>> CHUNK_BITS) & MAX_CHUNKS) * job.chunk;
        for (let i = 0; i < argCount; i++) call[i] = job.args[i] + start * job.strides[i];
        call[job.count] = Math.min(job.chunk, job.units - start);
        mine++;
        runHere(call);
        Atomics.add(control, DONE, 1);
      }
      ownEnd = performance.now();
    } finally {
      const waitStart = performance.now();
      this.waitForChunks(chunks);
      const w = performance.now() - waitStart;
      if (mine > 0 && w > PREEMPTED_GAP_MS + 2 * (ownEnd - started) / mine) this.signOfPreemption(performance.now());
    }
    this.chunksTotal += chunks;
    this.chunksByWorkers += chunks - mine;
    if (Atomics.load(control, FAILED) === 1) {
      const length = new Int32Array(control.buffer, ERROR_BYTE_OFFSET, 1)[0];
      const message = String.fromCharCode(...new Uint16Array(control.buffer, ERROR_BYTE_OFFSET + 4, length));
      Atomics.store(control, FAILED, 0);
      throw new BackendError(`a kernel worker failed (${message}); the result is incomplete`);
    }
  }

  /**
   * Called before each call the backend could split: takes the workers' signs of preemption,
   * tells the workers whether the cores count as contended (they then park as soon as a job is
   * done instead of polling for the next, which would take time from whatever else runs), and
   * returns it.
   */
  watchContention(): boolean {
    const control = this.control;
    const now = performance.now();
    const preemptions = Atomics.load(control, PREEMPTIONS);
    if (preemptions !== this.preemptionsSeen) {
      this.preemptionsSeen = preemptions;
      this.signOfPreemption(now);
    }
    const contended = now < this.contendedUntil;
    if (contended !== (Atomics.load(control, CONTENDED) === 1)) Atomics.store(control, CONTENDED, contended ? 1 : 0);
    return contended;
  }

  /** Counts a sign that a thread was descheduled; enough of them close together mark contention. */
  private signOfPreemption(now: number): void {
    const oldest = this.signs[this.signNext];
    this.signs[this.signNext] = now;
    this.signNext = (this.signNext + 1) % this.signs.length;
    if (now - oldest < SIGN_WINDOW_MS) this.markContended(now);
  }

  /** Marks the cores contended from this call on (see PREEMPTED_GAP_MS). */
  private markContended(now: number): void {
    // A sign during the period, or soon after it, means the load has lasted: double the period.
    const lasting = now < this.contendedUntil + this.contendedSpan;
    this.contendedSpan = lasting ? Math.min(CONTENDED_MAX_MS, this.contendedSpan * 2) : CONTENDED_MIN_MS;
    this.contendedUntil = now + this.contendedSpan;
    Atomics.store(this.control, CONTENDED, 1);
  }

  /** Waits until `chunks` chunks are done: polls briefly, then blocks where this thread may. */
  private waitForChunks(chunks: number): void {
    const control = this.control;
    let polls = 0;
    const deadline = performance.now() + CALLER_SPIN_MS;
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done >= chunks) return;
      if (this.mayBlock && ++polls % POLLS_PER_CLOCK_READ === 0 && performance.now() > deadline) {
        Atomics.store(control, WAITING, 1);
        Atomics.wait(control, DONE, done, 1);
        Atomics.store(control, WAITING, 0);
      }
    }
  }

  /**
   * Ends the workers but keeps the pool: later jobs run on the calling thread alone, as they do,
   * in effect, while the OS keeps every worker descheduled. For tests.
   */
  stopWorkers(): void {
    for (const worker of this.workers) worker.terminate();
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) worker.terminate();
  }
}
