import { workerData } from 'piscina';
import { instantiateKernels, useKernels } from '../kernels/runtime.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { EngineTask, SharedMarketRef, StrategyMetricsTask, StrategyOutcome, WorkerBootData } from './messages.ts';
import { rehydrateViews } from './sharedViews.ts';
import { computeStrategyOutcome } from './strategyTask.ts';

// One kernel instance per worker, over the pool's shared memory; its arena is this worker's scratch.
const boot = workerData as WorkerBootData;
const instance = instantiateKernels(boot.memory, boot.module);
useKernels(instance);

const markets = new Map<string, DenseMarket>();

/** The market tables of a task, rebuilt once per worker as views over the shared memory (no copy). */
function marketFor(ref: SharedMarketRef): DenseMarket {
  let market = markets.get(ref.marketId);
  if (!market) {
    market = { ...rehydrateViews<DenseMarket>(ref.layout, boot.memory), instance };
    markets.set(ref.marketId, market);
  }
  return market;
}

function runStrategyMetrics(task: StrategyMetricsTask): StrategyOutcome[] {
  const market = marketFor(task.market);
  return task.strategies.map((job) => computeStrategyOutcome(job, market, task.market.kind, task.costs, task.options, task.path));
}

/** Entry point Piscina calls (`name: 'runTask'`). */
export function runTask(task: EngineTask): StrategyOutcome[] {
  switch (task.kind) {
    case 'strategy-metrics':
      return runStrategyMetrics(task);
  }
}
