/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Adam, CrossEntropyLoss, DescentError, Linear, ReLU, Sequential, init, manualSeed, memory, tensor,
} from '../src/index.js';
import { beginCall, endCall, materialize, type FuzzCase } from './fuzz/case.js';
import { startWatchdog, type Watchdog } from './fuzz/watchdog.js';

// Invalid calls over the public API (cases in test/fuzz/cases-*.ts; the format is in
// test/fuzz/README.md). Each call must throw a DescentError subclass — never return, never leak a
// raw TypeError/RangeError — within a time limit, keep no heap memory, and leave the runtime as
// it was: a model trained after the fuzz is bit-identical to one trained before it.

const env: Record<string, string | undefined> = typeof process !== 'undefined' && process.env ? process.env : {};
const TOTAL_CALLS = Number(env.FUZZ_CALLS ?? 5000);
const SEED = Number(env.FUZZ_SEED ?? 20261204);
const CALL_MS = Number(env.FUZZ_CALL_MS ?? 2000);
const HANG_MS = Number(env.FUZZ_HANG_MS ?? 20000);

const modules = import.meta.glob<Record<string, unknown>>('./fuzz/cases-*.ts', { eager: true });
const files = Object.entries(modules).map(([path, exports]) => {
  const cases = Object.values(exports).filter(Array.isArray).flat().filter(isCase);
  return { file: path.replace('./fuzz/', ''), cases };
});

function isCase(value: unknown): value is FuzzCase {
  return typeof value === 'object' && value !== null && typeof (value as FuzzCase).name === 'string' &&
    typeof (value as FuzzCase).call === 'function';
}

const all = files.flatMap((f) => f.cases);
const generated = all.filter((c) => c.args !== undefined).length;
const RUNS = Math.max(5, Math.ceil((TOTAL_CALLS - (all.length - generated)) / Math.max(generated, 1)));

type Outcome = 'typed' | 'raw' | 'returned';
const counts = {
  calls: 0, typed: 0, raw: 0, returned: 0, leaked: 0, slow: 0,
  byError: {} as Record<string, number>, byFile: {} as Record<string, number>,
};

interface Failure { call: string; problem: string }

async function callOnce(c: FuzzCase, args: unknown, label: string, watchdog: Watchdog): Promise<Failure[]> {
  const before = memory();
  const made = beginCall();
  let outcome: Outcome;
  let error: unknown;
  const t0 = performance.now();
  watchdog.enter(label);
  try {
    let result = c.call(c.args === undefined ? undefined : materialize(args, made));
    if (result instanceof Promise) result = await result;
    outcome = 'returned';
    (result as { dispose?: () => void } | null)?.dispose?.(); // a tensor or module it should not have made
  } catch (e) {
    error = e;
    outcome = e instanceof DescentError ? 'typed' : 'raw';
  } finally {
    watchdog.leave();
    endCall();
  }
  const ms = performance.now() - t0;
  const after = memory();
  counts.calls++;
  counts[outcome]++;
  const name = error instanceof Error ? error.constructor.name : outcome;
  counts.byError[name] = (counts.byError[name] ?? 0) + 1;
  const failures: Failure[] = [];
  if (outcome === 'returned') failures.push({ call: label, problem: 'returned instead of throwing' });
  if (outcome === 'raw') failures.push({ call: label, problem: `raw ${String(error)}` });
  if (ms > CALL_MS) {
    counts.slow++;
    failures.push({ call: label, problem: `took ${ms.toFixed(0)} ms` });
  }
  if (after.bytesInUse !== before.bytesInUse || after.liveTensors !== before.liveTensors) {
    counts.leaked++;
    failures.push({
      call: label,
      problem: `kept ${after.bytesInUse - before.bytesInUse} bytes / ${after.liveTensors - before.liveTensors} tensors`,
    });
  }
  return failures;
}

/** Weights after a short seeded Adam run, as bits: equal bits mean the runtime behaves as before. */
function trainBits(): number[] {
  manualSeed(7);
  const model = new Sequential([new Linear(5, 8), new ReLU(), new Linear(8, 3)]);
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const lossFn = new CrossEntropyLoss();
  const x = tensor(Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.3)), [8, 5]);
  const y = tensor([0, 1, 2, 0, 1, 2, 0, 1]);
  try {
    for (let step = 0; step < 10; step++) {
      optimizer.zeroGrad();
      lossFn.forward(model.forward(x), y).backward();
      optimizer.step();
    }
    return Array.from(new Uint32Array(model.parameterBlock.toArray().buffer));
  } finally {
    for (const d of [x, y, lossFn, optimizer, model]) d.dispose();
  }
}

let watchdog: Watchdog;
let baseline: number[];

beforeAll(async () => {
  await init();
  baseline = trainBits();
  watchdog = await startWatchdog(HANG_MS);
});

afterAll(async () => {
  await watchdog?.stop();
  if (typeof process === 'undefined' || !process.versions?.node || typeof window !== 'undefined') return;
  const fs = await import(/* @vite-ignore */ 'node:fs');
  fs.mkdirSync('test-results/what-we-test', { recursive: true });
  const report = { seed: SEED, runsPerGeneratedCase: RUNS, cases: all.length, ...counts };
  fs.writeFileSync('test-results/what-we-test/fuzz.json', `${JSON.stringify(report, null, 2)}\n`);
});

describe('fuzz: invalid calls throw a DescentError, in time, keeping no memory', () => {
  for (const { file, cases } of files) {
    describe(file, () => {
      cases.forEach((c, index) => {
        it(c.name, async () => {
          const failures: Failure[] = [];
          const samples = c.args === undefined ? [undefined] : fc.sample(c.args, { seed: SEED + index, numRuns: RUNS });
          for (const args of samples) {
            const label = c.args === undefined ? c.name : `${c.name} with ${fc.stringify(args)}`;
            failures.push(...await callOnce(c, args, label, watchdog));
            counts.byFile[file] = (counts.byFile[file] ?? 0) + 1;
          }
          expect(failures.slice(0, 5)).toEqual([]);
        });
      });
    });
  }
});

describe('after the fuzz', () => {
  it('a model trains bit-identically to the run before it', () => {
    expect(counts.calls).toBeGreaterThan(0);
    expect(trainBits()).toEqual(baseline);
  });
});
