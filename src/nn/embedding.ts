import { OptionError } from '../core/errors.js';
import { globalRandom, type Random } from '../core/rng.js';
import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { BOOLEAN, POSITIVE_INT, checkOptions, checkValue, int, required, tensorOf } from '../core/validate.js';
import { record } from '../autograd/node.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { GENERATOR, normal } from './init.js';
import { checkInput } from './validate.js';

export interface EmbeddingOptions {
  /**
   * A row whose gradient is always zero (a padding token); negative counts from the end, as torch.
   * It is zeroed at initialisation only: a loaded weight keeps its values there.
   */
  paddingIdx?: number;
}

const SIZE = required(POSITIVE_INT);

/** The weights Embedding.fromPretrained hands its constructor (null: draw them). */
let pretrained: Tensor | null = null;

/**
 * A lookup table, as torch.nn.Embedding: output[..., :] = weight[index] for every index of the
 * input (float32 tensors holding exact integers, as class-index targets; any shape), so the output
 * is [...input.shape, embeddingDim]. Initialised N(0, 1), as torch. The backward adds each output
 * row's gradient into its weight row in index order: repeated indices accumulate, deterministically.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row, in [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;
  readonly weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, given?: EmbeddingOptions) {
    super();
    checkValue('Embedding', 'numEmbeddings', numEmbeddings, SIZE);
    checkValue('Embedding', 'embeddingDim', embeddingDim, SIZE);
    const { paddingIdx } = checkOptions<EmbeddingOptions>('Embedding', given, { paddingIdx: int(-numEmbeddings, numEmbeddings - 1) });
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx === undefined ? null : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    this.weight = new Parameter(null, [numEmbeddings, embeddingDim]);
    if (pretrained) requireBackend().copy(pretrained.offset, this.weight.offset, pretrained.size);
    else this.resetParameters();
  }

  /**
   * An Embedding holding a copy of `embeddings` [numEmbeddings, embeddingDim], as torch's
   * Embedding.from_pretrained: frozen (`freeze`, default true: the weight takes no gradient, so
   * an optimizer leaves it as it is) or trainable; `paddingIdx` as the constructor's (the given
   * row is kept as it is, not zeroed).
   */
  static fromPretrained(embeddings: Tensor, given?: { freeze?: boolean; paddingIdx?: number }): Embedding {
    checkValue('Embedding.fromPretrained', 'embeddings', embeddings, required(tensorOf(2)));
    const [rows, dim] = embeddings.shape;
    const rules = { freeze: BOOLEAN, paddingIdx: int(-rows, rows - 1) };
    const { freeze = true, paddingIdx } = checkOptions<{ freeze?: boolean; paddingIdx?: number }>('Embedding.fromPretrained', given, rules);
    // The weights are given: nothing is drawn, so the global generator does not move (as torch).
    pretrained = embeddings;
    try {
      const layer = new Embedding(rows, dim, paddingIdx === undefined ? {} : { paddingIdx });
      layer.weight.requiresGrad_(!freeze);
      return layer;
    } finally {
      pretrained = null;
    }
  }

  /** Draws N(0, 1) weights and zeroes the padding row, as torch's reset_parameters. */
  resetParameters(generator: Random = globalRandom): void {
    checkValue(`${this.describe()}.resetParameters`, 'generator', generator, GENERATOR);
    normal(this.weight, 0, 1, generator);
    if (this.paddingIdx !== null) requireBackend().fill(this.weight.offset + this.paddingIdx * this.embeddingDim * 4, this.embeddingDim, 0);
  }

  override describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx ${this.paddingIdx}`})`;
  }

  forward(indices: Tensor): Tensor {
    checkInput(this, 'indices', indices);
    const values = indices.data;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= this.numEmbeddings) {
        throw new OptionError(`${this.describe()}: indices[${i}] = ${v} is not an index in [0, ${this.numEmbeddings}) (indices are float32 tensors of exact integers)`);
      }
    }
    const count = indices.size, dim = this.embeddingDim, { weight } = this;
    const y = this.buffer('y', [...indices.shape, dim]);
    const k = requireBackend();
    k.embeddingForward(weight.offset, indices.offset, count, dim, y.offset);
    const padding = this.paddingIdx ?? -1;
    // The indices take no gradient (they are integers); the version check guards their reuse.
    return record(y, this.describe(), [weight], [indices], (g, sink) => {
      sink.writeOrAdd(weight, (dst, add) => {
        if (!add) k.fill(dst, weight.size, 0);
        k.embeddingBackward(indices.offset, count, dim, padding, g.offset, dst);
      });
    });
  }
}
