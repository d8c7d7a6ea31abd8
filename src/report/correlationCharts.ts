// Section "Correlation": the correlation matrix of the selected strategies, ordered by
// average-linkage clustering so correlated groups form blocks on the diagonal.
import type { CorrelationMatrixFile } from '../coordinator/outputs.ts';
import { averageLinkageLeafOrder } from './clusterOrder.ts';
import { roundSignificant } from './downsample.ts';
import { shorten } from './format.ts';
import type { ReportSection } from './model.ts';
import { baseLayout, SCALE_CORRELATION } from './theme.ts';

/** The correlation section from analytics/correlation_matrix.json, or a placeholder naming `command`. */
export function correlationSection(file: CorrelationMatrixFile | null, runDir: string, command: string): ReportSection {
  const section: ReportSection = { id: 'correlation', title: 'Correlation of the selected strategies', figures: [] };
  if (!file || file.ids.length === 0) {
    section.placeholder = `correlation matrix not computed yet: run \`${command} ${runDir}\``;
    return section;
  }
  const n = file.ids.length;
  const flat = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) flat[i * n + j] = file.matrix[i]?.[j] ?? Number.NaN;
  const order = averageLinkageLeafOrder(flat, n);
  const ids = order.map((i) => file.ids[i]!);
  const labels = ids.map((id) => shorten(id, 32));
  const z = order.map((i) => order.map((j) => {
    const v = file.matrix[i]?.[j];
    return typeof v === 'number' && Number.isFinite(v) ? roundSignificant(v, 4) : null;
  }));
  const text = order.map((i) => order.map((j) => `${file.ids[i]} ×<br>${file.ids[j]}`));
  const kept = new Set(file.filter.kept);
  section.intro = `Pearson correlation of the ${file.returns} per-bar returns of the top ${n} strategies by ${file.rankBy} (${file.method}), `
    + `ordered by average-linkage clustering on 1 − ρ. The correlation filter (|ρ| ≤ ${file.filter.maxCorrelation}) kept ${kept.size} and removed ${file.filter.removed.length}.`;
  section.figures.push({
    id: 'fig-correlation',
    title: 'Correlation matrix (clustered order)',
    data: [{ type: 'heatmap', x: labels, y: labels, z, text, colorscale: SCALE_CORRELATION, zmin: -1, zmax: 1, hoverongaps: false, colorbar: { title: { text: 'ρ' } }, hovertemplate: '%{text}<br>ρ = %{z:.3f}<extra></extra>' }],
    layout: baseLayout({ xaxis: { type: 'category', tickangle: -45, automargin: true, tickfont: { size: n > 40 ? 8 : 11 } }, yaxis: { type: 'category', autorange: 'reversed', automargin: true, tickfont: { size: n > 40 ? 8 : 11 } }, margin: { l: 160, r: 20, t: 20, b: 140 } }),
    heightPx: Math.min(900, Math.max(420, 200 + 14 * n)),
    wide: true,
    note: 'Red: moving together, blue: opposite. Strategies in one red block add little diversification to each other (analytics/correlation_matrix.json).',
  });
  return section;
}
