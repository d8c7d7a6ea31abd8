// Overfitting-aware selection: Φ/Φ⁻¹, PSR, MinTRL, DSR, effective number of trials, PBO by CSCV.
// Oracles: an independent normal CDF by numerical integration and quantile by bisection (below),
// the published numerical example of the DSR paper, and test/reference/pbo.ts (brute-force CSCV).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { normalCdf, normalDensity, normalQuantile } from '../../src/analytics/overfitting/normal.ts';
import {
  deflatedSharpeRatio, expectedMaximumSharpe, minimumTrackRecordLength, probabilisticSharpeRatio, psrStatistic,
  sharpeVarianceFactor, toPerBarSharpe, toPerBarSharpeVariance, EULER_MASCHERONI,
} from '../../src/analytics/overfitting/psr.ts';
import { returnShape, sampleVariance } from '../../src/analytics/overfitting/returnShape.ts';
import { averageCorrelation, averageCorrelationTrials, clusterStrategies } from '../../src/analytics/overfitting/effectiveTrials.ts';
import { correlationMatrix } from '../../src/analytics/correlation.ts';
import { deflatedSharpeRanking } from '../../src/analytics/overfitting/dsrRanking.ts';
import {
  binomial, halfSplitMasks, histogram, pboByGroup, probabilityOfBacktestOverfitting,
} from '../../src/analytics/overfitting/pbo.ts';
import { returnMatrixFromColumns, type ReturnMatrix } from '../../src/analytics/returnMatrix.ts';
import { bruteForcePbo } from '../reference/pbo.ts';
import { Rng } from '../helpers/rng.ts';

// ---------------------------------------------------------------------------------------------
// Independent oracles (no shared code with src/analytics/overfitting/normal.ts).

/** ∫_0^L f by composite Simpson with `intervals` (even) panels. */
function simpson(f: (s: number) => number, length: number, intervals: number): number {
  const h = length / intervals;
  let sum = f(0) + f(length);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return (sum * h) / 3;
}

/**
 * Φ(x) by numerical integration: the tail Q(t) = ∫_t^∞ φ(u) du = φ(t)·∫_0^∞ exp(−t·s − s²/2) ds
 * (u = t + s), integrand smooth and decaying, Simpson with 40,000 panels.
 */
function oracleCdf(x: number): number {
  const t = Math.abs(x);
  const length = t < 1 ? 12 : Math.min(12, 80 / t);
  const integral = simpson((s) => Math.exp(-t * s - 0.5 * s * s), length, 40_000);
  const tail = (Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI)) * integral;
  return x < 0 ? tail : 1 - tail;
}

/** Φ⁻¹(p) by bisection on oracleCdf; for p > ½ on the upper tail 1 − Φ(x) = 1 − p (exact for p ≥ ½). */
function oracleQuantile(p: number): number {
  const upper = p > 0.5;
  const target = upper ? 1 - p : p;
  // Lower tail: Φ(x) = target for x ≤ 0; the upper quantile is −(lower quantile of 1 − p).
  let low = -40;
  let high = 0;
  for (let i = 0; i < 200 && high - low > 1e-14 * Math.max(1, Math.abs(low)); i++) {
    const mid = 0.5 * (low + high);
    if (oracleCdf(mid) < target) low = mid; else high = mid;
  }
  const x = 0.5 * (low + high);
  return upper ? -x : x;
}

/** PSR written out from the definition with the oracle Φ. */
function oraclePsr(sr: number, benchmark: number, n: number, skew: number, kurt: number): number {
  return oracleCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(1 - skew * sr + ((kurt - 1) / 4) * sr * sr));
}

function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** Column-major matrix of iid N(mean_j, std) returns. */
function noiseMatrix(seed: number, nStrategies: number, nBars: number, std = 0.01, means: (j: number) => number = () => 0): ReturnMatrix {
  const rng = new Rng(seed);
  const values = new Float64Array(nStrategies * nBars);
  for (let j = 0; j < nStrategies; j++) for (let t = 0; t < nBars; t++) values[j * nBars + t] = rng.normal(means(j), std);
  return { values, bars: nBars, names: Array.from({ length: nStrategies }, (_, j) => `s${j}`) };
}

/** Columns named c0, c1, … */
function fromColumns(columns: readonly ArrayLike<number>[]): ReturnMatrix {
  return returnMatrixFromColumns(columns.map((_, j) => `c${j}`), columns.map((c) => Float64Array.from(c)));
}

// ---------------------------------------------------------------------------------------------

describe('standard normal Φ and Φ⁻¹', () => {
  it('match published values (R 4.x pnorm/qnorm, printed to 16 digits) to 2e-15 relative', () => {
    const cdf: [number, number][] = [
      [-1, 0.15865525393145705], [-5, 2.866515718791939e-7], [-10, 7.619853024160527e-24], [0, 0.5],
      [1.959963984540054, 0.975],
    ];
    for (const [x, p] of cdf) expect(relativeError(normalCdf(x), p), `Φ(${x})`).toBeLessThan(2e-15);
    const quantiles: [number, number][] = [
      [0.975, 1.959963984540054], [0.95, 1.6448536269514722], [0.99, 2.3263478740408408], [1e-10, -6.361340902404056],
    ];
    for (const [p, x] of quantiles) expect(relativeError(normalQuantile(p), x), `Φ⁻¹(${p})`).toBeLessThan(2e-15);
  });

  it('Φ agrees with numerical integration to 1e-12 relative, tails included', () => {
    for (let x = -30; x <= 8; x += 0.37) {
      expect(relativeError(normalCdf(x), oracleCdf(x)), `x = ${x}`).toBeLessThan(1e-12);
    }
  });

  it('Φ⁻¹ agrees with bisection on the integrated Φ to 1e-12 and inverts Φ', () => {
    for (const p of [1e-300, 1e-50, 1e-12, 1e-6, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-9, 1 - 1e-15]) {
      const x = normalQuantile(p);
      expect(Math.abs(x - oracleQuantile(p)), `p = ${p}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(x)));
      // Round trip, on the smaller tail: rounding x to a double (relative ε) moves the tail by a
      // relative ~x²·ε (d ln Q / dx ≈ −x), so the bound scales with 1 + x².
      const tail = p > 0.5 ? 1 - normalCdf(x) : normalCdf(x);
      expect(relativeError(tail, p > 0.5 ? 1 - p : p), `Φ(Φ⁻¹(${p}))`).toBeLessThan(4e-15 * (1 + x * x));
    }
  });

  it('has the documented edge values', () => {
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalDensity(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
  });
});

describe('PSR, MinTRL, DSR', () => {
  it('reproduce the numerical example of the DSR paper', () => {
    // Source: Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", JPM 40(5), numerical
    // example: N = 100 independent trials, variance of the trials' annualized Sharpe ratios 1/2,
    // best annualized SR 2.5, T = 1250 daily returns (5 years of 250 days), skewness −3, kurtosis
    // 10. The paper states E[max SR] ≈ 0.1132 (non-annualized) and DSR ≈ 0.9004; we match both to
    // the 4 decimals printed.
    const periodsPerYear = 250;
    const sharpe = toPerBarSharpe(2.5, periodsPerYear);
    const sharpeVariance = toPerBarSharpeVariance(0.5, periodsPerYear);
    const sr0 = expectedMaximumSharpe({ trials: 100, sharpeVariance });
    expect(Math.abs(sr0 - 0.1132)).toBeLessThan(0.5e-4);
    const dsr = deflatedSharpeRatio({ sharpe, observations: 1250, skewness: -3, kurtosis: 10, trials: 100, sharpeVariance });
    expect(Math.abs(dsr - 0.9004)).toBeLessThan(0.5e-4);
    // And with the oracle Φ / Φ⁻¹ throughout, to 1e-9.
    const oracleSr0 = Math.sqrt(sharpeVariance) * ((1 - EULER_MASCHERONI) * oracleQuantile(1 - 1 / 100) + EULER_MASCHERONI * oracleQuantile(1 - 1 / (100 * Math.E)));
    expect(relativeError(sr0, oracleSr0)).toBeLessThan(1e-9);
    expect(relativeError(dsr, oraclePsr(sharpe, oracleSr0, 1250, -3, 10))).toBeLessThan(1e-9);
  });

  it('PSR equals the oracle formula over a grid of inputs to 1e-9', () => {
    for (const sharpe of [-0.2, 0, 0.05, 0.1, 0.458]) {
      for (const benchmark of [0, 0.03]) {
        for (const [skew, kurt] of [[0, 3], [-2.448, 10.164], [0.5, 4]] as [number, number][]) {
          for (const n of [2, 24, 250, 5000]) {
            const got = probabilisticSharpeRatio({ sharpe, benchmarkSharpe: benchmark, observations: n, skewness: skew, kurtosis: kurt });
            expect(relativeError(got, oraclePsr(sharpe, benchmark, n, skew, kurt)), `${sharpe} ${benchmark} ${skew} ${kurt} ${n}`).toBeLessThan(1e-9);
          }
        }
      }
    }
  });

  it('PSR(SR*) at n = MinTRL equals the requested probability (MinTRL solves PSR = 1 − α)', () => {
    for (const probability of [0.9, 0.95, 0.99]) {
      for (const [sharpe, benchmark, skew, kurt] of [[0.5, 0, 0, 3], [0.1, 0.02, -1, 6], [0.3, 0, 0.5, 3.5]] as const) {
        const n = minimumTrackRecordLength({ sharpe, benchmarkSharpe: benchmark, skewness: skew, kurtosis: kurt, probability });
        expect(relativeError(probabilisticSharpeRatio({ sharpe, benchmarkSharpe: benchmark, observations: n, skewness: skew, kurtosis: kurt }), probability)).toBeLessThan(1e-12);
      }
    }
    // Worked by hand: normal returns, SR = 0.5, SR* = 0, 95 %: 1 + (1 + 0.5²/2)·(Φ⁻¹(0.95)/0.5)².
    expect(relativeError(minimumTrackRecordLength({ sharpe: 0.5 }), 1 + 1.125 * (1.6448536269514722 / 0.5) ** 2)).toBeLessThan(1e-14);
  });

  it('PSR and MinTRL move the way the paper says with skewness and kurtosis', () => {
    const base = { sharpe: 0.2, observations: 60 };
    expect(probabilisticSharpeRatio({ ...base, skewness: -1 })).toBeLessThan(probabilisticSharpeRatio(base));
    expect(probabilisticSharpeRatio({ ...base, kurtosis: 9 })).toBeLessThan(probabilisticSharpeRatio(base));
    expect(minimumTrackRecordLength({ sharpe: 0.2, skewness: -1 })).toBeGreaterThan(minimumTrackRecordLength({ sharpe: 0.2 }));
    expect(minimumTrackRecordLength({ sharpe: 0.1, benchmarkSharpe: 0.1 })).toBe(Infinity);
    expect(minimumTrackRecordLength({ sharpe: -0.1 })).toBe(Infinity);
  });

  it('SR0 is the paper\'s approximation of the expected maximum of N standard normals', () => {
    // Exact E[max of N iid N(0,1)] = ∫ x·N·φ(x)·Φ(x)^(N−1) dx (Simpson on [−10, 10]). The paper's
    // approximation is asymptotic in N; its error, measured here: 2.33 % (N = 10), 0.92 % (100),
    // 0.42 % (1,000), 0.23 % (10,000). We pin the order of magnitude and that it shrinks with N.
    let previous = Infinity;
    for (const [trials, bound] of [[10, 0.025], [100, 0.01], [1000, 0.005], [10_000, 0.0025]] as const) {
      const f = (s: number) => { const x = s - 10; return x * trials * normalDensity(x) * normalCdf(x) ** (trials - 1); };
      const exact = simpson(f, 20, 4000);
      const error = Math.abs(expectedMaximumSharpe({ trials, sharpeVariance: 1 }) / exact - 1);
      expect(error, `N = ${trials}`).toBeLessThan(bound);
      expect(error).toBeLessThan(previous);
      previous = error;
    }
    expect(expectedMaximumSharpe({ trials: 1, sharpeVariance: 4 })).toBe(0);
    expect(expectedMaximumSharpe({ trials: 1.1, sharpeVariance: 4 })).toBe(0);
    expect(expectedMaximumSharpe({ trials: 100, sharpeVariance: 0 })).toBe(0);
  });

  it('rejects invalid inputs with InputError naming the input', () => {
    expect(() => probabilisticSharpeRatio({ sharpe: 0.1, observations: 1 })).toThrow(/observations must be > 1/);
    expect(() => probabilisticSharpeRatio({ sharpe: NaN, observations: 10 })).toThrow(InputError);
    expect(() => minimumTrackRecordLength({ sharpe: 0.1, probability: 1 })).toThrow(/probability must be in \(0, 1\)/);
    expect(() => expectedMaximumSharpe({ trials: 0.5, sharpeVariance: 1 })).toThrow(/trials must be >= 1/);
    expect(() => expectedMaximumSharpe({ trials: 10, sharpeVariance: -1 })).toThrow(/sharpeVariance must be >= 0/);
    expect(() => sharpeVarianceFactor(1, 0, -5)).toThrow(/kurtosis raw/);
    expect(psrStatistic({ sharpe: 0.1, observations: 101 })).toBeCloseTo((0.1 * 10) / Math.sqrt(1 + 0.01 / 2), 14);
  });
});

describe('return moments', () => {
  it('uses population skewness/kurtosis and ddof = 1 Sharpe', () => {
    const r = [0.01, -0.02, 0.03, 0.005, -0.01, 0.04];
    const n = r.length;
    const mean = r.reduce((a, b) => a + b) / n;
    const m = (k: number) => r.reduce((a, x) => a + (x - mean) ** k, 0) / n;
    const shape = returnShape(r);
    expect(relativeError(shape.skewness, m(3) / m(2) ** 1.5)).toBeLessThan(1e-12);
    expect(relativeError(shape.kurtosis, m(4) / m(2) ** 2)).toBeLessThan(1e-12);
    expect(relativeError(shape.sharpe, mean / Math.sqrt((m(2) * n) / (n - 1)))).toBeLessThan(1e-12);
    expect(returnShape([0.01, 0.01, 0.01]).sharpe).toBeNaN();
    expect(returnShape([]).observations).toBe(0);
    expect(() => returnShape([0.01, NaN])).toThrow(/return 1 is NaN/);
    expect(sampleVariance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 15);
  });
});

describe('effective number of trials', () => {
  it('average-correlation interpolation hits its end points', () => {
    expect(averageCorrelationTrials(0, 50)).toBe(50);
    expect(averageCorrelationTrials(1, 50)).toBe(1);
    expect(averageCorrelationTrials(0.5, 11)).toBe(6);
    expect(averageCorrelationTrials(-0.3, 50)).toBe(50);
  });

  it('clustering finds planted families, and matches naive average linkage', () => {
    // Three families of five: a common factor plus small idiosyncratic noise (correlation ~0.97).
    const rng = new Rng(7);
    const nBars = 500;
    const factors = [0, 1, 2].map(() => Array.from({ length: nBars }, () => rng.normal(0, 0.01)));
    const columns = Array.from({ length: 15 }, (_, j) => factors[j % 3]!.map((f) => f + rng.normal(0, 0.002)));
    const matrix = fromColumns(columns);
    const correlation = correlationMatrix(matrix).values;
    const clusters = clusterStrategies(correlation, 15);
    expect(clusters.clusterCount).toBe(3);
    for (let j = 0; j < 15; j++) expect(clusters.labels[j]).toBe(clusters.labels[j % 3]);
    expect(averageCorrelation(correlation, 15)).toBeGreaterThan(0.2);
    const ranking = deflatedSharpeRanking(matrix, { trials: 'clusters' });
    expect(ranking.trials).toBe(3);
    expect(ranking.trialMethod).toBe('clusters');

    // Naive UPGMA (merge the closest pair, recompute average distances from the leaves) on random
    // correlations, several cut heights: same partitions as the NN-chain implementation.
    const random = noiseMatrix(11, 25, 40);
    const rho = correlationMatrix(random).values;
    for (const cut of [0.6, 0.68, 0.7, 0.72, 0.75]) {
      expect(partition(clusterStrategies(rho, 25, cut).labels), `cut ${cut}`).toEqual(naiveAverageLinkage(rho, 25, cut));
    }
  });
});

/** Canonical form of a labelling: sorted lists of members. */
function partition(labels: ArrayLike<number>): string[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = groups.get(labels[i]!) ?? [];
    list.push(i);
    groups.set(labels[i]!, list);
  }
  return [...groups.values()].map((g) => g.join(',')).sort();
}

function naiveAverageLinkage(correlation: Float64Array, n: number, cut: number): string[] {
  const d = (a: number, b: number) => Math.sqrt(Math.max(0, 0.5 * (1 - correlation[a * n + b]!)));
  let clusters = Array.from({ length: n }, (_, i) => [i]);
  for (;;) {
    let best = Infinity;
    let pair: [number, number] = [-1, -1];
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        let sum = 0;
        for (const i of clusters[a]!) for (const j of clusters[b]!) sum += d(i, j);
        const average = sum / (clusters[a]!.length * clusters[b]!.length);
        if (average < best) { best = average; pair = [a, b]; }
      }
    }
    if (pair[0] < 0 || best > cut) break;
    const merged = [...clusters[pair[0]]!, ...clusters[pair[1]]!].sort((x, y) => x - y);
    clusters = clusters.filter((_, k) => k !== pair[0] && k !== pair[1]);
    clusters.push(merged);
  }
  return clusters.map((c) => c.join(',')).sort();
}

describe('PBO by CSCV', () => {
  it('enumerates C(S, S/2) splits in lexicographic order', () => {
    expect(binomial(16, 8)).toBe(12_870);
    expect(halfSplitMasks(16).length).toBe(12_870);
    const masks = halfSplitMasks(6);
    const sets = [...masks].map((m) => [0, 1, 2, 3, 4, 5].filter((b) => (m >> b) & 1));
    expect(sets).toEqual(bruteForcePbo(new Float64Array(24), 12, 2, 6).inSampleBlocks);
    expect(() => halfSplitMasks(5)).toThrow(/even integer/);
  });

  it('matches the brute-force reference exactly on small cases (same selections, ranks and PBO)', () => {
    let seed = 100;
    for (const blocks of [4, 6, 8]) {
      for (const nStrategies of [2, 3, 5, 10]) {
        for (const nBars of [2 * blocks, 37, 101, 200]) {
          if (nBars < 2 * blocks) continue;
          for (const metric of ['sharpe', 'mean'] as const) {
            const matrix = noiseMatrix(seed++, nStrategies, nBars, 0.01, (j) => 0.0005 * (j % 3));
            const got = probabilityOfBacktestOverfitting(matrix, { blocks, metric });
            const want = bruteForcePbo(matrix.values, nBars, nStrategies, blocks, metric);
            const label = `S=${blocks} N=${nStrategies} T=${nBars} ${metric}`;
            expect([...got.selected], label).toEqual(want.selected);
            expect([...got.ranks], label).toEqual(want.ranks);
            expect([...got.logits], label).toEqual(want.logits);
            expect(got.pbo, label).toBe(want.pbo);
            for (let c = 0; c < got.splits; c++) {
              expect(relativeError(got.inSample[c]!, want.inSample[c]!), label).toBeLessThan(1e-9);
              expect(relativeError(got.outOfSample[c]!, want.outOfSample[c]!), label).toBeLessThan(1e-9);
            }
          }
        }
      }
    }
  });

  it('handles ties and zero-variance strategies as documented (first IS maximum, OOS mid-rank)', () => {
    const rng = new Rng(5);
    const nBars = 64;
    const a = Array.from({ length: nBars }, () => rng.normal(0.001, 0.01));
    const b = Array.from({ length: nBars }, () => rng.normal(0, 0.01));
    const flat = new Array<number>(nBars).fill(0);
    const matrix = fromColumns([b, a, a, flat, b]);
    const got = probabilityOfBacktestOverfitting(matrix, { blocks: 8 });
    const want = bruteForcePbo(matrix.values, nBars, 5, 8);
    expect([...got.selected]).toEqual(want.selected);
    expect([...got.ranks]).toEqual(want.ranks);
    expect(got.pbo).toBe(want.pbo);
    // Duplicates: column 2 never wins over its identical twin column 1; column 4 never over column 0.
    expect(got.selectionCounts[2]).toBe(0);
    expect(got.selectionCounts[4]).toBe(0);
    // A selected duplicate shares its OOS value with its twin: its rank is a half-integer.
    const c = [...got.selected].findIndex((s) => s === 1);
    if (c >= 0) expect(got.ranks[c]! % 1).toBe(0.5);
  });

  it('is high for pure noise and near zero with a planted edge', () => {
    // Statistics of the assertions. Under the null (iid noise, no skill) the IS-best strategy's OOS
    // rank is uniform on 1..N, so E[PBO] = ⌊N/2⌋/N = 0.5 for even N; but the 12,870 splits reuse the
    // same data, so one data set's PBO is widely spread: over 200 seeds (50 strategies × 1,000 bars,
    // S = 16) we measured mean 0.499, sd 0.177, minimum 0.09. So "PBO ≥ 0.5" would fail for about
    // half of all seeds. We assert instead (a) the mean over 16 independent data sets lies in
    // [0.3, 0.7], 4.5 sd of the mean (0.177/√16 = 0.044) on each side, and (b) one 200 × 2,000 set
    // has PBO > 0.05, the null's 1 % tail being near 0.14.
    const pbos = Array.from({ length: 16 }, (_, r) => probabilityOfBacktestOverfitting(noiseMatrix(9000 + r, 50, 1000), { blocks: 16 }).pbo);
    const meanPbo = pbos.reduce((x, y) => x + y) / pbos.length;
    expect(meanPbo).toBeGreaterThan(0.3);
    expect(meanPbo).toBeLessThan(0.7);

    const noise = noiseMatrix(2024, 200, 2000);
    const noisy = probabilityOfBacktestOverfitting(noise, { blocks: 16 });
    expect(noisy.splits).toBe(12_870);
    expect(noisy.pbo).toBeGreaterThan(0.05);
    expect(noisy.logitHistogram.counts.reduce((x, y) => x + y)).toBe(12_870);

    // Planted: strategy 137 has per-bar SR 0.2 (t-statistic 0.2·√1000 ≈ 6.3 on each half) while the
    // best of 199 noise strategies on 1,000 bars has SR ≈ 2.7/√1000 ≈ 0.087 ± 0.013: it is the IS
    // best in all but ~0.1 % of splits and then ranks first OOS, so PBO ≈ 0.
    const planted = noiseMatrix(2024, 200, 2000, 0.01, (j) => (j === 137 ? 0.002 : 0));
    const edge = probabilityOfBacktestOverfitting(planted, { blocks: 16 });
    expect(edge.pbo).toBeLessThan(0.05);
    expect(edge.selectionCounts[137]! / edge.splits).toBeGreaterThan(0.95);
    expect(edge.probabilityOfLoss).toBeLessThan(0.05);
  });

  it('DSR of the best noise strategy is not significant, the planted strategy ranks first', () => {
    // 200 noise strategies × 2,000 bars: the best per-bar SR is the maximum M of 200 draws of
    // N(0, 1/2000) and SR0 ≈ √V·2.76 with V ≈ 1/2000, so DSR(best) ≈ Φ(M·√2000 − 2.76), whose
    // median is ≈ 0.5 (asserting "< 0.5" would be a coin flip). DSR(best) ≥ 0.95 needs M·√2000 >
    // 4.4, probability ≈ 200·(1 − Φ(4.4)) ≈ 1e-3; while the naive PSR(0) of the same strategy is
    // ≈ Φ(2.7) > 0.95 (it ignores the 200 trials).
    const ranking = deflatedSharpeRanking(noiseMatrix(2024, 200, 2000));
    const best = ranking.strategies[ranking.order[0]!]!;
    const bestBySharpe = ranking.strategies.reduce((x, y) => (y.sharpe > x.sharpe ? y : x));
    expect(best.dsr).toBeLessThan(0.95);
    expect(bestBySharpe.psr).toBeGreaterThan(0.95);
    expect(ranking.trials).toBe(200);

    const planted = deflatedSharpeRanking(noiseMatrix(2024, 200, 2000, 0.01, (j) => (j === 137 ? 0.002 : 0)));
    expect(planted.order[0]).toBe(137);
    expect(planted.strategies[137]!.dsr).toBeGreaterThan(0.95);
    const runnerUp = planted.strategies[planted.order[1]!]!;
    expect(runnerUp.dsr).toBeLessThan(0.95);
  });

  it('per family: equals running CSCV on each family alone', () => {
    const matrix = noiseMatrix(77, 9, 120, 0.01, (j) => 0.0003 * j);
    const groups = ['a', 'b', 'a', 'b', 'a', 'c', 'b', 'a', 'b'];
    const results = pboByGroup(matrix, groups, { blocks: 6 });
    expect(results.map((r) => r.group)).toEqual(['a', 'b', 'c']);
    expect(results[2]!.result).toBeNull();
    for (const entry of results.slice(0, 2)) {
      const columns = [...entry.strategies].map((j) => matrix.values.subarray(j * 120, (j + 1) * 120));
      const alone = bruteForcePbo(fromColumns(columns).values, 120, columns.length, 6);
      expect([...entry.result!.selected]).toEqual(alone.selected);
      expect([...entry.result!.ranks]).toEqual(alone.ranks);
      expect(entry.result!.pbo).toBe(alone.pbo);
    }
  });

  it('reports degradation and validates its inputs', () => {
    const result = probabilityOfBacktestOverfitting(noiseMatrix(3, 20, 400), { blocks: 8, histogramBins: 5 });
    expect(result.degradation.pairs).toBe(70);
    expect(result.degradation.slope).not.toBeNull();
    expect(result.logitHistogram.edges.length).toBe(6);
    expect(histogram(new Float64Array([1, 1]), 2).counts).toEqual(new Int32Array([0, 2]));
    const m = noiseMatrix(3, 4, 40);
    expect(() => probabilityOfBacktestOverfitting(m, { blocks: 7 })).toThrow(/even integer/);
    expect(() => probabilityOfBacktestOverfitting(m, { blocks: 24 })).toThrow(/needs at least 48 bars/);
    expect(() => probabilityOfBacktestOverfitting(noiseMatrix(3, 1, 40), { blocks: 4 })).toThrow(/at least 2 strategies/);
    expect(() => probabilityOfBacktestOverfitting({ ...m, bars: 41 })).toThrow(/does not match 41 bars x 4 strategies/);
    const bad = noiseMatrix(3, 4, 40);
    bad.values[2 * 40 + 17] = NaN;
    expect(() => probabilityOfBacktestOverfitting(bad, { blocks: 4 })).toThrow(/strategy 's2' \(column 2\), bar 17: return is not finite/);
  });
});
