// The market index built in steps, on one thread or on two workers, is the index buildMarketIndex builds, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMarketIndexInPool } from '../../src/engine/marketSetup.ts';
import { EnginePool } from '../../src/engine/pool.ts';
import { SchemaError } from '../../src/errors.ts';
import { releasedBytes } from '../../src/kernels/regions.ts';
import { instantiateKernels } from '../../src/kernels/runtime.ts';
import {
  beginMarketIndex, buildMarketIndex, marketIndexRoundsForTwo, releaseMarketIndex, runMarketIndexStep, type MarketIndex,
} from '../../src/market/marketIndex.ts';
import { randomPricePath, randomVolumes } from '../helpers/edgeCases.ts';
import { Rng } from '../helpers/rng.ts';

/** Bars with the awkward cases of the tables: zero and NaN volumes (unpriced sqrt bars), flat stretches. */
function awkwardBars(rng: Rng, n: number): { close: Float64Array; volume: Float64Array } {
  const close = randomPricePath(rng, n);
  const volume = randomVolumes(rng, n);
  for (let t = 0; t < n; t++) {
    if (rng.chance(0.02)) volume[t] = 0;
    if (rng.chance(0.01)) volume[t] = NaN;
    if (t > 0 && rng.chance(0.05)) close[t] = close[t - 1]!;
  }
  return { close, volume };
}

/** Every byte of the index's tables (its region). */
function tableBytes(index: MarketIndex): Uint8Array {
  return new Uint8Array(index.instance.memory.buffer, index.region.base, index.region.bytes).slice();
}

const SIZES = [0, 1, 2, 3, 63, 64, 65, 1000, 4099];

describe('market index build steps', () => {
  it('the two-thread rounds, run in either order on one thread, give buildMarketIndex\'s tables bit for bit', () => {
    const rng = new Rng(41);
    for (const n of SIZES) {
      for (const [window, rf] of [[20, 0], [1, 1e-5], [2, -3e-6], [390, 0]] as const) {
        const bars = awkwardBars(rng, n);
        const costs = { volatilityWindowBars: window };
        const instance = instantiateKernels();
        const whole = buildMarketIndex(bars, costs, instance, { riskFreePerBar: rf });
        for (const reversed of [false, true]) {
          const { index, tables } = beginMarketIndex(bars, costs, instance, { riskFreePerBar: rf });
          // the two tasks of a round, one after the other (their order must not matter)
          for (const round of marketIndexRoundsForTwo(n)) {
            for (const steps of reversed ? [...round].reverse() : round) for (const step of steps) runMarketIndexStep(instance.exports, tables, step);
          }
          expect(index.region.bytes, `n ${n}`).toBe(whole.region.bytes);
          const a = tableBytes(whole);
          const b = tableBytes(index);
          // (the header holds absolute pointers, so compare everything but it, then the header's meaning)
          const headerAt = whole.headerPtr - whole.region.base;
          expect(Buffer.compare(a.subarray(0, headerAt), b.subarray(0, headerAt)), `n ${n}, window ${window}, rf ${rf}`).toBe(0);
          releaseMarketIndex(index);
        }
        releaseMarketIndex(whole);
      }
    }
  });

  it('volatility computed in ranges equals one pass (each bar from its own window)', () => {
    const rng = new Rng(5);
    const instance = instantiateKernels();
    const n = 3000;
    const bars = awkwardBars(rng, n);
    const { index, tables } = beginMarketIndex(bars, { volatilityWindowBars: 20 }, instance);
    runMarketIndexStep(instance.exports, tables, { kind: 'volatility', from: 0, to: n });
    const sigma = index.sigma!;
    const whole = sigma.slice();
    sigma.fill(-1);
    for (const [from, to] of [[2000, n], [0, 1], [1, 19], [19, 2000]]) runMarketIndexStep(instance.exports, tables, { kind: 'volatility', from: from!, to: to! });
    expect(Buffer.compare(Buffer.from(whole.buffer), Buffer.from(sigma.slice().buffer))).toBe(0);
    releaseMarketIndex(index);
  });
});

describe('buildMarketIndexInPool', () => {
  let pool: EnginePool;
  let single: EnginePool;
  beforeAll(() => {
    pool = EnginePool.create({ workers: 2 });
    single = EnginePool.create({ workers: 1 });
  });
  afterAll(async () => {
    await Promise.all([pool.destroy(), single.destroy()]);
  });

  it('two workers build the index buildMarketIndex builds, bit for bit; one worker builds it on the calling thread', async () => {
    const rng = new Rng(9);
    for (const n of [1, 1000, 100_003]) {
      const bars = awkwardBars(rng, n);
      const costs = { volatilityWindowBars: 30 };
      const reference = buildMarketIndex(bars, costs, instantiateKernels(), { riskFreePerBar: 2e-6 });
      for (const p of [pool, single]) {
        const index = await buildMarketIndexInPool(bars, costs, p, { riskFreePerBar: 2e-6 });
        const headerAt = index.headerPtr - index.region.base;
        expect(Buffer.compare(tableBytes(reference).subarray(0, headerAt), tableBytes(index).subarray(0, headerAt)), `n ${n}, ${p.workers} workers`).toBe(0);
        releaseMarketIndex(index);
      }
      releaseMarketIndex(reference);
    }
  });

  it('a bad close fails with buildMarketIndex\'s error and gives the memory back', async () => {
    const bars = awkwardBars(new Rng(3), 500);
    bars.close[321] = Number.NaN;
    const free = releasedBytes(pool.instance.memory);
    await expect(buildMarketIndexInPool(bars, { volatilityWindowBars: 20 }, pool, { source: 'x.parquet' })).rejects.toThrow(SchemaError);
    await expect(buildMarketIndexInPool(bars, { volatilityWindowBars: 20 }, pool, { source: 'x.parquet' })).rejects.toThrow(/x\.parquet: close at bar 321 is NaN/);
    expect(releasedBytes(pool.instance.memory)).toBeGreaterThanOrEqual(free);
  });
});
