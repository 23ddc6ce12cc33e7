// The fused optimizer update kernels (OptimKernels in src/backend/optim-kernels.ts, where each
// formula is stated). Each reads p, g and its state once and writes them once: a v128 loop over
// eight or sixteen elements at a time, then a scalar tail that finishes any count. The scalar
// build compiles the same source without the v128 loop, and both do the same float32 operations
// in the same order (f32x4.sqrt and f32x4.div round exactly like their scalar forms; no FMA), so
// the two builds and the js twins agree bit for bit.
//
// How the SIMD loops are made fast (measured on a 1M-element parameter, Node 20 / V8 11.3):
// - Options that change the formula are type arguments (`On` / `Off`): each combination is its
//   own loop with no branch in it. Loop-invariant branches cost the division-bound kernels
//   nothing, but the memory-bound ones (SGD, momentum) ran 40% slower with them. (Inlining with
//   constant flags does not do this: Binaryen folds the copies back into one loop.)
// - Kernels with many scalars (Adam: nine) splat them once at entry into a static constant area
//   and re-load them in the loop with constant immediate offsets: TurboFan re-materialises
//   `f32x4.splat`s of locals inside such loops, while these loads fold into the arithmetic as
//   memory operands (Adam +30%). With two to four scalars (SGD, EMA momentum) splatted locals
//   stay in registers and are faster still (momentum +15%).
// - The pointers are stepped and each iteration takes two vectors (four for SGD and EMA, which
//   move the most bytes per flop), so every address is a pointer plus a constant offset.
// `maximize` is a type argument where it costs (SGD) and an exact multiplication by ±1 where it
// does not (Adam, bound by its division).

const K: usize = memory.data(256, 16);

// Slots of K, by meaning. BETA1 is the decay of a first-moment average (β1); BETA2 the decay of
// a second-moment average (β2, RMSprop's α, Adadelta's ρ).
const LR = 0;
const WD = 16;
const BETA1 = 32;
const OMB1 = 48; // 1 − BETA1
const BETA2 = 64;
const OMB2 = 80; // 1 − BETA2
const EPS = 96;
const MOMENTUM = 112; // RMSprop's
const AUX = 128; // AdamW's decay factor, NAdam's second coefficient
const SIGN = 144; // −1 to maximize, else 1
const ONE = 160;
const MINUS_ONE = 176;

// Compile-time flags: `is<On>()` and `is<Off>()` are constants.
type On = u8;
type Off = u16;
@inline function is<F>(): bool {
  return sizeof<F>() == 1;
}

@inline function put(slot: usize, x: f32): void {
  v128.store(K + slot, f32x4.splat(x));
}

/** d = ±g (+ wd·p), the gradient an update uses (see optim-kernels.ts). */
@inline function grad4<DECAY>(g: v128, p: v128): v128 {
  const d = f32x4.mul(g, v128.load(K, SIGN));
  return is<DECAY>() ? f32x4.add(d, f32x4.mul(v128.load(K, WD), p)) : d;
}

@inline function grad1(g: f32, p: f32, sign: f32, wd: f32): f32 {
  const d = g * sign;
  return wd != 0 ? d + wd * p : d;
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

/** The end of the part the SIMD loops cover: whole groups of eight elements. */
@inline function simdEnd(p: usize, n: i32): usize {
  return p + (<usize>(n & ~7) << 2);
}

// ---------------------------------------------------------------------------------------------
// SGD and EMA momentum move a few bytes per flop: their two to four scalars live in v128 locals
// (few enough that TurboFan keeps them in registers) and each iteration takes four vectors.
// SGD's first step with momentum (b ← d) runs the scalar loop: it happens once.

@inline function sgd4<MOM, NEST, MAX, DECAY, DAMP>(p: usize, g: usize, b: usize, lr: v128, wd: v128, mu: v128, omd: v128): void {
  const pv = v128.load(p);
  let d = v128.load(g);
  if (is<MAX>()) d = f32x4.neg(d);
  if (is<DECAY>()) d = f32x4.add(d, f32x4.mul(wd, pv));
  if (is<MOM>()) {
    // Without dampening torch adds d itself (alpha = 1): no multiplication by 1 to pay for.
    const bv = f32x4.add(f32x4.mul(v128.load(b), mu), is<DAMP>() ? f32x4.mul(omd, d) : d);
    v128.store(b, bv);
    d = is<NEST>() ? f32x4.add(d, f32x4.mul(mu, bv)) : bv;
  }
  v128.store(p, f32x4.sub(pv, f32x4.mul(lr, d)));
}

function sgdLoop<MOM, NEST, MAX, DECAY, DAMP>(p: usize, g: usize, b: usize, n: i32, lr: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32): void {
  const l = f32x4.splat(lr), wd = f32x4.splat(weightDecay), mu = f32x4.splat(momentum), omd = f32x4.splat(oneMinusDampening);
  for (const end = p + (<usize>(n & ~15) << 2); p < end; p += 64, g += 64, b += 64) {
    sgd4<MOM, NEST, MAX, DECAY, DAMP>(p, g, b, l, wd, mu, omd);
    sgd4<MOM, NEST, MAX, DECAY, DAMP>(p + 16, g + 16, b + 16, l, wd, mu, omd);
    sgd4<MOM, NEST, MAX, DECAY, DAMP>(p + 32, g + 32, b + 32, l, wd, mu, omd);
    sgd4<MOM, NEST, MAX, DECAY, DAMP>(p + 48, g + 48, b + 48, l, wd, mu, omd);
  }
}

/** Picks the loop for the remaining runtime flags (MOM and NEST are fixed by the caller). */
function sgdDispatch<MOM, NEST>(p: usize, g: usize, b: usize, n: i32, lr: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32, maximize: bool): void {
  const decay = weightDecay != 0, damp = oneMinusDampening != 1;
  if (maximize) {
    if (decay) {
      if (damp) sgdLoop<MOM, NEST, On, On, On>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
      else sgdLoop<MOM, NEST, On, On, Off>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
    } else {
      if (damp) sgdLoop<MOM, NEST, On, Off, On>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
      else sgdLoop<MOM, NEST, On, Off, Off>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
    }
  } else if (decay) {
    if (damp) sgdLoop<MOM, NEST, Off, On, On>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
    else sgdLoop<MOM, NEST, Off, On, Off>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
  } else {
    if (damp) sgdLoop<MOM, NEST, Off, Off, On>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
    else sgdLoop<MOM, NEST, Off, Off, Off>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
  }
}

export function sgdUpdate(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32,
  nesterov: i32, maximize: i32, first: i32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && !(buf != 0 && first)) {
    const max = maximize != 0;
    if (buf == 0) sgdDispatch<Off, Off>(p, g, buf, n, lr, weightDecay, momentum, 1, max);
    else if (nesterov) sgdDispatch<On, On>(p, g, buf, n, lr, weightDecay, momentum, oneMinusDampening, max);
    else sgdDispatch<On, Off>(p, g, buf, n, lr, weightDecay, momentum, oneMinusDampening, max);
    i = n & ~15;
  }
  const sign: f32 = maximize ? -1 : 1;
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = grad1(load<f32>(g + o), pv, sign, weightDecay);
    if (buf != 0) {
      const b = first ? d : load<f32>(buf + o) * momentum + oneMinusDampening * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * d);
  }
}

@inline function ema4(p: usize, g: usize, v: usize, lr: v128, beta: v128, omb: v128): void {
  const vv = f32x4.add(f32x4.mul(beta, v128.load(v)), f32x4.mul(omb, v128.load(g)));
  v128.store(v, vv);
  v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(lr, vv)));
}

export function emaMomentumUpdate(p: usize, g: usize, v: usize, n: i32, lr: f32, beta: f32, oneMinusBeta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const l = f32x4.splat(lr), b = f32x4.splat(beta), c = f32x4.splat(oneMinusBeta);
    for (let pp = p, gg = g, vv = v, end = p + (<usize>(n & ~15) << 2); pp < end; pp += 64, gg += 64, vv += 64) {
      ema4(pp, gg, vv, l, b, c);
      ema4(pp + 16, gg + 16, vv + 16, l, b, c);
      ema4(pp + 32, gg + 32, vv + 32, l, b, c);
      ema4(pp + 48, gg + 48, vv + 48, l, b, c);
    }
    i = n & ~15;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const vv = beta * load<f32>(v + o) + oneMinusBeta * load<f32>(g + o);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) - lr * vv);
  }
}

// ---------------------------------------------------------------------------------------------
// Adagrad

@inline function adagrad4<DECAY>(p: usize, g: usize, s: usize): void {
  const pv = v128.load(p);
  const d = grad4<DECAY>(v128.load(g), pv);
  const sv = f32x4.add(v128.load(s), f32x4.mul(d, d));
  v128.store(s, sv);
  const std = f32x4.add(f32x4.sqrt(sv), v128.load(K, EPS));
  v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(d, std))));
}

function adagradLoop<DECAY>(p: usize, g: usize, s: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, s += 32) {
    adagrad4<DECAY>(p, g, s);
    adagrad4<DECAY>(p + 16, g + 16, s + 16);
  }
}

export function adagradUpdate(p: usize, g: usize, sum: usize, n: i32, clr: f32, weightDecay: f32, eps: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, clr); put(WD, weightDecay); put(EPS, eps); put(SIGN, 1);
    if (weightDecay != 0) adagradLoop<On>(p, g, sum, n);
    else adagradLoop<Off>(p, g, sum, n);
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const s = load<f32>(sum + o) + d * d;
    store<f32>(sum + o, s);
    store<f32>(p + o, pv - clr * (d / (Mathf.sqrt(s) + eps)));
  }
}

// ---------------------------------------------------------------------------------------------
// RMSprop

@inline function rmsprop4<DECAY, CENTERED, MOM>(p: usize, g: usize, sq: usize, ga: usize, b: usize): void {
  const pv = v128.load(p);
  const d = grad4<DECAY>(v128.load(g), pv);
  const v = f32x4.add(f32x4.mul(v128.load(sq), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
  v128.store(sq, v);
  let avg: v128;
  if (is<CENTERED>()) {
    const a = f32x4.add(f32x4.mul(v128.load(ga), v128.load(K, BETA2)), f32x4.mul(v128.load(K, OMB2), d));
    v128.store(ga, a);
    avg = f32x4.add(f32x4.sqrt(f32x4.sub(v, f32x4.mul(a, a))), v128.load(K, EPS));
  } else {
    avg = f32x4.add(f32x4.sqrt(v), v128.load(K, EPS));
  }
  let step = f32x4.div(d, avg);
  if (is<MOM>()) {
    step = f32x4.add(f32x4.mul(v128.load(b), v128.load(K, MOMENTUM)), step);
    v128.store(b, step);
  }
  v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), step)));
}

function rmspropLoop<DECAY, CENTERED, MOM>(p: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, sq += 32, ga += 32, b += 32) {
    rmsprop4<DECAY, CENTERED, MOM>(p, g, sq, ga, b);
    rmsprop4<DECAY, CENTERED, MOM>(p + 16, g + 16, sq + 16, ga + 16, b + 16);
  }
}

export function rmspropUpdate(
  p: usize, g: usize, squareAvg: usize, gradAvg: usize, buf: usize, n: i32,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32, centered: i32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA2, alpha); put(OMB2, oneMinusAlpha); put(EPS, eps); put(WD, weightDecay);
    put(MOMENTUM, momentum); put(SIGN, 1);
    const decay = weightDecay != 0, mom = momentum != 0;
    if (centered) {
      if (mom) {
        if (decay) rmspropLoop<On, On, On>(p, g, squareAvg, gradAvg, buf, n);
        else rmspropLoop<Off, On, On>(p, g, squareAvg, gradAvg, buf, n);
      } else {
        if (decay) rmspropLoop<On, On, Off>(p, g, squareAvg, gradAvg, buf, n);
        else rmspropLoop<Off, On, Off>(p, g, squareAvg, gradAvg, buf, n);
      }
    } else if (mom) {
      if (decay) rmspropLoop<On, Off, On>(p, g, squareAvg, gradAvg, buf, n);
      else rmspropLoop<Off, Off, On>(p, g, squareAvg, gradAvg, buf, n);
    } else {
      if (decay) rmspropLoop<On, Off, Off>(p, g, squareAvg, gradAvg, buf, n);
      else rmspropLoop<Off, Off, Off>(p, g, squareAvg, gradAvg, buf, n);
    }
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const v = load<f32>(squareAvg + o) * alpha + oneMinusAlpha * d * d;
    store<f32>(squareAvg + o, v);
    let avg: f32;
    if (centered) {
      const a = load<f32>(gradAvg + o) * alpha + oneMinusAlpha * d;
      store<f32>(gradAvg + o, a);
      avg = Mathf.sqrt(v - a * a) + eps;
    } else {
      avg = Mathf.sqrt(v) + eps;
    }
    let step = d / avg;
    if (momentum != 0) {
      step = load<f32>(buf + o) * momentum + step;
      store<f32>(buf + o, step);
    }
    store<f32>(p + o, pv - lr * step);
  }
}

// ---------------------------------------------------------------------------------------------
// Adadelta

@inline function adadelta4<DECAY>(p: usize, g: usize, sq: usize, acc: usize): void {
  const pv = v128.load(p);
  const d = grad4<DECAY>(v128.load(g), pv);
  const v = f32x4.add(f32x4.mul(v128.load(sq), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
  v128.store(sq, v);
  const u = v128.load(acc);
  const std = f32x4.sqrt(f32x4.add(v, v128.load(K, EPS)));
  const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(u, v128.load(K, EPS))), std), d);
  v128.store(acc, f32x4.add(f32x4.mul(u, v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), delta), delta)));
  v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), delta)));
}

function adadeltaLoop<DECAY>(p: usize, g: usize, sq: usize, acc: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, sq += 32, acc += 32) {
    adadelta4<DECAY>(p, g, sq, acc);
    adadelta4<DECAY>(p + 16, g + 16, sq + 16, acc + 16);
  }
}

export function adadeltaUpdate(
  p: usize, g: usize, squareAvg: usize, accDelta: usize, n: i32,
  lr: f32, rho: f32, oneMinusRho: f32, eps: f32, weightDecay: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA2, rho); put(OMB2, oneMinusRho); put(EPS, eps); put(WD, weightDecay); put(SIGN, 1);
    if (weightDecay != 0) adadeltaLoop<On>(p, g, squareAvg, accDelta, n);
    else adadeltaLoop<Off>(p, g, squareAvg, accDelta, n);
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const v = load<f32>(squareAvg + o) * rho + oneMinusRho * d * d;
    store<f32>(squareAvg + o, v);
    const u = load<f32>(accDelta + o);
    const delta = (Mathf.sqrt(u + eps) / Mathf.sqrt(v + eps)) * d;
    store<f32>(accDelta + o, u * rho + oneMinusRho * delta * delta);
    store<f32>(p + o, pv - lr * delta);
  }
}

// ---------------------------------------------------------------------------------------------
// Adam, AdamW

@inline function adam4<DECAY, SCALED, AMSGRAD>(p: usize, g: usize, m: usize, v: usize, x: usize): void {
  let pv = v128.load(p);
  if (is<SCALED>()) pv = f32x4.mul(pv, v128.load(K, AUX));
  const d = grad4<DECAY>(v128.load(g), pv);
  const mv = f32x4.add(f32x4.mul(v128.load(m), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
  let vv = f32x4.add(f32x4.mul(v128.load(v), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
  v128.store(m, mv);
  v128.store(v, vv);
  if (is<AMSGRAD>()) {
    vv = f32x4.max(v128.load(x), vv);
    v128.store(x, vv);
  }
  const den = f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS));
  v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(mv, den))));
}

function adamLoop<DECAY, SCALED, AMSGRAD>(p: usize, g: usize, m: usize, v: usize, x: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, m += 32, v += 32, x += 32) {
    adam4<DECAY, SCALED, AMSGRAD>(p, g, m, v, x);
    adam4<DECAY, SCALED, AMSGRAD>(p + 16, g + 16, m + 16, v + 16, x + 16);
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
    put(OMB2, oneMinusBeta2); put(WD, weightDecay); put(AUX, decay); put(SIGN, sign);
    const l2 = weightDecay != 0, scaled = decay != 1;
    if (amsgrad) {
      if (scaled) {
        if (l2) adamLoop<On, On, On>(p, g, m, v, vMax, n);
        else adamLoop<Off, On, On>(p, g, m, v, vMax, n);
      } else {
        if (l2) adamLoop<On, Off, On>(p, g, m, v, vMax, n);
        else adamLoop<Off, Off, On>(p, g, m, v, vMax, n);
      }
    } else if (scaled) {
      if (l2) adamLoop<On, On, Off>(p, g, m, v, vMax, n);
      else adamLoop<Off, On, Off>(p, g, m, v, vMax, n);
    } else {
      if (l2) adamLoop<On, Off, Off>(p, g, m, v, vMax, n);
      else adamLoop<Off, Off, Off>(p, g, m, v, vMax, n);
    }
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    if (decay != 1) pv = pv * decay;
    const d = grad1(load<f32>(g + o), pv, sign, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    let vv = load<f32>(v + o) * beta2 + oneMinusBeta2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    if (amsgrad) {
      vv = Mathf.max(load<f32>(vMax + o), vv);
      store<f32>(vMax + o, vv);
    }
    store<f32>(p + o, pv - stepSize * (mv / (Mathf.sqrt(vv) + eps)));
  }
}

// ---------------------------------------------------------------------------------------------
// Adamax

@inline function adamax4<DECAY>(p: usize, g: usize, m: usize, u: usize): void {
  const pv = v128.load(p);
  const d = grad4<DECAY>(v128.load(g), pv);
  const mv = f32x4.add(f32x4.mul(v128.load(m), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
  const uv = f32x4.max(f32x4.mul(v128.load(u), v128.load(K, BETA2)), f32x4.add(f32x4.abs(d), v128.load(K, EPS)));
  v128.store(m, mv);
  v128.store(u, uv);
  v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(mv, uv))));
}

function adamaxLoop<DECAY>(p: usize, g: usize, m: usize, u: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, m += 32, u += 32) {
    adamax4<DECAY>(p, g, m, u);
    adamax4<DECAY>(p + 16, g + 16, m + 16, u + 16);
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
    if (weightDecay != 0) adamaxLoop<On>(p, g, m, u, n);
    else adamaxLoop<Off>(p, g, m, u, n);
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    const uv = Mathf.max(load<f32>(u + o) * beta2, Mathf.abs(d) + eps);
    store<f32>(m + o, mv);
    store<f32>(u + o, uv);
    store<f32>(p + o, pv - clr * (mv / uv));
  }
}

// ---------------------------------------------------------------------------------------------
// NAdam

@inline function nadam4<DECAY>(p: usize, g: usize, m: usize, v: usize): void {
  const pv = v128.load(p);
  const d = grad4<DECAY>(v128.load(g), pv);
  const mv = f32x4.add(f32x4.mul(v128.load(m), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
  const vv = f32x4.add(f32x4.mul(v128.load(v), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
  v128.store(m, mv);
  v128.store(v, vv);
  const num = f32x4.add(f32x4.mul(v128.load(K, LR), d), f32x4.mul(v128.load(K, AUX), mv));
  v128.store(p, f32x4.sub(pv, f32x4.div(num, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS)))));
}

function nadamLoop<DECAY>(p: usize, g: usize, m: usize, v: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, m += 32, v += 32) {
    nadam4<DECAY>(p, g, m, v);
    nadam4<DECAY>(p + 16, g + 16, m + 16, v + 16);
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
    if (weightDecay != 0) nadamLoop<On>(p, g, m, v, n);
    else nadamLoop<Off>(p, g, m, v, n);
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    const vv = load<f32>(v + o) * beta2 + oneMinusBeta2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, pv - (gradCoef * d + avgCoef * mv) / (Mathf.sqrt(vv) + eps));
  }
}

// ---------------------------------------------------------------------------------------------
// RAdam

@inline function radam4<DECAY, RECT>(p: usize, g: usize, m: usize, v: usize): void {
  const pv = v128.load(p);
  const d = grad4<DECAY>(v128.load(g), pv);
  const mv = f32x4.add(f32x4.mul(v128.load(m), v128.load(K, BETA1)), f32x4.mul(v128.load(K, OMB1), d));
  const vv = f32x4.add(f32x4.mul(v128.load(v), v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), d), d));
  v128.store(m, mv);
  v128.store(v, vv);
  const step = is<RECT>() ? f32x4.div(mv, f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS))) : mv;
  v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), step)));
}

function radamLoop<DECAY, RECT>(p: usize, g: usize, m: usize, v: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, m += 32, v += 32) {
    radam4<DECAY, RECT>(p, g, m, v);
    radam4<DECAY, RECT>(p + 16, g + 16, m + 16, v + 16);
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
    const decay = weightDecay != 0;
    if (rectified) {
      if (decay) radamLoop<On, On>(p, g, m, v, n);
      else radamLoop<Off, On>(p, g, m, v, n);
    } else {
      if (decay) radamLoop<On, Off>(p, g, m, v, n);
      else radamLoop<Off, Off>(p, g, m, v, n);
    }
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const mv = load<f32>(m + o) * beta1 + oneMinusBeta1 * d;
    const vv = load<f32>(v + o) * beta2 + oneMinusBeta2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    const step = rectified ? mv / (Mathf.sqrt(vv) + eps) : mv;
    store<f32>(p + o, pv - stepSize * step);
  }
}

// ---------------------------------------------------------------------------------------------
// Yogi

@inline function yogi4(p: usize, g: usize, m: usize, v: usize): void {
  const gv = v128.load(g);
  const mv = f32x4.add(f32x4.mul(v128.load(K, OMB1), gv), f32x4.mul(v128.load(K, BETA1), v128.load(m)));
  const g2 = f32x4.mul(gv, gv);
  let vv = v128.load(v);
  vv = f32x4.sub(vv, f32x4.mul(f32x4.mul(v128.load(K, OMB2), sign4(f32x4.sub(vv, g2))), g2));
  v128.store(m, mv);
  v128.store(v, vv);
  const den = f32x4.add(f32x4.sqrt(vv), v128.load(K, EPS));
  v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(v128.load(K, LR), f32x4.div(mv, den))));
}

export function yogiUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  stepSize: f32, eps: f32, beta1: f32, oneMinusBeta1: f32, oneMinusBeta2: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, stepSize); put(EPS, eps); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(OMB2, oneMinusBeta2);
    put(ONE, 1); put(MINUS_ONE, -1);
    for (let a = p, b = g, c = m, e = v, end = simdEnd(p, n); a < end; a += 32, b += 32, c += 32, e += 32) {
      yogi4(a, b, c, e);
      yogi4(a + 16, b + 16, c + 16, e + 16);
    }
    i = n & ~7;
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

// ---------------------------------------------------------------------------------------------
// Lion

@inline function lion4<DECAY>(p: usize, g: usize, m: usize): void {
  const gv = v128.load(g);
  const mv = v128.load(m);
  const pv = v128.load(p);
  let u = sign4(f32x4.add(f32x4.mul(v128.load(K, OMB1), gv), f32x4.mul(v128.load(K, BETA1), mv)));
  if (is<DECAY>()) u = f32x4.add(u, f32x4.mul(v128.load(K, WD), pv));
  v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), u)));
  v128.store(m, f32x4.add(f32x4.mul(v128.load(K, OMB2), gv), f32x4.mul(v128.load(K, BETA2), mv)));
}

function lionLoop<DECAY>(p: usize, g: usize, m: usize, n: i32): void {
  for (const end = simdEnd(p, n); p < end; p += 32, g += 32, m += 32) {
    lion4<DECAY>(p, g, m);
    lion4<DECAY>(p + 16, g + 16, m + 16);
  }
}

export function lionUpdate(
  p: usize, g: usize, m: usize, n: i32,
  lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, weightDecay: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA1, beta1); put(OMB1, oneMinusBeta1); put(BETA2, beta2); put(OMB2, oneMinusBeta2);
    put(WD, weightDecay); put(ONE, 1); put(MINUS_ONE, -1);
    if (weightDecay != 0) lionLoop<On>(p, g, m, n);
    else lionLoop<Off>(p, g, m, n);
    i = n & ~7;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = load<f32>(m + o);
    const pv = load<f32>(p + o);
    let u = sign1(oneMinusBeta1 * gv + beta1 * mv);
    if (weightDecay != 0) u = u + weightDecay * pv;
    store<f32>(p + o, pv - lr * u);
    store<f32>(m + o, oneMinusBeta2 * gv + beta2 * mv);
  }
}

// ---------------------------------------------------------------------------------------------
// Gradient clipping

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
