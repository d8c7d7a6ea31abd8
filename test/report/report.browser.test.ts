// The report in a real browser: headless Debian chromium opens the HTML of a generated, analyzed
// run; every chart must render, with no console error and no network request; the table sorts and
// filters; a screenshot goes to test-output/report/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/coordinator/report.ts';
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

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}`);
    const dir = await analyzedRun('browser', { strategies: 80, classifiers: 3, bars: 5000 });
    bareReport = (await buildReport(dir, { out: join(dir, '..', 'bare.html') })).path;
    await writeOptionalOutputs(dir);
    fullReport = (await buildReport(dir, { out: join(dir, '..', 'full.html'), top: 8 })).path;
    const computed = await analyzedRun('browser-computed', { strategies: 60, classifiers: 2, bars: 4000, seed: 5 });
    await writeComputedOutputs(computed);
    computedReport = (await buildReport(computed, { out: join(computed, '..', 'computed.html'), top: 8 })).path;
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
    for (const id of ['fig-regime-sharpe', 'fig-regime-transitions', 'fig-correlation', 'fig-ensemble-weights', 'fig-equity']) expect(figureIds).toContain(id);
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
});
