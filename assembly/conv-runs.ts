// Small helpers of the convolution kernels (assembly/conv.ts, conv-direct.ts, conv-direct-grad.ts);
// not exported from the module (index.ts does not re-export this file).

/** base + floats·4 bytes. */
@inline export function at(base: usize, floats: i32): usize {
  return base + (<usize>floats << 2);
}

// Runs are short (an output row: 14 or 28 floats in LeNet) and many: memory.fill / memory.copy
// call out of the generated code in V8 and cost more than these loops at that length.
@inline export function zeroRun(p: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), 0);
}

@inline export function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const d = dst + (<usize>i << 2), s = src + (<usize>i << 2);
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
    }
    if (i + 4 <= n) {
      v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
      i += 4;
    }
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** xp[ci][r][q] = x[ci][r − ph][q − pw], 0 outside the plane: one sample's c planes, hp×wp each. */
export function padPlanes(x: usize, c: i32, h: i32, w: i32, ph: i32, pw: i32, hp: i32, wp: i32, xp: usize): void {
  const before = min(pw, wp), inside = max(0, min(w, wp - pw));
  for (let ci = 0; ci < c; ci++) {
    for (let r = 0; r < hp; r++) {
      const row = at(xp, (ci * hp + r) * wp), iy = r - ph;
      if (iy < 0 || iy >= h) {
        zeroRun(row, wp);
        continue;
      }
      zeroRun(row, before);
      copyRun(at(row, before), at(x, (ci * h + iy) * w), inside);
      zeroRun(at(row, before + inside), wp - before - inside);
    }
  }
}

/** Bytes of the padded copy of one sample, rounded up to 64. */
@inline export function paddedBytes(c: i32, hp: i32, wp: i32): usize {
  return (<usize>(c * hp * wp) << 2) + 63 & ~63;
}
