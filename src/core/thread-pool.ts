import { BackendError } from './errors.js';
import {
  ARGS_BYTE_OFFSET, FAILED, GENERATION, IDLE, KERNEL_WORKER_SOURCE, PENDING, POLLS_PER_CLOCK_READ, SLOT_F64, SPIN_MS, STOP,
} from './kernel-worker-source.js';

// A pool of workers that run shares of one kernel call on the shared heap, with the calling
// thread as share 0. Jobs are handed over through a small SharedArrayBuffer: the caller writes
// each worker's kernel and arguments into its slot, sets PENDING to the worker count and bumps
// GENERATION; each worker runs its share and decrements PENDING; the caller runs share 0 and
// waits for PENDING to reach 0. One job at a time, always from the thread that owns the pool.

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
  const { Worker: NodeWorker } = await import(/* @vite-ignore */ 'node:worker_threads');
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

export class ThreadPool {
  /** Threads that run a job: the workers plus the calling thread. */
  readonly size: number;
  private readonly control: Int32Array;
  /** Per-thread argument slots (slot 0, the caller's, is unused). */
  private readonly args: Float64Array;
  private readonly mayBlock = callerMayBlock();
  private disposed = false;

  private constructor(
    private readonly workers: WorkerHandle[],
    buffer: SharedArrayBuffer,
  ) {
    this.size = workers.length + 1;
    this.control = new Int32Array(buffer, 0, ARGS_BYTE_OFFSET / 4);
    this.args = new Float64Array(buffer, ARGS_BYTE_OFFSET, this.size * SLOT_F64);
  }

  /**
   * Starts `threads − 1` workers, each with its own instance of `module` over the shared
   * `memory`. `names` lists the exports jobs may run, by index.
   */
  static async start(
    threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[],
  ): Promise<ThreadPool> {
    const buffer = new SharedArrayBuffer(ARGS_BYTE_OFFSET + threads * SLOT_F64 * 8);
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

  /** Gives thread `thread` (1 ≤ thread < size) kernel `kernel` with `args` for the next job. */
  assign(thread: number, kernel: number, args: ArrayLike<number>): void {
    const base = thread * SLOT_F64;
    if (args.length > SLOT_F64 - 2) throw new BackendError(`a kernel job takes at most ${SLOT_F64 - 2} arguments`);
    this.args[base] = kernel;
    this.args[base + 1] = args.length;
    for (let i = 0; i < args.length; i++) this.args[base + 2 + i] = args[i];
  }

  /** Gives thread `thread` nothing to do in the next job. */
  idle(thread: number): void {
    this.args[thread * SLOT_F64] = IDLE;
  }

  /** Starts the job assigned to threads 1…size−1; the caller runs share 0, then calls `join`. */
  launch(): void {
    if (this.disposed) throw new BackendError('the thread pool was shut down');
    Atomics.store(this.control, PENDING, this.workers.length);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }

  /** Waits until every worker has finished its share of the job started by `launch`. */
  join(): void {
    let polls = 0;
    let deadline = performance.now() + SPIN_MS;
    for (;;) {
      const pending = Atomics.load(this.control, PENDING);
      if (pending === 0) break;
      if (this.mayBlock && ++polls % POLLS_PER_CLOCK_READ === 0 && performance.now() > deadline) {
        Atomics.wait(this.control, PENDING, pending);
        deadline = performance.now() + SPIN_MS;
      }
    }
    if (Atomics.load(this.control, FAILED) === 1) {
      Atomics.store(this.control, FAILED, 0);
      throw new BackendError('a kernel worker failed (its error is on the console); the result is incomplete');
    }
  }

  /**
   * Runs one job over `extent` units in shares of `share`: `assignShare(thread, start, length)`
   * must `assign` worker `thread` its units (workers past the end are left idle), then the caller
   * runs units [0, share) with `ownShare` and waits for the workers.
   */
  split(
    extent: number, share: number,
    assignShare: (thread: number, start: number, length: number) => void, ownShare: () => void,
  ): void {
    for (let t = 1; t < this.size; t++) {
      const start = t * share;
      const length = Math.min(share, extent - start);
      if (length > 0) assignShare(t, start, length);
      else this.idle(t);
    }
    this.launch();
    try {
      ownShare();
    } finally {
      this.join();
    }
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
