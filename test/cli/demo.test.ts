import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { demoMarket, movingAverageCrossover, simpleMovingAverage } from '../../src/demo/synthetic.ts';
import { close } from '../helpers/tolerance.ts';
import { sweeplens } from './runCli.ts';

interface DemoJson {
  seed: number;
  bars: number;
  rows: { rank: number; id: string; changes: number; metrics: Record<string, number | null> }[];
}

describe('synthetic demo data', () => {
  test('the market is seeded, positive, 4 years of daily bars by default, and visits every regime', () => {
    const a = demoMarket({ seed: 3 });
    const b = demoMarket({ seed: 3 });
    expect(a.close).toHaveLength(252 * 4);
    expect(Array.from(a.close)).toEqual(Array.from(b.close));
    expect(a.close.every((c) => c > 0)).toBe(true);
    expect(new Set(a.regime)).toEqual(new Set([0, 1, 2]));
    expect(Array.from(demoMarket({ seed: 4 }).close)).not.toEqual(Array.from(a.close));
  });

  test('moving average and crossover change list', () => {
    expect(Array.from(simpleMovingAverage(Float64Array.of(1, 2, 3, 4), 2))).toEqual([NaN, 1.5, 2.5, 3.5]);
    // fast(1) > slow(2) while rising, below while falling.
    const trace = movingAverageCrossover(Float64Array.of(1, 2, 3, 2, 1, 2), 1, 2, false);
    expect(Array.from(trace.idx)).toEqual([1, 3, 5]);
    expect(Array.from(trace.signal)).toEqual([1, -1, 1]);
    const longOnly = movingAverageCrossover(Float64Array.of(1, 2, 3, 2, 1, 2), 1, 2, true);
    expect(Array.from(longOnly.signal)).toEqual([1, 0, 1]);
  });
});

describe('sweeplens demo', () => {
  test('--json ranks the strategies by net Sharpe; buy and hold matches a direct computation', async () => {
    const run = await sweeplens('demo', '--toy', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as DemoJson;
    expect(result.bars).toBe(1008);
    expect(result.rows).toHaveLength(9);
    expect(result.rows.map((row) => row.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const sharpes = result.rows.map((row) => row.metrics.netSharpe ?? -Infinity);
    expect([...sharpes].sort((x, y) => y - x)).toEqual(sharpes);
    // Buy and hold: enter at bar 0 paying 10 + 5 bps, hold to the end.
    const market = demoMarket({ seed: 42 });
    const hold = result.rows.find((row) => row.id === 'buy_and_hold')!;
    const last = market.close[market.close.length - 1]!;
    expect(close(hold.metrics.totalReturn, (1 - 0.0015) * (last / market.close[0]!) - 1)).toBe(true);
    expect(hold.metrics.tradeCount).toBe(1);
    expect(close(hold.metrics.totalCosts, 0.0015)).toBe(true);
  });

  test('the table prints every strategy, ranked', async () => {
    const run = await sweeplens('demo', '--toy', '--seed', '7', '--bars', '600');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('600 daily bars (seed 7)');
    expect(run.stdout).toMatch(/^#\s+strategy\s+trades\s+total return/m);
    for (const id of ['buy_and_hold', 'ma_5_20', 'ma_50_200_long']) expect(run.stdout).toContain(id);
    expect(run.stdout).toMatch(/^1\s+\S+/m);
  });

  test('runs the main job end to end on generated data: analysis, regimes, ensemble, overfitting, walk-forward, patterns, report', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sweeplens-demo-')), 'demo');
    const run = await sweeplens('demo', '--dir', dir, '--strategies', '40', '--bars', '3000', '--classifiers', '2', '--workers', '1', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { summary: { strategies: { analyzed: number } }; top: { id: string }[]; report: string; bestClassifier: string | null };
    expect(result.summary.strategies.analyzed).toBe(40);
    expect(result.top.length).toBe(10);
    expect(result.bestClassifier).not.toBeNull();
    expect(existsSync(result.report)).toBe(true);
    for (const file of ['summary/strategy_rankings.parquet', 'summary/regime_summary.json', 'analytics/regime_performance.parquet', 'analytics/overfitting.json', 'analytics/patterns.json', 'analytics/walkforward.json']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    // the mined patterns are drawn, not a placeholder asking for `sweeplens mine`
    const html = readFileSync(result.report, 'utf8');
    expect(html.includes('mined patterns not computed yet'), 'patterns placeholder in the demo report').toBe(false);
    const again = await sweeplens('demo', '--dir', dir, '--strategies', '40');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('already exists');
  });
});

