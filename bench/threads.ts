// The threads build on 1 thread and on every core, in one run: optimizer steps on a 1M-element
// parameter (against TensorFlow.js-wasm, which cannot use threads in Node: its flag
// WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false there, tfjs#3830), gemm, and MLP training
// steps. This section runs in a process of its own (bench/threads-main.ts): threads need the heap
// created shared by the program's first init, while the other sections measure the unshared
// builds that single-threaded programs load.

import { init, getBackend, Parameter } from '../src/index.js';
import { requireBackend, requireHeap, gemmWorkspace } from '../src/core/runtime.js';
import { hardwareThreads, setBackendForBenchmark } from '../src/backend/init.js';
import type { Backend } from '../src/backend/backend.js';
import { compare, fmt, printTable, printTargets, writeResults, type Target, type TimingOptions } from './harness.js';
import { CASES, N, fillNonZero, tfStep } from './optim.js';
import { fillInputs } from './gemm.js';
import { measure } from './mlp.js';
import { useTf } from './tfjs.js';

const GEMM_SHAPES = [
  { label: '256³', m: 256, k: 256, n: 256 },
  { label: '512³', m: 512, k: 512, n: 512 },
  { label: '1024³', m: 1024, k: 1024, n: 1024 },
  { label: '128×784·784×128', m: 128, k: 784, n: 128 },
  { label: '128×784·784×16', m: 128, k: 784, n: 16 },
];
const GEMM_FORMS = [
  { name: 'NN', transA: false, transB: false },
  { name: 'NT', transA: false, transB: true },
  { name: 'TN', transA: true, transB: false },
];
const NETS = [
  { sizes: [784, 256, 128, 10], batch: 128 },
  { sizes: [784, 256, 128, 10], batch: 32 },
  { sizes: [784, 16, 16, 10], batch: 128 },
];

export async function benchThreads(timing: TimingOptions): Promise<{ pass: boolean }> {
  const threads = Math.max(2, await hardwareThreads());
  await init({ threads });
  const many = requireBackend();
  // The FMA twin on every core, where the host has relaxed SIMD (gemm only).
  const manyRelaxed = getBackend().relaxedSimdSupported ? (await init({ build: 'relaxed', threads }), requireBackend()) : null;
  await init({ threads: 1 });
  const one = requireBackend();
  const label = `×${threads}`;
  const targets: Target[] = [];

  // Optimizer steps: the same optimizer object with the kernels switched, TF.js interleaved.
  const optimRows = [];
  for (const c of CASES.filter((x) => x.tf)) {
    const p = new Parameter(null, [N]);
    fillNonZero(p.data, 1);
    fillNonZero(p.grad.data, 2);
    const optimizer = c.make(p);
    optimizer.step();
    const ours = (backend: Backend) => () => {
      setBackendForBenchmark(backend);
      optimizer.step();
    };
    await useTf('wasm');
    const t = tfStep(c.tf!, p.toArray(), p.grad.toArray(), `w_threads_${optimRows.length}`);
    const [t1, tn, tf] = compare([ours(one), ours(many), t.call], timing);
    t.dispose();
    setBackendForBenchmark(one);
    optimizer.dispose();
    p.dispose();
    const row = { optimizer: c.name, one: N / t1 / 1e6, many: N / tn / 1e6, tfjsWasm: N / tf / 1e6 };
    optimRows.push(row);
    targets.push({ what: `${c.name} wasm ${label}/tfjs-wasm`, measured: row.many / row.tfjsWasm, required: 4, unit: '×' });
    process.stderr.write(`  ${c.name}: ${fmt(row.one, 0)} → ${fmt(row.many, 0)} M elements/s\n`);
  }
  printTable(
    `optimizer step on ${threads} threads, M elements/s on a ${N.toLocaleString('en-US')}-element parameter (TF.js-wasm: one thread, its only choice in Node)`,
    ['optimizer', 'wasm ×1', `wasm ${label}`, 'tfjs-wasm', `${label}/×1`, `${label}/tfjs-wasm`, '×1/tfjs-wasm'],
    optimRows.map((r) => [
      r.optimizer, fmt(r.one, 0), fmt(r.many, 0), fmt(r.tfjsWasm, 0),
      `${fmt(r.many / r.one, 2)}×`, `${fmt(r.many / r.tfjsWasm)}×`, `${fmt(r.one / r.tfjsWasm)}×`,
    ]),
  );

  // gemm: one band per thread; the result must not change by a bit.
  const heap = requireHeap();
  const gemmRows = [];
  for (const shape of GEMM_SHAPES) {
    const { m, k, n } = shape;
    const a = heap.alloc(m * k * 4), b = heap.alloc(k * n * 4), c = heap.alloc(m * n * 4);
    const work = gemmWorkspace(Math.max(one.gemmWorkspaceBytes(m, n, k), many.gemmWorkspaceBytes(m, n, k)));
    fillInputs(a, m * k, 1);
    fillInputs(b, k * n, 2);
    for (const form of GEMM_FORMS) {
      const lda = form.transA ? m : k, ldb = form.transB ? k : n;
      const run = (backend: Backend) => () => backend.gemm(+form.transA, +form.transB, m, n, k, 1, a, lda, b, ldb, 0, c, n, work);
      run(one)();
      const want = heap.f32(c, m * n).slice();
      run(many)();
      const identical = heap.f32(c, m * n).every((x, i) => Object.is(x, want[i]));
      const [t1, tn, tr] = compare([run(one), run(many), ...(manyRelaxed ? [run(manyRelaxed)] : [])], timing);
      const flops = 2 * m * n * k;
      gemmRows.push({
        shape: shape.label, form: form.name, one: flops / t1 / 1e9, many: flops / tn / 1e9,
        relaxedMany: tr === undefined ? null : flops / tr / 1e9, identical,
      });
      targets.push({ what: `gemm ${shape.label} ${form.name}: ${label} bit-identical to ×1`, measured: identical ? 1 : 0, required: 1, unit: '' });
    }
    for (const x of [a, b, c]) heap.free(x);
  }
  printTable(
    `gemm on ${threads} threads, GFLOP/s`,
    ['shape', 'form', 'wasm ×1', `wasm ${label}`, `${label}/×1`, `relaxed ${label}`, 'bit-identical'],
    gemmRows.map((r) => [
      r.shape, r.form, fmt(r.one), fmt(r.many), `${fmt(r.many / r.one, 2)}×`, fmt(r.relaxedMany), r.identical ? 'yes' : 'NO',
    ]),
  );

  // Whole training steps (forward + backward; the optimizer is measured above).
  const mlpRows = [];
  for (const { sizes, batch } of NETS) {
    setBackendForBenchmark(one);
    const single = measure(sizes, batch, timing);
    setBackendForBenchmark(many);
    const multi = measure(sizes, batch, timing);
    setBackendForBenchmark(one);
    mlpRows.push({ net: sizes.join('-'), batch, one: batch / single.seconds, many: batch / multi.seconds, heapFlat: single.heapFlat && multi.heapFlat });
  }
  printTable(
    `MLP forward + backward on ${threads} threads, samples/s`,
    ['net', 'batch', 'wasm ×1', `wasm ${label}`, `${label}/×1`, 'heap flat'],
    mlpRows.map((r) => [r.net, r.batch, fmt(r.one, 0), fmt(r.many, 0), `${fmt(r.many / r.one, 2)}×`, r.heapFlat ? 'yes' : 'NO']),
  );

  const pass = printTargets(`threads targets (issue #5's ≥ 4× TF.js-wasm, on ${threads} threads)`, targets);
  console.log(`\nwrote ${writeResults('threads', { threads, optimizer: optimRows, gemm: gemmRows, mlp: mlpRows })}`);
  return { pass };
}
