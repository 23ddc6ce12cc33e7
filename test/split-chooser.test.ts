import { describe, expect, it } from 'vitest';
import { SplitChooser } from '../src/backend/split-chooser.js';

// The threads build's choice, per call shape, between splitting a call across the pool and running
// it on the calling thread (src/backend/split-chooser.ts), driven here by made-up timings: the
// splits a real run makes are covered by threads.test.ts (bits) and bench/train.ts (speed).

/** Runs `calls` calls at one site; `cost(split, call)` is each call's time in ms. Returns the choices. */
function drive(site: ReturnType<SplitChooser['site']>, calls: number, cost: (split: boolean, call: number) => number, from = 0): boolean[] {
  const choices: boolean[] = [];
  for (let call = from; call < from + calls; call++) {
    const split = site.split();
    choices.push(split);
    site.record(split, cost(split, call));
  }
  return choices;
}

const count = (xs: boolean[], value: boolean) => xs.filter((x) => x === value).length;

describe('SplitChooser', () => {
  it('splits a new shape first, then tries both ways before it chooses', () => {
    const site = new SplitChooser().site('gemm 00 64 64 64');
    const choices = drive(site, 16, () => 1);
    expect(choices[0]).toBe(true);
    // Alternating until each way has its 8 samples.
    expect(choices).toEqual(Array.from({ length: 16 }, (_, i) => i % 2 === 0));
  });

  it('uses the faster way, and tries the other ever more rarely while it stays slower', () => {
    for (const splitFaster of [true, false]) {
      const site = new SplitChooser().site('x');
      const choices = drive(site, 1000, (split) => (split === splitFaster ? 0.2 : 0.3));
      const after = choices.slice(16);
      // Tries at gaps 4, 8, 16, 32, then every 64 calls: at most 2% of the calls after the start.
      expect(count(after, !splitFaster)).toBeGreaterThan(0);
      expect(count(after, !splitFaster)).toBeLessThanOrEqual(0.02 * after.length);
      const { split, serialMs, splitMs } = site.describe();
      expect(split).toBe(splitFaster);
      expect(serialMs).toBeCloseTo(splitFaster ? 0.3 : 0.2, 12);
      expect(splitMs).toBeCloseTo(splitFaster ? 0.2 : 0.3, 12);
    }
  });

  it('counts the tail: a split that is usually faster but now and then waits long is not chosen', () => {
    // Another process keeps a core busy: one split call in four waits 2 ms for a descheduled worker.
    const site = new SplitChooser().site('x');
    const cost = (split: boolean, call: number) => (split ? (call % 4 === 3 ? 2 : 0.15) : 0.3);
    const choices = drive(site, 400, cost);
    expect(site.describe().split).toBe(false);
    // Three tries in four beat the serial estimate, so the tries stay frequent (every 5th call at
    // most: a try that wins asks for the next soon, see the next test), but they never carry the
    // choice: the calls cost on average about what serial ones do, far below always splitting
    // (0.61 ms).
    const after = choices.slice(100);
    expect(count(after, true)).toBeLessThanOrEqual(0.2 * after.length + 1);
    const mean = after.reduce((sum, split, i) => sum + cost(split, 100 + i), 0) / after.length;
    expect(mean).toBeLessThan(0.42);
  });

  it('recovers within a hundred calls from a burst that spoiled every split sample', () => {
    const site = new SplitChooser().site('x');
    // Long settled on splitting, so the tries of the serial way are 64 calls apart...
    drive(site, 600, (split) => (split ? 0.2 : 0.3));
    // ...then 20 calls during which the worker was descheduled now and then (a burst of another
    // thread's work): every split sample in the ring is slow, and the chooser turns to serial.
    drive(site, 20, (split) => (split ? 0.6 : 0.3), 600);
    expect(site.describe().split).toBe(false);
    // The burst is over. Each try of the split now beats the serial estimate and brings the next
    // try close (4 calls), so the slow samples are replaced in 8 tries rather than after gaps
    // doubling to 64 (over 300 calls).
    const after = drive(site, 200, (split) => (split ? 0.2 : 0.3), 620);
    const back = after.findIndex((split, i) => after.slice(i, i + 20).every(Boolean));
    expect(back).toBeGreaterThanOrEqual(0);
    expect(back).toBeLessThan(100);
  });

  it('changes its mind when the machine changes, within a few hundred calls', () => {
    const site = new SplitChooser().site('x');
    // Idle: splitting pays.
    drive(site, 300, (split) => (split ? 0.2 : 0.3));
    expect(site.describe().split).toBe(true);
    // Loaded: the split calls now take longer than the serial ones; the chooser follows at once,
    // as every chosen call is timed.
    const loaded = drive(site, 300, (split) => (split ? 0.5 : 0.3), 300);
    expect(count(loaded.slice(20), true)).toBeLessThan(10);
    expect(site.describe().split).toBe(false);
    // Idle again: found by the occasional try of the split, within a few tries' gaps.
    const idle = drive(site, 600, (split) => (split ? 0.2 : 0.3), 600);
    expect(site.describe().split).toBe(true);
    expect(count(idle.slice(-100), true)).toBeGreaterThan(90);
  });

  it('keeps one site per shape', () => {
    const chooser = new SplitChooser();
    drive(chooser.site('a'), 40, (split) => (split ? 0.1 : 0.2));
    drive(chooser.site('b'), 40, (split) => (split ? 0.2 : 0.1));
    expect(Object.fromEntries(Object.entries(chooser.describe()).map(([k, v]) => [k, v.split]))).toEqual({ a: true, b: false });
  });
});
