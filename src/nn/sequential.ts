import { DisposedError, OptionError } from '../core/errors.js';
import { SEED, arrayOf, checkOptions, checkValue, instanceOf, render, required } from '../core/validate.js';
import { Random } from '../core/rng.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { requireBackend } from '../core/runtime.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { ConvNd } from './conv.js';
import { Activation, ReLU } from './activations.js';
import { MaxPool2d } from './pooling.js';
import { checkInput } from './validate.js';
import { checkChildName, isPlainObject } from './child-names.js';

export interface SequentialOptions {
  /**
   * Seeds the initialisation: layers are given to the constructor already built, so a seed here
   * re-draws the weights of every layer that has `resetParameters` (Linear, Conv2d, Embedding) in
   * order from `new Random(seed)`. Equivalent to calling
   * `manualSeed(seed)` before building the layers.
   */
  seed?: number;
}

/** Named layers in order, as torch's `nn.Sequential(OrderedDict(...))`: `{ conv1: …, relu1: … }`. */
export type NamedLayers = Record<string, Module>;

/**
 * Layers applied in order. Children are named `0`, `1`, … as in torch, so `0.weight` is the
 * first layer's weight; given an object of named layers (torch's OrderedDict form) they carry
 * those names, so `conv1.weight`. All parameters are gathered into one contiguous block and all
 * gradients into another (same order), so an optimizer updates the whole model in one kernel
 * call. A Linear or convolution followed by an activation runs as one fused layer.
 */
export class Sequential extends Module {
  readonly layers: readonly Module[];
  /** Every parameter of the model, back to back. */
  readonly parameterBlock: Tensor;
  /** Every gradient, in the same order and offsets as `parameterBlock`. */
  readonly gradientBlock: Tensor;

  constructor(layers: readonly Module[] | NamedLayers, given?: SequentialOptions) {
    super();
    const named = namedLayers(layers);
    const options = checkOptions<SequentialOptions>('Sequential', given, { seed: SEED });
    checkLayers(named, Array.isArray(layers));
    for (const [name, layer] of named) (this as unknown as Record<string, Module>)[name] = layer;
    this.layers = Module.childrenView(named.map(([, layer]) => layer)); // the children listed
    if (options.seed !== undefined) reinitialise(this.layers, new Random(options.seed));
    const params = this.parameters();
    const total = params.reduce((n, p) => n + p.size, 0);
    this.parameterBlock = keep(new Tensor([total]));
    this.gradientBlock = keep(new Tensor([total]));
    requireBackend().fill(this.gradientBlock.offset, total, 0);
    let offset = 0;
    for (const p of params) {
      p.relocateInto(this.parameterBlock, offset * 4);
      p.grad.relocateInto(this.gradientBlock, offset * 4);
      offset += p.size;
    }
  }

  override describe(): string {
    return `Sequential(${this.layers.length} layers)`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i];
      const next = this.layers[i + 1];
      if (reluThenMaxPool(this.layers, i + 1)) {
        h = (this.layers[i + 2] as MaxPool2d).forwardActivated(layer.forward(h), this.layers[i + 1] as ReLU);
        i += 2;
      } else if ((layer instanceof Linear || layer instanceof ConvNd) && next instanceof Activation) {
        h = layer.forwardActivated(h, next);
        i++;
      } else {
        h = layer.forward(h);
      }
    }
    return h;
  }

  override dispose(): void {
    super.dispose();
    this.parameterBlock.dispose();
    this.gradientBlock.dispose();
  }
}

/**
 * Whether layers i, i + 1 are ReLU → MaxPool2d, which forward() runs as MaxPool2d → ReLU (the ReLU
 * then runs on the pooled map, a quarter of the size for 2×2 windows, inside the pool's kernels
 * when they take 2×2 windows: MaxPool2d.forwardActivated), with the same bits:
 * Forward: max and ReLU (max(·, 0), NaN passing) commute, window by window, −0 and NaN included.
 * Backward: the pooled ReLU passes a window's gradient unless its value is ≤ 0; in the written
 * order the gradient is scattered to the argmax and then passed unless the input there is ≤ 0.
 * Where the window's maximum is > 0 (or NaN) both orders pick the same element and pass the same
 * gradients, added in the same window order. Where it is ≤ 0 (both orders' argmax may differ, on
 * ties of 0) every element of the window is ≤ 0, so any element it could reach gets 0 in both:
 * ReLU's backward writes 0 there, and the reordered scatter adds only zeros (0 + 0 = +0).
 * Sigmoid or a leaky slope would scale each window's gradient before the sum instead of after,
 * which rounds differently where windows overlap: those keep the written order.
 */
function reluThenMaxPool(layers: readonly Module[], i: number): boolean {
  return layers[i] instanceof ReLU && layers[i + 1] instanceof MaxPool2d;
}

const LAYERS = required(arrayOf(instanceOf(Module, 'Module')));
/** Sequential's own fields, which a layer's name would overwrite. */
const FIELDS = ['layers', 'parameterBlock', 'gradientBlock'];

/** The layers with their children's names: `0`, `1`, … for an array; the keys of named layers, checked. */
function namedLayers(layers: unknown): [string, Module][] {
  if (Array.isArray(layers)) {
    checkValue('Sequential', 'layers', layers, LAYERS);
    return layers.map((layer: Module, i) => [String(i), layer]);
  }
  if (!isPlainObject(layers)) {
    throw new OptionError(`Sequential: layers must be an array of modules, or an object of named modules ({ conv1: …, relu1: … }, torch's OrderedDict form), got ${render(layers)}`);
  }
  const entries = Object.entries(layers);
  for (const [name, layer] of entries) {
    if (!(layer instanceof Module)) throw new OptionError(`Sequential: layers.${name} must be a Module, got ${render(layer)}`);
    checkChildName('Sequential', name, Sequential.prototype, FIELDS);
  }
  return entries as [string, Module][];
}

/**
 * Each layer once, alive: the model gathers its layers' parameters into its own block, which a
 * layer listed twice (or a disposed one) cannot share.
 */
function checkLayers(layers: readonly [string, Module][], numbered: boolean): void {
  const label = (name: string) => (numbered ? `layers[${name}]` : `layers.${name}`);
  const modules = layers.map(([, layer]) => layer);
  layers.forEach(([name, layer], i) => {
    const first = modules.indexOf(layer);
    if (first !== i) {
      throw new OptionError(`Sequential: ${label(name)} is the same ${layer.describe()} as ${label(layers[first][0])}; a module can appear once (create another layer)`);
    }
    for (const [key, p] of layer.namedParameters()) {
      if (p.isDisposed) throw new DisposedError(`Sequential: ${label(name)} (${layer.describe()}) was disposed: its ${key} is freed`);
    }
  });
}

function reinitialise(layers: readonly Module[], generator: Random): void {
  for (const layer of layers) (layer as { resetParameters?: (g: Random) => void }).resetParameters?.(generator);
}
