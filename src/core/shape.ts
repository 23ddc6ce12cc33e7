import { ShapeError, formatShape } from './errors.js';
import { checkValue, required, SHAPE } from './validate.js';

/**
 * Validates a shape (a list of non-negative integers) and returns its element count. `owner` and
 * `argument` name it in the message (`zeros: shape must be …, got "abc"`).
 */
export function checkShape(owner: string, shape: unknown, argument = 'shape'): number {
  checkValue(owner, argument, shape, required(SHAPE));
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (!Number.isSafeInteger(size)) {
    throw new ShapeError(`${owner}: ${argument} ${formatShape(shape as number[])} has too many elements (${size})`);
  }
  return size;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
