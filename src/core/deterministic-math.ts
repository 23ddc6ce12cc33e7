// Logarithm, sine and cosine from IEEE basic arithmetic alone (+, −, ×, ÷ and Math.sqrt are
// correctly rounded in every engine; Math.log, Math.sin and Math.cos may differ by an ulp), for
// the generator's normal draws, which must be the same bits in Node, Chromium and any other host.

const LN2 = 0.6931471805599453;
const SQRT_HALF = 0.7071067811865476;
// π/2 in two parts (fdlibm's pio2_1, 33 bits, and pio2_1t): k·PIO2_HI is exact for small k.
const PIO2_HI = 1.5707963267341256;
const PIO2_LO = 6.077100506506192e-11;

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
 * [sin θ, cos θ] for |θ| ≤ 8 (the generator's angles lie in [0, 2π]) to double precision: θ is
 * reduced by the nearest multiple k of π/2 to |r| ≤ π/4, where the Taylor series converge within
 * 11 terms, and the quadrant k mod 4 picks the signs.
 */
export function deterministicSinCos(theta: number): [number, number] {
  const k = Math.round(theta / PIO2_HI);
  const r = theta - k * PIO2_HI - k * PIO2_LO;
  const r2 = r * r;
  let sin = 0, cos = 0;
  let term = r;
  for (let n = 1; n <= 21; n += 2) {
    sin += term;
    term *= -r2 / ((n + 1) * (n + 2));
  }
  term = 1;
  for (let n = 0; n <= 20; n += 2) {
    cos += term;
    term *= -r2 / ((n + 1) * (n + 2));
  }
  switch (((k % 4) + 4) % 4) {
    case 0: return [sin, cos];
    case 1: return [cos, -sin];
    case 2: return [-sin, -cos];
    default: return [-cos, sin];
  }
}
