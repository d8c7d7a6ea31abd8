// One solve of the ensemble optimizer on a subset of the strategies (assembly/optimize.ts via
// src/kernels/optimize.ts), and the portfolio statistics of a weight vector.
import { InputError } from '../errors.ts';
import { OPTIMIZE_STATUS, optimizePortfolio } from '../kernels/optimize.ts';
import type { ResolvedOptions } from './ensembleInputs.ts';

/** mu'w, w'Sigma w for weights on a subset `support` of an n-strategy problem. */
export function portfolioStats(mu: Float64Array, cov: Float64Array, n: number, weights: Float64Array, rf: number) {
  let ret = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights[i]!;
    if (wi === 0) continue;
    ret += mu[i]! * wi;
    let row = 0;
    for (let j = 0; j < n; j++) row += cov[i * n + j]! * weights[j]!;
    variance += wi * row;
  }
  const volatility = Math.sqrt(Math.max(variance, 0));
  return { ret, variance: Math.max(variance, 0), volatility, sharpe: volatility > 0 ? (ret - rf) / volatility : null };
}

/** Greedy feasible point of largest mu'w: everyone at lo, then raise the best to hi in order. */
export function maxReturnPoint(mu: Float64Array, lo: number, hi: number): Float64Array {
  const n = mu.length;
  const w = new Float64Array(n).fill(lo);
  let left = 1 - lo * n;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => mu[b]! - mu[a]! || a - b);
  for (const i of order) {
    if (left <= 0) break;
    const add = Math.min(hi - lo, left);
    w[i] = lo + add;
    left -= add;
  }
  return w;
}

export interface SubSolution {
  weights: Float64Array;
  /** Objective to maximize: Sharpe, or minus the variance. */
  score: number;
  iterations: number;
  converged: boolean;
}

/** Solves on the strategies `support` (indices into the full problem) with bounds [lo, hi]. */
export function solveOnSupport(
  mu: Float64Array, cov: Float64Array, n: number, support: readonly number[], lo: number, hi: number, options: ResolvedOptions,
  names: readonly string[],
): SubSolution {
  const k = support.length;
  const subMu = new Float64Array(k);
  const subCov = new Float64Array(k * k);
  support.forEach((i, a) => {
    subMu[a] = mu[i]!;
    support.forEach((j, b) => { subCov[a * k + b] = cov[i * n + j]!; });
  });
  const sharpe = options.objective === 'max-sharpe';
  let start: Float64Array = new Float64Array(k).fill(1 / k);
  if (sharpe) {
    const excess = (w: Float64Array) => w.reduce((s, wi, a) => s + wi * (subMu[a]! - options.riskFreeRate), 0);
    if (!(excess(start) > 0) || lo > 1 / k || hi < 1 / k) start = maxReturnPoint(subMu, lo, hi);
    if (!(excess(start) > 0)) {
      throw new InputError(`options.riskFreeRate (${options.riskFreeRate}) is at or above the expected return of every feasible ensemble: max-sharpe needs a positive excess return (lower riskFreeRate or use objective 'min-variance')`);
    }
  }
  const solution = optimizePortfolio({
    objective: options.objective, expectedReturns: subMu, covariance: subCov,
    lower: new Float64Array(k).fill(lo), upper: new Float64Array(k).fill(hi), riskFreeRate: options.riskFreeRate,
    start, maxIterations: options.maxIterations, tolerance: options.tolerance,
  });
  if (solution.status === OPTIMIZE_STATUS.zeroVariance) {
    throw new InputError(`max-sharpe is unbounded: a feasible ensemble of ${support.map((i) => `'${names[i]}'`).join(', ')} has zero variance (singular covariance); use objective 'min-variance'`);
  }
  if (solution.status === OPTIMIZE_STATUS.nonPositiveExcess) {
    throw new InputError(`options.riskFreeRate (${options.riskFreeRate}) leaves no positive excess return for max-sharpe`);
  }
  const weights = new Float64Array(n);
  support.forEach((i, a) => { weights[i] = solution.weights[a]!; });
  const stats = portfolioStats(mu, cov, n, weights, options.riskFreeRate);
  return {
    weights,
    score: sharpe ? stats.sharpe ?? -Infinity : -stats.variance,
    iterations: solution.iterations,
    converged: solution.status === OPTIMIZE_STATUS.converged,
  };
}
