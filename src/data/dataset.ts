import { ShapeError, formatShape, OptionError } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { TENSOR, checkValue, isTensor, render } from '../core/validate.js';

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

  gather(indices: ArrayLike<number>, out: Tensor[]): void {
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

/** A tensor made of some rows of `t` (a copy). */
export function takeRows(t: Tensor, indices: ArrayLike<number>): Tensor {
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
