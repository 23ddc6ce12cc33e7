// The per-coordinate rate kernels: Adagrad, RMSprop (centered, with momentum) and Adadelta. Their
// constants live in K and their 4-lane steps run in `kSteps` (see optim-step.ts).
import {
  K, LR, WD, BETA2, OMB2, EPS, MOMENTUM, SIGN, On, Off, is, put, grad4, grad1, mix4, mix1, second4, second1, kSteps,
} from './optim-step';

@final @unmanaged class AdagradStep<DECAY> {
  @inline streams(): i32 { return 3; }
  @inline step4(p: usize, g: usize, s: usize, b: usize, c: usize): void {
    const pv = v128.load(p);
    const d = grad4<DECAY>(v128.load(g), pv);
    const sv = f32x4.add(v128.load(s), f32x4.mul(d, d));
    v128.store(s, sv);
    const std = f32x4.add(f32x4.sqrt(sv), v128.load(K, EPS));
    v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), f32x4.div(d, std))));
  }
}

export function adagradUpdate(p: usize, g: usize, sum: usize, n: i32, clr: f32, weightDecay: f32, eps: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, clr); put(WD, weightDecay); put(EPS, eps); put(SIGN, 1);
    i = weightDecay != 0 ? kSteps<AdagradStep<On>>(p, g, sum, 0, 0, n) : kSteps<AdagradStep<Off>>(p, g, sum, 0, 0, n);
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

@final @unmanaged class RmspropStep<DECAY, CENTERED, MOM> {
  @inline streams(): i32 { return 5; }
  @inline step4(p: usize, g: usize, sq: usize, ga: usize, b: usize): void {
    const pv = v128.load(p);
    const d = grad4<DECAY>(v128.load(g), pv);
    const v = second4(v128.load(sq), d);
    v128.store(sq, v);
    let avg: v128;
    if (is<CENTERED>()) {
      const a = mix4(v128.load(ga), d, v128.load(K, BETA2), v128.load(K, OMB2));
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
}

function rmspropSteps<DECAY>(p: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32, centered: bool, mom: bool): i32 {
  if (centered) {
    return mom
      ? kSteps<RmspropStep<DECAY, On, On>>(p, g, sq, ga, b, n)
      : kSteps<RmspropStep<DECAY, On, Off>>(p, g, sq, ga, b, n);
  }
  return mom
    ? kSteps<RmspropStep<DECAY, Off, On>>(p, g, sq, ga, b, n)
    : kSteps<RmspropStep<DECAY, Off, Off>>(p, g, sq, ga, b, n);
}

export function rmspropUpdate(
  p: usize, g: usize, squareAvg: usize, gradAvg: usize, buf: usize, n: i32,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32, centered: i32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA2, alpha); put(OMB2, oneMinusAlpha); put(EPS, eps); put(WD, weightDecay);
    put(MOMENTUM, momentum); put(SIGN, 1);
    const c = centered != 0, mom = momentum != 0;
    i = weightDecay != 0
      ? rmspropSteps<On>(p, g, squareAvg, gradAvg, buf, n, c, mom)
      : rmspropSteps<Off>(p, g, squareAvg, gradAvg, buf, n, c, mom);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const v = second1(load<f32>(squareAvg + o), d, alpha, oneMinusAlpha);
    store<f32>(squareAvg + o, v);
    let avg: f32;
    if (centered) {
      const a = mix1(load<f32>(gradAvg + o), d, alpha, oneMinusAlpha);
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

@final @unmanaged class AdadeltaStep<DECAY> {
  @inline streams(): i32 { return 4; }
  @inline step4(p: usize, g: usize, sq: usize, acc: usize, c: usize): void {
    const pv = v128.load(p);
    const d = grad4<DECAY>(v128.load(g), pv);
    const v = second4(v128.load(sq), d);
    v128.store(sq, v);
    const u = v128.load(acc);
    const std = f32x4.sqrt(f32x4.add(v, v128.load(K, EPS)));
    const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(u, v128.load(K, EPS))), std), d);
    v128.store(acc, second4(u, delta));
    v128.store(p, f32x4.sub(pv, f32x4.mul(v128.load(K, LR), delta)));
  }
}

export function adadeltaUpdate(
  p: usize, g: usize, squareAvg: usize, accDelta: usize, n: i32,
  lr: f32, rho: f32, oneMinusRho: f32, eps: f32, weightDecay: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    put(LR, lr); put(BETA2, rho); put(OMB2, oneMinusRho); put(EPS, eps); put(WD, weightDecay); put(SIGN, 1);
    i = weightDecay != 0
      ? kSteps<AdadeltaStep<On>>(p, g, squareAvg, accDelta, 0, n)
      : kSteps<AdadeltaStep<Off>>(p, g, squareAvg, accDelta, 0, n);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const d = grad1(load<f32>(g + o), pv, 1, weightDecay);
    const v = second1(load<f32>(squareAvg + o), d, rho, oneMinusRho);
    store<f32>(squareAvg + o, v);
    const u = load<f32>(accDelta + o);
    const delta = (Mathf.sqrt(u + eps) / Mathf.sqrt(v + eps)) * d;
    store<f32>(accDelta + o, second1(u, delta, rho, oneMinusRho));
    store<f32>(p + o, pv - lr * delta);
  }
}
