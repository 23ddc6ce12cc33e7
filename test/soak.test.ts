import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  init, memory, manualSeed, tensor, fit, Sequential, Linear, ReLU, CrossEntropyLoss,
  SGD, EMAMomentum, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, Yogi, Lion,
  StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
  CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, LambdaLR, MultiplicativeLR, SequentialLR,
  ChainedScheduler, ReduceLROnPlateau, type MemoryInfo, type Optimizer, type Parameter,
} from '../src/index.js';

// The soak: every optimizer and every scheduler trains through `fit` (shuffled batches, a short
// last batch, validation every epoch), and after the first epoch — once the optimizer state and
// the loader's buffers exist — memory() must not move: the same bytes in use, the same tensors,
// the same heap size, the same peak within every later epoch. After each run, disposing the
// model, the optimizer, the loss and the data must return the heap to where the run began. The number of
// steps run goes to test-results/what-we-test/soak.json for the README (Node only).

const SAMPLES = 44; // 5 full batches of 8 and one of 4
const FEATURES = 7;
const CLASSES = 3;
const BATCH = 8;
const STEPS_PER_EPOCH = Math.ceil(SAMPLES / BATCH);
const TOTAL_STEPS = 2000;

type Params = Parameter[];
const OPTIMIZERS: [string, (p: Params) => Optimizer][] = [
  ['SGD', (p) => new SGD(p, { lr: 0.05, momentum: 0.9 })], // first: CyclicLR cycles its momentum
  ['EMAMomentum', (p) => new EMAMomentum(p, { lr: 0.05 })],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.05 })],
  ['RMSprop', (p) => new RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true })],
  ['Adadelta', (p) => new Adadelta(p)],
  ['Adam', (p) => new Adam(p, { lr: 0.01, amsgrad: true })], // sixth: OneCycleLR cycles its beta1
  ['AdamW', (p) => new AdamW(p, { lr: 0.01 })],
  ['Adamax', (p) => new Adamax(p, { lr: 0.01 })],
  ['NAdam', (p) => new NAdam(p, { lr: 0.01 })],
  ['RAdam', (p) => new RAdam(p, { lr: 0.01 })],
  ['Yogi', (p) => new Yogi(p, { lr: 0.01 })],
  ['Lion', (p) => new Lion(p, { lr: 0.001, weightDecay: 0.01 })],
];

type Scheduler = { step(metric?: number): void };
interface SchedulerCase {
  name: string;
  make: (o: Optimizer, epochs: number) => Scheduler;
  per?: 'batch';
}
const SCHEDULERS: SchedulerCase[] = [
  { name: 'CyclicLR', make: (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.05, stepSizeUp: 10 }), per: 'batch' },
  { name: 'StepLR', make: (o) => new StepLR(o, { stepSize: 5, gamma: 0.7 }) },
  { name: 'MultiStepLR', make: (o) => new MultiStepLR(o, { milestones: [3, 9, 15], gamma: 0.5 }) },
  { name: 'ConstantLR', make: (o) => new ConstantLR(o, { factor: 0.5, totalIters: 4 }) },
  { name: 'LinearLR', make: (o) => new LinearLR(o, { startFactor: 0.25, totalIters: 6 }) },
  { name: 'OneCycleLR', make: (o, epochs) => new OneCycleLR(o, { maxLr: 0.02, totalSteps: epochs * STEPS_PER_EPOCH }), per: 'batch' },
  { name: 'ExponentialLR', make: (o) => new ExponentialLR(o, { gamma: 0.95 }) },
  { name: 'PolynomialLR', make: (o) => new PolynomialLR(o, { totalIters: 30, power: 2 }) },
  { name: 'CosineAnnealingLR', make: (o) => new CosineAnnealingLR(o, { tMax: 10, etaMin: 1e-4 }) },
  { name: 'CosineAnnealingWarmRestarts', make: (o) => new CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2 }) },
  { name: 'LambdaLR', make: (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + 0.1 * e) }) },
  { name: 'MultiplicativeLR', make: (o) => new MultiplicativeLR(o, { lrLambda: () => 0.97 }) },
  {
    name: 'SequentialLR',
    make: (o) => new SequentialLR(o, {
      schedulers: [new LinearLR(o, { startFactor: 0.5, totalIters: 3 }), new ExponentialLR(o, { gamma: 0.9 })],
      milestones: [3],
    }),
  },
  {
    name: 'ChainedScheduler',
    make: (o) => new ChainedScheduler([new ConstantLR(o, { factor: 0.5, totalIters: 2 }), new ExponentialLR(o, { gamma: 0.95 })]),
  },
  { name: 'ReduceLROnPlateau', make: (o) => new ReduceLROnPlateau(o, { patience: 1, factor: 0.5 }) },
];

const RUNS = Math.max(OPTIMIZERS.length, SCHEDULERS.length);
const EPOCHS = Math.ceil(TOTAL_STEPS / RUNS / STEPS_PER_EPOCH);

/** Separable-ish random data: the class is the argmax of a fixed projection of the features. */
function makeData(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const rows = SAMPLES + BATCH;
  const x = Float32Array.from({ length: rows * FEATURES }, next);
  const y = Array.from({ length: rows }, (_, r) => {
    const scores = [0, 1, 2].map((c) => x[r * FEATURES + c] + 0.5 * x[r * FEATURES + 3 + c]);
    return scores.indexOf(Math.max(...scores));
  });
  return {
    x: tensor(x.subarray(0, SAMPLES * FEATURES), [SAMPLES, FEATURES]),
    y: tensor(y.slice(0, SAMPLES)),
    valX: tensor(x.subarray(SAMPLES * FEATURES), [BATCH, FEATURES]),
    valY: tensor(y.slice(SAMPLES)),
  };
}

const steady = ({ bytesInUse, liveTensors, heapBytes }: MemoryInfo) => ({ bytesInUse, liveTensors, heapBytes });

let stepsRun = 0;
const runs: { optimizer: string; scheduler: string; epochs: number; steps: number }[] = [];

describe(`a ${TOTAL_STEPS}-step soak with every optimizer and scheduler`, () => {
  beforeAll(async () => {
    await init({ backend: 'wasm' });
    // The runtime keeps one gemm packing workspace, grown to the largest gemm so far (bytes in
    // use, but no tensor): let a first pass size it, so each run below starts from a settled heap.
    const model = new Sequential([new Linear(FEATURES, 13), new ReLU(), new Linear(13, CLASSES)]);
    const optimizer = new SGD(model.parameters(), { lr: 0.01 });
    const loss = new CrossEntropyLoss();
    const data = makeData(0);
    await fit(model, data.x, data.y, { loss, optimizer, epochs: 1, batchSize: BATCH, validationData: [data.valX, data.valY] });
    for (const d of [model, optimizer, loss, ...Object.values(data)]) d.dispose();
  });

  for (let i = 0; i < RUNS; i++) {
    const [optName, makeOptimizer] = OPTIMIZERS[i % OPTIMIZERS.length];
    const sched = SCHEDULERS[i % SCHEDULERS.length];
    it(`${optName} with ${sched.name}: memory() flat after the first epoch, and back to the start when disposed`, async () => {
      manualSeed(100 + i);
      const before = memory();
      const data = makeData(i + 1);
      const model = new Sequential([new Linear(FEATURES, 13), new ReLU(), new Linear(13, CLASSES)]);
      const optimizer = makeOptimizer(model.parameters());
      const scheduler = sched.make(optimizer, EPOCHS);
      const loss = new CrossEntropyLoss(); // keeps its scratch buffers between calls, until disposed
      const afterEpoch: MemoryInfo[] = [];
      let steps = 0;
      const history = await fit(model, data.x, data.y, {
        loss, optimizer, scheduler, schedulerStep: sched.per ?? 'epoch',
        epochs: EPOCHS, batchSize: BATCH, shuffle: true, seed: i, validationData: [data.valX, data.valY],
        callbacks: [{
          onBatchEnd: () => void steps++,
          // Each epoch's figures, then a new peak window, so every epoch's peak is its own.
          onEpochEnd: () => void afterEpoch.push(memory({ resetPeak: true })),
        }],
      });
      expect(steps).toBe(EPOCHS * STEPS_PER_EPOCH);
      expect(history.epochs.length).toBe(EPOCHS);
      expect(history.history.loss.every(Number.isFinite)).toBe(true);
      // The network learns (a soak that trains nothing would hide a broken update).
      expect(history.history.loss[EPOCHS - 1]).toBeLessThan(history.history.loss[0]);

      const first = afterEpoch[0];
      for (const later of afterEpoch.slice(1)) expect(steady(later)).toEqual(steady(first));
      for (const later of afterEpoch.slice(2)) expect(later.peakBytes).toBe(afterEpoch[1].peakBytes);
      expect(first.liveTensors).toBeGreaterThan(before.liveTensors);

      model.dispose();
      optimizer.dispose();
      loss.dispose();
      for (const t of Object.values(data)) t.dispose();
      const after = memory();
      expect([after.bytesInUse, after.liveTensors]).toEqual([before.bytesInUse, before.liveTensors]);
      stepsRun += steps;
      runs.push({ optimizer: optName, scheduler: sched.name, epochs: EPOCHS, steps });
    });
  }

  it(`ran at least ${TOTAL_STEPS} steps over every optimizer and scheduler`, () => {
    expect(stepsRun).toBeGreaterThanOrEqual(TOTAL_STEPS);
    expect(new Set(runs.map((r) => r.optimizer)).size).toBe(OPTIMIZERS.length);
    expect(new Set(runs.map((r) => r.scheduler)).size).toBe(SCHEDULERS.length);
  });
});

afterAll(async () => {
  if (typeof process === 'undefined' || !process.versions?.node || typeof window !== 'undefined') return;
  const fs = await import(/* @vite-ignore */ 'node:fs');
  fs.mkdirSync('test-results/what-we-test', { recursive: true });
  const report = {
    stepsSoaked: stepsRun, runs: runs.length, optimizers: OPTIMIZERS.length, schedulers: SCHEDULERS.length,
    flatAfterEpoch: 1, detail: runs,
  };
  fs.writeFileSync('test-results/what-we-test/soak.json', `${JSON.stringify(report, null, 2)}\n`);
});
