import { describe, it, expect, beforeAll } from 'vitest';
import fixture from './fixtures/torch-rng.json';
import {
  Conv1d, Conv2d, ConvTranspose2d, DataLoader, Dropout, Dropout2d, Embedding, GRU, LSTM, Linear, RNN, Random, Tensor,
  TensorDataset, globalRandom, init, manualSeed, rand, randint, randn, randperm, tensor, type Module,
} from '../src/index.js';
import { makeModel } from '../src/catalog/index.js';
import { use } from './helpers.js';

// The generator is torch's (src/core/rng.ts): after manualSeed(s), the same layers get torch's
// initial weights bit for bit, a shuffling DataLoader torch's batch order, dropout torch's masks,
// and the stream stands where torch's stands afterwards. Every expected number is torch 1.13's
// own (test/fixtures/torch-rng.json, written by scripts/make-rng-fixture.py), for seeds 0, 7, a
// negative one and one above 2^32.

type Case = (typeof fixture.cases)[number];

/** FNV-1a over the float32 bytes (little-endian) of the parameters, in order: the fixture's hash. */
function fnv(model: Module): number {
  let h = 0x811c9dc5;
  for (const p of model.parameters()) {
    const bytes = new Uint8Array(new Float32Array(p.toArray()).buffer);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h;
}

/** The distance in float32 ulps between a and b (both finite float32 values). */
function ulps(a: number, b: number): number {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (x: number) => (x < 0 ? -2147483648 - x : x); // monotone in the float's value
  return Math.abs(ordered(bits[0]) - ordered(bits[1]));
}

const maxUlps = (ours: ArrayLike<number>, theirs: number[]) => {
  expect(ours.length).toBe(theirs.length);
  return Math.max(0, ...Array.from(ours, (v, i) => ulps(v, theirs[i])));
};

const draws = (n: number) => Array.from({ length: n }, () => globalRandom.uniform());
/** One epoch's sample order (each batch read as it comes: the loader refills its buffers). */
function order(loader: DataLoader): number[] {
  const out: number[] = [];
  for (const [x] of loader) out.push(...x.toArray());
  return out;
}
const epochs = (loader: DataLoader, count: number) => Array.from({ length: count }, () => order(loader));

describe('the global generator draws torch 1.13\'s stream', () => {
  beforeAll(() => use({ backend: 'wasm', build: 'simd' }));
  const cases = fixture.cases as Case[];

  it.each(cases)('seed $seed: uniform draws are torch.rand\'s, bit for bit', (c) => {
    manualSeed(c.seed);
    expect(draws(c.rand.length)).toEqual(c.rand);
  });

  it.each(cases)('seed $seed: Linear, grouped Conv2d, Conv1d, ConvTranspose2d, LSTM, GRU and RNN start from torch\'s weights, and the stream stands where torch\'s does', (c) => {
    manualSeed(c.seed);
    const layers: Module[] = [
      new Linear(5, 3), new Conv2d(4, 6, 3, { groups: 2 }), new Conv1d(2, 3, 2, { bias: false }), new ConvTranspose2d(2, 4, 3),
      new LSTM(3, 2, { numLayers: 2, bidirectional: true }), new GRU(2, 3), new RNN(3, 2),
    ];
    layers.forEach((layer, i) => {
      const ours = Object.fromEntries(layer.namedParameters().map(([name, p]) => [name, Array.from(p.toArray())]));
      expect(ours, `${layer.constructor.name}`).toEqual(c.layers[i]);
    });
    expect(draws(3)).toEqual(c.layersThenRand);
    layers.forEach((layer) => layer.dispose());
  });

  it.each(cases)('seed $seed: the course\'s CNN and MLP (makeModel) hash to torch\'s initial weights', (c) => {
    manualSeed(c.seed);
    const cnn = makeModel('cnn');
    expect(fnv(cnn)).toBe(c.cnnHash);
    manualSeed(c.seed);
    const mlp = makeModel('mlp', { hidden: [16, 16] });
    expect(fnv(mlp)).toBe(c.mlpHash);
    [cnn, mlp].forEach((m) => m.dispose());
  });

  it.each(cases)('seed $seed: randperm is torch.randperm(n, generator)', (c) => {
    expect(Array.from(new Random(c.seed).randperm(c.randperm.length))).toEqual(c.randperm);
  });

  it.each(cases)('seed $seed: a shuffling DataLoader visits torch\'s order each epoch, from the global generator or its own seed', (c) => {
    const index = tensor(Array.from({ length: 13 }, (_, i) => i));
    const data = new TensorDataset(index);
    manualSeed(c.seed);
    const loader = new DataLoader(data, { batchSize: 4, shuffle: true });
    expect(epochs(loader, 3)).toEqual(c.loader);
    expect(draws(2)).toEqual(c.loaderThenRand);
    const seeded = new DataLoader(data, { batchSize: 4, shuffle: true, seed: c.seed });
    expect(epochs(seeded, 2)).toEqual(c.loaderSeeded);
    // Without shuffling each epoch still draws torch's base seed, so the stream stays in step.
    manualSeed(c.seed);
    epochs(new DataLoader(data, { batchSize: 5 }), 2);
    expect(draws(2)).toEqual(c.unshuffledThenRand);
    [loader, seeded, index].forEach((t) => t.dispose());
  });

  it.each(cases)('seed $seed: Dropout and Dropout2d draw torch\'s masks', (c) => {
    manualSeed(c.seed);
    const drop = new Dropout(0.3), drop2d = new Dropout2d(0.4);
    const ones = tensor(new Array(23).fill(1)), planes = tensor(new Array(24).fill(1), [2, 3, 2, 2]);
    expect(Array.from(drop.forward(ones).toArray())).toEqual(c.dropout);
    expect(Array.from(drop2d.forward(planes).toArray())).toEqual(c.dropout2d);
    expect(draws(2)).toEqual(c.dropoutThenRand);
    [ones, planes, drop, drop2d].forEach((t) => t.dispose());
  });

  it.each(cases)('seed $seed: normal draws use torch\'s draws in torch\'s order (one at a time below 16 values, blocks of 16 from 16 on) and agree with torch\'s values to a few ulps; the stream after them is torch\'s, bit for bit', (c) => {
    manualSeed(c.seed);
    const normal = (shape: number[], mean = 0, std = 1) => {
      const t = new Tensor(shape);
      init.normal(t, mean, std);
      const out = t.toArray();
      t.dispose();
      return out;
    };
    // torch's vector math library (avx_mathfun's log and sincos) rounds within a few ulps of the
    // exact value; Descent's values are the exact ones rounded as torch's float32 steps round.
    c.randn.forEach((expected, i) => expect(maxUlps(normal([expected.length]), expected), `randn ${i}`).toBeLessThanOrEqual(4));
    const embedding = new Embedding(10, 3), small = new Embedding(2, 3, { paddingIdx: 1 });
    expect(maxUlps(embedding.weight.toArray(), c.embedding)).toBeLessThanOrEqual(4);
    expect(maxUlps(small.weight.toArray(), c.embeddingSmall)).toBeLessThanOrEqual(4);
    expect(Array.from(small.weight.toArray()).slice(3)).toEqual([0, 0, 0]);
    expect(maxUlps(normal([4, 5], 0.5, 2), c.normalMeanStd)).toBeLessThanOrEqual(4);
    expect(maxUlps(normal([7], -1, 0.25), c.normalSmallMeanStd)).toBeLessThanOrEqual(4);
    expect(draws(3)).toEqual(c.normalsThenRand);
    [embedding, small].forEach((m) => m.dispose());
  });

  it.each(cases)('seed $seed: rand, randn, randint and randperm give torch\'s numbers (randn to a few ulps) and leave the stream where torch\'s functions leave it', (c) => {
    manualSeed(c.seed);
    const read = (t: Tensor) => {
      const out = Array.from(t.toArray());
      t.dispose();
      return out;
    };
    const x = rand([2, 3]);
    expect(x.shape).toEqual([2, 3]);
    expect(read(x)).toEqual(c.creation.rand);
    expect(maxUlps(read(randn([20])), c.creation.randn)).toBeLessThanOrEqual(4);
    expect(read(randint(3, 10, [7]))).toEqual(c.creation.randint);
    expect(read(randint(5, [4]))).toEqual(c.creation.randintHigh);
    expect(read(randint(-4, 4, [6]))).toEqual(c.creation.randintNegative);
    expect(read(randperm(9))).toEqual(c.creation.randperm);
    expect(draws(2)).toEqual(c.creation.thenRand);
    expect(read(randint(0, 100, [5], { generator: new Random(c.seed) }))).toEqual(c.creation.randintGenerator);
  });
});
