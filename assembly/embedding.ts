// Embedding gather and scatter-add (src/backend/kernels-norm.ts). Indices are float32 holding exact
// integers in range (validated in TypeScript). The scatter-add visits the indices in order, so a
// row that several indices share sums its gradients in one fixed order: deterministic, and the
// same in every build (a v128 add is four independent float32 adds).

export function embeddingForward(weight: usize, indices: usize, count: i32, dim: i32, out: usize): void {
  const row = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    const src = weight + <usize>(<i32>load<f32>(indices + (<usize>i << 2))) * row;
    const dst = out + <usize>i * row;
    let p = 0;
    if (ASC_FEATURE_SIMD) {
      for (; p + 4 <= dim; p += 4) v128.store(dst + (<usize>p << 2), v128.load(src + (<usize>p << 2)));
    }
    for (; p < dim; p++) store<f32>(dst + (<usize>p << 2), load<f32>(src + (<usize>p << 2)));
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
    const src = dout + <usize>i * row;
    let p = 0;
    if (ASC_FEATURE_SIMD) {
      for (; p + 4 <= dim; p += 4) {
        const o = <usize>p << 2;
        v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
      }
    }
    for (; p < dim; p++) {
      const o = <usize>p << 2;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}
