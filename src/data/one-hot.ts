import { OptionError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';

/** [N] class indices → [N, numClasses] float32 rows with a single 1 (torch.nn.functional.one_hot). */
export function oneHot(indices: Tensor | ArrayLike<number>, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new OptionError(`oneHot: numClasses must be a positive integer, got ${String(numClasses)}`);
  }
  const idx = indices instanceof Tensor ? indices.toArray() : Array.from(indices);
  const out = new Float32Array(idx.length * numClasses);
  for (let i = 0; i < idx.length; i++) {
    const c = idx[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new OptionError(`oneHot: indices[${i}] = ${c} is not a class index in [0, ${numClasses})`);
    }
    out[i * numClasses + c] = 1;
  }
  const t = new Tensor([idx.length, numClasses]);
  t.data.set(out);
  return t;
}
