import { OptionError } from '../core/errors.js';
import { globalRandom, type Random } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';

// Weight initialisers with torch.nn.init's definitions of fan, gain and bounds. Each fills the
// tensor in place from the seeded generator (the global one unless `generator` is given) and
// returns it. Values are drawn on the host in element order, so a seed gives the same weights in
// every backend and environment.

export type Nonlinearity = 'linear' | 'conv' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

export interface KaimingOptions {
  /** The negative slope of the leaky ReLU after this layer (only with leaky_relu). Default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  generator?: Random;
}

/** torch.nn.init.calculate_gain */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
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
  if (t.rank < 2) throw new OptionError(`fan in and fan out need a tensor with at least 2 dimensions, got ${t.rank}`);
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
  if (!(a <= b)) throw new OptionError(`uniform: a must be ≤ b, got a=${a}, b=${b}`);
  return fillWith(t, () => generator.uniform(a, b));
}

export function normal(t: Tensor, mean = 0, std = 1, generator: Random = globalRandom): Tensor {
  if (!(std >= 0)) throw new OptionError(`normal: std must be ≥ 0, got ${std}`);
  return fillWith(t, () => generator.normal(mean, std));
}

export function zeros(t: Tensor): Tensor {
  t.data.fill(0);
  return t;
}

export function ones(t: Tensor): Tensor {
  t.data.fill(1);
  return t;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = options;
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new OptionError(`kaiming: mode must be 'fan_in' or 'fan_out', got ${JSON.stringify(mode)}`);
  const [fanIn, fanOut] = fans(t);
  const fan = mode === 'fan_in' ? fanIn : fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** U(−b, b) with b = gain·√(3/fan) (He et al., 2015). */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound, options.generator);
}

/** N(0, std²) with std = gain/√fan (He et al., 2015). */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, options), options.generator);
}

/** U(−b, b) with b = gain·√(6/(fanIn + fanOut)) (Glorot & Bengio, 2010). */
export function xavierUniform(t: Tensor, gain = 1, generator: Random = globalRandom): Tensor {
  const [fanIn, fanOut] = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, generator);
}

/** N(0, std²) with std = gain·√(2/(fanIn + fanOut)) (Glorot & Bengio, 2010). */
export function xavierNormal(t: Tensor, gain = 1, generator: Random = globalRandom): Tensor {
  const [fanIn, fanOut] = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}
