import fc from 'fast-check';
import {
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} from '../../src/index.js';
import { Upsample, interpolate, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, MaxPool1d, MaxPool2d, pad, type Tensor } from '../../src/index.js';
import {
  NON_FINITE, disposedTensor, fuzz, live, notBoolean, notNumber, notOptions, notTensor, shapeOfRank, tensorNotOfRank,
  unknownKeyOptions, using, withTensor, type FuzzCase,
} from './case.js';

// Invalid calls to Conv2d, ConvTranspose2d, the 1-D layers, the pooling layers, pad and interpolate / Upsample: constructors,
// options, forward inputs.

const notPositiveInt = fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE), notNumber);
/** Not a positive integer or a pair [h, w] of them (kernelSize, stride, dilation). */
const notPositivePair = fc.oneof(notPositiveInt.filter((v) => !Array.isArray(v)), fc.tuple(notPositiveInt, fc.integer({ min: 1, max: 3 })),
  fc.constantFrom([], [1], [1, 2, 3], [2, '2']));
/** Not a non-negative integer or a pair of them (padding). */
const notPadding = fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE, [1, -1], [0.5, 0], [1, 2, 3]));
/** Not a positive integer or [l] (a 1-D layer's kernelSize, stride, dilation): pairs included. */
const notPositiveSingle = fc.oneof(notPositiveInt.filter((v) => !Array.isArray(v)), fc.tuple(notPositiveInt),
  fc.constantFrom([], [1, 2], [3, 3], ['2']));
/** Not a non-negative integer or [l] (a 1-D layer's padding). */
const notPaddingSingle = fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.constantFrom(...NON_FINITE, [-1], [0.5], [1, 1], []));
const pools = { MaxPool2d, AvgPool2d } as const;
const poolName = fc.constantFrom('MaxPool2d', 'AvgPool2d') as fc.Arbitrary<keyof typeof pools>;
const pools1d = { MaxPool1d, AvgPool1d } as const;
const padLayers = {
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} as const;
const padLayerName = fc.constantFrom(...(Object.keys(padLayers) as (keyof typeof padLayers)[]));
const pool1dName = fc.constantFrom('MaxPool1d', 'AvgPool1d') as fc.Arbitrary<keyof typeof pools1d>;

export const convCases: FuzzCase[] = [
  fuzz('new Conv2d(in, out, k) with a size that is not a positive integer', fc.tuple(notPositiveInt, fc.integer({ min: 0, max: 1 })),
    ([bad, which]) => (which === 0 ? new Conv2d(bad as number, 2, 3) : new Conv2d(2, bad as number, 3))),
  fuzz('new Conv2d(2, 2, kernelSize) not a positive integer or pair', notPositivePair, (k) => new Conv2d(2, 2, k as never)),
  fuzz('new Conv2d(2, 2, 3, options) with options not an object or a misspelt key', fc.oneof(notOptions,
    unknownKeyOptions(['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], ['padding_mode', 'kernel_size', 'in_channels', 'dilations', 'pad', 'group'])),
  (o) => new Conv2d(2, 2, 3, o as never)),
  fuzz('new Conv2d(2, 2, 3, { stride | dilation }) not a positive integer or pair', fc.tuple(fc.constantFrom('stride', 'dilation'), notPositivePair),
    ([key, v]) => new Conv2d(2, 2, 3, { [key]: v } as never)),
  fuzz("new Conv2d(2, 2, 3, { padding }) not a size, a pair, 'same' or 'valid'", fc.oneof(notPadding, fc.constantFrom('SAME', 'full', '', 'zeros')),
    (p) => new Conv2d(2, 2, 3, { padding: p as never })),
  fuzz("new Conv2d(2, 2, 3, { padding: 'same', stride > 1 })", fc.integer({ min: 2, max: 4 }), (s) => new Conv2d(2, 2, 3, { padding: 'same', stride: s })),
  fuzz('new Conv2d(in, out, 3, { groups }) that does not divide both', fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 7 }))
    .filter(([i, o, g]) => i % g !== 0 || o % g !== 0), ([i, o, g]) => new Conv2d(i, o, 3, { groups: g })),
  fuzz('new Conv2d(2, 2, 3, { bias }) not a boolean', notBoolean, (b) => new Conv2d(2, 2, 3, { bias: b as boolean })),
  fuzz('new Conv2d(2, 2, 3, { paddingMode }) not a mode', fc.oneof(fc.constantFrom('zero', 'edge', 'wrap', 'symmetric', 'constant', 'Reflect'), notNumber),
    (m) => new Conv2d(2, 2, 3, { paddingMode: m as never })),
  fuzz('Conv2d.forward(x) with x not a live tensor', fc.oneof(notTensor, disposedTensor([1, 2, 5, 5]), fc.constant(undefined)),
    (x) => using(() => new Conv2d(2, 3, 3), (m) => m.forward(x as never))),
  fuzz('Conv2d.forward(x) with x not [N, C, H, W] or [C, H, W]', tensorNotOfRank([3, 4]),
    (x) => using(() => new Conv2d(2, 3, 3), (m) => m.forward(x as never))),
  fuzz('Conv2d.forward(x) with the wrong number of channels', shapeOfRank(4).filter((s) => s[1] !== 2),
    (s) => using(() => new Conv2d(2, 3, 1), (m) => m.forward(live(s)))),
  fuzz('Conv2d.forward(x) with a plane smaller than the window', fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    ([h, w]) => using(() => new Conv2d(2, 3, 5, { dilation: [1, 2] }), (m) => m.forward(live([1, 2, h, w])))),
  fuzz("Conv2d.forward(x) with paddingMode 'reflect' or 'circular' wider than the plane allows",
    fc.tuple(fc.constantFrom('reflect', 'circular') as fc.Arbitrary<'reflect' | 'circular'>, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 5 })),
    ([mode, size, p]) => using(() => new Conv2d(1, 1, 1, { padding: mode === 'reflect' ? Math.max(size, p) : size + 1, paddingMode: mode }),
      (m) => m.forward(live([1, 1, size, 4])))),
  fuzz('new ConvTranspose2d(in, out, k) with a size or kernel that is not a positive integer (or pair)', fc.tuple(notPositivePair, fc.integer({ min: 0, max: 2 })),
    ([bad, which]) => (which === 0 ? new ConvTranspose2d(bad as number, 2, 3) : which === 1 ? new ConvTranspose2d(2, bad as number, 3) : new ConvTranspose2d(2, 2, bad as never))),
  fuzz('new ConvTranspose2d(2, 2, 3, options) with options not an object or a misspelt key', fc.oneof(notOptions,
    unknownKeyOptions(['stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias'], ['output_padding', 'paddingMode', 'padding_mode', 'kernel_size', 'outputSize'])),
  (o) => new ConvTranspose2d(2, 2, 3, o as never)),
  fuzz("new ConvTranspose2d(2, 2, 3, { padding | outputPadding }) not a size or pair (or 'same')", fc.tuple(fc.constantFrom('padding', 'outputPadding'), fc.oneof(notPadding, fc.constantFrom('same', 'valid'))),
    ([key, v]) => new ConvTranspose2d(2, 2, 3, { [key]: v } as never)),
  fuzz('new ConvTranspose2d(2, 2, 3, { outputPadding }) not below both the stride and the dilation',
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 })).filter(([s, d, o]) => o >= Math.max(s, d)),
    ([stride, dilation, outputPadding]) => new ConvTranspose2d(2, 2, 3, { stride, dilation, outputPadding })),
  fuzz('new ConvTranspose2d(in, out, 3, { groups }) that does not divide both', fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 7 }))
    .filter(([i, o, g]) => i % g !== 0 || o % g !== 0), ([i, o, g]) => new ConvTranspose2d(i, o, 3, { groups: g })),
  fuzz('ConvTranspose2d.forward(x) with x not a live [N, C, H, W] or [C, H, W] tensor', fc.oneof(notTensor, disposedTensor([1, 2, 5, 5]), tensorNotOfRank([3, 4])),
    (x) => using(() => new ConvTranspose2d(2, 3, 3), (m) => m.forward(x as never))),
  fuzz('ConvTranspose2d.forward(x) with the wrong number of channels', shapeOfRank(4).filter((s) => s[1] !== 2),
    (s) => using(() => new ConvTranspose2d(2, 3, 1), (m) => m.forward(live(s)))),
  fuzz('ConvTranspose2d.forward(x) with padding that leaves no output', fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    ([h, w]) => using(() => new ConvTranspose2d(2, 3, 3, { padding: 1 + Math.max(h, w) }), (m) => m.forward(live([1, 2, h, w])))),
  fuzz('new MaxPool2d/AvgPool2d(kernelSize) not a positive integer or pair', fc.tuple(poolName, notPositivePair),
    ([name, k]) => new pools[name](k as never)),
  fuzz('new MaxPool2d/AvgPool2d(2, options) with options not an object or a misspelt key', fc.tuple(poolName, fc.oneof(notOptions,
    unknownKeyOptions(['stride', 'padding', 'dilation', 'ceilMode', 'countIncludePad', 'divisorOverride'], ['ceil_mode', 'count_include_pad', 'returnIndices', 'divisor_override', 'kernel_size']))),
  ([name, o]) => new pools[name](2, o as never)),
  fuzz('new MaxPool2d/AvgPool2d(3, { padding }) more than half the window or not a size', fc.tuple(poolName, fc.oneof(notPadding, fc.integer({ min: 2, max: 5 }))),
    ([name, p]) => new pools[name](3, { padding: p as never })),
  fuzz('new MaxPool2d/AvgPool2d(2, { stride }) not a positive integer or pair', fc.tuple(poolName, notPositivePair),
    ([name, s]) => new pools[name](2, { stride: s as never })),
  fuzz('new AvgPool2d(2, { divisorOverride }) not a positive integer', notPositiveInt, (d) => new AvgPool2d(2, { divisorOverride: d as number })),
  fuzz('new MaxPool2d/AvgPool2d(2, { ceilMode }) not a boolean', fc.tuple(poolName, notBoolean), ([name, b]) => new pools[name](2, { ceilMode: b as boolean })),
  fuzz('MaxPool2d/AvgPool2d.forward(x) with x not an image or too small', fc.tuple(poolName, fc.oneof(tensorNotOfRank([3, 4]),
    fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })).map(([h, w]) => live.bind(null, [1, 1, h, w])))),
  ([name, x]) => using(() => new pools[name](3), (m) => m.forward((typeof x === 'function' ? x() : x) as Tensor))),
  fuzz('new AdaptiveAvgPool2d/AdaptiveMaxPool2d(outputSize) not a positive integer or a pair of them or null', fc.tuple(fc.boolean(),
    notPositivePair.filter((o) => !(Array.isArray(o) && o.length === 2 && o.every((v) => v === null || (Number.isInteger(v) && (v as number) > 0))))),
  ([max, o]) => (max ? new AdaptiveMaxPool2d(o as never) : new AdaptiveAvgPool2d(o as never))),
  fuzz('AdaptiveAvgPool2d/AdaptiveMaxPool2d.forward(x) with x not [N, C, H, W] or [C, H, W]', fc.tuple(fc.boolean(),
    fc.oneof(tensorNotOfRank([3, 4]), fc.oneof(notTensor, disposedTensor([1, 1, 3, 3])))),
  ([max, x]) => using(() => (max ? new AdaptiveMaxPool2d(2) : new AdaptiveAvgPool2d(2)), (m) => m.forward(x as never))),
  fuzz('new Conv1d(in, out, k) with a size that is not a positive integer, or a kernel not one or [l]', fc.tuple(notPositiveSingle, fc.integer({ min: 0, max: 2 })),
    ([bad, which]) => (which === 0 ? new Conv1d(bad as number, 2, 3) : which === 1 ? new Conv1d(2, bad as number, 3) : new Conv1d(2, 2, bad as never))),
  fuzz('new Conv1d(2, 2, 3, options) with options not an object or a misspelt key', fc.oneof(notOptions,
    unknownKeyOptions(['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], ['padding_mode', 'kernel_size', 'in_channels', 'pad', 'group'])),
  (o) => new Conv1d(2, 2, 3, o as never)),
  fuzz("new Conv1d(2, 2, 3, { stride | dilation | padding }) not a size or [l] (or 'same' / 'valid' for padding)",
    fc.oneof(fc.tuple(fc.constantFrom('stride', 'dilation'), notPositiveSingle), fc.tuple(fc.constant('padding'), fc.oneof(notPaddingSingle, fc.constantFrom('SAME', 'full')))),
    ([key, v]) => new Conv1d(2, 2, 3, { [key]: v } as never)),
  fuzz("new Conv1d(2, 2, 3, { padding: 'same', stride > 1 }) or groups that do not divide",
    fc.oneof(fc.integer({ min: 2, max: 4 }).map((stride) => ({ padding: 'same' as const, stride })), fc.constantFrom({ groups: 3 }, { groups: 4 })),
    (o) => new Conv1d(2, 2, 3, o)),
  fuzz('Conv1d.forward(x) with x not a live [N, C, L] or [C, L] tensor, the wrong channels, or shorter than the window',
    fc.oneof(notTensor, disposedTensor([1, 2, 5]), tensorNotOfRank([2, 3]), shapeOfRank(3).filter((s) => s[1] !== 2).map((s) => live.bind(null, s)),
      fc.integer({ min: 1, max: 4 }).map((l) => live.bind(null, [1, 2, l]))),
    (x) => using(() => new Conv1d(2, 3, 5), (m) => m.forward((typeof x === 'function' ? x() : x) as Tensor))),
  fuzz('new MaxPool1d/AvgPool1d(kernelSize | { stride | padding }) not a size or [l], padding over half the window; AvgPool1d has no divisorOverride',
    fc.tuple(pool1dName, fc.oneof(notPositiveSingle.map((k) => ({ k, o: {} })), notPositiveSingle.map((stride) => ({ k: 2, o: { stride } })),
      fc.oneof(notPaddingSingle, fc.integer({ min: 2, max: 5 })).map((padding) => ({ k: 3, o: { padding } })),
      fc.constantFrom({ k: 2, o: { divisorOverride: 2 } }, { k: 2, o: { count_include_pad: true } }, { k: 2, o: { returnIndices: true } })))
      .filter(([name, { o }]) => !(name === 'MaxPool1d' && 'divisorOverride' in o)),
    ([name, { k, o }]) => new pools1d[name](k as never, o as never)),
  fuzz('MaxPool1d/AvgPool1d.forward(x) with x not a live sequence or shorter than the window', fc.tuple(pool1dName, fc.oneof(tensorNotOfRank([2, 3]),
    fc.oneof(notTensor, disposedTensor([1, 1, 4])), fc.integer({ min: 1, max: 2 }).map((l) => live.bind(null, [1, 1, l])))),
  ([name, x]) => using(() => new pools1d[name](3), (m) => m.forward((typeof x === 'function' ? x() : x) as Tensor))),
  fuzz('new AdaptiveAvgPool1d/AdaptiveMaxPool1d(outputSize) not a positive integer or [l]', fc.tuple(fc.boolean(), notPositiveSingle),
    ([max, o]) => (max ? new AdaptiveMaxPool1d(o as never) : new AdaptiveAvgPool1d(o as never))),
  fuzz('AdaptiveAvgPool1d/AdaptiveMaxPool1d.forward(x) with x not a live [N, C, L] or [C, L] tensor',
    fc.tuple(fc.boolean(), fc.oneof(tensorNotOfRank([2, 3]), notTensor, disposedTensor([1, 1, 3]))),
    ([max, x]) => using(() => (max ? new AdaptiveMaxPool1d(2) : new AdaptiveAvgPool1d(2)), (m) => m.forward(x as never))),
  fuzz('interpolate(x, options) / new Upsample(options) with a bad size, factor, mode, key, or both or neither of size and scaleFactor',
    fc.tuple(fc.boolean(), fc.oneof(notOptions.filter((o) => o !== undefined), unknownKeyOptions(['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias'], ['scale_factor', 'align_corners', 'scale']),
      fc.constantFrom({}, { size: 4, scaleFactor: 2 }, { scaleFactor: 2, alignCorners: true }, { size: 3, mode: 'nearest-exact', alignCorners: false },
        { scaleFactor: 2, mode: 'bicubic' }, { scaleFactor: 2, mode: 'area' }, { scaleFactor: 2, antialias: true }, { size: 3, recomputeScaleFactor: true }),
      fc.oneof(notPositiveInt, fc.constantFrom([], [2, 0], [2.5])).map((size) => ({ size })),
      fc.oneof(fc.double({ max: 0 }), fc.constantFrom(...NON_FINITE, [], [2, -1], '2')).map((scaleFactor) => ({ scaleFactor })))),
    ([functional, o]) => (functional ? withTensor([1, 2, 3, 4], (x) => interpolate(x, o as never)) : new Upsample(o as never))),
  fuzz('interpolate(x, …) with x not a live [N, C, L] or [N, C, H, W] tensor, a mode for another rank, too many sizes, or no output',
    fc.oneof(
      fc.oneof(notTensor, disposedTensor([1, 2, 3, 4]), tensorNotOfRank([3, 4])).map((x) => ({ x, o: { scaleFactor: 2 } })),
      fc.constantFrom({ x: [1, 2, 3, 4], o: { scaleFactor: 2, mode: 'linear' } }, { x: [1, 2, 5], o: { scaleFactor: 2, mode: 'bilinear' } },
        { x: [1, 2, 3, 4], o: { size: [2, 3, 4] } }, { x: [1, 2, 5], o: { scaleFactor: [2, 2] } }, { x: [1, 2, 3, 4], o: { scaleFactor: 0.2 } })
        .map(({ x, o }) => ({ x: live.bind(null, [...x]), o }))),
    ({ x, o }) => interpolate((typeof x === 'function' ? x() : x) as never, o as never)),
  fuzz('new ZeroPad2d / ConstantPad1d / ReflectionPad2d / … (padding) with padding not a size or a list of 2 (1-D) or 4 (2-D), or a value not a number',
    fc.tuple(padLayerName, fc.oneof(fc.constantFrom(-1, 1.5, NaN, '2', null, undefined, [], [1], [1, 2, 3], [1, 2, 3, 4, 5], [1, -1], [1, 2, 3, -4]), fc.constant('value'))),
    ([name, padding]) => {
      const Layer = padLayers[name] as new (p: unknown, v?: unknown) => unknown;
      const sides = name.endsWith('1d') ? 2 : 4;
      // 'value': a valid padding with a value that is not a number (the constant layers; the others get three sides).
      if (padding === 'value') return name.startsWith('Constant') ? new Layer(1, 'x') : new Layer([1, 2, 3]);
      // A list of the layer's own length of valid sizes would be valid: three sides instead.
      const bad = Array.isArray(padding) && padding.length === sides && padding.every((v) => Number.isInteger(v) && v >= 0) ? [1, 2, 3] : padding;
      return new Layer(bad, 0);
    }),
  fuzz('ZeroPad2d / ReflectionPad1d / … .forward(x) with x not a live tensor of the layer\'s rank, or reflect / circular padding wider than x allows',
    fc.tuple(padLayerName, fc.oneof(notTensor, disposedTensor([1, 2, 3, 4]), fc.constantFrom([5], [1, 2, 3, 4, 5, 6]).map((s) => live.bind(null, [...s])),
      fc.constant('wide'))),
    ([name, x]) => {
      const oned = name.endsWith('1d');
      const wide = x === 'wide';
      const mode = name.startsWith('Reflection') ? 'reflect' : name.startsWith('Circular') ? 'circular' : null;
      const Layer = padLayers[name] as new (p: unknown, v?: unknown) => { forward(x: unknown): unknown; dispose(): void };
      // 'wide': a padding of 4 on a side of 2, which only reflect and circular refuse; for the others a 2-D tensor on a 2-D layer instead.
      const input = wide ? (mode ? live.bind(null, oned ? [1, 1, 2] : [1, 1, 2, 2]) : live.bind(null, oned ? [7] : [2, 3])) : x;
      return using(() => new Layer(wide && mode ? 4 : 1, 0), (m) => m.forward((typeof input === 'function' ? input() : input) as never));
    }),
  fuzz('pad(x, padding) with x not a live tensor', fc.oneof(notTensor, disposedTensor([2, 3]), fc.constant(undefined)), (x) => pad(x as never, [1, 1])),
  fuzz('pad(x, padding) with padding not 2 or 4 non-negative integers',
    fc.oneof(fc.constantFrom(undefined, null, 2, 'same', [], [1], [1, 1, 1], [1, 1, 1, 1, 1, 1], [1, -1], [0.5, 1], [NaN, 0], ['1', 1]),
      fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 7 }).filter((p) => (p.length !== 2 && p.length !== 4) || p.some((v) => v < 0))),
    (p) => pad(live([2, 3, 4]), p as never)),
  fuzz('pad(x, padding, options) with a bad mode, value or key', fc.oneof(notOptions, unknownKeyOptions(['mode', 'value'], ['padding_mode', 'fill', 'constant_values']),
    fc.oneof(fc.constantFrom('zeros', 'edge', 'wrap', 'symmetric'), notNumber).map((mode) => ({ mode })),
    notNumber.filter((v) => typeof v !== 'number').map((value) => ({ value })),
    fc.tuple(fc.constantFrom('reflect', 'replicate', 'circular'), fc.double().filter((v) => v !== 0)).map(([mode, value]) => ({ mode, value }))),
  (o) => pad(live([2, 3, 4]), [1, 1], o as never)),
  fuzz('pad(x, padding, { mode }) wider than the tensor allows, or more dimensions than x has',
    fc.oneof(fc.tuple(fc.constantFrom('reflect', 'circular'), fc.integer({ min: 5, max: 9 })).map(([mode, p]) => ({ shape: [2, 4], padding: [p, 0], mode })),
      fc.constantFrom({ shape: [3], padding: [1, 1, 1, 1], mode: 'constant' }, { shape: [2, 1], padding: [1, 0, 0, 0], mode: 'reflect' }) as fc.Arbitrary<{ shape: number[]; padding: number[]; mode: string }>),
    ({ shape, padding, mode }) => pad(live(shape), padding, { mode: mode as never })),
];
