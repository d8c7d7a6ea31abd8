// Shared loaders of the run-level analytics (analyzeRegimes, correlateRun, optimizeRun): option
// checks, the run context with its rankings (analyzing the run first when needed), the top strategies
// and their dense return matrix.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { denseStrategyMetrics } from '../analytics/denseMetrics.ts';
import { defaultExecutionCosts, validateMetricOptions, type MetricOptions } from '../analytics/metricOptions.ts';
import { inferPeriodsPerYear } from '../analytics/periods.ts';
import { returnMatrixFromColumns, type ReturnMatrix } from '../analytics/returnMatrix.ts';
import { riskFreePerBar } from '../analytics/returnMetrics.ts';
import { InputError } from '../errors.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { openRun } from '../io/workspace.ts';
import { instantiateKernels } from '../kernels/runtime.ts';
import { buildMarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts, SignalTrace } from '../types.ts';
import { analyzeRun, type AnalyzeOptions } from './analyze.ts';
import type { RunAnalyticsOptions } from './regimes.ts';

/** Ranking file as read (summary/strategy_rankings.json). */
export interface RankingsFile { rankBy: string; strategies: { id: string }[] }

/** Default of `top` for correlateRun and optimizeRun. */
export const DEFAULT_CORRELATION_TOP = 50;

export function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new InputError(`options.${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** The rankings of the run under outDir, analyzing the run first when there are none. */
export async function ensureRankings(runDir: string, outDir: string, options: RunAnalyticsOptions): Promise<RankingsFile> {
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

export interface RunContext {
  run: RunHandle;
  outDir: string;
  costs: ExecutionCosts;
  riskFreeRate: number;
  rankings: RankingsFile;
  /** Strategy ids in ranking order (analyzed ones), then the rest in run order. */
  rankedIds: string[];
}

export async function openContext(runDir: string, options: RunAnalyticsOptions): Promise<RunContext> {
  const run = await openRun(resolve(runDir), options.admf);
  const outDir = resolve(options.outDir ?? run.dir);
  const costs = defaultExecutionCosts(options.costs);
  const riskFreeRate = options.riskFreeRate ?? 0;
  const rankings = await ensureRankings(run.dir, outDir, options);
  const seen = new Set(rankings.strategies.map((s) => s.id));
  const rankedIds = [...rankings.strategies.map((s) => s.id), ...run.strategyIds().filter((id) => !seen.has(id))];
  return { run, outDir, costs, riskFreeRate, rankings, rankedIds };
}

export function metricOptionsFor(tsMs: Float64Array, options: RunAnalyticsOptions): MetricOptions {
  const periodsPerYear = options.periodsPerYear ?? inferPeriodsPerYear(tsMs).periodsPerYear;
  return validateMetricOptions({ periodsPerYear, riskFreeRate: options.riskFreeRate ?? 0 });
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
  const bars = await run.readBars(symbol);
  const ids = ctx.rankings.strategies.map((s) => s.id).slice(0, top);
  if (ids.length === 0) throw new InputError(`${run.dir}: no analyzed strategy to correlate`);
  const traces: SignalTrace[] = [];
  for (const id of ids) traces.push(await run.readSignal(id));
  return { run, ctx, ids, traces, metricOptions: metricOptionsFor(bars.tsMs, options), bars: bars.tsMs.length, symbol, tsMs: bars.tsMs };
}

/** Dense per-bar returns (net or gross) of the traces, as a ReturnMatrix (main thread; O(N T)). */
export async function denseReturnMatrix(loaded: LoadedStrategies, costs: ExecutionCosts, which: 'net' | 'gross'): Promise<ReturnMatrix> {
  const bars = await loaded.run.readBars(loaded.symbol);
  const market = buildMarketIndex(bars, costs, instantiateKernels(), { riskFreePerBar: riskFreePerBar(loaded.metricOptions.riskFreeRate ?? 0, loaded.metricOptions.periodsPerYear) });
  const columns = loaded.traces.map((trace) => {
    let column = new Float64Array(0);
    denseStrategyMetrics(market, trace, costs, loaded.metricOptions, (series) => { column = (which === 'net' ? series.net : series.gross).slice(); });
    return column;
  });
  return returnMatrixFromColumns(loaded.ids, columns);
}
