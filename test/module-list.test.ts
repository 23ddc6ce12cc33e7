import { describe, it, expect, beforeAll } from 'vitest';
import { Adam, CrossEntropyLoss, Dropout, Linear, Module, ModuleDict, ModuleList, OptionError, ReLU, Sequential, manualSeed, relu, tensor, type Tensor } from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';

// ModuleList and ModuleDict (torch's nn.ModuleList / nn.ModuleDict): children registered under
// torch's names, reached by train(), stateDict() and optimizers; and the error for what torch
// silently misses, an array field of modules.

class Tower extends Module {
  readonly blocks = new ModuleList([new Linear(4, 6), new Linear(6, 6)]);
  readonly drop = new ModuleList<Dropout>();
  readonly head = new Linear(6, 3);

  constructor() {
    super();
    this.blocks.append(new Linear(6, 6));
    this.drop.extend([new Dropout(0.5)]);
  }

  forward(x: Tensor): Tensor {
    for (const block of this.blocks) x = relu(block.forward(x));
    return this.head.forward(this.drop.at(-1).forward(x));
  }
}

/** What torch misses silently: modules in a plain array. */
class Forgetful extends Module {
  readonly blocks = [new Linear(4, 4), new Linear(4, 2)];

  forward(x: Tensor): Tensor {
    return this.blocks[1].forward(this.blocks[0].forward(x));
  }
}

/** A shared trunk and one head per task, held by name. */
class MultiHead extends Module {
  readonly trunk = new Linear(5, 8);
  readonly heads = new ModuleDict<Module>({ digit: new Linear(8, 10), parity: new Linear(8, 2) });

  forward(x: Tensor): Tensor {
    return this.heads.get('digit').forward(relu(this.trunk.forward(x)));
  }
}

for (const config of CONFIGS) {
  describe(`ModuleList on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it("registers its modules as children 0, 1, … under torch's names; train()/eval() reach them; the forward is the layers one by one", () => {
      const tower = new Tower();
      expect(tower.namedParameters().map(([name, p]) => `${name} ${p.shape.join('×')}`)).toEqual([
        'blocks.0.weight 6×4', 'blocks.0.bias 6', 'blocks.1.weight 6×6', 'blocks.1.bias 6', 'blocks.2.weight 6×6', 'blocks.2.bias 6',
        'head.weight 3×6', 'head.bias 3',
      ]);
      expect([tower.blocks.length, tower.drop.length]).toEqual([3, 1]);
      expect(tower.blocks.at(-1)).toBe(tower.blocks.at(2));
      expect(tower.blocks.describe()).toBe('ModuleList(3 modules)');
      tower.eval();
      expect(tower.drop.at(0).training).toBe(false);
      const x = tensor(randomFloats(5 * 4, 1), [5, 4]);
      const chained = new Sequential([tower.blocks.at(0), new ReLU(), tower.blocks.at(1), new ReLU(), tower.blocks.at(2), new ReLU(), tower.head]);
      // Sequential moved the parameters into its block: the same tensors, so the same values either way.
      expect(Array.from(tower.forward(x).toArray())).toEqual(Array.from(chained.forward(x).toArray()));
      const saved = tower.stateDict();
      const fresh = new Tower();
      fresh.loadStateDict(saved);
      fresh.eval();
      expect(Array.from(fresh.forward(x).toArray())).toEqual(Array.from(tower.forward(x).toArray()));
      x.dispose();
      [chained, fresh].forEach((m) => m.dispose());
    });

    it('a model built on ModuleLists trains (every parameter reached by the optimizer), heap flat', () => {
      manualSeed(3);
      const tower = new Tower();
      const optimizer = new Adam(tower.parameters(), { lr: 1e-2 });
      const x = tensor(randomFloats(16 * 4, 2), [16, 4]), y = tensor(Array.from({ length: 16 }, (_, i) => i % 3));
      tower.eval(); // no dropout noise in a loss that must fall
      const before = tower.blocks.at(0).weight.toArray().slice();
      expectLearnsWithFlatHeap(tower, optimizer, new CrossEntropyLoss(), x, y, 100, 0.5);
      expect(Array.from(tower.blocks.at(0).weight.toArray())).not.toEqual(Array.from(before));
      [x, y].forEach((t) => t.dispose());
      tower.dispose();
    });

    it("ModuleDict: torch's names (heads.digit.weight) in the order given, get/has/keys/size, set replaces in place; its errors", () => {
      const model = new MultiHead();
      expect(model.namedParameters().map(([name]) => name)).toEqual([
        'trunk.weight', 'trunk.bias', 'heads.digit.weight', 'heads.digit.bias', 'heads.parity.weight', 'heads.parity.bias',
      ]);
      expect([model.heads.size, model.heads.has('parity'), model.heads.has('colour'), model.heads.keys()]).toEqual([2, true, false, ['digit', 'parity']]);
      expect(model.heads.describe()).toBe('ModuleDict(digit, parity)');
      const wider = new Linear(8, 12), old = model.heads.get('digit');
      model.heads.set('digit', wider).set('colour', new Linear(8, 3));
      expect(model.heads.keys()).toEqual(['digit', 'parity', 'colour']);
      expect(model.heads.get('digit')).toBe(wider);
      const x = tensor(randomFloats(4 * 5, 8), [4, 5]);
      expect([...model.forward(x).shape]).toEqual([4, 12]);
      expect(() => model.heads.get('color')).toThrow(/^ModuleDict.get: no module named "color"; it holds digit, parity, colour/);
      expect(() => model.heads.set('a.b', new ReLU())).toThrow(/^ModuleDict.set: the name "a.b" must be non-empty and without '\.'/);
      expect(() => model.heads.set('3', new ReLU())).toThrow(/^ModuleDict.set: the name 3 is a number/);
      for (const name of ['get', 'size', 'training']) expect(() => model.heads.set(name, new ReLU())).toThrow(new RegExp(`^ModuleDict.set: the name ${name} is one the module uses itself`));
      expect(() => model.heads.set('copy', wider)).toThrow(/^ModuleDict.set: Linear\(8→12\) is already held at digit/);
      expect(() => model.heads.set('bad', 'relu' as never)).toThrow(/^ModuleDict.set: module must be a Module/);
      expect(() => new ModuleDict([new ReLU()] as never)).toThrow(/^ModuleDict: modules must be an object of named modules/);
      expect(() => model.heads.forward()).toThrow(/^ModuleDict\(digit, parity, colour\).forward: a ModuleDict only holds modules/);
      x.dispose();
      [model, old].forEach((m) => m.dispose());
    });

    it('errors: an array field of modules (torch misses it silently) names ModuleList; bad indices, modules and forward are typed', () => {
      const forgetful = new Forgetful();
      expect(() => forgetful.parameters()).toThrow(OptionError);
      expect(() => new Adam(forgetful.parameters())).toThrow(/^Forgetful: field blocks is an array holding 2 modules that nothing registers.*new ModuleList\(\[\.\.\.\]\)/);
      expect(() => forgetful.stateDict()).toThrow(/field blocks/);
      forgetful.dispose(); // still frees what it can, without throwing
      const list = new ModuleList([new Linear(2, 2)]);
      expect(() => list.at(1)).toThrow(/^ModuleList.at: index 1 is out of range for 1 module/);
      expect(() => list.at(-2)).toThrow(OptionError);
      expect(() => list.at(0.5)).toThrow(/^ModuleList.at: index must be an integer/);
      expect(() => list.append({} as never)).toThrow(/^ModuleList.append: module must be a Module/);
      expect(() => new ModuleList([new Linear(2, 2), 3] as never)).toThrow(/^ModuleList: modules\[1\] must be a Module/);
      expect(() => list.forward()).toThrow(/^ModuleList\(1 module\).forward: a ModuleList only holds modules/);
      expect(() => list.append(list.at(0))).toThrow(/^ModuleList.append: Linear\(2→2\) is already held at 0/);
      const gone = new Linear(2, 2);
      gone.dispose();
      expect(() => list.append(gone)).toThrow(/^ModuleList.append: Linear\(2→2\) was disposed/);
      expect(list.length).toBe(1);
      list.dispose();
    });
  });
}
