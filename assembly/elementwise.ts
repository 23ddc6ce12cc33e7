// Elementwise kernels on raw f32 pointers. Every kernel takes byte offsets into the one linear
// memory and an element count; the SIMD body handles 4 lanes at a time and a scalar tail finishes
// any count (including 0 and 1). The scalar build compiles the same source with the v128 branch
// removed (ASC_FEATURE_SIMD is a compile-time constant).
import { addRun } from './rows';

/** x[i] = value */
export function fill(x: usize, n: i32, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(x + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), value);
}

/** y[i] = x[i]. Overlapping ranges are allowed (memory.copy has memmove semantics). */
export function copy(x: usize, y: usize, n: i32): void {
  memory.copy(y, x, <usize>n << 2);
}

/** y[i] = alpha * x[i] (x and y may be the same array). */
export function scale(x: usize, y: usize, n: i32, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const a = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.mul(a, v128.load(x + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, alpha * load<f32>(x + o));
  }
}

/** y[i] += alpha * x[i] */
export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const a = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(a, v128.load(x + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** out[i] = a[i] + b[i] (out may alias a or b). */
export function add(a: usize, b: usize, out: usize, n: i32): void {
  addRun(a, b, out, n);
}

/** out[i] = a[i] * b[i] (out may alias a or b). */
export function mul(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}
