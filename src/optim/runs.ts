import type { Tensor } from '../core/tensor.js';

/**
 * Visits each maximal run of items whose tensors are contiguous in memory, in order: items
 * `first` to `end − 1`, their tensors starting at byte `offset` and holding `n` elements in all.
 * An item whose tensor is null is skipped and ends a run; `joins(first, next, n)` may end one for
 * other reasons (the optimizer's: the parameters are contiguous too, and share their step count).
 * A Sequential's parameters and gradients are one block each, so a whole model is one run: one
 * kernel call where there would be one per parameter.
 */
export function contiguousRuns(
  count: number,
  tensorAt: (i: number) => Tensor | null,
  visit: (first: number, end: number, offset: number, n: number) => void,
  joins: (first: number, next: number, n: number) => boolean = always,
): void {
  for (let i = 0; i < count;) {
    const t0 = tensorAt(i);
    if (t0 === null) { i++; continue; }
    const start = t0.offset;
    let n = t0.size, j = i + 1;
    for (; j < count; j++) {
      const t = tensorAt(j);
      if (t === null || t.offset !== start + n * 4 || !joins(i, j, n)) break;
      n += t.size;
    }
    visit(i, j, start, n);
    i = j;
  }
}

function always(): boolean {
  return true;
}
