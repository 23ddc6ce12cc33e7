import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import type { Module } from './module.js';

/** Checks that a layer's input is a live Tensor, naming the layer in the error. */
export function checkInput(layer: Module, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new OptionError(`${layer.describe()}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
  void x.offset; // throws DisposedError naming the shape
}

/**
 * Checks that a layer's input is [..., features] (any leading dimensions, as torch allows) and
 * returns how many rows of `features` it holds.
 */
export function checkFeatures(layer: Module, x: Tensor, features: number): number {
  const last = x.rank === 0 ? undefined : x.shape[x.rank - 1];
  if (last !== features) {
    throw new ShapeError(
      `${layer.describe()}: input of shape ${formatShape(x.shape)} has ${last === undefined ? 'no' : last} ` +
        `feature columns; expected [batch, ${features}] (or [..., ${features}])`,
    );
  }
  return x.size / features;
}
