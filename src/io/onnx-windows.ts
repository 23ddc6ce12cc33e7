import { Conv1d, type Conv2d } from '../nn/conv.js';
import type { ConvTranspose2d } from '../nn/conv-transpose.js';
import { AdaptiveAvgPool1d, AdaptiveMaxPool1d, AvgPool1d, type AdaptiveAvgPool2d, type AdaptiveMaxPool2d, type AvgPool2d, type MaxPool1d, type MaxPool2d } from '../nn/pooling.js';
import type { Upsample } from '../nn/upsample.js';
import type { ZeroPad1d } from '../nn/padding.js';
import { outputLength } from '../nn/window.js';
import { checkPadFits } from '../ops/pad.js';
import { OnnxExportError, type Attribute } from './onnx-graph.js';
import { fail, image, pads, spatialSizes, weight, windowOutput, type Emitter, type Flow, type Site } from './onnx-emit.js';

// The sliding-window and resampling layers as ONNX nodes: the convolutions, the pools (window and
// adaptive) and Upsample, for one or two spatial dimensions (attributes one entry per dimension).

/** ONNX Pad's mode for each non-zero padding mode of Conv2d, and the opset that brought it. */
export const ONNX_PAD_MODES = { reflect: ['reflect', 11], replicate: ['edge', 11], circular: ['wrap', 19] } as const;

/** Conv2d and Conv1d: ONNX's Conv takes either, its attributes one entry per spatial dimension. */
export const conv: Emitter<Conv2d | Conv1d> = (layer, x, site) => {
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
export const convTranspose2d: Emitter<ConvTranspose2d> = (layer, x, site) => {
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

export const maxPool: Emitter<MaxPool2d | MaxPool1d> = (layer, x, site) => {
  const { out, attributes } = poolWindows(site, x, layer, false);
  return { value: site.graph.node('MaxPool', [x.value], { ...attributes, dilations: { ints: [...layer.dilation] } }), shape: [x.shape[0], ...out] };
};

export const avgPool: Emitter<AvgPool2d | AvgPool1d> = (layer, x, site) => {
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
export const adaptivePool = (global: string, windows: string): Emitter<AdaptiveAvgPool2d | AdaptiveMaxPool2d | AdaptiveAvgPool1d | AdaptiveMaxPool1d> => (layer, x, site) => {
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

/**
 * Upsample as ONNX's Resize, torch's rules as its attributes: nearest is 'asymmetric' with floor,
 * nearest-exact 'half_pixel' rounding halves up, the linear modes 'pytorch_half_pixel' (or
 * 'align_corners'). A factor torch uses as given (1/factor per output) is Resize's `scales`;
 * sizes (or a recomputed factor, which torch turns into in/out) are its `sizes`, the batch and
 * channels taken from the input's Shape.
 */
export const upsample: Emitter<Upsample> = (layer, x, site) => {
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

/** A padding layer as Pad (the constant's value as its input; reflect, edge, wrap as its mode). */
export const padLayer = (dims: 1 | 2): Emitter<ZeroPad1d> => (layer, x, site) => {
  const { graph } = site;
  if (x.shape.length !== dims + 1) fail(site, x, dims === 1 ? '[batch, C, L]' : '[batch, C, H, W]');
  const [left, right, top = 0, bottom = 0] = layer.padding;
  const h = dims === 2 ? x.shape[1] : 1, w = x.shape[dims];
  const where = `${site.owner}: ${site.where}`;
  let mode = 'constant';
  if (layer.mode !== 'constant') {
    const [onnxMode, since] = ONNX_PAD_MODES[layer.mode];
    if (graph.opset < since) {
      throw new OnnxExportError(`${where} pads in mode '${layer.mode}', which ONNX's Pad has (as mode '${onnxMode}') from opset ${since}; export with opsetVersion ${since} or later`);
    }
    mode = onnxMode;
  }
  checkPadFits(where, layer.mode, { planes: x.shape[0], h, w, top, bottom, left, right }, dims === 2 ? ['height', 'width'] : [null, 'length']);
  const pads = dims === 2 ? [0, 0, top, left, 0, 0, bottom, right] : [0, 0, left, 0, 0, right];
  const inputs = [x.value, graph.int64s(graph.fresh(`${site.prefix}pads`), [pads.length], pads)];
  if (layer.mode === 'constant') inputs.push(graph.scalar(layer.value));
  const shape = dims === 2 ? [x.shape[0], h + top + bottom, w + left + right] : [x.shape[0], w + left + right];
  return { value: graph.node('Pad', inputs, { mode: { string: mode } }), shape };
};
