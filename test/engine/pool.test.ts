import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denseStrategyMetrics } from '../../src/analytics/denseMetrics.ts';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { EnginePool } from '../../src/engine/pool.ts';
import type { StrategyJob, StrategyOutcome } from '../../src/engine/messages.ts';
import { writeSignalTrace } from '../../src/io/traces.ts';
import { buildDenseMarket } from '../../src/market/denseMarket.ts';

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

describe('EnginePool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweeplens-pool-'));
  const bars = 5000;
  const rnd = lcg(7);
  const close = new Float64Array(bars);
  let price = 100;
  for (let i = 0; i < bars; i++) close[i] = price *= 1 + (rnd() - 0.5) * 0.01;
  const traces: { idx: Int32Array; signal: Float64Array }[] = [];
  const jobs: StrategyJob[] = [];
  for (let s = 0; s < 12; s++) {
    const idx: number[] = [];
    const signal: number[] = [];
    for (let b = 1 + Math.floor(rnd() * 20); b < bars; b += 1 + Math.floor(rnd() * 60)) {
      idx.push(b);
      signal.push(Math.floor(rnd() * 3) - 1);
    }
    traces.push({ idx: Int32Array.from(idx), signal: Float64Array.from(signal) });
    const file = join(dir, `s${s}.parquet`);
    writeSignalTrace(file, { idx: Int32Array.from(idx), signal: Int8Array.from(signal) }, { id: `s${s}`, family: 'random', bars });
    jobs.push({ id: `s${s}`, locator: { file, format: 'sweeplens', idxBase: 0, barCount: bars, symbol: 'X' } });
  }
  writeFileSync(join(dir, 'corrupt.parquet'), 'PAR1 this is not parquet PAR1');
  const costs = defaultExecutionCosts();
  const options = { periodsPerYear: 252 * 390 };
  let pool: EnginePool;

  beforeAll(() => {
    pool = EnginePool.create({ workers: 2 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('computes in workers over the shared market exactly what the main thread computes', async () => {
    const market = buildDenseMarket({ close, volume: new Float64Array(bars).fill(1e6) }, costs, 'bars', pool.instance);
    const ref = { marketId: 'm1', kind: 'dense' as const, layout: pool.share(market) };
    const batches = [jobs.slice(0, 6), jobs.slice(6)].map((strategies) =>
      pool.run<StrategyOutcome[]>({ kind: 'strategy-metrics', market: ref, costs, options, strategies }));
    const outcomes = (await Promise.all(batches)).flat();
    expect(outcomes).toHaveLength(12);
    outcomes.forEach((outcome, i) => {
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.id).toBe(`s${i}`);
      expect(outcome.metrics).toEqual(denseStrategyMetrics(market, traces[i]!, costs, options));
    });
  });

  it('reports a corrupt trace as that strategy\'s error and finishes the batch', async () => {
    const market = buildDenseMarket({ close, volume: new Float64Array(bars).fill(1e6) }, costs, 'bars', pool.instance);
    const ref = { marketId: 'm2', kind: 'dense' as const, layout: pool.share(market) };
    const outcomes = await pool.run<StrategyOutcome[]>({
      kind: 'strategy-metrics', market: ref, costs, options,
      strategies: [jobs[0]!, { id: 'bad', locator: { ...jobs[0]!.locator, file: join(dir, 'corrupt.parquet') } }, jobs[1]!],
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const bad = outcomes[1]!;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('corrupt.parquet');
  });
});
