// gemm's 6×4 micro-kernels for narrow column tails (n % 8 in 1..4, e.g. n = 10: the last layer of
// a classifier), in place of 4×8 tiles padded to 8 columns. B is always the packed, zero-padded
// tail panel (stride 32 bytes per k step). Two k steps per iteration with an exit test between
// them, as the 4×8 kernels (gemm-tile.ts explains why).

import { madd, edgeEpilogue, storeTile } from './gemm-tile';
import { scalarBlock2x4 } from './gemm-scalar';

/**
 * 6×4 tile: A's rows 2t, 2t+1 of step p at q<t> + p·sp + {0, sr}; B's first 4 values of step p at
 * pb + p·32 (the packed, zero-padded tail panel). 6 accumulators + 1 B vector + 6 splats = 13 live
 * vectors. An 8-row version (8 + 1 + 8 = 17) makes TurboFan, which sinks all loads of a block to
 * its top, spill two accumulators and run at half speed; so does an 8×4 variant with the operands
 * swapped (8 accumulators + 2 A vectors + 4 B splats + products). `rowsA` (a constant) picks the
 * loop, as in tile4x8: A row-major read in place (sp == 4, sr == lda·4; q1, q2 are then only read
 * by the scalar build), through six row pointers advanced once per iteration (the second step at
 * immediate offset 4); else A "by columns" as three row pairs (sr == 4; pairs, so that a group of
 * 6 rows can start in the middle of a packed 4-row panel), each pointer advanced per step (the odd
 * row at immediate offset 4). 6 multiplies per step keep the two multiply pipes as busy as the
 * 4×8 kernel does.
 */
@inline function tile6x4(
  q0: usize, q1: usize, q2: usize, sp: usize, sr: usize, rowsA: bool, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    const last = pb + (<usize>(kc - 1) << 5);
    // Rows 0, 2, 4 at a0, a2, a4; with rowsA also rows 1, 3, 5 at a1, a3, a5.
    let a0 = q0 - (rowsA ? 8 : sp);
    let a1 = a0 + sr;
    let a2 = rowsA ? a1 + sr : q1 - sp;
    let a3 = a2 + sr;
    let a4 = rowsA ? a3 + sr : q2 - sp;
    let a5 = a4 + sr;
    pb -= 64;
    while (true) {
      if (rowsA) {
        a0 += 8; a1 += 8; a2 += 8; a3 += 8; a4 += 8; a5 += 8;
      } else {
        a0 += sp; a2 += sp; a4 += sp;
      }
      pb += 64;
      let b0 = v128.load(pb);
      c0 = madd(c0, v128.load32_splat(a0), b0);
      c1 = madd(c1, rowsA ? v128.load32_splat(a1) : v128.load32_splat(a0, 4), b0);
      c2 = madd(c2, v128.load32_splat(a2), b0);
      c3 = madd(c3, rowsA ? v128.load32_splat(a3) : v128.load32_splat(a2, 4), b0);
      c4 = madd(c4, v128.load32_splat(a4), b0);
      c5 = madd(c5, rowsA ? v128.load32_splat(a5) : v128.load32_splat(a4, 4), b0);
      if (pb == last) break;
      if (!rowsA) {
        a0 += sp; a2 += sp; a4 += sp;
      }
      b0 = v128.load(pb, 32);
      c0 = madd(c0, rowsA ? v128.load32_splat(a0, 4) : v128.load32_splat(a0), b0);
      c1 = madd(c1, v128.load32_splat(rowsA ? a1 : a0, 4), b0);
      c2 = madd(c2, rowsA ? v128.load32_splat(a2, 4) : v128.load32_splat(a2), b0);
      c3 = madd(c3, v128.load32_splat(rowsA ? a3 : a2, 4), b0);
      c4 = madd(c4, rowsA ? v128.load32_splat(a4, 4) : v128.load32_splat(a4), b0);
      c5 = madd(c5, v128.load32_splat(rowsA ? a5 : a4, 4), b0);
      if (pb == last - 32) break;
    }
    const unused = f32x4.splat(0);
    storeTile(c0, c1, c2, c3, c4, c5, unused, unused, false, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarBlock2x4(q0, q0 + sr, sp, pb, 32, kc, tile, 16);
    scalarBlock2x4(q1, q1 + sr, sp, pb, 32, kc, tile + 32, 16);
    scalarBlock2x4(q2, q2 + sr, sp, pb, 32, kc, tile + 64, 16);
    edgeEpilogue(tile, 4, c, ldc4, alpha, beta, mr, nr);
  }
}

/** A by columns: rows 2t, 2t+1 at q<t> + {0, 4} (step stride sa). */
export function kernelCols6x4(
  q0: usize, q1: usize, q2: usize, sa: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tile6x4(q0, q1, q2, sa, 4, false, pb, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/** A row-major read in place (6 rows at pa + r·lda4; all 6 must exist). */
export function kernelRows6x4(
  pa: usize, lda4: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, nr: i32, tile: usize,
): void {
  tile6x4(pa, pa + lda4 * 2, pa + (lda4 << 2), 4, lda4, true, pb, kc, c, ldc4, alpha, beta, 6, nr, tile);
}
