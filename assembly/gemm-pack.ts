// gemm's packing: copies of blocks of op(A) and op(B) into the panel layouts the micro-kernels
// read (gemm.ts, "Workspace"), and C = beta·C for the degenerate calls. Packing only moves bits (no
// arithmetic), so the SIMD and scalar versions produce the same panels.

@inline export function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Transposes the 4×4 block whose rows are r0..r3 and stores its columns at d + {0, 1, 2, 3}·stride. */
@inline function transposeStore4(r0: v128, r1: v128, r2: v128, r3: v128, d: usize, stride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(d + stride, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(d + stride * 2, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(d + stride * 3, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Pack op(A) = A (row-major; rows i0..i0+mc, columns p0..p0+kc) into 4-row panels at dst, 4×4
 * blocks at a time through transposeStore4; a partial last row group is zero-padded.
 */
export function packAN(a: usize, lda4: usize, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const full = mc & ~3;
  for (let ir = 0; ir < full; ir += 4) {
    const s = a + <usize>(i0 + ir) * lda4 + (<usize>p0 << 2);
    const d = dst + <usize>(ir >> 2) * (<usize>kc << 4);
    let p = 0;
    if (ASC_FEATURE_SIMD) {
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        transposeStore4(
          v128.load(s + o), v128.load(s + lda4 + o), v128.load(s + lda4 * 2 + o), v128.load(s + lda4 * 3 + o),
          d + (<usize>p << 4), 16,
        );
      }
    }
    for (; p < kc; p++) {
      for (let r = 0; r < 4; r++) {
        store<f32>(d + (<usize>p << 4) + (<usize>r << 2), load<f32>(s + <usize>r * lda4 + (<usize>p << 2)));
      }
    }
  }
  if (mc & 3) packANTail(a, lda4, i0 + full, p0, mc & 3, kc, dst + <usize>(full >> 2) * (<usize>kc << 4));
}

/**
 * Pack the last mr < 4 rows of a row-major op(A) = A (rows i0..i0+mr, columns p0..p0+kc) into one
 * zero-padded 4-row panel at dst.
 */
export function packANTail(a: usize, lda4: usize, i0: i32, p0: i32, mr: i32, kc: i32, dst: usize): void {
  let s = a + <usize>i0 * lda4 + (<usize>p0 << 2);
  let d = dst;
  for (let p = 0; p < kc; p++) {
    for (let r = 0; r < 4; r++) {
      store<f32>(d + (<usize>r << 2), r < mr ? load<f32>(s + <usize>r * lda4) : <f32>0);
    }
    s += 4;
    d += 16;
  }
}

/** Four floats from s to d, one by one (the scalar build's panel copy). */
@inline function copy4(s: usize, d: usize): void {
  store<f32>(d, load<f32>(s));
  store<f32>(d, load<f32>(s, 4), 4);
  store<f32>(d, load<f32>(s, 8), 8);
  store<f32>(d, load<f32>(s, 12), 12);
}

/**
 * The panel copy packAT and packBN share: panels of `width` (4 or 8, a constant at each call)
 * consecutive floats of each of kc source rows (row p at src + p·ld4), cols c0..c0+nc in panels
 * of width·kc floats at dst; a partial last panel is zero-padded.
 */
@inline function packRowPanels(src: usize, ld4: usize, p0: i32, c0: i32, kc: i32, nc: i32, dst: usize, width: i32): void {
  const panelBytes = <usize>width << 2;
  for (let jr = 0; jr < nc; jr += width) {
    const nr = imin(width, nc - jr);
    let s = src + <usize>p0 * ld4 + (<usize>(c0 + jr) << 2);
    let d = dst + <usize>(jr >> (width == 8 ? 3 : 2)) * (<usize>kc * panelBytes);
    if (nr == width) {
      for (let p = 0; p < kc; p++) {
        if (ASC_FEATURE_SIMD) {
          v128.store(d, v128.load(s));
          if (width == 8) v128.store(d, v128.load(s, 16), 16);
        } else {
          copy4(s, d);
          if (width == 8) copy4(s + 16, d + 16);
        }
        s += ld4;
        d += panelBytes;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < width; j++) {
          const o = <usize>j << 2;
          store<f32>(d + o, j < nr ? load<f32>(s + o) : <f32>0);
        }
        s += ld4;
        d += panelBytes;
      }
    }
  }
}

/** Pack op(A) = Aᵀ (A stored k×m; op(A)[i][p] = A[p·lda + i]) into 4-row panels at dst. */
export function packAT(a: usize, lda4: usize, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  packRowPanels(a, lda4, p0, i0, kc, mc, dst, 4);
}

/** Pack op(B) = B (row-major k×n; rows p0..p0+kc, cols j0..j0+nc) into 8-column panels at dst. */
export function packBN(b: usize, ldb4: usize, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  packRowPanels(b, ldb4, p0, j0, kc, nc, dst, 8);
}

/** Pack op(B) = Bᵀ (B stored n×k; op(B)[p][j] = B[j·ldb + p]) into 8-column panels at dst. */
export function packBT(b: usize, ldb4: usize, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += 8) {
    const nr = imin(8, nc - jr);
    const src = b + <usize>(j0 + jr) * ldb4 + (<usize>p0 << 2);
    const d = dst + <usize>(jr >> 3) * (<usize>kc << 5);
    let p = 0;
    if (nr == 8) {
      if (ASC_FEATURE_SIMD) {
        const s4 = src + (ldb4 << 2);
        for (; p + 4 <= kc; p += 4) {
          const o = <usize>p << 2;
          const dd = d + (<usize>p << 5);
          transposeStore4(
            v128.load(src + o), v128.load(src + ldb4 + o),
            v128.load(src + ldb4 * 2 + o), v128.load(src + ldb4 * 3 + o), dd, 32,
          );
          transposeStore4(
            v128.load(s4 + o), v128.load(s4 + ldb4 + o),
            v128.load(s4 + ldb4 * 2 + o), v128.load(s4 + ldb4 * 3 + o), dd + 16, 32,
          );
        }
      }
    }
    for (; p < kc; p++) {
      const s = src + (<usize>p << 2);
      const dd = d + (<usize>p << 5);
      for (let j = 0; j < 8; j++) {
        store<f32>(dd + (<usize>j << 2), j < nr ? load<f32>(s + <usize>j * ldb4) : <f32>0);
      }
    }
  }
}

/** C = beta·C over the m×n view (beta == 0: zeros, C unread; beta == 1: untouched). */
export function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc4: usize): void {
  if (beta == 1) return;
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * ldc4;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vb = f32x4.splat(beta);
      if (beta == 0) {
        for (; j + 4 <= n; j += 4) v128.store(row + (<usize>j << 2), f32x4.splat(0));
      } else {
        for (; j + 4 <= n; j += 4) {
          const p = row + (<usize>j << 2);
          v128.store(p, f32x4.mul(vb, v128.load(p)));
        }
      }
    }
    for (; j < n; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, beta == 0 ? <f32>0 : beta * load<f32>(p));
    }
  }
}