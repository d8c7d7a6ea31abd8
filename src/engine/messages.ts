import type { MetricOptions } from '../analytics/metricOptions.ts';
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';
import type { ViewLayout } from './sharedViews.ts';

/** Data the pool hands every worker once, at start-up (structured-clone safe). */
export interface WorkerBootData {
  /** The shared kernel memory holding the market tables; each worker claims its own scratch in it. */
  memory: WebAssembly.Memory;
  /** The compiled kernels (compiled once on the main thread). */
  module: WebAssembly.Module;
}

/** Market tables of one symbol in shared memory, described by offsets (see sharedViews.ts). */
export interface SharedMarketRef {
  /** Identifies the market so a worker rehydrates it once and caches the views. */
  marketId: string;
  /** 'dense': a DenseMarket; 'index': a MarketIndex. */
  kind: 'dense' | 'index';
  layout: ViewLayout;
}

/** One strategy of a batch: its id and the trace file the worker reads itself. */
export interface StrategyJob {
  id: string;
  /** Path of the signal trace Parquet file. */
  tracePath: string;
  /** Added to every idx of the trace (e.g. -1 for ADMF-PC's 1-based traces); default 0. */
  idxOffset?: number;
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
}

/** Outcome of one strategy: metrics, or the error that stopped it (the batch goes on). */
export type StrategyOutcome =
  | { id: string; ok: true; metrics: PerformanceMetrics; changes: number; contentHash: string; path: 'sparse' | 'dense' }
  | { id: string; ok: false; error: string };

/** Every task a worker accepts. */
export type EngineTask = StrategyMetricsTask;
