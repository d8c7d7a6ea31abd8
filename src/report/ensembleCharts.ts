// Section "Ensembles": weights per regime (stacked bars), in-sample results of the global,
// per-regime and switching ensembles, and the walk-forward replay when it was run.
import type { EnsembleEntry, OptimalWeightsFile } from '../coordinator/outputs.ts';
import type { WalkForwardReport } from '../coordinator/overfitOutputs.ts';
import type { ReplayResult } from '../coordinator/replay.ts';
import type { PerformanceMetrics } from '../types.ts';
import { roundSignificant } from './downsample.ts';
import { numberText, percentText, shorten } from './format.ts';
import type { PlotTrace, ReportFigure, ReportSection, ReportStaticTable } from './model.ts';
import { baseLayout, seriesColor } from './theme.ts';

function isEntry(value: OptimalWeightsFile['regimes'][string]): value is EnsembleEntry {
  return 'weights' in value;
}

function weightsFigure(file: OptimalWeightsFile): ReportFigure {
  const columns: { label: string; weights: Record<string, number> | null; note: string }[] = [{ label: 'global', weights: file.global.weights, note: `${file.global.bars} bars` }];
  for (const [label, entry] of Object.entries(file.regimes)) {
    columns.push(isEntry(entry) ? { label, weights: entry.weights, note: `${entry.bars} bars` } : { label, weights: null, note: `skipped: ${entry.skippedReason}` });
  }
  const members = [...new Set(columns.flatMap((c) => Object.keys(c.weights ?? {})))];
  const x = columns.map((c) => c.label);
  const data: PlotTrace[] = members.map((id, i) => ({
    type: 'bar', name: shorten(id, 30), x, y: columns.map((c) => roundSignificant((c.weights?.[id] ?? 0) * 100)),
    text: columns.map((c) => `${id}<br>${c.label}: ${c.note}`), hovertemplate: '%{text}<br>weight %{y:.1f} %<extra></extra>', textposition: 'none', marker: { color: seriesColor(i) },
  }));
  const annotations = columns.filter((c) => c.weights === null).map((c) => ({ x: c.label, y: 50, text: 'skipped<br>(global weights)', showarrow: false, font: { size: 10, color: '#7f7f7f' } }));
  return {
    id: 'fig-ensemble-weights',
    title: `Ensemble weights per regime${file.classifier ? `: ${file.classifier}` : ''}`,
    data,
    layout: baseLayout({ barmode: 'stack', annotations, yaxis: { title: { text: 'weight, %' }, range: [0, 100] }, xaxis: { type: 'category' }, legend: { orientation: 'v', x: 1.02, y: 1 }, margin: { l: 60, r: 10, t: 30, b: 60 } }),
    heightPx: 440,
    note: `Long-only ${file.objective} weights (min ${file.constraints.minWeight}, max ${file.constraints.maxWeight}) over the ${file.selection.strategies.length} strategies the correlation filter kept; a skipped regime uses the global weights (analytics/optimal_weights.json).`,
  };
}

function metricCells(m: PerformanceMetrics): string[] {
  return [numberText(m.sharpeRatio, 3), percentText(m.totalReturn), percentText(m.annualizedReturn), percentText(m.maxDrawdown), percentText(m.volatility)];
}

function ensembleTable(file: OptimalWeightsFile): ReportStaticTable {
  const rows: string[][] = [['global', String(file.global.bars), numberText(file.global.expected.sharpeRatio, 3), file.global.converged ? 'yes' : 'no', ...metricCells(file.global.inSample)]];
  for (const [label, entry] of Object.entries(file.regimes)) {
    rows.push(isEntry(entry)
      ? [`regime ${label}`, String(entry.bars), numberText(entry.expected.sharpeRatio, 3), entry.converged ? 'yes' : 'no', ...metricCells(entry.inSample)]
      : [`regime ${label}`, String(entry.bars), '–', `skipped: ${entry.skippedReason}`, '–', '–', '–', '–', '–']);
  }
  if (file.switching) rows.push(['regime-switching', '', '–', '', ...metricCells(file.switching.inSample)]);
  return {
    caption: 'In-sample results (net of the members\' costs, no rebalancing cost)',
    columns: ['ensemble', 'bars', 'expected Sharpe', 'converged', 'Sharpe', 'total return', 'CAGR', 'max DD', 'volatility'],
    rows,
  };
}

function walkForwardFigure(report: WalkForwardReport): ReportFigure {
  const folds = report.folds.map((f) => `fold ${f.fold}`);
  return {
    id: 'fig-walkforward',
    title: `Walk-forward replay (${report.mode}, ${report.windows} windows)`,
    data: [
      { type: 'bar', name: 'in-sample Sharpe', x: folds, y: report.folds.map((f) => f.inSampleMetrics.sharpeRatio), marker: { color: '#aec7e8' }, hovertemplate: '%{x}: in-sample Sharpe %{y:.3f}<extra></extra>' },
      { type: 'bar', name: 'out-of-sample Sharpe', x: folds, y: report.folds.map((f) => f.outOfSampleMetrics.sharpeRatio), marker: { color: '#1f77b4' }, hovertemplate: '%{x}: out-of-sample Sharpe %{y:.3f}<extra></extra>' },
    ],
    layout: baseLayout({ barmode: 'group', yaxis: { title: { text: 'annualized Sharpe (net)' } }, xaxis: { type: 'category' } }),
    heightPx: 360,
    note: `Weights fitted on each fold's in-sample bars and replayed unchanged on the next segment. Out-of-sample: Sharpe ${numberText(report.aggregate.outOfSample.sharpeRatio, 3)}, total return ${percentText(report.aggregate.outOfSample.totalReturn)}, `
      + `${report.aggregate.positiveOutOfSampleFolds}/${report.folds.length} folds positive, efficiency ${numberText(report.aggregate.sharpeEfficiency, 2)} (analytics/walkforward.json).`,
  };
}

function replayTables(replay: ReplayResult): ReportStaticTable[] {
  const r = replay.range;
  const tables: ReportStaticTable[] = [{
    caption: `Replay${replay.name ? ` '${replay.name}'` : ''} of ${replay.strategies.length} strategies on ${replay.symbol}, bars [${r.fromIdx}, ${r.toIdx}) (${replay.sample}; analytics/ensemble_replay.json)`,
    columns: ['bars', 'first', 'last', 'Sharpe', 'total return', 'CAGR', 'max DD', 'costs', 'position changes'],
    rows: [[String(r.bars), r.firstTs ?? '–', r.lastTs ?? '–', numberText(replay.metrics.sharpeRatio, 3), percentText(replay.metrics.totalReturn), percentText(replay.metrics.annualizedReturn), percentText(replay.metrics.maxDrawdown), percentText(replay.metrics.totalCosts), String(replay.changes)]],
  }];
  if (replay.perRegime) {
    tables.push({
      caption: `Replay by regime of ${replay.classifier ?? 'the classifier'} (bar t in the regime at t − 1)`,
      columns: ['regime', 'bars', 'total return', 'volatility', 'Sharpe'],
      rows: Object.entries(replay.perRegime).map(([label, stats]) => [label, String(stats.bars), percentText(stats.totalReturn), percentText(stats.volatility), numberText(stats.sharpeRatio, 3)]),
    });
  }
  return tables;
}

/** The ensemble section; placeholders name the commands when the outputs are missing. */
export function ensembleSection(
  weights: OptimalWeightsFile | null, walkForward: WalkForwardReport | null, replay: ReplayResult | null, runDir: string, commands: { weights: string; replay: string },
): ReportSection {
  const section: ReportSection = { id: 'ensembles', title: 'Ensembles and replay', figures: [], tables: [] };
  const missing: string[] = [];
  if (weights) {
    section.figures.push(weightsFigure(weights));
    section.tables!.push(ensembleTable(weights));
  } else {
    missing.push(`ensemble weights not computed yet: run \`${commands.weights} ${runDir}\``);
  }
  if (walkForward && walkForward.folds.length > 0) section.figures.push(walkForwardFigure(walkForward));
  if (replay) section.tables!.push(...replayTables(replay));
  if (!replay && !(walkForward && walkForward.folds.length > 0)) missing.push(`replay not computed yet: run \`${commands.replay} ${runDir}\``);
  if (missing.length > 0) section.placeholder = missing.join('; ');
  return section;
}
