// Parity of the change-proportional (sparse) metric path with the dense reference path:
// every PerformanceMetrics field to 1e-9 RELATIVE (|a - b| <= 1e-9 * max(|a|, |b|); counts exact).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parquetWasm } from '../../src/io/parquetWasm.ts';
import { describe, expect, it } from 'vitest';
import { denseStrategyMetrics } from '../../src/analytics/denseMetrics.ts';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import {
  isSparseFallback, sparseStrategyAggregates, sparseStrategyMetrics, sparseStrategyMetricsBatch, strategyMetrics, strategyMetricsBatchSettled,
} from '../../src/analytics/sparseMetrics.ts';
import { assembleStrategyMetrics, riskFreeForOptions } from '../../src/analytics/strategyMetrics.ts';
import { InputError, SchemaError } from '../../src/errors.ts';
import {
  packSparseBatch, runSparseKernel, runSparseKernelBatch, SPARSE_STATUS, type SparseKernelResult,
} from '../../src/kernels/sparse.ts';
import { buildMarketIndex, type MarketIndex } from '../../src/market/marketIndex.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../../src/types.ts';
import { randomPricePath, randomVolumes } from '../helpers/edgeCases.ts';
import { Rng } from '../helpers/rng.ts';
import { fixtureFolder } from '../helpers/fixturePaths.ts';
import type { MetricOptions } from '../../src/analytics/metricOptions.ts';
import { barReturns } from '../reference/returns.ts';
import { rollingVolatility, strategyReturns } from '../reference/costs.ts';
import { expandSignal } from '../reference/expand.ts';
import { extractTrades } from '../reference/trades.ts';

const RELATIVE = 1e-9;

/** Field names whose two values differ by more than RELATIVE (relative), with both values. */
function mismatches(dense: PerformanceMetrics, sparse: PerformanceMetrics): string[] {
  const out: string[] = [];
  for (const key of Object.keys(dense) as (keyof PerformanceMetrics)[]) {
    const a = dense[key];
    const b = sparse[key];
    if (a === b) continue;
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) {
      out.push(`${key}: dense ${a} sparse ${b}`);
      continue;
    }
    if (Math.abs(a - b) > RELATIVE * Math.max(Math.abs(a), Math.abs(b))) out.push(`${key}: dense ${a} sparse ${b} (rel ${(Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))).toExponential(2)})`);
  }
  return out;
}

function expectParity(index: MarketIndex, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions, label: string): PerformanceMetrics {
  const dense = denseStrategyMetrics(index, trace, costs, options);
  const sparse = sparseStrategyMetrics(index, trace, costs, options);
  expect(mismatches(dense, sparse), label).toEqual([]);
  expect(Object.keys(sparse).sort()).toEqual(Object.keys(dense).sort());
  return dense;
}

const trace = (idx: readonly number[], signal: readonly number[]): SignalTrace => ({ idx: Int32Array.from(idx), signal: Float64Array.from(signal) });

/** A change list mixing every situation the sparse path special-cases. */
function randomTrace(rng: Rng, n: number): SignalTrace {
  const idx: number[] = [];
  const signal: number[] = [];
  const style = rng.integer(0, 5);
  let t = rng.chance(0.3) ? 0 : rng.integer(0, Math.max(1, Math.min(n, 40)));
  while (t < n) {
    idx.push(t);
    signal.push(style === 4 ? rng.pick([-1, 0]) : rng.pick([-1, 0, 1, 1, -1]));
    let gap: number;
    switch (style) {
      case 0: gap = 1; break;                                                   // changes at adjacent bars
      case 1: gap = rng.chance(0.1) ? rng.integer(100, 800) : rng.integer(1, 5); // long flat/held stretches
      break;
      case 2: gap = rng.integer(1, 60); break;
      default: gap = rng.integer(1, 30);
    }
    t += gap;
  }
  if (n > 0 && rng.chance(0.5) && idx[idx.length - 1] !== n - 1) { idx.push(n - 1); signal.push(rng.pick([-1, 0, 1])); }
  return trace(idx, signal);
}

function market(rng: Rng, n: number): { close: Float64Array; volume: Float64Array } {
  return { close: randomPricePath(rng, n, { drift: rng.between(-0.001, 0.001), volatility: rng.between(0.001, 0.02) }), volume: randomVolumes(rng, n) };
}

const optionsFor = (riskFreeRate: number): MetricOptions => ({ periodsPerYear: 252, riskFreeRate });

describe('sparse vs dense parity (random sweeps)', () => {
  for (const model of ['linear', 'sqrt'] as const) {
    for (const riskFreeRate of [0, 0.04]) {
      it(`${model} costs, rf ${riskFreeRate}: every metric to 1e-9 relative`, () => {
        const rng = new Rng(model === 'linear' ? 11 + riskFreeRate * 100 : 29 + riskFreeRate * 100);
        const costs = defaultExecutionCosts({ slippageModel: model, volatilityWindowBars: rng.integer(2, 30) });
        const options = optionsFor(riskFreeRate);
        let checked = 0;
        for (let round = 0; round < 12; round++) {
          const n = round === 0 ? 2 : rng.integer(3, 2500);
          const index = buildMarketIndex(market(rng, n), costs, undefined, { riskFreePerBar: riskFreeForOptions(options) });
          for (let s = 0; s < 12; s++) {
            const tr = randomTrace(rng, n);
            expectParity(index, tr, costs, options, `n=${n} round ${round} strategy ${s}: ${Array.from(tr.idx).slice(0, 8)}...`);
            checked++;
          }
        }
        expect(checked).toBe(144);
      });
    }
  }

  it('takes the sparse path (no silent fallback) for unit positions', () => {
    const rng = new Rng(5);
    const costs = defaultExecutionCosts();
    const index = buildMarketIndex(market(rng, 500), costs);
    const aggregates = sparseStrategyAggregates(index, randomTrace(rng, 500), costs, optionsFor(0));
    expect(isSparseFallback(aggregates)).toBe(false);
  });

  it('agrees on a 200,000-bar market (prefix precision over many bars)', () => {
    const rng = new Rng(77);
    const n = 200_000;
    const costs = defaultExecutionCosts({ slippageModel: 'sqrt' });
    const options = optionsFor(0.03);
    // realistic minute-bar scale: 0.1 % per bar, so the sqrt law's participation stays sane over 200k bars
    const bars = { close: randomPricePath(rng, n, { drift: 0, volatility: 0.001 }), volume: randomVolumes(rng, n) };
    const index = buildMarketIndex(bars, costs, undefined, { riskFreePerBar: riskFreeForOptions(options) });
    for (let s = 0; s < 3; s++) expectParity(index, randomTrace(rng, n), costs, options, `long market strategy ${s}`);
    // one long position over everything and a single short trade near the end
    expectParity(index, trace([0], [1]), costs, options, 'buy and hold');
    expectParity(index, trace([n - 1000, n - 10], [-1, 0]), costs, options, 'one late short');
  });
});

describe('sparse vs dense parity (edge cases)', () => {
  const rng = new Rng(3);
  const data = market(rng, 300);
  for (const model of ['linear', 'sqrt'] as const) {
    for (const riskFreeRate of [0, 0.05]) {
      const costs = defaultExecutionCosts({ slippageModel: model });
      const options = optionsFor(riskFreeRate);
      const rf = riskFreeForOptions(options);
      const label = `${model}, rf ${riskFreeRate}`;
      it(`${label}: 1 bar`, () => {
        const one = buildMarketIndex({ close: data.close.subarray(0, 1), volume: data.volume.subarray(0, 1) }, costs, undefined, { riskFreePerBar: rf });
        expectParity(one, trace([], []), costs, options, 'no change');
        expectParity(one, trace([0], [1]), costs, options, 'long at bar 0');
        expectParity(one, trace([0], [-1]), costs, options, 'short at bar 0');
      });
      it(`${label}: no changes, only zero rows, repeated rows`, () => {
        const index = buildMarketIndex(data, costs, undefined, { riskFreePerBar: rf });
        expectParity(index, trace([], []), costs, options, 'empty');
        expectParity(index, trace([0, 50, 299], [0, 0, 0]), costs, options, 'zeros');
        expectParity(index, trace([3, 4, 5, 90, 91], [1, 1, 1, 1, -1]), costs, options, 'repeated values');
        expectParity(index, trace([299], [1]), costs, options, 'change at the last bar only');
      });
      it(`${label}: all short, flips every bar, change at first and last bar`, () => {
        const index = buildMarketIndex(data, costs, undefined, { riskFreePerBar: rf });
        expectParity(index, trace([0], [-1]), costs, options, 'all short');
        expectParity(index, trace([0], [1]), costs, options, 'all long');
        const flips = Array.from({ length: 300 }, (_, i) => i);
        expectParity(index, trace(flips, flips.map((i) => (i % 2 ? 1 : -1))), costs, options, 'flip every bar');
        expectParity(index, trace([0, 150, 299], [1, -1, 0]), costs, options, 'first, middle, last');
        expectParity(index, trace([10, 200], [1, 0]), costs, options, 'one long, long flat stretches');
      });
    }
  }

  it('a rising market with no drawdown inside the trade', () => {
    const close = Float64Array.from({ length: 100 }, (_, i) => 100 * 1.001 ** i);
    const costs = defaultExecutionCosts({ commissionRate: 0, slippageRate: 0 });
    const index = buildMarketIndex({ close, volume: new Float64Array(100).fill(1e6) }, costs);
    const m = expectParity(index, trace([5, 60], [1, 0]), costs, optionsFor(0), 'rising, free');
    expect(m.maxDrawdown).toBe(0);
  });

  it('falls back to the dense path where sparse is not exact, and says why', () => {
    const costs = defaultExecutionCosts();
    const index = buildMarketIndex(data, costs);
    const fractional = trace([5, 40, 100], [0.5, -0.25, 1]);
    expect(() => sparseStrategyMetrics(index, fractional, costs, optionsFor(0))).toThrow(InputError);
    const paths: string[] = [];
    const picked = strategyMetrics(index, fractional, costs, optionsFor(0), (path, reason) => paths.push(`${path}:${reason ?? ''}`));
    expect(picked).toEqual(denseStrategyMetrics(index, fractional, costs, optionsFor(0)));
    expect(paths[0]).toMatch(/^dense:row 0: position 0.5/);
    // an index built for rf = 0 used with rf != 0
    const withRf = optionsFor(0.05);
    const unit = trace([5, 40], [1, -1]);
    expect(isSparseFallback(sparseStrategyAggregates(index, unit, costs, withRf))).toBe(true);
    expect(mismatches(denseStrategyMetrics(index, unit, costs, withRf), strategyMetrics(index, unit, costs, withRf))).toEqual([]);
    paths.length = 0;
    strategyMetrics(index, unit, costs, optionsFor(0), (path) => paths.push(path));
    expect(paths).toEqual(['sparse']);
    // a sqrt-law cost above 100 % of equity (tiny volume): compounding in log space is undefined
    const sqrt = defaultExecutionCosts({ slippageModel: 'sqrt', impactCoefficient: 1e4 });
    const thin = buildMarketIndex({ close: data.close, volume: new Float64Array(300).fill(1) }, sqrt);
    const ruin = trace([30, 60], [1, 0]);
    expect(isSparseFallback(sparseStrategyAggregates(thin, ruin, sqrt, optionsFor(0)))).toBe(true);
    expect(strategyMetrics(thin, ruin, sqrt, optionsFor(0))).toEqual(denseStrategyMetrics(thin, ruin, sqrt, optionsFor(0)));
  });

  it('rejects the change lists the dense path rejects, with the same error', () => {
    const costs = defaultExecutionCosts();
    const index = buildMarketIndex(data, costs);
    for (const bad of [trace([5, 5], [1, 0]), trace([9, 3], [1, 0]), trace([0, 300], [1, 0]), trace([-1], [1])]) {
      const denseError = (() => { try { denseStrategyMetrics(index, bad, costs, optionsFor(0)); } catch (e) { return e as Error; } return undefined; })();
      expect(denseError).toBeInstanceOf(SchemaError);
      expect(() => sparseStrategyMetrics(index, bad, costs, optionsFor(0))).toThrow(denseError!.message);
    }
    const zeroVolume = { close: data.close, volume: Float64Array.from(data.volume, (v, i) => (i === 7 ? 0 : v)) };
    const sqrt = defaultExecutionCosts({ slippageModel: 'sqrt' });
    const sqrtIndex = buildMarketIndex(zeroVolume, sqrt);
    expect(() => denseStrategyMetrics(sqrtIndex, trace([7], [1]), sqrt, optionsFor(0))).toThrow(/bar 7/);
    expect(() => sparseStrategyMetrics(sqrtIndex, trace([7], [1]), sqrt, optionsFor(0))).toThrow(/bar 7/);
  });
});

describe('sparse batch API and kernel trade sums', () => {
  it('sparseStrategyMetricsBatch equals strategyMetrics one at a time (sparse, fallbacks, both cost models)', () => {
    const rng = new Rng(404);
    for (const model of ['linear', 'sqrt'] as const) {
      for (const riskFreeRate of [0, 0.04]) {
        const costs = defaultExecutionCosts({ slippageModel: model });
        const options = optionsFor(riskFreeRate);
        const n = rng.integer(50, 3000);
        const index = buildMarketIndex(market(rng, n), costs, undefined, { riskFreePerBar: riskFreeForOptions(options) });
        const traces = Array.from({ length: 20 }, () => randomTrace(rng, n));
        traces.push(trace([], []), trace([3, 10, 20], [0.5, -1, 0]), trace([0], [1]), trace([n - 1], [-1]));
        const paths: string[] = [];
        const batch = sparseStrategyMetricsBatch(index, traces, costs, options, (i, path) => paths.push(`${i}:${path}`));
        expect(batch).toHaveLength(traces.length);
        traces.forEach((tr, i) => {
          expect(batch[i], `${model} rf ${riskFreeRate} trace ${i}`).toEqual(strategyMetrics(index, tr, costs, options));
        });
        expect(paths).toContain(`${traces.length - 3}:dense`); // the fractional one
        // an index built for another rf: every strategy on the dense path, same results
        const other = sparseStrategyMetricsBatch(index, traces.slice(0, 3), costs, optionsFor(0.1));
        traces.slice(0, 3).forEach((tr, i) => expect(other[i]).toEqual(strategyMetrics(index, tr, costs, optionsFor(0.1))));
      }
    }
  });

  it('the batch rejects an invalid change list with the single-strategy error', () => {
    const rng = new Rng(8);
    const costs = defaultExecutionCosts();
    const index = buildMarketIndex(market(rng, 100), costs);
    const bad = trace([5, 5], [1, 0]);
    const single = (() => { try { strategyMetrics(index, bad, costs, optionsFor(0)); } catch (e) { return e as Error; } return undefined; })();
    expect(single).toBeInstanceOf(SchemaError);
    expect(() => sparseStrategyMetricsBatch(index, [trace([1], [1]), bad], costs, optionsFor(0))).toThrow(single!.message);
  });

  it('metrics from the kernel trade sums equal assembleStrategyMetrics over the trade list, exactly', () => {
    const rng = new Rng(99);
    for (const model of ['linear', 'sqrt'] as const) {
      const costs = defaultExecutionCosts({ slippageModel: model });
      const index = buildMarketIndex(market(rng, 2000), costs);
      for (let s = 0; s < 25; s++) {
        const tr = randomTrace(rng, 2000);
        const aggregates = sparseStrategyAggregates(index, tr, costs, optionsFor(0));
        if (isSparseFallback(aggregates)) throw new Error(aggregates.fallback);
        expect(sparseStrategyMetrics(index, tr, costs, optionsFor(0))).toEqual(assembleStrategyMetrics(aggregates, optionsFor(0)));
      }
    }
  });
});

// ---- the real ADMF-PC fixture: SPY 1-minute bars and the grid's signal traces ----
const FIXTURE = fixtureFolder('admf-pc');
const BARS_FILE = join(FIXTURE, 'data/SPY_1m.parquet');
const SIGNALS_DIR = join(FIXTURE, 'workspaces/complete_strategy_grid_v1_12778120/traces/SPY_1m/signals');
const FIXTURE_BARS = 1000;
const fixturePresent = existsSync(BARS_FILE) && existsSync(SIGNALS_DIR);
if (!fixturePresent && process.env.CI !== 'true') {
  console.warn(`sparseParity: skipping the ADMF-PC fixture test, ${FIXTURE} is missing (set CI=true to make this a failure)`);
}

function readTable(file: string) {
  return tableFromIPC(parquetWasm().readParquet(new Uint8Array(readFileSync(file))).intoIPCStream());
}

describe('sparse vs dense parity on the ADMF-PC SPY_1m fixture', () => {
  it.skipIf(!fixturePresent && process.env.CI !== 'true')('every signal trace of the grid on the first 1000 bars', () => {
    expect(fixturePresent, `${FIXTURE} is missing; the fixture test is required when CI=true`).toBe(true);
    const bars = readTable(BARS_FILE);
    const close = Float64Array.from(bars.getChild('close')!.toArray() as ArrayLike<number>).subarray(0, FIXTURE_BARS);
    const volume = Float64Array.from(Array.from(bars.getChild('volume')!.toArray() as ArrayLike<bigint | number>, Number)).subarray(0, FIXTURE_BARS);
    const files = readdirSync(SIGNALS_DIR).flatMap((dir) => readdirSync(join(SIGNALS_DIR, dir)).filter((f) => f.endsWith('.parquet')).map((f) => join(SIGNALS_DIR, dir, f)));
    expect(files.length).toBeGreaterThan(100);
    let compared = 0;
    let unpriced = 0;
    for (const model of ['linear', 'sqrt'] as const) {
      const costs = defaultExecutionCosts({ slippageModel: model });
      for (const riskFreeRate of [0, 0.04]) {
        const options: MetricOptions = { periodsPerYear: 252 * 390, riskFreeRate };
        const index = buildMarketIndex({ close, volume }, costs, undefined, { riskFreePerBar: riskFreeForOptions(options) });
        // every file under linear costs with rf = 0, every 7th otherwise (keeps the suite fast)
        const stride = model === 'linear' && riskFreeRate === 0 ? 1 : 7;
        for (let f = 0; f < files.length; f += stride) {
          const table = readTable(files[f]!);
          const idx: number[] = [];
          const signal: number[] = [];
          const idxColumn = table.getChild('idx')!.toArray() as ArrayLike<bigint | number>;
          const valColumn = table.getChild('val')!.toArray() as ArrayLike<bigint | number>;
          for (let r = 0; r < idxColumn.length; r++) {
            const bar = Number(idxColumn[r]) - 1; // idx is 1-based
            if (bar < 0 || bar >= FIXTURE_BARS) continue;
            idx.push(bar);
            signal.push(Number(valColumn[r]));
          }
          const tr = trace(idx, signal);
          let denseResult: PerformanceMetrics;
          try {
            denseResult = denseStrategyMetrics(index, tr, costs, options);
          } catch (error) {
            // a trade on a zero-volume bar cannot be priced by the sqrt law: both paths must say so
            expect(error).toBeInstanceOf(SchemaError);
            expect(() => sparseStrategyMetrics(index, tr, costs, options)).toThrow((error as Error).message);
            unpriced++;
            continue;
          }
          expect(mismatches(denseResult, sparseStrategyMetrics(index, tr, costs, options)), `${files[f]} (${model}, rf ${riskFreeRate})`).toEqual([]);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(files.length);
    expect(unpriced).toBeLessThan(compared);
  });

  it.skipIf(!fixturePresent && process.env.CI !== 'true')('the tiled batch (two strategies per lane pass) equals single calls bit for bit on every trace of the grid, all bars', () => {
    expect(fixturePresent, `${FIXTURE} is missing; the fixture test is required when CI=true`).toBe(true);
    const bars = readTable(BARS_FILE);
    const close = Float64Array.from(bars.getChild('close')!.toArray() as ArrayLike<number>);
    const volume = Float64Array.from(Array.from(bars.getChild('volume')!.toArray() as ArrayLike<bigint | number>, Number));
    const n = close.length;
    const files = readdirSync(SIGNALS_DIR).flatMap((dir) => readdirSync(join(SIGNALS_DIR, dir)).filter((f) => f.endsWith('.parquet')).map((f) => join(SIGNALS_DIR, dir, f)));
    const traces = files.map((file) => {
      const table = readTable(file);
      const idxColumn = table.getChild('idx')!.toArray() as ArrayLike<bigint | number>;
      const valColumn = table.getChild('val')!.toArray() as ArrayLike<bigint | number>;
      const idx: number[] = [];
      const signal: number[] = [];
      for (let r = 0; r < idxColumn.length; r++) {
        const bar = Number(idxColumn[r]) - 1; // idx is 1-based
        if (bar < 0 || bar >= n) continue;
        idx.push(bar);
        signal.push(Number(valColumn[r]));
      }
      return trace(idx, signal);
    });
    const comparable = (r: Omit<SparseKernelResult, 'trades'>) =>
      r.status === SPARSE_STATUS.ok || r.status === SPARSE_STATUS.constant ? r : { status: r.status, detail: r.detail };
    for (const model of ['linear', 'sqrt'] as const) {
      const costs = defaultExecutionCosts({ slippageModel: model });
      const index = buildMarketIndex({ close, volume }, costs);
      const single = traces.map((tr) => {
        const { trades: _trades, ...rest } = runSparseKernel(index.instance, index.headerPtr, 0, tr.idx, tr.signal, costs, { trades: false });
        return comparable(rest);
      });
      expect(single.filter((r) => r.status === SPARSE_STATUS.ok).length, model).toBeGreaterThan(traces.length / 2);
      for (let start = 0; start < traces.length; start += 64) {
        const batch = runSparseKernelBatch(index.instance, index.headerPtr, 0, traces.slice(start, start + 64), costs);
        batch.forEach((r, i) => expect(comparable(r), `${model} ${files[start + i]}`).toEqual(single[start + i]));
      }
    }
  });
});

describe('tiled batch kernel (sparseMetricsBatch windows over the bar axis)', () => {
  /** Kernel results comparable across calls: everything for OK / constant, status and detail otherwise. */
  const comparable = (r: Omit<SparseKernelResult, 'trades'> & { trades?: unknown }) => {
    const { trades: _trades, ...rest } = r;
    return r.status === SPARSE_STATUS.ok || r.status === SPARSE_STATUS.constant ? rest : { status: r.status, detail: r.detail };
  };

  it('equals the single-strategy kernel bit for bit for every window size and prefetch mode', () => {
    const rng = new Rng(2026);
    for (const model of ['linear', 'sqrt'] as const) {
      for (const riskFreeRate of [0, 0.04]) {
        const costs = defaultExecutionCosts({ slippageModel: model });
        const rf = riskFreeForOptions(optionsFor(riskFreeRate));
        const n = rng.integer(300, 5000);
        const index = buildMarketIndex(market(rng, n), costs, undefined, { riskFreePerBar: rf });
        const traces = Array.from({ length: 24 }, () => randomTrace(rng, n));
        traces.push(
          trace([], []), trace([0], [1]), trace([n - 1], [-1]), trace([3, 10, 20], [0.5, -1, 0]),
          trace([5, n - 3, 2], [1, 0, -1]), trace([1, 2, n + 4], [1, -1, 0]), trace([-1], [1]), trace([7, 7], [1, 0]),
        );
        const single = traces.map((tr) => comparable(runSparseKernel(index.instance, index.headerPtr, rf, tr.idx, tr.signal, costs, { trades: false })));
        for (const tileBars of [0, 1, 7, 64, 1000, 4096]) {
          for (const prefetch of ['none', 'look-ahead', 'window'] as const) {
            const batch = runSparseKernelBatch(index.instance, index.headerPtr, rf, traces, costs, { tileBars, prefetch }).map(comparable);
            expect(batch, `${model} rf ${riskFreeRate} tile ${tileBars} ${prefetch}`).toEqual(single);
          }
        }
        // change lists packed once in kernel memory (no copy-in per call)
        const mark = index.instance.arena.mark();
        const packed = packSparseBatch(index.instance, traces);
        expect(runSparseKernelBatch(index.instance, index.headerPtr, rf, packed, costs).map(comparable)).toEqual(single);
        expect(runSparseKernelBatch(index.instance, index.headerPtr, rf, packed, costs, { tileBars: 33 }).map(comparable)).toEqual(single);
        index.instance.arena.release(mark);
      }
    }
  });

  it('sparseStrategyMetricsBatch with small windows equals strategyMetrics and the dense path', () => {
    const rng = new Rng(77);
    const costs = defaultExecutionCosts({ slippageModel: 'sqrt' });
    const options = optionsFor(0);
    const n = 4000;
    const index = buildMarketIndex(market(rng, n), costs);
    const traces = Array.from({ length: 12 }, () => randomTrace(rng, n));
    for (const tileBars of [0, 5, 256]) {
      const batch = sparseStrategyMetricsBatch(index, traces, costs, options, undefined, { tileBars });
      traces.forEach((tr, i) => {
        expect(batch[i], `tile ${tileBars} trace ${i}`).toEqual(strategyMetrics(index, tr, costs, options));
        expect(mismatches(denseStrategyMetrics(index, tr, costs, options), batch[i]!)).toEqual([]);
      });
    }
  });

  it('keeps the drawdown exact when the candidate buffer overflows (many deferred segments)', () => {
    const rng = new Rng(5);
    const costs = defaultExecutionCosts();
    const n = 20_000;
    const index = buildMarketIndex(market(rng, n), costs);
    // a change every 2 bars: K = 10,000 rows, more deferred candidates than a batch keeps per strategy
    const idx = Array.from({ length: n / 2 }, (_, i) => 2 * i);
    const traces = [0, 1, 2].map((s) => trace(idx, idx.map((_, i) => ((i + s) % 3) - 1)));
    const batch = sparseStrategyMetricsBatch(index, traces, costs, optionsFor(0), undefined, { tileBars: 512 });
    traces.forEach((tr, i) => expect(mismatches(denseStrategyMetrics(index, tr, costs, optionsFor(0)), batch[i]!)).toEqual([]));
    // and bit for bit the single-strategy kernel (whose buffer holds every candidate), through the
    // two-lane pass (strategies 0 and 1) and the scalar one (strategy 2)
    traces.forEach((tr, i) => expect(batch[i]).toEqual(strategyMetrics(index, tr, costs, optionsFor(0))));
  });

  it('the two-lane pass equals the single-strategy kernel bit for bit: scans, long segments, rf, sqrt costs, odd counts', () => {
    // rising and falling markets (new peaks, so exact scans, on one lane or both), changes far apart
    // (segments over many 64-bar blocks) and close together, long / short / flat in every pairing
    const rng = new Rng(4242);
    for (const model of ['linear', 'sqrt'] as const) {
      for (const riskFreeRate of [0, 0.04]) {
        const costs = defaultExecutionCosts({ slippageModel: model });
        const options = optionsFor(riskFreeRate);
        const rf = riskFreeForOptions(options);
        const n = 6000;
        const bars = { close: randomPricePath(rng, n, { drift: rng.pick([-0.002, 0.002, 0.0005]), volatility: 0.004 }), volume: randomVolumes(rng, n) };
        const index = buildMarketIndex(bars, costs, undefined, { riskFreePerBar: rf });
        const traces: SignalTrace[] = [];
        for (let s = 0; s < 11; s++) {
          const idx: number[] = [];
          const signal: number[] = [];
          let previous = 0;
          for (let t = rng.integer(0, 50); t < n; t += s % 3 === 0 ? rng.integer(100, 400) : rng.integer(1, 40)) {
            let next = previous;
            while (next === previous) next = rng.pick([-1, 0, 1]);
            idx.push(t);
            signal.push(next);
            previous = next;
          }
          traces.push(trace(idx, signal));
        }
        const single = traces.map((tr) => runSparseKernel(index.instance, index.headerPtr, rf, tr.idx, tr.signal, costs, { trades: false }));
        expect(single.filter((r) => r.status === SPARSE_STATUS.ok).length).toBeGreaterThanOrEqual(10);
        for (const tileBars of [0, 333, 4096]) {
          const batch = runSparseKernelBatch(index.instance, index.headerPtr, rf, traces, costs, { tileBars });
          batch.forEach((r, i) => {
            const { trades: _trades, ...expected } = single[i]!;
            // (a failed strategy's output block holds only its status and detail)
            const ok = expected.status === SPARSE_STATUS.ok || expected.status === SPARSE_STATUS.constant;
            expect(ok ? r : { status: r.status, detail: r.detail }, `${model} rf ${riskFreeRate} tile ${tileBars} strategy ${i}`)
              .toEqual(ok ? expected : { status: expected.status, detail: expected.detail });
          });
        }
      }
    }
  });
});

describe('trade log (closed trades summed in a second loop, 256 at a time)', () => {
  // Every trade count around the log's capacity: the log is flushed when full, at the end of each
  // window of the tiled batch, and at the end of the strategy; per-trade returns must match the
  // plain-TS reference trade by trade, and the batch must equal the single-strategy kernel.
  it('per-trade returns equal the reference trades on both sides of every flush', () => {
    const rng = new Rng(256);
    for (const model of ['linear', 'sqrt'] as const) {
      const costs = defaultExecutionCosts({ slippageModel: model });
      const n = 3000;
      const bars = market(rng, n);
      const index = buildMarketIndex(bars, costs);
      const { returns } = barReturns(bars.close);
      const impact = model === 'sqrt' ? { close: bars.close, volume: bars.volume, sigma: rollingVolatility(returns, costs.volatilityWindowBars) } : undefined;
      const traces: SignalTrace[] = [];
      for (const changes of [0, 1, 255, 256, 257, 511, 512, 513, 1100]) {
        // alternating long / short with an occasional flat bar: nearly every change closes a trade
        const idx = Array.from({ length: changes }, (_, i) => 1 + 2 * i);
        traces.push(trace(idx, idx.map((_, i) => (i % 7 === 6 ? 0 : i % 2 === 0 ? 1 : -1))));
      }
      for (const tr of traces) {
        const kernel = runSparseKernel(index.instance, index.headerPtr, 0, tr.idx, tr.signal, costs, { trades: true });
        expect(kernel.status).toBe(SPARSE_STATUS.ok);
        const positions = expandSignal(tr.idx, tr.signal, n);
        const reference = extractTrades(positions, returns, strategyReturns(positions, returns, costs, impact).cost);
        expect(Array.from(kernel.trades.start), `${model} ${tr.idx.length} changes`).toEqual(Array.from(reference.start));
        expect(Array.from(kernel.trades.end)).toEqual(Array.from(reference.end));
        for (let i = 0; i < reference.netReturn.length; i++) {
          expect(Math.abs(kernel.trades.netReturn[i]! - reference.netReturn[i]!), `${model} trade ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(reference.netReturn[i]!)));
          expect(Math.abs(kernel.trades.grossReturn[i]! - reference.grossReturn[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(reference.grossReturn[i]!)));
        }
        const wins = Array.from(reference.netReturn).filter((r) => r > 0);
        expect(kernel.tradeSums.count).toBe(reference.netReturn.length);
        expect(kernel.tradeSums.wins).toBe(wins.length);
      }
      const single = traces.map((tr) => runSparseKernel(index.instance, index.headerPtr, 0, tr.idx, tr.signal, costs, { trades: false }).tradeSums);
      for (const tileBars of [0, 100, 4096]) {
        expect(runSparseKernelBatch(index.instance, index.headerPtr, 0, traces, costs, { tileBars }).map((r) => r.tradeSums), `tile ${tileBars}`).toEqual(single);
      }
    }
  });
});

describe('strategyMetricsBatchSettled (per-strategy error isolation)', () => {
  it('equals strategyMetrics per trace; an invalid trace fails only itself, with the single-strategy error', () => {
    const rng = new Rng(31);
    for (const model of ['linear', 'sqrt'] as const) {
      const costs = defaultExecutionCosts({ slippageModel: model });
      const n = 3000;
      const bars = market(rng, n);
      if (model === 'sqrt') bars.volume[17] = 0; // an unpriceable bar for the sqrt model
      const index = buildMarketIndex(bars, costs);
      const traces = Array.from({ length: 10 }, () => randomTrace(rng, n));
      traces.splice(2, 0, trace([5, 5], [1, 0]));                            // duplicated row
      traces.splice(5, 0, trace([1, 2, n + 3], [1, 0, -1]));                 // out of range
      traces.splice(7, 0, { idx: Int32Array.from([1, 2]), signal: Float64Array.from([1]) }); // length mismatch
      traces.push(trace([3, 10, 20], [0.5, -1, 0]));                           // fractional: dense fallback
      traces.push(trace([17], [1]));                                           // unpriceable under sqrt
      const settled = strategyMetricsBatchSettled(index, traces, costs, optionsFor(0), { tileBars: 100 });
      expect(settled).toHaveLength(traces.length);
      traces.forEach((tr, i) => {
        let path: string | undefined;
        let reason: string | undefined;
        let expected: PerformanceMetrics | Error;
        try {
          expected = strategyMetrics(index, tr, costs, optionsFor(0), (p, r) => { path = p; reason = r; });
        } catch (error) {
          expected = error as Error;
        }
        const got = settled[i]!;
        if (expected instanceof Error) {
          expect(got.ok, `${model} trace ${i}`).toBe(false);
          if (!got.ok) expect(got.error.message).toBe(expected.message);
        } else {
          expect(got, `${model} trace ${i}`).toEqual({ ok: true, metrics: expected, path, ...(reason ? { reason } : {}) });
        }
      });
      expect(settled.filter((s) => !s.ok).length).toBeGreaterThanOrEqual(model === 'sqrt' ? 4 : 3);
      expect(settled.filter((s) => s.ok).length).toBeGreaterThan(0);
    }
  });
});
