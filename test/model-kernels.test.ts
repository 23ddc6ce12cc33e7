import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { tensor } from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { Act, Binary, Loss, Unary, type ModelKernels } from '../src/backend/backend.js';
import { CONFIGS, use, randomFloats, U } from './helpers.js';

// The model kernels (ModelKernels in src/backend/backend.ts) on every backend, held to float64
// references written here from the definitions, with PyTorch's conventions; every backward kernel
// also against central differences of the float64 forward; and the two wasm builds against each
// other, bit for bit. Error bounds are c·U·(a float64 magnitude of the terms that round).

const kernels = () => requireBackend() as unknown as ModelKernels;
const f32 = Math.fround;
const SLOPE = f32(0.07);

const length = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17), fc.integer({ min: 0, max: 300 }));
const rows = fc.integer({ min: 1, max: 40 });
const cols = fc.integer({ min: 1, max: 70 });
const seed = fc.nat();

// ---------------------------------------------------------------------------------------------
// Heap plumbing

const GUARD = 1234.5;

/**
 * Copies each array to the heap between four guard cells on either side, runs `body` with their
 * byte offsets, and returns the arrays' contents afterwards; fails if a kernel wrote outside them.
 */
function onHeap(arrays: readonly ArrayLike<number>[], body: (...offsets: number[]) => void): Float32Array[] {
  const blocks = arrays.map((a) => {
    const padded = new Float32Array(a.length + 8).fill(GUARD);
    padded.set(a, 4);
    return tensor(padded, [padded.length]);
  });
  try {
    body(...blocks.map((t) => t.offset + 16));
    return blocks.map((t, i) => {
      const all = t.toArray(), n = arrays[i].length;
      if ([...all.subarray(0, 4), ...all.subarray(n + 4)].some((g) => g !== GUARD)) {
        expect.fail(`a kernel wrote outside argument ${i} (length ${n})`);
      }
      return all.slice(4, n + 4);
    });
  } finally {
    blocks.forEach((t) => t.dispose());
  }
}

/**
 * n floats in [lo, hi), every 8th an exact 0 (conventions at the kinks are part of the contract),
 * at positions that move with the seed so that two arrays' zeros do not line up.
 */
function values(n: number, s: number, lo = -4, hi = 4): Float32Array {
  return randomFloats(n, s).map((u, i) => ((i + s) % 8 === 5 ? 0 : lo + ((u + 1) / 2) * (hi - lo)));
}
/** Like `values`, but kept at least `gap` away from each point in `kinks` (for differences). */
function awayFrom(v: Float32Array, kinks: number[], gap: number): Float32Array {
  return v.map((x) => kinks.reduce((y, k) => (Math.abs(y - k) < gap ? k + (y < k ? -2 : 2) * gap : y), x));
}
const classIndices = (m: number, n: number, s: number) =>
  randomFloats(m, s).map((u) => Math.min(n - 1, Math.floor(((u + 1) / 2) * n)));

function expectExact(got: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const r = f32(ref[i]);
    if (!(got[i] === r || (got[i] !== got[i] && r !== r))) expect.fail(`${what}[${i}] = ${got[i]}, expected exactly ${r}`);
  }
}

/** |got − ref| ≤ c·U·mag elementwise (a denormal's worth of slack; equal infinities and NaNs pass). */
function expectWithin(got: ArrayLike<number>, ref: ArrayLike<number>, mag: ArrayLike<number>, c: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (got[i] === ref[i] || (got[i] !== got[i] && ref[i] !== ref[i])) continue;
    const bound = c * U * mag[i] + 1e-44;
    if (!(Math.abs(got[i] - ref[i]) <= bound)) expect.fail(`${what}[${i}] = ${got[i]}, reference ${ref[i]} ± ${bound}`);
  }
}

/** A kernel's gradient against central differences: |got − fd| ≤ 1e-4·|fd| + 1e-6·scale. */
function expectDifferences(got: ArrayLike<number>, fd: ArrayLike<number>, scale: ArrayLike<number>, what: string): void {
  for (let i = 0; i < fd.length; i++) {
    const bound = 1e-4 * Math.abs(fd[i]) + 1e-6 * scale[i];
    if (!(Math.abs(got[i] - fd[i]) <= bound)) expect.fail(`${what}[${i}] = ${got[i]}, central difference ${fd[i]} ± ${bound}`);
  }
}
/** (g(x + h) − g(x − h)) / 2h in float64. */
const centralDifference = (g: (x: number) => number, x: number, h = 1e-6 * Math.max(1, Math.abs(x))) =>
  (g(x + h) - g(x - h)) / (2 * h);

// ---------------------------------------------------------------------------------------------
// float64 references

/**
 * erfc in float64, independent of the library's: 1 − erf from erf's Maclaurin series below 2,
 * Craig's integral erfc z = (2/π)∫₀^{π/2} exp(−z²/sin²θ) dθ above (the trapezoid rule converges
 * geometrically on it; 32 panels give ~1e-14 for z ≥ 2).
 */
function erfcRef(z: number): number {
  if (z < 0) return 2 - erfcRef(-z);
  if (z < 2) {
    let s = 0;
    for (let n = 0, term = z; Math.abs(term) > 1e-17; n++, term *= (-z * z) / n) s += term / (2 * n + 1);
    return 1 - (2 / Math.sqrt(Math.PI)) * s;
  }
  const panels = 32, h = Math.PI / 2 / panels;
  let s = 0.5 * Math.exp(-z * z);
  for (let k = 1; k < panels; k++) s += Math.exp(-(z * z) / Math.sin(k * h) ** 2);
  return (2 / Math.PI) * h * s;
}
const normalCdf = (x: number) => 0.5 * erfcRef(-x / Math.SQRT2);
const normalPdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const K0 = Math.sqrt(2 / Math.PI), K1 = 0.044715;
const geluU = (x: number) => K0 * (x + K1 * x ** 3);
const SELU_ALPHA = 1.6732632423543772848170429916717, SELU_SCALE = 1.0507009873554804934193349852946;

const ACTS = Object.values(Act);

/** f(x); GELU 'tanh' as 0.5x(1 + tanh u) = x·σ(2u), the form that keeps its digits for x < 0. */
function activation(act: number, x: number): number {
  switch (act) {
    case Act.relu: return x > 0 ? x : 0;
    case Act.leakyRelu: return x > 0 ? x : SLOPE * x;
    case Act.sigmoid: return sigmoid(x);
    case Act.tanh: return Math.tanh(x);
    case Act.geluErf: return x * normalCdf(x);
    case Act.geluTanh: return x * sigmoid(2 * geluU(x));
    case Act.silu: return x * sigmoid(x);
    case Act.mish: return x * Math.tanh(Math.log1p(Math.exp(x)));
    case Act.elu: return x > 0 ? x : SLOPE * Math.expm1(x);
    case Act.selu: return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case Act.hardswish: return x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6;
    case Act.hardsigmoid: return x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
    case Act.relu6: return Math.min(Math.max(x, 0), 6);
    default: return x;
  }
}

/** dy·f′ as the kernel contract defines it (sigmoid and tanh from y), and its magnitude. */
function activationGrad(act: number, x: number, y: number, dy: number): [number, number] {
  switch (act) {
    case Act.relu: return [x <= 0 ? 0 : dy, 0];
    case Act.leakyRelu: return [x > 0 ? dy : f32(dy * SLOPE), 0];
    case Act.sigmoid: return [dy * y * (1 - y), Math.abs(dy * y * (1 - y))];
    case Act.tanh: return [dy * (1 - y * y), Math.abs(dy) * (1 + y * y)];
    case Act.geluErf: return [dy * (normalCdf(x) + x * normalPdf(x)), Math.abs(dy) * (normalCdf(x) + Math.abs(x) * normalPdf(x))];
    case Act.geluTanh: {
      const s = sigmoid(2 * geluU(x)), t = 2 * x * s * sigmoid(-2 * geluU(x)) * K0 * (1 + 3 * K1 * x * x);
      return [dy * (s + t), Math.abs(dy) * (s + Math.abs(t))];
    }
    case Act.silu: {
      const s = sigmoid(x), t = x * s * (1 - s);
      return [dy * (s + t), Math.abs(dy) * (s + Math.abs(t))];
    }
    case Act.mish: {
      const t = Math.tanh(Math.log1p(Math.exp(x))), u = x * sigmoid(x) * (1 - t * t);
      return [dy * (t + u), Math.abs(dy) * (Math.abs(t) + Math.abs(u))];
    }
    case Act.elu: return x > 0 ? [dy, 0] : [dy * SLOPE * Math.exp(x), Math.abs(dy * SLOPE * Math.exp(x))];
    case Act.selu: return x > 0 ? [dy * SELU_SCALE, Math.abs(dy) * SELU_SCALE] : [dy * SELU_SCALE * SELU_ALPHA * Math.exp(x), Math.abs(dy) * SELU_SCALE * SELU_ALPHA * Math.exp(x)];
    case Act.hardswish: return x < -3 ? [0, 0] : x <= 3 ? [dy * (x / 3 + 0.5), Math.abs(dy) * (Math.abs(x / 3) + 0.5)] : [dy, 0];
    case Act.hardsigmoid: return x > -3 && x < 3 ? [dy / 6, Math.abs(dy) / 6] : [0, 0];
    case Act.relu6: return [x <= 0 || x >= 6 ? 0 : dy, 0];
    default: return [dy, 0];
  }
}
const exactActivations: number[] = [Act.identity, Act.relu, Act.leakyRelu, Act.relu6];

/** Per row: log-softmax in float64 (max-subtracted), and the row's log Σ exp. */
function logSoftmax(x: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    let top = -Infinity;
    for (let j = 0; j < n; j++) top = Math.max(top, x[i * n + j]);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[i * n + j] - top);
    for (let j = 0; j < n; j++) out[i * n + j] = x[i * n + j] - top - Math.log(s);
  }
  return out;
}

/**
 * The smoothed target distribution q = (1 − ε)·t + ε/n, t one-hot or given, times the class
 * weights w when given (a = w ⊙ q); all 0 on a row whose class index is `ignoreIndex`.
 */
function smoothedTargets(
  target: ArrayLike<number>, probTargets: boolean, eps: number, m: number, n: number,
  weight: ArrayLike<number> | null = null, ignoreIndex = NO_IGNORE,
): Float64Array {
  const q = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    if (!probTargets && target[i] === ignoreIndex) continue;
    for (let j = 0; j < n; j++) {
      const t = probTargets ? target[i * n + j] : target[i] === j ? 1 : 0;
      q[i * n + j] = ((1 - eps) * t + eps / n) * (weight ? weight[j] : 1);
    }
  }
  return q;
}

/** An ignoreIndex no class index equals (torch's default). */
const NO_IGNORE = -100;

/** The class-loss kernels' options drawn together: class weights (or none) and an ignored index (a real class, or −100 set on every third row). */
const classOptions = fc.record({ weighted: fc.boolean(), ignore: fc.constantFrom(NO_IGNORE, 0, -1) });

/** Class indices with every third row set to `ignore` when it is negative (a real class index is ignored where it occurs). */
function classIndicesIgnoring(m: number, n: number, s: number, ignore: number): Float32Array {
  return classIndices(m, n, s).map((t, i) => (ignore < 0 && ignore !== NO_IGNORE && i % 3 === 1 ? ignore : t));
}

const LOSSES = Object.values(Loss);
const softplus = (x: number) => Math.log1p(Math.exp(x));

/** ℓ(x, t) from its definition (param: Huber's delta, SmoothL1's beta or KLDivLoss's log_target; w: BCEWithLogits' pos_weight). */
function lossValue(kind: number, param: number, x: number, t: number, w: number): number {
  const a = Math.abs(x - t);
  switch (kind) {
    case Loss.mse: return (x - t) ** 2;
    case Loss.l1: return a;
    case Loss.huber: return a < param ? 0.5 * a * a : param * (a - 0.5 * param);
    case Loss.smoothL1: return param === 0 ? a : a < param ? (0.5 * a * a) / param : a - 0.5 * param;
    case Loss.bce: return -(t * Math.max(Math.log(x), -100) + (1 - t) * Math.max(Math.log(1 - x), -100));
    // KL(t ‖ x) with x log-probabilities: t·(log t − x), 0 where t = 0; log targets: eᵗ·(t − x)
    case Loss.klDiv: return param ? Math.exp(t) * (t - x) : t === 0 ? 0 : t * (Math.log(t) - x);
    // −(w·t·log σ(x) + (1 − t)·log σ(−x)), log σ(v) = −softplus(−v)
    default: return w * t * softplus(-x) + (1 - t) * softplus(x);
  }
}
function lossGrad(kind: number, param: number, x: number, t: number, w: number): number {
  const r = x - t;
  switch (kind) {
    case Loss.mse: return 2 * r;
    case Loss.l1: return Math.sign(r);
    case Loss.huber: return Math.abs(r) <= param ? r : param * Math.sign(r);
    case Loss.smoothL1: return Math.abs(r) < param ? r / param : Math.sign(r);
    case Loss.bce: return r / Math.max(x * (1 - x), 1e-12);
    case Loss.klDiv: return param ? -Math.exp(t) : -t;
    default: return w * t * (sigmoid(x) - 1) + (1 - t) * sigmoid(x);
  }
}
/** Inputs and targets each loss is defined on (BCE: probabilities; binary targets soft or hard). */
function lossInputs(kind: number, n: number, s: number): [Float32Array, Float32Array] {
  if (kind === Loss.bce) return [values(n, s, 0.02, 0.98).map((v) => v || 0.5), values(n, s + 1, 0, 1)];
  if (kind === Loss.bceWithLogits) return [values(n, s, -6, 6), values(n, s + 1, 0, 1)];
  // KLDivLoss: log-probabilities against probabilities (some exactly 0), or against log-probabilities (lossParam 1)
  if (kind === Loss.klDiv) return [values(n, s, -5, 0), s % 2 ? values(n, s + 1, -5, 0) : values(n, s + 1, 0, 1).map((v, i) => (i % 4 === 1 ? 0 : v))];
  const x = values(n, s);
  const t = values(n, s + 1).map((v, i) => (i % 5 === 2 ? x[i] : v)); // some residuals exactly 0
  return [x, t];
}
/** Huber's delta (> 0), SmoothL1's beta (0 included: plain L1) or KLDivLoss's log_target for a seed; 0 for the others. */
function lossParam(kind: number, s: number): number {
  if (kind === Loss.huber) return [0.5, 1, 1.75][s % 3];
  if (kind === Loss.smoothL1) return [0, 0.5, 1, 1.75][s % 4];
  if (kind === Loss.klDiv) return s % 2; // log_target
  return 0;
}

// ---------------------------------------------------------------------------------------------

for (const config of CONFIGS) {
  describe(`model kernels on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('activationForward matches each definition, also in place', () => {
      fc.assert(fc.property(length, seed, (n, s) => {
        const x = values(n, s, -8, 8);
        for (const act of ACTS) {
          const [, y] = onHeap([x, new Float32Array(n)], (px, py) => kernels().activationForward(act, SLOPE, px, py, n));
          const [inPlace] = onHeap([x], (p) => kernels().activationForward(act, SLOPE, p, p, n));
          const ref = Array.from(x, (v) => activation(act, v));
          if (exactActivations.includes(act)) expectExact(y, ref, `act ${act}`);
          else expectWithin(y, ref, ref.map(Math.abs), 4, `act ${act}`);
          expect(Array.from(inPlace)).toEqual(Array.from(y));
        }
      }));
    });

    it('activationBackward is dy·f′ (ReLU′(0) = 0, LeakyReLU′(0) = slope), dx may alias dy', () => {
      fc.assert(fc.property(length, seed, (n, s) => {
        const x = values(n, s, -8, 8), dy = values(n, s + 1, -2, 2);
        for (const act of ACTS) {
          const y = x.map((v) => activation(act, v));
          const [, , , dx] = onHeap([x, y, dy, new Float32Array(n)], (px, py, pg, pd) =>
            kernels().activationBackward(act, SLOPE, px, py, pg, pd, n));
          const [, , inPlace] = onHeap([x, y, dy], (px, py, pg) => kernels().activationBackward(act, SLOPE, px, py, pg, pg, n));
          const ref = Array.from(x, (v, i) => activationGrad(act, v, y[i], dy[i]));
          if (exactActivations.includes(act)) expectExact(dx, ref.map((r) => r[0]), `act ${act}`);
          else expectWithin(dx, ref.map((r) => r[0]), ref.map((r) => r[1]), 4, `act ${act}`);
          expect(Array.from(inPlace)).toEqual(Array.from(dx));
        }
      }));
    });

    it('biasActivation adds the bias (or none) then activates, into y or in place', () => {
      fc.assert(fc.property(rows, cols, seed, fc.boolean(), (m, n, s, withBias) => {
        const c = values(m * n, s, -6, 6), bias = values(n, s + 1);
        const z = c.map((v, i) => (withBias ? f32(v + bias[i % n]) : v));
        for (const act of ACTS) {
          const [cAfter, , y] = onHeap([c, bias, new Float32Array(m * n)], (pc, pb, py) =>
            kernels().biasActivation(pc, m, n, withBias ? pb : 0, act, SLOPE, py));
          expectExact(cAfter, z, 'c + bias');
          const [inPlace] = onHeap([c, bias], (pc, pb) => kernels().biasActivation(pc, m, n, withBias ? pb : 0, act, SLOPE, pc));
          const ref = Array.from(z, (v) => activation(act, v));
          if (exactActivations.includes(act)) expectExact(y, ref, `act ${act}`);
          else expectWithin(y, ref, ref.map(Math.abs), 4, `act ${act}`);
          expect(Array.from(inPlace)).toEqual(Array.from(y));
        }
      }), { numRuns: 50 });
    });

    it('softmaxRows and logSoftmaxRows match float64, also in place', () => {
      fc.assert(fc.property(rows, cols, seed, fc.constantFrom(1, 10, 60), (m, n, s, spread) => {
        const x = values(m * n, s, -spread, spread);
        const logp = logSoftmax(x, m, n);
        // exp(x − max) carries the rounding of x − max (≤ U·|x − max|) into each p, and the sum into all
        const mag = Array.from(logp, (l, k) => Math.exp(l) * (Math.abs(x[k]) + spread + 4 + n));
        const [, p] = onHeap([x, new Float32Array(m * n)], (px, py) => kernels().softmaxRows(px, py, m, n));
        expectWithin(p, Array.from(logp, Math.exp), mag, 4, 'softmax');
        const [pInPlace] = onHeap([x], (px) => kernels().softmaxRows(px, px, m, n));
        expect(Array.from(pInPlace)).toEqual(Array.from(p));
        const [, l] = onHeap([x, new Float32Array(m * n)], (px, py) => kernels().logSoftmaxRows(px, py, m, n));
        expectWithin(l, logp, Array.from(logp, (v, k) => Math.abs(v) + Math.abs(x[k]) + 2 * spread + 4), 4, 'logSoftmax');
        const [lInPlace] = onHeap([x], (px) => kernels().logSoftmaxRows(px, px, m, n));
        expect(Array.from(lInPlace)).toEqual(Array.from(l));
      }), { numRuns: 50 });
    });

    it('softmaxRowsBackward and logSoftmaxRowsBackward match their formulas, dx may alias dy', () => {
      fc.assert(fc.property(rows, cols, seed, (m, n, s) => {
        const x = values(m * n, s), dy = values(m * n, s + 1, -2, 2);
        const logp = logSoftmax(x, m, n);
        const p = Float32Array.from(logp, Math.exp), lp = Float32Array.from(logp);
        const ref = new Float64Array(m * n), mag = new Float64Array(m * n);
        const refL = new Float64Array(m * n), magL = new Float64Array(m * n);
        for (let i = 0; i < m; i++) {
          let dot = 0, dotAbs = 0, sum = 0, sumAbs = 0;
          for (let j = 0; j < n; j++) {
            const k = i * n + j;
            dot += dy[k] * p[k]; dotAbs += Math.abs(dy[k] * p[k]); sum += dy[k]; sumAbs += Math.abs(dy[k]);
          }
          for (let j = 0; j < n; j++) {
            const k = i * n + j;
            ref[k] = p[k] * (dy[k] - dot);
            mag[k] = p[k] * (Math.abs(dy[k]) + (n + 4) * dotAbs);
            refL[k] = dy[k] - Math.exp(lp[k]) * sum;
            magL[k] = Math.abs(dy[k]) + Math.exp(lp[k]) * (n + 4) * sumAbs;
          }
        }
        const [, , dx] = onHeap([p, dy, new Float32Array(m * n)], (py, pg, pd) => kernels().softmaxRowsBackward(py, pg, pd, m, n));
        expectWithin(dx, ref, mag, 4, 'softmax backward');
        const [, inPlace] = onHeap([p, dy], (py, pg) => kernels().softmaxRowsBackward(py, pg, pg, m, n));
        expect(Array.from(inPlace)).toEqual(Array.from(dx));
        const [, , dxL] = onHeap([lp, dy, new Float32Array(m * n)], (py, pg, pd) => kernels().logSoftmaxRowsBackward(py, pg, pd, m, n));
        expectWithin(dxL, refL, magL, 4, 'logSoftmax backward');
        const [, inPlaceL] = onHeap([lp, dy], (py, pg) => kernels().logSoftmaxRowsBackward(py, pg, pg, m, n));
        expect(Array.from(inPlaceL)).toEqual(Array.from(dxL));
      }), { numRuns: 50 });
    });

    it('crossEntropyForward: softmax and −Σ w·q·log p, class indices or probabilities, label smoothing, class weights, ignored rows', () => {
      fc.assert(fc.property(rows, cols, seed, fc.boolean(), fc.constantFrom(0, 0.1, 0.35), classOptions, (m, n, s, probTargets, eps, o) => {
        const x = values(m * n, s, -12, 12), w = o.weighted ? values(n, s + 5, 0, 3) : null;
        const ignore = probTargets ? NO_IGNORE : o.ignore;
        const target = probTargets ? targetRows(m, n, s + 1) : classIndicesIgnoring(m, n, s + 1, ignore);
        const logp = logSoftmax(x, m, n), q = smoothedTargets(target, probTargets, f32(eps), m, n, w, ignore);
        const ref = new Float64Array(m), mag = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          let spreadTerm = 0; // Σ p·|x − max| bounds the rounding of the log-sum-exp
          for (let j = 0; j < n; j++) spreadTerm += Math.exp(logp[i * n + j]) * 24;
          for (let j = 0; j < n; j++) {
            const k = i * n + j;
            ref[i] -= q[k] * logp[k];
            mag[i] += q[k] * (Math.abs(logp[k]) + 4 + spreadTerm);
          }
        }
        const [, , , probs, losses] = onHeap([x, target, w ?? [], new Float32Array(m * n), new Float32Array(m)], (px, pt, pw, pp, pl) =>
          kernels().crossEntropyForward(px, pt, probTargets ? 1 : 0, eps, w ? pw : 0, ignore, m, n, pp, pl));
        expectWithin(losses, ref, mag, 8, 'loss');
        expectWithin(probs, Array.from(logp, Math.exp), Array.from(logp, (l) => Math.exp(l) * (n + 40)), 4, 'probs');
      }));
    });

    it('crossEntropyBackward is s·(p·Σa − a), a = w ⊙ q, s the scale or each row\'s upstream gradient, 0 on an ignored row', () => {
      fc.assert(fc.property(rows, cols, seed, fc.boolean(), fc.boolean(), fc.constantFrom(0, 0.1, 0.35), classOptions, (m, n, s, probTargets, perRow, eps, o) => {
        const logp = logSoftmax(values(m * n, s), m, n);
        const p = Float32Array.from(logp, Math.exp), w = o.weighted ? values(n, s + 5, 0, 3) : null;
        const ignore = probTargets ? NO_IGNORE : o.ignore;
        // Probability rows summing to 1 or not: torch's gradient is p·Σq − q either way.
        const target = probTargets ? targetRows(m, n, s + 1).map((v, k) => (s % 2 ? v : v * (1 + (k % 3)))) : classIndicesIgnoring(m, n, s + 1, ignore);
        const rowScale = values(m, s + 2, -3, 3), scale = f32(1 / m);
        const q = smoothedTargets(target, probTargets, f32(eps), m, n, w, ignore);
        const sums = Array.from({ length: m }, (_, i) => q.subarray(i * n, i * n + n).reduce((a, b) => a + b, 0));
        const si = (k: number) => (perRow ? rowScale[Math.floor(k / n)] : scale);
        const ref = Array.from(p, (v, k) => si(k) * (v * sums[Math.floor(k / n)] - q[k]));
        const mag = Array.from(p, (v, k) => Math.abs(si(k)) * (v * Math.abs(sums[Math.floor(k / n)]) + Math.abs(q[k])));
        const wp = (pw: number) => (w ? pw : 0);
        const [, , , , d] = onHeap([p, target, rowScale, w ?? [], new Float32Array(m * n)], (pp, pt, pr, pw, pd) =>
          kernels().crossEntropyBackward(pp, pt, probTargets ? 1 : 0, eps, wp(pw), ignore, m, n, scale, perRow ? pr : 0, pd));
        expectWithin(d, ref, mag, 6, 'dlogits');
        const [inPlace] = onHeap([p, target, rowScale, w ?? []], (pp, pt, pr, pw) =>
          kernels().crossEntropyBackward(pp, pt, probTargets ? 1 : 0, eps, wp(pw), ignore, m, n, scale, perRow ? pr : 0, pp));
        expect(Array.from(inPlace)).toEqual(Array.from(d));
      }));
    });

    it('nllForward picks −w_t·logp[i][t_i]; nllBackward puts −s_i·w_t there and 0 elsewhere; an ignored row gives 0', () => {
      fc.assert(fc.property(rows, cols, seed, fc.boolean(), classOptions, (m, n, s, perRow, o) => {
        const logp = values(m * n, s, -9, 0), t = classIndicesIgnoring(m, n, s + 1, o.ignore), rowScale = values(m, s + 2);
        const w = o.weighted ? values(n, s + 5, 0, 3) : null, weightOf = (c: number) => (w ? w[c] : 1);
        const counted = (i: number) => t[i] !== o.ignore;
        const [, , , losses] = onHeap([logp, t, w ?? [], new Float32Array(m)], (pl, pt, pw, po) => kernels().nllForward(pl, pt, w ? pw : 0, o.ignore, m, n, po));
        expectExact(losses, Array.from(t, (ti, i) => (counted(i) ? -f32(weightOf(ti) * logp[i * n + ti]) : 0)), 'losses');
        const [, , , d] = onHeap([t, rowScale, w ?? [], values(m * n, s + 3)], (pt, pr, pw, pd) =>
          kernels().nllBackward(pt, w ? pw : 0, o.ignore, m, n, 0.25, perRow ? pr : 0, pd));
        const si = (i: number) => (perRow ? rowScale[i] : 0.25);
        expectExact(d, Array.from(d, (_, k) => {
          const i = Math.floor(k / n);
          return counted(i) && t[i] === k % n ? -f32(si(i) * weightOf(t[i])) : 0;
        }), 'dlogp');
      }));
    });

    it('lossForward: every elementwise loss, BCEWithLogits with and without posWeight', () => {
      fc.assert(fc.property(length, seed, fc.integer({ min: 1, max: 9 }), (n, s, c) => {
        for (const kind of LOSSES) {
          const [x, t] = lossInputs(kind, n, s);
          const param = lossParam(kind, s), w = values(c, s + 2, 0.2, 3);
          for (const weighted of kind === Loss.bceWithLogits ? [false, true] : [false]) {
            const [, , , out] = onHeap([x, t, w, new Float32Array(n)], (px, pt, pw, po) =>
              kernels().lossForward(kind, param, px, pt, weighted ? pw : 0, n, c, po));
            const wi = (i: number) => (weighted ? w[i % c] : 1);
            const ref = Array.from(x, (v, i) => lossValue(kind, param, v, t[i], wi(i)));
            // terms that cancel: (1 − t)·x against softplus in BCEWithLogits; the rounding of x − t elsewhere
            // KLDivLoss: t·log t against t·x (eᵗ·t against eᵗ·x with log targets)
            const kl = (v: number, ti: number) => (param ? Math.exp(ti) * (Math.abs(ti) + Math.abs(v)) : Math.abs(ti * Math.log(ti || 1)) + Math.abs(ti * v));
            const mag = Array.from(x, (v, i) => Math.abs(ref[i]) + Math.abs(v - t[i]) * Math.abs(lossGrad(kind, param, v, t[i], wi(i)))
              + (kind === Loss.bceWithLogits ? (1 + wi(i)) * (Math.abs(v) + 1) : kind === Loss.klDiv ? kl(v, t[i]) : 0));
            expectWithin(out, ref, mag, 8, `loss ${kind}`);
          }
        }
      }));
    });

    it('lossBackward: s·∂ℓ/∂x for every loss, s the scale or the upstream gradient', () => {
      fc.assert(fc.property(length, seed, fc.integer({ min: 1, max: 9 }), fc.boolean(), (n, s, c, perElement) => {
        for (const kind of LOSSES) {
          const [x, t] = lossInputs(kind, n, s);
          const param = lossParam(kind, s), w = values(c, s + 2, 0.2, 3), g = values(n, s + 3, -2, 2);
          const weighted = kind === Loss.bceWithLogits && s % 2 === 0;
          const [, , , , d] = onHeap([x, t, w, g, new Float32Array(n)], (px, pt, pw, pg, pd) =>
            kernels().lossBackward(kind, param, px, pt, weighted ? pw : 0, n, c, 0.125, perElement ? pg : 0, pd));
          const si = (i: number) => (perElement ? g[i] : 0.125), wi = (i: number) => (weighted ? w[i % c] : 1);
          const grad = Array.from(x, (v, i) => lossGrad(kind, param, v, t[i], wi(i)));
          // what rounds besides the result: x − t (times 1/β or 1/δ inside the quadratic zone),
          // BCE's quotient, BCEWithLogits' difference of two terms
          const extra = (i: number) => kind === Loss.bceWithLogits ? 2 * wi(i) + 2 : kind === Loss.bce ? Math.abs(grad[i])
            : param > 0 ? Math.abs(x[i] - t[i]) / param : 0;
          const ref = grad.map((gr, i) => si(i) * gr);
          expectWithin(d, ref, grad.map((gr, i) => Math.abs(si(i)) * (Math.abs(gr) + extra(i))), 8, `loss ${kind}`);
          const [, , , inPlace] = onHeap([x, t, w, g], (px, pt, pw, pg) =>
            kernels().lossBackward(kind, param, px, pt, weighted ? pw : 0, n, c, 0.125, perElement ? pg : 0, pg));
          expect(Array.from(inPlace)).toEqual(Array.from(d));
        }
      }));
    });

    it('unary: neg, abs, sqrt exact; exp, log, pow within a few ulp; y may alias x', () => {
      fc.assert(fc.property(length, seed, (n, s) => {
        const x = values(n, s), positive = values(n, s + 1, 0.01, 4).map((v) => v || 1);
        const cases: [number, number, Float32Array, (v: number) => number][] = [
          [Unary.neg, 0, x, (v) => -v], [Unary.abs, 0, x, Math.abs], [Unary.sqrt, 0, positive, Math.sqrt],
          [Unary.exp, 0, x, Math.exp], [Unary.log, 0, positive, Math.log],
          ...[2, 3, 0, 1].map((p): [number, number, Float32Array, (v: number) => number] => [Unary.pow, p, x, (v) => v ** p]),
          ...[0.5, 1.7, -1, -0.5].map((p): [number, number, Float32Array, (v: number) => number] => [Unary.pow, p, positive, (v) => v ** f32(p)]),
        ];
        for (const [op, p, input, fn] of cases) {
          const [, y] = onHeap([input, new Float32Array(n)], (px, py) => kernels().unary(op, p, px, py, n));
          const ref = Array.from(input, fn);
          if (op === Unary.neg || op === Unary.abs || op === Unary.sqrt || (op === Unary.pow && (p === 2 || p === 0.5))) expectExact(y, ref, `op ${op}`);
          else expectWithin(y, ref, ref.map(Math.abs), 4, `op ${op} ^${p}`);
          const [inPlace] = onHeap([input], (px) => kernels().unary(op, p, px, px, n));
          expect(Array.from(inPlace)).toEqual(Array.from(y));
        }
      }));
    });

    it('unaryBackward: dy·op′ (abs′(0) = 0, pow′ = 0 for p = 0), dx may alias dy', () => {
      fc.assert(fc.property(length, seed, (n, s) => {
        const x = values(n, s), positive = values(n, s + 1, 0.01, 4).map((v) => v || 1), dy = values(n, s + 2, -2, 2);
        const cases: [number, number, Float32Array, Float32Array, (v: number, y: number) => number][] = [
          [Unary.neg, 0, x, x, () => -1], [Unary.abs, 0, x, x, (v) => Math.sign(v)],
          [Unary.exp, 0, x, x.map(Math.exp), (_, y) => y], [Unary.log, 0, positive, positive, (v) => 1 / v],
          [Unary.sqrt, 0, positive, positive.map(Math.sqrt), (_, y) => 1 / (2 * y)],
          ...[2, 3, 0, 1].map((p): [number, number, Float32Array, Float32Array, (v: number, y: number) => number] => [Unary.pow, p, x, x, (v) => (p === 0 ? 0 : p * v ** (p - 1))]),
          ...[0.5, 1.7, -1].map((p): [number, number, Float32Array, Float32Array, (v: number, y: number) => number] => [Unary.pow, p, positive, positive, (v) => f32(p) * v ** (f32(p) - 1)]),
        ];
        for (const [op, p, input, y, fn] of cases) {
          const [, , , dx] = onHeap([input, y, dy, new Float32Array(n)], (px, py, pg, pd) => kernels().unaryBackward(op, p, px, py, pg, pd, n));
          // one rounding of a product or quotient of two floats: exact, except pow
          const ref = Array.from(input, (v, i) => (op === Unary.pow ? dy[i] * fn(v, y[i]) : op === Unary.log ? dy[i] / v : op === Unary.sqrt ? dy[i] / (2 * y[i]) : dy[i] * fn(v, y[i])));
          if (op === Unary.pow) expectWithin(dx, ref, ref.map(Math.abs), 8, `op ${op} ^${p}`);
          else expectExact(dx, ref, `op ${op}`);
          const [, , inPlace] = onHeap([input, y, dy], (px, py, pg) => kernels().unaryBackward(op, p, px, py, pg, pg, n));
          expect(Array.from(inPlace)).toEqual(Array.from(dx));
        }
      }));
    });

    it('binary: every op over full, row, column, scalar and transposed operands, exactly; out may alias a', () => {
      type Layout = { name: string; size: (m: number, n: number) => number; strides: (m: number, n: number) => [number, number] };
      const layouts: Layout[] = [
        { name: 'full', size: (m, n) => m * n, strides: (_m, n) => [n, 1] },
        { name: 'row', size: (_m, n) => n, strides: () => [0, 1] },
        { name: 'column', size: (m) => m, strides: () => [1, 0] },
        { name: 'scalar', size: () => 1, strides: () => [0, 0] },
        { name: 'transposed', size: (m, n) => m * n, strides: (m) => [1, m] },
      ];
      fc.assert(fc.property(rows, cols, seed, fc.constantFrom(...layouts), fc.constantFrom(...layouts), (m, n, s, la, lb) => {
        const a = values(la.size(m, n), s), b = values(lb.size(m, n), s + 1, 0.5, 3);
        const [ar, ac] = la.strides(m, n), [br, bc] = lb.strides(m, n);
        for (const op of Object.values(Binary)) {
          const fn = [(u: number, v: number) => u + v, (u: number, v: number) => u - v, (u: number, v: number) => u * v, (u: number, v: number) => u / v][op];
          const ref = Array.from({ length: m * n }, (_, k) => fn(a[Math.floor(k / n) * ar + (k % n) * ac], b[Math.floor(k / n) * br + (k % n) * bc]));
          const [, , out] = onHeap([a, b, new Float32Array(m * n)], (pa, pb, po) => kernels().binary(op, pa, ar, ac, pb, br, bc, po, m, n));
          expectExact(out, ref, `${la.name} op ${op} ${lb.name}`);
          if (la.name === 'full') {
            const [inPlace] = onHeap([a, b], (pa, pb) => kernels().binary(op, pa, ar, ac, pb, br, bc, pa, m, n));
            expectExact(inPlace, ref, 'in place');
          }
        }
      }));
    });

    it('sumRows and sumCols, with and without accumulating, within the float32 summation bound', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 70 }), seed, fc.boolean(), (m, n, s, accumulate) => {
        const x = values(m * n, s), outN = values(n, s + 1), outM = values(m, s + 2);
        const [, colSums] = onHeap([x, outN], (px, po) => kernels().sumRows(px, m, n, po, accumulate ? 1 : 0));
        const [, rowSums] = onHeap([x, outM], (px, po) => kernels().sumCols(px, m, n, po, accumulate ? 1 : 0));
        const ref = (count: number, len: number, at: (i: number, j: number) => number, start: Float32Array) => {
          const value = new Float64Array(count), mag = new Float64Array(count);
          for (let i = 0; i < count; i++) {
            value[i] = accumulate ? start[i] : 0;
            mag[i] = Math.abs(value[i]);
            for (let j = 0; j < len; j++) { value[i] += at(i, j); mag[i] += Math.abs(at(i, j)); }
            mag[i] *= len + 2;
          }
          return { value, mag };
        };
        const cs = ref(n, m, (j, i) => x[i * n + j], outN), rs = ref(m, n, (i, j) => x[i * n + j], outM);
        expectWithin(colSums, cs.value, cs.mag, 2, 'sumRows');
        expectWithin(rowSums, rs.value, rs.mag, 2, 'sumCols');
      }));
    });

    it('transpose moves every element exactly', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), seed, (m, n, s) => {
        const x = values(m * n, s);
        const [, y] = onHeap([x, new Float32Array(m * n)], (px, py) => kernels().transpose(px, m, n, py));
        expectExact(y, Array.from(y, (_, k) => x[(k % m) * n + Math.floor(k / m)]), 'transpose');
      }), { numRuns: 60 });
    });

    it('transposeAxes moves every element exactly: any two dimensions of a 5-D shape, outer blocks split anywhere', () => {
      const size = fc.integer({ min: 1, max: 5 });
      fc.assert(fc.property(fc.tuple(fc.integer({ min: 0, max: 3 }), size, fc.integer({ min: 1, max: 3 }), size, fc.integer({ min: 1, max: 6 })), seed,
        ([outer, m, mid, n, inner], s) => {
          const block = m * mid * n * inner, x = values(outer * block, s);
          const [, y] = onHeap([x, new Float32Array(outer * block)], (px, py) => kernels().transposeAxes(px, outer, m, mid, n, inner, py, block));
          const want = new Float32Array(outer * block);
          for (let o = 0; o < outer; o++) for (let i = 0; i < m; i++) for (let k = 0; k < mid; k++) for (let j = 0; j < n; j++) {
            for (let t = 0; t < inner; t++) want[o * block + ((j * mid + k) * m + i) * inner + t] = x[o * block + ((i * mid + k) * n + j) * inner + t];
          }
          expectExact(y, Array.from(want), 'transposeAxes');
        }), { numRuns: 80 });
    });

    it('copyRows copies rows of any width between strides, and leaves the gaps alone', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), seed,
        (rows, width, xGap, yGap, s) => {
          const xStride = width + xGap, yStride = width + yGap;
          const x = values(Math.max(rows * xStride, 1), s), before = values(Math.max(rows * yStride, 1), s + 1);
          const [, y] = onHeap([x, before], (px, py) => kernels().copyRows(px, rows, width, py, xStride, yStride));
          const want = Array.from(before);
          for (let r = 0; r < rows; r++) for (let t = 0; t < width; t++) want[r * yStride + t] = x[r * xStride + t];
          expectExact(y, want, 'copyRows');
        }), { numRuns: 80 });
    });

    it('every backward kernel matches central differences of the float64 forward', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), seed, (m, n, s) => {
        const size = m * n;
        const x = awayFrom(values(size, s, -6, 6), [0], 1e-3), dy = values(size, s + 1, -2, 2).map((v) => v || 1);
        const dyScale = Array.from(dy, Math.abs);
        for (const act of ACTS) {
          const y = x.map((v) => activation(act, v));
          const [, , , dx] = onHeap([x, y, dy, new Float32Array(size)], (px, py, pg, pd) =>
            kernels().activationBackward(act, SLOPE, px, py, pg, pd, size));
          expectDifferences(dx, Array.from(x, (v, i) => dy[i] * centralDifference((u) => activation(act, u), v)), dyScale, `act ${act}`);
        }
        // Row functions F(x) = Σ_j dy_j·g(x)_j differentiated one logit at a time.
        const rowDifferences = (g: (row: ArrayLike<number>) => ArrayLike<number>) => Array.from(x, (_, k) => {
          const i = Math.floor(k / n), row = Array.from(x.subarray(i * n, i * n + n));
          return centralDifference((u) => {
            const r = row.slice(); r[k % n] = u;
            return Array.from(g(r)).reduce((acc, v, j) => acc + dy[i * n + j] * v, 0);
          }, x[k]);
        });
        const logp = logSoftmax(x, m, n);
        const p = Float32Array.from(logp, Math.exp), lp = Float32Array.from(logp);
        // the rounding of p (or log p) to float32 is multiplied by the row's Σ dy
        const rowScale = Array.from(x, (_, k) => dyScale.slice(k - (k % n), k - (k % n) + n).reduce((a, v) => a + v, dyScale[k]));
        const [, , dxS] = onHeap([p, dy, new Float32Array(size)], (py, pg, pd) => kernels().softmaxRowsBackward(py, pg, pd, m, n));
        expectDifferences(dxS, rowDifferences((r) => logSoftmax(r, 1, n).map(Math.exp)), rowScale, 'softmax');
        const [, , dxL] = onHeap([lp, dy, new Float32Array(size)], (py, pg, pd) => kernels().logSoftmaxRowsBackward(py, pg, pd, m, n));
        expectDifferences(dxL, rowDifferences((r) => logSoftmax(r, 1, n)), rowScale, 'logSoftmax');
        for (const [probTargets, w] of [[false, null], [true, null], [false, values(n, s + 7, 0.1, 3)], [true, values(n, s + 8, 0.1, 3)]] as const) {
          const target = probTargets ? targetRows(m, n, s + 2) : classIndices(m, n, s + 2);
          const upstream = values(m, s + 3).map((v) => v || 1), eps = 0.1;
          const ce = (i: number, r: ArrayLike<number>) => {
            const q = smoothedTargets(probTargets ? target.subarray(i * n, i * n + n) : [target[i]], probTargets, f32(eps), 1, n, w);
            return -Array.from(logSoftmax(r, 1, n)).reduce((acc, l, j) => acc + q[j] * l, 0);
          };
          const fd = Array.from(x, (_, k) => {
            const i = Math.floor(k / n), row = Array.from(x.subarray(i * n, i * n + n));
            return upstream[i] * centralDifference((u) => { const r = row.slice(); r[k % n] = u; return ce(i, r); }, x[k]);
          });
          const [, , , , d] = onHeap([p, target, upstream, w ?? [], new Float32Array(size)], (pp, pt, pr, pw, pd) =>
            kernels().crossEntropyBackward(pp, pt, probTargets ? 1 : 0, eps, w ? pw : 0, NO_IGNORE, m, n, 1, pr, pd));
          const wMax = w ? Math.max(...w) : 1;
          expectDifferences(d, fd, Array.from(x, (_, k) => wMax * Math.abs(upstream[Math.floor(k / n)])), `cross-entropy (prob targets ${probTargets}, weights ${w !== null})`);
        }
        const t = classIndices(m, n, s + 4);
        const [, dNll] = onHeap([t, new Float32Array(size)], (pt, pd) => kernels().nllBackward(pt, 0, NO_IGNORE, m, n, 0.5, 0, pd));
        expectDifferences(dNll, Array.from(x, (_, k) => 0.5 * centralDifference((u) => (t[Math.floor(k / n)] === k % n ? -u : 0), x[k])), dyScale, 'nll');
        for (const kind of LOSSES) {
          const [input, target] = lossInputs(kind, size, s + 5);
          const param = kind === Loss.smoothL1 ? 0.5 : kind === Loss.huber ? 1 : kind === Loss.klDiv ? lossParam(kind, s + 5) : 0;
          const xs = kind === Loss.bce || kind === Loss.bceWithLogits || kind === Loss.klDiv ? input : awayFrom(input.map((v, i) => v - target[i]), [-param, 0, param], 1e-3).map((r, i) => f32(r + target[i]));
          const [, , , , d] = onHeap([xs, target, [2], dy, new Float32Array(size)], (px, pt, pw, pg, pd) =>
            kernels().lossBackward(kind, param, px, pt, kind === Loss.bceWithLogits ? pw : 0, size, 1, 0, pg, pd));
          const w = kind === Loss.bceWithLogits ? 2 : 1;
          expectDifferences(d, Array.from(xs, (v, i) => dy[i] * centralDifference((u) => lossValue(kind, param, u, target[i], w), v, 1e-6)), dyScale, `loss ${kind}`);
        }
        const positive = values(size, s + 6, 0.2, 3).map((v) => v || 1);
        for (const [op, p, input] of [[Unary.exp, 0, x], [Unary.log, 0, positive], [Unary.neg, 0, x], [Unary.pow, 3, x], [Unary.pow, -1.5, positive], [Unary.sqrt, 0, positive], [Unary.abs, 0, x]] as const) {
          const fn = [Math.exp, Math.log, (v: number) => -v, (v: number) => v ** p, Math.sqrt, Math.abs][op];
          const [, , , d] = onHeap([input, input.map(fn), dy, new Float32Array(size)], (px, py, pg, pd) => kernels().unaryBackward(op, p, px, py, pg, pd, size));
          expectDifferences(d, Array.from(input, (v, i) => dy[i] * centralDifference(fn, v)), dyScale, `unary ${op}`);
        }
      }), { numRuns: 40 });
    });

    it('conventions at the kinks: ReLU′(0) = 0, LeakyReLU′(0) = slope, L1′(0) = abs′(0) = 0, Huber and SmoothL1 at the edge', () => {
      const x = [-1, -0, 0, 1e-30, 2];
      const grad = (act: number) => onHeap([x, x, [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], (px, py, pg, pd) =>
        kernels().activationBackward(act, SLOPE, px, py, pg, pd, 5))[3];
      expect(Array.from(grad(Act.relu))).toEqual([0, 0, 0, 1, 1]);
      expect(Array.from(grad(Act.leakyRelu))).toEqual([SLOPE, SLOPE, SLOPE, 1, 1]);
      const [, y] = onHeap([x, [9, 9, 9, 9, 9]], (px, py) => kernels().activationForward(Act.relu, 0, px, py, 5));
      expect(Array.from(y, (v) => v + 0)).toEqual([0, 0, 0, f32(1e-30), 2]); // + 0 folds −0 into 0
      const [, , dAbs] = onHeap([[0, -0, -3, 3], [1, 1, 1, 1], [9, 9, 9, 9]], (px, pg, pd) => kernels().unaryBackward(Unary.abs, 0, px, px, pg, pd, 4));
      expect(Array.from(dAbs)).toEqual([0, 0, -1, 1]);
      const lossGradAt = (kind: number, param: number, r: number[]) =>
        Array.from(onHeap([r, r.map(() => 0), r.map(() => 0)], (px, pt, pd) => kernels().lossBackward(kind, param, px, pt, 0, r.length, 1, 1, 0, pd))[2]);
      expect(lossGradAt(Loss.l1, 0, [0, -2, 2, 0, 0])).toEqual([0, -1, 1, 0, 0]);
      expect(lossGradAt(Loss.huber, 1, [-1, 1, 0.5, 3, -3])).toEqual([-1, 1, 0.5, 1, -1]);
      expect(lossGradAt(Loss.smoothL1, 0.5, [-0.5, 0.5, 0.25, 0, 3])).toEqual([-1, 1, 0.5, 0, 1]);
      expect(lossGradAt(Loss.smoothL1, 0, [-0.5, 0.5, 0, 0, 3])).toEqual([-1, 1, 0, 0, 1]); // beta = 0 is L1
      const [, , smoothL1] = onHeap([[-0.5, 0.5, 0, 2], [0, 0, 0, 0], [9, 9, 9, 9]], (px, pt, po) => kernels().lossForward(Loss.smoothL1, 0, px, pt, 0, 4, 1, po));
      expect(Array.from(smoothL1)).toEqual([0.5, 0.5, 0, 2]);
    });

    it('BCE clamps each log at −100 as torch does', () => {
      const [, , out] = onHeap([[0, 1, 0, 1, 1e-45, 0.5], [1, 0, 0, 1, 1, 0.5], new Float32Array(6)], (px, pt, po) =>
        kernels().lossForward(Loss.bce, 0, px, pt, 0, 6, 1, po));
      expect(Array.from(out.subarray(0, 5), (v) => v + 0)).toEqual([100, 100, 0, 0, 100]);
      expect(out[5]).toBeCloseTo(Math.LN2, 6);
    });

    it('softmax, log-softmax and cross-entropy stay finite for logits of ±1e4', () => {
      const x = [1e4, 1e4 - 1, -1e4, 0, 1e4, -1e4, -1e4, -1e4];
      const [, p] = onHeap([x, new Float32Array(8)], (px, py) => kernels().softmaxRows(px, py, 2, 4));
      const e = Math.exp(-1);
      expectWithin(p, [1 / (1 + e), e / (1 + e), 0, 0, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], 4, 'softmax');
      const [, l] = onHeap([x, new Float32Array(8)], (px, py) => kernels().logSoftmaxRows(px, py, 2, 4));
      expectWithin(l, [-Math.log1p(e), -1 - Math.log1p(e), -2e4 - Math.log1p(e), -1e4 - Math.log1p(e), 0, -2e4, -2e4, -2e4], [1, 1, 3e4, 2e4, 1, 3e4, 3e4, 3e4], 4, 'logSoftmax');
      const [, , , losses] = onHeap([x, [1, 0], new Float32Array(8), new Float32Array(2)], (px, pt, pp, pl) =>
        kernels().crossEntropyForward(px, pt, 0, 0, 0, NO_IGNORE, 2, 4, pp, pl));
      expectWithin(losses, [1 + Math.log1p(e), 0], [2, 1], 4, 'cross-entropy');
    });

    it('cross-entropy with class indices equals cross-entropy with one-hot probabilities, with label smoothing', () => {
      const m = 5, n = 7, x = values(m * n, 3, -5, 5), t = classIndices(m, n, 4);
      const oneHot = Float32Array.from({ length: m * n }, (_, k) => (t[Math.floor(k / n)] === k % n ? 1 : 0));
      for (const eps of [0, 0.2]) {
        const run = (target: Float32Array, probTargets: number) => onHeap([x, target, new Float32Array(m * n), new Float32Array(m)], (px, pt, pp, pl) =>
          kernels().crossEntropyForward(px, pt, probTargets, eps, 0, NO_IGNORE, m, n, pp, pl))[3];
        const byIndex = run(t, 0), byProbability = run(oneHot, 1);
        expectWithin(byIndex, byProbability, Array.from(byProbability, (v) => Math.abs(v) + 1), 8, `ε = ${eps}`);
      }
    });

    it('zero-sized arguments write nothing', () => {
      const k = kernels(), none = new Float32Array(0);
      onHeap([none, none, none, none], (a, b, c, d) => {
        k.activationForward(Act.geluErf, 0, a, b, 0);
        k.activationBackward(Act.sigmoid, 0, a, b, c, d, 0);
        k.biasActivation(a, 0, 5, b, Act.relu, 0, c);
        k.biasActivation(a, 5, 0, b, Act.relu, 0, c);
        k.softmaxRows(a, b, 0, 5); k.softmaxRows(a, b, 5, 0);
        k.logSoftmaxRows(a, b, 0, 5); k.logSoftmaxRows(a, b, 5, 0);
        k.softmaxRowsBackward(a, b, c, 0, 5); k.logSoftmaxRowsBackward(a, b, c, 5, 0);
        k.crossEntropyForward(a, b, 0, 0.1, 0, NO_IGNORE, 0, 5, c, d);
        k.crossEntropyBackward(a, b, 1, 0.1, 0, NO_IGNORE, 0, 5, 1, 0, c);
        k.nllForward(a, b, 0, NO_IGNORE, 0, 5, c); k.nllBackward(a, 0, NO_IGNORE, 0, 5, 1, 0, b);
        for (const kind of LOSSES) { k.lossForward(kind, 1, a, b, 0, 0, 1, c); k.lossBackward(kind, 1, a, b, 0, 0, 1, 1, 0, d); }
        for (const op of Object.values(Unary)) { k.unary(op, 2, a, b, 0); k.unaryBackward(op, 2, a, b, c, d, 0); }
        for (const op of Object.values(Binary)) { k.binary(op, a, 5, 1, b, 0, 1, c, 0, 5); k.binary(op, a, 0, 1, b, 0, 1, c, 5, 0); }
        k.sumRows(a, 0, 0, b, 0); k.sumCols(a, 0, 0, b, 0); k.transpose(a, 0, 7, b); k.transpose(a, 7, 0, b);
      });
    });
  });
}

/** m rows of probabilities (non-negative, summing to 1). */
function targetRows(m: number, n: number, s: number): Float32Array {
  const raw = randomFloats(m * n, s).map((u) => (u + 1) / 2);
  for (let i = 0; i < m; i++) {
    let total = 0;
    for (let j = 0; j < n; j++) total += raw[i * n + j];
    for (let j = 0; j < n; j++) raw[i * n + j] /= total;
  }
  return raw;
}

// ---------------------------------------------------------------------------------------------

/** Runs every kernel with every code on fixed inputs that cover the SIMD bodies and the tails. */
function everyKernelOnce(k: ModelKernels): Float32Array[] {
  const m = 13, n = 37, size = m * n, outputs: Float32Array[] = [];
  const x = values(size, 1, -6, 6), y = values(size, 2, 0.05, 0.95), dy = values(size, 3, -2, 2);
  const positive = values(size, 4, 0.1, 3).map((v) => v || 1), t = classIndices(m, n, 5), probs = targetRows(m, n, 6);
  const run = (arrays: ArrayLike<number>[], body: (...p: number[]) => void) => outputs.push(...onHeap(arrays, body));
  const out = () => new Float32Array(size);
  for (const act of ACTS) {
    run([x, out()], (px, po) => k.activationForward(act, SLOPE, px, po, size));
    run([x, y, dy, out()], (px, py, pg, pd) => k.activationBackward(act, SLOPE, px, py, pg, pd, size));
    run([x, dy.subarray(0, n), out()], (pc, pb, py) => k.biasActivation(pc, m, n, pb, act, SLOPE, py));
  }
  run([x, out()], (px, py) => { k.softmaxRows(px, py, m, n); k.logSoftmaxRows(px, px, m, n); });
  run([y, dy, out()], (py, pg, pd) => { k.softmaxRowsBackward(py, pg, pd, m, n); k.logSoftmaxRowsBackward(py, pg, pg, m, n); });
  // With and without class weights; class 2 ignored where it occurs.
  const classWeights = positive.subarray(0, n);
  for (const [target, pt] of [[t, 0], [probs, 1]] as const) {
    for (const weighted of [false, true]) {
      run([x, target, classWeights, out(), new Float32Array(m), out()], (px, ptg, pw, pp, pl, pd) => {
        k.crossEntropyForward(px, ptg, pt, 0.1, weighted ? pw : 0, 2, m, n, pp, pl);
        k.crossEntropyBackward(pp, ptg, pt, 0.1, weighted ? pw : 0, 2, m, n, 1 / m, 0, pd);
      });
    }
  }
  run([x, t, classWeights, new Float32Array(m), out()], (px, pt, pw, pl, pd) => {
    k.nllForward(px, pt, pw, 2, m, n, pl);
    k.nllBackward(pt, pw, 2, m, n, 0.5, 0, pd);
  });
  for (const kind of LOSSES) {
    const input = kind === Loss.bce ? y : x;
    run([input, positive.map((v) => v / 3), positive.subarray(0, n), out(), out()], (px, pt, pw, po, pd) => {
      k.lossForward(kind, 0.75, px, pt, pw, size, n, po);
      k.lossBackward(kind, 0.75, px, pt, pw, size, n, 0.01, 0, pd);
    });
  }
  for (const op of Object.values(Unary)) {
    run([op === Unary.log || op === Unary.sqrt ? positive : x, positive, dy, out(), out()], (px, py, pg, po, pd) => {
      k.unary(op, 1.5, px, po, size);
      k.unaryBackward(op, 1.5, px, py, pg, pd, size);
    });
  }
  for (const op of Object.values(Binary)) {
    run([x, positive, out(), out(), out()], (pa, pb, p1, p2, p3) => {
      k.binary(op, pa, n, 1, pb, 0, 1, p1, m, n);
      k.binary(op, pa, 1, 0, pb, n, 1, p2, m, n);
      k.binary(op, pa, 0, 0, pb, 1, m, p3, m, n);
    });
  }
  run([x, dy.subarray(0, n), dy.subarray(0, m), out()], (px, pr, pc, pt) => {
    k.sumRows(px, m, n, pr, 1); k.sumCols(px, m, n, pc, 1); k.transpose(px, m, n, pt);
  });
  return outputs;
}

describe('the simd and scalar wasm builds', () => {
  it('agree bit for bit on every kernel', async () => {
    const results: number[][][] = [];
    for (const config of CONFIGS.filter((c) => c.options.backend === 'wasm')) {
      await use(config.options);
      // NaN payloads are not part of the contract: compare every NaN as one value
      results.push(everyKernelOnce(kernels()).map((a) => Array.from(new Uint32Array(a.buffer), (b, i) => (a[i] !== a[i] ? -1 : b))));
    }
    expect(results).toHaveLength(2);
    results[1].forEach((bits, i) => expect(bits, `output ${i}`).toEqual(results[0][i]));
  });
});
