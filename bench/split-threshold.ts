// Where splitting a call across 2 threads starts to pay: the measurement behind the thresholds in
// src/backend/parallel.ts (MIN_PARALLEL_MACS, MIN_PARALLEL_ELEMENTS). For gemm shapes of the
// training steps and for an optimizer update over growing sizes, it times the call on 1 thread and
// split on 2, interleaved, each call followed by a short serial kernel as in a training step (so the
// worker is in the state a step leaves it in), and prints the speed-up per size.
//   npx tsx bench/split-threshold.ts        (run it on a quiet machine)

import { init } from '../src/index.js';
import { requireBackend, requireHeap, gemmWorkspace } from '../src/core/runtime.js';
import type { Backend } from '../src/backend/backend.js';
import { compare, fmt, printTable, QUICK } from './harness.js';

await init({ threads: 2 });
const two = requireBackend();
await init({ threads: 1 });
const one = requireBackend();
const heap = requireHeap();
const big = 1 << 22;
const a = heap.alloc(big * 4), b = heap.alloc(big * 4), c = heap.alloc(big * 4), d = heap.alloc(big * 4), e = heap.alloc(big * 4);
one.fill(a, big, 0.5); one.fill(b, big, 0.25); one.fill(c, big, 0); one.fill(d, big, 0); one.fill(e, big, 0);
const work = gemmWorkspace(two.gemmWorkspaceBytes(1024, 1024, 1024));
/** A serial kernel of a few microseconds between the measured calls, as the small kernels of a step. */
const serial = (k: Backend) => k.activationForward(1, 0, e, e, 2048);
const timing = { ...QUICK, samples: 7 };

const gemmRows = [];
for (const [m, n, k] of [[32, 16, 784], [32, 32, 784], [32, 64, 784], [128, 16, 784], [32, 128, 784], [32, 256, 784], [128, 64, 784], [128, 128, 784], [128, 256, 784], [256, 256, 256]]) {
  const run = (kern: Backend) => () => { kern.gemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n, work); serial(kern); };
  const [t1, t2] = compare([run(one), run(two)], timing);
  gemmRows.push([`${m}×${k}·${k}×${n}`, (m * n * k / 1e6).toFixed(2), fmt(t1 * 1e6), fmt(t2 * 1e6), `${fmt(t1 / t2, 2)}×`]);
}
printTable('gemm NN (+ a 2,048-element ReLU), µs per call: 1 thread vs split on 2', ['shape', 'M MACs', '1 thread', '2 threads', 'speed-up'], gemmRows);

const updateRows = [];
for (const n of [1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20]) {
  const run = (kern: Backend) => () => { kern.adamUpdate(a, b, c, d, 0, n, 1e-9, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1, 0, 0); serial(kern); };
  const [t1, t2] = compare([run(one), run(two)], timing);
  updateRows.push([n.toLocaleString('en-US'), fmt(t1 * 1e6), fmt(t2 * 1e6), `${fmt(t1 / t2, 2)}×`]);
}
printTable('Adam update (+ a 2,048-element ReLU), µs per call: 1 thread vs split on 2', ['elements', '1 thread', '2 threads', 'speed-up'], updateRows);
process.exit(0);
