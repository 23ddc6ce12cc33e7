import type { HeapView } from './views.js';
import { Binary, Unary } from '../backend.js';

// Twins of assembly/ops.ts: values in float64, rounded to float32 on store; sums accumulate in
// float64 (the wasm kernels sum in float32 in a fixed order).

/** x^p with torch's special cases (x·x for p = 2, √x for p = 0.5). */
function power(x: number, p: number): number {
  return p === 2 ? x * x : p === 0.5 ? Math.sqrt(x) : Math.pow(x, p);
}

function unaryValue(op: number, p: number, x: number): number {
  switch (op) {
    case Unary.exp: return Math.exp(x);
    case Unary.log: return Math.log(x);
    case Unary.neg: return -x;
    case Unary.pow: return power(x, p);
    case Unary.sqrt: return Math.sqrt(x);
    case Unary.abs: return Math.abs(x);
    default: throw new Error(`unknown unary op ${op}`);
  }
}

/** op′(x), given y = op(x); pow′ = 0 for p = 0 and abs′(0) = 0, as torch. */
function unaryGrad(op: number, p: number, x: number, y: number): number {
  switch (op) {
    case Unary.exp: return y;
    case Unary.log: return 1 / x;
    case Unary.neg: return -1;
    case Unary.pow: return p === 0 ? 0 : p * power(x, p - 1);
    case Unary.sqrt: return 1 / (2 * y);
    case Unary.abs: return x > 0 ? 1 : x < 0 ? -1 : 0;
    default: throw new Error(`unknown unary op ${op}`);
  }
}

export function unary(h: HeapView, op: number, param: number, x: number, y: number, n: number): void {
  const f = h.f32, X = x >>> 2, Y = y >>> 2, p = Math.fround(param);
  for (let i = 0; i < n; i++) f[Y + i] = unaryValue(op, p, f[X + i]);
}

export function unaryBackward(
  h: HeapView, op: number, param: number, x: number, y: number, dy: number, dx: number, n: number,
): void {
  const f = h.f32, X = x >>> 2, Y = y >>> 2, G = dy >>> 2, D = dx >>> 2, p = Math.fround(param);
  const readsY = op === Unary.exp || op === Unary.sqrt;
  for (let i = 0; i < n; i++) {
    const g = f[G + i];
    if (op === Unary.neg) f[D + i] = -g;
    else if (op === Unary.pow && p === 0) f[D + i] = 0;
    else f[D + i] = g * unaryGrad(op, p, f[X + i], readsY ? f[Y + i] : NaN);
  }
}

export function binary(
  h: HeapView, op: number, a: number, ar: number, ac: number, b: number, br: number, bc: number,
  out: number, m: number, n: number,
): void {
  const f = h.f32, A = a >>> 2, B = b >>> 2, O = out >>> 2;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const u = f[A + i * ar + j * ac], v = f[B + i * br + j * bc];
      f[O + i * n + j] =
        op === Binary.add ? u + v : op === Binary.sub ? u - v : op === Binary.mul ? u * v : u / v;
    }
  }
}

export function sumRows(h: HeapView, x: number, m: number, n: number, out: number, accumulate: number): void {
  const f = h.f32, X = x >>> 2, O = out >>> 2;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += f[X + i * n + j];
    f[O + j] = accumulate ? f[O + j] + s : s;
  }
}

export function sumCols(h: HeapView, x: number, m: number, n: number, out: number, accumulate: number): void {
  const f = h.f32, X = x >>> 2, O = out >>> 2;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += f[X + i * n + j];
    f[O + i] = accumulate ? f[O + i] + s : s;
  }
}

export function transpose(h: HeapView, x: number, m: number, n: number, y: number): void {
  const f = h.f32, X = x >>> 2, Y = y >>> 2;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[Y + j * m + i] = f[X + i * n + j];
}

export function transposeAxes(h: HeapView, x: number, outer: number, m: number, mid: number, n: number, inner: number, y: number, block: number): void {
  const f = h.f32;
  for (let o = 0; o < outer; o++) {
    const X = (x >>> 2) + o * block, Y = (y >>> 2) + o * block;
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < mid; k++) {
        for (let j = 0; j < n; j++) {
          const src = X + ((i * mid + k) * n + j) * inner, dst = Y + ((j * mid + k) * m + i) * inner;
          f.copyWithin(dst, src, src + inner);
        }
      }
    }
  }
}

export function copyRows(h: HeapView, x: number, rows: number, width: number, y: number, xStride: number, yStride: number): void {
  const f = h.f32;
  for (let r = 0; r < rows; r++) {
    const src = (x >>> 2) + r * xStride;
    f.copyWithin((y >>> 2) + r * yStride, src, src + width);
  }
}
