// A/B of two built checkouts in one process (their dist/ each bring their own heap, kernels and
// JIT state): the same full training step as ../shared/bench/train_step.mts, one thread, samples of
// A and B interleaved, so both see the same machine load. Separate processes differ by ±8 % on
// this VM from run to run, more than a change to the JS side of a step is worth.
//   flock /tmp/descent-cpu.lock npx tsx bench/ab-step.ts <checkoutA> <checkoutB> [sizes] [batch] [rounds] [src]
// sizes like 784-16-16-10 (default), or lenet; `src`: each checkout's src/ through tsx (as `npm run
// bench` runs it) rather than its dist/.
// AB_THREADS=1 (or 2) runs the threads build (a shared heap) instead of the simd one.
import { pathToFileURL } from 'node:url';
import type * as Descent from '../src/index.js';
import { fullStep } from './full-step.js';
import { median } from './median.js';

const fromSrc = process.argv.includes('src');
const [dirA, dirB, sizesArg = '784-16-16-10', batchArg = '32', roundsArg = '31'] = process.argv.slice(2).filter((a) => a !== 'src');
const batch = Number(batchArg), rounds = Number(roundsArg);
const load = async (dir: string) => {
  const d = await import(pathToFileURL(fromSrc ? `${dir}/src/index.ts` : `${dir}/dist/index.js`).href) as typeof Descent;
  await d.init(process.env.AB_THREADS ? { threads: Number(process.env.AB_THREADS) } : { backend: 'wasm', build: 'simd' });
  return fullStep(d, sizesArg, batch).step;
};
const steps = [await load(dirA), await load(dirB)];
for (const step of steps) for (let i = 0; i < 20; i++) step(); // warm up both
const t0 = performance.now();
for (let i = 0; i < 20; i++) steps[0]();
const perSample = Math.max(4, Math.round(30 / ((performance.now() - t0) / 20))); // ~30 ms a sample
const time = (step: () => void) => {
  const t0 = performance.now();
  for (let i = 0; i < perSample; i++) step();
  return ((performance.now() - t0) / perSample) * 1e3;
};
for (const step of steps) for (let i = 0; i < perSample * 5; i++) step();
const samples: number[][] = [[], []];
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0];
  for (const k of order) samples[k].push(time(steps[k]));
}
const [a, b] = samples.map(median);
console.log(`${sizesArg} b${batch}: A ${a.toFixed(1)} µs/step (${Math.round(batch / a * 1e6)} samples/s), ` +
  `B ${b.toFixed(1)} µs/step (${Math.round(batch / b * 1e6)} samples/s), B/A ${(b / a).toFixed(3)} (${rounds} interleaved samples of ${perSample} steps)`);
