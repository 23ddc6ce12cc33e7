import { OptionError } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { formatValue } from './options.js';

// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. Parameters without a
// gradient are skipped; contiguous gradients (a Sequential's) are handled as one run per kernel.

/**
 * Rescales the gradients so that their joint `normType`-norm (over all of them, as if they were
 * one vector) is at most `maxNorm`: g ← g·min(1, maxNorm/(total + 1e-6)). Returns the total norm
 * before clipping. `normType` is any p > 0, or Infinity for the largest |g|. As in torch, a
 * non-finite total norm makes every gradient NaN; check the returned value to detect it.
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0) || !Number.isFinite(maxNorm)) {
    throw new OptionError(`clipGradNorm: maxNorm must be in [0, ∞), got ${formatValue(maxNorm)}`);
  }
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new OptionError(`clipGradNorm: normType must be in (0, ∞], got ${formatValue(normType)}`);
  }
  const backend = requireBackend();
  let total = 0;
  forEachGradRun('clipGradNorm', params, (offset, n) => {
    const part = backend.normPower(offset, n, normType);
    total = normType === Infinity ? (part > total || part !== part ? part : total) : total + part;
  });
  if (normType !== Infinity) total = normType === 2 ? Math.sqrt(total) : total ** (1 / normType);
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) forEachGradRun('clipGradNorm', params, (offset, n) => backend.scale(offset, offset, n, coef));
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue] in place (NaN stays NaN). */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue >= 0) || !Number.isFinite(clipValue)) {
    throw new OptionError(`clipGradValue: clipValue must be in [0, ∞), got ${formatValue(clipValue)}`);
  }
  const backend = requireBackend();
  forEachGradRun('clipGradValue', params, (offset, n) => backend.clampAbs(offset, n, clipValue));
}

/** Calls fn once per run of gradients that are contiguous in memory, in parameter order. */
function forEachGradRun(owner: string, params: Tensor | Iterable<Tensor>, fn: (offset: number, n: number) => void): void {
  const list = params instanceof Tensor ? [params] : toList(owner, params);
  const grads = list.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  for (let i = 0; i < grads.length;) {
    const start = grads[i].offset;
    let n = grads[i].size, j = i + 1;
    for (; j < grads.length && grads[j].offset === start + n * 4; j++) n += grads[j].size;
    fn(start, n);
    i = j;
  }
}

function toList(owner: string, params: unknown): Tensor[] {
  const iterable = params !== null && typeof params === 'object' && Symbol.iterator in params;
  const list = iterable ? [...(params as Iterable<unknown>)] : null;
  if (list === null || list.some((p) => !(p instanceof Tensor))) {
    throw new OptionError(`${owner}: params must be a Tensor or an iterable of Tensors, got ${formatValue(params)}`);
  }
  return list as Tensor[];
}
