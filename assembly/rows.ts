// Row helpers the softmax kernels share (activations.ts, losses.ts). Not a kernel family: index.ts
// does not export this file, so its functions are not wasm exports.

/** x[j] /= d over one row (the softmax normalisation; division rounds once, in both builds). */
export function divideRow(x: usize, n: i32, d: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const vd = f32x4.splat(d);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(x + o, f32x4.div(v128.load(x + o), vd));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(x + o, load<f32>(x + o) / d);
  }
}
