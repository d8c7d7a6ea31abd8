import { InputError, SchemaError } from '../errors.ts';
import { changeListError } from '../kernels/expand.ts';
import { runSparseKernel, SPARSE_STATUS } from '../kernels/sparse.ts';
import type { MarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../types.ts';
import { denseStrategyMetrics } from './denseMetrics.ts';
import type { MetricOptions } from './metricOptions.ts';
import { assembleStrategyMetrics, riskFreeForOptions, type StrategyAggregates } from './strategyMetrics.ts';

/** Why a strategy cannot be computed exactly by the sparse path (the dense path is used instead). */
export interface SparseFallback {
  fallback: string;
}

/**
 * Aggregates of one strategy by the change-proportional path: O(K) for K rows of the change list
 * (every range query is O(1)), independent of the number of bars. Exact (same metrics as
 * denseStrategyMetrics to 1e-9 relative) for positions in {-1, 0, 1}; returns a SparseFallback
 * saying why when it is not:
 *
 * - a position outside {-1, 0, 1} (fractional ensemble weights): the mean, std and (with rf = 0)
 *   downside of w * r are functions of the prefix sums, but compounding prod(1 + w r) is not a
 *   function of the log1p(+-r) prefixes, so total return, drawdown and trades need the dense path;
 * - the metric options' per-bar risk-free rate differs from the one the index was built for
 *   (downside sums min(+-r - rf, 0)^2 and sign counts are thresholded at the index's rf);
 * - a net bar return or a trade cost leg at or below -100 % (log-space compounding undefined);
 * - rf != 0 and a series of zero variance (a strategy never exposed to a bar return: every
 *   excess return is -rf). The sparse std is then exactly 0 but the dense two-pass std of a
 *   constant series is rounding noise (~1e-20), which makes the dense Sharpe a huge finite number;
 *   the dense path is used so both paths report the same.
 *
 * Throws SchemaError for an invalid change list (unsorted, duplicated, out of range), a sqrt cost
 * model the index was built with another volatility window for, or a change bar the sqrt law
 * cannot price (volume or close <= 0) -- exactly where the dense path throws.
 */
export function sparseStrategyAggregates(
  index: MarketIndex, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions,
): StrategyAggregates | SparseFallback {
  if (trace.idx.length !== trace.signal.length) throw new SchemaError(`change list has ${trace.idx.length} indices but ${trace.signal.length} values`);
  if (costs.slippageModel === 'sqrt' && index.volatilityWindowBars !== costs.volatilityWindowBars) {
    throw new SchemaError('the market was built without the rolling volatility this sqrt cost model needs');
  }
  const rf = riskFreeForOptions(options);
  if (rf !== index.riskFreePerBar) {
    return { fallback: `the index was built for a per-bar risk-free rate of ${index.riskFreePerBar}, the options give ${rf}` };
  }
  const result = runSparseKernel(index.instance, index.headerPtr, rf, trace.idx, trace.signal, costs);
  switch (result.status) {
    case SPARSE_STATUS.badRow:
      throw changeListError(trace.idx, result.detail, index.barCount);
    case SPARSE_STATUS.unpriced:
      throw new SchemaError(`bar ${result.detail}: the sqrt cost model needs volume > 0 where a trade happens, got ${index.volume[result.detail]}`, { column: 'volume', row: result.detail });
    case SPARSE_STATUS.notUnit:
      return { fallback: `row ${result.detail}: position ${trace.signal[result.detail]} is not in {-1, 0, 1}` };
    case SPARSE_STATUS.ruin:
      return { fallback: `bar ${result.detail}: a net return or cost leg reaches -100 %` };
    case SPARSE_STATUS.constant:
      return { fallback: 'zero-variance return series with a non-zero risk-free rate' };
    default:
      return {
        bars: index.barCount,
        net: result.net,
        gross: result.gross,
        maxDrawdown: result.maxDrawdown,
        totalCosts: result.totalCosts,
        exposureBars: result.exposureBars,
        tradeNetReturns: result.trades.netReturn,
        tradeDurationBarsSum: result.tradeDurationBarsSum,
      };
  }
}

/** True when `value` is a SparseFallback rather than aggregates. */
export function isSparseFallback(value: StrategyAggregates | SparseFallback): value is SparseFallback {
  return 'fallback' in value;
}

/**
 * Metrics of one strategy by the change-proportional path (see sparseStrategyAggregates), the same
 * PerformanceMetrics as denseStrategyMetrics through the same assembleStrategyMetrics.
 *
 * The one fallback handled here is the zero-variance series with rf != 0 (a strategy that never
 * holds a position over a bar): it is delegated to the dense path (O(T), rare) so the two agree.
 * Every other non-exact case throws InputError; `strategyMetrics` picks the path instead.
 */
export function sparseStrategyMetrics(
  index: MarketIndex, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions,
): PerformanceMetrics {
  const aggregates = sparseStrategyAggregates(index, trace, costs, options);
  if (!isSparseFallback(aggregates)) return assembleStrategyMetrics(aggregates, options);
  if (aggregates.fallback.startsWith('zero-variance')) return denseStrategyMetrics(index, trace, costs, options);
  throw new InputError(`the sparse metric path is not exact for this strategy (${aggregates.fallback}); use strategyMetrics`);
}

/**
 * Metrics of one strategy: the sparse path when it is exact (positions in {-1, 0, 1}, the index's
 * risk-free rate, no -100 % bar), the dense path otherwise (see sparseStrategyAggregates for the
 * cases). `onPath`, when given, is told which path ran and why the dense one was needed.
 */
export function strategyMetrics(
  index: MarketIndex, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions,
  onPath?: (path: 'sparse' | 'dense', reason?: string) => void,
): PerformanceMetrics {
  const aggregates = sparseStrategyAggregates(index, trace, costs, options);
  if (!isSparseFallback(aggregates)) {
    onPath?.('sparse');
    return assembleStrategyMetrics(aggregates, options);
  }
  onPath?.('dense', aggregates.fallback);
  return denseStrategyMetrics(index, trace, costs, options);
}
