// The strategy table of the report: every analyzed strategy's metrics as rows (sorted and filtered
// in the page by pageScript.ts).
import type { RankedStrategyRow } from '../coordinator/rankings.ts';
import { roundSignificant } from './downsample.ts';
import { finiteOrNull, parametersText } from './format.ts';
import type { StrategyTable, TableColumn } from './model.ts';

type NumericField = 'sharpeRatio' | 'grossSharpe' | 'sortinoRatio' | 'calmarRatio' | 'totalReturn' | 'annualizedReturn' | 'grossReturn' | 'volatility'
  | 'maxDrawdown' | 'winRate' | 'profitFactor' | 'tradeCount' | 'exposure' | 'totalCosts' | 'avgTradeDurationBars';

const METRIC_COLUMNS: { field: NumericField; label: string; kind: TableColumn['kind'] }[] = [
  { field: 'sharpeRatio', label: 'Sharpe', kind: 'ratio' },
  { field: 'grossSharpe', label: 'gross Sharpe', kind: 'ratio' },
  { field: 'sortinoRatio', label: 'Sortino', kind: 'ratio' },
  { field: 'totalReturn', label: 'total return', kind: 'percent' },
  { field: 'annualizedReturn', label: 'CAGR', kind: 'percent' },
  { field: 'grossReturn', label: 'gross return', kind: 'percent' },
  { field: 'volatility', label: 'volatility', kind: 'percent' },
  { field: 'maxDrawdown', label: 'max DD', kind: 'percent' },
  { field: 'calmarRatio', label: 'Calmar', kind: 'ratio' },
  { field: 'winRate', label: 'win rate', kind: 'percent' },
  { field: 'profitFactor', label: 'profit factor', kind: 'ratio' },
  { field: 'tradeCount', label: 'trades', kind: 'integer' },
  { field: 'avgTradeDurationBars', label: 'avg bars/trade', kind: 'ratio' },
  { field: 'exposure', label: 'exposure', kind: 'percent' },
  { field: 'totalCosts', label: 'costs', kind: 'percent' },
];

function numeric(value: number | null | undefined): number | null {
  const finite = finiteOrNull(value);
  return finite === null ? null : roundSignificant(finite);
}

/**
 * Builds the table (first sorted by rank): rank, id, family, symbol, parameters, then the metrics (fractions stay
 * fractions; the page shows them as percents), plus DSR/PSR when the rankings or
 * analytics/overfitting.json have them (`deflated` maps id -> {dsr, psr}).
 */
export function strategyTable(rankings: RankedStrategyRow[], deflated?: Map<string, { dsr: number | null; psr: number | null }>): StrategyTable {
  const hasDsr = rankings.some((r) => r.deflatedSharpe !== undefined) || (deflated !== undefined && deflated.size > 0);
  const columns: TableColumn[] = [
    { key: 'rank', label: '#', kind: 'integer' },
    { key: 'id', label: 'strategy', kind: 'text' },
    { key: 'family', label: 'family', kind: 'text' },
    { key: 'symbol', label: 'symbol', kind: 'text' },
    { key: 'parameters', label: 'parameters', kind: 'text' },
    ...METRIC_COLUMNS.map((c) => ({ key: c.field, label: c.label, kind: c.kind })),
  ];
  if (hasDsr) columns.push({ key: 'deflatedSharpe', label: 'DSR', kind: 'ratio' }, { key: 'probabilisticSharpe', label: 'PSR', kind: 'ratio' });
  const rows = rankings.map((r) => {
    const row: (string | number | null)[] = [r.rank, r.id, r.family, r.symbol, parametersText(r.parameters), ...METRIC_COLUMNS.map((c) => numeric(r[c.field]))];
    if (hasDsr) {
      const external = deflated?.get(r.id);
      row.push(numeric(r.deflatedSharpe ?? external?.dsr), numeric(r.probabilisticSharpe ?? external?.psr));
    }
    return row;
  });
  // Rank order is the rankings' order (best first by the analysis's --rank-by metric).
  return { columns, rows, sortKey: 'rank', sortDescending: false };
}
