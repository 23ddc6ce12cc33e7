// What the optimizer twins share (the twins: optim.ts, optim-adam.ts, each declared with its
// kernel's arguments and formula). Every float32 operation of the wasm kernels
// (assembly/optim-*.ts) is one `r(…)` in a twin, in the same order, so the results agree bit for
// bit (a float64 +, −, ×, ÷ or √ of float32 values rounded once to float32 is the float32
// operation).

export const r = Math.fround;

/** The gradient an update uses: ±g (+ wd·p). */
export function grad(g: number, p: number, maximize: boolean, weightDecay: number): number {
  const d = maximize ? -g : g;
  return weightDecay !== 0 ? r(d + r(weightDecay * p)) : d;
}

/**
 * β·avg + (1−β)·x, each product and the sum rounded to float32 as the kernels round them (+ and ×
 * commute exactly, so this is also Yogi's and Lion's (1−β)·g + β·m).
 */
export function firstMoment(avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return r(r(avg * beta) + r(oneMinusBeta * x));
}

/** β·avg + (1−β)·x², rounded as the kernels round it: ((1−β)·x)·x. */
export function secondMoment(avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return r(r(avg * beta) + r(r(oneMinusBeta * x) * x));
}

/** ±1, and x itself for ±0 and NaN. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/**
 * The moments of Adam, NAdam and RAdam at element i: m ← β1·m + (1−β1)·d, v ← β2·v + (1−β2)·d²,
 * written back to f[M], f[V] (the caller reads them there).
 */
export function updateMoments(
  f: Float32Array, M: number, V: number, d: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
): void {
  f[M] = firstMoment(f[M], beta1, oneMinusBeta1, d);
  f[V] = secondMoment(f[V], beta2, oneMinusBeta2, d);
}
