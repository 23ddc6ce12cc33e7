import { describe, it, expect } from 'vitest';
import { Random, manualSeed, globalRandom, OptionError, keep } from '../src/index.js';
import { deterministicLog } from '../src/core/rng.js';

/** xoshiro128** written independently with BigInt arithmetic, as the reference stream. */
function referenceXoshiro(state: bigint[], count: number): number[] {
  const M = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const s = [...state];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

describe('seeded RNG', () => {
  it('is xoshiro128**: matches an independent BigInt implementation', () => {
    const r = new Random(12345);
    const state = r.getState();
    const ours = Array.from({ length: 1000 }, () => r.nextU32());
    expect(ours).toEqual(referenceXoshiro(state.map(BigInt), 1000));
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return [r.nextU32(), r.uniform(), r.normal(), r.int(10), r.uniform(-3, 2)];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0)).not.toEqual(draw(2 ** 32)); // the high word of the seed matters
    expect(draw(-1)).not.toEqual(draw(1));
  });

  it('pins the stream for seed 0 (any change to seeding breaks saved experiments)', () => {
    const r = new Random(0);
    expect(r.getState()).toEqual([2462723854, 1020716019, 454327756, 1275600319]);
  });

  it('resumes exactly from a saved state', () => {
    const r = new Random(99);
    for (let i = 0; i < 17; i++) r.normal();
    const saved = r.getState();
    const next = [r.normal(), r.uniform(), r.nextU32()];
    const s = new Random(1);
    s.setState(saved);
    expect([s.normal(), s.uniform(), s.nextU32()]).toEqual(next);
    expect(() => s.setState([0, 0, 0, 0])).toThrow(OptionError);
    expect(() => s.setState([1, 2, 3])).toThrow(/four 32-bit/);
  });

  it('draws float32 uniforms in [lo, hi) with the right mean', () => {
    const r = new Random(3);
    let sum = 0;
    let bad = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform(-2, 6);
      if (!(u >= -2 && u < 6) || Math.fround(u) !== u) bad++;
      sum += u;
    }
    expect(bad).toBe(0);
    expect(Math.abs(sum / n - 2)).toBeLessThan(0.03); // 8/√12/√n ≈ 0.007: 4σ
  });

  it('draws normals with mean 0 and variance 1 (within 4 standard errors)', () => {
    const r = new Random(4);
    const n = 100_000;
    let s = 0, s2 = 0, s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z; s2 += z * z; s4 += z ** 4;
    }
    expect(Math.abs(s / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.15); // Gaussian kurtosis
  });

  it('draws integers in [0, n) uniformly', () => {
    const r = new Random(5);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => r.int(0)).toThrow(OptionError);
  });

  it('computes the logarithm of the polar method to double precision', () => {
    for (const x of [1e-300, 1e-12, 0.001, 0.3, 0.5, 0.7071, 1, 1.5, 2, 3, 1e10]) {
      expect(Math.abs(deterministicLog(x) - Math.log(x))).toBeLessThanOrEqual(4e-16 * Math.max(1, Math.abs(Math.log(x))));
    }
  });

  it('manualSeed resets the global generator', () => {
    manualSeed(11);
    const a = [globalRandom.nextU32(), globalRandom.normal()];
    manualSeed(11);
    expect([globalRandom.nextU32(), globalRandom.normal()]).toEqual(a);
    expect(() => manualSeed(1.5)).toThrow(/seed must be a safe integer, got 1.5/);
  });
});

describe('Random: arguments', () => {
  it('rejects what would give NaN or a wrong draw, naming the method', () => {
    const r = new Random(1);
    expect(() => r.uniform('a' as unknown as number)).toThrow(/Random\.uniform: lo and hi must be finite numbers with lo ≤ hi, got "a" and 1/);
    expect(() => r.uniform(2, 1)).toThrow(OptionError);
    expect(() => r.uniform(0, Infinity)).toThrow(OptionError);
    expect(() => r.normal(0, -1)).toThrow(/Random\.normal: mean and std must be finite numbers with std ≥ 0, got 0 and -1/);
    expect(() => r.normal(NaN, 1)).toThrow(OptionError);
    expect(() => r.fillUniform([0, 0] as unknown as Float32Array)).toThrow(/Random\.fillUniform: out must be a Float32Array/);
    expect(() => r.setState(null as unknown as number[])).toThrow(/setState: expected four 32-bit unsigned integers, not all zero, got null/);
    expect(() => r.int(0)).toThrow(/Random\.int: n must be an integer/);
    expect(() => new Random(1.5)).toThrow(/Random\.seed: seed must be a safe integer, got 1.5/);
    expect(() => manualSeed(NaN)).toThrow(/manualSeed: seed must be a safe integer, got NaN/);
    // the stream is unchanged by the refused calls
    expect(r.getState()).toEqual(new Random(1).getState());
  });

  it('keep takes only disposables', () => {
    expect(() => keep(5 as never)).toThrow(/keep: t must be a Tensor or another disposable object, got 5/);
  });
});
