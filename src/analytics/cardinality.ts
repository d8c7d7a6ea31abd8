// Cardinality search of the ensemble optimizer (at most maxStrategies held): relaxation, forward
// selection and 1-swap local search over re-optimized supports.
import { InputError } from '../errors.ts';
import type { ResolvedOptions } from './ensembleInputs.ts';
import { portfolioStats, solveOnSupport, type SubSolution } from './ensembleSolve.ts';

/** Weights at or below this count as "not held" when reading a relaxed solution's support. */
const SUPPORT_THRESHOLD = 1e-9;
/** Cardinality search: outsiders tried per round, insiders (smallest weights) tried per outsider, rounds. */
const SWAP_CANDIDATES = 8;
/** Forward selection runs when N x K (its number of solves) is at most this. */
const GREEDY_SOLVE_BUDGET = 5_000;
const SWAP_INSIDERS = 5;
const SWAP_ROUNDS = 10;

/**
 * Cardinality search (at most K held): solve the relaxation (all strategies, bounds [0, hi]); if it
 * holds at most K (and minWeight is 0) it is optimal. Otherwise two starting supports, (1) the
 * relaxation's K largest weights and (2) forward selection (when N x K <= GREEDY_SOLVE_BUDGET), are
 * each RE-OPTIMIZED with [lo, hi] and improved by 1-swaps (swapSearch); the best is returned. A
 * heuristic (the problem is NP-hard): never worse than truncate-and-re-optimize, which is never worse
 * than truncate-and-renormalize.
 */
export function solveWithCardinality(mu: Float64Array, cov: Float64Array, n: number, options: ResolvedOptions, names: readonly string[]): { best: SubSolution; solves: number; iterations: number } {
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
export function forwardSelection(
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
export function swapSearch(
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
export function objectiveGradient(mu: Float64Array, cov: Float64Array, n: number, w: Float64Array, options: ResolvedOptions): Float64Array {
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
