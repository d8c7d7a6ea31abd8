// EnsembleOptimizer: long-only ensemble weights (max-Sharpe or min-variance) under weight bounds and
// a cardinality limit, globally and per regime. The numeric core is assembly/optimize.ts.
import { PERIODS_PER_YEAR_DAILY } from '../constants.ts';
import { InputError } from '../errors.ts';
import { covarianceMatrix } from '../kernels/correlation.ts';
import { OPTIMIZE_STATUS, optimizePortfolio, type PortfolioObjective } from '../kernels/optimize.ts';
import { validateReturnMatrix, selectRows, type ReturnMatrix } from './returnMatrix.ts';

export type { PortfolioObjective } from '../kernels/optimize.ts';

/** Options of the ensemble optimizer. Each is validated once, with a message naming it. */
export interface EnsembleOptions {
  /** 'max-sharpe' (default) or 'min-variance'. */
  objective?: PortfolioObjective;
  /** Lower bound of each held strategy's weight, fraction in [0, maxWeight]; default 0. */
  minWeight?: number;
  /** Upper bound of each weight, fraction in (0, 1]; default 1. */
  maxWeight?: number;
  /**
   * At most this many strategies get a non-zero weight (integer >= 1); default: no limit. With a
   * limit below N, minWeight applies to the selected strategies only (the others are 0).
   */
  maxStrategies?: number;
  /** Annual risk-free rate (fraction, 0.02 = 2 %), in the unit of the expected returns; default 0. */
  riskFreeRate?: number;
  /** Iteration cap of each solve; default 20,000. */
  maxIterations?: number;
  /** Stop when ||P(w - grad) - w||_inf of the scaled problem is at most this; default 1e-12. */
  tolerance?: number;
}

/** Options when the inputs are a return matrix. */
export interface ReturnMatrixEnsembleOptions extends EnsembleOptions {
  /** Bars per year P used to annualize mean and covariance; default 252. */
  periodsPerYear?: number;
}

/** Expected returns and covariance over named strategies, in one (annual) unit. */
export interface EnsembleInputs {
  /** mu, f64[N], e.g. annualized expected returns. */
  expectedReturns: Float64Array;
  /** Sigma, f64[N*N] row-major, symmetric positive semi-definite, same unit. */
  covariance: Float64Array;
  /** Strategy names; default "0", "1", ... */
  names?: readonly string[];
}

/** Optimal ensemble. */
export interface EnsembleResult {
  objective: PortfolioObjective;
  names: readonly string[];
  /** Weights in names order; sum 1, within the bounds. */
  weights: Float64Array;
  /** mu'w, in the unit of the expected returns (annualized for a return matrix). */
  annualizedReturn: number;
  /** sqrt(w' Sigma w). */
  volatility: number;
  /** (mu'w - riskFreeRate) / volatility; null when the volatility is 0. */
  sharpeRatio: number | null;
  /** Solver iterations, summed over every solve (cardinality search included). */
  iterations: number;
  /** True when the final solve met the tolerance. */
  converged: boolean;
  /** Solves run (1 without a cardinality limit). */
  solves: number;
}

const DEFAULT_MAX_ITERATIONS = 20_000;
const DEFAULT_TOLERANCE = 1e-12;
/** Weights at or below this count as "not held" when reading a relaxed solution's support. */
const SUPPORT_THRESHOLD = 1e-9;
/** Cardinality search: outsiders tried per round, insiders (smallest weights) tried per outsider, rounds. */
const SWAP_CANDIDATES = 8;
/** Forward selection runs when N x K (its number of solves) is at most this. */
const GREEDY_SOLVE_BUDGET = 5_000;
const SWAP_INSIDERS = 5;
const SWAP_ROUNDS = 10;

interface ResolvedOptions {
  objective: PortfolioObjective;
  minWeight: number;
  maxWeight: number;
  maxStrategies: number;
  riskFreeRate: number;
  maxIterations: number;
  tolerance: number;
}

function resolveOptions(options: EnsembleOptions, n: number): ResolvedOptions {
  const objective = options.objective ?? 'max-sharpe';
  if (objective !== 'max-sharpe' && objective !== 'min-variance') {
    throw new InputError(`options.objective must be 'max-sharpe' or 'min-variance', got '${String(objective)}'`);
  }
  const minWeight = options.minWeight ?? 0;
  const maxWeight = options.maxWeight ?? 1;
  if (!(maxWeight > 0 && maxWeight <= 1)) throw new InputError(`options.maxWeight must be in (0, 1], got ${maxWeight}`);
  if (!(minWeight >= 0 && minWeight <= maxWeight)) throw new InputError(`options.minWeight must be in [0, maxWeight = ${maxWeight}], got ${minWeight}`);
  const maxStrategies = options.maxStrategies ?? n;
  if (!(Number.isInteger(maxStrategies) && maxStrategies >= 1)) throw new InputError(`options.maxStrategies must be an integer >= 1, got ${maxStrategies}`);
  const riskFreeRate = options.riskFreeRate ?? 0;
  if (!Number.isFinite(riskFreeRate)) throw new InputError(`options.riskFreeRate must be a finite annual rate, got ${riskFreeRate}`);
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) throw new InputError(`options.maxIterations must be an integer >= 1, got ${maxIterations}`);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!(tolerance > 0)) throw new InputError(`options.tolerance must be > 0, got ${tolerance}`);
  const held = Math.min(maxStrategies, n);
  if (maxWeight * held < 1 - 1e-12) {
    const which = held < n ? `options.maxWeight (${maxWeight}) x options.maxStrategies (${maxStrategies})` : `options.maxWeight (${maxWeight}) x ${n} strategies`;
    throw new InputError(`${which} = ${maxWeight * held} < 1: the weights cannot sum to 1`);
  }
  if (held >= n && minWeight * n > 1 + 1e-12) {
    throw new InputError(`options.minWeight (${minWeight}) x ${n} strategies = ${minWeight * n} > 1: the weights cannot sum to 1`);
  }
  if (held < n && minWeight * Math.ceil(1 / maxWeight - 1e-12) > 1 + 1e-12) {
    throw new InputError(`options.minWeight (${minWeight}) is too large for options.maxWeight (${maxWeight}): no number of strategies has weights summing to 1`);
  }
  return { objective, minWeight, maxWeight, maxStrategies: held, riskFreeRate, maxIterations, tolerance };
}

function validateInputs(inputs: EnsembleInputs): string[] {
  const n = inputs.expectedReturns.length;
  if (n === 0) throw new InputError('expectedReturns is empty: need at least one strategy');
  const { covariance, expectedReturns } = inputs;
  if (covariance.length !== n * n) throw new InputError(`covariance length ${covariance.length} is not ${n} x ${n}`);
  const names = inputs.names ? [...inputs.names] : Array.from({ length: n }, (_, i) => String(i));
  if (names.length !== n) throw new InputError(`names has ${names.length} entries for ${n} strategies`);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(expectedReturns[i]!)) throw new InputError(`expectedReturns of '${names[i]}' is not finite (${expectedReturns[i]})`, { strategy: names[i] });
    const v = covariance[i * n + i]!;
    if (!(v >= 0) || !Number.isFinite(v)) throw new InputError(`covariance: variance of '${names[i]}' must be finite and >= 0, got ${v}`, { strategy: names[i] });
    maxDiag = Math.max(maxDiag, v);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = covariance[i * n + j]!;
      const b = covariance[j * n + i]!;
      if (!Number.isFinite(a) || Math.abs(a - b) > 1e-12 * Math.max(maxDiag, Number.MIN_VALUE)) {
        throw new InputError(`covariance is not symmetric and finite at ('${names[i]}', '${names[j]}'): ${a} vs ${b}`);
      }
    }
  }
  return names;
}

/** mu'w, w'Sigma w for weights on a subset `support` of an n-strategy problem. */
function portfolioStats(mu: Float64Array, cov: Float64Array, n: number, weights: Float64Array, rf: number) {
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
function maxReturnPoint(mu: Float64Array, lo: number, hi: number): Float64Array {
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

interface SubSolution {
  weights: Float64Array;
  /** Objective to maximize: Sharpe, or minus the variance. */
  score: number;
  iterations: number;
  converged: boolean;
}

/** Solves on the strategies `support` (indices into the full problem) with bounds [lo, hi]. */
function solveOnSupport(
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

/**
 * Cardinality search (at most K held): solve the relaxation (all strategies, bounds [0, hi]); if it
 * holds at most K (and minWeight is 0) it is optimal. Otherwise two starting supports, (1) the
 * relaxation's K largest weights and (2) forward selection (when N x K <= GREEDY_SOLVE_BUDGET), are
 * each RE-OPTIMIZED with [lo, hi] and improved by 1-swaps (swapSearch); the best is returned. A
 * heuristic (the problem is NP-hard): never worse than truncate-and-re-optimize, which is never worse
 * than truncate-and-renormalize.
 */
function solveWithCardinality(mu: Float64Array, cov: Float64Array, n: number, options: ResolvedOptions, names: readonly string[]): { best: SubSolution; solves: number; iterations: number } {
  const all = Array.from({ length: n }, (_, i) => i);
  const relaxed = solveOnSupport(mu, cov, n, all, 0, options.maxWeight, options, names);
  const solves = 1;
  const iterations = relaxed.iterations;
  const held = all.filter((i) => relaxed.weights[i]! > SUPPORT_THRESHOLD);
  const limit = Math.min(options.maxStrategies, options.minWeight > 0 ? Math.floor(1 / options.minWeight + 1e-12) : n);
  if (held.length <= limit && options.minWeight === 0) return { best: relaxed, solves, iterations };
  const ranked = [...all].sort((a, b) => relaxed.weights[b]! - relaxed.weights[a]! || a - b);
  const size = Math.min(limit, Math.max(held.length, Math.ceil(1 / options.maxWeight - 1e-12)));
  const counter = { solves, iterations };
  const trySupport = (support: readonly number[]): SubSolution | undefined => {
    try {
      const solution = solveOnSupport(mu, cov, n, support, options.minWeight, options.maxWeight, options, names);
      counter.solves++;
      counter.iterations += solution.iterations;
      return solution;
    } catch (error) {
      if (error instanceof InputError) return undefined; // e.g. no positive excess return on that support
      throw error;
    }
  };
  const starts: number[][] = [ranked.slice(0, size)];
  if (n * size <= GREEDY_SOLVE_BUDGET) starts.push(forwardSelection(all, size, options, trySupport));
  let best: SubSolution | undefined;
  for (const start of starts) {
    const improved = swapSearch(all, start, mu, cov, n, options, trySupport);
    if (improved && (!best || improved.score > best.score)) best = improved;
  }
  if (!best) throw new InputError(`options.maxStrategies (${options.maxStrategies}): no support of that size has a solvable problem`);
  return { best, solves: counter.solves, iterations: counter.iterations };
}

/**
 * Forward selection: start from the best single strategy that can be held alone (or the smallest
 * feasible set), add the strategy whose re-optimized objective is best, until `size` are held.
 */
function forwardSelection(
  all: readonly number[], size: number, options: ResolvedOptions, trySupport: (support: readonly number[]) => SubSolution | undefined,
): number[] {
  const minimum = Math.max(1, Math.ceil(1 / options.maxWeight - 1e-12));
  let support: number[] = [];
  while (support.length < size) {
    let bestNext: number[] | undefined;
    let bestScore = -Infinity;
    for (const candidate of all) {
      if (support.includes(candidate)) continue;
      const trial = [...support, candidate];
      if (trial.length < minimum) {
        // Too few to be feasible yet: rank by the candidate alone via a feasible padding later.
        if (!bestNext) bestNext = trial;
        continue;
      }
      const solution = trySupport(trial);
      if (solution && solution.score > bestScore) { bestScore = solution.score; bestNext = trial; }
    }
    if (!bestNext) break;
    support = bestNext;
  }
  return support;
}

/**
 * 1-swap local search from `start`: per round, the outsiders with the best objective gradient replace
 * one of the smallest-weight insiders when the re-optimized objective improves (first improvement).
 */
function swapSearch(
  all: readonly number[], start: readonly number[], mu: Float64Array, cov: Float64Array, n: number, options: ResolvedOptions,
  trySupport: (support: readonly number[]) => SubSolution | undefined,
): SubSolution | undefined {
  let support = [...start];
  let best = trySupport(support);
  if (!best) return undefined;
  for (let round = 0; round < SWAP_ROUNDS; round++) {
    const current = best;
    const gradient = objectiveGradient(mu, cov, n, current.weights, options);
    const inside = new Set(support);
    const outsiders = all.filter((i) => !inside.has(i)).sort((a, b) => gradient[b]! - gradient[a]! || a - b).slice(0, SWAP_CANDIDATES);
    const insiders = [...support].sort((a, b) => current.weights[a]! - current.weights[b]! || a - b).slice(0, SWAP_INSIDERS);
    let improved = false;
    for (const incoming of outsiders) {
      for (const outgoing of insiders) {
        const trial = support.map((i) => (i === outgoing ? incoming : i));
        const candidate = trySupport(trial);
        if (candidate && candidate.score > current.score + 1e-12 * Math.max(1, Math.abs(current.score))) {
          best = candidate;
          support = trial;
          improved = true;
          break;
        }
      }
      if (improved) break;
    }
    if (!improved) break;
  }
  return best;
}

/** Gradient of the maximized objective (Sharpe, or minus variance) at w. */
function objectiveGradient(mu: Float64Array, cov: Float64Array, n: number, w: Float64Array, options: ResolvedOptions): Float64Array {
  const sigmaW = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i * n + j]! * w[j]!;
    sigmaW[i] = s;
  }
  const { ret, variance } = portfolioStats(mu, cov, n, w, options.riskFreeRate);
  const out = new Float64Array(n);
  const vol = Math.sqrt(variance);
  for (let i = 0; i < n; i++) {
    out[i] = options.objective === 'max-sharpe' && vol > 0
      ? (mu[i]! - options.riskFreeRate) / vol - (ret - options.riskFreeRate) * sigmaW[i]! / (variance * vol)
      : -2 * sigmaW[i]!;
  }
  return out;
}

/**
 * Optimal long-only ensemble weights from expected returns mu and covariance Sigma (one unit, e.g.
 * annual):
 *
 *   max-sharpe:   maximize (mu'w - rf) / sqrt(w' Sigma w)      min-variance: minimize w' Sigma w
 *   subject to    sum w = 1,  minWeight <= w_i <= maxWeight,  at most maxStrategies non-zero
 *
 * Solved in WASM by spectral projected gradient over the capped simplex (assembly/optimize.ts); the
 * max-Sharpe ratio is pseudo-concave where the excess return is positive, so the stationary point
 * found is the global optimum (tests check it against an exact active-set solution). Edge cases:
 * - a zero-variance strategy with max-sharpe: InputError naming it (the ratio is unbounded);
 * - a singular covariance (duplicated strategies): solved; the optimal Sharpe is unique, the
 *   weights split among duplicates are one of the optimal splits;
 * - infeasible bounds (maxWeight x min(N, maxStrategies) < 1, minWeight x N > 1): InputError naming the option;
 * - max-sharpe when no feasible ensemble earns more than riskFreeRate: InputError naming riskFreeRate
 *   (as PyPortfolioOpt, which raises for the same case);
 * - iteration cap reached: the feasible weights reached are returned with converged = false.
 */
export function optimizeEnsemble(inputs: EnsembleInputs, options: EnsembleOptions = {}): EnsembleResult {
  const names = validateInputs(inputs);
  const n = names.length;
  const resolved = resolveOptions(options, n);
  const { expectedReturns: mu, covariance: cov } = inputs;
  if (resolved.objective === 'max-sharpe') {
    for (let i = 0; i < n; i++) {
      if (cov[i * n + i] === 0) {
        throw new InputError(`strategy '${names[i]}' has zero variance: max-sharpe is unbounded with a riskless strategy (remove it or use objective 'min-variance')`, { strategy: names[i] });
      }
    }
  }
  let solution: SubSolution;
  let solves = 1;
  let iterations: number;
  if (resolved.maxStrategies < n) {
    const search = solveWithCardinality(mu, cov, n, resolved, names);
    solution = search.best;
    solves = search.solves;
    iterations = search.iterations;
  } else {
    solution = solveOnSupport(mu, cov, n, Array.from({ length: n }, (_, i) => i), resolved.minWeight, resolved.maxWeight, resolved, names);
    iterations = solution.iterations;
  }
  const stats = portfolioStats(mu, cov, n, solution.weights, resolved.riskFreeRate);
  return {
    objective: resolved.objective, names, weights: solution.weights, annualizedReturn: stats.ret, volatility: stats.volatility,
    sharpeRatio: stats.sharpe, iterations, converged: solution.converged, solves,
  };
}

/**
 * Annualized inputs from per-bar returns (complete data, no NaN):
 *
 *   mu_j = mean_t(R[t, j]) x P   (arithmetic mean)        Sigma = cov(R, ddof = 1) x P
 */
export function annualizedInputs(matrix: ReturnMatrix, periodsPerYear: number = PERIODS_PER_YEAR_DAILY): EnsembleInputs {
  validateReturnMatrix(matrix);
  if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) throw new InputError(`options.periodsPerYear must be a number > 0, got ${periodsPerYear}`);
  const n = matrix.names.length;
  for (let i = 0; i < matrix.values.length; i++) {
    if (!Number.isFinite(matrix.values[i]!)) {
      const column = matrix.names[Math.floor(i / matrix.bars)]!;
      throw new InputError(`returns: column '${column}', row ${i % matrix.bars}: value ${matrix.values[i]} is not finite (drop incomplete rows first)`, { column, row: i % matrix.bars });
    }
  }
  const { covariance, means } = covarianceMatrix(matrix.values, matrix.bars, n);
  for (let i = 0; i < covariance.length; i++) covariance[i]! *= periodsPerYear;
  for (let i = 0; i < n; i++) means[i]! *= periodsPerYear;
  return { expectedReturns: means, covariance, names: matrix.names };
}

/**
 * The optimizer on a return matrix (the hook of `sweeplens optimize`): annualizes with
 * annualizedInputs, then optimizeEnsemble. Needs more bars than strategies (InputError otherwise:
 * with T <= N bars the sample covariance is singular and max-Sharpe may be unbounded).
 */
export function optimizeReturnMatrix(matrix: ReturnMatrix, options: ReturnMatrixEnsembleOptions = {}): EnsembleResult {
  validateReturnMatrix(matrix);
  const n = matrix.names.length;
  if (n === 0) throw new InputError('returns: no strategy columns');
  if (matrix.bars <= n) {
    throw new InputError(`returns: ${matrix.bars} bars for ${n} strategies; the sample covariance needs more bars than strategies (at least ${n + 1})`, { bars: matrix.bars });
  }
  return optimizeEnsemble(annualizedInputs(matrix, options.periodsPerYear ?? PERIODS_PER_YEAR_DAILY), options);
}

/** One regime's optimization, or why it was skipped. */
export interface RegimeEnsembleEntry {
  /** Bars of this regime. */
  bars: number;
  result: EnsembleResult | null;
  /** Null when optimized; otherwise the InputError message (e.g. too few bars). */
  skippedReason: string | null;
}

/** Per-regime and global ensembles. */
export interface RegimeEnsembleResult {
  global: EnsembleResult;
  /** Keyed by regime label. */
  regimes: Record<string, RegimeEnsembleEntry>;
}

/**
 * Runs optimizeReturnMatrix on the rows of each regime and on all rows. regimeOfBar[t] is the regime
 * code of bar t's return (ARCHITECTURE.md timing: the state at t-1), < 0 for none (global only);
 * labels[code] names it (default String(code)). A regime whose problem is invalid (too few bars,
 * no positive excess return, ...) is reported with skippedReason instead of failing the whole run;
 * a global failure throws.
 */
export function optimizeByRegime(
  matrix: ReturnMatrix, regimeOfBar: Int32Array, options: ReturnMatrixEnsembleOptions & { labels?: readonly string[] } = {},
): RegimeEnsembleResult {
  validateReturnMatrix(matrix);
  if (regimeOfBar.length !== matrix.bars) throw new InputError(`regimeOfBar has ${regimeOfBar.length} entries for ${matrix.bars} bars`);
  const global = optimizeReturnMatrix(matrix, options);
  const codes = [...new Set(regimeOfBar)].filter((c) => c >= 0).sort((a, b) => a - b);
  const regimes: Record<string, RegimeEnsembleEntry> = {};
  for (const code of codes) {
    const label = options.labels?.[code] ?? String(code);
    const rows = selectRows(matrix, (t) => regimeOfBar[t] === code);
    try {
      regimes[label] = { bars: rows.bars, result: optimizeReturnMatrix(rows, options), skippedReason: null };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      regimes[label] = { bars: rows.bars, result: null, skippedReason: error.message };
    }
  }
  return { global, regimes };
}
