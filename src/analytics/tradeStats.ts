import { finiteOrNull } from './returnMetrics.ts';

/** Win/loss statistics of a list of per-trade (or per-bar) returns. */
export interface WinLossStats {
  /** Entries counted (trades, or non-zero bars for a plain return series). */
  count: number;
  /** wins / count; null when count = 0. */
  winRate: number | null;
  /** sum(wins) / |sum(losses)|; null when there is no loss (quantstats gives inf) or nothing at all. */
  profitFactor: number | null;
  /** mean of the positive entries; null when none. */
  avgWin: number | null;
  /** mean of the negative entries (a negative number); null when none. */
  avgLoss: number | null;
  /** largest positive entry; null when none. */
  largestWin: number | null;
  /** most negative entry (a negative number); null when none. */
  largestLoss: number | null;
}

/**
 * Win/loss statistics (quantstats.stats win_rate, profit_factor, avg_win, avg_loss, best, worst
 * applied to the given entries).
 *
 *   winRate = #(x > 0) / #entries;  profitFactor = sum(x > 0) / |sum(x < 0)|
 *
 * Entries that are exactly 0 count as neither win nor loss but do count in `count` when
 * `countZeros` is true (trades: a flat trade is a trade); NaN entries are skipped.
 */
export function winLossStats(values: ArrayLike<number>, countZeros: boolean): WinLossStats {
  let count = 0;
  let wins = 0;
  let losses = 0;
  let sumWins = 0;
  let sumLosses = 0;
  let largestWin = -Infinity;
  let largestLoss = Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isNaN(x)) continue;
    if (x > 0) {
      wins++;
      sumWins += x;
      if (x > largestWin) largestWin = x;
    } else if (x < 0) {
      losses++;
      sumLosses += x;
      if (x < largestLoss) largestLoss = x;
    } else if (!countZeros) {
      continue;
    }
    count++;
  }
  return {
    count,
    winRate: count > 0 ? wins / count : null,
    profitFactor: losses > 0 ? finiteOrNull(sumWins / -sumLosses) : null,
    avgWin: wins > 0 ? sumWins / wins : null,
    avgLoss: losses > 0 ? sumLosses / losses : null,
    largestWin: wins > 0 ? largestWin : null,
    largestLoss: losses > 0 ? largestLoss : null,
  };
}
