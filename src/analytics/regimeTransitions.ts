// Regime transitions of a classifier and the market returns that follow them (the seed's
// find_regime_patterns).
import { InputError } from '../errors.ts';
import type { RegimeTrace } from '../types.ts';
import { normalSurvival } from './overfitting/normal.ts';
import { adjustForOverlap, meanStd, windowOverlapFactor } from './patternStats.ts';

/** One regime transition (from → to) of a classifier and the market returns that follow it. */
export interface RegimeTransitionStat {
  from: string;
  to: string;
  /** `${from} → ${to}` */
  transition: string;
  /** Transitions seen. */
  count: number;
  /** Transitions with a full horizon after them. */
  returnCount: number;
  /** Mean of close[t+H] / close[t] - 1 after the transition bar t. */
  meanReturn: number | null;
  std: number | null;
  winRate: number | null;
  /** meanReturn / (std / sqrt(returnCount)). */
  tStat: number | null;
  /** Two-sided p-value of tStat under the normal approximation, 2 (1 - Φ(|t|)). */
  pValue: number | null;
  /**
   * How much the forward windows of this transition overlap: sum_ij ov_ij / (n H), where
   * ov_ij = max(0, H - |t_i - t_j|) bars shared by the windows after transitions i and j (ov_ii = H);
   * 1 when no two windows share a bar. tStat assumes 1.
   */
  overlapFactor: number | null;
  /** n / overlapFactor: the number of non-overlapping windows with the same variance of the mean. */
  effectiveCount: number | null;
  /**
   * tStat corrected for overlapping windows: tStat / sqrt(overlapFactor). With iid bar returns of
   * variance s^2 / H (s: the std of the H-bar returns), Cov(R_i, R_j) = ov_ij s^2 / H, so
   * Var(mean) = s^2 sum_ij ov_ij / (H n^2) and t = mean / sqrt(Var(mean)).
   */
  tStatOverlap: number | null;
  /** Two-sided normal p-value of tStatOverlap (the honest one when transitions come close together). */
  pValueOverlap: number | null;
  /** meanReturn > 0 (the seed keeps these). */
  profitable: boolean;
}

/**
 * The seed's find_regime_patterns: for every state change of the trace at bar t (row r >= 1 whose
 * state differs from row r - 1; the first row has no `from`), the market return
 * close[t + H] / close[t] - 1 (undefined past the last bar), grouped by `from → to`: count, mean,
 * std (ddof 1), win rate, t = mean / (std / sqrt(n)) and the two-sided normal p-value; and the
 * same t corrected for transitions closer than H bars, whose forward windows share bars (see
 * tStatOverlap). Sorted by tStat (best first, null last).
 */
export function findRegimePatterns(trace: RegimeTrace, close: Float64Array, horizon: number): RegimeTransitionStat[] {
  if (!Number.isInteger(horizon) || horizon < 1) throw new InputError(`horizon must be an integer >= 1, got ${horizon}`);
  const groups = new Map<string, { from: string; to: string; count: number; n: number; sum: number; squares: number; wins: number; bars: number[] }>();
  const nBars = close.length;
  for (let r = 1; r < trace.idx.length; r++) {
    const fromCode = trace.state[r - 1]!;
    const toCode = trace.state[r]!;
    if (fromCode === toCode) continue;
    const from = trace.labels[fromCode] ?? String(fromCode);
    const to = trace.labels[toCode] ?? String(toCode);
    const name = `${from} → ${to}`;
    let g = groups.get(name);
    if (!g) {
      g = { from, to, count: 0, n: 0, sum: 0, squares: 0, wins: 0, bars: [] };
      groups.set(name, g);
    }
    g.count++;
    const t = trace.idx[r]!;
    if (t + horizon < nBars) {
      const c0 = close[t]!;
      const c1 = close[t + horizon]!;
      if (c0 > 0 && c1 > 0 && Number.isFinite(c0) && Number.isFinite(c1)) {
        const x = c1 / c0 - 1;
        g.n++;
        g.bars.push(t);
        g.sum += x;
        g.squares += x * x;
        if (x > 0) g.wins++;
      }
    }
  }
  const out: RegimeTransitionStat[] = [];
  for (const [transition, g] of groups) {
    const s = meanStd(g.n, g.sum, g.squares);
    out.push({
      from: g.from, to: g.to, transition, count: g.count, returnCount: g.n, meanReturn: s.mean, std: s.std,
      winRate: g.n > 0 ? g.wins / g.n : null, tStat: s.t, pValue: s.t === null ? null : 2 * normalSurvival(Math.abs(s.t)),
      ...adjustForOverlap(s.t, g.n, g.n > 0 ? windowOverlapFactor(g.bars, horizon) : null),
      profitable: s.mean !== null && s.mean > 0,
    });
  }
  return out.sort((x, y) => (y.tStat ?? -Infinity) - (x.tStat ?? -Infinity) || (x.transition < y.transition ? -1 : 1));
}
