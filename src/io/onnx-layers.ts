import { sameShape } from '../core/shape.js';
import { TensorProto_DataType } from 'onnx-buf';
import type { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6 } from '../nn/activations.js';
import { Dropout, Dropout2d, Flatten, Unflatten, Identity, Softmax, LogSoftmax } from '../nn/layers.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from '../nn/norm.js';
import { GroupNorm, InstanceNorm1d, InstanceNorm2d } from '../nn/group-norm.js';
import { Upsample } from '../nn/upsample.js';
import { PReLU } from '../nn/prelu.js';
import { ZeroPad1d, ConstantPad1d, ReflectionPad1d, ReplicationPad1d, CircularPad1d, ZeroPad2d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d, CircularPad2d } from '../nn/padding.js';
import { Embedding } from '../nn/embedding.js';
import { Conv1d, Conv2d } from '../nn/conv.js';
import { ConvTranspose2d } from '../nn/conv-transpose.js';
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d } from '../nn/pooling.js';
import { OnnxExportError, type OnnxGraph } from './onnx-graph.js';
import { flattenRange } from '../ops/shape-ops.js';
import { fail, filled, unary, weight, type Emitter, type Flow, type Site } from './onnx-emit.js';
import { adaptivePool, avgPool, conv, convTranspose2d, maxPool, padLayer, upsample } from './onnx-windows.js';

// Each layer class and the ONNX nodes it becomes (the window layers' emitters: onnx-windows.ts), in eval semantics (Dropout and Dropout2d are the identity,
// BatchNorm uses its running statistics). An emitter gets the value flowing in and its shape per
// sample (the batch dimension, dynamic in the graph, is left out) and returns the same for its
// output, checking the shape as the layer's forward would: an inputShape that does not fit the
// model fails here, naming the layer, rather than later in an ONNX runtime.

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

/** PReLU as PRelu, its per-channel slopes (torch's `weight` [C]) reshaped to [C, 1, …] to broadcast over the positions. */
const prelu: Emitter<PReLU> = (layer, x, site) => {
  const c = layer.weight.size;
  if (c > 1 && x.shape[0] !== c) fail(site, x, `[batch, ${c}, …]`);
  let slope = weight(site, 'weight', layer.weight);
  if (c > 1 && x.shape.length > 1) {
    const perChannel = site.graph.int64s(site.graph.fresh(`${site.prefix}channels`), [x.shape.length], [c, ...Array<number>(x.shape.length - 1).fill(1)]);
    slope = site.graph.node('Reshape', [slope, perChannel]);
  }
  return { value: site.graph.node('PRelu', [x.value, slope]), shape: x.shape };
};

/** Unflatten as a Reshape keeping the batch (dimension 0, the graph's dynamic batch, refused as Flatten's startDim 0). */
const unflattenEmitter: Emitter<Unflatten> = (layer, x, site) => {
  const rank = x.shape.length + 1;
  if (layer.dim === 0 || layer.dim === -rank) {
    throw new OnnxExportError(`${site.owner}: ${site.where} splits the batch dimension, which the exported graph keeps dynamic; unflatten from dimension 1 in the exported model`);
  }
  const d = layer.dim < 0 ? layer.dim + rank : layer.dim;
  if (d < 1 || d >= rank) fail(site, x, `an input with a dimension ${layer.dim}`);
  const size = x.shape[d - 1], known = layer.unflattenedSize.reduce((p, v) => (v === -1 ? p : p * v), 1);
  const split = layer.unflattenedSize.map((v) => (v === -1 ? size / known : v));
  if (!Number.isInteger(split.reduce((p, v) => p * v, 1)) || split.reduce((p, v) => p * v, 1) !== size) {
    fail(site, x, `a dimension ${layer.dim} of ${known}${layer.unflattenedSize.includes(-1) ? '·k' : ''} entries`);
  }
  const shape = [...x.shape.slice(0, d - 1), ...split, ...x.shape.slice(d)];
  const target = site.graph.int64s(site.graph.fresh(`${site.prefix}shape`), [shape.length + 1], [0, ...shape]);
  return { value: site.graph.node('Reshape', [x.value, target]), shape };
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
  [PReLU, prelu],
  [Softmax, rowSoftmax('Softmax')],
  [LogSoftmax, rowSoftmax('LogSoftmax')],
  [Flatten, flatten],
  [Unflatten, unflattenEmitter],
  [Identity, (_layer: Identity, x: Flow) => x],
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
  [ZeroPad1d, padLayer(1)],
  [ConstantPad1d, padLayer(1)],
  [ReflectionPad1d, padLayer(1)],
  [ReplicationPad1d, padLayer(1)],
  [CircularPad1d, padLayer(1)],
  [ZeroPad2d, padLayer(2)],
  [ConstantPad2d, padLayer(2)],
  [ReflectionPad2d, padLayer(2)],
  [ReplicationPad2d, padLayer(2)],
  [CircularPad2d, padLayer(2)],
  [Embedding, embedding],
] as [abstract new (...args: never[]) => Module, Emitter<never>][]);
