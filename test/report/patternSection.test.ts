// The report's pattern section from a real `mine` output (analytics/patterns.json of a generated
// run): the scatter's traces, the sortable table's rows, the profitable regime transitions; the
// placeholders; pattern strings escaped in the page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRun } from '../../src/coordinator/generate.ts';
import { mineRun, type PatternsFile } from '../../src/coordinator/mine.ts';
import { roundSignificant } from '../../src/report/downsample.ts';
import { patternSection, patternSequence } from '../../src/report/patternCharts.ts';
import { strategyTable } from '../../src/report/strategyTable.ts';
import { renderReportHtml } from '../../src/report/template.ts';

let folder: string;
let file: PatternsFile;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'sweeplens-report-patterns-'));
  const run = join(folder, 'run');
  generateRun(run, { strategies: 24, classifiers: 2, bars: 3_000, seed: 17, metrics: false });
  file = (await mineRun(run)).file;
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function copy(): PatternsFile {
  return JSON.parse(JSON.stringify(file)) as PatternsFile;
}

describe('pattern section', () => {
  it('names `sweeplens mine <run>` when analytics/patterns.json is missing, like the other sections', () => {
    const section = patternSection(null, 'runs/r1', 'sweeplens mine');
    expect(section.id).toBe('patterns');
    expect(section.placeholder).toBe('mined patterns not computed yet: run `sweeplens mine runs/r1`');
    expect(section.figures).toEqual([]);
    expect(section.sortableTable).toBeUndefined();
  });

  it('asks to mine again when the file is not a sweeplens-patterns-1 file', () => {
    const old = { ...copy(), format: 'sweeplens-patterns-0' } as unknown as PatternsFile;
    expect(patternSection(old, 'r', 'sweeplens mine').placeholder).toBe('analytics/patterns.json is not a sweeplens-patterns-1 file (format: sweeplens-patterns-0): run `sweeplens mine r` again');
    const noPatterns = { ...copy(), patterns: undefined } as unknown as PatternsFile;
    expect(patternSection(noPatterns, 'r', 'sweeplens mine').placeholder).toContain('run `sweeplens mine r` again');
  });

  it('draws every pattern with a forward return: one scatter trace per family, x = confidence (%), y = mean forward return (bp), size = support', () => {
    expect(file.patterns.length).toBeGreaterThan(5);
    const section = patternSection(file, 'r', 'sweeplens mine');
    expect(section.placeholder).toBeUndefined();
    expect(section.figures.map((f) => f.id)).toEqual(['fig-pattern-scatter']);
    const traces = section.figures[0]!.data as { name: string; x: number[]; y: number[]; marker: { size: number[] } }[];
    const drawn = file.patterns.filter((p) => p.avgReturn !== null);
    expect(traces.map((t) => t.name).sort()).toEqual([...new Set(drawn.map((p) => p.family))].sort());
    for (const trace of traces) {
      const members = drawn.filter((p) => p.family === trace.name);
      expect(trace.x).toHaveLength(members.length);
      members.forEach((p, i) => {
        // Plotted values carry 6 significant digits (as every chart of the report).
        expect(trace.x[i]).toBe(roundSignificant(p.confidence * 100));
        expect(trace.y[i]).toBe(roundSignificant(p.avgReturn! * 1e4));
        expect(trace.marker.size[i]).toBe(roundSignificant(p.support));
      });
    }
  });

  it('lists every pattern in the sortable table, in file order (best t first), with keys no strategy-table column uses', () => {
    const table = patternSection(file, 'r', 'sweeplens mine').sortableTable!;
    expect(table.id).toBe('pattern-table');
    expect(table.rows).toHaveLength(file.patterns.length);
    const keys = table.columns.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    // Header cells carry data-key page-wide: the two tables' keys must not collide.
    const strategyKeys = strategyTable([]).columns.map((c) => c.key);
    expect(keys.filter((k) => strategyKeys.includes(k))).toEqual([]);
    expect(keys).toContain(table.groupKey);
    expect(keys).toContain(table.sortKey);
    const at = (row: (string | number | null)[], key: string) => row[keys.indexOf(key)];
    file.patterns.forEach((p, i) => {
      const row = table.rows[i]!;
      expect(at(row, 'patternRank')).toBe(i + 1);
      expect(at(row, 'patternFamily')).toBe(p.family);
      expect(at(row, 'sequence')).toBe(p.states.join('>'));
      expect(at(row, 'occurrences')).toBe(p.occurrences);
      // Numbers carry 6 significant digits, as in the strategy table.
      expect(at(row, 'support')).toBe(roundSignificant(p.support));
      expect(at(row, 'confidence')).toBe(roundSignificant(p.confidence));
      expect(at(row, 'forwardReturn')).toBe(p.avgReturn === null ? null : roundSignificant(p.avgReturn));
      expect(at(row, 'patternWinRate')).toBe(p.winRate === null ? null : roundSignificant(p.winRate));
      expect(at(row, 'patternTStat')).toBe(p.tStat === null ? null : roundSignificant(p.tStat));
      expect(at(row, 'patternEffectiveCount')).toBe(p.effectiveCount === null ? null : roundSignificant(p.effectiveCount));
      expect(at(row, 'patternTStatOverlap')).toBe(p.tStatOverlap === null ? null : roundSignificant(p.tStatOverlap));
      expect(at(row, 'dominantRegimes')).toBe(p.dominantRegimes.length > 0 ? p.dominantRegimes.join(', ') : null);
      expect(at(row, 'bestStrategies')).toBe(p.bestStrategies.slice(0, 3).map((s) => s.strategyId).join(', '));
    });
    expect(patternSequence({ states: [0, 1, -1, 0], patternId: 'x:0>1>-1>0' })).toBe('0>1>-1>0');
  });

  it('tabulates the profitable regime transitions with count, mean, t and p', () => {
    const section = patternSection(file, 'r', 'sweeplens mine');
    const profitable = file.regimeTransitions.flatMap((g) => g.transitions.filter((t) => t.profitable).map((t) => ({ classifier: g.classifier, ...t })));
    const total = file.regimeTransitions.reduce((a, g) => a + g.transitions.length, 0);
    const table = section.tables![0]!;
    expect(table.caption).toContain(`Profitable regime transitions: ${profitable.length} of ${total}`);
    expect(table.columns).toEqual(['classifier', 'transition', 'count', 'with return', 'mean return', 'std', 'win rate', 't', 'p', 'eff. n', 't adj.', 'p adj.']);
    expect(table.rows.map((r) => [r[0], r[1], r[2]])).toEqual(profitable.map((t) => [t.classifier, t.transition, String(t.count)]));
    table.rows.forEach((r, i) => {
      expect(r[4]).toBe(`${(profitable[i]!.meanReturn! * 1e4).toFixed(1)} bp`);
      expect(Number.parseFloat(r[4]!)).toBeGreaterThanOrEqual(0);
    });
  });

  it('says so when no pattern reached the thresholds, and still shows the transitions', () => {
    const none = { ...copy(), patterns: [] };
    const section = patternSection(none, 'r', 'sweeplens mine');
    expect(section.placeholder).toBeUndefined();
    expect(section.figures).toEqual([]);
    expect(section.sortableTable).toBeUndefined();
    expect(section.facts!.find((f) => f.label === 'patterns')?.value).toContain('none reached the thresholds');
    expect(section.tables).toHaveLength(1);
  });

  it('escapes markup in pattern strings everywhere in the page (HTML, embedded data, plotly labels)', () => {
    const hostile = copy();
    const markup = '<img src=x onerror=alert(1)>';
    hostile.patterns[0]!.family = markup;
    hostile.regimeTransitions[0]!.classifier = markup;
    for (const t of hostile.regimeTransitions[0]!.transitions) t.profitable = true;
    hostile.warnings.push(markup);
    const section = patternSection(hostile, 'r', 'sweeplens mine');
    // Plotly renders a subset of HTML in labels: the family is entity-escaped there.
    const trace = (section.figures[0]!.data as { name: string; text: string[] }[]).find((t) => t.name.includes('img'))!;
    expect(trace.name).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(trace.text.every((t) => !t.includes('<img'))).toBe(true);
    const html = renderReportHtml({ title: 't', generatedAt: 'now', sections: [section], table: strategyTable([]) });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The sortable table is filled by the page script (which escapes each cell); its data is JSON with every < escaped.
    expect(html).toContain('\\u003cimg src=x onerror=alert(1)>');
    expect(html).toContain('<div class="sortable" data-table="pattern-table">');
    expect(html).toContain('id="pattern-table-filter" data-control="filter"');
    // The strategy table keeps its element ids.
    for (const id of ['table-filter', 'table-family', 'table-range-column', 'table-min', 'table-max', 'table-prev', 'table-page', 'table-next', 'table-status', 'strategy-table-head', 'strategy-table-body']) {
      expect(html).toContain(`id="${id}"`);
    }
  });
});
