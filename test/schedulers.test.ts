import { describe, it, expect } from 'vitest';
// The scheduler vectors, imported as JSON like test/golden.ts does, so the file runs in Node and Chromium.
import schedulersJson from '../../shared/golden/schedulers.json';
import { expectAllClose, trainingCases } from './golden.js';
import { OptionError } from '../src/core/errors.js';
import {
  StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
  CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, LambdaLR, MultiplicativeLR, SequentialLR,
  ChainedScheduler, ReduceLROnPlateau, LRScheduler, SchedulerBase,
  type SchedulableOptimizer, type SchedulableParamGroup, type ChainableScheduler,
} from '../src/schedulers/index.js';

// ../shared/golden/README.md: scheduler lrs within 1e-6 relative, 1e-12 absolute.
const ATOL = 1e-12, RTOL = 1e-6;

interface SchedulerSpec { scheduler: string; options: Record<string, unknown> }
const cases = schedulersJson.cases as unknown as (SchedulerSpec & {
  name: string; optimizer: { name: string; lr: number }; steps: number; metrics?: number[]; expected: number[];
})[];

/** A stand-in for any optimizer: the schedulers only read and write its param groups. */
function fakeOptimizer(...groups: SchedulableParamGroup[]): SchedulableOptimizer & { paramGroups: SchedulableParamGroup[] } {
  return { paramGroups: groups };
}

/** Builds a scheduler from a golden spec; lrLambda arrives as JavaScript source. */
function build(opt: SchedulableOptimizer, spec: SchedulerSpec): SchedulerBase {
  const o = { ...spec.options } as Record<string, unknown>;
  if (typeof o.lrLambda === 'string') o.lrLambda = new Function(`return ${o.lrLambda}`)();
  const children = (): ChainableScheduler[] =>
    (o.schedulers as SchedulerSpec[]).map((s) => build(opt, s) as ChainableScheduler);
  const any = o as never;
  switch (spec.scheduler) {
    case 'StepLR': return new StepLR(opt, any);
    case 'MultiStepLR': return new MultiStepLR(opt, any);
    case 'ConstantLR': return new ConstantLR(opt, any);
    case 'LinearLR': return new LinearLR(opt, any);
    case 'ExponentialLR': return new ExponentialLR(opt, any);
    case 'PolynomialLR': return new PolynomialLR(opt, any);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(opt, any);
    case 'CosineAnnealingWarmRestarts': return new CosineAnnealingWarmRestarts(opt, any);
    case 'CyclicLR': return new CyclicLR(opt, any);
    case 'OneCycleLR': return new OneCycleLR(opt, any);
    case 'LambdaLR': return new LambdaLR(opt, any);
    case 'MultiplicativeLR': return new MultiplicativeLR(opt, any);
    case 'ReduceLROnPlateau': return new ReduceLROnPlateau(opt, any);
    case 'SequentialLR': return new SequentialLR(opt, { ...any as object, schedulers: children() as LRScheduler[] } as never);
    case 'ChainedScheduler': return new ChainedScheduler(children());
    default: throw new Error(`unknown scheduler ${spec.scheduler}`);
  }
}

function stepOnce(s: SchedulerBase, metric?: number): void {
  if (s instanceof ReduceLROnPlateau) s.step(metric as number);
  else (s as ChainableScheduler).step();
}

describe('schedulers match torch on ../shared/golden/schedulers.json', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const c of cases) {
    it(`${c.name}: lr after construction and after each of ${c.steps} steps`, () => {
      expect(c.expected.length).toBe(c.steps + 1);
      const opt = fakeOptimizer({ lr: c.optimizer.lr });
      const sched = build(opt, c);
      const lrs = [opt.paramGroups[0].lr];
      for (let i = 0; i < c.steps; i++) {
        stepOnce(sched, c.metrics?.[i]);
        lrs.push(opt.paramGroups[0].lr);
        expect(sched.getLastLr()).toEqual([opt.paramGroups[0].lr]);
      }
      expectAllClose(lrs, c.expected, ATOL, RTOL, c.name);
    });
  }
});

describe("the course's loop: epochs of mini-batches, scheduler.step() once per epoch", () => {
  const EPOCHS = 10, BATCHES = 5, LR = 0.1;
  // The schedule each promises for epoch e, written out independently of the code under test.
  const promises: [string, (opt: SchedulableOptimizer) => SchedulerBase, (e: number) => number][] = [
    ['ExponentialLR gamma 0.9', (o) => new ExponentialLR(o, { gamma: 0.9 }), (e) => LR * 0.9 ** e],
    ['StepLR stepSize 3 gamma 0.5', (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }), (e) => LR * 0.5 ** Math.floor(e / 3)],
    ['CosineAnnealingLR tMax 10', (o) => new CosineAnnealingLR(o, { tMax: 10 }), (e) => (LR * (1 + Math.cos((Math.PI * e) / 10))) / 2],
    ['LinearLR warm-up over 4', (o) => new LinearLR(o, { startFactor: 0.25, totalIters: 4 }), (e) => LR * (0.25 + (0.75 * Math.min(e, 4)) / 4)],
    ['LambdaLR 1/(1+e)', (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) }), (e) => LR / (1 + e)],
  ];

  for (const [name, make, promised] of promises) {
    it(`${name}: every batch of epoch e trains with the schedule's value for e`, () => {
      const used: number[][] = [];
      const opt = {
        paramGroups: [{ lr: LR, momentum: 0 }] as SchedulableParamGroup[],
        step() { used[used.length - 1].push(this.paramGroups[0].lr); },
      };
      const sched = make(opt) as ChainableScheduler;
      for (let epoch = 0; epoch < EPOCHS; epoch++) {
        used.push([]);
        for (let b = 0; b < BATCHES; b++) opt.step();
        sched.step();
      }
      used.forEach((batches, e) => {
        expect(batches.length).toBe(BATCHES);
        expectAllClose(batches, new Array(BATCHES).fill(promised(e)), ATOL, RTOL, `${name} epoch ${e}`);
      });
    });
  }

  for (const c of trainingCases.filter((t) => t.scheduler !== null)) {
    it(`${c.name}: the lr of every step of training.json (the optimizer itself is tested with issue #5)`, () => {
      const opt = fakeOptimizer({ lr: c.optimizer.options.lr as number });
      const sched = build(opt, { scheduler: c.scheduler!.name, options: c.scheduler!.options });
      expect(c.scheduler!.stepEvery).toBe('epoch');
      const lrs: number[] = [];
      for (let e = 0; e < c.epochs; e++) {
        for (let b = 0; b < c.stepsPerEpoch; b++) lrs.push(opt.paramGroups[0].lr);
        stepOnce(sched);
      }
      expectAllClose(lrs, c.expected.lrs, ATOL, RTOL, `${c.name} lrs`);
    });
  }
});

describe('per-group rates', () => {
  it('StepLR decays each group from its own lr', () => {
    const opt = fakeOptimizer({ lr: 0.1 }, { lr: 0.01 });
    const s = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    for (let i = 0; i < 4; i++) s.step();
    expectAllClose(s.getLastLr(), [0.025, 0.0025], ATOL, RTOL, 'lrs');
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.01]);
  });

  it('CyclicLR takes baseLr and maxLr per group', () => {
    const opt = fakeOptimizer({ lr: 1 }, { lr: 1 });
    const s = new CyclicLR(opt, { baseLr: [0.01, 0.1], maxLr: [0.05, 0.3], stepSizeUp: 2, cycleMomentum: false });
    expect(s.getLastLr()).toEqual([0.01, 0.1]);
    s.step(); s.step();
    expectAllClose(s.getLastLr(), [0.05, 0.3], ATOL, RTOL, 'peak');
  });

  it('OneCycleLR takes maxLr per group; LambdaLR a function per group', () => {
    const a = fakeOptimizer({ lr: 1 }, { lr: 1 });
    const one = new OneCycleLR(a, { maxLr: [1, 2], totalSteps: 10, cycleMomentum: false });
    expectAllClose(one.getLastLr(), [1 / 25, 2 / 25], ATOL, RTOL, 'start');
    const b = fakeOptimizer({ lr: 0.1 }, { lr: 0.2 });
    const lam = new LambdaLR(b, { lrLambda: [(e) => e + 1, (e) => 0.5 ** e] });
    lam.step();
    expectAllClose(lam.getLastLr(), [0.2, 0.1], ATOL, RTOL, 'lambda');
  });

  it('ReduceLROnPlateau floors each group at its own minLr', () => {
    const opt = fakeOptimizer({ lr: 0.1 }, { lr: 0.1 });
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5, minLr: [0.04, 0] });
    for (const m of [1, 1, 1, 1]) s.step(m);
    expectAllClose(s.getLastLr(), [0.04, 0.0125], ATOL, RTOL, 'lrs');
  });

  it('rejects a per-group list of the wrong length', () => {
    const opt = fakeOptimizer({ lr: 0.1 }, { lr: 0.1 });
    expect(() => new CyclicLR(opt, { baseLr: [0.1], maxLr: 1 })).toThrow(/CyclicLR: baseLr has 1 values, but the optimizer has 2 param groups/);
    expect(() => new LambdaLR(opt, { lrLambda: [(e) => e] })).toThrow(/LambdaLR: lrLambda has 1 values/);
  });
});

describe('momentum cycling', () => {
  it('CyclicLR cycles momentum inversely to the lr, and β1 of Adam-like groups, keeping β2', () => {
    const sgd = fakeOptimizer({ lr: 0.5, momentum: 0.5 });
    const adam = fakeOptimizer({ lr: 0.5, betas: [0.9, 0.999] });
    const opts = { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 5, baseMomentum: 0.8, maxMomentum: 0.9 };
    const a = new CyclicLR(sgd, opts);
    const b = new CyclicLR(adam, opts);
    for (let i = 0; i <= 16; i++) {
      if (i > 0) { a.step(); b.step(); }
      // Triangular: the lr's height in [baseLr, maxLr] is the momentum's depth below maxMomentum.
      const h = (sgd.paramGroups[0].lr - 0.01) / 0.09;
      expectAllClose([sgd.paramGroups[0].momentum!], [0.9 - 0.1 * h], ATOL, RTOL, `momentum at ${i}`);
      expectAllClose([...adam.paramGroups[0].betas!], [0.9 - 0.1 * h, 0.999], ATOL, RTOL, `betas at ${i}`);
    }
    expect(sgd.paramGroups[0].lr).toBeCloseTo(0.01, 12); // a full cycle of 3 + 5
  });

  it('OneCycleLR takes momentum from maxMomentum down to baseMomentum and back, in step with the lr', () => {
    const opt = fakeOptimizer({ lr: 0.1, momentum: 0.9 });
    const T = 20, maxLr = 1;
    const s = new OneCycleLR(opt, { maxLr, totalSteps: T, pctStart: 0.25 });
    const [start, end] = [maxLr / 25, maxLr / 25 / 1e4];
    const peak = 0.25 * T - 1;
    for (let t = 0; t < T; t++) {
      if (t > 0) s.step();
      const { lr, momentum } = opt.paramGroups[0];
      // Both anneal with the same pct within a phase, so each is an affine image of the other.
      const want = t <= peak ? 0.95 - (0.1 * (lr - start)) / (maxLr - start) : 0.85 + (0.1 * (maxLr - lr)) / (maxLr - end);
      expectAllClose([momentum!], [want], 1e-9, RTOL, `momentum at ${t}`);
    }
    expectAllClose([opt.paramGroups[0].momentum!, opt.paramGroups[0].lr], [0.95, end], ATOL, RTOL, 'end');
  });

  it('refuses cycleMomentum for an optimizer with neither momentum nor betas', () => {
    const opt = fakeOptimizer({ lr: 0.1 });
    expect(() => new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1 })).toThrow(OptionError);
    expect(() => new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10 })).toThrow(/cycleMomentum needs param groups with momentum or betas.*cycleMomentum: false/);
  });
});

describe('option validation', () => {
  const opt = () => fakeOptimizer({ lr: 0.1 });
  const bad: [string, () => unknown, RegExp][] = [
    ['StepLR stepSize 0', () => new StepLR(opt(), { stepSize: 0 }), /^StepLR: stepSize must be an integer in \[1, ∞\), got 0$/],
    ['StepLR stepSize 1.5', () => new StepLR(opt(), { stepSize: 1.5 }), /StepLR: stepSize must be an integer in \[1, ∞\), got 1.5/],
    ['StepLR gamma NaN', () => new StepLR(opt(), { stepSize: 2, gamma: NaN }), /StepLR: gamma must be in \(0, ∞\), got NaN/],
    ['MultiStepLR milestone -1', () => new MultiStepLR(opt(), { milestones: [3, -1] }), /MultiStepLR: milestones\[1\] must be an integer in \[0, ∞\), got -1/],
    ['MultiStepLR no list', () => new MultiStepLR(opt(), { milestones: 3 as never }), /MultiStepLR: milestones must be an array of entries each an integer in \[0, ∞\), got 3/],
    ['ConstantLR factor 0', () => new ConstantLR(opt(), { factor: 0 }), /ConstantLR: factor must be in \(0, 1\], got 0/],
    ['LinearLR startFactor 1.5', () => new LinearLR(opt(), { startFactor: 1.5 }), /LinearLR: startFactor must be in \(0, 1\], got 1.5/],
    ['LinearLR totalIters 0', () => new LinearLR(opt(), { totalIters: 0 }), /LinearLR: totalIters must be an integer in \[1, ∞\), got 0/],
    ['ExponentialLR no gamma', () => new ExponentialLR(opt(), {} as never), /ExponentialLR: gamma is required \(a number in \(0, ∞\)\)/],
    ['PolynomialLR power -1', () => new PolynomialLR(opt(), { power: -1 }), /PolynomialLR: power must be in \[0, ∞\), got -1/],
    ['CosineAnnealingLR tMax 0', () => new CosineAnnealingLR(opt(), { tMax: 0 }), /CosineAnnealingLR: tMax must be an integer in \[1, ∞\), got 0/],
    ['CosineAnnealingWarmRestarts tMult 0', () => new CosineAnnealingWarmRestarts(opt(), { t0: 5, tMult: 0 }), /CosineAnnealingWarmRestarts: tMult must be an integer in \[1, ∞\), got 0/],
    ['CyclicLR mode', () => new CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, mode: 'sine' as never, cycleMomentum: false }), /CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range', got "sine"/],
    ['OneCycleLR no length', () => new OneCycleLR(opt(), { maxLr: 1 }), /OneCycleLR: give totalSteps, or epochs and stepsPerEpoch/],
    ['OneCycleLR pctStart 1.2', () => new OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, pctStart: 1.2, cycleMomentum: false }), /OneCycleLR: pctStart must be in \[0, 1\], got 1.2/],
    ['OneCycleLR anneal', () => new OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, annealStrategy: 'exp' as never, cycleMomentum: false }), /OneCycleLR: annealStrategy must be 'cos' or 'linear', got "exp"/],
    ['LambdaLR not a function', () => new LambdaLR(opt(), { lrLambda: 0.5 as never }), /LambdaLR: lrLambda must be a function or an array of entries each a function, got 0.5/],
    ['ReduceLROnPlateau factor 1', () => new ReduceLROnPlateau(opt(), { factor: 1 }), /ReduceLROnPlateau: factor must be in \[0, 1\), got 1/],
    ['ReduceLROnPlateau mode', () => new ReduceLROnPlateau(opt(), { mode: 'lowest' as never }), /ReduceLROnPlateau: mode must be 'min' or 'max', got "lowest"/],
    ['no param groups', () => new StepLR({ paramGroups: [] }, { stepSize: 1 }), /StepLR: optimizer must have a non-empty paramGroups list/],
    ['lastEpoch -2', () => new StepLR(opt(), { stepSize: 1, lastEpoch: -2 }), /StepLR: lastEpoch must be an integer in \[-1, ∞\), got -2/],
    ['resume without initialLr', () => new ExponentialLR(opt(), { gamma: 0.9, lastEpoch: 3 }), /ExponentialLR: lastEpoch 3 resumes a schedule, but optimizer.paramGroups\[0\] has no initialLr/],
  ];
  for (const [name, make, message] of bad) {
    it(`rejects ${name}`, () => {
      let error: unknown;
      try { make(); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(OptionError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('a rejected CyclicLR or OneCycleLR leaves the optimizer as it was', () => {
    const o = fakeOptimizer({ lr: 0.1, momentum: 0.5 });
    expect(() => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, mode: 'sine' as never })).toThrow(OptionError);
    expect(() => new OneCycleLR(o, { maxLr: 1, totalSteps: 10, annealStrategy: 'exp' as never })).toThrow(OptionError);
    expect(o.paramGroups).toEqual([{ lr: 0.1, momentum: 0.5 }]);
  });

  it('SequentialLR and ChainedScheduler check their schedulers', () => {
    const o = opt();
    const a = new LinearLR(o);
    const b = new ExponentialLR(o, { gamma: 0.9 });
    expect(() => new SequentialLR(o, { schedulers: [a, b], milestones: [] })).toThrow(/SequentialLR: milestones must list 1 epoch/);
    expect(() => new SequentialLR(o, { schedulers: [a, new ReduceLROnPlateau(o) as never], milestones: [3] })).toThrow(/ReduceLROnPlateau, whose step\(\) needs a metric/);
    expect(() => new ChainedScheduler([a, new ExponentialLR(opt(), { gamma: 0.9 })])).toThrow(/ChainedScheduler: schedulers\[1\] drives another optimizer/);
    expect(() => new ChainedScheduler([])).toThrow(/ChainedScheduler: schedulers must be a non-empty list/);
  });
});

describe('torch behaviours beyond the golden cases', () => {
  it('OneCycleLR allows one step past its totalSteps values and throws on the next', () => {
    const opt = fakeOptimizer({ lr: 0.1 });
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 10, cycleMomentum: false });
    for (let i = 0; i < 10; i++) s.step();
    expect(s.lastEpoch).toBe(10);
    expect(() => s.step()).toThrow(/OneCycleLR: step\(\) called 11 times, past the end of the schedule \(totalSteps 10\)/);
    expect(s.lastEpoch).toBe(10);
  });

  it('CosineAnnealingWarmRestarts.step(epoch) takes fractional epochs', () => {
    const opt = fakeOptimizer({ lr: 0.1 });
    const s = new CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 2 });
    // Periods [0, 2), [2, 6), [6, 14): at 3.5 the second period is 1.5 of 4 in.
    for (const [epoch, tCur, tI] of [[0.5, 0.5, 2], [3.5, 1.5, 4], [10, 4, 8], [1, 1, 2]]) {
      s.step(epoch);
      expectAllClose(s.getLastLr(), [(0.1 * (1 + Math.cos((Math.PI * tCur) / tI))) / 2], ATOL, RTOL, `epoch ${epoch}`);
      expect(s.lastEpoch).toBe(Math.floor(epoch));
    }
  });

  it('a scheduler resumed with lastEpoch keeps the lr and continues from there', () => {
    const opt = fakeOptimizer({ lr: 0.1 * 0.9 ** 4, initialLr: 0.1 });
    const s = new ExponentialLR(opt, { gamma: 0.9, lastEpoch: 3 });
    expect(s.lastEpoch).toBe(4);
    expectAllClose(s.getLastLr(), [0.1 * 0.9 ** 4], ATOL, RTOL, 'resumed');
    s.step();
    expectAllClose(s.getLastLr(), [0.1 * 0.9 ** 5], ATOL, RTOL, 'next');
  });
});

describe('stateDict / loadStateDict', () => {
  type Make = (o: SchedulableOptimizer) => SchedulerBase;
  const makers: [string, Make][] = [
    ['StepLR', (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
    ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [2, 5, 9] })],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 7, etaMin: 0.001 })],
    ['CosineAnnealingWarmRestarts', (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2 })],
    ['CyclicLR with momentum', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: 'triangular2' })],
    ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 0.5, totalSteps: 25, threePhase: true })],
    ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) })],
    ['MultiplicativeLR', (o) => new MultiplicativeLR(o, { lrLambda: (e) => (e < 5 ? 0.9 : 0.99) })],
    ['SequentialLR', (o) => new SequentialLR(o, {
      schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: 4 }), new CosineAnnealingLR(o, { tMax: 10 })], milestones: [4] })],
    ['ChainedScheduler', (o) => new ChainedScheduler([new ConstantLR(o, { factor: 0.5, totalIters: 6 }), new ExponentialLR(o, { gamma: 0.9 })])],
    ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1, factor: 0.5, cooldown: 1 })],
  ];
  const metric = (i: number): number => [1, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7][i];

  for (const [name, make] of makers) {
    it(`${name}: a run saved as JSON after 8 steps and loaded into a new scheduler continues identically`, () => {
      const optA = fakeOptimizer({ lr: 0.1, momentum: 0.9 });
      const a = make(optA);
      for (let i = 0; i < 8; i++) stepOnce(a, metric(i));
      const saved = JSON.stringify({ optimizer: optA.paramGroups, scheduler: a.stateDict() });

      const optB = fakeOptimizer({ lr: 0.3, momentum: 0.5 });
      const b = make(optB);
      const restored = JSON.parse(saved);
      optB.paramGroups.splice(0, 1, ...restored.optimizer); // what loading the optimizer's state does
      b.loadStateDict(restored.scheduler);
      expect(b.lastEpoch).toBe(a.lastEpoch);
      expect(b.getLastLr()).toEqual(a.getLastLr());
      for (let i = 8; i < 20; i++) {
        stepOnce(a, metric(i));
        stepOnce(b, metric(i));
        expect(optB.paramGroups).toEqual(optA.paramGroups);
      }
    });
  }

  it('rejects a state with keys the scheduler does not have', () => {
    const s = new StepLR(fakeOptimizer({ lr: 0.1 }), { stepSize: 2 });
    expect(() => s.loadStateDict({ tMax: 3 })).toThrow(/StepLR.loadStateDict: unknown key 'tMax'/);
  });

  it('leaves functions out, as torch', () => {
    const state = new LambdaLR(fakeOptimizer({ lr: 0.1 }), { lrLambda: (e) => e }).stateDict();
    expect(Object.keys(state).sort()).toEqual(['baseLrs', 'lastEpoch', 'lastLr']);
  });
});
