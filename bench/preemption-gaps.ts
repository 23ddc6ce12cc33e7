// How often this machine takes a running thread off its core, and for how long: the measurement
// behind PREEMPTED_GAP_MS (src/backend/kernel-worker-source.ts). The main thread and one worker
// each poll the clock for 5 s and count the gaps between two reads, by length. Run it idle, then
// beside a busy process, under the CPU lock:
//   npx tsx bench/preemption-gaps.ts
//   node -e "for(;;){}" & npx tsx bench/preemption-gaps.ts; kill %1
// On this 2-vCPU VM (three runs each): idle, hundreds of gaps of 50–500 µs per thread but 2–10 over
// 2 ms; beside the busy process, 353–458 over 2 ms.
import { Worker } from 'node:worker_threads';

const SECONDS = 5;
const BUCKETS = [0.05, 0.2, 0.5, 2] as const;

/** Polls the clock for `ms`; returns how many gaps exceeded each bucket's bound (and not the next). */
function pollGaps(ms: number): number[] {
  const counts = BUCKETS.map(() => 0);
  let last = performance.now();
  const end = last + ms;
  for (;;) {
    const now = performance.now();
    const gap = now - last;
    last = now;
    for (let b = BUCKETS.length - 1; b >= 0; b--) {
      if (gap > BUCKETS[b]) {
        counts[b]++;
        break;
      }
    }
    if (now > end) return counts;
  }
}

const label = (counts: number[]) => BUCKETS.map((b, i) => `>${b} ms: ${counts[i]}`).join('  ');

// The worker runs the same function from its source text (a worker cannot load this .ts file).
const workerSource = `const BUCKETS = ${JSON.stringify(BUCKETS)};
require('node:worker_threads').parentPort.postMessage((${pollGaps.toString()})(${SECONDS * 1000}));`;
const worker = new Worker(workerSource, { eval: true });
const fromWorker = new Promise<number[]>((resolve) => worker.once('message', resolve));
const main = pollGaps(SECONDS * 1000);
console.log(`main thread  ${label(main)}`);
console.log(`worker       ${label(await fromWorker)}`);
await worker.terminate();
