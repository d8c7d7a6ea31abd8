// The per-strategy unit of the 'regime-metrics' task, shared by the pool's workers and the inline
// (main-thread) mode.
import type { MetricOptions } from '../analytics/metricOptions.ts';
import { regimeMetricsForCodes } from '../analytics/regimeMetrics.ts';
import { readSignalAt } from '../io/traceLocator.ts';
import type { RegimeTables } from '../kernels/regimes.ts';
import { claimRegion, type KernelRegion } from '../kernels/regions.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { ExecutionCosts } from '../types.ts';
import type { RegimeMetricsTask, RegimeOutcome, SharedRegimeCodes, StrategyJob } from './messages.ts';
import { cachedViews, rehydrateViews } from './sharedViews.ts';

/**
 * Reads one strategy's trace and computes its per-regime metrics for every classifier (sparse
 * where exact, dense otherwise). Errors become the strategy's outcome; the scratch is released.
 */
export function computeRegimeOutcome(
  job: StrategyJob, market: DenseMarket, tables: RegimeTables, classifiers: SharedRegimeCodes, costs: ExecutionCosts, options: MetricOptions,
): RegimeOutcome {
  const arena = market.instance.arena;
  const mark = arena.mark();
  try {
    const trace = readSignalAt(job.locator);
    let path: 'sparse' | 'dense' = 'sparse';
    let fallbackReason: string | undefined;
    const entries = regimeMetricsForCodes(market, tables, trace, classifiers.codes, classifiers.labels, costs, options, (chosen, reason) => {
      path = chosen;
      fallbackReason = reason;
    });
    return { id: job.id, ok: true, path, ...(fallbackReason !== undefined ? { fallbackReason } : {}), entries };
  } catch (error) {
    return { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    arena.release(mark);
  }
}

const tableCache = new Map<string, RegimeTables>();
const codeCache = new Map<string, SharedRegimeCodes>();

/** Worker side of a 'regime-metrics' task: rehydrates the shared tables and codes once per id. */
export function runRegimeMetricsTask(task: RegimeMetricsTask, market: DenseMarket, memory: WebAssembly.Memory): RegimeOutcome[] {
  const tables = cachedViews(tableCache, task.tables.id, () => rehydrateViews<RegimeTables>(task.tables.layout, memory));
  const codes = cachedViews(codeCache, task.classifiers.id, () => rehydrateViews<SharedRegimeCodes>(task.classifiers.layout, memory));
  return task.strategies.map((job) => computeRegimeOutcome(job, market, tables, codes, task.costs, task.options));
}

/**
 * Copies classifier change lists into a region of the pool's shared kernel memory (claimRegion; the
 * caller releases it when the job is done, like the market tables) so tasks carry them by offset.
 */
export function shareRegimeCodes(
  memory: WebAssembly.Memory, codes: readonly { idx: Int32Array; state: Int32Array; regimes: number }[], labels: readonly (readonly string[])[],
): { shared: SharedRegimeCodes; region: KernelRegion } {
  const bytes = codes.reduce((sum, c) => sum + 8 * c.idx.length + 64, 64);
  const region = claimRegion(memory, bytes);
  let offset = region.base;
  const place = (source: Int32Array): Int32Array => {
    const view = new Int32Array(memory.buffer, offset, source.length);
    view.set(source);
    offset += Math.ceil((4 * source.length) / 16) * 16;
    return view;
  };
  return { shared: { codes: codes.map((c) => ({ idx: place(c.idx), state: place(c.state), regimes: c.regimes })), labels: labels.map((l) => [...l]) }, region };
}
