// Timing and reporting shared by every benchmark section.
//
// The machine is shared and noisy, so every figure is the median of several samples, and the
// implementations being compared are sampled round-robin (A, B, C, A, B, C, …) so a burst of
// load on the other core hits them alike and the ratios printed in one run stay honest.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { median } from './median.js';

export interface TimingOptions {
  /** Samples per implementation (the median is reported). */
  samples: number;
  /** Each sample repeats the call until at least this many milliseconds have passed. */
  minSampleMs: number;
  /** Warm-up time per implementation before sampling (lets V8 tier up wasm and JS). */
  warmupMs: number;
}

export const FULL: TimingOptions = { samples: 7, minSampleMs: 40, warmupMs: 150 };
export const QUICK: TimingOptions = { samples: 5, minSampleMs: 20, warmupMs: 60 };

export { median };

/** Calls `fn` repeatedly for at least `ms` and returns the seconds per call. */
function timeBatch(fn: () => void, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  do {
    fn();
    calls++;
    now = performance.now();
  } while (now - start < ms);
  return (now - start) / 1000 / calls;
}

/**
 * Median seconds per call of each function, sampled round-robin. Returns one number per entry of
 * `fns`, in order.
 */
export function compare(fns: readonly (() => void)[], options: TimingOptions): number[] {
  // A call slower than SLOW_CALL_S (plain JS at 1024³) gets 3 samples, not `samples`: the
  // median of 3 multi-second calls is already stable, and the run stays minutes, not hours.
  const SLOW_CALL_S = 0.25;
  const wanted = fns.map((fn) => (timeBatch(fn, options.warmupMs) > SLOW_CALL_S ? 3 : options.samples));
  const samples: number[][] = fns.map(() => []);
  for (let s = 0; s < Math.max(...wanted); s++) {
    fns.forEach((fn, i) => {
      if (s < wanted[i]) samples[i].push(timeBatch(fn, options.minSampleMs));
    });
  }
  return samples.map(median);
}

/** Prints rows of cells as an aligned plain-text table. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

export interface Target {
  what: string;
  measured: number;
  required: number;
  unit: string;
}

/** Prints the targets with a pass/fail column; returns whether all passed. */
export function printTargets(title: string, targets: Target[]): boolean {
  printTable(
    title,
    ['target', 'measured', 'required', 'result'],
    targets.map((t) => [t.what, `${fmt(t.measured, 2)} ${t.unit}`, `≥ ${t.required} ${t.unit}`, t.measured >= t.required ? 'PASS' : 'FAIL']),
  );
  return targets.every((t) => t.measured >= t.required);
}

export function machineInfo(): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** Writes a section's results to bench/results/<name>.json. */
export function writeResults(name: string, data: unknown): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  writeFileSync(file, JSON.stringify({ machine: machineInfo(), ...(data as object) }, null, 2) + '\n');
  return file.pathname;
}

/**
 * Runs a benchmark program in a child process (threads need a heap created shared by a program's
 * first init) with `--out FILE` (and `--quick`), and returns the JSON it wrote there.
 */
export function runInChild<T>(script: URL, quick: boolean): T {
  const dir = mkdtempSync(join(tmpdir(), 'descent-bench-'));
  try {
    const out = join(dir, 'result.json');
    const main = fileURLToPath(script);
    const child = spawnSync(process.execPath, [...process.execArgv, main, '--out', out, ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`${main} failed (exit ${child.status ?? child.signal})`);
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
