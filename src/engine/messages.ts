import type { MarketIndexStep, MarketIndexTables } from '../market/marketIndex.ts';
import type { MetricOptions } from '../analytics/metricOptions.ts';
import type { RegimeMetricsEntry } from '../analytics/regimeMetrics.ts';
import type { PboMetric } from '../kernels/pbo.ts';
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';
import type { TraceLocator } from '../io/traceLocator.ts';
import type { ViewLayout } from './sharedViews.ts';

/** Data the pool hands every worker once, at start-up (structured-clone safe). */
export interface WorkerBootData {
  /** The shared kernel memory holding the market tables; each worker claims its own scratch in it. */
  memory: WebAssembly.Memory;
  /** The compiled kernels (compiled once on the main thread). */
  module: WebAssembly.Module;
  /** parquet-wasm, compiled once on the main thread (workers share its compiled code). */
  parquetModule: WebAssembly.Module;
}

/** Market tables of one symbol in shared memory, described by offsets (see sharedViews.ts). */
export interface SharedMarketRef {
  /** Identifies the market so a worker rehydrates it once and caches the views. */
  marketId: string;
  /** 'dense': a DenseMarket; 'index': a MarketIndex. */
  kind: 'dense' | 'index';
  layout: ViewLayout;
}

/** One strategy of a batch: its id and where its trace is (the worker reads it itself). */
export interface StrategyJob {
  id: string;
  locator: TraceLocator;
  /**
   * Rows (changes) of the trace as the run's metadata scan found them: a worker sizes its trace
   * buffer for a batch from these before reading it. Only a hint (a wrong one costs a copy).
   */
  rows?: number;
  /**
   * A cached result under the same conventions whose trace file changed size or time: it is the
   * outcome if the trace read now has this content hash and change count (nothing is computed).
   */
  cached?: { contentHash: string; changes: number; metrics: PerformanceMetrics; path: 'sparse' | 'dense'; computedAt: string };
}

/** Task: metrics (net and gross of costs) for a batch of strategies on one market. */
export interface StrategyMetricsTask {
  kind: 'strategy-metrics';
  market: SharedMarketRef;
  costs: ExecutionCosts;
  options: MetricOptions;
  /** 'auto' (default): sparse where exact, dense otherwise. */
  path?: 'auto' | 'sparse' | 'dense';
  strategies: StrategyJob[];
  /** When set, the worker writes each strategy's performance.json cache under this output directory. */
  cacheOutDir?: string;
}

/** Outcome of one strategy: metrics, or the error that stopped it (the batch goes on). */
export type StrategyOutcome =
  | {
    id: string; ok: true; metrics: PerformanceMetrics; changes: number;
    /** traceContentHash of the trace data (the cache key's content part). */
    contentHash: string;
    /** Which metric path ran; `fallbackReason` says why the dense one was needed. */
    path: 'sparse' | 'dense'; fallbackReason?: string;
    /** True when the job's cached result stood (same content hash): taken, not computed. */
    fromCache?: true;
  }
  | { id: string; ok: false; error: string };

/** One strategy whose dense net returns go into column `column` of a shared matrix. */
export interface DenseReturnsJob {
  id: string;
  locator: TraceLocator;
  column: number;
}

/**
 * Task: dense per-bar net returns (minus `riskFreePerBar`) of a batch of strategies, written into
 * columns of a column-major T×N Float64Array in shared memory (`matrix`, a ViewRef layout).
 */
export interface DenseReturnsTask {
  kind: 'dense-returns';
  market: SharedMarketRef;
  costs: ExecutionCosts;
  options: MetricOptions;
  riskFreePerBar: number;
  matrix: ViewLayout;
  jobs: DenseReturnsJob[];
}

/** Outcome of one dense-returns job (the column is written when ok). */
export type DenseReturnsOutcome = { id: string; ok: true } | { id: string; ok: false; error: string };

/**
 * Task: CSCV splits [splitStart, splitEnd) of `masks` evaluated from block sums (pboSplits); `sums`
 * (a PboBlockSums) and `masks` (Int32Array) are ViewRef layouts in shared memory.
 */
export interface PboSplitsTask {
  kind: 'pbo-splits';
  sums: ViewLayout;
  masks: ViewLayout;
  splitStart: number;
  /** Exclusive. */
  splitEnd: number;
  metric: PboMetric;
}

/**
 * Task: per-regime metrics of a batch of strategies against every classifier of the run. The
 * market (a MarketIndex, for the dense fallback), the regime tables (RegimeTables) and the
 * classifiers' change lists (SharedRegimeCodes) are ViewRef layouts in shared memory, each
 * rehydrated once per worker and cached under its id.
 */
export interface RegimeMetricsTask {
  kind: 'regime-metrics';
  market: SharedMarketRef;
  tables: { id: string; layout: ViewLayout };
  classifiers: { id: string; layout: ViewLayout };
  costs: ExecutionCosts;
  options: MetricOptions;
  strategies: StrategyJob[];
}

/** Classifier change lists in shared memory (labels stay on the main thread). */
export interface SharedRegimeCodes {
  codes: { idx: Int32Array; state: Int32Array; regimes: number }[];
  /** Labels per classifier, same order. */
  labels: string[][];
}

/** Outcome of one strategy's per-regime metrics: entries[c] for classifier c, or the error. */
export type RegimeOutcome =
  | { id: string; ok: true; path: 'sparse' | 'dense'; fallbackReason?: string; entries: RegimeMetricsEntry[][] }
  | { id: string; ok: false; error: string };

/**
 * Task: CSCV block sums (pboBlockSums) of columns [columnStart, columnEnd) of a column-major T×N
 * matrix in shared memory (`matrix`, a ViewRef layout of the whole Float64Array).
 */
export interface PboBlockSumsTask {
  kind: 'pbo-block-sums';
  matrix: ViewLayout;
  nBars: number;
  columnStart: number;
  /** Exclusive. */
  columnEnd: number;
  blocks: number;
}

/** Block sums of a column range (arrays strategy-major over the range), or the first non-finite value. */
export type PboBlockSumsOutcome =
  | { ok: true; columnStart: number; centre: Float64Array; sum: Float64Array; squares: Float64Array }
  | { ok: false; message: string; strategy: number; row: number };

/** Task: steps of a market index's build (market/marketIndex.ts), run in order on tables in the shared memory. */
export interface MarketIndexStepsTask {
  kind: 'market-index-steps';
  tables: MarketIndexTables;
  steps: MarketIndexStep[];
}

/** Every task a worker accepts. */
export type EngineTask = StrategyMetricsTask | DenseReturnsTask | PboSplitsTask | PboBlockSumsTask | RegimeMetricsTask | MarketIndexStepsTask;
