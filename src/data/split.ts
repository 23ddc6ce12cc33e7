import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { Random } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { BOOLEAN, anyOf, checkOptions, int, real } from '../core/validate.js';
import { checkSamples, takeRows } from './dataset.js';
import { SEED } from './loader.js';
import { LABELS, classIndices } from './one-hot.js';

export interface SplitOptions {
  /** Fraction (0, 1) or number of samples for the test set (default 0.25, as scikit-learn). */
  testSize?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Keep the class proportions of these labels (class indices) in both parts. */
  stratify?: Tensor | ArrayLike<number>;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
}

const RULES = { testSize: anyOf(real(0, 1, 'both'), int(1)), seed: SEED, stratify: LABELS, shuffle: BOOLEAN };

/** [xTrain, xTest, yTrain, yTest] (scikit-learn's order); new tensors, rows copied. */
export function trainTestSplit(x: Tensor, y: Tensor, options?: SplitOptions): [Tensor, Tensor, Tensor, Tensor] {
  checkSamples('trainTestSplit', 'x', x);
  checkSamples('trainTestSplit', 'y', y);
  const { testSize = 0.25, seed = 0, shuffle = true, stratify } = checkOptions<SplitOptions>('trainTestSplit', options, RULES);
  const n = x.shape[0];
  if (y.shape[0] !== n) {
    throw new ShapeError(`trainTestSplit: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} have different numbers of samples`);
  }
  const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!(testSize > 0) || !Number.isInteger(nTest) || nTest >= n) {
    throw new OptionError(`trainTestSplit: testSize must be a fraction in (0, 1) or a sample count below ${n}, got ${testSize}`);
  }
  const random = new Random(seed);
  const permute = (idx: number[]) => {
    if (!shuffle) return idx;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx;
  };
  let train: number[] = [], test: number[] = [];
  if (stratify !== undefined) {
    const labels = classIndices('trainTestSplit', 'stratify', stratify);
    if (labels.length !== n) throw new ShapeError(`trainTestSplit: stratify has ${labels.length} labels for ${n} samples`);
    const byClass = new Map<number, number[]>();
    labels.forEach((c, i) => (byClass.get(c) ?? byClass.set(c, []).get(c)!).push(i));
    for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
      const idx = permute(byClass.get(c)!);
      const k = Math.round((idx.length * nTest) / n);
      test.push(...idx.slice(0, k));
      train.push(...idx.slice(k));
    }
    train = permute(train);
    test = permute(test);
  } else {
    const idx = permute(Array.from({ length: n }, (_, i) => i));
    test = idx.slice(0, nTest);
    train = idx.slice(nTest);
  }
  return [takeRows(x, train), takeRows(x, test), takeRows(y, train), takeRows(y, test)];
}
