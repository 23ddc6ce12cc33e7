// The Adam family: Adam and AdamW, Adamax, NAdam, RAdam, Yogi. Each keeps a first moment m and
// a second moment v (Adamax: an infinity norm u); their constants live in K and their 4-lane
// steps run in `kSteps` (see optim-step.ts). `maximize` is an exact multiplication by ±1 here
// (the SIGN slot): these kernels are bound by their division, so a type argument would buy
// nothing.
//
// Adam, NAdam and RAdam share everything but the last line: p (AdamW: scaled by its decay), d,
// m ← β1·m + (1−β1)·d and v ← β2·v + (1−β2)·d², written once in `MomentStep` and `momentTail`;
// each supplies only how p moves, in 4-lane and 1-lane form (`update4`, `update1`).
import {
  K, LR, WD, BETA1, OMB1, BETA2, OMB2, EPS, AUX, SIGN, ONE, MINUS_ONE, ABS, On, Off, is, put, grad4, grad1,
  first4, second4, mix1, second1, sign4, sign1, kSteps, putStuck, stuckLanes, stillLanes, subnormalLanes, decaySubnormal4, half64, f32r, join32, first64, LR_F64, AUX_F64,
} from './optim-step';

/**
 * The moment kernels' shared step; U (an `@unmanaged` class) says how p moves, and whether a
 * vector of dead units skips the float operations on its stuck first moments (`sparesStuck`,
 * optim-step.ts; never with an L2 term, which keeps d from being zero).
 */
@final @unmanaged class MomentStep<DECAY, SCALED, U> {
  @inline streams(): i32 { return changetype<U>(0).streams(); }
  @inline step4(p: usize, g: usize, m: usize, v: usize, x: usize): void {
    let pv = v128.load(p);
    if (is<SCALED>()) pv = f32x4.mul(pv, v128.load(K, AUX));
    const d = grad4<DECAY>(v128.load(g), pv);
    const m0 = v128.load(m);
    const vv = second4(v128.load(v), d);
    v128.store(v, vv);
    if (changetype<U>(0).sparesStuck() && !is<DECAY>()) {
      const sub = subnormalLanes(m0);
      if (i32x4.bitmask(sub) != 0) {
        spareStep<SCALED, U>(p, m, x, pv, d, m0, vv, sub);
        return;
      }
    }
    const mv = first4(m0, d);
    v128.store(m, mv);
    v128.store(p, changetype<U>(0).update4(pv, d, mv, vv, x));
  }
}

/**
 * The step of a vector whose first moment m0 has subnormal lanes (`sub`), d and v done and v
 * stored (optim-step.ts says why and how). Inline: called out of line it cost more.
 */
@inline function spareStep<SCALED, U>(p: usize, m: usize, x: usize, pv: v128, d: v128, m0: v128, vv: v128, sub: v128): void {
  const kept = v128.and(sub, stillLanes(d, pv, vv));
  const keptBits = i32x4.bitmask(kept);
  if (keptBits == 15) {
    // A vector of dead units: m decays (unless stuck), v moves, p stays (AdamW: decays).
    const stuck = i32x4.bitmask(stuckLanes(m0)) == 15;
    const mKept = stuck ? m0 : decaySubnormal4(m0);
    if (stuck || i32x4.bitmask(i32x4.eq(v128.and(mKept, v128.load(K, ABS)), i32x4.splat(0))) == 0) {
      if (!stuck) v128.store(m, mKept);
      if (is<SCALED>()) v128.store(p, pv);
      return;
    }
  }
  // (The two branches share their m's step, but one test for both ran the all-dead vector 11 % slower.)
  if (keptBits != 0 && keptBits == i32x4.bitmask(sub)) {
    // Dead lanes beside live ones: the live lanes compute on a zero m in the dead ones' place.
    const mKept = i32x4.bitmask(stuckLanes(m0)) == keptBits ? m0 : decaySubnormal4(m0);
    if (i32x4.bitmask(v128.and(kept, i32x4.eq(v128.and(mKept, v128.load(K, ABS)), i32x4.splat(0)))) == 0) {
      const mk = first4(v128.andnot(m0, kept), d);
      v128.store(m, v128.bitselect(mKept, mk, kept));
      v128.store(p, v128.bitselect(pv, changetype<U>(0).update4(pv, d, mk, vv, x), kept));
      return;
    }
  }
  // A subnormal m no shortcut covers (beside a zero, subnormal or NaN p, or a nonzero d):
  // the float64 twin of the step.
  const lo = first64(m0, d, 0), hi = first64(m0, d, 1);
  v128.store(m, join32(lo, hi));
  v128.store(p, changetype<U>(0).update64(pv, d, lo, hi, vv));
}

/** The four MomentSteps of U: with and without the L2 term, with and without AdamW's scaling. */
function momentSteps<U>(p: usize, g: usize, m: usize, v: usize, x: usize, n: i32, l2: bool, scaled: bool): i32 {
  if (scaled) {
    return l2 ? kSteps<MomentStep<On, On, U>>(p, g, m, v, x, n) : kSteps<MomentStep<Off, On, U>>(p, g, m, v, x, n);
  }
  return l2 ? kSteps<MomentStep<On, Off, U>>(p, g, m, v, x, n) : kSteps<MomentStep<Off, Off, U>>(p, g, m, v, x, n);
}

/**
 * The scalar tail of the moment kernels from element i (the whole loop in the scalar build): the
 * constants as the caller has them, U's `update1` for p's new value.
 */
@inline function momentTail<U>(
  i: i32, p: usize, g: usize, m: usize, v: usize, x: usize, n: i32,
  sign: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  c0: f32, c1: f32, c2: f32, flag: i32,
): void {
  const u = changetype<U>(0);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    if (decay != 1) pv = pv * decay;
    const d = grad1(load<f32>(g + o), pv, sign, weightDecay);
    const mv = mix1(load<f32>(m + o), d, beta1, oneMinusBeta1);
    const vv = second1(load<f32>(v + o), d, beta2, oneMinusBeta2);
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, u.update1(pv, d, mv, vv, x + o, c0, c1, c2, flag));
  }
}

/** p − LR·(m/den) in float64 with float32 rounding, m as two float64 halves: Adam's and RAdam's last line. */
@inline function stepBy64(pv: v128, mLo: v128, mHi: v128, den: v128): v128 {
  const lo = f64x2.sub(half64(pv, 0), f32r(f64x2.mul(v128.load(K, LR_F64), f32r(f64x2.div(mLo, half64(den, 0))))));
  const hi = f64x2.sub(half64(pv, 1), f32r(f64x2.mul(v128.load(K, LR_F64), f32r(f64x2.div(mHi, half64(den, 1))))));
  return join32(lo, hi);
}

/** Adam: p − lr·m/(√v + eps), v replaced by max(vMax, v) with amsgrad. */
@final @unmanaged class AdamUpdate<AMSGRAD> {
  @inline streams(): i32 { return is<AMSGRAD>() ? 5 : 4; }
  @inline sparesStuck(): bool { return !is<AMSGRAD>(); }
  /** update4 in float64 with float32 rounding, m as two float64 halves (no amsgrad: sparesStuck). */
  @inline update64(pv: v128, d: v128, mLo: v128, mHi: v128, vv: v128): v128 {
    return stepBy64(pv, mLo, mHi, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS)));
  }
  @inline update4(pv: v128, d: v128, mv: v128, vv: v128, x: usize): v128 {
    if (is<AMSGRAD>()) {
      vv = f32x4.max(v128.load(x), vv);
      v128.store(x, vv);
    }
    const den = f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS));
    return f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(mv, den)));
  }
  @inline update1(pv: f32, d: f32, mv: f32, vv: f32, x: usize, stepSize: f32, eps: f32, c2: f32, amsgrad: i32): f32 {
    if (amsgrad) {
      vv = Mathf.max(load<f32>(x), vv);
      store<f32>(x, vv);
    }
    return pv - stepSize * (mv / (Mathf.sqrt(vv) + eps));
  }
}

export function adamUpdate(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32,
  stepSize: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  weightDecay: f32, decay: f32, maximize: i32, amsgrad: i32,
): void {
  const sign: f32 = maximize ? -1 : 1;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, stepSize); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(BETA2, beta2);
    put(OMB2, oneMinusBeta2); put(WD, weightDecay); put(AUX, decay); put(SIGN, sign); putStuck(stepSize, eps, beta1, oneMinusBeta1);
    const l2 = weightDecay != 0, scaled = decay != 1;
    i = amsgrad
      ? momentSteps<AdamUpdate<On>>(p, g, m, v, vMax, n, l2, scaled)
      : momentSteps<AdamUpdate<Off>>(p, g, m, v, vMax, n, l2, scaled);
  }
  momentTail<AdamUpdate<Off>>(
    i, p, g, m, v, vMax, n, sign, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, eps, 0, amsgrad,
  );
}

@final @unmanaged class AdamaxStep<DECAY> {
  @inline streams(): i32 { return 4; }
  @inline step4(p: usize, g: usize, m: usize, u: usize, c: usize): void {
    const pv = v128.load(p);
    const d = grad4<DECAY>(v128.load(g), pv);
    const mv = first4(v128.load(m), d);
    const uv = f32x4.max(f32x4.mul(v128.load(u), v128.load(K, BETA2)), f32x4.add(f32x4.abs(d), v128.load(K, EPS)));
    v128.store(m, mv);
    v128.store(u, uv);
    v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(mv, uv))));
  }
}

export function adamaxUpdate(
  p: usize, g: usize, m: usize, u: usize, n: i32,
  clr: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, weightDecay: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, clr); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(BETA2, beta2);
    put(WD, weightDecay); put(SIGN, 1);
    i = weightDecay != 0 ? kSteps<AdamaxStep<On>>(p, g, m, u, 0, n) : kSteps<AdamaxStep<Off>>(p, g, m, u, 0, n);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const mv = mix1(load<f32>(m + o), d, beta1, oneMinusBeta1);
    const uv = Mathf.max(load<f32>(u + o) * beta2, Mathf.abs(d) + eps);
    store<f32>(m + o, mv);
    store<f32>(u + o, uv);
    store<f32>(p + o, pv - clr * (mv / uv));
  }
}

/** NAdam: p − (gradCoef·d + avgCoef·m)/(√v + eps), the coefficients in LR and AUX. */
@final @unmanaged class NadamUpdate {
  @inline streams(): i32 { return 4; }
  @inline sparesStuck(): bool { return true; }
  @inline update64(pv: v128, d: v128, mLo: v128, mHi: v128, vv: v128): v128 {
    const den = f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS));
    const numLo = f32r(f64x2.add(f32r(f64x2.mul(v128.load(K, LR_F64), half64(d, 0))), f32r(f64x2.mul(v128.load(K, AUX_F64), mLo))));
    const numHi = f32r(f64x2.add(f32r(f64x2.mul(v128.load(K, LR_F64), half64(d, 1))), f32r(f64x2.mul(v128.load(K, AUX_F64), mHi))));
    return join32(f64x2.sub(half64(pv, 0), f32r(f64x2.div(numLo, half64(den, 0)))), f64x2.sub(half64(pv, 1), f32r(f64x2.div(numHi, half64(den, 1)))));
  }
  @inline update4(pv: v128, d: v128, mv: v128, vv: v128, x: usize): v128 {
    const num = f32x4.add(f32x4.mul(v128.load(K, LR), d), f32x4.mul(v128.load(K, AUX), mv));
    return f32x4.sub(pv, f32x4.div(num, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS))));
  }
  @inline update1(pv: f32, d: f32, mv: f32, vv: f32, x: usize, gradCoef: f32, avgCoef: f32, eps: f32, f: i32): f32 {
    return pv - (gradCoef * d + avgCoef * mv) / (Mathf.sqrt(vv) + eps);
  }
}

export function nadamUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gradCoef: f32, avgCoef: f32, eps: f32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, weightDecay: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, gradCoef); put(AUX, avgCoef); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1);
    put(BETA2, beta2); put(OMB2, oneMinusBeta2); put(WD, weightDecay); put(SIGN, 1);
    putStuck(isFinite(gradCoef) ? avgCoef : NaN, eps, beta1, oneMinusBeta1);
    i = momentSteps<NadamUpdate>(p, g, m, v, 0, n, weightDecay != 0, false);
  }
  momentTail<NadamUpdate>(
    i, p, g, m, v, 0, n, 1, weightDecay, 1, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gradCoef, avgCoef, eps, 0,
  );
}

/** RAdam: p − stepSize·m/(√v + eps) when rectified, else p − stepSize·m. */
@final @unmanaged class RadamUpdate<RECT> {
  @inline streams(): i32 { return 4; }
  @inline sparesStuck(): bool { return true; }
  @inline update64(pv: v128, d: v128, mLo: v128, mHi: v128, vv: v128): v128 {
    if (is<RECT>()) return stepBy64(pv, mLo, mHi, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS)));
    return join32(f64x2.sub(half64(pv, 0), f32r(f64x2.mul(v128.load(K, LR_F64), mLo))), f64x2.sub(half64(pv, 1), f32r(f64x2.mul(v128.load(K, LR_F64), mHi))));
  }
  @inline update4(pv: v128, d: v128, mv: v128, vv: v128, x: usize): v128 {
    const step = is<RECT>() ? f32x4.div(mv, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS))) : mv;
    return f32x4.sub(pv, f32x4.mul(v128.load(K, LR), step));
  }
  @inline update1(pv: f32, d: f32, mv: f32, vv: f32, x: usize, stepSize: f32, eps: f32, c2: f32, rectified: i32): f32 {
    const step = rectified ? mv / (Mathf.sqrt(vv) + eps) : mv;
    return pv - stepSize * step;
  }
}

export function radamUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  stepSize: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  weightDecay: f32, rectified: i32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, stepSize); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1);
    put(BETA2, beta2); put(OMB2, oneMinusBeta2); put(WD, weightDecay); put(SIGN, 1);
    putStuck(stepSize, rectified ? eps : 1, beta1, oneMinusBeta1);
    const l2 = weightDecay != 0;
    i = rectified ? momentSteps<RadamUpdate<On>>(p, g, m, v, 0, n, l2, false) : momentSteps<RadamUpdate<Off>>(p, g, m, v, 0, n, l2, false);
  }
  momentTail<RadamUpdate<Off>>(
    i, p, g, m, v, 0, n, 1, weightDecay, 1, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, eps, 0, rectified,
  );
}

/** Yogi's second moment moves by ±(1−β2)·g² toward g²: v − (1−β2)·sign(v − g²)·g². */
@final @unmanaged class YogiStep {
  @inline streams(): i32 { return 4; }
  @inline step4(p: usize, g: usize, m: usize, v: usize, c: usize): void {
    const gv = v128.load(g);
    const m0 = v128.load(m);
    const g2 = f32x4.mul(gv, gv);
    let vv = v128.load(v);
    vv = f32x4.sub(vv, f32x4.mul(f32x4.mul(v128.load(K, OMB2), sign4(f32x4.sub(vv, g2))), g2));
    v128.store(v, vv);
    const sub = subnormalLanes(m0);
    if (i32x4.bitmask(sub) != 0) {
      // Yogi moves p as Adam does: p − lr·m/(√v + eps).
      spareStep<Off, AdamUpdate<Off>>(p, m, 0, v128.load(p), gv, m0, vv, sub);
      return;
    }
    const mv = first4(m0, gv);
    v128.store(m, mv);
    const den = f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS));
    v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(v128.load(K, LR), f32x4.div(mv, den))));
  }
}

export function yogiUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  stepSize: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, oneMinusBeta2: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, stepSize); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(OMB2, oneMinusBeta2);
    put(ONE, 1); put(MINUS_ONE, -1); putStuck(stepSize, eps, beta1, oneMinusBeta1);
    i = kSteps<YogiStep>(p, g, m, v, 0, n);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = mix1(load<f32>(m + o), gv, beta1, oneMinusBeta1);
    const g2 = gv * gv;
    let vv = load<f32>(v + o);
    vv = vv - oneMinusBeta2 * sign1(vv - g2) * g2;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) - stepSize * (mv / (Mathf.sqrt(vv) + eps)));
  }
}
