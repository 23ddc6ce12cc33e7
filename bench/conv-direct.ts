// LeNet's first convolution (1→8, 3×3, padding 1, 28×28, batch 32) by the direct kernels against
// im2col + gemm (+ the epilogue): ms per call, medians of 7 rounds. Run under the CPU lock:
//   flock /tmp/descent-cpu.lock npx tsx bench/conv-direct.ts
import { init, tensor } from '../src/index.js';
import { gemmWorkspace, requireBackend } from '../src/core/runtime.js';
import { Act } from '../src/backend/backend.js';

await init({ build: 'simd' });
const k = requireBackend();
const n = 32, c = 1, h = 28, w = 28, cout = 8, kk = 9, l = 784;
const rand = (size: number) => tensor(Float32Array.from({ length: size }, () => Math.random() - 0.5), [size]);
const x = rand(n * c * h * w), wt = rand(cout * kk), b = rand(cout), z = rand(n * cout * l), y = rand(n * cout * l);
const dz = rand(n * cout * l), partial = rand(4 * cout * kk);
const work = gemmWorkspace(1 << 20);
const window = [c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28] as const;
const direct = [c, h, w, 3, 3, 1, 1, 1, 1, 28, 28, cout] as const;
const cases: Record<string, () => void> = {
  'im2col+gemm forward + epilogue': () => {
    k.convForward(x.offset, z.offset, c * h * w, cout * l, n, ...window, 1, cout, wt.offset, 0, work, 1 << 20);
    k.channelBiasActivation(z.offset, n, cout, l, b.offset, Act.relu, 0, y.offset, cout * l);
  },
  'direct forward (fused epilogue)': () => k.convDirectForward(x.offset, z.offset, y.offset, c * h * w, cout * l, n, ...direct, wt.offset, b.offset, Act.relu, 0, work, 1 << 20),
  'gemm weight grad': () => k.convWeightGrad(x.offset, dz.offset, partial.offset, 8 * c * h * w, 8 * cout * l, cout * kk, 4, cout * 8 * l, ...window, cout, 0, c * h * w, cout * l, 8, work, 1 << 20),
  'direct weight grad': () => k.convDirectWeightGrad(x.offset, dz.offset, partial.offset, 8 * c * h * w, 8 * cout * l, cout * kk, 4, cout * 8 * l, ...direct, c * h * w, cout * l, 8, work, 1 << 20),
};
const times: Record<string, number[]> = {};
for (let round = 0; round < 7; round++) {
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < 20; i++) fn();
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) fn();
    (times[name] ??= []).push((performance.now() - t0) / 200);
  }
}
for (const [name, t] of Object.entries(times)) console.log(`${name.padEnd(34)} ${t.sort((a, b) => a - b)[3].toFixed(3)} ms`);
