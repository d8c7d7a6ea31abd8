// The full dense metrics pass of one strategy in plain TypeScript: the reference kernels composed
// the way src/analytics/denseMetrics.ts composes the WASM ones, then the shared formulas.
// Used by the parity tests and, as "the TS reference", by the benchmarks.
import { SchemaError } from '../../src/errors.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../../src/types.ts';
import type { MetricOptions } from '../../src/analytics/metricOptions.ts';
import { assembleStrategyMetrics, riskFreeForOptions } from '../../src/analytics/strategyMetrics.ts';
import { expandSignal } from './expand.ts';
import { barReturns } from './returns.ts';
import { rollingVolatility, strategyReturns } from './costs.ts';
import { maxDrawdown } from './drawdown.ts';
import { moments, sumValues } from './moments.ts';
import { extractTrades } from './trades.ts';

/**
 * Metrics of one strategy on one symbol's bars, dense and in plain TS:
 * closes -> bar returns (-> rolling sigma for the sqrt model); trace -> positions by forward fill;
 * positions + returns -> gross/net/cost per bar; then moments, max drawdown, total costs and trades,
 * assembled by assembleStrategyMetrics exactly as denseStrategyMetrics does.
 *
 * Throws SchemaError for an invalid close (NaN, infinite, <= 0), an invalid change list, or a bar
 * the sqrt model cannot price (no volume where a trade happens), as the dense path does.
 */
export function referenceStrategyMetrics(
  close: Float64Array, volume: Float64Array, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions,
): PerformanceMetrics {
  const n = close.length;
  const { returns, firstInvalidIndex } = barReturns(close);
  if (firstInvalidIndex >= 0) {
    throw new SchemaError(`bars: close at bar ${firstInvalidIndex} is ${close[firstInvalidIndex]}, prices must be finite and > 0`, { column: 'close', row: firstInvalidIndex });
  }
  const positions = expandSignal(trace.idx, trace.signal, n);
  const impact = costs.slippageModel === 'sqrt'
    ? { close, volume, sigma: rollingVolatility(returns, costs.volatilityWindowBars) }
    : undefined;
  const series = strategyReturns(positions, returns, costs, impact);
  if (series.firstUnpricedBar >= 0) {
    const bar = series.firstUnpricedBar;
    throw new SchemaError(`bar ${bar}: the sqrt cost model needs volume > 0 where a trade happens, got ${volume[bar]}`, { column: 'volume', row: bar });
  }
  const rf = riskFreeForOptions(options);
  const trades = extractTrades(positions, returns, series.cost);
  let durationSum = 0;
  for (let i = 0; i < trades.start.length; i++) durationSum += trades.end[i]! - trades.start[i]!;
  return assembleStrategyMetrics({
    bars: n,
    net: moments(series.net, rf),
    gross: moments(series.gross, rf),
    maxDrawdown: maxDrawdown(series.net),
    totalCosts: sumValues(series.cost),
    exposureBars: durationSum,
    tradeNetReturns: trades.netReturn,
    tradeDurationBarsSum: durationSum,
  }, options);
}
