// The 4×8 micro-kernels of gemm (see the header of gemm.ts for where they sit) and the epilogue
// that writes a tile of C.
//
// Loop shape (measured on Zen 4 / V8 11.3 with operands in L1, cycles per k step of a 4×8 tile;
// the 16 multiplies and adds alone need 4):
//   one k step per iteration                                     5.6   (~41 GFLOP/s)
//   two k steps per iteration, one basic block                   7.7   (spills: see below)
//   two k steps, an exit test between them (two basic blocks)    5.1
//   … and B's second step at immediate offsets (packed B)        4.9   (~48 GFLOP/s)
//   … and pointers advanced before use                           4.7   (~50 GFLOP/s)
// The deterministic kernel issues 6 loads + 16 multiply/add per step; what an iteration adds
// (V8's stack check `cmp rsp,[…]; jna`, `movl` zero-extensions of the pointers, the pointer
// increments and the loop branch: 7–8 instructions) costs ~0.2 cycle each, so amortising it over
// two steps is what pays. TurboFan places every load of a basic block at the block's top: with
// both steps in one block, 12 loaded vectors + 8 accumulators exceed x64's 16 XMM registers and
// accumulators spill. The exit test `if (pb == last) break` between the steps (needed anyway for
// an odd kc) splits the body into two blocks, so each block holds only its own step's 6 loads —
// the same 14–15 live vectors as one step. The second step's A splats reuse offsets 0/4/8/12 of
// an advanced pointer: distinct splat offsets each pin a general register (V8 materialises
// `membase + offset` for `v128.load32_splat`), and 8 of them spill the loop's pointers.
// The pointers start one step back and are advanced at the top of each step: V8 11.3 emits a
// `movl r, r` zero-extension before using a loop phi as a memory index, but none for the result
// of an `addl` in the same iteration (2 instructions fewer per iteration). The wrap-around of
// `pa - sa` below the heap is harmless: every address is formed after adding sa back.
// The FMA ('relaxed') build is bound by the 4-cycle FMA latency over 8 accumulators (4.3 cycles
// per step, ~54 GFLOP/s in L1) whatever the loop shape; the two-step loop is no slower there.

import { scalarTile4x8 } from './gemm-scalar';

/**
 * acc + a·b, the micro-kernels' one step. The deterministic builds multiply, then add (two
 * roundings, the same on every machine). The opt-in relaxed build (ASC_FEATURE_RELAXED_SIMD) uses
 * f32x4.relaxed_madd: one fused rounding where the hardware has FMA, so it is faster and a little
 * more accurate, but its results can differ from the other builds' and between machines.
 */
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * 4×8 tile, A given "by columns": the 4 values of step p at pa + p·sa + {0, 4, 8, 12}; B's 8
 * values of step p at pb + p·sb + {0..28}. Writes the valid mr×nr part of alpha·acc + beta·C.
 * `packedB`: B is a packed panel (sb == 32), so its second step is read at immediate offsets.
 */
@inline function tileCols(
  pa: usize, sa: usize, pb: usize, sb: usize, packedB: bool, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    const last = pb + <usize>(kc - 1) * sb; // B's row of the last step
    const lastPair = packedB ? last - 32 : last; // … where the second step of a pair is the last
    pa -= sa;
    pb -= packedB ? 64 : sb;
    while (true) {
      pa += sa;
      pb += packedB ? 64 : sb;
      let b0 = v128.load(pb);
      let b1 = v128.load(pb, 16);
      let av = v128.load32_splat(pa);
      c00 = madd(c00, av, b0); c01 = madd(c01, av, b1);
      av = v128.load32_splat(pa, 4);
      c10 = madd(c10, av, b0); c11 = madd(c11, av, b1);
      av = v128.load32_splat(pa, 8);
      c20 = madd(c20, av, b0); c21 = madd(c21, av, b1);
      av = v128.load32_splat(pa, 12);
      c30 = madd(c30, av, b0); c31 = madd(c31, av, b1);
      if (pb == last) break; // odd kc; also the block boundary the loop shape needs
      pa += sa;
      if (packedB) {
        b0 = v128.load(pb, 32);
        b1 = v128.load(pb, 48);
      } else {
        pb += sb;
        b0 = v128.load(pb);
        b1 = v128.load(pb, 16);
      }
      av = v128.load32_splat(pa);
      c00 = madd(c00, av, b0); c01 = madd(c01, av, b1);
      av = v128.load32_splat(pa, 4);
      c10 = madd(c10, av, b0); c11 = madd(c11, av, b1);
      av = v128.load32_splat(pa, 8);
      c20 = madd(c20, av, b0); c21 = madd(c21, av, b1);
      av = v128.load32_splat(pa, 12);
      c30 = madd(c30, av, b0); c31 = madd(c31, av, b1);
      if (pb == lastPair) break;
    }
    storeTile(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarTile4x8(pa, sa, 4, pb, sb, kc, tile);
    edgeEpilogue(tile, 5, c, ldc4, alpha, beta, mr, nr);
  }
}

/** tileCols over a packed B panel (stride 32). */
export function kernelCols(
  pa: usize, sa: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tileCols(pa, sa, pb, 32, true, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/** tileCols over a B read in place (row stride sb). */
export function kernelColsDirectB(
  pa: usize, sa: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tileCols(pa, sa, pb, sb, false, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/**
 * 4×8 tile, A row-major read in place: the value of row r, step p at pa + r·lda4 + p·4 (four row
 * pointers; the second step of an iteration at immediate offset 4). B as in tileCols. Used only
 * for full 4-row panels.
 */
@inline function tileRows(
  pa: usize, lda4: usize, pb: usize, sb: usize, packedB: bool, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    const last = pb + <usize>(kc - 1) * sb;
    const lastPair = packedB ? last - 32 : last;
    let a0 = pa - 8, a1 = a0 + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
    pb -= packedB ? 64 : sb;
    while (true) {
      a0 += 8; a1 += 8; a2 += 8; a3 += 8;
      pb += packedB ? 64 : sb;
      let b0 = v128.load(pb);
      let b1 = v128.load(pb, 16);
      let av = v128.load32_splat(a0);
      c00 = madd(c00, av, b0); c01 = madd(c01, av, b1);
      av = v128.load32_splat(a1);
      c10 = madd(c10, av, b0); c11 = madd(c11, av, b1);
      av = v128.load32_splat(a2);
      c20 = madd(c20, av, b0); c21 = madd(c21, av, b1);
      av = v128.load32_splat(a3);
      c30 = madd(c30, av, b0); c31 = madd(c31, av, b1);
      if (pb == last) break;
      if (packedB) {
        b0 = v128.load(pb, 32);
        b1 = v128.load(pb, 48);
      } else {
        pb += sb;
        b0 = v128.load(pb);
        b1 = v128.load(pb, 16);
      }
      av = v128.load32_splat(a0, 4);
      c00 = madd(c00, av, b0); c01 = madd(c01, av, b1);
      av = v128.load32_splat(a1, 4);
      c10 = madd(c10, av, b0); c11 = madd(c11, av, b1);
      av = v128.load32_splat(a2, 4);
      c20 = madd(c20, av, b0); c21 = madd(c21, av, b1);
      av = v128.load32_splat(a3, 4);
      c30 = madd(c30, av, b0); c31 = madd(c31, av, b1);
      if (pb == lastPair) break;
    }
    storeTile(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarTile4x8(pa, 4, lda4, pb, sb, kc, tile);
    edgeEpilogue(tile, 5, c, ldc4, alpha, beta, mr, nr);
  }
}

/** tileRows over a packed B panel (stride 32). */
export function kernelRows(
  pa: usize, lda4: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tileRows(pa, lda4, pb, 32, true, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/** tileRows over a B read in place (row stride sb). */
export function kernelRowsDirectB(
  pa: usize, lda4: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tileRows(pa, lda4, pb, sb, false, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/**
 * SIMD epilogue: C = alpha·acc + beta·C (beta == 0: alpha·acc, C unread). Full tiles go straight
 * to C; partial tiles go through the tile buffer and the scalar edge epilogue, which performs the
 * same two roundings per element.
 */
@inline function storeTile(
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (mr == 4 && nr == 8) {
    const va = f32x4.splat(alpha);
    if (beta == 0) {
      v128.store(c, f32x4.mul(va, c00));
      v128.store(c, f32x4.mul(va, c01), 16);
      c += ldc4;
      v128.store(c, f32x4.mul(va, c10));
      v128.store(c, f32x4.mul(va, c11), 16);
      c += ldc4;
      v128.store(c, f32x4.mul(va, c20));
      v128.store(c, f32x4.mul(va, c21), 16);
      c += ldc4;
      v128.store(c, f32x4.mul(va, c30));
      v128.store(c, f32x4.mul(va, c31), 16);
    } else {
      const vb = f32x4.splat(beta);
      v128.store(c, f32x4.add(f32x4.mul(va, c00), f32x4.mul(vb, v128.load(c))));
      v128.store(c, f32x4.add(f32x4.mul(va, c01), f32x4.mul(vb, v128.load(c, 16))), 16);
      c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c10), f32x4.mul(vb, v128.load(c))));
      v128.store(c, f32x4.add(f32x4.mul(va, c11), f32x4.mul(vb, v128.load(c, 16))), 16);
      c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c20), f32x4.mul(vb, v128.load(c))));
      v128.store(c, f32x4.add(f32x4.mul(va, c21), f32x4.mul(vb, v128.load(c, 16))), 16);
      c += ldc4;
      v128.store(c, f32x4.add(f32x4.mul(va, c30), f32x4.mul(vb, v128.load(c))));
      v128.store(c, f32x4.add(f32x4.mul(va, c31), f32x4.mul(vb, v128.load(c, 16))), 16);
    }
  } else {
    v128.store(tile, c00);
    v128.store(tile, c01, 16);
    v128.store(tile, c10, 32);
    v128.store(tile, c11, 48);
    v128.store(tile, c20, 64);
    v128.store(tile, c21, 80);
    v128.store(tile, c30, 96);
    v128.store(tile, c31, 112);
    edgeEpilogue(tile, 5, c, ldc4, alpha, beta, mr, nr);
  }
}

/**
 * C[r][j] = alpha·tile[r][j] + beta·C[r][j] for r < mr, j < nr (beta == 0: C unread). Tile rows
 * are (1 << rowShift) bytes apart (32 for 4×8 tiles, 16 for 8×4 tiles).
 */
export function edgeEpilogue(
  tile: usize, rowShift: i32, c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32,
): void {
  for (let r = 0; r < mr; r++) {
    const t = tile + (<usize>r << rowShift);
    const cr = c + <usize>r * ldc4;
    if (beta == 0) {
      for (let j = 0; j < nr; j++) {
        const o = <usize>j << 2;
        store<f32>(cr + o, alpha * load<f32>(t + o));
      }
    } else {
      for (let j = 0; j < nr; j++) {
        const o = <usize>j << 2;
        store<f32>(cr + o, alpha * load<f32>(t + o) + beta * load<f32>(cr + o));
      }
    }
  }
}
