// The fused optimizer update kernels (issue #5): one kernel per optimizer that reads p, g and its
// state once and writes them once, over n elements from byte offsets p, g, … in the heap.
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

export interface OptimKernels {
  /**
   * SGD. With momentum (buf ≠ 0): b ← first ? d : momentum·b + oneMinusDampening·d, then
   * d ← nesterov ? d + momentum·b : b. Finally p ← p − lr·d.
   */
  sgdUpdate(
    p: number, g: number, buf: number, n: number,
    lr: number, weightDecay: number, momentum: number, oneMinusDampening: number,
    nesterov: number, maximize: number, first: number,
  ): void;
  /** EMA momentum: v ← beta·v + oneMinusBeta·g; p ← p − lr·v. */
  emaMomentumUpdate(p: number, g: number, v: number, n: number, lr: number, beta: number, oneMinusBeta: number): void;
  /** Adagrad: s ← s + d·d; p ← p − clr·d/(√s + eps), clr = lr/(1 + (t−1)·lrDecay). */
  adagradUpdate(p: number, g: number, sum: number, n: number, clr: number, weightDecay: number, eps: number): void;
  /**
   * RMSprop: v ← alpha·v + (1−alpha)·d²; centered: a ← alpha·a + (1−alpha)·d and
   * avg = √(v − a²) + eps, else avg = √v + eps; with momentum ≠ 0: b ← momentum·b + d/avg,
   * p ← p − lr·b, else p ← p − lr·d/avg. gradAvg is used only when centered, buf only with momentum.
   */
  rmspropUpdate(
    p: number, g: number, squareAvg: number, gradAvg: number, buf: number, n: number,
    lr: number, alpha: number, oneMinusAlpha: number, eps: number, weightDecay: number,
    momentum: number, centered: number,
  ): void;
  /**
   * Adadelta: v ← rho·v + (1−rho)·d²; Δ = √(u + eps)/√(v + eps)·d; u ← rho·u + (1−rho)·Δ²;
   * p ← p − lr·Δ.
   */
  adadeltaUpdate(
    p: number, g: number, squareAvg: number, accDelta: number, n: number,
    lr: number, rho: number, oneMinusRho: number, eps: number, weightDecay: number,
  ): void;
  /**
   * Adam / AdamW: p ← decay·p first (AdamW's decoupled decay, 1 for Adam); m ← β1·m + (1−β1)·d;
   * v ← β2·v + (1−β2)·d²; amsgrad: vMax ← max(vMax, v), used in place of v;
   * p ← p − stepSize·m/(√v + eps). The host folds the bias corrections in:
   * stepSize = lr·√(1−β2ᵗ)/(1−β1ᵗ) and eps = eps·√(1−β2ᵗ) (torch divides √v by √(1−β2ᵗ) instead).
   */
  adamUpdate(
    p: number, g: number, m: number, v: number, vMax: number, n: number,
    stepSize: number, eps: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    weightDecay: number, decay: number, maximize: number, amsgrad: number,
  ): void;
  /** Adamax: m ← β1·m + (1−β1)·d; u ← max(β2·u, |d| + eps); p ← p − clr·m/u, clr = lr/(1−β1ᵗ). */
  adamaxUpdate(
    p: number, g: number, m: number, u: number, n: number,
    clr: number, eps: number, beta1: number, oneMinusBeta1: number, beta2: number, weightDecay: number,
  ): void;
  /**
   * NAdam: m, v as Adam; p ← p − (gradCoef·d + avgCoef·m)/(√v + eps), with the host's
   * gradCoef = lr(1−μt)/(1−Πt)·√(1−β2ᵗ), avgCoef = lr·μt+1/(1−Πt·μt+1)·√(1−β2ᵗ) and
   * eps = eps·√(1−β2ᵗ) (torch applies the two terms as two divisions by √(v/(1−β2ᵗ)) + eps).
   */
  nadamUpdate(
    p: number, g: number, m: number, v: number, n: number,
    gradCoef: number, avgCoef: number, eps: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, weightDecay: number,
  ): void;
  /**
   * RAdam: m, v as Adam; rectified: p ← p − stepSize·m/(√v + eps) with the host's
   * stepSize = lr·r·√(1−β2ᵗ)/(1−β1ᵗ); otherwise p ← p − stepSize·m with stepSize = lr/(1−β1ᵗ).
   */
  radamUpdate(
    p: number, g: number, m: number, v: number, n: number,
    stepSize: number, eps: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    weightDecay: number, rectified: number,
  ): void;
  /**
   * Yogi: m ← (1−β1)·g + β1·m; v ← v − ((1−β2)·sign(v − g²))·g²; p ← p − stepSize·m/(√v + eps),
   * with the host's stepSize = lr·√(1−β2ᵗ)/(1−β1ᵗ) and eps = eps·√(1−β2ᵗ). sign(0) = 0.
   */
  yogiUpdate(
    p: number, g: number, m: number, v: number, n: number,
    stepSize: number, eps: number, beta1: number, oneMinusBeta1: number, oneMinusBeta2: number,
  ): void;
  /**
   * Lion: c = (1−β1)·g + β1·m; p ← p − lr·(sign(c) + weightDecay·p); m ← (1−β2)·g + β2·m.
   * sign(0) = 0 and sign(NaN) = NaN.
   */
  lionUpdate(
    p: number, g: number, m: number, n: number,
    lr: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, weightDecay: number,
  ): void;
  /**
   * Σ|x[i]|^normType in float64 (four interleaved partial sums, combined as (s0 + s2) + (s1 + s3));
   * max|x[i]| when normType is Infinity (NaN if any is NaN, 0 for n = 0).
   */
  normPower(x: number, n: number, normType: number): number;
  /** x[i] ← min(max(x[i], −limit), limit) in place; NaN stays NaN. */
  clampAbs(x: number, n: number, limit: number): void;
}

export const OPTIM_KERNEL_NAMES = [
  'sgdUpdate', 'emaMomentumUpdate', 'adagradUpdate', 'rmspropUpdate', 'adadeltaUpdate', 'adamUpdate',
  'adamaxUpdate', 'nadamUpdate', 'radamUpdate', 'yogiUpdate', 'lionUpdate', 'normPower', 'clampAbs',
] as const satisfies readonly (keyof OptimKernels)[];
