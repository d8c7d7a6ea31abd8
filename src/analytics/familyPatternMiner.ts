// FamilyPatternMiner: counts one strategy family's n-grams in the kernel table and enriches each
// occurrence (regimes, volatility, volume, events, best strategies). Definitions:
// src/analytics/patterns.ts (header) and README "Pattern mining".
import { InputError } from '../errors.ts';
import { PatternCounter, patternLength, patternStates, SLOT_F64_FIELDS, SLOT_I32_FIELDS } from '../kernels/patterns.ts';
import type { KernelInstance } from '../kernels/runtime.ts';
import { classifyPattern, patternStructure } from './patternClassify.ts';
import { initialCapacity, VOL_BINS, type ResolvedPatternOptions } from './patternOptions.ts';
import { adjustForOverlap, coverageOverlapFactor, meanStd } from './patternStats.ts';
import type {
  FamilyPatternStats, PatternEventEnrichment, PatternMarket, PatternStrategyScore, PatternTraceInput, TradingPattern,
} from './patternTypes.ts';

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
    const patternSlots: number[] = [];
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
      patternSlots.push(slot);
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
        // (filled in below, from every occurrence's bar)
        overlapFactor: null, effectiveCount: null, tStatOverlap: null, pValueOverlap: null,
        frequency: strategies > 0 && m.nBars > 0 ? (count / (strategies * m.nBars)) * 1000 : 0,
        ...this.regimeFields(slot),
        bestStrategies: this.bestStrategies(slot),
        ...this.marketFields(slot),
        events: this.eventFields(slot, count),
      });
    }
    const factors = this.overlapFactors(patternSlots);
    patterns.forEach((pattern, i) => Object.assign(pattern, adjustForOverlap(pattern.tStat, pattern.returnCount, factors[i]!)));
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

  /**
   * The overlap factor of each slot in `slots` over all the family's occurrences with a forward
   * return (coverageOverlapFactor of their completion bars): two strategies completing a pattern at
   * nearby bars share most of their forward windows. The family's change lists are counted once
   * more (the table's figures are read already; its slots do not move, every n-gram being in it),
   * per group of slots whose per-bar counts fit options.overlapGroupBytes.
   */
  private overlapFactors(slots: readonly number[]): (number | null)[] {
    const factors: (number | null)[] = slots.map(() => null);
    const bars = this.market.nBars;
    if (slots.length === 0 || bars === 0) return factors;
    const perGroup = Math.max(1, Math.floor(this.options.overlapGroupBytes / (4 * bars)));
    const groupOf = new Int32Array(this.capacity).fill(-1);
    for (let first = 0; first < slots.length; first += perGroup) {
      const group = slots.slice(first, first + perGroup);
      group.forEach((slot, g) => { groupOf[slot] = g; });
      const counts = new Uint32Array(group.length * bars);
      this.traces.forEach((trace, ordinal) => {
        const r = this.counter.count(trace.idx, trace.signal, this.traces.length + ordinal);
        const occurrenceSlot = r.occurrenceSlot;
        const occurrenceBar = r.occurrenceBar;
        const occurrenceReturn = r.occurrenceReturn;
        for (let j = 0; j < occurrenceSlot.length; j++) {
          const g = groupOf[occurrenceSlot[j]!]!;
          if (g >= 0 && occurrenceReturn[j] === occurrenceReturn[j]) counts[g * bars + occurrenceBar[j]!]!++;
        }
      });
      group.forEach((slot, g) => {
        groupOf[slot] = -1;
        factors[first + g] = coverageOverlapFactor(counts.subarray(g * bars, (g + 1) * bars), this.options.horizon);
      });
    }
    return factors;
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
