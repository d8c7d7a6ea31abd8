// PSR, MinTRL, SR0 (expected maximum Sharpe ratio) and DSR against published worked examples and
// an independent implementation written in this file.
//
// Conventions of src/analytics/overfitting/psr.ts (and of every source below): Sharpe ratios PER
// BAR, raw kurtosis (3 for normal returns), variance factor 1 − γ3·SR + (γ4 − 1)/4·SR², √(n − 1),
// SR0 = √V·((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))). Where a source uses another unit (years,
// a standard deviation of trials instead of a variance), the conversion is done here, with a comment.
//
// The `exact` / "closed form" reference values were evaluated for this test with mpmath at 40
// significant digits (ncdf, √2·erfinv) from the same closed forms and are written here to 16 digits;
// they agree with the scipy values quoted in each case to the digits scipy was quoted with.
import { describe, expect, it } from 'vitest';
import {
  deflatedSharpeRatio, expectedMaximumSharpe, minimumTrackRecordLength, probabilisticSharpeRatio,
  sharpeVarianceFactor, toPerBarSharpe, toPerBarSharpeVariance,
} from '../../../src/analytics/overfitting/psr.ts';
import { sweeplens } from '../../cli/runCli.ts';

// ---------------------------------------------------------------------------------------------
// Independent implementation (C). Nothing here comes from src/: Φ is the integral of the density by
// composite Simpson, Φ⁻¹ is bisection on it, and PSR / MinTRL / SR0 / DSR are written out from the
// formulas. (test/analytics/overfitting.test.ts has its own oracle, but it is private to that file;
// this one uses a different quadrature so the two also check each other's method.)

const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** Euler–Mascheroni constant, 0.57721566490153286060… (OEIS A001620), rounded to a double. */
const EULER_GAMMA = 0.5772156649015329;
/** Simpson panels per unit length: h ≤ 1/4096, error ≤ |x|·h⁴·max|φ⁗|/180 ≈ 2e-18·|x|. */
const PANELS_PER_UNIT = 4096;

function density(u: number): number {
  return Math.exp(-0.5 * u * u) / SQRT_2PI;
}

/** ∫_0^x φ(u) du by composite Simpson (odd in x); |x| beyond 12 is cut at 12 (the rest is < 1e-32). */
function centralMass(x: number): number {
  const t = Math.min(Math.abs(x), 12);
  if (t === 0) return 0;
  const panels = 2 * Math.ceil((t * PANELS_PER_UNIT) / 2);
  const h = t / panels;
  let sum = density(0) + density(t);
  for (let i = 1; i < panels; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
  const mass = (sum * h) / 3;
  return x < 0 ? -mass : mass;
}

/** Φ(x) = ½ + ∫_0^x φ. */
function cdf(x: number): number {
  return 0.5 + centralMass(x);
}

/**
 * Φ⁻¹(p) by bisection on centralMass(x) = p − ½ over [−12, 12] (p − ½ is exact in floating point for
 * p in [¼, 1] by Sterbenz's lemma, so upper quantiles lose nothing to 1 − p).
 */
function quantile(p: number): number {
  const target = p - 0.5;
  let low = -12;
  let high = 12;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (low + high);
    if (mid === low || mid === high) break;
    if (centralMass(mid) < target) low = mid; else high = mid;
  }
  return 0.5 * (low + high);
}

function varianceFactor(sr: number, skew: number, kurt: number): number {
  return 1 - skew * sr + ((kurt - 1) / 4) * sr * sr;
}

/** PSR(SR*) = Φ((SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²)). */
function independentPsr(sr: number, benchmark: number, n: number, skew = 0, kurt = 3): number {
  return cdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(varianceFactor(sr, skew, kurt)));
}

/** MinTRL = 1 + (1 − γ3·SR + (γ4 − 1)/4·SR²)·(Φ⁻¹(p)/(SR − SR*))², in bars. */
function independentMinTrl(sr: number, benchmark: number, skew = 0, kurt = 3, probability = 0.95): number {
  return 1 + varianceFactor(sr, skew, kurt) * (quantile(probability) / (sr - benchmark)) ** 2;
}

/** E[max of N] factor for unit variance: (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)). */
function independentMaxFactor(trials: number): number {
  return (1 - EULER_GAMMA) * quantile(1 - 1 / trials) + EULER_GAMMA * quantile(1 - 1 / (trials * Math.E));
}

function independentSr0(trials: number, variance: number): number {
  return Math.sqrt(variance) * independentMaxFactor(trials);
}

function independentDsr(sr: number, n: number, trials: number, variance: number, skew = 0, kurt = 3): number {
  return independentPsr(sr, independentSr0(trials, variance), n, skew, kurt);
}

/** |a − b| / |b|. */
function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

/** Rounds to `digits` decimals (the way a paper prints). */
function rounded(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

// ---------------------------------------------------------------------------------------------

describe('the independent implementation', () => {
  it('reproduces published Φ / Φ⁻¹ values (17 significant digits) to 1e-12', () => {
    // R pnorm(-1), pnorm(1.5), qnorm(0.95), qnorm(0.99); scipy.stats.norm.ppf(1 - 1/(100*e)) (the
    // second quantile of SR0 for N = 100); all agree with mpmath at 30 digits.
    expect(Math.abs(cdf(-1) - 0.15865525393145705)).toBeLessThan(1e-13);
    expect(Math.abs(cdf(1.5) - 0.9331927987311419)).toBeLessThan(1e-13);
    expect(Math.abs(quantile(0.95) - 1.6448536269514722)).toBeLessThan(1e-13);
    expect(Math.abs(quantile(0.99) - 2.3263478740408408)).toBeLessThan(1e-13);
    expect(Math.abs(quantile(1 - 1 / (100 * Math.E)) - 2.6802104449668875)).toBeLessThan(1e-12);
  });
});

describe('Bailey & López de Prado (2012), "The Sharpe Ratio Efficient Frontier", J. of Risk 15(2)', () => {
  // Worked examples of the paper as quoted (with their inputs) by the tests of
  // DaruFinance/deflated-sharpe, tests/test_paper_examples.py, and
  // rubenbriones/Probabilistic-Sharpe-Ratio, tests/test_sharpe_ratio_stats.py.

  it('PSR of the hedge-fund example: monthly SR 0.458, SR* = 0', () => {
    // n, skew, raw kurtosis, scipy value (6 decimals), exact = closed form (mpmath).
    const cases = [
      // T = 24, skew −2.448, raw kurtosis 10.164: the paper prints 0.913.
      { n: 24, skew: -2.448, kurt: 10.164, scipy: 0.913361, exact: 0.9133610838609329 },
      // Same T, normal returns (skew 0, kurtosis 3): the paper prints 0.982.
      { n: 24, skew: 0, kurt: 3, scipy: 0.981675, exact: 0.9816749190910771 },
      // T = 36 with the non-normal moments: the paper prints 0.953, truncating 0.95351.
      { n: 36, skew: -2.448, kurt: 10.164, scipy: 0.953505, exact: 0.9535052188653401 },
    ];
    for (const { n, skew, kurt, scipy, exact } of cases) {
      const label = `T = ${n}, skew ${skew}, kurtosis ${kurt}`;
      const psr = probabilisticSharpeRatio({ sharpe: 0.458, benchmarkSharpe: 0, observations: n, skewness: skew, kurtosis: kurt });
      expect(Math.abs(psr - independentPsr(0.458, 0, n, skew, kurt)), label).toBeLessThan(1e-9);
      expect(Math.abs(psr - scipy), label).toBeLessThan(1e-6);
      expect(Math.abs(psr - exact), label).toBeLessThan(1e-12);
    }
    const psr = (n: number, skew: number, kurt: number) => probabilisticSharpeRatio({ sharpe: 0.458, observations: n, skewness: skew, kurtosis: kurt });
    // The digits the paper prints.
    expect(rounded(psr(24, -2.448, 10.164), 3)).toBe(0.913);
    expect(rounded(psr(24, 0, 3), 3)).toBe(0.982);
    expect(Math.floor(psr(36, -2.448, 10.164) * 1000) / 1000).toBe(0.953);
  });

  it('MinTRL in years: annualized SR 2 vs benchmark 1, 95 % confidence', () => {
    // The paper's table (as quoted by DaruFinance/deflated-sharpe): normal returns need 2.73
    // (daily, P = 252), 2.83 (weekly, 52), 3.24 (monthly, 12) years; monthly with the moments of the
    // HFR aggregate index (skew −0.72, raw kurtosis 5.78) 4.99 years. The annualized Sharpe ratios go
    // per bar by /√P (toPerBarSharpe); MinTRL comes out in bars, so years = MinTRL / P.
    // scipy (quoted): 2.7310, 2.8288, 3.2398, 4.99126.
    const cases = [
      { periods: 252, skew: 0, kurt: 3, paper: 2.73, scipy: 2.7310, exact: 2.730984275159662 },
      { periods: 52, skew: 0, kurt: 3, paper: 2.83, scipy: 2.8288, exact: 2.828833586945237 },
      { periods: 12, skew: 0, kurt: 3, paper: 3.24, scipy: 3.2398, exact: 3.239800696444649 },
      { periods: 12, skew: -0.72, kurt: 5.78, paper: 4.99, scipy: 4.99126, exact: 4.991258223875628 },
    ];
    for (const { periods, skew, kurt, paper, scipy, exact } of cases) {
      const label = `P = ${periods}, skew ${skew}, kurtosis ${kurt}`;
      const sharpe = toPerBarSharpe(2, periods);
      const benchmarkSharpe = toPerBarSharpe(1, periods);
      const bars = minimumTrackRecordLength({ sharpe, benchmarkSharpe, skewness: skew, kurtosis: kurt, probability: 0.95 });
      const years = bars / periods;
      expect(relative(bars, independentMinTrl(sharpe, benchmarkSharpe, skew, kurt, 0.95)), label).toBeLessThan(1e-9);
      expect(Math.abs(years - exact), label).toBeLessThan(1e-6);
      // scipy values as quoted (4 or 5 decimals): within half a unit of their last digit.
      expect(Math.abs(years - scipy), label).toBeLessThan(scipy === 4.99126 ? 0.5e-5 : 0.5e-4);
      expect(rounded(years, 2), label).toBe(paper);
    }
  });

  it('MinTRL / PSR of the R PerformanceAnalytics examples (same HFR moments, monthly)', () => {
    // braverock/PerformanceAnalytics, R/MinTRL.R and R/ProbSharpeRatio.R examples, output recorded in
    // tests/testthat/_snaps/all_snapshots.md (commit 3813161764b23d00f94f06a82d47ae1b62fd35df):
    //   MinTrackRecord(refSR = 1/12^0.5, Rf = 0, p = 0.95, sr = 2/12^0.5, sk = -0.72, kr = 5.78, n = 59)
    //     -> $min_TRL 52.37369
    //   ProbSharpeRatio(<same arguments>) -> $sr_prob 0.9597434
    // Both functions default to ignore_kurtosis = TRUE, which replaces kr by 3: so these printed values
    // are for skew −0.72 and kurtosis 3. With ignore_kurtosis = FALSE the same formula
    // (1 + (1 - sk*sr + ((kr-1)/4)*sr^2)*(qnorm(p)/(sr-refSR))^2) gives 59.895 months = 4.99 years,
    // the paper's HFR figure above.
    const sharpe = 2 / Math.sqrt(12);
    const benchmarkSharpe = 1 / Math.sqrt(12);
    const ignoringKurtosis = minimumTrackRecordLength({ sharpe, benchmarkSharpe, skewness: -0.72, kurtosis: 3 });
    expect(Math.abs(ignoringKurtosis - 52.37369)).toBeLessThan(0.5e-5);
    expect(Math.abs(ignoringKurtosis - 52.37368788412230)).toBeLessThan(1e-9);
    expect(relative(ignoringKurtosis, independentMinTrl(sharpe, benchmarkSharpe, -0.72, 3))).toBeLessThan(1e-9);
    const psr = probabilisticSharpeRatio({ sharpe, benchmarkSharpe, observations: 59, skewness: -0.72, kurtosis: 3 });
    expect(Math.abs(psr - 0.9597434)).toBeLessThan(0.5e-7);
    expect(Math.abs(psr - independentPsr(sharpe, benchmarkSharpe, 59, -0.72, 3))).toBeLessThan(1e-9);
    // ignore_kurtosis = FALSE: 59.895 months (closed form 59.89509868650754).
    const withKurtosis = minimumTrackRecordLength({ sharpe, benchmarkSharpe, skewness: -0.72, kurtosis: 5.78 });
    expect(Math.abs(withKurtosis - 59.89509868650754)).toBeLessThan(1e-6);
    expect(rounded(withKurtosis, 3)).toBe(59.895);
  });

  it('the two 134-month examples: σ(SR) and MinTRL in years (SR* = 0, 95 %)', () => {
    // rubenbriones/Probabilistic-Sharpe-Ratio, tests/test_sharpe_ratio_stats.py
    // (test_estimated_sharpe_ratio_stdev_paper_examples, test_min_track_record_length_paper_examples):
    // monthly SR, n = 134 monthly returns, raw kurtosis, sr_benchmark = 0, prob = 0.95, and
    //   sr_std = sqrt((1 + SR²/2 − skew·SR + (kurt − 3)/4·SR²) / (n − 1))   [= sqrt(D / (n − 1))]
    //   min_trl = 1 + sr_std²·(n − 1)·(Φ⁻¹(prob) / SR)²                      [= 1 + D·(z / SR)²]
    // asserting round(sr_std, 4) and round(min_trl / 12, 4) ("minTRL was in years in the paper (and
    // SR was monthly)"). Their PSR of both rounds to 1.0 at 4 decimals.
    const cases = [
      { sharpe: 0.7079, skew: -0.2250, kurt: 2.9570, sigma: 0.1028, years: 0.7152, exactSigma: 0.1027608230800726, exactYears: 0.7152156942951801 },
      { sharpe: 0.8183, skew: -1.4455, kurt: 7.0497, sigma: 0.1550, years: 1.1593, exactSigma: 0.1550065472788493, exactYears: 1.159302661381875 },
    ];
    for (const { sharpe, skew, kurt, sigma, years, exactSigma, exactYears } of cases) {
      const label = `SR ${sharpe}`;
      const sigmaSr = Math.sqrt(sharpeVarianceFactor(sharpe, skew, kurt) / (134 - 1));
      expect(rounded(sigmaSr, 4), label).toBe(sigma);
      expect(Math.abs(sigmaSr - exactSigma), label).toBeLessThan(1e-12);
      const months = minimumTrackRecordLength({ sharpe, benchmarkSharpe: 0, skewness: skew, kurtosis: kurt, probability: 0.95 });
      expect(rounded(months / 12, 4), label).toBe(years);
      expect(Math.abs(months / 12 - exactYears), label).toBeLessThan(1e-6);
      expect(relative(months, independentMinTrl(sharpe, 0, skew, kurt, 0.95)), label).toBeLessThan(1e-9);
      const psr = probabilisticSharpeRatio({ sharpe, observations: 134, skewness: skew, kurtosis: kurt });
      expect(rounded(psr, 4), label).toBe(1);
      expect(Math.abs(psr - independentPsr(sharpe, 0, 134, skew, kurt)), label).toBeLessThan(1e-9);
    }
  });
});

describe('Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", JPM 40(5), numerical example', () => {
  // N = 100 trials whose ANNUALIZED Sharpe ratios have variance 1/2; best annualized SR 2.5; 250
  // observations a year for 5 years (T = 1250); skew −3, raw kurtosis 10. The paper prints
  // SR0 ≈ 0.1132 (per period) and DSR ≈ 0.9004; DaruFinance/deflated-sharpe
  // (tests/test_paper_examples.py) adds DSR 0.9505 with N = 46 and, for normal returns, with N = 88.
  // Annualized inputs go per bar: SR / √250, V / 250.
  // scipy (quoted): E[max] factor (unit variance) 2.5306028932, SR0 0.11317200187,
  // DSR 0.90039683445 (N 100), 0.95050170688 (N 46), 0.950491 (normal, N 88).
  const periods = 250;
  const sharpe = toPerBarSharpe(2.5, periods);
  const sharpeVariance = toPerBarSharpeVariance(0.5, periods);

  it('SR0 = √V·E[max] factor', () => {
    const factor = expectedMaximumSharpe({ trials: 100, sharpeVariance: 1 });
    expect(Math.abs(factor - 2.5306028932)).toBeLessThan(1e-6);
    expect(relative(factor, independentMaxFactor(100))).toBeLessThan(1e-9);
    const sr0 = expectedMaximumSharpe({ trials: 100, sharpeVariance });
    expect(Math.abs(sr0 - 0.11317200187)).toBeLessThan(1e-6);
    expect(relative(sr0, independentSr0(100, sharpeVariance))).toBeLessThan(1e-9);
    expect(rounded(sr0, 4)).toBe(0.1132);
  });

  it('DSR for N = 100 and 46 (skew −3, kurtosis 10) and N = 88 (normal returns)', () => {
    const cases = [
      { trials: 100, skew: -3, kurt: 10, scipy: 0.90039683445, printed: 0.9004 },
      { trials: 46, skew: -3, kurt: 10, scipy: 0.95050170688, printed: 0.9505 },
      { trials: 88, skew: 0, kurt: 3, scipy: 0.950491, printed: 0.9505 },
    ];
    for (const { trials, skew, kurt, scipy, printed } of cases) {
      const label = `N = ${trials}, skew ${skew}, kurtosis ${kurt}`;
      const dsr = deflatedSharpeRatio({ sharpe, observations: 1250, skewness: skew, kurtosis: kurt, trials, sharpeVariance });
      expect(Math.abs(dsr - scipy), label).toBeLessThan(1e-6);
      expect(Math.abs(dsr - independentDsr(sharpe, 1250, trials, sharpeVariance, skew, kurt)), label).toBeLessThan(1e-9);
      expect(rounded(dsr, 4), label).toBe(printed);
    }
    // 46 and 88 are where DSR crosses 0.95: one more trial and it falls below (closed form:
    // 0.949404 for N = 47, 0.949839 for normal returns and N = 89).
    const dsr = (trials: number, skew: number, kurt: number) => deflatedSharpeRatio({ sharpe, observations: 1250, skewness: skew, kurtosis: kurt, trials, sharpeVariance });
    expect(dsr(46, -3, 10)).toBeGreaterThan(0.95);
    expect(dsr(47, -3, 10)).toBeLessThan(0.95);
    expect(dsr(88, 0, 3)).toBeGreaterThan(0.95);
    expect(dsr(89, 0, 3)).toBeLessThan(0.95);
  });

  it('through the CLI: `sweeplens stats dsr --periods-per-year 250 --json`', async () => {
    const run = await sweeplens(
      'stats', 'dsr', '--sharpe', '2.5', '--observations', '1250', '--trials', '100', '--sharpe-variance', '0.5',
      '--skew', '-3', '--kurtosis', '10', '--periods-per-year', '250', '--json',
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as { statistic: string; value: number; expectedMaximumSharpe: number };
    expect(parsed.statistic).toBe('dsr');
    expect(Math.abs(parsed.value - 0.900397)).toBeLessThan(1e-6);
    expect(Math.abs(parsed.expectedMaximumSharpe - 0.113172)).toBeLessThan(1e-6);
  });
});

describe('mlfinlab (hudson-and-thames/mlfinlab) numerical examples', () => {
  // mlfinlab/tests/test_backtest_statistics.py (commit b2cf0bf4aa7bad167dfa190fa080bfde954e67e7),
  // functions in mlfinlab/backtest_statistics/statistics.py. mlfinlab uses the same closed forms
  // (sqrt(n − 1), (kurtosis − 1)/4, raw kurtosis 3 by default) and treats its Sharpe inputs as per
  // bar; each value is asserted there with assertAlmostEqual(..., delta=1e-4), and so here.
  const observedSr = 1.14;
  const numberOfReturns = 250;

  it('probabilistic_sharpe_ratio(1.14, 1, 250, 0, 3) = 0.95727', () => {
    const psr = probabilisticSharpeRatio({ sharpe: observedSr, benchmarkSharpe: 1, observations: numberOfReturns, skewness: 0, kurtosis: 3 });
    expect(Math.abs(psr - 0.95727)).toBeLessThan(1e-4);
    expect(Math.abs(psr - independentPsr(observedSr, 1, numberOfReturns))).toBeLessThan(1e-9);
  });

  it('minimum_track_record_length(1.14, 1, 0, 3, alpha = 0.05) = 228.73497', () => {
    // alpha = 0.05 is our probability 1 − alpha = 0.95.
    const minTrl = minimumTrackRecordLength({ sharpe: observedSr, benchmarkSharpe: 1, skewness: 0, kurtosis: 3, probability: 1 - 0.05 });
    expect(Math.abs(minTrl - 228.73497)).toBeLessThan(1e-4);
    expect(relative(minTrl, independentMinTrl(observedSr, 1))).toBeLessThan(1e-9);
  });

  it('deflated_sharpe_ratio from the trials [3.5, 1.01, 1.02] = 0.95836', () => {
    // mlfinlab: benchmark_sr = np.array(sr_estimates).std() * (...), N = len(sr_estimates).
    // np.std has ddof = 0, and we take a VARIANCE: V = population variance of the trials' SRs
    // (not sampleVariance, which is ddof = 1).
    const trialsSr = [3.5, 1.01, 1.02];
    const mean = trialsSr.reduce((a, b) => a + b) / trialsSr.length;
    const populationVariance = trialsSr.reduce((a, x) => a + (x - mean) ** 2, 0) / trialsSr.length;
    const dsr = deflatedSharpeRatio({ sharpe: observedSr, observations: numberOfReturns, skewness: 0, kurtosis: 3, trials: trialsSr.length, sharpeVariance: populationVariance });
    expect(Math.abs(dsr - 0.95836)).toBeLessThan(1e-4);
    expect(Math.abs(dsr - independentDsr(observedSr, numberOfReturns, 3, populationVariance))).toBeLessThan(1e-9);
  });

  it('deflated_sharpe_ratio from (sd 0.4, N 100): benchmark 1.012241, DSR 0.941740', () => {
    // estimates_param = True: sr_estimates = [standard deviation of the trials' SRs, number of
    // trials]; our input is the variance, 0.4².
    const sharpeVariance = 0.4 ** 2;
    const benchmark = expectedMaximumSharpe({ trials: 100, sharpeVariance });
    expect(Math.abs(benchmark - 1.012241)).toBeLessThan(1e-4);
    expect(relative(benchmark, independentSr0(100, sharpeVariance))).toBeLessThan(1e-9);
    const dsr = deflatedSharpeRatio({ sharpe: observedSr, observations: numberOfReturns, skewness: 0, kurtosis: 3, trials: 100, sharpeVariance });
    expect(Math.abs(dsr - 0.941740)).toBeLessThan(1e-4);
    expect(Math.abs(dsr - independentDsr(observedSr, numberOfReturns, 100, sharpeVariance))).toBeLessThan(1e-9);
  });
});
