import type { KernelFunctions, KernelSpec } from './kernel-spec.js';

// The normalisation and embedding kernels (issue #15): batch norm over [n, c, hw] (hw = 1 for
// BatchNorm1d on [N, C]), layer norm over rows [m, d], embedding gather and scatter-add.
//
// Every statistic is a float64 sum in one fixed order, which the SIMD, scalar and js versions all
// follow, so the bits never depend on the build: within a contiguous segment (a row, or one
// sample's plane of a channel) element p goes to lane p % 8 and the segment's total is
// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)); a channel's total adds its samples' segment
// totals in order.
// Elementwise arithmetic is float32, one rounding per operation, in the order each doc states.
// A pointer of 0 means "absent" (no affine weight or bias, no running statistics).
// Split across threads: layer norm's forward and input gradient by rows (each row's statistics
// whole on one thread, mean and invstd advancing one float a row), batch norm's output and input
// gradient by samples, batch norm's statistics and its backward's sums by channels (each channel's
// sums whole on one thread), layer norm's parameter gradients by columns, the embedding gather by
// indices. Not split: the embedding's scatter-add (a repeated index adds into one row).

export const NORM_KERNELS = {
  /**
   * Batch norm's statistics over x [n, c, hw]. batchStats = 1: each channel's mean and biased
   * variance come from x (M = n·hw values); when runningMean ≠ 0 the running statistics become
   * (1 − momentum)·running + momentum·stat, with the unbiased variance var·M/(M − 1).
   * batchStats = 0: the running statistics are used as they are. Writes mean[c] and
   * invstd[c] = 1/√(var + eps) (kept for the backward). Sample s of channel ch at x + s·sample +
   * ch·hw (floats). Each channel's sums are whole on one thread, so it is split by channels (span =
   * n·hw, a channel's values).
   */
  batchNormStatistics: { args: 'x:range/hw n c:count hw runningMean:item runningVar:item momentum eps batchStats mean:item invstd:item sample span:width' },
  /**
   * Batch norm's output from its statistics: y = ((x − mean)·a) + bias with a = invstd·weight per
   * channel (weight 1, bias 0 when absent). Split by samples (sample = c·hw floats each).
   */
  batchNormApply: { args: 'x:range/sample n:count c hw mean invstd weight bias y:range/sample sample:width' },
  /**
   * The per-channel sums the backward needs, as float32: biasSums[ch] = Σ dy (the bias gradient)
   * and weightSums[ch] = invstd·Σ dy·(x − mean) = Σ dy·x̂ (the weight gradient); laid out as
   * batchNormStatistics' input. Split by channels, as it.
   */
  batchNormBackwardSums: { args: 'x:range/hw dy:range/hw n c:count hw mean:item invstd:item biasSums:item weightSums:item sample span:width' },
  /**
   * dx for batch norm. batchStats = 1 (the gradient flows through the batch statistics):
   * dx = a·((dy − Σdy/M) − x̂·(Σdy·x̂/M)) with x̂ = (x − mean)·invstd and the sums of
   * batchNormBackwardSums; batchStats = 0 (running statistics, constants): dx = a·dy.
   * a = weight·invstd per channel (weight 1 when absent), M = total·hw (total: the batch's
   * samples, of which this call does n). Split by samples (sample = c·hw floats each).
   */
  batchNormBackwardInput: { args: 'x:range/sample dy:range/sample n:count c hw mean invstd weight sums batchStats dx:range/sample total sample:width' },
  /**
   * Layer norm over the rows of x [m, d]: mean[i], invstd[i] = 1/√(biased var + eps), and
   * y = x̂·weight + bias elementwise along the row with x̂ = (x − mean)·invstd (y = x̂ without them).
   */
  layerNormForward: { args: 'x:range m:count d:width weight bias eps mean:item invstd:item y:range' },
  /**
   * dx for layer norm: with t = dy·weight (dy when absent), per row
   * dx = invstd·((t − Σt/d) − (x − mean)·(invstd²·Σt·(x − mean)/d)).
   */
  layerNormBackward: { args: 'x:range dy:range m:count d:width mean:item invstd:item weight dx:range' },
  /**
   * Column sums over the m rows of x, dy [m, d] for `cols` columns: dweight[j] = Σ_i dy[i][j]·x̂[i][j]
   * and dbias[j] = Σ_i dy[i][j] (float64, rows in order), x̂ = (x − mean)·invstd as the forward
   * rounds it. The rows are read once, in order, the sums kept in the work region (16·cols bytes,
   * 8-byte aligned). Split by columns (each column's sums whole on one thread; x, dy, dweight and
   * dbias advance one float a column, the rows keep their stride d; each thread its own region).
   */
  layerNormParamGrads: { args: 'x:item dy:item cols:count m:width d mean invstd dweight:item dbias:item work:thread/workBytes workBytes' },
  /**
   * The LSTM cell for n rows: gates [n, 4·hsize] (rows gateStride floats apart) hold the
   * pre-activations of [i | f | g | o] and are overwritten by σ, σ, tanh, σ of them; then
   * c = f·cPrev + i·g and h = o·tanh(c) ([n, hsize] each). Split by rows.
   */
  lstmCellForward: { args: 'gates:range/gateStride cPrev:range/hsize c:range/hsize h:range/hsize n:count hsize:width gateStride' },
  /**
   * Its backward from the activated gates, cPrev and c: dc (in: from the step after) += dh·o·(1 −
   * tanh²c); dgates ← the pre-activation gradients dc·g·i(1 − i), dc·cPrev·f(1 − f), dc·i·(1 − g²),
   * dh·tanh(c)·o(1 − o); dc (out) ← dc·f, the previous cell's gradient. Split by rows.
   */
  lstmCellBackward: { args: 'gates:range/gateStride cPrev:range/hsize c:range/hsize dh:range/hsize dc:range/hsize dgates:range/gateStride n:count hsize:width gateStride' },
  /**
   * The GRU cell for n rows: gx [n, 3·hsize] holds x·W_ihᵀ + b_ih of [r | z | n] and is overwritten
   * by r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r·gh_n); gh (h·W_hhᵀ + b_hh) is kept;
   * h = (1 − z)·n + z·hPrev. Split by rows.
   */
  gruCellForward: { args: 'gx:range/gateStride gh:range/gateStride hPrev:range/hsize h:range/hsize n:count hsize:width gateStride' },
  /**
   * Its backward: dgx ← [dr | dz | dn] and dgh ← [dr | dz | dn·r] (the pre-activation gradients of
   * the two products), dhPrev ← dh·z (the direct path). Split by rows.
   */
  gruCellBackward: { args: 'gx:range/gateStride gh:range/gateStride hPrev:range/hsize dh:range/hsize dgx:range/gateStride dgh:range/gateStride dhPrev:range/hsize n:count hsize:width gateStride' },
  /** out[i] = weight[indices[i]] (rows of `dim`); indices are float32 exact integers, validated. */
  embeddingForward: { args: 'weight indices:item count:count dim:width out:range' },
  /**
   * dweight[indices[i]] += dout[i] for i in order (a repeated index sums its rows in index order,
   * so the result is deterministic), skipping rows whose index is paddingIdx (−1: none).
   */
  embeddingBackward: { args: 'indices count dim paddingIdx dout dweight' },
} as const satisfies Record<string, KernelSpec>;

export type NormKernels = KernelFunctions<typeof NORM_KERNELS>;
