import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { tensor } from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import type { OptimKernels } from '../src/backend/optim-kernels.js';
import { CONFIGS, use, randomFloats, U } from './helpers.js';

// The fused optimizer kernels (OptimKernels in src/backend/optim-kernels.ts) over random lengths —
// 0, 1, non-multiples of 4, up to 1000 — and random hyperparameters: each against a float64
// reference of its stated formula, and the wasm SIMD build, the wasm scalar build and the js
// twin against each other, bit for bit.
//
// The references track, beside each value, a magnitude: the same formula over absolute values,
// so |float32 result − reference| ≤ C·(U·magnitude + 2⁻¹⁴⁹) bounds the rounding of a short chain
// of operations, cancellation and underflow to subnormals included. Where a kernel branches on a value (sign, max), the branch is
// taken on the float32 value, as any float32 implementation must.

const f32 = Math.fround;
const C = 64;

const length = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17), fc.integer({ min: 0, max: 1000 }));
const unit = fc.double({ min: 0, max: 0.999, noNaN: true });
const positive = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const flag = fc.constantFrom(0, 1);

/** n values in [lo, hi), every 8th an exact 0 (sign(0) and zero gradients are part of the contract). */
function values(n: number, seed: number, lo: number, hi: number): Float32Array {
  return randomFloats(n, seed).map((u, i) => (i % 8 === 5 ? 0 : lo + ((u + 1) / 2) * (hi - lo)));
}

type Arrays = Record<string, Float32Array>;
type Scalars = Record<string, number>;
/** Expected [value, magnitude] of every output element, by array name. */
type Reference = Record<string, [number, number]>;

interface KernelCase {
  name: keyof OptimKernels;
  /** The arrays the kernel reads, by name, and how to fill them. */
  inputs: (n: number, seed: number, s: Scalars) => Arrays;
  scalars: fc.Arbitrary<Scalars>;
  call: (k: OptimKernels, at: Record<string, number>, n: number, s: Scalars) => void;
  /** The formula at element i, in float64 from the float32 inputs and scalars. */
  reference: (x: Arrays, i: number, s: Scalars) => Reference;
}

/** ±g (+ wd·p), with its magnitude. */
function gradient(g: number, p: number, maximize: number, wd: number): [number, number] {
  const d = (maximize ? -g : g) + (wd !== 0 ? wd * p : 0);
  return [d, Math.abs(g) + Math.abs(wd * p)];
}
const signOf = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x);
/**
 * The second moment β2·v + (1−β2)·d², and how far its float32 rounding can move it: d itself is off
 * by up to U·md (d = g + wd·p may cancel), which moves d² by 2|d|·U·md.
 */
function secondMoment(v: number, d: number, md: number, beta2: number, omb2: number): { vi: number; mv: number; shift: number } {
  return { vi: beta2 * v + omb2 * d * d, mv: beta2 * v + omb2 * md * md, shift: beta2 * v + omb2 * Math.abs(d) * (Math.abs(d) + 2 * md) };
}
/**
 * num / (√vi + eps) with its magnitude: the numerator's, plus how far vi's rounding (U·shift) moves
 * the quotient through √vi — large when d is small next to its magnitude and β2 leaves little of v.
 */
function overRoot(num: number, mnum: number, vi: number, shift: number, eps: number): [number, number] {
  const root = Math.sqrt(vi), den = root + eps;
  const moved = root > 0 ? shift / (2 * root) : 0;
  return [num / den, mnum / den + (Math.abs(num) * moved) / (den * den)];
}
/** The scalars as a kernel sees them: rounded to float32. */
const asF32 = (s: Scalars): Scalars => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, f32(v)]));

const KERNELS: KernelCase[] = [
  {
    name: 'sgdUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), buf: values(n, seed + 2, -2, 2) }),
    scalars: fc.record({ lr: positive(0, 1), wd: positive(0, 0.1), momentum: unit, omd: unit, nesterov: flag, maximize: flag, first: flag }),
    call: (k, a, n, s) => k.sgdUpdate(a.p, a.g, a.buf, n, s.lr, s.wd, s.momentum, s.omd, s.nesterov, s.maximize, s.first),
    reference: ({ p, g, buf }, i, s) => {
      const [d, md] = gradient(g[i], p[i], s.maximize, s.wd);
      const b = s.first ? d : s.momentum * buf[i] + s.omd * d;
      const mb = s.first ? md : Math.abs(s.momentum * buf[i]) + s.omd * md;
      const [step, ms] = s.nesterov ? [d + s.momentum * b, md + s.momentum * mb] : [b, mb];
      return { p: [p[i] - s.lr * step, Math.abs(p[i]) + s.lr * ms], buf: [b, mb] };
    },
  },
  {
    name: 'emaMomentumUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), v: values(n, seed + 2, -2, 2) }),
    scalars: fc.record({ lr: positive(0, 1), beta: unit }).map((s) => ({ ...s, omb: 1 - s.beta })),
    call: (k, a, n, s) => k.emaMomentumUpdate(a.p, a.g, a.v, n, s.lr, s.beta, s.omb),
    reference: ({ p, g, v }, i, s) => {
      const vi = s.beta * v[i] + s.omb * g[i], mv = Math.abs(s.beta * v[i]) + Math.abs(s.omb * g[i]);
      return { p: [p[i] - s.lr * vi, Math.abs(p[i]) + s.lr * mv], v: [vi, mv] };
    },
  },
  {
    name: 'adagradUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), sum: values(n, seed + 2, 0, 3) }),
    scalars: fc.record({ clr: positive(0, 1), wd: positive(0, 0.1), eps: positive(1e-10, 1e-3) }),
    call: (k, a, n, s) => k.adagradUpdate(a.p, a.g, a.sum, n, s.clr, s.wd, s.eps),
    reference: ({ p, g, sum }, i, s) => {
      const [d, md] = gradient(g[i], p[i], 0, s.wd);
      const si = sum[i] + d * d, den = Math.sqrt(si) + s.eps;
      return { p: [p[i] - (s.clr * d) / den, Math.abs(p[i]) + (s.clr * md) / den], sum: [si, sum[i] + md * md] };
    },
  },
  {
    name: 'rmspropUpdate',
    inputs: (n, seed) => {
      const v = values(n, seed + 2, 0, 3);
      // |a| ≤ 0.6·√v keeps v − a² ≥ 0.64·v, so the centered variance is well conditioned.
      const a = values(n, seed + 3, -0.6, 0.6).map((u, i) => u * Math.sqrt(v[i]));
      return { p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), v, a, buf: values(n, seed + 4, -2, 2) };
    },
    scalars: fc.record({
      lr: positive(0, 0.1), alpha: positive(0.5, 0.999), eps: positive(1e-8, 1e-3), wd: positive(0, 0.1),
      momentum: fc.oneof(fc.constant(0), unit), centered: flag,
    }).map((s) => ({ ...s, oma: 1 - s.alpha })),
    call: (k, x, n, s) => k.rmspropUpdate(x.p, x.g, x.v, x.a, x.buf, n, s.lr, s.alpha, s.oma, s.eps, s.wd, s.momentum, s.centered),
    reference: ({ p, g, v, a, buf }, i, s) => {
      const [d, md] = gradient(g[i], p[i], 0, s.wd);
      const vi = s.alpha * v[i] + s.oma * d * d, mvi = s.alpha * v[i] + s.oma * md * md;
      const ai = s.alpha * a[i] + s.oma * d, mai = Math.abs(s.alpha * a[i]) + s.oma * md;
      const avg = (s.centered ? Math.sqrt(vi - ai * ai) : Math.sqrt(vi)) + s.eps;
      const step = d / avg, ms = (2 * md) / avg; // 2×: the variance's rounding, relative to its size
      const bi = s.momentum * buf[i] + step, mb = Math.abs(s.momentum * buf[i]) + ms;
      const [upd, mu] = s.momentum ? [bi, mb] : [step, ms];
      const out: Reference = { p: [p[i] - s.lr * upd, Math.abs(p[i]) + s.lr * mu], v: [vi, mvi] };
      out.a = s.centered ? [ai, mai] : [a[i], 0];
      out.buf = s.momentum ? [bi, mb] : [buf[i], 0];
      return out;
    },
  },
  {
    name: 'adadeltaUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), v: values(n, seed + 2, 0, 3), u: values(n, seed + 3, 0, 1) }),
    scalars: fc.record({ lr: positive(0, 1), rho: unit, eps: positive(1e-6, 1e-3), wd: positive(0, 0.1) }).map((s) => ({ ...s, omr: 1 - s.rho })),
    call: (k, a, n, s) => k.adadeltaUpdate(a.p, a.g, a.v, a.u, n, s.lr, s.rho, s.omr, s.eps, s.wd),
    reference: ({ p, g, v, u }, i, s) => {
      const [d, md] = gradient(g[i], p[i], 0, s.wd);
      const vi = s.rho * v[i] + s.omr * d * d;
      const r = Math.sqrt(u[i] + s.eps) / Math.sqrt(vi + s.eps);
      const delta = r * d, mdelta = r * md;
      return {
        p: [p[i] - s.lr * delta, Math.abs(p[i]) + s.lr * mdelta],
        v: [vi, s.rho * v[i] + s.omr * md * md],
        u: [s.rho * u[i] + s.omr * delta * delta, s.rho * u[i] + s.omr * mdelta * mdelta],
      };
    },
  },
  {
    name: 'adamUpdate',
    inputs: (n, seed) => ({
      p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), m: values(n, seed + 2, -1, 1),
      v: values(n, seed + 3, 0, 2), vMax: values(n, seed + 4, 0, 2),
    }),
    scalars: fc.record({
      stepSize: positive(0, 0.1), eps: positive(1e-8, 1e-3), beta1: unit, beta2: unit, wd: positive(0, 0.1),
      decay: fc.oneof(fc.constant(1), positive(0.9, 1)), maximize: flag, amsgrad: flag,
    }).map((s) => ({ ...s, omb1: 1 - s.beta1, omb2: 1 - s.beta2 })),
    call: (k, a, n, s) => k.adamUpdate(a.p, a.g, a.m, a.v, a.vMax, n, s.stepSize, s.eps, s.beta1, s.omb1, s.beta2, s.omb2, s.wd, s.decay, s.maximize, s.amsgrad),
    reference: ({ p, g, m, v, vMax }, i, s) => {
      const pi = p[i] * s.decay;
      const [d, md] = gradient(g[i], pi, s.maximize, s.wd);
      const mi = s.beta1 * m[i] + s.omb1 * d, mm = Math.abs(s.beta1 * m[i]) + s.omb1 * md;
      const { vi, mv, shift } = secondMoment(v[i], d, md, s.beta2, s.omb2);
      const vh = s.amsgrad ? Math.max(vMax[i], vi) : vi;
      const [q, mq] = overRoot(s.stepSize * mi, s.stepSize * mm, vh, vh === vi ? shift : 0, s.eps);
      const out: Reference = { p: [pi - q, Math.abs(pi) + mq], m: [mi, mm], v: [vi, mv] };
      out.vMax = s.amsgrad ? [vh, Math.max(vMax[i], mv)] : [vMax[i], 0];
      return out;
    },
  },
  {
    name: 'adamaxUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), m: values(n, seed + 2, -1, 1), u: values(n, seed + 3, 0, 2) }),
    scalars: fc.record({ clr: positive(0, 0.1), eps: positive(1e-8, 1e-3), beta1: unit, beta2: unit, wd: positive(0, 0.1) }).map((s) => ({ ...s, omb1: 1 - s.beta1 })),
    call: (k, a, n, s) => k.adamaxUpdate(a.p, a.g, a.m, a.u, n, s.clr, s.eps, s.beta1, s.omb1, s.beta2, s.wd),
    reference: ({ p, g, m, u }, i, s) => {
      const [d, md] = gradient(g[i], p[i], 0, s.wd);
      const mi = s.beta1 * m[i] + s.omb1 * d, mm = Math.abs(s.beta1 * m[i]) + s.omb1 * md;
      const ui = Math.max(s.beta2 * u[i], Math.abs(d) + s.eps), mu = Math.max(s.beta2 * u[i], md + s.eps);
      // u's rounding (U·mu: |d| is off by U·md when d = g + wd·p cancels) moves clr·m/u by |clr·m/u|·mu/u.
      const q = (s.clr * mi) / ui, mq = (s.clr * mm) / ui + (Math.abs(q) * mu) / ui;
      return { p: [p[i] - q, Math.abs(p[i]) + mq], m: [mi, mm], u: [ui, mu] };
    },
  },
  {
    name: 'nadamUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), m: values(n, seed + 2, -1, 1), v: values(n, seed + 3, 0, 2) }),
    scalars: fc.record({
      gradCoef: positive(0, 0.1), avgCoef: positive(0, 0.1), eps: positive(1e-8, 1e-3), beta1: unit, beta2: unit, wd: positive(0, 0.1),
    }).map((s) => ({ ...s, omb1: 1 - s.beta1, omb2: 1 - s.beta2 })),
    call: (k, a, n, s) => k.nadamUpdate(a.p, a.g, a.m, a.v, n, s.gradCoef, s.avgCoef, s.eps, s.beta1, s.omb1, s.beta2, s.omb2, s.wd),
    reference: ({ p, g, m, v }, i, s) => {
      const [d, md] = gradient(g[i], p[i], 0, s.wd);
      const mi = s.beta1 * m[i] + s.omb1 * d, mm = Math.abs(s.beta1 * m[i]) + s.omb1 * md;
      const { vi, mv, shift } = secondMoment(v[i], d, md, s.beta2, s.omb2);
      const [q, mq] = overRoot(s.gradCoef * d + s.avgCoef * mi, s.gradCoef * md + s.avgCoef * mm, vi, shift, s.eps);
      return { p: [p[i] - q, Math.abs(p[i]) + mq], m: [mi, mm], v: [vi, mv] };
    },
  },
  {
    name: 'radamUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), m: values(n, seed + 2, -1, 1), v: values(n, seed + 3, 0, 2) }),
    scalars: fc.record({
      stepSize: positive(0, 0.1), eps: positive(1e-8, 1e-3), beta1: unit, beta2: unit, wd: positive(0, 0.1), rectified: flag,
    }).map((s) => ({ ...s, omb1: 1 - s.beta1, omb2: 1 - s.beta2 })),
    call: (k, a, n, s) => k.radamUpdate(a.p, a.g, a.m, a.v, n, s.stepSize, s.eps, s.beta1, s.omb1, s.beta2, s.omb2, s.wd, s.rectified),
    reference: ({ p, g, m, v }, i, s) => {
      const [d, md] = gradient(g[i], p[i], 0, s.wd);
      const mi = s.beta1 * m[i] + s.omb1 * d, mm = Math.abs(s.beta1 * m[i]) + s.omb1 * md;
      const { vi, mv, shift } = secondMoment(v[i], d, md, s.beta2, s.omb2);
      const [q, mq] = s.rectified ? overRoot(s.stepSize * mi, s.stepSize * mm, vi, shift, s.eps) : [s.stepSize * mi, s.stepSize * mm];
      return { p: [p[i] - q, Math.abs(p[i]) + mq], m: [mi, mm], v: [vi, mv] };
    },
  },
  {
    name: 'yogiUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -2, 2), m: values(n, seed + 2, -1, 1), v: values(n, seed + 3, 1e-6, 2) }),
    scalars: fc.record({ stepSize: positive(0, 0.1), eps: positive(1e-6, 1e-2), beta1: unit, beta2: unit }).map((s) => ({ ...s, omb1: 1 - s.beta1, omb2: 1 - s.beta2 })),
    call: (k, a, n, s) => k.yogiUpdate(a.p, a.g, a.m, a.v, n, s.stepSize, s.eps, s.beta1, s.omb1, s.omb2),
    reference: ({ p, g, m, v }, i, s) => {
      const mi = s.omb1 * g[i] + s.beta1 * m[i], mm = Math.abs(s.omb1 * g[i]) + Math.abs(s.beta1 * m[i]);
      const g2 = g[i] * g[i];
      const sign = signOf(f32(v[i] - f32(g2)));
      const vi = v[i] - s.omb2 * sign * g2;
      const den = Math.sqrt(vi) + s.eps, mv = v[i] + s.omb2 * g2;
      // v − (1−β2)·g² may cancel: its rounding, mv·U, moves √v by mv·U/(2√v).
      const mp = Math.abs(p[i]) + (s.stepSize * mm) / den + (s.stepSize * Math.abs(mi) * mv) / (den * den * 2 * Math.sqrt(vi) || 1);
      return { p: [p[i] - (s.stepSize * mi) / den, mp], m: [mi, mm], v: [vi, mv] };
    },
  },
  {
    name: 'lionUpdate',
    inputs: (n, seed) => ({ p: values(n, seed, -4, 4), g: values(n, seed + 1, -4, 4), m: values(n, seed + 2, -1, 1) }),
    scalars: fc.record({ lr: positive(0, 0.1), beta1: unit, beta2: unit, wd: fc.oneof(fc.constant(0), positive(0, 0.5)) })
      .map((s) => ({ ...s, omb1: 1 - s.beta1, omb2: 1 - s.beta2 })),
    call: (k, a, n, s) => k.lionUpdate(a.p, a.g, a.m, n, s.lr, s.beta1, s.omb1, s.beta2, s.omb2, s.wd),
    reference: ({ p, g, m }, i, s) => {
      const c32 = f32(f32(f32(s.omb1) * g[i]) + f32(f32(s.beta1) * m[i]));
      const u = signOf(c32) + s.wd * p[i];
      return {
        p: [p[i] - s.lr * u, Math.abs(p[i]) + s.lr * (1 + Math.abs(s.wd * p[i]))],
        m: [s.omb2 * g[i] + s.beta2 * m[i], Math.abs(s.omb2 * g[i]) + Math.abs(s.beta2 * m[i])],
      };
    },
  },
];

const GUARD = 1234.5;

/** Copies the arrays to the heap between guard cells, runs `call`, returns the arrays afterwards. */
function runOnHeap(arrays: Arrays, call: (at: Record<string, number>) => void): Arrays {
  const blocks = Object.entries(arrays).map(([name, a]) => {
    const padded = new Float32Array(a.length + 8).fill(GUARD);
    padded.set(a, 4);
    return [name, tensor(padded, [padded.length])] as const;
  });
  try {
    call(Object.fromEntries(blocks.map(([name, t]) => [name, t.offset + 16])));
    return Object.fromEntries(blocks.map(([name, t]) => {
      const all = t.toArray(), n = arrays[name].length;
      if ([...all.subarray(0, 4), ...all.subarray(n + 4)].some((x) => x !== GUARD)) expect.fail(`the kernel wrote outside ${name}`);
      return [name, all.slice(4, n + 4)];
    }));
  } finally {
    blocks.forEach(([, t]) => t.dispose());
  }
}

describe('optimizer kernels', () => {
  const backends: { label: string; kernels: OptimKernels }[] = [];
  beforeAll(async () => {
    for (const config of CONFIGS) {
      await use(config.options);
      backends.push({ label: config.label, kernels: requireBackend() });
    }
  });

  for (const kernel of KERNELS) {
    it(`${kernel.name}: float64 reference of its formula, and wasm simd = wasm scalar = js bit for bit`, () => {
      fc.assert(fc.property(length, fc.nat(), kernel.scalars, (n, seed, raw) => {
        const s = asF32(raw);
        const inputs = kernel.inputs(n, seed, s);
        const results = backends.map((b) => runOnHeap(inputs, (at) => kernel.call(b.kernels, at, n, raw)));
        for (let r = 1; r < results.length; r++) {
          for (const name of Object.keys(inputs)) {
            expect(Array.from(results[r][name]), `${backends[r].label} vs ${backends[0].label}: ${name}`).toEqual(Array.from(results[0][name]));
          }
        }
        const got = results[0];
        for (let i = 0; i < n; i++) {
          const ref = kernel.reference(inputs, i, s);
          for (const name of Object.keys(inputs)) {
            const [value, magnitude] = ref[name] ?? [inputs[name][i], 0]; // an input the kernel only reads
            const error = Math.abs(got[name][i] - value);
            const bound = C * (U * magnitude + 2 ** -149);
            if (!(error <= bound)) {
              expect.fail(`${kernel.name} ${name}[${i}] = ${got[name][i]}, reference ${value} (error ${error}, bound ${bound}) with ${JSON.stringify(raw)}`);
            }
          }
        }
      }), { numRuns: 60 });
    });
  }

  it('adamUpdate, nadamUpdate, radamUpdate and yogiUpdate on dead units (subnormal first moments, zero gradients, odd p and v): wasm simd = wasm scalar = js bit for bit', () => {
    // The SIMD kernel steps a vector of dead units without a float operation on its subnormal first
    // moments (assembly/optim-step.ts): these states drive every lane into and out of that path —
    // m stuck (k·2^-149, k ≤ 6) or decaying or normal, d zero or not, p large, tiny, 0, subnormal,
    // NaN or infinite, v any — with hyperparameters that turn it on or off (β1 = 0 none, β1 ≤ 0.5
    // no stuck k, |lr| > 1024 and eps = 0 no bound on p's move) and β1 = 0.75 and 0.5, whose β1·k
    // fall on ties (rounded to even). NAdam's move is avgCoef·m/den (here stepSize; an infinite
    // gradCoef turns the path off), RAdam's lr·m/den or, unrectified (amsgrad's flag here), lr·m;
    // Yogi's as Adam's.
    const pick = <T,>(xs: T[], u: number) => xs[Math.floor(((u + 1) / 2) * xs.length) % xs.length];
    const tiny = 2 ** -149;
    const mOptions = [1, 2, 3, 4, 5, 6, 1000, 2 ** 23 - 1].map((k) => k * tiny).concat([0, 2 ** -126, 1e-30, 0.25]);
    const gOptions = [0, 0, 0, 0, -0, 3 * tiny, 1e-3];
    const pOptions = [0.5, -0.02, 3, 1e-25, 1e-30, 0, -0, 5 * tiny, NaN, Infinity, -Infinity];
    const vOptions = [1e-6, 0.3, 0, 7 * tiny, Infinity, NaN];
    const scalars = fc.record({
      stepSize: fc.constantFrom(1e-3, 0.1, 0, 2000), eps: fc.constantFrom(1e-8, 1e-3, 0), beta1: fc.constantFrom(0.9, 0.99, 0.999, 0.75, 0.5, 0.3, 0),
      beta2: fc.constantFrom(0.999, 0.9), wd: fc.constantFrom(0, 0, 0.01), decay: fc.constantFrom(1, 1, 0.99), maximize: flag, amsgrad: flag,
      gradCoef: fc.constantFrom(1e-3, Infinity), kernel: fc.constantFrom('adam', 'adam', 'nadam', 'radam', 'yogi'),
    });
    type S = { stepSize: number; eps: number; beta1: number; beta2: number; wd: number; decay: number; maximize: number; amsgrad: number; gradCoef: number; kernel: string };
    const update = (k: OptimKernels, at: Record<string, number>, n: number, s: S) => {
      if (s.kernel === 'nadam') k.nadamUpdate(at.p, at.g, at.m, at.v, n, s.gradCoef, s.stepSize, s.eps, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.wd);
      else if (s.kernel === 'yogi') k.yogiUpdate(at.p, at.g, at.m, at.v, n, s.stepSize, s.eps, s.beta1, 1 - s.beta1, 1 - s.beta2);
      else if (s.kernel === 'radam') k.radamUpdate(at.p, at.g, at.m, at.v, n, s.stepSize, s.eps, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.wd, s.amsgrad);
      else k.adamUpdate(at.p, at.g, at.m, at.v, at.vMax, n, s.stepSize, s.eps, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.wd, s.decay, s.maximize, s.amsgrad);
    };
    fc.assert(fc.property(length, fc.nat(), fc.nat(), scalars, (n, seed, mix, s) => {
      const u = randomFloats(5 * n, seed);
      // Runs of lanes alike (a dead unit's row) broken by single odd lanes, as in a net's weights.
      const lane = (i: number, j: number, options: number[]) => pick(options, u[(i % 3 === 0 || (i + mix) % 11 === 0 ? i : i - (i % 8)) * 5 + j]);
      const sign = (i: number) => (u[i * 5 + 4] < 0 ? -1 : 1);
      const inputs = {
        p: Float32Array.from({ length: n }, (_, i) => lane(i, 0, pOptions)), g: Float32Array.from({ length: n }, (_, i) => lane(i, 1, gOptions)),
        m: Float32Array.from({ length: n }, (_, i) => sign(i) * lane(i, 2, mOptions)), v: Float32Array.from({ length: n }, (_, i) => lane(i, 3, vOptions)),
        vMax: Float32Array.from({ length: n }, (_, i) => lane(i, 3, vOptions)),
      };
      // A few steps, so that decaying first moments reach the stuck ones.
      const results = backends.map((b) => {
        let state: Arrays = inputs;
        for (let step = 0; step < 3; step++) {
          state = runOnHeap(state, (at) => update(b.kernels, at, n, s));
        }
        return state;
      });
      for (let r = 1; r < results.length; r++) {
        for (const name of Object.keys(inputs)) {
          expect(Array.from(results[r][name]), `${backends[r].label} vs ${backends[0].label}: ${name} with ${JSON.stringify(s)}`)
            .toEqual(Array.from(results[0][name]));
        }
      }
    }), { numRuns: 300 });
  });

  it('sign conventions of Lion and Yogi: sign(0) = 0, and a NaN gradient gives a NaN parameter', () => {
    for (const b of backends) {
      const out = runOnHeap({ p: Float32Array.of(1, 1, 1, 1, 1), g: Float32Array.of(0, 0, 0, NaN, 2), m: Float32Array.of(0, 0, 0, 0, 0) },
        (at) => b.kernels.lionUpdate(at.p, at.g, at.m, 5, 0.5, 0.9, 0.1, 0.99, 0.01, 0));
      expect(Array.from(out.p), b.label).toEqual([1, 1, 1, NaN, 0.5]);
      const y = runOnHeap({ p: Float32Array.of(1, 1), g: Float32Array.of(0, 2), m: Float32Array.of(0, 0), v: Float32Array.of(4, 4) },
        (at) => b.kernels.yogiUpdate(at.p, at.g, at.m, at.v, 2, 0.1, 1e-3, 0.9, 0.1, 0.001));
      expect(Array.from(y.v), b.label).toEqual([4, 4]); // g = 0: v − g² > 0, v moves by 0; g² = v: sign 0
    }
  });

  it('normPower: Σ|x|^p in float64 (p = 1, 2, 3, 0.5) and max|x|; clampAbs', () => {
    fc.assert(fc.property(length, fc.nat(), (n, seed) => {
      const x = values(n, seed, -3, 3);
      for (const p of [1, 2, 3, 0.5, Infinity]) {
        const got = backends.map((b) => {
          let result = 0;
          runOnHeap({ x }, (at) => { result = b.kernels.normPower(at.x, n, p); });
          return result;
        });
        const abs = Array.from(x, Math.abs);
        const reference = p === Infinity ? abs.reduce((a, v) => Math.max(a, v), 0) : abs.reduce((a, v) => a + v ** p, 0);
        expect(Math.abs(got[0] - reference)).toBeLessThanOrEqual(1e-13 * reference);
        expect(got[1]).toBe(got[0]); // the two wasm builds
        if (p === 1 || p === 2 || p === Infinity) expect(got[2]).toBe(got[0]); // js too, where no pow is involved
      }
      const limit = f32(((seed % 7) + 1) / 3);
      const clamped = backends.map((b) => runOnHeap({ x }, (at) => b.kernels.clampAbs(at.x, n, limit)).x);
      for (const c of clamped) expect(Array.from(c)).toEqual(Array.from(x, (v) => Math.min(Math.max(v, -limit), limit)));
    }), { numRuns: 60 });
  });
});
