// The WASM portfolio solver (assembly/optimize.ts via src/kernels/optimize.ts) against references
// computed by other methods (test/reference/optimize.ts): the primal active-set QP (exact optimum,
// long-only), and the KKT optimality certificate (any bounds, vector bounds and fixed weights
// included) on problems that exercise the exact face solves: well-conditioned factor models (the
// conjugate-gradient path), sample covariances with few bars and sweep-like neighbours (the factored
// path), duplicated strategies and a strategy that is a mix of two others (singular covariances).
import { describe, expect, it } from 'vitest';
import { OPTIMIZE_STATUS, optimizePortfolio, type PortfolioObjective } from '../../src/kernels/optimize.ts';
import { activeSetMaxSharpe, activeSetMinVariance, enumerateMaxSharpe, enumerateMinVariance, kktViolation } from '../reference/optimize.ts';
import { Rng } from '../helpers/rng.ts';

/** Objective (Sharpe or variance) within this (relative) of the exact optimum. */
const OPTIMUM_TOL = 1e-12;
/** Largest KKT violation (relative to the gradient's scale) of a solution. */
const KKT_TOL = 1e-9;
/** sum w = 1 to this; bounds hold exactly. */
const SUM_TOL = 1e-14;

interface Problem { mu: Float64Array; cov: Float64Array }

/** Sigma = B B' + D, 3 factors: well conditioned (the benchmark's model). */
function factorProblem(rng: Rng, n: number): Problem {
  const b = Float64Array.from({ length: n * 3 }, () => rng.normal(0, 0.1));
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let f = 0; f < 3; f++) s += b[i * 3 + f]! * b[j * 3 + f]!;
      cov[i * n + j] = s;
      cov[j * n + i] = s;
    }
    cov[i * n + i] = cov[i * n + i]! + rng.between(0.02, 0.08);
  }
  return { mu: Float64Array.from({ length: n }, () => rng.between(0.02, 0.15)), cov };
}

/** Sample covariance of T = n + 20 independent bars: ill conditioned. */
function sampleProblem(rng: Rng, n: number): Problem {
  const t = n + 20;
  const f = Float64Array.from({ length: n * t }, () => rng.normal());
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < t; k++) s += f[i * t + k]! * f[j * t + k]!;
      cov[i * n + j] = (s / t) * 0.04;
      cov[j * n + i] = cov[i * n + j]!;
    }
  }
  return { mu: Float64Array.from({ length: n }, () => rng.between(-0.05, 0.25)), cov };
}

/** Sample moments of a sweep: neighbouring strategies share drifting factor loadings (T = 400 bars). */
function sweepProblem(rng: Rng, n: number): Problem {
  const bars = 400;
  const factors = 4;
  const f = Float64Array.from({ length: bars * factors }, () => rng.normal(0, 0.01));
  const r = new Float64Array(n * bars);
  let load = Array.from({ length: factors }, () => rng.normal(0, 0.5));
  for (let j = 0; j < n; j++) {
    load = j % 10 === 0 ? Array.from({ length: factors }, () => rng.normal(0, 0.5)) : load.map((v) => 0.95 * v + 0.31 * rng.normal(0, 0.5));
    const drift = rng.normal(0.0004, 0.0004);
    for (let t = 0; t < bars; t++) {
      let s = drift;
      for (let k = 0; k < factors; k++) s += load[k]! * f[t * factors + k]!;
      r[j * bars + t] = s + rng.normal(0, 0.003);
    }
  }
  const mean = new Float64Array(n);
  for (let j = 0; j < n; j++) for (let t = 0; t < bars; t++) mean[j] = mean[j]! + r[j * bars + t]! / bars;
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < bars; t++) s += (r[i * bars + t]! - mean[i]!) * (r[j * bars + t]! - mean[j]!);
      cov[i * n + j] = (s / (bars - 1)) * 252;
      cov[j * n + i] = cov[i * n + j]!;
    }
  }
  return { mu: mean.map((m) => m * 252), cov };
}

/** The problem over strategies src (repeats allowed): duplicated strategies. */
function select(p: Problem, src: number[]): Problem {
  const n = p.mu.length;
  const m = src.length;
  const cov = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) cov[a * m + b] = p.cov[src[a]! * n + src[b]!]!;
  return { mu: Float64Array.from(src, (i) => p.mu[i]!), cov };
}

/** Appends a strategy that holds half of strategy 0 and half of strategy 1 (singular, not a duplicate). */
function withMix(p: Problem): Problem {
  const n = p.mu.length;
  const m = n + 1;
  const c = (i: number, j: number) => p.cov[i * n + j]!;
  const cov = new Float64Array(m * m);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) cov[a * m + b] = c(a, b);
    cov[a * m + n] = 0.5 * (c(a, 0) + c(a, 1));
    cov[n * m + a] = cov[a * m + n]!;
  }
  cov[n * m + n] = 0.25 * (c(0, 0) + 2 * c(0, 1) + c(1, 1));
  return { mu: Float64Array.from({ length: m }, (_, a) => (a < n ? p.mu[a]! : 0.5 * (p.mu[0]! + p.mu[1]!))), cov };
}

/** Greedy feasible start of largest mu'w (every weight at lo, then the best raised to hi in order). */
function maxReturnStart(mu: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  const w = Float64Array.from(lo);
  let left = 1 - lo.reduce((s, v) => s + v, 0);
  for (const i of Array.from(mu.keys()).sort((a, b) => mu[b]! - mu[a]! || a - b)) {
    const add = Math.min(hi[i]! - lo[i]!, left);
    w[i] = lo[i]! + add;
    left -= add;
  }
  return w;
}

function solve(objective: PortfolioObjective, p: Problem, lo: Float64Array, hi: Float64Array, rf: number, maxIterations = 20_000) {
  const n = p.mu.length;
  const start = objective === 'max-sharpe' ? maxReturnStart(p.mu, lo, hi) : new Float64Array(n).fill(1 / n);
  return optimizePortfolio({
    objective, expectedReturns: p.mu, covariance: p.cov, lower: lo, upper: hi, riskFreeRate: rf, start, maxIterations, tolerance: 1e-12,
  });
}

function stats(p: Problem, w: Float64Array, rf: number) {
  const n = w.length;
  let ret = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    ret += p.mu[i]! * w[i]!;
    for (let j = 0; j < n; j++) variance += w[i]! * p.cov[i * n + j]! * w[j]!;
  }
  return { sharpe: (ret - rf) / Math.sqrt(variance), variance };
}

function expectFeasible(w: Float64Array, lo: Float64Array, hi: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    sum += w[i]!;
    expect(w[i]! >= lo[i]! && w[i]! <= hi[i]!).toBe(true);
  }
  expect(Math.abs(sum - 1)).toBeLessThanOrEqual(SUM_TOL);
}

const filled = (n: number, v: number) => new Float64Array(n).fill(v);

describe('optimizePortfolio equals the active-set QP optimum (long-only, N = 60 and 120)', () => {
  for (const [label, make] of [['factor model', factorProblem], ['sample covariance', sampleProblem]] as const) {
    for (const n of [60, 120]) {
      it(`${label}, N = ${n}: max-sharpe and min-variance`, () => {
        const p = make(new Rng(4100 + n), n);
        const lo = filled(n, 0);
        const hi = filled(n, 1);
        const sharpe = solve('max-sharpe', p, lo, hi, 0.02);
        expect(sharpe.status).toBe(OPTIMIZE_STATUS.converged);
        expectFeasible(sharpe.weights, lo, hi);
        const exact = activeSetMaxSharpe(p.mu, p.cov, 0.02).sharpe;
        expect(Math.abs(stats(p, sharpe.weights, 0.02).sharpe - exact) / exact).toBeLessThanOrEqual(OPTIMUM_TOL);
        const minVar = solve('min-variance', p, lo, hi, 0);
        expect(minVar.status).toBe(OPTIMIZE_STATUS.converged);
        expectFeasible(minVar.weights, lo, hi);
        const exactVar = activeSetMinVariance(p.mu, p.cov, 0).variance;
        expect(Math.abs(stats(p, minVar.weights, 0).variance - exactVar) / exactVar).toBeLessThanOrEqual(OPTIMUM_TOL);
        // The settled face is solved exactly: a handful of iterations, not thousands.
        expect(sharpe.iterations).toBeLessThanOrEqual(50);
        expect(minVar.iterations).toBeLessThanOrEqual(50);
      });
    }
  }
});

describe('optimizePortfolio satisfies the KKT conditions (any bounds)', () => {
  const makers: [string, (rng: Rng, n: number) => Problem][] = [
    ['factor model', factorProblem],
    ['sample covariance', sampleProblem],
    ['sweep neighbours', sweepProblem],
    ['duplicated strategies', (rng, n) => {
      const p = sampleProblem(rng, n - 10);
      return select(p, [...Array.from({ length: n - 10 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => (7 * i) % (n - 10))]);
    }],
    ['a mix of two strategies', (rng, n) => withMix(sweepProblem(rng, n - 1))],
  ];
  for (const [label, make] of makers) {
    for (const n of [40, 150]) {
      it(`${label}, N = ${n}`, () => {
        const rng = new Rng(4200 + n + label.length);
        const p = make(rng, n);
        const m = p.mu.length;
        // Vector bounds: some floors, caps of 0.5/N .. 4.5/N, weight 1 fixed at its floor.
        const vlo = Float64Array.from({ length: m }, () => (rng.chance(0.3) ? rng.between(0, 0.5 / m) : 0));
        const vhi = Float64Array.from(vlo, (l) => l + rng.between(0.5 / m, 4.5 / m));
        vhi[1] = vlo[1]!;
        const boundSets: [string, Float64Array, Float64Array][] = [
          ['[0, 1]', filled(m, 0), filled(m, 1)],
          ['[0, 2.5/N]', filled(m, 0), filled(m, 2.5 / m)],
          ['[0.3/N, 3/N]', filled(m, 0.3 / m), filled(m, 3 / m)],
          ['vector', vlo, vhi],
        ];
        for (const [bounds, lo, hi] of boundSets) {
          if (hi.reduce((s, v) => s + v, 0) < 1) continue;
          for (const objective of ['max-sharpe', 'min-variance'] as const) {
            const rf = objective === 'max-sharpe' ? 0.02 : 0;
            const result = solve(objective, p, lo, hi, rf);
            const where = `${objective} ${bounds}: status ${result.status}, ${result.iterations} iterations`;
            expect(result.status, where).toBe(OPTIMIZE_STATUS.converged);
            expectFeasible(result.weights, lo, hi);
            expect(kktViolation(objective, p.mu, p.cov, lo, hi, rf, result.weights), where).toBeLessThanOrEqual(KKT_TOL);
          }
        }
      });
    }
  }
});

describe('optimizePortfolio equals face enumeration on random small problems', () => {
  // Few bars, 1-4 common factors, sometimes a duplicated strategy, floors and caps, any risk-free rate:
  // the cases where projected gradient alone could stall (non-convex curvature of the Sharpe ratio,
  // huge Barzilai-Borwein steps) are among them.
  it('120 problems, N = 2..6: converged, feasible, optimum within 1e-10 (relative)', () => {
    let checked = 0;
    for (let trial = 0; trial < 120; trial++) {
      const rng = new Rng(4600 + trial);
      const n = 2 + (trial % 5);
      const bars = n + 1 + Math.floor(rng.uniform() * 3 * n);
      const factors = 1 + Math.floor(rng.uniform() * 4);
      const common = Float64Array.from({ length: factors * bars }, () => rng.normal());
      const r = new Float64Array(n * bars);
      for (let i = 0; i < n; i++) {
        const loads = Array.from({ length: factors }, () => rng.normal(0, rng.uniform() * 2));
        const own = 0.2 + rng.uniform();
        for (let t = 0; t < bars; t++) {
          let v = own * rng.normal();
          for (let k = 0; k < factors; k++) v += loads[k]! * common[k * bars + t]!;
          r[i * bars + t] = v;
        }
      }
      const mu = Float64Array.from({ length: n }, () => rng.between(-0.05, 0.3));
      if (rng.chance(0.2)) { r.copyWithin(bars, 0, bars); mu[1] = mu[0]!; }
      const cov = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let t = 0; t < bars; t++) s += r[i * bars + t]! * r[j * bars + t]!;
          cov[i * n + j] = (s / bars) * 0.04;
          cov[j * n + i] = cov[i * n + j]!;
        }
      }
      const kind = trial % 3;
      const lo = kind === 2 ? rng.between(0, 0.9 / n) : 0;
      const hi = kind === 0 ? 1 : Math.min(1, rng.between(1 / n, 3 / n));
      const p = { mu, cov };
      const loV = filled(n, lo);
      const hiV = filled(n, hi);
      for (const objective of ['max-sharpe', 'min-variance'] as const) {
        const rf = objective === 'max-sharpe' ? rng.between(-0.02, 0.1) : 0;
        const start = maxReturnStart(mu, loV, hiV);
        if (objective === 'max-sharpe' && !(start.reduce((s, w, i) => s + w * (mu[i]! - rf), 0) > 0)) continue;
        const result = solve(objective, p, loV, hiV, rf);
        const where = `trial ${trial} ${objective} [${lo}, ${hi}]: status ${result.status}, pg ${result.projectedGradientNorm}`;
        expect(result.status, where).toBe(OPTIMIZE_STATUS.converged);
        expectFeasible(result.weights, loV, hiV);
        const got = stats(p, result.weights, rf);
        if (objective === 'max-sharpe') {
          const exact = enumerateMaxSharpe(mu, cov, lo, hi, rf).sharpe;
          expect(Math.abs(got.sharpe - exact) / Math.abs(exact), where).toBeLessThanOrEqual(1e-10);
        } else {
          const exact = enumerateMinVariance(mu, cov, lo, hi, rf).variance;
          expect(Math.abs(got.variance - exact) / exact, where).toBeLessThanOrEqual(1e-10);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('optimizePortfolio statuses and small cases', () => {
  it('one asset, and every weight fixed: the only feasible point', () => {
    const one = optimizePortfolio({
      objective: 'max-sharpe', expectedReturns: Float64Array.of(0.1), covariance: Float64Array.of(0.04), lower: filled(1, 0), upper: filled(1, 1),
      riskFreeRate: 0, start: Float64Array.of(1), maxIterations: 100, tolerance: 1e-12,
    });
    expect(one.status).toBe(OPTIMIZE_STATUS.converged);
    expect(one.weights).toEqual(Float64Array.of(1));
    const p = factorProblem(new Rng(4300), 4);
    const fixed = Float64Array.of(0.1, 0.2, 0.3, 0.4);
    const result = solve('min-variance', p, fixed, fixed, 0);
    expect(result.status).toBe(OPTIMIZE_STATUS.converged);
    for (let i = 0; i < 4; i++) expect(Math.abs(result.weights[i]! - fixed[i]!)).toBeLessThanOrEqual(1e-15);
  });

  it('a riskless long-only portfolio (two perfectly anti-correlated assets): max-sharpe reports zero variance', () => {
    const result = optimizePortfolio({
      objective: 'max-sharpe', expectedReturns: Float64Array.of(0.1, 0.05), covariance: Float64Array.of(0.04, -0.04, -0.04, 0.04),
      lower: filled(2, 0), upper: filled(2, 1), riskFreeRate: 0, start: Float64Array.of(0.9, 0.1), maxIterations: 1000, tolerance: 1e-12,
    });
    expect(result.status).toBe(OPTIMIZE_STATUS.zeroVariance);
  });

  it('the iteration cap: maxIterations status, feasible weights', () => {
    const p = sweepProblem(new Rng(4400), 80);
    const lo = filled(80, 0);
    const hi = filled(80, 0.05);
    const result = solve('max-sharpe', p, lo, hi, 0, 2);
    expect(result.status).toBe(OPTIMIZE_STATUS.maxIterations);
    expect(result.iterations).toBe(2);
    expectFeasible(result.weights, lo, hi);
  });

  it('a larger well-conditioned problem (N = 600) converges in a few face phases', () => {
    const p = factorProblem(new Rng(4500), 600);
    const lo = filled(600, 0);
    const hi = filled(600, 1);
    for (const objective of ['max-sharpe', 'min-variance'] as const) {
      const rf = objective === 'max-sharpe' ? 0.01 : 0;
      const result = solve(objective, p, lo, hi, rf);
      expect(result.status).toBe(OPTIMIZE_STATUS.converged);
      expect(result.iterations).toBeLessThanOrEqual(20);
      expect(result.facePhases).toBeGreaterThanOrEqual(1);
      expect(kktViolation(objective, p.mu, p.cov, lo, hi, rf, result.weights)).toBeLessThanOrEqual(KKT_TOL);
    }
  });
});
