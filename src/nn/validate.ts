import { ShapeError, formatShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { TENSOR, checkValue, isTensor, required } from '../core/validate.js';
import type { Module } from './module.js';

const INPUT = required(TENSOR);

/** Checks that a layer's input is a live Tensor, naming the layer in the error. */
export function checkInput(layer: Module, name: string, x: unknown): asserts x is Tensor {
  // The layer's name is built only for a message: every layer checks its input on every forward.
  if (isTensor(x) && !x.isDisposed) return;
  checkValue(layer.describe(), name, x, INPUT);
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
