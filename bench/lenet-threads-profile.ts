// Where a LeNet step's two-thread speed-up goes: every backend call wrapped with a timer, windows
// of steps on 1 and 2 threads (the threads build) taken in turn in one process, and per kernel the
// time on each and their ratio. Not part of `npm run bench` (the wrappers cost ~1 µs a call); run
// alone:  npx tsx bench/lenet-threads-profile.ts [batch]
import { init } from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { descentLenet } from './conv.js';
import { timeKernels } from './kernel-timer.js';
import { median } from './median.js';

const batch = Number(process.argv[2] ?? 128);
const ROUNDS = 12, STEPS = 40, WARM_STEPS = 100;

await init({ threads: 2 }); // the first init makes the heap shared
const stepper = descentLenet(batch);
const totals = new Map<number, Map<string, number>>([[1, new Map()], [2, new Map()]]);
const stepMs = new Map<number, number[]>([[1, []], [2, []]]);
let threads = 1;

/** Counts each call of the active backend's kernels under the thread count of its window. */
const wrapBackend = () => timeKernels(requireBackend(), (key, ms) => {
  const m = totals.get(threads)!;
  m.set(key, (m.get(key) ?? 0) + ms);
});

for (const t of [1, 2]) {
  await init({ threads: t });
  wrapBackend();
  for (let i = 0; i < WARM_STEPS; i++) stepper.step();
}
for (const m of totals.values()) m.clear();
for (let r = 0; r < ROUNDS; r++) {
  for (const t of [1, 2]) {
    await init({ threads: t });
    threads = t;
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) stepper.step();
    stepMs.get(t)!.push((performance.now() - t0) / STEPS);
  }
}
const [one, two] = [median(stepMs.get(1)!), median(stepMs.get(2)!)];
console.log(`LeNet b${batch} step: 1 thread ${one.toFixed(3)} ms, 2 threads ${two.toFixed(3)} ms, ×${(one / two).toFixed(2)}`);
const calls = ROUNDS * STEPS;
const [t1, t2] = [totals.get(1)!, totals.get(2)!];
for (const key of [...t1.keys()].sort((a, b) => t1.get(b)! - t1.get(a)!)) {
  const a = t1.get(key)! / calls, b = (t2.get(key) ?? 0) / calls;
  console.log(`${key.padEnd(28)} 1 thread ${a.toFixed(3)} ms  2 threads ${b.toFixed(3)} ms  ×${(a / b).toFixed(2)}`);
}
console.log((requireBackend() as unknown as { splitChoices?: () => unknown }).splitChoices?.());
