// A/B of two builds' conv2 and gemm kernels in one process: each checkout's build/descent-simd.wasm
// instantiated on its own memory with the same inputs, the calls interleaved A, B, A, B, … so both
// see the same machine load (whole steps: bench/ab-step.ts). µs per call, medians.
//   flock /tmp/descent-cpu.lock npx tsx bench/ab-kernels.ts <checkoutA> <checkoutB> [rounds]
import { readFileSync } from 'node:fs';

const [dirA, dirB, roundsArg = '15'] = process.argv.slice(2);
const rounds = Number(roundsArg);
type Kernels = Record<string, (...args: number[]) => number>;

function load(dir: string): Kernels {
  const memory = new WebAssembly.Memory({ initial: 4096 });
  const module = new WebAssembly.Module(readFileSync(`${dir}/build/descent-simd.wasm`));
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
  new Float32Array(memory.buffer, 1 << 20, (200 << 20) / 4).forEach((_, i, f) => { f[i] = Math.sin(i * 0.37); });
  return k;
}

// LeNet's conv2 (8→16, 3×3, padding 1, 14×14) at batch 32, then gemm shapes of the MLPs.
const n = 32, c = 8, h = 14, w = 14, cout = 16, kk = 72, l = 196;
const MB = 1 << 20;
const X = MB, COL = 4 * MB, Z = 12 * MB, DZ = 14 * MB, DX = 16 * MB, WT = 18 * MB, PART = 19 * MB, WORK = 20 * MB, WORKB = 1 << 20;
const geometry = [c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14, 1, cout];
const gemmCase = (m: number, nn: number, kd: number, ta = 0, tb = 0) => (k: Kernels) =>
  k.gemm(ta, tb, m, nn, kd, 1, 40 * MB, ta ? m : kd, 60 * MB, tb ? kd : nn, 0, 80 * MB, nn, WORK);
const cases: Record<string, (k: Kernels) => unknown> = {
  'conv2 forward b32': (k) => k.convForward(X, COL, Z, c * h * w, kk * l, cout * l, n, ...geometry, WT, WORK, WORKB),
  'conv2 input grad b32': (k) => k.convInputGrad(DZ, DX, cout * l, c * h * w, n, ...geometry, WT, 0, WORK, WORKB),
  'conv2 weight grad b32': (k) => k.convWeightGrad(DZ, COL, PART, 8 * cout * l, 8 * kk * l, cout * kk, 4, cout * 8 * l, cout, kk, l, cout * l, kk * l, 8, WORK, WORKB),
  'conv2 ig gemm ×32': (k) => { for (let s = 0; s < n; s++) k.gemm(1, 0, kk, l, cout, 1, WT, kk, DZ + s * cout * l * 4, l, 0, 30 * MB, l, WORK); },
  'conv2 ig col2im ×32': (k) => { for (let s = 0; s < n; s++) k.col2im(30 * MB, c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14, DX + s * c * h * w * 4); },
  'conv2 fwd im2col ×32': (k) => { for (let s = 0; s < n; s++) k.im2col(X + s * c * h * w * 4, c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14, COL + s * kk * l * 4); },
  'conv2 fwd gemm ×32': (k) => { for (let s = 0; s < n; s++) k.gemm(0, 0, cout, l, kk, 1, WT, kk, COL + s * kk * l * 4, l, 0, Z + s * cout * l * 4, l, WORK); },
  'gemm 32×16×784': gemmCase(32, 16, 784),
  'gemm 128×256×784': gemmCase(128, 256, 784),
  'gemm 256×784×128 (TN)': gemmCase(256, 784, 128, 1, 0),
  'gemm 128×784×256 (NT)': gemmCase(128, 784, 256, 0, 1),
};
const builds = [load(dirA), load(dirB)];
for (const [name, run] of Object.entries(cases)) {
  const times: number[][] = [[], []];
  const timeOne = (k: Kernels, reps: number) => {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run(k);
    return ((performance.now() - t0) / reps) * 1e3;
  };
  for (const k of builds) timeOne(k, 30);
  const reps = Math.max(5, Math.round(20_000 / timeOne(builds[0], 5)));
  for (let r = 0; r < rounds; r++) builds.forEach((k, i) => times[i].push(timeOne(k, reps)));
  const [a, b] = times.map((t) => t.sort((p, q) => p - q)[t.length >> 1]);
  console.log(`${name.padEnd(26)} A ${a.toFixed(1).padStart(8)} µs  B ${b.toFixed(1).padStart(8)} µs  B/A ${(b / a).toFixed(3)}`);
}
