// summary/strategy_rankings.json and .parquet (the table DuckDB, Polars or pandas open directly).
import { join } from 'node:path';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import { writeResultTable, type ResultColumn } from '../io/resultTables.ts';
import type { PerformanceMetrics } from '../types.ts';
import type { RankedStrategyRow, RankMetric } from './rankings.ts';

/** Metric columns of the rankings table, in order. */
export const RANKING_METRIC_COLUMNS: (keyof PerformanceMetrics)[] = [
  'bars', 'totalReturn', 'annualizedReturn', 'volatility', 'sharpeRatio', 'sortinoRatio', 'maxDrawdown', 'calmarRatio',
  'winRate', 'profitFactor', 'avgWin', 'avgLoss', 'largestWin', 'largestLoss', 'grossReturn', 'netReturn', 'totalCosts',
  'costPerTrade', 'grossSharpe', 'netSharpe', 'tradeCount', 'exposure', 'avgTradeDurationBars',
];

/**
 * Writes the rankings as JSON (every row, best first) and as a Parquet table with one row per
 * strategy: rank, id, family, symbol, parameters (JSON text), changes, path, then every metric as
 * float64 with NaN where the metric is undefined (null in the JSON).
 */
export function writeRankings(outDir: string, rankBy: RankMetric, rankings: RankedStrategyRow[]): void {
  const dir = join(outDir, RUN_LAYOUT.summary);
  writeJsonAtomic(join(dir, 'strategy_rankings.json'), { rankBy, count: rankings.length, strategies: rankings });
  if (rankings.length === 0) return;
  const columns: Record<string, ResultColumn> = {
    rank: Int32Array.from(rankings, (r) => r.rank),
    id: rankings.map((r) => r.id),
    family: rankings.map((r) => r.family),
    symbol: rankings.map((r) => r.symbol),
    parameters: rankings.map((r) => JSON.stringify(r.parameters)),
    changes: Int32Array.from(rankings, (r) => r.changes),
    path: rankings.map((r) => r.path),
  };
  for (const metric of RANKING_METRIC_COLUMNS) columns[metric] = Float64Array.from(rankings, (r) => r[metric] ?? NaN);
  if (rankings.some((r) => r.deflatedSharpe !== undefined)) {
    columns.deflatedSharpe = Float64Array.from(rankings, (r) => r.deflatedSharpe ?? NaN);
    columns.probabilisticSharpe = Float64Array.from(rankings, (r) => r.probabilisticSharpe ?? NaN);
  }
  writeResultTable(join(dir, 'strategy_rankings.parquet'), columns, { metadata: { 'sweeplens:rankBy': rankBy } });
}
