// Where a LeNet training step's time goes: each backend kernel wrapped with a timer, gemm split
// by call shape. Not part of `npm run bench`; run under the CPU lock:
//   flock /tmp/descent-cpu.lock npx tsx bench/conv-profile.ts [batch] [build]
import { init, getBackend } from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { descentLenet } from './conv.js';
import { timeKernels } from './kernel-timer.js';

const batch = Number(process.argv[2] ?? 32);
const build = (process.argv[3] ?? 'simd') as 'simd' | 'scalar' | 'relaxed';
await init({ build });
console.log(getBackend());
const stepper = descentLenet(batch);
for (let i = 0; i < 300; i++) stepper.step();
const totals = new Map<string, { ms: number; calls: number }>();
timeKernels(requireBackend(), (key, ms) => {
  const e = totals.get(key) ?? { ms: 0, calls: 0 };
  e.ms += ms;
  e.calls++;
  totals.set(key, e);
});
const steps = 200;
const t0 = performance.now();
for (let i = 0; i < steps; i++) stepper.step();
const wrapped = (performance.now() - t0) / steps;
let kernels = 0;
const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
for (const [name, e] of rows) {
  kernels += e.ms;
  console.log(`${name.padEnd(36)} ${(e.ms / steps).toFixed(3).padStart(7)} ms/step  ${(e.calls / steps).toFixed(0).padStart(4)} calls`);
}
console.log(`kernels ${(kernels / steps).toFixed(3)} ms of ${wrapped.toFixed(3)} ms per step (wrapped)`);
