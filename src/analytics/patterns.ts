// Pattern mining (the seed's PatternMiner / TradingPattern / find_regime_patterns): frequent
// sequences of signal changes per strategy family, their forward returns, regimes, market
// conditions and coinciding events; and the returns that follow regime transitions.
//
// Definitions (also in README "Pattern mining"):
// - Change list: a strategy's signal quantized to sign(value) in {-1, 0, 1}, position 0 before the
//   first row, rows that do not change the state dropped. A pattern of length n is n consecutive
//   transitions, written as its n + 1 states (e.g. 0>1>-1>0 = [0→1, 1→-1, -1→0]).
// - Occurrence: a window of n consecutive changes of one strategy; it completes at the bar t of
//   its last change; its duration is t minus the bar of its first change.
// - Forward return of an occurrence: d * (close[t+H] / close[t] - 1), the market's compounded
//   return over bars t+1..t+H (timing rule: a change seen at t earns from t+1) signed by the
//   direction of the completing change (d = +1 when it goes up, e.g. 0→1, -1→0, -1→1; -1 when it
//   goes down). Undefined (not counted in return statistics) when t + H is past the last bar.
// - support(p) = occurrences of p / windows of length n in the family (sum over the family's
//   strategies of max(0, changes - n + 1)).
// - confidence(p) = occurrences of p / occurrences of its prefix (its first n - 1 transitions),
//   within the family: the association-rule confidence of "prefix ⇒ last transition".
// - A pattern is frequent when support >= minSupport and confidence >= minConfidence.
import { InputError } from '../errors.ts';
import { barReturns } from '../kernels/returns.ts';
import { rollingVolatility } from '../kernels/costs.ts';
import {
  PATTERN_MAX_LENGTH, PatternCounter, patternLength, patternStates, SLOT_F64_FIELDS, SLOT_I32_FIELDS,
} from '../kernels/patterns.ts';
import type { KernelInstance } from '../kernels/runtime.ts';
import type { RegimeTrace } from '../types.ts';
import { normalSurvival } from './overfitting/normal.ts';

/** Trading style of a pattern (the seed's pattern_type). */
export type PatternType = 'momentum' | 'mean_reversion' | 'breakout';

/**
 * Sign structure of a pattern's states: 'reversal' when two consecutive non-zero states have
 * opposite signs (a flip, directly or through flat), 'continuation' when every non-zero state has
 * one sign and there are at least two of them (re-entry in the same direction), 'round_trip'
 * otherwise (a single position entered from and/or left to flat, e.g. 0>1>0).
 */
export type PatternStructure = 'reversal' | 'continuation' | 'round_trip';

/** A strategy in which a pattern contributes most (bestStrategies). */
export interface PatternStrategyScore {
  strategyId: string;
  /** Sum of the pattern's forward returns in this strategy (occurrences x mean): frequent and profitable ranks first. */
  score: number;
  occurrences: number;
  winRate: number | null;
  avgReturn: number | null;
}

/** Events (events/traces.parquet) within `eventWindow` bars before (and at) a pattern's completions. */
export interface PatternEventEnrichment {
  /** Occurrences with at least one event in [t - eventWindow, t]. */
  occurrencesWithEvents: number;
  /** occurrencesWithEvents / occurrences. */
  rate: number;
  /** Fraction of all bars t whose window [t - eventWindow, t] holds an event (the rate by chance). */
  baselineRate: number;
  /** rate / baselineRate; null when the baseline is 0. */
  lift: number | null;
  /** Events in those windows by type and by source (an event in k windows counts k times). */
  byType: Record<string, number>;
  bySource: Record<string, number>;
}

/** A frequent pattern (the seed's TradingPattern, with the counts behind each figure). */
export interface TradingPattern {
  /** `${family}:${states joined by '>'}`, e.g. `sma_crossover:1>-1>1`. */
  patternId: string;
  family: string;
  /** Transitions n. */
  length: number;
  /** The n + 1 states. */
  states: number[];
  /** The transitions, e.g. ['0→1', '1→-1']. */
  transitions: string[];
  patternType: PatternType;
  structure: PatternStructure;
  occurrences: number;
  /** Strategies of the family with at least one occurrence. */
  strategies: number;
  support: number;
  /** strategies / strategies of the family. */
  strategySupport: number;
  confidence: number;
  /** Mean bars between the pattern's first and last change. */
  avgDuration: number;
  /** Occurrences with a defined forward return. */
  returnCount: number;
  /** Fraction of forward returns > 0. */
  winRate: number | null;
  /** Mean forward return. */
  avgReturn: number | null;
  /** Standard deviation (ddof 1) of the forward returns. */
  returnStd: number | null;
  /** avgReturn / (returnStd / sqrt(returnCount)). */
  tStat: number | null;
  /** Occurrences per strategy per 1,000 bars. */
  frequency: number;
  /** Regimes (of the chosen classifier, state at the completion bar) over-represented among occurrences vs their share of bars; the most common first. */
  dominantRegimes: string[];
  /** Win rate of the forward returns per regime at completion. */
  regimeWinRates: Record<string, number | null>;
  /** Share of occurrences per regime at completion. */
  regimeShares: Record<string, number>;
  bestStrategies: PatternStrategyScore[];
  /** [p10, p90] of the rolling volatility at completion (rounded outward to the market's 64-quantile grid); null without data. */
  volatilityRange: [number, number] | null;
  /** Mean rolling volatility (std of bar returns over volatilityWindow bars ending at t) at completion. */
  meanVolatility: number | null;
  /** 'high' when relativeVolume >= 1.2, 'low' when <= 0.8, else 'normal'. */
  volumeProfile: 'high' | 'normal' | 'low';
  /** Mean of volume[t] / median(volume) over occurrences; null without volume. */
  relativeVolume: number | null;
  events: PatternEventEnrichment | null;
}

/** Counts of one family's mining. */
export interface FamilyPatternStats {
  family: string;
  strategies: number;
  /** Changes kept (sign-quantized, non-changes dropped) over the family. */
  transitions: number;
  /** Windows per length n (key: n). */
  windows: Record<string, number>;
  /** Distinct n-grams of lengths 2..maxLength seen. */
  distinctPatterns: number;
  frequentPatterns: number;
  /** Hash-table slots used for the final count, and how many times the table had to grow. */
  tableCapacity: number;
  rebuilds: number;
}

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
  /** meanReturn > 0 (the seed keeps these). */
  profitable: boolean;
}

/** Options of PatternMiner. */
export interface PatternMinerOptions {
  /** Minimum support (see the header); default 0.05. */
  minSupport?: number;
  /** Minimum confidence; default 0.6. */
  minConfidence?: number;
  /** Longest pattern (transitions), 2..28; default 3. Patterns of lengths 2..maxLength are reported. */
  maxLength?: number;
  /** Forward-return horizon H in bars; default 20. */
  horizon?: number;
  /** Window of the rolling volatility, bars; default 20. */
  volatilityWindow?: number;
  /** Events up to this many bars before a completion coincide with it; default 5. */
  eventWindow?: number;
  /** Strategies listed per pattern; default 5. */
  bestStrategies?: number;
  /** Keep only patterns with avgReturn > 0 (the seed's rule); default false. */
  profitableOnly?: boolean;
  /** Initial hash-table slots (power of 2); default from maxLength. The table doubles when 70 % full. */
  capacity?: number;
}

/** Events as read from events/traces.parquet (sorted by idx), dictionary-coded. */
export interface PatternEventsInput {
  idx: Int32Array;
  type: Int32Array;
  typeLabels: string[];
  source: Int32Array;
  sourceLabels: string[];
}

/** Market data of the strategies mined (one symbol). */
export interface PatternMarketInput {
  close: Float64Array;
  volume?: Float64Array;
  /** The classifier whose state at the completion bar gives the regime of an occurrence. */
  regimes?: { classifier: string; trace: RegimeTrace };
  events?: PatternEventsInput;
}

/** Per-bar tables computed once per market (PatternMiner.prepareMarket). */
export interface PatternMarket {
  close: Float64Array;
  nBars: number;
  classifier: string | null;
  labels: string[];
  /** State code at each bar (forward filled), -1 before the first row. */
  regimeAt: Int32Array | null;
  /** Share of labelled bars per label. */
  labelBarShare: Float64Array;
  volatility: Float64Array;
  /** Bin of volatility[t] on the 64-quantile grid `volatilityEdges`. */
  volatilityBin: Uint8Array;
  volatilityEdges: Float64Array;
  /** volume[t] / median(volume); null without (positive) volume. */
  relativeVolume: Float64Array | null;
  events: (PatternEventsInput & { before: Int32Array; baselineRate: number }) | null;
}

/** A strategy's change list. */
export interface PatternTraceInput {
  id: string;
  idx: Int32Array;
  signal: ArrayLike<number>;
}

const VOL_BINS = 64;
const DEFAULTS = {
  minSupport: 0.05, minConfidence: 0.6, maxLength: 3, horizon: 20, volatilityWindow: 20, eventWindow: 5, bestStrategies: 5, profitableOnly: false,
};
/** Resolved PatternMinerOptions (defaults filled in). */
export type ResolvedPatternOptions = Required<Omit<PatternMinerOptions, 'capacity'>> & { capacity: number | undefined };

/** Fills defaults and validates; InputError naming the option. */
export function resolvePatternOptions(options: PatternMinerOptions = {}): ResolvedPatternOptions {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ResolvedPatternOptions;
  const fraction = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new InputError(`${name} must be a fraction in [0, 1], got ${v}`);
  };
  const integer = (name: string, v: number, min: number, max = Infinity) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new InputError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  fraction('minSupport', o.minSupport);
  fraction('minConfidence', o.minConfidence);
  integer('maxLength', o.maxLength, 2, PATTERN_MAX_LENGTH);
  integer('horizon', o.horizon, 1);
  integer('volatilityWindow', o.volatilityWindow, 2);
  integer('eventWindow', o.eventWindow, 0);
  integer('bestStrategies', o.bestStrategies, 0, 1000);
  if (o.capacity !== undefined) integer('capacity', o.capacity, 1, 2 ** 26);
  return { ...o, capacity: options.capacity };
}

function median(values: Float64Array): number {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0).sort();
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Dense state codes of a regime trace (forward fill; -1 before the first row). */
export function denseRegimes(trace: RegimeTrace, nBars: number): Int32Array {
  const out = new Int32Array(nBars).fill(-1);
  for (let r = 0; r < trace.idx.length; r++) {
    const start = trace.idx[r]!;
    const end = r + 1 < trace.idx.length ? Math.min(trace.idx[r + 1]!, nBars) : nBars;
    if (start < nBars) out.fill(trace.state[r]!, start, end);
  }
  return out;
}

/** Per-bar tables of a market for mining (volatility grid, relative volume, regimes, event index). */
export function preparePatternMarket(input: PatternMarketInput, options: Pick<PatternMinerOptions, 'volatilityWindow' | 'eventWindow'> = {}): PatternMarket {
  const o = resolvePatternOptions({ volatilityWindow: options.volatilityWindow ?? DEFAULTS.volatilityWindow, eventWindow: options.eventWindow ?? DEFAULTS.eventWindow });
  const nBars = input.close.length;
  const returns = barReturns(input.close).returns;
  const volatility = rollingVolatility(returns, o.volatilityWindow);
  const finite = Float64Array.from(volatility.filter((v) => Number.isFinite(v))).sort();
  const edges = new Float64Array(VOL_BINS + 1);
  for (let b = 0; b <= VOL_BINS; b++) edges[b] = finite.length > 0 ? finite[Math.min(finite.length - 1, Math.floor((b / VOL_BINS) * (finite.length - 1) + 0.5))]! : NaN;
  const volatilityBin = new Uint8Array(nBars);
  for (let t = 0; t < nBars; t++) {
    const v = volatility[t]!;
    let lo = 0;
    let hi = VOL_BINS - 1;
    while (lo < hi) { // largest b with edges[b] <= v
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    volatilityBin[t] = lo;
  }
  let relativeVolume: Float64Array | null = null;
  if (input.volume && input.volume.length === nBars) {
    const m = median(input.volume);
    if (Number.isFinite(m) && m > 0) relativeVolume = Float64Array.from(input.volume, (v) => v / m);
  }
  let regimeAt: Int32Array | null = null;
  let labels: string[] = [];
  let labelBarShare = new Float64Array(0);
  if (input.regimes) {
    labels = input.regimes.trace.labels;
    regimeAt = denseRegimes(input.regimes.trace, nBars);
    const counts = new Float64Array(labels.length);
    let labelled = 0;
    for (let t = 0; t < nBars; t++) {
      const s = regimeAt[t]!;
      if (s >= 0 && s < labels.length) { counts[s]!++; labelled++; }
    }
    labelBarShare = counts.map((c) => (labelled > 0 ? c / labelled : 0));
  }
  let events: PatternMarket['events'] = null;
  if (input.events) {
    const e = input.events;
    const before = new Int32Array(nBars + 1); // before[t] = events with idx < t
    for (let r = 0; r < e.idx.length; r++) {
      const i = e.idx[r]!;
      if (r > 0 && i < e.idx[r - 1]!) throw new InputError('events must be sorted by idx');
      if (i >= 0 && i < nBars) before[i + 1]!++;
    }
    for (let t = 1; t <= nBars; t++) before[t]! += before[t - 1]!;
    let covered = 0;
    for (let t = 0; t < nBars; t++) if (before[t + 1]! > before[Math.max(0, t - o.eventWindow)]!) covered++;
    events = { ...e, before, baselineRate: nBars > 0 ? covered / nBars : 0 };
  }
  return {
    close: input.close, nBars, classifier: input.regimes?.classifier ?? null, labels, regimeAt, labelBarShare,
    volatility, volatilityBin, volatilityEdges: edges, relativeVolume, events,
  };
}

/** Number of slots a table starts with for patterns up to `maxLength` (all 6 (2^L - 1) n-grams at load <= 0.5, capped). */
export function initialCapacity(maxLength: number): number {
  const distinct = 6 * (2 ** Math.min(maxLength, 20) - 1);
  let capacity = 16;
  while (capacity < 2 * distinct && capacity < 1 << 16) capacity *= 2;
  return capacity;
}

const FAMILY_TYPE_RULES: [RegExp, PatternType][] = [
  [/breakout|donchian|channel/i, 'breakout'],
  [/revers|rsi|bollinger|band|fade|mean/i, 'mean_reversion'],
  [/momentum|trend|crossover|cross|sma|ema|macd/i, 'momentum'],
];

/** Sign structure of a pattern's states (see PatternStructure). */
export function patternStructure(states: readonly number[]): PatternStructure {
  const nonZero = states.filter((s) => s !== 0);
  for (let i = 1; i < nonZero.length; i++) if (nonZero[i] !== nonZero[i - 1]) return 'reversal';
  return nonZero.length >= 2 ? 'continuation' : 'round_trip';
}

/**
 * Style of a pattern: the family's when its name says it (breakout|donchian|channel -> breakout;
 * revers|rsi|bollinger|band|fade|mean -> mean_reversion; momentum|trend|cross|sma|ema|macd ->
 * momentum), otherwise from the sign structure (reversal -> mean_reversion, continuation ->
 * momentum, round_trip -> breakout).
 */
export function classifyPattern(family: string, states: readonly number[]): PatternType {
  for (const [rule, type] of FAMILY_TYPE_RULES) if (rule.test(family)) return type;
  const structure = patternStructure(states);
  return structure === 'reversal' ? 'mean_reversion' : structure === 'continuation' ? 'momentum' : 'breakout';
}

function meanStd(n: number, sum: number, squares: number): { mean: number | null; std: number | null; t: number | null } {
  if (n === 0) return { mean: null, std: null, t: null };
  const mean = sum / n;
  if (n < 2) return { mean, std: null, t: null };
  const variance = Math.max(0, (squares - n * mean * mean) / (n - 1));
  const std = Math.sqrt(variance);
  return { mean, std, t: std > 0 ? mean / (std / Math.sqrt(n)) : null };
}

/** Per-slot accumulators of the enrichment (JS side, sized to the table). */
class SlotAccumulators {
  readonly regimeCount: Float64Array;
  readonly regimeReturns: Float64Array;
  readonly regimeWins: Float64Array;
  readonly volSum: Float64Array;
  readonly volCount: Float64Array;
  readonly volHist: Uint32Array;
  readonly relSum: Float64Array;
  readonly relCount: Float64Array;
  readonly eventOcc: Float64Array;
  readonly typeCount: Float64Array;
  readonly sourceCount: Float64Array;
  readonly topOrdinal: Int32Array;
  readonly topStats: Float64Array; // per entry: score, occurrences, returnCount, wins, sumReturn
  constructor(capacity: number, labels: number, types: number, sources: number, readonly top: number) {
    this.regimeCount = new Float64Array(capacity * labels);
    this.regimeReturns = new Float64Array(capacity * labels);
    this.regimeWins = new Float64Array(capacity * labels);
    this.volSum = new Float64Array(capacity);
    this.volCount = new Float64Array(capacity);
    this.volHist = new Uint32Array(capacity * VOL_BINS);
    this.relSum = new Float64Array(capacity);
    this.relCount = new Float64Array(capacity);
    this.eventOcc = new Float64Array(capacity);
    this.typeCount = new Float64Array(capacity * types);
    this.sourceCount = new Float64Array(capacity * sources);
    this.topOrdinal = new Int32Array(capacity * top).fill(-1);
    this.topStats = new Float64Array(capacity * top * 5);
  }
}

/**
 * Mines one family: add its strategies one at a time, then `finish()`. The n-gram table lives in
 * kernel scratch (released by finish/dispose); the strategies' change lists are kept so the table
 * can be rebuilt larger when it fills up.
 */
export class FamilyPatternMiner {
  private counter: PatternCounter;
  private acc: SlotAccumulators;
  private readonly traces: PatternTraceInput[] = [];
  private capacity: number;
  private occupied = 0;
  private overflow = false;
  private rebuilds = 0;
  private transitions = 0;
  private windows: Float64Array;
  private finished = false;

  constructor(readonly family: string, readonly market: PatternMarket, readonly options: ResolvedPatternOptions, private readonly instance?: KernelInstance) {
    this.capacity = options.capacity ?? initialCapacity(options.maxLength);
    this.counter = this.newCounter();
    this.acc = this.newAccumulators();
    this.windows = new Float64Array(options.maxLength + 1);
  }

  private newCounter(): PatternCounter {
    return PatternCounter.create({ capacity: this.capacity, maxLength: this.options.maxLength, minLength: 2, horizon: this.options.horizon, close: this.market.close }, this.instance);
  }

  private newAccumulators(): SlotAccumulators {
    const e = this.market.events;
    return new SlotAccumulators(this.capacity, this.market.labels.length, e?.typeLabels.length ?? 0, e?.sourceLabels.length ?? 0, this.options.bestStrategies);
  }

  /** Counts one strategy of the family. */
  add(trace: PatternTraceInput): void {
    if (this.finished) throw new InputError('FamilyPatternMiner.add after finish');
    this.traces.push(trace);
    if (!this.overflow) this.process(this.traces.length - 1);
  }

  private process(ordinal: number): void {
    const trace = this.traces[ordinal]!;
    const r = this.counter.count(trace.idx, trace.signal, ordinal);
    this.occupied += r.newSlots;
    if (r.dropped > 0 || this.occupied > 0.7 * this.capacity) {
      this.overflow = true;
      return;
    }
    const L = this.options.maxLength;
    this.transitions += r.transitions;
    for (let n = 1; n <= L; n++) this.windows[n]! += Math.max(0, r.transitions - n + 1);
    this.enrich(r.occurrenceSlot, r.occurrenceBar, r.occurrenceReturn);
    this.rankStrategy(ordinal, r.touched);
  }

  private enrich(slots: Int32Array, bars: Int32Array, returns: Float64Array): void {
    const m = this.market;
    const a = this.acc;
    const labels = m.labels.length;
    const regimeAt = m.regimeAt;
    const vol = m.volatility;
    const volBin = m.volatilityBin;
    const rel = m.relativeVolume;
    const ev = m.events;
    const w = this.options.eventWindow;
    const types = ev?.typeLabels.length ?? 0;
    const sources = ev?.sourceLabels.length ?? 0;
    for (let j = 0; j < slots.length; j++) {
      const slot = slots[j]!;
      const t = bars[j]!;
      const fwd = returns[j]!;
      if (regimeAt) {
        const s = regimeAt[t]!;
        if (s >= 0 && s < labels) {
          const i = slot * labels + s;
          a.regimeCount[i]!++;
          if (fwd === fwd) {
            a.regimeReturns[i]!++;
            if (fwd > 0) a.regimeWins[i]!++;
          }
        }
      }
      const v = vol[t]!;
      if (v === v) {
        a.volSum[slot]! += v;
        a.volCount[slot]!++;
        a.volHist[slot * VOL_BINS + volBin[t]!]!++;
      }
      if (rel) {
        const x = rel[t]!;
        if (x === x) {
          a.relSum[slot]! += x;
          a.relCount[slot]!++;
        }
      }
      if (ev) {
        const e0 = ev.before[t > w ? t - w : 0]!;
        const e1 = ev.before[t + 1]!;
        if (e1 > e0) {
          a.eventOcc[slot]!++;
          for (let e = e0; e < e1; e++) {
            a.typeCount[slot * types + ev.type[e]!]!++;
            a.sourceCount[slot * sources + ev.source[e]!]!++;
          }
        }
      }
    }
  }

  private rankStrategy(ordinal: number, touched: Int32Array): void {
    const top = this.options.bestStrategies;
    if (top === 0) return;
    const i32 = this.counter.i32;
    const f64 = this.counter.f64;
    const a = this.acc;
    for (let j = 0; j < touched.length; j++) {
      const slot = touched[j]!;
      if (i32[slot * 20 + SLOT_I32_FIELDS.key]! < 16) continue; // 1-grams are prefixes only
      const returnCount = i32[slot * 20 + SLOT_I32_FIELDS.sReturnCount]!;
      if (returnCount === 0) continue;
      const sum = f64[slot * 10 + SLOT_F64_FIELDS.sSumReturn]!;
      // replace an empty entry or the lowest score
      let worst = -1;
      let worstScore = Infinity;
      for (let e = 0; e < top; e++) {
        const at = slot * top + e;
        if (a.topOrdinal[at] === -1) { worst = e; worstScore = -Infinity; break; }
        const score = a.topStats[at * 5]!;
        if (score < worstScore) { worstScore = score; worst = e; }
      }
      if (sum <= worstScore) continue;
      const at = slot * top + worst;
      a.topOrdinal[at] = ordinal;
      a.topStats[at * 5] = sum;
      a.topStats[at * 5 + 1] = i32[slot * 20 + SLOT_I32_FIELDS.sCount]!;
      a.topStats[at * 5 + 2] = returnCount;
      a.topStats[at * 5 + 3] = i32[slot * 20 + SLOT_I32_FIELDS.sWins]!;
      a.topStats[at * 5 + 4] = sum;
    }
  }

  private rebuild(): void {
    this.counter.dispose();
    this.capacity *= 2;
    this.rebuilds++;
    this.counter = this.newCounter();
    this.acc = this.newAccumulators();
    this.windows.fill(0);
    this.transitions = 0;
    this.occupied = 0;
    this.overflow = false;
    for (let i = 0; i < this.traces.length && !this.overflow; i++) this.process(i);
  }

  /** Releases the kernel scratch without results. */
  dispose(): void {
    if (!this.finished) this.counter.dispose();
    this.finished = true;
  }

  /** Frequent patterns of the family and its counts; releases the kernel scratch. */
  finish(): { stats: FamilyPatternStats; patterns: TradingPattern[] } {
    if (this.finished) throw new InputError('FamilyPatternMiner.finish called twice');
    try {
      while (this.overflow) this.rebuild();
      return this.collect();
    } finally {
      this.dispose();
    }
  }

  private collect(): { stats: FamilyPatternStats; patterns: TradingPattern[] } {
    const o = this.options;
    const m = this.market;
    const i32 = this.counter.i32;
    const f64 = this.counter.f64;
    const slotOf = new Map<number, number>();
    const occupied = this.counter.occupiedSlots();
    for (const slot of occupied) slotOf.set(i32[slot * 20]!, slot);
    const strategies = this.traces.length;
    const patterns: TradingPattern[] = [];
    let distinct = 0;
    for (const slot of occupied) {
      const key = i32[slot * 20 + SLOT_I32_FIELDS.key]!;
      const n = patternLength(key);
      if (n < 2) continue;
      distinct++;
      const count = i32[slot * 20 + SLOT_I32_FIELDS.count]!;
      const windows = this.windows[n]!;
      const support = windows > 0 ? count / windows : 0;
      const prefixSlot = slotOf.get(key >> 1);
      const prefixCount = prefixSlot === undefined ? 0 : i32[prefixSlot * 20 + SLOT_I32_FIELDS.count]!;
      const confidence = prefixCount > 0 ? count / prefixCount : 0;
      if (support < o.minSupport || confidence < o.minConfidence) continue;
      const returnCount = i32[slot * 20 + SLOT_I32_FIELDS.returnCount]!;
      const wins = i32[slot * 20 + SLOT_I32_FIELDS.wins]!;
      const stats = meanStd(returnCount, f64[slot * 10 + SLOT_F64_FIELDS.sumReturn]!, f64[slot * 10 + SLOT_F64_FIELDS.sumSquares]!);
      if (o.profitableOnly && !(stats.mean !== null && stats.mean > 0)) continue;
      const states = patternStates(key);
      patterns.push({
        patternId: `${this.family}:${states.join('>')}`,
        family: this.family,
        length: n,
        states,
        transitions: states.slice(1).map((s, i) => `${states[i]}→${s}`),
        patternType: classifyPattern(this.family, states),
        structure: patternStructure(states),
        occurrences: count,
        strategies: i32[slot * 20 + SLOT_I32_FIELDS.strategies]!,
        support,
        strategySupport: strategies > 0 ? i32[slot * 20 + SLOT_I32_FIELDS.strategies]! / strategies : 0,
        confidence,
        avgDuration: count > 0 ? f64[slot * 10 + SLOT_F64_FIELDS.sumDuration]! / count : 0,
        returnCount,
        winRate: returnCount > 0 ? wins / returnCount : null,
        avgReturn: stats.mean,
        returnStd: stats.std,
        tStat: stats.t,
        frequency: strategies > 0 && m.nBars > 0 ? (count / (strategies * m.nBars)) * 1000 : 0,
        ...this.regimeFields(slot),
        bestStrategies: this.bestStrategies(slot),
        ...this.marketFields(slot),
        events: this.eventFields(slot, count),
      });
    }
    const windows: Record<string, number> = {};
    for (let n = 1; n <= o.maxLength; n++) windows[String(n)] = this.windows[n]!;
    return {
      stats: {
        family: this.family, strategies, transitions: this.transitions, windows, distinctPatterns: distinct, frequentPatterns: patterns.length,
        tableCapacity: this.capacity, rebuilds: this.rebuilds,
      },
      patterns,
    };
  }

  private regimeFields(slot: number): Pick<TradingPattern, 'dominantRegimes' | 'regimeWinRates' | 'regimeShares'> {
    const m = this.market;
    const a = this.acc;
    const L = m.labels.length;
    const regimeWinRates: Record<string, number | null> = {};
    const regimeShares: Record<string, number> = {};
    let total = 0;
    for (let s = 0; s < L; s++) total += a.regimeCount[slot * L + s]!;
    const order: { label: string; share: number; over: boolean }[] = [];
    for (let s = 0; s < L; s++) {
      const i = slot * L + s;
      const label = m.labels[s]!;
      const share = total > 0 ? a.regimeCount[i]! / total : 0;
      regimeShares[label] = share;
      regimeWinRates[label] = a.regimeReturns[i]! > 0 ? a.regimeWins[i]! / a.regimeReturns[i]! : null;
      if (a.regimeCount[i]! > 0) order.push({ label, share, over: share >= m.labelBarShare[s]! });
    }
    order.sort((x, y) => y.share - x.share);
    const dominant = order.filter((x) => x.over).map((x) => x.label);
    if (dominant.length === 0 && order.length > 0) dominant.push(order[0]!.label);
    return { dominantRegimes: dominant, regimeWinRates, regimeShares };
  }

  private bestStrategies(slot: number): PatternStrategyScore[] {
    const a = this.acc;
    const top = this.options.bestStrategies;
    const out: PatternStrategyScore[] = [];
    for (let e = 0; e < top; e++) {
      const at = slot * top + e;
      const ordinal = a.topOrdinal[at]!;
      if (ordinal < 0) continue;
      const returnCount = a.topStats[at * 5 + 2]!;
      out.push({
        strategyId: this.traces[ordinal]!.id,
        score: a.topStats[at * 5]!,
        occurrences: a.topStats[at * 5 + 1]!,
        winRate: returnCount > 0 ? a.topStats[at * 5 + 3]! / returnCount : null,
        avgReturn: returnCount > 0 ? a.topStats[at * 5 + 4]! / returnCount : null,
      });
    }
    return out.sort((x, y) => y.score - x.score || (x.strategyId < y.strategyId ? -1 : 1));
  }

  private marketFields(slot: number): Pick<TradingPattern, 'volatilityRange' | 'meanVolatility' | 'volumeProfile' | 'relativeVolume'> {
    const a = this.acc;
    const edges = this.market.volatilityEdges;
    const n = a.volCount[slot]!;
    let volatilityRange: [number, number] | null = null;
    if (n > 0) {
      let cum = 0;
      let low = -1;
      let high = -1;
      for (let b = 0; b < VOL_BINS; b++) {
        cum += a.volHist[slot * VOL_BINS + b]!;
        if (low < 0 && cum >= 0.1 * n) low = b;
        if (high < 0 && cum >= 0.9 * n) high = b;
      }
      volatilityRange = [edges[low]!, edges[high + 1]!];
    }
    const relN = a.relCount[slot]!;
    const relativeVolume = relN > 0 ? a.relSum[slot]! / relN : null;
    return {
      volatilityRange,
      meanVolatility: n > 0 ? a.volSum[slot]! / n : null,
      volumeProfile: relativeVolume === null ? 'normal' : relativeVolume >= 1.2 ? 'high' : relativeVolume <= 0.8 ? 'low' : 'normal',
      relativeVolume,
    };
  }

  private eventFields(slot: number, count: number): PatternEventEnrichment | null {
    const ev = this.market.events;
    if (!ev) return null;
    const a = this.acc;
    const byType: Record<string, number> = {};
    const bySource: Record<string, number> = {};
    ev.typeLabels.forEach((label, i) => {
      const c = a.typeCount[slot * ev.typeLabels.length + i]!;
      if (c > 0) byType[label] = c;
    });
    ev.sourceLabels.forEach((label, i) => {
      const c = a.sourceCount[slot * ev.sourceLabels.length + i]!;
      if (c > 0) bySource[label] = c;
    });
    const rate = count > 0 ? a.eventOcc[slot]! / count : 0;
    return {
      occurrencesWithEvents: a.eventOcc[slot]!, rate, baselineRate: ev.baselineRate,
      lift: ev.baselineRate > 0 ? rate / ev.baselineRate : null, byType, bySource,
    };
  }
}

/**
 * The seed's PatternMiner: frequent change sequences per family (`family()` / `minePatterns`) and
 * profitable regime transitions (`findRegimePatterns`). See the header for the definitions.
 */
export class PatternMiner {
  readonly options: ResolvedPatternOptions;
  constructor(options: PatternMinerOptions = {}, private readonly instance?: KernelInstance) {
    this.options = resolvePatternOptions(options);
  }

  get minSupport(): number {
    return this.options.minSupport;
  }

  get minConfidence(): number {
    return this.options.minConfidence;
  }

  /** Per-bar tables of a market, computed once and shared by every family on it. */
  prepareMarket(input: PatternMarketInput): PatternMarket {
    return preparePatternMarket(input, this.options);
  }

  /** A streaming miner for one family (add strategies, then finish). */
  family(name: string, market: PatternMarket): FamilyPatternMiner {
    return new FamilyPatternMiner(name, market, this.options, this.instance);
  }

  /** Mines every family (all traces in memory); patterns sorted by tStat (best first). */
  minePatterns(families: Record<string, PatternTraceInput[]>, market: PatternMarket | PatternMarketInput): { families: FamilyPatternStats[]; patterns: TradingPattern[] } {
    const prepared = 'nBars' in market ? market : this.prepareMarket(market);
    const stats: FamilyPatternStats[] = [];
    const patterns: TradingPattern[] = [];
    for (const [name, traces] of Object.entries(families)) {
      const miner = this.family(name, prepared);
      try {
        for (const trace of traces) miner.add(trace);
      } catch (error) {
        miner.dispose();
        throw error;
      }
      const result = miner.finish();
      stats.push(result.stats);
      patterns.push(...result.patterns);
    }
    return { families: stats, patterns: sortPatterns(patterns) };
  }

  /** Regime transitions of a classifier and the market returns over `horizon` bars after them. */
  findRegimePatterns(trace: RegimeTrace, close: Float64Array): RegimeTransitionStat[] {
    return findRegimePatterns(trace, close, this.options.horizon);
  }
}

/** Patterns by tStat (null last), then support, then id. */
export function sortPatterns(patterns: TradingPattern[]): TradingPattern[] {
  return patterns.sort((x, y) => (y.tStat ?? -Infinity) - (x.tStat ?? -Infinity) || y.support - x.support || (x.patternId < y.patternId ? -1 : 1));
}

/**
 * The seed's find_regime_patterns: for every state change of the trace at bar t (row r >= 1 whose
 * state differs from row r - 1; the first row has no `from`), the market return
 * close[t + H] / close[t] - 1 (undefined past the last bar), grouped by `from → to`: count, mean,
 * std (ddof 1), win rate, t = mean / (std / sqrt(n)) and the two-sided normal p-value. Sorted by
 * tStat (best first, null last).
 */
export function findRegimePatterns(trace: RegimeTrace, close: Float64Array, horizon: number): RegimeTransitionStat[] {
  if (!Number.isInteger(horizon) || horizon < 1) throw new InputError(`horizon must be an integer >= 1, got ${horizon}`);
  const groups = new Map<string, { from: string; to: string; count: number; n: number; sum: number; squares: number; wins: number }>();
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
      g = { from, to, count: 0, n: 0, sum: 0, squares: 0, wins: 0 };
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
      profitable: s.mean !== null && s.mean > 0,
    });
  }
  return out.sort((x, y) => (y.tStat ?? -Infinity) - (x.tStat ?? -Infinity) || (x.transition < y.transition ? -1 : 1));
}
