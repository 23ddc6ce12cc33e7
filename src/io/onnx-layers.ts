import { ShapeError } from '../core/errors.js';
import { sameShape } from '../core/shape.js';
import { TensorProto_DataType } from 'onnx-buf';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../core/tensor.js';
import { Linear } from '../nn/linear.js';
import { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6 } from '../nn/activations.js';
import { Dropout, Dropout2d, Flatten, Softmax, LogSoftmax } from '../nn/layers.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from '../nn/norm.js';
import { GroupNorm, InstanceNorm1d, InstanceNorm2d } from '../nn/group-norm.js';
import { Upsample } from '../nn/upsample.js';
import { Embedding } from '../nn/embedding.js';
import { Conv1d, Conv2d } from '../nn/conv.js';
import { ConvTranspose2d } from '../nn/conv-transpose.js';
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d } from '../nn/pooling.js';
import { outputLength } from '../nn/window.js';
import { OnnxExportError, type Attribute, type OnnxGraph } from './onnx-graph.js';
import { checkPadFits } from '../ops/pad.js';
import { flattenRange } from '../ops/shape-ops.js';

// Each layer class and the ONNX nodes it becomes, in eval semantics (Dropout and Dropout2d are the identity,
// BatchNorm uses its running statistics). An emitter gets the value flowing in and its shape per
// sample (the batch dimension, dynamic in the graph, is left out) and returns the same for its
// output, checking the shape as the layer's forward would: an inputShape that does not fit the
// model fails here, naming the layer, rather than later in an ONNX runtime.

/** A value in the graph and its shape without the batch dimension. */
export interface Flow {
  value: string;
  shape: number[];
}

/** What an emitter knows about its layer: where it is (for messages) and its state_dict prefix. */
export interface Site {
  graph: OnnxGraph;
  /** The function called (toOnnx, saveOnnx), for messages. */
  owner: string;
  /** `layer 3 (Linear(16→3))`, for messages. */
  where: string;
  /** `3.`: the layer's state_dict names are `3.weight`, `3.bias`. */
  prefix: string;
}

type Emitter<L> = (layer: L, x: Flow, site: Site) => Flow;

/** The weight under its state_dict name, so the ONNX file's initializers are torch's keys. */
function weight(site: Site, name: string, t: Tensor): string {
  return site.graph.floats(site.prefix + name, t.shape, t.toArray());
}

/** A filled tensor standing in for a weight the layer does not have (BatchNorm without affine). */
function filled(site: Site, name: string, shape: readonly number[], value: number): string {
  return site.graph.floats(site.graph.fresh(site.prefix + name), shape, new Float32Array(shape.reduce((p, s) => p * s, 1)).fill(value));
}

function unary(op: string): Emitter<Module> {
  return (_layer, x, { graph }) => ({ value: graph.node(op, [x.value]), shape: x.shape });
}

function fail(site: Site, x: Flow, expected: string): never {
  throw new ShapeError(`${site.owner}: ${site.where} takes ${expected}, but its input is [batch, ${x.shape.join(', ')}]`);
}

/** [C, H, W] per sample, C checked when given. */
function image(site: Site, x: Flow, channels: number | null): [number, number, number] {
  if (x.shape.length !== 3 || (channels !== null && x.shape[0] !== channels)) fail(site, x, `[batch, ${channels ?? 'C'}, H, W]`);
  return x.shape as [number, number, number];
}

/** [C, L] per sample, C checked when given. */
function sequence(site: Site, x: Flow, channels: number | null): [number, number] {
  if (x.shape.length !== 2 || (channels !== null && x.shape[0] !== channels)) fail(site, x, `[batch, ${channels ?? 'C'}, L]`);
  return x.shape as [number, number];
}

/** A window layer's input sizes per sample: [H, W] of a 2-D layer's image, [L] of a 1-D layer's sequence; C checked when given. */
function spatialSizes(site: Site, x: Flow, channels: number | null, dims: number): number[] {
  return dims === 1 ? [sequence(site, x, channels)[1]] : image(site, x, channels).slice(1);
}

function pads(before: readonly number[], after: readonly number[] = before): { ints: number[] } {
  return { ints: [...before, ...after] };
}

/** A window's output size, which must be at least 1 along each dimension (as the layer's forward checks). */
function windowOutput<S extends readonly number[]>(site: Site, x: Flow, sizes: S): S {
  if (sizes.some((s) => s < 1)) fail(site, x, `an input large enough for its window (the output would be ${sizes.join('×')})`);
  return sizes;
}

/** GELU before opset 20 (which has Gelu): its formula from Erf or Tanh, Mul and Add. */
function geluFormula(layer: GELU, x: string, graph: OnnxGraph): string {
  const c = (v: number) => graph.scalar(v);
  if (layer.approximate === 'none') {
    // x·½·(1 + erf(x/√2))
    const erf = graph.node('Erf', [graph.node('Mul', [x, c(Math.SQRT1_2)])]);
    return graph.node('Mul', [graph.node('Mul', [x, graph.node('Add', [erf, c(1)])]), c(0.5)]);
  }
  // x·½·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  const cube = graph.node('Mul', [graph.node('Mul', [x, x]), x]);
  const inner = graph.node('Mul', [graph.node('Add', [x, graph.node('Mul', [cube, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
  return graph.node('Mul', [graph.node('Mul', [x, graph.node('Add', [graph.node('Tanh', [inner]), c(1)])]), c(0.5)]);
}

const linear: Emitter<Linear> = (layer, x, site) => {
  const { graph } = site;
  if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== layer.inFeatures) fail(site, x, `[batch, …, ${layer.inFeatures}]`);
  const shape = [...x.shape.slice(0, -1), layer.outFeatures];
  const w = weight(site, 'weight', layer.weight);
  const b = layer.bias ? [weight(site, 'bias', layer.bias)] : [];
  // Gemm takes matrices only; with more dimensions, x·Wᵀ is a MatMul (W stays in torch's layout).
  if (x.shape.length === 1) return { value: graph.node('Gemm', [x.value, w, ...b], { transB: { int: 1 } }), shape };
  const product = graph.node('MatMul', [x.value, graph.node('Transpose', [w], { perm: { ints: [1, 0] } })]);
  return { value: b.length > 0 ? graph.node('Add', [product, b[0]]) : product, shape };
};

const gelu: Emitter<GELU> = (layer, x, { graph }) => ({
  value: graph.opset >= 20 ? graph.node('Gelu', [x.value], { approximate: { string: layer.approximate } }) : geluFormula(layer, x.value, graph),
  shape: x.shape,
});

/** x·σ(x): ONNX has no SiLU (torch exports it so too). */
const siluEmitter: Emitter<SiLU> = (_layer, x, { graph }) => ({ value: graph.node('Mul', [x.value, graph.node('Sigmoid', [x.value])]), shape: x.shape });

/** Mish from opset 18; before, its formula x·tanh(softplus x). */
const mishEmitter: Emitter<Mish> = (_layer, x, { graph }) => ({
  value: graph.opset >= 18 ? graph.node('Mish', [x.value]) : graph.node('Mul', [x.value, graph.node('Tanh', [graph.node('Softplus', [x.value])])]),
  shape: x.shape,
});

/** ONNX's HardSigmoid is max(0, min(1, alpha·x + beta)); torch's is alpha ⅙, beta ½. */
const hardsigmoidEmitter: Emitter<Hardsigmoid> = (_layer, x, { graph }) => ({
  value: graph.node('HardSigmoid', [x.value], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }),
  shape: x.shape,
});

/** ReLU6 as Clip to [0, 6] (its bounds are inputs from opset 11). */
const relu6Emitter: Emitter<ReLU6> = (_layer, x, { graph }) => ({ value: graph.node('Clip', [x.value, graph.scalar(0), graph.scalar(6)]), shape: x.shape });

const rowSoftmax = (op: string): Emitter<Softmax> => (layer, x, site) => {
  // Descent normalises over the last dimension only; ONNX's axis -1 is the same one.
  const rank = x.shape.length + 1;
  if (layer.dim !== -1 && layer.dim !== rank - 1) fail(site, x, `its dim ${layer.dim} as the last dimension (only dim -1 is supported)`);
  return { value: site.graph.node(op, [x.value], { axis: { int: -1 } }), shape: x.shape };
};

const flatten: Emitter<Flatten> = (layer, x, site) => {
  // The graph's shapes have a dynamic batch dimension first; flattenRange checks the dims as forward would.
  const [start, end] = flattenRange(`${site.owner}: ${site.where}`, [1, ...x.shape], layer.startDim, layer.endDim);
  if (start === 0) {
    throw new OnnxExportError(`${site.owner}: ${site.where} merges the batch dimension (startDim ${layer.startDim}), which the exported graph keeps dynamic; flatten from dimension 1 in the exported model`);
  }
  const rest = x.shape.slice(start - 1, end).reduce((p, s) => p * s, 1);
  const shape = [...x.shape.slice(0, start - 1), rest, ...x.shape.slice(end)];
  // ONNX's Flatten (axis 1) is torch's default; other ranges reshape, 0 keeping the batch.
  if (end === x.shape.length && start === 1) return { value: site.graph.node('Flatten', [x.value], { axis: { int: 1 } }), shape };
  const target = site.graph.int64s(site.graph.fresh(`${site.prefix}shape`), [shape.length + 1], [0, ...shape]);
  return { value: site.graph.node('Reshape', [x.value, target]), shape };
};

/** ONNX Pad's mode for each non-zero padding mode of Conv2d, and the opset that brought it. */
const ONNX_PAD_MODES = { reflect: ['reflect', 11], replicate: ['edge', 11], circular: ['wrap', 19] } as const;

/** Conv2d and Conv1d: ONNX's Conv takes either, its attributes one entry per spatial dimension. */
const conv: Emitter<Conv2d | Conv1d> = (layer, x, site) => {
  const sizes = spatialSizes(site, x, layer.inChannels, layer.kernelSize.length);
  const out = windowOutput(site, x, layer instanceof Conv1d ? [layer.outputSize(sizes[0])] : layer.outputSize(sizes[0], sizes[1]));
  const { kernelSize: k, dilation: d, paddingMode } = layer;
  let input = x.value, before: readonly number[] = layer.padding, after: readonly number[] = layer.paddingAfter();
  if (paddingMode !== 'zeros' && [...before, ...after].some((p) => p > 0)) {
    // As torch exports it: a Pad node that fills the border by the mode, then a Conv without padding.
    const [mode, since] = ONNX_PAD_MODES[paddingMode];
    if (site.graph.opset < since) {
      throw new OnnxExportError(`${site.owner}: ${site.where} pads with paddingMode '${paddingMode}', which ONNX's Pad has (as mode '${mode}') from opset ${since}; export with opsetVersion ${since} or later`);
    }
    const [h, w, top, left, bottom, right] = sizes.length === 1 ? [1, sizes[0], 0, before[0], 0, after[0]] : [...sizes, before[0], before[1], after[0], after[1]];
    checkPadFits(`${site.owner}: ${site.where}`, paddingMode, { planes: layer.inChannels, h, w, top, bottom, left, right }, sizes.length === 1 ? [null, 'length'] : ['height', 'width']);
    const padsValue = site.graph.int64s(site.graph.fresh(`${site.prefix}pads`), [2 * (2 + k.length)], [0, 0, ...before, 0, 0, ...after]);
    input = site.graph.node('Pad', [x.value, padsValue], { mode: { string: mode } });
    before = after = before.map(() => 0);
  }
  const inputs = [input, weight(site, 'weight', layer.weight), ...(layer.bias ? [weight(site, 'bias', layer.bias)] : [])];
  const value = site.graph.node('Conv', inputs, {
    kernel_shape: { ints: [...k] }, pads: pads(before, after), strides: { ints: [...layer.stride] }, dilations: { ints: [...d] }, group: { int: layer.groups },
  });
  return { value, shape: [layer.outChannels, ...out] };
};

/** ONNX's ConvTranspose has torch's weight layout and output size formula (output_padding included). */
const convTranspose2d: Emitter<ConvTranspose2d> = (layer, x, site) => {
  const [, h, w] = image(site, x, layer.inChannels);
  const [oh, ow] = windowOutput(site, x, layer.outputSize(h, w));
  const inputs = [x.value, weight(site, 'weight', layer.weight), ...(layer.bias ? [weight(site, 'bias', layer.bias)] : [])];
  const value = site.graph.node('ConvTranspose', inputs, {
    kernel_shape: { ints: layer.kernelSize }, pads: pads(layer.padding), strides: { ints: layer.stride }, dilations: { ints: layer.dilation },
    output_padding: { ints: layer.outputPadding }, group: { int: layer.groups },
  });
  return { value, shape: [layer.outChannels, oh, ow] };
};

/**
 * A window pool's ONNX attributes. torch's ceilMode drops a last window that would start in the
 * right padding; ONNX's shape inference (ORT 1.31) does not, and declares a column more than its
 * kernel computes (with a warning). Where torch's ceilMode drops such a window, its output is the
 * floor mode's, so ceil_mode is set only where it adds a window that torch keeps. Along two
 * dimensions that disagree (one adds a window, the other drops one), the added window comes
 * instead from end padding in floor mode: padding that MaxPool ignores, and an average without
 * countIncludePad leaves out; an average that counts its padding cannot be written so.
 */
function poolWindows(site: Site, x: Flow, layer: MaxPool2d | AvgPool2d | MaxPool1d | AvgPool1d, countsPadding: boolean): { out: number[]; attributes: Record<string, Attribute> } {
  const { kernelSize: k, stride: s, padding: p, dilation: d, ceilMode } = layer;
  const sizes = spatialSizes(site, x, null, k.length), dims = sizes.map((_, dim) => dim);
  const length = (dim: number, ceil: boolean) => outputLength(sizes[dim], k[dim], s[dim], p[dim], d[dim], ceil);
  const out = windowOutput(site, x, dims.map((dim) => length(dim, ceilMode)));
  // ONNX's ceil mode: ⌈(size + 2·pad − span)/stride⌉ + 1, no window dropped.
  const onnxCeil = (dim: number) => Math.ceil((sizes[dim] + 2 * p[dim] - d[dim] * (k[dim] - 1) - 1) / s[dim]) + 1;
  const floorFits = dims.every((dim) => out[dim] === length(dim, false));
  const ceilFits = dims.every((dim) => out[dim] === onnxCeil(dim));
  let after: readonly number[] = p;
  // (Along one dimension one of the two always fits: this is a 2-D pool's case only.)
  if (!floorFits && !ceilFits) {
    if (countsPadding) {
      throw new OnnxExportError(`${site.owner}: ${site.where} on [batch, ${x.shape.join(', ')}] keeps a partial last window along one dimension and drops one along the other, which ONNX's AveragePool cannot express while it counts padding (countIncludePad false, or another input size, exports)`);
    }
    // The padding after that makes the floor mode reach the last window torch keeps.
    after = dims.map((dim) => Math.max(p[dim], (out[dim] - 1) * s[dim] + d[dim] * (k[dim] - 1) + 1 - sizes[dim] - p[dim]));
  }
  return {
    out,
    attributes: { kernel_shape: { ints: [...k] }, strides: { ints: [...s] }, pads: pads(p, after), ceil_mode: { int: !floorFits && ceilFits ? 1 : 0 } },
  };
}

const maxPool: Emitter<MaxPool2d | MaxPool1d> = (layer, x, site) => {
  const { out, attributes } = poolWindows(site, x, layer, false);
  return { value: site.graph.node('MaxPool', [x.value], { ...attributes, dilations: { ints: [...layer.dilation] } }), shape: [x.shape[0], ...out] };
};

const avgPool: Emitter<AvgPool2d | AvgPool1d> = (layer, x, site) => {
  const { divisorOverride: divisor } = layer;
  // A divisor override has no ONNX attribute: the average counting padding (kh·kw for every window
  // that stays inside the padded plane), then times kh·kw / divisor.
  const countsPadding = divisor !== null || layer.countIncludePad;
  const { out, attributes } = poolWindows(site, x, layer, countsPadding);
  const shape = [x.shape[0], ...out];
  const value = site.graph.node('AveragePool', [x.value], { ...attributes, count_include_pad: { int: countsPadding ? 1 : 0 } });
  if (divisor === null || layer instanceof AvgPool1d) return { value, shape };
  const [, h, w] = image(site, x, null);
  const [kh, kw] = layer.kernelSize, [sh, sw] = layer.stride, [ph, pw] = layer.padding;
  if ((out[0] - 1) * sh + kh > h + 2 * ph || (out[1] - 1) * sw + kw > w + 2 * pw) {
    throw new OnnxExportError(`${site.owner}: ${site.where} on [batch, ${x.shape.join(', ')}] has a last window past the padding, which ONNX's AveragePool cannot divide by divisorOverride ${divisor} (without ceilMode, or another input size, exports)`);
  }
  return { value: site.graph.node('Mul', [value, site.graph.scalar((kh * kw) / divisor)]), shape };
};

/**
 * The adaptive pools: the global pool to size 1, else equal windows (the input a multiple of the
 * output) as a plain pool; torch's uneven, overlapping windows have no ONNX operator.
 */
const adaptivePool = (global: string, windows: string): Emitter<AdaptiveAvgPool2d | AdaptiveMaxPool2d | AdaptiveAvgPool1d | AdaptiveMaxPool1d> => (layer, x, site) => {
  const oned = layer instanceof AdaptiveAvgPool1d || layer instanceof AdaptiveMaxPool1d;
  const sizes = spatialSizes(site, x, null, oned ? 1 : 2);
  const out = oned ? layer.outputSize : layer.outputFor(sizes[0], sizes[1]);
  const shape = [x.shape[0], ...out];
  if (out.every((o) => o === 1)) return { value: site.graph.node(global, [x.value]), shape };
  if (sizes.some((size, dim) => size % out[dim] !== 0)) {
    throw new OnnxExportError(
      `${site.owner}: ${site.where} pools ${sizes.join('×')} to ${out.join('×')}, which is not a whole number of equal windows; ONNX has no adaptive pooling (an input size divisible by the output size, or output ${out.map(() => 1).join('×')}, exports)`,
    );
  }
  const k = sizes.map((size, dim) => size / out[dim]);
  return { value: site.graph.node(windows, [x.value], { kernel_shape: { ints: k }, strides: { ints: k } }), shape };
};

const batchNorm = (rank: string, fits: (shape: number[]) => boolean): Emitter<BatchNorm1d> => (layer, x, site) => {
  if (!fits(x.shape) || x.shape[0] !== layer.numFeatures) fail(site, x, rank.replaceAll('C', String(layer.numFeatures)));
  const { runningMean, runningVar } = layer;
  if (!runningMean || !runningVar) {
    throw new OnnxExportError(`${site.owner}: ${site.where} has no running statistics (trackRunningStats false): it normalises by each batch's own statistics even in eval, which ONNX's BatchNormalization does not do in inference`);
  }
  const c = layer.numFeatures;
  const scale = layer.weight ? weight(site, 'weight', layer.weight) : filled(site, 'ones', [c], 1);
  const bias = layer.bias ? weight(site, 'bias', layer.bias) : filled(site, 'zeros', [c], 0);
  const inputs = [x.value, scale, bias, weight(site, 'running_mean', runningMean), weight(site, 'running_var', runningVar)];
  return { value: site.graph.node('BatchNormalization', inputs, { epsilon: { float: layer.eps } }), shape: x.shape };
};

const layerNorm: Emitter<LayerNorm> = (layer, x, site) => {
  const n = layer.normalizedShape.length;
  if (x.shape.length < n || !sameShape(x.shape.slice(x.shape.length - n), layer.normalizedShape)) {
    fail(site, x, `[batch, …, ${layer.normalizedShape.join(', ')}]`);
  }
  // LayerNormalization needs a scale; without elementwiseAffine, ones.
  const scale = layer.weight ? weight(site, 'weight', layer.weight) : filled(site, 'ones', layer.normalizedShape, 1);
  const inputs = [x.value, scale, ...(layer.bias ? [weight(site, 'bias', layer.bias)] : [])];
  return { value: site.graph.node('LayerNormalization', inputs, { axis: { int: -n }, epsilon: { float: layer.eps } }), shape: x.shape };
};

/**
 * GroupNorm as torch exports it: [batch, G, rest] normalised by InstanceNormalization (scale 1,
 * bias 0), reshaped back, then the per-channel weight and bias ([C] initializers under their
 * state_dict names, reshaped to [C, 1, …] to broadcast over the positions). ONNX's own
 * GroupNormalization is not used: opset 18 defined its scale per group, opset 21 per channel.
 */
const groupNorm: Emitter<GroupNorm> = (layer, x, site) => {
  const { graph } = site;
  if (x.shape.length < 1 || x.shape[0] !== layer.numChannels) fail(site, x, `[batch, ${layer.numChannels}, *]`);
  const g = layer.numGroups, positions = x.shape.length - 1;
  const grouped = graph.node('Reshape', [x.value, graph.int64s(graph.fresh(`${site.prefix}groups`), [3], [0, g, -1])]);
  const normalised = graph.node('InstanceNormalization', [grouped, filled(site, 'ones', [g], 1), filled(site, 'zeros', [g], 0)], { epsilon: { float: layer.eps } });
  let value = graph.node('Reshape', [normalised, graph.int64s(graph.fresh(`${site.prefix}shape`), [x.shape.length + 1], [0, ...x.shape])]);
  if (layer.weight && layer.bias) {
    const perChannel = graph.int64s(graph.fresh(`${site.prefix}channels`), [positions + 1], [layer.numChannels, ...Array<number>(positions).fill(1)]);
    value = graph.node('Mul', [value, graph.node('Reshape', [weight(site, 'weight', layer.weight), perChannel])]);
    value = graph.node('Add', [value, graph.node('Reshape', [weight(site, 'bias', layer.bias), perChannel])]);
  }
  return { value, shape: x.shape };
};

/** InstanceNorm1d/2d: ONNX's InstanceNormalization (scale 1 and bias 0 without affine). */
const instanceNorm = (dims: 1 | 2): Emitter<InstanceNorm1d | InstanceNorm2d> => (layer, x, site) => {
  const c = layer.numFeatures;
  if (x.shape.length !== dims + 1 || x.shape[0] !== c) fail(site, x, dims === 1 ? `[batch, ${c}, L]` : `[batch, ${c}, H, W]`);
  const scale = layer.weight ? weight(site, 'weight', layer.weight) : filled(site, 'ones', [c], 1);
  const bias = layer.bias ? weight(site, 'bias', layer.bias) : filled(site, 'zeros', [c], 0);
  return { value: site.graph.node('InstanceNormalization', [x.value, scale, bias], { epsilon: { float: layer.eps } }), shape: x.shape };
};

/**
 * Upsample as ONNX's Resize, torch's rules as its attributes: nearest is 'asymmetric' with floor,
 * nearest-exact 'half_pixel' rounding halves up, the linear modes 'pytorch_half_pixel' (or
 * 'align_corners'). A factor torch uses as given (1/factor per output) is Resize's `scales`;
 * sizes (or a recomputed factor, which torch turns into in/out) are its `sizes`, the batch and
 * channels taken from the input's Shape.
 */
const upsample: Emitter<Upsample> = (layer, x, site) => {
  const { graph } = site;
  const dims = x.shape.length - 1;
  if ((dims !== 1 && dims !== 2) || (layer.mode === 'linear' && dims !== 1) || (layer.mode === 'bilinear' && dims !== 2)) {
    fail(site, x, layer.mode === 'linear' ? '[batch, C, L]' : layer.mode === 'bilinear' ? '[batch, C, H, W]' : '[batch, C, L] or [batch, C, H, W]');
  }
  const sizes = x.shape.slice(1), pick = (values: readonly number[], d: number) => values[values.length === 1 ? 0 : d];
  if ((layer.size && layer.size.length !== 1 && layer.size.length !== dims) || (layer.scaleFactor && layer.scaleFactor.length !== 1 && layer.scaleFactor.length !== dims)) {
    fail(site, x, `${dims === 1 ? 'a sequence' : 'an image'} with as many sizes as the layer's ${layer.size ? 'size' : 'scaleFactor'}`);
  }
  const out = sizes.map((n, d) => (layer.size ? pick(layer.size, d) : Math.floor(n * pick(layer.scaleFactor!, d))));
  windowOutput(site, x, out);
  const transform = layer.mode === 'nearest' ? 'asymmetric' : layer.mode === 'nearest-exact' ? 'half_pixel' : layer.alignCorners ? 'align_corners' : 'pytorch_half_pixel';
  const attributes: Record<string, Attribute> = {
    mode: { string: layer.mode.startsWith('nearest') ? 'nearest' : 'linear' },
    coordinate_transformation_mode: { string: transform },
    ...(layer.mode.startsWith('nearest') ? { nearest_mode: { string: layer.mode === 'nearest' ? 'floor' : 'round_prefer_ceil' } } : {}),
  };
  let inputs: string[];
  if (layer.scaleFactor && !layer.recomputeScaleFactor) {
    const factors = sizes.map((_, d) => Math.fround(pick(layer.scaleFactor!, d)));
    // Resize's output size is ⌊n·factor⌋ in float32; torch's in float64: where they differ, refuse.
    if (sizes.some((n, d) => Math.floor(Math.fround(n * factors[d])) !== out[d])) {
      throw new OnnxExportError(`${site.owner}: ${site.where} on [batch, ${x.shape.join(', ')}] gives ${out.join('×')}, which ONNX's Resize computes as another size from the float32 scale factor; a size, or another input size, exports`);
    }
    inputs = [x.value, '', graph.floats(graph.fresh(`${site.prefix}scales`), [dims + 2], Float32Array.from([1, 1, ...factors]))];
  } else {
    const batchAndChannels = graph.node('Slice', [graph.node('Shape', [x.value]), graph.int64s(graph.fresh(`${site.prefix}from`), [1], [0]), graph.int64s(graph.fresh(`${site.prefix}to`), [1], [2])]);
    const target = graph.node('Concat', [batchAndChannels, graph.int64s(graph.fresh(`${site.prefix}size`), [dims], out)], { axis: { int: 0 } });
    inputs = [x.value, '', '', target];
  }
  return { value: graph.node('Resize', inputs, attributes), shape: [x.shape[0], ...out] };
};

const embedding: Emitter<Embedding> = (layer, x, site) => {
  const { graph } = site;
  // Descent's indices are float32 tensors of whole numbers; Gather takes integers.
  const indices = graph.node('Cast', [x.value], { to: { int: TensorProto_DataType.INT64 } });
  return { value: graph.node('Gather', [weight(site, 'weight', layer.weight), indices], { axis: { int: 0 } }), shape: [...x.shape, layer.embeddingDim] };
};

/** Every layer class toOnnx exports, by constructor (a subclass may compute something else: not matched). */
export const EMITTERS = new Map<abstract new (...args: never[]) => Module, Emitter<never>>([
  [Linear, linear],
  [ReLU, unary('Relu')],
  [Sigmoid, unary('Sigmoid')],
  [Tanh, unary('Tanh')],
  [LeakyReLU, (layer: LeakyReLU, x: Flow, { graph }: Site) => ({ value: graph.node('LeakyRelu', [x.value], { alpha: { float: layer.negativeSlope } }), shape: x.shape })],
  [GELU, gelu],
  [SiLU, siluEmitter],
  [Mish, mishEmitter],
  [ELU, (layer: ELU, x: Flow, { graph }: Site) => ({ value: graph.node('Elu', [x.value], { alpha: { float: layer.alpha } }), shape: x.shape })],
  // ONNX's Selu defaults are torch's constants (as float32); written out all the same.
  [SELU, (_layer: SELU, x: Flow, { graph }: Site) => ({ value: graph.node('Selu', [x.value], { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } }), shape: x.shape })],
  [Hardswish, unary('HardSwish')],
  [Hardsigmoid, hardsigmoidEmitter],
  [ReLU6, relu6Emitter],
  [Softmax, rowSoftmax('Softmax')],
  [LogSoftmax, rowSoftmax('LogSoftmax')],
  [Flatten, flatten],
  [Dropout, (_layer: Dropout, x: Flow) => x],
  [Dropout2d, (_layer: Dropout2d, x: Flow) => x],
  [Conv2d, conv],
  [Conv1d, conv],
  [ConvTranspose2d, convTranspose2d],
  [MaxPool2d, maxPool],
  [MaxPool1d, maxPool],
  [AvgPool2d, avgPool],
  [AvgPool1d, avgPool],
  [AdaptiveAvgPool2d, adaptivePool('GlobalAveragePool', 'AveragePool')],
  [AdaptiveAvgPool1d, adaptivePool('GlobalAveragePool', 'AveragePool')],
  [AdaptiveMaxPool2d, adaptivePool('GlobalMaxPool', 'MaxPool')],
  [AdaptiveMaxPool1d, adaptivePool('GlobalMaxPool', 'MaxPool')],
  [BatchNorm1d, batchNorm('[batch, C] or [batch, C, L]', (s) => s.length === 1 || s.length === 2)],
  [BatchNorm2d, batchNorm('[batch, C, H, W]', (s) => s.length === 3)],
  [LayerNorm, layerNorm],
  [GroupNorm, groupNorm],
  [InstanceNorm1d, instanceNorm(1)],
  [InstanceNorm2d, instanceNorm(2)],
  [Upsample, upsample],
  [Embedding, embedding],
] as [abstract new (...args: never[]) => Module, Emitter<never>][]);
