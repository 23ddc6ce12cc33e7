import { describe, it, expect, beforeAll } from 'vitest';
import { Adam, Conv2d, CrossEntropyLoss, DisposedError, Flatten, Linear, MaxPool2d, OptionError, ReLU, Sequential, manualSeed, tensor } from '../src/index.js';
import { CONFIGS, randomFloats, use } from './helpers.js';

// Sequential given named layers (torch's nn.Sequential(OrderedDict(...))): the children carry the
// names, so the state_dict says conv1.weight as torch's does (a torch checkpoint of that form loads:
// safetensors-torch.test.ts); everything else is the numbered Sequential's, bit for bit.

const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));

function build(named: boolean): Sequential {
  manualSeed(1);
  const layers = [new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 3 * 3, 3)];
  if (!named) return new Sequential(layers);
  const [conv1, relu1, pool1, flatten, fc] = layers;
  return new Sequential({ conv1, relu1, pool1, flatten, fc });
}

for (const config of CONFIGS) {
  describe(`Sequential of named layers on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it("names the children as given (conv1.weight, fc.bias); forward, fusion and a training step are the numbered model's bits", () => {
      const named = build(true), numbered = build(false);
      expect(Object.keys(named.stateDict())).toEqual(['conv1.weight', 'conv1.bias', 'fc.weight', 'fc.bias']);
      expect(Object.keys(numbered.stateDict())).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
      expect(named.layers.map((l) => l.constructor.name)).toEqual(['Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']);
      const x = tensor(randomFloats(2 * 36, 3), [2, 1, 6, 6]), y = tensor([0, 2]);
      const losses = [named, numbered].map((model) => {
        const optimizer = new Adam(model.parameters(), { lr: 1e-2 }), lossFn = new CrossEntropyLoss();
        const out: number[] = [];
        for (let step = 0; step < 3; step++) {
          optimizer.zeroGrad();
          const loss = lossFn.forward(model.forward(x), y);
          loss.backward();
          optimizer.step();
          out.push(loss.item());
        }
        lossFn.dispose();
        return out;
      });
      expect(losses[0]).toEqual(losses[1]);
      expect(bitsOf(named.parameterBlock.toArray())).toEqual(bitsOf(numbered.parameterBlock.toArray()));
      // A numbered model's weights load into the named one by position, through their values.
      const fresh = new Sequential({ conv1: new Conv2d(1, 4, 3, { padding: 1 }), relu1: new ReLU(), pool1: new MaxPool2d(2), flatten: new Flatten(), fc: new Linear(36, 3) });
      const renamed = Object.fromEntries(Object.entries(numbered.stateDict()).map(([k, v]) => [k.replace(/^0\./, 'conv1.').replace(/^4\./, 'fc.'), v]));
      fresh.loadStateDict(renamed);
      expect(bitsOf(fresh.forward(x).toArray())).toEqual(bitsOf(numbered.forward(x).toArray()));
      [x, y].forEach((t) => t.dispose());
      [named, numbered, fresh].forEach((m) => m.dispose());
    });

    it('refuses names torch refuses or JavaScript would reorder, names Sequential uses, values that are not modules, a module twice and a disposed one', () => {
      const a = new Linear(2, 2), b = new ReLU();
      expect(() => new Sequential({ 'fc.1': a })).toThrow(/^Sequential: the name "fc.1" must be non-empty and without '\.'/);
      expect(() => new Sequential({ '': a })).toThrow(OptionError);
      expect(() => new Sequential({ fc: a, 2: b })).toThrow(/^Sequential: the name 2 is a number; numbered modules are a list's/);
      expect(() => new Sequential({ layers: a })).toThrow(/^Sequential: the name layers is one the module uses itself/);
      expect(() => new Sequential({ forward: a })).toThrow(/the name forward is one the module uses itself/);
      expect(() => new Sequential({ fc: a, act: 'relu' } as never)).toThrow(/^Sequential: layers.act must be a Module, got "relu"/);
      expect(() => new Sequential({ first: a, second: a })).toThrow(/^Sequential: layers.second is the same Linear\(2→2\) as layers.first; a module can appear once/);
      expect(() => new Sequential(new Map([['fc', a]]) as never)).toThrow(/^Sequential: layers must be an array of modules, or an object of named modules/);
      expect(() => new Sequential(a as never)).toThrow(/^Sequential: layers must be an array of modules, or an object of named modules/);
      const gone = new Linear(2, 2);
      gone.dispose();
      expect(() => new Sequential({ gone })).toThrow(DisposedError);
      [a, b].forEach((m) => m.dispose());
    });
  });
}
