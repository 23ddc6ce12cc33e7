import { withTwin } from '../kernel-spec.js';
import { firstMoment, grad, r, secondMoment, sign } from './optim-step.js';

// The optimizer kernels but the Adam family's (optim-adam.ts), each declared once: its arguments
// (see kernel-spec.ts), its formula, and its js twin, the plain-loop reference that the wasm kernel
// of the same name (assembly/optim-*.ts) matches bit for bit. optim-kernels.ts collects them.
//
// Conventions shared by every update kernel:
// - `d` is the gradient as the update uses it: g, negated when `maximize` ≠ 0, plus
//   `weightDecay`·p (the L2 term) when weightDecay ≠ 0. The grad array itself is never written.
// - Scalars that torch computes as Python floats (bias corrections, 1 − β, learning rates folded
//   with them) are computed once per step on the host in float64 and arrive here as float32.
//   Where a kernel's formula differs from torch's by such folding (one division instead of two),
//   its doc says so; the results then differ from torch by float32 rounding only.
// - Flags are 0 or 1. A state pointer the options make unused (no momentum buffer, no vMax) may be 0.
// - Every arithmetic step is float32 with one rounding (no FMA), in the order written, so the SIMD
//   build, the scalar build and the js twins agree bit for bit.

/**
 * SGD. With momentum (buf ≠ 0): b ← first ? d : momentum·b + oneMinusDampening·d, then
 * d ← nesterov ? d + momentum·b : b. Finally p ← p − lr·d.
 */
export const sgdUpdate = withTwin(
  { args: 'p:range g:range buf:range n:count lr weightDecay momentum oneMinusDampening nesterov maximize first' },
  (h, p, g, buf, n, lr, weightDecay, momentum, oneMinusDampening, nesterov, maximize, first) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, B = buf >>> 2;
    lr = r(lr); weightDecay = r(weightDecay); momentum = r(momentum); oneMinusDampening = r(oneMinusDampening);
    for (let i = 0; i < n; i++) {
      let d = grad(f[G + i], f[P + i], maximize !== 0, weightDecay);
      if (buf !== 0) {
        const b = first !== 0 ? d : firstMoment(f[B + i], momentum, oneMinusDampening, d);
        f[B + i] = b;
        d = nesterov !== 0 ? r(d + r(momentum * b)) : b;
      }
      f[P + i] = f[P + i] - r(lr * d);
    }
  },
);

/** EMA momentum: v ← beta·v + oneMinusBeta·g; p ← p − lr·v. */
export const emaMomentumUpdate = withTwin(
  { args: 'p:range g:range v:range n:count lr beta oneMinusBeta' },
  (h, p, g, v, n, lr, beta, oneMinusBeta) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, V = v >>> 2;
    lr = r(lr); beta = r(beta); oneMinusBeta = r(oneMinusBeta);
    for (let i = 0; i < n; i++) {
      const vi = firstMoment(f[V + i], beta, oneMinusBeta, f[G + i]);
      f[V + i] = vi;
      f[P + i] = f[P + i] - r(lr * vi);
    }
  },
);

/**
 * Lion: c = (1−β1)·g + β1·m; p ← p − lr·(sign(c) + weightDecay·p); m ← (1−β2)·g + β2·m.
 * sign(0) = 0 and sign(NaN) = NaN.
 */
export const lionUpdate = withTwin(
  { args: 'p:range g:range m:range n:count lr beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay' },
  (h, p, g, m, n, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2;
    lr = r(lr); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1); beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2);
    weightDecay = r(weightDecay);
    for (let i = 0; i < n; i++) {
      const gi = f[G + i], mi = f[M + i], pi = f[P + i];
      let u = sign(firstMoment(mi, beta1, oneMinusBeta1, gi));
      if (weightDecay !== 0) u = r(u + r(weightDecay * pi));
      f[P + i] = pi - r(lr * u);
      f[M + i] = firstMoment(mi, beta2, oneMinusBeta2, gi);
    }
  },
);

/** Adagrad: s ← s + d·d; p ← p − clr·d/(√s + eps), clr = lr/(1 + (t−1)·lrDecay). */
export const adagradUpdate = withTwin(
  { args: 'p:range g:range sum:range n:count clr weightDecay eps' },
  (h, p, g, sum, n, clr, weightDecay, eps) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, S = sum >>> 2;
    clr = r(clr); weightDecay = r(weightDecay); eps = r(eps);
    for (let i = 0; i < n; i++) {
      const d = grad(f[G + i], f[P + i], false, weightDecay);
      const s = r(f[S + i] + r(d * d));
      f[S + i] = s;
      f[P + i] = f[P + i] - r(clr * r(d / r(r(Math.sqrt(s)) + eps)));
    }
  },
);

/**
 * RMSprop: v ← alpha·v + (1−alpha)·d²; centered: a ← alpha·a + (1−alpha)·d and
 * avg = √(v − a²) + eps, else avg = √v + eps; with momentum ≠ 0: b ← momentum·b + d/avg,
 * p ← p − lr·b, else p ← p − lr·d/avg. gradAvg is used only when centered, buf only with momentum.
 */
export const rmspropUpdate = withTwin(
  { args: 'p:range g:range squareAvg:range gradAvg:range buf:range n:count lr alpha oneMinusAlpha eps weightDecay momentum centered' },
  (h, p, g, squareAvg, gradAvg, buf, n, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum, centered) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, V = squareAvg >>> 2, A = gradAvg >>> 2, B = buf >>> 2;
    lr = r(lr); alpha = r(alpha); oneMinusAlpha = r(oneMinusAlpha); eps = r(eps);
    weightDecay = r(weightDecay); momentum = r(momentum);
    for (let i = 0; i < n; i++) {
      const d = grad(f[G + i], f[P + i], false, weightDecay);
      const v = secondMoment(f[V + i], alpha, oneMinusAlpha, d);
      f[V + i] = v;
      let avg: number;
      if (centered !== 0) {
        const a = firstMoment(f[A + i], alpha, oneMinusAlpha, d);
        f[A + i] = a;
        avg = r(r(Math.sqrt(r(v - r(a * a)))) + eps);
      } else {
        avg = r(r(Math.sqrt(v)) + eps);
      }
      let step = r(d / avg);
      if (momentum !== 0) {
        step = r(r(f[B + i] * momentum) + step);
        f[B + i] = step;
      }
      f[P + i] = f[P + i] - r(lr * step);
    }
  },
);

/**
 * Adadelta: v ← rho·v + (1−rho)·d²; Δ = √(u + eps)/√(v + eps)·d; u ← rho·u + (1−rho)·Δ²;
 * p ← p − lr·Δ.
 */
export const adadeltaUpdate = withTwin(
  { args: 'p:range g:range squareAvg:range accDelta:range n:count lr rho oneMinusRho eps weightDecay' },
  (h, p, g, squareAvg, accDelta, n, lr, rho, oneMinusRho, eps, weightDecay) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, V = squareAvg >>> 2, U = accDelta >>> 2;
    lr = r(lr); rho = r(rho); oneMinusRho = r(oneMinusRho); eps = r(eps); weightDecay = r(weightDecay);
    for (let i = 0; i < n; i++) {
      const d = grad(f[G + i], f[P + i], false, weightDecay);
      const v = secondMoment(f[V + i], rho, oneMinusRho, d);
      f[V + i] = v;
      const u = f[U + i];
      const delta = r(r(r(Math.sqrt(r(u + eps))) / r(Math.sqrt(r(v + eps)))) * d);
      f[U + i] = secondMoment(u, rho, oneMinusRho, delta);
      f[P + i] = f[P + i] - r(lr * delta);
    }
  },
);

/**
 * Σ|x[i]|^normType in float64 (four interleaved partial sums, combined as (s0 + s2) + (s1 + s3));
 * max|x[i]| when normType is Infinity (NaN if any is NaN, 0 for n = 0).
 */
export const normPower = withTwin(
  { args: 'x n normType', returns: 'number' },
  (h, x, n, normType) => {
    const f = h.f32, X = x >>> 2;
    if (normType === Infinity) {
      let m = 0;
      for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(f[X + i]));
      return m;
    }
    const lanes = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const a = Math.abs(f[X + i]);
      lanes[i & 3] += normType === 2 ? a * a : normType === 1 ? a : Math.pow(a, normType);
    }
    return (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
  },
);

/** x[i] ← min(max(x[i], −limit), limit) in place; NaN stays NaN. */
export const clampAbs = withTwin(
  { args: 'x:range n:count limit' },
  (h, x, n, limit) => {
    const f = h.f32, X = x >>> 2, hi = r(limit), lo = -hi;
    for (let i = 0; i < n; i++) f[X + i] = Math.min(Math.max(f[X + i], lo), hi);
  },
);
