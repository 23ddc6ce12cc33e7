import { ShapeError, formatShape } from './errors.js';

/** Validates a shape (a list of non-negative integers) and returns its element count. */
export function checkShape(shape: unknown, argument = 'shape'): number {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${argument} must be an array of non-negative integers, got ${String(shape)}`);
  }
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${argument} must contain non-negative integers, got ${formatShape(shape as number[])} (bad entry ${String(d)})`,
      );
    }
    size *= d;
  }
  if (!Number.isSafeInteger(size)) {
    throw new ShapeError(`${argument} ${formatShape(shape as number[])} has too many elements`);
  }
  return size;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
