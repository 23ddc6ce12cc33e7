import fc from 'fast-check';
import {
  ChainedScheduler, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, DataLoader, EarlyStopping, ExponentialLR,
  LambdaLR, Linear, LinearLR, MSELoss, MinMaxScaler, ModelCheckpoint, MultiStepLR, MultiplicativeLR, OneCycleLR, PolynomialLR,
  ProgressBar, Random, ReLU, ReduceLROnPlateau, SequentialLR, Sequential, StandardScaler, StepLR, TensorDataset, clipGradNorm,
  clipGradValue, correctCount, datasets, detectAnomaly, takeRows, evaluate, oneHot, predict, setDetectAnomaly, trainTestSplit, type SchedulableOptimizer,
} from '../../src/index.js';
import {
  JUNK, NON_FINITE, T, disposedTensor, fuzz, live, notBoolean, notNumber, notOptions, notTensor, unknownKeyOptions, using,
  type FuzzCase,
} from './case.js';

// Invalid calls to the data pipeline, fit / evaluate / predict and their callbacks, the
// schedulers, gradient clipping and anomaly mode.

/** Not a positive integer: 0, negatives, fractions (1e-9, 2.5), non-finite, not numbers. */
const notPositiveInt = fc.oneof(
  fc.integer({ max: 0 }), fc.double({ noInteger: true, noNaN: true }), fc.constantFrom(...NON_FINITE, 1e-9, 2.5, null), notNumber,
);
const model = () => new Sequential([new Linear(3, 4), new ReLU(), new Linear(4, 2)]);
/** A schedulable optimizer that lives outside the heap. */
const optimizer = (): SchedulableOptimizer => ({ paramGroups: [{ lr: 0.1, momentum: 0.9 }] });
const fakeOptimizer = () => ({ paramGroups: [{ lr: 0.1 }], step() {}, zeroGrad() {} });
const X = T([4, 3]);

const loaderKeys = ['batchSize', 'shuffle', 'dropLast', 'seed'];
const fitKeys = [
  'loss', 'optimizer', 'scheduler', 'schedulerStep', 'epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit',
  'validationData', 'metrics', 'callbacks', 'verbose', 'initialEpoch', 'loaderState',
];

/** fit(model, x, y, { loss, optimizer, ...extra }) on a fresh model, freed after the call. */
const fitWith = (x: unknown, y: unknown, extra: unknown) =>
  using(model, (m) => m.fit(x as never, y as never, { loss: new MSELoss(), optimizer: fakeOptimizer(), ...(extra as object) }));

/** A scheduler constructor with valid required options, to which a case adds one bad entry. */
const schedulers: [string, (o: SchedulableOptimizer, extra: object) => unknown, string[]][] = [
  ['StepLR', (o, e) => new StepLR(o, { stepSize: 2, ...e }), ['stepSize', 'gamma', 'lastEpoch']],
  ['MultiStepLR', (o, e) => new MultiStepLR(o, { milestones: [2, 4], ...e }), ['milestones', 'gamma', 'lastEpoch']],
  ['ConstantLR', (o, e) => new ConstantLR(o, e), ['factor', 'totalIters', 'lastEpoch']],
  ['LinearLR', (o, e) => new LinearLR(o, e), ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']],
  ['ExponentialLR', (o, e) => new ExponentialLR(o, { gamma: 0.9, ...e }), ['gamma', 'lastEpoch']],
  ['PolynomialLR', (o, e) => new PolynomialLR(o, e), ['totalIters', 'power', 'lastEpoch']],
  ['CosineAnnealingLR', (o, e) => new CosineAnnealingLR(o, { tMax: 10, ...e }), ['tMax', 'etaMin', 'lastEpoch']],
  ['CosineAnnealingWarmRestarts', (o, e) => new CosineAnnealingWarmRestarts(o, { t0: 5, ...e }), ['t0', 'tMult', 'etaMin', 'lastEpoch']],
  ['CyclicLR', (o, e) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, ...e }),
    ['baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleFn', 'scaleMode', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'lastEpoch']],
  ['OneCycleLR', (o, e) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, ...e }),
    ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'divFactor', 'finalDivFactor', 'threePhase', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'lastEpoch']],
  ['LambdaLR', (o, e) => new LambdaLR(o, { lrLambda: () => 1, ...e }), ['lrLambda', 'lastEpoch']],
  ['MultiplicativeLR', (o, e) => new MultiplicativeLR(o, { lrLambda: () => 1, ...e }), ['lrLambda', 'lastEpoch']],
  ['ReduceLROnPlateau', (o, e) => new ReduceLROnPlateau(o, e), ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']],
];
/** For each scheduler, one numeric option and values it refuses. */
const badValues: Record<string, [string, fc.Arbitrary<unknown>]> = {
  StepLR: ['stepSize', notPositiveInt],
  MultiStepLR: ['milestones', fc.oneof(notNumber.filter((v) => !Array.isArray(v)), fc.constant([1, -1]), fc.constant([0.5]), fc.constant(['2']))],
  ConstantLR: ['factor', fc.oneof(fc.constantFrom(0, -1, 1.5, ...NON_FINITE), notNumber)],
  LinearLR: ['totalIters', notPositiveInt],
  ExponentialLR: ['gamma', fc.oneof(fc.constantFrom(0, -0.5, ...NON_FINITE), notNumber)],
  PolynomialLR: ['power', fc.oneof(fc.constantFrom(-1, ...NON_FINITE), notNumber)],
  CosineAnnealingLR: ['tMax', notPositiveInt],
  CosineAnnealingWarmRestarts: ['tMult', notPositiveInt],
  CyclicLR: ['mode', fc.oneof(fc.string().filter((s) => !['triangular', 'triangular2', 'exp_range'].includes(s)), notNumber)],
  OneCycleLR: ['pctStart', fc.oneof(fc.constantFrom(-0.1, 1.5, ...NON_FINITE), notNumber)],
  LambdaLR: ['lrLambda', fc.oneof(notNumber.filter((v) => typeof v !== 'function'), fc.constant([() => 1, () => 1]))],
  MultiplicativeLR: ['lastEpoch', fc.oneof(fc.constantFrom(-2, 0.5, ...NON_FINITE), notNumber)],
  ReduceLROnPlateau: ['factor', fc.oneof(fc.constantFrom(1, -0.1, 2, ...NON_FINITE), notNumber)],
};

export const dataCases: FuzzCase[] = [
  fuzz('new DataLoader(dataset) with a tensor, null, an array or junk', fc.oneof(fc.constantFrom(...JUNK, undefined, [1, 2]), fc.constant(X)),
    (d) => new DataLoader(d as never)),
  fuzz('new DataLoader(ds, { batchSize }) not a positive integer', notPositiveInt,
    (b) => new DataLoader(new TensorDataset(live([4, 3])), { batchSize: b as number })),
  fuzz('new DataLoader(ds, { shuffle | dropLast }) not a boolean', fc.tuple(fc.constantFrom('shuffle', 'dropLast'), notBoolean),
    ([k, v]) => new DataLoader(new TensorDataset(live([4, 3])), { [k]: v })),
  fuzz('new DataLoader(ds, options) with a misspelt or foreign key', unknownKeyOptions(loaderKeys, ['batch_size', 'numWorkers', 'drop_last']),
    (o) => new DataLoader(new TensorDataset(live([4, 3])), o as never)),
  fuzz('new DataLoader(ds, options) with options not an object', notOptions, (o) => new DataLoader(new TensorDataset(live([4, 3])), o as never)),
  fuzz('new TensorDataset(...) with a non-tensor, a scalar, a disposed tensor or mismatched rows',
    fc.oneof(notTensor, fc.constant(T([])), disposedTensor([4, 3]), fc.constant(T([3, 2]))), (t) => new TensorDataset(live([4, 3]), t as never)),
  fuzz('oneHot(indices, numClasses) with indices that are not labels', fc.oneof(fc.constantFrom(null, 'abc', {}, 5, ['a'], [[1]], [NaN]), fc.constant(T([2, 2]))),
    (i) => oneHot(i as never, 3)),
  fuzz('oneHot(indices, numClasses) with numClasses not a positive integer, or an index out of range',
    fc.oneof(notPositiveInt.map((n) => [[0, 1], n] as const), fc.constant([[0, 3], 3] as const), fc.constant([[-1], 2] as const)),
    ([i, n]) => oneHot(i as unknown as number[], n as number)),
  fuzz('trainTestSplit(x, y, { stratify }) not labels', fc.oneof(fc.constantFrom('yes', true, 5, {}, ['a', 'b', 'c', 'd']), fc.constant(T([4, 2]))),
    (s) => trainTestSplit(live([4, 3]), live([4]), { stratify: s as never })),
  fuzz('trainTestSplit(x, y, options) with a bad testSize, shuffle, seed or key', fc.oneof(
    fc.constantFrom(0, -0.5, 4, 7, 1.5, NaN, 'half').map((testSize) => ({ testSize })),
    notBoolean.map((shuffle) => ({ shuffle })), fc.constantFrom(0.5, NaN, 'x').map((seed) => ({ seed })),
    unknownKeyOptions(['testSize', 'seed', 'stratify', 'shuffle'], ['test_size', 'random_state', 'trainSize'])),
  (o) => trainTestSplit(live([4, 3]), live([4]), o as never)),
  fuzz('trainTestSplit(x, y) with x or y not tensors, or different rows', fc.oneof(
    notTensor.map((x) => [x, T([4])]), fc.constant([T([4, 3]), T([3])]), fc.constant([T([]), T([4])])),
  ([x, y]) => trainTestSplit(x as never, y as never)),
  fuzz('new MinMaxScaler(options) with a bad featureRange or key', fc.oneof(
    fc.constantFrom([1, 0], [0, 0], [0, NaN], [0], 'abc', null).map((featureRange) => ({ featureRange })),
    unknownKeyOptions(['featureRange'], ['feature_range', 'clip']), notOptions),
  (o) => new MinMaxScaler(o as never)),
  fuzz('new StandardScaler(options) with any option', fc.oneof(unknownKeyOptions([], ['withMean', 'withStd', 'copy']), notOptions),
    (o) => new StandardScaler(o as never)),
  fuzz('loader.setState(state) not a generator state (624 32-bit words, not all zero, a position in [0, 624], a kept normal), or any for a loader without a seed', fc.oneof(
    fc.constantFrom(null, 'abc', [1, 2, 3], [1, 2, 3, 4], new Array(628).fill(0), new Random(3).getState().slice(0, 625)).map((state) => ({ state, seed: 1 })),
    fc.tuple(fc.integer({ min: 0, max: 623 }), fc.constantFrom(2 ** 32, 1.5, -1, NaN, '1')).map(([at, bad]) => ({ state: new Random(3).getState().map((w, i) => (i === at ? bad : w)), seed: 1 })),
    fc.constantFrom(625, -1, 0.5).map((index) => ({ state: [...new Random(3).getState().slice(0, 624), index, 0, 0, 0], seed: 1 })),
    fc.constantFrom([2, 0, 0], [1, 0x7ff00000, 0], [0, 5, 0], [1, 2 ** 32, 0]).map((kept) => ({ state: [...new Random(3).getState().slice(0, 625), ...kept], seed: 1 })),
    fc.constant({ state: new Random(3).getState(), seed: undefined })),
  ({ state, seed }) => new DataLoader(new TensorDataset(live([4, 3])), { seed }).setState(state as never)),
  fuzz('datasets.mnist(options) with a bad key or digits', fc.oneof(unknownKeyOptions(['digits'], ['digit', 'path']),
    fc.constantFrom('x', [[0]], null, 5).map((digits) => ({ digits })), notOptions),
  (o) => datasets.mnist(o as never)),
  fuzz('takeRows(t, indices) with rows outside t or not row numbers', fc.oneof(
    fc.constantFrom([4], [-1], [0.5], [NaN], ['1'], 'abc', null, [0, 1, 2, 3, 4]), fc.integer({ min: 4 }).map((r) => [r])),
  (idx) => takeRows(live([4, 3]), idx as never)),
  fuzz('dataset.gather(indices, out) with foreign rows or wrong buffers', fc.oneof(
    fc.constantFrom([4], [-1], [1.5]).map((i) => [i, [T([1, 3]), T([1])]]), fc.constant([[0], [T([1, 3])]]), fc.constant([[0], [T([1, 2]), T([1])]]),
    fc.constant([[0], 'out'])),
  ([idx, out]) => new TensorDataset(live([4, 3]), live([4])).gather(idx as never, out as never)),
  fuzz('correctCount(output, target) with non-tensors or a target that does not fit', fc.constantFrom([T([2, 3]), T([3])], [T([2, 3]), T([2, 2])], [null, T([2])], [T([2]), T([2])], [T([2, 3]), 'y']),
    ([o, t]) => correctCount(o as never, t as never)),
  fuzz('scaler.fit(x) with x not a 2-D tensor, or non-finite', fc.oneof(notTensor, fc.constant(T([4])), fc.constant(T([2, 2], { values: [1, NaN, 2, 3] }))),
    (x) => new StandardScaler().fit(x as never)),
];

export const fitCases: FuzzCase[] = [
  fuzz('predict(model, x, { batchSize }) not a positive integer (used to hang or return garbage)', notPositiveInt,
    (b) => using(model, (m) => predict(m, live([4, 3]), { batchSize: b as number }))),
  fuzz('predict(model, x, options) with a bad key or options', fc.oneof(unknownKeyOptions(['batchSize'], ['batch_size', 'verbose']), notOptions),
    (o) => using(model, (m) => predict(m, live([4, 3]), o as never))),
  fuzz('predict(model, x) with x not a live tensor with rows', fc.oneof(notTensor, disposedTensor([4, 3]), fc.constant(T([]))),
    (x) => using(model, (m) => predict(m, x as never))),
  fuzz('evaluate(model, x, y) with mismatched or missing rows', fc.constantFrom([T([4, 3]), T([3, 2])], [T([0, 3]), T([0, 2])], [T([4, 3]), 'y']),
    ([x, y]) => using(model, (m) => evaluate(m, x as never, y as never, { loss: new MSELoss() }))),
  fuzz('evaluate(model, x, y, options) with a bad loss, batchSize, metric or key', fc.oneof(
    fc.constantFrom('mse', {}, 5).map((loss) => ({ loss })), notPositiveInt.map((batchSize) => ({ batchSize })),
    fc.constantFrom(['f1'], 'accuracy', [null]).map((metrics) => ({ metrics })), unknownKeyOptions(['loss', 'batchSize', 'metrics'], ['lossFn'])),
  (o) => using(model, (m) => evaluate(m, live([4, 3]), live([4, 2]), o as never))),
  fuzz('fit(x, y, options) with a misspelt or foreign key', unknownKeyOptions(fitKeys, ['epoch', 'batch_size', 'validation_split', 'lr']),
    (o) => fitWith(live([4, 3]), live([4, 2]), o)),
  fuzz('fit(x, y, options) with a bad value', fc.oneof(
    notPositiveInt.map((epochs) => ({ epochs })), notPositiveInt.map((batchSize) => ({ batchSize })),
    notBoolean.map((shuffle) => ({ shuffle })), fc.constantFrom('yes', 2, true, -1).map((verbose) => ({ verbose })),
    fc.constantFrom(['x'], [T([4, 3])], 'data', [T([1, 2]), T([1, 2])], [T([4, 3]), T([2, 2])]).map((validationData) => ({ validationData })),
    fc.constantFrom([null], [5], ['cb'], [{ onEpochEnds() {} }], [{ onEpochEnd: 3 }], [new Date(0)], 'cb').map((callbacks) => ({ callbacks })),
    fc.constantFrom(1, -0.1, NaN, '0.2').map((validationSplit) => ({ validationSplit })),
    fc.constantFrom('batch!', 1, null).map((schedulerStep) => ({ schedulerStep })),
    fc.constantFrom(-1, 0.5, 5).map((initialEpoch) => ({ initialEpoch, epochs: 2 })),
    fc.constantFrom('mse', {}, null).map((loss) => ({ loss })), fc.constantFrom({}, 'adam', { step() {} }).map((optimizer) => ({ optimizer })),
  ), (o) => fitWith(live([4, 3]), live([4, 2]), o)),
  fuzz('fit(x, y) on 0 samples, mismatched rows, or non-tensors', fc.constantFrom([T([0, 3]), T([0, 2])], [T([4, 3]), T([3, 2])], ['x', T([4, 2])], [T([4, 3]), null]),
    ([x, y]) => fitWith(x, y, {})),
  fuzz('fit(x, y, options) with options not an object', notOptions, (o) => using(model, (m) => m.fit(live([4, 3]), live([4, 2]), o as never))),
  fuzz('new EarlyStopping(options) with a bad value or key', fc.oneof(
    fc.constantFrom(-1, 0.5, NaN, 'x').map((patience) => ({ patience })), fc.constantFrom('up', 1, null).map((mode) => ({ mode })),
    fc.constantFrom(NaN, 'x').map((minDelta) => ({ minDelta })), fc.constantFrom('', 5).map((monitor) => ({ monitor })),
    notBoolean.map((restoreBestWeights) => ({ restoreBestWeights })),
    unknownKeyOptions(['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights'], ['patiance', 'min_delta', 'baseline']), notOptions),
  (o) => new EarlyStopping(o as never)),
  fuzz('new ModelCheckpoint(options) with a bad path, value or key', fc.oneof(
    fc.constantFrom('', 5, null).map((path) => ({ path })), notBoolean.map((saveBestOnly) => ({ path: 'p', saveBestOnly })),
    unknownKeyOptions(['path', 'saveBestOnly', 'monitor', 'mode', 'optimizer', 'scheduler', 'extra'], ['save_best_only', 'filepath']).map((o) => ({ path: 'p', ...o })),
    notOptions, fc.constant(undefined)),
  (o) => new ModelCheckpoint(o as never)),
  fuzz('new ProgressBar(options) with a bad key', fc.oneof(unknownKeyOptions(['stream'], ['out', 'verbose']), notOptions),
    (o) => new ProgressBar(o as never)),
];

export const schedulerCases: FuzzCase[] = [
  ...schedulers.map(([name, make, keys]) =>
    fuzz(`new ${name}(optimizer, options) with a misspelt or foreign key`, unknownKeyOptions(keys, ['last_epoch', 'verbose', 'step_size', 'T_max']),
      (o) => make(optimizer(), o))),
  ...schedulers.map(([name, make]) =>
    fuzz(`new ${name}(optimizer, { ${badValues[name][0]} }) with a refused value`, badValues[name][1],
      (v) => make(optimizer(), { [badValues[name][0]]: v }))),
  ...schedulers.map(([name, make]) =>
    fuzz(`new ${name}(optimizer) with no optimizer to drive`, fc.constantFrom(null, {}, { paramGroups: [] }, { paramGroups: [{ lr: 'x' }] }, 'adam'),
      (o) => make(o as never, {}))),
  fuzz('scheduler.loadStateDict(state) with junk, a wrong-kind value or a foreign key', fc.oneof(
    fc.constantFrom(...JUNK.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)), undefined),
    fc.constantFrom('x', 1.5, -2, null, [1], NaN).map((lastEpoch) => ({ lastEpoch })),
    fc.constantFrom([0.1, 0.2], 'a', [null]).map((lastLr) => ({ lastLr })),
    fc.constantFrom({ tMax: 3 }, { optimizer: 1 }, { stepsize: 2 })),
  (state) => new StepLR(optimizer(), { stepSize: 2 }).loadStateDict(state as never)),
  fuzz('SequentialLR / ChainedScheduler composite state that is not one', fc.constantFrom(null, 'x', { schedulers: 'x' }, { schedulers: [{}] }, { lastEpoch: 'x', schedulers: [{}, {}] }),
    (state) => {
      const o = optimizer();
      new SequentialLR(o, { schedulers: [new ConstantLR(o), new ExponentialLR(o, { gamma: 0.9 })], milestones: [2] }).loadStateDict(state as never);
    }),
  fuzz('new SequentialLR / ChainedScheduler with schedulers that are not schedulers', fc.constantFrom(null, [], ['x'], [1, 2], 'all'),
    (list) => new ChainedScheduler(list as never)),
  fuzz('ReduceLROnPlateau.step(metric) non-finite or not a number', fc.oneof(fc.constantFrom(...NON_FINITE), notNumber),
    (m) => new ReduceLROnPlateau(optimizer()).step(m as number)),
  fuzz('LambdaLR giving a negative or non-finite lr', fc.oneof(fc.double({ max: -1e-6, noNaN: true }), fc.constantFrom(...NON_FINITE), fc.constant('x')),
    (f) => new LambdaLR(optimizer(), { lrLambda: () => f as number })),
];

export const clipAndAnomalyCases: FuzzCase[] = [
  fuzz('clipGradNorm(params, maxNorm) with maxNorm negative, non-finite or not a number', fc.oneof(fc.double({ max: -1e-9, noNaN: true }), fc.constantFrom(...NON_FINITE), notNumber),
    (n) => using(model, (m) => clipGradNorm(m.parameters(), n as number))),
  fuzz('clipGradNorm(params, maxNorm, normType | options) with a bad normType, flag or key', fc.oneof(
    fc.constantFrom(0, -2, NaN, -Infinity), fc.constantFrom(0, -1, NaN, 'two').map((normType) => ({ normType })),
    notBoolean.map((errorIfNonfinite) => ({ errorIfNonfinite })), unknownKeyOptions(['normType', 'errorIfNonfinite'], ['norm_type', 'error_if_nonfinite', 'foreach']),
    fc.constantFrom(null, 'abc', [2])),
  (o) => using(model, (m) => clipGradNorm(m.parameters(), 1, o as never))),
  { name: 'clipGradNorm(NaN gradients, maxNorm, { errorIfNonfinite: true })', call: () => using(model, (m) => {
    m.parameters()[0].grad!.data[0] = NaN;
    return clipGradNorm(m.parameters(), 1, { errorIfNonfinite: true });
  }) },
  fuzz('clipGradNorm / clipGradValue with params not tensors', fc.oneof(fc.constantFrom(null, 5, 'abc', {}, [1], [null]), fc.constant(undefined)),
    (p) => clipGradValue(p as never, 1)),
  fuzz('detectAnomaly(fn) / setDetectAnomaly(on) with junk', fc.tuple(fc.boolean(), fc.oneof(notBoolean, fc.constant(undefined)).filter((v) => typeof v !== 'function')),
    ([which, v]) => (which ? detectAnomaly(v as never) : setDetectAnomaly(v as never))),
];
