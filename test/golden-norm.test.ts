import { describe, it, beforeAll, expect } from 'vitest';
import convJson from '../../shared/golden/conv.json';
import { BatchNorm1d, BatchNorm2d, LayerNorm, Embedding, Module, Parameter } from '../src/index.js';
import { CONFIGS, use } from './helpers.js';
import { fromGolden, expectAllClose, type GoldenTensor } from './golden.js';

// The BatchNorm, LayerNorm and Embedding cases of ../shared/golden/conv.json (PyTorch 1.13): build
// the layer from the case's options, load its parameters and buffers, run forward and backward in
// the case's mode, and compare the output, the gradients and the running statistics. Every size
// and option is read from the file (the hidden copy uses others). Tolerances: the README's `conv`.
const ATOL = 1e-5, RTOL = 1e-4;
const LAYERS = ['BatchNorm1d', 'BatchNorm2d', 'LayerNorm', 'Embedding'];

interface NormCase {
  name: string; layer: string; options: Record<string, unknown>; training: boolean;
  input: GoldenTensor; params: Record<string, GoldenTensor>; buffers?: Record<string, GoldenTensor>;
  gradOutput: GoldenTensor;
  expected: {
    output: GoldenTensor; gradInput?: GoldenTensor; gradParams?: Record<string, GoldenTensor>;
    buffers?: Record<string, GoldenTensor>;
  };
}

const cases = (convJson.cases as unknown as NormCase[]).filter((c) => LAYERS.includes(c.layer));

/** The layer with torch's positional arguments taken out of the case's options. */
function build(c: NormCase): Module {
  const { numFeatures, normalizedShape, numEmbeddings, embeddingDim, ...rest } = c.options;
  switch (c.layer) {
    case 'BatchNorm1d': return new BatchNorm1d(numFeatures as number, rest);
    case 'BatchNorm2d': return new BatchNorm2d(numFeatures as number, rest);
    case 'LayerNorm': return new LayerNorm(normalizedShape as number[], rest);
    case 'Embedding': return new Embedding(numEmbeddings as number, embeddingDim as number, rest);
    default: throw new Error(`unknown layer ${c.layer}`);
  }
}

for (const config of CONFIGS) {
  describe(`PyTorch golden normalisation and embedding layers on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('reads every norm and embedding case of conv.json', () => {
      for (const layer of LAYERS) expect(cases.some((c) => c.layer === layer), layer).toBe(true);
    });

    for (const c of cases) {
      it(`${c.name}: output, gradients and running statistics match torch`, () => {
        const layer = build(c);
        try {
          layer.train(c.training);
          // Parameters and buffers go in through loadStateDict, as a torch checkpoint's would.
          const own = layer.stateDict();
          const dict = Object.fromEntries(Object.entries(own).map(([name, entry]) => {
            const given = c.params[name] ?? c.buffers?.[name];
            return [name, given ? { shape: given.shape, data: Float32Array.from(given.data) } : entry];
          }));
          expect(Object.keys(c.params).every((n) => n in own), 'torch parameter names').toBe(true);
          layer.loadStateDict(dict);
          const integer = c.layer === 'Embedding';
          const x = fromGolden(c.input);
          if (!integer) x.requiresGrad_();
          const y = layer.forward(x);
          expectAllClose(y.toArray(), c.expected.output.data, ATOL, RTOL, `${c.name} output`);
          const g = fromGolden(c.gradOutput);
          y.backward(g);
          if (c.expected.gradInput) expectAllClose(x.grad!.toArray(), c.expected.gradInput.data, ATOL, RTOL, `${c.name} gradInput`);
          const params = Object.fromEntries(layer.namedParameters()) as Record<string, Parameter>;
          expect(Object.keys(params).sort(), 'parameters').toEqual(Object.keys(c.expected.gradParams ?? {}).sort());
          for (const [name, want] of Object.entries(c.expected.gradParams ?? {})) {
            expectAllClose(params[name].grad.toArray(), want.data, ATOL, RTOL, `${c.name} grad ${name}`);
          }
          const state = layer.stateDict();
          // Exactly torch's state_dict keys, so load_state_dict(strict=True) accepts a save of ours.
          expect(Object.keys(state).sort(), 'state_dict keys').toEqual([...Object.keys(c.params), ...Object.keys(c.expected.buffers ?? {})].sort());
          for (const [name, want] of Object.entries(c.expected.buffers ?? {})) {
            expect(state[name], `buffer ${name}`).toBeDefined();
            if (want.dtype === 'int64') {
              expect(state[name].dtype, `${name} dtype`).toBe('int64');
              expect(Array.from(state[name].data), name).toEqual(want.data);
            } else {
              expectAllClose(state[name].data, want.data, ATOL, RTOL, `${c.name} ${name}`);
            }
            expect(state[name].shape, `${name} shape`).toEqual(want.shape);
          }
          x.dispose();
          g.dispose();
        } finally {
          layer.dispose();
        }
      });
    }
  });
}
