import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import {
  init, tensor, sum, sqrt, mul, Sequential, Linear, Tanh, MSELoss, SGD, manualSeed, NonFiniteError, OptionError,
  ShapeError, DisposedError, EarlyStopping, ModelCheckpoint, ProgressBar, type Tensor, type Module, type EpochLogs, type TrainingContext,
} from '../src/index.js';
import { evaluate, predict, correctCount } from '../src/train/index.js';
import { expectRejected, expectRejectedAsync } from './rejects.js';
import { countFault, writeCountsAfterAll } from './train-counts.js';

writeCountsAfterAll('fit');

/** n samples of 3 features with a smooth target, from a float64 formula (no library RNG). */
function regression(n: number): { x: Tensor; y: Tensor } {
  const xs = new Float32Array(n * 3), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) xs[i * 3 + j] = Math.sin(i * 1.7 + j * 2.3);
    ys[i] = Math.cos(i * 0.9);
  }
  return { x: tensor(xs, [n, 3]), y: tensor(ys, [n, 1]) };
}

function model(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential([new Linear(3, 5), new Tanh(), new Linear(5, 1)]);
}

type Fault = 'NaN loss' | 'Inf loss' | 'NaN gradient';

/**
 * MSE, except on forward call `at` (1-based): the output gets a NaN or Inf (a non-finite loss),
 * or the loss becomes sum(sqrt(output·0)), which is 0 but whose backward is NaN (0·∞).
 */
function poisonedLoss(at: number, fault: Fault) {
  const mse = new MSELoss();
  let calls = 0;
  return {
    forward(output: Tensor, target: Tensor): Tensor {
      if (++calls !== at) return mse.forward(output, target);
      if (fault === 'NaN gradient') return sum(sqrt(mul(output, 0)));
      output.data[0] = fault === 'NaN loss' ? NaN : Infinity;
      return mse.forward(output, target);
    },
  };
}

/** Every parameter after each step, via a callback. */
function recorder(net: Sequential, into: Float32Array[]) {
  return { onBatchEnd: () => { into.push(net.parameterBlock.toArray()); } };
}

describe('fit: non-finite values stop training, named, with the last good weights kept', () => {
  beforeAll(() => init());

  it('a NaN/Inf loss or gradient at any step: NonFiniteError naming epoch, batch and step; weights = a clean run after the step before', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 13 }), // samples
      fc.integer({ min: 1, max: 5 }), // batch size
      fc.integer({ min: 1, max: 12 }), // the faulty step
      fc.constantFrom<Fault>('NaN loss', 'Inf loss', 'NaN gradient'),
      async (n, batchSize, step, fault) => {
        const batches = Math.ceil(n / batchSize);
        const epochs = Math.ceil(step / batches);
        const { x, y } = regression(n);
        // The clean run: the weights after each step.
        const clean = model(3), cleanSteps: Float32Array[] = [clean.parameterBlock.toArray()];
        await clean.fit(x, y, {
          loss: new MSELoss(), optimizer: new SGD(clean.parameters(), { lr: 0.05, momentum: 0.9 }), epochs, batchSize, seed: 5,
          callbacks: [recorder(clean, cleanSteps)],
        });
        const net = model(3);
        const error = await net.fit(x, y, {
          loss: poisonedLoss(step, fault), optimizer: new SGD(net.parameters(), { lr: 0.05, momentum: 0.9 }), epochs, batchSize, seed: 5,
        }).then(() => null, (e: Error) => e);
        countFault(`fit: ${fault}`);
        expect(error).toBeInstanceOf(NonFiniteError);
        const epoch = Math.floor((step - 1) / batches) + 1, batch = ((step - 1) % batches) + 1;
        const what = fault === 'NaN gradient' ? 'a gradient became NaN or Inf' : `the loss became ${fault === 'NaN loss' ? 'NaN' : '(Infinity|NaN)'}`;
        expect(error!.message).toMatch(new RegExp(`^fit: ${what} at epoch ${epoch}, batch ${batch} of ${batches} \\(step ${step}\\); training stopped before that update`));
        expect(Array.from(net.parameterBlock.toArray())).toEqual(Array.from(cleanSteps[step - 1]));
        x.dispose(); y.dispose(); clean.dispose(); net.dispose();
      },
    ), { numRuns: 30 });
  });

  it('a NaN in the validation data stops fit loudly after the epoch, so EarlyStopping on valLoss cannot idle silently', async () => {
    const { x, y } = regression(12);
    const vx = tensor([[0, 0, 0], [1, 1, 1], [2, 2, 2], [NaN, 0, 0], [1, 0, 1]]), vy = tensor([[0], [1], [0], [1], [0]]);
    const net = model(1);
    const es = new EarlyStopping({ monitor: 'valLoss', patience: 1 });
    const epochs: EpochLogs[] = [];
    // (No heap comparison here: layers keep buffers for each batch shape they meet.)
    await expect(net.fit(x, y, {
      loss: new MSELoss(), optimizer: new SGD(net.parameters(), { lr: 0.05 }), epochs: 5, batchSize: 3, validationData: [vx, vy],
      callbacks: [es, { onEpochEnd: (logs: EpochLogs) => { epochs.push(logs); } }],
    })).rejects.toThrow(new NonFiniteError(
      "fit: the validation loss became NaN at epoch 1, on validation batch 2 (rows 3–4); training stopped after that epoch's updates, all of which were finite (is there a NaN or Inf in the validation data?)",
    ));
    countFault('fit: NaN in validation data');
    expect(epochs).toHaveLength(0); // no epoch was logged with a NaN valLoss
    expect(Array.from(net.parameterBlock.toArray()).every(Number.isFinite)).toBe(true);
    [x, y, vx, vy].forEach((t) => t.dispose()); net.dispose();
  });

  it('evaluate names the batch and rows whose loss is not finite, instead of returning { loss: NaN }', () => {
    const net = model(2);
    const { x, y } = regression(6);
    // Layers resize their buffers to the batch they meet: warm them on batches of 2 first, so the
    // heap comparison sees only what the failing call keeps.
    const loss = new MSELoss();
    evaluate(net, x, y, { loss, batchSize: 2 });
    x.data[5 * 3 + 1] = NaN; // (an Inf would pass: tanh squashes it to 1)
    expectRejected(() => evaluate(net, x, y, { loss, batchSize: 2 }), NonFiniteError,
      /^evaluate: the loss is NaN on batch 3 \(rows 4–5\); the model's outputs or the targets there are not finite$/);
    countFault('evaluate: NaN input');
    x.dispose(); y.dispose(); net.dispose();
  });

  it('EarlyStopping counts a NaN epoch as no improvement (it used to take the first NaN as the best forever)', () => {
    const net = model(0);
    const ctx: TrainingContext = { model: net, epochs: 9, stopTraining: false };
    const es = new EarlyStopping({ patience: 2 });
    es.onTrainBegin();
    let last = -1;
    for (let e = 0; e < 9 && !ctx.stopTraining; e++, last++) {
      es.onEpochEnd({ epoch: e, loss: 0, valLoss: NaN, lr: 0.1, time: 0, samplesPerSecond: 0 }, ctx);
    }
    countFault('EarlyStopping: NaN monitor');
    expect(last).toBe(1);
    expect(es.stoppedEpoch).toBe(1);
    net.dispose();
  });
});

describe('predict', () => {
  beforeAll(() => init());

  it('gives the rows of one whole forward for any batch size (including 1 and sizes not multiples of 4)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 30 }), (n, batchSize) => {
      const net = model(4);
      const { x, y } = regression(n);
      const whole = net.forward(x).toArray();
      const out = predict(net, x, { batchSize });
      expect(out.shape).toEqual([n, 1]);
      const got = out.toArray();
      whole.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
      out.dispose(); x.dispose(); y.dispose(); net.dispose();
    }), { numRuns: 30 });
  });

  it('frees its output when a later batch fails', () => {
    const net = model(4);
    const { x, y } = regression(6);
    predict(net, x, { batchSize: 3 }).dispose(); // the layers' buffers for batches of 3 now exist
    let calls = 0;
    const flaky = { forward: (t: Tensor) => { if (++calls === 2) throw new ShapeError('flaky: second batch'); return net.forward(t); }, training: false, train() {}, eval() {} };
    expectRejected(() => predict(flaky as unknown as Module, x, { batchSize: 3 }), ShapeError, 'flaky: second batch');
    x.dispose(); y.dispose(); net.dispose();
  });
});

describe('fit / evaluate / predict / callbacks: bad input is a typed error', () => {
  beforeAll(() => init());

  it('predict: batchSize 0, −1, 1e-9, NaN, "abc", 2.5 are rejected at once (they used to hang or return uninitialised memory)', () => {
    const net = model(0);
    const { x, y } = regression(4);
    for (const batchSize of [0, -1, 1e-9, NaN, 'abc', 2.5, Infinity, null]) {
      expectRejected(() => predict(net, x, { batchSize } as never), OptionError, /^predict: batchSize must be an integer in \[1, ∞\), got /);
    }
    expectRejected(() => net.predict(x, { batch_size: 2 } as never), OptionError, 'predict: unknown option batch_size (valid: batchSize); did you mean batchSize?');
    expectRejected(() => predict(net, [1, 2] as never), OptionError, 'predict: x must be a Tensor, got [1, 2]');
    expectRejected(() => predict(null as never, x), OptionError, 'predict: model must be a Module (e.g. a Sequential), got null');
    const wide = tensor([[1, 2, 3, 4]]);
    expectRejected(() => predict(net, wide), ShapeError, /^Linear\(3→5\): input of shape \[1, 4\] has 4 feature columns/);
    const gone = tensor([[1, 2, 3]]);
    gone.dispose();
    expectRejected(() => predict(net, gone), DisposedError, 'predict: x: tensor of shape [1, 3] was used after dispose()');
    [x, y, wide].forEach((t) => t.dispose()); net.dispose();
  });

  it('evaluate: mismatched rows, no samples, unknown keys', () => {
    const net = model(0);
    const { x, y } = regression(4);
    const y3 = tensor([[1], [2], [3]]), empty = tensor(new Float32Array(0), [0, 3]), emptyY = tensor(new Float32Array(0), [0, 1]);
    expectRejected(() => evaluate(net, x, y3), ShapeError, 'evaluate: x [4, 3] and y [3, 1] have different numbers of samples');
    expectRejected(() => evaluate(net, empty, emptyY), ShapeError, 'evaluate: x has no samples (shape [0, 3])');
    expectRejected(() => evaluate(net, x, y, { lossFn: new MSELoss() } as never), OptionError, /^evaluate: unknown option lossFn \(valid: loss, batchSize, metrics\)/);
    expectRejected(() => evaluate(net, x, y, { loss: 'mse' } as never), OptionError, /^evaluate: loss must be a loss module, got "mse"$/);
    expectRejected(() => evaluate(net, x, y, { loss: {} } as never), OptionError, 'evaluate: loss must be a loss module with forward(output, target), got {}');
    expectRejected(() => evaluate(net, x, y, { metrics: ['f1'] } as never), OptionError, `evaluate: metrics[0] must be 'accuracy', got "f1"`);
    [x, y, y3, empty, emptyY].forEach((t) => t.dispose()); net.dispose();
  });

  it('fit: no samples, bad validationData, null callbacks, non-boolean flags, unknown keys', async () => {
    const net = model(0);
    const { x, y } = regression(4);
    const empty = tensor(new Float32Array(0), [0, 3]), emptyY = tensor(new Float32Array(0), [0, 1]);
    const wrongWidth = tensor([[1, 2]]), oneY = tensor([[1]]);
    const base = { loss: new MSELoss(), optimizer: new SGD(net.parameters(), { lr: 0.1 }) };
    const cases: [object, typeof OptionError | typeof ShapeError, string | RegExp][] = [
      [{ validationData: ['x'] }, OptionError, /^fit: validationData must be a pair \[x, y\] of Tensors, got \["x"\]$/],
      [{ validationData: [x] }, OptionError, /^fit: validationData must be a pair \[x, y\] of Tensors, got \[a Tensor of shape \[4, 3\]\]$/],
      [{ validationData: [wrongWidth, oneY] }, ShapeError, 'fit: validationData x of shape [1, 2] does not match the training x [4, 3] (every dimension but the first must agree)'],
      [{ validationData: [x, oneY] }, ShapeError, 'fit: validationData: x [4, 3] and y [1, 1] have different numbers of samples'],
      [{ callbacks: [null] }, OptionError, /^fit: callbacks\[0\] must be a callback, got null$/],
      [{ callbacks: [{ onEpochEnds: () => {} }] }, OptionError, /^fit: callbacks\[0\]: unknown option onEpochEnds \(valid: onTrainBegin, onEpochBegin, onBatchEnd, onEpochEnd, onTrainEnd\); did you mean onEpochEnd\?$/],
      [{ callbacks: [new Date()] }, OptionError, /^fit: callbacks\[0\] must be a callback with at least one of onTrainBegin, .*, got an instance of Date$/],
      [{ callbacks: [{ onEpochEnd: 3 }] }, OptionError, /^fit: callbacks\[0\]: onEpochEnd must be a function, got 3$/],
      [{ verbose: 'yes' }, OptionError, /^fit: verbose must be 0 or 1, got "yes"$/],
      [{ shuffle: 'yes' }, OptionError, /^fit: shuffle must be a boolean.*, got "yes"$/],
      [{ epoch: 3 }, OptionError, /^fit: unknown option epoch \(valid: loss, optimizer, .*\); did you mean epochs\?$/],
      [{ batchSize: 2.5 }, OptionError, /^fit: batchSize must be an integer in \[1, ∞\), got 2.5$/],
      [{ initialEpoch: 3, epochs: 2 }, OptionError, 'fit: initialEpoch must be an integer in [0, epochs = 2], got 3'],
      [{ validationSplit: 0.5, validationData: [x, y] }, OptionError, 'fit: give validationSplit or validationData, not both'],
      [{ loss: undefined }, OptionError, /^fit: loss is required/],
      [{ optimizer: { step() {} } }, OptionError, /^fit: optimizer must be an optimizer with step\(\), zeroGrad\(\) and paramGroups/],
      [{ scheduler: 'cosine' }, OptionError, /^fit: scheduler must be a scheduler or null, got "cosine"$|^fit: scheduler must be .*got "cosine"$/],
    ];
    for (const [extra, type, message] of cases) {
      await expectRejectedAsync(() => net.fit(x, y, { ...base, ...extra } as never), type, message, 'fit');
    }
    await expectRejectedAsync(() => net.fit(empty, emptyY, base), ShapeError, 'fit: x has no samples (shape [0, 3])', 'fit');
    await expectRejectedAsync(() => net.fit(x, y, null as never), OptionError, /^fit: options must be an object like \{ loss, optimizer, /, 'fit');
    [x, y, empty, emptyY, wrongWidth, oneY].forEach((t) => t.dispose()); net.dispose();
  });

  it('correctCount checks its tensors and that the target fits the outputs', () => {
    const out = tensor([[0.1, 0.9], [0.8, 0.2]]), labels = tensor([1, 1]), three = tensor([1, 1, 0]);
    expect(correctCount(out, labels)).toBe(1);
    expectRejected(() => correctCount(out, three), ShapeError, 'correctCount: target [3] fits neither class indices [2] nor one-hot rows [2, 2]');
    expectRejected(() => correctCount(null as never, labels), OptionError, 'correctCount: output must be a Tensor, got null');
    [out, labels, three].forEach((t) => t.dispose());
  });

  it('callbacks reject unknown and invalid options', () => {
    expectRejected(() => new EarlyStopping({ patiance: 3 } as never), OptionError, /^EarlyStopping: unknown option patiance \(valid: monitor, patience, minDelta, mode, restoreBestWeights\); did you mean patience\?$/);
    expectRejected(() => new EarlyStopping({ patience: -1 }), OptionError, /^EarlyStopping: patience must be an integer in \[0, ∞\), got -1$/);
    expectRejected(() => new EarlyStopping({ mode: 'up' } as never), OptionError, `EarlyStopping: mode must be 'min', 'max' or 'auto', got "up"`);
    expectRejected(() => new EarlyStopping({ minDelta: NaN }), OptionError, /^EarlyStopping: minDelta must be a finite number, got NaN$/);
    expectRejected(() => new ModelCheckpoint({ path: 'a', save_best_only: true } as never), OptionError, /^ModelCheckpoint: unknown option save_best_only .*did you mean saveBestOnly\?$/);
    expectRejected(() => new ModelCheckpoint({ path: '' }), OptionError, /^ModelCheckpoint: path must be a non-empty string, got ""$/);
    expectRejected(() => new ModelCheckpoint(null as never), OptionError, /^ModelCheckpoint: options must be an object like \{ path, /);
    expectRejected(() => new ProgressBar({ out: 1 } as never), OptionError, /^ProgressBar: unknown option out \(valid: stream\)/);
  });
});
