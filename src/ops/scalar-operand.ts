import { OptionError } from '../core/errors.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { tensor } from './creation.js';

/** A Tensor operand, or a plain number that broadcasts like a scalar tensor. */
export type Operand = Tensor | number;

/**
 * Turns a number operand into a one-element tensor that the result will own (it is attached to
 * the result so it lives exactly as long as the graph that may read it). Returns the tensor and
 * whether it was made here.
 */
export function asTensor(op: string, name: string, x: Operand): { t: Tensor; temporary: boolean } {
  if (x instanceof Tensor) return { t: x, temporary: false };
  if (typeof x !== 'number') throw new OptionError(`${op}: ${name} must be a Tensor or a number, got ${String(x)}`);
  return { t: keep(tensor([x], [])), temporary: true };
}
