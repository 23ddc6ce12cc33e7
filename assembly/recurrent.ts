// The LSTM and GRU cells' elementwise parts (declared in src/backend/kernels-norm.ts), row by row:
// the gate products (x·W_ihᵀ, h·W_hhᵀ, biases) come from gemm; these turn them into the new states
// and, backward, into the products' gradients. Float32 throughout, in one fixed
// order per element, the same code in the SIMD and scalar builds.
import { sigmoid } from './activation-math';

/**
 * For each of n rows: the gates [i | f | g | o] (hsize each, pre-activation, in place →
 * activated: σ, σ, tanh, σ), then c = f·cPrev + i·g and h = o·tanh(c).
 */
export function lstmCellForward(gates: usize, cPrev: usize, c: usize, h: usize, n: i32, hsize: i32, gateStride: i32): void {
  for (let r = 0; r < n; r++) {
    const gr = gates + ((<usize>r * <usize>gateStride) << 2), row = <usize>r * <usize>hsize;
    for (let j = 0; j < hsize; j++) {
      const at = <usize>j << 2, q = <usize>hsize << 2;
      const i = sigmoid(load<f32>(gr + at)), f = sigmoid(load<f32>(gr + q + at));
      const g = Mathf.tanh(load<f32>(gr + 2 * q + at)), o = sigmoid(load<f32>(gr + 3 * q + at));
      store<f32>(gr + at, i);
      store<f32>(gr + q + at, f);
      store<f32>(gr + 2 * q + at, g);
      store<f32>(gr + 3 * q + at, o);
      const cell = f * load<f32>(cPrev + ((row + <usize>j) << 2)) + i * g;
      store<f32>(c + ((row + <usize>j) << 2), cell);
      store<f32>(h + ((row + <usize>j) << 2), o * Mathf.tanh(cell));
    }
  }
}

/**
 * The backward of lstmCellForward for each of n rows, from the activated gates, cPrev and c: with
 * dh the hidden state's gradient and dc (in) the cell's from the step after, dc ← dc + dh·o·(1 −
 * tanh²c); the gates' pre-activation gradients di·i(1 − i), df·f(1 − f), dg·(1 − g²), do·o(1 − o)
 * (di = dc·g, df = dc·cPrev, dg = dc·i, do = dh·tanh c) into dgates; dc (out) ← dc·f, the previous
 * cell's gradient.
 */
export function lstmCellBackward(
  gates: usize, cPrev: usize, c: usize, dh: usize, dc: usize, dgates: usize, n: i32, hsize: i32, gateStride: i32,
): void {
  for (let r = 0; r < n; r++) {
    const gr = gates + ((<usize>r * <usize>gateStride) << 2), dr = dgates + ((<usize>r * <usize>gateStride) << 2);
    const row = <usize>r * <usize>hsize;
    for (let j = 0; j < hsize; j++) {
      const at = <usize>j << 2, q = <usize>hsize << 2, e = (row + <usize>j) << 2;
      const i = load<f32>(gr + at), f = load<f32>(gr + q + at), g = load<f32>(gr + 2 * q + at), o = load<f32>(gr + 3 * q + at);
      const tc = Mathf.tanh(load<f32>(c + e)), dhv = load<f32>(dh + e);
      const dcv = load<f32>(dc + e) + dhv * o * (<f32>1 - tc * tc);
      store<f32>(dr + at, dcv * g * (i * (<f32>1 - i)));
      store<f32>(dr + q + at, dcv * load<f32>(cPrev + e) * (f * (<f32>1 - f)));
      store<f32>(dr + 2 * q + at, dcv * i * (<f32>1 - g * g));
      store<f32>(dr + 3 * q + at, dhv * tc * (o * (<f32>1 - o)));
      store<f32>(dc + e, dcv * f);
    }
  }
}

/**
 * The GRU cell for n rows: gx [r | z | n] (x·W_ihᵀ + b_ih, in place → r, z, n activated) and gh
 * (h·W_hhᵀ + b_hh, kept): r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r·gh_n),
 * h = (1 − z)·n + z·hPrev.
 */
export function gruCellForward(gx: usize, gh: usize, hPrev: usize, h: usize, n: i32, hsize: i32, gateStride: i32): void {
  for (let r = 0; r < n; r++) {
    const xr = gx + ((<usize>r * <usize>gateStride) << 2), hr = gh + ((<usize>r * <usize>gateStride) << 2);
    const row = <usize>r * <usize>hsize;
    for (let j = 0; j < hsize; j++) {
      const at = <usize>j << 2, q = <usize>hsize << 2, e = (row + <usize>j) << 2;
      const reset = sigmoid(load<f32>(xr + at) + load<f32>(hr + at));
      const update = sigmoid(load<f32>(xr + q + at) + load<f32>(hr + q + at));
      const fresh = Mathf.tanh(load<f32>(xr + 2 * q + at) + reset * load<f32>(hr + 2 * q + at));
      store<f32>(xr + at, reset);
      store<f32>(xr + q + at, update);
      store<f32>(xr + 2 * q + at, fresh);
      store<f32>(h + e, (<f32>1 - update) * fresh + update * load<f32>(hPrev + e));
    }
  }
}

/**
 * Its backward from the activated r, z, n (in gx), gh and hPrev, with dh the new state's gradient:
 * dn = dh·(1 − z)·(1 − n²), dz = dh·(hPrev − n)·z(1 − z), dr = dn·gh_n·r(1 − r); dgx ← [dr | dz | dn],
 * dgh ← [dr | dz | dn·r], dhPrev ← dh·z (the direct path; gemm adds dgh·W_hh).
 */
export function gruCellBackward(
  gx: usize, gh: usize, hPrev: usize, dh: usize, dgx: usize, dgh: usize, dhPrev: usize, n: i32, hsize: i32, gateStride: i32,
): void {
  for (let r = 0; r < n; r++) {
    const o = (<usize>r * <usize>gateStride) << 2, row = <usize>r * <usize>hsize;
    for (let j = 0; j < hsize; j++) {
      const at = <usize>j << 2, q = <usize>hsize << 2, e = (row + <usize>j) << 2;
      const reset = load<f32>(gx + o + at), update = load<f32>(gx + o + q + at), fresh = load<f32>(gx + o + 2 * q + at);
      const g = load<f32>(dh + e), prev = load<f32>(hPrev + e);
      const dn = g * (<f32>1 - update) * (<f32>1 - fresh * fresh);
      const dz = g * (prev - fresh) * (update * (<f32>1 - update));
      const dr = dn * load<f32>(gh + o + 2 * q + at) * (reset * (<f32>1 - reset));
      store<f32>(dgx + o + at, dr);
      store<f32>(dgx + o + q + at, dz);
      store<f32>(dgx + o + 2 * q + at, dn);
      store<f32>(dgh + o + at, dr);
      store<f32>(dgh + o + q + at, dz);
      store<f32>(dgh + o + 2 * q + at, dn * reset);
      store<f32>(dhPrev + e, g * update);
    }
  }
}
