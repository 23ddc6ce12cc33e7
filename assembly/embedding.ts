// Embedding gather and scatter-add (src/backend/kernels-norm.ts): a row copy per index, and a row
// add per index in index order. Indices are float32 holding exact integers in range (validated in
// TypeScript). Visiting the indices in order means a row that several indices share sums its
// gradients in one fixed order: deterministic, and the same in every build (a v128 add is four
// independent float32 adds).
import { add, copy } from './elementwise';

export function embeddingForward(weight: usize, indices: usize, count: i32, dim: i32, out: usize): void {
  const row = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    const index = <i32>load<f32>(indices + (<usize>i << 2));
    copy(weight + <usize>index * row, out + <usize>i * row, dim);
  }
}

export function embeddingBackward(
  indices: usize, count: i32, dim: i32, paddingIdx: i32, dout: usize, dweight: usize,
): void {
  const row = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    const index = <i32>load<f32>(indices + (<usize>i << 2));
    if (index == paddingIdx) continue;
    const dst = dweight + <usize>index * row;
    add(dst, dout + <usize>i * row, dst, dim);
  }
}
