// Pooling windows (declared in src/backend/kernels-conv.ts), plane by plane. Max pooling keeps the
// argmax of each window (as an exact float index in its plane), so its backward is one scatter.
// The sums of the average pools run over the window in order (ki, kj), as the js twins do.

export function maxPoolForward(
  x: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, y: usize, idx: usize,
): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o += 4) {
        let best = -Infinity as f32;
        let at = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki * dh;
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
        store<f32>(y + o, best);
        store<f32>(idx + o, <f32>at);
      }
    }
  }
}

export function maxPoolBackward(dy: usize, idx: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, dx: usize): void {
  const plane = h * w, out = oh * ow;
  memory.fill(dx, 0, <usize>(planes * plane) << 2);
  for (let p = 0; p < planes; p++) {
    const d = dx + (<usize>(p * plane) << 2);
    const g = dy + (<usize>(p * out) << 2), ix = idx + (<usize>(p * out) << 2);
    for (let o = 0; o < out; o++) {
      const off = <usize>o << 2;
      const at = d + (<usize>(<i32>load<f32>(ix + off)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(g + off));
    }
  }
}

/** The divisor of an average-pool window starting at (y0, x0) before clipping, as torch computes it. */
@inline function avgDivisor(y0: i32, x0: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32, countIncludePad: i32): f32 {
  const y1 = min(y0 + kh, h + ph), x1 = min(x0 + kw, w + pw);
  if (countIncludePad != 0) return <f32>((y1 - y0) * (x1 - x0));
  return <f32>((min(y1, h) - max(y0, 0)) * (min(x1, w) - max(x0, 0)));
}

export function avgPoolForward(
  x: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, countIncludePad: i32, y: usize,
): void {
  let o = y;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const ys = oy * sh - ph;
      const y0 = max(ys, 0), y1 = min(ys + kh, h);
      for (let ox = 0; ox < ow; ox++, o += 4) {
        const xs = ox * sw - pw;
        const x0 = max(xs, 0), x1 = min(xs + kw, w);
        let s: f32 = 0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) s += load<f32>(plane + (<usize>(iy * w + ix) << 2));
        }
        store<f32>(o, s / avgDivisor(ys, xs, h, w, kh, kw, ph, pw, countIncludePad));
      }
    }
  }
}

export function avgPoolBackward(
  dy: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, countIncludePad: i32, dx: usize,
): void {
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  let o = dy;
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const ys = oy * sh - ph;
      const y0 = max(ys, 0), y1 = min(ys + kh, h);
      for (let ox = 0; ox < ow; ox++, o += 4) {
        const xs = ox * sw - pw;
        const x0 = max(xs, 0), x1 = min(xs + kw, w);
        const g = load<f32>(o) / avgDivisor(ys, xs, h, w, kh, kw, ph, pw, countIncludePad);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const at = plane + (<usize>(iy * w + ix) << 2);
            store<f32>(at, load<f32>(at) + g);
          }
        }
      }
    }
  }
}

export function adaptiveAvgPoolForward(x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, y: usize): void {
  let o = y;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * h / oh, y1 = ((oy + 1) * h + oh - 1) / oh;
      for (let ox = 0; ox < ow; ox++, o += 4) {
        const x0 = ox * w / ow, x1 = ((ox + 1) * w + ow - 1) / ow;
        let s: f32 = 0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) s += load<f32>(plane + (<usize>(iy * w + ix) << 2));
        }
        store<f32>(o, s / <f32>((y1 - y0) * (x1 - x0)));
      }
    }
  }
}

export function adaptiveAvgPoolBackward(dy: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, dx: usize): void {
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  let o = dy;
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * h / oh, y1 = ((oy + 1) * h + oh - 1) / oh;
      for (let ox = 0; ox < ow; ox++, o += 4) {
        const x0 = ox * w / ow, x1 = ((ox + 1) * w + ow - 1) / ow;
        const g = load<f32>(o) / <f32>((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const at = plane + (<usize>(iy * w + ix) << 2);
            store<f32>(at, load<f32>(at) + g);
          }
        }
      }
    }
  }
}
