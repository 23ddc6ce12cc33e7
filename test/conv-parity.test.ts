import { describe, expect, it } from 'vitest';
import { convParityRun } from './conv-parity-run.js';
import expected from './fixtures/conv-parity.json';

// A seeded CNN run (test/conv-parity-run.ts: the course's CNN, real digits, Adam, 12 steps) must
// leave the same weights, bit for bit, on every wasm build and in both Node and Chromium: each is
// held to the one committed hash. The threads build (1 and 2 threads) is held to it in
// test/conv-threads.test.ts, whose first init asks for a shared heap. (The js backend is not: its
// reference gemm accumulates in float64, by design.)

describe('conv parity: one seeded CNN run, the same weights everywhere', () => {
  for (const build of ['simd', 'scalar'] as const) {
    it(`wasm ${build} matches the committed hash`, async () => {
      const result = await convParityRun({ backend: 'wasm', build });
      expect({ hash: result.hash, loss: result.loss }).toEqual({ hash: expected.hash, loss: expected.loss });
    });
  }
});
