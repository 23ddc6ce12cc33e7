// The shuffle of the bundled MNIST digits into our split (7,996 training / 2,004 test digits).
// It was drawn with Descent's first generator, xoshiro128** (Blackman & Vigna, 2018) seeded 0,
// before the library's generator became torch's MT19937; it stays here, unchanged, so that "our
// split" — the one every figure in the docs and the issues was measured on — never moves.

const TWO_POW_32 = 4294967296;

/** splitmix32 — spreads a seed into well-mixed state words (as the xoshiro authors advise). */
function splitmix32(x: number): [number, number] {
  const next = (x + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** xoshiro128** as Descent seeded it, for a seed in [0, 2^32) (the split's is 0). */
class Xoshiro128 {
  private s = [0, 0, 0, 0];

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) [x, this.s[i]] = splitmix32(x);
  }

  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** An integer uniform in [0, n) without modulo bias (rejection sampling). */
  int(n: number): number {
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }
}

/** Fisher–Yates with xoshiro128** seeded 0: the same order everywhere, every time. */
export function fixedShuffle<T>(rows: readonly T[]): T[] {
  const random = new Xoshiro128(0);
  const out = [...rows];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
