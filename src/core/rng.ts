import { OptionError } from './errors.js';
import { render } from './validate.js';
import { deterministicLog, deterministicSinCos } from './deterministic-math.js';

// The seeded random number generator behind initialisation, shuffling and dropout.
//
// It is PyTorch's CPU generator, draw for draw: MT19937 seeded as torch.manual_seed seeds it,
// float uniforms from 24 bits as torch's uniform_, torch's randperm, and 53-bit doubles for
// dropout's Bernoulli draws. So `manualSeed(s)` followed by the same layers gives torch's initial
// weights bit for bit, and a shuffling DataLoader visits torch's batch order (test/torch-rng.test.ts
// checks both against torch 1.13). Normal draws consume torch's draws in torch's order — Box–Muller
// in blocks of 16 float uniforms for a tensor of 16 or more, on pairs of 53-bit doubles with the
// second value kept for the next call below that — so the stream stays in step with torch's after
// them; their values agree with torch's to a few ulps, not bit for bit, because torch takes log,
// sin and cos from the host's vector math library. Here they are written in IEEE basic arithmetic
// (deterministic-math.ts), so the stream is the same bits in every JavaScript engine.

const TWO_POW_24_INV = 1 / 16777216;
const TWO_POW_32 = 4294967296;
const TWO_POW_53_INV = 1 / 9007199254740992;
const TWO_PI_F32 = Math.fround(2 * Math.PI);
const N = 624; // MT19937's state words
const M = 397;

/**
 * The 32 bits MT19937 is seeded with for a torch seed: torch takes the seed as a 64-bit word (a
 * negative one in two's complement) and MT19937 keeps its low 32 bits.
 */
function seedWord(seed: number): number {
  return ((seed % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
}

/**
 * A seeded generator: torch.Generator on the CPU (see the file comment). `new Random(seed)` is
 * `torch.Generator().manual_seed(seed)`.
 */
export class Random {
  private readonly mt = new Int32Array(N);
  private index = N;
  /** The sine half of the last double Box–Muller pair, for the next normal() (torch's next_double_normal_sample). */
  private cachedNormal: number | null = null;

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
    this.cachedNormal = null;
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

  /** A float32 uniform in [0, 1) from the low 24 bits of a draw (torch's float uniform_): exact in float32. */
  nextFloat(): number {
    return (this.nextU32() & 0xffffff) * TWO_POW_24_INV;
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
    return Math.fround(this.nextFloat() * (to - from) + from);
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

  /** A float32 normal with the given mean and standard deviation (torch's normal_ of fewer than 16 values). */
  normal(mean = 0, std = 1): number {
    if (!(std >= 0) || !Number.isFinite(mean) || !Number.isFinite(std)) badRange('normal', 'mean', 'std', mean, std);
    return Math.fround(this.standardNormal() * std + mean);
  }

  /** Fills `out` with uniforms in [lo, hi). */
  fillUniform(out: Float32Array, lo = 0, hi = 1): void {
    if (!(out instanceof Float32Array)) throw new OptionError(`Random.fillUniform: out must be a Float32Array, got ${render(out)}`);
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
  }

  /**
   * Fills `out` with normals as torch's normal_ fills a contiguous float tensor: one at a time
   * below 16 values; from 16 on, a float uniform per value, Box–Muller on each block of 16 (the
   * first 8 give the radii, the last 8 the angles), and a last block of 16 fresh uniforms over the
   * tail when the length is not a multiple of 16.
   */
  fillNormal(out: Float32Array, mean = 0, std = 1): void {
    if (!(out instanceof Float32Array)) throw new OptionError(`Random.fillNormal: out must be a Float32Array, got ${render(out)}`);
    if (!(std >= 0) || !Number.isFinite(mean) || !Number.isFinite(std)) badRange('fillNormal', 'mean', 'std', mean, std);
    const n = out.length;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = this.nextFloat();
    for (let i = 0; i + 16 <= n; i += 16) boxMuller16(out, i, mean, std);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) out[i] = this.nextFloat();
      boxMuller16(out, n - 16, mean, std);
    }
  }

  /** torch's normal_distribution<double>: Box–Muller on two 53-bit uniforms, the sine half kept for the next call. */
  private standardNormal(): number {
    if (this.cachedNormal !== null) {
      const z = this.cachedNormal;
      this.cachedNormal = null;
      return z;
    }
    const u1 = this.nextDouble(), u2 = this.nextDouble();
    const radius = Math.sqrt(-2 * deterministicLog(1 - u2));
    const [sin, cos] = deterministicSinCos(2 * Math.PI * u1);
    this.cachedNormal = radius * sin;
    return radius * cos;
  }

  /**
   * The 624 state words, the position in them, and the kept normal (1 and its float64 bits as two
   * words, or three 0s): save them to resume the stream exactly (checkpoints do).
   */
  getState(): number[] {
    const cached = this.cachedNormal === null ? [0, 0, 0] : [1, ...doubleWords(this.cachedNormal)];
    return [...Array.from(this.mt, (w) => w >>> 0), this.index, ...cached];
  }

  setState(state: readonly number[]): void {
    if (!isState(state)) {
      throw new OptionError(
        `setState: expected ${STATE_DESCRIPTION}, got ${render(state)}`,
      );
    }
    for (let i = 0; i < N; i++) this.mt[i] = state[i] | 0;
    this.index = state[N];
    this.cachedNormal = state[N + 1] === 1 ? wordsDouble(state[N + 2], state[N + 3]) : null;
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

/** The length of a generator's saved state: MT19937's words, the position in them, the kept normal. */
export const STATE_LENGTH = N + 4;
/** What a saved state is, for error messages. */
export const STATE_DESCRIPTION = `${STATE_LENGTH} integers (${N} 32-bit words, not all zero, a position in [0, ${N}], then 0, 0, 0 or 1 and a finite float64's two words)`;

const bits = new DataView(new ArrayBuffer(8));

function doubleWords(x: number): [number, number] {
  bits.setFloat64(0, x);
  return [bits.getUint32(0), bits.getUint32(4)];
}

function wordsDouble(hi: number, lo: number): number {
  bits.setUint32(0, hi);
  bits.setUint32(4, lo);
  return bits.getFloat64(0);
}

/**
 * Box–Muller on data[at … at + 15] in place, as torch's AVX2 normal_fill_16 computes it in float32:
 * radius √(−2 ln(1 − u)) from the first 8, angle 2π·u (2π in float32) from the last 8, then
 * radius·cos·std + mean (one rounding: torch's fused multiply-add) and the same with sin.
 */
function boxMuller16(data: Float32Array, at: number, mean: number, std: number): void {
  const m = Math.fround(mean), s = Math.fround(std);
  for (let j = 0; j < 8; j++) {
    const u1 = Math.fround(1 - data[at + j]);
    const radius = Math.fround(Math.sqrt(Math.fround(-2 * Math.fround(deterministicLog(u1)))));
    const [sin, cos] = deterministicSinCos(Math.fround(TWO_PI_F32 * data[at + j + 8]));
    data[at + j] = Math.fround(Math.fround(radius * Math.fround(cos)) * s + m);
    data[at + j + 8] = Math.fround(Math.fround(radius * Math.fround(sin)) * s + m);
  }
}

/** Whether `state` is a state `Random.getState` could have returned. */
export function isState(state: unknown): state is number[] {
  if (!Array.isArray(state) || state.length !== STATE_LENGTH) return false;
  let nonzero = false;
  for (let i = 0; i < N; i++) {
    const w = state[i];
    if (!Number.isInteger(w) || w < 0 || w >= TWO_POW_32) return false;
    if (w !== 0) nonzero = true;
  }
  if (!nonzero || !Number.isInteger(state[N]) || state[N] < 0 || state[N] > N) return false;
  const [kept, hi, lo] = [state[N + 1], state[N + 2], state[N + 3]];
  if (kept === 0) return hi === 0 && lo === 0;
  return kept === 1 && [hi, lo].every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) && Number.isFinite(wordsDouble(hi, lo));
}

function badRange(method: string, a: string, b: string, x: unknown, y: unknown): never {
  const what = method === 'normal' || method === 'fillNormal' ? `finite numbers with ${b} ≥ 0` : `finite numbers with ${a} ≤ ${b}`;
  throw new OptionError(`Random.${method}: ${a} and ${b} must be ${what}, got ${render(x)} and ${render(y)}`);
}

/** The library-wide generator; `manualSeed` resets it (as torch.manual_seed). */
export const globalRandom = new Random(0);

export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new OptionError(`manualSeed: seed must be a safe integer, got ${render(seed)}`);
  globalRandom.seed(seed);
}
