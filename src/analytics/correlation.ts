// Strategy correlation: matrices from dense returns or sparse change lists, and the greedy filter
// that keeps a diverse subset of a ranking.
import { InputError } from '../errors.ts';
import {
  correlationFromCovariance, covarianceMatrix, covariancePairwise, sparseCovariance,
} from '../kernels/correlation.ts';
import type { SignalTrace } from '../types.ts';
import { validateReturnMatrix, type ReturnMatrix } from './returnMatrix.ts';

/** A symmetric N x N matrix over named strategies (row-major). */
export interface CorrelationMatrix {
  ids: readonly string[];
  /** values[i * N + j]; NaN where undefined (constant strategy, too few common bars). */
  values: Float64Array;
}

/**
 * How missing values are treated: 'pairwise' (default) uses, for each pair, the bars where both are
 * finite (pandas DataFrame.corr); 'propagate' runs the dense blocked kernel, where a column holding a
 * NaN gets NaN correlations (fast path for complete data, numpy.corrcoef).
 */
export type MissingValuePolicy = 'pairwise' | 'propagate';

/** Options of correlationMatrix / covarianceOfReturns. */
export interface CorrelationOptions {
  /** Missing-value policy; default 'pairwise'. */
  missing?: MissingValuePolicy;
}

function hasMissing(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return true;
  return false;
}

/**
 * Pearson correlation of strategy returns.
 *
 *   corr(a, b) = sum (R_a - mean_a)(R_b - mean_b) / sqrt(sum (R_a - mean_a)^2 sum (R_b - mean_b)^2)
 *
 * over all bars (complete data, blocked SIMD kernel) or, with missing values and 'pairwise', over the
 * bars where both are finite (pandas DataFrame.corr, 1e-12). Edge cases: fewer than 2 (common) bars
 * and constant strategies give NaN (diagonal included for a constant one); values are clipped to [-1, 1].
 */
export function correlationMatrix(matrix: ReturnMatrix, options: CorrelationOptions = {}): CorrelationMatrix {
  validateReturnMatrix(matrix);
  const n = matrix.names.length;
  const missing = options.missing ?? 'pairwise';
  if (missing !== 'pairwise' && missing !== 'propagate') throw new InputError(`options.missing must be 'pairwise' or 'propagate', got '${String(missing)}'`);
  if (missing === 'pairwise' && hasMissing(matrix.values)) {
    return { ids: matrix.names, values: covariancePairwise(matrix.values, matrix.bars, n).correlation };
  }
  const { covariance } = covarianceMatrix(matrix.values, matrix.bars, n);
  return { ids: matrix.names, values: correlationFromCovariance(covariance, n) };
}

/**
 * Sample covariance (ddof = 1) of strategy returns, per bar (multiply by P to annualize); same
 * missing-value policies as correlationMatrix.
 */
export function covarianceOfReturns(matrix: ReturnMatrix, options: CorrelationOptions = {}): CorrelationMatrix {
  validateReturnMatrix(matrix);
  const n = matrix.names.length;
  if ((options.missing ?? 'pairwise') === 'pairwise' && hasMissing(matrix.values)) {
    return { ids: matrix.names, values: covariancePairwise(matrix.values, matrix.bars, n).covariance };
  }
  return { ids: matrix.names, values: covarianceMatrix(matrix.values, matrix.bars, n).covariance };
}

/**
 * Change-proportional correlation of strategies sharing one market, GROSS of costs, from their change
 * lists and the market's prefix sums of r and r^2 (length bars + 1; see src/kernels/correlation.ts
 * `sparseCovariance`): O(K_a + K_b) per pair instead of O(T). Equals correlationMatrix of the dense
 * gross strategy returns R_t = pos_{t-1} r_t (R_0 = 0) to 1e-9.
 */
export function sparseCorrelationMatrix(
  ids: readonly string[], traces: readonly SignalTrace[], prefix: Float64Array, prefixSquares: Float64Array,
): CorrelationMatrix {
  if (ids.length !== traces.length) throw new InputError(`${ids.length} ids for ${traces.length} traces`);
  const covariance = sparseCovariance(traces, prefix, prefixSquares);
  return { ids, values: correlationFromCovariance(covariance, ids.length) };
}

/**
 * Greedy diversity filter: walks `rankedIds` best first, keeps an id unless its correlation with an
 * already kept id is above `maxCorrelation` (strictly greater; signed, so a strongly negatively
 * correlated strategy is kept as a diversifier; a NaN correlation, e.g. a constant strategy, never
 * excludes). The first id is always kept. Throws InputError when an id is not in `corr` or
 * maxCorrelation is not a number in [-1, 1].
 *
 * @returns the kept ids, in ranking order
 */
export function correlationFilter(rankedIds: readonly string[], corr: CorrelationMatrix, maxCorrelation: number): string[] {
  if (!(maxCorrelation >= -1 && maxCorrelation <= 1)) throw new InputError(`maxCorrelation must be a number in [-1, 1], got ${maxCorrelation}`);
  const n = corr.ids.length;
  if (corr.values.length !== n * n) throw new InputError(`corr.values length ${corr.values.length} is not ${n} x ${n}`);
  const position = new Map<string, number>();
  corr.ids.forEach((id, i) => position.set(id, i));
  const kept: number[] = [];
  const keptIds: string[] = [];
  for (const id of rankedIds) {
    const i = position.get(id);
    if (i === undefined) throw new InputError(`correlationFilter: id '${id}' is not in the correlation matrix`, { id });
    if (keptIds.includes(id)) continue;
    const tooClose = kept.some((j) => corr.values[i * n + j]! > maxCorrelation);
    if (!tooClose) {
      kept.push(i);
      keptIds.push(id);
    }
  }
  return keptIds;
}
