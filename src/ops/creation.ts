import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { checkShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { ANY_NUMBER, checkValue, render, required } from '../core/validate.js';

export type NestedNumbers = number | readonly NestedNumbers[];
export type TensorValues = ArrayLike<number> | NestedNumbers;

/**
 * A tensor holding `values` (flat or nested arrays, or a typed array). With `shape` the flat
 * values are laid out row-major in it; without, the shape is that of the nesting.
 */
export function tensor(values: TensorValues, shape?: readonly number[]): Tensor {
  const { flat, inferred } = flatten(values);
  const target = shape === undefined ? inferred : shape; // null is not "absent": checkShape rejects it
  const size = checkShape('tensor', target);
  if (size !== flat.length) {
    throw new ShapeError(
      `tensor: ${flat.length} values do not fill shape ${formatShape(target)} (${size} elements)`,
    );
  }
  const t = new Tensor(target);
  t.data.set(flat);
  return t;
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return filled('zeros', shape, 0);
}

/** A tensor of ones. */
export function ones(shape: readonly number[]): Tensor {
  return filled('ones', shape, 1);
}

/** A tensor filled with `value` (any number, NaN and ±Infinity included, as torch.full). */
export function full(shape: readonly number[], value: number): Tensor {
  checkValue('full', 'value', value, required(ANY_NUMBER));
  return filled('full', shape, value);
}

function filled(owner: string, shape: readonly number[], value: number): Tensor {
  checkShape(owner, shape);
  const t = new Tensor(shape);
  requireBackend().fill(t.offset, t.size, value);
  return t;
}

/** Typed arrays whose elements are numbers (BigInt64Array's are not; a DataView has no elements). */
function isNumericTypedArray(values: unknown): values is ArrayLike<number> {
  return ArrayBuffer.isView(values) && !(values instanceof DataView) &&
    !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array);
}

function flatten(values: TensorValues): { flat: ArrayLike<number>; inferred: number[] } {
  if (typeof values === 'number') return { flat: [values], inferred: [] };
  if (isNumericTypedArray(values)) return { flat: values, inferred: [values.length] };
  if (!Array.isArray(values)) {
    throw new OptionError(`tensor: values must be a number, a (nested) array of numbers or a typed array, got ${render(values)}`);
  }
  const inferred: number[] = [];
  for (let level: unknown = values; Array.isArray(level); level = level[0]) inferred.push(level.length);
  const flat: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === inferred.length) {
      if (typeof node !== 'number') {
        throw new OptionError(`tensor: values${path} must be a number, got ${render(node)}`);
      }
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== inferred[depth]) {
      throw new ShapeError(
        `tensor: values are ragged: values${path} should be an array of ${inferred[depth]}, got ${render(node)}`,
      );
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(values, 0, '');
  return { flat, inferred };
}
