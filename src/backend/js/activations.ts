import type { HeapView } from './views.js';
import { Act } from '../backend.js';

// Twins of assembly/activations.ts: each value is computed in float64 and rounded to float32
// once, on store, so these are the accurate reference the wasm kernels are held to.

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_K0 = Math.sqrt(2 / Math.PI);
const GELU_K1 = 0.044715;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const f32 = Math.fround;

/**
 * erfc(z) for z ≥ 0 in float64. Below 2.5 it is 1 − erf(z), erf from its series
 * erf z = (2/√π)·e^{−z²}·Σ_n 2ⁿz^{2n+1}/(1·3·…·(2n+1)), whose terms are all positive; above,
 * the continued fraction erfc z = e^{−z²}/√π · 1/(z + ½/(z + 1/(z + (3/2)/(z + …)))),
 * evaluated from the 60th term back. Relative error about 1e-13.
 */
export function erfc(z: number): number {
  if (z < 2.5) {
    let term = z, total = z;
    for (let n = 0; term > 1e-17 * total; n++) {
      term *= (2 * z * z) / (2 * n + 3);
      total += term;
    }
    return 1 - 2 * INV_SQRT_PI * Math.exp(-z * z) * total;
  }
  let fraction = z;
  for (let k = 60; k >= 1; k--) fraction = z + k / 2 / fraction;
  return (INV_SQRT_PI * Math.exp(-z * z)) / fraction;
}

/** Φ(x), the standard normal CDF, from the side where erfc is small. */
export function normalCdf(x: number): number {
  const z = x * SQRT1_2;
  return z < 0 ? 0.5 * erfc(-z) : 1 - 0.5 * erfc(z);
}

/** f(x) for one activation code. */
export function activate(act: number, param: number, x: number): number {
  switch (act) {
    case Act.relu: return Math.max(x, 0);
    case Act.leakyRelu: return x > 0 ? x : x * param;
    case Act.sigmoid: return 1 / (1 + Math.exp(-x));
    case Act.tanh: return Math.tanh(x);
    case Act.geluErf: return x * normalCdf(x);
    // 0.5x(1 + tanh u) written as x·σ(2u), which does not cancel for negative x
    case Act.geluTanh: return x / (1 + Math.exp(-2 * GELU_K0 * (x + GELU_K1 * x * x * x)));
    case Act.silu: return x / (1 + Math.exp(-x));
    case Act.mish: return x * Math.tanh(Math.log1p(Math.exp(x)));
    case Act.elu: return x > 0 ? x : param * Math.expm1(x);
    case Act.selu: return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    // The hard ones in float32, in torch's order of operations (the kernels' bits).
    case Act.hardswish: return f32(f32(x * Math.min(Math.max(f32(x + 3), 0), 6)) / 6);
    case Act.hardsigmoid: return f32(Math.min(Math.max(f32(x + 3), 0), 6) / 6);
    case Act.relu6: return Math.min(Math.max(x, 0), 6);
    default: return x;
  }
}

/** f′ for one activation code, from the pre-activation x or the output y. */
export function activationGrad(act: number, param: number, x: number, y: number): number {
  switch (act) {
    // torch: ReLU′(0) = 0 and a NaN input passes its gradient (threshold_backward); LeakyReLU′(0) = slope.
    case Act.relu: return x <= 0 ? 0 : 1;
    case Act.leakyRelu: return x > 0 ? 1 : param;
    case Act.sigmoid: return y * (1 - y);
    case Act.tanh: return 1 - y * y;
    case Act.geluErf: return normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case Act.geluTanh: {
      // d/dx x·σ(2u) = σ(2u) + 2x·σ(2u)σ(−2u)·u′
      const u = GELU_K0 * (x + GELU_K1 * x * x * x);
      const s = 1 / (1 + Math.exp(-2 * u)), sNeg = 1 / (1 + Math.exp(2 * u));
      return s + 2 * x * s * sNeg * GELU_K0 * (1 + 3 * GELU_K1 * x * x);
    }
    case Act.silu: {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 + x * (1 - s));
    }
    case Act.mish: {
      const s = 1 / (1 + Math.exp(-x)), t = Math.tanh(Math.log1p(Math.exp(x)));
      return t + x * s * (1 - t * t);
    }
    case Act.elu: return param * Math.exp(x); // x ≤ 0 (the rest select, below)
    case Act.selu: return SELU_SCALE * SELU_ALPHA * Math.exp(x);
    default: return 1;
  }
}

/** dy·f′ where torch's backward selects (a NaN input passing dy through) rather than multiplies. */
function selected(act: number, param: number, x: number, g: number): number | null {
  switch (act) {
    case Act.relu: return x <= 0 ? 0 : g;
    case Act.leakyRelu: return x > 0 ? g : g * param;
    case Act.elu: return x <= 0 ? null : g;
    case Act.selu: return x <= 0 ? null : g * SELU_SCALE;
    case Act.hardswish: return x < -3 ? 0 : x <= 3 ? f32(g * f32(f32(x / 3) + 0.5)) : g;
    case Act.hardsigmoid: return x > -3 && x < 3 ? f32(g * f32(1 / 6)) : 0;
    case Act.relu6: return x <= 0 || x >= 6 ? 0 : g;
    default: return null;
  }
}

export function activationForward(h: HeapView, act: number, param: number, x: number, y: number, n: number): void {
  const f = h.f32, X = x >>> 2, Y = y >>> 2, p = Math.fround(param);
  for (let i = 0; i < n; i++) f[Y + i] = activate(act, p, f[X + i]);
}

export function activationBackward(
  h: HeapView, act: number, param: number, x: number, y: number, dy: number, dx: number, n: number,
): void {
  const f = h.f32, X = x >>> 2, Y = y >>> 2, G = dy >>> 2, D = dx >>> 2, p = Math.fround(param);
  for (let i = 0; i < n; i++) {
    const g = f[G + i];
    // The piecewise ones select as torch does; the rest multiply (so a zero gradient times ∞ stays NaN).
    f[D + i] = selected(act, p, f[X + i], g) ?? g * activationGrad(act, p, f[X + i], f[Y + i]);
  }
}

export function biasActivation(
  h: HeapView, c: number, m: number, n: number, bias: number, act: number, param: number, y: number,
): void {
  const f = h.f32, C = c >>> 2, B = bias >>> 2;
  if (bias !== 0) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[C + i * n + j] += f[B + j];
  }
  activationForward(h, act, param, c, y, m * n);
}

/** Σ_j exp(x_j − top) over one row, in float64 (the max-subtracted softmax denominator). */
function expSum(f: Float32Array, X: number, n: number, top: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(f[X + j] - top);
  return s;
}

export function softmaxRows(h: HeapView, x: number, y: number, m: number, n: number): void {
  const f = h.f32;
  for (let i = 0; i < m; i++) {
    const X = (x >>> 2) + i * n, Y = (y >>> 2) + i * n;
    const top = rowMax(f, X, n);
    const s = expSum(f, X, n, top);
    for (let j = 0; j < n; j++) f[Y + j] = Math.exp(f[X + j] - top) / s;
  }
}

export function logSoftmaxRows(h: HeapView, x: number, y: number, m: number, n: number): void {
  const f = h.f32;
  for (let i = 0; i < m; i++) {
    const X = (x >>> 2) + i * n, Y = (y >>> 2) + i * n;
    const top = rowMax(f, X, n);
    const logS = Math.log(expSum(f, X, n, top));
    for (let j = 0; j < n; j++) f[Y + j] = f[X + j] - top - logS;
  }
}

export function softmaxRowsBackward(h: HeapView, y: number, dy: number, dx: number, m: number, n: number): void {
  const f = h.f32;
  for (let i = 0; i < m; i++) {
    const Y = (y >>> 2) + i * n, G = (dy >>> 2) + i * n, D = (dx >>> 2) + i * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += f[G + j] * f[Y + j];
    for (let j = 0; j < n; j++) f[D + j] = f[Y + j] * (f[G + j] - dot);
  }
}

export function logSoftmaxRowsBackward(h: HeapView, y: number, dy: number, dx: number, m: number, n: number): void {
  const f = h.f32;
  for (let i = 0; i < m; i++) {
    const Y = (y >>> 2) + i * n, G = (dy >>> 2) + i * n, D = (dx >>> 2) + i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += f[G + j];
    for (let j = 0; j < n; j++) f[D + j] = f[G + j] - Math.exp(f[Y + j]) * s;
  }
}

/** max of a row, NaN if any element is NaN (as torch), −∞ for an empty row. */
export function rowMax(f: Float32Array, start: number, n: number): number {
  let top = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = f[start + j];
    if (v !== v) return NaN;
    if (v > top) top = v;
  }
  return top;
}

export function preluForward(h: HeapView, x: number, n: number, c: number, hw: number, weight: number, y: number, sample: number): void {
  const f = h.f32;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const w = f[(weight >>> 2) + ch], at = s * sample + ch * hw;
      for (let i = 0; i < hw; i++) {
        const v = f[(x >>> 2) + at + i];
        f[(y >>> 2) + at + i] = v > 0 ? v : w * v;
      }
    }
  }
}

export function preluBackward(h: HeapView, x: number, dy: number, n: number, c: number, hw: number, weight: number, dx: number, sample: number): void {
  const f = h.f32;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const w = f[(weight >>> 2) + ch], at = s * sample + ch * hw;
      for (let i = 0; i < hw; i++) {
        const g = f[(dy >>> 2) + at + i];
        f[(dx >>> 2) + at + i] = f[(x >>> 2) + at + i] > 0 ? g : w * g;
      }
    }
  }
}

export function preluWeightGrad(h: HeapView, x: number, dy: number, n: number, c: number, hw: number, out: number, sample: number, span: number): void {
  void span;
  const f = h.f32;
  for (let ch = 0; ch < c; ch++) {
    let total = 0;
    for (let s = 0; s < n; s++) {
      const at = s * sample + ch * hw;
      for (let i = 0; i < hw; i++) {
        const v = f[(x >>> 2) + at + i];
        if (!(v > 0)) total += v * f[(dy >>> 2) + at + i];
      }
    }
    f[(out >>> 2) + ch] = total;
  }
}
