// gemm: C = alpha·op(A)·op(B) + beta·C on row-major float32 matrices (BLAS sgemm semantics).
//
// ── Loop structure (GotoBLAS-style blocking) ─────────────────────────────────────────────────
//   for jc over the columns of C, step NC
//     for pc over k, step KC                  k-blocks: [0, KC), [KC, 2·KC), … (depend on k only)
//       pack the B block (KC×NC) into 8-column panels, unless B is read in place (below)
//       for ic over the rows of C, step MC
//         pack the A block (MC×KC) into 4-row panels, unless A is read in place (below)
//         for each 8-column panel of B         (KC×8 floats = 16 KiB: stays in L1)
//           for each 4-row group of A          (the A block, ≤ 128 KiB, stays in L2)
//             micro-kernel over the kc steps of the block, then the epilogue on C
//
// ── Micro-kernel ──────────────────────────────────────────────────────────────────────────────
// A 4×8 tile of C is held in 8 f32x4 accumulators (row r = two vectors). Per k step: two vector
// loads of B's 8 values (immediate offsets 0 and 16), one `v128.load32_splat` per row of A, and
// acc = acc + splat·b (a multiply, then an add: never FMA). TurboFan moves all loads of the loop
// body to its top, so 8 accumulators + 2 B vectors + 4 splats = 14 vectors are live at once:
// exactly what fits in x64's 16 XMM registers (minus scratch) without spilling. The k loop is
// deliberately NOT unrolled: unrolling by 2 doubles the hoisted loads and spills accumulators
// (architecture.md: 41 → 29 GFLOP/s); 5×8 and 6×8 tiles spill for the same reason.
// (The loop must also stay sequential in k for determinism, see below.) The 8 multiplies per
// step saturate the two multiply pipes (≈16 flops/cycle without FMA): this is the ceiling, and
// the kernel runs at ~38–41 GFLOP/s here. Inside the loop only constant immediate offsets are used
// (V8 does not fold `ptr + off` into x64 addressing) and the loop ends on a pointer compare.
//
// Operands are consumed through "pointer + byte stride per k step" views, so one kernel serves
// several layouts without copies:
//   kernelCols   A "by columns" (the 4 rows' values of step p are contiguous): packed panels
//                (stride 16) or a transposed A read in place (op(A) = Aᵀ: stride lda·4).
//   kernelRows   A row-major read in place through 4 row pointers (+4 bytes per step).
//   B            packed panels (stride 32) or a non-transposed B read in place (stride ldb·4).
// When to pack (measured; each packed element costs a copy, each in-place read risks cache
// conflicts):
//   - Row-major A (NN, NT) is never packed: 4 sequential row streams feed the kernel as fast as
//     a packed panel, and the copy is saved (packing cost 1–3 % at 256³–1024³, ~10 % at n = 10).
//   - Transposed A (TN, TT) is read in place (+1–4 % over packing), except when n > 16 and lda is
//     a multiple of 1024 floats: a stride that is a multiple of 4 KiB maps every k step to the
//     same L1 set, so a panel re-read for each of the n/8 B panels thrashes (−30 % at 1024³).
//   - B is packed when it is stored transposed (NT, TT: its 8 columns are strided), or when
//     m > 64, or when m > 8 and ldb is a multiple of 1024 floats (same aliasing argument); a
//     small m re-reads each B panel only m/4 times, too few to pay for the copy.
// Partial tiles are never read in place (that could read past the end of A, B or the memory):
// the m % 4 tail rows of an in-place A and the n % 8 tail columns of an in-place B are packed
// into zero-padded panels in the workspace; the kernel computes a full tile and the epilogue
// writes only the valid part (through a small tile buffer).
//
// Narrow column tails (n % 8 in 1..4, e.g. n = 10: the last layer of a classifier) use 6×4 tiles
// (kernelCols6x4 / kernelRows6x4: 6 accumulators, 6 splats, 1 B vector = 13 live vectors) instead
// of 4×8 tiles padded to 8 columns: 128×128×10 goes from ~23 to ~28 GFLOP/s. 8×4 would be the
// natural shape but needs 17 live vectors and ran at half speed from spills (so did an 8×4 tile
// with the operand roles swapped); 4×4 keeps only 4 independent add chains and would be bound
// by the 3-cycle add latency.
//
// ── Workspace ─────────────────────────────────────────────────────────────────────────────────
//   [0, 128)                 tile buffer (4×8 or 6×4 f32) for partial tiles
//   [128, +MCa·KCa·4)         A block: panel q (rows 4q..4q+3) at q·kc·16, element (r, p) at p·16 + r·4
//   [.., +KCa·NCa·4)          B block: panel q (cols 8q..8q+7) at q·kc·32, element (p, j) at p·32 + j·4
// with KCa = min(k, KC), MCa = min(MC, roundUp(m, 4)), NCa = min(NC, roundUp(n, 8)):
//   gemmWorkspaceBytes = 128 + 4·KCa·(MCa + NCa) ≤ 128 + 4·512·(64 + 128) = 393,344 bytes.
// Padding rows/columns of a panel are rewritten with zeros on every call (no state survives).
//
// ── Determinism ───────────────────────────────────────────────────────────────────────────────
// Every output element is computed by one fixed sequence of float32 operations that depends only
// on k — never on m, n, the element's position, the path (packed, in place, 4×8 or 6×4 tile,
// full or partial tile) or the build:
//   s_b = (…((0 + a_p0·b_p0) + a_p0+1·b_p0+1) + …)   sequentially over the k-block b = [p0, p0+kc)
//   C   = alpha·s_0 + beta·C            (beta == 0: C = alpha·s_0, C is not read)
//   C   = alpha·s_b + 1·C               for each later k-block b = 1, 2, … in order
// so for k ≤ KC = 512 this is exactly C = alpha·Σ_p a_p·b_p + beta·C with a sequential sum.
// Vector lanes are distinct output elements (no horizontal sums), every product is rounded before
// its add (wasm never contracts to FMA), all accumulators start at +0, and the scalar build runs
// the same additions in the same order (scalarBlock2x4). Zero padding only feeds lanes that are
// never written. Hence the SIMD and scalar builds and any split of the rows or columns of C across
// calls (threads) give bit-identical results.

// Cache blocking. KC: k-block length — the B micro-panel (KC×8×4 = 16 KiB) stays in L1 beside
// the streamed A rows, and k ≤ 512 (most layer widths) needs a single k-block. MC: rows per A
// block (64×512×4 = 128 KiB, L2). NC: columns per packed B block (512×128×4 = 256 KiB, L2).
// MC must be a multiple of 4 and NC of 8. (KC = 256/512, MC = 32/64/128 and NC = 128/256 measured
// the same within noise; these keep the workspace under 400 KB.)
const KC: i32 = 512;
const MC: i32 = 64;
const NC: i32 = 128;
// In-place thresholds (see "When to pack" above).
const DIRECT_A_ALWAYS_N: i32 = 16; // transposed A read in place when n ≤ this, or lda not aliasing
const DIRECT_B_MAX_M: i32 = 64; // non-transposed B read in place when m ≤ this (and ldb not aliasing)
const DIRECT_B_ALWAYS_M: i32 = 8; // … and always when m ≤ this

const TILE_BYTES: usize = 128;

@inline function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** A row stride that is a multiple of 4 KiB: consecutive rows fall into the same L1 cache set. */
@inline function aliasing(ld: i32): bool {
  return (ld & 1023) == 0;
}

/**
 * Bytes of scratch `gemm(…, work)` needs for an m×n×k product (a multiple of 16; bounded by
 * 393,344 whatever the sizes).
 */
export function gemmWorkspaceBytes(m: i32, n: i32, k: i32): usize {
  if (m <= 0 || n <= 0 || k <= 0) return TILE_BYTES;
  const kcMax = imin(k, KC);
  const mcMax = imin(MC, (m + 3) & ~3);
  const ncMax = imin(NC, (n + 7) & ~7);
  return TILE_BYTES + (<usize>(mcMax + ncMax) * <usize>kcMax << 2);
}

/**
 * C (m×n, row stride ldc) = alpha·op(A)·op(B) + beta·C, all row-major float32.
 * op(A) = A (stored m×k, row stride lda) if transA == 0, else Aᵀ with A stored k×m;
 * op(B) = B (stored k×n, row stride ldb) if transB == 0, else Bᵀ with B stored n×k.
 * `work`: 16-byte-aligned scratch of at least gemmWorkspaceBytes(m, n, k) bytes. a, b and c need
 * only be 4-byte aligned. beta == 0 never reads C; k == 0 or alpha == 0 gives C = beta·C without
 * reading A or B; m == 0 or n == 0 does nothing.
 */
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32,
  c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const ldc4 = <usize>ldc << 2;
  if (k <= 0 || alpha == 0) {
    scaleC(m, n, beta, c, ldc4);
    return;
  }
  const lda4 = <usize>lda << 2;
  const ldb4 = <usize>ldb << 2;
  const kcMax = imin(k, KC);
  const mcMax = imin(MC, (m + 3) & ~3);
  const tile = work;
  const ap = work + TILE_BYTES;
  const bp = ap + (<usize>mcMax * <usize>kcMax << 2);
  const packA = transA != 0 && n > DIRECT_A_ALWAYS_N && aliasing(lda);
  const packB = transB != 0 || (m > DIRECT_B_ALWAYS_M && (m > DIRECT_B_MAX_M || aliasing(ldb)));

  for (let jc = 0; jc < n; jc += NC) {
    const nc = imin(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = imin(KC, k - pc);
      // The first k-block applies beta; later blocks accumulate onto C (1·C == C exactly).
      const betaEff: f32 = pc == 0 ? beta : 1;
      if (packB) {
        if (transB) packBT(b, ldb4, pc, jc, kc, nc, bp);
        else packBN(b, ldb4, pc, jc, kc, nc, bp);
      } else if (nc & 7) {
        // B read in place; only the partial last panel is packed (zero-padded), at bp.
        packBN(b, ldb4, pc, jc + (nc & ~7), kc, nc & 7, bp);
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = imin(MC, m - ic);
        if (packA) {
          packAT(a, lda4, ic, pc, mc, kc, ap);
        } else if (mc & 3) {
          // A read in place; only the partial last row group is packed (zero-padded), at ap.
          if (transA) packAT(a, lda4, ic + (mc & ~3), pc, mc & 3, kc, ap);
          else packANTail(a, lda4, ic + (mc & ~3), pc, mc & 3, kc, ap);
        }
        block(
          transA, packA, packB, a, lda4, b, ldb4, ic, jc, pc, mc, nc, kc,
          c, ldc4, alpha, betaEff, ap, bp, tile,
        );
      }
    }
  }
}

/**
 * One (ic, jc, pc) block: all tiles of C in rows ic..ic+mc, columns jc..jc+nc, over the k-block
 * pc..pc+kc. B panel outer (it stays in L1), row groups inner.
 */
function block(
  transA: i32, packA: bool, packB: bool, a: usize, lda4: usize, b: usize, ldb4: usize,
  ic: i32, jc: i32, pc: i32, mc: i32, nc: i32, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, ap: usize, bp: usize, tile: usize,
): void {
  const kc4 = <usize>kc << 2;
  for (let jr = 0; jr < nc; jr += 8) {
    const nr = imin(8, nc - jr);
    let pb: usize, sb: usize;
    if (packB) {
      pb = bp + <usize>(jr >> 3) * (kc4 << 3);
      sb = 32;
    } else if (nr == 8) {
      pb = b + <usize>pc * ldb4 + (<usize>(jc + jr) << 2);
      sb = ldb4;
    } else {
      pb = bp; // the packed partial panel
      sb = 32;
    }
    let cp = c + <usize>ic * ldc4 + (<usize>(jc + jr) << 2);
    let ir = 0;
    if (nr <= 4) {
      // Narrow column tail: 6×4 tiles over groups of 6 rows, leaving a multiple of 4 rows (+ the
      // m % 4 tail) to the 4×8 loop below, whose 4-row groups must line up with the packed
      // panels / the packed tail rows.
      const rows = packA ? (mc + 3) & ~3 : mc & ~3; // rows the 6×4 kernels may read
      let groups = rows / 6;
      if ((rows - groups * 6) & 3) groups--;
      for (; groups > 0; groups--) {
        if (packA) {
          // Row pairs (2t, 2t+1) never straddle a 4-row panel; the last pairs may be zero
          // padding (mr < 6).
          const q0 = ap + <usize>(ir >> 2) * (kc4 << 2) + (<usize>(ir & 3) << 2);
          const q1 = ap + <usize>((ir + 2) >> 2) * (kc4 << 2) + (<usize>((ir + 2) & 3) << 2);
          const q2 = ap + <usize>((ir + 4) >> 2) * (kc4 << 2) + (<usize>((ir + 4) & 3) << 2);
          kernelCols6x4(q0, q1, q2, 16, pb, sb, kc, cp, ldc4, alpha, beta, imin(6, mc - ir), nr, tile);
        } else if (transA) {
          const q0 = a + <usize>pc * lda4 + (<usize>(ic + ir) << 2);
          kernelCols6x4(q0, q0 + 8, q0 + 16, lda4, pb, sb, kc, cp, ldc4, alpha, beta, 6, nr, tile);
        } else {
          kernelRows6x4(a + <usize>(ic + ir) * lda4 + (<usize>pc << 2), lda4, pb, sb, kc, cp, ldc4, alpha, beta, nr, tile);
        }
        ir += 6;
        cp += ldc4 * 6;
      }
    }
    for (; ir < mc; ir += 4) {
      const mr = imin(4, mc - ir);
      if (packA) {
        kernelCols(ap + <usize>(ir >> 2) * (kc4 << 2), 16, pb, sb, kc, cp, ldc4, alpha, beta, mr, nr, tile);
      } else if (mr < 4) {
        kernelCols(ap, 16, pb, sb, kc, cp, ldc4, alpha, beta, mr, nr, tile); // packed tail rows
      } else if (transA) {
        kernelCols(a + <usize>pc * lda4 + (<usize>(ic + ir) << 2), lda4, pb, sb, kc, cp, ldc4, alpha, beta, mr, nr, tile);
      } else {
        kernelRows(a + <usize>(ic + ir) * lda4 + (<usize>pc << 2), lda4, pb, sb, kc, cp, ldc4, alpha, beta, mr, nr, tile);
      }
      cp += ldc4 << 2;
    }
  }
}

// ── Micro-kernels ─────────────────────────────────────────────────────────────────────────────

/**
 * acc + a·b, the micro-kernels' one step. The deterministic builds multiply, then add (two
 * roundings, the same on every machine). The opt-in relaxed build (ASC_FEATURE_RELAXED_SIMD) uses
 * f32x4.relaxed_madd: one fused rounding where the hardware has FMA, so it is faster and a little
 * more accurate, but its results can differ from the other builds' and between machines.
 */
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * 4×8 tile, A given "by columns": the 4 values of step p at pa + p·sa + {0, 4, 8, 12}; B's 8
 * values of step p at pb + p·sb + {0..28}. Writes the valid mr×nr part of alpha·acc + beta·C.
 */
function kernelCols(
  pa: usize, sa: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    const end = pb + <usize>kc * sb;
    do {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let av = v128.load32_splat(pa);
      c00 = madd(c00, av, b0);
      c01 = madd(c01, av, b1);
      av = v128.load32_splat(pa, 4);
      c10 = madd(c10, av, b0);
      c11 = madd(c11, av, b1);
      av = v128.load32_splat(pa, 8);
      c20 = madd(c20, av, b0);
      c21 = madd(c21, av, b1);
      av = v128.load32_splat(pa, 12);
      c30 = madd(c30, av, b0);
      c31 = madd(c31, av, b1);
      pa += sa;
      pb += sb;
    } while (pb != end);
    storeTile(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarTile4x8(pa, sa, 4, pb, sb, kc, tile);
    edgeEpilogue(tile, 5, c, ldc4, alpha, beta, mr, nr);
  }
}

/**
 * 4×8 tile, A row-major read in place: the value of row r, step p at pa + r·lda4 + p·4 (four row
 * pointers, each advanced by 4 bytes per step). B as in kernelCols. Used only for full 4-row panels.
 */
function kernelRows(
  pa: usize, lda4: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let a0 = pa;
    let a1 = a0 + lda4;
    let a2 = a1 + lda4;
    let a3 = a2 + lda4;
    const end = pb + <usize>kc * sb;
    do {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let av = v128.load32_splat(a0);
      c00 = madd(c00, av, b0);
      c01 = madd(c01, av, b1);
      av = v128.load32_splat(a1);
      c10 = madd(c10, av, b0);
      c11 = madd(c11, av, b1);
      av = v128.load32_splat(a2);
      c20 = madd(c20, av, b0);
      c21 = madd(c21, av, b1);
      av = v128.load32_splat(a3);
      c30 = madd(c30, av, b0);
      c31 = madd(c31, av, b1);
      a0 += 4;
      a1 += 4;
      a2 += 4;
      a3 += 4;
      pb += sb;
    } while (pb != end);
    storeTile(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarTile4x8(pa, 4, lda4, pb, sb, kc, tile);
    edgeEpilogue(tile, 5, c, ldc4, alpha, beta, mr, nr);
  }
}

/**
 * 6×4 tile for narrow column tails, A "by columns" as three row pairs: rows 2t, 2t+1 of step p
 * at q<t> + p·sa + {0, 4}. (Pairs, so that a group of 6 rows can start in the middle of a packed
 * 4-row panel.) B's first 4 values of step p at pb + p·sb. 6 accumulators + 1 B vector + 6
 * splats = 13 live vectors. An 8-row version (8 + 1 + 8 = 17) makes TurboFan, which sinks all
 * loads of the body to its top, spill two accumulators and run at half speed; so does an 8×4
 * variant with the operands swapped (8 accumulators + 2 A vectors + 4 B splats + products).
 */
function kernelCols6x4(
  q0: usize, q1: usize, q2: usize, sa: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, mr: i32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    const end = pb + <usize>kc * sb;
    do {
      const b0 = v128.load(pb);
      c0 = madd(c0, v128.load32_splat(q0), b0);
      c1 = madd(c1, v128.load32_splat(q0, 4), b0);
      c2 = madd(c2, v128.load32_splat(q1), b0);
      c3 = madd(c3, v128.load32_splat(q1, 4), b0);
      c4 = madd(c4, v128.load32_splat(q2), b0);
      c5 = madd(c5, v128.load32_splat(q2, 4), b0);
      q0 += sa;
      q1 += sa;
      q2 += sa;
      pb += sb;
    } while (pb != end);
    storeTile6x4(c0, c1, c2, c3, c4, c5, c, ldc4, alpha, beta, mr, nr, tile);
  } else {
    scalarBlock2x4(q0, q0 + 4, sa, pb, sb, kc, tile, 16);
    scalarBlock2x4(q1, q1 + 4, sa, pb, sb, kc, tile + 32, 16);
    scalarBlock2x4(q2, q2 + 4, sa, pb, sb, kc, tile + 64, 16);
    edgeEpilogue(tile, 4, c, ldc4, alpha, beta, mr, nr);
  }
}

/**
 * 6×4 tile for narrow column tails with a row-major A read in place (6 row pointers pa + r·lda4,
 * each advanced by 4 bytes per step; all 6 rows must exist). 13 live vectors as kernelCols6x4;
 * 6 multiplies per step keep the two multiply pipes as busy as the 4×8 kernel does.
 */
function kernelRows6x4(
  pa: usize, lda4: usize, pb: usize, sb: usize, kc: i32,
  c: usize, ldc4: usize, alpha: f32, beta: f32, nr: i32, tile: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    let a0 = pa, a1 = a0 + lda4, a2 = a1 + lda4, a3 = a2 + lda4, a4 = a3 + lda4, a5 = a4 + lda4;
    const end = pb + <usize>kc * sb;
    do {
      const b0 = v128.load(pb);
      c0 = madd(c0, v128.load32_splat(a0), b0);
      c1 = madd(c1, v128.load32_splat(a1), b0);
      c2 = madd(c2, v128.load32_splat(a2), b0);
      c3 = madd(c3, v128.load32_splat(a3), b0);
      c4 = madd(c4, v128.load32_splat(a4), b0);
      c5 = madd(c5, v128.load32_splat(a5), b0);
      a0 += 4; a1 += 4; a2 += 4; a3 += 4; a4 += 4; a5 += 4;
      pb += sb;
    } while (pb != end);
    storeTile6x4(c0, c1, c2, c3, c4, c5, c, ldc4, alpha, beta, 6, nr, tile);
  } else {
    scalarBlock2x4(pa, pa + lda4, 4, pb, sb, kc, tile, 16);
    scalarBlock2x4(pa + lda4 * 2, pa + lda4 * 3, 4, pb, sb, kc, tile + 32, 16);
    scalarBlock2x4(pa + (lda4 << 2), pa + lda4 * 5, 4, pb, sb, kc, tile + 64, 16);
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
function edgeEpilogue(
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

// The scalar build's micro-kernels. Same per-element sums as the SIMD kernels (start at +0, add
// the rounded product a·b sequentially over p), computed in 2×4 register blocks so that the 8
// accumulators + 6 operands fit the 16 FP registers.

/**
 * 2×4 block: rows at qa0 and qa1 (+ p·sa), columns at qb + {0, 4, 8, 12} (+ p·sb); the sums go
 * to t (row 0) and t + tileRow (row 1).
 */
function scalarBlock2x4(
  qa0: usize, qa1: usize, sa: usize, qb: usize, sb: usize, kc: i32, t: usize, tileRow: usize,
): void {
  let s00: f32 = 0, s01: f32 = 0, s02: f32 = 0, s03: f32 = 0;
  let s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0;
  for (let p = 0; p < kc; p++) {
    const x0 = load<f32>(qa0);
    const x1 = load<f32>(qa1);
    const y0 = load<f32>(qb);
    const y1 = load<f32>(qb, 4);
    const y2 = load<f32>(qb, 8);
    const y3 = load<f32>(qb, 12);
    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
    qa0 += sa;
    qa1 += sa;
    qb += sb;
  }
  store<f32>(t, s00); store<f32>(t, s01, 4); store<f32>(t, s02, 8); store<f32>(t, s03, 12);
  t += tileRow;
  store<f32>(t, s10); store<f32>(t, s11, 4); store<f32>(t, s12, 8); store<f32>(t, s13, 12);
}

/** Full 4×8 tile (row stride 32 bytes): A's (r, p) at pa + p·sa + r·ar, B's (p, j) at pb + p·sb + j·4. */
function scalarTile4x8(pa: usize, sa: usize, ar: usize, pb: usize, sb: usize, kc: i32, tile: usize): void {
  for (let rr = 0; rr < 4; rr += 2) {
    const qa = pa + <usize>rr * ar;
    scalarBlock2x4(qa, qa + ar, sa, pb, sb, kc, tile + (<usize>rr << 5), 32);
    scalarBlock2x4(qa, qa + ar, sa, pb + 16, sb, kc, tile + (<usize>rr << 5) + 16, 32);
  }
}

// ── Packing ───────────────────────────────────────────────────────────────────────────────────
// Packing only moves bits (no arithmetic), so the SIMD and scalar versions produce the same panels.

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
 * Pack the last mr < 4 rows of a row-major op(A) = A (rows i0..i0+mr, columns p0..p0+kc) into one
 * zero-padded 4-row panel at dst. (Whole row groups of a row-major A are always read in place.)
 */
function packANTail(a: usize, lda4: usize, i0: i32, p0: i32, mr: i32, kc: i32, dst: usize): void {
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

/** Pack op(A) = Aᵀ (A stored k×m; op(A)[i][p] = A[p·lda + i]) into 4-row panels at dst. */
function packAT(a: usize, lda4: usize, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += 4) {
    const mr = imin(4, mc - ir);
    let s = a + <usize>p0 * lda4 + (<usize>(i0 + ir) << 2);
    let d = dst + <usize>(ir >> 2) * (<usize>kc << 4);
    if (mr == 4) {
      for (let p = 0; p < kc; p++) {
        if (ASC_FEATURE_SIMD) {
          v128.store(d, v128.load(s));
        } else {
          store<f32>(d, load<f32>(s));
          store<f32>(d, load<f32>(s, 4), 4);
          store<f32>(d, load<f32>(s, 8), 8);
          store<f32>(d, load<f32>(s, 12), 12);
        }
        s += lda4;
        d += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < 4; r++) {
          store<f32>(d + (<usize>r << 2), r < mr ? load<f32>(s + (<usize>r << 2)) : <f32>0);
        }
        s += lda4;
        d += 16;
      }
    }
  }
}

/** Pack op(B) = B (row-major k×n; rows p0..p0+kc, cols j0..j0+nc) into 8-column panels at dst. */
function packBN(b: usize, ldb4: usize, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += 8) {
    const nr = imin(8, nc - jr);
    let s = b + <usize>p0 * ldb4 + (<usize>(j0 + jr) << 2);
    let d = dst + <usize>(jr >> 3) * (<usize>kc << 5);
    if (nr == 8) {
      for (let p = 0; p < kc; p++) {
        if (ASC_FEATURE_SIMD) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
        } else {
          for (let j = 0; j < 8; j++) {
            const o = <usize>j << 2;
            store<f32>(d + o, load<f32>(s + o));
          }
        }
        s += ldb4;
        d += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < 8; j++) {
          const o = <usize>j << 2;
          store<f32>(d + o, j < nr ? load<f32>(s + o) : <f32>0);
        }
        s += ldb4;
        d += 32;
      }
    }
  }
}

/** Pack op(B) = Bᵀ (B stored n×k; op(B)[p][j] = B[j·ldb + p]) into 8-column panels at dst. */
function packBT(b: usize, ldb4: usize, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
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
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc4: usize): void {
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
