// Loss kernels: fused softmax + cross-entropy, NLL, and the elementwise regression and binary
// losses, with PyTorch's formulas (and its conventions at the kinks). Rows are reduced in one
// fixed order, so the SIMD and scalar builds agree bit for bit.
import { max } from './reduce';
import { fill } from './elementwise';
import { divideRow } from './rows';
import { Loss } from '../src/backend/codes';

const MSE = Loss.mse, L1 = Loss.l1, HUBER = Loss.huber, SMOOTH_L1 = Loss.smoothL1, BCE = Loss.bce;
const BCE_WITH_LOGITS = Loss.bceWithLogits, KL_DIV = Loss.klDiv;

/** torch's floor for each log in BCE, and for the denominator of its gradient. */
const BCE_LOG_MIN: f32 = -100;
const BCE_GRAD_EPS: f32 = 1e-12;

/** Class c's weight, or 1 without weights (weight = 0). */
@inline function classWeight(weight: usize, c: i32): f32 {
  return weight != 0 ? load<f32>(weight + (<usize>c << 2)) : 1;
}

/** Σ_c w_c over the n classes in float64 (n without weights). */
function weightTotal(weight: usize, n: i32): f64 {
  if (weight == 0) return <f64>n;
  let total: f64 = 0;
  for (let c = 0; c < n; c++) total += <f64>load<f32>(weight + (<usize>c << 2));
  return total;
}

/**
 * Softmax of each row of logits into probs, and loss_i = −Σ_j a_j·log p_j with a = w ⊙ q, q the
 * (smoothed) target and w the class weights (0 = none: all 1). With d_j = x_j − max and
 * L = log Σ exp d_j, log p_j = d_j − L, so the loss is (Σ a)·L − Σ a·d: every term is
 * non-negative, nothing cancels, and no log of an underflowed probability is taken. A row whose
 * class index is `ignoreIndex` has loss 0 (its index is never read as a class). probs may alias
 * logits.
 */
export function crossEntropyForward(
  logits: usize, target: usize, probTargets: i32, labelSmoothing: f32, weight: usize, ignoreIndex: i32,
  m: i32, n: i32, probs: usize, losses: usize,
): void {
  const row = <usize>n << 2;
  const keep = <f32>1 - labelSmoothing;
  const spread = labelSmoothing / <f32>n;
  const total = weightTotal(weight, n);
  for (let r = 0; r < m; r++) {
    const xr = logits + <usize>r * row, pr = probs + <usize>r * row, tr = target + <usize>r * row;
    const top = max(xr, n);
    const t = probTargets ? 0 : <i32>load<f32>(target + (<usize>r << 2));
    const counted = probTargets || t != ignoreIndex;
    const indexed = !probTargets && counted;
    const dt = indexed ? <f64>load<f32>(xr + (<usize>t << 2)) - <f64>top : 0;
    let s: f64 = 0, sumWD: f64 = 0, sumA: f64 = 0, sumAD: f64 = 0;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(xr + o);
      const d = <f64>v - <f64>top;
      const w = <f64>classWeight(weight, j); // exactly 1 without weights: the products below are unchanged
      if (probTargets) {
        const a = <f64>(keep * load<f32>(tr + o) + spread) * w;
        sumA += a;
        if (a != 0) sumAD += a * d; // a class of weight 0 adds 0, even at a −∞ logit
      } else {
        sumWD += d * w;
      }
      const e = Mathf.exp(v - top);
      store<f32>(pr + o, e);
      s += e;
    }
    const logS = Math.log(s);
    let loss: f64 = 0;
    if (probTargets) {
      loss = sumA * logS - sumAD;
    } else if (indexed) {
      loss = <f64>keep * <f64>classWeight(weight, t) * (logS - dt);
      // Skipped at ε = 0, where 0·(−∞) from a −∞ logit would give NaN.
      if (labelSmoothing != 0) loss += <f64>spread * (total * logS - sumWD);
    }
    store<f32>(losses + (<usize>r << 2), <f32>loss);
    divideRow(pr, n, <f32>s);
  }
}

/**
 * dlogits[i][j] = s_i·(p_ij·A_i − a_ij), a = w ⊙ q as in crossEntropyForward and A_i = Σ_j a_ij
 * (1 for class indices without weights), s_i = rowScale[i] when rowScale ≠ 0, else scale; an
 * ignored row's gradient is 0. dlogits may alias probs.
 */
export function crossEntropyBackward(
  probs: usize, target: usize, probTargets: i32, labelSmoothing: f32, weight: usize, ignoreIndex: i32,
  m: i32, n: i32, scale: f32, rowScale: usize, dlogits: usize,
): void {
  const row = <usize>n << 2;
  const keep = <f32>1 - labelSmoothing;
  const spread = labelSmoothing / <f32>n;
  const total = <f32>weightTotal(weight, n);
  for (let r = 0; r < m; r++) {
    const pr = probs + <usize>r * row, tr = target + <usize>r * row, gr = dlogits + <usize>r * row;
    const s = rowScale != 0 ? load<f32>(rowScale + (<usize>r << 2)) : scale;
    if (probTargets) {
      probabilityRowGradient(pr, tr, weight, keep, spread, n, s, gr);
      continue;
    }
    const t = <i32>load<f32>(target + (<usize>r << 2));
    if (t == ignoreIndex) {
      fill(gr, n, 0);
      continue;
    }
    // a_j = w_j·spread, plus w_t·keep at the class; A = keep·w_t + spread·Σw.
    const wt = classWeight(weight, t);
    const sum = weight != 0 ? keep * wt + spread * total : <f32>1;
    const to = <usize>t << 2;
    const pt = load<f32>(pr + to); // read before the row pass, in case dlogits aliases probs
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vs = f32x4.splat(spread), vg = f32x4.splat(s), va = f32x4.splat(sum);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const a = weight != 0 ? f32x4.mul(vs, v128.load(weight + o)) : vs;
        const p = weight != 0 ? f32x4.mul(v128.load(pr + o), va) : v128.load(pr + o);
        v128.store(gr + o, f32x4.mul(f32x4.sub(p, a), vg));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const a = weight != 0 ? spread * load<f32>(weight + o) : spread;
      const p = weight != 0 ? load<f32>(pr + o) * sum : load<f32>(pr + o);
      store<f32>(gr + o, (p - a) * s);
    }
    const at = weight != 0 ? (keep + spread) * wt : keep + spread;
    store<f32>(gr + to, ((weight != 0 ? pt * sum : pt) - at) * s);
  }
}

/** One row of probability targets: g_j = s·(p_j·A − a_j), a_j = (keep·t_j + spread)·w_j, A = Σ a (torch's gradient for targets of any sum). */
@inline function probabilityRowGradient(pr: usize, tr: usize, weight: usize, keep: f32, spread: f32, n: i32, s: f32, gr: usize): void {
  let total: f64 = 0;
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    total += <f64>((keep * load<f32>(tr + o) + spread) * classWeight(weight, j));
  }
  const sum = <f32>total;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const vk = f32x4.splat(keep), vs = f32x4.splat(spread), vg = f32x4.splat(s), va = f32x4.splat(sum);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const q = f32x4.add(f32x4.mul(vk, v128.load(tr + o)), vs);
      const a = weight != 0 ? f32x4.mul(q, v128.load(weight + o)) : q;
      v128.store(gr + o, f32x4.mul(f32x4.sub(f32x4.mul(v128.load(pr + o), va), a), vg));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const a = (keep * load<f32>(tr + o) + spread) * classWeight(weight, j);
    store<f32>(gr + o, (load<f32>(pr + o) * sum - a) * s);
  }
}

/** losses[i] = −w_t·logp[i][t_i] (NLLLoss; w = 1 without weights), 0 where t_i = ignoreIndex. */
export function nllForward(logp: usize, target: usize, weight: usize, ignoreIndex: i32, m: i32, n: i32, losses: usize): void {
  for (let r = 0; r < m; r++) {
    const t = <i32>load<f32>(target + (<usize>r << 2));
    const loss: f32 = t == ignoreIndex ? <f32>0 : -(classWeight(weight, t) * load<f32>(logp + ((<usize>r * <usize>n + <usize>t) << 2)));
    store<f32>(losses + (<usize>r << 2), loss);
  }
}

/** dlogp = 0 except dlogp[i][t_i] = −s_i·w_t (s_i as in crossEntropyBackward; nothing for an ignored row). */
export function nllBackward(
  target: usize, weight: usize, ignoreIndex: i32, m: i32, n: i32, scale: f32, rowScale: usize, dlogp: usize,
): void {
  fill(dlogp, m * n, 0);
  for (let r = 0; r < m; r++) {
    const t = <i32>load<f32>(target + (<usize>r << 2));
    if (t == ignoreIndex) continue;
    const s = rowScale != 0 ? load<f32>(rowScale + (<usize>r << 2)) : scale;
    store<f32>(dlogp + ((<usize>r * <usize>n + <usize>t) << 2), -(s * classWeight(weight, t)));
  }
}

/** BCEWithLogits' pos_weight for element i (column i % cols), or 1 without one. */
@inline function posWeight(weight: usize, column: i32): f32 {
  return weight != 0 ? load<f32>(weight + (<usize>column << 2)) : 1;
}

/**
 * out[i] = ℓ(input[i], target[i]). param is Huber's delta, SmoothL1's beta or KLDivLoss's
 * log_target (1) flag; weight (0 = none) is BCEWithLogits' pos_weight indexed by column i % cols.
 */
export function lossForward(
  kind: i32, param: f32, input: usize, target: usize, weight: usize, n: i32, cols: i32, out: usize,
): void {
  let i = 0;
  if (kind == MSE) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const r = f32x4.sub(v128.load(input + o), v128.load(target + o));
        v128.store(out + o, f32x4.mul(r, r));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const r = load<f32>(input + o) - load<f32>(target + o);
      store<f32>(out + o, r * r);
    }
  } else if (kind == L1) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, f32x4.abs(f32x4.sub(v128.load(input + o), v128.load(target + o))));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, Mathf.abs(load<f32>(input + o) - load<f32>(target + o)));
    }
  } else if (kind == HUBER) {
    // 0.5r² if |r| < δ, else δ(|r| − 0.5δ)
    const half: f32 = 0.5;
    if (ASC_FEATURE_SIMD) {
      const vh = f32x4.splat(half), vd = f32x4.splat(param), vhd = f32x4.splat(half * param);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const a = f32x4.abs(f32x4.sub(v128.load(input + o), v128.load(target + o)));
        const inner = f32x4.mul(f32x4.mul(vh, a), a);
        const outer = f32x4.mul(vd, f32x4.sub(a, vhd));
        v128.store(out + o, v128.bitselect(inner, outer, f32x4.lt(a, vd)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const a = Mathf.abs(load<f32>(input + o) - load<f32>(target + o));
      store<f32>(out + o, a < param ? half * a * a : param * (a - half * param));
    }
  } else if (kind == SMOOTH_L1) {
    // 0.5r²/β if |r| < β, else |r| − 0.5β (β = 0: plain L1, the first branch is never taken)
    const half: f32 = 0.5;
    if (ASC_FEATURE_SIMD) {
      const vh = f32x4.splat(half), vb = f32x4.splat(param), vhb = f32x4.splat(half * param);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const a = f32x4.abs(f32x4.sub(v128.load(input + o), v128.load(target + o)));
        const inner = f32x4.div(f32x4.mul(f32x4.mul(vh, a), a), vb);
        v128.store(out + o, v128.bitselect(inner, f32x4.sub(a, vhb), f32x4.lt(a, vb)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const a = Mathf.abs(load<f32>(input + o) - load<f32>(target + o));
      store<f32>(out + o, a < param ? half * a * a / param : a - half * param);
    }
  } else if (kind == BCE) {
    // torch: (t − 1)·max(log1p(−x), −100) − t·max(log x, −100)
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const x = load<f32>(input + o), t = load<f32>(target + o);
      const logX = Mathf.max(Mathf.log(x), BCE_LOG_MIN);
      const log1mX = Mathf.max(Mathf.log1p(-x), BCE_LOG_MIN);
      store<f32>(out + o, (t - <f32>1) * log1mX - t * logX);
    }
  } else if (kind == BCE_WITH_LOGITS) {
    // (1 − t)·x + (1 + (p − 1)t)·(log1p(e^{−|x|}) + max(−x, 0)): the stable form torch uses
    let c = 0;
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const x = load<f32>(input + o), t = load<f32>(target + o);
      const p = posWeight(weight, c);
      const softplusNeg = Mathf.log1p(Mathf.exp(-Mathf.abs(x))) + Mathf.max(-x, 0);
      store<f32>(out + o, (<f32>1 - t) * x + (<f32>1 + (p - <f32>1) * t) * softplusNeg);
      if (++c == cols) c = 0;
    }
  } else if (kind == KL_DIV) {
    // torch: log_target ? exp(t)·(t − x) : xlogy(t, t) − t·x (xlogy(0, ·) = 0)
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const x = load<f32>(input + o), t = load<f32>(target + o);
      store<f32>(out + o, param != 0 ? Mathf.exp(t) * (t - x) : (t == 0 ? <f32>0 : t * Mathf.log(t)) - t * x);
    }
  }
}

/**
 * dInput[i] = s_i·∂ℓ/∂input[i], s_i = gradOut[i] when gradOut ≠ 0, else scale.
 * L1′(0) = 0; Huber and SmoothL1 take torch's branches at the kink (which agree there).
 */
export function lossBackward(
  kind: i32, param: f32, input: usize, target: usize, weight: usize, n: i32, cols: i32,
  scale: f32, gradOut: usize, dInput: usize,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && kind <= SMOOTH_L1) {
    const vs = f32x4.splat(scale), vp = f32x4.splat(param), vnp = f32x4.splat(-param);
    const two = f32x4.splat(2), one = f32x4.splat(1), zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const r = f32x4.sub(v128.load(input + o), v128.load(target + o));
      let d: v128;
      if (kind == MSE) {
        d = f32x4.mul(two, r);
      } else if (kind == HUBER) {
        d = f32x4.min(f32x4.max(r, vnp), vp);
      } else {
        // sign(r) with sign(0) = 0 (and 0 for NaN, as the scalar tail)
        const sign = f32x4.sub(v128.and(f32x4.gt(r, zero), one), v128.and(f32x4.lt(r, zero), one));
        d = kind == L1 ? sign : v128.bitselect(f32x4.div(r, vp), sign, f32x4.lt(f32x4.abs(r), vp));
      }
      v128.store(dInput + o, f32x4.mul(d, gradOut != 0 ? v128.load(gradOut + o) : vs));
    }
  }
  let c = 0; // the column of pos_weight; the SIMD body above never runs for BCEWithLogits
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(input + o), t = load<f32>(target + o);
    const s = gradOut != 0 ? load<f32>(gradOut + o) : scale;
    const r = x - t;
    let d: f32;
    if (kind == MSE) {
      d = <f32>2 * r;
    } else if (kind == L1) {
      d = sign(r);
    } else if (kind == HUBER) {
      d = Mathf.min(Mathf.max(r, -param), param);
    } else if (kind == SMOOTH_L1) {
      d = Mathf.abs(r) < param ? r / param : sign(r);
    } else if (kind == BCE) {
      // torch: (x − t) / max((1 − x)·x, 1e-12)
      d = r / Mathf.max((<f32>1 - x) * x, BCE_GRAD_EPS);
    } else if (kind == BCE_WITH_LOGITS) {
      // torch: (p·t + 1 − t)·σ(x) − p·t
      const pt = posWeight(weight, c) * t;
      d = (pt + <f32>1 - t) * (<f32>1 / (<f32>1 + Mathf.exp(-x))) - pt;
      if (++c == cols) c = 0;
    } else {
      // KLDivLoss: −exp(t) with log targets, else −t
      d = param != 0 ? -Mathf.exp(t) : -t;
    }
    store<f32>(dInput + o, d * s);
  }
}

@inline function sign(r: f32): f32 {
  return r > 0 ? 1 : r < 0 ? -1 : 0;
}
