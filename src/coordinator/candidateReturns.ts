// Shared by overfitRun and walkForward: the analyzed run (analyzing it first when needed), its
// rankings, and the dense net return series of candidate strategies as a T×K column-major matrix
// in kernel memory (the pool's shared memory when a pool is used, so workers can read it).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateMetricOptions, type MetricOptions } from '../analytics/metricOptions.ts';
import { riskFreePerBar } from '../analytics/returnMetrics.ts';
import { InputError, WorkspaceError } from '../errors.ts';
import type { DenseReturnsJob, DenseReturnsOutcome } from '../engine/messages.ts';
import { writeDenseReturnColumns } from '../engine/overfitTasks.ts';
import type { EnginePool } from '../engine/pool.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { openRun } from '../io/workspace.ts';
import type { KernelInstance } from '../kernels/runtime.ts';
import { buildDenseMarket } from '../market/denseMarket.ts';
import type { ExecutionCosts } from '../types.ts';
import { analyzeRun, type PerformanceSummary } from './analyze.ts';
import type { RankedStrategyRow, RankMetric } from './rankings.ts';

/** An opened, analyzed run. */
export interface AnalyzedRun {
  run: RunHandle;
  /** Where summary/ and analytics/ are (the run, or the analysis's outDir). */
  outDir: string;
  summary: PerformanceSummary;
  rankBy: RankMetric;
  /** Every analyzed strategy, best first by `rankBy`. */
  rankings: RankedStrategyRow[];
  /** True when this call ran the analysis because the run had none. */
  analyzedNow: boolean;
}

/** Options shared by the run-level workflows (overfitRun, walkForward). */
export interface RunWorkflowOptions {
  /** Worker threads; default the machine's parallelism; 0 computes on the calling thread. */
  workers?: number;
  /** An existing pool to use (not destroyed). */
  pool?: EnginePool;
  /** Symbol whose strategies are used; default the only one (InputError when the rankings hold several). */
  symbol?: string;
  /** Where the analysis outputs are and the report goes; default the run directory. */
  outDir?: string;
  /** How to read an ADMF-PC workspace in place. */
  admf?: AdmfOpenOptions;
  /** Told about notable steps, e.g. "not analyzed yet: analyzing first" (the CLI prints it on stderr). */
  onStatus?: (message: string) => void;
}

/** The rankings file's content. */
interface RankingsFile {
  rankBy: RankMetric;
  count: number;
  strategies: RankedStrategyRow[];
}

/** Opens the run and reads its analysis, running analyzeRun first when summary/ has none. */
export async function openAnalyzedRun(runDir: string, options: RunWorkflowOptions): Promise<AnalyzedRun> {
  const run = await openRun(resolve(runDir), options.admf);
  const outDir = resolve(options.outDir ?? run.dir);
  const summaryPath = join(outDir, RUN_LAYOUT.summary, 'performance_summary.json');
  const rankingsPath = join(outDir, RUN_LAYOUT.summary, 'strategy_rankings.json');
  let analyzedNow = false;
  if (!existsSync(summaryPath) || !existsSync(rankingsPath)) {
    options.onStatus?.(`${run.dir}: not analyzed yet; analyzing it first`);
    await analyzeRun(run.dir, {
      outDir, ...(options.pool ? { pool: options.pool } : {}), ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.admf ? { admf: options.admf } : {}),
    });
    analyzedNow = true;
  }
  const summary = readJson<PerformanceSummary>(summaryPath);
  const file = readJson<RankingsFile>(rankingsPath);
  if (!Array.isArray(file.strategies)) throw new WorkspaceError(`${rankingsPath}: no 'strategies' array`, { file: rankingsPath });
  return { run, outDir, summary, rankBy: file.rankBy, rankings: file.strategies, analyzedNow };
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new WorkspaceError(`${path}: cannot read the analysis output: ${(error as Error).message}`, { file: path });
  }
}

/** The symbol to work on: the given one (must have ranked strategies), or the only one of the rankings. */
export function chooseRankedSymbol(rankings: readonly RankedStrategyRow[], symbol: string | undefined): string {
  const symbols = [...new Set(rankings.map((r) => r.symbol))];
  if (symbol !== undefined) {
    if (!symbols.includes(symbol)) throw new InputError(`options.symbol '${symbol}' has no analyzed strategies (symbols: ${symbols.join(', ') || 'none'})`);
    return symbol;
  }
  if (symbols.length === 1) return symbols[0]!;
  if (symbols.length === 0) throw new InputError('the run has no analyzed strategies');
  throw new InputError(`the run's strategies trade ${symbols.length} symbols (${symbols.join(', ')}); choose one with options.symbol (--symbol)`);
}

/** The metric conventions of the analysis for one symbol: costs, P, risk-free rate. */
export interface AnalysisConventions {
  costs: ExecutionCosts;
  periodsPerYear: number;
  riskFreeRate: number;
  metricOptions: MetricOptions;
  /** The per-bar risk-free rate subtracted from the net returns. */
  riskFreePerBar: number;
}

/** Reads the costs, P and risk-free rate the run was analyzed with. */
export function analysisConventions(summary: PerformanceSummary, symbol: string): AnalysisConventions {
  const periodsPerYear = summary.periodsPerYear[symbol]?.value;
  if (periodsPerYear === undefined) throw new WorkspaceError(`the analysis has no periodsPerYear for symbol '${symbol}'; re-run analyze`);
  const riskFreeRate = summary.riskFreeRate ?? 0;
  const metricOptions = validateMetricOptions({ periodsPerYear, riskFreeRate });
  return { costs: summary.costs, periodsPerYear, riskFreeRate, metricOptions, riskFreePerBar: riskFreePerBar(riskFreeRate, periodsPerYear) };
}

/** Dense net returns of the candidates, column-major, in kernel memory. */
export interface CandidateMatrix {
  /** T×K values (views kernel memory; valid until release()). Column j is strategy ids[j]. */
  values: Float64Array;
  bars: number;
  /** Candidates loaded, in the order asked (failed ones removed). */
  ids: string[];
  /** Candidates whose series could not be computed. */
  failures: { id: string; error: string }[];
  /** The kernel instance the matrix lives in. */
  instance: KernelInstance;
  /** Frees the kernel memory (matrix and market tables). */
  release(): void;
}

/** Strategies per dense-returns task. */
const DENSE_BATCH = 16;

/**
 * Computes the dense NET per-bar returns (minus the per-bar risk-free rate) of `ids` (all on
 * `symbol`) into a T×K matrix in kernel memory: on the pool's workers (batches of 16, each worker
 * reading the traces itself and writing its columns into the shared matrix) or on this thread.
 * Strategies that fail are dropped and their columns compacted away. Memory: 8·T·K bytes (1,000
 * strategies × 100,000 bars = 800 MB) plus the market tables.
 */
export async function loadCandidateMatrix(
  run: RunHandle, symbol: string, ids: readonly string[], conventions: AnalysisConventions, pool: EnginePool | undefined, instance: KernelInstance,
): Promise<CandidateMatrix> {
  const bars = await run.readBars(symbol);
  const nBars = bars.tsMs.length;
  const mark = instance.arena.mark();
  let released = false;
  const release = () => {
    if (!released) instance.arena.release(mark);
    released = true;
  };
  try {
    const market = buildDenseMarket(bars, conventions.costs, `${run.dir} (${symbol} bars)`, instance);
    const matrix = instance.arena.f64(nBars * ids.length);
    const jobs: DenseReturnsJob[] = [];
    const outcomes: DenseReturnsOutcome[] = [];
    ids.forEach((id, column) => {
      try {
        jobs.push({ id, locator: run.signalLocator(id), column });
      } catch (error) {
        outcomes.push({ id, ok: false, error: (error as Error).message });
      }
    });
    if (pool) {
      const marketRef = { marketId: `${run.dir}#${symbol}#dense#${Date.now()}#${Math.random()}`, kind: 'dense' as const, layout: pool.share(market) };
      const matrixRef = pool.share(matrix);
      const batches: DenseReturnsJob[][] = [];
      for (let i = 0; i < jobs.length; i += DENSE_BATCH) batches.push(jobs.slice(i, i + DENSE_BATCH));
      const results = await Promise.all(batches.map((batch) => pool.run<DenseReturnsOutcome[]>({
        kind: 'dense-returns', market: marketRef, costs: conventions.costs, options: conventions.metricOptions,
        riskFreePerBar: conventions.riskFreePerBar, matrix: matrixRef, jobs: batch,
      })));
      for (const part of results) outcomes.push(...part);
    } else {
      outcomes.push(...writeDenseReturnColumns(jobs, market, conventions.costs, conventions.metricOptions, matrix, conventions.riskFreePerBar));
    }
    const failed = new Map<string, string>();
    for (const outcome of outcomes) if (!outcome.ok) failed.set(outcome.id, outcome.error);
    // Compact: move the loaded columns left over the failed ones (order kept).
    const loaded: string[] = [];
    ids.forEach((id, column) => {
      if (failed.has(id)) return;
      if (loaded.length !== column) matrix.copyWithin(loaded.length * nBars, column * nBars, (column + 1) * nBars);
      loaded.push(id);
    });
    const values = new Float64Array(instance.memory.buffer, matrix.byteOffset, loaded.length * nBars);
    return {
      values, bars: nBars, ids: loaded, failures: [...failed].map(([id, error]) => ({ id, error })), instance, release,
    };
  } catch (error) {
    release();
    throw error;
  }
}
