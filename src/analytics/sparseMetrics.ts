import { InputError, SchemaError } from '../errors.ts';
import { changeListError } from '../kernels/expand.ts';
import {
  runSparseKernel, runSparseKernelBatch, SPARSE_STATUS, type PackedSparseBatch, type SparseBatchOptions, type SparseKernelResult, type SparseTradeSums,
} from '../kernels/sparse.ts';
import type { MarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../types.ts';
import { denseStrategyMetrics } from './denseMetrics.ts';
import type { MetricOptions } from './metricOptions.ts';
import { finiteOrNull } from './returnMetrics.ts';
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
  const result = runCheckedKernel(index, trace, costs, options, true);
  if (isSparseFallback(result)) return result;
  return { ...aggregatesOf(index, result), tradeNetReturns: result.trades.netReturn };
}

/** The index / options checks shared by every entry point: the per-bar rf, or why sparse is not exact. */
function checkIndex(index: MarketIndex, costs: ExecutionCosts, options: MetricOptions): number | SparseFallback {
  if (costs.slippageModel === 'sqrt' && index.volatilityWindowBars !== costs.volatilityWindowBars) {
    throw new SchemaError('the market was built without the rolling volatility this sqrt cost model needs');
  }
  const rf = riskFreeForOptions(options);
  if (rf !== index.riskFreePerBar) {
    return { fallback: `the index was built for a per-bar risk-free rate of ${index.riskFreePerBar}, the options give ${rf}` };
  }
  return rf;
}

/** Throws for the statuses the dense path throws on; a SparseFallback for the non-exact ones; undefined when OK. */
function statusFallback(index: MarketIndex, trace: SignalTrace, result: Pick<SparseKernelResult, 'status' | 'detail'>): SparseFallback | undefined {
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
      return undefined;
  }
}

function aggregatesOf(index: MarketIndex, result: Omit<SparseKernelResult, 'trades'>): Omit<StrategyAggregates, 'tradeNetReturns'> {
  return {
    bars: index.barCount,
    net: result.net,
    gross: result.gross,
    maxDrawdown: result.maxDrawdown,
    totalCosts: result.totalCosts,
    exposureBars: result.exposureBars,
    tradeDurationBarsSum: result.tradeDurationBarsSum,
  };
}

const NO_TRADE_RETURNS = new Float64Array(0);

/**
 * assembleStrategyMetrics with the trade statistics taken from the kernel's win / loss sums (formed
 * in trade order, the same floating-point sums winLossStats forms) instead of a JS pass over every
 * trade's net return: the same PerformanceMetrics (tested field for field), without the per-trade
 * copy-out and the data-dependent JS loop (~160 us for 27k trades, more than the kernel's share of
 * many strategies).
 */
function assembleFromKernel(aggregates: Omit<StrategyAggregates, 'tradeNetReturns'>, sums: SparseTradeSums, options: MetricOptions): PerformanceMetrics {
  const base = assembleStrategyMetrics({ ...aggregates, tradeNetReturns: NO_TRADE_RETURNS }, options);
  const { count, wins, losses, sumWins, sumLosses } = sums;
  return {
    ...base,
    winRate: count > 0 ? wins / count : null,
    profitFactor: losses > 0 ? finiteOrNull(sumWins / -sumLosses) : null,
    avgWin: wins > 0 ? sumWins / wins : null,
    avgLoss: losses > 0 ? sumLosses / losses : null,
    largestWin: wins > 0 ? sums.largestWin : null,
    largestLoss: losses > 0 ? sums.largestLoss : null,
    tradeCount: count,
    costPerTrade: count > 0 ? aggregates.totalCosts / count : null,
    avgTradeDurationBars: count > 0 ? aggregates.tradeDurationBarsSum / count : null,
  };
}

/** Metrics by the sparse kernel, or why it is not exact (the fast path of the metric entry points). */
function sparseMetricsOrFallback(
  index: MarketIndex, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions,
): PerformanceMetrics | SparseFallback {
  const result = runCheckedKernel(index, trace, costs, options, false);
  return isSparseFallback(result) ? result : assembleFromKernel(aggregatesOf(index, result), result.tradeSums, options);
}

/**
 * The sparse kernel on one change list after the index / options checks: its result, or why the
 * sparse path is not exact for this strategy (options, index or a kernel status).
 */
function runCheckedKernel(
  index: MarketIndex, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions, trades: boolean,
): SparseKernelResult | SparseFallback {
  const rf = checkIndex(index, costs, options);
  if (typeof rf !== 'number') return rf;
  if (trace.idx.length !== trace.signal.length) throw new SchemaError(`change list has ${trace.idx.length} indices but ${trace.signal.length} values`);
  const result = runSparseKernel(index.instance, index.headerPtr, rf, trace.idx, trace.signal, costs, { trades });
  return statusFallback(index, trace, result) ?? result;
}

/** True when `value` is a SparseFallback rather than aggregates. */
export function isSparseFallback<T extends object>(value: T | SparseFallback): value is SparseFallback {
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
  const metrics = sparseMetricsOrFallback(index, trace, costs, options);
  if (!isSparseFallback(metrics)) return metrics;
  if (metrics.fallback.startsWith('zero-variance')) return denseStrategyMetrics(index, trace, costs, options);
  throw new InputError(`the sparse metric path is not exact for this strategy (${metrics.fallback}); use strategyMetrics`);
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
  const metrics = sparseMetricsOrFallback(index, trace, costs, options);
  if (!isSparseFallback(metrics)) {
    onPath?.('sparse');
    return metrics;
  }
  onPath?.('dense', metrics.fallback);
  return denseStrategyMetrics(index, trace, costs, options);
}

/**
 * strategyMetrics for many strategies of one market in one kernel call (one copy-in, no per-call
 * setup): the same PerformanceMetrics as calling strategyMetrics on each trace, in order, including
 * the dense fallback where the sparse path is not exact and the same errors for invalid change
 * lists (thrown for the first offending trace). `onPath(i, path, reason)` is told which path ran
 * for trace i. Use this from workers that compute many strategies of the same symbol.
 *
 * The kernel walks the bar axis in windows (`batch.tileBars`, default 4,096 bars) and advances every
 * strategy through each window, so each window of the index is streamed from memory once per batch
 * rather than once per strategy (see runSparseKernelBatch). Results do not depend on the window size.
 */
export function sparseStrategyMetricsBatch(
  index: MarketIndex, traces: readonly SignalTrace[], costs: ExecutionCosts, options: MetricOptions,
  onPath?: (strategy: number, path: 'sparse' | 'dense', reason?: string) => void,
  batch: SparseBatchOptions = {},
): PerformanceMetrics[] {
  const rf = checkIndex(index, costs, options);
  traces.forEach((trace, i) => {
    if (trace.idx.length !== trace.signal.length) throw new SchemaError(`trace ${i}: change list has ${trace.idx.length} indices but ${trace.signal.length} values`);
  });
  if (typeof rf !== 'number') {
    return traces.map((trace, i) => {
      onPath?.(i, 'dense', rf.fallback);
      return denseStrategyMetrics(index, trace, costs, options);
    });
  }
  const results = runSparseKernelBatch(index.instance, index.headerPtr, rf, traces, costs, batch);
  return results.map((result, i) => {
    const trace = traces[i]!;
    const fallback = statusFallback(index, trace, result);
    if (fallback) {
      onPath?.(i, 'dense', fallback.fallback);
      return denseStrategyMetrics(index, trace, costs, options);
    }
    onPath?.(i, 'sparse');
    return assembleFromKernel(aggregatesOf(index, result), result.tradeSums, options);
  });
}

/** The outcome of one strategy of strategyMetricsBatchSettled: its metrics and path, or its own error. */
export type SettledStrategyMetrics =
  | { ok: true; metrics: PerformanceMetrics; path: 'sparse' | 'dense'; reason?: string }
  | { ok: false; error: Error };

function settle(body: () => { metrics: PerformanceMetrics; path: 'sparse' | 'dense'; reason?: string }): SettledStrategyMetrics {
  try {
    return { ok: true, ...body() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/**
 * strategyMetrics for many strategies of one market through the tiled batch kernel, with per-strategy
 * error isolation: an invalid change list (or an unpriceable change bar) fails only its own entry,
 * with the error strategyMetrics would throw for it; the other strategies are computed in the same
 * kernel call. Entry i corresponds to traces[i]; `path` / `reason` as strategyMetrics' onPath.
 * `packed`: the same traces already packed in the index's kernel memory (strategy s = traces[s]),
 * which the kernel then reads without a copy.
 */
export function strategyMetricsBatchSettled(
  index: MarketIndex, traces: readonly SignalTrace[], costs: ExecutionCosts, options: MetricOptions, batch: SparseBatchOptions = {},
  packed?: PackedSparseBatch,
): SettledStrategyMetrics[] {
  let rf: number | SparseFallback;
  try {
    rf = checkIndex(index, costs, options);
  } catch (error) {
    const failure = { ok: false as const, error: error instanceof Error ? error : new Error(String(error)) };
    return traces.map(() => failure);
  }
  const dense = (trace: SignalTrace, reason: string) => settle(() => ({ metrics: denseStrategyMetrics(index, trace, costs, options), path: 'dense', reason }));
  if (typeof rf !== 'number') {
    const reason = rf.fallback;
    return traces.map((trace) => dense(trace, reason));
  }
  const results: SettledStrategyMetrics[] = new Array(traces.length);
  const good: number[] = [];
  traces.forEach((trace, i) => {
    if (trace.idx.length !== trace.signal.length) {
      results[i] = { ok: false, error: new SchemaError(`change list has ${trace.idx.length} indices but ${trace.signal.length} values`) };
    } else {
      good.push(i);
    }
  });
  // (already packed in kernel memory: taken as it is when every trace goes to the kernel)
  const input = packed && good.length === traces.length ? packed : good.map((i) => traces[i]!);
  const kernelResults = good.length > 0 ? runSparseKernelBatch(index.instance, index.headerPtr, rf, input, costs, batch) : [];
  kernelResults.forEach((result, g) => {
    const i = good[g]!;
    const trace = traces[i]!;
    let fallback: SparseFallback | undefined;
    try {
      fallback = statusFallback(index, trace, result);
    } catch (error) {
      results[i] = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      return;
    }
    results[i] = fallback
      ? dense(trace, fallback.fallback)
      : settle(() => ({ metrics: assembleFromKernel(aggregatesOf(index, result), result.tradeSums, options), path: 'sparse' }));
  });
  return results;
}
