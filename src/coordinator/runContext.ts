// Shared loaders of the run-level analytics: openAnalyzedRun (the run with its analysis, analyzing
// it first -- or again, when it was analyzed under other conventions than the caller's -- for
// analyzeRegimes, correlateRun, optimizeRun, overfitRun and walkForward), then for the first three:
// option checks, the run context, the top strategies and their dense return matrix.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { denseStrategyMetrics } from '../analytics/denseMetrics.ts';
import { defaultExecutionCosts, validateMetricOptions, type MetricOptions } from '../analytics/metricOptions.ts';
import { inferPeriodsPerYear } from '../analytics/periods.ts';
import { returnMatrixFromColumns, type ReturnMatrix } from '../analytics/returnMatrix.ts';
import { riskFreePerBar } from '../analytics/returnMetrics.ts';
import { InputError, WorkspaceError } from '../errors.ts';
import type { EnginePool } from '../engine/pool.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { openRun } from '../io/workspace.ts';
import { instantiateKernels } from '../kernels/runtime.ts';
import { buildMarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts, SignalTrace } from '../types.ts';
import { AnalyticsCoordinator, type AnalyzeOptions, type PerformanceSummary } from './analyze.ts';
import type { ProgressEvent } from './events.ts';
import type { RankedStrategyRow, RankMetric } from './rankings.ts';
import type { RunAnalyticsOptions } from './regimes.ts';

/** Default of `top` for correlateRun and optimizeRun. */
export const DEFAULT_CORRELATION_TOP = 50;

export function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new InputError(`options.${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** Options of openAnalyzedRun: the conventions the caller computes with, and how to analyze. */
export interface AnalyzedRunOptions {
  /**
   * The cost fields the caller asked for. Forwarded to the analysis (fields not given: the previous
   * analysis's, else analyzeRun's defaults); an existing analysis that differs in a given field is
   * redone. Absent: any existing analysis is used as is.
   */
  costs?: Partial<ExecutionCosts>;
  /** P the caller uses; forwarded, and an existing analysis with another P is redone. Absent: any. */
  periodsPerYear?: number;
  /** Annual risk-free rate the caller uses; forwarded, and an existing analysis with another is redone. Absent: any. */
  riskFreeRate?: number;
  /** Metric of the rankings when the run is analyzed here; default 'sharpeRatio'. */
  rankBy?: RankMetric;
  /** Worker threads of the analysis (ignored with `pool`). */
  workers?: number;
  /** An existing pool the analysis uses (not destroyed). */
  pool?: EnginePool;
  /** Where summary/ is read and written; default the run directory. */
  outDir?: string;
  /** How to read an ADMF-PC workspace in place. */
  admf?: AdmfOpenOptions;
  /** Cancels the analysis. */
  signal?: AbortSignal;
  /** Told when the run is analyzed here, and why (the CLI prints it on stderr). */
  onNotice?: (message: string) => void;
  /** Told of the analysis's progress when the run is analyzed here (phase 'analyze'). */
  onProgress?: (event: ProgressEvent) => void;
}

/** An opened run with its analysis (summary/performance_summary.json and strategy_rankings.json). */
export interface AnalyzedRun {
  run: RunHandle;
  /** Where summary/ and analytics/ are (the run, or options.outDir). */
  outDir: string;
  summary: PerformanceSummary;
  /** Metric the rankings are sorted by. */
  rankBy: RankMetric;
  /** Every analyzed strategy, best first by `rankBy`. */
  rankings: RankedStrategyRow[];
  /** True when this call ran the analysis (none yet, or one under other conventions). */
  analyzedNow: boolean;
}

/** The rankings file's content. */
interface RankingsFile {
  rankBy: RankMetric;
  count: number;
  strategies: RankedStrategyRow[];
}

function readAnalysisJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new WorkspaceError(`${path}: cannot read the analysis output: ${(error as Error).message}`, { file: path });
  }
}

/**
 * How the summary's conventions differ from those the caller asked for (only the ones it gave), e.g.
 * "commissionRate 0.001, asked 0"; empty when they agree. Rankings made under other costs, P or
 * risk-free rate would select and order the strategies by numbers the caller did not ask for.
 */
export function conventionDifferences(summary: PerformanceSummary, options: Pick<AnalyzedRunOptions, 'costs' | 'periodsPerYear' | 'riskFreeRate'>): string[] {
  const out: string[] = [];
  if (options.costs !== undefined) {
    // only the cost fields the caller gave: the rest stays as the analysis had it
    const recorded = defaultExecutionCosts(summary.costs ?? {});
    for (const [key, asked] of Object.entries(options.costs) as [keyof ExecutionCosts, ExecutionCosts[keyof ExecutionCosts]][]) {
      if (asked !== undefined && recorded[key] !== asked) out.push(`${key} ${String(recorded[key])}, asked ${String(asked)}`);
    }
  }
  if (options.periodsPerYear !== undefined) {
    for (const [symbol, p] of Object.entries(summary.periodsPerYear ?? {})) {
      if (p.value !== options.periodsPerYear) out.push(`periodsPerYear ${p.value} (${symbol}), asked ${options.periodsPerYear}`);
    }
  }
  if (options.riskFreeRate !== undefined && (summary.riskFreeRate ?? 0) !== options.riskFreeRate) {
    out.push(`riskFreeRate ${summary.riskFreeRate ?? 0}, asked ${options.riskFreeRate}`);
  }
  return out;
}

/** The conventions of an analysis as AnalyzeOptions: costs, risk-free rate, rankBy, and P when it was given (an inferred one is inferred again). */
function previousConventions(summary: PerformanceSummary): AnalyzeOptions {
  const out: AnalyzeOptions = { costs: summary.costs, riskFreeRate: summary.riskFreeRate ?? 0, rankBy: summary.rankBy };
  const given = Object.values(summary.periodsPerYear ?? {}).find((p) => p.source === 'given');
  if (given) out.periodsPerYear = given.value;
  return out;
}

/**
 * Opens the run and reads its analysis under outDir. Runs analyzeRun first -- with the caller's
 * costs, P, risk-free rate, rankBy, pool or workers, outDir and ADMF-PC options -- when summary/ has
 * no summary or rankings, or when its conventions differ from those the caller gave (see
 * conventionDifferences; what the caller did not give is then kept as the previous analysis had it);
 * onNotice is told which and why.
 */
export async function openAnalyzedRun(runDir: string, options: AnalyzedRunOptions = {}): Promise<AnalyzedRun> {
  const run = await openRun(resolve(runDir), options.admf);
  const outDir = resolve(options.outDir ?? run.dir);
  const summaryPath = join(outDir, RUN_LAYOUT.summary, 'performance_summary.json');
  const rankingsPath = join(outDir, RUN_LAYOUT.summary, 'strategy_rankings.json');
  const missing = [summaryPath, rankingsPath].find((path) => !existsSync(path));
  const found = missing === undefined ? readAnalysisJson<PerformanceSummary>(summaryPath) : undefined;
  // (an output folder used for another run before holds that run's rankings: not this run's analysis)
  const otherRun = found !== undefined && found.runDir !== run.dir ? found.runDir : undefined;
  const previous = otherRun === undefined ? found : undefined;
  const differences = previous ? conventionDifferences(previous, options) : [];
  const analyzedNow = previous === undefined || differences.length > 0;
  if (analyzedNow) {
    options.onNotice?.(otherRun !== undefined
      ? `${outDir} holds the analysis of another run (${otherRun}); analyzing ${run.dir} first`
      : previous === undefined
        ? `${run.dir}: not analyzed yet (no ${missing}); analyzing it first`
        : `${run.dir}: analyzed under other conventions (${differences.join('; ')}); analyzing it again`);
    // What the caller did not give stays as the previous analysis had it.
    const analyze: AnalyzeOptions = { outDir, ...(previous ? previousConventions(previous) : {}) };
    if (options.rankBy !== undefined) analyze.rankBy = options.rankBy;
    if (options.costs !== undefined) analyze.costs = { ...analyze.costs, ...options.costs };
    if (options.periodsPerYear !== undefined) analyze.periodsPerYear = options.periodsPerYear;
    if (options.riskFreeRate !== undefined) analyze.riskFreeRate = options.riskFreeRate;
    if (options.pool) analyze.pool = options.pool;
    else if (options.workers !== undefined) analyze.workers = options.workers;
    if (options.admf) analyze.admf = options.admf;
    if (options.signal) analyze.signal = options.signal;
    const coordinator = new AnalyticsCoordinator();
    if (options.onProgress) coordinator.on('progress', options.onProgress);
    await coordinator.analyzeRun(run.dir, analyze);
  }
  const summary = analyzedNow || previous === undefined ? readAnalysisJson<PerformanceSummary>(summaryPath) : previous;
  const file = readAnalysisJson<RankingsFile>(rankingsPath);
  if (!Array.isArray(file.strategies)) throw new WorkspaceError(`${rankingsPath}: no 'strategies' array`, { file: rankingsPath });
  return { run, outDir, summary, rankBy: file.rankBy, rankings: file.strategies, analyzedNow };
}

/** The analyzed run of analyzeRegimes, correlateRun and optimizeRun, with the costs and rate they compute with. */
export interface RunContext extends AnalyzedRun {
  costs: ExecutionCosts;
  riskFreeRate: number;
  /** Strategy ids in ranking order (analyzed ones), then the rest in run order. */
  rankedIds: string[];
}

/**
 * The run and its analysis, and the costs and risk-free rate these analytics compute with: the
 * analysis's own, with the fields the caller gave taken over (a run analyzed under other values of
 * those is analyzed again, so the rankings that choose the top strategies are made with the same
 * numbers). A run not analyzed yet is analyzed with the caller's values, defaults for the rest.
 */
export async function openContext(runDir: string, options: RunAnalyticsOptions): Promise<RunContext> {
  const analyzed = await openAnalyzedRun(runDir, options);
  const costs = defaultExecutionCosts(analyzed.summary.costs ?? {});
  const riskFreeRate = analyzed.summary.riskFreeRate ?? 0;
  const seen = new Set(analyzed.rankings.map((s) => s.id));
  const rankedIds = [...analyzed.rankings.map((s) => s.id), ...analyzed.run.strategyIds().filter((id) => !seen.has(id))];
  return { ...analyzed, costs, riskFreeRate, rankedIds };
}

/**
 * The metric conventions of a run's analytics: P as given, else the analysis's P for the symbol,
 * else inferred from the bars; the risk-free rate of the context (the analysis's, or the caller's).
 */
export function metricOptionsFor(tsMs: Float64Array, options: RunAnalyticsOptions, ctx: RunContext, symbol: string): MetricOptions {
  const periodsPerYear = options.periodsPerYear ?? ctx.summary.periodsPerYear?.[symbol]?.value ?? inferPeriodsPerYear(tsMs).periodsPerYear;
  return validateMetricOptions({ periodsPerYear, riskFreeRate: ctx.riskFreeRate });
}

export function onlySymbol(run: RunHandle): string {
  const symbols = run.symbols();
  if (symbols.length !== 1) throw new InputError(`${run.dir}: regime analytics need a run with one symbol, this one has ${symbols.length} (${symbols.join(', ')})`);
  return symbols[0]!;
}

export interface LoadedStrategies {
  run: RunHandle;
  ctx: RunContext;
  ids: string[];
  traces: SignalTrace[];
  metricOptions: MetricOptions;
  bars: number;
  symbol: string;
  tsMs: Float64Array;
}

export async function loadTop(runDir: string, options: RunAnalyticsOptions, top: number): Promise<LoadedStrategies> {
  const ctx = await openContext(runDir, options);
  const { run } = ctx;
  const symbol = onlySymbol(run);
  const bars = await run.readMarketSeries(symbol);
  const ids = ctx.rankings.slice(0, top).map((s) => s.id);
  if (ids.length === 0) throw new InputError(`${run.dir}: no analyzed strategy to correlate`);
  const traces: SignalTrace[] = [];
  for (const id of ids) traces.push(await run.readSignal(id));
  return { run, ctx, ids, traces, metricOptions: metricOptionsFor(bars.tsMs, options, ctx, symbol), bars: bars.tsMs.length, symbol, tsMs: bars.tsMs };
}

/** Dense per-bar returns (net or gross) of the traces, as a ReturnMatrix (main thread; O(N T)). */
export async function denseReturnMatrix(loaded: LoadedStrategies, costs: ExecutionCosts, which: 'net' | 'gross'): Promise<ReturnMatrix> {
  const bars = await loaded.run.readMarketSeries(loaded.symbol);
  const market = buildMarketIndex(bars, costs, instantiateKernels(), { riskFreePerBar: riskFreePerBar(loaded.metricOptions.riskFreeRate ?? 0, loaded.metricOptions.periodsPerYear) });
  const columns = loaded.traces.map((trace) => {
    let column = new Float64Array(0);
    denseStrategyMetrics(market, trace, costs, loaded.metricOptions, (series) => { column = (which === 'net' ? series.net : series.gross).slice(); });
    return column;
  });
  return returnMatrixFromColumns(loaded.ids, columns);
}
