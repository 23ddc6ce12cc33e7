import type { KernelFunctions, KernelSpec } from './kernel-spec.js';

// The model kernels (issue #4): activations, softmax, losses and the ops autograd needs. Matrices
// are row-major [m, n]; class-index targets are float32 holding exact integers (validated in
// TypeScript before any kernel runs). Argument roles: see kernel-spec.ts.

export const MODEL_KERNELS = {
  /** y[i] = f(x[i]); y may alias x. */
  activationForward: { args: 'act param x:range y:range n:count' },
  /**
   * dx[i] = dy[i]·f′ at element i, computed from the pre-activation x or the output y, whichever
   * the activation needs (both are passed). dx may alias dy. Conventions: ReLU′(0) = 0,
   * LeakyReLU′(0) = slope.
   */
  activationBackward: { args: 'act param x:range y:range dy:range dx:range n:count' },
  /**
   * The Linear epilogue: z[i][j] = c[i][j] + bias[j] in place in c (skipped when bias = 0), then
   * y = f(z) (skipped for identity; y may equal c).
   */
  biasActivation: { args: 'c:range m:count n:width bias act param y:range' },
  /**
   * PReLU: y = x > 0 ? x : weight[ch]·x over n samples (`sample` floats apart) of c channels of hw
   * positions (c = 1: one weight for all). Split by samples.
   */
  preluForward: { args: 'x:range/sample n:count c hw weight y:range/sample sample:width' },
  /** Its input gradient: dx = x > 0 ? dy : weight[ch]·dy. Split by samples. */
  preluBackward: { args: 'x:range/sample dy:range/sample n:count c hw weight dx:range/sample sample:width' },
  /**
   * Its weight gradient: out[ch] = Σ (x > 0 ? 0 : x·dy) over the samples, then the positions, in
   * order, in float64. Split by channels (span = n·hw, a channel's values).
   */
  preluWeightGrad: { args: 'x:range/hw dy:range/hw n c:count hw out:item sample span:width' },

  /** out[j] (+)= Σ_i x[i][j] (column sums: a bias gradient); accumulate ≠ 0 adds to out. */
  sumRows: { args: 'x m n out accumulate' },
  /** out[i] (+)= Σ_j x[i][j] (row sums; split by rows, each row's sum whole on one thread). */
  sumCols: { args: 'x:range m:count n:width out:item accumulate' },
  /** y = softmax over each row of x (y may alias x); max-subtracted. */
  softmaxRows: { args: 'x y m n' },
  /** y = log-softmax over each row of x (y may alias x). */
  logSoftmaxRows: { args: 'x y m n' },
  /** dx = y ⊙ (dy − Σ_j dy⊙y) per row, y the softmax output; dx may alias dy. */
  softmaxRowsBackward: { args: 'y dy dx m n' },
  /** dx = dy − exp(y)·Σ_j dy per row, y the log-softmax output; dx may alias dy. */
  logSoftmaxRowsBackward: { args: 'y dy dx m n' },
  /**
   * Fused softmax + cross-entropy forward over logits [m, n]. probTargets = 0: `target` holds m
   * class indices, a row whose index is `ignoreIndex` losing 0; 1: `target` holds [m, n]
   * probabilities. With label smoothing ε the target q becomes (1−ε)q + ε/n; `weight` (0 = none)
   * holds n class weights, a = w ⊙ q. Writes the softmax to `probs` ([m, n], kept for the
   * backward) and each row's loss −Σ_j a_j·log p_j to `losses` ([m]).
   */
  crossEntropyForward: { args: 'logits target probTargets labelSmoothing weight ignoreIndex m n probs losses' },
  /**
   * dlogits[i][j] = s_i·(p_ij·Σ_k a_ik − a_ij) (0 for an ignored row), with s_i = rowScale[i]
   * when rowScale ≠ 0 (the upstream gradient of reduction 'none'), else `scale` (the mean's
   * 1/divisor, 1 for 'sum').
   */
  crossEntropyBackward: { args: 'probs target probTargets labelSmoothing weight ignoreIndex m n scale rowScale dlogits' },
  /** losses[i] = −w_t·logp[i][t_i] (NLLLoss), t = class indices, w the class weights (0 = none), 0 where t_i = ignoreIndex. */
  nllForward: { args: 'logp target weight ignoreIndex m n losses' },
  /** dlogp = 0 except dlogp[i][t_i] = −s_i·w_t (s_i as in crossEntropyBackward; none for an ignored row). */
  nllBackward: { args: 'target weight ignoreIndex m n scale rowScale dlogp' },
  /**
   * Elementwise loss out[i] = ℓ(input[i], target[i]). `weight` (0 = none) is BCEWithLogits'
   * posWeight, indexed by column i % cols. BCE clamps each log at −100 as torch does.
   */
  lossForward: { args: 'kind param input target weight n cols out' },
  /** dInput[i] = s_i·∂ℓ/∂input[i], s_i = gradOut[i] when gradOut ≠ 0, else `scale`. L1′(0) = 0. */
  lossBackward: { args: 'kind param input target weight n cols scale gradOut dInput' },
  /** y[i] = op(x[i]) (exp, log, neg, pow x^param, sqrt, abs); y may alias x. */
  unary: { args: 'op param x:range y:range n:count' },
  /** dx[i] = dy[i]·op′(x[i]) (y = op(x) is passed for exp and sqrt); dx may alias dy. abs′(0) = 0. */
  unaryBackward: { args: 'op param x:range y:range dy:range dx:range n:count' },
  /**
   * out[i][j] = a[i·ar + j·ac] op b[i·br + j·bc] over [m, n]: strides of 0 broadcast (a row
   * vector has (0, 1), a column (1, 0), a scalar (0, 0); a full matrix (n, 1)). out is a full
   * [m, n] matrix and may alias a full-shaped a or b.
   */
  binary: { args: 'op a ar ac b br bc out m n' },
  /** y = xᵀ: x is [m, n], y is [n, m]; y must not overlap x. */
  transpose: { args: 'x m n y' },
  /**
   * y[o][j][k][i][t] = x[o][i][k][j][t] (o < outer, i < m, k < mid, j < n, t < inner): the
   * dimensions of sizes m and n swapped, any rank; block = m·mid·n·inner, the floats of one outer
   * index. Split by outer blocks; y must not overlap x.
   */
  transposeAxes: { args: 'x:range outer:count m mid n inner y:range block:width' },
  /**
   * rows runs of `width` floats copied: y + r·yStride ← x + r·xStride (floats; a row may overlap
   * itself, rows must not overlap each other). The copies of cat, stack and narrow, forward and
   * backward. Split by rows.
   */
  copyRows: { args: 'x:range/xStride rows:count width:width y:range/yStride xStride yStride' },
} as const satisfies Record<string, KernelSpec>;

export type ModelKernels = KernelFunctions<typeof MODEL_KERNELS>;
