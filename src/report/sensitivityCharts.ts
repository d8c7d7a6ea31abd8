// Section "Parameter sensitivity": per strategy family, a metric over the parameter grid, as a
// heatmap (two or more varying parameters) or a line (one), with a menu to switch the metric.
import type { RankedStrategyRow } from '../coordinator/rankings.ts';
import type { JsonValue } from '../io/traceMetadata.ts';
import { roundSignificant } from './downsample.ts';
import type { ReportFigure, ReportSection } from './model.ts';
import { baseLayout, SCALE_RED_GREEN } from './theme.ts';

/** A metric the sensitivity charts can show; `scale` turns it into the plotted unit and sign (higher is better). */
interface SensitivityMetric {
  field: 'sharpeRatio' | 'totalReturn' | 'maxDrawdown' | 'calmarRatio';
  label: string;
  scale: number;
}

const METRICS: SensitivityMetric[] = [
  { field: 'sharpeRatio', label: 'Sharpe ratio (net)', scale: 1 },
  { field: 'totalReturn', label: 'total return (net), %', scale: 100 },
  { field: 'maxDrawdown', label: '− max drawdown, %', scale: -100 },
];

/** At most this many families get a chart (best-ranked families first). */
export const MAX_SENSITIVITY_FAMILIES = 12;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function keyOf(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** A family's parameter axis: its name and its distinct values, sorted (numerically when all are numbers). */
export interface ParameterAxis {
  name: string;
  values: string[];
}

/** The varying parameters of a family's rows, most distinct values first (ties: first-seen key order). */
export function varyingParameters(rows: Pick<RankedStrategyRow, 'parameters'>[]): ParameterAxis[] {
  const distinct = new Map<string, Map<string, JsonValue>>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row.parameters)) {
      const values = distinct.get(name) ?? new Map<string, JsonValue>();
      values.set(keyOf(value), value);
      distinct.set(name, values);
    }
  }
  const axes: ParameterAxis[] = [];
  for (const [name, values] of distinct) {
    if (values.size < 2) continue;
    const entries = [...values];
    const numeric = entries.every(([, v]) => typeof v === 'number');
    entries.sort(numeric ? (a, b) => (a[1] as number) - (b[1] as number) : (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    axes.push({ name, values: entries.map(([key]) => key) });
  }
  return axes.sort((a, b) => b.values.length - a.values.length);
}

/** Median of `metric` (scaled) per grid cell of the x (and y) parameter; null where no strategy has a value. */
export function gridMedians(rows: RankedStrategyRow[], metric: SensitivityMetric, x: ParameterAxis, y: ParameterAxis | undefined): { z: (number | null)[][]; counts: number[][] } {
  const xIndex = new Map(x.values.map((v, i) => [v, i]));
  const yIndex = y ? new Map(y.values.map((v, i) => [v, i])) : undefined;
  const height = y ? y.values.length : 1;
  const cells: number[][][] = Array.from({ length: height }, () => Array.from({ length: x.values.length }, () => []));
  const counts = Array.from({ length: height }, () => new Array<number>(x.values.length).fill(0));
  for (const row of rows) {
    const xi = xIndex.get(keyOf(row.parameters[x.name]));
    const yi = y ? yIndex!.get(keyOf(row.parameters[y.name])) : 0;
    if (xi === undefined || yi === undefined) continue;
    counts[yi]![xi]! += 1;
    const value = row[metric.field];
    if (typeof value === 'number' && Number.isFinite(value)) cells[yi]![xi]!.push(value * metric.scale);
  }
  const z = cells.map((line) => line.map((values) => {
    const m = median(values);
    return m === null ? null : roundSignificant(m);
  }));
  return { z, counts };
}

function familyFigure(family: string, rows: RankedStrategyRow[], index: number): ReportFigure | undefined {
  const axes = varyingParameters(rows);
  if (axes.length === 0) return undefined;
  const [x, y] = [axes[0]!, axes[1]];
  const rest = axes.slice(2).map((a) => a.name);
  const perMetric = METRICS.map((metric) => gridMedians(rows, metric, x, y));
  const first = perMetric[0]!;
  const restNote = rest.length > 0 ? ` Each cell is the median over ${rest.join(', ')}.` : '';
  const buttons = METRICS.map((metric, m) => ({
    label: metric.label,
    method: 'restyle',
    args: y
      ? [{ z: [perMetric[m]!.z], 'colorbar.title.text': metric.label }]
      : [{ y: [perMetric[m]!.z[0]] }, [0]],
  }));
  const menu = { updatemenus: [{ type: 'dropdown', x: 1, xanchor: 'right', y: 1.18, yanchor: 'top', buttons, showactive: true }] };
  if (y) {
    const text = first.counts.map((line) => line.map((count) => `${count} strateg${count === 1 ? 'y' : 'ies'}`));
    return {
      id: `fig-sensitivity-${index}`,
      title: `${family}: ${x.name} × ${y.name}`,
      data: [{
        type: 'heatmap', x: x.values, y: y.values, z: first.z, text, colorscale: SCALE_RED_GREEN, hoverongaps: false,
        colorbar: { title: { text: METRICS[0]!.label } },
        hovertemplate: `${x.name}=%{x}<br>${y.name}=%{y}<br>%{z:.3f}<br>%{text}<extra></extra>`,
      }],
      layout: baseLayout({ ...menu, xaxis: { title: { text: x.name }, type: 'category' }, yaxis: { title: { text: y.name }, type: 'category' } }),
      note: `${rows.length} strategies of ${family}; greener is better for every metric (drawdown is shown negated).${restNote} A broad green plateau is a more robust choice than an isolated best cell.`,
    };
  }
  return {
    id: `fig-sensitivity-${index}`,
    title: `${family}: ${x.name}`,
    data: [{ type: 'scatter', mode: 'lines+markers', x: x.values, y: first.z[0], name: family, hovertemplate: `${x.name}=%{x}<br>%{y:.3f}<extra></extra>` }],
    layout: baseLayout({ ...menu, xaxis: { title: { text: x.name }, type: 'category' }, yaxis: { title: { text: 'metric (menu)' } } }),
    note: `${rows.length} strategies of ${family}; the metric over ${x.name} (median per value).`,
  };
}

/** One chart per family (families in order of their best-ranked strategy, at most MAX_SENSITIVITY_FAMILIES). */
export function sensitivitySection(rankings: RankedStrategyRow[]): ReportSection {
  const byFamily = new Map<string, RankedStrategyRow[]>();
  for (const row of rankings) {
    const list = byFamily.get(row.family) ?? [];
    list.push(row);
    byFamily.set(row.family, list);
  }
  const figures: ReportFigure[] = [];
  const skipped: string[] = [];
  let index = 0;
  for (const [family, rows] of byFamily) {
    if (figures.length >= MAX_SENSITIVITY_FAMILIES) {
      skipped.push(family);
      continue;
    }
    const figure = familyFigure(family || '(no family)', rows, index++);
    if (figure) figures.push(figure);
    else skipped.push(family || '(no family)');
  }
  const section: ReportSection = {
    id: 'sensitivity',
    title: 'Parameter sensitivity',
    intro: 'For each strategy family, the metric over its parameter grid (the two parameters with the most values as axes; use the menu to switch the metric).'
      + (skipped.length > 0 ? ` Not shown (a single parameter point, or beyond the first ${MAX_SENSITIVITY_FAMILIES} families): ${skipped.join(', ')}.` : ''),
    figures,
  };
  if (figures.length === 0) section.placeholder = 'no family has a varying parameter: nothing to show.';
  return section;
}
