// Section "Equity and drawdown": equity curves and underwater curves of the top N strategies and
// of the ensembles, net and gross of costs (curves are computed and downsampled on the Node side).
import type { DownsampledCurve } from './downsample.ts';
import type { PlotTrace, ReportSection } from './model.ts';
import { baseLayout, seriesColor } from './theme.ts';

/** Net or gross equity and underwater curves of one strategy or ensemble, downsampled. */
export interface CurvePair {
  /** Compounded equity from 1. */
  equity: DownsampledCurve;
  /** Drawdown from the running peak, as a negative percent (0 at a new high). */
  underwater: DownsampledCurve;
}

/** The plotted curves of one strategy or ensemble; x values are bar times, epoch ms. */
export interface ReportCurve {
  id: string;
  /** Legend label. */
  label: string;
  /** Hover text (id and parameters, or the ensemble's description). */
  hover: string;
  kind: 'strategy' | 'ensemble';
  net: CurvePair;
  gross: CurvePair;
}

function traces(curves: ReportCurve[], which: 'equity' | 'underwater'): PlotTrace[] {
  const out: PlotTrace[] = [];
  curves.forEach((curve, i) => {
    const ensemble = curve.kind === 'ensemble';
    const color = ensemble ? ['#000000', '#8c564b', '#e377c2'][i % 3]! : seriesColor(i);
    const unit = which === 'equity' ? '%{y:.4f}' : '%{y:.2f} %';
    for (const side of ['net', 'gross'] as const) {
      const curveData = curve[side][which];
      out.push({
        type: 'scatter', mode: 'lines', x: curveData.x, y: curveData.y,
        name: side === 'net' ? curve.label : `${curve.label} (gross)`,
        legendgroup: curve.id, showlegend: side === 'net',
        line: { color, width: ensemble ? 2.5 : 1.3, dash: side === 'net' ? 'solid' : 'dot' },
        ...(which === 'underwater' && side === 'net' && ensemble ? { fill: 'tozeroy', fillcolor: 'rgba(0,0,0,0.08)' } : {}),
        text: curve.hover, hovertemplate: `%{text}<br>${side}: ${unit}<br>%{x}<extra></extra>`,
      });
    }
  });
  return out;
}

/**
 * The equity and underwater figures. Strategies are thin lines (net solid, gross dotted, one
 * legend entry per strategy that toggles both); ensembles are thick.
 */
export function curveSection(curves: ReportCurve[], notes: string[]): ReportSection {
  const section: ReportSection = {
    id: 'curves',
    title: 'Equity and drawdown curves',
    intro: 'Compounded equity (growth of 1) and drawdown from the running peak, net of costs (solid) and gross (dotted). '
      + 'Curves come from the strategies\' traces priced with the analysis\'s cost model and are downsampled keeping each bucket\'s minimum and maximum, so peaks and troughs are exact.'
      + (notes.length > 0 ? ` ${notes.join(' ')}` : ''),
    figures: curves.length === 0 ? [] : [
      {
        id: 'fig-equity', title: 'Equity curves', data: traces(curves, 'equity'), heightPx: 520, wide: true,
        layout: baseLayout({ hovermode: 'closest', xaxis: { type: 'date', title: { text: 'bar time' } }, yaxis: { title: { text: 'equity (start = 1)' } }, legend: { orientation: 'v', x: 1.02, y: 1 }, margin: { l: 60, r: 10, t: 30, b: 50 } }),
        note: 'Click a legend entry to hide a strategy; double-click to isolate it.',
      },
      {
        id: 'fig-underwater', title: 'Underwater (drawdown) curves', data: traces(curves, 'underwater'), heightPx: 420, wide: true,
        layout: baseLayout({ hovermode: 'closest', xaxis: { type: 'date', title: { text: 'bar time' } }, yaxis: { title: { text: 'drawdown, %' } }, legend: { orientation: 'v', x: 1.02, y: 1 }, margin: { l: 60, r: 10, t: 30, b: 50 } }),
        note: 'Percent below the running peak of each equity curve.',
      },
    ],
  };
  if (curves.length === 0) section.placeholder = 'no strategy could be priced for the curves (see the warnings in the run header).';
  return section;
}
