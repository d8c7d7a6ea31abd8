// Shapes of pattern mining: patterns, per-family counts, options and market inputs.
// Definitions: src/analytics/patterns.ts (header) and README "Pattern mining".
import type { RegimeTrace } from '../types.ts';

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
  /** avgReturn / (returnStd / sqrt(returnCount)), as if the forward returns were independent. */
  tStat: number | null;
  /**
   * sum_ij max(0, H - |t_i - t_j|) / (n H) over the occurrences' completion bars t (all the
   * family's strategies together): occurrences closer than the horizon H share forward bars, which
   * tStat counts as independent. 1 without overlap.
   */
  overlapFactor: number | null;
  /** returnCount / overlapFactor. */
  effectiveCount: number | null;
  /** tStat / sqrt(overlapFactor) (exact for independent bar returns). */
  tStatOverlap: number | null;
  /** Two-sided normal p-value of tStatOverlap. */
  pValueOverlap: number | null;
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
  /**
   * Memory for the per-bar occurrence counts of the overlap correction (4 bytes per bar per
   * pattern); patterns that do not fit at once take one more pass over the family each group.
   * Default 64 MiB.
   */
  overlapGroupBytes?: number;
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
