// Section "Run": what was analyzed and under which conventions (from performance_summary.json),
// and the overfitting checks when analytics/overfitting.json exists.
import type { PerformanceSummary } from '../coordinator/analyze.ts';
import type { OverfittingReport } from '../coordinator/overfitOutputs.ts';
import { countText, numberText, percentText } from './format.ts';
import type { ReportFact, ReportSection } from './model.ts';

/** The cost model in words, e.g. "commission 10.0 bps + linear slippage 5.0 bps of traded notional". */
export function costModelText(costs: PerformanceSummary['costs']): string {
  const slippage = costs.slippageModel === 'linear'
    ? `linear slippage ${(costs.slippageRate * 1e4).toFixed(1)} bps`
    : `square-root impact k·σ·√(|Δpos|·capital/(close·volume)) with k = ${costs.impactCoefficient}, capital ${countText(costs.capital)}, σ over ${costs.volatilityWindowBars} bars`;
  return `commission ${(costs.commissionRate * 1e4).toFixed(1)} bps + ${slippage} of traded notional, charged at each position change`;
}

/** The run header: ids, symbols and bar ranges, counts, costs and conventions; `available` lists the optional outputs found. */
export function headerSection(summary: PerformanceSummary, available: string[], extraWarnings: string[]): ReportSection {
  const symbols = summary.symbols.map((symbol) => {
    const range = summary.barRange[symbol];
    const count = summary.barCounts[symbol];
    return `${symbol}: ${count !== undefined ? countText(count) : '?'} bars${range?.first ? `, ${range.first} → ${range.last}` : ''}`;
  });
  const periods = Object.entries(summary.periodsPerYear).map(([symbol, p]) => `${symbol}: ${countText(Math.round(p.value))} (${p.source})`);
  const s = summary.strategies;
  const facts: ReportFact[] = [
    { label: 'run', value: `${summary.runId} (${summary.format})` },
    { label: 'directory', value: summary.runDir },
    { label: 'symbols and bars', value: symbols.join('; ') || '–' },
    { label: 'strategies', value: `${countText(s.analyzed)} analyzed of ${countText(s.total)} (${countText(s.failed)} failed; ${countText(s.sparse)} change-proportional, ${countText(s.dense)} dense)` },
    { label: 'classifiers', value: countText(summary.classifiers) },
    { label: 'cost model', value: costModelText(summary.costs) },
    { label: 'annualization P (bars/year)', value: periods.join('; ') || '–' },
    { label: 'risk-free rate', value: percentText(summary.riskFreeRate) },
    { label: 'conventions', value: `${summary.conventions}: a signal at bar t earns the return of bar t+1 (R_t = pos_{t−1}·r_t); Sharpe = mean/std(ddof=1)·√P; drawdowns of compounded net equity` },
    { label: 'ranked by', value: `${summary.rankBy}; best ${summary.best ? `${summary.best.id} (${numberText(summary.best.value, 3)})` : '–'}` },
    { label: 'analyzed at', value: summary.analyzedAt },
    { label: 'optional outputs found', value: available.length > 0 ? available.join(', ') : 'none' },
  ];
  const warnings = [...summary.warnings, ...summary.failures.slice(0, 10).map((f) => `${f.id} failed: ${f.error}`), ...extraWarnings];
  if (summary.failures.length > 10) warnings.push(`... and ${summary.failures.length - 10} more failures (summary/performance_summary.json)`);
  for (const warning of warnings) facts.push({ label: 'warning', value: warning });
  return { id: 'run', title: 'Run', facts, figures: [] };
}

/** Overfitting checks (DSR, PBO) from analytics/overfitting.json, or a placeholder naming `command`. */
export function overfittingSection(report: OverfittingReport | null, runDir: string, command: string): ReportSection {
  const section: ReportSection = { id: 'overfitting', title: 'Overfitting checks', figures: [] };
  if (!report) {
    section.placeholder = `overfitting report not computed yet: run \`${command} ${runDir}\``;
    return section;
  }
  const pbo = report.pbo.run;
  section.facts = [
    { label: 'candidates', value: `${countText(report.candidates.count)} of ${countText(report.candidates.totalStrategies)} strategies on ${report.symbol}` },
    { label: 'deflated Sharpe', value: `${report.dsr.significantAt95} candidates with DSR ≥ 0.95; SR0 = ${numberText(report.dsr.expectedMaximumSharpeAnnualized, 3)} (annualized) from N = ${numberText(report.dsr.trials, 1)} trials (${report.dsr.trialMethod})` },
    { label: 'PBO (all candidates)', value: pbo ? `${percentText(pbo.pbo, 1)} over ${countText(pbo.splits)} CSCV splits; P(loss out of sample) ${percentText(pbo.probabilityOfLoss, 1)}; degradation slope ${numberText(pbo.degradation.slope, 3)}` : '–' },
  ];
  section.tables = [{
    caption: 'PBO within each family',
    columns: ['family', 'candidates', 'PBO', 'P(loss OOS)', 'note'],
    rows: report.pbo.families.map((f) => [f.family, String(f.strategies), f.result ? percentText(f.result.pbo, 1) : '–', f.result ? percentText(f.result.probabilityOfLoss, 1) : '–', f.skippedReason ?? '']),
  }];
  if (pbo && pbo.logitHistogram.counts.length > 0) {
    const { edges, counts } = pbo.logitHistogram;
    section.figures.push({
      id: 'fig-pbo-logits',
      title: 'Logits of the in-sample best strategy\'s out-of-sample rank',
      data: [{ type: 'bar', x: counts.map((_, i) => (edges[i]! + edges[i + 1]!) / 2), y: counts, marker: { color: '#8c564b' }, hovertemplate: 'logit ≈ %{x:.2f}<br>%{y} splits<extra></extra>' }],
      layout: { margin: { l: 60, r: 20, t: 30, b: 50 }, bargap: 0.02, xaxis: { title: { text: 'logit λ (≤ 0: overfit)' } }, yaxis: { title: { text: 'splits' } }, shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: 0, x1: 0, y0: 0, y1: 1, line: { color: '#d62728', dash: 'dash' } }] },
      heightPx: 320,
      note: 'Mass left of 0 is the probability of backtest overfitting (analytics/overfitting.json).',
    });
  }
  return section;
}
