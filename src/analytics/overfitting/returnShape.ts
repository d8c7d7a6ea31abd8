// Per-bar Sharpe ratio, skewness and raw kurtosis of return series: the inputs of PSR/MinTRL/DSR.
import { InputError } from '../../errors.ts';
import { type ReturnMatrix, returnColumn, validateReturnMatrix } from '../returnMatrix.ts';

/** Moments of one return series, in the conventions of psr.ts. */
export interface ReturnShape {
  /** Number of returns n. */
  observations: number;
  /** mean(R). */
  mean: number;
  /** std(R, ddof = 1) (the project's Sharpe convention, ARCHITECTURE.md). */
  std: number;
  /** Per-bar Sharpe ratio mean(R) / std(R, ddof = 1); NaN when n < 2 or std = 0. */
  sharpe: number;
  /** Skewness γ3 = m3 / m2^{3/2} with population central moments m_k = Σ(R − mean)^k / n; NaN when m2 = 0. */
  skewness: number;
  /** RAW kurtosis γ4 = m4 / m2² (3 for normal returns); NaN when m2 = 0. */
  kurtosis: number;
}

/**
 * Moments of a return series (two passes: mean, then central powers). Skewness and kurtosis use
 * the population (biased, 1/n) central moments as in [BLdP 2012] and scipy.stats.skew /
 * scipy.stats.kurtosis(fisher=False) with bias=True; the Sharpe ratio uses std with ddof = 1.
 * Throws InputError on a non-finite return (naming its index).
 *
 * Edge cases: n = 0 -> every field NaN except observations = 0; n = 1 -> std, sharpe NaN, skewness
 * and kurtosis NaN (m2 = 0); constant series -> std 0, sharpe NaN, skewness/kurtosis NaN.
 */
export function returnShape(returns: ArrayLike<number>): ReturnShape {
  const n = returns.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i]!;
    if (!Number.isFinite(r)) throw new InputError(`return ${i} is ${r}; returns must be finite`, { row: i });
    sum += r;
  }
  const mean = n > 0 ? sum / n : NaN;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = n >= 2 ? Math.sqrt(m2 / (n - 1)) : NaN;
  const sharpe = std > 0 ? mean / std : NaN;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return {
    observations: n,
    mean,
    std,
    sharpe,
    skewness: m2 > 0 ? m3 / m2 ** 1.5 : NaN,
    kurtosis: m2 > 0 ? m4 / (m2 * m2) : NaN,
  };
}

/** returnShape of every strategy of a ReturnMatrix, in column order (missing values are errors). */
export function returnShapes(matrix: ReturnMatrix): ReturnShape[] {
  validateReturnMatrix(matrix);
  const shapes: ReturnShape[] = [];
  for (let j = 0; j < matrix.names.length; j++) {
    try {
      shapes.push(returnShape(returnColumn(matrix, j)));
    } catch (error) {
      const name = matrix.names[j]!;
      if (error instanceof InputError) throw new InputError(`strategy '${name}': ${error.message}`, { ...error.context, column: name });
      throw error;
    }
  }
  return shapes;
}

/**
 * Sample variance (ddof = 1) of the finite values; NaN when fewer than 2. Used for V[SR_n], the
 * variance of the trials' Sharpe ratios in the DSR.
 */
export function sampleVariance(values: ArrayLike<number>): number {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) { count++; sum += v; }
  }
  if (count < 2) return NaN;
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) squares += (v - mean) ** 2;
  }
  return squares / (count - 1);
}
