// Shared by overfitRun and walkForward: their options and what openAnalyzedRun (runContext.ts) is
// given for them, the symbol and conventions of the analysis, and the dense net return series of
// candidate strategies as a T×K column-major matrix in kernel memory (the pool's shared memory when a pool is used, so workers can read it).
import { validateMetricOptions, type MetricOptions } from '../analytics/metricOptions.ts';
import { riskFreePerBar } from '../analytics/returnMetrics.ts';
import { InputError, WorkspaceError } from '../errors.ts';
import type { DenseReturnsJob, DenseReturnsOutcome } from '../engine/messages.ts';
import { writeDenseReturnColumns } from '../engine/overfitTasks.ts';
import type { EnginePool } from '../engine/pool.ts';
import { sharedTablesId } from '../engine/sharedViews.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import type { RunHandle } from '../io/runHandle.ts';
import type { KernelInstance } from '../kernels/runtime.ts';
import { buildDenseMarket } from '../market/denseMarket.ts';
import type { ExecutionCosts } from '../types.ts';
import type { PerformanceSummary } from './analyze.ts';
import type { RankedStrategyRow } from './rankings.ts';
import type { AnalyzedRunOptions } from './runContext.ts';

/** Options shared by the run-level workflows (overfitRun, walkForward). */
export interface RunWorkflowOptions {
  /**
   * Costs to price the candidates with; default those of the run's analysis. When given, a run not
   * analyzed yet is analyzed with them and one analyzed under other costs is analyzed again.
   */
  costs?: Partial<ExecutionCosts>;
  /** P, bars per year; default the analysis's (same rule as `costs`). */
  periodsPerYear?: number;
  /** Annual risk-free rate as a fraction; default the analysis's (same rule as `costs`). */
  riskFreeRate?: number;
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
  /** Told about notable steps: the run being analyzed first or again, and why (the CLI prints it on stderr). */
  onStatus?: (message: string) => void;
}

/** What openAnalyzedRun is given for a run-level workflow: its conventions, resources and status callback (not its rankBy). */
export function workflowAnalysisOptions(options: RunWorkflowOptions, pool: EnginePool | undefined): AnalyzedRunOptions {
  const out: AnalyzedRunOptions = {};
  if (options.costs !== undefined) out.costs = options.costs;
  if (options.periodsPerYear !== undefined) out.periodsPerYear = options.periodsPerYear;
  if (options.riskFreeRate !== undefined) out.riskFreeRate = options.riskFreeRate;
  if (pool) out.pool = pool;
  else if (options.workers !== undefined) out.workers = options.workers;
  if (options.outDir !== undefined) out.outDir = options.outDir;
  if (options.admf) out.admf = options.admf;
  if (options.onStatus) out.onNotice = options.onStatus;
  return out;
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
  const bars = await run.readMarketSeries(symbol);
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
      const marketRef = { marketId: sharedTablesId(`${run.dir}#${symbol}#dense`), kind: 'dense' as const, layout: pool.share(market) };
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
