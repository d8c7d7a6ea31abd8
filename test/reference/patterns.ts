// Plain-TS oracle of assembly/patterns.ts countPatterns: n-gram counts of signal transitions with
// Maps keyed by the states written out, no hashing, no packing.

/** Aggregates of one n-gram over the strategies counted. */
export interface ReferenceNgram {
  /** States s0 > s1 > ... > sn joined by ',' */
  states: string;
  length: number;
  count: number;
  strategies: number;
  returnCount: number;
  wins: number;
  sumReturn: number;
  sumSquares: number;
  sumDuration: number;
}

/** One occurrence (a window of length >= minLength). */
export interface ReferenceOccurrence {
  states: string;
  bar: number;
  forwardReturn: number;
}

/** Sign-quantized changes: bars and states (prior state 0; non-changes dropped). */
export function referenceTransitions(idx: ArrayLike<number>, signal: ArrayLike<number>): { bars: number[]; states: number[] } {
  const bars: number[] = [];
  const states: number[] = [0];
  let previous = 0;
  for (let r = 0; r < idx.length; r++) {
    const v = signal[r]!;
    const s = v > 0 ? 1 : v < 0 ? -1 : 0;
    if (s === previous) continue;
    bars.push(idx[r]!);
    states.push(s);
    previous = s;
  }
  return { bars, states };
}

/** Forward return of a window completing at bar t whose last step goes from `from` to `to`. */
export function referenceForwardReturn(close: ArrayLike<number>, t: number, horizon: number, from: number, to: number): number {
  if (t + horizon >= close.length) return NaN;
  const c0 = close[t]!;
  const c1 = close[t + horizon]!;
  if (!(c0 > 0 && c1 > 0 && Number.isFinite(c0) && Number.isFinite(c1))) return NaN;
  const r = c1 / c0 - 1;
  return to > from ? r : -r;
}

/** Counts every n-gram (1..maxLength) of every strategy; occurrences for lengths >= minLength. */
export function referenceCountPatterns(
  strategies: { idx: ArrayLike<number>; signal: ArrayLike<number> }[], close: ArrayLike<number>, maxLength: number, minLength: number, horizon: number,
): { ngrams: Map<string, ReferenceNgram>; occurrences: ReferenceOccurrence[][] } {
  const ngrams = new Map<string, ReferenceNgram>();
  const occurrences: ReferenceOccurrence[][] = [];
  strategies.forEach((strategy) => {
    const { bars, states } = referenceTransitions(strategy.idx, strategy.signal);
    const seen = new Set<string>();
    const occ: ReferenceOccurrence[] = [];
    for (let i = 0; i < bars.length; i++) {
      for (let n = 1; n <= maxLength && i + n <= bars.length; n++) {
        const key = states.slice(i, i + n + 1).join(',');
        const last = i + n - 1;
        const t = bars[last]!;
        const fwd = referenceForwardReturn(close, t, horizon, states[last]!, states[last + 1]!);
        let rec = ngrams.get(key);
        if (!rec) {
          rec = { states: key, length: n, count: 0, strategies: 0, returnCount: 0, wins: 0, sumReturn: 0, sumSquares: 0, sumDuration: 0 };
          ngrams.set(key, rec);
        }
        if (!seen.has(key)) {
          seen.add(key);
          rec.strategies++;
        }
        rec.count++;
        rec.sumDuration += t - bars[i]!;
        if (!Number.isNaN(fwd)) {
          rec.returnCount++;
          rec.sumReturn += fwd;
          rec.sumSquares += fwd * fwd;
          if (fwd > 0) rec.wins++;
        }
        if (n >= minLength) occ.push({ states: key, bar: t, forwardReturn: fwd });
      }
    }
    occurrences.push(occ);
  });
  return { ngrams, occurrences };
}
