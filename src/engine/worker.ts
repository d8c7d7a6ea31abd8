// A pool worker. Its static imports are the strategy path alone, with no Arrow library (a test checks
// this): loading apache-arrow cost each worker ~150 ms of CPU at start-up, on the cores the main
// thread needs for reading the bars. Regime and overfitting tasks, and the full trace readers (for a
// trace the lean reader declines, and for ADMF-PC workspaces), are imported on first use.
import { workerData } from 'piscina';
import { readLeanSignalColumns, type SignalColumns } from '../io/leanSignalColumns.ts';
import type { TraceLocator } from '../io/traceLocator.ts';
import { useParquetWasmModule } from '../io/parquetWasm.ts';
import { instantiateKernels, useKernels } from '../kernels/runtime.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import { runMarketIndexStep } from '../market/marketIndex.ts';
import type { PboBlockSums, PboSplitResults } from '../kernels/pbo.ts';
import type {
  DenseReturnsOutcome, DenseReturnsTask, EngineTask, MarketIndexStepsTask, PboBlockSumsOutcome, PboBlockSumsTask, PboSplitsTask, RegimeOutcome, SharedMarketRef, StrategyMetricsTask, StrategyOutcome, WorkerBootData,
} from './messages.ts';
import { cachedViews, rehydrateViews } from './sharedViews.ts';
import { computeStrategyOutcomes, TraceReaderUnavailable, writeOutcomeCache, type TraceColumnsReader } from './strategyTask.ts';

// One kernel instance per worker, over the pool's shared memory; its arena is this worker's scratch.
const boot = workerData as WorkerBootData;
const instance = instantiateKernels(boot.memory, boot.module);
useKernels(instance);
useParquetWasmModule(boot.parquetModule);

const markets = new Map<string, DenseMarket>();

/** The market tables of a task, rebuilt once per worker as views over the shared memory (no copy). */
function marketFor(ref: SharedMarketRef): DenseMarket {
  return cachedViews(markets, ref.marketId, () => ({ ...rehydrateViews<DenseMarket>(ref.layout, boot.memory), instance }));
}

/** The full trace reader, once a trace has needed it. */
let fullReader: ((locator: TraceLocator) => SignalColumns) | undefined;

/** The lean reader for plain native traces; the full reader for the rest once loaded (until then TraceReaderUnavailable). */
const readTrace: TraceColumnsReader = (locator, allocate) => {
  if (locator.format === 'sweeplens') {
    const lean = readLeanSignalColumns(locator.file, { barCount: locator.barCount, ...(allocate ? { allocate } : {}) });
    if (lean) return lean;
  }
  if (!fullReader) throw new TraceReaderUnavailable(locator.file);
  return fullReader(locator);
};

async function runStrategyMetrics(task: StrategyMetricsTask): Promise<StrategyOutcome[]> {
  const market = marketFor(task.market);
  const compute = () => computeStrategyOutcomes(task.strategies, market, task.market.kind, task.costs, task.options, task.path ?? 'auto', readTrace);
  let outcomes: StrategyOutcome[];
  try {
    outcomes = compute();
  } catch (error) {
    if (!(error instanceof TraceReaderUnavailable) || fullReader) throw error;
    // the task's strategies again, now with the full reader for the traces the lean one declined
    fullReader = (await import('../io/traceLocator.ts')).readSignalColumnsFully;
    outcomes = compute();
  }
  if (task.cacheOutDir !== undefined) {
    task.strategies.forEach((job, i) => writeOutcomeCache(task.cacheOutDir!, job, outcomes[i]!, task.costs, task.options));
  }
  return outcomes;
}

async function runDenseReturns(task: DenseReturnsTask): Promise<DenseReturnsOutcome[]> {
  const { writeDenseReturnColumns } = await import('./overfitTasks.ts');
  const market = marketFor(task.market);
  const matrix = rehydrateViews<Float64Array>(task.matrix, boot.memory);
  return writeDenseReturnColumns(task.jobs, market, task.costs, task.options, matrix, task.riskFreePerBar);
}

async function runPboSplits(task: PboSplitsTask): Promise<PboSplitResults> {
  const { runPboSplitRange } = await import('./overfitTasks.ts');
  const sums = rehydrateViews<PboBlockSums>(task.sums, boot.memory);
  const masks = rehydrateViews<Int32Array>(task.masks, boot.memory);
  return runPboSplitRange(sums, masks, task.splitStart, task.splitEnd, task.metric, instance);
}

async function runPboBlockSums(task: PboBlockSumsTask): Promise<PboBlockSumsOutcome> {
  const { runPboBlockSumRange } = await import('./overfitTasks.ts');
  const matrix = rehydrateViews<Float64Array>(task.matrix, boot.memory);
  return runPboBlockSumRange(matrix, task.nBars, task.columnStart, task.columnEnd, task.blocks, instance);
}

async function runRegimeMetrics(task: Extract<EngineTask, { kind: 'regime-metrics' }>): Promise<RegimeOutcome[]> {
  const { runRegimeMetricsTask } = await import('./regimeTask.ts');
  return runRegimeMetricsTask(task, marketFor(task.market), boot.memory);
}

async function runMarketIndexSteps(task: MarketIndexStepsTask): Promise<void> {
  for (const step of task.steps) runMarketIndexStep(instance.exports, task.tables, step);
}

/** Entry point Piscina calls (`name: 'runTask'`). */
export function runTask(task: EngineTask): Promise<StrategyOutcome[] | DenseReturnsOutcome[] | PboSplitResults | PboBlockSumsOutcome | RegimeOutcome[] | void> {
  switch (task.kind) {
    case 'market-index-steps':
      return runMarketIndexSteps(task);
    case 'strategy-metrics':
      return runStrategyMetrics(task);
    case 'dense-returns':
      return runDenseReturns(task);
    case 'pbo-splits':
      return runPboSplits(task);
    case 'pbo-block-sums':
      return runPboBlockSums(task);
    case 'regime-metrics':
      return runRegimeMetrics(task);
  }
}
