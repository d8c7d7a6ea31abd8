// Mean, standard deviation (ddof 1) and t statistic from running sums, and their correction for
// overlapping forward windows, shared by pattern and regime-transition statistics.
import { normalSurvival } from './overfitting/normal.ts';

export function meanStd(n: number, sum: number, squares: number): { mean: number | null; std: number | null; t: number | null } {
  if (n === 0) return { mean: null, std: null, t: null };
  const mean = sum / n;
  if (n < 2) return { mean, std: null, t: null };
  const variance = Math.max(0, (squares - n * mean * mean) / (n - 1));
  const std = Math.sqrt(variance);
  return { mean, std, t: std > 0 ? mean / (std / Math.sqrt(n)) : null };
}

/**
 * sum_ij max(0, H - |t_i - t_j|) / (n H) over the forward windows (t_i, t_i + H] after the bars
 * `bars` (sorted increasing): 1 without overlap, up to n when every window is the same. O(n): for
 * each i, the windows j > i that start within H of it share H - (t_j - t_i) bars, summed as
 * count * (H + t_i) - sum t_j over a sliding range (exact: integer bars).
 */
export function windowOverlapFactor(bars: ArrayLike<number>, horizon: number): number {
  const n = bars.length;
  let shared = 0;
  let end = 0; // first j with bars[j] >= bars[i] + horizon
  let rangeSum = 0; // sum of bars[i + 1 .. end - 1]
  for (let i = 0; i < n; i++) {
    if (end <= i) {
      end = i + 1;
      rangeSum = 0;
    } else {
      rangeSum -= bars[i]!;
    }
    while (end < n && bars[end]! - bars[i]! < horizon) rangeSum += bars[end++]!;
    const count = end - i - 1;
    shared += count * (horizon + bars[i]!) - rangeSum;
  }
  return (n * horizon + 2 * shared) / (n * horizon);
}

/** A t statistic corrected for overlapping forward windows (see overlapAdjusted). */
export interface OverlapAdjusted {
  /** windowOverlapFactor of the occurrences with a return; null without any. */
  overlapFactor: number | null;
  /** n / overlapFactor: how many independent windows the occurrences are worth. */
  effectiveCount: number | null;
  /** t / sqrt(overlapFactor): exact for independent bar returns (the variance of the mean grows by the factor). */
  tStatOverlap: number | null;
  /** Two-sided normal p-value of tStatOverlap. */
  pValueOverlap: number | null;
}

/**
 * windowOverlapFactor from how many occurrences complete at each bar (`counts[t]`, t = 0..n-1):
 * the same sum as Σ_b c_b^2 / (n H), c_b the number of windows (t, t + H] covering bar b
 * (|W_i ∩ W_j| = max(0, H - |t_i - t_j|) summed over all pairs is Σ_b c_b^2). O(bars + H), no
 * sort: for many occurrences of one pattern over a family's strategies. Null without occurrences.
 */
export function coverageOverlapFactor(counts: ArrayLike<number>, horizon: number): number | null {
  const bars = counts.length;
  let occurrences = 0;
  let squares = 0;
  let covering = 0;
  for (let b = 1; b < bars + horizon; b++) {
    if (b - 1 < bars) {
      covering += counts[b - 1]!;
      occurrences += counts[b - 1]!;
    }
    if (b - 1 - horizon >= 0) covering -= counts[b - 1 - horizon]!;
    squares += covering * covering;
  }
  return occurrences > 0 ? squares / (occurrences * horizon) : null;
}

/**
 * The overlap correction of `t` over `n` occurrences whose forward windows overlap by
 * `overlapFactor` (windowOverlapFactor / coverageOverlapFactor): windows closer than H share bars,
 * so their returns are not independent and t = mean / (std / sqrt(n)) overstates the evidence by
 * sqrt(overlapFactor).
 */
export function adjustForOverlap(t: number | null, n: number, overlapFactor: number | null): OverlapAdjusted {
  const tOverlap = t === null || overlapFactor === null ? null : t / Math.sqrt(overlapFactor);
  return {
    overlapFactor,
    effectiveCount: overlapFactor === null ? null : n / overlapFactor,
    tStatOverlap: tOverlap,
    pValueOverlap: tOverlap === null ? null : 2 * normalSurvival(Math.abs(tOverlap)),
  };
}
