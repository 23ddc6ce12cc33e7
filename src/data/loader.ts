import { Random, globalRandom } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { BOOLEAN, POSITIVE_INT, arrayOf, checkOptions, checkValue, int, required } from '../core/validate.js';
import { GATHER_TRUSTED, checkDataset, ownedBuffer, type Dataset } from './dataset.js';

export interface DataLoaderOptions {
  /** Samples per batch (default 1). batchSize = dataset length is full-batch gradient descent. */
  batchSize?: number;
  /** Reshuffle the order at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed of the shuffling generator; default: a seed drawn from the global generator. */
  seed?: number;
}

/** Any integer seeds a Random; the generator itself rejects the unsafe ones. */
export const SEED = int();
const RULES = { batchSize: POSITIVE_INT, shuffle: BOOLEAN, dropLast: BOOLEAN, seed: SEED };
/** What getState() returns: the generator's four state words. */
export const STATE = arrayOf(int(0), 4);

/**
 * Batches of a dataset, as torch.utils.data.DataLoader. `for (const [x, y] of loader)` walks one
 * epoch; with `shuffle` the order is redrawn from the loader's own seeded generator each epoch.
 * The batch tensors are buffers the loader owns and refills: valid until the next batch.
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly random: Random;
  private buffers = new Map<number, Tensor[]>();

  constructor(dataset: Dataset, options?: DataLoaderOptions) {
    checkDataset('DataLoader', dataset);
    const { batchSize = 1, shuffle = false, dropLast = false, seed } = checkOptions<DataLoaderOptions>('DataLoader', options, RULES);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.random = new Random(seed ?? globalRandom.nextU32());
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of the next epoch (advances the shuffling generator when shuffling). */
  nextOrder(): Uint32Array {
    const order = new Uint32Array(this.dataset.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = this.random.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const order = this.nextOrder();
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const indices = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
      const out = this.batchBuffers(indices.length);
      const dataset = this.dataset as Dataset & { [GATHER_TRUSTED]?: Dataset['gather'] };
      if (dataset[GATHER_TRUSTED]) dataset[GATHER_TRUSTED](indices, out);
      else dataset.gather(indices, out);
      yield out;
    }
  }

  /** The shuffling generator's state, for checkpoints (a resumed run reshuffles identically). */
  getState(): number[] {
    return this.random.getState();
  }

  setState(state: readonly number[]): void {
    checkValue('DataLoader.setState', 'state', state, required(STATE)); // the generator checks the words themselves
    this.random.setState(state);
  }

  /** Frees the batch buffers. */
  dispose(): void {
    for (const list of this.buffers.values()) list.forEach((t) => t.dispose());
    this.buffers.clear();
  }

  private batchBuffers(size: number): Tensor[] {
    let list = this.buffers.get(size);
    if (!list || list.some((t) => t.isDisposed)) {
      list = this.dataset.sampleShapes.map((shape) => ownedBuffer([size, ...shape]));
      this.buffers.set(size, list);
    }
    // Refilling is an in-place write: a graph recorded on the previous batch must not use it.
    for (const t of list) t.version++;
    return list;
  }
}
