import { OPTIM_KERNEL_NAMES, type OptimKernels } from './optim-kernels.js';

// The one interface both backends implement. Every kernel takes byte offsets into the shared heap
// and sizes, in the same argument order in the wasm exports (assembly/) and in the js twins
// (src/backend/js/), so a backend is just an object with these functions.

export type BackendName = 'wasm' | 'js';
/**
 * 'threads' is the SIMD build over shared memory, whose big calls a worker pool splits; 'relaxed'
 * the SIMD build with fused multiply-adds in gemm (opt-in: not bit-identical to the others), and
 * 'relaxed-threads' that over shared memory.
 */
export type BuildName = 'simd' | 'scalar' | 'threads' | 'relaxed' | 'relaxed-threads';

export interface Kernels {
  /**
   * C = α·op(A)·op(B) + β·C, row-major; op(A) is m×k, op(B) is k×n. With β = 0, C is not read.
   * `work` is scratch of at least `gemmWorkspaceBytes(m, n, k)` bytes.
   */
  gemm(
    transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number,
    c: number, ldc: number, work: number,
  ): void;
  gemmWorkspaceBytes(m: number, n: number, k: number): number;
  /** x[i] = value */
  fill(x: number, n: number, value: number): void;
  /** y[i] = x[i] (memmove semantics) */
  copy(x: number, y: number, n: number): void;
  /** y[i] = α·x[i] */
  scale(x: number, y: number, n: number, alpha: number): void;
  /** y[i] += α·x[i] */
  axpy(n: number, alpha: number, x: number, y: number): void;
  /** out[i] = a[i] + b[i] */
  add(a: number, b: number, out: number, n: number): void;
  /** out[i] = a[i]·b[i] */
  mul(a: number, b: number, out: number, n: number): void;
  /** Σ x[i] */
  sum(x: number, n: number): number;
  /** max x[i] (NaN if any is NaN, −∞ for n = 0) */
  max(x: number, n: number): number;
}

/**
 * Activation codes shared by the kernels (assembly/activations.ts) and TypeScript. `param` is
 * LeakyReLU's negative slope and is ignored by the others.
 */
export const Act = {
  identity: 0,
  relu: 1,
  leakyRelu: 2,
  sigmoid: 3,
  tanh: 4,
  geluErf: 5,
  geluTanh: 6,
} as const;
export type ActCode = (typeof Act)[keyof typeof Act];

/** Unary op codes for `unary` / `unaryBackward`. `param` is pow's exponent. */
export const Unary = { exp: 0, log: 1, neg: 2, pow: 3, sqrt: 4, abs: 5 } as const;
export type UnaryCode = (typeof Unary)[keyof typeof Unary];

/** Binary op codes for `binary`. */
export const Binary = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export type BinaryCode = (typeof Binary)[keyof typeof Binary];

/** Elementwise loss codes for `lossForward` / `lossBackward`. `param` is delta (Huber) or beta (SmoothL1). */
export const Loss = { mse: 0, l1: 1, huber: 2, smoothL1: 3, bce: 4, bceWithLogits: 5 } as const;
export type LossCode = (typeof Loss)[keyof typeof Loss];

/**
 * The model kernels (issue #4). Matrices are row-major [m, n]; class-index targets are float32
 * holding exact integers (validated in TypeScript before any kernel runs).
 */
export interface ModelKernels {
  /** y[i] = f(x[i]); y may alias x. */
  activationForward(act: number, param: number, x: number, y: number, n: number): void;
  /**
   * dx[i] = dy[i]·f′ at element i, computed from the pre-activation x or the output y, whichever
   * the activation needs (both are passed). dx may alias dy. Conventions: ReLU′(0) = 0,
   * LeakyReLU′(0) = slope.
   */
  activationBackward(act: number, param: number, x: number, y: number, dy: number, dx: number, n: number): void;
  /**
   * The Linear epilogue: z[i][j] = c[i][j] + bias[j] in place in c (skipped when bias = 0), then
   * y = f(z) (skipped for identity; y may equal c).
   */
  biasActivation(c: number, m: number, n: number, bias: number, act: number, param: number, y: number): void;
  /** out[j] (+)= Σ_i x[i][j] (column sums: a bias gradient); accumulate ≠ 0 adds to out. */
  sumRows(x: number, m: number, n: number, out: number, accumulate: number): void;
  /** out[i] (+)= Σ_j x[i][j] (row sums). */
  sumCols(x: number, m: number, n: number, out: number, accumulate: number): void;
  /** y = softmax over each row of x (y may alias x); max-subtracted. */
  softmaxRows(x: number, y: number, m: number, n: number): void;
  /** y = log-softmax over each row of x (y may alias x). */
  logSoftmaxRows(x: number, y: number, m: number, n: number): void;
  /** dx = y ⊙ (dy − Σ_j dy⊙y) per row, y the softmax output; dx may alias dy. */
  softmaxRowsBackward(y: number, dy: number, dx: number, m: number, n: number): void;
  /** dx = dy − exp(y)·Σ_j dy per row, y the log-softmax output; dx may alias dy. */
  logSoftmaxRowsBackward(y: number, dy: number, dx: number, m: number, n: number): void;
  /**
   * Fused softmax + cross-entropy forward over logits [m, n]. probTargets = 0: `target` holds m
   * class indices; 1: `target` holds [m, n] probabilities. With label smoothing ε the target
   * distribution q becomes (1−ε)q + ε/n. Writes the softmax to `probs` ([m, n], kept for the
   * backward) and each row's loss −Σ_j q_j·log p_j to `losses` ([m]).
   */
  crossEntropyForward(
    logits: number, target: number, probTargets: number, labelSmoothing: number,
    m: number, n: number, probs: number, losses: number,
  ): void;
  /**
   * dlogits[i][j] = s_i·(p_ij − q_ij) with s_i = rowScale[i] when rowScale ≠ 0 (the upstream
   * gradient of reduction 'none'), else `scale` (1/m for 'mean', 1 for 'sum').
   */
  crossEntropyBackward(
    probs: number, target: number, probTargets: number, labelSmoothing: number,
    m: number, n: number, scale: number, rowScale: number, dlogits: number,
  ): void;
  /** losses[i] = −logp[i][t_i] (NLLLoss), t = class indices. */
  nllForward(logp: number, target: number, m: number, n: number, losses: number): void;
  /** dlogp = 0 except dlogp[i][t_i] = −s_i (s_i as in crossEntropyBackward). */
  nllBackward(target: number, m: number, n: number, scale: number, rowScale: number, dlogp: number): void;
  /**
   * Elementwise loss out[i] = ℓ(input[i], target[i]). `weight` (0 = none) is BCEWithLogits'
   * posWeight, indexed by column i % cols. BCE clamps each log at −100 as torch does.
   */
  lossForward(kind: number, param: number, input: number, target: number, weight: number, n: number, cols: number, out: number): void;
  /** dInput[i] = s_i·∂ℓ/∂input[i], s_i = gradOut[i] when gradOut ≠ 0, else `scale`. L1′(0) = 0. */
  lossBackward(
    kind: number, param: number, input: number, target: number, weight: number, n: number, cols: number,
    scale: number, gradOut: number, dInput: number,
  ): void;
  /** y[i] = op(x[i]) (exp, log, neg, pow x^param, sqrt, abs); y may alias x. */
  unary(op: number, param: number, x: number, y: number, n: number): void;
  /** dx[i] = dy[i]·op′(x[i]) (y = op(x) is passed for exp and sqrt); dx may alias dy. abs′(0) = 0. */
  unaryBackward(op: number, param: number, x: number, y: number, dy: number, dx: number, n: number): void;
  /**
   * out[i][j] = a[i·ar + j·ac] op b[i·br + j·bc] over [m, n]: strides of 0 broadcast (a row
   * vector has (0, 1), a column (1, 0), a scalar (0, 0); a full matrix (n, 1)). out is a full
   * [m, n] matrix and may alias a full-shaped a or b.
   */
  binary(op: number, a: number, ar: number, ac: number, b: number, br: number, bc: number, out: number, m: number, n: number): void;
  /** y = xᵀ: x is [m, n], y is [n, m]; y must not overlap x. */
  transpose(x: number, m: number, n: number, y: number): void;
}

export const MODEL_KERNEL_NAMES = [
  'activationForward', 'activationBackward', 'biasActivation', 'sumRows', 'sumCols',
  'softmaxRows', 'logSoftmaxRows', 'softmaxRowsBackward', 'logSoftmaxRowsBackward',
  'crossEntropyForward', 'crossEntropyBackward', 'nllForward', 'nllBackward',
  'lossForward', 'lossBackward', 'unary', 'unaryBackward', 'binary', 'transpose',
] as const satisfies readonly (keyof ModelKernels)[];

export interface Backend extends Kernels, ModelKernels, OptimKernels {
  readonly name: BackendName;
  /** The wasm build in use, or null for the js backend. */
  readonly build: BuildName | null;
  /** Threads its calls run on (more than 1 only for the threads builds with a pool). */
  readonly threads: number;
}

/** The names of every kernel, so tests and the wasm binding can check that nothing is missing. */
export const KERNEL_NAMES = [
  'gemm', 'gemmWorkspaceBytes', 'fill', 'copy', 'scale', 'axpy', 'add', 'mul', 'sum', 'max',
] as const satisfies readonly (keyof Kernels)[];

/** Every kernel a backend must provide. */
export const ALL_KERNEL_NAMES = [...KERNEL_NAMES, ...MODEL_KERNEL_NAMES, ...OPTIM_KERNEL_NAMES] as const;
