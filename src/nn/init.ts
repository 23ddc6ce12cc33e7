import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { Random, globalRandom } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { FINITE, NON_NEGATIVE, TENSOR, checkOptions, checkValue, instanceOf, oneOf, required, type Rules } from '../core/validate.js';

// Weight initialisers with torch.nn.init's definitions of fan, gain and bounds. Each fills the
// tensor in place from the seeded generator (the global one unless `generator` is given) and
// returns it. Values are drawn on the host in element order, so a seed gives the same weights in
// every backend and environment.

export type Nonlinearity = 'linear' | 'conv' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

const NONLINEARITIES = ['linear', 'conv', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'] as const;
/** The rule for an initialiser's `generator` option. @internal */
export const GENERATOR = instanceOf(Random);
const WEIGHT = required(TENSOR);
const KAIMING_RULES: Rules = {
  a: FINITE, mode: oneOf('fan_in', 'fan_out'), nonlinearity: oneOf(...NONLINEARITIES), generator: GENERATOR,
};

/** Checks an initialiser's tensor, its number arguments and its generator, naming the initialiser. */
function checkArgs(owner: string, t: Tensor, numbers: Record<string, unknown>, generator: unknown, numberRule = FINITE): void {
  checkValue(owner, 't', t, WEIGHT);
  for (const name in numbers) checkValue(owner, name, numbers[name], required(numberRule));
  checkValue(owner, 'generator', generator, GENERATOR);
}

export interface KaimingOptions {
  /** The negative slope of the leaky ReLU after this layer (only with leaky_relu). Default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  generator?: Random;
}

/** torch.nn.init.calculate_gain */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  checkValue('calculateGain', 'nonlinearity', nonlinearity, required(oneOf(...NONLINEARITIES)));
  checkValue('calculateGain', 'param', param, FINITE);
  switch (nonlinearity) {
    case 'linear': case 'conv': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new OptionError(`calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** [fanIn, fanOut] of a weight [out, in, …receptive field]. */
export function fans(t: Tensor): [number, number] {
  checkValue('fans', 't', t, WEIGHT);
  if (t.rank < 2) throw new ShapeError(`fans: fan in and fan out need a tensor with at least 2 dimensions, got shape ${formatShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function fillWith(t: Tensor, draw: () => number): Tensor {
  const values = new Float32Array(t.size);
  for (let i = 0; i < values.length; i++) values[i] = draw();
  t.data.set(values);
  return t;
}

export function uniform(t: Tensor, a = 0, b = 1, generator: Random = globalRandom): Tensor {
  checkArgs('uniform', t, { a, b }, generator);
  if (!(a <= b)) throw new OptionError(`uniform: a must be ≤ b, got a=${a}, b=${b}`);
  return fillWith(t, () => generator.uniform(a, b));
}

export function normal(t: Tensor, mean = 0, std = 1, generator: Random = globalRandom): Tensor {
  checkArgs('normal', t, { mean }, generator);
  checkValue('normal', 'std', std, required(NON_NEGATIVE));
  // The whole tensor at once: torch's normal_ draws a tensor of 16 or more in blocks of 16.
  const values = new Float32Array(t.size);
  generator.fillNormal(values, mean, std);
  t.data.set(values);
  return t;
}

export function zeros(t: Tensor): Tensor {
  checkValue('zeros_', 't', t, WEIGHT);
  t.data.fill(0);
  return t;
}

export function ones(t: Tensor): Tensor {
  checkValue('ones_', 't', t, WEIGHT);
  t.data.fill(1);
  return t;
}

function kaimingStd(owner: string, t: Tensor, given: KaimingOptions | undefined): number {
  checkValue(owner, 't', t, WEIGHT);
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = checkOptions<KaimingOptions>(owner, given, KAIMING_RULES);
  const [fanIn, fanOut] = fans(t);
  if (t.size === 0) return 0; // as torch: initialising a zero-element tensor is a no-op
  const fan = mode === 'fan_in' ? fanIn : fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** U(−b, b) with b = gain·√(3/fan) (He et al., 2015). */
export function kaimingUniform(t: Tensor, options?: KaimingOptions): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform', t, options);
  return uniform(t, -bound, bound, options?.generator);
}

/** N(0, std²) with std = gain/√fan (He et al., 2015). */
export function kaimingNormal(t: Tensor, options?: KaimingOptions): Tensor {
  return normal(t, 0, kaimingStd('kaimingNormal', t, options), options?.generator);
}

/** U(−b, b) with b = gain·√(6/(fanIn + fanOut)) (Glorot & Bengio, 2010). */
export function xavierUniform(t: Tensor, gain = 1, generator: Random = globalRandom): Tensor {
  checkArgs('xavierUniform', t, { gain }, generator, NON_NEGATIVE);
  const [fanIn, fanOut] = fans(t);
  const bound = t.size === 0 ? 0 : gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, generator);
}

/** N(0, std²) with std = gain·√(2/(fanIn + fanOut)) (Glorot & Bengio, 2010). */
export function xavierNormal(t: Tensor, gain = 1, generator: Random = globalRandom): Tensor {
  checkArgs('xavierNormal', t, { gain }, generator, NON_NEGATIVE);
  const [fanIn, fanOut] = fans(t);
  return normal(t, 0, t.size === 0 ? 0 : gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}
