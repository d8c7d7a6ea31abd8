// WASM kernels vs the plain-TS reference (test/reference/), on seeded random inputs of several sizes
// (odd lengths exercise the SIMD tails) and on every named edge case. Tolerance: 1e-9 relative
// (closeRelative in test/helpers/tolerance.ts).
import { describe, expect, it } from 'vitest';
import * as wasm from '../../src/index.ts';
import { SchemaError } from '../../src/errors.ts';
import type { ExecutionCosts, SignalTrace } from '../../src/types.ts';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { expandSignal as refExpandSignal } from '../reference/expand.ts';
import { barReturns as refBarReturns } from '../reference/returns.ts';
import { rollingVolatility as refRollingVolatility, strategyReturns as refStrategyReturns } from '../reference/costs.ts';
import {
  drawdownSeries as refDrawdownSeries, equityCurve as refEquityCurve, maxDrawdown as refMaxDrawdown,
  rollingDrawdown as refRollingDrawdown,
} from '../reference/drawdown.ts';
import { moments as refMoments, sumValues as refSumValues } from '../reference/moments.ts';
import { extractTrades as refExtractTrades } from '../reference/trades.ts';
import { referenceStrategyMetrics } from '../reference/strategyMetrics.ts';
import { Rng } from '../helpers/rng.ts';
import {
  allEdgeCases, pricedEdgeCases, randomChangeList, randomPricePath, randomReturns, randomVolumes,
} from '../helpers/edgeCases.ts';
import { close, findMismatch } from '../helpers/tolerance.ts';

/** Sizes of the random inputs: empty, tiny, odd and even around the f64x2 width, and large. */
const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 33, 1000, 1001, 100_001];
const SEED = 20240607;

/** Everything any kernel reads, for one situation. */
interface KernelInputs {
  label: string;
  /** Per-bar returns, NaN allowed. */
  returns: Float64Array;
  /** Bar returns of `close` (NaN next to invalid closes). */
  barReturns: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  trace: SignalTrace;
  /** Dense positions of `trace`. */
  positions: Float64Array;
}

function randomInputs(n: number, seed: number, fractional = false): KernelInputs {
  const rng = new Rng(seed);
  const close = randomPricePath(rng, n);
  const values = fractional ? [-1, -0.5, 0, 0.25, 0.75, 1] : [-1, 0, 1];
  const trace = randomChangeList(rng, n, 0.08, values);
  return {
    label: `random n=${n}${fractional ? ' fractional' : ''}`,
    returns: randomReturns(rng, n, 0.03),
    barReturns: refBarReturns(close).returns,
    close,
    volume: randomVolumes(rng, n),
    trace,
    positions: refExpandSignal(trace.idx, trace.signal, n),
  };
}

const inputs: KernelInputs[] = [
  ...SIZES.map((n, i) => randomInputs(n, SEED + i)),
  ...[7, 1001].map((n) => randomInputs(n, SEED + 100 + n, true)),
  ...allEdgeCases.map((c) => ({
    label: c.name,
    returns: c.returns,
    barReturns: refBarReturns(c.close).returns,
    close: c.close,
    volume: c.volume,
    trace: c.trace,
    positions: refExpandSignal(c.trace.idx, c.trace.signal, c.close.length),
  })),
];

const LINEAR: ExecutionCosts = defaultExecutionCosts();
const SQRT: ExecutionCosts = defaultExecutionCosts({ slippageModel: 'sqrt', impactCoefficient: 0.8, capital: 250_000, volatilityWindowBars: 5 });
const COST_MODELS: Array<[string, ExecutionCosts]> = [
  ['linear', LINEAR],
  ['linear, zero costs', defaultExecutionCosts({ commissionRate: 0, slippageRate: 0 })],
  ['sqrt', SQRT],
];

/** Asserts the WASM result equals the reference's, field by field, to 1e-9 relative. */
function expectParity(actual: unknown, expected: unknown): void {
  const mismatch = findMismatch(actual, expected);
  expect(mismatch, mismatch).toBeUndefined();
}

/** One row per kernel (and variant): how to call it with the WASM binding and with the reference. */
interface KernelRow {
  name: string;
  run: (input: KernelInputs, impl: 'wasm' | 'reference') => unknown;
}

const impactOf = (input: KernelInputs, windowBars: number) => ({
  close: input.close,
  volume: input.volume,
  sigma: refRollingVolatility(input.barReturns, windowBars),
});

const kernelRows: KernelRow[] = [
  {
    name: 'expandSignal',
    run: (input, impl) => (impl === 'wasm' ? wasm.expandSignal : refExpandSignal)(input.trace.idx, input.trace.signal, input.close.length),
  },
  { name: 'barReturns', run: (input, impl) => (impl === 'wasm' ? wasm.barReturns : refBarReturns)(input.close) },
  ...[2, 3, 5, 20].map((windowBars): KernelRow => ({
    name: `rollingVolatility window=${windowBars}`,
    run: (input, impl) => {
      const fn = impl === 'wasm' ? wasm.rollingVolatility : refRollingVolatility;
      return { onReturns: fn(input.returns, windowBars), onBarReturns: fn(input.barReturns, windowBars) };
    },
  })),
  ...COST_MODELS.map(([label, costs]): KernelRow => ({
    name: `strategyReturns ${label}`,
    run: (input, impl) => {
      const fn = impl === 'wasm' ? wasm.strategyReturns : refStrategyReturns;
      const impact = impactOf(input, costs.volatilityWindowBars);
      const result = fn(input.positions, input.barReturns, costs, impact);
      // Past an unpriced bar the outputs are unspecified; compare the priced prefix.
      const end = result.firstUnpricedBar >= 0 ? result.firstUnpricedBar : input.positions.length;
      return {
        gross: result.gross.subarray(0, end), net: result.net.subarray(0, end), cost: result.cost.subarray(0, end),
        firstUnpricedBar: result.firstUnpricedBar,
        onNaNReturns: impl === 'wasm'
          ? wasm.strategyReturns(input.positions, fitLength(input.returns, input.positions.length), costs, impact).net.subarray(0, end)
          : refStrategyReturns(input.positions, fitLength(input.returns, input.positions.length), costs, impact).net.subarray(0, end),
      };
    },
  })),
  { name: 'equityCurve', run: (input, impl) => (impl === 'wasm' ? wasm.equityCurve : refEquityCurve)(input.returns) },
  { name: 'drawdownSeries', run: (input, impl) => (impl === 'wasm' ? wasm.drawdownSeries : refDrawdownSeries)(input.returns) },
  { name: 'maxDrawdown', run: (input, impl) => (impl === 'wasm' ? wasm.maxDrawdown : refMaxDrawdown)(input.returns) },
  ...[0, 1, 2, 5, 63].map((windowBars): KernelRow => ({
    name: `rollingDrawdown window=${windowBars}`,
    run: (input, impl) => (impl === 'wasm' ? wasm.rollingDrawdown : refRollingDrawdown)(input.returns, windowBars),
  })),
  ...[0, 0.0004, -0.01].map((rf): KernelRow => ({
    name: `moments rf=${rf}`,
    run: (input, impl) => (impl === 'wasm' ? wasm.moments : refMoments)(input.returns, rf),
  })),
  { name: 'sumValues', run: (input, impl) => (impl === 'wasm' ? wasm.sumValues : refSumValues)(input.returns) },
  ...COST_MODELS.map(([label, costs]): KernelRow => ({
    name: `extractTrades (${label} costs)`,
    run: (input, impl) => {
      const priced = refStrategyReturns(input.positions, input.barReturns, costs, impactOf(input, costs.volatilityWindowBars));
      if (priced.firstUnpricedBar >= 0) return 'unpriced';
      const fn = impl === 'wasm' ? wasm.extractTrades : refExtractTrades;
      return { onBarReturns: fn(input.positions, input.barReturns, priced.cost), onNaNReturns: fn(input.positions, fitLength(input.returns, input.positions.length), priced.cost) };
    },
  })),
];

/** `values` cut or NaN-padded to n entries (fixtures' return series and prices may differ in length). */
function fitLength(values: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  out.set(values.subarray(0, n));
  return out;
}

describe('kernel parity: WASM vs plain-TS reference', () => {
  for (const row of kernelRows) {
    describe(row.name, () => {
      it.each(inputs.map((input) => [input.label, input] as const))('%s', (_label, input) => {
        expectParity(row.run(input, 'wasm'), row.run(input, 'reference'));
      });
    });
  }
});

describe('SIMD kernels vs scalar reference: NaN placement and tails', () => {
  const rng = new Rng(SEED + 7);
  const patterns: Array<[string, (i: number, n: number) => boolean]> = [
    ['no NaN', () => false],
    ['NaN at even positions', (i) => i % 2 === 0],
    ['NaN at odd positions', (i) => i % 2 === 1],
    ['NaN only in the scalar tail', (i, n) => n % 2 === 1 && i === n - 1],
    ['NaN only in the first lane pair', (i) => i < 2],
    ['all NaN', () => true],
    ['every third NaN', (i) => i % 3 === 0],
  ];
  for (const [label, isNaNAt] of patterns) {
    it(label, () => {
      for (let n = 0; n <= 17; n++) {
        const values = randomReturns(rng, n, 0, 0.02, 0.001).map((x, i) => (isNaNAt(i, n) ? NaN : x));
        for (const rf of [0, 0.001]) {
          const mismatch = findMismatch(wasm.moments(values, rf), refMoments(values, rf));
          expect(mismatch, `n=${n} rf=${rf}: ${mismatch}`).toBeUndefined();
        }
        expect(findMismatch(wasm.sumValues(values), refSumValues(values)), `sumValues n=${n}`).toBeUndefined();
      }
    });
  }

  it('counts a return equal to the risk-free rate as neither positive nor negative, in lanes and tail', () => {
    const values = Float64Array.from([0.001, 0.002, 0.001, 0, 0.001]);
    const m = wasm.moments(values, 0.001);
    expect(m).toMatchObject({ count: 5, positiveCount: 1, negativeCount: 1 });
    expectParity(m, refMoments(values, 0.001));
  });
});

describe('expandSignal: invalid change lists are rejected the same way', () => {
  const bad: Array<[string, number[], number, number]> = [
    // [label, idx, nBars, first bad row]
    ['unsorted', [0, 5, 3], 10, 2],
    ['duplicated', [0, 4, 4], 10, 2],
    ['out of range', [0, 9, 10], 10, 2],
    ['negative', [-1, 2], 10, 0],
    ['any row on zero bars', [0], 0, 0],
  ];
  it.each(bad)('%s', (_label, idx, nBars, row) => {
    const value = new Float64Array(idx.length).fill(1);
    for (const fn of [wasm.expandSignal, refExpandSignal]) {
      let thrown: unknown;
      try {
        fn(Int32Array.from(idx), value, nBars);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SchemaError);
      expect((thrown as SchemaError).context.row).toBe(row);
      expect((thrown as SchemaError).message).toMatch(new RegExp(`^row ${row}: idx `));
    }
  });
});

describe('dense strategy metrics: denseStrategyMetrics (WASM) vs referenceStrategyMetrics (TS)', () => {
  const options = { periodsPerYear: 252, riskFreeRate: 0.02 };
  const strategies: Array<{ label: string; close: Float64Array; volume: Float64Array; trace: SignalTrace }> = [
    ...[2, 3, 1001, 20_001].flatMap((n, i) => {
      const a = randomInputs(n, SEED + 300 + i);
      const b = randomInputs(n, SEED + 400 + i, true);
      return [a, b].map((x) => ({ label: x.label, close: x.close, volume: x.volume, trace: x.trace }));
    }),
    ...pricedEdgeCases.map((c) => ({ label: c.name, close: c.close, volume: c.volume, trace: c.trace })),
  ];
  for (const [costLabel, costs] of COST_MODELS) {
    it.each(strategies.map((s) => [s.label, s] as const))(`${costLabel}: %s`, (_label, s) => {
      let expected: unknown;
      let referenceError: unknown;
      try {
        expected = referenceStrategyMetrics(s.close, s.volume, s.trace, costs, options);
      } catch (error) {
        referenceError = error;
      }
      const market = wasm.buildDenseMarket({ close: s.close, volume: s.volume }, costs);
      if (referenceError) {
        expect(referenceError).toBeInstanceOf(SchemaError);
        expect(() => wasm.denseStrategyMetrics(market, s.trace, costs, options)).toThrow(SchemaError);
        return;
      }
      const actual = wasm.denseStrategyMetrics(market, s.trace, costs, options);
      const mismatch = findMismatch(actual, expected, (a, b) => close(a, b));
      expect(mismatch, mismatch).toBeUndefined();
    });
  }
});

describe('bindings and reference reject inconsistent inputs the same way', () => {
  const positions = Float64Array.from([0, 1, 1, 0]);
  const returns = Float64Array.from([0, 0.01, 0.02, -0.01]);
  const impact = { close: Float64Array.from([100, 101, 103, 102]), volume: new Float64Array(4).fill(1e6), sigma: new Float64Array(4).fill(0.01) };
  const cases: Array<[string, (impl: 'wasm' | 'reference') => unknown, RegExp]> = [
    ['strategyReturns: returns shorter than positions', (impl) => (impl === 'wasm' ? wasm.strategyReturns : refStrategyReturns)(positions, returns.subarray(0, 2), LINEAR), /^returns has 2 bars but positions has 4$/],
    ['strategyReturns: sqrt model without impact inputs', (impl) => (impl === 'wasm' ? wasm.strategyReturns : refStrategyReturns)(positions, returns, SQRT), /sqrt slippage model needs close, volume and sigma/],
    ['strategyReturns: sigma of the wrong length', (impl) => (impl === 'wasm' ? wasm.strategyReturns : refStrategyReturns)(positions, returns, SQRT, { ...impact, sigma: new Float64Array(3) }), /^impact\.sigma has 3 bars but positions has 4$/],
    ['extractTrades: cost of the wrong length', (impl) => (impl === 'wasm' ? wasm.extractTrades : refExtractTrades)(positions, returns, new Float64Array(5)), /^cost has 5 bars but positions has 4$/],
    ['extractTrades: returns of the wrong length', (impl) => (impl === 'wasm' ? wasm.extractTrades : refExtractTrades)(positions, returns.subarray(1), new Float64Array(4)), /^returns has 3 bars but positions has 4$/],
  ];
  it.each(cases)('%s', (_label, call, message) => {
    for (const impl of ['wasm', 'reference'] as const) {
      expect(() => call(impl), impl).toThrow(wasm.InputError);
      expect(() => call(impl), impl).toThrow(message);
    }
  });
});
