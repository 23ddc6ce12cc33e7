import { describe, it, beforeAll, expect } from 'vitest';
import {
  Linear, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, Sequential, Module,
  MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss,
  tensor, type Tensor,
} from '../src/index.js';
import { CONFIGS, use } from './helpers.js';
import { layerCases, lossCases, fromGolden, expectAllClose } from './golden.js';

// Tolerances from ../shared/golden/README.md (layers, losses).
const ATOL = 1e-5, RTOL = 1e-4;

function buildLayer(layer: string, options: Record<string, unknown>): Module {
  switch (layer) {
    case 'Linear': return new Linear(options.inFeatures as number, options.outFeatures as number, { bias: options.bias as boolean });
    case 'ReLU': return new ReLU();
    case 'LeakyReLU': return new LeakyReLU(options as { negativeSlope?: number });
    case 'Sigmoid': return new Sigmoid();
    case 'Tanh': return new Tanh();
    case 'GELU': return new GELU(options as { approximate?: 'none' | 'tanh' });
    case 'Softmax': return new Softmax(options as { dim?: number });
    case 'LogSoftmax': return new LogSoftmax(options as { dim?: number });
    default: throw new Error(`golden case uses an unknown layer ${layer}`);
  }
}

function buildLoss(loss: string, options: Record<string, unknown>): Module & { forward(i: Tensor, t: Tensor): Tensor } {
  const o = { ...options } as Record<string, unknown>;
  if (o.posWeight) o.posWeight = Float32Array.from((o.posWeight as { data: number[] }).data);
  switch (loss) {
    case 'MSELoss': return new MSELoss(o);
    case 'L1Loss': return new L1Loss(o);
    case 'HuberLoss': return new HuberLoss(o);
    case 'SmoothL1Loss': return new SmoothL1Loss(o);
    case 'BCELoss': return new BCELoss(o);
    case 'BCEWithLogitsLoss': return new BCEWithLogitsLoss(o);
    case 'CrossEntropyLoss': return new CrossEntropyLoss(o);
    case 'NLLLoss': return new NLLLoss(o);
    default: throw new Error(`golden case uses an unknown loss ${loss}`);
  }
}

for (const config of CONFIGS) {
  describe(`PyTorch golden layers on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const c of layerCases) {
      it(`${c.name}: forward and backward match torch`, () => {
        const layer = buildLayer(c.layer, c.options);
        const x = fromGolden(c.inputs.x).requiresGrad_();
        if (layer instanceof Linear) {
          layer.weight.data.set(Float32Array.from(c.inputs.weight.data));
          if (layer.bias) layer.bias.data.set(Float32Array.from(c.inputs.bias.data));
        }
        const y = layer.forward(x);
        expectAllClose(y.toArray(), c.expected.y.data, ATOL, RTOL, `${c.name} y`);
        const dy = fromGolden(c.inputs.dy);
        y.backward(dy);
        expectAllClose(x.grad!.toArray(), c.expected.dx.data, ATOL, RTOL, `${c.name} dx`);
        if (layer instanceof Linear) {
          expectAllClose(layer.weight.grad.toArray(), c.expected.dweight.data, ATOL, RTOL, `${c.name} dweight`);
          if (layer.bias) expectAllClose(layer.bias.grad.toArray(), c.expected.dbias.data, ATOL, RTOL, `${c.name} dbias`);
        }
        for (const t of [x, dy]) t.dispose();
        layer.dispose();
      });
    }

    it('Linear → activation fused inside Sequential matches the two layers run apart', () => {
      const lin = layerCases.find((c) => c.name === 'Linear')!;
      for (const act of ['ReLU', 'Tanh', 'Sigmoid', 'GELU', 'LeakyReLU']) {
        const first = buildLayer('Linear', lin.options) as Linear;
        const actOptions = act === 'LeakyReLU' ? { negativeSlope: 0.2 } : {}; // a foreign key is an error
        const apart = [first, buildLayer(act, actOptions)];
        const fused = new Sequential([buildLayer('Linear', lin.options), buildLayer(act, actOptions)]);
        for (const l of [first, fused.layers[0] as Linear]) {
          l.weight.data.set(Float32Array.from(lin.inputs.weight.data));
          l.bias!.data.set(Float32Array.from(lin.inputs.bias.data));
        }
        const x1 = fromGolden(lin.inputs.x).requiresGrad_(), x2 = fromGolden(lin.inputs.x).requiresGrad_();
        const y1 = apart[1].forward(apart[0].forward(x1));
        const y2 = fused.forward(x2);
        expect(Array.from(y2.toArray())).toEqual(Array.from(y1.toArray()));
        const dy = tensor(Float32Array.from({ length: y1.size }, (_, i) => Math.sin(i)), y1.shape);
        y1.backward(dy);
        y2.backward(dy);
        expect(Array.from(x2.grad!.toArray())).toEqual(Array.from(x1.grad!.toArray()));
        const f = fused.layers[0] as Linear;
        expect(Array.from(f.weight.grad.toArray())).toEqual(Array.from(first.weight.grad.toArray()));
        expect(Array.from(f.bias!.grad.toArray())).toEqual(Array.from(first.bias!.grad.toArray()));
        for (const t of [x1, x2, dy]) t.dispose();
        apart.forEach((l) => l.dispose());
        fused.dispose();
      }
    });
  });

  describe(`PyTorch golden losses on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const c of lossCases) {
      it(`${c.name}: value and gradient match torch`, () => {
        const loss = buildLoss(c.loss, c.options);
        const input = fromGolden(c.input).requiresGrad_();
        const target = fromGolden(c.target);
        const out = loss.forward(input, target);
        expectAllClose([out.item()], [c.expected.loss], ATOL, RTOL, `${c.name} loss`);
        out.backward();
        expectAllClose(input.grad!.toArray(), c.expected.gradInput.data, ATOL, RTOL, `${c.name} gradInput`);
        input.dispose(); target.dispose(); loss.dispose();
      });
    }
  });
}
