// The program each pool worker runs, as source text: a worker started from a string needs no
// file of its own, so the same code starts under Node's worker_threads (`eval: true`) and in a
// browser (from a Blob URL), from the TypeScript sources under test and from `dist/` alike.
// It is plain ES2020 with no imports, and only this file knows its layout constants' values
// besides thread-pool.ts, which imports them from here.
//
// A job is one kernel over a range of units (elements, rows, or columns of C) cut into chunks.
// Nobody is given a share: every thread, the caller included, claims the next chunk from a shared
// ticket until none is left. A worker that is descheduled, or still waking from a park, simply
// claims nothing, and the caller runs its chunks itself instead of waiting for it. The bits do not
// change: a chunk's arithmetic depends only on its range, never on the thread that runs it.
//
// The ticket is one int32: the job's tag (its generation, modulo 2^TAG_BITS), the number of chunks
// the caller has taken from the bottom (`low`), and the count of chunks not yet claimed (`left`):
// the chunks still open are low … low + left − 1. The caller claims from the bottom (runs chunk
// `low`, then low + 1 …), the workers from the top (chunk low + left − 1): with two threads each
// keeps about the same half of every call's data from one call and step to the next, in its own
// core's caches (measured against claims from one end, one process, interleaved, both orders,
// three pairs of runs of bench/ab-step.ts with AB_THREADS=2: 784-256-128-10 b128 and LeNet b128
// 1–10 % faster a step, 784-256-128-10 b32 unchanged to 1.5 % slower: noise decides). A claim is
// a compare-exchange that succeeds only on the ticket it read, so every chunk is claimed once.
//
// A worker reads the job's description before its first claim. A successful claim proves the
// job was still open, so the caller had not begun to write the next one over it (it does so only
// after every chunk is done). A worker that stalled between reading one job and claiming for a
// multiple of 2^TAG_BITS jobs could find its tag on a later job's ticket: its claim on that job is
// real, so it re-reads the description, which is that job's until the chunk is done, whenever the
// generation has moved since it read it.

/** Int32 slots at the start of the control buffer. */
export const GENERATION = 0; // bumped once per job: idle workers wait for it to change
export const TICKET = 1; // (tag << CHUNK_BITS) | chunks not yet claimed
export const DONE = 2; // chunks finished (successfully or not) in the current job
export const STOP = 3; // 1 tells the workers to exit
export const FAILED = 4; // 1 when a chunk's kernel threw (its message is in the error text area)
export const PARKED = 5; // workers blocked in Atomics.wait on GENERATION (the caller notifies only then)
export const WAITING = 6; // 1 while the caller blocks in Atomics.wait on DONE (a worker then notifies)
export const CONTENDED = 7; // 1 while the caller takes the cores to be contended: workers then park at once
export const PREEMPTIONS = 8; // times a polling worker found it had been descheduled (the caller reads it)
/** Bits of the ticket's `left` and of its `low`: a job has at most 2^CHUNK_BITS − 1 chunks. */
export const CHUNK_BITS = 8;
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
/** What the caller's claim adds to the ticket: `low` + 1, `left` − 1. */
export const CLAIM_LOW = (1 << CHUNK_BITS) - 1;
/** Bits of the job tag, above `low` and `left`. */
export const TAG_SHIFT = 2 * CHUNK_BITS;
export const TAG_BITS = 31 - TAG_SHIFT;
/** Arguments a kernel job may take (the convolution layer kernels take 25). */
export const MAX_ARGS = 32;
/** Float64 slots of the job description: kernel, argument count, the count argument, units, units per chunk, the per-thread argument and its stride, then the arguments and their strides. */
export const JOB_HEADER_F64 = 8;
export const JOB_F64 = JOB_HEADER_F64 + 2 * MAX_ARGS;
/** Byte offset of the job description in the control buffer (after the int32 slots). */
export const JOB_BYTE_OFFSET = 64;
/** The first failing chunk's error message, as UTF-16 code units after a length (the caller throws it). */
export const ERROR_BYTE_OFFSET = JOB_BYTE_OFFSET + JOB_F64 * 8;
export const ERROR_CHARS = 512;
export const CONTROL_BYTES = ERROR_BYTE_OFFSET + 4 + ERROR_CHARS * 2;

/**
 * How long an idle worker keeps polling for the next job before it parks in `Atomics.wait`, in
 * milliseconds: long enough to span the short serial calls between two split ones of a step
 * (waking a parked worker takes tens of microseconds here), short enough not to take the other
 * core's time for long. Measured on whole steps (bench/train-main.ts, two runs each): 1 ms gave
 * the same idle speed-ups as 0.2 ms but 0.87–0.90× of one thread beside a busy process where
 * 0.2 ms gave 0.93–1.00× — a polling worker slows whatever else runs. While the cores are
 * contended (below), workers park as soon as a job is done.
 */
export const SPIN_MS = 0.2;
/** Polls between clock reads while spinning (a poll costs a few nanoseconds, a clock read more). */
export const POLLS_PER_CLOCK_READ = 64;
/**
 * A gap this long (ms) between two clock reads of a polling worker means it was descheduled: the
 * machine has more runnable threads than cores, and a polling worker takes time from the others
 * (the caller among them). Not shorter: an idle virtual machine interrupts every thread for 50 µs
 * to 0.5 ms a hundred or more times a second, but for over 2 ms only about once a second, where a
 * process keeping a core busy does so 80–90 times a second (`npx tsx bench/preemption-gaps.ts`: two threads
 * polling the clock for 5 s saw 2–10 gaps over 2 ms idle, 353–458 beside `node -e "for(;;){}"`).
 * At 0.05 ms the idle machine's interrupts alone marked the cores contended for seconds at a
 * time, and 784-256-128-10 at batch 32 ran at 0.73–0.98× of one thread instead of 1.6–1.75×. The caller likewise takes a wait for a worker's chunk this much
 * longer than its own chunks took as a sign. Several signs close together (thread-pool.ts) mark
 * the cores contended for CONTENDED_MIN_MS; signs within that period or soon after double it (up
 * to CONTENDED_MAX_MS). While the cores are contended, workers park as soon as a job is done, so
 * they take no time from the program that keeps the other core busy; whether a call is still
 * worth splitting then is measured (split-chooser.ts).
 */
export const PREEMPTED_GAP_MS = 1;
export const CONTENDED_MIN_MS = 200;
export const CONTENDED_MAX_MS = 5000;

export const KERNEL_WORKER_SOURCE = `
'use strict';
const GENERATION = ${GENERATION}, TICKET = ${TICKET}, DONE = ${DONE}, STOP = ${STOP}, FAILED = ${FAILED};
const PARKED = ${PARKED}, WAITING = ${WAITING};
const CHUNK_BITS = ${CHUNK_BITS}, CHUNK_MASK = ${MAX_CHUNKS}, TAG_SHIFT = ${TAG_SHIFT}, TAG_MASK = ${(1 << TAG_BITS) - 1};
const ERROR_BYTE_OFFSET = ${ERROR_BYTE_OFFSET}, ERROR_CHARS = ${ERROR_CHARS};
const MAX_ARGS = ${MAX_ARGS}, JOB_HEADER_F64 = ${JOB_HEADER_F64}, JOB_BYTE_OFFSET = ${JOB_BYTE_OFFSET}, JOB_F64 = ${JOB_F64};
const SPIN_MS = ${SPIN_MS}, POLLS_PER_CLOCK_READ = ${POLLS_PER_CLOCK_READ};
const PREEMPTED_GAP_MS = ${PREEMPTED_GAP_MS}, CONTENDED = ${CONTENDED}, PREEMPTIONS = ${PREEMPTIONS};
const inBrowser = typeof WorkerGlobalScope !== 'undefined';

function serve(port, setup) {
  const instance = new WebAssembly.Instance(setup.module, { env: { memory: setup.memory } });
  const kernels = setup.names.map((name) => instance.exports[name]);
  const control = new Int32Array(setup.control);
  const job = new Float64Array(setup.control, JOB_BYTE_OFFSET, JOB_F64);
  const me = setup.index;
  const base = new Float64Array(MAX_ARGS), stride = new Float64Array(MAX_ARGS);
  const call = [];
  let kernel, argCount, countArg, units, chunk;
  // Copies the job's description: what each chunk's call is made from.
  const readJob = () => {
    kernel = kernels[job[0]];
    argCount = job[1]; countArg = job[2]; units = job[3]; chunk = job[4];
    for (let i = 0; i < argCount; i++) {
      base[i] = job[JOB_HEADER_F64 + i];
      stride[i] = job[JOB_HEADER_F64 + MAX_ARGS + i];
    }
    if (job[5] >= 0) base[job[5]] += me * job[6];
    call.length = argCount;
  };
  // Read the generation before saying ready: the caller may launch a job as soon as the message
  // arrives, and a worker that read the count after that launch would wait for the next one.
  let seen = Atomics.load(control, GENERATION);
  port.postMessage('ready');
  for (;;) {
    let polls = 0;
    let last = performance.now();
    let deadline = Atomics.load(control, CONTENDED) === 1 ? 0 : last + SPIN_MS;
    let generation;
    while ((generation = Atomics.load(control, GENERATION)) === seen) {
      if (++polls % POLLS_PER_CLOCK_READ !== 0) continue;
      const now = performance.now();
      if (now - last > PREEMPTED_GAP_MS) {
        Atomics.add(control, PREEMPTIONS, 1);
        deadline = 0;
      }
      last = now;
      if (now > deadline) {
        Atomics.add(control, PARKED, 1);
        Atomics.wait(control, GENERATION, seen);
        Atomics.sub(control, PARKED, 1);
        last = performance.now();
        deadline = Atomics.load(control, CONTENDED) === 1 ? 0 : last + SPIN_MS;
      }
    }
    seen = generation;
    if (Atomics.load(control, STOP) === 1) return;
    const tag = generation & TAG_MASK;
    // The description may already be the next job's if this one is over; then no claim succeeds.
    readJob();
    for (;;) {
      const ticket = Atomics.load(control, TICKET);
      const left = ticket & CHUNK_MASK;
      if ((ticket >>> TAG_SHIFT) !== tag || left === 0) break;
      if (Atomics.compareExchange(control, TICKET, ticket, ticket - 1) !== ticket) continue;
      // A stale tag that matched (see above): the claim is on the job described now.
      if (Atomics.load(control, GENERATION) !== seen) readJob();
      const start = (((ticket >>> CHUNK_BITS) & CHUNK_MASK) + left - 1) * chunk;
      for (let i = 0; i < argCount; i++) call[i] = base[i] + start * stride[i];
      call[countArg] = Math.min(chunk, units - start);
      try {
        kernel.apply(null, call);
      } catch (error) {
        // The first failure's message goes to the caller, which throws it: nothing is printed.
        if (Atomics.compareExchange(control, FAILED, 0, 1) === 0) {
          const text = String(error && error.message ? error.message : error).slice(0, ERROR_CHARS);
          new Int32Array(setup.control, ERROR_BYTE_OFFSET, 1)[0] = text.length;
          const chars = new Uint16Array(setup.control, ERROR_BYTE_OFFSET + 4, ERROR_CHARS);
          for (let i = 0; i < text.length; i++) chars[i] = text.charCodeAt(i);
        }
      }
      Atomics.add(control, DONE, 1);
      if (Atomics.load(control, WAITING) === 1) Atomics.notify(control, DONE);
    }
  }
}

// import() rather than require: it works whether Node evaluates this as a script or a module.
if (inBrowser) self.onmessage = (event) => serve(self, event.data);
else import('node:worker_threads').then(({ parentPort }) => parentPort.once('message', (setup) => serve(parentPort, setup)));
`;
