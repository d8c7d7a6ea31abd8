// Run-level regime analytics: classifier statistics, consensus regimes, per-regime metrics of every
// strategy x classifier in the worker pool, classifier separation ranking; and the option types
// shared with correlateRun (correlate.ts) and optimizeRun (optimizeRun.ts).
import { join } from 'node:path';
import { consensusRegimes, CONSENSUS_TIE_RULE, type ConsensusMode } from '../analytics/consensus.ts';
import { REGIME_METRIC_DEFINITIONS, regimeCodes } from '../analytics/regimeMetrics.ts';
import { classifierStats, regimeReturnBarCounts, UNCLASSIFIED_REGIME, validateRegimeTrace } from '../analytics/regimeStats.ts';
import { riskFreePerBar } from '../analytics/returnMetrics.ts';
import { InputError, SweeplensError } from '../errors.ts';
import type { RegimeOutcome, StrategyJob } from '../engine/messages.ts';
import { buildMarketIndexInPool } from '../engine/marketSetup.ts';
import { allSettledOrThrow, jobPool, type EnginePool } from '../engine/pool.ts';
import { computeRegimeOutcome, shareRegimeCodes } from '../engine/regimeTask.ts';
import { sharedTablesId } from '../engine/sharedViews.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import { writeResultTable } from '../io/resultTables.ts';
import { writeRegimeTrace, type StoredRegimeTrace } from '../io/traces.ts';
import { buildRegimeTables, releaseRegimeTables } from '../kernels/regimes.ts';
import { releaseRegion } from '../kernels/regions.ts';
import { instantiateKernels, type KernelInstance } from '../kernels/runtime.ts';
import { buildMarketIndex, releaseMarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts } from '../types.ts';
import {
  REGIME_OUTPUTS_VERSION, type ClassifierSeparation, type ClassifierStats, type ConsensusInfo, type RegimePerformanceFile, type RegimeSummaryFile,
} from './outputs.ts';
import type { ProgressEvent } from './events.ts';
import type { RankMetric } from './rankings.ts';
import { planBatches, strategyJobWork } from './batches.ts';
import { RegimeRows } from './regimeRows.ts';
import { checkCount, openContext, metricOptionsFor, onlySymbol } from './runContext.ts';

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
  /** Told when the run is analyzed first, or again under these conventions (the CLI prints it on stderr). */
  onNotice?: (message: string) => void;
  /**
   * Told of the progress of the long phases: the analysis when the run is analyzed first (phase
   * 'analyze'), then the command's own (analyzeRegimes: phase 'regimes', strategies done of all).
   */
  onProgress?: (event: ProgressEvent) => void;
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

const DEFAULT_TOP = 50;
const DEFAULT_MIN_REGIME_BARS = 30;
const DEFAULT_BATCH_SIZE = 32;

function abortError(): SweeplensError {
  return new SweeplensError('E_ABORTED', 'regime analysis cancelled');
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
 * The rankings come from summary/strategy_rankings.json under outDir; a run without them, or
 * analyzed under other costs or risk-free rate (or P, when given), is analyzed first (analyzeRun with
 * the same costs and conventions, see openAnalyzedRun; `onNotice` is told).
 */
export async function analyzeRegimes(runDir: string, options: RegimeAnalysisOptions = {}): Promise<RegimeAnalysisResult> {
  const started = performance.now();
  const top = checkCount('top', options.top ?? DEFAULT_TOP, 0);
  const minRegimeBars = checkCount('minRegimeBars', options.minRegimeBars ?? DEFAULT_MIN_REGIME_BARS, 1);
  const batchSize = checkCount('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE, 1);
  const { pool, release } = jobPool(options);
  try {
    const ctx = await openContext(runDir, { ...options, ...(pool ? { pool } : {}) });
    const { run, outDir, costs } = ctx;
    const symbol = onlySymbol(run);
    const bars = await run.readMarketSeries(symbol);
    const n = bars.tsMs.length;
    const metricOptions = metricOptionsFor(bars.tsMs, options, ctx, symbol);

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
    const indexOptions = { riskFreePerBar: rf, source: `${run.dir} (${symbol} bars)` };
    const market = pool ? await buildMarketIndexInPool(bars, costs, pool, indexOptions) : buildMarketIndex(bars, costs, instance, indexOptions);
    const tables = buildRegimeTables(market, rf, instance);
    const codes = classifiers.map(regimeCodes);
    const labels = classifiers.map((c) => c.labels);
    const changes = new Map(run.scan().strategies.map((info) => [info.id, info.changes]));
    const jobs: StrategyJob[] = ctx.rankedIds.map((id) => {
      const job: StrategyJob = { id, locator: run.signalLocator(id) };
      const rows = changes.get(id);
      if (rows !== undefined) job.rows = rows;
      return job;
    });
    const rows = new RegimeRows(classifierIds, new Set(ctx.rankedIds.slice(0, top)), minRegimeBars);
    let done = 0;
    /** Reports `more` strategies done (every one when classifiers exist; at most one event per 16 on the calling thread). */
    const progress = (more: number) => {
      const before = done;
      done += more;
      if (options.onProgress && (more > 1 || done === jobs.length || (done >> 4) !== (before >> 4))) {
        options.onProgress({ phase: 'regimes', done, total: jobs.length, elapsedMs: performance.now() - started });
      }
    };
    try {
      if (classifiers.length > 0) {
        if (pool) {
          const stamp = sharedTablesId(`${run.dir}#${symbol}`);
          const { shared, region } = shareRegimeCodes(instance.memory, codes, labels);
          try {
            const marketRef = { marketId: `${stamp}#market`, kind: 'index' as const, layout: pool.share(market) };
            const tablesRef = { id: `${stamp}#tables`, layout: pool.share(tables) };
            const codesRef = { id: `${stamp}#codes`, layout: pool.share(shared) };
            // Batches of equal rows (a strategy's work grows with its changes), in job order, a multiple
            // of the workers: a run of few strategies that differ in changes no longer leaves one
            // worker computing alone at the end.
            const batches = planBatches(jobs, batchSize, pool.workers, strategyJobWork);
            await allSettledOrThrow(batches.map(async (strategies, at) => {
              const batch = await pool.run<RegimeOutcome[]>({
                kind: 'regime-metrics', market: marketRef, tables: tablesRef, classifiers: codesRef, costs, options: metricOptions, strategies,
              }, options.signal);
              rows.addBatch(at, batch);
              progress(batch.length);
            }));
          } finally {
            releaseRegion(instance.memory, region);
          }
        } else {
          for (const job of jobs) {
            if (options.signal?.aborted) throw abortError();
            rows.add(computeRegimeOutcome(job, market, tables, { codes, labels }, costs, metricOptions));
            progress(1);
          }
        }
      }
    } finally {
      // (every task has settled: nothing reads these tables any more)
      releaseRegimeTables(tables, instance);
      releaseMarketIndex(market);
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

    const performanceRelative = `${RUN_LAYOUT.analytics}/regime_performance.parquet`;
    const performanceTablePath = join(outDir, performanceRelative);
    if (rows.rows > 0) writeResultTable(performanceTablePath, rows.columns(), { metadata: { 'sweeplens:version': REGIME_OUTPUTS_VERSION } });
    const { strategies, denseFallbacks, failures } = rows;
    const performanceFile: RegimePerformanceFile = {
      version: REGIME_OUTPUTS_VERSION, runId: run.metadata.runId, generatedAt, costs, riskFreeRate: ctx.riskFreeRate,
      periodsPerYear: { [symbol]: metricOptions.periodsPerYear }, definitions: REGIME_METRIC_DEFINITIONS, classifiers: classifierBars,
      strategyIds: ctx.rankedIds.filter((id) => id in strategies), totalStrategies: rows.count - failures.length, strategies,
      table: performanceRelative, denseFallbacks, failures,
    };
    const performancePath = join(outDir, RUN_LAYOUT.analytics, 'regime_performance.json');
    writeJsonAtomic(performancePath, performanceFile);

    // 4. separation ranking
    const scored = classifiers.map((_, c) => ({ classifier: classifierIds[c]!, ...rows.separation(c) }));
    scored.sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || (a.classifier < b.classifier ? -1 : 1));
    const separation: ClassifierSeparation[] = scored.map((s, i) => ({ rank: i + 1, ...s }));
    const summary: RegimeSummaryFile = {
      version: REGIME_OUTPUTS_VERSION, runId: run.metadata.runId, runDir: run.dir, generatedAt,
      timing: 'regime of R_t is state_{t-1}; forward fill', classifiers: stats, separation,
      bestClassifier: separation[0]?.score != null ? separation[0].classifier : null,
      separationStrategies: rows.count - failures.length, minRegimeBars, consensus, elapsedMs: 0,
    };
    summary.elapsedMs = performance.now() - started;
    const summaryPath = join(outDir, RUN_LAYOUT.summary, 'regime_summary.json');
    writeJsonAtomic(summaryPath, summary);
    return { summary, performance: performanceFile, outDir, summaryPath, performancePath, performanceTablePath, transitionsPaths, consensusPath };
  } finally {
    await release();
  }
}
