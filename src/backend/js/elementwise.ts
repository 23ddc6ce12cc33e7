import type { HeapView } from './views.js';

// Plain-loop twins of assembly/elementwise.ts and assembly/reduce.ts. Each elementwise result is
// rounded to float32 after every operation (Math.fround), so they agree bit for bit with the wasm
// kernels; the reductions accumulate in float64 and are the more accurate reference.

export function fill(h: HeapView, x: number, n: number, value: number): void {
  h.f32.fill(value, x >>> 2, (x >>> 2) + n);
}

export function copy(h: HeapView, x: number, y: number, n: number): void {
  h.f32.copyWithin(y >>> 2, x >>> 2, (x >>> 2) + n);
}

export function scale(h: HeapView, x: number, y: number, n: number, alpha: number): void {
  const f = h.f32, X = x >>> 2, Y = y >>> 2, a = Math.fround(alpha);
  for (let i = 0; i < n; i++) f[Y + i] = a * f[X + i];
}

export function axpy(h: HeapView, n: number, alpha: number, x: number, y: number): void {
  const f = h.f32, X = x >>> 2, Y = y >>> 2, a = Math.fround(alpha);
  for (let i = 0; i < n; i++) f[Y + i] = f[Y + i] + Math.fround(a * f[X + i]);
}

export function add(h: HeapView, a: number, b: number, out: number, n: number): void {
  const f = h.f32, A = a >>> 2, B = b >>> 2, O = out >>> 2;
  for (let i = 0; i < n; i++) f[O + i] = f[A + i] + f[B + i];
}

export function mul(h: HeapView, a: number, b: number, out: number, n: number): void {
  const f = h.f32, A = a >>> 2, B = b >>> 2, O = out >>> 2;
  for (let i = 0; i < n; i++) f[O + i] = f[A + i] * f[B + i];
}

export function sum(h: HeapView, x: number, n: number): number {
  const f = h.f32, X = x >>> 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += f[X + i];
  return Math.fround(s);
}

export function max(h: HeapView, x: number, n: number): number {
  const f = h.f32, X = x >>> 2;
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = f[X + i];
    if (v !== v) return NaN;
    if (v > m) m = v;
  }
  return m;
}
