// Classifier statistics from a sparse regime trace (pure, O(K) in the trace's rows): occupancy per
// state, state changes, average episode duration, empirical transition matrix (per change).
import { InputError } from '../errors.ts';
import type { RegimeTrace } from '../types.ts';

/**
 * Label of the pseudo-regime of bars that have no classifier state: bar t's regime is
 * state_{t-1} (ARCHITECTURE.md timing rule), so bar 0 and every bar up to and including the
 * classifier's first change have none. It appears as a regime key only when it has bars, and it
 * is left out of the separation score and the per-regime ensembles.
 */
export const UNCLASSIFIED_REGIME = '(none)';

/** Occupancy of one state of a classifier (counted on the classifier's own bars: state_t). */
export interface RegimeOccupancy {
  /** Bars t whose forward-filled state_t is this state. */
  bars: number;
  /** bars / classified bars (bars with any state), fraction. */
  share: number;
  /** Maximal runs of consecutive bars in this state (episodes). */
  episodes: number;
  /** bars / episodes, in bars; null when the state never occurs. */
  averageDurationBars: number | null;
}

/**
 * Empirical transition matrix between states, counted PER CHANGE (not per bar): entry
 * counts[i][j] is the number of state changes from labels[i] to labels[j] (i != j). Rows of the
 * trace that repeat the current state are not changes and are not counted, so the diagonal is
 * always 0 (no per-bar self-transitions). probabilities[i][j] = counts[i][j] / sum_j counts[i][j];
 * a row with no outgoing change is all null.
 */
export interface TransitionMatrix {
  labels: string[];
  counts: number[][];
  probabilities: (number | null)[][];
  /** Always 'per-change': self-transitions per bar are not counted. */
  convention: 'per-change';
}

/** Statistics of one classifier's regime trace (src/analytics/regimeStats.ts). */
export interface ClassifierStats {
  id: string;
  /** Classifier type from the trace footer, '' when unknown. */
  family: string;
  /** Bars of the market the trace indexes. */
  bars: number;
  /** Bars with a state (from the first row's idx on). */
  classifiedBars: number;
  /** Bars before the first row (no state yet). */
  unclassifiedBars: number;
  /** Rows of the trace whose state differs from the previous row's (the first row is not a change). */
  stateChanges: number;
  /** Occupancy per state label (labels never entered have bars 0). */
  regimes: Record<string, RegimeOccupancy>;
  transitions: TransitionMatrix;
}

/** Checks a regime trace against `bars`: idx strictly increasing in [0, bars), codes index labels. */
export function validateRegimeTrace(trace: RegimeTrace, bars: number, name = 'regimes'): void {
  if (trace.idx.length !== trace.state.length) throw new InputError(`${name}: ${trace.idx.length} indices but ${trace.state.length} states`);
  let previous = -1;
  for (let row = 0; row < trace.idx.length; row++) {
    const at = trace.idx[row]!;
    if (!(at > previous) || at >= bars) {
      throw new InputError(`${name}: row ${row}: bar index ${at} must be > ${previous} and < ${bars} (strictly increasing, inside the bars)`, { row });
    }
    const code = trace.state[row]!;
    if (!(code >= 0 && code < trace.labels.length)) throw new InputError(`${name}: row ${row}: state code ${code} has no label (${trace.labels.length} labels)`, { row });
    previous = at;
  }
}

/**
 * Statistics of one classifier over `bars` bars, counted on its own bars (bar t is in state_t, the
 * forward-filled state; bars before the first row have none):
 *
 *   bars_s = #{t : state_t = s};  share_s = bars_s / classifiedBars
 *   episodes_s = maximal runs of consecutive bars in s;  averageDurationBars_s = bars_s / episodes_s
 *   stateChanges = #{rows i > 0 : state[i] != state[i-1]}   (repeated rows are not changes)
 *   transitions.counts[a][b] = #{changes a -> b}, per change: the diagonal is 0, bars that stay
 *   in a state are not self-transitions; probabilities = counts / row sum (null for a row with
 *   no outgoing change).
 *
 * Edge cases: an empty trace has classifiedBars 0, every share 0 and null durations.
 */
export function classifierStats(id: string, trace: RegimeTrace, bars: number, family = ''): ClassifierStats {
  validateRegimeTrace(trace, bars, id);
  const labels = trace.labels;
  const m = labels.length;
  const barCounts = new Float64Array(m);
  const episodes = new Float64Array(m);
  const counts: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  let changes = 0;
  const rows = trace.idx.length;
  let current = -1;
  for (let row = 0; row < rows; row++) {
    const code = trace.state[row]!;
    const end = row + 1 < rows ? trace.idx[row + 1]! : bars;
    barCounts[code]! += end - trace.idx[row]!;
    if (code !== current) {
      episodes[code]! += 1;
      if (current >= 0) {
        changes++;
        counts[current]![code]! += 1;
      }
      current = code;
    }
  }
  const classifiedBars = rows > 0 ? bars - trace.idx[0]! : 0;
  const regimes: Record<string, RegimeOccupancy> = {};
  labels.forEach((label, code) => {
    const b = barCounts[code]!;
    const e = episodes[code]!;
    regimes[label] = { bars: b, share: classifiedBars > 0 ? b / classifiedBars : 0, episodes: e, averageDurationBars: e > 0 ? b / e : null };
  });
  const probabilities = counts.map((row) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total > 0 ? v / total : null));
  });
  return {
    id, family, bars, classifiedBars, unclassifiedBars: bars - classifiedBars, stateChanges: changes, regimes,
    transitions: { labels: [...labels], counts, probabilities, convention: 'per-change' },
  };
}

/**
 * The regime code of every return bar, ARCHITECTURE.md timing: regimeOfBar[t] = state_{t-1}
 * (forward filled), -1 where there is none (t = 0 and t <= the first row's idx). O(T); for the
 * dense paths (ensembles, references).
 */
export function regimeOfReturnBars(trace: RegimeTrace, bars: number): Int32Array {
  const out = new Int32Array(bars).fill(-1);
  const rows = trace.idx.length;
  for (let row = 0; row < rows; row++) {
    const from = trace.idx[row]! + 1;
    const to = row + 1 < rows ? trace.idx[row + 1]! + 1 : bars;
    out.fill(trace.state[row]!, Math.min(from, bars), Math.min(to, bars));
  }
  return out;
}

/**
 * Return-bar counts per regime code (bars t with state_{t-1} = code) from the change list, O(K):
 * counts[code] for code < labels.length, counts[labels.length] = bars without a state.
 */
export function regimeReturnBarCounts(trace: RegimeTrace, bars: number): Float64Array {
  const m = trace.labels.length;
  const counts = new Float64Array(m + 1);
  const rows = trace.idx.length;
  let assigned = 0;
  for (let row = 0; row < rows; row++) {
    const from = Math.min(trace.idx[row]! + 1, bars);
    const to = row + 1 < rows ? Math.min(trace.idx[row + 1]! + 1, bars) : bars;
    counts[trace.state[row]!]! += to - from;
    assigned += to - from;
  }
  counts[m] = bars - assigned;
  return counts;
}
