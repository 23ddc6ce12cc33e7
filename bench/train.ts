// The training-step benchmark (issue #12): full steps (zeroGrad, forward, CrossEntropyLoss, backward,
// Adam step, loss.item()) of the MLPs in bench/train-step.ts, every implementation in one run —
// Descent's single-threaded builds and js backend and TensorFlow.js-wasm here; Descent on 1 and 2
// threads (idle, and beside a process that keeps one core busy) in a child process
// (bench/train-main.ts); the same in headless Chromium (bench/train-browser.ts); PyTorch on one
// thread where /usr/bin/python3 has torch (bench/torch_mlp.py). Tables on stdout, targets with
// PASS/FAIL, bench/results/train.json and the bar chart bench/results/train.svg (bench/train-report.ts).

import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import { init, getBackend, type InitOptions } from '../src/index.js';
import { tf, useTf } from './tfjs.js';
import { ROWS, FULL_TIMING, QUICK_TIMING, descentConfigs, perRow, tfConfigs, type TimingOptions } from './train-step.js';
import { runInChild } from './harness.js';
import { measureChromium } from './train-browser.js';
import { report, type TrainResults } from './train-report.js';
import type { ThreadsRow } from './train-main.js';

const log = (line: string) => process.stderr.write(`  ${line}\n`);

/**
 * Descent's unshared builds (what a single-threaded program loads; simd and FMA interleaved on one
 * model), then the js backend, then TF.js-wasm. The js backend is not interleaved with wasm: running
 * its kernels through the same call sites would leave V8's inline caches polymorphic and slow the
 * wasm path down, a cost no real program pays (see bench/mlp.ts).
 */
async function measureNode(timing: TimingOptions): Promise<TrainResults['node']> {
  await init({ backend: 'wasm', build: 'simd' });
  const builds: InitOptions[] = [{ backend: 'wasm', build: 'simd' }, ...(getBackend().relaxedSimdSupported ? [{ backend: 'wasm', build: 'relaxed' } as InitOptions] : [])];
  const wasm = await perRow('wasm ×1 simd / fma', timing, descentConfigs(builds), log);
  const js = await perRow('js backend', timing, descentConfigs([{ backend: 'js' }]), log);
  await useTf('wasm');
  const tfjs = await perRow('tfjs-wasm minimize / trainOnBatch', timing, tfConfigs(tf, tfl), log);
  return ROWS.map((_, i) => ({ simd1: wasm[i][0], fma1: wasm[i][1] ?? null, js: js[i][0], tfjsMinimize: tfjs[i][0], tfjsLayers: tfjs[i][1] }));
}

/** bench/train-main.ts in a child process: threads need a heap created shared by the program's first init. */
function measureThreads(quick: boolean): { backend: unknown; rows: ThreadsRow[] } {
  return runInChild(new URL('./train-main.ts', import.meta.url), quick);
}

/** PyTorch's rows from bench/torch_mlp.py, or null (with the reason on stderr) where torch is missing. */
function measurePytorch(quick: boolean): TrainResults['pytorch'] {
  const PYTHON = '/usr/bin/python3';
  if (spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) {
    process.stderr.write(`  PyTorch: skipped (${PYTHON} cannot import torch)\n`);
    return null;
  }
  const script = fileURLToPath(new URL('./torch_mlp.py', import.meta.url));
  const run = spawnSync(PYTHON, [script, '--json', ...(quick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`bench/torch_mlp.py failed (exit ${run.status ?? run.signal})`);
  return JSON.parse(run.stdout);
}

/** The Chromium rows, or null (with the reason on stderr) where Chromium or Playwright cannot run. */
async function measureBrowser(timing: TimingOptions, quick: boolean): Promise<TrainResults['chromium']> {
  try {
    return await measureChromium(timing, quick);
  } catch (error) {
    process.stderr.write(`  Chromium: skipped (${(error as Error).message.split('\n')[0]})\n`);
    return null;
  }
}

export async function benchTrain(quick: boolean): Promise<{ pass: boolean }> {
  const timing = quick ? QUICK_TIMING : FULL_TIMING;
  const started = performance.now();
  const loadBefore = loadavg()[0];
  const threads = measureThreads(quick);
  const node = await measureNode(timing);
  const chromium = await measureBrowser(timing, quick);
  const pytorch = measurePytorch(quick);
  const seconds = (performance.now() - started) / 1000;
  // The 1-minute load average before and after: about 1 while this benchmark runs alone (on 2
  // cores); more means other work shared the machine and the figures may carry it.
  const load = { before: loadBefore, after: loadavg()[0] };
  process.stderr.write(`  train section measured in ${seconds.toFixed(0)} s; load average ${load.before.toFixed(2)} before, ${load.after.toFixed(2)} after\n`);
  return report({ timing, seconds, load, node, threads, chromium, pytorch });
}
