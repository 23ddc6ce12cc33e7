import type { KernelFunctions, KernelSpec } from './kernel-spec.js';

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

export const OPTIM_KERNELS = {
  /**
   * SGD. With momentum (buf ≠ 0): b ← first ? d : momentum·b + oneMinusDampening·d, then
   * d ← nesterov ? d + momentum·b : b. Finally p ← p − lr·d.
   */
  sgdUpdate: { args: 'p:range g:range buf:range n:count lr weightDecay momentum oneMinusDampening nesterov maximize first' },
  /** EMA momentum: v ← beta·v + oneMinusBeta·g; p ← p − lr·v. */
  emaMomentumUpdate: { args: 'p:range g:range v:range n:count lr beta oneMinusBeta' },
  /** Adagrad: s ← s + d·d; p ← p − clr·d/(√s + eps), clr = lr/(1 + (t−1)·lrDecay). */
  adagradUpdate: { args: 'p:range g:range sum:range n:count clr weightDecay eps' },
  /**
   * RMSprop: v ← alpha·v + (1−alpha)·d²; centered: a ← alpha·a + (1−alpha)·d and
   * avg = √(v − a²) + eps, else avg = √v + eps; with momentum ≠ 0: b ← momentum·b + d/avg,
   * p ← p − lr·b, else p ← p − lr·d/avg. gradAvg is used only when centered, buf only with momentum.
   */
  rmspropUpdate: { args: 'p:range g:range squareAvg:range gradAvg:range buf:range n:count lr alpha oneMinusAlpha eps weightDecay momentum centered' },
  /**
   * Adadelta: v ← rho·v + (1−rho)·d²; Δ = √(u + eps)/√(v + eps)·d; u ← rho·u + (1−rho)·Δ²;
   * p ← p − lr·Δ.
   */
  adadeltaUpdate: { args: 'p:range g:range squareAvg:range accDelta:range n:count lr rho oneMinusRho eps weightDecay' },
  /**
   * Adam / AdamW: p ← decay·p first (AdamW's decoupled decay, 1 for Adam); m ← β1·m + (1−β1)·d;
   * v ← β2·v + (1−β2)·d²; amsgrad: vMax ← max(vMax, v), used in place of v;
   * p ← p − stepSize·m/(√v + eps). The host folds the bias corrections in:
   * stepSize = lr·√(1−β2ᵗ)/(1−β1ᵗ) and eps = eps·√(1−β2ᵗ) (torch divides √v by √(1−β2ᵗ) instead).
   */
  adamUpdate: { args: 'p:range g:range m:range v:range vMax:range n:count stepSize eps beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay decay maximize amsgrad' },
  /** Adamax: m ← β1·m + (1−β1)·d; u ← max(β2·u, |d| + eps); p ← p − clr·m/u, clr = lr/(1−β1ᵗ). */
  adamaxUpdate: { args: 'p:range g:range m:range u:range n:count clr eps beta1 oneMinusBeta1 beta2 weightDecay' },
  /**
   * NAdam: m, v as Adam; p ← p − (gradCoef·d + avgCoef·m)/(√v + eps), with the host's
   * gradCoef = lr(1−μt)/(1−Πt)·√(1−β2ᵗ), avgCoef = lr·μt+1/(1−Πt·μt+1)·√(1−β2ᵗ) and
   * eps = eps·√(1−β2ᵗ) (torch applies the two terms as two divisions by √(v/(1−β2ᵗ)) + eps).
   */
  nadamUpdate: { args: 'p:range g:range m:range v:range n:count gradCoef avgCoef eps beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay' },
  /**
   * RAdam: m, v as Adam; rectified: p ← p − stepSize·m/(√v + eps) with the host's
   * stepSize = lr·r·√(1−β2ᵗ)/(1−β1ᵗ); otherwise p ← p − stepSize·m with stepSize = lr/(1−β1ᵗ).
   */
  radamUpdate: { args: 'p:range g:range m:range v:range n:count stepSize eps beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay rectified' },
  /**
   * Yogi: m ← (1−β1)·g + β1·m; v ← v − ((1−β2)·sign(v − g²))·g²; p ← p − stepSize·m/(√v + eps),
   * with the host's stepSize = lr·√(1−β2ᵗ)/(1−β1ᵗ) and eps = eps·√(1−β2ᵗ). sign(0) = 0.
   */
  yogiUpdate: { args: 'p:range g:range m:range v:range n:count stepSize eps beta1 oneMinusBeta1 oneMinusBeta2' },
  /**
   * Lion: c = (1−β1)·g + β1·m; p ← p − lr·(sign(c) + weightDecay·p); m ← (1−β2)·g + β2·m.
   * sign(0) = 0 and sign(NaN) = NaN.
   */
  lionUpdate: { args: 'p:range g:range m:range n:count lr beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay' },
  /**
   * Σ|x[i]|^normType in float64 (four interleaved partial sums, combined as (s0 + s2) + (s1 + s3));
   * max|x[i]| when normType is Infinity (NaN if any is NaN, 0 for n = 0).
   */
  normPower: { args: 'x n normType', returns: 'number' },
  /** x[i] ← min(max(x[i], −limit), limit) in place; NaN stays NaN. */
  clampAbs: { args: 'x:range n:count limit' },
} as const satisfies Record<string, KernelSpec>;

export type OptimKernels = KernelFunctions<typeof OPTIM_KERNELS>;

export const OPTIM_KERNEL_NAMES = Object.keys(OPTIM_KERNELS) as (keyof OptimKernels)[];
