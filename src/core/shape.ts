import { ShapeError, formatShape } from './errors.js';
import { checkValue, required, SHAPE } from './validate.js';

// Built once: every tensor a step allocates checks its shape.
const SHAPE_ARGUMENT = required(SHAPE);

/**
 * Validates a shape (a list of non-negative integers) and returns its element count. `owner` and
 * `argument` name it in the message (`zeros: shape must be …, got "abc"`).
 */
export function checkShape(owner: string, shape: unknown, argument = 'shape'): number {
  checkValue(owner, argument, shape, SHAPE_ARGUMENT);
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (!Number.isSafeInteger(size)) {
    throw new ShapeError(`${owner}: ${argument} ${formatShape(shape as number[])} has too many elements (${size})`);
  }
  return size;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
