// gemm's scalar micro-kernels (the build without SIMD). Same per-element sums as the SIMD kernels
// (start at +0, add the rounded product a·b sequentially over p), computed in 2×4 register blocks
// so that the 8 accumulators + 6 operands fit the 16 FP registers.

/**
 * 2×4 block: rows at qa0 and qa1 (+ p·sa), columns at qb + {0, 4, 8, 12} (+ p·sb); the sums go
 * to t (row 0) and t + tileRow (row 1).
 */
export function scalarBlock2x4(
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
export function scalarTile4x8(pa: usize, sa: usize, ar: usize, pb: usize, sb: usize, kc: i32, tile: usize): void {
  for (let rr = 0; rr < 4; rr += 2) {
    const qa = pa + <usize>rr * ar;
    scalarBlock2x4(qa, qa + ar, sa, pb, sb, kc, tile + (<usize>rr << 5), 32);
    scalarBlock2x4(qa, qa + ar, sa, pb + 16, sb, kc, tile + (<usize>rr << 5) + 16, 32);
  }
}
