// The course's two MNIST networks by name, shared by `descent train --model` and the demo page.
import { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/linear.js';
import { Dropout, Flatten } from '../nn/layers.js';
import { Conv2d } from '../nn/conv.js';
import { MaxPool2d } from '../nn/pooling.js';
import { ReLU } from '../nn/activations.js';
import type { Module } from '../nn/module.js';
import { OptionError } from '../core/errors.js';
import { makeActivation } from './activations.js';

export const MODEL_NAMES = ['mlp', 'cnn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelOptions {
  /** mlp only: the hidden widths between 784 and 10. */
  hidden?: readonly number[];
  /** mlp only: the activation after each hidden Linear (a name of ACTIVATION_NAMES). */
  activation?: string;
  /** mlp only: Dropout after each hidden activation when > 0. */
  dropout?: number;
}

/**
 * 'mlp': 784 → hidden → 10 on flat [N, 784] digits. 'cnn': Conv2d(1,8,3,pad 1) → ReLU →
 * MaxPool2d(2) → Conv2d(8,16,3,pad 1) → ReLU → MaxPool2d(2) → Flatten → Linear(784,10) on
 * [N, 1, 28, 28] images (inputShape says which).
 */
export function makeModel(name: string, options: ModelOptions = {}): Sequential {
  if (name === 'cnn') {
    return new Sequential([
      new Conv2d(1, 8, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
      new Conv2d(8, 16, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(784, 10),
    ]);
  }
  if (name !== 'mlp') throw new OptionError(`makeModel: model must be one of ${MODEL_NAMES.join(', ')}; got '${name}'`);
  const widths = [784, ...(options.hidden ?? [])];
  const layers: Module[] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push(new Linear(widths[i - 1], widths[i]), makeActivation(options.activation ?? 'relu'));
    if ((options.dropout ?? 0) > 0) layers.push(new Dropout({ p: options.dropout }));
  }
  layers.push(new Linear(widths[widths.length - 1], 10));
  return new Sequential(layers);
}

/** The shape of one digit as the model takes it (without the batch dimension). */
export function inputShape(name: ModelName): number[] {
  return name === 'cnn' ? [1, 28, 28] : [784];
}
