// The report in a real browser: headless Debian chromium opens the HTML of a generated, analyzed
// run; every chart must render, with no console error and no network request; the strategy and
// pattern tables sort and filter; screenshots go to test-output/report/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatternsFile } from '../../src/coordinator/mine.ts';
import { buildReport } from '../../src/coordinator/report.ts';
import { writeJsonAtomic } from '../../src/io/atomicWrite.ts';
import { browserUnavailableReason, launchChromium } from './browser.ts';
import { analyzedRun, writeComputedOutputs, writeOptionalOutputs } from './fixtures.ts';

const unavailable = browserUnavailableReason();
const underCi = process.env.CI === 'true';
const OUTPUT_DIR = join(import.meta.dirname, '..', '..', 'test-output', 'report');
if (unavailable && !underCi) console.warn(`skipping the report browser tests: ${unavailable}`);

it.runIf(underCi)('chromium is installed under CI (the browser tests must not skip there)', () => {
  expect(unavailable).toBeUndefined();
});

interface OpenedReport {
  page: Page;
  consoleErrors: string[];
  networkRequests: string[];
  figureIds: string[];
}

describe.skipIf(unavailable !== undefined && !underCi)('HTML report in headless chromium', () => {
  let context: BrowserContext;
  let close: () => Promise<void> = async () => {};
  let fullReport = '';
  let bareReport = '';
  let computedReport = '';
  let hostileReport = '';
  let minedPatterns: PatternsFile;
  /** Markup-like strings planted in a patterns.json: the report must show them as text. */
  const HOSTILE_FAMILY = '<img src=x onerror="document.body.dataset.pwned=1">fam&amp;';
  const HOSTILE_REGIME = '<b>bold</b><script>document.body.dataset.pwned=2</script>';

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}`);
    const dir = await analyzedRun('browser', { strategies: 80, classifiers: 3, bars: 5000 });
    bareReport = (await buildReport(dir, { out: join(dir, '..', 'bare.html') })).path;
    await writeOptionalOutputs(dir);
    fullReport = (await buildReport(dir, { out: join(dir, '..', 'full.html'), top: 8 })).path;
    const computed = await analyzedRun('browser-computed', { strategies: 60, classifiers: 2, bars: 4000, seed: 5 });
    await writeComputedOutputs(computed);
    computedReport = (await buildReport(computed, { out: join(computed, '..', 'computed.html'), top: 8 })).path;
    const patternsPath = join(computed, 'analytics', 'patterns.json');
    minedPatterns = JSON.parse(readFileSync(patternsPath, 'utf8')) as PatternsFile;
    // The same run with markup planted in the pattern strings (after computed.html was written).
    const hostile = JSON.parse(JSON.stringify(minedPatterns)) as PatternsFile;
    hostile.patterns[0]!.family = HOSTILE_FAMILY;
    hostile.patterns[0]!.dominantRegimes = [HOSTILE_REGIME];
    hostile.regimeTransitions[0]!.classifier = HOSTILE_REGIME;
    for (const t of hostile.regimeTransitions[0]!.transitions) t.profitable = true;
    hostile.warnings.push(HOSTILE_REGIME);
    writeJsonAtomic(patternsPath, hostile);
    hostileReport = (await buildReport(computed, { out: join(computed, '..', 'hostile.html'), top: 2 })).path;
    ({ context, close } = await launchChromium());
  });

  afterAll(async () => {
    await close();
  });

  async function open(path: string): Promise<OpenedReport> {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const networkRequests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => {
      if (!/^(file|data|blob|about):/.test(request.url())) networkRequests.push(request.url());
    });
    await page.route(/^(https?|wss?|ftp):/, (route) => route.abort());
    await page.goto(pathToFileURL(path).href);
    await page.waitForFunction(() => document.body.getAttribute('data-rendered') !== null, null, { timeout: 60_000 });
    const figureIds = await page.evaluate(() => {
      const model = JSON.parse(document.getElementById('report-data')!.textContent!) as { sections: { figures: { id: string }[] }[] };
      return model.sections.flatMap((s) => s.figures.map((f) => f.id));
    });
    return { page, consoleErrors, networkRequests, figureIds };
  }

  async function renderedFigures(page: Page, ids: string[]): Promise<Record<string, boolean>> {
    return page.evaluate((list) => Object.fromEntries(list.map((id) => {
      const element = document.getElementById(id) as (HTMLElement & { data?: unknown[]; _fullData?: unknown[] }) | null;
      const ok = element !== null && element.querySelector('.main-svg') !== null && Array.isArray(element.data) && element.data.length > 0
        && Array.isArray(element._fullData) && element._fullData.length === element.data.length;
      return [id, ok];
    })), ids);
  }

  it('renders every chart of the full report, with no console error and no network request', async () => {
    const { page, consoleErrors, networkRequests, figureIds } = await open(fullReport);
    expect(await page.getAttribute('body', 'data-rendered')).toBe('true');
    for (const id of ['fig-top-sharpe', 'fig-return-distribution', 'fig-drawdown-comparison', 'fig-winrate-profitfactor', 'fig-sensitivity-0',
      'fig-equity', 'fig-underwater', 'fig-regime-sharpe', 'fig-regime-time', 'fig-regime-transitions', 'fig-correlation', 'fig-ensemble-weights']) {
      expect(figureIds).toContain(id);
    }
    const rendered = await renderedFigures(page, figureIds);
    expect(Object.entries(rendered).filter(([, ok]) => !ok).map(([id]) => id)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(networkRequests).toEqual([]);
    // Ensemble curves are drawn with the strategies' curves (8 strategies + global + switching, net and gross).
    const equityTraces = await page.evaluate(() => (document.getElementById('fig-equity') as HTMLElement & { data: unknown[] }).data.length);
    expect(equityTraces).toBe(2 * (8 + 2));
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, 'report.png'), fullPage: true });
    await page.close();
  });

  it('renders every chart of a report built from the real regime, correlation, optimizer, overfitting, walk-forward and replay outputs', async () => {
    const { page, consoleErrors, networkRequests, figureIds } = await open(computedReport);
    expect(await page.getAttribute('body', 'data-rendered')).toBe('true');
    for (const id of ['fig-regime-sharpe', 'fig-regime-transitions', 'fig-correlation', 'fig-ensemble-weights', 'fig-equity', 'fig-pattern-scatter']) expect(figureIds).toContain(id);
    const rendered = await renderedFigures(page, figureIds);
    expect(Object.entries(rendered).filter(([, ok]) => !ok).map(([id]) => id)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(networkRequests).toEqual([]);
    // Every optional output was found, so no section shows a "not computed yet" placeholder.
    expect(await page.locator('text=not computed yet').count()).toBe(0);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-computed.png'), fullPage: true });
    await page.close();
  });

  it('shows a placeholder naming the command for each missing output, and still renders its charts', async () => {
    const { page, consoleErrors, networkRequests, figureIds } = await open(bareReport);
    const placeholders = await page.$$eval('.placeholder', (nodes) => nodes.map((n) => n.textContent ?? ''));
    expect(placeholders.some((t) => t.includes('not computed yet: run sweeplens regimes'))).toBe(true);
    expect(placeholders.some((t) => t.includes('correlation matrix not computed yet'))).toBe(true);
    expect(placeholders.some((t) => t.includes('ensemble weights not computed yet'))).toBe(true);
    expect(placeholders.some((t) => t.includes('overfitting report not computed yet'))).toBe(true);
    // Without analytics/patterns.json the pattern section names the command that writes it.
    expect(await page.textContent('#patterns .placeholder')).toMatch(/^mined patterns not computed yet: run sweeplens mine \S+run$/);
    expect(await page.textContent('#patterns .placeholder code')).toMatch(/^sweeplens mine \S+run$/);
    expect(await page.locator('#patterns .chart, #pattern-table').count()).toBe(0);
    const rendered = await renderedFigures(page, figureIds);
    expect(Object.values(rendered).every(Boolean)).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(networkRequests).toEqual([]);
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-without-optional-outputs.png'), fullPage: false });
    await page.close();
  });

  it('sorts the strategy table by a header click and filters it by text and range', async () => {
    const { page } = await open(fullReport);
    const columnValues = async (key: string): Promise<string[]> => page.evaluate((k) => {
      const headers = [...document.querySelectorAll('#strategy-table-head th')];
      const index = headers.findIndex((th) => th.getAttribute('data-key') === k);
      return [...document.querySelectorAll('#strategy-table-body tr')].map((tr) => tr.children[index]!.textContent ?? '');
    }, key);
    const numbers = (texts: string[]) => texts.filter((t) => t !== '–').map((t) => Number.parseFloat(t.replace(/,/g, '')));
    expect(await page.$$eval('#strategy-table-body tr', (rows) => rows.length)).toBe(50);

    await page.click('th[data-key="totalReturn"]');
    expect(await page.getAttribute('th[data-key="totalReturn"]', 'aria-sort')).toBe('descending');
    const descending = numbers(await columnValues('totalReturn'));
    expect(descending.length).toBeGreaterThan(10);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));

    await page.click('th[data-key="totalReturn"]');
    expect(await page.getAttribute('th[data-key="totalReturn"]', 'aria-sort')).toBe('ascending');
    const ascending = numbers(await columnValues('totalReturn'));
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));

    await page.click('th[data-key="id"]');
    const ids = await columnValues('id');
    expect(ids).toEqual([...ids].sort());

    await page.fill('#table-filter', 'momentum');
    const families = await columnValues('family');
    expect(families.length).toBeGreaterThan(0);
    expect(new Set(families)).toEqual(new Set(['momentum']));
    await page.fill('#table-filter', '');
    await page.selectOption('#table-range-column', 'tradeCount');
    await page.fill('#table-min', '10');
    const trades = numbers(await columnValues('tradeCount'));
    expect(trades.every((t) => t >= 10)).toBe(true);
    expect(await page.textContent('#table-status')).toMatch(/of \d+ \(80 strategies\)|no strategy matches/);
    await page.close();
  });

  it('draws the mined patterns of a real `mine` output: the scatter\'s markers, the sortable pattern table and the profitable regime transitions', async () => {
    const { page, consoleErrors, networkRequests, figureIds } = await open(computedReport);
    const patterns = minedPatterns.patterns;
    expect(patterns.length).toBeGreaterThan(10);
    expect(figureIds).toContain('fig-pattern-scatter');
    expect((await renderedFigures(page, ['fig-pattern-scatter']))['fig-pattern-scatter']).toBe(true);
    // One trace per family, one marker per pattern with a forward return.
    const drawn = patterns.filter((p) => p.avgReturn !== null);
    const scatter = await page.evaluate(() => {
      const element = document.getElementById('fig-pattern-scatter') as HTMLElement & { data: { name: string; x: unknown[] }[] };
      return { traces: element.data.map((t) => t.name), points: element.data.reduce((a, t) => a + t.x.length, 0), markers: element.querySelectorAll('.scatterlayer .point').length };
    });
    expect(new Set(scatter.traces)).toEqual(new Set(drawn.map((p) => p.family)));
    expect(scatter.points).toBe(drawn.length);
    expect(scatter.markers).toBe(drawn.length);
    // The section as first shown, clipped from the full page (so the sticky navigation bar stays at the top).
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const box = (await page.locator('#patterns').boundingBox())!;
    const scrollY = await page.evaluate(() => window.scrollY);
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-patterns.png'), fullPage: true, clip: { x: box.x, y: box.y + scrollY, width: box.width, height: box.height } });

    // The pattern table: every pattern, first in file order (best t first).
    const columnValues = async (key: string): Promise<string[]> => page.evaluate((k) => {
      const headers = [...document.querySelectorAll('#pattern-table-head th')];
      const index = headers.findIndex((th) => th.getAttribute('data-key') === k);
      return [...document.querySelectorAll('#pattern-table-body tr')].map((tr) => tr.children[index]!.textContent ?? '');
    }, key);
    const numbers = (texts: string[]) => texts.filter((t) => t !== '–').map((t) => Number.parseFloat(t.replace(/,/g, '')));
    const shown = Math.min(50, patterns.length);
    expect(await page.$$eval('#pattern-table-body tr', (rows) => rows.length)).toBe(shown);
    expect(await page.textContent('#pattern-table-status')).toBe(`showing 1–${shown} of ${patterns.length} (${patterns.length} patterns)`);
    expect((await columnValues('sequence')).slice(0, 5)).toEqual(patterns.slice(0, 5).map((p) => p.states.join('>')));
    expect((await columnValues('patternFamily')).slice(0, 5)).toEqual(patterns.slice(0, 5).map((p) => p.family));
    const firstReturn = numbers(await columnValues('forwardReturn'))[0]!;
    expect(firstReturn).toBeCloseTo(patterns[0]!.avgReturn! * 1e4, 1);

    await page.click('#pattern-table-head th[data-key="forwardReturn"]');
    expect(await page.getAttribute('#pattern-table-head th[data-key="forwardReturn"]', 'aria-sort')).toBe('descending');
    const descending = numbers(await columnValues('forwardReturn'));
    expect(descending.length).toBeGreaterThan(10);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    expect(descending[0]).toBeCloseTo(Math.max(...drawn.map((p) => p.avgReturn! * 1e4)), 1);
    await page.click('#pattern-table-head th[data-key="forwardReturn"]');
    expect(await page.getAttribute('#pattern-table-head th[data-key="forwardReturn"]', 'aria-sort')).toBe('ascending');
    const ascending = numbers(await columnValues('forwardReturn'));
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.click('#pattern-table-head th[data-key="support"]');
    const support = numbers(await columnValues('support'));
    expect(support).toEqual([...support].sort((a, b) => b - a));
    await page.click('#pattern-table-head th[data-key="sequence"]');
    const sequences = await columnValues('sequence');
    expect(sequences).toEqual([...sequences].sort());
    // The strategy table keeps its own sort state.
    expect(await page.getAttribute('#strategy-table-head th[data-key="rank"]', 'aria-sort')).toBe('ascending');

    // Filters: family drop-down, text (a pattern fragment), value range (win rate in %).
    const family = patterns[0]!.family;
    await page.selectOption('#pattern-table-group', family);
    expect(new Set(await columnValues('patternFamily'))).toEqual(new Set([family]));
    expect(await page.textContent('#pattern-table-status')).toContain(`of ${patterns.filter((p) => p.family === family).length} (${patterns.length} patterns)`);
    await page.selectOption('#pattern-table-group', '');
    await page.fill('#pattern-table-filter', '0>1');
    const filtered = await columnValues('sequence');
    expect(filtered.length).toBe(Math.min(50, patterns.filter((p) => p.states.join('>').includes('0>1')).length));
    expect(filtered.every((t) => t.includes('0>1'))).toBe(true);
    await page.fill('#pattern-table-filter', '');
    await page.selectOption('#pattern-table-range-column', 'patternWinRate');
    await page.fill('#pattern-table-min', '50');
    const winRates = numbers(await columnValues('patternWinRate'));
    expect(winRates.length).toBe(Math.min(50, patterns.filter((p) => p.winRate !== null && p.winRate * 100 >= 50).length));
    expect(winRates.every((w) => w >= 50)).toBe(true);
    await page.fill('#pattern-table-min', '');

    // Profitable regime transitions, from the same file.
    const profitable = minedPatterns.regimeTransitions.flatMap((g) => g.transitions.filter((t) => t.profitable).map((t) => ({ classifier: g.classifier, ...t })));
    expect(profitable.length).toBeGreaterThan(0);
    const transitionRows = await page.$$eval('#patterns table.static tbody tr', (rows) => rows.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
    expect(transitionRows.map((r) => `${r[0]} ${r[1]}`)).toEqual(profitable.map((t) => `${t.classifier} ${t.transition}`));
    expect(transitionRows.map((r) => Number(r[2]))).toEqual(profitable.map((t) => t.count));
    expect(transitionRows.every((r) => Number.parseFloat(r[4]!) > 0)).toBe(true);

    expect(consoleErrors).toEqual([]);
    expect(networkRequests).toEqual([]);
    await page.close();
  });

  it('shows markup in pattern strings as text (table, drop-down, chart legend, facts, transitions), never as HTML', async () => {
    const { page, consoleErrors, networkRequests, figureIds } = await open(hostileReport);
    expect(await page.getAttribute('body', 'data-rendered')).toBe('true');
    expect(await page.evaluate(() => document.body.dataset.pwned ?? null)).toBeNull();
    expect(await page.locator('#patterns img, #patterns b, #patterns script').count()).toBe(0);
    expect(await page.textContent('#pattern-table-body tr:first-child td:nth-child(2)')).toBe(HOSTILE_FAMILY);
    expect(await page.locator('#pattern-table-body td', { hasText: HOSTILE_REGIME }).count()).toBe(1);
    expect(await page.$$eval('#pattern-table-group option', (options) => options.map((o) => o.textContent))).toContain(HOSTILE_FAMILY);
    expect(await page.$$eval('#fig-pattern-scatter .legendtext', (nodes) => nodes.map((n) => n.textContent))).toContain(HOSTILE_FAMILY);
    expect(await page.$$eval('#patterns table.static td', (cells) => cells.map((c) => c.textContent))).toContain(HOSTILE_REGIME);
    expect(await page.$$eval('#patterns dl.facts dd', (cells) => cells.map((c) => c.textContent))).toContain(HOSTILE_REGIME);
    await page.fill('#pattern-table-filter', 'onerror');
    expect(await page.$$eval('#pattern-table-body tr', (rows) => rows.length)).toBe(1);
    const rendered = await renderedFigures(page, figureIds);
    expect(Object.entries(rendered).filter(([, ok]) => !ok).map(([id]) => id)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(networkRequests).toEqual([]);
    await page.close();
  });
});
