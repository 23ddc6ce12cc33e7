import { ShapeError, formatShape, OptionError } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { TENSOR, checkValue, isTensor, render } from '../core/validate.js';

/** A dataset's gather without argument checks, for callers whose arguments are valid by construction. */
export const GATHER_TRUSTED: unique symbol = Symbol('gatherTrusted');

/** Samples addressable by index; `gather` copies the chosen rows into batch tensors. */
export interface Dataset {
  readonly length: number;
  /** Copies samples `indices` into `out` (tensors shaped [indices.length, …]). */
  gather(indices: ArrayLike<number>, out: Tensor[]): void;
  /** The shape of one sample of each tensor (without the batch dimension). */
  readonly sampleShapes: readonly (readonly number[])[];
}

/** Tensors sharing their first dimension, as torch.utils.data.TensorDataset. */
export class TensorDataset implements Dataset {
  readonly tensors: readonly Tensor[];
  readonly length: number;
  readonly sampleShapes: readonly (readonly number[])[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new OptionError('TensorDataset: pass one or more tensors, e.g. new TensorDataset(x, y)');
    tensors.forEach((t, i) => checkSamples('TensorDataset', `tensors[${i}]`, t));
    const n = tensors[0].shape[0];
    const bad = tensors.find((t) => t.shape[0] !== n);
    if (bad) {
      throw new ShapeError(`TensorDataset: tensors must have the same number of samples, got ${tensors.map((t) => formatShape(t.shape)).join(' and ')}`);
    }
    this.tensors = tensors;
    this.length = n;
    this.sampleShapes = tensors.map((t) => t.shape.slice(1));
  }

  /**
   * Checked, since a wrong index or buffer would read or write another tensor's memory: the row
   * numbers, and the size of each output.
   */
  gather(indices: ArrayLike<number>, out: Tensor[]): void {
    checkRowIndices('TensorDataset.gather', indices, this.length);
    if (!Array.isArray(out) || out.length !== this.tensors.length) {
      throw new OptionError(`TensorDataset.gather: out must hold ${this.tensors.length} tensors, got ${render(out)}`);
    }
    this.tensors.forEach((t, i) => {
      const o: unknown = out[i];
      if (!(o instanceof Tensor) || o.size * this.length !== indices.length * t.size) {
        const want = formatShape([indices.length, ...this.sampleShapes[i]]);
        throw new ShapeError(`TensorDataset.gather: out[${i}] must be a Tensor of shape ${want}, got ${render(o)}`);
      }
    });
    this[GATHER_TRUSTED](indices, out);
  }

  /**
   * The copy without the checks, for the DataLoader: its indices are a permutation of the rows it
   * drew itself and its buffers are the ones it made, so checking them every step (about 2.5 µs of
   * a 32-row batch, measured) would only prove that again.
   */
  [GATHER_TRUSTED](indices: ArrayLike<number>, out: Tensor[]): void {
    const k = requireBackend();
    this.tensors.forEach((t, which) => {
      const row = t.size / Math.max(this.length, 1);
      const dst = out[which].offset, src = t.offset;
      for (let i = 0; i < indices.length; i++) k.copy(src + indices[i] * row * 4, dst + i * row * 4, row);
    });
  }
}

/** Checks that `t` is a live Tensor with a first (sample) dimension. */
export function checkSamples(owner: string, name: string, t: unknown): asserts t is Tensor {
  checkValue(owner, name, t, { ...TENSOR, required: true });
  if ((t as Tensor).rank === 0) throw new ShapeError(`${owner}: ${name} must have a first (sample) dimension, got a scalar tensor of shape []`);
}

/**
 * Checks the Dataset interface at run time: a tensor or an array passed where a dataset belongs
 * would otherwise give NaN batches or none at all.
 */
export function checkDataset(owner: string, dataset: unknown): asserts dataset is Dataset {
  const d = dataset as Partial<Dataset> | null;
  const ok = typeof d === 'object' && d !== null && !isTensor(d) && Number.isSafeInteger(d.length) && (d.length as number) >= 0 &&
    typeof d.gather === 'function' && Array.isArray(d.sampleShapes);
  if (!ok) {
    const hint = isTensor(dataset) ? ' (wrap tensors as new TensorDataset(x, y))' : '';
    throw new OptionError(
      `${owner}: dataset must be a Dataset (an object with length, gather() and sampleShapes, e.g. a TensorDataset), got ${render(dataset)}${hint}`,
    );
  }
}

/** Row numbers: an array or typed array of integers in [0, rows). */
function checkRowIndices(owner: string, indices: unknown, rows: number): asserts indices is ArrayLike<number> {
  const list = Array.isArray(indices) || (ArrayBuffer.isView(indices) && !(indices instanceof DataView)) ? (indices as ArrayLike<unknown>) : null;
  if (list === null) throw new OptionError(`${owner}: indices must be an array of row numbers, got ${render(indices)}`);
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r >= rows) {
      throw new OptionError(`${owner}: indices[${i}] must be a row number in [0, ${rows}), got ${render(r)}`);
    }
  }
}

/** A tensor made of some rows of `t` (a copy). */
export function takeRows(t: Tensor, indices: ArrayLike<number>): Tensor {
  checkSamples('takeRows', 't', t);
  checkRowIndices('takeRows', indices, t.shape[0]);
  const out = new Tensor([indices.length, ...t.shape.slice(1)]);
  const row = t.size / Math.max(t.shape[0], 1);
  const k = requireBackend();
  for (let i = 0; i < indices.length; i++) k.copy(t.offset + indices[i] * row * 4, out.offset + i * row * 4, row);
  return out;
}

/** An untracked tensor for buffers a loader owns. */
export function ownedBuffer(shape: readonly number[]): Tensor {
  return keep(new Tensor(shape));
}
