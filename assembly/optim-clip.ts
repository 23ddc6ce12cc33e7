// The kernels of gradient clipping (src/optim/clip.ts): the norm of a run of gradients, and the
// clamp of clipGradValue.

/**
 * Σ|x|^normType over four interleaved float64 partial sums (lane j takes the elements i ≡ j mod 4,
 * combined as (s0 + s2) + (s1 + s3)), or max|x| for normType = ∞. The squares of the L2 norm are
 * exact in float64, and the SIMD path adds them lane for lane as the scalar one does.
 */
export function normPower(x: usize, n: i32, normType: f64): f64 {
  if (normType == Infinity) {
    let m: f32 = 0;
    for (let i = 0; i < n; i++) m = Mathf.max(m, Mathf.abs(load<f32>(x + (<usize>i << 2))));
    return m;
  }
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  if (normType == 2) {
    if (ASC_FEATURE_SIMD) {
      let lo = f64x2.splat(0), hi = f64x2.splat(0);
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(x + (<usize>i << 2));
        const a = f64x2.promote_low_f32x4(v);
        const b = f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1));
        lo = f64x2.add(lo, f64x2.mul(a, a));
        hi = f64x2.add(hi, f64x2.mul(b, b));
      }
      s0 = f64x2.extract_lane(lo, 0); s1 = f64x2.extract_lane(lo, 1);
      s2 = f64x2.extract_lane(hi, 0); s3 = f64x2.extract_lane(hi, 1);
    }
  }
  for (; i < n; i++) {
    const a = <f64>Mathf.abs(load<f32>(x + (<usize>i << 2)));
    const term = normType == 2 ? a * a : normType == 1 ? a : Math.pow(a, normType);
    const lane = i & 3;
    if (lane == 0) s0 += term;
    else if (lane == 1) s1 += term;
    else if (lane == 2) s2 += term;
    else s3 += term;
  }
  return (s0 + s2) + (s1 + s3);
}

export function clampAbs(x: usize, n: i32, limit: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const hi = f32x4.splat(limit), lo = f32x4.splat(-limit);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(x + o, f32x4.min(f32x4.max(v128.load(x + o), lo), hi));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, Mathf.min(Mathf.max(load<f32>(x + o), -limit), limit));
  }
}
