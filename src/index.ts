// The public API of sweeplens: every exported name is listed here once.

export {
  SweeplensError, InputError, SchemaError, WorkspaceError, KernelError, WorkerError, type ErrorContext,
} from './errors.ts';
export {
  PERIODS_PER_YEAR_DAILY, DEFAULT_COMMISSION_RATE, DEFAULT_SLIPPAGE_RATE, DEFAULT_IMPACT_COEFFICIENT,
  DEFAULT_CAPITAL, DEFAULT_VOLATILITY_WINDOW_BARS, CONVENTIONS_VERSION,
} from './constants.ts';
export type { Bars, SignalTrace, RegimeTrace, ExecutionCosts, SlippageModel, PerformanceMetrics } from './types.ts';

export { expandSignal } from './kernels/expand.ts';
export { barReturns, type BarReturnsResult } from './kernels/returns.ts';
export { rollingVolatility, strategyReturns, type StrategyReturnsResult, type ImpactInputs } from './kernels/costs.ts';
export { equityCurve, drawdownSeries, maxDrawdown, rollingDrawdown } from './kernels/drawdown.ts';
export { moments, sumValues, type Moments } from './kernels/moments.ts';
export { extractTrades, type Trades } from './kernels/trades.ts';
export { kernels, instantiateKernels, createKernelMemory, Arena, type KernelInstance } from './kernels/runtime.ts';

export { buildDenseMarket, type DenseMarket } from './market/denseMarket.ts';

export {
  defaultExecutionCosts, zeroExecutionCosts, validateExecutionCosts, validateMetricOptions, type MetricOptions,
} from './analytics/metricOptions.ts';
export {
  riskFreePerBar, annualizedReturn, annualizedVolatility, sharpeRatio, sortinoRatio, calmarRatio,
} from './analytics/returnMetrics.ts';
export { winLossStats, type WinLossStats } from './analytics/tradeStats.ts';
export { assembleStrategyMetrics, type StrategyAggregates } from './analytics/strategyMetrics.ts';
export { denseStrategyMetrics, type DenseStrategySeries } from './analytics/denseMetrics.ts';
export { seriesMetrics } from './analytics/seriesMetrics.ts';
