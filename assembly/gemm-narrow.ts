// gemm's 6×4 micro-kernels for narrow column tails (n % 8 in 1..4, e.g. n = 10: the last layer of
// a classifier), in place of 4×8 tiles padded to 8 columns. B is always the packed, zero-padded
// tail panel (stride 32 bytes per k step). Two k steps per iteration with an exit test between
// them, as the 4×8 kernels (gemm-tile.ts explains why).

import { madd, edgeEpilogue } from './gemm-tile';
import { scalarBlock2x4 } from './gemm-scalar';

/**
 * 6×4 tile, A "by columns" as three row pairs: rows 2t, 2t+1 of step p at q<t> + p·sa + {0, 4}.
 * (Pairs, so that a group of 6 rows can start in the middle of a packed 4-row panel.) B's first 4
 * values of step p at pb + p·32. 6 accumulators + 1 B vector + 6 splats = 13 live vectors. An
 * 8-row version (8 + 1 + 8 = 17) makes TurboFan, which sinks all loads of a block to its top,
 * spill two accumulators and run at half speed; so does an 8×4 variant with the operands swapped
 * (8 accumulators + 2 A vectors + 4 B splats + products).
 */
export function kernelCols6x4(
  q0: usize, q1: usize, q2: usize, sa: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    const last = pb + (<usize>(kc - 1) << 5);
    q0 -= sa; q1 -= sa; q2 -= sa;
    pb -= 64;
    while (true) {
      q0 += sa; q1 += sa; q2 += sa;
      pb += 64;
      let b0 = v128.load(pb);
      c0 = madd(c0, v128.load32_splat(q0), b0);
      c1 = madd(c1, v128.load32_splat(q0, 4), b0);
      c2 = madd(c2, v128.load32_splat(q1), b0);
      c3 = madd(c3, v128.load32_splat(q1, 4), b0);
      c4 = madd(c4, v128.load32_splat(q2), b0);
      c5 = madd(c5, v128.load32_splat(q2, 4), b0);
      if (pb == last) break;
      q0 += sa; q1 += sa; q2 += sa;
      b0 = v128.load(pb, 32);
      c0 = madd(c0, v128.load32_splat(q0), b0);
      c1 = madd(c1, v128.load32_splat(q0, 4), b0);
      c2 = madd(c2, v128.load32_splat(q1), b0);
      c3 = madd(c3, v128.load32_splat(q1, 4), b0);
      c4 = madd(c4, v128.load32_splat(q2), b0);
      c5 = madd(c5, v128.load32_splat(q2, 4), b0);
      if (pb == last - 32) break;
    }
    storeTile6x4(c0, c1, c2, c3, c4, c5, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarBlock2x4(q0, q0 + 4, sa, pb, 32, kc, tile, 16);
    scalarBlock2x4(q1, q1 + 4, sa, pb, 32, kc, tile + 32, 16);
    scalarBlock2x4(q2, q2 + 4, sa, pb, 32, kc, tile + 64, 16);
    edgeEpilogue(tile, 4, c, ldc4, alpha, beta, mr, nr);
  }
}

/**
 * 6×4 tile with a row-major A read in place (6 row pointers pa + r·lda4; all 6 rows must exist).
 * 13 live vectors as kernelCols6x4; 6 multiplies per step keep the two multiply pipes as busy as
 * the 4×8 kernel does.
 */
export function kernelRows6x4(
  pa: usize, lda4: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    const last = pb + (<usize>(kc - 1) << 5);
    let a0 = pa - 8, a1 = a0 + lda4, a2 = a1 + lda4, a3 = a2 + lda4, a4 = a3 + lda4, a5 = a4 + lda4;
    pb -= 64;
    while (true) {
      a0 += 8; a1 += 8; a2 += 8; a3 += 8; a4 += 8; a5 += 8;
      pb += 64;
      let b0 = v128.load(pb);
      c0 = madd(c0, v128.load32_splat(a0), b0);
      c1 = madd(c1, v128.load32_splat(a1), b0);
      c2 = madd(c2, v128.load32_splat(a2), b0);
      c3 = madd(c3, v128.load32_splat(a3), b0);
      c4 = madd(c4, v128.load32_splat(a4), b0);
      c5 = madd(c5, v128.load32_splat(a5), b0);
      if (pb == last) break;
      b0 = v128.load(pb, 32);
      c0 = madd(c0, v128.load32_splat(a0, 4), b0);
      c1 = madd(c1, v128.load32_splat(a1, 4), b0);
      c2 = madd(c2, v128.load32_splat(a2, 4), b0);
      c3 = madd(c3, v128.load32_splat(a3, 4), b0);
      c4 = madd(c4, v128.load32_splat(a4, 4), b0);
      c5 = madd(c5, v128.load32_splat(a5, 4), b0);
      if (pb == last - 32) break;
    }
    storeTile6x4(c0, c1, c2, c3, c4, c5, c, ldc4, alpha, beta, 6, nr, tile);
  } else {
    scalarBlock2x4(pa, pa + lda4, 4, pb, 32, kc, tile, 16);
    scalarBlock2x4(pa + lda4 * 2, pa + lda4 * 3, 4, pb, 32, kc, tile + 32, 16);
    scalarBlock2x4(pa + (lda4 << 2), pa + lda4 * 5, 4, pb, 32, kc, tile + 64, 16);
    edgeEpilogue(tile, 4, c, ldc4, alpha, beta, 6, nr);
  }
}

/** storeTile for 6×4 tiles (one vector per row; tile buffer rows 16 bytes apart). */
@inline function storeTile6x4(
  c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (mr == 6 && nr == 4) {
    const va = f32x4.splat(alpha);
    if (beta == 0) {
      v128.store(c, f32x4.mul(va, c0)); c += ldc4;
      v128.store(c, f32x4.mul(va, c1)); c += ldc4;
      v128.store(c, f32x4.mul(va, c2)); c += ldc4;
      v128.store(c, f32x4.mul(va, c3)); c += ldc4;
      v128.store(c, f32x4.mul(va, c4)); c += ldc4;
      v128.store(c, f32x4.mul(va, c5));
    } else {
      const vb = f32x4.splat(beta);
      v128.store(c, f32x4.add(f32x4.mul(va, c0), f32x4.mul(vb, v128.load(c)))); c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c1), f32x4.mul(vb, v128.load(c)))); c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c2), f32x4.mul(vb, v128.load(c)))); c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c3), f32x4.mul(vb, v128.load(c)))); c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c4), f32x4.mul(vb, v128.load(c)))); c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c5), f32x4.mul(vb, v128.load(c))));
    }
  } else {
    v128.store(tile, c0);
    v128.store(tile, c1, 16);
    v128.store(tile, c2, 32);
    v128.store(tile, c3, 48);
    v128.store(tile, c4, 64);
    v128.store(tile, c5, 80);
    edgeEpilogue(tile, 4, c, ldc4, alpha, beta, mr, nr);
  }
}
