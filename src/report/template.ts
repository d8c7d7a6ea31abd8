// The HTML page: one self-contained file (plotly, the page script and the data inlined; a
// Content-Security-Policy that forbids every network request).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml } from './format.ts';
import type { ReportModel, ReportSection, SectionSortableTable } from './model.ts';
import { PAGE_SCRIPT } from './pageScript.ts';

let plotlySource: string | undefined;

/** The minified plotly.js bundle (npm package plotly.js-dist-min), read once. */
export function plotlyBundle(): string {
  if (plotlySource === undefined) {
    const require = createRequire(import.meta.url);
    plotlySource = readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
  }
  return plotlySource;
}

/** Makes script text safe inside an inline <script> element (no `</script` or `<!--` can end or confuse it). */
export function inlineScript(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

/**
 * JSON for a `<script type="application/json">` block: every `<` escaped as \u003c, so `</script>`
 * cannot occur; NaN/Infinity are null (as JSON.stringify writes every non-finite number).
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Renders `text` with `code` spans for backquoted parts (placeholders name commands that way). */
function withCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** The controls of a sortable table, in page order; the page script finds each by its `data-control`. */
type TableControl = 'filter' | 'group' | 'range-column' | 'min' | 'max' | 'prev' | 'page' | 'next' | 'status';

/** How one sortable table is marked up (the page script fills its head and body). */
interface SortableTableMarkup {
  /** DOM id of the <table>; the wrapper carries it as `data-table`, the head and body are `${tableId}-head` / `-body`. */
  tableId: string;
  /** Element id of each control. */
  controlIds: Record<TableControl, string>;
  caption?: string;
  filterPlaceholder: string;
  /** Accessible name of the text filter, e.g. 'filter strategies'. */
  filterLabel: string;
  groupLabel: string;
  groupAllLabel: string;
}

/**
 * The markup of a sortable table and its controls (text filter, group drop-down, value range,
 * pages); one implementation for every sortable table of the page (pageScript.ts drives it).
 */
function sortableTableHtml(t: SortableTableMarkup): string {
  const id = (control: TableControl) => `id="${escapeHtml(t.controlIds[control])}" data-control="${control}"`;
  return `<div class="sortable" data-table="${escapeHtml(t.tableId)}">
<div class="controls">
<input type="search" ${id('filter')} placeholder="${escapeHtml(t.filterPlaceholder)}" aria-label="${escapeHtml(t.filterLabel)}">
<select ${id('group')} aria-label="${escapeHtml(t.groupLabel)}"><option value="">${escapeHtml(t.groupAllLabel)}</option></select>
<select ${id('range-column')} aria-label="range column"><option value="">range on…</option></select>
<input type="number" ${id('min')} placeholder="min" aria-label="minimum" step="any"> – <input type="number" ${id('max')} placeholder="max" aria-label="maximum" step="any">
<button ${id('prev')} type="button">‹ prev</button><span ${id('page')}></span><button ${id('next')} type="button">next ›</button>
<span ${id('status')} class="table-status"></span>
</div>
<div class="table-wrap"><table id="${escapeHtml(t.tableId)}">${t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : ''}<thead id="${escapeHtml(t.tableId)}-head"></thead><tbody id="${escapeHtml(t.tableId)}-body"></tbody></table></div>
</div>`;
}

const CONTROLS: TableControl[] = ['filter', 'group', 'range-column', 'min', 'max', 'prev', 'page', 'next', 'status'];

/** Markup of a section's sortable table: controls `${id}-filter`, `${id}-group`, ... */
function sectionTableHtml(table: SectionSortableTable): string {
  return sortableTableHtml({
    tableId: table.id,
    controlIds: Object.fromEntries(CONTROLS.map((c) => [c, `${table.id}-${c}`])) as Record<TableControl, string>,
    caption: table.caption,
    filterPlaceholder: table.filterPlaceholder,
    filterLabel: `filter ${table.rowNoun[1]}`,
    groupLabel: table.groupKey,
    groupAllLabel: table.groupAllLabel,
  });
}

/** The strategy table keeps the element ids it always had (`table-filter`, `table-family`, ...). */
const STRATEGY_TABLE_MARKUP: SortableTableMarkup = {
  tableId: 'strategy-table',
  controlIds: {
    filter: 'table-filter', group: 'table-family', 'range-column': 'table-range-column', min: 'table-min', max: 'table-max',
    prev: 'table-prev', page: 'table-page', next: 'table-next', status: 'table-status',
  },
  filterPlaceholder: 'filter id, family, parameters',
  filterLabel: 'filter strategies',
  groupLabel: 'family',
  groupAllLabel: 'all families',
};

function sectionHtml(section: ReportSection): string {
  const parts: string[] = [`<section id="${escapeHtml(section.id)}">`, `<h2>${escapeHtml(section.title)}</h2>`];
  if (section.placeholder) parts.push(`<div class="placeholder" data-placeholder="${escapeHtml(section.id)}">${withCode(section.placeholder)}</div>`);
  if (section.intro) parts.push(`<p class="intro">${withCode(section.intro)}</p>`);
  if (section.facts && section.facts.length > 0) {
    parts.push('<dl class="facts">');
    for (const fact of section.facts) parts.push(`<dt${fact.label === 'warning' ? ' class="warning"' : ''}>${escapeHtml(fact.label)}</dt><dd>${escapeHtml(fact.value)}</dd>`);
    parts.push('</dl>');
  }
  parts.push('<div class="figures">');
  for (const figure of section.figures) {
    parts.push(`<figure${figure.wide ? ' class="wide"' : ''}><figcaption>${escapeHtml(figure.title)}</figcaption><div class="chart" id="${escapeHtml(figure.id)}" style="min-height:${figure.heightPx ?? 420}px"></div>`);
    if (figure.note) parts.push(`<p class="note">${withCode(figure.note)}</p>`);
    parts.push('</figure>');
  }
  parts.push('</div>');
  if (section.sortableTable) parts.push(sectionTableHtml(section.sortableTable));
  for (const table of section.tables ?? []) {
    parts.push(`<table class="static"><caption>${escapeHtml(table.caption)}</caption><thead><tr>${table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>`);
    for (const row of table.rows) parts.push(`<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
    parts.push('</tbody></table>');
  }
  parts.push('</section>');
  return parts.join('\n');
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #222; background: #f4f5f7; }
header.top { background: #1f2d3d; color: #fff; padding: 14px 24px; }
header.top h1 { margin: 0; font-size: 20px; }
header.top .generated { font-size: 12px; opacity: 0.8; }
nav { background: #fff; border-bottom: 1px solid #ddd; padding: 8px 24px; position: sticky; top: 0; z-index: 10; font-size: 13px; }
nav a { margin-right: 14px; color: #1f77b4; text-decoration: none; }
main { padding: 8px 24px 40px; max-width: 1500px; margin: 0 auto; }
section { background: #fff; border: 1px solid #e1e4e8; border-radius: 6px; padding: 12px 18px; margin: 16px 0; }
section h2 { margin: 4px 0 8px; font-size: 18px; }
p.intro, p.note { font-size: 13px; color: #555; margin: 4px 0 8px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 12px; }
figure.wide { grid-column: 1 / -1; }
figure { margin: 0; border: 1px solid #eee; border-radius: 4px; padding: 6px; min-width: 0; }
figcaption { font-weight: 600; font-size: 14px; margin: 2px 4px; }
.placeholder { background: #fff8e1; border: 1px dashed #e0b000; padding: 10px 14px; border-radius: 4px; margin: 6px 0; font-size: 14px; }
code { background: #f0f0f0; padding: 1px 4px; border-radius: 3px; font-size: 90%; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 13px; margin: 0; }
dl.facts dt { font-weight: 600; color: #444; }
dl.facts dt.warning { color: #b00020; }
dl.facts dd { margin: 0; word-break: break-word; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
table.static { margin: 10px 0; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid #eee; padding: 3px 6px; white-space: nowrap; }
th { background: #f6f8fa; position: sticky; top: 0; }
.sortable table th { cursor: pointer; user-select: none; }
.sortable table th:hover { background: #e8eef5; }
.sortable { margin: 10px 0; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
td.text, th.text { text-align: left; }
.table-wrap { overflow: auto; max-height: 640px; border: 1px solid #eee; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; font-size: 13px; margin-bottom: 8px; }
.controls input[type=search] { width: 240px; }
.controls input[type=number] { width: 80px; }
.table-status { color: #555; }
`;

/** The whole page: header, navigation, the sections, the strategy table, plotly and the page script. */
export function renderReportHtml(model: ReportModel): string {
  const nav = [...model.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`), '<a href="#strategies">All strategies</a>'].join('');
  const tableSection = `<section id="strategies"><h2>All strategies</h2>
<p class="intro">Every analyzed strategy's metrics (net of costs unless marked gross). Click a column header to sort (again to reverse); filter by text, family or a value range (percent columns in %).</p>
${sortableTableHtml(STRATEGY_TABLE_MARKUP)}
</section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top"><h1>${escapeHtml(model.title)}</h1><div class="generated">sweeplens report, built ${escapeHtml(model.generatedAt)}; self-contained, no network access</div></header>
<nav>${nav}</nav>
<main>
${model.sections.map(sectionHtml).join('\n')}
${tableSection}
</main>
<script type="application/json" id="report-data">${inlineJson(model)}</script>
<script>window.PlotlyConfig = { MathJaxConfig: 'local' };</script>
<script>${inlineScript(plotlyBundle())}</script>
<script>${inlineScript(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}
