import { OptionError } from './errors.js';
import { render } from './validate.js';

// The seeded random number generator behind initialisation, shuffling and dropout.
//
// xoshiro128** (Blackman & Vigna, 2018): 128 bits of state, 32-bit integer arithmetic only, so it
// gives the same stream in every JavaScript engine and could be mirrored in wasm bit for bit.
// Normal draws use Marsaglia's polar method with a logarithm written here in +, ×, ÷ and a
// series, because Math.log is allowed to differ between engines by an ulp; IEEE basic arithmetic
// and Math.sqrt are correctly rounded everywhere, so the normals are identical in Node,
// Chromium and any other host.

const TWO_POW_24_INV = 1 / 16777216;
const TWO_POW_32 = 4294967296;
const LN2 = 0.6931471805599453;
const SQRT_HALF = 0.7071067811865476;

/** splitmix32 — spreads a seed into well-mixed state words (as the xoshiro authors advise). */
function splitmix32(x: number): [number, number] {
  const next = (x + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** Natural logarithm of x > 0 from exactly-rounded operations only (see the file comment). */
export function deterministicLog(x: number): number {
  let m = x;
  let e = 0;
  // Scaling by powers of two is exact, so m·2^e === x throughout.
  while (m >= 2) { m *= 0.5; e++; }
  while (m < 1) { m *= 2; e--; }
  if (m > 2 * SQRT_HALF) { m *= 0.5; e++; }
  // ln m = 2·atanh(z), z = (m − 1)/(m + 1), |z| ≤ 0.172: the odd series converges to double
  // precision in 12 terms.
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let term = z;
  let sum = 0;
  for (let k = 1; k <= 25; k += 2) {
    sum += term / k;
    term *= z2;
  }
  return e * LN2 + 2 * sum;
}

export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the stream. Any safe integer (negative too) is a valid seed. */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed)) {
      throw new OptionError(`Random.seed: seed must be a safe integer, got ${render(seed)}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) | 0;
    let x = lo ^ Math.imul(hi, 0x27d4eb2d);
    [x, this.s0] = splitmix32(x);
    [x, this.s1] = splitmix32(x ^ hi);
    [x, this.s2] = splitmix32(x);
    [x, this.s3] = splitmix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1; // the all-zero state is a fixed point
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float32 uniform in [lo, hi): 24 random bits, so every value is exactly representable. */
  uniform(lo = 0, hi = 1): number {
    // Two comparisons per draw: cheap next to the draw, and a NaN never leaks out of a typo.
    if (!(lo <= hi) || !Number.isFinite(hi - lo)) badRange('uniform', 'lo', 'hi', lo, hi);
    const u = (this.nextU32() >>> 8) * TWO_POW_24_INV;
    return Math.fround(lo + (hi - lo) * u);
  }

  /** An integer uniform in [0, n) without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new OptionError(`Random.int: n must be an integer in [1, 2^32], got ${render(n)}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** A float32 normal with the given mean and standard deviation. */
  normal(mean = 0, std = 1): number {
    if (!(std >= 0) || !Number.isFinite(mean) || !Number.isFinite(std)) badRange('normal', 'mean', 'std', mean, std);
    for (;;) {
      // (u32 + 0.5)/2^31 − 1 lies strictly inside (−1, 1).
      const u = (this.nextU32() + 0.5) / 2147483648 - 1;
      const v = (this.nextU32() + 0.5) / 2147483648 - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      return Math.fround(mean + std * u * Math.sqrt((-2 * deterministicLog(s)) / s));
    }
  }

  /** Fills `out` with uniforms in [lo, hi). */
  fillUniform(out: Float32Array, lo = 0, hi = 1): void {
    if (!(out instanceof Float32Array)) throw new OptionError(`Random.fillUniform: out must be a Float32Array, got ${render(out)}`);
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
  }

  /** Fills `out` with normals. */
  fillNormal(out: Float32Array, mean = 0, std = 1): void {
    if (!(out instanceof Float32Array)) throw new OptionError(`Random.fillNormal: out must be a Float32Array, got ${render(out)}`);
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
  }

  /** The four state words: save them to resume the stream exactly (checkpoints do). */
  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  setState(state: readonly number[]): void {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) ||
      state.every((w) => w === 0)
    ) {
      throw new OptionError(
        `setState: expected four 32-bit unsigned integers, not all zero, got ${render(state)}`,
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w | 0);
  }
}

function badRange(method: string, a: string, b: string, x: unknown, y: unknown): never {
  const what = method === 'normal' ? `finite numbers with ${b} ≥ 0` : `finite numbers with ${a} ≤ ${b}`;
  throw new OptionError(`Random.${method}: ${a} and ${b} must be ${what}, got ${render(x)} and ${render(y)}`);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The library-wide generator; `manualSeed` resets it (as torch.manual_seed). */
export const globalRandom = new Random(0);

export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new OptionError(`manualSeed: seed must be a safe integer, got ${render(seed)}`);
  globalRandom.seed(seed);
}
