import type { HeapView } from './views.js';

// Twins of assembly/recurrent.ts (definitions in kernels-norm.ts): the same formulas, each value in
// float64 and rounded to float32 on store.

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function lstmCellForward(h: HeapView, gates: number, cPrev: number, c: number, hOut: number, n: number, hsize: number, gateStride: number): void {
  const f = h.f32;
  for (let r = 0; r < n; r++) {
    const G = (gates >>> 2) + r * gateStride, R = r * hsize;
    for (let j = 0; j < hsize; j++) {
      const i = f[G + j] = sigmoid(f[G + j]), fg = f[G + hsize + j] = sigmoid(f[G + hsize + j]);
      const g = f[G + 2 * hsize + j] = Math.tanh(f[G + 2 * hsize + j]), o = f[G + 3 * hsize + j] = sigmoid(f[G + 3 * hsize + j]);
      const cell = f[(c >>> 2) + R + j] = fg * f[(cPrev >>> 2) + R + j] + i * g;
      f[(hOut >>> 2) + R + j] = o * Math.tanh(cell);
    }
  }
}

export function lstmCellBackward(
  h: HeapView, gates: number, cPrev: number, c: number, dh: number, dc: number, dgates: number, n: number, hsize: number, gateStride: number,
): void {
  const f = h.f32;
  for (let r = 0; r < n; r++) {
    const G = (gates >>> 2) + r * gateStride, D = (dgates >>> 2) + r * gateStride, R = r * hsize;
    for (let j = 0; j < hsize; j++) {
      const i = f[G + j], fg = f[G + hsize + j], g = f[G + 2 * hsize + j], o = f[G + 3 * hsize + j];
      const tc = Math.tanh(f[(c >>> 2) + R + j]), dhv = f[(dh >>> 2) + R + j];
      const dcv = f[(dc >>> 2) + R + j] + dhv * o * (1 - tc * tc);
      f[D + j] = dcv * g * (i * (1 - i));
      f[D + hsize + j] = dcv * f[(cPrev >>> 2) + R + j] * (fg * (1 - fg));
      f[D + 2 * hsize + j] = dcv * i * (1 - g * g);
      f[D + 3 * hsize + j] = dhv * tc * (o * (1 - o));
      f[(dc >>> 2) + R + j] = dcv * fg;
    }
  }
}

export function gruCellForward(h: HeapView, gx: number, gh: number, hPrev: number, hOut: number, n: number, hsize: number, gateStride: number): void {
  const f = h.f32;
  for (let r = 0; r < n; r++) {
    const X = (gx >>> 2) + r * gateStride, Hh = (gh >>> 2) + r * gateStride, R = r * hsize;
    for (let j = 0; j < hsize; j++) {
      const reset = f[X + j] = sigmoid(f[X + j] + f[Hh + j]);
      const update = f[X + hsize + j] = sigmoid(f[X + hsize + j] + f[Hh + hsize + j]);
      const fresh = f[X + 2 * hsize + j] = Math.tanh(f[X + 2 * hsize + j] + reset * f[Hh + 2 * hsize + j]);
      f[(hOut >>> 2) + R + j] = (1 - update) * fresh + update * f[(hPrev >>> 2) + R + j];
    }
  }
}

export function gruCellBackward(
  h: HeapView, gx: number, gh: number, hPrev: number, dh: number, dgx: number, dgh: number, dhPrev: number, n: number, hsize: number, gateStride: number,
): void {
  const f = h.f32;
  for (let r = 0; r < n; r++) {
    const O = r * gateStride, R = r * hsize;
    for (let j = 0; j < hsize; j++) {
      const reset = f[(gx >>> 2) + O + j], update = f[(gx >>> 2) + O + hsize + j], fresh = f[(gx >>> 2) + O + 2 * hsize + j];
      const g = f[(dh >>> 2) + R + j], prev = f[(hPrev >>> 2) + R + j];
      const dn = g * (1 - update) * (1 - fresh * fresh);
      const dz = g * (prev - fresh) * (update * (1 - update));
      const dr = dn * f[(gh >>> 2) + O + 2 * hsize + j] * (reset * (1 - reset));
      f[(dgx >>> 2) + O + j] = dr;
      f[(dgx >>> 2) + O + hsize + j] = dz;
      f[(dgx >>> 2) + O + 2 * hsize + j] = dn;
      f[(dgh >>> 2) + O + j] = dr;
      f[(dgh >>> 2) + O + hsize + j] = dz;
      f[(dgh >>> 2) + O + 2 * hsize + j] = dn * reset;
      f[(dhPrev >>> 2) + R + j] = g * update;
    }
  }
}
