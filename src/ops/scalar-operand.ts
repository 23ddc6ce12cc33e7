import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { ANY_NUMBER, TENSOR, anyOf, checkValue, required } from '../core/validate.js';
import { tensor } from './creation.js';

/** A Tensor operand, or a plain number that broadcasts like a scalar tensor. */
export type Operand = Tensor | number;

/** Any number (NaN and ±Infinity too: `x.mul(Infinity)` means what it says), or a live Tensor. */
export const OPERAND = required(anyOf(TENSOR, ANY_NUMBER));

/** Checks an operand: a live Tensor or a number (a disposed tensor is a DisposedError). */
export function checkOperand(op: string, name: string, x: unknown): void {
  checkValue(op, name, x, OPERAND);
}

/**
 * Turns a number operand into a one-element tensor that the result will own (it is attached to
 * the result so it lives exactly as long as the graph that may read it). Returns the tensor and
 * whether it was made here. Check both operands with `checkOperand` first, so a bad second one
 * cannot strand the first one's scalar.
 */
export function asTensor(x: Operand): { t: Tensor; temporary: boolean } {
  if (x instanceof Tensor) return { t: x, temporary: false };
  return { t: keep(tensor([x], [])), temporary: true };
}
