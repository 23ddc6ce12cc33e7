// `npm run bench`: every benchmark section in one run; tables on stdout, JSON in bench/results/.
// Flags: --quick (fewer samples, skips plain-JS runs of the largest shapes), --only gemm|mlp|optim|threads|train|conv.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK } from './harness.js';
import { benchGemm } from './gemm.js';
import { benchMlp } from './mlp.js';
import { benchOptim } from './optim.js';
import { benchTrain } from './train.js';
import { benchConv } from './conv.js';
import { hostSupportsRelaxedSimd } from '../src/backend/wasm-loader.js';

const args = process.argv.slice(2);

// Node 20's V8 has relaxed SIMD (the opt-in 'relaxed' build) behind a flag that later Nodes no
// longer need: run again with it when it is missing and the flag is known.
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
if (!hostSupportsRelaxedSimd() && !process.execArgv.includes(RELAXED_FLAG) && Number(process.versions.node.split('.')[0]) < 22) {
  const rerun = spawnSync(process.execPath, [RELAXED_FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  process.exit(rerun.status ?? 1);
}
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const timing = quick ? QUICK : FULL;

const sections: Record<string, () => Promise<{ pass: boolean }>> = {
  gemm: () => benchGemm(timing, quick),
  mlp: () => benchMlp(timing),
  optim: () => benchOptim(timing),
  // In a child process: threads need a heap created shared by the program's first init.
  threads: async () => {
    const main = fileURLToPath(new URL('./threads-main.ts', import.meta.url));
    const child = spawnSync(process.execPath, [...process.execArgv, main, ...args], { stdio: 'inherit' });
    return { pass: child.status === 0 };
  },
  // Full training steps, every implementation (its threaded half runs in a child process too).
  train: () => benchTrain(quick),
  // LeNet training steps and conv GFLOP/s (issue #15); its threaded half in a child process.
  conv: () => benchConv(quick),
};

let allPass = true;
for (const [name, run] of Object.entries(sections)) {
  if (only && only !== name) continue;
  const { pass } = await run();
  allPass &&= pass;
}
console.log(`\n${allPass ? 'all targets met' : 'some targets missed (see FAIL rows above)'}`);
