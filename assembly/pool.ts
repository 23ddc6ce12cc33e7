// Pooling windows (declared in src/backend/kernels-conv.ts), plane by plane. Max pooling keeps the
// argmax of each window (as an exact float index in its plane), so its backward is one scatter.
// The sums of the average pools run over the window in order (ki, kj), as the js twins do.
import { activationForward } from './activations';
import { Act } from '../src/backend/codes';

export function maxPoolForward(
  x: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, y: usize, idx: usize, inPlane: i32, outPlane: i32,
): void {
  // The output columns whose windows lie inside the plane in x: [lo, hi). Rows whose windows lie
  // inside in y run four columns at a time there (maxPoolQuad); everything else one window at a time.
  // (LeNet's 2×2 pools: ~25 ns per output one window at a time, ~4 by quads.)
  const lo = min(ow, (pw + sw - 1) / sw);
  const last = w - 1 - (kw - 1) * dw + pw; // the largest x0 + pw whose window ends inside
  const hi = last < 0 ? lo : max(lo, min(ow, last / sw + 1));
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    const out = <usize>(p * oh * ow) << 2;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const rowInside = y0 >= 0 && y0 + (kh - 1) * dh < h;
      let ox = 0;
      if (ASC_FEATURE_SIMD && rowInside) {
        for (; ox < lo; ox++) maxPoolWindow(plane, h, w, kh, kw, sw, pw, dh, dw, y0, ox, y + out + (<usize>(oy * ow + ox) << 2), idx + out + (<usize>(oy * ow + ox) << 2));
        for (; ox < hi && hi - lo >= 4; ox += 4) {
          // A last partial quad overlaps the one before instead (the same windows are rewritten).
          if (ox + 4 > hi) ox = hi - 4;
          const at = <usize>(oy * ow + ox) << 2;
          maxPoolQuad(plane, w, kh, kw, sw, dh, dw, y0, ox * sw - pw, y + out + at, idx + out + at);
        }
      }
      for (; ox < ow; ox++) maxPoolWindow(plane, h, w, kh, kw, sw, pw, dh, dw, y0, ox, y + out + (<usize>(oy * ow + ox) << 2), idx + out + (<usize>(oy * ow + ox) << 2));
    }
  }
}

/** One window, any position: torch's rule over its in-bounds elements in order (ki, kj). */
@inline function maxPoolWindow(
  plane: usize, h: i32, w: i32, kh: i32, kw: i32, sw: i32, pw: i32, dh: i32, dw: i32, y0: i32, ox: i32, y: usize, idx: usize,
): void {
  let best = -Infinity as f32;
  let at = -1;
  for (let ki = 0; ki < kh; ki++) {
    const iy = y0 + ki * dh;
    if (iy < 0 || iy >= h) continue;
    for (let kj = 0; kj < kw; kj++) {
      const ix = ox * sw - pw + kj * dw;
      if (ix < 0 || ix >= w) continue;
      const v = load<f32>(plane + (<usize>(iy * w + ix) << 2));
      // torch's rule: the first in-bounds element, then `val > max || isnan(val)` (a NaN wins).
      if (at < 0 || v > best || v != v) {
        best = v;
        at = iy * w + ix;
      }
    }
  }
  store<f32>(y, best);
  store<f32>(idx, <f32>at);
}

/**
 * Four neighbouring windows wholly inside the plane, one per lane, starting at row y0 and columns
 * x0, x0 + sw, …: the same rule as maxPoolWindow (the first element is taken, then `v > best ||
 * v != v`) as lane selects, so the bits equal the scalar build's. Measured on LeNet's 2×2 pools:
 * the window-at-a-time loop costs ~25 ns per output (its nested two-step loops), this ~6.
 */
@inline function maxPoolQuad(plane: usize, w: i32, kh: i32, kw: i32, sw: i32, dh: i32, dw: i32, y0: i32, x0: i32, y: usize, idx: usize): void {
  let best = f32x4.splat(0);
  let at = i32x4.splat(0);
  const lanes = i32x4(0, sw, 2 * sw, 3 * sw);
  for (let ki = 0; ki < kh; ki++) {
    const iy = y0 + ki * dh;
    for (let kj = 0; kj < kw; kj++) {
      const first = iy * w + x0 + kj * dw;
      const p = plane + (<usize>first << 2);
      let v: v128;
      if (sw == 1) v = v128.load(p);
      // Elements 0, 2 | 4, 6 of two overlapping loads [0..3] and [3..6]: nothing past the last window is read.
      else if (sw == 2) v = v128.shuffle<f32>(v128.load(p), v128.load(p, 12), 0, 2, 5, 7);
      else v = f32x4(load<f32>(p), load<f32>(p + (<usize>sw << 2)), load<f32>(p + (<usize>sw << 3)), load<f32>(p + <usize>(sw * 12)));
      const index = i32x4.add(i32x4.splat(first), lanes);
      if (ki == 0 && kj == 0) {
        best = v;
        at = index;
      } else {
        const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
        best = v128.bitselect(v, best, take);
        at = v128.bitselect(index, at, take);
      }
    }
  }
  v128.store(y, best);
  v128.store(idx, f32x4.convert_i32x4_s(at));
}

/**
 * torch's adaptive windows (rows ⌊oy·h/oh⌋ … ⌈(oy+1)·h/oh⌉ − 1, and the same for columns), each
 * window's max and its index by maxPoolWindow's rule (the first element, then `v > best || v != v`).
 * The backward is maxPoolBackward's scatter.
 */
export function adaptiveMaxPoolForward(
  x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, y: usize, idx: usize, inPlane: i32, outPlane: i32,
): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * h / oh, y1 = ((oy + 1) * h + oh - 1) / oh;
      for (let ox = 0; ox < ow; ox++, o += 4) {
        const x0 = ox * w / ow, x1 = ((ox + 1) * w + ow - 1) / ow;
        let best = load<f32>(plane + (<usize>(y0 * w + x0) << 2));
        let at = y0 * w + x0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
            const v = load<f32>(plane + (<usize>(iy * w + ix) << 2));
            if (v > best || v != v) {
              best = v;
              at = iy * w + ix;
            }
          }
        }
        store<f32>(y + o, best);
        store<f32>(idx + o, <f32>at);
      }
    }
  }
}

export function maxPoolBackward(
  dy: usize, idx: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, dx: usize, inPlane: i32, outPlane: i32,
): void {
  scatterWindows(dy, idx, 0, planes, h * w, oh * ow, dx, false);
}

/**
 * dx = 0, then dx[p][idx[p][o]] += g for each window o of each plane in order, g = dy[p][o], or
 * with `relu` (a constant) the gradient of the ReLU applied to the pool's output y first: y ≤ 0 ? 0
 * : dy (a NaN passes, as activationBackward), the same bits as that backward and then the scatter.
 */
@inline function scatterWindows(dy: usize, idx: usize, y: usize, planes: i32, plane: i32, out: i32, dx: usize, relu: bool): void {
  memory.fill(dx, 0, <usize>(planes * plane) << 2);
  for (let p = 0; p < planes; p++) {
    const d = dx + (<usize>(p * plane) << 2);
    const g = dy + (<usize>(p * out) << 2), ix = idx + (<usize>(p * out) << 2), yp = y + (<usize>(p * out) << 2);
    for (let o = 0; o < out; o++) {
      const off = <usize>o << 2;
      const at = d + (<usize>(<i32>load<f32>(ix + off)) << 2);
      const grad = relu && load<f32>(yp + off) <= 0 ? <f32>0 : load<f32>(g + off);
      store<f32>(at, load<f32>(at) + grad);
    }
  }
}

/**
 * LeNet's pool: 2×2 windows at stride 2 tiling each plane exactly (h = 2·oh, w = 2·ow). The same
 * rule and bits as maxPoolForward; four windows per step from two loads of each input row, their
 * even and odd columns split by shuffles (the general quad loop took 2.7× as long on LeNet's
 * first pool: 168 against 63 µs). A plane is first pooled by maxesOfQuad, which leaves NaN out of
 * the rule; if a NaN there could have changed a window, the plane is pooled again by exactQuad.
 */
export function maxPool2x2Forward(x: usize, planes: i32, oh: i32, ow: i32, y: usize, idx: usize, relu: i32, inPlane: i32, outPlane: i32): void {
  if (!ASC_FEATURE_SIMD || ow < 4) {
    maxPoolForward(x, planes, oh << 1, ow << 1, 2, 2, 2, 2, 0, 0, 1, 1, oh, ow, y, idx, inPlane, outPlane);
    if (relu != 0) activationForward(Act.relu, 0, y, y, planes * oh * ow);
    return;
  }
  if (relu != 0) poolPlanes(x, planes, oh, ow, y, idx, true);
  else poolPlanes(x, planes, oh, ow, y, idx, false);
}

/** maxPool2x2Forward's planes by the quads below; `relu` (a constant) stores max(·, 0) of each window's maximum. */
@inline function poolPlanes(x: usize, planes: i32, oh: i32, ow: i32, y: usize, idx: usize, relu: bool): void {
  const inBytes = <usize>(oh * ow) << 4, outBytes = <usize>(oh * ow) << 2;
  for (let p = 0; p < planes; p++) {
    const xp = x + <usize>p * inBytes, yp = y + <usize>p * outBytes, ip = idx + <usize>p * outBytes;
    if (!poolPlane(xp, oh, ow, yp, ip, false, relu)) poolPlane(xp, oh, ow, yp, ip, true, relu);
  }
}

/**
 * One plane of maxPool2x2Forward, quad by quad (a row's last quad ends at its end, overlapping the
 * one before when ow is no multiple of 4). Returns whether the sums the quads return add up to a
 * number (an ∞ − ∞ there only costs the second pass); `exact` is a constant, so each call compiles
 * to one of the two quads.
 */
@inline function poolPlane(x: usize, oh: i32, ow: i32, y: usize, idx: usize, exact: bool, relu: bool): bool {
  const w = ow << 1, rowBytes = <usize>w << 2, lastOut = <usize>(ow - 4) << 2;
  const eight = i32x4.splat(8), rowStep = i32x4.splat(2 * w), lastStep = i32x4.splat(2 * (ow - 4));
  let rowFirst = i32x4(0, 2, 4, 6); // each lane's window's first element, iy·w + ix, at ox = 0
  let sum = f32x4.splat(0);
  // Pointers stepped quad by quad rather than offsets from ox (the address arithmetic cost ~10%).
  for (let oy = 0, xr = x, yr = y, ir = idx; oy < oh; oy++, xr += rowBytes << 1, yr += lastOut + 16, ir += lastOut + 16) {
    const yEnd = yr + lastOut;
    let first = rowFirst, xq = xr, yq = yr, iq = ir;
    for (; yq < yEnd; xq += 32, yq += 16, iq += 16, first = i32x4.add(first, eight)) {
      sum = f32x4.add(sum, exact ? exactQuad(xq, xq + rowBytes, first, w, yq, iq, relu) : maxesOfQuad(xq, xq + rowBytes, first, w, yq, iq, relu));
    }
    xq = xr + (lastOut << 1);
    first = i32x4.add(rowFirst, lastStep);
    sum = f32x4.add(sum, exact ? exactQuad(xq, xq + rowBytes, first, w, yEnd, ir + lastOut, relu) : maxesOfQuad(xq, xq + rowBytes, first, w, yEnd, ir + lastOut, relu));
    rowFirst = i32x4.add(rowFirst, rowStep);
  }
  return !v128.any_true(f32x4.ne(sum, sum));
}

/** Four windows' maxima, or with `relu` (a constant) max(·, 0) of them: activationForward's ReLU, the same instruction. */
@inline function storeMax(y: usize, max: v128, relu: bool): void {
  v128.store(y, relu ? f32x4.max(max, f32x4.splat(0)) : max);
}

/**
 * Four windows from the row pair at r0, r1 (`first`: the index of each window's top-left element
 * in its plane): the max and its index stored at y and idx. The rule without NaN in a tree of
 * pseudo-maxes: pmax(u, v) = u < v ? v : u keeps the earlier element on ties (−0 against +0
 * included), so ((a, b), (c, d)) gives the first maximum, as maxPoolWindow does; its compares
 * (masks of −1) name the winner. A NaN in a alone gets the rule's answer too (a, index 0: pmax
 * keeps its first operand when either is NaN); one in b, c or d makes the sum returned NaN (c's
 * through pmax(c, d)). 20 vector operations to exactQuad's ~38 (no NaN tests, no 3-instruction
 * bitselects): LeNet's first pool at batch 32 in 35 µs against 75 (bench/pool.ts).
 */
@inline function maxesOfQuad(r0: usize, r1: usize, first: v128, w: i32, y: usize, idx: usize, relu: bool): v128 {
  const a0 = v128.load(r0), a1 = v128.load(r0, 16);
  const b0 = v128.load(r1), b1 = v128.load(r1, 16);
  const a = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), b = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const c = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), d = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  const top = f32x4.pmax(a, b), bottom = f32x4.pmax(c, d);
  const right = f32x4.lt(a, b), bottomRight = f32x4.lt(c, d), below = f32x4.lt(top, bottom);
  // The winner's offset in its window: below ? w + [bottomRight] : [right], with −mask = 1.
  const offset = i32x4.sub(v128.and(below, i32x4.add(i32x4.splat(w), i32x4.sub(right, bottomRight))), right);
  storeMax(y, f32x4.pmax(top, bottom), relu);
  v128.store(idx, f32x4.convert_i32x4_s(i32x4.add(first, offset)));
  return f32x4.add(f32x4.add(b, d), bottom);
}

/**
 * maxesOfQuad with maxPoolWindow's whole rule, NaN included: the elements in order (ki, kj), each
 * taken when `v > best || v != v`, as lane selects.
 */
@inline function exactQuad(r0: usize, r1: usize, first: v128, w: i32, y: usize, idx: usize, relu: bool): v128 {
  const a0 = v128.load(r0), a1 = v128.load(r0, 16);
  const b0 = v128.load(r1), b1 = v128.load(r1, 16);
  let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
  let at = first;
  let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  let take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
  best = v128.bitselect(v, best, take);
  at = v128.bitselect(i32x4.add(first, i32x4.splat(1)), at, take);
  v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
  best = v128.bitselect(v, best, take);
  at = v128.bitselect(i32x4.add(first, i32x4.splat(w)), at, take);
  v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
  best = v128.bitselect(v, best, take);
  at = v128.bitselect(i32x4.add(first, i32x4.splat(w + 1)), at, take);
  storeMax(y, best, relu);
  v128.store(idx, f32x4.convert_i32x4_s(at));
  return f32x4.splat(0);
}

/**
 * maxPoolBackward for maxPool2x2Forward's windows (h = 2·oh, w = 2·ow): each window's gradient goes
 * to the one element its idx names, so dx is written once, row pair by row pair, with no fill and
 * no scatter — four windows a step, each lane's 0 + dy (the scatter's add onto a zeroed dx, which
 * turns −0 into +0) masked into the element it names and interleaved into the two input rows. The
 * same bits as maxPoolBackward. The element is found by float compares of idx − first (exact: both
 * are integers below 2²⁴), not by converting idx to integers (~7 instructions a vector on x64).
 */
export function maxPool2x2Backward(
  dy: usize, idx: usize, y: usize, planes: i32, oh: i32, ow: i32, dx: usize, relu: i32, inPlane: i32, outPlane: i32,
): void {
  if (relu != 0) scatterPlanes(dy, idx, y, planes, oh, ow, dx, true);
  else scatterPlanes(dy, idx, y, planes, oh, ow, dx, false);
}

/** maxPool2x2Backward's planes; `relu` a constant. */
@inline function scatterPlanes(dy: usize, idx: usize, y: usize, planes: i32, oh: i32, ow: i32, dx: usize, relu: bool): void {
  const w = ow << 1;
  if (!ASC_FEATURE_SIMD || ow < 4) {
    scatterWindows(dy, idx, y, planes, (oh << 1) * w, oh * ow, dx, relu);
    return;
  }
  const rowBytes = <usize>w << 2;
  const zero = f32x4.splat(0), right = f32x4.splat(1), below = f32x4.splat(<f32>w), belowRight = f32x4.splat(<f32>(w + 1));
  const eight = f32x4.splat(8), rowStep = f32x4.splat(<f32>(w << 1)), lastStep = f32x4.splat(<f32>((ow - 4) << 1));
  const lastOut = <usize>(ow - 4) << 2;
  // Pointers stepped quad by quad, as in maxPool2x2Forward (y at yr − gr + g, as dy).
  let gr = dy, ir = idx, dr = dx;
  const yFromG = y - dy;
  for (let p = 0; p < planes; p++) {
    let rowFirst = f32x4(0, 2, 4, 6);
    for (let oy = 0; oy < oh; oy++, gr += lastOut + 16, ir += lastOut + 16, dr += rowBytes << 1) {
      const gEnd = gr + lastOut;
      let first = rowFirst, g = gr, i = ir, d = dr;
      for (; g < gEnd; g += 16, i += 16, d += 32, first = f32x4.add(first, eight)) {
        scatterQuad(d, d + rowBytes, g, g + yFromG, i, first, zero, right, below, belowRight, relu);
      }
      d = dr + (lastOut << 1);
      scatterQuad(d, d + rowBytes, gEnd, gEnd + yFromG, ir + lastOut, f32x4.add(rowFirst, lastStep), zero, right, below, belowRight, relu);
      rowFirst = f32x4.add(rowFirst, rowStep);
    }
  }
}

/** Four windows of maxPool2x2Backward: dy, y and idx at their first, dx rows r0, r1 at theirs, `first` as in maxesOfQuad (in floats). */
@inline function scatterQuad(
  r0: usize, r1: usize, dy: usize, y: usize, idx: usize, first: v128, zero: v128, right: v128, below: v128, belowRight: v128, relu: bool,
): void {
  let g = f32x4.add(v128.load(dy), zero);
  // The ReLU's backward first (y ≤ 0 ? +0 : dy): the lanes it zeroes are +0 either way round.
  if (relu) g = v128.andnot(g, f32x4.le(v128.load(y), zero));
  const k = f32x4.sub(v128.load(idx), first);
  const topLeft = v128.and(g, f32x4.eq(k, zero)), topRight = v128.and(g, f32x4.eq(k, right));
  const bottomLeft = v128.and(g, f32x4.eq(k, below)), bottomRight = v128.and(g, f32x4.eq(k, belowRight));
  v128.store(r0, v128.shuffle<f32>(topLeft, topRight, 0, 4, 1, 5));
  v128.store(r0, v128.shuffle<f32>(topLeft, topRight, 2, 6, 3, 7), 16);
  v128.store(r1, v128.shuffle<f32>(bottomLeft, bottomRight, 0, 4, 1, 5));
  v128.store(r1, v128.shuffle<f32>(bottomLeft, bottomRight, 2, 6, 3, 7), 16);
}

/**
 * The divisor of an average-pool window starting at (y0, x0) before clipping, as torch computes it:
 * `divisor` when it is given (≠ 0: torch's divisor_override), else by countIncludePad.
 */
@inline function avgDivisor(y0: i32, x0: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32, countIncludePad: i32, divisor: i32): f32 {
  if (divisor != 0) return <f32>divisor;
  const y1 = min(y0 + kh, h + ph), x1 = min(x0 + kw, w + pw);
  if (countIncludePad != 0) return <f32>((y1 - y0) * (x1 - x0));
  return <f32>((min(y1, h) - max(y0, 0)) * (min(x1, w) - max(x0, 0)));
}

/**
 * The walk the four average-pool kernels share, written once: each window of each plane in output
 * order, its in-bounds rows [y0, y1) and columns [x0, x1), its divisor. `input` is x (dx for a
 * backward), `output` y (dy). Forward: the window's sum in order (iy, ix) / divisor into output;
 * backward: output / divisor added over the window. `adaptive` picks torch's adaptive windows
 * (⌊oy·h/oh⌋ to ⌈(oy+1)·h/oh⌉; kh … divisorOverride unused). Each kernel passes constant flags, so
 * the compiler keeps only its own branches.
 */
@inline function avgPoolWalk(
  input: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, countIncludePad: i32, divisorOverride: i32, output: usize, adaptive: bool, backward: bool,
): void {
  let o = output;
  for (let p = 0; p < planes; p++) {
    const plane = input + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const ys = oy * sh - ph;
      const y0 = adaptive ? oy * h / oh : max(ys, 0);
      const y1 = adaptive ? ((oy + 1) * h + oh - 1) / oh : min(ys + kh, h);
      for (let ox = 0; ox < ow; ox++, o += 4) {
        const xs = ox * sw - pw;
        const x0 = adaptive ? ox * w / ow : max(xs, 0);
        const x1 = adaptive ? ((ox + 1) * w + ow - 1) / ow : min(xs + kw, w);
        const divisor = adaptive ? <f32>((y1 - y0) * (x1 - x0)) : avgDivisor(ys, xs, h, w, kh, kw, ph, pw, countIncludePad, divisorOverride);
        if (backward) {
          const g = load<f32>(o) / divisor;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const at = plane + (<usize>(iy * w + ix) << 2);
              store<f32>(at, load<f32>(at) + g);
            }
          }
        } else {
          let s: f32 = 0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) s += load<f32>(plane + (<usize>(iy * w + ix) << 2));
          }
          store<f32>(o, s / divisor);
        }
      }
    }
  }
}

export function avgPoolForward(
  x: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, countIncludePad: i32, divisor: i32, y: usize, inPlane: i32, outPlane: i32,
): void {
  avgPoolWalk(x, planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow, countIncludePad, divisor, y, false, false);
}

export function avgPoolBackward(
  dy: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, countIncludePad: i32, divisor: i32, dx: usize, inPlane: i32, outPlane: i32,
): void {
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  avgPoolWalk(dx, planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow, countIncludePad, divisor, dy, false, true);
}

export function adaptiveAvgPoolForward(x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, y: usize, inPlane: i32, outPlane: i32): void {
  avgPoolWalk(x, planes, h, w, 0, 0, 0, 0, 0, 0, oh, ow, 0, 0, y, true, false);
}

export function adaptiveAvgPoolBackward(dy: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, dx: usize, inPlane: i32, outPlane: i32): void {
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  avgPoolWalk(dx, planes, h, w, 0, 0, 0, 0, 0, 0, oh, ow, 0, 0, dy, true, true);
}
