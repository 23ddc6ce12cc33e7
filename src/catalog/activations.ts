import { OptionError } from '../core/errors.js';
import { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, type Activation } from '../nn/activations.js';

// The hidden-layer activations as the command line and the demo offer them, by name. Browser-safe.

const ACTIVATIONS: Record<string, () => Activation> = {
  relu: () => new ReLU(),
  'leaky-relu': () => new LeakyReLU(),
  sigmoid: () => new Sigmoid(),
  tanh: () => new Tanh(),
  gelu: () => new GELU(),
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS);

export function makeActivation(name: string): Activation {
  const make = ACTIVATIONS[name];
  if (!make) throw new OptionError(`unknown activation '${name}'; choose one of ${ACTIVATION_NAMES.join(', ')}`);
  return make();
}
