// Strategy rankings and the run's performance summary, built from per-strategy metrics.
import { InputError } from '../errors.ts';
import type { TraceParameters } from '../io/traceMetadata.ts';
import type { PerformanceMetrics } from '../types.ts';

/** Metrics a ranking may sort by, with their direction. */
export const RANK_METRICS = {
  sharpeRatio: 'desc', sortinoRatio: 'desc', calmarRatio: 'desc', totalReturn: 'desc', annualizedReturn: 'desc',
  netReturn: 'desc', grossReturn: 'desc', grossSharpe: 'desc', netSharpe: 'desc', winRate: 'desc', profitFactor: 'desc',
  maxDrawdown: 'asc', volatility: 'asc', totalCosts: 'asc', deflatedSharpe: 'desc',
} as const;

/** Name of a metric a ranking can sort by. */
export type RankMetric = keyof typeof RANK_METRICS;

/** Checks a --rank-by value; InputError listing the choices. */
export function validateRankMetric(value: string, path = 'options.rankBy'): RankMetric {
  if (!(value in RANK_METRICS)) throw new InputError(`${path} must be one of ${Object.keys(RANK_METRICS).join(', ')}; got '${value}'`);
  return value as RankMetric;
}

/** One strategy's row in the rankings. */
export interface RankedStrategyRow extends PerformanceMetrics {
  rank: number;
  id: string;
  family: string;
  symbol: string;
  parameters: TraceParameters;
  changes: number;
  /** 'sparse' or 'dense': which metric path produced the numbers. */
  path: 'sparse' | 'dense';
  /** Deflated Sharpe ratio (probability the true Sharpe > 0 after the number of trials), when computed. */
  deflatedSharpe?: number | null;
  /** Probabilistic Sharpe ratio against 0, when computed. */
  probabilisticSharpe?: number | null;
}

/** Sorts rows by `metric` (best first; nulls last; ties by id) and numbers them from 1. */
export function rankRows<T extends Omit<RankedStrategyRow, 'rank'>>(rows: T[], metric: RankMetric): (T & { rank: number })[] {
  const descending = RANK_METRICS[metric] === 'desc';
  const valueOf = (row: T): number | null => {
    const v = (row as unknown as Record<string, number | null | undefined>)[metric];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const sorted = [...rows].sort((a, b) => {
    const va = valueOf(a);
    const vb = valueOf(b);
    if (va === null || vb === null) return va === vb ? (a.id < b.id ? -1 : 1) : va === null ? 1 : -1;
    return (descending ? vb - va : va - vb) || (a.id < b.id ? -1 : 1);
  });
  return sorted.map((row, i) => ({ ...row, rank: i + 1 }));
}

/** Quantiles and a histogram of one metric across strategies (nulls left out). */
export interface MetricDistribution {
  count: number;
  min: number | null;
  p05: number | null;
  p25: number | null;
  median: number | null;
  p75: number | null;
  p95: number | null;
  max: number | null;
  mean: number | null;
  /** Equal-width bins between min and max: `edges` has bins + 1 values, `counts` bins values. */
  histogram: { edges: number[]; counts: number[] };
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** Distribution of a metric over rows; `bins` histogram bins (default 40). */
export function metricDistribution(values: (number | null)[], bins = 40): MetricDistribution {
  const finite = Float64Array.from(values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))).sort();
  const n = finite.length;
  if (n === 0) return { count: 0, min: null, p05: null, p25: null, median: null, p75: null, p95: null, max: null, mean: null, histogram: { edges: [], counts: [] } };
  const min = finite[0]!;
  const max = finite[n - 1]!;
  const width = max > min ? (max - min) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  let sum = 0;
  for (const v of finite) {
    sum += v;
    counts[Math.min(bins - 1, Math.floor((v - min) / width))]! += 1;
  }
  return {
    count: n, min, p05: quantile(finite, 0.05), p25: quantile(finite, 0.25), median: quantile(finite, 0.5), p75: quantile(finite, 0.75),
    p95: quantile(finite, 0.95), max, mean: sum / n,
    histogram: { edges: Array.from({ length: bins + 1 }, (_, i) => min + i * width), counts },
  };
}

/** Metrics whose distribution across strategies the summary reports. */
export const SUMMARY_METRICS = ['sharpeRatio', 'totalReturn', 'annualizedReturn', 'maxDrawdown', 'winRate', 'profitFactor', 'tradeCount', 'totalCosts'] as const;
