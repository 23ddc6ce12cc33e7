import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { tensor, type Tensor } from '../src/index.js';
import { CONFIGS, use } from './helpers.js';
import { requireBackend } from '../src/core/runtime.js';
import { Act } from '../src/backend/backend.js';

// LeNet's pool kernels (maxPool2x2Forward/Backward) against the general ones, bit for bit, on the
// inputs that pick their paths: planes with no NaN (the simd build's pseudo-max tree), planes whose
// NaNs all sit at the top-left of their windows (the tree still gives the rule's answer) and planes
// with a NaN anywhere (pooled again by the rule itself), among ties, ±0 and ±∞. NaNs of several
// payloads, signalling and negative ones included: the max is the element's own bits.

const NANS = [0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa5a5a5, 0xff812345];
const VALUES = [-2, -1, -0, 0, 1, 2, Infinity, -Infinity];

type Mode = 'no NaN' | 'NaN at top-left' | 'NaN anywhere';

/** A deterministic stream in [0, 1) (independent of the library's RNG). */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** The planes' elements as float bits: ties, ±0 and ±∞, and in half the planes a NaN or two as `mode` says. */
function inputBits(planes: number, oh: number, ow: number, mode: Mode, seed: number): Uint32Array {
  const next = stream(seed), w = 2 * ow, plane = 4 * oh * ow;
  const f = Float32Array.from({ length: planes * plane }, () => VALUES[Math.floor(next() * (next() < 0.1 ? 8 : 6))]);
  const bits = new Uint32Array(f.buffer);
  for (let p = 0; p < planes && mode !== 'no NaN'; p++) {
    if (next() < 0.5) continue;
    for (let n = 1 + Math.floor(next() * 2); n > 0; n--) {
      const oy = Math.floor(next() * oh), ox = Math.floor(next() * ow);
      const at = mode === 'NaN at top-left' ? 0 : Math.floor(next() * 4);
      bits[p * plane + (2 * oy + (at >> 1)) * w + 2 * ox + (at & 1)] = NANS[Math.floor(next() * NANS.length)];
    }
  }
  return bits;
}

function fromBits(bits: Uint32Array): Tensor {
  const t = tensor(new Float32Array(bits.length), [bits.length]);
  new Uint32Array(t.data.buffer, t.data.byteOffset, bits.length).set(bits);
  return t;
}

const bitsOf = (t: Tensor) => new Uint32Array(t.toArray().buffer);

describe('the 2×2 stride-2 max pool kernels', () => {
  for (const config of CONFIGS) {
    it(`give the general kernels' bits with no NaN, NaNs at the top-left and NaNs anywhere (${config.label})`, async () => {
      await use(config.options);
      const k = requireBackend();
      const g = fc.record({
        planes: fc.integer({ min: 1, max: 4 }), oh: fc.integer({ min: 1, max: 6 }), ow: fc.integer({ min: 1, max: 17 }),
        mode: fc.constantFrom<Mode>('no NaN', 'NaN at top-left', 'NaN anywhere'), relu: fc.boolean(), seed: fc.nat(),
      });
      fc.assert(fc.property(g, ({ planes, oh, ow, mode, relu, seed }) => {
        const m = planes * oh * ow, n = 4 * m;
        const x = fromBits(inputBits(planes, oh, ow, mode, seed));
        const out = [m, m, m, m, m, m].map((size) => tensor(new Float32Array(size), [size]));
        const [y, idx, yRef, idxRef, yRelu, dyRelu] = out;
        // With relu, the reference is the general pool, then activationForward's ReLU on its output.
        k.maxPool2x2Forward(x.offset, planes, oh, ow, y.offset, idx.offset, relu ? 1 : 0, 4 * oh * ow, oh * ow);
        k.maxPoolForward(x.offset, planes, 2 * oh, 2 * ow, 2, 2, 2, 2, 0, 0, 1, 1, oh, ow, yRef.offset, idxRef.offset, 4 * oh * ow, oh * ow);
        if (relu) k.activationForward(Act.relu, 0, yRef.offset, yRelu.offset, m);
        expect(bitsOf(y)).toEqual(bitsOf(relu ? yRelu : yRef));
        expect(bitsOf(idx)).toEqual(bitsOf(idxRef));
        // The backward from these argmaxes, −0 among the gradients, into dx buffers of garbage; with
        // relu, activationBackward's ReLU (from the pool's output before it) and then the scatter.
        const next = stream(seed + 1);
        const dy = tensor(Float32Array.from({ length: m }, () => (next() < 0.2 ? -0 : next() - 0.5)), [m]);
        const dx = tensor(Float32Array.from({ length: n }, next), [n]), dxRef = tensor(Float32Array.from({ length: n }, next), [n]);
        k.maxPool2x2Backward(dy.offset, idx.offset, y.offset, planes, oh, ow, dx.offset, relu ? 1 : 0, 4 * oh * ow, oh * ow);
        if (relu) k.activationBackward(Act.relu, 0, yRef.offset, yRelu.offset, dy.offset, dyRelu.offset, m);
        k.maxPoolBackward(relu ? dyRelu.offset : dy.offset, idxRef.offset, planes, 2 * oh, 2 * ow, oh, ow, dxRef.offset, 4 * oh * ow, oh * ow);
        expect(bitsOf(dx)).toEqual(bitsOf(dxRef));
        [x, ...out, dy, dx, dxRef].forEach((t) => t.dispose());
      }), { numRuns: 150, seed: 23 });
    });
  }
});
