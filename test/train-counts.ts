import { afterAll } from 'vitest';

// Counts the training-side tests produce (faults injected, invalid calls rejected), written to
// test-results/what-we-test/train.json for the README's "What we test" section, so the figures
// come from the run and not from a hand. Node only: in the browser the counts are kept and dropped.
//
// Each test file owns one section of the file (rerunning a file replaces its section); the totals
// are summed over the sections. Test files run in parallel workers, so the read-merge-write is
// done under a lock directory.

type Counts = Record<string, Record<string, number>>; // category → kind → count
const counts: Counts = {};

function add(category: string, kind: string, n: number): void {
  const c = (counts[category] ??= {});
  c[kind] = (c[kind] ?? 0) + n;
}

/** A NaN/Inf or other fault injected into a computation that the library had to catch. */
export function countFault(kind: string, n = 1): void {
  add('faultsInjected', kind, n);
}

/** An invalid call that was rejected with a typed error. */
export function countRejected(kind: string, n = 1): void {
  add('invalidCallsRejected', kind, n);
}

/** Registers the file's section: call once at the top level of a test file. */
export function writeCountsAfterAll(section: string): void {
  afterAll(async () => {
    if (typeof process === 'undefined' || !process.versions?.node || typeof window !== 'undefined') return;
    const fs = await import(/* @vite-ignore */ 'node:fs');
    const dir = 'test-results/what-we-test';
    const file = `${dir}/train.json`;
    fs.mkdirSync(dir, { recursive: true });
    const lock = `${file}.lock`;
    for (let tries = 0; ; tries++) {
      try {
        fs.mkdirSync(lock);
        break;
      } catch {
        if (tries > 200) fs.rmSync(lock, { recursive: true, force: true }); // a lock left by a killed run
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    try {
      type Report = { totals: Record<string, number>; sections: Record<string, Counts> };
      let report: Report = { totals: {}, sections: {} };
      try {
        report = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
      } catch {
        // first write, or a file from an older format: start afresh
      }
      report.sections ??= {};
      report.sections[section] = counts;
      const totals: Record<string, number> = {};
      for (const part of Object.values(report.sections)) {
        for (const [category, kinds] of Object.entries(part)) {
          for (const n of Object.values(kinds)) totals[category] = (totals[category] ?? 0) + n;
        }
      }
      report.totals = totals;
      fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  });
}
