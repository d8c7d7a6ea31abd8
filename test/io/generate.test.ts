import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { denseStrategyMetrics } from '../../src/analytics/denseMetrics.ts';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { buildDenseMarket } from '../../src/market/denseMarket.ts';
import { planClassifiers } from '../../src/analytics/syntheticClassifiers.ts';
import { planStrategies, STRATEGY_FAMILIES } from '../../src/analytics/syntheticStrategies.ts';
import { generateRun, HEADLINE_METRICS, MINUTE_BARS_PER_YEAR, type GenerateProgress } from '../../src/coordinator/generate.ts';
import { openRun, scanRun } from '../../src/io/workspace.ts';
import { tempDir } from './fixtures.ts';

const temp = tempDir();
afterAll(() => temp.cleanup());

/** Naive SMA of close over `window` bars ending at t (inclusive). */
function naiveSma(close: Float64Array, t: number, window: number): number {
  let sum = 0;
  for (let i = t - window + 1; i <= t; i++) sum += close[i]!;
  return sum / window;
}

describe('synthetic sweeps', () => {
  it('plans unique strategies spread over every family, and classifiers', () => {
    const specs = planStrategies(10_000);
    expect(specs).toHaveLength(10_000);
    expect(new Set(specs.map((s) => s.id)).size).toBe(10_000);
    expect(new Set(specs.map((s) => s.family))).toEqual(new Set(STRATEGY_FAMILIES));
    expect(new Set(planClassifiers(40).map((c) => c.id)).size).toBe(40);
    expect(() => planStrategies(-1)).toThrow(InputError);
  });

  it('is deterministic for a seed and reports progress', () => {
    const events: GenerateProgress[] = [];
    generateRun(join(temp.dir, 'a'), { strategies: 12, classifiers: 2, bars: 1_500, seed: 5, onProgress: (p) => events.push(p) });
    generateRun(join(temp.dir, 'b'), { strategies: 12, classifiers: 2, bars: 1_500, seed: 5 });
    generateRun(join(temp.dir, 'c'), { strategies: 12, classifiers: 2, bars: 1_500, seed: 6 });
    const hashes = (dir: string) => scanRun(join(temp.dir, dir)).strategies.map((s) => s.contentHash);
    expect(hashes('a')).toEqual(hashes('b'));
    expect(hashes('a')).not.toEqual(hashes('c'));
    expect(events.filter((e) => e.phase === 'strategies').at(-1)).toEqual({ phase: 'strategies', done: 12, total: 12 });
    expect(events.at(-1)).toEqual({ phase: 'done', done: 1, total: 1 });
    expect(() => generateRun(join(temp.dir, 'd'), { strategies: 1, classifiers: 0, bars: 1, seed: 1 })).toThrow(/options\.bars must be an integer >= 2, got 1/);
  });

  it('computes the signals on the bars: an SMA crossover trace equals a naive recomputation', async () => {
    const dir = join(temp.dir, 'sma');
    generateRun(dir, { strategies: 12, classifiers: 1, bars: 4_000, seed: 9 });
    const run = await openRun(dir);
    const bars = await run.readBars();
    const scan = run.scan();
    const sma = scan.strategies.filter((s) => s.family === 'sma_crossover');
    expect(sma.length).toBeGreaterThan(0);
    for (const info of sma) {
      const { fast, slow } = info.parameters as { fast: number; slow: number };
      const trace = await run.readSignal(info.id);
      let position = 0;
      const expectedIdx: number[] = [];
      const expectedValue: number[] = [];
      for (let t = Math.max(fast, slow) - 1; t < bars.close.length; t++) {
        const difference = naiveSma(bars.close, t, fast) - naiveSma(bars.close, t, slow);
        const next = Math.abs(difference) < 1e-9 ? position : Math.sign(difference);
        if (next !== position) {
          expectedIdx.push(t);
          expectedValue.push(next);
          position = next;
        }
      }
      expect([...trace.idx]).toEqual(expectedIdx);
      expect([...trace.signal]).toEqual(expectedValue);
      expect(trace.idx.length).toBeGreaterThan(5);
    }
  });

  it('caches footer metrics equal to the dense reference path on the bars', async () => {
    const dir = join(temp.dir, 'metrics');
    generateRun(dir, { strategies: 18, classifiers: 0, bars: 3_000, seed: 3 });
    const run = await openRun(dir);
    const bars = await run.readBars();
    const costs = defaultExecutionCosts();
    const market = buildDenseMarket(bars, costs);
    for (const info of run.scan().strategies) {
      const cached = info.metrics!;
      expect(cached.costs).toEqual(costs);
      expect(cached.periodsPerYear).toBe(MINUTE_BARS_PER_YEAR);
      const dense = denseStrategyMetrics(market, await run.readSignal(info.id), costs, { periodsPerYear: MINUTE_BARS_PER_YEAR });
      for (const name of HEADLINE_METRICS) {
        const expected = dense[name];
        const got = cached.values[name];
        if (expected === null) expect(got).toBeNull();
        else expect(Math.abs(got! - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it('writes sticky classifiers with labels and bars with volatility regimes', async () => {
    const dir = join(temp.dir, 'cls');
    generateRun(dir, { strategies: 1, classifiers: 4, bars: 20_000, seed: 4 });
    const run = await openRun(dir);
    for (const id of run.classifierIds()) {
      const trace = await run.readRegimes(id);
      expect(trace.labels.length).toBe(3);
      expect(trace.idx.length).toBeGreaterThan(1);
      expect(trace.idx.length).toBeLessThan(20_000 / 10);
    }
    const bars = await run.readBars();
    let badBars = 0;
    for (let t = 0; t < bars.close.length; t++) {
      if (bars.high[t]! < Math.max(bars.open[t]!, bars.close[t]!) || bars.low[t]! > Math.min(bars.open[t]!, bars.close[t]!)) badBars++;
    }
    expect(badBars).toBe(0);
  });
});
