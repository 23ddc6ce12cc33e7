// Two suspects for why a call left on the calling thread runs slower inside a two-thread step than
// inside a one-thread step (bench/lenet-threads-profile.ts), each timed alone on LeNet's Linear
// gemm (128×784 · 784×10), in one process, alternating:
//  1. a worker of the pool polling for its next job on the other core while the call runs;
//  2. the call's input written just before by a split call (half of it from the other core's cache).
// Run alone:  npx tsx bench/serial-beside-worker.ts
import { Worker } from 'node:worker_threads';
import { SplitChooser } from '../src/backend/split-chooser.js';
import { init, randn, zeros } from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { median } from './median.js';

// Suspect 2 needs `scale` split or not at will: the chooser's sites for it answer `forceScaleSplit`.
let forceScaleSplit = false;
const site = SplitChooser.prototype.site;
SplitChooser.prototype.site = function (this: SplitChooser, key: string) {
  const s = site.call(this, key);
  if (key.startsWith('scale ')) s.split = () => forceScaleSplit;
  if (key.startsWith('gemm ')) s.split = () => false;
  return s;
};

await init({ threads: 2 });
const k = requireBackend();
const [m, n, kk] = [128, 10, 784];
const source = randn([m, kk]), a = zeros([m, kk]), b = randn([kk, n]), c = zeros([m, n]);
const work = zeros([Math.ceil(k.gemmWorkspaceBytes(m, n, kk) / 4)]);
const gemm = () => k.gemm(0, 0, m, n, kk, 1, a.offset, kk, b.offset, n, 0, c.offset, n, work.offset);
const ROUNDS = 15, CALLS = 400;

// 1. A thread polling as a pool worker does (Atomics.load in a loop, a clock read every 64 polls).
const flag = new Int32Array(new SharedArrayBuffer(4));
const poller = new Worker(`const f = new Int32Array(require('node:worker_threads').workerData);
for (;;) { if (Atomics.load(f, 0) === 1) { let n = 0; while (Atomics.load(f, 0) === 1) if ((++n & 63) === 0) performance.now(); } else Atomics.wait(f, 0, 0, 50); }`,
{ eval: true, workerData: flag.buffer });
const quiet: number[] = [], polled: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const [on, into] of [[0, quiet], [1, polled]] as const) {
    Atomics.store(flag, 0, on);
    Atomics.notify(flag, 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) gemm();
    into.push((performance.now() - t0) / CALLS);
  }
}
Atomics.store(flag, 0, 0);
await poller.terminate();
console.log(`gemm ${m}×${kk}·${kk}×${n}: other core idle ${median(quiet).toFixed(4)} ms, other core polling ${median(polled).toFixed(4)} ms`);

// 2. The gemm's A written by `scale` on one thread, or split across two, right before it.
const afterSerial: number[] = [], afterSplit: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const [split, into] of [[false, afterSerial], [true, afterSplit]] as const) {
    forceScaleSplit = split;
    let total = 0;
    for (let i = 0; i < CALLS; i++) {
      k.scale(source.offset, a.offset, m * kk, 1 + (i & 1) / 1024);
      const t0 = performance.now();
      gemm();
      total += performance.now() - t0;
    }
    into.push(total / CALLS);
  }
}
console.log(`gemm ${m}×${kk}·${kk}×${n}: A written on this thread ${median(afterSerial).toFixed(4)} ms, A written split across two ${median(afterSplit).toFixed(4)} ms`);
for (const t of [source, a, b, c, work]) t.dispose();
