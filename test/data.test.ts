import { describe, it, expect, beforeAll } from 'vitest';
import dataJson from '../../shared/golden/data.json';
import { init, tensor, OptionError, ShapeError } from '../src/index.js';
import { DataLoader, TensorDataset, MinMaxScaler, StandardScaler, oneHot, trainTestSplit } from '../src/data/index.js';
import { expectAllClose, type GoldenTensor } from './golden.js';

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
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
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
