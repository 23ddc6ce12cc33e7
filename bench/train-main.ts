// The threaded half of the training-step benchmark, as a program of its own: threads need a heap
// created shared by the program's first init, while bench/train.ts measures the unshared builds a
// single-threaded program loads. bench/train.ts runs it in a child process and reads its JSON.
//
//   tsx bench/train-main.ts [--quick] --out <file.json>
//   tsx bench/train-main.ts [--quick] --serve     serves a row's 1- and 2-thread rounds (child-rounds.ts)
//
// Every row's thread counts are sampled round-robin in this one process, switching with
// `init({ threads })` between windows, so the "2 threads / 1 thread" ratios are honest: first on
// the machine as it is, then again while another process keeps one core busy (a browser, an
// editor, a second job are normal company).

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { init, getBackend, type InitOptions } from '../src/index.js';
import { ROWS, FULL_TIMING, QUICK_TIMING, descentConfigs, perRow, type TimingOptions } from './train-step.js';
import { serveRounds } from './child-rounds.js';

export interface ThreadsRow {
  net: string;
  batch: number;
  /** Samples/s, medians: the threads build on 1 and 2 threads, and its FMA twin ('relaxed'). */
  idle: { simd1: number; simd2: number; fma1: number | null; fma2: number | null };
  /** The same on 1 and 2 threads (deterministic build) while another process spins on one core. */
  loaded: { simd1: number; simd2: number };
}

const log = (line: string) => process.stderr.write(`  ${line}\n`);

/**
 * A process that keeps one core busy until `stop()`. It also exits by itself once this process is
 * gone (it checks about ten times a second), so no spinner outlives a crashed or killed benchmark.
 */
async function spinOneCore(): Promise<{ stop: () => void }> {
  const source = 'const p = process.ppid; process.stdout.write("spinning\\n"); let i = 0;' +
    'for (;;) if (++i === 3e7) { i = 0; try { process.kill(p, 0); } catch { process.exit(0); } }';
  const child: ChildProcess = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  process.once('exit', stop);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the spinning process exited early (${code})`)));
  });
  return { stop };
}

async function measureThreads(timing: TimingOptions): Promise<{ backend: unknown; rows: ThreadsRow[] }> {
  await init({ threads: 2 }); // the first init: makes the heap shared
  const fma = getBackend().relaxedSimdSupported;
  const idleOptions: InitOptions[] = [{ threads: 1 }, { threads: 2 }, ...(fma ? [{ build: 'relaxed', threads: 1 }, { build: 'relaxed', threads: 2 }] as InitOptions[] : [])];
  const idle = await perRow('threads idle ×1 / ×2 / FMA ×1 / FMA ×2', timing, descentConfigs(idleOptions), log);
  const spinner = await spinOneCore();
  let loaded: number[][];
  try {
    loaded = await perRow('threads, one core busy, ×1 / ×2', timing, descentConfigs([{ threads: 1 }, { threads: 2 }]), log);
  } finally {
    spinner.stop();
  }
  await init({ threads: 2 });
  return {
    backend: getBackend(),
    rows: ROWS.map((row, i) => ({
      net: row.sizes.join('-'), batch: row.batch,
      idle: { simd1: idle[i][0], simd2: idle[i][1], fma1: idle[i][2] ?? null, fma2: idle[i][3] ?? null },
      loaded: { simd1: loaded[i][0], simd2: loaded[i][1] },
    })),
  };
}

const timing = process.argv.includes('--quick') ? QUICK_TIMING : FULL_TIMING;
if (process.argv.includes('--serve')) {
  // Rounds of a row's 1 and 2 threads, taken in turn with Chromium's (train-browser.ts).
  await init({ threads: 2 });
  serveRounds((row) => ({ configs: descentConfigs([{ threads: 1 }, { threads: 2 }])(ROWS[row]), batch: ROWS[row].batch }), timing);
} else {
  const outIndex = process.argv.indexOf('--out');
  if (outIndex < 0 || !process.argv[outIndex + 1]) throw new Error('train-main: --out <file.json> or --serve is required');
  writeFileSync(process.argv[outIndex + 1], JSON.stringify(await measureThreads(timing)));
  process.exit(0); // the pools' workers would keep the process alive
}
