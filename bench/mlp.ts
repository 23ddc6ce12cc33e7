// Forward + backward of the course's MLPs (784-16-16-10 and 784-256-128-10, ReLU, cross-entropy)
// in samples/s: wasm SIMD vs the js backend in one run, plus the heap check (bytes after step 1
// equal bytes after step 100).
//
// Unlike the kernel benchmarks, the two backends are not interleaved here: the whole library
// (Linear, the autograd engine) calls whichever backend is active, and running the js kernels
// through the same call sites first would leave V8's inline caches polymorphic and slow the wasm
// path down — a cost no real program pays, since it uses one backend. So every wasm measurement
// runs first, then every js one.

import { init, Sequential, Linear, ReLU, CrossEntropyLoss, tensor, manualSeed, type Tensor } from '../src/index.js';
import { requireHeap } from '../src/core/runtime.js';
import { compare, fmt, printTable, printTargets, writeResults, type TimingOptions } from './harness.js';

const NETS = [[784, 16, 16, 10], [784, 256, 128, 10]];
const BATCHES = [32, 128];

interface MlpRow { net: string; batch: number; samplesPerSecond: { wasm: number; js: number }; heapFlat: boolean; heapBytes: number }

function build(sizes: number[]): Sequential {
  manualSeed(0);
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.length) layers.push(new ReLU());
  }
  return new Sequential(layers);
}

/** One training step's forward and backward on a fixed batch; returns the timing and heap check. */
export function measure(sizes: number[], batch: number, timing: TimingOptions): { seconds: number; heapFlat: boolean; heapBytes: number } {
  const model = build(sizes);
  const lossFn = new CrossEntropyLoss();
  const x = tensor(Float32Array.from({ length: batch * sizes[0] }, (_, i) => ((i * 7919) % 255) / 255), [batch, sizes[0]]);
  const y = tensor(Array.from({ length: batch }, (_, i) => i % sizes[sizes.length - 1]));
  const step = () => {
    model.zeroGrad();
    const loss: Tensor = lossFn.forward(model.forward(x), y);
    loss.backward();
  };
  // The heap check: the first step allocates every buffer; the next 99 must allocate nothing.
  const heap = requireHeap();
  step();
  const after1 = heap.bytesInUse;
  for (let i = 0; i < 99; i++) step();
  const heapFlat = heap.bytesInUse === after1;
  // A step runs ~20 different kernels and the autograd engine: V8 needs a few hundred steps to
  // tier all of them up (measured: 100k samples/s at first, 340k after), more than the generic
  // warm-up gives.
  for (const end = performance.now() + 500; performance.now() < end;) step();
  const [seconds] = compare([step], timing);
  model.dispose(); lossFn.dispose(); x.dispose(); y.dispose();
  return { seconds, heapFlat, heapBytes: after1 };
}

export async function benchMlp(timing: TimingOptions): Promise<{ pass: boolean }> {
  const configs = NETS.flatMap((sizes) => BATCHES.map((batch) => ({ sizes, batch })));
  await init({ backend: 'wasm' });
  const wasm = configs.map(({ sizes, batch }) => measure(sizes, batch, timing));
  await init({ backend: 'js' });
  const js = configs.map(({ sizes, batch }) => measure(sizes, batch, timing));
  await init({ backend: 'wasm' });
  const rows: MlpRow[] = configs.map(({ sizes, batch }, i) => ({
    net: sizes.join('-'), batch, heapFlat: wasm[i].heapFlat && js[i].heapFlat, heapBytes: wasm[i].heapBytes,
    samplesPerSecond: { wasm: batch / wasm[i].seconds, js: batch / js[i].seconds },
  }));
  printTable(
    'MLP forward + backward (cross-entropy), samples/s, single thread',
    ['net', 'batch', 'wasm', 'js', 'wasm/js', 'heap flat (step 1 = step 100)'],
    rows.map((r) => [r.net, r.batch, fmt(r.samplesPerSecond.wasm, 0), fmt(r.samplesPerSecond.js, 0),
      `${fmt(r.samplesPerSecond.wasm / r.samplesPerSecond.js)}×`, r.heapFlat ? `yes (${r.heapBytes} B)` : 'NO']),
  );
  const pass = printTargets('MLP checks (issue #4)', rows.map((r) => ({
    what: `heap flat ${r.net} batch ${r.batch}`, measured: r.heapFlat ? 1 : 0, required: 1, unit: '',
  })));
  console.log(`\nwrote ${writeResults('mlp', { unit: 'samples/s', rows })}`);
  return { pass };
}
