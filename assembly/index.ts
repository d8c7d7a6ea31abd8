// The WASM ABI of sweeplens: every exported kernel, listed once.
// Memory is imported and owned by the host (src/kernels/runtime.ts); kernels never allocate.

export { expandSignal } from './expand';
export { barReturns } from './returns';
export { rollingVolatility, rollingVolatilityRange, strategyReturns } from './costs';
export { equityCurve, drawdownSeries, maxDrawdown, rollingDrawdown } from './drawdown';
export { moments, sumValues } from './moments';
export { extractTrades } from './trades';
export { buildPrefixRecords, buildPrefixRecordsPart, buildBlockSummaries } from './prefix';
export { sparseMetrics, sparseMetricsBatch } from './sparse';
export { covarianceMatrix, correlationFromCovariance, covariancePairwise, sparseCovariance } from './correlation';
export { projectCappedSimplex, optimizePortfolio } from './optimize';
export { pboBlockSums, pboSplits } from './pbo';
export { countPatterns } from './patterns';
export { buildRegimeTables } from './regimeTables';
export { regimeMetrics } from './regimes';
