import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { changeBuffer, headlineMetrics, marketTables, syntheticBars } from '../../src/analytics/synthetic.ts';
import { planClassifiers } from '../../src/analytics/syntheticClassifiers.ts';
import { planStrategies, STRATEGY_FAMILIES } from '../../src/analytics/syntheticStrategies.ts';
import { generateRun, type GenerateProgress } from '../../src/io/generate.ts';
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

  it('caches headline metrics that match a naive dense computation', () => {
    const { bars } = syntheticBars({ bars: 500, seed: 2 });
    const tables = marketTables(bars);
    const changes = changeBuffer(500);
    const plan: [number, number][] = [[10, 1], [50, -1], [51, 1], [200, 0], [300, -1]];
    for (const [t, v] of plan) {
      changes.idx[changes.length] = t;
      changes.value[changes.length++] = v;
    }
    const costs = { commissionRate: 0.001, slippageModel: 'linear' as const, slippageRate: 0.0005, impactCoefficient: 1, capital: 1e5, volatilityWindowBars: 20 };
    const got = headlineMetrics(changes, tables, costs, 98_280);
    const position = new Float64Array(500);
    for (let t = 0, k = 0, p = 0; t < 500; t++) {
      if (k < plan.length && plan[k]![0] === t) p = plan[k++]![1];
      position[t] = p;
    }
    const net: number[] = [];
    let gross = 1;
    for (let t = 0; t < 500; t++) {
      const r = t === 0 ? 0 : bars.close[t]! / bars.close[t - 1]! - 1;
      const before = t === 0 ? 0 : position[t - 1]!;
      gross *= 1 + before * r;
      net.push(before * r - Math.abs(position[t]! - before) * 0.0015);
    }
    const mean = net.reduce((a, b) => a + b, 0) / 500;
    const std = Math.sqrt(net.reduce((a, b) => a + (b - mean) ** 2, 0) / 499);
    let equity = 1;
    let peak = 1;
    let drawdown = 0;
    for (const r of net) {
      equity *= 1 + r;
      peak = Math.max(peak, equity);
      drawdown = Math.max(drawdown, 1 - equity / peak);
    }
    expect(got.totalReturn).toBeCloseTo(equity - 1, 12);
    expect(got.grossReturn).toBeCloseTo(gross - 1, 12);
    expect(got.sharpeRatio).toBeCloseTo((mean / std) * Math.sqrt(98_280), 9);
    expect(got.maxDrawdown).toBeCloseTo(drawdown, 12);
    expect(got.tradeCount).toBe(4); // long 10-49, short 50, long 51-199, short 300-
    expect(got.exposure).toBeCloseTo((200 - 10 + 200) / 500, 15);
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
