// Row helpers the kernels share (the softmax kernels, the elementwise add, the bias epilogue, the
// bias-gradient sums, col2im). Not a kernel family: index.ts does not export this file, so its
// functions are not wasm exports.

/**
 * out[i] = a[i] + b[i] for i < n (out may alias a or b), four lanes at a time: lanes are distinct
 * elements, each added once with its operands in the same order, so the bits equal the scalar loop's.
 */
@inline export function addRun(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

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
