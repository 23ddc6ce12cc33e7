// Before/after for a change to the optimizer kernels: the fused update kernels of two or more wasm
// builds timed in one process, alternating build by build on the same data, so the load of a
// shared machine falls on each alike (separate `npm run bench -- --only optim` runs of two trees
// swing by 10–40% on the memory-bound kernels). Build the old kernels in a worktree:
//
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npx asc assembly/index.ts --target simd)
//   npx tsx bench/optim-ab.ts before=/tmp/before/build/descent-simd.wasm after=build/descent-simd.wasm
//
// The kernels are called raw, with the arguments the optimizers pass (the argument lists must be
// the same in every build), on 1 M elements in ±[0.1, 1) (no subnormals). Prints M elements/s and
// the last build over the first.

import { readFileSync } from 'node:fs';
import { fillNonZero } from './optim.js';
import { median } from './harness.js';

type Kernel = (...args: number[]) => number | void;
interface Build { name: string; k: Record<string, Kernel>; p: number; g: number; a: number; b: number; c: number; zero: number; sub: number; sq: number; deadP: number }

const N = 1 << 20, BYTES = N * 4;
const ROUNDS = Number(process.env.ROUNDS ?? 15), REPS = 20;

async function load(name: string, path: string): Promise<Build> {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((10 * BYTES) / 65536) + 2 });
  const { instance } = await WebAssembly.instantiate(readFileSync(path), { env: { memory } });
  const k = instance.exports as unknown as Record<string, Kernel>;
  const base = ((k.heapBase() as number) + 63) & ~63;
  fillNonZero(new Float32Array(memory.buffer, base, 5 * N), 12345);
  // The state streams a, b, c positive: second moments and accumulators are, and a negative one
  // would turn p into NaNs within a few calls (and every later case would time NaN arithmetic).
  const state = new Float32Array(memory.buffer, base + 2 * BYTES, 3 * N);
  for (let i = 0; i < state.length; i++) state[i] = Math.abs(state[i]);
  // Dead units: zero gradients, first moments decayed into the subnormals (k·2^-149, most of them
  // stuck at k ≤ 4 after the warm-up), positive second moments, and parameters of their own.
  const sub = new Float32Array(memory.buffer, base + 6 * BYTES, N), sq = new Float32Array(memory.buffer, base + 7 * BYTES, N);
  for (let i = 0; i < N; i++) {
    sub[i] = (i % 2 ? -1 : 1) * (1 + (i % 4000)) * 2 ** -149;
    sq[i] = 1e-7 * (1 + (i % 97));
  }
  fillNonZero(new Float32Array(memory.buffer, base + 8 * BYTES, N), 777);
  return { name, k, deadP: base + 8 * BYTES, p: base, g: base + BYTES, a: base + 2 * BYTES, b: base + 3 * BYTES, c: base + 4 * BYTES, zero: base + 5 * BYTES, sub: base + 6 * BYTES, sq: base + 7 * BYTES };
}

/** Each case: the kernel call an optimizer makes with its defaults (lr tiny, so p barely moves). */
const CASES: Record<string, (b: Build) => void> = {
  'SGD': ({ k, p, g }) => k.sgdUpdate(p, g, 0, N, 1e-6, 0, 0, 1, 0, 0, 0),
  'SGD momentum': ({ k, p, g, a }) => k.sgdUpdate(p, g, a, N, 1e-6, 0, 0.9, 1, 0, 0, 0),
  'SGD mom. dead': ({ k, deadP, zero, sub }) => k.sgdUpdate(deadP, zero, sub, N, 1e-6, 0, 0.9, 1, 0, 0, 0),
  'EMAMomentum': ({ k, p, g, a }) => k.emaMomentumUpdate(p, g, a, N, 1e-6, 0.9, 0.1),
  'EMA mom. dead': ({ k, deadP, zero, sub }) => k.emaMomentumUpdate(deadP, zero, sub, N, 1e-6, 0.9, 0.1),
  'Adamax dead': ({ k, deadP, zero, sub, sq }) => k.adamaxUpdate(deadP, zero, sub, sq, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0),
  'Yogi dead': ({ k, deadP, zero, sub, sq }) => k.yogiUpdate(deadP, zero, sub, sq, N, 1e-6, 1e-3, 0.9, 0.1, 0.001),
  'Adagrad': ({ k, p, g, a }) => k.adagradUpdate(p, g, a, N, 1e-6, 0, 1e-10),
  'RMSprop': ({ k, p, g, a }) => k.rmspropUpdate(p, g, a, 0, 0, N, 1e-6, 0.99, 0.01, 1e-8, 0, 0, 0),
  'Adadelta': ({ k, p, g, a, b }) => k.adadeltaUpdate(p, g, a, b, N, 1e-6, 0.9, 0.1, 1e-6, 0),
  'Adam': ({ k, p, g, a, b }) => k.adamUpdate(p, g, a, b, 0, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1, 0, 0),
  'AdamW': ({ k, p, g, a, b }) => k.adamUpdate(p, g, a, b, 0, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 0.99999, 0, 0),
  'Adam dead units': ({ k, deadP, zero, sub, sq }) => k.adamUpdate(deadP, zero, sub, sq, 0, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1, 0, 0),
  'NAdam dead units': ({ k, deadP, zero, sub, sq }) => k.nadamUpdate(deadP, zero, sub, sq, N, 1e-6, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0),
  'RAdam dead units': ({ k, deadP, zero, sub, sq }) => k.radamUpdate(deadP, zero, sub, sq, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1),
  'Adam amsgrad': ({ k, p, g, a, b, c }) => k.adamUpdate(p, g, a, b, c, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1, 0, 1),
  'Adamax': ({ k, p, g, a, b }) => k.adamaxUpdate(p, g, a, b, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0),
  'NAdam': ({ k, p, g, a, b }) => k.nadamUpdate(p, g, a, b, N, 1e-6, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0),
  'RAdam': ({ k, p, g, a, b }) => k.radamUpdate(p, g, a, b, N, 1e-6, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1),
  'Yogi': ({ k, p, g, a, b }) => k.yogiUpdate(p, g, a, b, N, 1e-6, 1e-3, 0.9, 0.1, 0.001),
  'Lion': ({ k, p, g, a }) => k.lionUpdate(p, g, a, N, 1e-6, 0.9, 0.1, 0.99, 0.01, 0),
};

const specs = process.argv.slice(2).map((arg) => arg.split('='));
if (specs.length < 2 || specs.some((s) => s.length !== 2)) {
  console.error('usage: npx tsx bench/optim-ab.ts before=<build.wasm> after=<build.wasm> [more=<build.wasm> …]');
  process.exit(2);
}
const builds = await Promise.all(specs.map(([name, path]) => load(name, path)));
console.log(`M elements/s, median of ${ROUNDS} rounds of ${REPS} calls on ${N} elements, builds alternating`);
console.log(['kernel'.padEnd(14), ...builds.map((b) => b.name.padStart(10)), 'last/first'.padStart(11)].join(' '));
for (const [label, call] of Object.entries(CASES)) {
  const rates = builds.map(() => [] as number[]);
  for (const b of builds) for (let w = 0; w < 30; w++) call(b);
  for (let r = 0; r < ROUNDS; r++) {
    const order = builds.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const t0 = performance.now();
      for (let rep = 0; rep < REPS; rep++) call(builds[i]);
      rates[i].push((N * REPS) / ((performance.now() - t0) * 1e3));
    }
  }
  const m = rates.map(median);
  console.log([label.padEnd(14), ...m.map((v) => v.toFixed(0).padStart(10)), (m[m.length - 1] / m[0]).toFixed(3).padStart(11)].join(' '));
}
