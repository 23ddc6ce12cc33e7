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

/** Checks that a layer's input is [B, features] with the expected feature count. */
export function checkFeatures(layer: Module, x: Tensor, features: number): void {
  if (x.rank !== 2 || x.shape[1] !== features) {
    throw new ShapeError(
      `${layer.describe()}: input of shape ${formatShape(x.shape)} has ${x.rank === 2 ? x.shape[1] : 'no'} ` +
        `feature columns; expected [batch, ${features}]`,
    );
  }
}
