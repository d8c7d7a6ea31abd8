// AnalyticsCoordinator.analyzeRun: metadata scan -> market index -> per-strategy metrics in the
// worker pool (cached) -> rankings and summary files. Typed events for embedders.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultExecutionCosts, validateMetricOptions, type MetricOptions } from '../analytics/metricOptions.ts';
import { inferPeriodsPerYear } from '../analytics/periods.ts';
import { riskFreePerBar } from '../analytics/returnMetrics.ts';
import { CONVENTIONS_VERSION } from '../constants.ts';
import { InputError, SweeplensError } from '../errors.ts';
import type { StrategyJob, StrategyOutcome } from '../engine/messages.ts';
import { buildMarketIndexInPool } from '../engine/marketSetup.ts';
import { planBatches, strategyJobWork } from './batches.ts';
import { allSettledOrThrow, jobPool, type EnginePool, type JobPool } from '../engine/pool.ts';
import { sharedTablesId } from '../engine/sharedViews.ts';
import { computeStrategyOutcome, writeOutcomeCache } from '../engine/strategyTask.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { sizeTimeKey } from '../io/analysisState.ts';
import { removeStaleTempFiles, writeJsonAtomic } from '../io/atomicWrite.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { readSignalColumnsAt } from '../io/traceLocator.ts';
import type { TraceInfo } from '../io/traceMetadata.ts';
import { openRun } from '../io/workspace.ts';
import { instantiateKernels, type KernelInstance } from '../kernels/runtime.ts';
import { buildMarketIndex, releaseMarketIndex, type MarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';
import { matchCachedPerformance, performanceCacheKey, performanceCachePath } from '../io/performanceCache.ts';
import { TypedEmitter, type AnalysisEvents } from './events.ts';
import { metricDistribution, rankRows, SUMMARY_METRICS, validateRankMetric, type MetricDistribution, type RankedStrategyRow, type RankMetric } from './rankings.ts';
import { writeRankings } from './rankingsFile.ts';
import { recordAnalysisState, reusableAnalysis, type AnalysisConventions, type ReusedAnalysis } from './reuseAnalysis.ts';

/** Options of analyzeRun (every field optional). */
export interface AnalyzeOptions {
  /** Cost model overrides; default 10 bps commission + 5 bps linear slippage. */
  costs?: Partial<ExecutionCosts>;
  /** P, bars per year; default inferred from the bar spacing of each symbol (see analytics/periods.ts). */
  periodsPerYear?: number;
  /** Annual risk-free rate as a fraction; default 0. */
  riskFreeRate?: number;
  /** Worker threads; default the machine's parallelism; 0 computes on the calling thread. */
  workers?: number;
  /** An existing pool to use instead of starting one (it is not destroyed). */
  pool?: EnginePool;
  /** Strategies per worker task; default 64. */
  batchSize?: number;
  /** Metric the rankings sort by; default 'sharpeRatio'. */
  rankBy?: RankMetric;
  /** 'auto' (default): change-proportional where exact, dense otherwise; 'dense' forces the reference path. */
  path?: 'auto' | 'sparse' | 'dense';
  /** Where outputs go; default the run directory (an ADMF-PC workspace read in place needs one that is writable). */
  outDir?: string;
  /** How to read an ADMF-PC workspace in place (market bars, idx base). */
  admf?: AdmfOpenOptions;
  /** Reuse valid performance.json caches; default true. */
  useCache?: boolean;
  /** Cancels the analysis; outputs already written (per-strategy caches) stay valid for a re-run. */
  signal?: AbortSignal;
}

/** One strategy that could not be analyzed, and why. */
export interface StrategyFailure {
  id: string;
  error: string;
}

/** The content of summary/performance_summary.json. */
export interface PerformanceSummary {
  runId: string;
  runDir: string;
  format: 'sweeplens' | 'admf-pc';
  analyzedAt: string;
  conventions: string;
  costs: ExecutionCosts;
  riskFreeRate: number;
  /** P per symbol and how it was chosen. */
  periodsPerYear: Record<string, { value: number; source: string }>;
  symbols: string[];
  barCounts: Record<string, number>;
  /** First and last bar time per symbol, ISO-8601. */
  barRange: Record<string, { first: string | null; last: string | null }>;
  strategies: { total: number; analyzed: number; fromCache: number; computed: number; failed: number; sparse: number; dense: number };
  classifiers: number;
  rankBy: RankMetric;
  best: { id: string; value: number | null } | null;
  distributions: Record<string, MetricDistribution>;
  failures: StrategyFailure[];
  warnings: string[];
  elapsedMs: number;
  /** Where elapsedMs went; absent when a previous analysis was re-used whole. */
  timings?: AnalysisTimings;
}

/**
 * Wall milliseconds of the phases of one analysis (together elapsedMs): what is serial (the scan,
 * each symbol's bars and market index, the outputs) and what the worker pool shares (compute).
 */
export interface AnalysisTimings {
  /** Opening the run, the footer scan, trace locators and the cache pass. */
  scanMs: number;
  /** Reading the bars and building the market index, all symbols. */
  marketMs: number;
  /** Computing the strategies not taken from a cache (in the pool, or on the calling thread), all symbols. */
  computeMs: number;
  /** Ranking the strategies and writing the rankings files (the summary and metadata files are written after, uncounted). */
  writeMs: number;
}

/** What analyzeRun returns. */
export interface AnalysisResult {
  summary: PerformanceSummary;
  /** Every analyzed strategy, best first. */
  rankings: RankedStrategyRow[];
  outDir: string;
  summaryPath: string;
  rankingsPath: string;
  /**
   * True when the run and every option were unchanged since its last complete analysis, which was
   * then re-used as a whole (see io/analysisState.ts) instead of being checked strategy by strategy.
   */
  reusedAnalysis: boolean;
}

const DEFAULT_BATCH_SIZE = 64;

function abortError(): SweeplensError {
  return new SweeplensError('E_ABORTED', 'analysis cancelled; per-strategy results written so far are kept and reused by the next run');
}

/** Coordinates run analyses and reports progress through typed events (`progress`, `strategy-done`, `analysis-ready`). */
export class AnalyticsCoordinator extends TypedEmitter<AnalysisEvents> {
  /** Analyzes one run (native or ADMF-PC in place); see AnalyzeOptions. */
  async analyzeRun(runDir: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    const started = performance.now();
    const costs = defaultExecutionCosts(options.costs);
    const rankBy = validateRankMetric(options.rankBy ?? 'sharpeRatio');
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`options.batchSize must be a positive integer, got ${batchSize}`);
    const run = await openRun(resolve(runDir), options.admf);
    const outDir = resolve(options.outDir ?? run.dir);
    const conventions: AnalysisConventions = { costs, riskFreeRate: options.riskFreeRate ?? 0, periodsPerYear: options.periodsPerYear };
    // An unchanged run analyzed under the same options: its outputs stand as they are.
    // (a forced metric path — dense for checking, or sparse only — always recomputes what was made otherwise)
    const mode = options.path ?? 'auto';
    const reused = options.useCache === false || mode !== 'auto' ? undefined : reusableAnalysis(run, outDir, conventions);
    if (reused) return this.finishReused(run, outDir, reused, conventions, rankBy, started);
    const scan = run.scan();
    const warnings = [...run.warnings, ...scan.warnings];
    for (const w of warnings) this.emit('warning', w);
    const infoById = new Map(scan.strategies.map((info) => [info.id, info]));
    const ids = run.strategyIds();

    // The pool starts now when work is likely (no caching, or the first or last strategy has no cache
    // file: a new run), so its workers boot while the bars are read; a run with caches may need no
    // computing at all, and then starts no pool unless the cache pass finds work (its threads'
    // start-up would only compete with the cache pass).
    const uncached = (id: string | undefined) => id !== undefined && !existsSync(performanceCachePath(outDir, id));
    const workLikely = options.useCache === false || uncached(ids[0]) || uncached(ids[ids.length - 1]);
    let job: JobPool | undefined = workLikely ? jobPool(options) : undefined;
    let inlineInstance: KernelInstance | undefined;
    const computing = (): { pool: EnginePool | undefined; instance: KernelInstance } => {
      job ??= jobPool(options);
      const pool = job.pool;
      return { pool, instance: pool ? pool.instance : (inlineInstance ??= instantiateKernels()) };
    };
    try {
      const periods: PerformanceSummary['periodsPerYear'] = {};
      const barRange: PerformanceSummary['barRange'] = {};
      const outcomes = new Map<string, StrategyOutcome & { ok: true } | { id: string; ok: false; error: string }>();
      const cachedIds = new Set<string>();
      const traceKeys = new Map<string, string>();
      let done = 0;
      const total = ids.length;
      const progress = () => this.emit('progress', { phase: 'analyze', done, total, elapsedMs: performance.now() - started });
      const timings: AnalysisTimings = { scanMs: 0, marketMs: 0, computeMs: 0, writeMs: 0 };
      let phaseStarted = started;
      /** Adds the time since the last phase ended to `phase`. */
      const endPhase = (phase: keyof AnalysisTimings) => {
        const now = performance.now();
        timings[phase] += now - phaseStarted;
        phaseStarted = now;
      };

      // Group strategies by symbol: one market index per symbol.
      const bySymbol = new Map<string, string[]>();
      const locators = new Map<string, StrategyJob['locator']>();
      for (const id of ids) {
        try {
          const locator = run.signalLocator(id);
          locators.set(id, locator);
          const list = bySymbol.get(locator.symbol) ?? [];
          list.push(id);
          bySymbol.set(locator.symbol, list);
        } catch (error) {
          outcomes.set(id, { id, ok: false, error: (error as Error).message });
          done++;
        }
      }

      for (const [symbol, symbolIds] of bySymbol) {
        if (options.signal?.aborted) throw abortError();
        endPhase('scanMs');
        // The timestamps give P and the bar range; the prices are read only when something is computed.
        const tsMs = job ? (await run.readMarketSeries(symbol)).tsMs : await run.readBarTimes(symbol);
        endPhase('marketMs');
        const inferred = inferPeriodsPerYear(tsMs);
        const periodsPerYear = options.periodsPerYear ?? inferred.periodsPerYear;
        periods[symbol] = { value: periodsPerYear, source: options.periodsPerYear !== undefined ? 'given' : inferred.source };
        const n = tsMs.length;
        barRange[symbol] = {
          first: n > 0 ? new Date(tsMs[0]!).toISOString() : null,
          last: n > 0 ? new Date(tsMs[n - 1]!).toISOString() : null,
        };
        const metricOptions: MetricOptions = validateMetricOptions({ periodsPerYear, riskFreeRate: options.riskFreeRate ?? 0 });

        // Cache pass: reuse every valid performance.json. One whose trace file changed size or time
        // (copied, touched, checked out again) under the same conventions goes with its job: the
        // trace is read and its result stands if the content hash is the one it was computed from.
        const pending: StrategyJob[] = [];
        for (const id of symbolIds) {
          const locator = locators.get(id)!;
          const key = performanceCacheKey(locator.file, costs, metricOptions, locator.barCount);
          traceKeys.set(id, sizeTimeKey(key.traceBytes, key.traceMtimeMs));
          const found = options.useCache === false ? undefined : matchCachedPerformance(performanceCachePath(outDir, id), key);
          const usable = found && (mode === 'auto' || found.entry.path === mode) ? found : undefined;
          if (usable?.match === 'valid') {
            const cached = usable.entry;
            outcomes.set(id, { id, ok: true, metrics: cached.metrics, changes: cached.changes, contentHash: cached.contentHash, path: cached.path });
            cachedIds.add(id);
            done++;
            this.emit('strategy-done', { id, cached: true, metrics: cached.metrics });
          } else {
            // (a temp file a killed earlier run left where this strategy's cache goes is removed by
            // whoever writes the cache: writeCachedPerformance, in the workers)
            const stale = usable?.entry;
            const job: StrategyJob = { id, locator };
            const rows = infoById.get(id)?.changes;
            if (rows !== undefined) job.rows = rows;
            if (stale) job.cached = { contentHash: stale.contentHash, changes: stale.changes, metrics: stale.metrics, path: stale.path, computedAt: stale.computedAt };
            pending.push(job);
          }
        }
        progress();
        endPhase('scanMs');
        if (pending.length === 0) continue;

        const { pool, instance } = computing();
        const bars = await run.readMarketSeries(symbol);
        const indexOptions = { riskFreePerBar: riskFreePerBar(metricOptions.riskFreeRate ?? 0, periodsPerYear), source: `${run.dir} (${symbol} bars)` };
        const market: MarketIndex = pool ? await buildMarketIndexInPool(bars, costs, pool, indexOptions) : buildMarketIndex(bars, costs, instance, indexOptions);
        endPhase('marketMs');
        const record = (outcome: StrategyOutcome) => {
          done++;
          const fromCache = outcome.ok && outcome.fromCache === true;
          if (fromCache) cachedIds.add(outcome.id);
          this.emit('strategy-done', outcome.ok
            ? { id: outcome.id, cached: fromCache, metrics: outcome.metrics }
            : { id: outcome.id, cached: false, metrics: null, error: outcome.error });
          outcomes.set(outcome.id, outcome);
        };

        try {
          if (pool) {
            const ref = { marketId: sharedTablesId(`${run.dir}#${symbol}`), kind: 'index' as const, layout: pool.share(market) };
            // Batches of equal work, heaviest first, so that the last batches are short.
            const batches = planBatches(pending, batchSize, pool.workers, strategyJobWork)
              .map((jobs) => ({ jobs, work: jobs.reduce((sum, job) => sum + strategyJobWork(job), 0) }))
              .sort((a, b) => b.work - a.work)
              .map((batch) => batch.jobs);
            // At most two batches per worker in flight; cancellation (or a failed task) stops
            // dispatching and lets the batches already running finish (no worker is torn down mid-task).
            let next = 0;
            let failed = false;
            const lane = async (): Promise<void> => {
              while (next < batches.length && !failed && !options.signal?.aborted) {
                const strategies = batches[next++]!;
                try {
                  const results = await pool.run<StrategyOutcome[]>(
                    { kind: 'strategy-metrics', market: ref, costs, options: metricOptions, path: options.path ?? 'auto', strategies, cacheOutDir: outDir },
                  );
                  results.forEach(record);
                } catch (error) {
                  failed = true;
                  throw error;
                }
                progress();
              }
            };
            await allSettledOrThrow(Array.from({ length: Math.min(batches.length, pool.workers * 2) }, lane));
          } else {
            for (const job of pending) {
              if (options.signal?.aborted) break;
              const outcome = computeStrategyOutcome(job, market, 'index', costs, metricOptions, options.path ?? 'auto', readSignalColumnsAt);
              writeOutcomeCache(outDir, job, outcome, costs, metricOptions);
              record(outcome);
              if (done % 16 === 0) progress();
            }
          }
        } finally {
          // (no task reads the index any more: the next symbol, or the pool's next job, reuses its memory)
          releaseMarketIndex(market);
        }
        if (options.signal?.aborted) throw abortError();
        progress();
        endPhase('computeMs');
      }

      const failures: StrategyFailure[] = [];
      const rows: Omit<RankedStrategyRow, 'rank'>[] = [];
      let sparse = 0;
      for (const id of ids) {
        const outcome = outcomes.get(id);
        if (!outcome) continue;
        if (!outcome.ok) {
          failures.push({ id, error: outcome.error });
          continue;
        }
        if (outcome.path === 'sparse') sparse++;
        rows.push(rowOf(id, infoById.get(id), locators.get(id)?.symbol ?? '', outcome.metrics, outcome.changes, outcome.path));
      }
      const rankings = rankRows(rows, rankBy);
      const distributions: Record<string, MetricDistribution> = {};
      for (const metric of SUMMARY_METRICS) distributions[metric] = metricDistribution(rankings.map((r) => r[metric]));
      const summary: PerformanceSummary = {
        runId: run.metadata.runId,
        runDir: run.dir,
        format: run.format,
        analyzedAt: new Date().toISOString(),
        conventions: CONVENTIONS_VERSION,
        costs,
        riskFreeRate: options.riskFreeRate ?? 0,
        periodsPerYear: periods,
        symbols: run.symbols(),
        barCounts: run.metadata.barCounts,
        barRange,
        strategies: {
          total: ids.length, analyzed: rows.length, fromCache: cachedIds.size, computed: rows.length - [...cachedIds].filter((id) => outcomes.get(id)?.ok).length,
          failed: failures.length, sparse, dense: rows.length - sparse,
        },
        classifiers: run.classifierIds().length,
        rankBy,
        best: bestOf(rankings, rankBy),
        distributions,
        failures,
        warnings,
        elapsedMs: 0,
        timings,
      };
      removeStaleTempFiles(`${outDir}/${RUN_LAYOUT.summary}`);
      writeRankings(outDir, summary.rankBy, rankings);
      // (ranking, the rankings files; the summary and metadata files written after are not counted)
      endPhase('writeMs');
      summary.elapsedMs = performance.now() - started;
      for (const phase of Object.keys(timings) as (keyof AnalysisTimings)[]) timings[phase] = Math.round(timings[phase] * 10) / 10;
      const { summaryPath, rankingsPath } = writeSummaryAndMetadata(run, outDir, summary);
      recordAnalysisState(run, outDir, conventions, rankBy, summary, traceKeys);
      this.emit('analysis-ready', { runDir: run.dir, summaryPath, rankingsPath });
      return { summary, rankings, outDir, summaryPath, rankingsPath, reusedAnalysis: false };
    } finally {
      await job?.release();
    }
  }

  /** Completes analyzeRun from a re-used analysis: events, re-ranking if rankBy changed, a fresh summary. */
  private finishReused(
    run: RunHandle, outDir: string, reused: ReusedAnalysis, conventions: AnalysisConventions, rankBy: RankMetric, started: number,
  ): AnalysisResult {
    for (const w of reused.summary.warnings ?? []) this.emit('warning', w);
    const rankings = reused.rankBy === rankBy ? reused.rankings : rankRows(reused.rankings.map(({ rank: _rank, ...row }) => row), rankBy);
    for (const row of rankings) this.emit('strategy-done', { id: row.id, cached: true, metrics: row });
    const total = run.strategyIds().length;
    this.emit('progress', { phase: 'analyze', done: total, total, elapsedMs: performance.now() - started });
    const { timings: _previousTimings, ...previous } = reused.summary; // (no phases ran: no timings)
    const summary: PerformanceSummary = {
      ...previous,
      analyzedAt: new Date().toISOString(),
      symbols: run.symbols(),
      barCounts: run.metadata.barCounts,
      strategies: { ...previous.strategies, fromCache: previous.strategies.analyzed, computed: 0 },
      classifiers: run.classifierIds().length,
      rankBy,
      best: bestOf(rankings, rankBy),
      elapsedMs: 0,
    };
    summary.elapsedMs = performance.now() - started;
    if (reused.rankBy !== rankBy) writeRankings(outDir, rankBy, rankings);
    const { summaryPath, rankingsPath } = writeSummaryAndMetadata(run, outDir, summary);
    recordAnalysisState(run, outDir, conventions, rankBy, summary, new Map(Object.entries(reused.traceKeys)));
    this.emit('analysis-ready', { runDir: run.dir, summaryPath, rankingsPath });
    return { summary, rankings, outDir, summaryPath, rankingsPath, reusedAnalysis: true };
  }
}

/** The summary's best strategy: the first of the rankings and its value of the ranking metric. */
function bestOf(rankings: readonly RankedStrategyRow[], rankBy: RankMetric): PerformanceSummary['best'] {
  const best = rankings[0];
  return best ? { id: best.id, value: (best as unknown as Record<string, number | null>)[rankBy] ?? null } : null;
}

function rowOf(id: string, info: TraceInfo | undefined, symbol: string, metrics: PerformanceMetrics, changes: number, path: 'sparse' | 'dense'): Omit<RankedStrategyRow, 'rank'> {
  return { id, family: info?.family ?? '', symbol, parameters: info?.parameters ?? {}, changes, path, ...metrics };
}

/** Writes summary/performance_summary.json and, for a native run analyzed in place, the analysis entry of metadata.json. */
function writeSummaryAndMetadata(run: RunHandle, outDir: string, summary: PerformanceSummary): { summaryPath: string; rankingsPath: string } {
  const summaryPath = `${outDir}/${RUN_LAYOUT.summary}/performance_summary.json`;
  const rankingsPath = `${outDir}/${RUN_LAYOUT.summary}/strategy_rankings.json`;
  writeJsonAtomic(summaryPath, summary);
  if (run.format === 'sweeplens' && resolve(outDir) === resolve(run.dir)) {
    const best = summary.best;
    writeJsonAtomic(`${run.dir}/${RUN_LAYOUT.metadata}`, {
      ...run.metadata,
      analysis: {
        analyzedAt: summary.analyzedAt, conventions: summary.conventions, costs: summary.costs, rankBy: summary.rankBy,
        bestStrategy: best?.id ?? null, bestValue: best?.value ?? null, analyzed: summary.strategies.analyzed, failed: summary.strategies.failed,
        files: { summary: 'summary/performance_summary.json', rankings: 'summary/strategy_rankings.json', rankingsTable: 'summary/strategy_rankings.parquet' },
      },
    });
  }
  return { summaryPath, rankingsPath };
}

/** Analyzes a run with a fresh coordinator (see AnalyticsCoordinator.analyzeRun). */
export function analyzeRun(runDir: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  return new AnalyticsCoordinator().analyzeRun(runDir, options);
}
