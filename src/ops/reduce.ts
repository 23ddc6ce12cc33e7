import { formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { keep } from '../core/scope.js';
import { Binary } from '../backend/backend.js';
import { BOOLEAN, TENSOR, checkOptions, checkValue, int, required, type Rules } from '../core/validate.js';

// Sums and means, over everything or along one dimension of a tensor of any rank, with their
// gradients (the upstream gradient broadcast back over the reduced dimension). The options are
// torch's names, `dim` and `keepdim`, so `sum(x, { dim: 0 })` does what a torch user expects;
// numpy's `axis` or a misspelt key is an error that points to them.

export interface ReduceOptions {
  /** The dimension to reduce (negative counts from the end, as torch); absent: everything. */
  dim?: number;
  /** Keep the reduced dimension with size 1 (torch's keepdim). */
  keepdim?: boolean;
}

const RULES: Rules = { dim: int(), keepdim: BOOLEAN };
const X = required(TENSOR);

function reduce(name: string, x: Tensor, options: ReduceOptions | undefined, mean: boolean): Tensor {
  checkValue(name, 'x', x, X);
  const { dim, keepdim = false } = checkOptions<ReduceOptions>(name, options, RULES);
  const rank = Math.max(x.rank, 1); // a 0-d tensor takes dim 0 or -1, as in torch
  if (dim !== undefined) {
    checkValue(name, 'dim', dim, { ...int(-rank, rank - 1), description: `an integer in [${-rank}, ${rank - 1}] for x of shape ${formatShape(x.shape)}` });
  }
  if (dim === undefined || x.rank === 0) return reduceAll(name, x, keepdim, mean);
  const d = dim < 0 ? dim + rank : dim;
  return reduceDim(name, x, d, keepdim, mean);
}

function reduceAll(name: string, x: Tensor, keepdim: boolean, mean: boolean): Tensor {
  const k = requireBackend();
  const out = new Tensor(keepdim ? x.shape.map(() => 1) : []);
  const scale = mean ? 1 / x.size : 1;
  k.sumCols(x.offset, 1, x.size, out.offset, 0);
  if (mean) k.scale(out.offset, out.offset, 1, scale);
  return record(out, name, [x], [], (g, sink) => {
    const value = g.data[0] * Math.fround(scale);
    sink.write(x, (dst) => k.fill(dst, x.size, value));
  });
}

/**
 * x viewed as [outer, len, inner] reduced over `len`: one column sum when inner is 1, else one row
 * sum per outer slice (a 2-D tensor is a single kernel call either way). Each output element has
 * one fixed summation order, so results are deterministic.
 */
function reduceDim(name: string, x: Tensor, d: number, keepdim: boolean, mean: boolean): Tensor {
  const k = requireBackend();
  const outer = x.shape.slice(0, d).reduce((p, s) => p * s, 1);
  const len = x.shape[d];
  const inner = x.shape.slice(d + 1).reduce((p, s) => p * s, 1);
  const out = new Tensor(keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d));
  const slice = len * inner * 4;
  if (inner === 1) k.sumCols(x.offset, outer, len, out.offset, 0);
  else for (let o = 0; o < outer; o++) k.sumRows(x.offset + o * slice, len, inner, out.offset + o * inner * 4, 0);
  const scale = mean ? 1 / len : 1;
  if (mean) k.scale(out.offset, out.offset, out.size, scale);
  return record(out, name, [x], [], (g, sink) => {
    sink.write(x, (dst) => {
      // dx[o][l][i] = scale·g[o][i]: a broadcast multiply by a constant, g repeated along len.
      const s = keep(new Tensor([]));
      try {
        k.fill(s.offset, 1, scale);
        if (inner === 1) k.binary(Binary.mul, g.offset, 1, 0, s.offset, 0, 0, dst, outer, len);
        else for (let o = 0; o < outer; o++) k.binary(Binary.mul, g.offset + o * inner * 4, 0, 1, s.offset, 0, 0, dst + o * slice, len, inner);
      } finally {
        s.dispose();
      }
    });
  });
}

/** Σ x, over everything or along `dim` (torch.sum). */
export function sum(x: Tensor, options?: ReduceOptions): Tensor {
  return reduce('sum', x, options, false);
}

/** Mean of x, over everything or along `dim` (torch.mean). */
export function mean(x: Tensor, options?: ReduceOptions): Tensor {
  return reduce('mean', x, options, true);
}
