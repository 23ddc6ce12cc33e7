import { globalRandom } from '../core/rng.js';

/**
 * A dropout mask as torch draws it on the CPU (`bernoulli_(1 − p)` from the global generator, one
 * 53-bit double per draw, then divided by 1 − p): each run of `run` consecutive elements is kept
 * together (Dropout: runs of 1; Dropout2d: a whole plane) with value 1/(1 − p) in float32, or
 * zeroed. p = 1 zeroes everything and draws nothing, as torch.
 */
export function dropoutMask(size: number, p: number, run = 1): Float32Array {
  const mask = new Float32Array(size);
  if (p === 1) return mask;
  const keep = 1 - p;
  const keepScale = Math.fround(1 / Math.fround(keep));
  for (let i = 0; i < size; i += run) {
    if (globalRandom.nextDouble() < keep) mask.fill(keepScale, i, i + run);
  }
  return mask;
}
