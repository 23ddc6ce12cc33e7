import { Random, STATE_LENGTH, globalRandom } from '../core/rng.js';
import { OptionError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { BOOLEAN, POSITIVE_INT, arrayOf, checkOptions, checkValue, int, render, required } from '../core/validate.js';
import { GATHER_TRUSTED, checkDataset, ownedBuffer, type Dataset } from './dataset.js';

export interface DataLoaderOptions {
  /** Samples per batch (default 1). batchSize = dataset length is full-batch gradient descent. */
  batchSize?: number;
  /** Reshuffle the order at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /**
   * Seed of the loader's own generator, as torch's `generator=torch.Generator().manual_seed(seed)`.
   * Default: none; each epoch draws from the global generator, as torch's DataLoader does.
   */
  seed?: number;
}

/** Any integer seeds a Random; the generator itself rejects the unsafe ones. */
export const SEED = int();
const RULES = { batchSize: POSITIVE_INT, shuffle: BOOLEAN, dropLast: BOOLEAN, seed: SEED };
/** What getState() returns for a loader with its own generator: that generator's state. */
export const STATE = { ...arrayOf(int(0), STATE_LENGTH), description: `the ${STATE_LENGTH} integers a seeded loader's getState() returns` };

/**
 * Batches of a dataset, as torch.utils.data.DataLoader. `for (const [x, y] of loader)` walks one
 * epoch; with `shuffle` each epoch's order is torch's: the same seed gives torch's batch order.
 * Each epoch draws as torch's does: a 64-bit "base seed" (for worker processes, which Descent
 * does not have; drawn so that the stream stays in step with torch's), then, when shuffling,
 * a permutation — from the loader's own generator when it has a `seed`, else from a generator
 * seeded by one more draw of the global one. All of an epoch's draws happen as it begins (torch
 * makes the last ones as the epoch's last index is taken: the same unless a loop breaks early).
 * The batch tensors are buffers the loader owns and refills: valid until the next batch.
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The loader's own generator (a `seed` was given), or null: it draws from the global one. */
  private readonly random: Random | null;
  private buffers = new Map<number, Tensor[]>();

  constructor(dataset: Dataset, options?: DataLoaderOptions) {
    checkDataset('DataLoader', dataset);
    const { batchSize = 1, shuffle = false, dropLast = false, seed } = checkOptions<DataLoaderOptions>('DataLoader', options, RULES);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.random = seed === undefined ? null : new Random(seed);
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of the next epoch (each call is an epoch's draws, see the class comment). */
  nextOrder(): Uint32Array {
    const n = this.dataset.length;
    const generator = this.random ?? globalRandom;
    generator.nextSeed(); // torch's _base_seed
    if (this.shuffle) {
      if (this.random === null) return new Random(globalRandom.nextSeed()).randperm(n);
      const order = this.random.randperm(n);
      // torch's RandomSampler then computes randperm(n)[:0] (its num_samples % n remainder) when
      // the epoch's last index is taken. Only the loader's own generator sees those draws (an
      // epoch's throwaway generator above would discard them), so only it makes them.
      for (let i = 1; i < n; i++) this.random.nextU32();
      return order;
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
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

  /**
   * The loader's own generator's state, for checkpoints (a resumed run reshuffles identically);
   * null for a loader without a seed, whose draws come from the global generator (checkpoints
   * save that one themselves).
   */
  getState(): number[] | null {
    return this.random?.getState() ?? null;
  }

  setState(state: readonly number[] | null): void {
    if (this.random === null) {
      if (state !== null) throw new OptionError(`DataLoader.setState: this loader has no seed, it draws from the global generator; its state is null, got ${render(state)}`);
      return;
    }
    checkValue('DataLoader.setState', 'state', state, required(STATE)); // the generator checks the words themselves
    this.random.setState(state as readonly number[]);
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
