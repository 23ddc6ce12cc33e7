import { describe, it, expect, beforeAll } from 'vitest';
import { init } from '../src/backend/init.js';
import { manualSeed } from '../src/core/rng.js';
import { Tensor, OptionError } from '../src/index.js';
import { makeModel, inputShape } from '../src/catalog/index.js';

// The catalogue's two MNIST networks (src/catalog/models.ts): their layers, parameter counts
// (counted by hand from the layer sizes) and the input shape each takes.
beforeAll(async () => {
  await init();
});

describe('makeModel', () => {
  it("'cnn' is the LeNet of issue #15: 9,098 parameters, [N,1,28,28] → [N,10]", () => {
    manualSeed(0);
    const net = makeModel('cnn');
    // conv1 8·1·9 + 8, conv2 16·8·9 + 16, linear 784·10 + 10
    expect(net.numParameters()).toBe(8 * 9 + 8 + 16 * 8 * 9 + 16 + 784 * 10 + 10);
    expect(net.summary()).toMatch(/Conv2d\(1→8, 3, padding 1\)[\s\S]*MaxPool2d\(2\)[\s\S]*Linear\(784→10\)/);
    const x = new Tensor([3, ...inputShape('cnn')]);
    const y = net.predict(x);
    expect(y.shape).toEqual([3, 10]);
    x.dispose(); y.dispose(); net.dispose();
  });

  it("'mlp' is 784 → hidden → 10 with the activation, and dropout when asked", () => {
    const net = makeModel('mlp', { hidden: [16, 16], activation: 'tanh', dropout: 0.2 });
    expect(net.numParameters()).toBe(784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10);
    expect(net.summary()).toMatch(/Tanh[\s\S]*Dropout/);
    expect(inputShape('mlp')).toEqual([784]);
    net.dispose();
    const bare = makeModel('mlp');
    expect(bare.numParameters()).toBe(7850);
    bare.dispose();
  });

  it('an unknown name is an OptionError naming the choices', () => {
    expect(() => makeModel('rnn')).toThrow(OptionError);
    expect(() => makeModel('rnn')).toThrow(/makeModel: model must be one of mlp, cnn; got 'rnn'/);
  });
});
