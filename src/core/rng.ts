import { OptionError } from './errors.js';
import { render } from './validate.js';

// The seeded random number generator behind initialisation, shuffling and dropout.
//
// It is PyTorch's CPU generator, draw for draw: MT19937 seeded as torch.manual_seed seeds it,
// float uniforms from 24 bits as torch's uniform_, torch's randperm, and 53-bit doubles for
// dropout's Bernoulli draws. So `manualSeed(s)` followed by the same layers gives torch's initial
// weights bit for bit, and a shuffling DataLoader visits torch's batch order (test/torch-rng.test.ts
// checks both against torch 1.13). Everything is 32-bit integer and IEEE basic arithmetic, so the
// stream is the same in every JavaScript engine. Normal draws are the one place torch's numbers
// are not reproduced: torch computes them with the host's log, cos and sin; here Marsaglia's polar
// method uses a logarithm written in +, ×, ÷ and a series, because Math.log may differ between
// engines by an ulp, and IEEE basic arithmetic and Math.sqrt are correctly rounded everywhere.

const TWO_POW_24_INV = 1 / 16777216;
const TWO_POW_32 = 4294967296;
const TWO_POW_53_INV = 1 / 9007199254740992;
const LN2 = 0.6931471805599453;
const SQRT_HALF = 0.7071067811865476;
const N = 624; // MT19937's state words
const M = 397;

/**
 * The 32 bits MT19937 is seeded with for a torch seed: torch takes the seed as a 64-bit word (a
 * negative one in two's complement) and MT19937 keeps its low 32 bits.
 */
function seedWord(seed: number): number {
  return ((seed % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
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

/**
 * A seeded generator: torch.Generator on the CPU (see the file comment). `new Random(seed)` is
 * `torch.Generator().manual_seed(seed)`.
 */
export class Random {
  private readonly mt = new Int32Array(N);
  private index = N;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the stream, as torch.manual_seed. Any safe integer (negative too) is a valid seed. */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed)) {
      throw new OptionError(`Random.seed: seed must be a safe integer, got ${render(seed)}`);
    }
    const mt = this.mt;
    mt[0] = seedWord(seed);
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    this.index = N;
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * A seed for another generator, as torch draws one (`torch.empty((), dtype=torch.int64).random_()`,
   * what DataLoader does each epoch): a 64-bit draw, high word first, of which a generator keeps
   * the low 32 bits.
   */
  nextSeed(): number {
    this.nextU32();
    return this.nextU32();
  }

  /** A double uniform in [0, 1) from 53 bits of a 64-bit draw (torch's double uniform_, bernoulli_). */
  nextDouble(): number {
    const hi = this.nextU32() & 0x1fffff;
    const lo = this.nextU32();
    return (hi * TWO_POW_32 + lo) * TWO_POW_53_INV;
  }

  /** A float32 uniform in [lo, hi), as torch's uniform_: 24 random bits, the affine map in double. */
  uniform(lo = 0, hi = 1): number {
    // Two comparisons per draw: cheap next to the draw, and a NaN never leaks out of a typo.
    if (!(lo <= hi) || !Number.isFinite(hi - lo)) badRange('uniform', 'lo', 'hi', lo, hi);
    const from = Math.fround(lo), to = Math.fround(hi);
    const u = (this.nextU32() & 0xffffff) * TWO_POW_24_INV;
    return Math.fround(u * (to - from) + from);
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

  /** A random permutation of 0 … n − 1, as torch.randperm(n, generator) on the CPU. */
  randperm(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0 || n >= TWO_POW_32) {
      throw new OptionError(`Random.randperm: n must be an integer in [0, 2^32), got ${render(n)}`);
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // torch's swap walk: position i takes one of positions i … n − 1 (u32 modulo the count).
    for (let i = 0; i < n - 1; i++) {
      const j = i + (this.nextU32() % (n - i));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
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

  /** The 624 state words and the position in them: save them to resume the stream exactly (checkpoints do). */
  getState(): number[] {
    return [...Array.from(this.mt, (w) => w >>> 0), this.index];
  }

  setState(state: readonly number[]): void {
    if (!isState(state)) {
      throw new OptionError(
        `setState: expected ${STATE_LENGTH} integers (${N} 32-bit words, not all zero, and a position in [0, ${N}]), got ${render(state)}`,
      );
    }
    for (let i = 0; i < N; i++) this.mt[i] = state[i] | 0;
    this.index = state[N];
  }

  /** MT19937's regeneration of all 624 words (Matsumoto & Nishimura, 1998). */
  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
      mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}

/** The length of a generator's saved state: MT19937's words and the position in them. */
export const STATE_LENGTH = N + 1;

/** Whether `state` is a state `Random.getState` could have returned. */
export function isState(state: unknown): state is number[] {
  if (!Array.isArray(state) || state.length !== STATE_LENGTH) return false;
  let nonzero = false;
  for (let i = 0; i < N; i++) {
    const w = state[i];
    if (!Number.isInteger(w) || w < 0 || w >= TWO_POW_32) return false;
    if (w !== 0) nonzero = true;
  }
  return nonzero && Number.isInteger(state[N]) && state[N] >= 0 && state[N] <= N;
}

function badRange(method: string, a: string, b: string, x: unknown, y: unknown): never {
  const what = method === 'normal' ? `finite numbers with ${b} ≥ 0` : `finite numbers with ${a} ≤ ${b}`;
  throw new OptionError(`Random.${method}: ${a} and ${b} must be ${what}, got ${render(x)} and ${render(y)}`);
}

/** The library-wide generator; `manualSeed` resets it (as torch.manual_seed). */
export const globalRandom = new Random(0);

export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new OptionError(`manualSeed: seed must be a safe integer, got ${render(seed)}`);
  globalRandom.seed(seed);
}
