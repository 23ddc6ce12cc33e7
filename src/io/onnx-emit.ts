import { ShapeError } from '../core/errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../core/tensor.js';
import type { OnnxGraph } from './onnx-graph.js';

// What every layer emitter (onnx-layers.ts, onnx-windows.ts) works with: the value flowing
// through the graph with its per-sample shape, where the layer sits, and the checks and
// initializers they share.

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

export type Emitter<L> = (layer: L, x: Flow, site: Site) => Flow;

/** The weight under its state_dict name, so the ONNX file's initializers are torch's keys. */
export function weight(site: Site, name: string, t: Tensor): string {
  return site.graph.floats(site.prefix + name, t.shape, t.toArray());
}

/** A filled tensor standing in for a weight the layer does not have (BatchNorm without affine). */
export function filled(site: Site, name: string, shape: readonly number[], value: number): string {
  return site.graph.floats(site.graph.fresh(site.prefix + name), shape, new Float32Array(shape.reduce((p, s) => p * s, 1)).fill(value));
}

export function unary(op: string): Emitter<Module> {
  return (_layer, x, { graph }) => ({ value: graph.node(op, [x.value]), shape: x.shape });
}

export function fail(site: Site, x: Flow, expected: string): never {
  throw new ShapeError(`${site.owner}: ${site.where} takes ${expected}, but its input is [batch, ${x.shape.join(', ')}]`);
}

/** [C, H, W] per sample, C checked when given. */
export function image(site: Site, x: Flow, channels: number | null): [number, number, number] {
  if (x.shape.length !== 3 || (channels !== null && x.shape[0] !== channels)) fail(site, x, `[batch, ${channels ?? 'C'}, H, W]`);
  return x.shape as [number, number, number];
}

/** [C, L] per sample, C checked when given. */
export function sequence(site: Site, x: Flow, channels: number | null): [number, number] {
  if (x.shape.length !== 2 || (channels !== null && x.shape[0] !== channels)) fail(site, x, `[batch, ${channels ?? 'C'}, L]`);
  return x.shape as [number, number];
}

/** A window layer's input sizes per sample: [H, W] of a 2-D layer's image, [L] of a 1-D layer's sequence; C checked when given. */
export function spatialSizes(site: Site, x: Flow, channels: number | null, dims: number): number[] {
  return dims === 1 ? [sequence(site, x, channels)[1]] : image(site, x, channels).slice(1);
}

export function pads(before: readonly number[], after: readonly number[] = before): { ints: number[] } {
  return { ints: [...before, ...after] };
}

/** A window's output size, which must be at least 1 along each dimension (as the layer's forward checks). */
export function windowOutput<S extends readonly number[]>(site: Site, x: Flow, sizes: S): S {
  if (sizes.some((s) => s < 1)) fail(site, x, `an input large enough for its window (the output would be ${sizes.join('×')})`);
  return sizes;
}
