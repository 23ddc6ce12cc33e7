import { OptionError } from '../core/errors.js';
import { Random, globalRandom } from '../core/rng.js';
import { checkShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkOptions, checkValue, instanceOf, int, required } from '../core/validate.js';

// torch.rand, randn, randint and randperm: tensors of draws from the global generator (or a given
// one), in torch's order and by torch's rules, so that after manualSeed(s) they hold the numbers
// torch's functions give after torch.manual_seed(s) (randn to a few ulps; see src/core/rng.ts).
// Tensors are float32: randint and randperm hold integers up to 2^24, where float32 is exact.

export interface RandomOptions {
  /** Draw from this generator instead of the global one (torch's `generator=`). */
  generator?: Random;
}

const RULES = { generator: instanceOf(Random) };
const EXACT = 2 ** 24;
const EXACT_INT = int(-EXACT, EXACT);

function start(owner: string, shape: unknown, options: RandomOptions | undefined): [Tensor, Random] {
  checkShape(owner, shape);
  const { generator = globalRandom } = checkOptions<RandomOptions>(owner, options, RULES);
  return [new Tensor(shape as number[]), generator];
}

function filledWith(t: Tensor, values: Float32Array): Tensor {
  t.data.set(values);
  return t;
}

/** Uniform draws in [0, 1), as torch.rand(shape). */
export function rand(shape: readonly number[], options?: RandomOptions): Tensor {
  const [t, generator] = start('rand', shape, options);
  const values = new Float32Array(t.size);
  generator.fillUniform(values);
  return filledWith(t, values);
}

/** Standard normal draws, as torch.randn(shape). */
export function randn(shape: readonly number[], options?: RandomOptions): Tensor {
  const [t, generator] = start('randn', shape, options);
  const values = new Float32Array(t.size);
  generator.fillNormal(values);
  return filledWith(t, values);
}

/**
 * Integers uniform in [low, high), as torch.randint: `randint(high, shape)` or
 * `randint(low, high, shape)`; each is a 32-bit draw modulo high − low, plus low (torch's rule).
 */
export function randint(high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(low: number, high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  const [low, high, shape, options] = Array.isArray(args[1]) || args.length < 3 ? [0, ...args] : args;
  checkValue('randint', 'low', low, required(EXACT_INT));
  checkValue('randint', 'high', high, required(EXACT_INT));
  if (!((high as number) > (low as number))) {
    throw new OptionError(`randint: high must be greater than low, got low ${low} and high ${high}`);
  }
  const [t, generator] = start('randint', shape, options as RandomOptions | undefined);
  const range = (high as number) - (low as number);
  const values = new Float32Array(t.size);
  for (let i = 0; i < values.length; i++) values[i] = (generator.nextU32() % range) + (low as number);
  return filledWith(t, values);
}

/** A random permutation of 0 … n − 1, as torch.randperm(n) (float32 values; n ≤ 2^24). */
export function randperm(n: number, options?: RandomOptions): Tensor {
  checkValue('randperm', 'n', n, required(int(0, EXACT)));
  const [t, generator] = start('randperm', [n], options);
  return filledWith(t, Float32Array.from(generator.randperm(n)));
}
