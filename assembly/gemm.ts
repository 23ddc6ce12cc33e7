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
// loads of B's 8 values, one `v128.load32_splat` per row of A, and acc = acc + splat·b (a
// multiply, then an add: never FMA in the deterministic builds). TurboFan moves all loads of a
// basic block to its top, so 8 accumulators + 2 B vectors + 4 splats (+ 1 product) are live at
// once: what x64's 16 XMM registers hold without spilling (5×8 and 6×8 tiles spill). The 16
// multiplies and adds of a step need 4 cycles on the two multiply and two add pipes (57.6
// GFLOP/s at 3.6 GHz); what limits the kernel is the ~5.3 instructions per cycle that Zen 4
// dispatches: a step is 22 instructions, and V8 adds 7–8 per loop iteration (stack check,
// zero-extensions, pointer increments, branch). So the loop runs two k steps per iteration,
// with an exit test between them that keeps the steps in separate basic blocks (one block would
// hoist 12 loads and spill), and its pointers advance before use (no zero-extension): 5.6 →
// 4.7 cycles per step in L1, 41 → 50 GFLOP/s, ~48 in a whole gemm (gemm-tile.ts has the
// measurements). The loop stays sequential in k for determinism (see below).
//
// Operands are consumed through "pointer + byte stride per k step" views, so one kernel serves
// several layouts without copies:
//   kernelCols   A "by columns" (the 4 rows' values of step p are contiguous): packed panels
//                (stride 16) or a transposed A read in place (op(A) = Aᵀ: stride lda·4).
//   kernelRows   A row-major read in place through 4 row pointers (+4 bytes per step).
//   B            packed panels (stride 32: the second step of an iteration at immediate offsets)
//                or a non-transposed B read in place (…DirectB: stride ldb·4).
// When to pack (measured; each packed element costs a copy, each in-place read costs address
// arithmetic and risks cache misses and conflicts). The deterministic kernel is bound by
// instruction dispatch, so in-place reads cost it more than the copies; the FMA ('relaxed')
// kernel waits on FMA latency with issue slots to spare, hides them, and packs less:
//   - A is read in place when n ≤ 16 (each A element feeds ≤ 2 tiles: a copy cannot pay).
//   - A transposed (TN, TT) is packed otherwise (a plain copy): +12 % deterministic, and in the
//     FMA build +18 % for dW = Xᵀ·dY at batch 32 (256×32·32×784), else the same. A panel read in
//     place touches a new cache line every k step and is re-read for each of the n/8 B panels
//     (at a stride that is a multiple of 4 KiB every step maps to the same L1 set: −30 % at 1024³).
//   - A row-major (NN, NT) is packed (4×4 transposes) when n > 64 in the deterministic build
//     (+4 % at 256³: the cols kernel has one A pointer to advance, the rows kernel four); the FMA
//     build reads it in place, as fast.
//   - B is packed when it is stored transposed (NT, TT: its 8 columns are strided), or when
//     m > 64, or when m > 8 and ldb is a multiple of 1024 floats (same aliasing argument), and in
//     the deterministic build when m > 16 and n > 16 (32×784·784×256: 36 → 41 GFLOP/s); a small
//     m re-reads each B panel only m/4 times, too few to pay for the copy.
// Partial tiles are never read in place (that could read past the end of A, B or the memory):
// the m % 4 tail rows of an in-place A and the n % 8 tail columns of an in-place B are packed
// into zero-padded panels in the workspace; the kernel computes a full tile and the epilogue
// writes only the valid part (through a small tile buffer).
//
// Narrow column tails (n % 8 in 1..4, e.g. n = 10: the last layer of a classifier) use 6×4 tiles
// (gemm-narrow.ts: 6 accumulators, 6 splats, 1 B vector = 13 live vectors) instead of 4×8 tiles
// padded to 8 columns: 128×128×10 goes from ~23 to ~30 GFLOP/s. 8×4 would be the
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

import { GemmOrder } from '../src/backend/codes';
import { kernelCols, kernelColsDirectB, kernelRows, kernelRowsDirectB } from './gemm-tile';
import { kernelCols6x4, kernelRows6x4 } from './gemm-narrow';
import { imin, packAN, packANTail, packAT, packBN, packBT, scaleC } from './gemm-pack';

// Cache blocking. KC: k-block length — the B micro-panel (KC×8×4 = 16 KiB) stays in L1 beside
// the streamed A rows, and k ≤ 512 (most layer widths) needs a single k-block. MC: rows per A
// block (64×512×4 = 128 KiB, L2). NC: columns per packed B block (512×128×4 = 256 KiB, L2).
// MC must be a multiple of 4 and NC of 8. (KC = 256/512, MC = 32/64/128 and NC = 128/256 measured
// the same within noise; these keep the workspace under 400 KB.)

const KC: i32 = GemmOrder.kBlock;
const MC: i32 = 64;
const NC: i32 = 128;
// In-place thresholds (see "When to pack" above).
const DIRECT_A_MAX_N: i32 = 16; // A read in place when n ≤ this (and then never packed)
const DIRECT_AN_MAX_N: i32 = 64; // deterministic build: row-major A read in place when n ≤ this
const DIRECT_B_ALWAYS_M: i32 = 8; // non-transposed B read in place when m ≤ this
const DIRECT_B_MAX_M: i32 = 64; // … never when m > this or ldb aliases
const DIRECT_B_WIDE_M: i32 = 16; // … deterministic build: nor when m > this and n > DIRECT_A_MAX_N

const TILE_BYTES: usize = 128;

/** A row stride that is a multiple of 4 KiB: consecutive rows fall into the same L1 cache set. */
@inline function aliasing(ld: i32): bool {
  return (ld & 1023) == 0;
}

/** Whether gemm copies op(A) into 4-row panels (else reads it in place). */
@inline function packsA(transA: i32, n: i32): bool {
  if (n <= DIRECT_A_MAX_N) return false;
  return transA != 0 || (!ASC_FEATURE_RELAXED_SIMD && n > DIRECT_AN_MAX_N);
}

/** Whether gemm copies op(B) into 8-column panels (else reads it in place, but for its tail). */
@inline function packsB(transB: i32, m: i32, n: i32, ldb: i32): bool {
  if (transB != 0) return true;
  if (m <= DIRECT_B_ALWAYS_M) return false;
  if (m > DIRECT_B_MAX_M || aliasing(ldb)) return true;
  return !ASC_FEATURE_RELAXED_SIMD && m > DIRECT_B_WIDE_M && n > DIRECT_A_MAX_N;
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
  const packA = packsA(transA, n);
  const packB = packsB(transB, m, n, ldb);

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
          if (transA) packAT(a, lda4, ic, pc, mc, kc, ap);
          else packAN(a, lda4, ic, pc, mc, kc, ap);
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
          kernelCols6x4(q0, q1, q2, 16, pb, kc, cp, ldc4, alpha, beta, imin(6, mc - ir), nr, tile);
        } else if (transA) {
          const q0 = a + <usize>pc * lda4 + (<usize>(ic + ir) << 2);
          kernelCols6x4(q0, q0 + 8, q0 + 16, lda4, pb, kc, cp, ldc4, alpha, beta, 6, nr, tile);
        } else {
          kernelRows6x4(a + <usize>(ic + ir) * lda4 + (<usize>pc << 2), lda4, pb, kc, cp, ldc4, alpha, beta, nr, tile);
        }
        ir += 6;
        cp += ldc4 * 6;
      }
    }
    const directB = sb != 32; // B read in place (a packed panel's stride is 32 bytes)
    for (; ir < mc; ir += 4) {
      const mr = imin(4, mc - ir);
      if (!packA && !transA && mr == 4) {
        // Row-major A read in place through 4 row pointers.
        const pa = a + <usize>(ic + ir) * lda4 + (<usize>pc << 2);
        if (directB) kernelRowsDirectB(pa, lda4, pb, sb, kc, cp, ldc4, alpha, beta, mr, nr, tile);
        else kernelRows(pa, lda4, pb, kc, cp, ldc4, alpha, beta, mr, nr, tile);
      } else {
        // A by columns: a packed panel, the packed tail rows, or Aᵀ read in place.
        let pa: usize = ap + <usize>(ir >> 2) * (kc4 << 2), sa: usize = 16;
        if (!packA) {
          if (mr < 4) pa = ap;
          else {
            pa = a + <usize>pc * lda4 + (<usize>(ic + ir) << 2);
            sa = lda4;
          }
        }
        if (directB) kernelColsDirectB(pa, sa, pb, sb, kc, cp, ldc4, alpha, beta, mr, nr, tile);
        else kernelCols(pa, sa, pb, kc, cp, ldc4, alpha, beta, mr, nr, tile);
      }
      cp += ldc4 << 2;
    }
  }
}
