// The per-regime kernel walks the bars in windows (all classifiers of a strategy per window); the
// window size must not change a bit of any result, error statuses included.
import { describe, expect, it } from 'vitest';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { buildRegimeTables, REGIME_WINDOW_BARS, runRegimeKernel, type RegimeCodes, type RegimeKernelResult } from '../../src/kernels/regimes.ts';
import { createKernelMemory, instantiateKernels } from '../../src/kernels/runtime.ts';
import { buildMarketIndex } from '../../src/market/marketIndex.ts';
import { randomPricePath, randomVolumes } from '../helpers/edgeCases.ts';
import { Rng } from '../helpers/rng.ts';

/** A change list over n bars with about one change per `every` bars, values drawn from `values` (no repeats). */
function changeList(rng: Rng, n: number, every: number, values: readonly number[]): { idx: Int32Array; values: number[] } {
  const idx: number[] = [];
  const out: number[] = [];
  let t = rng.integer(-1, 2);
  for (;;) {
    t += 1 + rng.integer(0, 2 * every);
    if (t >= n) break;
    let v: number;
    do v = values[rng.integer(0, values.length)]!; while (v === out[out.length - 1] && values.length > 1);
    idx.push(t);
    out.push(v);
  }
  return { idx: Int32Array.from(idx), values: out };
}

/** The results as plain data (NaN kept), for exact comparison. */
const plain = (results: RegimeKernelResult[]) => results.map((r) => ({ ...r, blocks: Array.from(r.blocks), tradeNet: Array.from(r.tradeNet), tradeRegime: Array.from(r.tradeRegime) }));

describe('runRegimeKernel in windows', () => {
  it('gives the same bits for every window size (1 bar to all of them) and classifier grouping, with and without errors, both cost laws', () => {
    const rng = new Rng(20261126);
    let errors = 0;
    for (let trial = 0; trial < 120; trial++) {
      const n = trial % 10 === 0 ? rng.integer(20_000, 60_000) : rng.integer(2, 3_000);
      const costs = defaultExecutionCosts(trial % 3 === 0 ? { slippageModel: 'sqrt' } : {});
      const rf = trial % 4 === 0 ? 2e-5 : 0;
      const instance = instantiateKernels(createKernelMemory());
      const market = buildMarketIndex({ close: randomPricePath(rng, n), volume: randomVolumes(rng, n) }, costs, instance, { riskFreePerBar: rf });
      const tables = buildRegimeTables(market, rf, instance);
      const strategy = changeList(rng, n, [1, 4, 25, 200][trial % 4]!, [-1, 0, 1]);
      // every 7th trial: an invalid row in the strategy or a classifier (the statuses must not depend on the windows either)
      if (trial % 7 === 0 && strategy.idx.length > 2) {
        if (trial % 2 === 0) strategy.values[strategy.idx.length >> 1] = 0.5;
        else strategy.idx[strategy.idx.length - 1] = strategy.idx[0]!;
      }
      const classifiers: RegimeCodes[] = Array.from({ length: 1 + (trial % 5) }, (_, c) => {
        const list = changeList(rng, n, [2, 30, 400, 5_000][c % 4]!, [0, 1, 2]);
        const state = Int32Array.from(list.values);
        if (trial % 11 === 0 && c === 0 && state.length > 0) state[state.length - 1] = 3; // a code outside [0, regimes)
        if (trial % 13 === 0 && c === 1 && list.idx.length > 2) list.idx[list.idx.length - 1] = list.idx[0]!; // rows not increasing
        return { idx: list.idx, state, regimes: 3 };
      });
      const signal = Float64Array.from(strategy.values);
      const whole = plain(runRegimeKernel(instance, tables, strategy.idx, signal, classifiers, costs, { windowBars: n + 1 }));
      errors += whole.filter((r) => r.status < 0).length;
      for (const windowBars of [1, 7, 64, 4_096, REGIME_WINDOW_BARS]) {
        expect(plain(runRegimeKernel(instance, tables, strategy.idx, signal, classifiers, costs, { windowBars })), `trial ${trial}, window ${windowBars}`).toEqual(whole);
      }
      // one classifier per call (a trade scratch too small for two), and two per call
      const oneTradeList = 12 * (strategy.idx.length + 1);
      for (const tradeScratchBytes of [1, 2 * oneTradeList]) {
        expect(plain(runRegimeKernel(instance, tables, strategy.idx, signal, classifiers, costs, { tradeScratchBytes, windowBars: 64 })), `trial ${trial}, scratch ${tradeScratchBytes}`).toEqual(whole);
      }
    }
    expect(errors).toBeGreaterThan(10);
  });
});
