// Forward + backward of the course's MLPs (784-16-16-10 and 784-256-128-10, ReLU, cross-entropy)
// in samples/s: wasm SIMD vs the js backend in one run, plus the heap check (bytes after step 1
// equal bytes after step 100).

import { init, Sequential, Linear, ReLU, CrossEntropyLoss, tensor, manualSeed, type Tensor } from '../src/index.js';
import { requireBackend, requireHeap, setBackendForBenchmark } from '../src/core/runtime.js';
import type { Backend } from '../src/backend/backend.js';
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

export async function benchMlp(timing: TimingOptions): Promise<{ pass: boolean }> {
  const rows: MlpRow[] = [];
  for (const sizes of NETS) {
    for (const batch of BATCHES) {
      await init({ backend: 'wasm' });
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

      // Both backends run the same model on the same heap; switching swaps the kernels only.
      await init({ backend: 'js' });
      const jsBackend = requireBackend();
      await init({ backend: 'wasm' });
      const wasmBackend = requireBackend();
      const withBackend = (target: Backend) => () => {
        setBackendForBenchmark(target);
        step();
      };
      const [tWasm, tJs] = compare([withBackend(wasmBackend), withBackend(jsBackend)], timing);
      setBackendForBenchmark(wasmBackend);
      rows.push({
        net: sizes.join('-'), batch, heapFlat, heapBytes: after1,
        samplesPerSecond: { wasm: batch / tWasm, js: batch / tJs },
      });
      process.stderr.write(`  mlp ${sizes.join('-')} batch ${batch}: wasm ${fmt(batch / tWasm, 0)} samples/s\n`);
      model.dispose(); lossFn.dispose(); x.dispose(); y.dispose();
    }
  }
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
