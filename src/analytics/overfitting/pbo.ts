// Probability of Backtest Overfitting (PBO) by combinatorially symmetric cross-validation (CSCV).
// see: D. H. Bailey, J. M. Borwein, M. López de Prado, Q. J. Zhu, "The Probability of Backtest
// Overfitting", Journal of Computational Finance 20(4), 2017 (SSRN 2326253), section "the CSCV method".
//
// Procedure (the paper's steps, with this module's conventions):
//  1. Cut the T bars into S (even) blocks of consecutive bars, bounds[b] = ⌊b·T/S⌋.
//  2. For each of the C(S, S/2) ways to choose S/2 blocks as the in-sample (IS) set J, the other
//     S/2 blocks form the out-of-sample (OOS) set J̄ (for S = 16: 12,870 splits).
//  3. Compute every strategy's performance on J and on J̄ (per-bar Sharpe ratio mean/std with
//     ddof = 1, or the mean), select n* = argmax IS performance (first index among ties).
//  4. Rank n*'s OOS performance among the N strategies: r = 1 (worst) … N (best), ties at their
//     mid-rank; relative rank ω̄ = r / (N + 1) ∈ (0, 1); logit λ = ln(ω̄ / (1 − ω̄)).
//  5. PBO = #{splits with λ ≤ 0} / #splits: the frequency with which the IS-best strategy is at or
//     below the OOS median.
// Also reported: the logit histogram, the performance degradation (OLS slope of the selected
// strategies' OOS performance on their IS performance, over splits) and the probability of loss
// (share of splits whose selected strategy has OOS performance < 0).
//
// Cost: block sums O(T·N) once, then O(S·N) per split from those sums (assembly/pbo.ts).
import { InputError } from '../../errors.ts';
import { pboBlockSums, pboSplits, type PboBlockSums, type PboMetric, type PboSplitResults } from '../../kernels/pbo.ts';
import { type ReturnMatrix, validateReturnMatrix } from '../returnMatrix.ts';

/** Default number of CSCV blocks S (the paper's example; 12,870 splits). */
export const DEFAULT_PBO_BLOCKS = 16;
/** Largest S accepted: C(26, 13) = 10,400,600 splits. */
export const MAX_PBO_BLOCKS = 26;
/** Default number of bins of the logit histogram. */
export const DEFAULT_LOGIT_BINS = 20;

/** Options of probabilityOfBacktestOverfitting. */
export interface PboOptions {
  /** S, an even number of blocks in [2, 26]; default 16. Needs nBars >= 2·S (every block >= 2 bars). */
  blocks?: number;
  /** Performance ranked: 'sharpe' (per-bar mean/std, ddof = 1; default) or 'mean'. */
  metric?: PboMetric;
  /** Bins of the logit histogram; default 20. */
  histogramBins?: number;
}

/** A fixed-width histogram. */
export interface Histogram {
  /** Bin edges, length bins + 1; bin i is [edges[i], edges[i+1]) (the last one closed). */
  edges: Float64Array;
  counts: Int32Array;
}

/** OLS fit OOS = intercept + slope·IS over the splits' selected strategies. */
export interface PerformanceDegradation {
  /** null when fewer than 2 finite pairs or IS performance does not vary. */
  slope: number | null;
  intercept: number | null;
  /** Splits used (both performances finite). */
  pairs: number;
}

/** Result of probabilityOfBacktestOverfitting. */
export interface PboResult {
  /** Probability of backtest overfitting: share of splits with logit λ ≤ 0. */
  pbo: number;
  blocks: number;
  /** C(S, S/2). */
  splits: number;
  nStrategies: number;
  nBars: number;
  metric: PboMetric;
  /** Per split (in halfSplitMasks order): IS-best strategy. */
  selected: Int32Array;
  /** Per split: its IS performance. */
  inSample: Float64Array;
  /** Per split: its OOS performance. */
  outOfSample: Float64Array;
  /** Per split: its OOS rank, 1 = worst … N = best (mid-rank for ties). */
  ranks: Float64Array;
  /** Per split: ω̄ = rank / (N + 1). */
  relativeRanks: Float64Array;
  /** Per split: λ = ln(ω̄ / (1 − ω̄)). */
  logits: Float64Array;
  logitHistogram: Histogram;
  degradation: PerformanceDegradation;
  /** Share of splits whose selected strategy has OOS performance < 0. */
  probabilityOfLoss: number;
  /** How many splits selected each strategy, length N. */
  selectionCounts: Int32Array;
}

/** Binomial coefficient C(n, k) (exact below 2^53). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) result = (result * (n - Math.min(k, n - k) + i)) / i;
  return Math.round(result);
}

/**
 * The in-sample block sets of CSCV as bit masks (bit b = block b is in-sample): all C(S, S/2)
 * subsets of S/2 blocks, in lexicographic order of their sorted block indices ({0,1,…,S/2−1} first).
 */
export function halfSplitMasks(blocks: number): Int32Array {
  validateBlocks(blocks);
  const half = blocks / 2;
  const masks = new Int32Array(binomial(blocks, half));
  const chosen = Array.from({ length: half }, (_, i) => i);
  for (let m = 0; m < masks.length; m++) {
    let mask = 0;
    for (const b of chosen) mask |= 1 << b;
    masks[m] = mask;
    // Next combination in lexicographic order.
    let i = half - 1;
    while (i >= 0 && chosen[i] === blocks - half + i) i--;
    if (i < 0) break;
    chosen[i]!++;
    for (let r = i + 1; r < half; r++) chosen[r] = chosen[r - 1]! + 1;
  }
  return masks;
}

function validateBlocks(blocks: number): void {
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0 || blocks > MAX_PBO_BLOCKS) {
    throw new InputError(`options.blocks must be an even integer in [2, ${MAX_PBO_BLOCKS}], got ${blocks}`);
  }
}

interface ValidatedOptions {
  blocks: number;
  metric: PboMetric;
  histogramBins: number;
}

function validateOptions(options: PboOptions, nBars: number, nStrategies: number): ValidatedOptions {
  const blocks = options.blocks ?? DEFAULT_PBO_BLOCKS;
  validateBlocks(blocks);
  const metric = options.metric ?? 'sharpe';
  if (metric !== 'sharpe' && metric !== 'mean') throw new InputError(`options.metric must be 'sharpe' or 'mean', got '${String(metric)}'`);
  const histogramBins = options.histogramBins ?? DEFAULT_LOGIT_BINS;
  if (!Number.isInteger(histogramBins) || histogramBins < 1) throw new InputError(`options.histogramBins must be a positive integer, got ${histogramBins}`);
  if (nStrategies < 2) throw new InputError(`PBO needs at least 2 strategies, got ${nStrategies}`);
  if (nBars < 2 * blocks) throw new InputError(`PBO with ${blocks} blocks needs at least ${2 * blocks} bars (2 per block), got ${nBars}`);
  return { blocks, metric, histogramBins };
}

/**
 * Probability of Backtest Overfitting of a set of strategies by CSCV (single-threaded driver: block
 * sums, then every split in one kernel call). See the module comment for the exact conventions.
 *
 * @param matrix per-bar returns, column-major T×N, finite: InputError names the strategy and bar of
 *   the first missing value (align first, e.g. with dropIncompleteRows)
 */
export function probabilityOfBacktestOverfitting(matrix: ReturnMatrix, options: PboOptions = {}): PboResult {
  validateReturnMatrix(matrix);
  const validated = validateOptions(options, matrix.bars, matrix.names.length);
  const sums = blockSumsOf(matrix, validated.blocks);
  return pboFromBlockSums(sums, matrix.bars, validated);
}

/** pboBlockSums of the matrix, with the strategy's name in the error for a non-finite value. */
function blockSumsOf(matrix: ReturnMatrix, blocks: number): PboBlockSums {
  try {
    return pboBlockSums(matrix.values, matrix.bars, matrix.names.length, blocks);
  } catch (error) {
    if (error instanceof InputError && typeof error.context.strategy === 'number') {
      const name = matrix.names[error.context.strategy]!;
      throw new InputError(`strategy '${name}' (column ${error.context.strategy}), bar ${error.context.row}: return is not finite; PBO needs complete rows (see dropIncompleteRows)`, { ...error.context, column: name });
    }
    throw error;
  }
}

function pboFromBlockSums(sums: PboBlockSums, nBars: number, options: ValidatedOptions): PboResult {
  const masks = halfSplitMasks(options.blocks);
  const part = pboSplits(sums, masks, 0, masks.length, options.metric);
  return summarizePbo([part], { nStrategies: sums.nStrategies, nBars, blocks: options.blocks, metric: options.metric, histogramBins: options.histogramBins });
}

/** What summarizePbo needs besides the split results. */
export interface PboSummaryContext {
  nStrategies: number;
  nBars: number;
  blocks: number;
  metric: PboMetric;
  histogramBins?: number;
}

/**
 * Assembles a PboResult from split results (e.g. ranges computed by different workers with
 * pboSplits over the same halfSplitMasks). The parts must cover [0, C(S, S/2)) without overlap.
 */
export function summarizePbo(parts: readonly PboSplitResults[], context: PboSummaryContext): PboResult {
  const { nStrategies, nBars, blocks, metric } = context;
  const splits = binomial(blocks, blocks / 2);
  const ordered = [...parts].sort((a, b) => a.splitStart - b.splitStart);
  let expected = 0;
  for (const part of ordered) {
    if (part.splitStart !== expected) throw new InputError(`split results leave a gap or overlap at split ${expected} (next part starts at ${part.splitStart})`);
    expected = part.splitEnd;
  }
  if (expected !== splits) throw new InputError(`split results cover [0, ${expected}), expected [0, ${splits})`);
  const selected = new Int32Array(splits);
  const inSample = new Float64Array(splits);
  const outOfSample = new Float64Array(splits);
  const ranks = new Float64Array(splits);
  for (const part of ordered) {
    selected.set(part.selected, part.splitStart);
    inSample.set(part.inSample, part.splitStart);
    outOfSample.set(part.outOfSample, part.splitStart);
    ranks.set(part.rank, part.splitStart);
  }
  const relativeRanks = new Float64Array(splits);
  const logits = new Float64Array(splits);
  const selectionCounts = new Int32Array(nStrategies);
  let overfit = 0;
  let losses = 0;
  for (let c = 0; c < splits; c++) {
    const omega = ranks[c]! / (nStrategies + 1);
    relativeRanks[c] = omega;
    const lambda = Math.log(omega / (1 - omega));
    logits[c] = lambda;
    if (lambda <= 0) overfit++;
    if (outOfSample[c]! < 0) losses++;
    selectionCounts[selected[c]!]!++;
  }
  return {
    pbo: overfit / splits,
    blocks,
    splits,
    nStrategies,
    nBars,
    metric,
    selected,
    inSample,
    outOfSample,
    ranks,
    relativeRanks,
    logits,
    logitHistogram: histogram(logits, context.histogramBins ?? DEFAULT_LOGIT_BINS),
    degradation: degradation(inSample, outOfSample),
    probabilityOfLoss: losses / splits,
    selectionCounts,
  };
}

/** Fixed-width histogram over [min, max] of the values ([v − ½, v + ½] when all are equal). */
export function histogram(values: Float64Array, bins: number): Histogram {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) { if (v < low) low = v; if (v > high) high = v; }
  if (values.length === 0) { low = 0; high = 1; }
  if (low === high) { low -= 0.5; high += 0.5; }
  const width = (high - low) / bins;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + i * width));
  const counts = new Int32Array(bins);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - low) / width))]!++;
  return { edges, counts };
}

/** OLS of OOS on IS over the finite pairs (infinite performances come from zero-variance series). */
function degradation(inSample: Float64Array, outOfSample: Float64Array): PerformanceDegradation {
  let pairs = 0;
  let sumX = 0;
  let sumY = 0;
  for (let c = 0; c < inSample.length; c++) {
    const x = inSample[c]!;
    const y = outOfSample[c]!;
    if (Number.isFinite(x) && Number.isFinite(y)) { pairs++; sumX += x; sumY += y; }
  }
  if (pairs < 2) return { slope: null, intercept: null, pairs };
  const meanX = sumX / pairs;
  const meanY = sumY / pairs;
  let sxx = 0;
  let sxy = 0;
  for (let c = 0; c < inSample.length; c++) {
    const x = inSample[c]!;
    const y = outOfSample[c]!;
    if (Number.isFinite(x) && Number.isFinite(y)) { sxx += (x - meanX) ** 2; sxy += (x - meanX) * (y - meanY); }
  }
  if (!(sxx > 0)) return { slope: null, intercept: null, pairs };
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, pairs };
}

/** The block sums of a subset of strategies (in the given order). */
export function selectBlockSums(sums: PboBlockSums, strategies: ArrayLike<number>): PboBlockSums {
  const { blocks } = sums;
  const n = strategies.length;
  const centre = new Float64Array(n);
  const sum = new Float64Array(n * blocks);
  const squares = new Float64Array(n * blocks);
  for (let i = 0; i < n; i++) {
    const j = strategies[i]!;
    centre[i] = sums.centre[j]!;
    sum.set(sums.sum.subarray(j * blocks, (j + 1) * blocks), i * blocks);
    squares.set(sums.squares.subarray(j * blocks, (j + 1) * blocks), i * blocks);
  }
  return { nStrategies: n, blocks, bounds: sums.bounds, counts: sums.counts, centre, sum, squares };
}

/** PBO of one strategy family. */
export interface GroupPbo {
  /** The group id as given. */
  group: string | number;
  /** Columns of the group's strategies, ascending. */
  strategies: Int32Array;
  /** null when the group has fewer than 2 strategies (no selection to overfit). */
  result: PboResult | null;
}

/**
 * PBO per strategy family: `groups[j]` is strategy j's family id. Block sums are computed once for
 * all strategies; each group with at least 2 strategies then runs CSCV on its own columns (the
 * selection happens within the family). Groups are returned in order of first appearance.
 */
export function pboByGroup(matrix: ReturnMatrix, groups: ArrayLike<string | number>, options: PboOptions = {}): GroupPbo[] {
  validateReturnMatrix(matrix);
  const nStrategies = matrix.names.length;
  if (groups.length !== nStrategies) throw new InputError(`groups has ${groups.length} entries, the matrix has ${nStrategies} strategies`);
  const validated = validateOptions(options, matrix.bars, Math.max(2, nStrategies));
  const members = new Map<string | number, number[]>();
  for (let j = 0; j < groups.length; j++) {
    const id = groups[j]!;
    let list = members.get(id);
    if (!list) { list = []; members.set(id, list); }
    list.push(j);
  }
  const sums = blockSumsOf(matrix, validated.blocks);
  return [...members].map(([group, list]) => ({
    group,
    strategies: Int32Array.from(list),
    result: list.length < 2 ? null : pboFromBlockSums(selectBlockSums(sums, list), matrix.bars, validated),
  }));
}
