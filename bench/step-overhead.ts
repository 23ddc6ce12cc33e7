// How much of a full training step is JavaScript rather than kernels (issues #12, #15): the same
// step as ../shared/bench/train_step.mts (zeroGrad, forward, CrossEntropyLoss, backward, Adam 1e-3,
// loss.item()) on one thread, timed bare, then with every kernel wrapped by a timer; the step time
// minus the kernels' is the per-step JS cost (the wrapper's own cost, measured by an empty wrapped
// call, is taken out). Not part of `npm run bench`; run under the CPU lock:
//   flock /tmp/descent-cpu.lock npx tsx bench/step-overhead.ts [mnist|lenet|sizes like 784-256-128-10] [batch] [steps] [src] [bare]
// Run from the checkout's root. `bare` stops after the untimed-kernel loop: what `node --import tsx --cpu-prof` should see.
import { pathToFileURL } from 'node:url';
import { fullStep } from './full-step.js';

// The built library (dist/, `npm run build:ts` first), as train_step.mts measures it; with `src`,
// src/ through tsx, as `npm run bench` does (tsx's transform makes every named closure a helper
// call more, `__name`, so the JS share is larger there).
const flags: string[] = process.argv.slice(2).filter((a) => a === 'src' || a === 'bare');
const [net = 'mnist', batchArg = '32', stepsArg] = process.argv.slice(2).filter((a) => !flags.includes(a));
const dist = (path: string) => flags.includes('src')
  ? import(`../src/${path.replace(/\.js$/, '.ts')}`)
  : import(pathToFileURL(`${process.cwd()}/dist/${path}`).href);
const library = await dist('index.js') as typeof import('../src/index.js');
const { requireBackend } = await dist('core/runtime.js') as typeof import('../src/core/runtime.js');

const batch = Number(batchArg);
const steps = Number(stepsArg ?? (net === 'lenet' ? 400 : 4000));
await library.init({ backend: 'wasm', build: 'simd' });

const { step, input } = fullStep(library, net === 'mnist' ? '784-16-16-10' : net, batch);
const timeSteps = (n: number) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  return ((performance.now() - t0) / n) * 1e3; // µs per step
};

for (let i = 0; i < steps / 4; i++) step();
const bare: number[] = [];
for (let r = 0; r < 5; r++) bare.push(timeSteps(steps / 5));
bare.sort((a, b) => a - b);
if (flags.includes('bare')) {
  console.log(`${net} b${batch}: step ${bare[2].toFixed(1)} µs bare (${Math.round(batch / bare[2] * 1e6)} samples/s)`);
  process.exit(0);
}

const k = requireBackend() as unknown as Record<string, unknown>;
const original = { ...k };
const totals = new Map<string, { us: number; calls: number }>();
let measuring = false;
for (const [name, fn] of Object.entries(original)) {
  if (typeof fn !== 'function' || name === 'gemmWorkspaceBytes') continue;
  k[name] = (...args: number[]) => {
    const t0 = performance.now();
    const r = (fn as (...a: number[]) => unknown)(...args);
    const t1 = performance.now();
    if (measuring) {
      const e = totals.get(name) ?? { us: 0, calls: 0 };
      e.us += (t1 - t0) * 1e3;
      e.calls++;
      totals.set(name, e);
    }
    return r;
  };
}
// The wrapper's own cost per call: two clock reads and the spread call, around a kernel that does nothing.
const empty = k.fill as (o: number, n: number, v: number) => void;
const scratch = input.offset;
const t0 = performance.now();
for (let i = 0; i < 100000; i++) empty(scratch, 0, 0);
const perCallWrap = ((performance.now() - t0) / 100000) * 1e3;
for (let i = 0; i < steps / 10; i++) step();
measuring = true;
const wrapped = timeSteps(steps / 2);
measuring = false;
Object.assign(k, original);

let kernelUs = 0, calls = 0;
for (const [name, e] of [...totals].sort((a, b) => b[1].us - a[1].us)) {
  kernelUs += e.us;
  calls += e.calls;
  console.log(`${name.padEnd(24)} ${(e.us / (steps / 2)).toFixed(2).padStart(8)} µs/step ${(e.calls / (steps / 2)).toFixed(0).padStart(4)} calls`);
}
const perStepKernels = kernelUs / (steps / 2);
const perStepCalls = calls / (steps / 2);
const median = bare[2];
console.log(`${net} b${batch}: step ${median.toFixed(1)} µs bare (${Math.round(batch / median * 1e6)} samples/s), ` +
  `kernels ${perStepKernels.toFixed(1)} µs in ${perStepCalls.toFixed(0)} calls, ` +
  `JS ≈ ${(median - perStepKernels).toFixed(1)} µs (wrapped step ${wrapped.toFixed(1)} µs, wrapper ${perCallWrap.toFixed(2)} µs a call)`);
