// What the training-step benchmark prints and writes: three tables (Node single-threaded and the
// outside references; 1 vs 2 threads idle and loaded; Chromium), the targets of issue #12 with
// PASS/FAIL, bench/results/train.json and the bar chart bench/results/train.svg.

import { writeFileSync } from 'node:fs';
import { fmt, machineInfo, printTable, printTargets, writeResults, type Target } from './harness.js';
import { ROWS, rowName, type TimingOptions } from './train-step.js';
import { barChartSvg, type Series } from './chart.js';
import type { ThreadsRow } from './train-main.js';
import type { BrowserResult } from './browser/protocol.js';

export interface TrainResults {
  timing: TimingOptions;
  seconds: number;
  /** The 1-minute load average when the section started and ended. */
  load: { before: number; after: number };
  /** Per row of ROWS, samples/s: Descent's unshared simd and FMA builds, its js backend, TF.js-wasm both ways. */
  node: { simd1: number; fma1: number | null; js: number; tfjsMinimize: number; tfjsLayers: number }[];
  threads: { backend: unknown; rows: ThreadsRow[] };
  chromium: BrowserResult | null;
  pytorch: { torch: string; threads: number; rows: { net: string; batch: number; samplesPerSecond: number }[] } | null;
}

const n0 = (x: number | null | undefined) => fmt(x, 0);
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null ? '—' : `${fmt(a / b, 2)}×`);

function targetsOf(r: TrainResults): Target[] {
  const t: Target[] = [];
  const at = (net: string, batch: number) => ROWS.findIndex((row) => row.sizes.join('-') === net && row.batch === batch);
  const large128 = at('784-256-128-10', 128), large32 = at('784-256-128-10', 32), small32 = at('784-16-16-10', 32), demo = at('784-128-64-10', 32);
  r.threads.rows.forEach((row, i) => {
    t.push({ what: `${rowName(ROWS[i])}: 2 threads / 1, idle`, measured: row.idle.simd2 / row.idle.simd1, required: i === large128 ? 1.7 : i === large32 ? 1.4 : 0.95, unit: '×' });
  });
  r.threads.rows.forEach((row, i) => t.push({ what: `${rowName(ROWS[i])}: 2 threads / 1, one core busy`, measured: row.loaded.simd2 / row.loaded.simd1, required: 0.9, unit: '×' }));
  t.push({ what: 'the demo (784-128-64-10 b32) faster on 2 threads', measured: r.threads.rows[demo].idle.simd2 / r.threads.rows[demo].idle.simd1, required: 1, unit: '×' });
  t.push({ what: `${rowName(ROWS[large128])} one thread, deterministic`, measured: r.node[large128].simd1, required: 42000, unit: 'samples/s' });
  const fma = r.node[large128].fma1;
  if (fma !== null) t.push({ what: `${rowName(ROWS[large128])} one thread, FMA build`, measured: fma, required: 48000, unit: 'samples/s' });
  t.push({ what: `${rowName(ROWS[small32])} one thread, deterministic`, measured: r.node[small32].simd1, required: 350000, unit: 'samples/s' });
  r.chromium?.rows.forEach((row, i) => {
    t.push({ what: `Chromium ${rowName(ROWS[i])}: 2 threads / 1`, measured: row.descent2 / row.descent1, required: 0.95, unit: '×' });
    t.push({ what: `Chromium ${rowName(ROWS[i])}: 1 thread / Node's`, measured: row.descent1 / row.node1, required: 0.9, unit: '×' });
    t.push({ what: `Chromium ${rowName(ROWS[i])}: 2 threads / Node's`, measured: row.descent2 / row.node2, required: 0.9, unit: '×' });
    if (row.main1 !== undefined && row.main2 !== undefined) {
      t.push({ what: `Chromium ${rowName(ROWS[i])}: page main thread, 2 threads / 1`, measured: row.main2 / row.main1, required: 0.95, unit: '×' });
    }
  });
  return t;
}

/**
 * The chart's bars: every implementation of a row, the slow references last. Descent's 1- and
 * 2-thread bars both come from the interleaved threads measurement, so the pair compares like with like.
 */
export function chartOf(r: TrainResults): string {
  const series: (Series & { value: (i: number) => number | null | undefined })[] = [
    { name: 'Descent, 1 thread (Node)', color: '#1f4e9c', value: (i) => r.threads.rows[i].idle.simd1 },
    { name: 'Descent, 2 threads (Node)', color: '#5b8fd9', value: (i) => r.threads.rows[i].idle.simd2 },
    { name: 'Descent FMA build, 1 thread (Node)', color: '#2a8c6a', value: (i) => r.threads.rows[i].idle.fma1 },
    { name: 'Descent FMA build, 2 threads (Node)', color: '#7cc7a5', value: (i) => r.threads.rows[i].idle.fma2 },
    { name: 'Descent, 1 thread (Chromium)', color: '#7a4fb0', value: (i) => r.chromium?.rows[i].descent1 },
    { name: 'Descent, 2 threads (Chromium)', color: '#b79be0', value: (i) => r.chromium?.rows[i].descent2 },
    { name: 'PyTorch 1 thread (OpenBLAS)', color: '#d9822b', value: (i) => r.pytorch?.rows[i].samplesPerSecond },
    { name: 'TF.js-wasm minimize (Node)', color: '#8c8c8c', value: (i) => r.node[i].tfjsMinimize },
    { name: 'TF.js-wasm trainOnBatch (Node)', color: '#b5b5b5', value: (i) => r.node[i].tfjsLayers },
    { name: 'TF.js-wasm minimize (Chromium)', color: '#d6d6d6', value: (i) => r.chromium?.rows[i].tfjsMinimize },
    { name: 'Descent js backend (Node)', color: '#c44e52', value: (i) => r.node[i].js },
  ];
  return barChartSvg({
    title: 'Full training steps (zeroGrad, forward, cross-entropy, backward, Adam, loss.item())',
    subtitle: `MLPs with ReLU, random MNIST-shaped batches; medians of one \`npm run bench -- --only train\`, ${new Date().toISOString().slice(0, 10)}, ${machineInfo().cores} cores (${machineInfo().cpu}). Longer is faster.`,
    unit: 'samples/s',
    groups: ROWS.map((row) => `${row.sizes.join('-')}, batch ${row.batch}`),
    series,
    values: ROWS.map((_, i) => series.map((s) => s.value(i) ?? null)),
  });
}

export function report(r: TrainResults): { pass: boolean } {
  printTable(
    'full training steps, samples/s (medians), Node, one thread',
    ['net', 'batch', 'simd', 'FMA', 'js backend', 'tfjs-wasm minimize', 'tfjs-wasm trainOnBatch', 'PyTorch', 'simd/tfjs', 'simd/PyTorch'],
    ROWS.map((row, i) => {
      const x = r.node[i], torch = r.pytorch?.rows[i].samplesPerSecond;
      return [row.sizes.join('-'), row.batch, n0(x.simd1), n0(x.fma1), n0(x.js), n0(x.tfjsMinimize), n0(x.tfjsLayers), n0(torch), ratio(x.simd1, x.tfjsMinimize), ratio(x.simd1, torch)];
    }),
  );
  printTable(
    'Descent on 1 and 2 threads (threads build, interleaved in one process), samples/s',
    ['net', 'batch', '×1', '×2', '×2/×1', 'FMA ×1', 'FMA ×2', 'FMA ×2/×1', 'busy core: ×1', '×2', '×2/×1'],
    r.threads.rows.map((x) => [
      x.net, x.batch, n0(x.idle.simd1), n0(x.idle.simd2), ratio(x.idle.simd2, x.idle.simd1), n0(x.idle.fma1), n0(x.idle.fma2),
      ratio(x.idle.fma2, x.idle.fma1), n0(x.loaded.simd1), n0(x.loaded.simd2), ratio(x.loaded.simd2, x.loaded.simd1),
    ]),
  );
  if (r.chromium) {
    printTable(
      `headless Chromium, a Web Worker of a cross-origin isolated page (and the page's main thread), samples/s (${r.chromium.userAgent.match(/Chrome\/\S+/)?.[0] ?? 'Chromium'}); Node's ×1 / ×2 taken in turn with the worker's, round by round`,
      ['net', 'batch', '×1', '×2', '×2/×1', 'Node ×1', 'Node ×2', '×1/Node', '×2/Node', 'tfjs-wasm minimize', 'tfjs-wasm trainOnBatch', 'main thread ×1', '×2', '×2/×1'],
      r.chromium.rows.map((x) => [
        x.net, x.batch, n0(x.descent1), n0(x.descent2), ratio(x.descent2, x.descent1), n0(x.node1), n0(x.node2), ratio(x.descent1, x.node1),
        ratio(x.descent2, x.node2), n0(x.tfjsMinimize), n0(x.tfjsLayers), n0(x.main1), n0(x.main2), ratio(x.main2, x.main1),
      ]),
    );
  }
  const targets = targetsOf(r);
  const pass = printTargets('training-step targets (issue #12)', targets);
  const svg = new URL('./results/train.svg', import.meta.url);
  writeFileSync(svg, chartOf(r));
  const rows = ROWS.map((row, i) => ({
    net: row.sizes.join('-'), batch: row.batch, node: r.node[i], threads: { idle: r.threads.rows[i].idle, loaded: r.threads.rows[i].loaded },
    chromium: r.chromium?.rows[i] ?? null, pytorch: r.pytorch?.rows[i].samplesPerSecond ?? null,
  }));
  const about = {
    unit: 'samples/s (medians)', timing: r.timing, seconds: r.seconds, load: r.load, threadsBackend: r.threads.backend,
    chromium: r.chromium && { userAgent: r.chromium.userAgent, crossOriginIsolated: r.chromium.crossOriginIsolated, backend: r.chromium.backend },
    pytorch: r.pytorch && { torch: r.pytorch.torch, threads: r.pytorch.threads },
  };
  console.log(`\nwrote ${writeResults('train', { ...about, rows, targets: targets.map((t) => ({ ...t, pass: t.measured >= t.required })) })}`);
  console.log(`wrote ${svg.pathname}`);
  return { pass };
}
