// The threaded half of the LeNet benchmark (bench/conv.ts) as a program of its own: threads need a
// heap created shared by the program's first init. The threads build on 1 and 2 threads, sampled
// round-robin.
//
//   tsx bench/conv-main.ts [--quick] --out <file.json>   writes [[×1, ×2] samples/s per batch size]
//   tsx bench/conv-main.ts [--quick] --serve             serves rounds to bench/conv.ts (child-rounds.ts),
//                                                        which takes them in turn with its simd build's

import { writeFileSync } from 'node:fs';
import { init } from '../src/index.js';
import { FULL_TIMING, QUICK_TIMING, roundRobin } from './train-step.js';
import { BATCHES_OF_LENET, descentLenetConfigs } from './conv.js';
import { serveRounds } from './child-rounds.js';

const timing = process.argv.includes('--quick') ? QUICK_TIMING : FULL_TIMING;
await init({ threads: 2 }); // the first init: makes the heap shared
const threadCounts = descentLenetConfigs([{ threads: 1 }, { threads: 2 }]);
if (process.argv.includes('--serve')) {
  serveRounds((batch) => ({ configs: threadCounts(batch), batch }), timing);
} else {
  const outIndex = process.argv.indexOf('--out');
  if (outIndex < 0 || !process.argv[outIndex + 1]) throw new Error('conv-main: --out <file.json> or --serve is required');
  const rates: number[][] = [];
  for (const batch of BATCHES_OF_LENET) {
    const configs = threadCounts(batch);
    try {
      rates.push(await roundRobin(configs, batch, timing));
      const loss = configs[0].stepper.loss();
      if (!Number.isFinite(loss)) throw new Error(`threads LeNet b${batch}: the loss is ${loss}`);
    } finally {
      configs[0].stepper.dispose();
    }
    process.stderr.write(`  threads build ×1 / ×2 LeNet b${batch}: ${rates.at(-1)!.map(Math.round).join(' / ')} samples/s\n`);
  }
  writeFileSync(process.argv[outIndex + 1], JSON.stringify(rates));
  process.exit(0); // the pools' workers would keep the process alive
}
