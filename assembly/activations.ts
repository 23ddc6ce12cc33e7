// Activations and row-wise softmax on raw f32 pointers. ReLU, LeakyReLU and the sigmoid and tanh
// backwards have a v128 body and a scalar tail; the transcendental and the hard (clipped)
// activations go element by element in both builds.
// Every reduction has one fixed order (a sequential float64 sum, or the four emulated lanes of
// reduce.ts), so the SIMD and scalar builds give bit-identical results.
import { max, sum } from './reduce';
import { addRun, divideRow } from './rows';
import { Act } from '../src/backend/codes';
import { geluTanh, geluTanhGrad, hard, hardBackward, normalCdf, sigmoid, smooth, smoothBackward } from './activation-math';

const IDENTITY = Act.identity, RELU = Act.relu, LEAKY_RELU = Act.leakyRelu, SIGMOID = Act.sigmoid, TANH = Act.tanh;
const GELU_ERF = Act.geluErf, GELU_TANH = Act.geluTanh;
const SILU = Act.silu, MISH = Act.mish, ELU = Act.elu, SELU = Act.selu, HARDSWISH = Act.hardswish, HARDSIGMOID = Act.hardsigmoid, RELU6 = Act.relu6;
const INV_SQRT_2PI: f64 = 0.3989422804014327; // 1/√(2π)

/** y[i] = f(x[i]); y may alias x. */
export function activationForward(act: i32, param: f32, x: usize, y: usize, n: i32): void {
  let i = 0;
  if (act == IDENTITY) {
    if (x != y) memory.copy(y, x, <usize>n << 2);
  } else if (act == RELU) {
    if (ASC_FEATURE_SIMD) {
      const zero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(y + o, f32x4.max(v128.load(x + o), zero));
      }
    }
    // f32.max, like f32x4.max, propagates NaN and orders −0 below +0: the builds agree.
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, Mathf.max(load<f32>(x + o), 0));
    }
  } else if (act == LEAKY_RELU) {
    if (ASC_FEATURE_SIMD) {
      const slope = f32x4.splat(param), zero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const v = v128.load(x + o);
        v128.store(y + o, v128.bitselect(v, f32x4.mul(v, slope), f32x4.gt(v, zero)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(x + o);
      store<f32>(y + o, v > 0 ? v : v * param);
    }
  } else if (act == SIGMOID) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, sigmoid(load<f32>(x + o)));
    }
  } else if (act == TANH) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, Mathf.tanh(load<f32>(x + o)));
    }
  } else if (act == GELU_ERF) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const v = <f64>load<f32>(x + o);
      store<f32>(y + o, <f32>(v * normalCdf(v)));
    }
  } else if (act == GELU_TANH) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, <f32>geluTanh(<f64>load<f32>(x + o)));
    }
  } else if (act == SILU || act == MISH || act == ELU || act == SELU) {
    const p = <f64>param;
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, <f32>smooth(act, p, <f64>load<f32>(x + o)));
    }
  } else if (act == HARDSWISH || act == HARDSIGMOID || act == RELU6) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, hard(act, load<f32>(x + o)));
    }
  }
}

/**
 * dx[i] = dy[i]·f′: ReLU and LeakyReLU from x (ReLU′(0) = 0, LeakyReLU′(0) = slope, as torch),
 * sigmoid and tanh from the output y, the others (GELU, SiLU, Mish, ELU, SELU, the hard ones) from
 * x. dx may alias dy.
 */
export function activationBackward(
  act: i32, param: f32, x: usize, y: usize, dy: usize, dx: usize, n: i32,
): void {
  let i = 0;
  if (act == IDENTITY) {
    if (dy != dx) memory.copy(dx, dy, <usize>n << 2);
  } else if (act == RELU) {
    // x <= 0 ? 0 : dy, so a NaN input passes its gradient on, as torch's threshold_backward.
    if (ASC_FEATURE_SIMD) {
      const zero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(dx + o, v128.andnot(v128.load(dy + o), f32x4.le(v128.load(x + o), zero)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dx + o, load<f32>(x + o) <= 0 ? 0 : load<f32>(dy + o));
    }
  } else if (act == LEAKY_RELU) {
    if (ASC_FEATURE_SIMD) {
      const slope = f32x4.splat(param), zero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const g = v128.load(dy + o);
        v128.store(dx + o, v128.bitselect(g, f32x4.mul(g, slope), f32x4.gt(v128.load(x + o), zero)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const g = load<f32>(dy + o);
      store<f32>(dx + o, load<f32>(x + o) > 0 ? g : g * param);
    }
  } else if (act == SIGMOID) {
    if (ASC_FEATURE_SIMD) {
      const one = f32x4.splat(1);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const s = v128.load(y + o);
        v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.mul(s, f32x4.sub(one, s))));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const s = load<f32>(y + o);
      store<f32>(dx + o, load<f32>(dy + o) * (s * (<f32>1 - s)));
    }
  } else if (act == TANH) {
    if (ASC_FEATURE_SIMD) {
      const one = f32x4.splat(1);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const t = v128.load(y + o);
        v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(t, t))));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const t = load<f32>(y + o);
      store<f32>(dx + o, load<f32>(dy + o) * (<f32>1 - t * t));
    }
  } else if (act == GELU_ERF) {
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const v = <f64>load<f32>(x + o);
      const d = normalCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
      store<f32>(dx + o, <f32>(<f64>load<f32>(dy + o) * d));
    }
  } else if (act == GELU_TANH) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dx + o, <f32>(<f64>load<f32>(dy + o) * geluTanhGrad(<f64>load<f32>(x + o))));
    }
  } else if (act == SILU || act == MISH || act == ELU || act == SELU) {
    const p = <f64>param;
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dx + o, <f32>smoothBackward(act, p, <f64>load<f32>(x + o), <f64>load<f32>(dy + o)));
    }
  } else if (act == HARDSWISH || act == HARDSIGMOID || act == RELU6) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dx + o, hardBackward(act, load<f32>(x + o), load<f32>(dy + o)));
    }
  }
}

/**
 * The Linear epilogue, one row at a time while it is in cache: c[i][j] += bias[j] (skipped when
 * bias = 0), then y = f(c). With identity, c is copied to y when y ≠ c.
 */
export function biasActivation(c: usize, m: i32, n: i32, bias: usize, act: i32, param: f32, y: usize): void {
  const row = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const cr = c + <usize>r * row;
    if (bias != 0) addRun(cr, bias, cr, n);
    activationForward(act, param, cr, y + <usize>r * row, n);
  }
}

/** y = softmax of each row of x, max-subtracted (y may alias x). */
export function softmaxRows(x: usize, y: usize, m: i32, n: i32): void {
  const row = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * row, yr = y + <usize>r * row;
    const top = max(xr, n);
    let s: f64 = 0;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const e = Mathf.exp(load<f32>(xr + o) - top);
      store<f32>(yr + o, e);
      s += e;
    }
    divideRow(yr, n, <f32>s);
  }
}

/** y = log-softmax of each row of x: (x − max) − log Σ exp(x − max) (y may alias x). */
export function logSoftmaxRows(x: usize, y: usize, m: i32, n: i32): void {
  const row = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * row, yr = y + <usize>r * row;
    const top = max(xr, n);
    let s: f64 = 0;
    for (let j = 0; j < n; j++) s += Mathf.exp(load<f32>(xr + (<usize>j << 2)) - top);
    const logS = <f32>Math.log(s);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vt = f32x4.splat(top), vl = f32x4.splat(logS);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(yr + o, f32x4.sub(f32x4.sub(v128.load(xr + o), vt), vl));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, (load<f32>(xr + o) - top) - logS);
    }
  }
}

/** dx = y ⊙ (dy − Σ_j dy·y) per row, y the softmax output; dx may alias dy. */
export function softmaxRowsBackward(y: usize, dy: usize, dx: usize, m: i32, n: i32): void {
  const row = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const off = <usize>r * row;
    const yr = y + off, gr = dy + off, dr = dx + off;
    const d = dot(gr, yr, n);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vd = f32x4.splat(d);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(dr + o, f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(gr + o), vd)));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, load<f32>(yr + o) * (load<f32>(gr + o) - d));
    }
  }
}

/** dx = dy − exp(y)·Σ_j dy per row, y the log-softmax output; dx may alias dy. */
export function logSoftmaxRowsBackward(y: usize, dy: usize, dx: usize, m: i32, n: i32): void {
  const row = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const off = <usize>r * row;
    const yr = y + off, gr = dy + off, dr = dx + off;
    const s = sum(gr, n);
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, load<f32>(gr + o) - Mathf.exp(load<f32>(yr + o)) * s);
    }
  }
}

/** Σ a[j]·b[j] in float32 in the four-lane order of reduce.ts's sum, emulated by the scalar build. */
function dot(a: usize, b: usize, n: i32): f32 {
  let j = 0;
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
    s0 = f32x4.extract_lane(acc, 0);
    s1 = f32x4.extract_lane(acc, 1);
    s2 = f32x4.extract_lane(acc, 2);
    s3 = f32x4.extract_lane(acc, 3);
  } else {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      s0 += load<f32>(a + o) * load<f32>(b + o);
      s1 += load<f32>(a + o, 4) * load<f32>(b + o, 4);
      s2 += load<f32>(a + o, 8) * load<f32>(b + o, 8);
      s3 += load<f32>(a + o, 12) * load<f32>(b + o, 12);
    }
  }
  if (j < n) s0 += load<f32>(a + (<usize>j << 2)) * load<f32>(b + (<usize>j << 2));
  if (j + 1 < n) s1 += load<f32>(a + (<usize>(j + 1) << 2)) * load<f32>(b + (<usize>(j + 1) << 2));
  if (j + 2 < n) s2 += load<f32>(a + (<usize>(j + 2) << 2)) * load<f32>(b + (<usize>(j + 2) << 2));
  return (s0 + s2) + (s1 + s3);
}

/**
 * PReLU, per channel: y = x > 0 ? x : weight[ch]·x over n samples of c channels of hw positions
 * (a sample `sample` floats after the last; one weight for all: c = 1).
 */
export function preluForward(x: usize, n: i32, c: i32, hw: i32, weight: usize, y: usize, sample: i32): void {
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const w = load<f32>(weight + (<usize>ch << 2)), at = (<usize>s * <usize>sample + <usize>ch * <usize>hw) << 2;
      for (let i = 0; i < hw; i++) {
        const v = load<f32>(x + at + (<usize>i << 2));
        store<f32>(y + at + (<usize>i << 2), v > 0 ? v : w * v);
      }
    }
  }
}

/** dx = x > 0 ? dy : weight[ch]·dy (torch's prelu backward for the input). */
export function preluBackward(x: usize, dy: usize, n: i32, c: i32, hw: i32, weight: usize, dx: usize, sample: i32): void {
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const w = load<f32>(weight + (<usize>ch << 2)), at = (<usize>s * <usize>sample + <usize>ch * <usize>hw) << 2;
      for (let i = 0; i < hw; i++) {
        const o = at + (<usize>i << 2);
        const g = load<f32>(dy + o);
        store<f32>(dx + o, load<f32>(x + o) > 0 ? g : w * g);
      }
    }
  }
}

/**
 * The weight's gradient per channel: Σ over samples, then positions, in order, of (x > 0 ? 0 : x·dy),
 * in float64, rounded once. Channel ch's values at x + ch·hw within each sample (`sample` floats apart).
 */
export function preluWeightGrad(x: usize, dy: usize, n: i32, c: i32, hw: i32, out: usize, sample: i32, span: i32): void {
  for (let ch = 0; ch < c; ch++) {
    let total: f64 = 0;
    for (let s = 0; s < n; s++) {
      const at = (<usize>s * <usize>sample + <usize>ch * <usize>hw) << 2;
      for (let i = 0; i < hw; i++) {
        const v = load<f32>(x + at + (<usize>i << 2));
        if (!(v > 0)) total += <f64>v * <f64>load<f32>(dy + at + (<usize>i << 2));
      }
    }
    store<f32>(out + (<usize>ch << 2), <f32>total);
  }
}
