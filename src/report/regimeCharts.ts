// Section "Regimes": per-regime Sharpe of the top strategies for one classifier (with time in
// regime), and the classifier's transition matrix.
import type { ClassifierStats, RegimePerformanceFile, RegimeSummaryFile } from '../coordinator/outputs.ts';
import { roundSignificant } from './downsample.ts';
import { numberText, percentText, shorten } from './format.ts';
import type { ReportFigure, ReportSection, ReportStaticTable } from './model.ts';
import { baseLayout, SCALE_PROBABILITY, SCALE_RED_BLUE } from './theme.ts';

/** What the regime section is built from. */
export interface RegimeSectionInputs {
  runDir: string;
  /** Classifier ids of the run. */
  classifierIds: string[];
  /** The classifier asked for (`--classifier`), if any. */
  classifier: string | undefined;
  regimeSummary: RegimeSummaryFile | null;
  regimePerformance: RegimePerformanceFile | null;
  classifierStats: Map<string, ClassifierStats>;
  /** Rows of the heatmap: at most this many strategies. */
  top: number;
  /** Shell command that computes the regime outputs, for the placeholder. */
  command: string;
}

/** The classifier shown: the given one, else the best separating, else the first with per-regime metrics, else the first of the run. */
export function chooseClassifier(inputs: Pick<RegimeSectionInputs, 'classifier' | 'regimeSummary' | 'regimePerformance' | 'classifierIds'>): string | undefined {
  if (inputs.classifier !== undefined) return inputs.classifier;
  if (inputs.regimeSummary?.bestClassifier) return inputs.regimeSummary.bestClassifier;
  const withMetrics = inputs.regimePerformance ? Object.keys(inputs.regimePerformance.classifiers) : [];
  return withMetrics[0] ?? inputs.classifierIds[0];
}

function regimeHeatmap(classifier: string, performance: RegimePerformanceFile, top: number): ReportFigure | undefined {
  const info = performance.classifiers[classifier];
  if (!info) return undefined;
  const labels = [...info.labels.filter((l) => info.regimes[l] !== undefined), ...Object.keys(info.regimes).filter((l) => !info.labels.includes(l))];
  const ids = performance.strategyIds.filter((id) => performance.strategies[id]?.[classifier]).slice(0, top);
  if (ids.length === 0 || labels.length === 0) return undefined;
  const columns = labels.map((label) => `${label}<br>${percentText(info.regimes[label]?.share, 0)}`);
  const z = ids.map((id) => labels.map((label) => {
    const value = performance.strategies[id]![classifier]![label]?.sharpeRatio;
    return typeof value === 'number' && Number.isFinite(value) ? roundSignificant(value) : null;
  }));
  const text = ids.map((id) => labels.map((label) => {
    const m = performance.strategies[id]![classifier]![label];
    return m ? `${id}<br>regime ${label}: ${info.regimes[label]?.bars ?? 0} bars<br>total return ${percentText(m.totalReturn)}<br>trades entered ${m.tradeCount}` : id;
  }));
  return {
    id: 'fig-regime-sharpe',
    title: `Per-regime Sharpe ratio: ${classifier}`,
    data: [{ type: 'heatmap', x: columns, y: ids.map((id) => shorten(id, 36)), z, text, colorscale: SCALE_RED_BLUE, zmid: 0, hoverongaps: false, colorbar: { title: { text: 'Sharpe (net)' } }, hovertemplate: '%{text}<br>Sharpe %{z:.3f}<extra></extra>' }],
    layout: baseLayout({ xaxis: { side: 'top', type: 'category', tickangle: 0, automargin: true }, yaxis: { autorange: 'reversed', type: 'category', automargin: true }, margin: { l: 200, r: 20, t: 40, b: 20 } }),
    heightPx: Math.max(320, 60 + 22 * ids.length),
    note: 'Annualized net Sharpe ratio on the bars of each regime (regime of bar t = state at t − 1); column labels give the share of bars in that regime (analytics/regime_performance.json).',
  };
}

function occupancyFigure(classifier: string, stats: ClassifierStats): ReportFigure | undefined {
  const labels = Object.keys(stats.regimes);
  if (labels.length === 0) return undefined;
  return {
    id: 'fig-regime-time',
    title: `Time in regime: ${classifier}`,
    data: [{
      type: 'bar', x: labels, y: labels.map((l) => roundSignificant(stats.regimes[l]!.share * 100)),
      text: labels.map((l) => `${stats.regimes[l]!.bars} bars, ${stats.regimes[l]!.episodes} episodes, mean ${numberText(stats.regimes[l]!.averageDurationBars, 1)} bars`),
      hovertemplate: '%{x}: %{y:.1f} %<br>%{text}<extra></extra>', textposition: 'none', marker: { color: '#9467bd' },
    }],
    layout: baseLayout({ yaxis: { title: { text: '% of classified bars' } }, xaxis: { type: 'category' } }),
    heightPx: 300,
    note: 'Share of the classifier\'s bars spent in each state, with episode counts and mean durations.',
  };
}

function transitionFigure(classifier: string, stats: ClassifierStats): ReportFigure | undefined {
  const t = stats.transitions;
  if (t.labels.length === 0) return undefined;
  const z = t.probabilities.map((row) => row.map((p) => (p === null ? null : roundSignificant(p))));
  const text = t.counts.map((row) => row.map((c) => `${c} changes`));
  return {
    id: 'fig-regime-transitions',
    title: `Transition matrix: ${classifier}`,
    data: [{ type: 'heatmap', x: t.labels, y: t.labels, z, text, colorscale: SCALE_PROBABILITY, zmin: 0, zmax: 1, hoverongaps: false, texttemplate: '%{z:.2f}', colorbar: { title: { text: 'P(to | from)' } }, hovertemplate: 'from %{y} to %{x}<br>P = %{z:.3f}<br>%{text}<extra></extra>' }],
    layout: baseLayout({ xaxis: { title: { text: 'to' }, type: 'category', side: 'top' }, yaxis: { title: { text: 'from' }, type: 'category', autorange: 'reversed' }, margin: { l: 120, r: 20, t: 60, b: 20 } }),
    heightPx: Math.max(300, 120 + 40 * t.labels.length),
    note: 'Probability of the next state given the current one, counted per state change (the diagonal is 0 by convention); from classifiers/{id}/transitions.json.',
  };
}

function separationTable(summary: RegimeSummaryFile): ReportStaticTable {
  return {
    caption: 'Classifiers by how well they separate strategy performance (summary/regime_summary.json)',
    columns: ['#', 'classifier', 'score (Sharpe dispersion)', 'ANOVA F', 'strategies', 'regimes'],
    rows: summary.separation.map((s) => [String(s.rank), s.classifier, numberText(s.score, 3), numberText(s.anovaF, 2), String(s.strategies), s.regimes.join(', ')]),
  };
}

/** The regime section; placeholders name the command when the regime outputs are missing. */
export function regimeSection(inputs: RegimeSectionInputs): ReportSection {
  const section: ReportSection = { id: 'regimes', title: 'Regimes', figures: [] };
  if (inputs.classifierIds.length === 0) {
    section.placeholder = 'the run has no classifiers: no regime analysis.';
    return section;
  }
  const classifier = chooseClassifier(inputs);
  if (classifier === undefined) return section;
  section.intro = `Classifier shown: ${classifier}${inputs.classifier !== undefined ? ' (given)' : inputs.regimeSummary?.bestClassifier === classifier ? ' (best separating)' : ''}; pass --classifier to choose another of the ${inputs.classifierIds.length}.`;
  const heatmap = inputs.regimePerformance ? regimeHeatmap(classifier, inputs.regimePerformance, inputs.top) : undefined;
  if (heatmap) section.figures.push(heatmap);
  else section.placeholder = `per-regime metrics not computed yet: run \`${inputs.command} ${inputs.runDir}\``;
  const stats = inputs.classifierStats.get(classifier);
  if (stats) {
    const occupancy = occupancyFigure(classifier, stats);
    if (occupancy) section.figures.push(occupancy);
    const transitions = transitionFigure(classifier, stats);
    if (transitions) section.figures.push(transitions);
  }
  if (inputs.regimeSummary && inputs.regimeSummary.separation.length > 0) section.tables = [separationTable(inputs.regimeSummary)];
  return section;
}
