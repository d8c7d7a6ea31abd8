import { workerData } from 'piscina';
import { denseStrategyMetrics } from '../analytics/denseMetrics.ts';
import { instantiateKernels, useKernels } from '../kernels/runtime.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { EngineTask, StrategyMetricsTask, StrategyOutcome, WorkerBootData, SharedMarketRef } from './messages.ts';
import { rehydrateViews } from './sharedViews.ts';
import { loadStrategyTrace } from './traceLoader.ts';

// One kernel instance per worker, over the pool's shared memory; its arena is this worker's scratch.
const boot = workerData as WorkerBootData;
const instance = instantiateKernels(boot.memory, boot.module);
useKernels(instance);

const markets = new Map<string, unknown>();

function marketFor(ref: SharedMarketRef): unknown {
  let market = markets.get(ref.marketId);
  if (!market) {
    market = { ...rehydrateViews<object>(ref.layout, boot.memory), instance };
    markets.set(ref.marketId, market);
  }
  return market;
}

function runStrategyMetrics(task: StrategyMetricsTask): StrategyOutcome[] {
  const market = marketFor(task.market) as DenseMarket;
  return task.strategies.map((job): StrategyOutcome => {
    try {
      const trace = loadStrategyTrace(job);
      const metrics = denseStrategyMetrics(market, trace.trace, task.costs, task.options);
      return { id: job.id, ok: true, metrics, changes: trace.trace.idx.length, contentHash: trace.contentHash, path: 'dense' };
    } catch (error) {
      return { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** Entry point Piscina calls (`name: 'runTask'`). */
export function runTask(task: EngineTask): StrategyOutcome[] {
  switch (task.kind) {
    case 'strategy-metrics':
      return runStrategyMetrics(task);
  }
}
