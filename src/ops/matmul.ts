import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { gemmWorkspace, requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, FINITE, checkOptions, checkValue, required, tensorOf, type Rules } from '../core/validate.js';

// matmul takes only the transposes: a scaled product is gemm's (alpha, beta), so `matmul(a, b,
// { alpha: 2 })` is rejected as an unknown option rather than silently computing a·b.
const MATMUL_RULES: Rules = { transA: BOOLEAN, transB: BOOLEAN };
const GEMM_RULES: Rules = { ...MATMUL_RULES, alpha: FINITE, beta: FINITE };
const MATRIX = required(tensorOf(2));

export interface MatmulOptions {
  /** Use aᵀ (a is stored [k, m]). */
  transA?: boolean;
  /** Use bᵀ (b is stored [n, k]). */
  transB?: boolean;
}

export interface GemmOptions extends MatmulOptions {
  /** Scale of the product (default 1). */
  alpha?: number;
  /** Scale of c's previous contents (default 0: c is overwritten, never read). */
  beta?: number;
}

/**
 * op(a)·op(b) as a new [m, n] tensor; the transposes are read in place, never copied, in the
 * forward and in the backward (which uses the other gemm forms).
 */
export function matmul(a: Tensor, b: Tensor, given?: MatmulOptions): Tensor {
  const options = checkOptions<MatmulOptions>('matmul', given, MATMUL_RULES);
  const { m, n } = productShape('matmul', a, b, options);
  const k = options.transA ? a.shape[0] : a.shape[1];
  const c = new Tensor([m, n]);
  try {
    runGemm(a, b, c, options, 1, 0);
  } catch (error) {
    c.dispose();
    throw error;
  }
  const tA = !!options.transA, tB = !!options.transB;
  return record(c, 'matmul', [a, b], [a, b], (g, sink) => {
    // C = op(A)·op(B): d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC; a stored transpose takes the
    // transpose of that, which swaps the operands instead of copying anything.
    sink.writeOrAdd(a, (dst, add) => {
      if (!tA) gemmRaw(false, !tB, m, k, n, g.offset, n, b.offset, b.shape[1], dst, k, add); // [m,k] = dC·op(B)ᵀ
      else gemmRaw(tB, true, k, m, n, b.offset, b.shape[1], g.offset, n, dst, m, add); // [k,m] = op(B)·dCᵀ
    });
    sink.writeOrAdd(b, (dst, add) => {
      if (!tB) gemmRaw(!tA, false, k, n, m, a.offset, a.shape[1], g.offset, n, dst, n, add); // [k,n] = op(A)ᵀ·dC
      else gemmRaw(true, tA, n, k, m, g.offset, n, a.offset, a.shape[1], dst, k, add); // [n,k] = dCᵀ·op(A)
    });
  });
}

/** C (+)= op(A)·op(B) on raw offsets, with the runtime's workspace. */
export function gemmRaw(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, add: boolean,
): void {
  const backend = requireBackend();
  const work = gemmWorkspace(backend.gemmWorkspaceBytes(m, n, k));
  backend.gemm(+transA, +transB, m, n, k, 1, a, lda, b, ldb, add ? 1 : 0, c, ldc, work);
}

/** c = α·op(a)·op(b) + β·c in place (BLAS sgemm). c must not share memory with a or b. */
export function gemm(a: Tensor, b: Tensor, c: Tensor, given?: GemmOptions): Tensor {
  const options = checkOptions<GemmOptions>('gemm', given, GEMM_RULES);
  const { m, n } = productShape('gemm', a, b, options);
  checkValue('gemm', 'c', c, MATRIX);
  if (c.shape[0] !== m || c.shape[1] !== n) {
    throw new ShapeError(
      `gemm: c has shape ${formatShape(c.shape)}, expected [${m}, ${n}] for ${describe(a, b, options)}`,
    );
  }
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 0;
  for (const [name, t] of [['a', a], ['b', b]] as const) {
    if (overlaps(c, t)) {
      throw new OptionError(`gemm: c shares memory with ${name}; the output must be a separate tensor`);
    }
  }
  runGemm(a, b, c, options, alpha, beta);
  return c;
}

function runGemm(a: Tensor, b: Tensor, c: Tensor, options: MatmulOptions, alpha: number, beta: number): void {
  const transA = options.transA ? 1 : 0;
  const transB = options.transB ? 1 : 0;
  const m = c.shape[0], n = c.shape[1];
  const k = transA ? a.shape[0] : a.shape[1];
  const backend = requireBackend();
  // The workspace may allocate: take it before reading any offsets into locals that views use.
  const work = gemmWorkspace(backend.gemmWorkspaceBytes(m, n, k));
  backend.gemm(transA, transB, m, n, k, alpha, a.offset, a.shape[1], b.offset, b.shape[1], beta, c.offset, n, work);
}

function productShape(op: string, a: Tensor, b: Tensor, options: MatmulOptions): { m: number; n: number } {
  checkValue(op, 'a', a, MATRIX);
  checkValue(op, 'b', b, MATRIX);
  const [m, ka] = options.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = options.transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (ka !== kb) {
    throw new ShapeError(
      `${op}: inner dimensions differ in ${describe(a, b, options)}: op(a) has ${ka} columns, op(b) has ${kb} rows`,
    );
  }
  return { m, n };
}

function describe(a: Tensor, b: Tensor, options: MatmulOptions): string {
  return `${options.transA ? 'aᵀ' : 'a'}${formatShape(a.shape)} · ${options.transB ? 'bᵀ' : 'b'}${formatShape(b.shape)}`;
}

function overlaps(x: Tensor, y: Tensor): boolean {
  const x0 = x.offset, x1 = x0 + Math.max(x.size, 1) * 4;
  const y0 = y.offset, y1 = y0 + Math.max(y.size, 1) * 4;
  return x0 < y1 && y0 < x1;
}
