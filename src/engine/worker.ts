import { workerData } from 'piscina';
import { useParquetWasmModule } from '../io/parquetWasm.ts';
import { instantiateKernels, useKernels } from '../kernels/runtime.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { PboBlockSums, PboSplitResults } from '../kernels/pbo.ts';
import type {
  DenseReturnsOutcome, DenseReturnsTask, EngineTask, PboBlockSumsOutcome, PboBlockSumsTask, PboSplitsTask, RegimeOutcome, SharedMarketRef, StrategyMetricsTask, StrategyOutcome, WorkerBootData,
} from './messages.ts';
import { runRegimeMetricsTask } from './regimeTask.ts';
import { runPboBlockSumRange, runPboSplitRange, writeDenseReturnColumns } from './overfitTasks.ts';
import { rehydrateViews } from './sharedViews.ts';
import { computeStrategyOutcomes, writeOutcomeCache } from './strategyTask.ts';

// One kernel instance per worker, over the pool's shared memory; its arena is this worker's scratch.
const boot = workerData as WorkerBootData;
const instance = instantiateKernels(boot.memory, boot.module);
useKernels(instance);
useParquetWasmModule(boot.parquetModule);

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
  // the task's strategies in one batch (tiled kernel), each with its own outcome / error
  const outcomes = computeStrategyOutcomes(task.strategies, market, task.market.kind, task.costs, task.options, task.path);
  if (task.cacheOutDir !== undefined) {
    task.strategies.forEach((job, i) => writeOutcomeCache(task.cacheOutDir!, job, outcomes[i]!, task.costs, task.options));
  }
  return outcomes;
}

function runDenseReturns(task: DenseReturnsTask): DenseReturnsOutcome[] {
  const market = marketFor(task.market);
  const matrix = rehydrateViews<Float64Array>(task.matrix, boot.memory);
  return writeDenseReturnColumns(task.jobs, market, task.costs, task.options, matrix, task.riskFreePerBar);
}

function runPboSplits(task: PboSplitsTask): PboSplitResults {
  const sums = rehydrateViews<PboBlockSums>(task.sums, boot.memory);
  const masks = rehydrateViews<Int32Array>(task.masks, boot.memory);
  return runPboSplitRange(sums, masks, task.splitStart, task.splitEnd, task.metric, instance);
}

function runPboBlockSums(task: PboBlockSumsTask): PboBlockSumsOutcome {
  const matrix = rehydrateViews<Float64Array>(task.matrix, boot.memory);
  return runPboBlockSumRange(matrix, task.nBars, task.columnStart, task.columnEnd, task.blocks, instance);
}

/** Entry point Piscina calls (`name: 'runTask'`). */
export function runTask(task: EngineTask): StrategyOutcome[] | DenseReturnsOutcome[] | PboSplitResults | PboBlockSumsOutcome | RegimeOutcome[] {
  switch (task.kind) {
    case 'strategy-metrics':
      return runStrategyMetrics(task);
    case 'dense-returns':
      return runDenseReturns(task);
    case 'pbo-splits':
      return runPboSplits(task);
    case 'pbo-block-sums':
      return runPboBlockSums(task);
    case 'regime-metrics':
      return runRegimeMetricsTask(task, marketFor(task.market), boot.memory);
  }
}
