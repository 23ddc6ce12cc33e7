import { describe, it, beforeAll, expect } from 'vitest';
import convJson from '../../shared/golden/conv.json';
import {
  Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, ReLU, Flatten, Linear, Sequential, CrossEntropyLoss,
  tensor, type Module,
} from '../src/index.js';
import { SGD } from '../src/optim/index.js';
import { CONFIGS, use } from './helpers.js';
import { fromGolden, expectAllClose, type GoldenTensor } from './golden.js';

// The Conv2d and pooling cases of ../shared/golden/conv.json (PyTorch 1.13) and its small CNN
// trained 5 steps with SGD + momentum. Every size and option is read from the file (the hidden
// copy uses others). Tolerances: the README's `conv` row.
const ATOL = 1e-5, RTOL = 1e-4;
const LAYERS = ['Conv2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d'];

interface LayerCase {
  name: string; layer: string; options: Record<string, unknown>; training: boolean;
  input: GoldenTensor; params: Record<string, GoldenTensor>; gradOutput: GoldenTensor;
  expected: { output: GoldenTensor; gradInput: GoldenTensor; gradParams?: Record<string, GoldenTensor> };
}

interface CnnCase {
  name: string;
  model: { layers: { type: string; options: Record<string, unknown> }[] };
  initialParams: (GoldenTensor & { name: string })[];
  batches: { x: GoldenTensor; y: GoldenTensor }[];
  optimizer: { name: string; options: { lr: number; momentum: number } };
  steps: number;
  expected: { losses: number[]; params: number[][] };
}

const all = convJson.cases as unknown as (LayerCase | CnnCase)[];
const layerCases = all.filter((c): c is LayerCase => 'layer' in c && LAYERS.includes(c.layer));
const cnnCases = all.filter((c): c is CnnCase => 'model' in c);

/** A layer from the file's options, torch's positional arguments taken out. */
function build(type: string, options: Record<string, unknown>): Module {
  const { inChannels, outChannels, kernelSize, outputSize, inFeatures, outFeatures, ...rest } = options;
  switch (type) {
    case 'Conv2d': return new Conv2d(inChannels as number, outChannels as number, kernelSize as number, rest);
    case 'MaxPool2d': return new MaxPool2d(kernelSize as number, rest);
    case 'AvgPool2d': return new AvgPool2d(kernelSize as number, rest);
    case 'AdaptiveAvgPool2d': return new AdaptiveAvgPool2d(outputSize as number);
    case 'ReLU': return new ReLU();
    case 'Flatten': return new Flatten();
    case 'Linear': return new Linear(inFeatures as number, outFeatures as number, rest);
    default: throw new Error(`golden case uses an unknown layer ${type}`);
  }
}

for (const config of CONFIGS) {
  describe(`PyTorch golden convolution and pooling on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('reads every convolution and pooling layer of conv.json, and the CNN', () => {
      for (const layer of LAYERS) expect(layerCases.some((c) => c.layer === layer), layer).toBe(true);
      expect(cnnCases.length).toBeGreaterThan(0);
    });

    for (const c of layerCases) {
      it(`${c.name}: output and gradients match torch`, () => {
        const layer = build(c.layer, c.options);
        layer.train(c.training);
        const own = layer.stateDict();
        expect(Object.keys(own).sort(), 'torch parameter names').toEqual(Object.keys(c.params).sort());
        layer.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data) }])));
        const x = fromGolden(c.input).requiresGrad_();
        const g = fromGolden(c.gradOutput);
        const y = layer.forward(x);
        expect([...y.shape]).toEqual(c.expected.output.shape);
        expectAllClose(y.toArray(), c.expected.output.data, ATOL, RTOL, `${c.name} output`);
        y.backward(g);
        expectAllClose(x.grad!.toArray(), c.expected.gradInput.data, ATOL, RTOL, `${c.name} gradInput`);
        for (const [name, p] of layer.namedParameters()) {
          expectAllClose(p.grad.toArray(), c.expected.gradParams![name].data, ATOL, RTOL, `${c.name} grad of ${name}`);
        }
        layer.dispose(); x.dispose(); g.dispose();
      });
    }

    for (const c of cnnCases) {
      it(`${c.name}: ${c.steps} steps of losses and final parameters match torch`, () => {
        const model = new Sequential(c.model.layers.map((l) => build(l.type, l.options)));
        expect(model.namedParameters().map(([n]) => n)).toEqual(c.initialParams.map((p) => p.name));
        model.loadStateDict(Object.fromEntries(c.initialParams.map((p) => [p.name, { shape: p.shape, data: Float32Array.from(p.data) }])));
        const lossFn = new CrossEntropyLoss();
        const optimizer = new SGD(model.parameters(), c.optimizer.options);
        expect(c.batches.length).toBe(c.steps);
        c.batches.forEach((batch, step) => {
          const x = fromGolden(batch.x);
          const y = tensor(batch.y.data);
          optimizer.zeroGrad();
          const loss = lossFn.forward(model.forward(x), y);
          expectAllClose([loss.item()], [c.expected.losses[step]], ATOL, RTOL, `${c.name} loss[${step}]`);
          loss.backward();
          optimizer.step();
          x.dispose(); y.dispose();
        });
        model.parameters().forEach((p, i) => expectAllClose(p.toArray(), c.expected.params[i], ATOL, RTOL, `${c.name} ${c.initialParams[i].name}`));
        model.dispose(); lossFn.dispose();
      });
    }
  });
}
