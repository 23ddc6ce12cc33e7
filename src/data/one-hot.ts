import { OptionError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { FINITE, POSITIVE_INT, anyOf, arrayOf, checkValue, instanceOf, isTensor, tensorOf, type Rule } from '../core/validate.js';

/** [N] class indices → [N, numClasses] float32 rows with a single 1 (torch.nn.functional.one_hot). */
export function oneHot(indices: Tensor | ArrayLike<number>, numClasses: number): Tensor {
  const idx = classIndices('oneHot', 'indices', indices);
  checkValue('oneHot', 'numClasses', numClasses, { ...POSITIVE_INT, required: true });
  const out = new Float32Array(idx.length * numClasses);
  for (let i = 0; i < idx.length; i++) {
    const c = idx[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new OptionError(`oneHot: indices[${i}] = ${c} is not a class index in [0, ${numClasses})`);
    }
    out[i * numClasses + c] = 1;
  }
  const t = new Tensor([idx.length, numClasses]);
  t.data.set(out);
  return t;
}

// A typed array of any element type: the common prototype of Float32Array, Int32Array, …
const TypedArray = Object.getPrototypeOf(Uint8Array) as abstract new () => ArrayLike<number>;

/**
 * Class labels: a 0-D/1-D Tensor, an array or a typed array. A 2-D tensor is refused rather than
 * flattened: torch would give it a trailing class dimension, so its rows would mean something else.
 */
export const LABELS: Rule = {
  ...anyOf(tensorOf([0, 1]), arrayOf(FINITE), instanceOf(TypedArray, 'typed array')),
  description: 'a 1-D Tensor, an array or a typed array of class indices',
};

/** The labels as plain numbers, after checking them against LABELS. */
export function classIndices(owner: string, name: string, labels: unknown): number[] {
  checkValue(owner, name, labels, { ...LABELS, required: true });
  return Array.from(isTensor(labels) ? labels.toArray() : (labels as ArrayLike<number>));
}
