import fc from 'fast-check';
import { BatchNorm1d, BatchNorm2d, Embedding, GroupNorm, GRU, InstanceNorm1d, InstanceNorm2d, LSTM, LayerNorm, RNN, tensor } from '../../src/index.js';
import {
  NON_FINITE, disposedTensor, fuzz, live, notBoolean, notNumber, notOptions, notTensor, shapeOfRank, tensorNotOfRank,
  unknownKeyOptions, using, type FuzzCase,
} from './case.js';

// Invalid calls to BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm1d/2d, Embedding and LSTM: constructors, options, forward inputs.

const notPositiveInt = fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE), notNumber);
const batchNorms = { BatchNorm1d, BatchNorm2d } as const;
const batchNormName = fc.constantFrom('BatchNorm1d', 'BatchNorm2d') as fc.Arbitrary<keyof typeof batchNorms>;
/** A number that is not a momentum: outside [0, 1] or not finite (null is valid: a cumulative average). */
const notMomentum = fc.oneof(fc.double({ min: 1, noNaN: true }).filter((v) => v > 1), fc.double({ max: 0, noNaN: true }).filter((v) => v < 0),
  fc.constantFrom(...NON_FINITE), notNumber.filter((v) => v !== null));

export const normCases: FuzzCase[] = [
  fuzz('new BatchNorm1d/2d(numFeatures) not a positive integer', fc.tuple(batchNormName, notPositiveInt),
    ([name, n]) => new batchNorms[name](n as number)),
  fuzz('new BatchNorm1d/2d(n, options) with options not an object', fc.tuple(batchNormName, notOptions),
    ([name, o]) => new batchNorms[name](3, o as never)),
  fuzz('new BatchNorm1d/2d(n, options) with a misspelt or foreign key', fc.tuple(batchNormName,
    unknownKeyOptions(['eps', 'momentum', 'affine', 'trackRunningStats'], ['track_running_stats', 'num_features', 'device', 'momentun'])),
  ([name, o]) => new batchNorms[name](3, o as never)),
  fuzz('new BatchNorm1d/2d(n, { momentum }) outside [0, 1] or not a number', fc.tuple(batchNormName, notMomentum),
    ([name, momentum]) => new batchNorms[name](3, { momentum: momentum as number })),
  fuzz('new BatchNorm1d/2d(n, { eps }) not positive', fc.tuple(batchNormName, fc.oneof(fc.double({ max: 0, noNaN: true }), fc.constantFrom(...NON_FINITE), notNumber)),
    ([name, eps]) => new batchNorms[name](3, { eps: eps as number })),
  fuzz('new BatchNorm1d/2d(n, { affine | trackRunningStats }) not a boolean', fc.tuple(batchNormName, fc.constantFrom('affine', 'trackRunningStats'), notBoolean),
    ([name, key, v]) => new batchNorms[name](3, { [key]: v } as never)),
  fuzz('BatchNorm1d.forward(x) with x not a live tensor', fc.oneof(notTensor, disposedTensor([2, 3]), fc.constant(undefined)),
    (x) => using(() => new BatchNorm1d(3), (m) => m.forward(x as never))),
  fuzz('BatchNorm1d.forward(x) with x not [N, C] or [N, C, L]', tensorNotOfRank([2, 3]),
    (x) => using(() => new BatchNorm1d(3), (m) => m.forward(x as never))),
  fuzz('BatchNorm2d.forward(x) with x not [N, C, H, W]', tensorNotOfRank([4]),
    (x) => using(() => new BatchNorm2d(3), (m) => m.forward(x as never))),
  fuzz('BatchNorm2d.forward(x) with the wrong number of channels', shapeOfRank(4).filter((s) => s[1] !== 3),
    (s) => using(() => new BatchNorm2d(3), (m) => m.forward(live(s)))),
  fuzz('BatchNorm1d/2d.forward(x) in training with one value per channel', batchNormName,
    (name) => using(() => new batchNorms[name](3), (m) => m.forward(live(name === 'BatchNorm1d' ? [1, 3] : [1, 3, 1, 1])))),
  fuzz('new LayerNorm(normalizedShape) not a positive integer or a non-empty list of them',
    fc.oneof(notPositiveInt.filter((v) => !Array.isArray(v) || v.length === 0 || !v.every((d) => Number.isInteger(d) && d > 0)),
      fc.array(notPositiveInt, { minLength: 1, maxLength: 3 }), fc.constant([])),
    (shape) => new LayerNorm(shape as never)),
  fuzz('new LayerNorm(shape, options) with a bad key or value', fc.oneof(notOptions,
    unknownKeyOptions(['eps', 'elementwiseAffine', 'bias'], ['elementwise_affine', 'normalized_shape', 'biases']),
    notBoolean.map((v) => ({ bias: v })), fc.constant({ elementwiseAffine: false, bias: true }),
    notBoolean.map((v) => ({ elementwiseAffine: v })), fc.double({ max: 0, noNaN: true }).map((eps) => ({ eps }))),
  (o) => new LayerNorm(4, o as never)),
  fuzz('new GroupNorm(groups, channels) not positive integers, or groups not dividing channels',
    fc.oneof(fc.tuple(notPositiveInt, fc.constant(4)), fc.tuple(fc.constant(2), notPositiveInt),
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 12 })).filter(([g, c]) => c % g !== 0)),
    ([g, c]) => new GroupNorm(g as number, c as number)),
  fuzz('new GroupNorm(2, 4, options) with a bad key or value', fc.oneof(notOptions,
    unknownKeyOptions(['eps', 'affine'], ['num_groups', 'momentum', 'elementwiseAffine', 'trackRunningStats']),
    fc.oneof(fc.double({ max: 0 }), fc.constantFrom(...NON_FINITE), notNumber).map((eps) => ({ eps })), notBoolean.map((affine) => ({ affine })))
      .filter((o) => !(o && typeof o === 'object' && 'eps' in o && (o as { eps: unknown }).eps === undefined)),
  (o) => new GroupNorm(2, 4, o as never)),
  fuzz('GroupNorm.forward(x) with x not a live [N, 4, *] tensor', fc.oneof(notTensor, disposedTensor([2, 4, 3]),
    fc.integer({ min: 0, max: 4 }).chain(shapeOfRank).filter((s) => s.length < 2 || s[1] !== 4).map((s) => live.bind(null, s))),
  (x) => using(() => new GroupNorm(2, 4), (m) => m.forward((typeof x === 'function' ? x() : x) as never))),
  fuzz('new InstanceNorm1d/2d(numFeatures, options) with a bad size, key or value, or trackRunningStats true', fc.tuple(fc.boolean(), fc.oneof(
    notPositiveInt.map((n) => ({ n, o: {} })),
    fc.oneof(notOptions, unknownKeyOptions(['eps', 'momentum', 'affine', 'trackRunningStats'], ['track_running_stats', 'num_features', 'elementwiseAffine']),
      fc.constant({ trackRunningStats: true }), notBoolean.map((affine) => ({ affine })), fc.constantFrom(-0.5, 1.5, NaN, '0.1').map((momentum) => ({ momentum }))).map((o) => ({ n: 3, o })))),
  ([oned, { n, o }]) => (oned ? new InstanceNorm1d(n as number, o as never) : new InstanceNorm2d(n as number, o as never))),
  fuzz('InstanceNorm1d/2d(3).forward(x) with x not a live batch or sample of 3 channels', fc.boolean().chain((oned) => {
    const dims = oned ? 1 : 2;
    const takes = (s: number[]) => (s.length === dims + 2 && s[1] === 3) || (s.length === dims + 1 && s[0] === 3);
    return fc.tuple(fc.constant(oned), fc.oneof(notTensor, disposedTensor([2, 3, 4]),
      fc.integer({ min: 0, max: 5 }).chain(shapeOfRank).filter((s) => !takes(s)).map((s) => live.bind(null, s))));
  }),
  ([oned, x]) => using(() => (oned ? new InstanceNorm1d(3) : new InstanceNorm2d(3)), (m) => m.forward((typeof x === 'function' ? x() : x) as never))),
  fuzz('new LSTM(inputSize, hiddenSize, options) with a bad size, key or value (dropout without layers, projSize not below hiddenSize)',
    fc.oneof(fc.tuple(notPositiveInt, fc.constant(4), fc.constant({})), fc.tuple(fc.constant(3), notPositiveInt, fc.constant({})),
      fc.tuple(fc.constant(3), fc.constant(4), fc.oneof(notOptions, unknownKeyOptions(['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'projSize'], ['num_layers', 'batch_first', 'proj_size', 'hidden_size']),
        fc.constantFrom({ numLayers: 0 }, { numLayers: 1.5 }, { dropout: 0.2 }, { bidirectional: 1 }, { projSize: 4 }, { projSize: -1 }, { bias: 'yes' }, { batchFirst: 1 })))),
    ([i, h, o]) => new LSTM(i as number, h as number, o as never)),
  fuzz('new GRU(inputSize, hiddenSize, options) with a bad size or option; GRU(3, 4).forward(x, state) with a bad input or state',
    fc.oneof(fc.tuple(notPositiveInt, fc.constant(4)).map(([i, h]) => () => new GRU(i as number, h)),
      fc.constantFrom({ dropout: 0.3 }, { bidirectional: 'yes' }, { num_layers: 2 }, { numLayers: 0 }).map((o) => () => new GRU(3, 4, o as never)),
      fc.constantFrom([5], [2, 1, 4], [2, 1, 2, 3]).map((shape) => () => using(() => new GRU(3, 4), (m) => m.forward(live([...shape])))),
      fc.constantFrom('shape', 'missing', 'grad').map((bad) => () => using(() => new GRU(3, 4), (m) => {
        const x = live([2, 1, 3]), h = tensor(new Float32Array(bad === 'shape' ? 8 : 4), bad === 'shape' ? [2, 1, 4] : [1, 1, 4]);
        try {
          return m.forward(x, (bad === 'missing' ? {} : { h: bad === 'grad' ? h.requiresGrad_() : h }) as never);
        } finally {
          h.dispose();
        }
      }))),
    (call) => call()),
  fuzz('new RNN(inputSize, hiddenSize, options) with a bad size, nonlinearity or option; a bidirectional RNN(3, 4).forward(x, state) with a bad input or a one-way state',
    fc.oneof(fc.tuple(fc.constant(3), notPositiveInt).map(([i, h]) => () => new RNN(i, h as number)),
      fc.constantFrom({ nonlinearity: 'sigmoid' }, { nonlinearity: 'Tanh' }, { nonlinearity: 1 }, { non_linearity: 'relu' }, { bidirectional: 'no' }, { dropout: 0.5 })
        .map((o) => () => new RNN(3, 4, o as never)),
      fc.constantFrom([5], [2, 1, 4], [2, 1, 2, 3]).map((shape) => () => using(() => new RNN(3, 4, { bidirectional: true }), (m) => m.forward(live([...shape])))),
      fc.constant(() => using(() => new RNN(3, 4, { bidirectional: true }), (m) => {
        const x = live([2, 1, 3]), h = tensor(new Float32Array(4), [1, 1, 4]);
        try {
          return m.forward(x, { h });
        } finally {
          h.dispose();
        }
      }))),
    (call) => call()),
  fuzz('LSTM(3, 4).forward(x, state) with x not [T, N, 3] or [T, 3], or a state of the wrong shape or needing gradients',
    fc.oneof(fc.oneof(notTensor, disposedTensor([2, 1, 3])).map((x) => ({ x, state: undefined as unknown })),
      fc.constantFrom([5], [2, 1, 4], [2, 1, 2, 3], [0, 1, 3]).map((s) => ({ x: live.bind(null, [...s]), state: undefined as unknown })),
      fc.constantFrom('h', 'c', 'shape', 'grad', 'junk').map((bad) => ({ x: live.bind(null, [2, 1, 3]), state: bad as unknown }))),
    ({ x, state }) => using(() => new LSTM(3, 4), (m) => {
      const input = (typeof x === 'function' ? x() : x) as never;
      if (state === undefined) return m.forward(input);
      const made = [tensor(new Float32Array(4), [1, 1, 4]), tensor(new Float32Array(4), [1, 1, 4]), tensor(new Float32Array(8), [2, 1, 4])];
      try {
        const given = state === 'h' ? { c: made[0] } : state === 'c' ? { h: made[0] } : state === 'shape' ? { h: made[2], c: made[1] }
          : state === 'grad' ? { h: made[0].requiresGrad_(), c: made[1] } : 'junk';
        return m.forward(input, given as never);
      } finally {
        made.forEach((t) => t.dispose());
      }
    })),
  fuzz('LayerNorm.forward(x) with x not ending in normalizedShape', fc.integer({ min: 0, max: 3 }).chain(shapeOfRank).filter((s) => s.length < 2 || s[s.length - 2] !== 2 || s[s.length - 1] !== 4),
    (s) => using(() => new LayerNorm([2, 4]), (m) => m.forward(live(s)))),
  fuzz('new Embedding(num, dim) with a size that is not a positive integer', fc.tuple(notPositiveInt, fc.boolean()),
    ([bad, first]) => (first ? new Embedding(bad as number, 3) : new Embedding(5, bad as number))),
  fuzz('new Embedding(5, 3, options) with a bad paddingIdx or key', fc.oneof(notOptions,
    unknownKeyOptions(['paddingIdx'], ['padding_idx', 'maxNorm', 'sparse', 'scaleGradByFreq']),
    fc.oneof(fc.integer({ min: 5 }), fc.integer({ max: -6 }), fc.double({ noInteger: true }), notNumber).map((paddingIdx) => ({ paddingIdx }))),
  (o) => new Embedding(5, 3, o as never)),
  fuzz('Embedding.forward(indices) with an index that is not an integer in [0, num)',
    fc.oneof(fc.integer({ min: 5 }), fc.integer({ max: -1 }), fc.double({ noInteger: true }).filter((v) => !Number.isInteger(Math.fround(v))), fc.constantFrom(...NON_FINITE)),
    (bad) => using(() => new Embedding(5, 3), (m) => m.forward(live([2], { values: [1, bad] })))),
  fuzz('Embedding.fromPretrained(embeddings) with embeddings not a live 2-D tensor', fc.oneof(notTensor, tensorNotOfRank([2]), disposedTensor([3, 2]), fc.constant(undefined)),
    (t) => Embedding.fromPretrained(t as never)),
  fuzz('Embedding.fromPretrained(embeddings, options) with a bad freeze, paddingIdx or key', fc.oneof(notOptions,
    unknownKeyOptions(['freeze', 'paddingIdx'], ['padding_idx', 'trainable', 'maxNorm', 'freezed']),
    notBoolean.map((freeze) => ({ freeze })), fc.oneof(fc.integer({ min: 3 }), fc.integer({ max: -4 }), fc.double({ noInteger: true }), notNumber).map((paddingIdx) => ({ paddingIdx }))),
  (o) => Embedding.fromPretrained(live([3, 2]), o as never)),
  fuzz('Embedding.forward(indices) with indices not a live tensor', fc.oneof(notTensor, disposedTensor([2]), fc.constant(undefined)),
    (x) => using(() => new Embedding(5, 3), (m) => m.forward(x as never))),
];
