// Strategy correlation of a run: the top of the rankings, correlated (change-proportional where
// exact, dense otherwise) and thinned with the greedy diversity filter.
import { join } from 'node:path';
import { correlationFilter, correlationMatrix, sparseCorrelationMatrix, type CorrelationMatrix } from '../analytics/correlation.ts';
import { InputError } from '../errors.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import { writeResultTable, type ResultColumn } from '../io/resultTables.ts';
import type { SignalTrace } from '../types.ts';
import { REGIME_OUTPUTS_VERSION, type CorrelationMatrixFile, type CorrelationRemoval } from './outputs.ts';
import type { RunAnalyticsOptions } from './regimes.ts';
import { DEFAULT_CORRELATION_TOP, checkCount, loadTop, denseReturnMatrix } from './runContext.ts';

/** Options of correlateRun. */
export interface CorrelateOptions extends RunAnalyticsOptions {
  /** Strategies from the top of the rankings; default 50. */
  top?: number;
  /** Greedy filter threshold (signed Pearson correlation); default 0.7. */
  maxCorrelation?: number;
  /** Correlate net (default) or gross returns. */
  returns?: 'net' | 'gross';
}

/** What correlateRun returns. */
export interface CorrelationRunResult {
  file: CorrelationMatrixFile;
  matrix: CorrelationMatrix;
  path: string;
  tablePath: string;
}

const DEFAULT_MAX_CORRELATION = 0.7;

function isUnit(trace: SignalTrace): boolean {
  return trace.signal.every((v) => v === -1 || v === 0 || v === 1);
}

/**
 * Correlation of the top `top` strategies of the rankings (default 50) and the greedy diversity
 * filter (correlationFilter, `maxCorrelation`, default 0.7) -> analytics/correlation_matrix.json and
 * .parquet.
 *
 * Method: the change-proportional sparseCorrelationMatrix (O(K_a + K_b) per pair, from prefix sums
 * of r and r^2) where it is exact -- every position in {-1, 0, 1} and either gross returns asked for
 * or a cost model with zero commission and slippage (then net = gross); otherwise Pearson
 * correlation of the dense per-bar net (or gross) returns. The file records which ran.
 */
export async function correlateRun(runDir: string, options: CorrelateOptions = {}): Promise<CorrelationRunResult> {
  const top = checkCount('top', options.top ?? DEFAULT_CORRELATION_TOP, 1);
  const maxCorrelation = options.maxCorrelation ?? DEFAULT_MAX_CORRELATION;
  if (!(maxCorrelation >= -1 && maxCorrelation <= 1)) throw new InputError(`options.maxCorrelation must be in [-1, 1], got ${maxCorrelation}`);
  const which = options.returns ?? 'net';
  if (which !== 'net' && which !== 'gross') throw new InputError(`options.returns must be 'net' or 'gross', got '${String(which)}'`);
  const loaded = await loadTop(runDir, options, top);
  const costs = loaded.ctx.costs;
  const costless = costs.commissionRate === 0 && (costs.slippageModel === 'linear' ? costs.slippageRate === 0 : costs.impactCoefficient === 0);
  const exact = loaded.traces.every(isUnit) && (which === 'gross' || costless);
  let matrix: CorrelationMatrix;
  if (exact) {
    const bars = await loaded.run.readMarketSeries(loaded.symbol);
    const n = bars.close.length;
    const prefix = new Float64Array(n + 1);
    const squares = new Float64Array(n + 1);
    for (let t = 0; t < n; t++) {
      const r = t === 0 ? 0 : bars.close[t]! / bars.close[t - 1]! - 1;
      prefix[t + 1] = prefix[t]! + r;
      squares[t + 1] = squares[t]! + r * r;
    }
    matrix = sparseCorrelationMatrix(loaded.ids, loaded.traces, prefix, squares);
  } else {
    matrix = correlationMatrix(await denseReturnMatrix(loaded, costs, which));
  }
  const kept = correlationFilter(loaded.ids, matrix, maxCorrelation);
  const n = loaded.ids.length;
  const at = (i: number, j: number) => matrix.values[i * n + j]!;
  const keptSet = new Set(kept);
  const removed: CorrelationRemoval[] = [];
  loaded.ids.forEach((id, i) => {
    if (keptSet.has(id)) return;
    const j = loaded.ids.findIndex((other, jj) => jj < i && keptSet.has(other) && at(i, jj) > maxCorrelation);
    if (j >= 0) removed.push({ id, correlatedWith: loaded.ids[j]!, correlation: at(i, j) });
  });
  const tableRelative = `${RUN_LAYOUT.analytics}/correlation_matrix.parquet`;
  const file: CorrelationMatrixFile = {
    version: REGIME_OUTPUTS_VERSION, runId: loaded.run.metadata.runId, generatedAt: new Date().toISOString(), returns: which,
    method: exact ? 'change-proportional' : 'dense', rankBy: loaded.ctx.rankBy, top: n, ids: loaded.ids,
    matrix: loaded.ids.map((_, i) => loaded.ids.map((__, j) => (Number.isFinite(at(i, j)) ? at(i, j) : null))),
    filter: { maxCorrelation, kept, removed }, table: tableRelative,
  };
  const path = join(loaded.ctx.outDir, RUN_LAYOUT.analytics, 'correlation_matrix.json');
  writeJsonAtomic(path, file);
  const columns: Record<string, ResultColumn> = { id: [...loaded.ids] };
  loaded.ids.forEach((id, j) => { columns[id] = Float64Array.from(loaded.ids, (_, i) => at(i, j)); });
  const tablePath = join(loaded.ctx.outDir, tableRelative);
  writeResultTable(tablePath, columns, { metadata: { 'sweeplens:method': file.method, 'sweeplens:returns': which } });
  return { file, matrix, path, tablePath };
}
