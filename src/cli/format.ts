// Plain-text formatting helpers of the CLI: aligned tables and metric values.
import type { PerformanceMetrics } from '../types.ts';

/** How a metric value is shown in a table. */
export type ValueKind = 'percent' | 'ratio' | 'count' | 'bars';

/** One metric row of a table: the PerformanceMetrics field, its label and how to format it. */
export interface MetricRow {
  field: keyof PerformanceMetrics;
  label: string;
  kind: ValueKind;
}

/** Rows shared by every metrics table: return and risk. */
export const RETURN_RISK_ROWS: readonly MetricRow[] = [
  { field: 'bars', label: 'bars', kind: 'count' },
  { field: 'totalReturn', label: 'total return', kind: 'percent' },
  { field: 'annualizedReturn', label: 'annualized return (CAGR)', kind: 'percent' },
  { field: 'volatility', label: 'volatility (annualized)', kind: 'percent' },
  { field: 'sharpeRatio', label: 'Sharpe ratio', kind: 'ratio' },
  { field: 'sortinoRatio', label: 'Sortino ratio', kind: 'ratio' },
  { field: 'maxDrawdown', label: 'max drawdown', kind: 'percent' },
  { field: 'calmarRatio', label: 'Calmar ratio', kind: 'ratio' },
];

/** Win/loss rows (per bar for a plain return series, per trade for a strategy). */
export const WIN_LOSS_ROWS: readonly MetricRow[] = [
  { field: 'winRate', label: 'win rate', kind: 'percent' },
  { field: 'profitFactor', label: 'profit factor', kind: 'ratio' },
  { field: 'avgWin', label: 'average win', kind: 'percent' },
  { field: 'avgLoss', label: 'average loss', kind: 'percent' },
  { field: 'largestWin', label: 'largest win', kind: 'percent' },
  { field: 'largestLoss', label: 'largest loss', kind: 'percent' },
];

/** Rows that only mean something for a strategy with positions and costs. */
export const STRATEGY_ROWS: readonly MetricRow[] = [
  { field: 'tradeCount', label: 'trades', kind: 'count' },
  { field: 'exposure', label: 'exposure', kind: 'percent' },
  { field: 'avgTradeDurationBars', label: 'average trade (bars)', kind: 'bars' },
  { field: 'grossReturn', label: 'gross return', kind: 'percent' },
  { field: 'netReturn', label: 'net return', kind: 'percent' },
  { field: 'totalCosts', label: 'total costs', kind: 'percent' },
  { field: 'costPerTrade', label: 'cost per trade', kind: 'percent' },
  { field: 'grossSharpe', label: 'gross Sharpe', kind: 'ratio' },
  { field: 'netSharpe', label: 'net Sharpe', kind: 'ratio' },
];

/** Text shown for a metric that is undefined (null). */
export const MISSING_VALUE = 'n/a';

/**
 * Formats one value: percent with 2 decimals ("12.34%"), ratio with 3 decimals, count as an
 * integer with thousands separators, bars with 1 decimal; null as "n/a".
 */
export function formatValue(value: number | null | undefined, kind: ValueKind): string {
  if (value === null || value === undefined || Number.isNaN(value)) return MISSING_VALUE;
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  switch (kind) {
    case 'percent':
      return `${(value * 100).toFixed(2)}%`;
    case 'ratio':
      return value.toFixed(3);
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'bars':
      return value.toFixed(1);
  }
}

/** Column alignment of a text table. */
export type Align = 'left' | 'right';

/**
 * Renders rows of cells as an aligned plain-text table: a header, a dashed rule, then the rows.
 * `align` gives each column's alignment (default: first left, others right).
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = header.map((cell, c) => Math.max(cell.length, ...rows.map((row) => (row[c] ?? '').length)));
  const alignment = (c: number): Align => align?.[c] ?? (c === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]) => cells
    .map((cell, c) => (alignment(c) === 'left' ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
    .join('  ')
    .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A metrics table: one row per metric, one column per named series. */
export function renderMetricsTable(
  firstHeader: string, named: readonly { name: string; metrics: PerformanceMetrics }[], metricRows: readonly MetricRow[],
): string {
  const header = [firstHeader, ...named.map((entry) => entry.name)];
  const rows = metricRows.map((row) => [row.label, ...named.map((entry) => formatValue(entry.metrics[row.field], row.kind))]);
  return renderTable(header, rows);
}

/** Compact number for throughput: 1234567 -> "1.23M", 12345 -> "12.3k". */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(1);
}
