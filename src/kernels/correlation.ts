// Binding of assembly/correlation.ts: covariance and correlation of return columns.
import { InputError } from '../errors.ts';
import type { SignalTrace } from '../types.ts';
import { withScratch } from './runtime.ts';

/** Sample covariance (ddof = 1) with the column means it was centred on. */
export interface CovarianceResult {
  /** N x N, row-major, symmetric. */
  covariance: Float64Array;
  /** Mean of each column (per bar). */
  means: Float64Array;
}

function checkShape(values: Float64Array, bars: number, columns: number): void {
  if (!Number.isInteger(bars) || bars < 0 || !Number.isInteger(columns) || columns < 0) {
    throw new InputError(`matrix shape ${bars} x ${columns} must be non-negative integers`);
  }
  if (values.length !== bars * columns) {
    throw new InputError(`matrix values length ${values.length} does not match ${bars} bars x ${columns} columns`);
  }
}

/**
 * Dense sample covariance (ddof = 1) of the columns of a column-major bars x columns matrix
 * (column j is values[j * bars, (j + 1) * bars)), WASM kernel `covarianceMatrix` (blocked, SIMD).
 *
 *   cov[i,j] = sum_t (X[t,i] - mean_i)(X[t,j] - mean_j) / (T - 1)
 *
 * NaN propagates (a column with a NaN has NaN covariances); fewer than 2 bars give NaN everywhere.
 * Matches numpy.cov(X, rowvar=False) to 1e-12 relative.
 */
export function covarianceMatrix(values: Float64Array, bars: number, columns: number): CovarianceResult {
  checkShape(values, bars, columns);
  return withScratch((arena, k) => {
    const data = arena.copyF64(values);
    const means = arena.f64(columns);
    const out = arena.f64(columns * columns);
    k.covarianceMatrix(data.byteOffset, bars, columns, means.byteOffset, out.byteOffset);
    return { covariance: out.slice(), means: means.slice() };
  });
}

/**
 * Correlation from an N x N covariance, as numpy.corrcoef: cov[i,j] / sqrt(cov[i,i] cov[j,j]),
 * clipped to [-1, 1]; a zero-variance (constant) or NaN column has NaN in its row and column,
 * diagonal included (WASM kernel `correlationFromCovariance`).
 */
export function correlationFromCovariance(covariance: Float64Array, n: number): Float64Array {
  if (covariance.length !== n * n) throw new InputError(`covariance length ${covariance.length} is not ${n} x ${n}`);
  return withScratch((arena, k) => {
    const cov = arena.copyF64(covariance);
    const out = arena.f64(n * n);
    k.correlationFromCovariance(cov.byteOffset, n, out.byteOffset);
    return out.slice();
  });
}

/** Pairwise-complete covariance and correlation, with the number of rows each pair used. */
export interface PairwiseCovarianceResult {
  covariance: Float64Array;
  correlation: Float64Array;
  /** Rows where both columns are finite, per pair (N x N). */
  counts: Float64Array;
}

/**
 * Pairwise-complete covariance and correlation (pandas DataFrame.cov() / .corr(), ddof = 1): each
 * pair uses only the rows where both values are finite, with means over those rows. Fewer than 2
 * common rows give NaN; a constant column has NaN correlation (WASM kernel `covariancePairwise`).
 */
export function covariancePairwise(values: Float64Array, bars: number, columns: number): PairwiseCovarianceResult {
  checkShape(values, bars, columns);
  return withScratch((arena, k) => {
    const data = arena.copyF64(values);
    const cov = arena.f64(columns * columns);
    const corr = arena.f64(columns * columns);
    const counts = arena.f64(columns * columns);
    k.covariancePairwise(data.byteOffset, bars, columns, cov.byteOffset, corr.byteOffset, counts.byteOffset);
    return { covariance: cov.slice(), correlation: corr.slice(), counts: counts.slice() };
  });
}

/**
 * Change-proportional covariance (ddof = 1) of strategies trading one market, GROSS of costs:
 * R_t = pos_{t-1} r_t for t in [0, bars) (R_0 = 0), computed from the change lists and the prefix
 * sums of r and r^2 in O(K_a + K_b) per pair (WASM kernel `sparseCovariance`):
 *
 *   cov(a, b) = (sum p_a p_b (Q[k'+1] - Q[k+1]) - S_a S_b / T) / (T - 1),  S_a = sum p_a (P[k'+1] - P[k+1])
 *
 * over the merged constant segments [k, k'). Costs are ignored: use the dense path on net returns
 * when they matter. Positions may be -1/0/1 or fractional.
 *
 * @param traces one change list per strategy (idx strictly increasing in [0, bars))
 * @param prefix f64[bars + 1], prefix[i] = sum_{t < i} r_t (missing returns as 0)
 * @param prefixSquares f64[bars + 1], prefixSquares[i] = sum_{t < i} r_t^2
 * @returns S x S covariance, row-major; NaN everywhere when bars < 2
 */
export function sparseCovariance(traces: readonly SignalTrace[], prefix: Float64Array, prefixSquares: Float64Array): Float64Array {
  const bars = prefix.length - 1;
  if (bars < 0) throw new InputError('prefix must have length bars + 1 >= 1');
  if (prefixSquares.length !== prefix.length) {
    throw new InputError(`prefixSquares length ${prefixSquares.length} does not match prefix length ${prefix.length}`);
  }
  const strategies = traces.length;
  let total = 0;
  for (const [s, trace] of traces.entries()) {
    if (trace.idx.length !== trace.signal.length) {
      throw new InputError(`traces[${s}]: idx length ${trace.idx.length} does not match signal length ${trace.signal.length}`);
    }
    total += trace.idx.length;
  }
  return withScratch((arena, k) => {
    const idx = arena.i32(total);
    const value = arena.f64(total);
    const offsets = arena.i32(strategies + 1);
    const prefixIn = arena.copyF64(prefix);
    const squaresIn = arena.copyF64(prefixSquares);
    const sums = arena.f64(strategies);
    const out = arena.f64(strategies * strategies);
    // Views taken before the last alloc may be stale if the memory grew: re-create them.
    const buffer = arena.memory.buffer;
    const idxView = new Int32Array(buffer, idx.byteOffset, total);
    const valueView = new Float64Array(buffer, value.byteOffset, total);
    const offsetView = new Int32Array(buffer, offsets.byteOffset, strategies + 1);
    let cursor = 0;
    traces.forEach((trace, s) => {
      offsetView[s] = cursor;
      idxView.set(trace.idx, cursor);
      valueView.set(trace.signal, cursor);
      cursor += trace.idx.length;
    });
    offsetView[strategies] = cursor;
    const status = k.sparseCovariance(
      idx.byteOffset, value.byteOffset, offsets.byteOffset, strategies, bars,
      prefixIn.byteOffset, squaresIn.byteOffset, sums.byteOffset, out.byteOffset,
    );
    if (status !== 0) {
      throw new InputError(`traces[${status - 1}]: change indices must be strictly increasing in [0, ${bars})`, { strategy: status - 1 });
    }
    return new Float64Array(arena.memory.buffer, out.byteOffset, strategies * strategies).slice();
  });
}
