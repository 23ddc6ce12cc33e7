import { describe, it, expect, beforeAll } from 'vitest';
import dataJson from '../../shared/golden/data.json';
import { init, tensor, OptionError, ShapeError } from '../src/index.js';
import { DataLoader, TensorDataset, MinMaxScaler, StandardScaler, oneHot, trainTestSplit, datasets, takeRows } from '../src/data/index.js';
import { expectAllClose, type GoldenTensor } from './golden.js';
import { expectRejected } from './rejects.js';
import { writeCountsAfterAll } from './train-counts.js';

writeCountsAfterAll('data');

type DataCase = {
  name: string; kind: string; options: Record<string, unknown>;
  fit?: GoldenTensor; transformInput?: GoldenTensor; inverseTransformInput?: GoldenTensor; indices?: GoldenTensor;
  expected: Record<string, GoldenTensor | number>;
};
const cases = dataJson.cases as unknown as DataCase[];
const ATOL = 1e-5, RTOL = 1e-5; // golden README, data

describe('scalers and oneHot match scikit-learn / torch (../shared/golden/data.json)', () => {
  beforeAll(() => init());

  for (const c of cases) {
    it(c.name, () => {
      if (c.kind === 'oneHot') {
        const y = oneHot(c.indices!.data, c.options.numClasses as number);
        const want = c.expected.y as GoldenTensor;
        expect(y.shape).toEqual(want.shape);
        expect(Array.from(y.toArray())).toEqual(want.data);
        y.dispose();
        return;
      }
      const scaler = c.kind === 'MinMaxScaler'
        ? new MinMaxScaler(c.options as { featureRange: [number, number] })
        : new StandardScaler();
      const fit = tensor(Float32Array.from(c.fit!.data), c.fit!.shape);
      const ft = scaler.fitTransform(fit);
      const attrs = c.kind === 'MinMaxScaler' ? ['dataMin', 'dataMax', 'dataRange', 'scale', 'min'] : ['mean', 'var', 'scale'];
      for (const a of attrs) {
        expectAllClose((scaler as unknown as Record<string, Float64Array>)[a], (c.expected[a] as GoldenTensor).data, ATOL, RTOL, `${c.name} ${a}`);
      }
      if (c.kind === 'StandardScaler') expect((scaler as StandardScaler).nSamplesSeen).toBe(c.expected.nSamplesSeen);
      expectAllClose(ft.toArray(), (c.expected.fitTransform as GoldenTensor).data, ATOL, RTOL, `${c.name} fitTransform`);
      const ti = tensor(Float32Array.from(c.transformInput!.data), c.transformInput!.shape);
      const t = scaler.transform(ti);
      expectAllClose(t.toArray(), (c.expected.transform as GoldenTensor).data, ATOL, RTOL, `${c.name} transform`);
      const ii = tensor(Float32Array.from(c.inverseTransformInput!.data), c.inverseTransformInput!.shape);
      const inv = scaler.inverseTransform(ii);
      expectAllClose(inv.toArray(), (c.expected.inverseTransform as GoldenTensor).data, ATOL, RTOL, `${c.name} inverseTransform`);
      [fit, ft, ti, t, ii, inv].forEach((x) => x.dispose());
    });
  }

  it('rejects a transform before fit, a width mismatch and bad options', () => {
    const s = new StandardScaler();
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => s.transform(x)).toThrow(/call fit\(\) before transform/);
    s.fit(x);
    const y = tensor([[1, 2, 3]]);
    expect(() => s.transform(y)).toThrow(/has 3 features .* fitted on 2/);
    expect(() => new MinMaxScaler({ featureRange: [1, 0] })).toThrow(OptionError);
    expect(() => oneHot([0, 4], 4)).toThrow(/indices\[1\] = 4 is not a class index in \[0, 4\)/);
    x.dispose(); y.dispose();
  });
});

describe('DataLoader', () => {
  beforeAll(() => init());

  const make = (n: number) => {
    const x = tensor(Float32Array.from({ length: n * 3 }, (_, i) => i), [n, 3]);
    const y = tensor(Float32Array.from({ length: n }, (_, i) => i));
    return { x, y, ds: new TensorDataset(x, y) };
  };

  it('covers every sample exactly once per epoch, rows intact, and reshuffles every epoch', () => {
    const { x, y, ds } = make(23);
    const loader = new DataLoader(ds, { batchSize: 5, shuffle: true, seed: 7 });
    expect(loader.length).toBe(5);
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen: number[] = [];
      const sizes: number[] = [];
      for (const [bx, by] of loader) {
        const xs = bx.toArray(), ys = by.toArray();
        sizes.push(ys.length);
        ys.forEach((label, r) => {
          expect(Array.from(xs.subarray(r * 3, r * 3 + 3))).toEqual([label * 3, label * 3 + 1, label * 3 + 2]);
          seen.push(label);
        });
      }
      expect(sizes).toEqual([5, 5, 5, 5, 3]);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
      orders.push(seen);
    }
    expect(orders[0]).not.toEqual(orders[1]);
    expect(orders[1]).not.toEqual(orders[2]);
    // The same seed gives the same epochs.
    const again = new DataLoader(ds, { batchSize: 5, shuffle: true, seed: 7 });
    const first: number[] = [];
    for (const [, by] of again) first.push(...by.toArray());
    expect(first).toEqual(orders[0]);
    loader.dispose(); again.dispose(); x.dispose(); y.dispose();
  });

  it('full-batch, stochastic and dropLast', () => {
    const { x, y, ds } = make(10);
    expect(new DataLoader(ds, { batchSize: 10 }).length).toBe(1);
    expect(new DataLoader(ds, { batchSize: 1 }).length).toBe(10);
    const dl = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dl.length).toBe(2);
    const got: number[] = [];
    for (const [, by] of dl) got.push(...by.toArray());
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // no shuffle: file order
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be an integer in \[1, ∞\), got 0/);
    expect(() => new TensorDataset(x, tensor([1, 2]))).toThrow(ShapeError);
    dl.dispose(); x.dispose(); y.dispose();
  });

  it('resumes the shuffle exactly from a saved generator state', () => {
    const { x, y, ds } = make(12);
    const a = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 });
    a.nextOrder();
    const state = a.getState();
    const next = Array.from(a.nextOrder());
    const b = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 99 });
    b.setState(state);
    expect(Array.from(b.nextOrder())).toEqual(next);
    x.dispose(); y.dispose();
  });
});

describe('trainTestSplit', () => {
  beforeAll(() => init());

  it('splits into disjoint parts, keeps class proportions when stratified, and is seeded', () => {
    const n = 100;
    const labels = Array.from({ length: n }, (_, i) => (i < 70 ? 0 : i < 90 ? 1 : 2));
    const x = tensor(Float32Array.from({ length: n }, (_, i) => i), [n, 1]);
    const y = tensor(labels);
    const [xTr, xTe, yTr, yTe] = trainTestSplit(x, y, { testSize: 0.2, seed: 1, stratify: y });
    expect(xTr.shape).toEqual([80, 1]);
    expect(xTe.shape).toEqual([20, 1]);
    const ids = [...xTr.toArray(), ...xTe.toArray()].sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
    const count = (t: typeof yTe, c: number) => t.toArray().filter((v) => v === c).length;
    expect([count(yTe, 0), count(yTe, 1), count(yTe, 2)]).toEqual([14, 4, 2]);
    xTe.toArray().forEach((id, i) => expect(yTe.toArray()[i]).toBe(labels[id]));
    const [, xTe2] = trainTestSplit(x, y, { testSize: 0.2, seed: 1, stratify: y });
    expect(Array.from(xTe2.toArray())).toEqual(Array.from(xTe.toArray()));
    [x, y, xTr, xTe, yTr, yTe, xTe2].forEach((t) => t.dispose());
  });
});

describe('data: bad input is a typed error, and nothing is kept', () => {
  beforeAll(() => init());

  it('DataLoader: a tensor, null or an array for the dataset; bad or unknown options', () => {
    const x = tensor([[1, 2], [3, 4]]), y = tensor([0, 1]);
    const ds = new TensorDataset(x, y);
    const notDataset = /^DataLoader: dataset must be a Dataset \(an object with length, gather\(\) and sampleShapes, e\.g\. a TensorDataset\), got /;
    expectRejected(() => new DataLoader(x as never), OptionError, 'DataLoader: dataset must be a Dataset (an object with length, gather() and sampleShapes, e.g. a TensorDataset), got a Tensor of shape [2, 2] (wrap tensors as new TensorDataset(x, y))');
    expectRejected(() => new DataLoader(null as never), OptionError, notDataset);
    expectRejected(() => new DataLoader([1, 2] as never), OptionError, /got \[1, 2\]$/);
    for (const batchSize of [0, -1, 1e-9, NaN, 2.5, 'abc']) {
      expectRejected(() => new DataLoader(ds, { batchSize } as never), OptionError, /^DataLoader: batchSize must be an integer in \[1, ∞\), got /);
    }
    expectRejected(() => new DataLoader(ds, { shuffle: 'yes' } as never), OptionError, /^DataLoader: shuffle must be a boolean.*, got "yes"$/);
    expectRejected(() => new DataLoader(ds, { batch_size: 4 } as never), OptionError, /^DataLoader: unknown option batch_size \(valid: batchSize, shuffle, dropLast, seed\); did you mean batchSize\?$/);
    expectRejected(() => new DataLoader(ds, { seed: 0.5 }), OptionError, /^DataLoader: seed must be an integer, got 0.5$/);
    expectRejected(() => new DataLoader(ds, 4 as never), OptionError, /^DataLoader: options must be an object like \{ batchSize, shuffle, dropLast, seed \}, got 4$/);
    expectRejected(() => new TensorDataset(), OptionError, 'TensorDataset: pass one or more tensors, e.g. new TensorDataset(x, y)');
    expectRejected(() => new TensorDataset(x, [1, 2] as never), OptionError, /^TensorDataset: tensors\[1\] must be a Tensor, got \[1, 2\]$/);
    const scalar = tensor(3);
    expectRejected(() => new TensorDataset(scalar), ShapeError, 'TensorDataset: tensors[0] must have a first (sample) dimension, got a scalar tensor of shape []');
    const loader = new DataLoader(ds, { shuffle: true, seed: 1 });
    expectRejected(() => loader.setState(null as never), OptionError, /^DataLoader.setState: state must be the 628 integers a seeded loader's getState\(\) returns, got null$/);
    expectRejected(() => loader.setState(new Array(628).fill(0)), OptionError, /^setState: expected 628 integers \(624 32-bit words, not all zero, a position in \[0, 624\], then 0, 0, 0 or 1 and a finite float64's two words\), got \[0, 0, 0/);
    const unseeded = new DataLoader(ds, { shuffle: true });
    expect(unseeded.getState()).toBe(null);
    expectRejected(() => unseeded.setState(loader.getState()), OptionError, /^DataLoader.setState: this loader has no seed, it draws from the global generator; its state is null, got \[/);
    x.dispose(); y.dispose(); scalar.dispose();
  });

  it('datasets.mnist rejects unknown options and digits that are not ten pixel arrays', async () => {
    await expect(datasets.mnist({ digit: [] } as never)).rejects.toThrow(new OptionError('mnist: unknown option digit (valid: digits); did you mean digits?'));
    await expect(datasets.mnist({ digits: 'x' } as never)).rejects.toThrow(new OptionError('mnist: digits must be ten arrays of pixels, one per digit, got "x"'));
    await expect(datasets.mnist({ digits: [[0]] })).rejects.toThrow(OptionError);
  });

  it('takeRows and TensorDataset.gather refuse row numbers outside the tensor (they used to copy foreign memory)', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]]), y = tensor([0, 1, 2]);
    const ds = new TensorDataset(x, y);
    expectRejected(() => takeRows(x, [0, 3]), OptionError, 'takeRows: indices[1] must be a row number in [0, 3), got 3');
    expectRejected(() => takeRows(x, [-1]), OptionError, 'takeRows: indices[0] must be a row number in [0, 3), got -1');
    expectRejected(() => takeRows(x, [0.5]), OptionError, 'takeRows: indices[0] must be a row number in [0, 3), got 0.5');
    expectRejected(() => takeRows(x, 'abc' as never), OptionError, 'takeRows: indices must be an array of row numbers, got "abc"');
    expectRejected(() => takeRows(null as never, [0]), OptionError, 'takeRows: t must be a Tensor, got null');
    const outX = tensor([[0, 0]]), outY = tensor([0]), wide = tensor([[0, 0, 0]]);
    expectRejected(() => ds.gather([5], [outX, outY]), OptionError, 'TensorDataset.gather: indices[0] must be a row number in [0, 3), got 5');
    expectRejected(() => ds.gather([1], [outX]), OptionError, /^TensorDataset.gather: out must hold 2 tensors, got \[a Tensor of shape \[1, 2\]\]$/);
    expectRejected(() => ds.gather([1], [wide, outY]), ShapeError, 'TensorDataset.gather: out[0] must be a Tensor of shape [1, 2], got a Tensor of shape [1, 3]');
    ds.gather(Uint32Array.of(2), [outX, outY]);
    expect([...outX.toArray(), ...outY.toArray()]).toEqual([5, 6, 2]);
    [x, y, outX, outY, wide].forEach((t) => t.dispose());
  });

  it('oneHot and trainTestSplit: labels that are not labels, options that are not options', () => {
    const x = tensor([[1], [2], [3], [4]]), y = tensor([0, 1, 0, 1]);
    expectRejected(() => oneHot(null as never, 3), OptionError, 'oneHot: indices must be a 1-D Tensor, an array or a typed array of class indices, got null');
    expectRejected(() => oneHot([0, 1], 0), OptionError, /^oneHot: numClasses must be an integer in \[1, ∞\), got 0$/);
    expectRejected(() => oneHot([0, 1], undefined as never), OptionError, /^oneHot: numClasses is required/);
    expectRejected(() => oneHot(x, 3), ShapeError, /^oneHot: indices must be a 0-D or 1-D Tensor, got a tensor of shape \[4, 1\]$/);
    expectRejected(() => oneHot(['a'] as never, 3), OptionError, /got \["a"\]$/);
    expectRejected(() => trainTestSplit(x, y, { stratify: 'yes' } as never), OptionError, 'trainTestSplit: stratify must be a 1-D Tensor, an array or a typed array of class indices, got "yes"');
    expectRejected(() => trainTestSplit(x, y, { stratify: [0, 1] }), ShapeError, 'trainTestSplit: stratify has 2 labels for 4 samples');
    expectRejected(() => trainTestSplit(x, y, { test_size: 0.5 } as never), OptionError, /^trainTestSplit: unknown option test_size .*did you mean testSize\?$/);
    expectRejected(() => trainTestSplit(x, y, { testSize: 1.5 }), OptionError, /^trainTestSplit: testSize must be in \(0, 1\) or an integer in \[1, ∞\), got 1.5$/);
    expectRejected(() => trainTestSplit(x, y, { testSize: 4 }), OptionError, 'trainTestSplit: testSize must be a fraction in (0, 1) or a sample count below 4, got 4');
    expectRejected(() => trainTestSplit(x, y, { shuffle: 'yes' } as never), OptionError, /^trainTestSplit: shuffle must be a boolean/);
    expectRejected(() => trainTestSplit(null as never, y), OptionError, /^trainTestSplit: x must be a Tensor, got null$/);
    const short = tensor([1, 2]);
    expectRejected(() => trainTestSplit(x, short), ShapeError, 'trainTestSplit: x [4, 1] and y [2] have different numbers of samples');
    const [a, b, c, d] = trainTestSplit(x, y, { stratify: Int32Array.from([0, 1, 0, 1]), testSize: 2 }); // a typed array is labels too
    expect(b.toArray().length).toBe(2);
    [a, b, c, d, x, y, short].forEach((t) => t.dispose());
  });

  it('scalers: unknown options and non-tensors', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expectRejected(() => new MinMaxScaler({ feature_range: [0, 1] } as never), OptionError, /^MinMaxScaler: unknown option feature_range \(valid: featureRange\); did you mean featureRange\?$/);
    expectRejected(() => new MinMaxScaler({ featureRange: [0, NaN] }), OptionError, 'MinMaxScaler: featureRange[1] must be a finite number, got NaN');
    expectRejected(() => new MinMaxScaler({ featureRange: [1, 1] }), OptionError, 'MinMaxScaler: featureRange must be [low, high] with low < high, got [1, 1]');
    expectRejected(() => new StandardScaler({ withMean: false } as never), OptionError, 'StandardScaler: unknown option withMean (valid: none)');
    expectRejected(() => new StandardScaler().fit(null as never), ShapeError, 'StandardScaler: x must be a 2-D Tensor [samples, features], got null');
    const nan = tensor([[1, NaN]]);
    expectRejected(() => new StandardScaler().fit(nan), OptionError, 'StandardScaler: x[0][1] is NaN, expected finite values');
    x.dispose(); nan.dispose();
  });
});
