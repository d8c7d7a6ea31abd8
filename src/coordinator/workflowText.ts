// Plain-word recommendations of the automated workflow report.
import type { RegimeReturnStats } from '../analytics/replay.ts';
import type { SelectionCriteria } from '../analytics/selection.ts';
import type { PerformanceMetrics } from '../types.ts';
import type { WorkflowRunEntry, WorkflowSelection } from './workflow.ts';

/** In-sample figures of a selection: the replayed ensemble over the bars it was fitted on. */
export interface SelectionFigures {
  metrics: PerformanceMetrics;
  /** Per-regime statistics (bar t in regime state_{t-1}); null without a classifier. */
  perRegime: Record<string, RegimeReturnStats> | null;
  bars: number;
  firstTs: string | null;
  lastTs: string | null;
}

const percent = (value: number | null | undefined, digits = 1): string => (typeof value === 'number' ? `${(value * 100).toFixed(digits)} %` : 'n/a');
const ratio = (value: number | null | undefined): string => (typeof value === 'number' ? value.toFixed(2) : 'n/a');

function weightsText(record: Record<string, number> | undefined): string {
  if (!record) return '';
  return Object.entries(record).sort((a, b) => b[1] - a[1]).map(([id, w]) => `${id} ${(w * 100).toFixed(0)} %`).join(', ');
}

/**
 * One recommendation sentence per selection, e.g. "Trade ensemble A (3 strategies) in regime
 * 'calm' only, classifier 'vol_2' of run r1 (SYN): in-sample net Sharpe 1.80, total return 4.2 %,
 * max drawdown 1.1 %, 37 trades, costs 0.8 %. Weights ...". Every figure is in-sample (the bars the
 * weights were fitted on) and says so.
 */
export function describeSelection(s: WorkflowSelection, criteria: SelectionCriteria): string {
  const m = s.inSample.metrics;
  const where = s.tradedRegimes
    ? `in regime${s.tradedRegimes.length > 1 ? 's' : ''} ${s.tradedRegimes.map((l) => `'${l}'`).join(', ')} only (flat otherwise)`
    : s.classifier !== null && s.weights.regimes
      ? `in every regime, with weights switching on the state of classifier '${s.classifier}'`
      : 'in every regime with one set of weights';
  const parts = [
    `Trade ensemble ${s.name} (${s.strategies.length} ${s.strategies.length === 1 ? 'strategy' : 'strategies'}) ${where}; run '${s.runId}', symbol ${s.symbol}${s.classifier !== null && s.tradedRegimes ? `, classifier '${s.classifier}'` : ''}:`,
    `in-sample net Sharpe ${ratio(m.sharpeRatio)} (gross ${ratio(m.grossSharpe)}), total return ${percent(m.totalReturn)}, max drawdown ${percent(m.maxDrawdown)}, ${m.tradeCount} trades, costs ${percent(m.totalCosts, 2)} over ${s.inSample.bars} bars.`,
  ];
  if (s.weights.global) parts.push(`Global weights: ${weightsText(s.weights.global)}.`);
  for (const [label, record] of Object.entries(s.weights.regimes ?? {})) {
    const stats = s.inSample.perRegime?.[label];
    parts.push(`In '${label}': ${weightsText(record)}${stats ? ` (ensemble Sharpe there ${ratio(stats.sharpeRatio)} over ${stats.bars} bars)` : ''}.`);
  }
  const losing = Object.entries(s.inSample.perRegime ?? {}).filter(([label, stats]) => typeof stats.sharpeRatio === 'number' && stats.sharpeRatio < 0 && (!s.tradedRegimes || s.tradedRegimes.includes(label)));
  if (losing.length > 0) parts.push(`Caution: the ensemble lost in ${losing.map(([l, st]) => `'${l}' (Sharpe ${ratio(st.sharpeRatio)})`).join(', ')}.`);
  if (criteria.minSharpe !== null && typeof m.sharpeRatio === 'number' && m.sharpeRatio < criteria.minSharpe) {
    parts.push(`Its net Sharpe is below minSharpe ${criteria.minSharpe}: netting the members' trades did not add up to their stand-alone figures.`);
  }
  parts.push(`These figures are in-sample: replay it on later bars (sweeplens replay <run> --config ${s.configPath} --from <bar or time>) before trading it.`);
  return parts.join(' ');
}

/** Advice when nothing was selected: which criteria removed the strategies. */
export function noSelectionAdvice(runs: WorkflowRunEntry[], rejected: { runId: string; classifier: string | null; reason: string }[], criteria: SelectionCriteria): string[] {
  const totals: Record<string, number> = {};
  for (const run of runs) for (const [key, n] of Object.entries(run.rejections)) totals[key] = (totals[key] ?? 0) + n;
  const analyzed = runs.reduce((sum, r) => sum + r.analyzed, 0);
  const lines = [`No ensemble met the criteria (${runs.length} runs scanned, ${analyzed} strategies analyzed).`];
  const ordered = Object.entries(totals).sort((a, b) => b[1] - a[1]);
  if (ordered.length > 0) lines.push(`Strategies were removed by: ${ordered.map(([k, n]) => `${k} (${n})`).join(', ')}; loosen the most restrictive one to see candidates.`);
  if (criteria.requiredRegimes.length > 0 || criteria.targetRegimes) lines.push('The regime criteria (requiredRegimes / targetRegimes / minRegimePerformance) also need a classifier producing those labels.');
  for (const r of rejected.slice(0, 5)) lines.push(`Ensemble of run '${r.runId}'${r.classifier ? ` with classifier '${r.classifier}'` : ''} could not be built: ${r.reason}`);
  for (const run of runs.filter((r) => r.status === 'skipped' || r.status === 'failed')) lines.push(`Run '${run.id}' ${run.status}: ${run.reason}`);
  return lines;
}
