// Batch norm over [n, c] (BatchNorm1d's usual input, hw = 1), four channels per v128: the SIMD
// build's path for it. Per channel, the general path (norm.ts) adds one-element segments, whose
// lane-order total ((t + 0) + (0 + 0)) + ((0 + 0) + (0 + 0)) is t itself (a −0 becomes +0, which adds to a running sum
// exactly as −0 does: that sum starts at +0 and never becomes −0), so summing the samples of four
// channels at once, in sample order, gives the same bits — and these loops read whole rows
// instead of striding through one column. Each function returns the channels it handled (a
// multiple of 4); the general path does the rest. The scalar build always takes the general path.

/** Two f64x2 halves of an f32x4. */
@inline export function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline export function hi(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)); }
/** Two f64x2 back to one f32x4 (each lane rounded once). */
@inline function join(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

export function statisticsColumns(
  x: usize, n: i32, c: i32, stride: i32, runningMean: usize, runningVar: usize,
  momentum: f64, eps: f64, batchStats: i32, mean: usize, invstd: usize,
): i32 {
  const row = <usize>stride << 2;
  const M = <f64>n;
  const Mv = f64x2.splat(M), one = f64x2.splat(1), epsv = f64x2.splat(eps);
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    const o = <usize>ch << 2;
    let muLo: v128, muHi: v128, varLo: v128, varHi: v128;
    if (batchStats) {
      let sLo = f64x2.splat(0), sHi = f64x2.splat(0);
      for (let i = 0; i < n; i++) {
        const v = v128.load(x + <usize>i * row + o);
        sLo = f64x2.add(sLo, lo(v));
        sHi = f64x2.add(sHi, hi(v));
      }
      muLo = f64x2.div(sLo, Mv);
      muHi = f64x2.div(sHi, Mv);
      let qLo = f64x2.splat(0), qHi = f64x2.splat(0);
      for (let i = 0; i < n; i++) {
        const v = v128.load(x + <usize>i * row + o);
        const dLo = f64x2.sub(lo(v), muLo), dHi = f64x2.sub(hi(v), muHi);
        qLo = f64x2.add(qLo, f64x2.mul(dLo, dLo));
        qHi = f64x2.add(qHi, f64x2.mul(dHi, dHi));
      }
      varLo = f64x2.div(qLo, Mv);
      varHi = f64x2.div(qHi, Mv);
      if (runningMean) {
        const keep = f64x2.splat(1 - momentum), take = f64x2.splat(momentum), unbias = f64x2.splat(M / (M - 1));
        const rm = v128.load(runningMean + o), rv = v128.load(runningVar + o);
        v128.store(runningMean + o, join(
          f64x2.add(f64x2.mul(keep, lo(rm)), f64x2.mul(take, muLo)), f64x2.add(f64x2.mul(keep, hi(rm)), f64x2.mul(take, muHi))));
        v128.store(runningVar + o, join(
          f64x2.add(f64x2.mul(keep, lo(rv)), f64x2.mul(f64x2.mul(take, varLo), unbias)),
          f64x2.add(f64x2.mul(keep, hi(rv)), f64x2.mul(f64x2.mul(take, varHi), unbias))));
      }
    } else {
      const rm = v128.load(runningMean + o), rv = v128.load(runningVar + o);
      muLo = lo(rm); muHi = hi(rm); varLo = lo(rv); varHi = hi(rv);
    }
    const m32 = join(muLo, muHi);
    const inv = join(f64x2.div(one, f64x2.sqrt(f64x2.add(varLo, epsv))), f64x2.div(one, f64x2.sqrt(f64x2.add(varHi, epsv))));
    v128.store(mean + o, m32);
    v128.store(invstd + o, inv);
  }
  return ch;
}

/** Sample i's row of batchNormApply, four channels at a time: y = ((x − mean)·a) + b, a = invstd·weight. */
export function applyColumns(x: usize, i: i32, c: i32, mean: usize, invstd: usize, weight: usize, bias: usize, y: usize): i32 {
  const q0 = <usize>i * (<usize>c << 2);
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    const o = <usize>ch << 2, q = q0 + o;
    const inv = v128.load(invstd + o);
    const a = weight ? f32x4.mul(inv, v128.load(weight + o)) : inv;
    const b = bias ? v128.load(bias + o) : f32x4.splat(0);
    v128.store(y + q, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + q), v128.load(mean + o)), a), b));
  }
  return ch;
}

export function backwardSumsColumns(
  x: usize, dy: usize, n: i32, c: i32, stride: i32, mean: usize, invstd: usize, biasSums: usize, weightSums: usize,
): i32 {
  const row = <usize>stride << 2;
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    const o = <usize>ch << 2;
    const m = v128.load(mean + o), mLo = lo(m), mHi = hi(m);
    let gLo = f64x2.splat(0), gHi = f64x2.splat(0), gxLo = f64x2.splat(0), gxHi = f64x2.splat(0);
    for (let i = 0; i < n; i++) {
      const q = <usize>i * row + o;
      const g = v128.load(dy + q), v = v128.load(x + q);
      gLo = f64x2.add(gLo, lo(g));
      gHi = f64x2.add(gHi, hi(g));
      gxLo = f64x2.add(gxLo, f64x2.mul(lo(g), f64x2.sub(lo(v), mLo)));
      gxHi = f64x2.add(gxHi, f64x2.mul(hi(g), f64x2.sub(hi(v), mHi)));
    }
    const inv = v128.load(invstd + o);
    v128.store(biasSums + o, join(gLo, gHi));
    v128.store(weightSums + o, join(f64x2.mul(lo(inv), gxLo), f64x2.mul(hi(inv), gxHi)));
  }
  return ch;
}

export function backwardInputColumns(
  x: usize, dy: usize, n: i32, c: i32, mean: usize, invstd: usize, weight: usize, sums: usize, batchStats: i32, dx: usize,
  total: i32,
): i32 {
  const row = <usize>c << 2;
  const Mv = f64x2.splat(<f64>total);
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    const o = <usize>ch << 2;
    const m = v128.load(mean + o), inv = v128.load(invstd + o);
    const a = weight ? f32x4.mul(inv, v128.load(weight + o)) : inv;
    const sg = v128.load(sums + o), sgx = v128.load(sums + (<usize>(c + ch) << 2));
    const mg = join(f64x2.div(lo(sg), Mv), f64x2.div(hi(sg), Mv));
    const mgx = join(f64x2.div(lo(sgx), Mv), f64x2.div(hi(sgx), Mv));
    const zero = f32x4.splat(0);
    for (let i = 0; i < n; i++) {
      const q = <usize>i * row + o;
      const g = v128.load(dy + q);
      if (!batchStats) {
        // As the general path's affine(): ((g − 0)·a) + 0.
        v128.store(dx + q, f32x4.add(f32x4.mul(f32x4.sub(g, zero), a), zero));
        continue;
      }
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + q), m), inv);
      v128.store(dx + q, f32x4.mul(a, f32x4.sub(f32x4.sub(g, mg), f32x4.mul(xhat, mgx))));
    }
  }
  return ch;
}
