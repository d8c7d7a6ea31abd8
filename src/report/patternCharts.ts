// Section "Patterns": the frequent signal-change patterns of analytics/patterns.json (`sweeplens
// mine`): forward return vs confidence of every pattern (marker area = support), the sortable
// pattern table, and the regime transitions followed by a positive market return.
import type { PatternsFile } from '../coordinator/mine.ts';
import type { TradingPattern } from '../analytics/patternTypes.ts';
import type { RegimeTransitionStat } from '../analytics/regimeTransitions.ts';
import { roundSignificant } from './downsample.ts';
import { countText, finiteOrNull, numberText, percentText, plotlyText } from './format.ts';
import type { PlotTrace, ReportFact, ReportFigure, ReportSection, ReportStaticTable, SectionSortableTable, TableColumn } from './model.ts';
import { baseLayout, familyColors } from './theme.ts';

/** The format patterns.json declares (PatternsFile.format). */
const PATTERNS_FORMAT = 'sweeplens-patterns-1';

/** Best strategies listed per pattern in the table. */
const TABLE_BEST_STRATEGIES = 3;

/** Largest marker diameter of the scatter, pixels (the pattern with the highest support). */
const MAX_MARKER_PX = 36;

function rounded(value: number | null | undefined): number | null {
  const finite = finiteOrNull(value);
  return finite === null ? null : roundSignificant(finite);
}

/** A fraction in basis points with one decimal, e.g. "5.4 bp"; '–' for null. */
function bpText(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 1e4).toFixed(1)} bp` : '–';
}

/** A p-value with three decimals, or "< 0.001". */
function pValueText(p: number | null | undefined): string {
  if (typeof p !== 'number' || !Number.isFinite(p)) return '–';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** The states of a pattern as written in patterns.json and the README, e.g. `0>1>-1>0`. */
export function patternSequence(pattern: Pick<TradingPattern, 'states' | 'patternId'>): string {
  return Array.isArray(pattern.states) ? pattern.states.join('>') : pattern.patternId.slice(pattern.patternId.indexOf(':') + 1);
}

/** Forward return (bp) vs confidence (%) of every pattern with a forward return; one trace per family, marker area ∝ support. */
function scatterFigure(patterns: TradingPattern[], horizon: number): ReportFigure | undefined {
  const drawn = patterns.filter((p) => finiteOrNull(p.avgReturn) !== null && finiteOrNull(p.confidence) !== null);
  if (drawn.length === 0) return undefined;
  const colors = familyColors(drawn.map((p) => p.family));
  const maxSupport = Math.max(...drawn.map((p) => p.support), Number.MIN_VALUE);
  const data: PlotTrace[] = [...colors].map(([family, color]) => {
    const members = drawn.filter((p) => p.family === family);
    return {
      type: 'scatter', mode: 'markers', name: plotlyText(family),
      x: members.map((p) => rounded(p.confidence * 100)),
      y: members.map((p) => rounded(p.avgReturn! * 1e4)),
      text: members.map((p) => [
        `<b>${plotlyText(family)}: ${plotlyText(patternSequence(p))}</b> (${plotlyText(p.patternType)}, n = ${p.length})`,
        `support ${percentText(p.support)}, confidence ${percentText(p.confidence)}`,
        `${countText(p.occurrences)} occurrences in ${countText(p.strategies)} strategies; win rate ${percentText(p.winRate, 1)}; t = ${numberText(p.tStat, 2)}, with shared windows ${numberText(p.tStatOverlap ?? null, 2)}`,
        ...(p.dominantRegimes?.length ? [`dominant regimes: ${plotlyText(p.dominantRegimes.join(', '))}`] : []),
      ].join('<br>')),
      hovertemplate: `%{text}<br>mean forward return (${horizon} bars) %{y:.1f} bp<extra></extra>`,
      marker: {
        color, opacity: 0.75, line: { color: '#333', width: 0.5 }, sizemode: 'area', sizemin: 4,
        size: members.map((p) => rounded(p.support)), sizeref: maxSupport / (MAX_MARKER_PX * MAX_MARKER_PX),
      },
    };
  });
  const omitted = patterns.length - drawn.length;
  return {
    id: 'fig-pattern-scatter',
    title: `Mean forward return vs confidence of the ${countText(drawn.length)} frequent patterns`,
    data,
    layout: baseLayout({
      xaxis: { title: { text: 'confidence, % (prefix ⇒ last transition)' }, ticksuffix: ' %' },
      yaxis: { title: { text: `mean forward return over ${horizon} bars, bp` }, zeroline: true, zerolinecolor: '#999' },
      legend: { orientation: 'v', x: 1.02, y: 1, itemsizing: 'constant' }, margin: { l: 70, r: 10, t: 30, b: 60 },
    }),
    heightPx: 460,
    wide: true,
    note: `Each marker is a pattern (marker area ∝ support); y is the mean of d·(close[t+${horizon}]/close[t] − 1) after its completions, d the sign of the completing change (analytics/patterns.json)`
      + `${omitted > 0 ? `; ${countText(omitted)} patterns without a forward return are not drawn` : ''}. Completions closer than ${horizon} bars (in one strategy or across the family) share forward bars: t counts them as independent, t adj. does not (t / √(overlap factor)).`,
  };
}

/** The sortable table of every frequent pattern (file order: best t first). */
export function patternTable(patterns: TradingPattern[], horizon: number, familyCount: number): SectionSortableTable {
  const columns: TableColumn[] = [
    { key: 'patternRank', label: '#', kind: 'integer' },
    { key: 'patternFamily', label: 'family', kind: 'text' },
    { key: 'sequence', label: 'pattern', kind: 'text' },
    { key: 'patternLength', label: 'n', kind: 'integer' },
    { key: 'patternType', label: 'type', kind: 'text' },
    { key: 'support', label: 'support', kind: 'percent' },
    { key: 'confidence', label: 'confidence', kind: 'percent' },
    { key: 'occurrences', label: 'occurrences', kind: 'integer' },
    { key: 'patternStrategies', label: 'strategies', kind: 'integer' },
    { key: 'forwardReturn', label: `fwd return (${horizon} bars)`, kind: 'bps' },
    { key: 'patternWinRate', label: 'win rate', kind: 'percent' },
    { key: 'patternTStat', label: 't', kind: 'ratio' },
    { key: 'patternEffectiveCount', label: 'eff. n', kind: 'ratio' },
    { key: 'patternTStatOverlap', label: 't adj.', kind: 'ratio' },
    { key: 'avgDuration', label: 'duration (bars)', kind: 'ratio' },
    { key: 'dominantRegimes', label: 'dominant regimes', kind: 'text' },
    { key: 'bestStrategies', label: 'best strategies', kind: 'text' },
  ];
  const rows = patterns.map((p, i) => [
    i + 1, p.family, patternSequence(p), p.length, p.structure ? `${p.patternType} (${p.structure})` : p.patternType,
    rounded(p.support), rounded(p.confidence), p.occurrences, p.strategies, rounded(p.avgReturn), rounded(p.winRate), rounded(p.tStat),
    rounded(p.effectiveCount), rounded(p.tStatOverlap), rounded(p.avgDuration),
    p.dominantRegimes?.length ? p.dominantRegimes.join(', ') : null,
    p.bestStrategies?.length ? p.bestStrategies.slice(0, TABLE_BEST_STRATEGIES).map((s) => s.strategyId).join(', ') : null,
  ]);
  return {
    id: 'pattern-table',
    caption: `${countText(patterns.length)} frequent patterns of ${countText(familyCount)} families, best t first. Forward return in basis points (mean over the completions), support, confidence and win rate in %.`,
    columns, rows, sortKey: 'patternRank', sortDescending: false,
    groupKey: 'patternFamily', groupAllLabel: 'all families', rowNoun: ['pattern', 'patterns'],
    filterPlaceholder: 'filter family, pattern 0>1>-1, regime',
  };
}

/** Regime transitions followed by a positive mean market return, per classifier, best t first. */
function transitionTable(file: PatternsFile): ReportStaticTable | undefined {
  const groups = Array.isArray(file.regimeTransitions) ? file.regimeTransitions : [];
  if (groups.length === 0) return undefined;
  const multiSymbol = new Set(groups.map((g) => g.symbol)).size > 1;
  const rows: string[][] = [];
  let total = 0;
  for (const group of groups) {
    const transitions: RegimeTransitionStat[] = group.transitions ?? [];
    total += transitions.length;
    for (const t of transitions.filter((x) => x.profitable)) {
      rows.push([
        ...(multiSymbol ? [group.symbol] : []), group.classifier, t.transition, countText(t.count), countText(t.returnCount),
        bpText(t.meanReturn), bpText(t.std), percentText(t.winRate, 1), numberText(t.tStat, 2), pValueText(t.pValue),
        numberText(t.effectiveCount, 1), numberText(t.tStatOverlap, 2), pValueText(t.pValueOverlap),
      ]);
    }
  }
  return {
    caption: `Profitable regime transitions: ${rows.length} of ${total} (classifier, from → to) had a positive mean market return over the ${file.options.horizon} bars after the transition bar; best t first per classifier. p: two-sided, normal approximation. Transitions closer than ${file.options.horizon} bars share bars of their windows: eff. n is the number of non-overlapping windows with the same variance of the mean, and t adj. / p adj. account for the overlap.`,
    columns: [...(multiSymbol ? ['symbol'] : []), 'classifier', 'transition', 'count', 'with return', 'mean return', 'std', 'win rate', 't', 'p', 'eff. n', 't adj.', 'p adj.'],
    rows,
  };
}

function facts(file: PatternsFile): ReportFact[] {
  const o = file.options;
  const families = Array.isArray(file.families) ? file.families : [];
  const classifiers = Object.entries(o.classifier ?? {}).map(([symbol, id]) => `${symbol}: ${id ?? 'none'}`);
  const list: ReportFact[] = [
    { label: 'mined', value: `${file.minedAt} in ${numberText(file.elapsedMs / 1000, 2)} s; ${countText(families.reduce((a, f) => a + f.strategies, 0))} strategies in ${countText(families.length)} families` },
    { label: 'thresholds', value: `support ≥ ${percentText(o.minSupport, 1)}, confidence ≥ ${percentText(o.minConfidence, 1)}, lengths 2..${o.maxLength} transitions${o.profitableOnly ? ', profitable patterns only' : ''}` },
    { label: 'forward return', value: `d·(close[t+H]/close[t] − 1) over H = ${o.horizon} bars after the completing change (d = its sign)` },
    { label: 'regimes from', value: classifiers.join('; ') || 'none' },
    { label: 'frequent patterns per family', value: families.map((f) => `${f.family} ${countText(f.frequentPatterns)} of ${countText(f.distinctPatterns)}`).join('; ') || '–' },
  ];
  if (file.patterns.length === 0) list.push({ label: 'patterns', value: 'none reached the thresholds: lower --min-support / --min-confidence of sweeplens mine' });
  for (const warning of file.warnings ?? []) list.push({ label: 'warning', value: warning });
  if ((file.failures ?? []).length > 0) list.push({ label: 'warning', value: `${file.failures.length} strategies could not be mined, e.g. ${file.failures[0]!.id}: ${file.failures[0]!.error}` });
  return list;
}

/** The pattern section of analytics/patterns.json, or a placeholder naming `command` when it is missing or unreadable. */
export function patternSection(file: PatternsFile | null, runDir: string, command: string): ReportSection {
  const section: ReportSection = { id: 'patterns', title: 'Patterns', figures: [] };
  if (!file) {
    section.placeholder = `mined patterns not computed yet: run \`${command} ${runDir}\``;
    return section;
  }
  if (file.format !== PATTERNS_FORMAT || !Array.isArray(file.patterns) || typeof file.options?.horizon !== 'number') {
    section.placeholder = `analytics/patterns.json is not a ${PATTERNS_FORMAT} file (format: ${String(file.format)}): run \`${command} ${runDir}\` again`;
    return section;
  }
  const horizon = file.options.horizon;
  section.intro = 'Frequent sequences of signal changes per strategy family, written as their states (e.g. `0>1>-1>0`), and the market return that follows their completion; '
    + 'support = occurrences / windows of that length in the family, confidence = occurrences / occurrences of the prefix. Click a column header to sort; filter by text, family or a value range.';
  section.facts = facts(file);
  const scatter = scatterFigure(file.patterns, horizon);
  if (scatter) section.figures.push(scatter);
  if (file.patterns.length > 0) section.sortableTable = patternTable(file.patterns, horizon, new Set(file.patterns.map((p) => p.family)).size);
  const transitions = transitionTable(file);
  if (transitions) section.tables = [transitions];
  return section;
}
