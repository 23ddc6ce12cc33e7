import { describe, expect, it } from 'vitest';
import { parityRun } from './parity-run.js';
import expected from './fixtures/parity.json';

// The same seeded training run (test/parity-run.ts: MNIST subset, Adam + cosine annealing, 50
// steps) must leave bit-identical weights in Node and in Chromium: both projects compare against
// the one committed hash per build. The simd and scalar builds agree too (the kernels fix every
// summation order, the SIMD lanes included), so the fixture holds the same hash twice.

describe('parity: one seeded training run, the same weights everywhere', () => {
  for (const build of ['simd', 'scalar'] as const) {
    it(`${build} build matches the committed hash`, async () => {
      const result = await parityRun(build);
      expect({ hash: result.hash, loss: result.loss }).toEqual({ hash: expected[build], loss: expected.loss[build] });
    });
  }

  it('simd and scalar builds agree bit for bit', async () => {
    const simd = await parityRun('simd');
    const scalar = await parityRun('scalar');
    expect(scalar).toEqual(simd);
  });
});
