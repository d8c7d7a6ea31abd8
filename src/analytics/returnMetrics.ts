// Scalar metric formulas shared by every path (dense, sparse, per regime, reference).
// Conventions: ARCHITECTURE.md "Metric conventions"; oracle: empyrical 0.5.5 / quantstats.

/**
 * Per-bar risk-free return from an annual rate, compounded (quantstats `_prepare_returns`).
 *
 *   rfBar = (1 + rfAnnual)^(1 / P) - 1
 *
 * @param riskFreeRateAnnual annual rate as a fraction (0.02 = 2 %)
 * @param periodsPerYear P, bars per year
 */
export function riskFreePerBar(riskFreeRateAnnual: number, periodsPerYear: number): number {
  return riskFreeRateAnnual === 0 ? 0 : Math.pow(1 + riskFreeRateAnnual, 1 / periodsPerYear) - 1;
}

/** A finite number, or null (JSON never carries NaN or Infinity). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * Compound annual growth rate (empyrical.annual_return).
 *
 *   annualized = (1 + total)^(P / n) - 1
 *
 * @param totalReturn prod(1 + R) - 1 over the n bars (NaN bars count as 0)
 * @param bars n, every bar of the series including NaN ones (as empyrical's len(returns))
 * @returns null when n = 0 or 1 + total < 0 (no real root)
 */
export function annualizedReturn(totalReturn: number, bars: number, periodsPerYear: number): number | null {
  if (bars <= 0) return null;
  return finiteOrNull(Math.pow(1 + totalReturn, periodsPerYear / bars) - 1);
}

/**
 * Annualized volatility (empyrical.annual_volatility).
 *
 *   volatility = std(R, ddof = 1) * sqrt(P)
 *
 * @returns null when fewer than 2 finite bars
 */
export function annualizedVolatility(stdPerBar: number, periodsPerYear: number): number | null {
  return finiteOrNull(stdPerBar * Math.sqrt(periodsPerYear));
}

/**
 * Annualized Sharpe ratio (empyrical.sharpe_ratio).
 *
 *   sharpe = mean(R - rf) / std(R - rf, ddof = 1) * sqrt(P)
 *
 * @param meanExcess mean(R - rf) per bar; @param stdExcess its ddof=1 std per bar
 * @returns null for fewer than 2 finite bars or zero variance (empyrical gives NaN / ±inf)
 */
export function sharpeRatio(meanExcess: number, stdExcess: number, periodsPerYear: number): number | null {
  if (!(stdExcess > 0)) return null;
  return finiteOrNull((meanExcess / stdExcess) * Math.sqrt(periodsPerYear));
}

/**
 * Annualized Sortino ratio (empyrical.sortino_ratio with required_return = rf).
 *
 *   sortino = mean(R - rf) / DD * sqrt(P),   DD = sqrt(mean(min(R - rf, 0)^2))
 *
 * @param bars n, every bar of the series (empyrical returns NaN when len(returns) < 2)
 * @returns null when n < 2, DD = 0 (no bar below rf; empyrical gives inf) or there are no finite bars
 */
export function sortinoRatio(meanExcess: number, downsideDeviation: number, periodsPerYear: number, bars: number): number | null {
  if (bars < 2 || !(downsideDeviation > 0)) return null;
  return finiteOrNull((meanExcess / downsideDeviation) * Math.sqrt(periodsPerYear));
}

/**
 * Calmar ratio (empyrical.calmar_ratio with a positive max drawdown).
 *
 *   calmar = annualized return / max drawdown
 *
 * @returns null when there is no drawdown (empyrical gives NaN) or annualized return is undefined
 */
export function calmarRatio(annualized: number | null, maxDrawdown: number | null): number | null {
  if (annualized === null || maxDrawdown === null || !(maxDrawdown > 0)) return null;
  return finiteOrNull(annualized / maxDrawdown);
}
