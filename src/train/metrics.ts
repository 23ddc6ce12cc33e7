import { ShapeError, formatShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { sameShape } from '../core/shape.js';
import { TENSOR, checkValue } from '../core/validate.js';

/** Number of rows whose largest output is the target class (class indices or probability rows). */
export function correctCount(output: Tensor, target: Tensor): number {
  checkValue('correctCount', 'output', output, { ...TENSOR, required: true });
  checkValue('correctCount', 'target', target, { ...TENSOR, required: true });
  if (output.rank !== 2) throw new ShapeError(`accuracy needs [batch, classes] outputs, got ${formatShape(output.shape)}`);
  const [m, n] = output.shape;
  const fits = target.rank === 1 ? target.shape[0] === m : target.rank === 2 && sameShape(target.shape, output.shape);
  if (!fits) {
    throw new ShapeError(`correctCount: target ${formatShape(target.shape)} fits neither class indices [${m}] nor one-hot rows ${formatShape(output.shape)}`);
  }
  const out = output.data;
  const tgt = target.data;
  const oneHotTargets = target.rank === 2;
  let correct = 0;
  for (let i = 0; i < m; i++) {
    const predicted = argmaxRow(out, i * n, n);
    const actual = oneHotTargets ? argmaxRow(tgt, i * n, n) : tgt[i];
    if (predicted === actual) correct++;
  }
  return correct;
}

function argmaxRow(values: Float32Array, start: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (values[start + j] > values[start + best]) best = j;
  return best;
}

export type MetricName = 'accuracy';
export const METRICS: readonly MetricName[] = ['accuracy'];
