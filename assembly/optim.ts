// The fused optimizer update kernels (OptimKernels in src/backend/optim-kernels.ts, where each
// formula is stated). Each reads p, g and its state once and writes them once: a v128 body over
// four elements at a time, then a scalar tail that finishes any count. The scalar build compiles
// the same source without the v128 body, and both do the same float32 operations in the same
// order (f32x4.sqrt and f32x4.div round exactly like their scalar forms; no FMA), so the two
// builds and the js twins agree bit for bit.
//
// The per-call scalars are splatted once at entry into a static constant area and re-loaded in
// the loop with a constant immediate offset: TurboFan re-materialises `f32x4.splat` of a local
// inside loops, and these loads fold into the arithmetic as memory operands (about 30% faster
// for Adam, measured). Loop-invariant flags are plain branches inside the loop: well predicted,
// they cost nothing measurable, and one loop per kernel keeps the formula in one place.

const K: usize = memory.data(256, 16);

// Slots of K, by meaning. BETA1 is the decay of a first-moment average (β1, SGD's momentum, the
// EMA's β); BETA2 the decay of a second-moment average (β2, RMSprop's α, Adadelta's ρ).
const LR = 0;
const WD = 16;
const BETA1 = 32;
const OMB1 = 48; // 1 − BETA1, or SGD's 1 − dampening
const BETA2 = 64;
const OMB2 = 80; // 1 − BETA2
const EPS = 96;
const MOMENTUM = 112;
const AUX = 128; // AdamW's decay factor, NAdam's second coefficient
const ONE = 144;
const MINUS_ONE = 160;

@inline function put(slot: usize, x: f32): void {
  v128.store(K + slot, f32x4.splat(x));
}

/** d = ±g (+ wd·p), the gradient an update uses (see optim-kernels.ts). */
@inline function grad4(g: v128, p: v128, maximize: bool, decayed: bool): v128 {
  let d = maximize ? f32x4.neg(g) : g;
  if (decayed) d = f32x4.add(d, f32x4.mul(v128.load(K, WD), p));
  return d;
}

@inline function grad1(g: f32, p: f32, maximize: bool, wd: f32): f32 {
  let d = maximize ? -g : g;
  if (wd != 0) d = d + wd * p;
  return d;
}

/** sign(x): ±1, and x itself for ±0 and NaN (so NaN propagates as it does in numpy). */
@inline function sign4(x: v128): v128 {
  const zero = f32x4.splat(0);
  const pos = f32x4.gt(x, zero);
  const neg = f32x4.lt(x, zero);
  const s = v128.or(v128.and(pos, v128.load(K, ONE)), v128.and(neg, v128.load(K, MINUS_ONE)));
  return v128.bitselect(s, x, v128.or(pos, neg));
}

@inline function sign1(x: f32): f32 {
  return x > 0 ? <f32>1 : x < 0 ? <f32>-1 : x;
}

export function sgdUpdate(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32,
  nesterov: i32, maximize: i32, first: i32,
): void {
  const neg = maximize != 0, decayed = weightDecay != 0, hasBuf = buf != 0, nest = nesterov != 0, init = first != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(WD, weightDecay); put(MOMENTUM, momentum); put(OMB1, oneMinusDampening);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      let d = grad4(v128.load(g + o), pv, neg, decayed);
      if (hasBuf) {
        let b = d;
        if (!init) {
          b = f32x4.add(f32x4.mul(v128.load(buf + o), v128.load(K, MOMENTUM)), f32x4.mul(v128.load(K, OMB1), d));
        }
        v128.store(buf + o, b);
        d = nest ? f32x4.add(d, f32x4.mul(v128.load(K, MOMENTUM), b)) : b;
      }
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), d)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = grad1(load<f32>(g + o), pv, neg, weightDecay);
    if (hasBuf) {
      const b = init ? d : load<f32>(buf + o) * momentum + oneMinusDampening * d;
      store<f32>(buf + o, b);
      d = nest ? d + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * d);
  }
}

export function emaMomentumUpdate(p: usize, g: usize, v: usize, n: i32, lr: f32, beta: f32, oneMinusBeta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA1, beta); put(OMB1, oneMinusBeta);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vv = f32x4.add(f32x4.mul(v128.load(K, BETA1), v128.load(v + o)), f32x4.mul(v128.load(K, OMB1), v128.load(g + o)));
      v128.store(v + o, vv);
      v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(v128.load(K, LR), vv)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const vv = beta * load<f32>(v + o) + oneMinusBeta * load<f32>(g + o);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) - lr * vv);
  }
}

export function adagradUpdate(p: usize, g: usize, sum: usize, n: i32, clr: f32, weightDecay: f32, eps: f32): void {
  const decayed = weightDecay != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, clr); put(WD, weightDecay); put(EPS, eps);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const d = grad4(v128.load(g + o), pv, false, decayed);
      const s = f32x4.add(v128.load(sum + o), f32x4.mul(d, d));
      v128.store(sum + o, s);
      const std = f32x4.add(f32x4.sqrt(s), v128.load(K, EPS));
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(d, std))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, false, weightDecay);
    const s = load<f32>(sum + o) + d * d;
    store<f32>(sum + o, s);
    store<f32>(p + o, pv - clr * (d / (Mathf.sqrt(s) + eps)));
  }
}

export function rmspropUpdate(
  p: usize, g: usize, squareAvg: usize, gradAvg: usize, buf: usize, n: i32,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32, centered: i32,
): void {
  const decayed = weightDecay != 0, hasBuf = momentum != 0, cent = centered != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA2, alpha); put(OMB2, oneMinusAlpha); put(EPS, eps); put(WD, weightDecay); put(MOMENTUM, momentum);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const d = grad4(v128.load(g + o), pv, false, decayed);
      const v = f32x4.add(f32x4.mul(v128.load(squareAvg + o), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
      v128.store(squareAvg + o, v);
      let avg: v128;
      if (cent) {
        const a = f32x4.add(f32x4.mul(v128.load(gradAvg + o), v128.load(K, BETA2)), f32x4.mul(v128.load(K, OMB2), d));
        v128.store(gradAvg + o, a);
        avg = f32x4.add(f32x4.sqrt(f32x4.sub(v, f32x4.mul(a, a))), v128.load(K, EPS));
      } else {
        avg = f32x4.add(f32x4.sqrt(v), v128.load(K, EPS));
      }
      let step = f32x4.div(d, avg);
      if (hasBuf) {
        step = f32x4.add(f32x4.mul(v128.load(buf + o), v128.load(K, MOMENTUM)), step);
        v128.store(buf + o, step);
      }
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), step)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, false, weightDecay);
    const v = load<f32>(squareAvg + o) * alpha + oneMinusAlpha * d * d;
    store<f32>(squareAvg + o, v);
    let avg: f32;
    if (cent) {
      const a = load<f32>(gradAvg + o) * alpha + oneMinusAlpha * d;
      store<f32>(gradAvg + o, a);
      avg = Mathf.sqrt(v - a * a) + eps;
    } else {
      avg = Mathf.sqrt(v) + eps;
    }
    let step = d / avg;
    if (hasBuf) {
      step = load<f32>(buf + o) * momentum + step;
      store<f32>(buf + o, step);
    }
    store<f32>(p + o, pv - lr * step);
  }
}

export function adadeltaUpdate(
  p: usize, g: usize, squareAvg: usize, accDelta: usize, n: i32,
  lr: f32, rho: f32, oneMinusRho: f32, eps: f32, weightDecay: f32,
): void {
  const decayed = weightDecay != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA2, rho); put(OMB2, oneMinusRho); put(EPS, eps); put(WD, weightDecay);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const d = grad4(v128.load(g + o), pv, false, decayed);
      const v = f32x4.add(f32x4.mul(v128.load(squareAvg + o), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
      v128.store(squareAvg + o, v);
      const u = v128.load(accDelta + o);
      const std = f32x4.sqrt(f32x4.add(v, v128.load(K, EPS)));
      const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(u, v128.load(K, EPS))), std), d);
      v128.store(accDelta + o, f32x4.add(f32x4.mul(u, v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), delta), delta)));
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), delta)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, false, weightDecay);
    const v = load<f32>(squareAvg + o) * rho + oneMinusRho * d * d;
    store<f32>(squareAvg + o, v);
    const u = load<f32>(accDelta + o);
    const delta = (Mathf.sqrt(u + eps) / Mathf.sqrt(v + eps)) * d;
    store<f32>(accDelta + o, u * rho + oneMinusRho * delta * delta);
    store<f32>(p + o, pv - lr * delta);
  }
}

export function adamUpdate(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32,
  stepSize: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  weightDecay: f32, decay: f32, maximize: i32, amsgrad: i32,
): void {
  const neg = maximize != 0, decayed = weightDecay != 0, scaled = decay != 1, ams = amsgrad != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, stepSize); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(BETA2, beta2);
    put(OMB2, oneMinusBeta2); put(WD, weightDecay); put(AUX, decay);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let pv = v128.load(p + o);
      if (scaled) pv = f32x4.mul(pv, v128.load(K, AUX));
      const d = grad4(v128.load(g + o), pv, neg, decayed);
      const mv = f32x4.add(f32x4.mul(v128.load(m + o), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
      let vv = f32x4.add(f32x4.mul(v128.load(v + o), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      if (ams) {
        vv = f32x4.max(v128.load(vMax + o), vv);
        v128.store(vMax + o, vv);
      }
      const den = f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS));
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(mv, den))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    if (scaled) pv = pv * decay;
    const d = grad1(load<f32>(g + o), pv, neg, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    let vv = load<f32>(v + o) * beta2 + oneMinusBeta2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    if (ams) {
      vv = Mathf.max(load<f32>(vMax + o), vv);
      store<f32>(vMax + o, vv);
    }
    store<f32>(p + o, pv - stepSize * (mv / (Mathf.sqrt(vv) + eps)));
  }
}

export function adamaxUpdate(
  p: usize, g: usize, m: usize, u: usize, n: i32,
  clr: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, weightDecay: f32,
): void {
  const decayed = weightDecay != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, clr); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(BETA2, beta2); put(WD, weightDecay);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const d = grad4(v128.load(g + o), pv, false, decayed);
      const mv = f32x4.add(f32x4.mul(v128.load(m + o), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
      const uv = f32x4.max(f32x4.mul(v128.load(u + o), v128.load(K, BETA2)), f32x4.add(f32x4.abs(d), v128.load(K, EPS)));
      v128.store(m + o, mv);
      v128.store(u + o, uv);
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(mv, uv))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, false, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    const uv = Mathf.max(load<f32>(u + o) * beta2, Mathf.abs(d) + eps);
    store<f32>(m + o, mv);
    store<f32>(u + o, uv);
    store<f32>(p + o, pv - clr * (mv / uv));
  }
}

export function nadamUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gradCoef: f32, avgCoef: f32, eps: f32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, weightDecay: f32,
): void {
  const decayed = weightDecay != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, gradCoef); put(AUX, avgCoef); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1);
    put(BETA2, beta2); put(OMB2, oneMinusBeta2); put(WD, weightDecay);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const d = grad4(v128.load(g + o), pv, false, decayed);
      const mv = f32x4.add(f32x4.mul(v128.load(m + o), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
      const vv = f32x4.add(f32x4.mul(v128.load(v + o), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      const num = f32x4.add(f32x4.mul(v128.load(K, LR), d), f32x4.mul(v128.load(K, AUX), mv));
      v128.store(p + o, f32x4.sub(pv, f32x4.div(num, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS)))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, false, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    const vv = load<f32>(v + o) * beta2 + oneMinusBeta2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, pv - (gradCoef * d + avgCoef * mv) / (Mathf.sqrt(vv) + eps));
  }
}

export function radamUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  stepSize: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  weightDecay: f32, rectified: i32,
): void {
  const decayed = weightDecay != 0, rect = rectified != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, stepSize); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1);
    put(BETA2, beta2); put(OMB2, oneMinusBeta2); put(WD, weightDecay);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const d = grad4(v128.load(g + o), pv, false, decayed);
      const mv = f32x4.add(f32x4.mul(v128.load(m + o), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
      const vv = f32x4.add(f32x4.mul(v128.load(v + o), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      const step = rect ? f32x4.div(mv, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS))) : mv;
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), step)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, false, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    const vv = load<f32>(v + o) * beta2 + oneMinusBeta2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    const step = rect ? mv / (Mathf.sqrt(vv) + eps) : mv;
    store<f32>(p + o, pv - stepSize * step);
  }
}

export function yogiUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  stepSize: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, oneMinusBeta2: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, stepSize); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(OMB2, oneMinusBeta2);
    put(ONE, 1); put(MINUS_ONE, -1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const gv = v128.load(g + o);
      const mv = f32x4.add(f32x4.mul(v128.load(K, OMB1), gv), f32x4.mul(v128.load(K, BETA1), v128.load(m + o)));
      const g2 = f32x4.mul(gv, gv);
      let vv = v128.load(v + o);
      vv = f32x4.sub(vv, f32x4.mul(f32x4.mul(v128.load(K, OMB2), sign4(f32x4.sub(vv, g2))), g2));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      const den = f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS));
      v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(v128.load(K, LR), f32x4.div(mv, den))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = oneMinusBeta1 * gv + beta1 * load<f32>(m + o);
    const g2 = gv * gv;
    let vv = load<f32>(v + o);
    vv = vv - oneMinusBeta2 * sign1(vv - g2) * g2;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) - stepSize * (mv / (Mathf.sqrt(vv) + eps)));
  }
}

export function lionUpdate(
  p: usize, g: usize, m: usize, n: i32,
  lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, weightDecay: f32,
): void {
  const decayed = weightDecay != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(BETA2, beta2); put(OMB2, oneMinusBeta2);
    put(WD, weightDecay); put(ONE, 1); put(MINUS_ONE, -1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const gv = v128.load(g + o);
      const mv = v128.load(m + o);
      const pv = v128.load(p + o);
      let u = sign4(f32x4.add(f32x4.mul(v128.load(K, OMB1), gv), f32x4.mul(v128.load(K, BETA1), mv)));
      if (decayed) u = f32x4.add(u, f32x4.mul(v128.load(K, WD), pv));
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), u)));
      v128.store(m + o, f32x4.add(f32x4.mul(v128.load(K, OMB2), gv), f32x4.mul(v128.load(K, BETA2), mv)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = load<f32>(m + o);
    const pv = load<f32>(p + o);
    let u = sign1(oneMinusBeta1 * gv + beta1 * mv);
    if (decayed) u = u + weightDecay * pv;
    store<f32>(p + o, pv - lr * u);
    store<f32>(m + o, oneMinusBeta2 * gv + beta2 * mv);
  }
}

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
