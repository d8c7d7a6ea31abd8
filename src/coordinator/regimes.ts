// Run-level regime analytics: classifier statistics, consensus regimes, per-regime metrics of every
// strategy x classifier in the worker pool, classifier separation ranking; strategy correlation of
// the top of the rankings with the greedy filter; per-regime and global ensemble weights.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { consensusRegimes, CONSENSUS_TIE_RULE, type ConsensusMode } from '../analytics/consensus.ts';
import { correlationFilter, correlationMatrix, sparseCorrelationMatrix, type CorrelationMatrix } from '../analytics/correlation.ts';
import { denseStrategyMetrics } from '../analytics/denseMetrics.ts';
import { optimizeByRegime, type PortfolioObjective, type ReturnMatrixEnsembleOptions } from '../analytics/ensemble.ts';
import { defaultExecutionCosts, validateMetricOptions, type MetricOptions } from '../analytics/metricOptions.ts';
import { inferPeriodsPerYear } from '../analytics/periods.ts';
import { classifierSeparation, REGIME_METRIC_DEFINITIONS, regimeCodes, type RegimeMetricsEntry } from '../analytics/regimeMetrics.ts';
import { classifierStats, regimeOfReturnBars, regimeReturnBarCounts, UNCLASSIFIED_REGIME, validateRegimeTrace } from '../analytics/regimeStats.ts';
import { returnMatrixFromColumns, type ReturnMatrix } from '../analytics/returnMatrix.ts';
import { riskFreePerBar } from '../analytics/returnMetrics.ts';
import { seriesMetrics } from '../analytics/seriesMetrics.ts';
import { InputError, SweeplensError } from '../errors.ts';
import type { RegimeOutcome, StrategyJob } from '../engine/messages.ts';
import { EnginePool } from '../engine/pool.ts';
import { computeRegimeOutcome, shareRegimeCodes } from '../engine/regimeTask.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import { writeResultTable, type ResultColumn } from '../io/resultTables.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { writeRegimeTrace, type StoredRegimeTrace } from '../io/traces.ts';
import { openRun } from '../io/workspace.ts';
import { buildRegimeTables } from '../kernels/regimes.ts';
import { instantiateKernels, type KernelInstance } from '../kernels/runtime.ts';
import { buildMarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts, PerformanceMetrics, RegimeTrace, SignalTrace } from '../types.ts';
import { analyzeRun, type AnalyzeOptions } from './analyze.ts';
import {
  REGIME_OUTPUTS_VERSION, type ClassifierSeparation, type ClassifierStats, type ConsensusInfo, type CorrelationMatrixFile, type CorrelationRemoval,
  type EnsembleEntry, type OptimalWeightsFile, type RegimeEnsembleOutput, type RegimePerformanceFile, type RegimeSummaryFile,
} from './outputs.ts';
import type { RankMetric } from './rankings.ts';
import { RANKING_METRIC_COLUMNS } from './rankingsFile.ts';

/** Options shared by the run-level functions (every field optional). */
export interface RunAnalyticsOptions {
  /** Cost model overrides; default 10 bps commission + 5 bps linear slippage (as analyzeRun). */
  costs?: Partial<ExecutionCosts>;
  /** P, bars per year; default inferred from the bar spacing. */
  periodsPerYear?: number;
  /** Annual risk-free rate, fraction; default 0. */
  riskFreeRate?: number;
  /** Worker threads; default the machine's parallelism; 0 computes on the calling thread. */
  workers?: number;
  /** An existing pool to use (not destroyed). */
  pool?: EnginePool;
  /** Where outputs go (and where the rankings are read); default the run directory. */
  outDir?: string;
  /** How to read an ADMF-PC workspace in place. */
  admf?: AdmfOpenOptions;
  /** Metric of the rankings when the run has to be analyzed first; default 'sharpeRatio'. */
  rankBy?: RankMetric;
  /** Told when the run is analyzed first (the CLI prints it on stderr). */
  onNotice?: (message: string) => void;
  /** Cancels the work. */
  signal?: AbortSignal;
}

/** Options of analyzeRegimes. */
export interface RegimeAnalysisOptions extends RunAnalyticsOptions {
  /** Strategies (top of the rankings) whose per-regime metrics go into the JSON; default 50. All are in the Parquet table. */
  top?: number;
  /** Smallest regime, in bars, that enters the separation score; default 30. */
  minRegimeBars?: number;
  /** Consensus regimes: 'majority' (default with >= 2 classifiers), 'joint', or false for none. */
  consensus?: ConsensusMode | false;
  /** Classifiers combined into the consensus, in tie-rule order; default all, in run order. */
  consensusClassifiers?: string[];
  /** Strategies per worker task; default 32. */
  batchSize?: number;
}

/** What analyzeRegimes returns. */
export interface RegimeAnalysisResult {
  summary: RegimeSummaryFile;
  performance: RegimePerformanceFile;
  outDir: string;
  summaryPath: string;
  performancePath: string;
  performanceTablePath: string;
  transitionsPaths: string[];
  consensusPath: string | null;
}

interface RankingsFile { rankBy: string; strategies: { id: string }[] }

const DEFAULT_TOP = 50;
const DEFAULT_MIN_REGIME_BARS = 30;
const DEFAULT_BATCH_SIZE = 32;
const DEFAULT_CORRELATION_TOP = 50;
const DEFAULT_MAX_CORRELATION = 0.7;

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new InputError(`options.${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

function abortError(): SweeplensError {
  return new SweeplensError('E_ABORTED', 'regime analysis cancelled');
}

/** The rankings of the run under outDir, analyzing the run first when there are none. */
async function ensureRankings(runDir: string, outDir: string, options: RunAnalyticsOptions): Promise<RankingsFile> {
  const path = join(outDir, RUN_LAYOUT.summary, 'strategy_rankings.json');
  if (!existsSync(path)) {
    options.onNotice?.(`${runDir}: not analyzed yet (no ${path}); analyzing it first`);
    const analyze: AnalyzeOptions = { outDir, rankBy: options.rankBy ?? 'sharpeRatio' };
    if (options.costs) analyze.costs = options.costs;
    if (options.periodsPerYear !== undefined) analyze.periodsPerYear = options.periodsPerYear;
    if (options.riskFreeRate !== undefined) analyze.riskFreeRate = options.riskFreeRate;
    if (options.pool) analyze.pool = options.pool;
    else if (options.workers !== undefined) analyze.workers = options.workers;
    if (options.admf) analyze.admf = options.admf;
    if (options.signal) analyze.signal = options.signal;
    await analyzeRun(runDir, analyze);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as RankingsFile;
}

interface RunContext {
  run: RunHandle;
  outDir: string;
  costs: ExecutionCosts;
  riskFreeRate: number;
  rankings: RankingsFile;
  /** Strategy ids in ranking order (analyzed ones), then the rest in run order. */
  rankedIds: string[];
}

async function openContext(runDir: string, options: RunAnalyticsOptions): Promise<RunContext> {
  const run = await openRun(resolve(runDir), options.admf);
  const outDir = resolve(options.outDir ?? run.dir);
  const costs = defaultExecutionCosts(options.costs);
  const riskFreeRate = options.riskFreeRate ?? 0;
  const rankings = await ensureRankings(run.dir, outDir, options);
  const seen = new Set(rankings.strategies.map((s) => s.id));
  const rankedIds = [...rankings.strategies.map((s) => s.id), ...run.strategyIds().filter((id) => !seen.has(id))];
  return { run, outDir, costs, riskFreeRate, rankings, rankedIds };
}

function metricOptionsFor(tsMs: Float64Array, options: RunAnalyticsOptions): MetricOptions {
  const periodsPerYear = options.periodsPerYear ?? inferPeriodsPerYear(tsMs).periodsPerYear;
  return validateMetricOptions({ periodsPerYear, riskFreeRate: options.riskFreeRate ?? 0 });
}

function onlySymbol(run: RunHandle): string {
  const symbols = run.symbols();
  if (symbols.length !== 1) throw new InputError(`${run.dir}: regime analytics need a run with one symbol, this one has ${symbols.length} (${symbols.join(', ')})`);
  return symbols[0]!;
}

/**
 * Regime analysis of a run (native, or ADMF-PC read in place with `admf` and a writable `outDir`):
 *
 * 1. every classifier's statistics -> classifiers/{id}/transitions.json;
 * 2. consensus regimes of the classifiers -> classifiers/combined/consensus_regimes.parquet;
 * 3. per-regime metrics of every strategy x classifier (change-proportional where exact, see
 *    analytics/regimeMetrics.ts), in the worker pool -> analytics/regime_performance.json (the top
 *    `top` strategies of the rankings) and analytics/regime_performance.parquet (every strategy:
 *    columns strategy, classifier, regime, bars, then the metric columns of the rankings table);
 * 4. the classifier separation ranking -> summary/regime_summary.json.
 *
 * The rankings come from summary/strategy_rankings.json under outDir; a run without them is
 * analyzed first (analyzeRun with the same costs and conventions; `onNotice` is told).
 */
export async function analyzeRegimes(runDir: string, options: RegimeAnalysisOptions = {}): Promise<RegimeAnalysisResult> {
  const started = performance.now();
  const top = checkCount('top', options.top ?? DEFAULT_TOP, 0);
  const minRegimeBars = checkCount('minRegimeBars', options.minRegimeBars ?? DEFAULT_MIN_REGIME_BARS, 1);
  const batchSize = checkCount('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE, 1);
  const workers = options.pool ? options.pool.workers : checkCount('workers', options.workers ?? availableParallelism(), 0);
  const ownPool = !options.pool && workers > 0 ? EnginePool.create({ workers }) : undefined;
  const pool = options.pool ?? ownPool;
  try {
    const ctx = await openContext(runDir, { ...options, ...(pool ? { pool } : {}) });
    const { run, outDir, costs } = ctx;
    const symbol = onlySymbol(run);
    const bars = await run.readBars(symbol);
    const n = bars.tsMs.length;
    const metricOptions = metricOptionsFor(bars.tsMs, options);

    // 1. classifiers and their statistics
    const classifierIds = run.classifierIds();
    const classifiers: StoredRegimeTrace[] = [];
    for (const id of classifierIds) {
      const trace = await run.readRegimes(id);
      validateRegimeTrace(trace, n, id);
      classifiers.push(trace);
    }
    const generatedAt = new Date().toISOString();
    const stats: ClassifierStats[] = classifiers.map((trace, i) => classifierStats(classifierIds[i]!, trace, n, trace.info?.family ?? ''));
    const transitionsPaths = stats.map((s) => {
      const path = join(outDir, RUN_LAYOUT.classifiers, s.id, RUN_LAYOUT.transitions);
      writeJsonAtomic(path, { version: REGIME_OUTPUTS_VERSION, runId: run.metadata.runId, generatedAt, ...s });
      return path;
    });

    // 2. consensus
    let consensus: ConsensusInfo | null = null;
    let consensusPath: string | null = null;
    const mode = options.consensus ?? 'majority';
    const members = options.consensusClassifiers ?? classifierIds;
    if (mode !== false && members.length >= 2) {
      const traces = members.map((id) => {
        const i = classifierIds.indexOf(id);
        if (i < 0) throw new InputError(`options.consensusClassifiers: no classifier '${id}' in ${run.dir}`, { id });
        return classifiers[i]!;
      });
      const combined = consensusRegimes(traces, n, mode);
      const relative = `${RUN_LAYOUT.classifiers}/${RUN_LAYOUT.combined}/consensus_regimes.parquet`;
      consensusPath = join(outDir, relative);
      writeRegimeTrace(consensusPath, combined, {
        id: 'consensus', family: `consensus-${mode}`, symbol, bars: n, parameters: { mode, classifiers: members },
      });
      consensus = {
        mode, classifiers: members, file: relative, labels: combined.labels,
        stateChanges: Math.max(0, combined.idx.length - 1), tieRule: CONSENSUS_TIE_RULE,
      };
    }

    // 3. per-regime metrics of every strategy x classifier
    const instance: KernelInstance = pool ? pool.instance : instantiateKernels();
    const rf = riskFreePerBar(metricOptions.riskFreeRate ?? 0, metricOptions.periodsPerYear);
    const market = buildMarketIndex(bars, costs, instance, { riskFreePerBar: rf, source: `${run.dir} (${symbol} bars)` });
    const tables = buildRegimeTables(market, rf, instance);
    const codes = classifiers.map(regimeCodes);
    const labels = classifiers.map((c) => c.labels);
    const jobs: StrategyJob[] = ctx.rankedIds.map((id) => ({ id, locator: run.signalLocator(id) }));
    const outcomes: RegimeOutcome[] = [];
    if (classifiers.length > 0) {
      if (pool) {
        const stamp = `${run.dir}#${symbol}#${Date.now()}`;
        const shared = shareRegimeCodes(instance.memory, codes, labels);
        const marketRef = { marketId: `${stamp}#market`, kind: 'index' as const, layout: pool.share(market) };
        const tablesRef = { id: `${stamp}#tables`, layout: pool.share(tables) };
        const codesRef = { id: `${stamp}#codes`, layout: pool.share(shared) };
        const batches: StrategyJob[][] = [];
        for (let i = 0; i < jobs.length; i += batchSize) batches.push(jobs.slice(i, i + batchSize));
        const results = await Promise.all(batches.map((strategies) => pool.run<RegimeOutcome[]>({
          kind: 'regime-metrics', market: marketRef, tables: tablesRef, classifiers: codesRef, costs, options: metricOptions, strategies,
        }, options.signal)));
        for (const batch of results) outcomes.push(...batch);
      } else {
        for (const job of jobs) {
          if (options.signal?.aborted) throw abortError();
          outcomes.push(computeRegimeOutcome(job, market, tables, { codes, labels }, costs, metricOptions));
        }
      }
    }
    if (options.signal?.aborted) throw abortError();

    // Classifier -> regime return-bar counts.
    const classifierBars: RegimePerformanceFile['classifiers'] = {};
    classifiers.forEach((trace, c) => {
      const counts = regimeReturnBarCounts(trace, n);
      const regimes: Record<string, { bars: number; share: number }> = {};
      trace.labels.forEach((label, code) => { regimes[label] = { bars: counts[code]!, share: n > 0 ? counts[code]! / n : 0 }; });
      const none = counts[trace.labels.length]!;
      if (none > 0) regimes[UNCLASSIFIED_REGIME] = { bars: none, share: n > 0 ? none / n : 0 };
      classifierBars[classifierIds[c]!] = { labels: [...trace.labels], regimes };
    });

    const jsonIds = new Set(ctx.rankedIds.slice(0, top));
    const strategies: RegimePerformanceFile['strategies'] = {};
    const denseFallbacks: RegimePerformanceFile['denseFallbacks'] = [];
    const failures: RegimePerformanceFile['failures'] = [];
    const perClassifier: { regimes: RegimeMetricsEntry[] }[][] = classifiers.map(() => []);
    const rows = { strategy: [] as string[], classifier: [] as string[], regime: [] as string[], metrics: [] as PerformanceMetrics[] };
    for (const outcome of outcomes) {
      if (!outcome.ok) { failures.push({ id: outcome.id, error: outcome.error }); continue; }
      if (outcome.path === 'dense') denseFallbacks.push({ id: outcome.id, reason: outcome.fallbackReason ?? '' });
      const byClassifier: Record<string, Record<string, PerformanceMetrics>> = {};
      outcome.entries.forEach((entries, c) => {
        const classifierId = classifierIds[c]!;
        perClassifier[c]!.push({ regimes: entries });
        const byRegime: Record<string, PerformanceMetrics> = {};
        for (const entry of entries) {
          byRegime[entry.regime] = entry.metrics;
          rows.strategy.push(outcome.id);
          rows.classifier.push(classifierId);
          rows.regime.push(entry.regime);
          rows.metrics.push(entry.metrics);
        }
        byClassifier[classifierId] = byRegime;
      });
      if (jsonIds.has(outcome.id)) strategies[outcome.id] = byClassifier;
    }
    const performanceRelative = `${RUN_LAYOUT.analytics}/regime_performance.parquet`;
    const performanceTablePath = join(outDir, performanceRelative);
    const columns: Record<string, ResultColumn> = { strategy: rows.strategy, classifier: rows.classifier, regime: rows.regime };
    for (const metric of RANKING_METRIC_COLUMNS) columns[metric] = Float64Array.from(rows.metrics, (m) => m[metric] ?? NaN);
    if (rows.strategy.length > 0) writeResultTable(performanceTablePath, columns, { metadata: { 'sweeplens:version': REGIME_OUTPUTS_VERSION } });
    const performanceFile: RegimePerformanceFile = {
      version: REGIME_OUTPUTS_VERSION, runId: run.metadata.runId, generatedAt, costs, riskFreeRate: ctx.riskFreeRate,
      periodsPerYear: { [symbol]: metricOptions.periodsPerYear }, definitions: REGIME_METRIC_DEFINITIONS, classifiers: classifierBars,
      strategyIds: ctx.rankedIds.filter((id) => id in strategies), totalStrategies: outcomes.length - failures.length, strategies,
      table: performanceRelative, denseFallbacks, failures,
    };
    const performancePath = join(outDir, RUN_LAYOUT.analytics, 'regime_performance.json');
    writeJsonAtomic(performancePath, performanceFile);

    // 4. separation ranking
    const scored = classifiers.map((_, c) => ({ classifier: classifierIds[c]!, ...classifierSeparation(perClassifier[c]!, minRegimeBars) }));
    scored.sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || (a.classifier < b.classifier ? -1 : 1));
    const separation: ClassifierSeparation[] = scored.map((s, i) => ({ rank: i + 1, ...s }));
    const summary: RegimeSummaryFile = {
      version: REGIME_OUTPUTS_VERSION, runId: run.metadata.runId, runDir: run.dir, generatedAt,
      timing: 'regime of R_t is state_{t-1}; forward fill', classifiers: stats, separation,
      bestClassifier: separation[0]?.score != null ? separation[0].classifier : null,
      separationStrategies: outcomes.length - failures.length, minRegimeBars, consensus, elapsedMs: 0,
    };
    summary.elapsedMs = performance.now() - started;
    const summaryPath = join(outDir, RUN_LAYOUT.summary, 'regime_summary.json');
    writeJsonAtomic(summaryPath, summary);
    return { summary, performance: performanceFile, outDir, summaryPath, performancePath, performanceTablePath, transitionsPaths, consensusPath };
  } finally {
    await ownPool?.destroy();
  }
}

// ---- correlation ------------------------------------------------------------------------------

/** Options of correlateRun. */
export interface CorrelateOptions extends RunAnalyticsOptions {
  /** Strategies from the top of the rankings; default 50. */
  top?: number;
  /** Greedy filter threshold (signed Pearson correlation); default 0.7. */
  maxCorrelation?: number;
  /** Correlate net (default) or gross returns. */
  returns?: 'net' | 'gross';
}

/** What correlateRun returns. */
export interface CorrelationRunResult {
  file: CorrelationMatrixFile;
  matrix: CorrelationMatrix;
  path: string;
  tablePath: string;
}

interface LoadedStrategies {
  run: RunHandle;
  ctx: RunContext;
  ids: string[];
  traces: SignalTrace[];
  metricOptions: MetricOptions;
  bars: number;
  symbol: string;
  tsMs: Float64Array;
}

async function loadTop(runDir: string, options: RunAnalyticsOptions, top: number): Promise<LoadedStrategies> {
  const ctx = await openContext(runDir, options);
  const { run } = ctx;
  const symbol = onlySymbol(run);
  const bars = await run.readBars(symbol);
  const ids = ctx.rankings.strategies.map((s) => s.id).slice(0, top);
  if (ids.length === 0) throw new InputError(`${run.dir}: no analyzed strategy to correlate`);
  const traces: SignalTrace[] = [];
  for (const id of ids) traces.push(await run.readSignal(id));
  return { run, ctx, ids, traces, metricOptions: metricOptionsFor(bars.tsMs, options), bars: bars.tsMs.length, symbol, tsMs: bars.tsMs };
}

/** Dense per-bar returns (net or gross) of the traces, as a ReturnMatrix (main thread; O(N T)). */
async function denseReturnMatrix(loaded: LoadedStrategies, costs: ExecutionCosts, which: 'net' | 'gross'): Promise<ReturnMatrix> {
  const bars = await loaded.run.readBars(loaded.symbol);
  const market = buildMarketIndex(bars, costs, instantiateKernels(), { riskFreePerBar: riskFreePerBar(loaded.metricOptions.riskFreeRate ?? 0, loaded.metricOptions.periodsPerYear) });
  const columns = loaded.traces.map((trace) => {
    let column = new Float64Array(0);
    denseStrategyMetrics(market, trace, costs, loaded.metricOptions, (series) => { column = (which === 'net' ? series.net : series.gross).slice(); });
    return column;
  });
  return returnMatrixFromColumns(loaded.ids, columns);
}

function isUnit(trace: SignalTrace): boolean {
  return trace.signal.every((v) => v === -1 || v === 0 || v === 1);
}

/**
 * Correlation of the top `top` strategies of the rankings (default 50) and the greedy diversity
 * filter (correlationFilter, `maxCorrelation`, default 0.7) -> analytics/correlation_matrix.json and
 * .parquet.
 *
 * Method: the change-proportional sparseCorrelationMatrix (O(K_a + K_b) per pair, from prefix sums
 * of r and r^2) where it is exact -- every position in {-1, 0, 1} and either gross returns asked for
 * or a cost model with zero commission and slippage (then net = gross); otherwise Pearson
 * correlation of the dense per-bar net (or gross) returns. The file records which ran.
 */
export async function correlateRun(runDir: string, options: CorrelateOptions = {}): Promise<CorrelationRunResult> {
  const top = checkCount('top', options.top ?? DEFAULT_CORRELATION_TOP, 1);
  const maxCorrelation = options.maxCorrelation ?? DEFAULT_MAX_CORRELATION;
  if (!(maxCorrelation >= -1 && maxCorrelation <= 1)) throw new InputError(`options.maxCorrelation must be in [-1, 1], got ${maxCorrelation}`);
  const which = options.returns ?? 'net';
  if (which !== 'net' && which !== 'gross') throw new InputError(`options.returns must be 'net' or 'gross', got '${String(which)}'`);
  const loaded = await loadTop(runDir, options, top);
  const costs = loaded.ctx.costs;
  const costless = costs.commissionRate === 0 && (costs.slippageModel === 'linear' ? costs.slippageRate === 0 : costs.impactCoefficient === 0);
  const exact = loaded.traces.every(isUnit) && (which === 'gross' || costless);
  let matrix: CorrelationMatrix;
  if (exact) {
    const bars = await loaded.run.readBars(loaded.symbol);
    const n = bars.close.length;
    const prefix = new Float64Array(n + 1);
    const squares = new Float64Array(n + 1);
    for (let t = 0; t < n; t++) {
      const r = t === 0 ? 0 : bars.close[t]! / bars.close[t - 1]! - 1;
      prefix[t + 1] = prefix[t]! + r;
      squares[t + 1] = squares[t]! + r * r;
    }
    matrix = sparseCorrelationMatrix(loaded.ids, loaded.traces, prefix, squares);
  } else {
    matrix = correlationMatrix(await denseReturnMatrix(loaded, costs, which));
  }
  const kept = correlationFilter(loaded.ids, matrix, maxCorrelation);
  const n = loaded.ids.length;
  const at = (i: number, j: number) => matrix.values[i * n + j]!;
  const keptSet = new Set(kept);
  const removed: CorrelationRemoval[] = [];
  loaded.ids.forEach((id, i) => {
    if (keptSet.has(id)) return;
    const j = loaded.ids.findIndex((other, jj) => jj < i && keptSet.has(other) && at(i, jj) > maxCorrelation);
    if (j >= 0) removed.push({ id, correlatedWith: loaded.ids[j]!, correlation: at(i, j) });
  });
  const tableRelative = `${RUN_LAYOUT.analytics}/correlation_matrix.parquet`;
  const file: CorrelationMatrixFile = {
    version: REGIME_OUTPUTS_VERSION, runId: loaded.run.metadata.runId, generatedAt: new Date().toISOString(), returns: which,
    method: exact ? 'change-proportional' : 'dense', rankBy: loaded.ctx.rankings.rankBy, top: n, ids: loaded.ids,
    matrix: loaded.ids.map((_, i) => loaded.ids.map((__, j) => (Number.isFinite(at(i, j)) ? at(i, j) : null))),
    filter: { maxCorrelation, kept, removed }, table: tableRelative,
  };
  const path = join(loaded.ctx.outDir, RUN_LAYOUT.analytics, 'correlation_matrix.json');
  writeJsonAtomic(path, file);
  const columns: Record<string, ResultColumn> = { id: [...loaded.ids] };
  loaded.ids.forEach((id, j) => { columns[id] = Float64Array.from(loaded.ids, (_, i) => at(i, j)); });
  const tablePath = join(loaded.ctx.outDir, tableRelative);
  writeResultTable(tablePath, columns, { metadata: { 'sweeplens:method': file.method, 'sweeplens:returns': which } });
  return { file, matrix, path, tablePath };
}

// ---- ensemble weights --------------------------------------------------------------------------

/** Options of optimizeRun. */
export interface OptimizeRunOptions extends CorrelateOptions {
  /** Classifier of the per-regime ensembles; default the best-separating one (regime_summary.json, computed when missing). */
  classifier?: string;
  /** 'max-sharpe' (default) or 'min-variance'. */
  objective?: PortfolioObjective;
  /** Bounds of each held weight, fractions; defaults 0 and 1. */
  minWeight?: number;
  maxWeight?: number;
  /** At most this many strategies with a non-zero weight; default no limit. */
  maxStrategies?: number;
}

/** What optimizeRun returns. */
export interface OptimizeRunResult {
  file: OptimalWeightsFile;
  path: string;
  correlation: CorrelationRunResult;
}

/** How the optimizer's inputs are estimated (written into the file). */
export const RUN_ENSEMBLE_ESTIMATORS = 'members: dense per-bar NET returns (costs included); mu = mean x P, Sigma = sample covariance (ddof 1) x P, '
  + 'per regime over the bars whose regime state_{t-1} is the regime; in-sample metrics: seriesMetrics of sum_i w_i R_i,t (no rebalancing cost)';

function ensembleSeries(matrix: ReturnMatrix, weights: Float64Array, rows: number[] | null): Float64Array {
  const n = matrix.names.length;
  const picked = rows ?? Array.from({ length: matrix.bars }, (_, t) => t);
  const out = new Float64Array(picked.length);
  for (let j = 0; j < n; j++) {
    const w = weights[j]!;
    if (w === 0) continue;
    const offset = j * matrix.bars;
    picked.forEach((t, i) => { out[i]! += w * matrix.values[offset + t]!; });
  }
  return out;
}

function weightRecord(names: readonly string[], weights: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((name, i) => { out[name] = weights[i]!; });
  return out;
}

/**
 * Ensemble weights of the run: the top strategies of the rankings, filtered for correlation
 * (correlateRun, also written), optimized on their dense NET return series globally and per regime
 * of one classifier (optimizeByRegime) -> analytics/optimal_weights.json. Each ensemble carries
 * in-sample metrics of its net return series sum_i w_i R_i,t over the bars it was fitted on; the
 * regime-switching ensemble applies at bar t the weights of regime state_{t-1}.
 */
export async function optimizeRun(runDir: string, options: OptimizeRunOptions = {}): Promise<OptimizeRunResult> {
  const correlation = await correlateRun(runDir, options);
  const top = checkCount('top', options.top ?? DEFAULT_CORRELATION_TOP, 1);
  const loaded = await loadTop(runDir, options, top);
  const keptIds = correlation.file.filter.kept;
  const keptSet = new Set(keptIds);
  const selected: LoadedStrategies = {
    ...loaded, ids: loaded.ids.filter((id) => keptSet.has(id)), traces: loaded.traces.filter((_, i) => keptSet.has(loaded.ids[i]!)),
  };
  const matrix = await denseReturnMatrix(selected, loaded.ctx.costs, 'net');
  const { run, outDir } = loaded.ctx;

  // The classifier: given, or the best-separating one.
  let classifier: string | null = options.classifier ?? null;
  let classifierSource: OptimalWeightsFile['classifierSource'] = classifier ? 'given' : 'none';
  if (!classifier && run.classifierIds().length > 0) {
    const summaryPath = join(outDir, RUN_LAYOUT.summary, 'regime_summary.json');
    const summary = existsSync(summaryPath)
      ? JSON.parse(readFileSync(summaryPath, 'utf8')) as RegimeSummaryFile
      : (await analyzeRegimes(runDir, options)).summary;
    classifier = summary.bestClassifier ?? summary.separation[0]?.classifier ?? null;
    classifierSource = classifier ? 'best-separating' : 'none';
  }
  let regimeTrace: RegimeTrace | null = null;
  if (classifier) {
    if (!run.classifierIds().includes(classifier)) throw new InputError(`options.classifier: no classifier '${classifier}' in ${run.dir} (classifiers: ${run.classifierIds().join(', ')})`);
    regimeTrace = await run.readRegimes(classifier);
  }
  const regimeOfBar = regimeTrace ? regimeOfReturnBars(regimeTrace, matrix.bars) : new Int32Array(matrix.bars).fill(-1);
  const ensembleOptions: ReturnMatrixEnsembleOptions & { labels?: readonly string[] } = {
    objective: options.objective ?? 'max-sharpe', minWeight: options.minWeight ?? 0, maxWeight: options.maxWeight ?? 1,
    riskFreeRate: options.riskFreeRate ?? 0, periodsPerYear: selected.metricOptions.periodsPerYear,
  };
  if (options.maxStrategies !== undefined) ensembleOptions.maxStrategies = options.maxStrategies;
  if (regimeTrace) ensembleOptions.labels = regimeTrace.labels;
  const result = optimizeByRegime(matrix, regimeOfBar, ensembleOptions);
  const metricOptions = selected.metricOptions;
  const entry = (fit: NonNullable<(typeof result.regimes)[string]['result']>, rows: number[] | null, bars: number): EnsembleEntry => ({
    bars, weights: weightRecord(fit.names, fit.weights),
    expected: { annualizedReturn: fit.annualizedReturn, volatility: fit.volatility, sharpeRatio: fit.sharpeRatio },
    converged: fit.converged, iterations: fit.iterations, inSample: seriesMetrics(ensembleSeries(matrix, fit.weights, rows), metricOptions),
  });
  const regimes: Record<string, RegimeEnsembleOutput> = {};
  const weightsByCode = new Map<number, Float64Array>();
  for (const [label, fit] of Object.entries(result.regimes)) {
    const code = regimeTrace ? regimeTrace.labels.indexOf(label) : -1;
    const rows: number[] = [];
    for (let t = 0; t < matrix.bars; t++) if (regimeOfBar[t] === code) rows.push(t);
    if (fit.result) {
      regimes[label] = entry(fit.result, rows, fit.bars);
      weightsByCode.set(code, fit.result.weights);
    } else {
      regimes[label] = { bars: fit.bars, skippedReason: fit.skippedReason ?? 'skipped' };
    }
  }
  let switching: OptimalWeightsFile['switching'] = null;
  if (regimeTrace) {
    const series = new Float64Array(matrix.bars);
    const nStrategies = matrix.names.length;
    for (let t = 0; t < matrix.bars; t++) {
      const w = weightsByCode.get(regimeOfBar[t]!) ?? result.global.weights;
      let sum = 0;
      for (let j = 0; j < nStrategies; j++) sum += w[j]! * matrix.values[j * matrix.bars + t]!;
      series[t] = sum;
    }
    switching = { inSample: seriesMetrics(series, metricOptions) };
  }
  const file: OptimalWeightsFile = {
    version: REGIME_OUTPUTS_VERSION, runId: run.metadata.runId, generatedAt: new Date().toISOString(), classifier, classifierSource,
    objective: ensembleOptions.objective!, constraints: { minWeight: ensembleOptions.minWeight!, maxWeight: ensembleOptions.maxWeight!, maxStrategies: options.maxStrategies ?? null },
    riskFreeRate: ensembleOptions.riskFreeRate!, periodsPerYear: metricOptions.periodsPerYear, estimators: RUN_ENSEMBLE_ESTIMATORS,
    selection: { rankBy: correlation.file.rankBy, top: correlation.file.top, maxCorrelation: correlation.file.filter.maxCorrelation, strategies: [...matrix.names] },
    global: entry(result.global, null, matrix.bars), regimes, switching,
  };
  const path = join(outDir, RUN_LAYOUT.analytics, 'optimal_weights.json');
  writeJsonAtomic(path, file);
  return { file, path, correlation };
}
