import { describe, it, expect, beforeAll } from 'vitest';
import { tensor, Linear, ReLU, LeakyReLU, Sequential, manualSeed } from '../src/index.js';
import { CONFIGS, use } from './helpers.js';

// A Linear keeps the name of its graph node rather than building it on every forward
// (Module.fusedName): the name must still follow the activation it was fused with on each call.
for (const config of CONFIGS) {
  describe(`graph node names on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('a Linear names its node for the activation of each call, alone or fused', () => {
      manualSeed(0);
      const linear = new Linear(3, 2);
      const model = new Sequential([linear, new ReLU()]);
      const x = tensor([[1, 2, 3]]);
      expect(model.forward(x).gradFn!.name).toBe('Linear(3→2) → ReLU');
      expect(linear.forward(x).gradFn!.name).toBe('Linear(3→2)');
      expect(model.forward(x).gradFn!.name).toBe('Linear(3→2) → ReLU');
      expect(linear.forwardActivated(x, new LeakyReLU(0.2)).gradFn!.name).toBe('Linear(3→2) → LeakyReLU(0.2)');
      x.dispose();
      model.dispose();
    });
  });
}
