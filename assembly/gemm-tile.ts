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
 * 4×8 tile: A's value of row r, step p at pa + p·sp + r·sr; B's 8 values of step p at
 * pb + p·sb + {0..28}. Writes the valid mr×nr part of alpha·acc + beta·C. The constant flags pick
 * the loop (the exported kernels below are the four combinations):
 * `rowsA`: A row-major read in place (sp == 4, sr == lda·4), through four row pointers advanced
 *   once per iteration (the second step at immediate offset 4); else A "by columns" (sr == 4: a
 *   packed panel or Aᵀ in place), through one pointer advanced per step (rows at immediate
 *   offsets 4, 8, 12).
 * `packedB`: B is a packed panel (sb == 32), so its second step is read at immediate offsets.
 */
@inline function tile4x8(
  pa: usize, sp: usize, sr: usize, rowsA: bool, pb: usize, sb: usize, packedB: bool, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    const last = pb + <usize>(kc - 1) * sb; // B's row of the last step
    const lastPair = packedB ? last - 32 : last; // … where the second step of a pair is the last
    let a0 = pa - (rowsA ? 8 : sp);
    let a1 = a0 + sr, a2 = a1 + sr, a3 = a2 + sr; // the row pointers (rowsA only)
    pb -= packedB ? 64 : sb;
    while (true) {
      if (rowsA) {
        a0 += 8; a1 += 8; a2 += 8; a3 += 8;
      } else a0 += sp;
      pb += packedB ? 64 : sb;
      let b0 = v128.load(pb);
      let b1 = v128.load(pb, 16);
      let av = v128.load32_splat(a0);
      c00 = madd(c00, av, b0); c01 = madd(c01, av, b1);
      av = rowsA ? v128.load32_splat(a1) : v128.load32_splat(a0, 4);
      c10 = madd(c10, av, b0); c11 = madd(c11, av, b1);
      av = rowsA ? v128.load32_splat(a2) : v128.load32_splat(a0, 8);
      c20 = madd(c20, av, b0); c21 = madd(c21, av, b1);
      av = rowsA ? v128.load32_splat(a3) : v128.load32_splat(a0, 12);
      c30 = madd(c30, av, b0); c31 = madd(c31, av, b1);
      if (pb == last) break; // odd kc; also the block boundary the loop shape needs
      if (!rowsA) a0 += sp;
      if (packedB) {
        b0 = v128.load(pb, 32);
        b1 = v128.load(pb, 48);
      } else {
        pb += sb;
        b0 = v128.load(pb);
        b1 = v128.load(pb, 16);
      }
      av = rowsA ? v128.load32_splat(a0, 4) : v128.load32_splat(a0);
      c00 = madd(c00, av, b0); c01 = madd(c01, av, b1);
      av = v128.load32_splat(rowsA ? a1 : a0, 4);
      c10 = madd(c10, av, b0); c11 = madd(c11, av, b1);
      av = rowsA ? v128.load32_splat(a2, 4) : v128.load32_splat(a0, 8);
      c20 = madd(c20, av, b0); c21 = madd(c21, av, b1);
      av = rowsA ? v128.load32_splat(a3, 4) : v128.load32_splat(a0, 12);
      c30 = madd(c30, av, b0); c31 = madd(c31, av, b1);
      if (pb == lastPair) break;
    }
    storeTile(c00, c01, c10, c11, c20, c21, c30, c31, true, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarTile4x8(pa, sp, sr, pb, sb, kc, tile);
    edgeEpilogue(tile, 5, c, ldc4, alpha, beta, mr, nr);
  }
}

/** A by columns (step stride sa), B a packed panel. */
export function kernelCols(
  pa: usize, sa: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tile4x8(pa, sa, 4, false, pb, 32, true, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/** A by columns (step stride sa), B read in place (row stride sb). */
export function kernelColsDirectB(
  pa: usize, sa: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tile4x8(pa, sa, 4, false, pb, sb, false, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/** A row-major in place (row stride lda4; full 4-row groups only), B a packed panel. */
export function kernelRows(
  pa: usize, lda4: usize, pb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tile4x8(pa, 4, lda4, true, pb, 32, true, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/** A row-major in place (row stride lda4; full 4-row groups only), B in place (row stride sb). */
export function kernelRowsDirectB(
  pa: usize, lda4: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  tile4x8(pa, 4, lda4, true, pb, sb, false, kc, c, ldc4, alpha, beta, mr, nr, tile);
}

/**
 * The epilogue of both tile shapes: C = alpha·acc + beta·C (beta == 0: alpha·acc, C unread).
 * `wide` (a constant): a 4×8 tile, row r in v<2r>, v<2r+1>; else a 6×4 tile, row r in v<r> (v6
 * and v7 unused). Full tiles go straight to C; partial tiles go through the tile buffer (the
 * vectors in order: rows 32 or 16 bytes apart) and the scalar edge epilogue, which performs the
 * same two roundings per element.
 */
@inline export function storeTile(
  v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, v6: v128, v7: v128, wide: bool,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (mr == (wide ? 4 : 6) && nr == (wide ? 8 : 4)) {
    const va = f32x4.splat(alpha);
    if (beta == 0) storeFull(v0, v1, v2, v3, v4, v5, v6, v7, wide, c, ldc4, va, va, false);
    else storeFull(v0, v1, v2, v3, v4, v5, v6, v7, wide, c, ldc4, va, f32x4.splat(beta), true);
  } else {
    v128.store(tile, v0);
    v128.store(tile, v1, 16);
    v128.store(tile, v2, 32);
    v128.store(tile, v3, 48);
    v128.store(tile, v4, 64);
    v128.store(tile, v5, 80);
    if (wide) {
      v128.store(tile, v6, 96);
      v128.store(tile, v7, 112);
    }
    edgeEpilogue(tile, wide ? 5 : 4, c, ldc4, alpha, beta, mr, nr);
  }
}

/** A full tile to C, pairs of vectors in order; `readC` (a constant): add vb·C. */
@inline function storeFull(
  v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, v6: v128, v7: v128, wide: bool,
  c: usize, ldc4: usize, va: v128, vb: v128, readC: bool,
): void {
  c = storePair(v0, v1, wide, c, ldc4, va, vb, readC);
  c = storePair(v2, v3, wide, c, ldc4, va, vb, readC);
  c = storePair(v4, v5, wide, c, ldc4, va, vb, readC);
  if (wide) storePair(v6, v7, wide, c, ldc4, va, vb, readC);
}

/**
 * x and y to C at c: one 8-wide row (`wide`) or two 4-wide rows. Returns the next row's address.
 */
@inline function storePair(
  x: v128, y: v128, wide: bool, c: usize, ldc4: usize, va: v128, vb: v128, readC: bool,
): usize {
  storeScaled(x, c, va, vb, readC);
  if (!wide) c += ldc4;
  storeScaled(y, wide ? c + 16 : c, va, vb, readC);
  return c + ldc4;
}

/** alpha·acc (+ beta·C when `readC`) to C at p, with va = splat(alpha), vb = splat(beta). */
@inline function storeScaled(acc: v128, p: usize, va: v128, vb: v128, readC: bool): void {
  if (readC) v128.store(p, f32x4.add(f32x4.mul(va, acc), f32x4.mul(vb, v128.load(p))));
  else v128.store(p, f32x4.mul(va, acc));
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
