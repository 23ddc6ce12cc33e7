import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// "What we test", in numbers produced by the test run itself: the fuzz runner, the checkpoint fault
// tests, the soak, the heap sweep and the training-guard tests each write their counts to
// test-results/what-we-test/*.json (Node only); this summary reads them at the end of `npm test`
// (vitest's global teardown) and prints it, and `npm run what-we-test` prints it again.

type Json = Record<string, unknown>;

function read(dir: string, name: string): Json | null {
  const file = join(dir, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : null;
}

const n = (x: unknown): string => (typeof x === 'number' ? x.toLocaleString('en-US') : '—');

/** The summary as Markdown table rows, from the counts of the last run in `root`. */
export function whatWeTest(root: string): string {
  const dir = join(root, 'test-results', 'what-we-test');
  const fuzz = read(dir, 'fuzz'), ckpt = read(dir, 'checkpoint'), soak = read(dir, 'soak');
  const sweep = read(dir, 'heap-sweep'), train = read(dir, 'train');
  const rows: string[] = ['| what | count | held |', '|---|---|---|'];
  if (fuzz) {
    const bad = ['raw', 'returned', 'leaked', 'slow'].map((k) => `${n(fuzz[k])} ${k}`).join(', ');
    rows.push(`| invalid calls fuzzed over ${n(fuzz.cases)} public entry points | ${n(fuzz.calls)} | ${n(fuzz.typed)} typed errors; ${bad} |`);
  }
  if (ckpt) {
    rows.push(`| checkpoint truncations (every length) | ${n(ckpt.truncations)} | all refused, target untouched |`);
    rows.push(`| checkpoint bit flips (${n(ckpt.bitFlipsInHeader)} in the header) | ${n(ckpt.bitFlips)} | all refused, target untouched |`);
    rows.push(`| SIGKILLs of a process saving (${n(ckpt.killsDuringWrite)} mid-write) | ${n(ckpt.kills)} | old or new complete file every time; ${n(ckpt.debrisRemoved)} temp files cleaned |`);
  }
  if (train) {
    const totals = train.totals as Json;
    rows.push(`| NaN/Inf faults injected into training, clipping, schedulers, anomaly mode | ${n(totals.faultsInjected)} | each stopped by a NonFiniteError that names where (fit keeps the last good weights) |`);
    rows.push(`| invalid calls to data, fit, schedulers, clipping (hand-written) | ${n(totals.invalidCallsRejected)} | typed errors, heap unchanged |`);
  }
  if (soak) {
    rows.push(`| training steps soaked (${n(soak.runs)} runs: ${n(soak.optimizers)} optimizers, ${n(soak.schedulers)} schedulers) | ${n(soak.stepsSoaked)} | memory() flat after the first epoch |`);
  }
  if (sweep) {
    const mib = (x: unknown) => `${((x as number) / 2 ** 20).toFixed(0)} MiB`;
    rows.push(`| width sweep (784-h-10, Adam, each model disposed) | live peak ${mib(sweep.livePeakBytes)} | heap ${mib(sweep.heapBytes)} (the sum of peaks: ${mib(sweep.sumOfPeaksBytes)}) |`);
  }
  return rows.length > 2 ? rows.join('\n') : '';
}

/** Prints the summary (and keeps a copy in test-results/what-we-test/summary.md). */
export function printWhatWeTest(root: string): void {
  const table = whatWeTest(root);
  if (!table) return;
  writeFileSync(join(root, 'test-results', 'what-we-test', 'summary.md'), table + '\n');
  console.log(`\nWhat we test (counts from this run's test-results/what-we-test/):\n${table}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) printWhatWeTest(join(import.meta.dirname, '..'));
