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
//
// Modules: patternTypes.ts (shapes), patternOptions.ts (defaults, validation), patternMarket.ts
// (per-bar market tables), patternClassify.ts (structure, style), patternStats.ts (mean/std/t),
// familyPatternMiner.ts (one family's counting and enrichment), regimeTransitions.ts
// (find_regime_patterns). Every name is re-exported here, the public import path.
import type { KernelInstance } from '../kernels/runtime.ts';
import type { RegimeTrace } from '../types.ts';
import { FamilyPatternMiner } from './familyPatternMiner.ts';
import { preparePatternMarket } from './patternMarket.ts';
import { resolvePatternOptions, type ResolvedPatternOptions } from './patternOptions.ts';
import type {
  FamilyPatternStats, PatternMarket, PatternMarketInput, PatternMinerOptions, PatternTraceInput, TradingPattern,
} from './patternTypes.ts';
import { findRegimePatterns, type RegimeTransitionStat } from './regimeTransitions.ts';

export type {
  PatternType, PatternStructure, PatternStrategyScore, PatternEventEnrichment, TradingPattern, FamilyPatternStats, PatternMinerOptions,
  PatternEventsInput, PatternMarketInput, PatternMarket, PatternTraceInput,
} from './patternTypes.ts';
export { resolvePatternOptions, initialCapacity, type ResolvedPatternOptions } from './patternOptions.ts';
export { denseRegimes, preparePatternMarket } from './patternMarket.ts';
export { patternStructure, classifyPattern } from './patternClassify.ts';
export { FamilyPatternMiner } from './familyPatternMiner.ts';
export { findRegimePatterns, type RegimeTransitionStat } from './regimeTransitions.ts';

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
