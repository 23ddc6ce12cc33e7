import { ShapeError, formatShape } from '../core/errors.js';
import { sameShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { requireBackend } from '../core/runtime.js';

// Broadcasting for elementwise ops, as numpy/torch define it, for what an MLP needs: equal shapes
// of any rank, and up to 2-D operands broadcast against each other ([B, F] with [F], [1, F],
// [B, 1] or a scalar). Every case maps onto the strided 2-D `binary` kernel.

export interface Layout {
  /** The result's shape. */
  shape: number[];
  /** The result as a matrix [m, n]. */
  m: number;
  n: number;
  /** Element (i, j) of each operand is at row·r + col·c. */
  a: { r: number; c: number };
  b: { r: number; c: number };
}

/** What broadcasting reads of an operand: a Tensor, or a plain number's scalar shape. */
export type Shaped = Pick<Tensor, 'shape' | 'rank' | 'size'>;
export const SCALAR: Shaped = { shape: [], rank: 0, size: 1 };

export function broadcastLayout(op: string, a: Shaped, b: Shaped): Layout {
  if (sameShape(a.shape, b.shape)) {
    return { shape: [...a.shape], m: 1, n: a.size, a: { r: 0, c: 1 }, b: { r: 0, c: 1 } };
  }
  // A 0-d operand broadcasts against any rank: one value repeated over the other's elements.
  if (a.rank === 0) return { shape: [...b.shape], m: 1, n: b.size, a: { r: 0, c: 0 }, b: { r: 0, c: 1 } };
  if (b.rank === 0) return { shape: [...a.shape], m: 1, n: a.size, a: { r: 0, c: 1 }, b: { r: 0, c: 0 } };
  if (a.rank > 2 || b.rank > 2) {
    throw new ShapeError(
      `${op}: cannot broadcast ${formatShape(a.shape)} with ${formatShape(b.shape)} (broadcasting is supported up to 2-D)`,
    );
  }
  const as2 = as2d(a.shape), bs2 = as2d(b.shape);
  const m = combine(op, a, b, as2[0], bs2[0]);
  const n = combine(op, a, b, as2[1], bs2[1]);
  const strides = (s: [number, number]) => ({ r: s[0] === 1 && m !== 1 ? 0 : s[1], c: s[1] === 1 && n !== 1 ? 0 : 1 });
  const rank = Math.max(a.rank, b.rank);
  return { shape: rank === 2 ? [m, n] : rank === 1 ? [n] : [], m, n, a: strides(as2), b: strides(bs2) };
}

function as2d(shape: readonly number[]): [number, number] {
  return shape.length === 2 ? [shape[0], shape[1]] : shape.length === 1 ? [1, shape[0]] : [1, 1];
}

function combine(op: string, a: Shaped, b: Shaped, x: number, y: number): number {
  if (x === y || y === 1) return x;
  if (x === 1) return y;
  throw new ShapeError(
    `${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast (sizes ${x} and ${y} differ and neither is 1)`,
  );
}

/**
 * Sums a full [m, n] gradient at `src` down to an operand broadcast with strides `s`, writing
 * (or adding) to dst. The sum order is fixed by the kernels, so results are deterministic.
 */
export function reduceBroadcast(
  src: number, m: number, n: number, s: { r: number; c: number }, dst: number, add: boolean,
): void {
  const k = requireBackend();
  const rowsBroadcast = s.r === 0 && m > 1;
  const colsBroadcast = s.c === 0 && n > 1;
  if (!rowsBroadcast && !colsBroadcast) {
    if (add) k.add(dst, src, dst, m * n);
    else k.copy(src, dst, m * n);
  } else if (rowsBroadcast && !colsBroadcast) {
    k.sumRows(src, m, n, dst, add ? 1 : 0);
  } else if (!rowsBroadcast && colsBroadcast) {
    k.sumCols(src, m, n, dst, add ? 1 : 0);
  } else {
    k.sumCols(src, 1, m * n, dst, add ? 1 : 0); // everything as one row: a scalar operand
  }
}
