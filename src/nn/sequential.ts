import { DisposedError, OptionError } from '../core/errors.js';
import { SEED, arrayOf, checkOptions, checkValue, instanceOf, required } from '../core/validate.js';
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

export interface SequentialOptions {
  /**
   * Seeds the initialisation: layers are given to the constructor already built, so a seed here
   * re-draws the weights of every layer that has `resetParameters` (Linear, Conv2d, Embedding) in
   * order from `new Random(seed)`. Equivalent to calling
   * `manualSeed(seed)` before building the layers.
   */
  seed?: number;
}

/**
 * Layers applied in order. Children are named `0`, `1`, … as in torch, so `0.weight` is the
 * first layer's weight. All parameters are gathered into one contiguous block and all gradients
 * into another (same order), so an optimizer updates the whole model in one kernel call. A Linear or convolution followed by an activation runs as one fused layer.
 */
export class Sequential extends Module {
  readonly layers: readonly Module[];
  /** Every parameter of the model, back to back. */
  readonly parameterBlock: Tensor;
  /** Every gradient, in the same order and offsets as `parameterBlock`. */
  readonly gradientBlock: Tensor;

  constructor(layers: Module[], given?: SequentialOptions) {
    super();
    checkValue('Sequential', 'layers', layers, LAYERS);
    const options = checkOptions<SequentialOptions>('Sequential', given, { seed: SEED });
    checkLayers(layers);
    layers.forEach((layer, i) => {
      (this as unknown as Record<string, Module>)[String(i)] = layer;
    });
    this.layers = Module.childrenView([...layers]); // the children 0, 1, … listed
    if (options.seed !== undefined) reinitialise(layers, new Random(options.seed));
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

/**
 * Each layer once, alive: the model gathers its layers' parameters into its own block, which a
 * layer listed twice (or a disposed one) cannot share.
 */
function checkLayers(layers: readonly Module[]): void {
  layers.forEach((layer, i) => {
    const first = layers.indexOf(layer);
    if (first !== i) {
      throw new OptionError(`Sequential: layers[${i}] is the same ${layer.describe()} as layers[${first}]; a module can appear once (create another layer)`);
    }
    for (const [name, p] of layer.namedParameters()) {
      if (p.isDisposed) throw new DisposedError(`Sequential: layers[${i}] (${layer.describe()}) was disposed: its ${name} is freed`);
    }
  });
}

function reinitialise(layers: Module[], generator: Random): void {
  for (const layer of layers) (layer as { resetParameters?: (g: Random) => void }).resetParameters?.(generator);
}
