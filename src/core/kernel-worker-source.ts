// The program each pool worker runs, as source text: a worker started from a string needs no
// file of its own, so the same code starts under Node's worker_threads (`eval: true`) and in a
// browser (from a Blob URL), from the TypeScript sources under test and from `dist/` alike.
// It is plain ES2020 with no imports, and only this file knows its layout constants' values
// besides thread-pool.ts, which imports them from here.

/** Int32 slots at the start of the control buffer. */
export const GENERATION = 0; // bumped once per job: workers wait for it to change
export const PENDING = 1; // workers still running the current job
export const STOP = 2; // 1 tells the workers to exit
export const FAILED = 3; // 1 when a worker's kernel threw (the message goes to the console)
/** Float64 slots per thread: kernel index, argument count, then the arguments. */
export const SLOT_F64 = 24;
/** Byte offset of the float64 argument slots in the control buffer. */
export const ARGS_BYTE_OFFSET = 64;
/** The kernel index that tells a worker it has no share of this job. */
export const IDLE = -1;

/**
 * How long an idle thread keeps polling before it parks in `Atomics.wait`, in milliseconds.
 * Parking and waking costs tens of microseconds, more than many kernels take, so a worker that
 * finished a job keeps polling through the short gaps between the kernels of a step; but not much
 * longer, since a polling thread slows the caller's own work where two vCPUs share a core.
 */
export const SPIN_MS = 0.2;
/** Polls between clock reads while spinning (a poll costs a few nanoseconds, a clock read more). */
export const POLLS_PER_CLOCK_READ = 64;

export const KERNEL_WORKER_SOURCE = `
'use strict';
const GENERATION = ${GENERATION}, PENDING = ${PENDING}, STOP = ${STOP}, FAILED = ${FAILED};
const SLOT_F64 = ${SLOT_F64}, ARGS_BYTE_OFFSET = ${ARGS_BYTE_OFFSET}, IDLE = ${IDLE};
const SPIN_MS = ${SPIN_MS}, POLLS_PER_CLOCK_READ = ${POLLS_PER_CLOCK_READ};
const inBrowser = typeof WorkerGlobalScope !== 'undefined';

function serve(port, setup) {
  const instance = new WebAssembly.Instance(setup.module, { env: { memory: setup.memory } });
  const kernels = setup.names.map((name) => instance.exports[name]);
  const control = new Int32Array(setup.control);
  const args = new Float64Array(setup.control, ARGS_BYTE_OFFSET);
  const base = setup.index * SLOT_F64;
  const call = [];
  // Read the generation before saying ready: the caller may launch a job as soon as the message
  // arrives, and a worker that read the count after that launch would wait for the next one.
  let seen = Atomics.load(control, GENERATION);
  port.postMessage('ready');
  for (;;) {
    let polls = 0;
    let deadline = performance.now() + SPIN_MS;
    while (Atomics.load(control, GENERATION) === seen) {
      if (++polls % POLLS_PER_CLOCK_READ === 0 && performance.now() > deadline) {
        Atomics.wait(control, GENERATION, seen);
        deadline = performance.now() + SPIN_MS;
      }
    }
    seen = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) === 1) return;
    const kernel = args[base];
    if (kernel !== IDLE) {
      const count = args[base + 1];
      call.length = count;
      for (let i = 0; i < count; i++) call[i] = args[base + 2 + i];
      try {
        kernels[kernel].apply(null, call);
      } catch (error) {
        Atomics.store(control, FAILED, 1);
        console.error('descent kernel worker:', error);
      }
    }
    if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
  }
}

// import() rather than require: it works whether Node evaluates this as a script or a module.
if (inBrowser) self.onmessage = (event) => serve(self, event.data);
else import('node:worker_threads').then(({ parentPort }) => parentPort.once('message', (setup) => serve(parentPort, setup)));
`;
