// The momentum kernels: SGD (with momentum, Nesterov, dampening), EMA momentum and Lion. SGD and
// EMA move a few bytes per flop: their two to four scalars live in v128 registers (`regSteps`,
// see optim-step.ts). SGD's first step with momentum (b ← d) runs the scalar loop: it happens once.
import {
  K, LR, WD, BETA1, OMB1, BETA2, OMB2, ONE, MINUS_ONE, On, Off, is, put, grad1, mix4, mix1, sign4, sign1,
  kSteps, regSteps,
} from './optim-step';

/** `maximize` is a type argument here: SGD is memory-bound, so even an exact ×±1 costs. */
@final @unmanaged class SgdStep<MOM, NEST, MAX, DECAY, DAMP> {
  @inline step4(p: usize, g: usize, b: usize, lr: v128, wd: v128, mu: v128, omd: v128): void {
    const pv = v128.load(p);
    let d = v128.load(g);
    if (is<MAX>()) d = f32x4.neg(d);
    if (is<DECAY>()) d = f32x4.add(d, f32x4.mul(wd, pv));
    if (is<MOM>()) {
      // Without dampening torch adds d itself (alpha = 1): no multiplication by 1 to pay for.
      const bv = is<DAMP>() ? mix4(v128.load(b), d, mu, omd) : f32x4.add(f32x4.mul(v128.load(b), mu), d);
      v128.store(b, bv);
      d = is<NEST>() ? f32x4.add(d, f32x4.mul(mu, bv)) : bv;
    }
    v128.store(p, f32x4.sub(pv, f32x4.mul(lr, d)));
  }
}

/** Picks the loop for the remaining runtime flags (MOM and NEST are fixed by the caller). */
function sgdSteps<MOM, NEST>(
  p: usize, g: usize, b: usize, n: i32, lr: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32, maximize: bool,
): i32 {
  const decay = weightDecay != 0, damp = oneMinusDampening != 1;
  if (maximize) {
    if (decay) {
      if (damp) return regSteps<SgdStep<MOM, NEST, On, On, On>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
      return regSteps<SgdStep<MOM, NEST, On, On, Off>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
    }
    if (damp) return regSteps<SgdStep<MOM, NEST, On, Off, On>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
    return regSteps<SgdStep<MOM, NEST, On, Off, Off>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
  }
  if (decay) {
    if (damp) return regSteps<SgdStep<MOM, NEST, Off, On, On>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
    return regSteps<SgdStep<MOM, NEST, Off, On, Off>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
  }
  if (damp) return regSteps<SgdStep<MOM, NEST, Off, Off, On>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
  return regSteps<SgdStep<MOM, NEST, Off, Off, Off>>(p, g, b, n, lr, weightDecay, momentum, oneMinusDampening);
}

export function sgdUpdate(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32,
  nesterov: i32, maximize: i32, first: i32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && !(buf != 0 && first)) {
    const max = maximize != 0;
    if (buf == 0) i = sgdSteps<Off, Off>(p, g, buf, n, lr, weightDecay, momentum, 1, max);
    else if (nesterov) i = sgdSteps<On, On>(p, g, buf, n, lr, weightDecay, momentum, oneMinusDampening, max);
    else i = sgdSteps<On, Off>(p, g, buf, n, lr, weightDecay, momentum, oneMinusDampening, max);
  }
  const sign: f32 = maximize ? -1 : 1;
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = grad1(load<f32>(g + o), pv, sign, weightDecay);
    if (buf != 0) {
      const b = first ? d : mix1(load<f32>(buf + o), d, momentum, oneMinusDampening);
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * d);
  }
}

@final @unmanaged class EmaStep {
  @inline step4(p: usize, g: usize, v: usize, lr: v128, beta: v128, omb: v128, unused: v128): void {
    const vv = mix4(v128.load(v), v128.load(g), beta, omb);
    v128.store(v, vv);
    v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(lr, vv)));
  }
}

export function emaMomentumUpdate(p: usize, g: usize, v: usize, n: i32, lr: f32, beta: f32, oneMinusBeta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    i = regSteps<EmaStep>(p, g, v, n, lr, beta, oneMinusBeta, 0);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const vv = mix1(load<f32>(v + o), load<f32>(g + o), beta, oneMinusBeta);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) - lr * vv);
  }
}

@final @unmanaged class LionStep<DECAY> {
  @inline streams(): i32 { return 3; }
  @inline step4(p: usize, g: usize, m: usize, b: usize, c: usize): void {
    const gv = v128.load(g);
    const mv = v128.load(m);
    const pv = v128.load(p);
    let u = sign4(mix4(mv, gv, v128.load(K, BETA1), v128.load(K, OMB1)));
    if (is<DECAY>()) u = f32x4.add(u, f32x4.mul(v128.load(K, WD), pv));
    v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), u)));
    v128.store(m, mix4(mv, gv, v128.load(K, BETA2), v128.load(K, OMB2)));
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
    i = weightDecay != 0 ? kSteps<LionStep<On>>(p, g, m, 0, 0, n) : kSteps<LionStep<Off>>(p, g, m, 0, 0, n);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = load<f32>(m + o);
    const pv = load<f32>(p + o);
    let u = sign1(mix1(mv, gv, beta1, oneMinusBeta1));
    if (weightDecay != 0) u = u + weightDecay * pv;
    store<f32>(p + o, pv - lr * u);
    store<f32>(m + o, mix1(mv, gv, beta2, oneMinusBeta2));
  }
}
