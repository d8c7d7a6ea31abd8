import { MOMENT_SLOTS, readMoments } from '../kernels/moments.ts';
import { withScratch } from '../kernels/runtime.ts';
import type { PerformanceMetrics } from '../types.ts';
import type { MetricOptions } from './metricOptions.ts';
import {
  annualizedReturn, annualizedVolatility, calmarRatio, finiteOrNull, sharpeRatio, sortinoRatio,
} from './returnMetrics.ts';
import { riskFreeForOptions } from './strategyMetrics.ts';
import { winLossStats } from './tradeStats.ts';

/**
 * Metrics of a plain return series (no positions, no costs), as empyrical/quantstats compute them
 * from a returns column. Return and risk fields follow ARCHITECTURE.md; since there are no trades,
 * the win/loss fields are per bar as quantstats defines them (zero bars ignored):
 *
 *   winRate = #(R > 0) / #(R != 0);  profitFactor = sum(R > 0) / |sum(R < 0)|
 *   avgWin = mean(R | R > 0);  avgLoss = mean(R | R < 0);  largestWin = max R;  largestLoss = min R
 *
 * grossReturn = netReturn = totalReturn, totalCosts = 0, grossSharpe = netSharpe = sharpeRatio;
 * tradeCount = 0 and the per-trade fields (costPerTrade, exposure, avgTradeDurationBars) are null.
 * NaN bars are skipped by the moments and count as 0 in compounding (empyrical).
 */
export function seriesMetrics(returns: Float64Array, options: MetricOptions): PerformanceMetrics {
  const n = returns.length;
  const P = options.periodsPerYear;
  const rf = riskFreeForOptions(options);
  const { m, maxDrawdown } = withScratch((arena, k) => {
    const input = arena.copyF64(returns);
    const block = arena.f64(MOMENT_SLOTS);
    k.moments(input.byteOffset, n, rf, block.byteOffset);
    return { m: readMoments(block), maxDrawdown: k.maxDrawdown(input.byteOffset, n) };
  });
  const bars = winLossStats(returns, false);
  const annualized = annualizedReturn(m.totalReturn, n, P);
  const dd = n > 0 ? maxDrawdown : null;
  const sharpe = sharpeRatio(m.mean, m.std, P);
  const total = n > 0 ? finiteOrNull(m.totalReturn) : null;
  return {
    bars: n,
    totalReturn: total,
    annualizedReturn: annualized,
    volatility: annualizedVolatility(m.std, P),
    sharpeRatio: sharpe,
    sortinoRatio: sortinoRatio(m.mean, m.downsideDeviation, P, n),
    maxDrawdown: dd,
    calmarRatio: calmarRatio(annualized, dd),
    winRate: bars.winRate,
    profitFactor: bars.profitFactor,
    avgWin: bars.avgWin,
    avgLoss: bars.avgLoss,
    largestWin: bars.largestWin,
    largestLoss: bars.largestLoss,
    grossReturn: total,
    netReturn: total,
    totalCosts: n > 0 ? 0 : null,
    costPerTrade: null,
    grossSharpe: sharpe,
    netSharpe: sharpe,
    tradeCount: 0,
    exposure: null,
    avgTradeDurationBars: null,
  };
}
