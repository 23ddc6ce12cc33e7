import { NonFiniteError, OptionError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { contiguousRuns } from './runs.js';
import { BOOLEAN, NON_NEGATIVE, checkOptions, checkValue, real, render } from '../core/validate.js';

// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. Parameters without a
// gradient are skipped; the norm is summed tensor by tensor (independent of the heap's layout), and
// contiguous gradients (a Sequential's) are scaled as one run per kernel.

export interface ClipGradNormOptions {
  /** p of the p-norm: any p > 0, or Infinity for the largest |g| (default 2). */
  normType?: number;
  /**
   * Throw a NonFiniteError, leaving the gradients untouched, when their total norm is NaN or Inf
   * (default false, as torch: the gradients are then scaled by a NaN and become NaN).
   */
  errorIfNonfinite?: boolean;
}

// normType's range is (0, ∞] with ∞ included: the max-norm, as torch's norm_type=inf.
const NORM_TYPE = real(0, Infinity, 'min');
const RULES = { normType: NORM_TYPE, errorIfNonfinite: BOOLEAN };

/**
 * Rescales the gradients so that their joint `normType`-norm (over all of them, as if they were
 * one vector) is at most `maxNorm`: g ← g·min(1, maxNorm/(total + 1e-6)). Returns the total norm
 * before clipping. The third argument is torch's: `normType` positionally, or the options
 * `{ normType, errorIfNonfinite }`.
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, options: number | ClipGradNormOptions = {}): number {
  const grads = gradients('clipGradNorm', params);
  checkValue('clipGradNorm', 'maxNorm', maxNorm, { ...NON_NEGATIVE, required: true });
  const { normType = 2, errorIfNonfinite = false } = typeof options === 'number'
    ? (checkValue('clipGradNorm', 'normType', options, NORM_TYPE), { normType: options })
    : checkOptions<ClipGradNormOptions>('clipGradNorm', options, RULES);
  const backend = requireBackend();
  // One partial sum per gradient tensor, added in the order given: the total then does not depend
  // on where the gradients lie in the heap (contiguous runs would group the float64 sums by layout).
  let total = 0;
  for (const g of grads) {
    const part = backend.normPower(g.offset, g.size, normType);
    total = normType === Infinity ? (part > total || part !== part ? part : total) : total + part;
  }
  if (normType !== Infinity) total = normType === 2 ? Math.sqrt(total) : total ** (1 / normType);
  if (errorIfNonfinite && !Number.isFinite(total)) throw nonFiniteNorm(total, normType, grads);
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) forEachRun(grads, (offset, n) => backend.scale(offset, offset, n, coef));
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue] in place (NaN stays NaN). */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const grads = gradients('clipGradValue', params);
  checkValue('clipGradValue', 'clipValue', clipValue, { ...NON_NEGATIVE, required: true });
  const backend = requireBackend();
  forEachRun(grads, (offset, n) => backend.clampAbs(offset, n, clipValue));
}

/** torch's message, plus the first gradient holding the NaN/Inf (an error path: a plain scan). */
function nonFiniteNorm(total: number, normType: number, grads: readonly Tensor[]): NonFiniteError {
  const bad = grads.find((g) => g.data.some((v) => !Number.isFinite(v)));
  const where = bad === undefined
    ? 'every gradient is finite, but their norm overflowed'
    : `the first gradient holding NaN or Inf has shape ${formatShape(bad.shape)}`;
  return new NonFiniteError(
    `clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; ${where}. ` +
      'The gradients are left unchanged (with errorIfNonfinite: false they would be scaled by the non-finite norm, as torch does)',
  );
}

/** The gradients of `params` (skipping parameters without one), after checking what was passed. */
function gradients(owner: string, params: unknown): Tensor[] {
  const iterable = params !== null && typeof params === 'object' && Symbol.iterator in params;
  const list = params instanceof Tensor ? [params] : iterable ? [...(params as Iterable<unknown>)] : null;
  if (list === null || list.some((p) => !(p instanceof Tensor))) {
    throw new OptionError(`${owner}: params must be a Tensor or an iterable of Tensors, got ${render(params)}`);
  }
  return (list as Tensor[]).map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

/** Calls fn once per run of gradients that are contiguous in memory, in parameter order. */
function forEachRun(grads: readonly Tensor[], fn: (offset: number, n: number) => void): void {
  contiguousRuns(grads.length, (i) => grads[i], (_first, _end, offset, n) => fn(offset, n));
}
