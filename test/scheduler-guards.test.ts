import { describe, it, expect, beforeAll } from 'vitest';
import { init } from '../src/index.js';
import { expectRejected } from './rejects.js';
import { NonFiniteError, OptionError, type DescentError } from '../src/core/errors.js';
import {
  StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
  CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, LambdaLR, MultiplicativeLR, SequentialLR,
  ChainedScheduler, ReduceLROnPlateau, type SchedulableOptimizer, type SchedulableParamGroup, type SchedulerBase,
} from '../src/schedulers/index.js';
import { countFault, writeCountsAfterAll } from './train-counts.js';

writeCountsAfterAll('schedulers');

const opt = (...groups: SchedulableParamGroup[]): SchedulableOptimizer & { paramGroups: SchedulableParamGroup[] } =>
  ({ paramGroups: groups.length ? groups : [{ lr: 0.1, momentum: 0.9 }] });

/** A typed error, its message, nothing kept on the heap (schedulers allocate nothing), counted. */
const rejects = (call: () => unknown, type: new (...a: never[]) => DescentError, message: string | RegExp) =>
  expectRejected(call, type, message, 'schedulers');

beforeAll(() => init());

describe('schedulers reject unknown option keys, naming the valid ones', () => {
  // [scheduler, a constructor call with one misspelt key, the valid keys, the suggestion]
  const cases: [string, (o: SchedulableOptimizer) => unknown, string, string | null][] = [
    ['StepLR', (o) => new StepLR(o, { stepSize: 2, step_size: 3 } as never), 'stepSize, gamma, lastEpoch', 'stepSize'],
    ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [2], gama: 0.5 } as never), 'milestones, gamma, lastEpoch', 'gamma'],
    ['ConstantLR', (o) => new ConstantLR(o, { factors: 0.5 } as never), 'factor, totalIters, lastEpoch', 'factor'],
    ['LinearLR', (o) => new LinearLR(o, { start_factor: 0.5 } as never), 'startFactor, endFactor, totalIters, lastEpoch', 'startFactor'],
    ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.9, last_epoch: -1 } as never), 'gamma, lastEpoch', 'lastEpoch'],
    ['PolynomialLR', (o) => new PolynomialLR(o, { totalIter: 4 } as never), 'totalIters, power, lastEpoch', 'totalIters'],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { T_max: 10 } as never), 'tMax, etaMin, lastEpoch', 'tMax'],
    ['CosineAnnealingWarmRestarts', (o) => new CosineAnnealingWarmRestarts(o, { t0: 5, T_mult: 2 } as never), 't0, tMult, etaMin, lastEpoch', 'tMult'],
    ['CyclicLR', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSize: 4 } as never),
      'baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, lastEpoch', 'stepSizeUp'],
    ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pct_start: 0.2 } as never),
      'maxLr, totalSteps, epochs, stepsPerEpoch, pctStart, annealStrategy, divFactor, finalDivFactor, threePhase, cycleMomentum, baseMomentum, maxMomentum, lastEpoch', 'pctStart'],
    ['LambdaLR', (o) => new LambdaLR(o, { lr_lambda: () => 1 } as never), 'lrLambda, lastEpoch', 'lrLambda'],
    ['MultiplicativeLR', (o) => new MultiplicativeLR(o, { lrLambda: () => 1, verbose: true } as never), 'lrLambda, lastEpoch', null],
    ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 2, min_lr: 0.01 } as never), 'mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps', 'minLr'],
    ['SequentialLR', (o) => new SequentialLR(o, { schedulers: [new ConstantLR(o), new ExponentialLR(o, { gamma: 0.9 })], milestones: [2], milestone: [2] } as never),
      'schedulers, milestones, lastEpoch', 'milestones'],
  ];
  for (const [name, make, valid, guess] of cases) {
    it(`${name}`, () => {
      const o = opt();
      const before = structuredClone(o.paramGroups);
      const tail = guess === null ? '' : `; did you mean ${guess}?`;
      rejects(() => make(o), OptionError, new RegExp(`^${name}: unknown option \\w+ \\(valid: ${valid}\\)${tail.replace(/[?]/g, '\\?')}$`));
      if (name !== 'SequentialLR') expect(o.paramGroups).toEqual(before); // rejected before the optimizer is touched
    });
  }

  it('options that are not an object', () => {
    rejects(() => new StepLR(opt(), null as never), OptionError, /^StepLR: options must be an object like \{ stepSize, gamma, lastEpoch \}, got null$/);
    rejects(() => new ReduceLROnPlateau(opt(), 'min' as never), OptionError, /^ReduceLROnPlateau: options must be an object like \{ mode, .*\}, got "min"$/);
  });
});

describe('loadStateDict checks what it restores', () => {
  const makers: [string, (o: SchedulableOptimizer) => SchedulerBase][] = [
    ['StepLR', (o) => new StepLR(o, { stepSize: 2 })],
    ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1 })],
    ['SequentialLR', (o) => new SequentialLR(o, { schedulers: [new ConstantLR(o), new ExponentialLR(o, { gamma: 0.9 })], milestones: [2] })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: null, a lastEpoch 'x' or 1.5, a list of the wrong length are rejected and the state is left as it was`, () => {
      const s = make(opt());
      for (let i = 0; i < 3; i++) (s as unknown as { step(m?: number): void }).step(1);
      const sd = s.stateDict();
      rejects(() => s.loadStateDict(null as never), OptionError, `${name}.loadStateDict: state must be an object returned by stateDict(), got null`);
      rejects(() => s.loadStateDict('abc' as never), OptionError, /state must be an object returned by stateDict\(\), got "abc"$/);
      rejects(() => s.loadStateDict({ ...sd, lastEpoch: 'x' }), OptionError, `${name}.loadStateDict: lastEpoch must be a finite number, got "x"`);
      rejects(() => s.loadStateDict({ ...sd, lastEpoch: 1.5 }), OptionError, /^.*\.loadStateDict: lastEpoch must be an integer in \[-1, ∞\), got 1.5$/);
      rejects(() => s.loadStateDict({ ...sd, lastLr: [0.1, 0.2] }), OptionError, `${name}.loadStateDict: lastLr must have 1 entries, got [0.1, 0.2]`);
      rejects(() => s.loadStateDict({ ...sd, lastLr: ['a'] }), OptionError, `${name}.loadStateDict: lastLr[0] must be a finite number, got "a"`);
      rejects(() => s.loadStateDict({ ...sd, lastLr: [null] }), OptionError, `${name}.loadStateDict: lastLr[0] must be a finite number, got null`);
      expect(s.stateDict()).toEqual(sd);
      s.loadStateDict(JSON.parse(JSON.stringify(sd)));
      expect(s.stateDict()).toEqual(sd);
    });
  }

  it('SequentialLR: a state whose second scheduler is bad loads nothing, not the first scheduler and its own epoch', () => {
    const o = opt();
    const s = new SequentialLR(o, { schedulers: [new ConstantLR(o), new ExponentialLR(o, { gamma: 0.9 })], milestones: [2] });
    const start = s.stateDict();
    for (let i = 0; i < 3; i++) s.step();
    const later = s.stateDict() as typeof start & { schedulers: Record<string, unknown>[] };
    expect(later.lastEpoch).toBe(3);
    const fresh = new SequentialLR(o, { schedulers: [new ConstantLR(o), new ExponentialLR(o, { gamma: 0.9 })], milestones: [2] });
    const bad = { ...later, schedulers: [later.schedulers[0], { ...later.schedulers[1], lastEpoch: 'x' }] };
    const before = fresh.stateDict();
    rejects(() => fresh.loadStateDict(bad as never), OptionError, 'ExponentialLR.loadStateDict: lastEpoch must be a finite number, got "x"');
    expect(fresh.stateDict()).toEqual(before);
    expect(fresh.schedulers[0].lastEpoch).toBe((before as typeof later).schedulers[0].lastEpoch);
  });

  it("ReduceLROnPlateau's best may be null (no metric seen yet) or a number, and nothing else", () => {
    const fresh = new ReduceLROnPlateau(opt()).stateDict();
    const s = new ReduceLROnPlateau(opt());
    s.step(0.5);
    s.loadStateDict(fresh);
    expect(s.best).toBeNull();
    s.loadStateDict({ ...fresh, best: 0.25 });
    expect(s.best).toBe(0.25);
    rejects(() => s.loadStateDict({ ...fresh, best: 'low' }), OptionError, 'ReduceLROnPlateau.loadStateDict: best must be a finite number or null, got "low"');
  });

  it("the string lastEpoch the issue found no longer turns into '\"x1\"' at the next step", () => {
    const s = new StepLR(opt(), { stepSize: 2 });
    expect(() => s.loadStateDict({ ...s.stateDict(), lastEpoch: 'x' })).toThrow(OptionError);
    s.step();
    expect(s.lastEpoch).toBe(1);
  });
});

describe('non-finite and negative rates', () => {
  it('ReduceLROnPlateau.step(NaN or ±Inf) is a NonFiniteError naming the epoch; the counters are untouched', () => {
    const o = opt();
    const s = new ReduceLROnPlateau(o, { patience: 0 });
    s.step(1);
    s.step(2);
    const before = s.stateDict();
    for (const bad of [NaN, Infinity, -Infinity]) {
      rejects(() => s.step(bad), NonFiniteError, new RegExp(`^ReduceLROnPlateau: step\\(metric\\) got ${bad} at epoch 3; a non-finite metric is refused`));
      countFault('ReduceLROnPlateau non-finite metric');
    }
    rejects(() => s.step('0.5' as never), OptionError, `ReduceLROnPlateau: step(metric) needs the epoch's metric as a number, got "0.5"`);
    expect(s.stateDict()).toEqual(before);
    expect(o.paramGroups[0].lr).toBeCloseTo(0.01, 12); // one reduction, from epoch 2 only
  });

  it('a LambdaLR that turns the lr negative is refused at that epoch, and the step is undone', () => {
    const o = opt();
    const s = new LambdaLR(o, { lrLambda: (e) => 1 - e / 3 });
    for (let i = 0; i < 3; i++) s.step();
    expect(o.paramGroups[0].lr).toBe(0);
    rejects(() => s.step(), OptionError, /^LambdaLR: the schedule gives param group 0 the lr -0.0333333\d* at epoch 4; an lr must be a finite number ≥ 0$/);
    countFault('LambdaLR negative lr');
    expect(s.lastEpoch).toBe(3);
    expect(o.paramGroups[0].lr).toBe(0);
  });

  it('a LambdaLR returning NaN, Infinity or a non-number names the group and the epoch', () => {
    rejects(() => new LambdaLR(opt(), { lrLambda: () => NaN }), NonFiniteError, 'LambdaLR: lrLambda for param group 0 returned NaN at epoch 0; it must return a finite number');
    const s = new LambdaLR(opt(), { lrLambda: (e) => (e === 2 ? Infinity : 1) });
    s.step();
    rejects(() => s.step(), NonFiniteError, 'LambdaLR: lrLambda for param group 0 returned Infinity at epoch 2; it must return a finite number');
    rejects(() => new LambdaLR(opt(), { lrLambda: () => 'x' as never }), OptionError, 'LambdaLR: lrLambda for param group 0 returned "x" at epoch 0; it must return a finite number');
    countFault('LambdaLR non-finite factor', 3);
  });

  it('a MultiplicativeLR with a negative factor is refused too', () => {
    const o = opt();
    const s = new MultiplicativeLR(o, { lrLambda: () => -0.5 });
    rejects(() => s.step(), OptionError, 'MultiplicativeLR: the schedule gives param group 0 the lr -0.05 at epoch 1; an lr must be a finite number ≥ 0');
    expect(o.paramGroups[0].lr).toBe(0.1);
    const chained = new ChainedScheduler([new MultiplicativeLR(o, { lrLambda: () => -1 })]);
    rejects(() => chained.step(), OptionError, /^MultiplicativeLR: the schedule gives param group 0 the lr -0.1 at epoch 1/);
  });
});
