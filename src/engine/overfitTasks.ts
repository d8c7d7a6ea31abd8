// The units of work of the overfitting analysis, shared by the pool's workers and the inline
// (main-thread) mode: (1) dense net return series of strategies written into columns of a T×N
// matrix in kernel memory, (2) a range of CSCV splits evaluated from block sums.
import { denseStrategyMetrics } from '../analytics/denseMetrics.ts';
import type { MetricOptions } from '../analytics/metricOptions.ts';
import { InputError } from '../errors.ts';
import { pboBlockSums, pboSplits, type PboBlockSums, type PboMetric, type PboSplitResults } from '../kernels/pbo.ts';
import type { KernelInstance } from '../kernels/runtime.ts';
import { readSignalAt } from '../io/traceLocator.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { ExecutionCosts } from '../types.ts';
import type { DenseReturnsJob, DenseReturnsOutcome, PboBlockSumsOutcome } from './messages.ts';

/**
 * Reads each job's trace, computes its dense per-bar net returns (denseStrategyMetrics, the
 * reference path) and writes R_net[t] − riskFreePerBar into column `job.column` of `matrix`
 * (column-major, `market.barCount` rows). Errors become that job's outcome; nothing throws.
 * The kernel scratch used is released before returning.
 */
export function writeDenseReturnColumns(
  jobs: readonly DenseReturnsJob[], market: DenseMarket, costs: ExecutionCosts, options: MetricOptions,
  matrix: Float64Array, riskFreePerBar: number,
): DenseReturnsOutcome[] {
  const n = market.barCount;
  return jobs.map((job) => {
    const mark = market.instance.arena.mark();
    try {
      if (!(job.column >= 0 && (job.column + 1) * n <= matrix.length)) {
        throw new Error(`column ${job.column} is outside the ${matrix.length / Math.max(1, n)}-column matrix`);
      }
      const trace = readSignalAt(job.locator);
      const column = matrix.subarray(job.column * n, (job.column + 1) * n);
      denseStrategyMetrics(market, trace, costs, options, (series) => {
        // Copy out inside the callback: the series live in scratch that is released afterwards.
        if (riskFreePerBar === 0) column.set(series.net);
        else for (let t = 0; t < n; t++) column[t] = series.net[t]! - riskFreePerBar;
      });
      return { id: job.id, ok: true } as const;
    } catch (error) {
      return { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) } as const;
    } finally {
      market.instance.arena.release(mark);
    }
  });
}

/** pboSplits over [splitStart, splitEnd) with this thread's (or the given) kernels. */
export function runPboSplitRange(
  sums: PboBlockSums, masks: Int32Array, splitStart: number, splitEnd: number, metric: PboMetric, instance?: KernelInstance,
): PboSplitResults {
  return pboSplits(sums, masks, splitStart, splitEnd, metric, instance);
}

/**
 * Block sums of columns [columnStart, columnEnd) of a column-major matrix (read in place when it is
 * in the instance's memory). Each column's sums depend on that column only, so ranges computed on
 * different threads and concatenated equal the sums of the whole matrix bit for bit. A non-finite
 * value is returned (with its column in the whole matrix), not thrown.
 */
export function runPboBlockSumRange(
  matrix: Float64Array, nBars: number, columnStart: number, columnEnd: number, blocks: number, instance?: KernelInstance,
): PboBlockSumsOutcome {
  const columns = columnEnd - columnStart;
  try {
    const sums = pboBlockSums(matrix.subarray(columnStart * nBars, columnEnd * nBars), nBars, columns, blocks, instance);
    return { ok: true, columnStart, centre: sums.centre, sum: sums.sum, squares: sums.squares };
  } catch (error) {
    if (error instanceof InputError && typeof error.context.strategy === 'number') {
      const strategy = columnStart + error.context.strategy;
      const row = Number(error.context.row);
      return { ok: false, message: `strategy ${strategy}, bar ${row}: return ${matrix[strategy * nBars + row]} is not finite`, strategy, row };
    }
    throw error;
  }
}
