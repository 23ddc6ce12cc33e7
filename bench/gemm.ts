// gemm GFLOP/s: Descent's wasm SIMD and scalar builds (and the opt-in relaxed FMA build where the
// host has relaxed SIMD) and its js backend against TensorFlow.js's wasm and cpu backends, in the
// three forms backprop uses, all single-threaded, in one run.

import { init, getBackend } from '../src/index.js';
import { requireBackend, requireHeap, gemmWorkspace } from '../src/core/runtime.js';
import type { Backend } from '../src/backend/backend.js';
import { compare, fmt, printTable, printTargets, writeResults, type Target, type TimingOptions } from './harness.js';
import { tf, useTf } from './tfjs.js';

interface Shape { label: string; m: number; k: number; n: number }
interface Form { name: 'NN' | 'NT' | 'TN'; transA: boolean; transB: boolean }

const SHAPES: Shape[] = [
  ...[64, 128, 256, 512, 1024].map((s) => ({ label: `${s}³`, m: s, k: s, n: s })),
  { label: '128×784·784×128', m: 128, k: 784, n: 128 },
  { label: '128×128·128×10', m: 128, k: 128, n: 10 },
  { label: '32×784·784×16', m: 32, k: 784, n: 16 },
];
const FORMS: Form[] = [
  { name: 'NN', transA: false, transB: false },
  { name: 'NT', transA: false, transB: true },
  { name: 'TN', transA: true, transB: false },
];
const IMPLS = ['wasm-simd', 'wasm-relaxed', 'wasm-scalar', 'js', 'tfjs-wasm', 'tfjs-cpu'] as const;
type Impl = (typeof IMPLS)[number];

export interface GemmRow { shape: string; m: number; k: number; n: number; form: string; gflops: Record<Impl, number | null> }

/** Fills a heap block with values in [-0.5, 0.5) from a small LCG (inputs only; any values do). */
export function fillInputs(offset: number, count: number, seed: number): void {
  const view = requireHeap().f32(offset, count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    view[i] = (s >>> 8) / 16777216 - 0.5;
  }
}

export async function benchGemm(timing: TimingOptions, quick: boolean): Promise<{ rows: GemmRow[]; pass: boolean }> {
  await init({ backend: 'wasm', build: 'simd' });
  const simd = requireBackend();
  await init({ backend: 'wasm', build: 'scalar' });
  const scalar = requireBackend();
  // The opt-in FMA build, where the host has relaxed SIMD (Node 20: npm run bench passes the flag).
  const relaxed = getBackend().relaxedSimdSupported ? (await init({ build: 'relaxed' }), requireBackend()) : null;
  await init({ backend: 'js' });
  const js = requireBackend();
  const heap = requireHeap();

  const rows: GemmRow[] = [];
  for (const shape of SHAPES) {
    const { m, k, n } = shape;
    const flops = 2 * m * n * k;
    const a = heap.alloc(m * k * 4), b = heap.alloc(k * n * 4), c = heap.alloc(m * n * 4);
    const work = gemmWorkspace(Math.max(simd.gemmWorkspaceBytes(m, n, k), scalar.gemmWorkspaceBytes(m, n, k)));
    fillInputs(a, m * k, 1);
    fillInputs(b, k * n, 2);
    const aData = heap.f32(a, m * k).slice(), bData = heap.f32(b, k * n).slice();
    const skipSlow = quick && m * n * k > 256 ** 3; // plain JS at 512³+ takes seconds a call

    for (const form of FORMS) {
      const lda = form.transA ? m : k, ldb = form.transB ? k : n;
      const ours = (be: Backend) => () =>
        be.gemm(+form.transA, +form.transB, m, n, k, 1, a, lda, b, ldb, 0, c, n, work);
      const tfCall = () => {
        const ta = tf.tensor2d(aData, form.transA ? [k, m] : [m, k]);
        const tb = tf.tensor2d(bData, form.transB ? [n, k] : [k, n]);
        return { call: () => tf.matMul(ta, tb, form.transA, form.transB).dispose(), dispose: () => { ta.dispose(); tb.dispose(); } };
      };

      // Round one: our three kernels and TensorFlow.js-wasm, interleaved.
      await useTf('wasm');
      const tw = tfCall();
      const fns = [ours(simd), ours(scalar), tw.call, ...(relaxed ? [ours(relaxed)] : []), ...(skipSlow ? [] : [ours(js)])];
      const t1 = compare(fns, timing);
      tw.dispose();
      const [tSimd, tScalar, tTfWasm] = t1;
      const tRelaxed = relaxed ? t1[3] : null;
      const tJs = skipSlow ? null : t1[t1.length - 1];

      // Round two: TensorFlow.js-cpu (its tensors live on its own backend).
      let tTfCpu: number | null = null;
      if (!skipSlow) {
        await useTf('cpu');
        const tc = tfCall();
        tTfCpu = compare([tc.call], timing)[0];
        tc.dispose();
      }
      const g = (t: number | null) => (t === null ? null : flops / t / 1e9);
      rows.push({
        shape: shape.label, m, k, n, form: form.name,
        gflops: {
          'wasm-simd': g(tSimd), 'wasm-relaxed': g(tRelaxed), 'wasm-scalar': g(tScalar), js: g(tJs),
          'tfjs-wasm': g(tTfWasm), 'tfjs-cpu': g(tTfCpu),
        },
      });
      const r = rows[rows.length - 1].gflops;
      process.stderr.write(`  ${shape.label} ${form.name}: simd ${fmt(r['wasm-simd'])} GFLOP/s\n`);
    }
    for (const block of [a, b, c]) heap.free(block);
  }

  printTable(
    'gemm, GFLOP/s (single thread; median of samples taken round-robin)',
    ['shape (m×k·k×n)', 'form', ...IMPLS, 'simd/js', 'simd/tfjs-wasm', 'relaxed/tfjs-wasm'],
    rows.map((r) => [
      r.shape, r.form, ...IMPLS.map((i) => fmt(r.gflops[i])),
      r.gflops.js ? `${fmt(r.gflops['wasm-simd']! / r.gflops.js)}×` : '—',
      `${fmt(r.gflops['wasm-simd']! / r.gflops['tfjs-wasm']!, 2)}×`,
      r.gflops['wasm-relaxed'] ? `${fmt(r.gflops['wasm-relaxed'] / r.gflops['tfjs-wasm']!, 2)}×` : '—',
    ]),
  );

  const pass = printTargets('gemm targets (issues #3, #12)', gemmTargets(rows));
  const file = writeResults('gemm', { unit: 'GFLOP/s', quick, rows });
  console.log(`\nwrote ${file}`);
  return { rows, pass };
}

function gemmTargets(rows: GemmRow[]): Target[] {
  const at = (label: string, form: string) => rows.find((r) => r.shape === label && r.form === form)!.gflops;
  const targets: Target[] = [];
  // Issue #12: 44 GFLOP/s deterministic and 50 with FMA at 256³ and 128×784·784×128 (57.6 is the
  // 128-bit peak of one core here); the other floors are issue #3's.
  const floors: [string, number, number | null][] = [
    ['256³', 44, 50], ['512³', 35, null], ['128×784·784×128', 44, 50], ['128×128·128×10', 15, null], ['32×784·784×16', 22, null],
  ];
  for (const [label, floor, fmaFloor] of floors) {
    for (const form of FORMS) {
      const r = at(label, form.name);
      targets.push({ what: `simd ${form.name} ${label}`, measured: r['wasm-simd']!, required: floor, unit: 'GFLOP/s' });
      if (fmaFloor !== null && r['wasm-relaxed'] !== null) {
        targets.push({ what: `relaxed ${form.name} ${label}`, measured: r['wasm-relaxed'], required: fmaFloor, unit: 'GFLOP/s' });
      }
    }
  }
  for (const form of FORMS) {
    const r = at('256³', form.name);
    const vsTf = form.name === 'NN' ? 1.1 : 10;
    targets.push({ what: `simd/tfjs-wasm ${form.name} 256³`, measured: r['wasm-simd']! / r['tfjs-wasm']!, required: vsTf, unit: '×' });
    if (r.js) targets.push({ what: `simd/js ${form.name} 256³`, measured: r['wasm-simd']! / r.js, required: 20, unit: '×' });
  }
  targets.push({ what: 'scalar NN 256³', measured: at('256³', 'NN')['wasm-scalar']!, required: 3, unit: 'GFLOP/s' });
  return targets;
}
