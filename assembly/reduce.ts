// Reductions. The summation order is fixed by the lane layout (four interleaved partial sums,
// combined as (s0 + s2) + (s1 + s3)); the scalar build emulates the same four lanes, so both
// builds return bit-identical results for the same input.

/** Σ x[i] in float32 with four interleaved partial sums. Returns 0 for n = 0. */
export function sum(x: usize, n: i32): f32 {
  let i = 0;
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(x + (<usize>i << 2)));
    s0 = f32x4.extract_lane(acc, 0);
    s1 = f32x4.extract_lane(acc, 1);
    s2 = f32x4.extract_lane(acc, 2);
    s3 = f32x4.extract_lane(acc, 3);
  } else {
    for (; i + 4 <= n; i += 4) {
      const p = x + (<usize>i << 2);
      s0 += load<f32>(p);
      s1 += load<f32>(p, 4);
      s2 += load<f32>(p, 8);
      s3 += load<f32>(p, 12);
    }
  }
  // The tail joins the lanes it would have occupied, keeping the order build-independent.
  if (i < n) s0 += load<f32>(x + (<usize>i << 2));
  if (i + 1 < n) s1 += load<f32>(x + (<usize>(i + 1) << 2));
  if (i + 2 < n) s2 += load<f32>(x + (<usize>(i + 2) << 2));
  return (s0 + s2) + (s1 + s3);
}

/**
 * max x[i]; NaN if any element is NaN (as torch.max); -Infinity for n = 0. f32x4.max and
 * Mathf.max both propagate NaN, so the builds agree.
 */
export function max(x: usize, n: i32): f32 {
  let i = 0;
  let m: f32 = -Infinity;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(-Infinity);
    for (; i + 4 <= n; i += 4) acc = f32x4.max(acc, v128.load(x + (<usize>i << 2)));
    m = Mathf.max(Mathf.max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
                  Mathf.max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  }
  for (; i < n; i++) m = Mathf.max(m, load<f32>(x + (<usize>i << 2)));
  return m;
}
