// A whole analysis re-used when nothing it depends on changed (summary/analysis_state.json), and
// every change that must send analyzeRun back to the per-strategy caches.
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../../src/coordinator/analyze.ts';
import { generateRun } from '../../src/coordinator/generate.ts';
import { analysisStatePath, readAnalysisState } from '../../src/io/analysisState.ts';
import { marketFile, readRunMetadata, signalPath } from '../../src/io/layout.ts';
import { tempDir } from '../io/fixtures.ts';

const temp = tempDir('sweeplens-reuse-');
afterAll(() => temp.cleanup());

const rankingsPath = (run: string) => join(run, 'summary/strategy_rankings.json');

/** Moves a file's modification time forward (same bytes: a "touched" file). */
function touch(path: string): void {
  const later = new Date(statSync(path).mtimeMs + 5_000);
  utimesSync(path, later, later);
}

describe('re-using a whole analysis', () => {
  const run = join(temp.dir, 'run');
  beforeAll(() => {
    generateRun(run, { strategies: 12, classifiers: 1, bars: 2_000, seed: 5, metrics: false });
  });

  it('re-uses an unchanged run: same rankings, outputs not rewritten, summary refreshed', async () => {
    const first = await analyzeRun(run, { workers: 0 });
    expect(first.reusedAnalysis).toBe(false);
    const state = readAnalysisState(run)!;
    expect(state.strategies).toHaveLength(12);
    expect(Object.keys(state.traces)).toHaveLength(12);
    const rankingsBefore = statSync(rankingsPath(run)).mtimeMs;
    const second = await analyzeRun(run, { workers: 0 });
    expect(second.reusedAnalysis).toBe(true);
    expect(second.rankings).toEqual(first.rankings);
    expect(second.summary.strategies).toMatchObject({ total: 12, analyzed: 12, fromCache: 12, computed: 0, failed: 0 });
    expect(second.summary.distributions).toEqual(first.summary.distributions);
    expect(first.summary.timings!.computeMs).toBeGreaterThan(0);
    expect(second.summary.timings).toBeUndefined(); // no phase ran
    expect(statSync(rankingsPath(run)).mtimeMs).toBe(rankingsBefore);
    expect(JSON.parse(readFileSync(join(run, 'summary/performance_summary.json'), 'utf8')).analyzedAt).toBe(second.summary.analyzedAt);
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(true);
  });

  it('re-ranks (and rewrites the rankings) when only rankBy changes', async () => {
    await analyzeRun(run, { workers: 0 });
    const byReturn = await analyzeRun(run, { workers: 0, rankBy: 'totalReturn' });
    expect(byReturn.reusedAnalysis).toBe(true);
    const values = byReturn.rankings.map((r) => r.totalReturn!);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(byReturn.rankings.map((r) => r.rank)).toEqual(byReturn.rankings.map((_, i) => i + 1));
    const file = JSON.parse(readFileSync(rankingsPath(run), 'utf8')) as { rankBy: string; strategies: { id: string }[] };
    expect(file.rankBy).toBe('totalReturn');
    expect(file.strategies.map((s) => s.id)).toEqual(byReturn.rankings.map((r) => r.id));
    expect(byReturn.summary.best?.id).toBe(byReturn.rankings[0]!.id);
    expect((await analyzeRun(run, { workers: 0, rankBy: 'totalReturn' })).reusedAnalysis).toBe(true);
  });

  it('goes back to the per-strategy caches when a trace, the bars, an option or an output changed', async () => {
    await analyzeRun(run, { workers: 0 });
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(true);
    const ids = readRunMetadata(run).strategies;

    // a touched trace: not re-used whole; that trace is read again and, its content hash unchanged,
    // its cache stands
    touch(signalPath(run, ids[3]!));
    const traced = await analyzeRun(run, { workers: 0 });
    expect(traced.reusedAnalysis).toBe(false);
    expect(traced.summary.strategies).toMatchObject({ fromCache: 12, computed: 0 });
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(true);

    // touched bars
    touch(marketFile(run, readRunMetadata(run), 'SYN'));
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(false);
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(true);

    // other costs, another P, another risk-free rate, no caching
    expect((await analyzeRun(run, { workers: 0, costs: { commissionRate: 0.002 } })).reusedAnalysis).toBe(false);
    expect((await analyzeRun(run, { workers: 0, costs: { commissionRate: 0.002 } })).reusedAnalysis).toBe(true);
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(false);
    expect((await analyzeRun(run, { workers: 0, periodsPerYear: 1000 })).reusedAnalysis).toBe(false);
    expect((await analyzeRun(run, { workers: 0, riskFreeRate: 0.01 })).reusedAnalysis).toBe(false);
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(false);
    expect((await analyzeRun(run, { workers: 0, useCache: false })).reusedAnalysis).toBe(false);

    // an output rewritten by someone else (here: the rankings, same content)
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(true);
    writeFileSync(rankingsPath(run), readFileSync(rankingsPath(run)));
    touch(rankingsPath(run));
    expect((await analyzeRun(run, { workers: 0 })).reusedAnalysis).toBe(false);
  });

  it('a forced metric path recomputes what was made on the other path, then re-uses its own', async () => {
    const forced = join(temp.dir, 'forced');
    generateRun(forced, { strategies: 5, classifiers: 0, bars: 1_000, seed: 13, metrics: false });
    const auto = await analyzeRun(forced, { workers: 0 });
    expect(auto.summary.strategies).toMatchObject({ sparse: 5, computed: 5 });
    const dense = await analyzeRun(forced, { workers: 0, path: 'dense' });
    expect(dense.reusedAnalysis).toBe(false);
    expect(dense.summary.strategies).toMatchObject({ dense: 5, fromCache: 0, computed: 5 });
    const denseAgain = await analyzeRun(forced, { workers: 0, path: 'dense' });
    expect(denseAgain.reusedAnalysis).toBe(false);
    expect(denseAgain.summary.strategies).toMatchObject({ dense: 5, fromCache: 5, computed: 0 });
    // the default path accepts either
    expect((await analyzeRun(forced, { workers: 0 })).summary.strategies).toMatchObject({ fromCache: 5, computed: 0 });
  });

  it('records no state when a strategy failed, so the next run retries it', async () => {
    const broken = join(temp.dir, 'broken');
    generateRun(broken, { strategies: 6, classifiers: 0, bars: 1_000, seed: 9, metrics: false });
    await analyzeRun(broken, { workers: 0 });
    expect(existsSync(analysisStatePath(broken))).toBe(true);
    const id = readRunMetadata(broken).strategies[2]!;
    // data pages zeroed, footer intact: the scan passes, reading the trace fails
    const bytes = readFileSync(signalPath(broken, id));
    bytes.fill(0, 4, Math.min(bytes.length - 8, 200));
    writeFileSync(signalPath(broken, id), bytes);
    const failed = await analyzeRun(broken, { workers: 0 });
    expect(failed.summary.strategies.failed).toBe(1);
    expect(existsSync(analysisStatePath(broken))).toBe(false);
    const again = await analyzeRun(broken, { workers: 0 });
    expect(again.reusedAnalysis).toBe(false);
    expect(again.summary.failures.map((f) => f.id)).toEqual([id]);
  });
});
