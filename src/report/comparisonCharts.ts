// Section "Strategy comparison" (the seed's four panels): Sharpe of the top N, distribution of
// returns over all strategies, drawdowns of the top N, win rate vs profit factor of all strategies.
import type { MetricDistribution, RankedStrategyRow } from '../coordinator/rankings.ts';
import { roundSignificant } from './downsample.ts';
import { finiteOrNull, parametersText, shorten } from './format.ts';
import type { PlotTrace, ReportFigure, ReportSection } from './model.ts';
import { baseLayout, familyColors } from './theme.ts';

/** Hover text of a strategy: id, family and parameters. */
export function strategyHover(row: Pick<RankedStrategyRow, 'id' | 'family' | 'parameters'>): string {
  const parameters = parametersText(row.parameters);
  return `${row.id}<br>${row.family}${parameters ? `: ${parameters}` : ''}`;
}

function rounded(values: (number | null | undefined)[]): (number | null)[] {
  return values.map((v) => {
    const finite = finiteOrNull(v);
    return finite === null ? null : roundSignificant(finite);
  });
}

function topSharpeFigure(top: RankedStrategyRow[]): ReportFigure {
  const labels = top.map((r) => shorten(r.id));
  const hover = top.map(strategyHover);
  return {
    id: 'fig-top-sharpe',
    title: `Sharpe ratio of the top ${top.length}`,
    data: [
      { type: 'bar', name: 'net of costs', x: labels, y: rounded(top.map((r) => r.sharpeRatio)), text: hover, hovertemplate: '%{text}<br>net Sharpe %{y:.3f}<extra></extra>', textposition: 'none', marker: { color: '#1f77b4' } },
      { type: 'bar', name: 'gross', x: labels, y: rounded(top.map((r) => r.grossSharpe)), text: hover, hovertemplate: '%{text}<br>gross Sharpe %{y:.3f}<extra></extra>', textposition: 'none', marker: { color: '#aec7e8' } },
    ],
    layout: baseLayout({ barmode: 'group', xaxis: { tickangle: -35, automargin: true }, yaxis: { title: { text: 'annualized Sharpe ratio' } } }),
    note: 'Annualized Sharpe ratio net and gross of costs (summary/strategy_rankings.json), best first.',
  };
}

function returnDistributionFigure(distribution: MetricDistribution | undefined, top: RankedStrategyRow[]): ReportFigure {
  const data: PlotTrace[] = [];
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  if (distribution && distribution.count > 0) {
    const { edges, counts } = distribution.histogram;
    const centers = counts.map((_, i) => roundSignificant(((edges[i]! + edges[i + 1]!) / 2) * 100));
    const widthPercent = edges.length > 1 ? (edges[1]! - edges[0]!) * 100 : 1;
    data.push({ type: 'bar', name: 'strategies', x: centers, y: counts, width: widthPercent, marker: { color: '#7f7f7f' }, hovertemplate: 'total return ≈ %{x:.2f} %<br>%{y} strategies<extra></extra>' });
    for (const [label, value, dash] of [['median', distribution.median, 'solid'], ['p05', distribution.p05, 'dot'], ['p95', distribution.p95, 'dot']] as const) {
      if (value === null) continue;
      shapes.push({ type: 'line', xref: 'x', yref: 'paper', x0: value * 100, x1: value * 100, y0: 0, y1: 1, line: { color: '#d62728', width: 1.5, dash } });
      annotations.push({ x: value * 100, xref: 'x', y: label === 'median' ? 1 : 0.92, yref: 'paper', text: `${label} ${(value * 100).toFixed(2)} %`, showarrow: false, xanchor: label === 'p05' ? 'left' : 'right', font: { size: 10, color: '#d62728' }, bgcolor: 'rgba(255,255,255,0.7)' });
    }
  }
  if (top.length > 0) {
    data.push({
      type: 'scatter', mode: 'markers', name: `top ${top.length}`, x: rounded(top.map((r) => (r.totalReturn === null ? null : r.totalReturn * 100))), y: top.map(() => 0),
      text: top.map(strategyHover), hovertemplate: '%{text}<br>total return %{x:.2f} %<extra></extra>', marker: { symbol: 'triangle-up', size: 10, color: '#ff7f0e' },
    });
  }
  return {
    id: 'fig-return-distribution',
    title: 'Distribution of total returns (net) across all strategies',
    data,
    layout: baseLayout({ shapes, annotations, bargap: 0.02, xaxis: { title: { text: 'total return, %' } }, yaxis: { title: { text: 'strategies' } } }),
    note: `Histogram of ${distribution?.count ?? 0} strategies' net total returns (summary/performance_summary.json distributions), with the 5th, 50th and 95th percentiles; triangles mark the top strategies.`,
  };
}

function drawdownFigure(top: RankedStrategyRow[], distribution: MetricDistribution | undefined): ReportFigure {
  const labels = top.map((r) => shorten(r.id));
  const shapes: Record<string, unknown>[] = [];
  if (distribution?.median != null) {
    shapes.push({ type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: -distribution.median * 100, y1: -distribution.median * 100, line: { color: '#7f7f7f', dash: 'dash', width: 1 } });
  }
  return {
    id: 'fig-drawdown-comparison',
    title: `Maximum drawdown of the top ${top.length}`,
    data: [{
      type: 'bar', name: 'max drawdown (net)', x: labels, y: rounded(top.map((r) => (r.maxDrawdown === null ? null : -r.maxDrawdown * 100))),
      text: top.map(strategyHover), hovertemplate: '%{text}<br>max drawdown %{y:.2f} %<extra></extra>', textposition: 'none', marker: { color: '#d62728' },
    }],
    layout: baseLayout({ shapes, xaxis: { tickangle: -35, automargin: true }, yaxis: { title: { text: 'max drawdown, %' } } }),
    note: 'Largest peak-to-trough fall of net equity; the dashed line is the median over all strategies.',
  };
}

/** Upper end of the profit-factor axis: the 99th percentile, so a few tiny-sample outliers do not flatten the cloud. */
function profitFactorCeiling(rows: RankedStrategyRow[], top: RankedStrategyRow[]): number | undefined {
  const finite = (list: RankedStrategyRow[]) => list.map((r) => r.profitFactor).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const values = finite(rows).sort((a, b) => a - b);
  if (values.length < 20) return undefined;
  const p99 = values[Math.floor(0.99 * (values.length - 1))]!;
  if (p99 * 1.1 >= values[values.length - 1]!) return undefined;
  return Math.max(p99, ...finite(top)) * 1.1; // the top strategies always stay in view
}

function winRateProfitFactorFigure(rows: RankedStrategyRow[], top: RankedStrategyRow[]): ReportFigure {
  const byFamily = new Map<string, RankedStrategyRow[]>();
  for (const row of rows) {
    if (row.winRate === null || row.profitFactor === null) continue;
    const list = byFamily.get(row.family) ?? [];
    list.push(row);
    byFamily.set(row.family, list);
  }
  const colors = familyColors(byFamily.keys());
  const data: PlotTrace[] = [...byFamily].map(([family, list]) => ({
    type: 'scatter', mode: 'markers', name: family || '(no family)',
    x: rounded(list.map((r) => r.winRate! * 100)), y: rounded(list.map((r) => r.profitFactor)), text: list.map(strategyHover),
    hovertemplate: '%{text}<br>win rate %{x:.1f} %<br>profit factor %{y:.3f}<extra></extra>',
    marker: { size: 5, opacity: 0.6, color: colors.get(family) },
  }));
  const shown = top.filter((r) => r.winRate !== null && r.profitFactor !== null);
  if (shown.length > 0) {
    data.push({
      type: 'scatter', mode: 'markers', name: `top ${shown.length}`, x: rounded(shown.map((r) => r.winRate! * 100)), y: rounded(shown.map((r) => r.profitFactor)),
      text: shown.map(strategyHover), hovertemplate: '%{text}<br>win rate %{x:.1f} %<br>profit factor %{y:.3f}<extra></extra>',
      marker: { symbol: 'star', size: 12, color: '#ff7f0e', line: { color: '#000', width: 1 } },
    });
  }
  const ceiling = profitFactorCeiling(rows, top);
  return {
    id: 'fig-winrate-profitfactor',
    title: 'Win rate vs profit factor (all strategies)',
    data,
    layout: baseLayout({
      xaxis: { title: { text: 'win rate, % of trades' } },
      yaxis: { title: { text: 'profit factor (gross wins / gross losses)' }, ...(ceiling !== undefined ? { range: [0, ceiling] } : {}) },
      shapes: [{ type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: 1, y1: 1, line: { color: '#7f7f7f', dash: 'dot', width: 1 } }],
    }),
    note: 'One point per strategy (trades net of costs), colored by family; hover for the id and parameters. Stars are the top strategies; the dotted line is profit factor 1.'
      + (shown.length < top.length ? ` ${top.length - shown.length} of the top ${top.length} have no profit factor or win rate (no losing trade, or no trade) and are not plotted.` : ''),
    heightPx: 480,
  };
}

/** The comparison section from the rankings (every strategy, best first) and the summary's distributions. */
export function comparisonSection(rankings: RankedStrategyRow[], top: RankedStrategyRow[], distributions: Record<string, MetricDistribution>): ReportSection {
  return {
    id: 'comparison',
    title: 'Strategy comparison',
    intro: `The top ${top.length} of ${rankings.length} strategies by the rankings' order, against the whole sweep.`,
    figures: [
      topSharpeFigure(top),
      returnDistributionFigure(distributions.totalReturn, top),
      drawdownFigure(top, distributions.maxDrawdown),
      winRateProfitFactorFigure(rankings, top),
    ],
  };
}
