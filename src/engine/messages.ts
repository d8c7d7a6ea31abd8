import type { MetricOptions } from '../analytics/metricOptions.ts';
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';
import type { TraceLocator } from '../io/traceLocator.ts';
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

/** One strategy of a batch: its id and where its trace is (the worker reads it itself). */
export interface StrategyJob {
  id: string;
  locator: TraceLocator;
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
  | {
    id: string; ok: true; metrics: PerformanceMetrics; changes: number;
    /** traceContentHash of the trace data (the cache key's content part). */
    contentHash: string;
    /** Which metric path ran; `fallbackReason` says why the dense one was needed. */
    path: 'sparse' | 'dense'; fallbackReason?: string;
  }
  | { id: string; ok: false; error: string };

/** Every task a worker accepts. */
export type EngineTask = StrategyMetricsTask;
