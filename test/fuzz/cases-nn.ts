import fc from 'fast-check';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, Dropout, Dropout2d, ELU, Flatten, Identity, PReLU, Unflatten, GELU, Hardsigmoid, Hardswish, Mish, ReLU6, SELU, SiLU, HuberLoss, L1Loss, LeakyReLU, Linear, LogSoftmax,
  MSELoss, ModuleDict, ModuleList, NLLLoss, ReLU, Random, Sequential, Sigmoid, SmoothL1Loss, Softmax, Tanh, init, type Module,
} from '../../src/index.js';
import {
  JUNK, NON_FINITE, disposedTensor, fuzz, live, notBoolean, notNumber, notOptions, notTensor, shapeOfRank, tensorNotOfRank,
  unknownKeyOptions, using, type FuzzCase,
} from './case.js';

// Invalid calls to the layers, losses, Sequential, their forward passes and the initialisers.

/** Integers that are not layer sizes, and non-integers. */
const notPositiveInt = fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE, undefined), notNumber);
/** Doubles below 0 (never -0, which ≥ 0 accepts) and above `x` (as float32 too: 1 + 1e-12 rounds to 1). */
const negative = fc.double({ max: 0, noNaN: true }).filter((v) => Math.fround(v) < 0);
const above = (x: number) => fc.double({ min: x, noNaN: true }).filter((v) => Math.fround(v) > x);
const model = () => new Sequential([new Linear(4, 3), new ReLU(), new Linear(3, 2)]);

const noOptionLayers = { ReLU, Sigmoid, Tanh, SiLU, Mish, SELU, Hardswish, Hardsigmoid, ReLU6 } as const;
const losses = { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss, CrossEntropyLoss, NLLLoss } as const;
const lossKeys: Record<string, string[]> = {
  HuberLoss: ['delta'], SmoothL1Loss: ['beta'], BCEWithLogitsLoss: ['posWeight'], KLDivLoss: ['logTarget'], CrossEntropyLoss: ['labelSmoothing', 'weight', 'ignoreIndex'],
  NLLLoss: ['weight', 'ignoreIndex'],
};
const classLosses = { CrossEntropyLoss, NLLLoss } as const;
const initializers = ['uniform', 'normal', 'zeros', 'ones', 'kaimingUniform', 'kaimingNormal', 'xavierUniform', 'xavierNormal'] as const;

export const nnCases: FuzzCase[] = [
  // constructors
  fuzz('new Linear(in, out) with a size that is not a positive integer', fc.tuple(notPositiveInt, fc.boolean()),
    ([bad, first]) => (first ? new Linear(bad as number, 3) : new Linear(3, bad as number))),
  fuzz('new Linear(in, out, options) with options not an object', notOptions, (o) => new Linear(3, 3, o as never)),
  fuzz('new Linear(in, out, options) with a misspelt or foreign key', unknownKeyOptions(['bias'], ['bais', 'useBias', 'device', 'dtype']),
    (o) => new Linear(3, 3, o as never)),
  fuzz('new Linear(in, out, { bias }) not a boolean', notBoolean, (b) => new Linear(3, 3, { bias: b as boolean })),
  ...Object.entries(noOptionLayers).map(([name, Layer]) =>
    fuzz(`new ${name}(options) with any option`, fc.oneof(unknownKeyOptions([], ['inplace', 'startDim']), notOptions),
      (o) => new (Layer as new (o: unknown) => Module)(o))),
  fuzz('new Flatten(startDim, endDim) with a dim that is not an integer, or a bad key', fc.oneof(
    fc.oneof(fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE), notNumber.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))),
    fc.tuple(fc.constantFrom('startDim', 'endDim'), fc.oneof(fc.double({ noInteger: true }), notNumber)).map(([k, v]) => ({ [k]: v })),
    unknownKeyOptions(['startDim', 'endDim'], ['start_dim', 'end_dim', 'dim', 'inplace'])),
  (o) => new Flatten(o as never)),
  fuzz('new Flatten(startDim, endDim).forward(x) with dims outside x or start after end',
    fc.tuple(fc.integer({ min: 1, max: 4 }).chain(shapeOfRank), fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 })).filter(([shape, a, b]) => {
      const rank = Math.max(shape.length, 1), inRange = (d: number) => d >= -rank && d < rank;
      return !(inRange(a) && inRange(b) && (a + rank) % rank <= (b + rank) % rank);
    }),
  ([shape, a, b]) => using(() => new Flatten(a, b), (layer) => layer.forward(live(shape)))),
  fuzz('new Unflatten(dim, sizes) with dim not an integer or sizes not a non-empty array of sizes; new Identity(anything)', fc.oneof(
    fc.tuple(fc.oneof(fc.double({ noInteger: true }), notNumber), fc.constant([2, 3])), fc.tuple(fc.constant(1), fc.constantFrom([], [0.5], [-2, 3], 'ab', null, 6)),
    fc.tuple(fc.constant('identity'), fc.oneof(fc.integer(), fc.constant({}), fc.constant(null)))),
  ([dim, sizes]) => (dim === 'identity' ? new Identity(sizes as never) : new Unflatten(dim as number, sizes as never))),
  fuzz('new PReLU(numParameters | options, options) with a bad count, init or key; PReLU(3).forward(x) without 3 channels in dimension 1',
    fc.oneof(
      fc.oneof(notPositiveInt.filter((v) => v !== undefined), fc.constantFrom({ init: NaN }, { init: '0.1' }, { num_parameters: 2 }, { numParameters: 0 })).map((o) => () => new PReLU(o as never)),
      fc.constantFrom({ init: 'x' }, { foo: 1 }, 3).map((o) => () => new PReLU(2, o as never)),
      fc.constantFrom([2], [2, 4], [2, 2, 3], []).map((shape) => () => using(() => new PReLU(3), (m) => m.forward(live([...shape]))))),
    (call) => call()),
  fuzz('new LeakyReLU(options) with a bad slope or key', fc.oneof(
    fc.constantFrom(...NON_FINITE).map((v) => ({ negativeSlope: v })), notNumber.map((v) => ({ negativeSlope: v })),
    unknownKeyOptions(['negativeSlope'], ['negative_slope', 'slope', 'alpha']), fc.constantFrom(...NON_FINITE, 'abc', null, true)),
  (o) => new LeakyReLU(o as never)),
  fuzz('new ELU(options) with a bad alpha or key', fc.oneof(
    fc.constantFrom(...NON_FINITE).map((v) => ({ alpha: v })), notNumber.map((v) => ({ alpha: v })),
    unknownKeyOptions(['alpha'], ['inplace', 'negativeSlope', 'scale']), fc.constantFrom(...NON_FINITE, 'abc', null, true)),
  (o) => new ELU(o as never)),
  fuzz('new GELU(options) with a bad approximate or key', fc.oneof(
    fc.oneof(fc.string().filter((s) => s !== 'none' && s !== 'tanh'), notNumber).map((v) => ({ approximate: v })),
    unknownKeyOptions(['approximate']), notOptions),
  (o) => new GELU(o as never)),
  ...([['Dropout', Dropout], ['Dropout2d', Dropout2d]] as const).map(([name, Layer]) => fuzz(`new ${name}(p) with p outside [0, 1] or a bad key`, fc.oneof(
    fc.oneof(above(1), negative, fc.constantFrom(...NON_FINITE)),
    fc.oneof(above(1), notNumber).map((p) => ({ p })),
    unknownKeyOptions(['p'], ['rate', 'inplace']), fc.constantFrom('abc', null, true, [0.5])),
  (o) => new Layer(o as never))),
  fuzz('new Dropout2d().forward(x) with x not [N, C, H, W] or [C, H, W]', fc.constantFrom(0, 1, 2, 5).chain(shapeOfRank),
    (s) => using(() => new Dropout2d(), (m) => m.forward(live(s)))),
  ...([['Softmax', Softmax], ['LogSoftmax', LogSoftmax]] as const).map(([name, Layer]) =>
    fuzz(`new ${name}(dim) with a dim not an integer or a bad key`, fc.oneof(
      fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE), notNumber.map((dim) => ({ dim })), unknownKeyOptions(['dim'], ['axis'])),
    (o) => new Layer(o as never))),
  ...Object.entries(losses).flatMap(([name, Loss]) => [
    fuzz(`new ${name}(options) with a bad reduction or a foreign key`, fc.oneof(
      fc.oneof(fc.string().filter((s) => !['mean', 'sum', 'none', 'batchmean'].includes(s)), notNumber).map((reduction) => ({ reduction })),
      unknownKeyOptions(['reduction', ...(lossKeys[name] ?? [])], ['reduce', 'size_average', 'weight', 'ignoreIndex', 'ignore_index', 'posWeight']), notOptions),
    (o) => new (Loss as new (o: unknown) => Module)(o)),
  ]),
  fuzz('new KLDivLoss({ logTarget }) not a boolean', fc.oneof(notBoolean, fc.constantFrom(0, 1, 'true')), (logTarget) => new KLDivLoss({ logTarget: logTarget as never })),
  fuzz('new HuberLoss({ delta }) not positive', fc.oneof(negative, fc.constantFrom(0, -0, ...NON_FINITE), notNumber), (delta) => new HuberLoss({ delta: delta as number })),
  fuzz('new SmoothL1Loss({ beta }) negative', fc.oneof(negative, fc.constantFrom(...NON_FINITE), notNumber), (beta) => new SmoothL1Loss({ beta: beta as number })),
  fuzz('new CrossEntropyLoss({ labelSmoothing }) outside [0, 1]', fc.oneof(above(1), negative, notNumber),
    (ls) => new CrossEntropyLoss({ labelSmoothing: ls as number })),
  fuzz('new BCEWithLogitsLoss({ posWeight }) not a 1-D tensor or numbers', fc.oneof(
    fc.constantFrom('abc', null, 5, [NaN], ['1'], {}, true), tensorNotOfRank([1]), disposedTensor([2])),
  (pw) => new BCEWithLogitsLoss({ posWeight: pw as never })),
  fuzz('new CrossEntropyLoss/NLLLoss({ weight }) not a 1-D tensor of finite numbers', fc.tuple(fc.constantFrom('CrossEntropyLoss', 'NLLLoss'), fc.oneof(
    fc.constantFrom('abc', null, 5, [NaN], [1, Infinity], ['1'], {}, true, new Float32Array([1, NaN])), tensorNotOfRank([1]), disposedTensor([3]))),
  ([name, w]) => new classLosses[name]({ weight: w as never })),
  fuzz('new CrossEntropyLoss/NLLLoss({ ignoreIndex }) not an integer float32 holds', fc.tuple(fc.constantFrom('CrossEntropyLoss', 'NLLLoss'), fc.oneof(
    fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE, 2 ** 24 + 1, -(2 ** 30)), notNumber)),
  ([name, i]) => new classLosses[name]({ ignoreIndex: i as number })),
  fuzz('CrossEntropyLoss/NLLLoss forward with a weight per class of another count', fc.tuple(fc.constantFrom('CrossEntropyLoss', 'NLLLoss'), fc.integer({ min: 1, max: 6 }).filter((c) => c !== 3)),
    ([name, count]) => using(() => new classLosses[name]({ weight: new Array(count).fill(1) }), (l) => l.forward(live([2, 3]), live([2], { values: [0, 2] })))),
  fuzz('CrossEntropyLoss forward with probability targets and an ignoreIndex', fc.integer({ min: -99, max: 5 }),
    (i) => using(() => new CrossEntropyLoss({ ignoreIndex: i }), (l) => l.forward(live([2, 3]), live([2, 3])))),
  fuzz('new Sequential(layers) with layers not an array of modules or an object of named ones', fc.oneof(
    // (an empty array or object is an empty model, as torch's nn.Sequential())
    fc.constantFrom(...JUNK.filter((v) => !(typeof v === 'object' && v !== null && Object.keys(v).length === 0 && [Array.prototype, Object.prototype, null].includes(Object.getPrototypeOf(v)))), undefined, 5), fc.array(fc.oneof(notNumber, fc.integer()), { minLength: 1, maxLength: 3 })),
  (layers) => new Sequential(layers as never)),
  fuzz('new Sequential(layers, options) with a bad seed or key', fc.oneof(
    fc.oneof(fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE, 2 ** 60), notNumber).map((seed) => ({ seed })),
    unknownKeyOptions(['seed'], ['seeds', 'generator']), notOptions),
  (o) => new Sequential([new ReLU()], o as never)),
  fuzz('new ModuleList(modules) with modules not an array of modules', fc.oneof(
    fc.constantFrom(...JUNK.filter((v) => !Array.isArray(v)), 5, null), fc.array(fc.oneof(notNumber, fc.integer()), { minLength: 1, maxLength: 3 })),
  (modules) => new ModuleList(modules as never)),
  fuzz('ModuleList.at(index) out of range or not an integer; append() of junk, a held or a disposed module', fc.oneof(
    fc.oneof(fc.integer({ min: 2 }), fc.integer({ max: -3 }), fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE), notNumber).map((i) => ({ at: i })),
    fc.constantFrom('junk', 'held', 'disposed').map((append) => ({ append }))),
  (call) => using(() => new ModuleList([new Linear(2, 2), new ReLU()]), (list) => {
    if ('at' in call) return list.at(call.at as never);
    if (call.append === 'held') return list.append(list.at(0));
    if (call.append === 'junk') return list.append({} as never);
    const gone = new Linear(2, 2);
    gone.dispose();
    return list.append(gone);
  })),
  fuzz('new Sequential({ name: layer }) with a name torch refuses, a number, a reserved name or a value not a module', fc.oneof(
    fc.constantFrom('', 'a.b', '.', '0', '12', 'layers', 'forward', 'parameterBlock', 'constructor').map((name) => ({ name, value: 'layer' })),
    fc.oneof(notNumber, fc.integer()).map((value) => ({ name: 'fc', value }))),
  ({ name, value }) => {
    const layer = new ReLU();
    return new Sequential({ [name]: value === 'layer' ? layer : value } as never);
  }),
  fuzz('new ModuleDict(modules) / set(name, module) / get(name) with junk, a bad or reserved name, a held module or a missing name', fc.oneof(
    fc.constantFrom(...JUNK.filter((v) => !(typeof v === 'object' && v !== null && Object.keys(v).length === 0 && [Object.prototype, null].includes(Object.getPrototypeOf(v)))), 5)
      .map((modules) => () => new ModuleDict(modules as never)),
    fc.oneof(fc.constantFrom('', 'a.b', '0', '7', 'get', 'size', 'training', 'keys'), notNumber.filter((v) => typeof v !== 'string'))
      .map((name) => () => using(() => new ModuleDict(), (d) => d.set(name as never, new ReLU()))),
    fc.constantFrom('held', 'missing', 'junk').map((bad) => () => using(() => new ModuleDict({ a: new ReLU() }), (d) =>
      (bad === 'held' ? d.set('b', d.get('a')) : bad === 'missing' ? d.get('b') : d.set('b', {} as never))))),
  (call) => call()),
  { name: 'new Sequential([layer, layer]) (the same module twice)', call: () => { const l = new Linear(2, 2); try { return new Sequential([l, l]); } finally { l.dispose(); } } },
  { name: 'new Sequential([a disposed layer])', call: () => { const l = new Linear(2, 2); l.dispose(); return new Sequential([l]); } },

  // forward inputs
  fuzz('model.forward(x) with x not a live tensor', fc.oneof(notTensor, disposedTensor([2, 4]), fc.constant(undefined)),
    (x) => using(model, (m) => m.forward(x as never))),
  fuzz('model.forward(x) with the wrong number of features', fc.integer({ min: 1, max: 3 }).chain(shapeOfRank).filter((s) => s[s.length - 1] !== 4),
    (s) => using(model, (m) => m.forward(live(s)))),
  { name: 'model.forward(x) after model.dispose()', call: () => { const m = model(); m.dispose(); return m.forward(live([2, 4])); } },
  fuzz('loss.forward(input, target) with shapes that differ', fc.tuple(fc.constantFrom('MSELoss', 'L1Loss', 'BCEWithLogitsLoss', 'HuberLoss'), shapeOfRank(2), shapeOfRank(2))
    .filter(([, a, b]) => a[0] !== b[0] || a[1] !== b[1]),
  ([name, a, b]) => using(() => new losses[name](), (l) => l.forward(live(a), live(b)))),
  fuzz('CrossEntropyLoss/NLLLoss forward with targets that are not class indices',
    fc.tuple(fc.constantFrom('CrossEntropyLoss', 'NLLLoss'), fc.oneof(fc.integer({ min: 3 }), fc.integer({ max: -1 }).filter((t) => t !== -100 /* torch's ignoreIndex */), fc.double({ min: -5, max: 5, noNaN: true }).filter((v) => !Number.isInteger(Math.fround(v))), fc.constantFrom(...NON_FINITE))),
    ([name, bad]) => using(() => new losses[name](), (l) => l.forward(live([2, 3]), live([2], { values: [0, bad] })))),
  fuzz('CrossEntropyLoss forward with input not [batch, classes] for a target of 2 class indices', tensorNotOfRank([2]),
    (x) => using(() => new CrossEntropyLoss(), (l) => l.forward(x as never, live([2])))),
  fuzz('CrossEntropyLoss/NLLLoss forward on [N, C, d1, …] with targets of another shape',
    fc.tuple(fc.constantFrom('CrossEntropyLoss', 'NLLLoss'), fc.constantFrom([2, 4], [2, 3, 4], [2, 4, 3, 1], [3, 4, 3], [2, 5, 3])),
    ([name, target]) => using(() => new losses[name](), (l) => l.forward(live([2, 5, 4, 3]), live([...target])))),
  fuzz('loss.forward(input, target) with a target that requires grad', fc.constantFrom('MSELoss', 'L1Loss'),
    (name) => using(() => new losses[name](), (l) => l.forward(live([2, 3]), live([2, 3], { requiresGrad: true })))),
  fuzz('BCELoss forward with inputs outside [0, 1]', fc.oneof(above(1).filter((v) => v < 1e30), negative.filter((v) => v > -1e30), fc.constant(NaN)),
    (v) => using(() => new BCELoss(), (l) => l.forward(live([2], { values: [0.5, v] }), live([2])))),
  fuzz('model.train(mode) with mode not a boolean', fc.oneof(notBoolean, fc.constant(null)), (mode) => using(model, (m) => m.train(mode as never))),

  // initialisers
  ...initializers.map((name) => fuzz(`init.${name}(t) with t not a live tensor`, fc.oneof(notTensor, disposedTensor(), fc.constant(undefined)),
    (t) => (init[name] as (t: unknown) => unknown)(t))),
  fuzz('init.uniform(t, a, b) with bounds that are not finite or a > b', fc.oneof(
    fc.tuple(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 })).filter(([a, b]) => a > b),
    fc.tuple(fc.oneof(notNumber, fc.constantFrom(...NON_FINITE)), fc.constant(1)),
    fc.tuple(fc.constant(0), fc.oneof(notNumber, fc.constantFrom(...NON_FINITE)))),
  ([a, b]) => init.uniform(live([2, 2]), a as number, b as number)),
  fuzz('init.normal(t, mean, std) with a negative or non-finite std', fc.oneof(negative, fc.constantFrom(...NON_FINITE), notNumber),
    (std) => init.normal(live([2, 2]), 0, std as number)),
  fuzz('init.kaimingUniform(t, options) with a bad mode, nonlinearity or key', fc.oneof(
    fc.string().filter((s) => s !== 'fan_in' && s !== 'fan_out').map((mode) => ({ mode })),
    fc.string().filter((s) => !['linear', 'conv', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'].includes(s)).map((nonlinearity) => ({ nonlinearity })),
    fc.oneof(notNumber, fc.constantFrom(...NON_FINITE)).map((a) => ({ a })),
    fc.constantFrom(...JUNK).map((generator) => ({ generator })),
    unknownKeyOptions(['a', 'mode', 'nonlinearity', 'generator'], ['fanMode', 'gain'])),
  (o) => init.kaimingUniform(live([3, 2]), o as never)),
  fuzz('init.kaimingUniform / xavierUniform on a tensor of rank < 2', fc.tuple(fc.constantFrom('kaimingUniform', 'xavierUniform', 'xavierNormal', 'kaimingNormal'), fc.integer({ min: 0, max: 1 }).chain(shapeOfRank)),
    ([name, s]) => (init[name] as (t: unknown) => unknown)(live(s))),
  fuzz('init.xavierUniform(t, gain, generator) with a bad gain or generator', fc.oneof(
    fc.tuple(fc.oneof(negative, notNumber, fc.constantFrom(...NON_FINITE)), fc.constant(new Random(1))),
    fc.tuple(fc.constant(1), fc.constantFrom(...JUNK, 5))),
  ([gain, gen]) => init.xavierUniform(live([3, 2]), gain as number, gen as never)),
  fuzz('init.calculateGain(nonlinearity, param) with an unknown nonlinearity or a bad param', fc.oneof(
    fc.tuple(fc.oneof(fc.string().filter((s) => !['linear', 'conv', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'].includes(s)), notNumber), fc.constant(undefined)),
    fc.tuple(fc.constant('leaky_relu'), fc.oneof(notNumber, fc.constantFrom(...NON_FINITE)))),
  ([n, p]) => init.calculateGain(n as never, p as number)),
];
