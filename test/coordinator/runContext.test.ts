// openAnalyzedRun, the one "analyze the run first when needed" step of the run-level analytics:
// what it forwards to analyzeRun, when it reuses an analysis, and when it redoes one made under
// other conventions (also through openContext, the loader of regimes / correlate / optimize).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultExecutionCosts, zeroExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { analyzeRun, type PerformanceSummary } from '../../src/coordinator/analyze.ts';
import { conventionDifferences, openAnalyzedRun, openContext } from '../../src/coordinator/runContext.ts';
import { writeNoiseRun } from './overfitRuns.ts';

const root = mkdtempSync(join(tmpdir(), 'sweeplens-run-context-'));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary/performance_summary.json'), 'utf8')) as PerformanceSummary;

function freshRun(name: string, seed: number): string {
  const dir = join(root, name);
  writeNoiseRun(dir, { seed, bars: 300, strategies: 4, holdingBars: 10 });
  return dir;
}

describe('openAnalyzedRun', () => {
  it('analyzes a run without summary with the caller\'s conventions, then reuses it', async () => {
    const dir = freshRun('fresh', 1);
    const notices: string[] = [];
    const onNotice = (m: string) => notices.push(m);
    const out = join(root, 'fresh-out');
    const first = await openAnalyzedRun(dir, { workers: 0, outDir: out, costs: { slippageRate: 0 }, riskFreeRate: 0.02, periodsPerYear: 1000, rankBy: 'totalReturn', onNotice });
    expect(first.analyzedNow).toBe(true);
    expect(notices).toEqual([`${dir}: not analyzed yet (no ${join(out, 'summary/performance_summary.json')}); analyzing it first`]);
    expect(first.outDir).toBe(out);
    expect(first.rankBy).toBe('totalReturn');
    expect(first.rankings).toHaveLength(4);
    expect(first.summary.costs).toEqual(defaultExecutionCosts({ slippageRate: 0 }));
    expect(first.summary.riskFreeRate).toBe(0.02);
    expect(first.summary.periodsPerYear.SYN!.value).toBe(1000);
    expect(summaryOf(out).costs).toEqual(first.summary.costs);

    const again = await openAnalyzedRun(dir, { workers: 0, outDir: out, costs: { slippageRate: 0 }, riskFreeRate: 0.02, periodsPerYear: 1000, onNotice });
    const unspecified = await openAnalyzedRun(dir, { workers: 0, outDir: out, onNotice });
    expect([again.analyzedNow, unspecified.analyzedNow]).toEqual([false, false]);
    expect(notices).toHaveLength(1);
  });

  it('does not take another run\'s analysis left in the output folder for this run\'s', async () => {
    const first = freshRun('first', 4);
    const second = freshRun('second', 5);
    const out = join(root, 'shared-out');
    await analyzeRun(first, { workers: 0, outDir: out });
    const notices: string[] = [];
    const opened = await openContext(second, { workers: 0, outDir: out, onNotice: (m) => notices.push(m) });
    expect(notices).toEqual([`${out} holds the analysis of another run (${first}); analyzing ${second} first`]);
    expect(opened.analyzedNow).toBe(true);
    expect(opened.summary.runDir).toBe(second);
    expect(summaryOf(out).runDir).toBe(second);
    // every ranked id is a strategy of the second run
    const ids = new Set(opened.run.strategyIds());
    expect(opened.rankedIds.every((id) => ids.has(id))).toBe(true);
  });

  it('redoes an analysis made under other costs, P or risk-free rate, and says which', async () => {
    const dir = freshRun('stale', 2);
    await analyzeRun(dir, { workers: 0, costs: zeroExecutionCosts() });
    const notices: string[] = [];
    const redone = await openAnalyzedRun(dir, { workers: 0, riskFreeRate: 0.03, periodsPerYear: 2000, onNotice: (m) => notices.push(m) });
    expect(redone.analyzedNow).toBe(true);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/: analyzed under other conventions \(periodsPerYear \d+ \(SYN\), asked 2000; riskFreeRate 0, asked 0\.03\); analyzing it again$/);
    // Costs were not given: the analysis's are kept.
    expect(redone.summary.costs).toEqual(zeroExecutionCosts());
    expect(redone.summary.riskFreeRate).toBe(0.03);
    expect(redone.summary.periodsPerYear.SYN!.value).toBe(2000);
  });

  it('conventionDifferences compares only what the caller gave (cost fields not given keep the analysis\'s values)', () => {
    const summary = { costs: zeroExecutionCosts(), riskFreeRate: 0, periodsPerYear: { A: { value: 252, source: 'given' } } } as unknown as PerformanceSummary;
    expect(conventionDifferences(summary, {})).toEqual([]);
    expect(conventionDifferences(summary, { costs: { commissionRate: 0, slippageRate: 0 }, periodsPerYear: 252, riskFreeRate: 0 })).toEqual([]);
    expect(conventionDifferences(summary, { costs: { commissionRate: 0 } })).toEqual([]);
    expect(conventionDifferences(summary, { costs: { commissionRate: 0.001 }, riskFreeRate: 0.02 })).toEqual(['commissionRate 0, asked 0.001', 'riskFreeRate 0, asked 0.02']);
  });
});

describe('openContext (regimes, correlate, optimize)', () => {
  it('computes with the analysis\'s costs when none are given, and re-analyzes when a given field differs', async () => {
    const dir = freshRun('context', 3);
    await analyzeRun(dir, { workers: 0, costs: zeroExecutionCosts() });
    const notices: string[] = [];
    const onNotice = (m: string) => notices.push(m);
    // nothing given: the zero-cost analysis is reused and computed with (no silent switch to defaults)
    const reused = await openContext(dir, { workers: 0, onNotice });
    expect(reused.analyzedNow).toBe(false);
    expect(notices).toEqual([]);
    expect(reused.costs).toEqual(zeroExecutionCosts());
    expect(reused.riskFreeRate).toBe(0);
    expect(reused.rankedIds).toEqual(reused.rankings.map((r) => r.id));
    // one field given: analyzed again with it, the other fields kept from the previous analysis
    const ctx = await openContext(dir, { workers: 0, costs: { commissionRate: 0.001 }, onNotice });
    expect(ctx.analyzedNow).toBe(true);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/: analyzed under other conventions \(commissionRate 0, asked 0\.001\); analyzing it again$/);
    expect(ctx.costs).toEqual({ ...zeroExecutionCosts(), commissionRate: 0.001 });
    expect(summaryOf(dir).costs).toEqual(ctx.costs);
    // now consistent: reused
    expect((await openContext(dir, { workers: 0, costs: { commissionRate: 0.001 }, onNotice })).analyzedNow).toBe(false);
    expect(notices).toHaveLength(1);
  });
});
