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
export {
  covarianceMatrix, correlationFromCovariance, covariancePairwise, sparseCovariance,
  type CovarianceResult, type PairwiseCovarianceResult,
} from './kernels/correlation.ts';
export { projectCappedSimplex } from './kernels/optimize.ts';
export { kernels, instantiateKernels, createKernelMemory, Arena, type KernelInstance } from './kernels/runtime.ts';

export { buildDenseMarket, type DenseMarket } from './market/denseMarket.ts';
export { buildMarketIndex, type MarketIndex, type MarketIndexOptions } from './market/marketIndex.ts';

export {
  defaultExecutionCosts, zeroExecutionCosts, validateExecutionCosts, validateMetricOptions, type MetricOptions,
} from './analytics/metricOptions.ts';
export {
  riskFreePerBar, annualizedReturn, annualizedVolatility, sharpeRatio, sortinoRatio, calmarRatio,
} from './analytics/returnMetrics.ts';
export { winLossStats, type WinLossStats } from './analytics/tradeStats.ts';
export { assembleStrategyMetrics, type StrategyAggregates } from './analytics/strategyMetrics.ts';
export { denseStrategyMetrics, type DenseStrategySeries } from './analytics/denseMetrics.ts';
export {
  sparseStrategyMetrics, sparseStrategyAggregates, sparseStrategyMetricsBatch, strategyMetrics, isSparseFallback, type SparseFallback,
} from './analytics/sparseMetrics.ts';
export { strategyMetricsBatchSettled, type SettledStrategyMetrics } from './analytics/sparseMetrics.ts';
export type { SparseBatchOptions } from './kernels/sparse.ts';
export { seriesMetrics } from './analytics/seriesMetrics.ts';

export { readSeriesTable, type SeriesTable } from './io/seriesTable.ts';
export {
  demoMarket, demoStrategies, movingAverageCrossover, simpleMovingAverage, DEMO_REGIMES, DEMO_MA_PAIRS,
  type DemoMarket, type DemoMarketOptions, type VolatilityRegime, type DemoStrategy,
} from './demo/synthetic.ts';
export {
  returnMatrixFromColumns, validateReturnMatrix, returnColumn, selectRows, dropIncompleteRows,
  type ReturnMatrix, type CompleteRows,
} from './analytics/returnMatrix.ts';
export {
  correlationMatrix, covarianceOfReturns, sparseCorrelationMatrix, correlationFilter,
  type CorrelationMatrix, type CorrelationOptions, type MissingValuePolicy,
} from './analytics/correlation.ts';
export {
  optimizeEnsemble, optimizeReturnMatrix, optimizeByRegime, annualizedInputs,
  type EnsembleOptions, type ReturnMatrixEnsembleOptions, type EnsembleInputs, type EnsembleResult,
  type RegimeEnsembleEntry, type RegimeEnsembleResult, type PortfolioObjective,
} from './analytics/ensemble.ts';

// Workspace storage (src/io): traces, bars, runs, metadata scan, ADMF-PC, synthetic sweeps.
export { writeFileAtomic, writeJsonAtomic, type AtomicWriteOptions } from './io/atomicWrite.ts';
export { readParquetTable, writeParquetTable, readParquetFooter, type ParquetWriteOptions, type ParquetFooter } from './io/parquet.ts';
export {
  writeSignalTrace, readSignalTrace, writeRegimeTrace, readRegimeTrace, validateChangeIndex, validateSignalValues,
  type SignalTraceColumns, type TraceDescription, type TraceWriteOptions, type TraceReadOptions, type StoredSignalTrace,
  type StoredRegimeTrace, type SignalValueType,
} from './io/traces.ts';
export {
  TRACE_FORMAT, FOOTER_KEYS, traceContentHash, decodeTraceInfo,
  type TraceInfo, type TraceKind, type TraceParameters, type CachedMetrics, type JsonValue,
} from './io/traceMetadata.ts';
export { writeResultTable, readResultTable, type ResultColumn, type ResultTable } from './io/resultTables.ts';
export { readBarsFile, writeBarsParquet, validateBars, BAR_TIMESTAMP_NAMES, BAR_VALUE_NAMES } from './io/bars.ts';
export { RUN_FORMAT, RUN_LAYOUT, readRunMetadata, type RunMetadata, type RunSource } from './io/layout.ts';
export { createRun, RunWriter, type CreateRunOptions } from './io/runWriter.ts';
export { scanNativeRun, rankByCachedMetric, type RunScan, type RankedStrategy } from './io/scan.ts';
export type { RunHandle } from './io/runHandle.ts';
export { Workspace, NativeRun, openRun, scanRun, type RunEntry } from './io/workspace.ts';
export {
  openAdmfRun, importAdmf, scanAdmfRun, isAdmfWorkspace, listAdmfTraces, parseAdmfName, checkAdmfTimestamps, AdmfRun,
  type AdmfOpenOptions, type AdmfTraceEntry, type ImportProgress,
} from './io/admf.ts';
export { generateRun, MINUTE_BARS_PER_YEAR, type GenerateOptions, type GenerateProgress } from './coordinator/generate.ts';
export { planStrategies, STRATEGY_FAMILIES, type StrategySpec } from './analytics/syntheticStrategies.ts';
export { planClassifiers, type ClassifierSpec } from './analytics/syntheticClassifiers.ts';
export { normalCdf, normalSurvival, normalDensity, normalQuantile } from './analytics/overfitting/normal.ts';
export {
  probabilisticSharpeRatio, psrStatistic, minimumTrackRecordLength, expectedMaximumSharpe, deflatedSharpeRatio,
  sharpeVarianceFactor, toPerBarSharpe, toPerBarSharpeVariance, EULER_MASCHERONI, DEFAULT_TRACK_RECORD_PROBABILITY,
  type SharpeObservation, type PsrInputs, type MinTrlInputs, type DsrInputs, type ExpectedMaximumSharpeInputs,
} from './analytics/overfitting/psr.ts';
export { returnShape, returnShapes, sampleVariance, type ReturnShape } from './analytics/overfitting/returnShape.ts';
export {
  averageCorrelation, averageCorrelationTrials, clusterStrategies, DEFAULT_CLUSTER_DISTANCE, type StrategyClusters,
} from './analytics/overfitting/effectiveTrials.ts';
export {
  deflatedSharpeRanking, type DsrRanking, type DsrRankingOptions, type StrategyDsr, type TrialCountMethod,
} from './analytics/overfitting/dsrRanking.ts';
export {
  probabilityOfBacktestOverfitting, pboByGroup, summarizePbo, halfSplitMasks, selectBlockSums, binomial,
  DEFAULT_PBO_BLOCKS, MAX_PBO_BLOCKS, DEFAULT_LOGIT_BINS,
  type PboOptions, type PboResult, type GroupPbo, type Histogram, type PerformanceDegradation, type PboSummaryContext,
} from './analytics/overfitting/pbo.ts';
export {
  pboBlockSums, pboSplits, blockBounds, type PboBlockSums, type PboSplitResults, type PboMetric,
} from './kernels/pbo.ts';

// Selection criteria, automated workflow, signal replay, event-bus integration.
export {
  validateSelectionCriteria, parseSelectionCriteria, defaultSelectionCriteria, strategyRejection, regimeRejection,
  type SelectionCriteria, type SelectionCriteriaInput, type SelectionOptimizerOptions, type SelectableStrategy,
} from './analytics/selection.ts';
export {
  ensemblePositions, positionChanges, forwardFillStates, returnRegimes, returnsByRegime, sliceSignalTrace, sliceRegimeTrace, sliceBars,
  denseMetricsWithSeries, denseNetReturns,
  type EnsembleWeights, type EnsembleMember, type BarRegimes, type BarRange, type RegimeReturnStats, type DenseSeriesCopy,
} from './analytics/replay.ts';
export {
  replayEnsemble, validateReplayConfig, resolveBarRange, REPLAY_CONFIG_VERSION,
  type SignalReplayConfig, type FittedRange, type ReplayOptions, type ReplayResult, type RangeBound, type SampleKind,
} from './coordinator/replay.ts';
export {
  AutomatedWorkflow, runAutomatedWorkflow, WORKFLOW_REPORT_VERSION,
  type WorkflowOptions, type WorkflowReport, type WorkflowResult, type WorkflowEvents, type WorkflowSelection, type WorkflowRunEntry,
  type CombinationRow,
} from './coordinator/workflow.ts';
export type { SelectionFigures } from './coordinator/workflowText.ts';
export {
  connectWorkflowToBus, createWorkflowBus,
  type WorkflowBus, type WorkflowBusEvents, type WorkflowSubscription, type OptimizationFinishedEvent, type AnalysisReadyEvent,
  type AnalysisFailedEvent,
} from './coordinator/workflowBus.ts';
export { TypedEmitter, type ProgressEvent } from './coordinator/events.ts';
export {
  overfitRun, passesDeflatedSharpe, pboReport, DEFAULT_OVERFIT_CANDIDATE_CAP, type OverfitOptions, type OverfitResult,
} from './coordinator/overfit.ts';
export { pooledPbo, type PooledPboOptions } from './coordinator/pooledPbo.ts';
export {
  walkForward, segmentBounds, regimeOfBars, replayWeights, DEFAULT_WALKFORWARD_CANDIDATES,
  type WalkForwardOptions, type WalkForwardResult,
} from './coordinator/walkforward.ts';
export type { RunWorkflowOptions } from './coordinator/candidateReturns.ts';
export {
  OVERFITTING_FILE, WALKFORWARD_FILE, OVERFITTING_FORMAT, WALKFORWARD_FORMAT,
  type OverfittingReport, type OverfitStrategyRow, type OverfitDsrSummary, type OverfitTrialMethod, type PboReport, type FamilyPboReport,
  type WalkForwardReport, type WalkForwardFold, type WalkForwardWeights, type WalkForwardMetrics,
} from './coordinator/overfitOutputs.ts';
export {
  buildReport, DEFAULT_REPORT_TOP, REPORT_SOURCE_COMMANDS, type ReportOptions, type ReportResult,
} from './coordinator/report.ts';
export { MissingAnalysisError, REPORT_INPUT_FILES, hasAnalysis, loadReportInputs, type ReportInputs } from './report/inputs.ts';
export { minMaxDownsampleIndices, downsampleCurve, DEFAULT_MAX_CURVE_POINTS, type DownsampledCurve } from './report/downsample.ts';
export { averageLinkageLeafOrder } from './report/clusterOrder.ts';
export type { ReportModel, ReportSection, ReportFigure, StrategyTable } from './report/model.ts';
export {
  PatternMiner, FamilyPatternMiner, findRegimePatterns, preparePatternMarket, classifyPattern, patternStructure, resolvePatternOptions, sortPatterns,
  type TradingPattern, type PatternType, type PatternStructure, type PatternStrategyScore, type PatternEventEnrichment, type FamilyPatternStats,
  type RegimeTransitionStat, type PatternMinerOptions, type PatternMarketInput, type PatternMarket, type PatternTraceInput, type PatternEventsInput,
} from './analytics/patterns.ts';
export {
  PatternCounter, patternKey, patternStates, patternLength, transitionCode, PATTERN_MAX_LENGTH,
  type PatternCounterOptions, type StrategyPatternCount,
} from './kernels/patterns.ts';
export {
  mineRun, PATTERNS_FILE, PATTERN_DEFINITIONS, type MineOptions, type MineResult, type PatternsFile, type ClassifierTransitions,
} from './coordinator/mine.ts';
// Regime-aware analytics, strategy correlation of a run and the run-level ensemble optimizer.
export {
  classifierStats, validateRegimeTrace, regimeOfReturnBars, regimeReturnBarCounts, UNCLASSIFIED_REGIME,
  type ClassifierStats, type RegimeOccupancy, type TransitionMatrix,
} from './analytics/regimeStats.ts';
export { consensusRegimes, CONSENSUS_TIE_RULE, JOINT_SEPARATOR, type ConsensusMode } from './analytics/consensus.ts';
export {
  strategyRegimeMetrics, regimeMetricsForCodes, sparseRegimeAggregates, denseRegimeAggregates, regimeMetricsFromAggregates, regimeCodes,
  classifierSeparation, REGIME_METRIC_DEFINITIONS,
  type ClassifierRegimeAggregates, type RegimeAggregatesResult, type RegimeMetricsEntry, type SeparationInput, type SeparationScore,
} from './analytics/regimeMetrics.ts';
export { buildRegimeTables, runRegimeKernel, type RegimeTables, type RegimeCodes, type RegimeKernelResult, type RegimeMarketColumns } from './kernels/regimes.ts';
export { analyzeRegimes, type RunAnalyticsOptions, type RegimeAnalysisOptions, type RegimeAnalysisResult } from './coordinator/regimes.ts';
export { correlateRun, type CorrelateOptions, type CorrelationRunResult } from './coordinator/correlate.ts';
export { optimizeRun, RUN_ENSEMBLE_ESTIMATORS, type OptimizeRunOptions, type OptimizeRunResult } from './coordinator/optimizeRun.ts';
export {
  REGIME_OUTPUTS_VERSION,
  type ClassifierTransitionsFile, type ClassifierSeparation, type ConsensusInfo, type RegimeSummaryFile, type RegimeMetrics, type RegimeBars,
  type RegimePerformanceFile, type CorrelationRemoval, type CorrelationMatrixFile, type EnsembleEntry, type RegimeEnsembleOutput, type OptimalWeightsFile,
} from './coordinator/outputs.ts';

// Run analysis, the worker pool and the end-to-end pipeline.
export {
  AnalyticsCoordinator, analyzeRun,
  type AnalyzeOptions, type AnalysisResult, type PerformanceSummary, type StrategyFailure,
} from './coordinator/analyze.ts';
export type { AnalysisEvents, StrategyDoneEvent } from './coordinator/events.ts';
export {
  RANK_METRICS, rankRows, metricDistribution, validateRankMetric,
  type RankMetric, type RankedStrategyRow, type MetricDistribution,
} from './coordinator/rankings.ts';
export { writeRankings, RANKING_METRIC_COLUMNS } from './coordinator/rankingsFile.ts';
export { runDemoPipeline, type DemoPipelineOptions, type DemoPipelineResult } from './coordinator/pipeline.ts';
export { EnginePool, type EnginePoolOptions } from './engine/pool.ts';
export type { StrategyJob, StrategyOutcome, SharedMarketRef } from './engine/messages.ts';
export { readSignalAt, readRegimesAt, type TraceLocator } from './io/traceLocator.ts';
export {
  performanceCacheKey, performanceCachePath, readCachedPerformance,
  type PerformanceCacheKey, type PerformanceCacheEntry,
} from './io/performanceCache.ts';
export { inferPeriodsPerYear, PERIODS_PER_YEAR_RULE, type PeriodsPerYearChoice } from './analytics/periods.ts';
