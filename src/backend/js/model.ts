import type { ModelKernels } from '../backend.js';
import type { HeapView } from './views.js';
import * as act from './activations.js';
import * as loss from './losses.js';
import * as ops from './ops.js';

/** The model kernels of the js backend, bound to one heap view. */
export function modelKernels(h: HeapView): ModelKernels {
  return {
    activationForward: (a, p, x, y, n) => act.activationForward(h, a, p, x, y, n),
    activationBackward: (a, p, x, y, dy, dx, n) => act.activationBackward(h, a, p, x, y, dy, dx, n),
    biasActivation: (c, m, n, bias, a, p, y) => act.biasActivation(h, c, m, n, bias, a, p, y),
    softmaxRows: (x, y, m, n) => act.softmaxRows(h, x, y, m, n),
    logSoftmaxRows: (x, y, m, n) => act.logSoftmaxRows(h, x, y, m, n),
    softmaxRowsBackward: (y, dy, dx, m, n) => act.softmaxRowsBackward(h, y, dy, dx, m, n),
    logSoftmaxRowsBackward: (y, dy, dx, m, n) => act.logSoftmaxRowsBackward(h, y, dy, dx, m, n),
    crossEntropyForward: (logits, t, pt, eps, m, n, probs, losses) =>
      loss.crossEntropyForward(h, logits, t, pt, eps, m, n, probs, losses),
    crossEntropyBackward: (probs, t, pt, eps, m, n, scale, rowScale, d) =>
      loss.crossEntropyBackward(h, probs, t, pt, eps, m, n, scale, rowScale, d),
    nllForward: (logp, t, m, n, losses) => loss.nllForward(h, logp, t, m, n, losses),
    nllBackward: (t, m, n, scale, rowScale, d) => loss.nllBackward(h, t, m, n, scale, rowScale, d),
    lossForward: (k, p, x, t, w, n, cols, out) => loss.lossForward(h, k, p, x, t, w, n, cols, out),
    lossBackward: (k, p, x, t, w, n, cols, scale, g, d) =>
      loss.lossBackward(h, k, p, x, t, w, n, cols, scale, g, d),
    unary: (op, p, x, y, n) => ops.unary(h, op, p, x, y, n),
    unaryBackward: (op, p, x, y, dy, dx, n) => ops.unaryBackward(h, op, p, x, y, dy, dx, n),
    binary: (op, a, ar, ac, b, br, bc, out, m, n) => ops.binary(h, op, a, ar, ac, b, br, bc, out, m, n),
    sumRows: (x, m, n, out, acc) => ops.sumRows(h, x, m, n, out, acc),
    sumCols: (x, m, n, out, acc) => ops.sumCols(h, x, m, n, out, acc),
    transpose: (x, m, n, y) => ops.transpose(h, x, m, n, y),
  };
}
