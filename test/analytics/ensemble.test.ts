// EnsembleOptimizer: the WASM solution against exact solutions computed here by other methods (face
// enumeration for small N with any bounds; the primal active-set QP on the Cornuejols-Tutuncu
// reformulation for long-only, up to an ill-conditioned sweep-like return matrix of 120 strategies),
// PyPortfolioOpt's known values on stock_prices.csv, the cardinality search, per-regime runs and every
// documented edge case. Kernel-level cases (vector bounds, singular covariances, statuses):
// test/kernels/optimize.test.ts.
import { existsSync } from 'node:fs';
import { describe, expect, it, test } from 'vitest';
import {
  annualizedInputs, optimizeByRegime, optimizeEnsemble, optimizeReturnMatrix, type EnsembleResult,
} from '../../src/analytics/ensemble.ts';
import { returnMatrixFromColumns, selectRows } from '../../src/analytics/returnMatrix.ts';
import { InputError } from '../../src/errors.ts';
import { covariancePairwise } from '../../src/kernels/correlation.ts';
import { readSeriesTable } from '../../src/io/seriesTable.ts';
import {
  activeSetMaxSharpe, activeSetMinVariance, enumerateMaxSharpe, enumerateMinVariance,
} from '../reference/optimize.ts';
import { Rng } from '../helpers/rng.ts';
import { fixtureFolder } from '../helpers/fixturePaths.ts';

/** The optimizer's Sharpe (or variance) must be within this (relative) of the exact optimum. */
const OPTIMUM_TOL = 1e-9;
/** Constraints (sum to 1, bounds) must hold to this. */
const CONSTRAINT_TOL = 1e-9;

/** A random PSD covariance (factor model from T = n + 20 normal draws) and expected returns. */
function randomProblem(rng: Rng, n: number, annualVol = 0.2): { mu: Float64Array; cov: Float64Array } {
  const t = n + 20;
  const f = Array.from({ length: n * t }, () => rng.normal());
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < t; k++) s += f[i * t + k]! * f[j * t + k]!;
      cov[i * n + j] = (s / t) * annualVol ** 2;
    }
  }
  return { mu: Float64Array.from({ length: n }, () => rng.between(-0.05, 0.25)), cov };
}

function expectFeasible(result: EnsembleResult, lo: number, hi: number, maxHeld = result.weights.length): void {
  const sum = result.weights.reduce((a, b) => a + b, 0);
  expect(Math.abs(sum - 1)).toBeLessThanOrEqual(CONSTRAINT_TOL);
  let held = 0;
  for (const w of result.weights) {
    if (w !== 0) held++;
    if (maxHeld < result.weights.length && w === 0) continue;
    expect(w).toBeGreaterThanOrEqual(lo - CONSTRAINT_TOL);
    expect(w).toBeLessThanOrEqual(hi + CONSTRAINT_TOL);
  }
  expect(held).toBeLessThanOrEqual(maxHeld);
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('optimizeEnsemble reaches the exact optimum (face enumeration, N = 6)', () => {
  const BOUNDS: [number, number][] = [[0, 1], [0.05, 0.4], [0, 0.3], [0.1, 0.25]];
  for (let trial = 0; trial < 6; trial++) {
    for (const [lo, hi] of BOUNDS) {
      it(`trial ${trial}, bounds [${lo}, ${hi}]: max-sharpe and min-variance`, () => {
        const { mu, cov } = randomProblem(new Rng(1000 + trial), 6);
        const rf = 0.02;
        const sharpe = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { minWeight: lo, maxWeight: hi, riskFreeRate: rf });
        const exact = enumerateMaxSharpe(mu, cov, lo, hi, rf);
        expect(sharpe.converged).toBe(true);
        expect(relative(sharpe.sharpeRatio!, exact.sharpe)).toBeLessThanOrEqual(OPTIMUM_TOL);
        expectFeasible(sharpe, lo, hi);
        const minVar = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { objective: 'min-variance', minWeight: lo, maxWeight: hi });
        const exactVar = enumerateMinVariance(mu, cov, lo, hi, 0);
        expect(relative(minVar.volatility ** 2, exactVar.variance)).toBeLessThanOrEqual(OPTIMUM_TOL);
        expectFeasible(minVar, lo, hi);
      });
    }
  }
});

describe('optimizeEnsemble reaches the exact optimum (active-set QP, long-only, N = 15 and 40)', () => {
  for (const [n, seed] of [[15, 1], [15, 2], [40, 3], [40, 4]] as const) {
    it(`N = ${n}, seed ${seed}`, () => {
      const { mu, cov } = randomProblem(new Rng(2000 + seed), n);
      const sharpe = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { riskFreeRate: 0.02 });
      expect(relative(sharpe.sharpeRatio!, activeSetMaxSharpe(mu, cov, 0.02).sharpe)).toBeLessThanOrEqual(OPTIMUM_TOL);
      expectFeasible(sharpe, 0, 1);
      const minVar = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { objective: 'min-variance' });
      expect(relative(minVar.volatility ** 2, activeSetMinVariance(mu, cov, 0).variance)).toBeLessThanOrEqual(OPTIMUM_TOL);
      expectFeasible(minVar, 0, 1);
    });
  }
});

describe('optimizeReturnMatrix on a sweep-like return matrix (ill conditioned)', () => {
  it('N = 120 neighbouring strategies, 500 bars: max-sharpe and min-variance equal the active-set optimum in a few iterations', () => {
    const rng = new Rng(2100);
    const bars = 500;
    const factors = Array.from({ length: 4 }, () => Float64Array.from({ length: bars }, () => rng.normal(0, 0.01)));
    let load = [0, 0, 0, 0];
    const columns = Array.from({ length: 120 }, (_, j) => {
      load = j % 10 === 0 ? load.map(() => rng.normal(0, 0.5)) : load.map((v) => 0.95 * v + 0.31 * rng.normal(0, 0.5));
      const drift = rng.normal(0.0004, 0.0004);
      return Float64Array.from({ length: bars }, (_, t) => drift + load.reduce((s, l, k) => s + l * factors[k]![t]!, 0) + rng.normal(0, 0.003));
    });
    const matrix = returnMatrixFromColumns(columns.map((_, j) => `s${j}`), columns);
    const { expectedReturns: mu, covariance: cov } = annualizedInputs(matrix);
    const sharpe = optimizeReturnMatrix(matrix, { riskFreeRate: 0.02 });
    expect(sharpe.converged).toBe(true);
    expect(sharpe.iterations).toBeLessThanOrEqual(100);
    expect(relative(sharpe.sharpeRatio!, activeSetMaxSharpe(mu, cov, 0.02).sharpe)).toBeLessThanOrEqual(OPTIMUM_TOL);
    expectFeasible(sharpe, 0, 1);
    const minVar = optimizeReturnMatrix(matrix, { objective: 'min-variance' });
    expect(minVar.converged).toBe(true);
    expect(minVar.iterations).toBeLessThanOrEqual(100);
    expect(relative(minVar.volatility ** 2, activeSetMinVariance(mu, cov, 0).variance)).toBeLessThanOrEqual(OPTIMUM_TOL);
    expectFeasible(minVar, 0, 1);
  });
});

const FIXTURE_FOLDER = fixtureFolder('stock_prices');
const fixtureMissing = !existsSync(FIXTURE_FOLDER);
const inCi = process.env.CI === 'true';
if (fixtureMissing && !inCi) console.warn(`skipping stock_prices optimizer tests: ${FIXTURE_FOLDER} is not present (set CI=true to make this a failure)`);

describe('stock_prices fixture', () => {
  test.runIf(fixtureMissing && inCi)('is present in CI', () => {
    throw new Error(`${FIXTURE_FOLDER} is missing; CI must provide the shared fixtures`);
  });
});

/**
 * PyPortfolioOpt's inputs (fixture README): returns = prices.pct_change(fill_method=None) without the
 * first row; mu = mean_historical_return = prod(1 + r)^(252 / count) - 1 per column over its own
 * non-NaN history; Sigma = sample_cov = pandas pairwise-complete cov (ddof 1) x 252.
 */
async function pyPortfolioOptInputs(): Promise<{ names: string[]; mu: Float64Array; cov: Float64Array }> {
  const table = await readSeriesTable(`${FIXTURE_FOLDER}/stock_prices.csv`);
  const names = [...table.columns.keys()];
  const bars = table.tsMs.length - 1;
  const values = new Float64Array(bars * names.length);
  const mu = new Float64Array(names.length);
  names.forEach((name, j) => {
    const p = table.columns.get(name)!;
    let growth = 1;
    let count = 0;
    for (let t = 1; t <= bars; t++) {
      const r = p[t]! / p[t - 1]! - 1;
      values[j * bars + t - 1] = r;
      if (Number.isFinite(r)) { growth *= 1 + r; count++; }
    }
    mu[j] = growth ** (252 / count) - 1;
  });
  const cov = covariancePairwise(values, bars, names.length).covariance.map((v) => v * 252);
  return { names, mu, cov };
}

describe.skipIf(fixtureMissing)('PyPortfolioOpt known values on stock_prices.csv (rf 0.02, bounds [0, 1])', () => {
  // Expected values: PyPortfolioOpt tests/test_efficient_frontier.py (robertmartin8/PyPortfolioOpt@65cabce),
  // test_max_sharpe_long_only and test_min_volatility, via ef.portfolio_performance(risk_free_rate=0.02).
  it('max-sharpe = (0.3047768672819914, 0.22165566922402932, 1.2847714127003216) and equals the active-set optimum', async () => {
    const { names, mu, cov } = await pyPortfolioOptInputs();
    const result = optimizeEnsemble({ expectedReturns: mu, covariance: cov, names }, { riskFreeRate: 0.02 });
    expect(result.converged).toBe(true);
    expect(relative(result.annualizedReturn, 0.3047768672819914)).toBeLessThanOrEqual(1e-6);
    expect(relative(result.volatility, 0.22165566922402932)).toBeLessThanOrEqual(1e-6);
    expect(relative(result.sharpeRatio!, 1.2847714127003216)).toBeLessThanOrEqual(1e-6);
    expect(relative(result.sharpeRatio!, activeSetMaxSharpe(mu, cov, 0.02).sharpe)).toBeLessThanOrEqual(OPTIMUM_TOL);
    expectFeasible(result, 0, 1);
  });

  it('min-variance = (0.15056821399482578, 0.15915084514118694, 0.8204054077060996) and equals the active-set optimum', async () => {
    const { names, mu, cov } = await pyPortfolioOptInputs();
    const result = optimizeEnsemble({ expectedReturns: mu, covariance: cov, names }, { objective: 'min-variance', riskFreeRate: 0.02 });
    expect(relative(result.annualizedReturn, 0.15056821399482578)).toBeLessThanOrEqual(1e-6);
    expect(relative(result.volatility, 0.15915084514118694)).toBeLessThanOrEqual(1e-6);
    expect(relative(result.sharpeRatio!, 0.8204054077060996)).toBeLessThanOrEqual(1e-6);
    expect(relative(result.volatility ** 2, activeSetMinVariance(mu, cov, 0.02).variance)).toBeLessThanOrEqual(OPTIMUM_TOL);
    expectFeasible(result, 0, 1);
  });
});

/** Truncate-and-renormalize baseline: the relaxed solution's K largest weights, scaled to sum 1. */
function truncated(relaxed: EnsembleResult, k: number): Float64Array {
  const n = relaxed.weights.length;
  const top = Array.from({ length: n }, (_, i) => i).sort((a, b) => relaxed.weights[b]! - relaxed.weights[a]! || a - b).slice(0, k);
  const total = top.reduce((s, i) => s + relaxed.weights[i]!, 0);
  const w = new Float64Array(n);
  for (const i of top) w[i] = relaxed.weights[i]! / total;
  return w;
}

function sharpeOf(mu: Float64Array, cov: Float64Array, w: Float64Array, rf: number): number {
  const n = mu.length;
  let ret = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    ret += mu[i]! * w[i]!;
    for (let j = 0; j < n; j++) variance += w[i]! * cov[i * n + j]! * w[j]!;
  }
  return (ret - rf) / Math.sqrt(variance);
}

function* subsets(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) { yield acc; return; }
  for (let i = start; i < n; i++) yield* subsets(n, k, i + 1, [...acc, i]);
}

describe('maxStrategies (cardinality)', () => {
  it('beats truncate-and-renormalize and matches the exhaustive optimum over all supports (N = 8, K = 3)', () => {
    let strictlyBetter = 0;
    for (let seed = 0; seed < 10; seed++) {
      const { mu, cov } = randomProblem(new Rng(3000 + seed), 8);
      const relaxed = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { riskFreeRate: 0.02 });
      const result = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { riskFreeRate: 0.02, maxStrategies: 3 });
      expectFeasible(result, 0, 1, 3);
      const baseline = sharpeOf(mu, cov, truncated(relaxed, 3), 0.02);
      expect(result.sharpeRatio!).toBeGreaterThanOrEqual(baseline - 1e-12);
      if (result.sharpeRatio! > baseline + 1e-6) strictlyBetter++;
      let best = -Infinity;
      for (const support of subsets(8, 3)) {
        const subMu = Float64Array.from(support, (i) => mu[i]!);
        const subCov = Float64Array.from({ length: 9 }, (_, a) => cov[support[Math.floor(a / 3)]! * 8 + support[a % 3]!]!);
        if (subMu.every((m) => m <= 0.02)) continue;
        best = Math.max(best, enumerateMaxSharpe(subMu, subCov, 0, 1, 0.02).sharpe);
      }
      expect(relative(result.sharpeRatio!, best)).toBeLessThanOrEqual(OPTIMUM_TOL);
    }
    expect(strictlyBetter).toBeGreaterThan(5);
  });

  it('minWeight applies to held strategies only; maxStrategies >= N is no limit', () => {
    const { mu, cov } = randomProblem(new Rng(3100), 10);
    const result = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { maxStrategies: 4, minWeight: 0.1, maxWeight: 0.5 });
    expectFeasible(result, 0.1, 0.5, 4);
    const unlimited = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { maxStrategies: 10 });
    expect(unlimited.solves).toBe(1);
  });
});

function matrixFromRng(rng: Rng, bars: number, strategies: number) {
  const columns = Array.from({ length: strategies }, (_, j) => Float64Array.from({ length: bars }, () => rng.normal(0.0004 + 0.0002 * j, 0.01 + 0.002 * j)));
  return returnMatrixFromColumns(columns.map((_, j) => `s${j}`), columns);
}

describe('return matrices and regimes', () => {
  it('annualizedInputs: mu = mean x P, Sigma = cov(ddof 1) x P', () => {
    const matrix = returnMatrixFromColumns(['a', 'b'], [Float64Array.of(0.01, 0.02, -0.01), Float64Array.of(0, 0.01, 0.02)]);
    const { expectedReturns, covariance } = annualizedInputs(matrix, 12);
    expect(expectedReturns[0]).toBeCloseTo((0.02 / 3) * 12, 15);
    // cov(a, b): deviations a (0.01/3, 0.04/3, -0.05/3), b (-0.01, 0, 0.01): sum = -0.06/3 / 100 ... / 2 x 12
    expect(covariance[1]).toBeCloseTo(((0.01 / 3) * -0.01 + (-0.05 / 3) * 0.01) / 2 * 12, 15);
  });

  it('optimizeByRegime = optimizeReturnMatrix on each regime\'s rows; a too-short regime is skipped with a reason', () => {
    const rng = new Rng(4000);
    const matrix = matrixFromRng(rng, 400, 4);
    const regimeOfBar = Int32Array.from({ length: 400 }, (_, t) => (t < 3 ? 2 : t % 3 === 0 ? -1 : t % 2));
    const result = optimizeByRegime(matrix, regimeOfBar, { labels: ['calm', 'volatile', 'rare'], riskFreeRate: 0 });
    expect(result.global.weights).toEqual(optimizeReturnMatrix(matrix, { riskFreeRate: 0 }).weights);
    for (const [code, label] of [[0, 'calm'], [1, 'volatile']] as const) {
      const expected = optimizeReturnMatrix(selectRows(matrix, (t) => regimeOfBar[t] === code), { riskFreeRate: 0 });
      expect(result.regimes[label]!.result!.weights).toEqual(expected.weights);
    }
    expect(result.regimes.rare!.result).toBeNull();
    expect(result.regimes.rare!.bars).toBe(3);
    expect(result.regimes.rare!.skippedReason).toMatch(/3 bars for 4 strategies/);
  });
});

describe('edge cases', () => {
  const rng = new Rng(5000);
  const { mu, cov } = randomProblem(rng, 5);

  it('duplicated strategies (singular covariance): same optimal Sharpe as without the duplicate, constraints hold', () => {
    const n = 5;
    const muDup = Float64Array.of(...mu, mu[0]!);
    const covDup = new Float64Array(36);
    const source = (i: number) => (i === 5 ? 0 : i);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) covDup[i * 6 + j] = cov[source(i) * n + source(j)]!;
    const base = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { riskFreeRate: 0.02 });
    const dup = optimizeEnsemble({ expectedReturns: muDup, covariance: covDup }, { riskFreeRate: 0.02 });
    expect(relative(dup.sharpeRatio!, base.sharpeRatio!)).toBeLessThanOrEqual(OPTIMUM_TOL);
    expect(Math.abs(dup.weights[0]! + dup.weights[5]! - base.weights[0]!)).toBeLessThanOrEqual(1e-6);
    expectFeasible(dup, 0, 1);
  });

  it('a constant (zero-variance) strategy: max-sharpe throws InputError naming it; min-variance holds it fully', () => {
    const covZero = cov.slice();
    for (let k = 0; k < 5; k++) { covZero[2 * 5 + k] = 0; covZero[k * 5 + 2] = 0; }
    const names = ['a', 'b', 'flat', 'd', 'e'];
    expect(() => optimizeEnsemble({ expectedReturns: mu, covariance: covZero, names })).toThrow(InputError);
    expect(() => optimizeEnsemble({ expectedReturns: mu, covariance: covZero, names })).toThrow(/strategy 'flat' has zero variance/);
    const minVar = optimizeEnsemble({ expectedReturns: mu, covariance: covZero, names }, { objective: 'min-variance' });
    // First-order accuracy: weights are exact to about tolerance / curvature (here ~5e-12).
    expect(Math.abs(minVar.weights[2]! - 1)).toBeLessThanOrEqual(1e-10);
    expect(minVar.volatility).toBeLessThanOrEqual(1e-9);
    expect(minVar.sharpeRatio === null || Number.isFinite(minVar.sharpeRatio)).toBe(true);
  });

  it('fewer bars than strategies: InputError', () => {
    const matrix = matrixFromRng(new Rng(5001), 4, 6);
    expect(() => optimizeReturnMatrix(matrix)).toThrow(/4 bars for 6 strategies; the sample covariance needs more bars than strategies \(at least 7\)/);
  });

  it('infeasible bounds: InputError naming the option', () => {
    const inputs = { expectedReturns: mu, covariance: cov };
    expect(() => optimizeEnsemble(inputs, { maxWeight: 0.15 })).toThrow(/options\.maxWeight \(0\.15\) x 5 strategies = 0\.75 < 1/);
    expect(() => optimizeEnsemble(inputs, { maxWeight: 0.3, maxStrategies: 3 })).toThrow(/options\.maxWeight \(0\.3\) x options\.maxStrategies \(3\)/);
    expect(() => optimizeEnsemble(inputs, { minWeight: 0.25 })).toThrow(/options\.minWeight \(0\.25\) x 5 strategies = 1\.25 > 1/);
    expect(() => optimizeEnsemble(inputs, { minWeight: 0.6, maxWeight: 0.5 })).toThrow(/options\.minWeight must be in \[0, maxWeight = 0\.5\]/);
    expect(() => optimizeEnsemble(inputs, { maxStrategies: 0 })).toThrow(/options\.maxStrategies must be an integer >= 1/);
    expect(() => optimizeEnsemble(inputs, { objective: 'max-return' as never })).toThrow(/options\.objective/);
  });

  it('max-sharpe with every expected return <= riskFreeRate: InputError naming riskFreeRate (as PyPortfolioOpt)', () => {
    expect(() => optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { riskFreeRate: 0.3 })).toThrow(/options\.riskFreeRate \(0\.3\) is at or above the expected return of every feasible ensemble/);
    // min-variance ignores the risk-free rate for the weights and reports a negative Sharpe.
    const minVar = optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { riskFreeRate: 0.3, objective: 'min-variance' });
    expect(minVar.sharpeRatio!).toBeLessThan(0);
  });

  it('one strategy: weight 1', () => {
    const result = optimizeEnsemble({ expectedReturns: Float64Array.of(0.1), covariance: Float64Array.of(0.04) });
    expect(result.weights).toEqual(Float64Array.of(1));
    expect(result.sharpeRatio).toBeCloseTo(0.5, 15);
  });

  it('iteration cap: feasible weights with converged = false', () => {
    const big = randomProblem(new Rng(5002), 30);
    const result = optimizeEnsemble({ expectedReturns: big.mu, covariance: big.cov }, { maxIterations: 1 });
    expect(result.converged).toBe(false);
    expectFeasible(result, 0, 1);
  });

  it('bad inputs: empty, NaN, asymmetric covariance, NaN in a return matrix', () => {
    expect(() => optimizeEnsemble({ expectedReturns: new Float64Array(0), covariance: new Float64Array(0) })).toThrow(/expectedReturns is empty/);
    expect(() => optimizeEnsemble({ expectedReturns: Float64Array.of(NaN, 0.1), covariance: Float64Array.of(1, 0, 0, 1) })).toThrow(/expectedReturns of '0' is not finite/);
    expect(() => optimizeEnsemble({ expectedReturns: Float64Array.of(0.1, 0.1), covariance: Float64Array.of(1, 0.5, 0, 1) })).toThrow(/not symmetric/);
    const matrix = returnMatrixFromColumns(['a', 'b'], [Float64Array.of(0.01, NaN, 0.02, 0), Float64Array.of(0, 0.01, 0.02, 0.03)]);
    expect(() => optimizeReturnMatrix(matrix)).toThrow(/column 'a', row 1: value NaN is not finite/);
  });
});
