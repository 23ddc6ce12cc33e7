import { OptionError } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { tensor } from '../ops/creation.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';
import { FINITE, anyOf, arrayOf, checkOptions, instanceOf, oneOf, tensorOf, type Rules } from '../core/validate.js';

// Losses as torch.nn defines them, each a Module whose forward(input, target) returns a scalar
// ('mean', 'sum') or the unreduced losses ('none'). Each is one kernel forward and one backward;
// cross-entropy fuses softmax and the loss (never softmax, then log, then gather).

export type Reduction = 'mean' | 'sum' | 'none';

const REDUCTION: Rules = { reduction: oneOf('mean', 'sum', 'none') };

export abstract class Loss extends Module {
  /** How the per-item losses are reduced ('batchmean': KLDivLoss's sum divided by the batch size). */
  readonly reduction: Reduction | 'batchmean';

  /** Checks the options against `reduction` plus the loss's own `rules` (torch's `weight`, a typo: errors). */
  constructor(given: unknown, rules: Rules = {}) {
    super();
    const options = checkOptions<{ reduction?: Reduction | 'batchmean' }>(new.target.name, given, { ...REDUCTION, ...rules });
    this.reduction = options.reduction ?? 'mean';
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;

  protected checkTarget(target: unknown): asserts target is Tensor {
    checkInput(this, 'target', target);
    if ((target as Tensor).requiresGrad) {
      throw new OptionError(`${this.describe()}: gradients with respect to the target are not supported; pass a target without requiresGrad`);
    }
  }

  /**
   * The class scores as rows, [rows, classes]: the input itself when it is [B, C]; for torch's
   * K-dimensional form [N, C, d1, …, dk] (a segmentation's per-pixel scores) its classes moved last
   * into a buffer of the loss, `key` ([N·d1⋯dk, C], one transposeAxes call, recorded so the gradient
   * moves back), with the item shape [N, d1, …, dk] the unreduced losses take.
   */
  protected classRows(input: Tensor, key: string, recorded: boolean): { rows: Tensor; itemShape: number[] } {
    if (input.rank === 2) return { rows: input, itemShape: [input.shape[0]] };
    const [n, c] = input.shape, rest = input.shape.slice(2), d = rest.reduce((p, v) => p * v, 1);
    const rows = this.buffer(key, [n * d, c]);
    const k = requireBackend();
    k.transposeAxes(input.offset, n, c, 1, d, 1, rows.offset, c * d);
    const moved = recorded ? record(rows, `${this.describe()} classes last`, [input], [], (g, sink) => {
      sink.write(input, (dst) => k.transposeAxes(g.offset, n, d, 1, c, 1, dst, c * d));
    }) : rows;
    return { rows: moved, itemShape: [n, ...rest] };
  }

  /**
   * Reduces per-item losses to the output and records the backward. `backward(scale, rowScale,
   * dst)` writes d(loss)/d(input) with each item's upstream factor: `scale` for all items, or
   * the offset `rowScale` of per-item factors (0 when unused).
   */
  protected reduce(
    input: Tensor, perItem: Tensor, meanDivisor: number, saved: Tensor[],
    backward: (scale: number, rowScale: number, dst: number) => void,
  ): Tensor {
    const k = requireBackend();
    if (this.reduction === 'none') {
      return record(perItem, this.describe(), [input], saved, (g, sink) => {
        sink.write(input, (dst) => backward(0, g.offset, dst));
      });
    }
    const out = this.buffer('loss', []);
    k.sumCols(perItem.offset, 1, perItem.size, out.offset, 0);
    const factor = this.reduction === 'sum' ? 1 : 1 / meanDivisor; // 'mean', 'batchmean'
    if (factor !== 1) k.scale(out.offset, out.offset, 1, factor);
    return record(out, this.describe(), [input], saved, (g, sink) => {
      const scale = Math.fround(g.data[0] * factor);
      sink.write(input, (dst) => backward(scale, 0, dst));
    });
  }
}

export interface ReductionOptions {
  reduction?: Reduction;
}

/** A vector option (BCEWithLogits' posWeight, the class losses' weight): a 1-D tensor, an array or a Float32Array. */
export const VECTOR = anyOf(tensorOf(1), arrayOf(FINITE), instanceOf(Float32Array));

export type VectorLike = Tensor | readonly number[] | Float32Array;

/** The loss's own copy of a vector option (kept past any scope; the loss frees it), its entries checked finite. */
export function keptVector(owner: string, name: string, given: VectorLike): Tensor {
  const t = keep(given instanceof Tensor ? given.clone() : tensor(given as number[]));
  const bad = t.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const value = t.data[bad];
    t.dispose();
    throw new OptionError(`${owner}: ${name}[${bad}] = ${value} must be finite`);
  }
  return t;
}
