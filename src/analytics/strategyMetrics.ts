import type { Moments } from '../kernels/moments.ts';
import type { PerformanceMetrics } from '../types.ts';
import type { MetricOptions } from './metricOptions.ts';
import {
  annualizedReturn, annualizedVolatility, calmarRatio, finiteOrNull, riskFreePerBar, sharpeRatio, sortinoRatio,
} from './returnMetrics.ts';
import { winLossStats } from './tradeStats.ts';

/**
 * Everything the metrics of one strategy are a function of. The dense path fills it from per-bar
 * series, the sparse path from change points and prefix sums; `assembleStrategyMetrics` turns it
 * into PerformanceMetrics the same way for both.
 */
export interface StrategyAggregates {
  /** n, bars in the return series. */
  bars: number;
  /** Moments of net returns minus the per-bar risk-free rate (total return of the raw net returns). */
  net: Moments;
  /** Same for gross returns. */
  gross: Moments;
  /** Max drawdown of compounded net equity, positive fraction. */
  maxDrawdown: number;
  /** sum of per-bar costs, fractions of equity. */
  totalCosts: number;
  /** Bars whose return is earned by a non-zero position. */
  exposureBars: number;
  /** Net return of each trade. */
  tradeNetReturns: ArrayLike<number>;
  /** sum over trades of (exit bar - entry bar). */
  tradeDurationBarsSum: number;
}

/**
 * Builds PerformanceMetrics from aggregates (formulas in returnMetrics.ts and tradeStats.ts):
 *
 *   totalReturn = netReturn = prod(1 + R_net) - 1;  grossReturn = prod(1 + R_gross) - 1
 *   sharpeRatio = netSharpe = Sharpe of R_net;  grossSharpe = Sharpe of R_gross
 *   winRate, profitFactor, avg/largest win/loss over trades' net returns
 *   costPerTrade = totalCosts / tradeCount;  exposure = exposureBars / n
 *   avgTradeDurationBars = tradeDurationBarsSum / tradeCount
 */
export function assembleStrategyMetrics(aggregates: StrategyAggregates, options: MetricOptions): PerformanceMetrics {
  const P = options.periodsPerYear;
  const { bars: n, net, gross } = aggregates;
  const trades = winLossStats(aggregates.tradeNetReturns, true);
  const tradeCount = trades.count;
  const annualized = annualizedReturn(net.totalReturn, n, P);
  const maxDrawdown = n > 0 ? aggregates.maxDrawdown : null;
  const netSharpe = sharpeRatio(net.mean, net.std, P);
  return {
    bars: n,
    totalReturn: n > 0 ? finiteOrNull(net.totalReturn) : null,
    annualizedReturn: annualized,
    volatility: annualizedVolatility(net.std, P),
    sharpeRatio: netSharpe,
    sortinoRatio: sortinoRatio(net.mean, net.downsideDeviation, P, n),
    maxDrawdown,
    calmarRatio: calmarRatio(annualized, maxDrawdown),
    winRate: trades.winRate,
    profitFactor: trades.profitFactor,
    avgWin: trades.avgWin,
    avgLoss: trades.avgLoss,
    largestWin: trades.largestWin,
    largestLoss: trades.largestLoss,
    grossReturn: n > 0 ? finiteOrNull(gross.totalReturn) : null,
    netReturn: n > 0 ? finiteOrNull(net.totalReturn) : null,
    totalCosts: n > 0 ? aggregates.totalCosts : null,
    costPerTrade: tradeCount > 0 ? aggregates.totalCosts / tradeCount : null,
    grossSharpe: sharpeRatio(gross.mean, gross.std, P),
    netSharpe,
    tradeCount,
    exposure: n > 0 ? aggregates.exposureBars / n : null,
    avgTradeDurationBars: tradeCount > 0 ? aggregates.tradeDurationBarsSum / tradeCount : null,
  };
}

/** Per-bar risk-free return for the options (0 unless riskFreeRate is given). */
export function riskFreeForOptions(options: MetricOptions): number {
  return riskFreePerBar(options.riskFreeRate ?? 0, options.periodsPerYear);
}
