import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import {
  differentiableOps, layerClasses, lossClasses, tensor, noGrad, manualSeed, Module, Tensor, Parameter,
  Linear, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Dropout, Dropout2d, Flatten, Softmax, LogSoftmax, Sequential,
  MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss, CrossEntropyLoss, NLLLoss,
  add, sub, mul, div, exp, log, neg, sqrt, abs, pow, matmul, sum, mean, reshape, flatten, transpose, pad, interpolate, Upsample, cat, stack, narrow, split, chunk, view, unsqueeze, squeeze, permute, unflatten, Unflatten, Identity,
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
  relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax, silu, mish, elu, selu, hardswish, hardsigmoid, relu6,
  SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6, PReLU,
  BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, Embedding, RNN, LSTM, GRU, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
  Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool1d,
} from '../src/index.js';
import { CONFIGS, use, randomFloats } from './helpers.js';

// Finite-difference gradient checks. For a function f of some tensors, the analytic gradient of
// F = Σ g ⊙ f(x) (g a fixed random upstream gradient) from backward() is compared with central
// differences (F(x + h) − F(x − h)) / (2h) evaluated in float64 from our forward. Every op, layer
// and loss the library exports is enumerated from the library itself: one without a spec here, or
// without a working backward on any backend, fails.

interface Case {
  /** The tensors to differentiate (leaves with requiresGrad, or a module's parameters). */
  wrt: Tensor[];
  /** Recomputes the output (module-owned outputs are fine: read at once). */
  run: () => Tensor;
  /** Called before every evaluation (Dropout re-seeds so the mask stays fixed). */
  before?: () => void;
  dispose: () => void;
}
type Spec = (rows: number, cols: number, seed: number) => Case;

/** Values in [lo, hi), kept at least `gap` away from each kink in `kinks`. */
function values(n: number, seed: number, lo = -2, hi = 2, kinks: number[] = [], gap = 0.05): Float32Array {
  const v = randomFloats(n, seed).map((u) => lo + ((u + 1) / 2) * (hi - lo));
  return v.map((x) => {
    for (const k of kinks) if (Math.abs(x - k) < gap) x = k + (x < k ? -gap : gap) * 2;
    return x;
  });
}
const leaf = (v: Float32Array, shape: number[]) => tensor(v, shape).requiresGrad_();
const classTargets = (rows: number, cols: number, seed: number) =>
  tensor(Array.from(randomFloats(rows, seed), (u) => Math.min(cols - 1, Math.floor(((u + 1) / 2) * cols))), [rows]);

function opCase(inputs: Tensor[], fn: () => Tensor): Case {
  return { wrt: inputs, run: fn, dispose: () => inputs.forEach((t) => t.dispose()) };
}
function moduleCase(m: Module, x: Tensor | null, run: () => Tensor, extra: Tensor[] = [], before?: () => void): Case {
  return {
    wrt: [...(x ? [x] : []), ...m.parameters()], run, before,
    dispose: () => { x?.dispose(); extra.forEach((t) => t.dispose()); m.dispose(); },
  };
}

const OP_SPECS: Record<keyof typeof differentiableOps, Spec> = {
  add: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]), b = leaf(values(c, s + 1), [c]); return opCase([a, b], () => add(a, b)); },
  sub: (r, c, s) => { const a = leaf(values(r, s), [r, 1]), b = leaf(values(r * c, s + 1), [r, c]); return opCase([a, b], () => sub(a, b)); },
  mul: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]), b = leaf(values(r * c, s + 1), [r, c]); return opCase([a, b], () => mul(a, b)); },
  div: (r, c, s) => {
    const a = leaf(values(r * c, s), [r, c]), b = leaf(values(c, s + 1, 0.5, 2), [1, c]);
    return opCase([a, b], () => div(a, b));
  },
  exp: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => exp(a)); },
  log: (r, c, s) => { const a = leaf(values(r * c, s, 0.3, 3), [r, c]); return opCase([a], () => log(a)); },
  neg: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => neg(a)); },
  sqrt: (r, c, s) => { const a = leaf(values(r * c, s, 0.3, 3), [r, c]); return opCase([a], () => sqrt(a)); },
  abs: (r, c, s) => { const a = leaf(values(r * c, s, -2, 2, [0]), [r, c]); return opCase([a], () => abs(a)); },
  pow: (r, c, s) => { const a = leaf(values(r * c, s, 0.3, 2), [r, c]); return opCase([a], () => pow(a, 2.5)); },
  matmul: (r, c, s) => {
    const k = (s % 5) + 1;
    const a = leaf(values(k * r, s), [k, r]), b = leaf(values(c * k, s + 1), [c, k]);
    return opCase([a, b], () => matmul(a, b, { transA: true, transB: true }));
  },
  sum: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => sum(a, { dim: 0 })); },
  mean: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => mean(a)); },
  reshape: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => reshape(a, [c, -1])); },
  flatten: (r, c, s) => { const a = leaf(values(r * c, s), [r, c, 1]); return opCase([a], () => flatten(a)); },
  transpose: (r, c, s) => {
    // A matrix, then dimensions of a 4-D tensor with one between them and one after (the general kernel).
    const a = s % 2 ? leaf(values(r * c, s), [r, c]) : leaf(values(2 * r * 3 * c, s), [2, r, 3, c]);
    return opCase([a], () => (s % 2 ? transpose(a) : transpose(a, 1, -1)));
  },
  // The activations as ops (the layers' kernels): kinks kept away from the differences' step.
  relu: (r, c, s) => { const a = leaf(values(r * c, s, -3, 3, [0]), [r, c]); return opCase([a], () => relu(a)); },
  sigmoid: (r, c, s) => { const a = leaf(values(r * c, s, -3, 3), [r, c]); return opCase([a], () => sigmoid(a)); },
  tanh: (r, c, s) => { const a = leaf(values(r * c, s, -3, 3), [r, c]); return opCase([a], () => tanh(a)); },
  leakyRelu: (r, c, s) => { const a = leaf(values(r * c, s, -3, 3, [0]), [r, c]); return opCase([a], () => leakyRelu(a, 0.2)); },
  gelu: (r, c, s) => { const a = leaf(values(r * c, s, -3, 3), [r, c]); return opCase([a], () => gelu(a, { approximate: s % 2 ? 'tanh' : 'none' })); },
  silu: (r, c, s) => { const a = leaf(values(r * c, s, -4, 4), [r, c]); return opCase([a], () => silu(a)); },
  mish: (r, c, s) => { const a = leaf(values(r * c, s, -4, 4), [r, c]); return opCase([a], () => mish(a)); },
  elu: (r, c, s) => { const a = leaf(values(r * c, s, -3, 3, [0]), [r, c]); return opCase([a], () => elu(a, s % 2 ? 0.5 : 1)); },
  selu: (r, c, s) => { const a = leaf(values(r * c, s, -3, 3, [0]), [r, c]); return opCase([a], () => selu(a)); },
  hardswish: (r, c, s) => { const a = leaf(values(r * c, s, -4, 4, [-3, 3]), [r, c]); return opCase([a], () => hardswish(a)); },
  hardsigmoid: (r, c, s) => { const a = leaf(values(r * c, s, -4, 4, [-3, 3]), [r, c]); return opCase([a], () => hardsigmoid(a)); },
  // A gap of 0.1 at 6, where the central difference step (1e-2·|x|) reaches 0.06.
  relu6: (r, c, s) => { const a = leaf(values(r * c, s, -2, 7, [0, 6], 0.1), [r, c]); return opCase([a], () => relu6(a)); },
  softmax: (r, c, s) => { const a = leaf(values(2 * r * c, s), [2, r, c]); return opCase([a], () => softmax(a, 2)); },
  logSoftmax: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => logSoftmax(a)); },
  view: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => mul(view(a, [c, r]), 2)); },
  unflatten: (r, c, s) => { const a = leaf(values(r * 2 * c, s), [r, 2 * c]); return opCase([a], () => mul(unflatten(a, -1, s % 2 ? [2, c] : [-1, 1]), 2)); },
  unsqueeze: (r, c, s) => { const a = leaf(values(r * c, s), [r, c]); return opCase([a], () => mul(unsqueeze(a, [0, 1, 2, -1][s % 4]), 2)); },
  squeeze: (r, c, s) => { const a = leaf(values(r * c, s), [1, r, 1, c]); return opCase([a], () => mul(squeeze(a, s % 2 ? undefined : [0, -2]), 2)); },
  // Every order of a 4-D tensor's dimensions the seed picks (up to three swaps), negative dims too.
  permute: (r, c, s) => {
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, -3], [0, 2, 1, 3], [-1, 0, 1, 2]];
    const a = leaf(values(2 * r * 3 * c, s), [2, r, 3, c]);
    return opCase([a], () => permute(a, orders[s % orders.length]));
  },
  // Joined along the first, a middle and the last dimension (negative too), a tensor twice.
  cat: (r, c, s) => {
    const a = leaf(values(2 * r * c, s), [2, r, c]);
    if (s % 3 === 0) {
      const b = leaf(values(2 * r * 3, s + 1), [2, r, 3]);
      return opCase([a, b], () => cat([a, b, a], -1));
    }
    if (s % 3 === 1) {
      const e = leaf(values(r * c, s + 2), [1, r, c]);
      return opCase([a, e], () => cat([e, a], 0));
    }
    return opCase([a], () => cat([a, mul(a, 2)], 1));
  },
  stack: (r, c, s) => {
    const a = leaf(values(r * c, s), [r, c]), b = leaf(values(r * c, s + 1), [r, c]);
    return opCase([a, b], () => stack([a, b, a], [0, 1, 2, -1][s % 4]));
  },
  narrow: (r, c, s) => {
    const a = leaf(values(2 * r * (c + 2), s), [2, r, c + 2]);
    return opCase([a], () => (s % 2 ? narrow(a, 2, 1, c) : narrow(a, -2, Math.floor(r / 2), r - Math.floor(r / 2))));
  },
  // Every part used, each weighted differently, so each part's gradient lands in its own place.
  split: (r, c, s) => {
    const a = leaf(values(r * (c + 3), s), [r, c + 3]);
    return opCase([a], () => cat((s % 2 ? split(a, 2, 1) : split(a, [1, c + 2], -1)).map((p, i) => mul(p, i + 1)), 1));
  },
  chunk: (r, c, s) => {
    const a = leaf(values((r + 2) * c, s), [r + 2, c]);
    return opCase([a], () => cat(chunk(a, 3, 0).map((p, i) => mul(p, i + 1)), 0));
  },
  // Each mode, up and down, by size and by factor (recomputed too), 3-D and 4-D inputs.
  interpolate: (r, c, s) => {
    const options = [
      { scaleFactor: 2 }, { size: [r + 2, c + 3], mode: 'nearest-exact' }, { scaleFactor: 1.5, mode: 'bilinear' },
      { size: [2 * r + 1, c + 1], mode: 'bilinear', alignCorners: true }, { scaleFactor: 0.6, mode: 'bilinear', recomputeScaleFactor: true },
      { size: 2 * c + 3, mode: 'linear' }, { scaleFactor: 2.5, mode: 'linear', alignCorners: true }, { size: [Math.max(1, r - 1), 2 * c] },
    ][s % 8] as Parameters<typeof interpolate>[1];
    const a = leaf(values(2 * r * c, s), s % 8 === 5 || s % 8 === 6 ? [1, 2, r * c] : [1, 2, r, c]);
    return opCase([a], () => interpolate(a, options));
  },
  pad: (r, c, s) => {
    // Each mode in turn, on the last two dimensions or the last one, as far as the mode allows.
    const mode = (['constant', 'reflect', 'replicate', 'circular'] as const)[s % 4];
    const fit = (p: number, size: number) => (mode === 'reflect' ? Math.min(p, size - 1) : mode === 'circular' ? Math.min(p, size) : p);
    const padding = s % 8 < 4 ? [fit(2, c), fit(1, c), fit(1, r), fit(3, r)] : [fit(1, c), fit(2, c)];
    const a = leaf(values(2 * r * c, s), [2, r, c]);
    return opCase([a], () => pad(a, padding, mode === 'constant' ? { value: 0.5 } : { mode }));
  },
};

function activationCase(make: () => Module, kinks: number[] = [], lo = -3, hi = 3, gap?: number): Spec {
  return (r, c, s) => {
    const m = make();
    const x = leaf(values(r * c, s, lo, hi, kinks, gap), [r, c]);
    return moduleCase(m, x, () => m.forward(x));
  };
}

/** LSTM, GRU or RNN (tanh: relu's kink is checked against torch) over a few geometries (the seed picks; two bidirectional, two of LSTM's projected), with an initial state on odd seeds. */
function recurrentCase(Layer: typeof LSTM | typeof GRU | typeof RNN, cell: boolean): Spec {
  return (r, c, s) => {
    // LSTM's second and last geometries project h to 2 (projSize).
    const proj = cell ? { projSize: 2 } : {};
    const m = new Layer(c, 3, [{}, { numLayers: 2, ...proj }, { batchFirst: true, bias: false }, { numLayers: 2, batchFirst: true, dropout: 0.4 },
      { bidirectional: true }, { numLayers: 2, bidirectional: true, dropout: 0.3, ...proj }][s % 6]);
    const steps = (r % 3) + 2, n = 2;
    const shape = (s % 6 === 0 || s % 6 === 4) && r % 2 ? [steps, c] : m.batchFirst ? [n, steps, c] : [steps, n, c];
    const x = leaf(values(shape.reduce((p, d) => p * d, 1), s), shape);
    const units = m.numLayers * m.directions, stateOf = (seed: number, width: number) => tensor(values(units * n * width, seed), [units, n, width]);
    const state = s % 2 && shape.length === 3 ? { h: stateOf(s + 4, m.stateSize), ...(cell ? { c: stateOf(s + 5, 3) } : {}) } : undefined;
    // Dropout between layers: the same masks on every evaluation (the generator reseeded before each).
    return moduleCase(m, x, () => (m as LSTM).forward(x, state as never), state ? Object.values(state) : [], () => manualSeed(s));
  };
}

const LAYER_SPECS: Record<Exclude<keyof typeof layerClasses, NormLayer | ConvLayer>, Spec> = {
  Linear: (r, c, s) => {
    // Odd seeds use a 3-D input [r, 2, c]: leading dimensions are rows, as in torch.
    const m = new Linear(c, (s % 6) + 1);
    const x = leaf(values(r * c * (s % 2 ? 2 : 1), s), s % 2 ? [r, 2, c] : [r, c]);
    return moduleCase(m, x, () => m.forward(x));
  },
  ReLU: activationCase(() => new ReLU(), [0]),
  LeakyReLU: activationCase(() => new LeakyReLU({ negativeSlope: 0.1 }), [0]),
  Sigmoid: activationCase(() => new Sigmoid()),
  Tanh: activationCase(() => new Tanh()),
  GELU: (r, c, s) => (s % 2 ? activationCase(() => new GELU()) : activationCase(() => new GELU({ approximate: 'tanh' })))(r, c, s),
  // One slope for all on a matrix, or one per channel of [r, 3, c]; slopes off 0.25 so their gradient is checked where it differs.
  PReLU: (r, c, s) => {
    const m = new PReLU(s % 2 ? 3 : { init: 0.1 });
    m.weight.data.set(values(m.weight.size, s + 2, -0.5, 0.8));
    const shape = s % 2 ? [r, 3, c] : [r, c];
    const x = leaf(values(shape.reduce((p, d) => p * d, 1), s, -3, 3, [0]), shape);
    return moduleCase(m, x, () => m.forward(x));
  },
  SiLU: activationCase(() => new SiLU()),
  Mish: activationCase(() => new Mish()),
  ELU: (r, c, s) => activationCase(() => new ELU(s % 2 ? 0.3 : { alpha: 1.5 }), [0])(r, c, s),
  SELU: activationCase(() => new SELU(), [0]),
  Hardswish: activationCase(() => new Hardswish(), [-3, 3], -4.5, 4.5),
  Hardsigmoid: activationCase(() => new Hardsigmoid(), [-3, 3], -4.5, 4.5),
  ReLU6: activationCase(() => new ReLU6(), [0, 6], -2, 7, 0.1),
  Dropout: (r, c, s) => {
    const m = new Dropout({ p: 0.3 });
    const x = leaf(values(r * c, s), [r, c]);
    return moduleCase(m, x, () => m.forward(x), [], () => manualSeed(s));
  },
  Dropout2d: (r, c, s) => {
    const m = new Dropout2d(0.4);
    const x = leaf(values(2 * 3 * r * c, s), [2, 3, r, c]);
    return moduleCase(m, x, () => m.forward(x), [], () => manualSeed(s));
  },
  // Layers, batchFirst, no bias, an unbatched sequence, an initial state; every parameter and the input.
  LSTM: recurrentCase(LSTM, true),
  GRU: recurrentCase(GRU, false),
  RNN: recurrentCase(RNN, false),
  Unflatten: (r, c, s) => { const m = new Unflatten(1, [c, -1]); const x = leaf(values(r * c * 3, s), [r, 3 * c]); return moduleCase(m, x, () => mul(m.forward(x), 2)); },
  Identity: (r, c, s) => { const m = new Identity(); const x = leaf(values(r * c, s), [r, c]); return moduleCase(m, x, () => mul(m.forward(x), 3)); },
  Flatten: (r, c, s) => { const m = new Flatten(); const x = leaf(values(r * c, s), [r, 1, c]); return moduleCase(m, x, () => m.forward(x)); },
  Softmax: (r, c, s) => {
    const m = new Softmax();
    const x = leaf(values(r * c * 2, s, -3, 3), [2, r, c]); // rows of the last dimension of a 3-D input
    return moduleCase(m, x, () => m.forward(x));
  },
  LogSoftmax: activationCase(() => new LogSoftmax()),
  Upsample: (r, c, s) => {
    const m = new Upsample([{ scaleFactor: 2 }, { size: [r + 1, 2 * c + 1], mode: 'bilinear' }, { scaleFactor: [1.7, 2], mode: 'bilinear', alignCorners: true }][s % 3] as never);
    const x = leaf(values(2 * 3 * r * c, s), [2, 3, r, c]);
    return moduleCase(m, x, () => m.forward(x));
  },
  Sequential: (r, c, s) => {
    // Every fused pair and a plain layer, so the fused epilogues' backward is checked too.
    const m = new Sequential([new Linear(c, 5), new Tanh(), new Linear(5, 4), new GELU(), new Linear(4, 3), new Sigmoid(), new Linear(3, 2)]);
    const x = leaf(values(r * c, s), [r, c]);
    return moduleCase(m, x, () => m.forward(x));
  },
};

function lossCase(make: (cols: number) => Module & { forward(i: Tensor, t: Tensor): Tensor }, input: (r: number, c: number, s: number) => Float32Array, target: (r: number, c: number, s: number) => Tensor): Spec {
  return (r, c, s) => {
    const m = make(c);
    const x = leaf(input(r, c, s), [r, c]);
    const t = target(r, c, s);
    return moduleCase(m, x, () => m.forward(x, t), [t]);
  };
}
/** A classification loss on [r, c, 2, 3] scores with class indices [r, 2, 3] (torch's K-dimensional form). */
function kDimensional(m: Module & { forward(i: Tensor, t: Tensor): Tensor }, r: number, c: number, s: number): Case {
  const x = leaf(values(r * c * 6, s), [r, c, 2, 3]);
  const t = tensor(Array.from(randomFloats(r * 6, s + 9), (u) => Math.min(c - 1, Math.floor(((u + 1) / 2) * c))), [r, 2, 3]);
  return moduleCase(m, x, () => m.forward(x, t), [t]);
}
/** c class weights in [0.2, 2.6], none alike. */
const classWeights = (c: number) => Array.from({ length: c }, (_, j) => 0.2 + ((j * 7) % 13) * 0.2);
const regressionTarget = (r: number, c: number, s: number) => tensor(values(r * c, s + 7), [r, c]);
// Kinks of |x − t| sit where x = t: draw x, then push each target away from its input.
const awayFrom = (gapAt: number[]) => (r: number, c: number, s: number) => {
  const x = values(r * c, s);
  const t = values(r * c, s + 7).map((v, i) => {
    for (const k of gapAt) if (Math.abs(x[i] - v - k) < 0.05 || Math.abs(x[i] - v + k) < 0.05) return x[i] - k - 0.3;
    return v;
  });
  return tensor(t, [r, c]);
};

const LOSS_SPECS: Record<keyof typeof lossClasses, Spec> = {
  MSELoss: lossCase(() => new MSELoss(), (r, c, s) => values(r * c, s), regressionTarget),
  L1Loss: lossCase(() => new L1Loss({ reduction: 'sum' }), (r, c, s) => values(r * c, s), awayFrom([0])),
  HuberLoss: lossCase(() => new HuberLoss({ delta: 0.7 }), (r, c, s) => values(r * c, s), awayFrom([0, 0.7])),
  SmoothL1Loss: lossCase(() => new SmoothL1Loss({ beta: 0.6, reduction: 'sum' }), (r, c, s) => values(r * c, s), awayFrom([0, 0.6])),
  BCELoss: lossCase(() => new BCELoss(), (r, c, s) => values(r * c, s, 0.1, 0.9), (r, c, s) => tensor(values(r * c, s + 3, 0, 1), [r, c])),
  BCEWithLogitsLoss: lossCase(
    (cols) => new BCEWithLogitsLoss({ posWeight: [0.5, 1.5, 2, 1, 3, 0.7, 1.2, 0.9, 1.1].slice(0, cols) }),
    (r, c, s) => values(r * c, s), (r, c, s) => tensor(values(r * c, s + 3, 0, 1), [r, c])),
  // Log-probabilities against probabilities (some exactly 0), or log targets on odd seeds; each reduction in turn.
  KLDivLoss: (r, c, s) => lossCase(
    () => new KLDivLoss({ reduction: (['batchmean', 'mean', 'sum', 'none'] as const)[s % 4], logTarget: s % 2 === 1 }),
    (rr, cc, ss) => values(rr * cc, ss, -3, -0.1),
    (rr, cc, ss) => tensor(s % 2 ? values(rr * cc, ss + 3, -4, 0) : values(rr * cc, ss + 3, -0.5, 1).map((v) => Math.max(v, 0)), [rr, cc]))(r, c, s),
  // Every third seed the K-dimensional form [r, c, 2, 3] with targets [r, 2, 3]: the classes moved last and back.
  // Class weights throughout but in one form; an ignored index only where no reduction or 'sum' (a mean over no item is NaN).
  CrossEntropyLoss: (r, c, s) => (s % 3 === 2
    ? kDimensional(new CrossEntropyLoss({ reduction: s % 2 ? 'none' : 'mean', weight: classWeights(c), ...(s % 2 ? { ignoreIndex: 1 } : {}) }), r, c, s)
    : (s % 2
      ? lossCase(() => new CrossEntropyLoss({ labelSmoothing: 0.1, weight: classWeights(c) }), (rr, cc, ss) => values(rr * cc, ss), classTargets)
      // probability targets of any sum (torch's gradient p·Σq − q)
      : lossCase(() => new CrossEntropyLoss({ reduction: 'sum' }), (rr, cc, ss) => values(rr * cc, ss), (rr, cc, ss) => tensor(values(rr * cc, ss + 5, 0, 1), [rr, cc])))(r, c, s)),
  NLLLoss: (r, c, s) => (s % 3 === 2
    ? kDimensional(new NLLLoss({ reduction: 'sum', weight: classWeights(c), ignoreIndex: 0 }), r, c, s)
    : lossCase(() => new NLLLoss(), (rr, cc, ss) => values(rr * cc, ss), classTargets)(r, c, s)),
};

/** F = Σ g ⊙ f in float64. */
function objective(c: Case, g: Float32Array): number {
  c.before?.();
  return noGrad(() => {
    const out = c.run().toArray();
    let total = 0;
    for (let i = 0; i < out.length; i++) total += g[i] * out[i];
    return total;
  });
}

function check(name: string, spec: Spec, rows: number, cols: number, seed: number): void {
  const c = spec(rows, cols, seed);
  try {
    c.before?.();
    const out = c.run();
    const g = values(out.size, seed + 99, -1, 1);
    const gt = tensor(g, out.shape);
    // Parameters accumulate: start from zero so the analytic gradient is this backward's alone.
    for (const t of c.wrt) if (t instanceof Parameter) t.grad.data.fill(0);
    out.backward(gt);
    gt.dispose();
    for (const [w, t] of c.wrt.entries()) {
      expect(t.grad, `${name}: input ${w} got no gradient`).not.toBeNull();
      const analytic = t.grad!.toArray();
      for (let i = 0; i < t.size; i++) {
        const orig = t.data[i];
        const h = 1e-2 * Math.max(1, Math.abs(orig));
        const up = Math.fround(orig + h), down = Math.fround(orig - h);
        t.data[i] = up;
        const fUp = objective(c, g);
        t.data[i] = down;
        const fDown = objective(c, g);
        t.data[i] = orig;
        const numeric = (fUp - fDown) / (up - down);
        const tol = 3e-3 + 2e-2 * Math.abs(numeric);
        if (!(Math.abs(analytic[i] - numeric) <= tol)) {
          expect.fail(`${name} [${rows}×${cols}, seed ${seed}]: d/d(input ${w})[${i}] analytic ${analytic[i]}, numeric ${numeric}`);
        }
      }
    }
  } finally {
    c.dispose();
  }
}

const shapes = fc.tuple(fc.constantFrom(1, 2, 3, 5, 7), fc.constantFrom(1, 2, 3, 5, 6, 9), fc.integer({ min: 1, max: 10_000 }));

for (const config of CONFIGS) {
  describe(`finite-difference gradient checks on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    const groups: [string, Record<string, unknown>, Record<string, Spec>][] = [
      ['op', differentiableOps, OP_SPECS],
      ['layer', layerClasses, LAYER_SPECS],
      ['loss', lossClasses, LOSS_SPECS],
    ];
    for (const [kind, exported, specs] of groups) {
      for (const name of Object.keys(exported)) {
        it(`${kind} ${name}: backward matches central differences`, () => {
          const spec = specs[name];
          expect(spec, `no gradient check for ${kind} ${name}: add one to test/gradcheck.test.ts`).toBeDefined();
          check(name, spec, 1, 1, 1);
          fc.assert(fc.property(shapes, ([r, c, s]) => check(name, spec, r, c, s)), { numRuns: 4, seed: name.length });
        });
      }
    }
  });
}

// ---- normalisation and embedding layers (issue #15), merged into LAYER_SPECS above ----------------

type NormLayer = 'BatchNorm1d' | 'BatchNorm2d' | 'LayerNorm' | 'GroupNorm' | 'InstanceNorm1d' | 'InstanceNorm2d' | 'Embedding';

/** Odd seeds run in eval mode over given running statistics (the affine gradient only). */
function batchNormCase(m: BatchNorm1d | BatchNorm2d, shape: number[], s: number): Case {
  if (s % 2) {
    m.runningMean!.data.set(values(m.numFeatures, s + 3, -1, 1));
    m.runningVar!.data.set(values(m.numFeatures, s + 4, 0.5, 2));
    m.eval();
  }
  m.weight!.data.set(values(m.numFeatures, s + 5, 0.5, 2));
  m.bias!.data.set(values(m.numFeatures, s + 6));
  const x = leaf(values(shape.reduce((p, d) => p * d, 1), s, -3, 3), shape);
  return moduleCase(m, x, () => m.forward(x));
}

const NORM_SPECS: Record<NormLayer, Spec> = {
  // At least 4 values per channel: with 2, x̂ = ±1 flips where the two values cross.
  BatchNorm1d: (r, c, s) => batchNormCase(new BatchNorm1d(c), s % 3 ? [r + 3, c] : [r, c, 4], s),
  BatchNorm2d: (r, c, s) => batchNormCase(new BatchNorm2d(c, { momentum: null }), [r, c, 2, 3], s),
  LayerNorm: (r, c, s) => {
    const m = new LayerNorm(s % 2 ? [3, c] : [c + 3], { elementwiseAffine: s % 3 !== 0 });
    m.weight?.data.set(values(m.weight.size, s + 5, 0.5, 2));
    m.bias?.data.set(values(m.bias.size, s + 6));
    const shape = s % 2 ? [r, 3, c] : [r, c + 3];
    const x = leaf(values(shape.reduce((p, d) => p * d, 1), s, -3, 3), shape);
    return moduleCase(m, x, () => m.forward(x));
  },
  // Groups of one channel (instance norm), of several, one group (the whole sample); 3-D and 4-D inputs; with and without
  // affine. At least 4 values a group: with 2, x̂ = ±1 flips where the two values cross.
  GroupNorm: (r, c, s) => {
    const [groups, channels] = [[2, 4], [3, 3], [1, 2], [2, 6]][s % 4];
    const m = new GroupNorm(groups, channels, { affine: s % 5 !== 0, eps: 1e-3 });
    m.weight?.data.set(values(channels, s + 5, 0.5, 2));
    m.bias?.data.set(values(channels, s + 6));
    const shape = [[r, channels, c + 1], [r, channels, 2, c + 1], [r + 1, channels, 3], [r, channels, c + 2]][s % 4];
    const x = leaf(values(shape.reduce((p, d) => p * d, 1), s, -3, 3), shape);
    return moduleCase(m, x, () => m.forward(x));
  },
  // Batched and unbatched, with and without affine; at least 4 positions a channel.
  InstanceNorm1d: (r, c, s) => {
    const m = new InstanceNorm1d(3, { affine: s % 2 === 1 });
    m.weight?.data.set(values(3, s + 5, 0.5, 2));
    m.bias?.data.set(values(3, s + 6));
    const shape = s % 3 ? [r, 3, c + 3] : [3, c + 3];
    const x = leaf(values(shape.reduce((p, d) => p * d, 1), s, -3, 3), shape);
    return moduleCase(m, x, () => m.forward(x));
  },
  InstanceNorm2d: (r, c, s) => {
    const m = new InstanceNorm2d(2, { affine: s % 2 === 0, eps: 1e-3 });
    m.weight?.data.set(values(2, s + 5, 0.5, 2));
    m.bias?.data.set(values(2, s + 6));
    const shape = s % 3 ? [r, 2, 2, c + 1] : [2, 3, c + 1];
    const x = leaf(values(shape.reduce((p, d) => p * d, 1), s, -3, 3), shape);
    return moduleCase(m, x, () => m.forward(x));
  },
  Embedding: (r, c, s) => {
    // The padding row's gradient is zero by definition, not by calculus: odd seeds pad a row no
    // index uses (test/norm.test.ts checks a used one). Indices repeat (2r of them among c + 1
    // rows), so accumulation is checked.
    const m = new Embedding(c + 2, 3, s % 2 ? { paddingIdx: c + 1 } : {});
    const indices = tensor(Array.from(randomFloats(2 * r, s), (u) => Math.min(c, Math.floor(((u + 1) / 2) * (c + 1)))), [r, 2]);
    return moduleCase(m, null, () => m.forward(indices), [indices]);
  },
};
Object.assign(LAYER_SPECS, NORM_SPECS);

// ---- convolution and pooling layers (issue #15), merged into LAYER_SPECS above ---------------------

type ConvLayer = 'Conv2d' | 'ConvTranspose2d' | 'MaxPool2d' | 'AvgPool2d' | 'AdaptiveAvgPool2d' | 'Conv1d' | 'MaxPool1d' | 'AvgPool1d' | 'AdaptiveAvgPool1d' | 'AdaptiveMaxPool2d' | 'AdaptiveMaxPool1d' | PadLayer;
type PadLayer = 'ZeroPad1d' | 'ZeroPad2d' | 'ConstantPad1d' | 'ConstantPad2d' | 'ReflectionPad1d' | 'ReflectionPad2d'
  | 'ReplicationPad1d' | 'ReplicationPad2d' | 'CircularPad1d' | 'CircularPad2d';

/** An image input [n, c, h, w] (3-D [c, h, w] when n is 0), values as `values` draws them. */
function image(n: number, c: number, h: number, w: number, s: number, v = values(Math.max(n, 1) * c * h * w, s)): Tensor {
  return leaf(v, n === 0 ? [c, h, w] : [n, c, h, w]);
}

/** A sequence input [n, c, l] (2-D [c, l] when n is 0). */
function sequence(n: number, c: number, l: number, s: number, v = values(Math.max(n, 1) * c * l, s)): Tensor {
  return leaf(v, n === 0 ? [c, l] : [n, c, l]);
}

/**
 * Each plane a random permutation of values 0.06 apart around 0 (|x| < 3): a central difference
 * step h = 1e-2·max(1, |x|) < 0.03 never changes which element of a window is the largest.
 */
function distinctPlanes(planes: number, plane: number, seed: number): Float32Array {
  const v = new Float32Array(planes * plane);
  for (let p = 0; p < planes; p++) {
    const order = Array.from(randomFloats(plane, seed + p), (u, i) => [u, i]).sort((a, b) => a[0] - b[0]);
    order.forEach(([, i], rank) => { v[p * plane + i] = (rank - plane / 2) * 0.06; });
  }
  return v;
}

/** A spec per padding layer: 1-D on [n, 2, c + 3] or [2, c + 3], 2-D on [n, 2, r + 2, c + 3] or [2, r + 2, c + 3]. */
function padSpecs(): Record<PadLayer, Spec> {
  const make = (Layer: new (p: never, v: never) => Module, dims: 1 | 2, value?: number): Spec => (r, c, s) => {
    const padding = dims === 1 ? [Math.min(2, c + 2), 1] : [Math.min(2, c + 2), 1, Math.min(1, r + 1), Math.min(2, r + 1)];
    const m = new Layer(padding as never, value as never);
    const shape = dims === 1 ? [2, c + 3] : [2, r + 2, c + 3];
    const x = leaf(values(shape.reduce((p, d) => p * d, 1) * (s % 2 ? 1 : 2), s), s % 2 ? shape : [2, ...shape]);
    return moduleCase(m, x, () => m.forward(x));
  };
  return {
    ZeroPad1d: make(ZeroPad1d, 1), ZeroPad2d: make(ZeroPad2d, 2), ConstantPad1d: make(ConstantPad1d, 1, 0.5), ConstantPad2d: make(ConstantPad2d, 2, -1),
    ReflectionPad1d: make(ReflectionPad1d, 1), ReflectionPad2d: make(ReflectionPad2d, 2), ReplicationPad1d: make(ReplicationPad1d, 1),
    ReplicationPad2d: make(ReplicationPad2d, 2), CircularPad1d: make(CircularPad1d, 1), CircularPad2d: make(CircularPad2d, 2),
  };
}

const CONV_SPECS: Record<ConvLayer, Spec> = {
  // The seed picks the geometry: padding, strides and dilation, groups and depthwise, 'same' with
  // an even kernel, 1×1 (no im2col) on a 3-D input. Sizes from r and c, so odd and size-1 planes occur.
  Conv2d: (r, c, s) => {
    const n = (r % 3) + 1, h = r + 2, w = c + 2;
    const geometries: [number, number, number | [number, number], object, number][] = [
      [2, 3, 3, { padding: 1 }, n],
      [2, 4, [2, 3], { stride: 2, dilation: [1, 2], padding: [1, 2], groups: 2 }, n],
      [3, 2, [2, 4], { padding: 'same', bias: false }, n],
      [3, 2, 1, {}, 0],
      [3, 6, 3, { groups: 3, padding: [0, 1], stride: [1, 2] }, n],
      [2, 3, 3, { padding: 1, paddingMode: 'reflect' }, n],
      [2, 2, [3, 2], { padding: 'same', paddingMode: 'circular', bias: false }, n],
      [1, 2, 3, { padding: [2, 1], stride: 2, paddingMode: 'replicate' }, 0],
    ];
    const [cin, cout, kernel, options, batch] = geometries[s % geometries.length];
    const m = new Conv2d(cin, cout, kernel, options);
    const x = image(batch, cin, h, w, s);
    return moduleCase(m, x, () => m.forward(x));
  },
  // Strides with outputPadding, padding, dilation, groups, 1×1, on 3-D and 4-D inputs.
  ConvTranspose2d: (r, c, s) => {
    const n = (r % 3) + 1, h = r + 1, w = c + 1;
    const geometries: [number, number, number | [number, number], object, number][] = [
      [2, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }, n],
      [4, 2, [2, 3], { stride: [1, 2], dilation: [2, 1], groups: 2, bias: false }, n],
      [3, 2, 1, {}, 0],
      [2, 2, 4, { stride: 2, padding: 1 }, n],
    ];
    const [cin, cout, kernel, options, batch] = geometries[s % geometries.length];
    const m = new ConvTranspose2d(cin, cout, kernel, options);
    const x = image(batch, cin, h, w, s);
    return moduleCase(m, x, () => m.forward(x));
  },
  MaxPool2d: (r, c, s) => {
    const m = s % 2 ? new MaxPool2d(2, { stride: 1, padding: 1 }) : new MaxPool2d([3, 2], { stride: [2, 1], ceilMode: true, dilation: [1, 2] });
    const h = r + 1 + (s % 2 ? 0 : 2), w = c + 1 + (s % 2 ? 0 : 2);
    const x = image(2, 2, h, w, s, distinctPlanes(4, h * w, s));
    return moduleCase(m, x, () => m.forward(x));
  },
  AvgPool2d: (r, c, s) => {
    const m = new AvgPool2d([2, 3], { stride: [2, 1], padding: [1, 1], countIncludePad: s % 2 === 0, ceilMode: s % 3 === 0, ...(s % 4 === 1 ? { divisorOverride: 4 } : {}) });
    const x = image(2, 3, r + 1, c + 2, s);
    return moduleCase(m, x, () => m.forward(x));
  },
  AdaptiveAvgPool2d: (r, c, s) => {
    const m = new AdaptiveAvgPool2d(s % 2 ? [2, 3] : 1);
    const x = image(s % 3 ? 2 : 0, 2, r + 1, c + 1, s);
    return moduleCase(m, x, () => m.forward(x));
  },
  // The padding layers: batched and single inputs, every side its own size (within what each mode allows).
  ...padSpecs(),
  // Overlapping windows (7 → 3), more outputs than inputs, the global max; distinct values, so no tie moves under a step.
  AdaptiveMaxPool2d: (r, c, s) => {
    const m = new AdaptiveMaxPool2d(s % 2 ? [3, r + 2] : 1);
    const h = r + 1, w = c + 1;
    const x = image(s % 3 ? 2 : 0, 2, h, w, s, distinctPlanes(s % 3 ? 4 : 2, h * w, s));
    return moduleCase(m, x, () => m.forward(x));
  },
  AdaptiveMaxPool1d: (r, c, s) => {
    const m = new AdaptiveMaxPool1d(s % 2 ? 3 : 1);
    const l = r + c + 1;
    const x = sequence(2, 2, l, s, distinctPlanes(4, l, s));
    return moduleCase(m, x, () => m.forward(x));
  },
  // The 1-D layers: the same kernels on planes one row high; every option and both input ranks.
  Conv1d: (r, c, s) => {
    const n = (r % 3) + 1, l = r + c + 2;
    const geometries: [number, number, number, object, number][] = [
      [2, 3, 3, { padding: 1 }, n],
      [2, 4, 2, { stride: 2, dilation: 2, padding: 2, groups: 2 }, n],
      [3, 2, 4, { padding: 'same', bias: false }, n],
      [3, 2, 1, {}, 0],
      [3, 6, 3, { groups: 3, padding: 1, stride: 2 }, n],
      [2, 3, 3, { padding: 2, paddingMode: 'reflect' }, n],
      [2, 2, 2, { padding: 'same', paddingMode: 'circular', bias: false }, n],
      [1, 2, 3, { padding: 1, stride: 2, paddingMode: 'replicate' }, 0],
    ];
    const [cin, cout, kernel, options, batch] = geometries[s % geometries.length];
    const m = new Conv1d(cin, cout, kernel, options);
    const x = sequence(batch, cin, l, s);
    return moduleCase(m, x, () => m.forward(x));
  },
  MaxPool1d: (r, c, s) => {
    const m = s % 2 ? new MaxPool1d(2, { stride: 1, padding: 1 }) : new MaxPool1d(3, { stride: 2, ceilMode: true, dilation: 2 });
    const l = r + c + (s % 2 ? 1 : 4);
    const x = sequence(s % 3 ? 2 : 0, 2, l, s, distinctPlanes(s % 3 ? 4 : 2, l, s));
    return moduleCase(m, x, () => m.forward(x));
  },
  AvgPool1d: (r, c, s) => {
    const m = new AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: s % 2 === 0, ceilMode: s % 3 === 0 });
    const x = sequence(2, 3, r + c + 1, s);
    return moduleCase(m, x, () => m.forward(x));
  },
  AdaptiveAvgPool1d: (r, c, s) => {
    const m = new AdaptiveAvgPool1d(s % 2 ? 3 : 1);
    const x = sequence(s % 3 ? 2 : 0, 2, r + c + 1, s);
    return moduleCase(m, x, () => m.forward(x));
  },
};
Object.assign(LAYER_SPECS, CONV_SPECS);
