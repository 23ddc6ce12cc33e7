import type { HeapView } from './views.js';
import { Loss } from '../backend.js';
import { rowMax } from './activations.js';

// Twins of assembly/losses.ts in float64, with torch's formulas written as torch writes them.

/** Class c's weight, or 1 without weights (weight = 0). */
function classWeight(f: Float32Array, weight: number, c: number): number {
  return weight !== 0 ? f[(weight >>> 2) + c] : 1;
}

/** The weighted smoothed target a_ij = w_j·((1 − ε)·t + ε/n), t one-hot at the class index or the given row. */
function targetAt(f: Float32Array, T: number, probTargets: number, eps: number, weight: number, i: number, j: number, n: number): number {
  const t = probTargets ? f[T + i * n + j] : f[T + i] === j ? 1 : 0;
  return ((1 - eps) * t + eps / n) * classWeight(f, weight, j);
}

/** Whether row i's class index is the ignored one (never, for probability targets). */
function ignored(f: Float32Array, T: number, probTargets: number, ignoreIndex: number, i: number): boolean {
  return !probTargets && f[T + i] === ignoreIndex;
}

export function crossEntropyForward(
  h: HeapView, logits: number, target: number, probTargets: number, labelSmoothing: number, weight: number,
  ignoreIndex: number, m: number, n: number, probs: number, losses: number,
): void {
  const f = h.f32, T = target >>> 2, eps = Math.fround(labelSmoothing);
  for (let i = 0; i < m; i++) {
    const X = (logits >>> 2) + i * n, P = (probs >>> 2) + i * n;
    const top = rowMax(f, X, n);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(f[X + j] - top);
    const logS = Math.log(s);
    // −Σ a·log p with log p = (x − max) − log Σ exp(x − max)
    let loss = 0;
    for (let j = 0; j < n && !ignored(f, T, probTargets, ignoreIndex, i); j++) {
      const a = targetAt(f, T, probTargets, eps, weight, i, j, n);
      if (a !== 0) loss -= a * (f[X + j] - top - logS);
    }
    for (let j = 0; j < n; j++) f[P + j] = Math.exp(f[X + j] - top) / s;
    f[(losses >>> 2) + i] = loss;
  }
}

export function crossEntropyBackward(
  h: HeapView, probs: number, target: number, probTargets: number, labelSmoothing: number, weight: number,
  ignoreIndex: number, m: number, n: number, scale: number, rowScale: number, dlogits: number,
): void {
  const f = h.f32, T = target >>> 2, eps = Math.fround(labelSmoothing);
  for (let i = 0; i < m; i++) {
    const s = rowScale !== 0 ? f[(rowScale >>> 2) + i] : Math.fround(scale);
    const P = (probs >>> 2) + i * n, D = (dlogits >>> 2) + i * n;
    if (ignored(f, T, probTargets, ignoreIndex, i)) {
      f.fill(0, D, D + n);
      continue;
    }
    // ∂/∂x_j of −Σ a·log p = p_j·Σ a − a_j
    let sum = 0;
    for (let j = 0; j < n; j++) sum += targetAt(f, T, probTargets, eps, weight, i, j, n);
    for (let j = 0; j < n; j++) f[D + j] = s * (f[P + j] * sum - targetAt(f, T, probTargets, eps, weight, i, j, n));
  }
}

export function nllForward(
  h: HeapView, logp: number, target: number, weight: number, ignoreIndex: number, m: number, n: number, losses: number,
): void {
  const f = h.f32;
  for (let i = 0; i < m; i++) {
    const t = f[(target >>> 2) + i];
    f[(losses >>> 2) + i] = t === ignoreIndex ? 0 : -classWeight(f, weight, t) * f[(logp >>> 2) + i * n + t];
  }
}

export function nllBackward(
  h: HeapView, target: number, weight: number, ignoreIndex: number, m: number, n: number, scale: number, rowScale: number, dlogp: number,
): void {
  const f = h.f32, D = dlogp >>> 2;
  f.fill(0, D, D + m * n);
  for (let i = 0; i < m; i++) {
    const t = f[(target >>> 2) + i];
    if (t === ignoreIndex) continue;
    const s = rowScale !== 0 ? f[(rowScale >>> 2) + i] : Math.fround(scale);
    f[D + i * n + t] = -s * classWeight(f, weight, t);
  }
}

/** ℓ(x, t) for one elementwise loss; param is delta (Huber), beta (SmoothL1) or log_target (KLDivLoss, 1), p the pos_weight. */
export function lossValue(kind: number, param: number, x: number, t: number, p: number): number {
  const r = x - t, a = Math.abs(r);
  switch (kind) {
    case Loss.mse: return r * r;
    case Loss.l1: return a;
    case Loss.huber: return a < param ? 0.5 * a * a : param * (a - 0.5 * param);
    case Loss.smoothL1: return a < param ? (0.5 * a * a) / param : a - 0.5 * param;
    // torch clamps each log at −100
    case Loss.bce: return -(t * Math.max(Math.log(x), -100) + (1 - t) * Math.max(Math.log1p(-x), -100));
    // torch's stable form: (1 − t)·x + (1 + (p − 1)t)·(log1p(e^{−|x|}) + max(−x, 0))
    case Loss.bceWithLogits: return (1 - t) * x + (1 + (p - 1) * t) * (Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0));
    // torch: log_target ? exp(t)·(t − x) : xlogy(t, t) − t·x, xlogy(0, ·) = 0
    case Loss.klDiv: return param !== 0 ? Math.exp(t) * (t - x) : (t === 0 ? 0 : t * Math.log(t)) - t * x;
    default: throw new Error(`unknown loss code ${kind}`);
  }
}

/** ∂ℓ/∂x for one elementwise loss, with torch's choices at the kinks (L1′(0) = 0). */
export function lossGrad(kind: number, param: number, x: number, t: number, p: number): number {
  const r = x - t;
  switch (kind) {
    case Loss.mse: return 2 * r;
    case Loss.l1: return Math.sign(r);
    case Loss.huber: return Math.min(Math.max(r, -param), param);
    case Loss.smoothL1: return Math.abs(r) < param ? r / param : Math.sign(r);
    // torch: (x − t) / max((1 − x)·x, 1e-12)
    case Loss.bce: return r / Math.max((1 - x) * x, 1e-12);
    // torch: (p·t + 1 − t)·σ(x) − p·t
    case Loss.bceWithLogits: return (p * t + 1 - t) / (1 + Math.exp(-x)) - p * t;
    case Loss.klDiv: return param !== 0 ? -Math.exp(t) : -t;
    default: throw new Error(`unknown loss code ${kind}`);
  }
}

export function lossForward(
  h: HeapView, kind: number, param: number, input: number, target: number, weight: number,
  n: number, cols: number, out: number,
): void {
  const f = h.f32, X = input >>> 2, T = target >>> 2, O = out >>> 2, q = Math.fround(param);
  for (let i = 0; i < n; i++) {
    const p = weight !== 0 ? f[(weight >>> 2) + (i % cols)] : 1;
    f[O + i] = lossValue(kind, q, f[X + i], f[T + i], p);
  }
}

export function lossBackward(
  h: HeapView, kind: number, param: number, input: number, target: number, weight: number,
  n: number, cols: number, scale: number, gradOut: number, dInput: number,
): void {
  const f = h.f32, X = input >>> 2, T = target >>> 2, D = dInput >>> 2, q = Math.fround(param);
  for (let i = 0; i < n; i++) {
    const p = weight !== 0 ? f[(weight >>> 2) + (i % cols)] : 1;
    const s = gradOut !== 0 ? f[(gradOut >>> 2) + i] : Math.fround(scale);
    f[D + i] = s * lossGrad(kind, q, f[X + i], f[T + i], p);
  }
}
