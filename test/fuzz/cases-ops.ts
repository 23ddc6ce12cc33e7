import fc from 'fast-check';
import {
  Tensor, abs, add, div, exp, flatten, full, gemm, init, log, matmul, mean, mul, neg, ones, pow, reshape, sqrt, sub,
  sum, tensor, transpose, zeros, noGrad, tidy, relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax,
  silu, mish, elu, selu, hardswish, hardsigmoid, relu6, cat, stack, narrow, split, chunk, view, unsqueeze, squeeze, permute, unflatten,
  rand, randn, randint, randperm,
} from '../../src/index.js';
import {
  JUNK, NON_FINITE, T, badShape, live, disposedTensor, fuzz, notBoolean, notNumber, notOperand, notOptions, notTensor,
  shapeOfRank, tensorNotOfRank, unknownKeyOptions, withTensor, type FuzzCase,
} from './case.js';

// Invalid calls to tensor creation, the ops, the Tensor methods, backward and init.

/** A live 2-D tensor spec, or something that is not one (junk, wrong rank, disposed). */
const notMatrix = fc.oneof(notTensor, tensorNotOfRank([2]), disposedTensor());
/** Tensor values that are not a number, a (nested) array of numbers or a numeric typed array. */
const badValues = fc.oneof(
  fc.constantFrom(null, 'abc', '', {}, true, () => 1, 10n, new Map(), new BigInt64Array(2), new DataView(new ArrayBuffer(8)),
    [['a']], [[1, 2], [3]], [1, null], [[1], 2], [undefined], [[[]], [1]]),
  fc.array(fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.object()), { minLength: 1, maxLength: 4 }),
);
/** A shape that 6 values cannot fill. */
const notSix = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }).filter((s) => s.reduce((p, d) => p * d, 1) !== 6);

const reduceCases = (name: 'sum' | 'mean', op: typeof sum) => [
  fuzz(`${name}(x) with x not a live tensor`, fc.oneof(notTensor, disposedTensor()), (x) => op(x as Tensor)),
  fuzz(`${name}(x, options) with options not an object`, notOptions, (o) => op(live([2, 3]), o as never)),
  fuzz(`${name}(x, options) with a foreign or misspelt key`, unknownKeyOptions(['dim', 'keepdim'], ['axis', 'keepDim', 'keepdims', 'dims']),
    (o) => withTensor([2, 3], (x) => op(x, o as never))),
  fuzz(`${name}(x, { dim }) out of range or not an integer`,
    fc.tuple(fc.integer({ min: 0, max: 3 }).chain(shapeOfRank), fc.oneof(fc.integer(), fc.double(), notNumber)).filter(
      ([s, d]) => !(Number.isInteger(d) && (d as number) >= -Math.max(s.length, 1) && (d as number) < Math.max(s.length, 1))),
    ([s, dim]) => op(live(s), { dim: dim as number })),
  fuzz(`${name}(x, { keepdim }) not a boolean`, notBoolean, (k) => withTensor([2, 3], (x) => op(x, { keepdim: k as boolean }))),
];


const binary = { add, sub, mul, div } as const;
const unary = { exp, log, neg, sqrt, abs } as const;

export const opCases: FuzzCase[] = [
  // creation
  fuzz('tensor(values) with values not numbers', badValues, (v) => tensor(v as never)),
  fuzz('tensor(values, shape) with a bad shape', badShape, (s) => tensor([1, 2, 3, 4, 5, 6], s as never)),
  fuzz('tensor(values, shape) with a shape the values do not fill', notSix, (s) => tensor([1, 2, 3, 4, 5, 6], s)),
  fuzz('tensor(values, null)', fc.constant(null), (s) => tensor([1, 2], s as never)),
  ...(['zeros', 'ones'] as const).map((name) => fuzz(`${name}(shape) with a bad shape`, badShape, (s) => ({ zeros, ones })[name](s as never))),
  fuzz('full(shape, value) with a bad shape', badShape, (s) => full(s as never, 1)),
  fuzz('full(shape, value) with value not a number', fc.oneof(notNumber, fc.constant(undefined)), (v) => full([2], v as never)),
  ...(['rand', 'randn'] as const).map((name) => fuzz(`${name}(shape) with a bad shape`, badShape, (s) => ({ rand, randn })[name](s as never))),
  ...(['rand', 'randn'] as const).map((name) => fuzz(`${name}(shape, options) with options not { generator: Random }`,
    fc.oneof(notOptions, unknownKeyOptions(['generator'], ['seed', 'gen', 'rng']), fc.constantFrom(...JUNK).map((generator) => ({ generator })).filter((o) => o.generator !== undefined)),
    (o) => ({ rand, randn })[name]([2], o as never))),
  fuzz('randint(low, high, shape) with low ≥ high, bounds not integers within ±2^24, or a bad shape', fc.oneof(
    fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })).filter(([a, b]) => a >= b).map(([a, b]) => [a, b, [2]]),
    fc.constantFrom([0.5, 3, [2]], [0, 2 ** 24 + 1, [2]], [-(2 ** 24) - 1, 0, [2]], [0, NaN, [2]], ['1', 4, [2]], [0, 4, [-1]], [0, 4, 'abc'], [0, 4, null]),
    badShape.map((s) => [0, 4, s])),
  (a) => randint(...(a as [number, number, number[]]))),
  fuzz('randint(high, shape) with high ≤ 0 or not an integer', fc.oneof(fc.integer({ max: 0 }), fc.constantFrom(1.5, NaN, Infinity, '3', null)),
    (h) => randint(h as never, [2])),
  fuzz('randperm(n) with n not an integer in [0, 2^24]', fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 2 ** 24 + 1 }), fc.constantFrom(1.5, NaN, '3', null, undefined)),
    (n) => randperm(n as never)),
  fuzz('new Tensor(shape) with a bad shape', badShape, (s) => new Tensor(s as never)),

  // elementwise
  ...Object.entries(binary).flatMap(([name, op]) => [
    fuzz(`${name}(a, b) with an operand not a tensor or number`, fc.tuple(notOperand, fc.boolean()),
      ([bad, first]) => withTensor([2, 3], (t) => (first ? op(bad as never, t) : op(t, bad as never)))),
    fuzz(`${name}(a, b) with a disposed operand`, fc.tuple(disposedTensor(), fc.boolean()),
      ([d, first]) => (first ? op(d as never, 2) : op(2, d as never))),
    fuzz(`${name}(a, b) with shapes that do not broadcast`,
      fc.tuple(fc.integer({ min: 1, max: 3 }).chain(shapeOfRank), fc.integer({ min: 1, max: 3 }).chain(shapeOfRank)).filter(([a, b]) => !broadcasts(a, b)),
      ([a, b]) => op(live(a), live(b))),
  ]),
  ...Object.entries(unary).map(([name, op]) => fuzz(`${name}(x) with x not a live tensor`, fc.oneof(notTensor, disposedTensor()), (x) => op(x as Tensor))),
  fuzz('pow(x, p) with p not a finite number', fc.oneof(notNumber, fc.constantFrom(...NON_FINITE, undefined, [2])), (p) => withTensor([3], (x) => pow(x, p as number))),
  fuzz('pow(x, p) with x not a live tensor', fc.oneof(notTensor, disposedTensor()), (x) => pow(x as Tensor, 2)),

  // reductions
  ...reduceCases('sum', sum),
  ...reduceCases('mean', mean),

  // matmul and gemm
  fuzz('matmul(a, b) with an operand not a live 2-D tensor', fc.tuple(notMatrix, fc.boolean()),
    ([bad, first]) => (first ? matmul(bad as never, live([2, 2])) : matmul(live([2, 2]), bad as never))),
  fuzz('matmul(a, b) with inner dimensions that differ', fc.tuple(shapeOfRank(2), shapeOfRank(2)).filter(([a, b]) => a[1] !== b[0]),
    ([a, b]) => matmul(live(a), live(b))),
  fuzz('matmul(a, b, options) with options not an object', notOptions, (o) => matmul(live([2, 2]), live([2, 2]), o as never)),
  fuzz('matmul(a, b, options) with alpha, beta or another foreign key', unknownKeyOptions(['transA', 'transB'], ['alpha', 'beta', 'transa', 'trans_b']),
    (o) => matmul(live([2, 2]), live([2, 2]), o as never)),
  fuzz('matmul(a, b, { transA }) not a boolean', notBoolean, (v) => matmul(live([2, 2]), live([2, 2]), { transA: v as boolean })),
  fuzz('gemm(a, b, c, { alpha, beta }) not finite numbers', fc.tuple(fc.constantFrom('alpha', 'beta'), fc.oneof(notNumber, fc.constantFrom(...NON_FINITE))),
    ([key, v]) => gemm(live([2, 3]), live([3, 4]), live([2, 4]), { [key]: v })),
  fuzz('gemm(a, b, c) with c of the wrong shape or not a tensor', fc.oneof(notMatrix, shapeOfRank(2).filter((s) => s[0] !== 2 || s[1] !== 4).map((s) => T(s))),
    (c) => gemm(live([2, 3]), live([3, 4]), c as never)),
  fuzz('gemm(a, b, c, options) with a foreign key', unknownKeyOptions(['transA', 'transB', 'alpha', 'beta']),
    (o) => gemm(live([2, 3]), live([3, 4]), live([2, 4]), o as never)),
  { name: 'gemm(a, b, c) with c the same tensor as a', call: () => withTensor([2, 2], (a) => gemm(a, a, a)) },

  // shape ops
  fuzz('reshape(x, shape) with a bad shape', fc.oneof(badShape, fc.constantFrom([-1, -1], [-2, 3], [4, -1], [0, -1], undefined)).filter((s) => !reshapes(s, 6)),
    (s) => reshape(live([2, 3]), s as never)),
  fuzz('reshape(x, shape) with the wrong element count', notSix.filter((s) => s.length > 0), (s) => reshape(live([2, 3]), s)),
  fuzz('reshape(x, shape) with x not a live tensor', fc.oneof(notTensor, disposedTensor()), (x) => reshape(x as Tensor, [6])),
  fuzz('flatten(x) with x not a live tensor', fc.oneof(notTensor, disposedTensor(), fc.constant(undefined)), (x) => flatten(x as Tensor)),
  fuzz('flatten(x, startDim, endDim) with dims outside x, start after end, or not integers',
    fc.tuple(fc.integer({ min: 0, max: 3 }).chain(shapeOfRank), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noInteger: true }), notNumber),
      fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(undefined))).filter(([shape, a, b]) => {
      const rank = Math.max(shape.length, 1), end = b ?? -1, inRange = (d: unknown) => Number.isInteger(d) && (d as number) >= -rank && (d as number) < rank;
      return !(inRange(a) && inRange(end) && ((a as number) + rank) % rank <= (end + rank) % rank);
    }),
  ([shape, a, b]) => withTensor(shape, (x) => flatten(x, a as number, b))),
  // joining and parts along a dimension
  fuzz('cat/stack(tensors, dim) with tensors not a non-empty array of live tensors, shapes that do not match, or dim out of range',
    fc.tuple(fc.boolean(), fc.oneof(
      fc.oneof(fc.constantFrom(undefined, null, [], 3, 'x'), fc.oneof(notTensor, disposedTensor([2, 3])).map((t) => [T([2, 3]), t])).map((ts) => ({ ts, dim: 0 })),
      fc.constantFrom({ ts: [T([2, 3]), T([2, 4])], dim: 0 }, { ts: [T([2, 3]), T([3])], dim: 0 }, { ts: [T([]), T([])], dim: 0 }),
      fc.oneof(fc.integer({ min: 3, max: 9 }), fc.integer({ min: -9, max: -4 }), fc.double({ noInteger: true }), notNumber.filter((v) => v !== undefined))
        .map((dim) => ({ ts: [T([2, 3]), T([2, 3])], dim }))))
      // Scalars stack (into a vector); only cat refuses them.
      .filter(([isCat, { ts }]) => isCat || !(Array.isArray(ts) && ts.length === 2 && ts.every((t) => t instanceof Object && (t as { shape?: number[] }).shape?.length === 0))),
    ([isCat, { ts, dim }]) => (isCat ? cat(ts as never, dim as number) : stack(ts as never, dim as number))),
  fuzz('narrow(x, dim, start, length) with a dim, start or length out of range, or running past the end',
    fc.oneof(fc.constantFrom([2, 0, 2], [1, 3, 1], [1, 1, 3], [1, -4, 1], [1, 0, -1], [0, 0.5, 1], [5, 0, 1]), fc.tuple(notNumber.filter((v) => v !== undefined), fc.constant(0), fc.constant(1))),
    ([dim, start, length]) => withTensor([2, 3], (x) => narrow(x, dim as number, start as number, length as number))),
  fuzz('split(x, splitSize, dim) / chunk(x, chunks, dim) with a size that is not positive, sizes that do not add up, or a dim out of range',
    fc.tuple(fc.boolean(), fc.oneof(fc.constantFrom(0, -1, 1.5, NaN, [], [1, 1], [1, -1, 3], [2, 'a']).map((size) => ({ size, dim: 1 })),
      fc.integer({ min: 2, max: 5 }).map((dim) => ({ size: 1, dim })))).filter(([isSplit, { size }]) => isSplit || !Array.isArray(size)),
    ([isSplit, { size, dim }]) => withTensor([2, 3], (x) => (isSplit ? split(x, size as number, dim) : chunk(x, size as number, dim)))),
  // activations as ops
  ...([['relu', relu], ['sigmoid', sigmoid], ['tanh', tanh], ['leakyRelu', leakyRelu], ['gelu', gelu], ['softmax', softmax], ['logSoftmax', logSoftmax],
    ['silu', silu], ['mish', mish], ['elu', elu], ['selu', selu], ['hardswish', hardswish], ['hardsigmoid', hardsigmoid], ['relu6', relu6]] as const).map(([name, op]) =>
    fuzz(`${name}(x) with x not a live tensor`, fc.oneof(notTensor, disposedTensor(), fc.constant(undefined)), (x) => (op as (x: Tensor) => Tensor)(x as Tensor))),
  fuzz('leakyRelu(x, negativeSlope) not a finite number', fc.oneof(notNumber, fc.constantFrom(...NON_FINITE)), (v) => withTensor([2, 3], (x) => leakyRelu(x, v as number))),
  fuzz('elu(x, alpha) not a finite number', fc.oneof(notNumber.filter((v) => v !== undefined), fc.constantFrom(...NON_FINITE)), (v) => withTensor([2, 3], (x) => elu(x, v as number))),
  fuzz('gelu(x, options) with a bad approximate or key', fc.oneof(notOptions,
    fc.oneof(fc.string().filter((v) => v !== 'none' && v !== 'tanh'), notNumber).map((approximate) => ({ approximate })), unknownKeyOptions(['approximate'])),
  (o) => withTensor([2, 3], (x) => gelu(x, o as never))),
  fuzz('softmax/logSoftmax(x, dim) with dim not the last, or not an integer',
    fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 }).chain(shapeOfRank), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noInteger: true }), notNumber))
      .filter(([, shape, d]) => !(Number.isInteger(d) && shape.length > 0 && ((d as number) === -1 || (d as number) === shape.length - 1))),
    ([log, shape, d]) => withTensor(shape, (x) => (log ? logSoftmax : softmax)(x, d as number))),
  fuzz('view(x, shape) with the wrong element count or x not a live tensor', fc.oneof(notSix.filter((s) => s.length > 0).map((s) => ({ x: T([2, 3]) as unknown, s })),
    fc.oneof(notTensor, disposedTensor()).map((x) => ({ x, s: [6] }))), ({ x, s }) => view(x as Tensor, s)),
  fuzz('unsqueeze(x, dim) / squeeze(x, dim) with dim outside x or not an integer, or x not a live tensor', fc.tuple(fc.boolean(), fc.oneof(
    fc.oneof(fc.integer({ min: 3, max: 8 }), fc.integer({ min: -8, max: -4 }), fc.double({ noInteger: true }), fc.constantFrom('1', null, [0, 5])).map((dim) => ({ x: T([2, 1]) as unknown, dim })),
    fc.oneof(notTensor, disposedTensor()).map((x) => ({ x, dim: 0 as unknown })))),
  ([isUn, { x, dim }]) => (isUn ? unsqueeze(x as Tensor, dim as number) : squeeze(x as Tensor, dim as number))),
  fuzz('unflatten(x, dim, sizes) with sizes that do not split the dimension, or a bad dim', fc.oneof(
    fc.constantFrom([1, [5, -1]], [1, [2, 2]], [1, [-1, -1]], [1, []], [1, [0, -1]], [2, [3, 4]], [-3, [2, 6]], [0.5, [2, 1]], [1, 'ab'], [1, [2.5, 4.8]])),
  ([dim, sizes]) => withTensor([2, 12], (x) => unflatten(x, dim as number, sizes as never))),
  fuzz('permute(x, dims) with dims not each dimension once, out of range, or not integers', fc.oneof(
    fc.constantFrom([], [0], [0, 0, 1], [0, 1, 3], [2, 1, 0, 3], [0, 1, -4], [0.5, 1, 2], '012', null, [[0], 1, 2])),
  (dims) => withTensor([2, 3, 4], (x) => permute(x, dims as never))),
  fuzz('transpose(x) with x not a live tensor', fc.oneof(notTensor, disposedTensor(), fc.constant(undefined)), (x) => transpose(x as Tensor)),
  fuzz('transpose(x, dim0, dim1) with a dim outside x or not an integer',
    fc.tuple(fc.integer({ min: 0, max: 4 }).chain(shapeOfRank), fc.oneof(fc.integer({ min: -6, max: 6 }), fc.double({ noInteger: true }), notNumber),
      fc.oneof(fc.integer({ min: -6, max: 6 }), fc.double({ noInteger: true }), notNumber)).filter(([shape, a, b]) => {
      const rank = Math.max(shape.length, 1), inRange = (d: unknown) => Number.isInteger(d) && (d as number) >= -rank && (d as number) < rank;
      return !(inRange(a) && inRange(b));
    }),
  ([shape, a, b]) => withTensor(shape, (x) => transpose(x, a as number, b as number))),

  // Tensor methods and backward
  fuzz('x.item() on a tensor without exactly one element', fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).filter((s) => s.reduce((p, d) => p * d, 1) !== 1),
    (s) => live(s).item()),
  fuzz('x.requiresGrad_(value) not a boolean', fc.oneof(notBoolean, fc.constant(null)), (v) => withTensor([2], (x) => x.requiresGrad_(v as boolean))),
  fuzz('x.clone() / x.toArray() / x.item() on a disposed tensor', fc.tuple(disposedTensor([1]), fc.constantFrom('clone', 'toArray', 'item')),
    ([x, m]) => (x as unknown as Record<string, () => unknown>)[m]()),
  fuzz('y.backward(arg) with arg not a tensor or options', fc.oneof(fc.constantFrom('abc', 5, null, [1], true, new Float32Array(1), () => 1), fc.string(), fc.integer()),
    (g) => scalarLoss((y) => y.backward(g as never))),
  fuzz('y.backward(options) with a foreign key or a bad retainGraph', fc.oneof(unknownKeyOptions(['retainGraph'], ['retain_graph', 'retain', 'createGraph']), notBoolean.map((v) => ({ retainGraph: v }))),
    (o) => scalarLoss((y) => y.backward(o as never))),
  fuzz('y.backward(grad) with grad of another shape or disposed', fc.oneof(shapeOfRank(1).filter((s) => s[0] !== 3).map((s) => T(s)), disposedTensor([3])),
    (g) => withGraph((y) => y.backward(g as never))),
  { name: 'y.backward() on a non-scalar', call: () => withGraph((y) => y.backward()) },
  { name: 'y.backward() on a tensor that does not require grad', call: () => withTensor([1], (y) => y.backward()) },
  { name: 'y.backward() twice without retainGraph', call: () => scalarLoss((y) => { y.backward(); y.backward(); }) },

  // scopes
  fuzz('noGrad(fn) / tidy(fn) with fn not a function', fc.tuple(fc.constantFrom('noGrad', 'tidy'), fc.oneof(fc.constantFrom(...JUNK.filter((v) => typeof v !== 'function'), undefined), fc.string(), fc.integer(), fc.object())),
    ([name, fn]) => ({ noGrad, tidy })[name](fn as never)),

  // init
  fuzz('init(options) with options not an object', notOptions, (o) => init(o as never)),
  fuzz('init(options) with a foreign key or a bad value', fc.oneof(
    unknownKeyOptions(['backend', 'build', 'wasm', 'threads'], ['thread', 'numThreads', 'simd']),
    fc.record({ backend: fc.oneof(fc.string().filter((s) => s !== 'wasm' && s !== 'js'), notNumber) }),
    fc.record({ build: fc.oneof(fc.string().filter((s) => !['auto', 'simd', 'scalar', 'relaxed'].includes(s)), notNumber) }),
    fc.record({ threads: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65 }), fc.double({ noInteger: true }), fc.constantFrom(...JUNK, 'all')) }),
  ), (o) => init(o as never)),
];

/** Whether `shape` is a valid reshape target for `size` elements (one -1 allowed). */
function reshapes(shape: unknown, size: number): boolean {
  if (!Array.isArray(shape) || !shape.every((d) => d === -1 || (Number.isInteger(d) && d >= 0))) return false;
  const holes = shape.filter((d) => d === -1).length;
  const rest = shape.reduce((p: number, d: number) => (d === -1 ? p : p * d), 1);
  return holes === 0 ? rest === size : holes === 1 && rest > 0 && size % rest === 0;
}

function broadcasts(a: number[], b: number[]): boolean {
  if (a.length === b.length && a.every((d, i) => d === b[i])) return true;
  if (a.length > 2 || b.length > 2) return false;
  const [ar, ac] = a.length === 2 ? a : [1, a[0] ?? 1];
  const [br, bc] = b.length === 2 ? b : [1, b[0] ?? 1];
  return (ar === br || ar === 1 || br === 1) && (ac === bc || ac === 1 || bc === 1);
}

/** A scalar y = Σ x² over a leaf x that requires grad, both freed afterwards. */
function scalarLoss(use: (y: Tensor) => unknown): unknown {
  return withGraph((z) => {
    const y = sum(z);
    try {
      return use(y);
    } finally {
      y.dispose();
    }
  });
}

/** z = x·x (shape [3]) over a leaf x that requires grad, freed afterwards. */
function withGraph(use: (z: Tensor) => unknown): unknown {
  const x = tensor([1, 2, 3]).requiresGrad_();
  const z = mul(x, x);
  try {
    return use(z);
  } finally {
    z.dispose();
    x.dispose();
  }
}
