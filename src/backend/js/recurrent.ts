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
