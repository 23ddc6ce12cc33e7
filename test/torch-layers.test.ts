import { describe, it, expect, beforeAll } from 'vitest';
import fixture from './fixtures/layers-torch.json';
import {
  AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, Conv1d, ConvTranspose2d, ELU, Hardsigmoid, Hardswish, MaxPool1d, Mish,
  ReLU6, SELU, SiLU, PReLU, GroupNorm, CrossEntropyLoss, NLLLoss, KLDivLoss, RNN, LSTM, GRU, InstanceNorm1d, InstanceNorm2d, Upsample, type Module,
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} from '../src/index.js';
import { CONFIGS, use } from './helpers.js';
import type { Tensor } from '../src/index.js';
import { expectAllClose, fromGolden, type GoldenTensor } from './golden.js';

// Layers against PyTorch 1.13, each case a torch.nn layer by name, positional arguments and
// options (test/fixtures/layers-torch.json, written by scripts/make-layers-fixture.py): the 1-D
// layers with every option, the three padding modes and 2-D and 3-D inputs; the adaptive max
// pools; ConvTranspose2d with every option; AvgPool2d's divisorOverride; the activations beyond
// ReLU, Sigmoid, Tanh, LeakyReLU and GELU (those: ../shared/golden); GroupNorm and InstanceNorm; Upsample; the padding layers (those torch 1.13
// lacks, ZeroPad1d and CircularPad1d/2d, against F.pad of their mode); CrossEntropyLoss and NLLLoss on
// [N, C, d1, …] and KLDivLoss (the case's target passed too); LSTM's, GRU's and RNN's output and final state, bidirectional
// too, some from a given state. The parameters are loaded
// from the case; output, input and parameter gradients compared.

interface Case {
  name: string; layer: keyof typeof LAYERS; args: unknown[]; options: Record<string, unknown>;
  parameters: Record<string, GoldenTensor>; input: GoldenTensor; target?: GoldenTensor; gradOutput: GoldenTensor;
  /** A recurrent layer's initial state (h, and c for LSTM). */
  state?: Record<string, GoldenTensor>;
  expected: Record<string, GoldenTensor>;
}

const LAYERS = {
  Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, ConvTranspose2d, AvgPool2d,
  SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6, PReLU, CrossEntropyLoss, NLLLoss, KLDivLoss, RNN, LSTM, GRU, GroupNorm, InstanceNorm1d, InstanceNorm2d, Upsample,
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} as const;

/** The layer as torch built it: positional arguments, then the options (none for the adaptive pools; ELU's alpha either way). */
function build(c: Case): Module {
  const Layer = LAYERS[c.layer] as unknown as new (...args: unknown[]) => Module;
  const options = c.layer.startsWith('Adaptive') || Object.keys(c.options).length === 0 ? [] : [c.options];
  return new Layer(...c.args, ...options);
}

for (const config of CONFIGS) {
  describe(`torch's layers by name on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const c of fixture.cases as unknown as Case[]) {
      it(`${c.name}: output and gradients match torch`, () => {
        const layer = build(c);
        const named = Object.fromEntries(layer.namedParameters());
        expect(Object.keys(named).sort()).toEqual(Object.keys(c.parameters).sort());
        for (const [key, value] of Object.entries(c.parameters)) {
          expect([...named[key].shape], key).toEqual(value.shape);
          named[key].data.set(value.data);
        }
        const x = fromGolden(c.input).requiresGrad_(), g = fromGolden(c.gradOutput);
        const target = c.target ? fromGolden(c.target) : null;
        const state = c.state ? Object.fromEntries(Object.entries(c.state).map(([key, value]) => [key, fromGolden(value)])) : null;
        const y = target || state ? (layer as Module & { forward(x: Tensor, t: unknown): Tensor }).forward(x, target ?? state) : layer.forward(x);
        expect([...y.shape]).toEqual(c.expected.output.shape);
        expectAllClose(y.toArray(), c.expected.output.data, 1e-5, 1e-4, `${c.name} output`);
        // A recurrent layer's final state (h_n, c_n), every layer and direction.
        for (const [key, name] of [['h', 'h_n'], ['c', 'c_n']] as const) {
          if (!c.expected[name]) continue;
          const final = (layer as unknown as { state: Record<string, Tensor> }).state[key];
          expect([...final.shape], name).toEqual(c.expected[name].shape);
          expectAllClose(final.toArray(), c.expected[name].data, 1e-5, 1e-4, `${c.name} ${name}`);
        }
        y.backward(g);
        expectAllClose(x.grad!.toArray(), c.expected.gradInput.data, 1e-5, 1e-4, `${c.name} gradInput`);
        for (const key of Object.keys(c.parameters)) {
          expectAllClose(named[key].grad!.toArray(), c.expected[`grad_${key}`].data, 1e-5, 1e-4, `${c.name} grad ${key}`);
        }
        [x, g, ...(target ? [target] : []), ...Object.values(state ?? {})].forEach((t) => t.dispose());
        layer.dispose();
      });
    }
  });
}
