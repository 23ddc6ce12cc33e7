import type { HeapView } from './views.js';

// Twins of assembly/embedding.ts: a row copy per index, and a scatter-add in index order.

export function embeddingForward(h: HeapView, weight: number, indices: number, count: number, dim: number, out: number): void {
  const f = h.f32, W = weight >>> 2, I = indices >>> 2, O = out >>> 2;
  for (let i = 0; i < count; i++) {
    const row = W + f[I + i] * dim;
    f.copyWithin(O + i * dim, row, row + dim);
  }
}

export function embeddingBackward(
  h: HeapView, indices: number, count: number, dim: number, paddingIdx: number, dout: number, dweight: number,
): void {
  const f = h.f32, I = indices >>> 2, G = dout >>> 2, W = dweight >>> 2;
  for (let i = 0; i < count; i++) {
    const index = f[I + i];
    if (index === paddingIdx) continue;
    const row = W + index * dim, g = G + i * dim;
    for (let p = 0; p < dim; p++) f[row + p] += f[g + p];
  }
}
