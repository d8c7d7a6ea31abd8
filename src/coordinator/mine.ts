// mineRun: frequent signal-change patterns per strategy family, their forward returns, regimes,
// market conditions and coinciding events, plus regime-transition statistics, written to
// analytics/patterns.json. Definitions: src/analytics/patterns.ts (header) and README.
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import {
  findRegimePatterns, PatternMiner, sortPatterns, type FamilyPatternStats, type PatternEventsInput, type PatternMinerOptions,
  type RegimeTransitionStat, type TradingPattern,
} from '../analytics/patterns.ts';
import { InputError, SweeplensError } from '../errors.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { columnToCodes, columnToInt32, requireColumn } from '../io/arrowColumns.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { insideRun, RUN_LAYOUT } from '../io/layout.ts';
import { readParquetTable } from '../io/parquet.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { readRegimesAt, readSignalAt, type TraceLocator } from '../io/traceLocator.ts';
import { openRun } from '../io/workspace.ts';

/** Where mineRun writes, relative to the output directory. */
export const PATTERNS_FILE = `${RUN_LAYOUT.analytics}/patterns.json`;

/** Options of mineRun (every field optional; the PatternMinerOptions defaults apply). */
export interface MineOptions extends PatternMinerOptions {
  /** Classifier whose state at a pattern's completion bar is its regime; default the first classifier of the symbol; 'none' for no regimes. */
  classifier?: string;
  /** Where analytics/patterns.json goes; default the run directory. */
  outDir?: string;
  /** How to read an ADMF-PC workspace in place. */
  admf?: AdmfOpenOptions;
  /**
   * Worker threads. Mining is O(changes) per strategy on the calling thread (a 1,000-strategy run
   * takes well under the pool's start-up cost to count), so 0 and the default run inline;
   * accepted for CLI symmetry with `analyze`.
   */
  workers?: number;
  /** Cancels between strategies. */
  signal?: AbortSignal;
  /** Called after each family. */
  onProgress?: (progress: { phase: 'mine'; done: number; total: number; elapsedMs: number }) => void;
}

/** Regime-transition statistics of one classifier (the seed's find_regime_patterns). */
export interface ClassifierTransitions {
  classifier: string;
  symbol: string;
  transitions: RegimeTransitionStat[];
}

/** The content of analytics/patterns.json. */
export interface PatternsFile {
  format: 'sweeplens-patterns-1';
  runId: string;
  runDir: string;
  minedAt: string;
  elapsedMs: number;
  options: {
    minSupport: number; minConfidence: number; maxLength: number; horizon: number; volatilityWindow: number; eventWindow: number;
    bestStrategies: number; profitableOnly: boolean;
    /** Classifier used for dominantRegimes / regimeWinRates per symbol (null: none). */
    classifier: Record<string, string | null>;
  };
  /** The definitions behind every figure, in words. */
  definitions: Record<string, string>;
  symbols: string[];
  barCounts: Record<string, number>;
  families: (FamilyPatternStats & { symbol: string })[];
  /** Frequent patterns of every family, best tStat first. */
  patterns: TradingPattern[];
  regimeTransitions: ClassifierTransitions[];
  /** The events trace used for enrichment, or null when the run has none. */
  events: { file: string; rows: number; types: string[]; sources: string[] } | null;
  failures: { id: string; error: string }[];
  warnings: string[];
}

/** What mineRun returns. */
export interface MineResult {
  file: PatternsFile;
  path: string;
}

/** The definitions written into patterns.json. */
export const PATTERN_DEFINITIONS: Record<string, string> = {
  changeList: 'signal quantized to sign(value) in {-1,0,1}; position 0 before the first row; rows that do not change the state are dropped',
  pattern: 'n consecutive transitions (n = 2..maxLength) written as their n+1 states, e.g. 0>1>-1>0',
  occurrence: 'a window of n consecutive changes of one strategy; completes at the bar t of its last change; duration = t - bar of its first change',
  forwardReturn: 'd * (close[t+H]/close[t] - 1): the market return over bars t+1..t+H, d = +1 when the completing change goes up (new > old), -1 when down; undefined when t+H is past the last bar',
  support: 'occurrences / windows of length n in the family (sum over its strategies of max(0, changes - n + 1))',
  confidence: 'occurrences / occurrences of the prefix (first n-1 transitions) in the family: confidence of the rule prefix => last transition',
  frequency: 'occurrences per strategy per 1,000 bars',
  regime: "state of the chosen classifier at the completion bar t (forward filled; known at t, so no look-ahead)",
  dominantRegimes: 'regimes whose share of occurrences is at least their share of bars, most common first (at least one)',
  bestStrategies: 'strategies ranked by score = sum of the pattern\'s forward returns in the strategy (occurrences x mean)',
  volatilityRange: '[p10, p90] of the rolling std of bar returns (volatilityWindow bars ending at t) at completion, rounded outward to the market\'s 64-quantile grid',
  volumeProfile: "mean of volume[t]/median(volume): 'high' >= 1.2, 'low' <= 0.8, else 'normal'",
  events: 'events of events/traces.parquet with idx in [t - eventWindow, t]; lift = rate / share of all bars with an event in such a window',
  regimeTransitions: 'per classifier and from -> to: market return close[t+H]/close[t]-1 after each transition bar t; t-statistic mean/(std/sqrt(n)); two-sided normal p-value',
  patternType: 'from the family name (breakout|donchian|channel; revers|rsi|bollinger|band|fade|mean; momentum|trend|cross|sma|ema|macd), else from the sign structure (reversal -> mean_reversion, continuation -> momentum, round_trip -> breakout)',
};

function abortError(): SweeplensError {
  return new SweeplensError('E_ABORTED', 'pattern mining cancelled');
}

/** Reads events/traces.parquet (idx, type, source) when the run has one. */
function readEvents(run: RunHandle, warnings: string[]): { input: PatternEventsInput; file: string } | undefined {
  const relative = run.metadata.events;
  if (!relative) return undefined;
  const file = insideRun(run.dir, relative);
  if (!existsSync(file)) {
    warnings.push(`${file}: listed in metadata.json but missing; patterns are not enriched with events`);
    return undefined;
  }
  try {
    const table = readParquetTable(file, ['idx', 'type', 'source']);
    const idx = columnToInt32(requireColumn(table, 'idx', file), file, 'idx');
    const type = columnToCodes(requireColumn(table, 'type', file), file, 'type');
    const source = columnToCodes(requireColumn(table, 'source', file), file, 'source');
    // sort by idx (stable) if needed
    let sorted = true;
    for (let i = 1; i < idx.length; i++) if (idx[i]! < idx[i - 1]!) { sorted = false; break; }
    if (!sorted) {
      const order = Array.from(idx, (_, i) => i).sort((a, b) => idx[a]! - idx[b]! || a - b);
      const pick = (v: Int32Array) => Int32Array.from(order, (i) => v[i]!);
      return { file, input: { idx: pick(idx), type: pick(type.codes), typeLabels: type.labels, source: pick(source.codes), sourceLabels: source.labels } };
    }
    return { file, input: { idx, type: type.codes, typeLabels: type.labels, source: source.codes, sourceLabels: source.labels } };
  } catch (error) {
    warnings.push(`${file}: events not used (${(error as Error).message})`);
    return undefined;
  }
}

/**
 * Mines a run (native or ADMF-PC in place): per symbol, the bars, the chosen classifier's regimes
 * and the events give per-bar tables; per family, every strategy's change list is counted into an
 * n-gram table (WASM) and enriched; frequent patterns and regime-transition statistics are written
 * to analytics/patterns.json.
 */
export async function mineRun(runDir: string, options: MineOptions = {}): Promise<MineResult> {
  const started = performance.now();
  const miner = new PatternMiner(options);
  const o = miner.options;
  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 0)) throw new InputError(`options.workers must be an integer >= 0, got ${options.workers}`);
  const run = await openRun(resolve(runDir), options.admf);
  const outDir = resolve(options.outDir ?? run.dir);
  const scan = run.scan();
  const warnings = [...run.warnings, ...scan.warnings];
  const familyOf = new Map(scan.strategies.map((info) => [info.id, info.family || 'unknown']));
  const classifierIds = run.classifierIds();
  if (options.classifier !== undefined && options.classifier !== 'none' && !classifierIds.includes(options.classifier)) {
    throw new InputError(`classifier '${options.classifier}' is not in the run (classifiers: ${classifierIds.join(', ') || 'none'})`);
  }
  const failures: PatternsFile['failures'] = [];

  // strategies by symbol, then family (run order kept)
  const bySymbol = new Map<string, Map<string, { id: string; locator: TraceLocator }[]>>();
  for (const id of run.strategyIds()) {
    try {
      const locator = run.signalLocator(id);
      const families = bySymbol.get(locator.symbol) ?? new Map<string, { id: string; locator: TraceLocator }[]>();
      bySymbol.set(locator.symbol, families);
      const family = familyOf.get(id) ?? 'unknown';
      const list = families.get(family) ?? [];
      list.push({ id, locator });
      families.set(family, list);
    } catch (error) {
      failures.push({ id, error: (error as Error).message });
    }
  }
  const classifierLocators = new Map<string, TraceLocator>();
  for (const id of classifierIds) {
    try {
      classifierLocators.set(id, run.regimeLocator(id));
    } catch (error) {
      warnings.push(`classifier '${id}': ${(error as Error).message}`);
    }
  }

  const events = readEvents(run, warnings);
  const symbols = [...bySymbol.keys()];
  if (events && run.symbols().length > 1) warnings.push('events/traces.parquet is run-level; with several symbols it is matched against each symbol\'s bar index');
  const chosen: Record<string, string | null> = {};
  const familyStats: PatternsFile['families'] = [];
  const patterns: TradingPattern[] = [];
  const regimeTransitions: ClassifierTransitions[] = [];
  const totalFamilies = [...bySymbol.values()].reduce((a, f) => a + f.size, 0);
  let doneFamilies = 0;

  for (const [symbol, families] of bySymbol) {
    const bars = await run.readMarketSeries(symbol);
    const symbolClassifiers = classifierIds.filter((id) => classifierLocators.get(id)?.symbol === symbol);
    const regimeTraces = new Map<string, Awaited<ReturnType<typeof readRegimesAt>>>();
    for (const id of symbolClassifiers) {
      try {
        regimeTraces.set(id, readRegimesAt(classifierLocators.get(id)!));
      } catch (error) {
        warnings.push(`classifier '${id}': ${(error as Error).message}`);
      }
    }
    const classifier = options.classifier === 'none' ? undefined
      : options.classifier ?? symbolClassifiers.find((id) => regimeTraces.has(id));
    chosen[symbol] = classifier !== undefined && regimeTraces.has(classifier) ? classifier : null;
    for (const id of symbolClassifiers) {
      const trace = regimeTraces.get(id);
      if (trace) regimeTransitions.push({ classifier: id, symbol, transitions: findRegimePatterns(trace, bars.close, o.horizon) });
    }
    const market = miner.prepareMarket({
      close: bars.close,
      volume: bars.volume,
      ...(chosen[symbol] ? { regimes: { classifier: chosen[symbol], trace: regimeTraces.get(chosen[symbol])! } } : {}),
      ...(events ? { events: events.input } : {}),
    });
    for (const [family, members] of families) {
      const familyMiner = miner.family(family, market);
      try {
        for (const member of members) {
          if (options.signal?.aborted) throw abortError();
          let trace;
          try {
            trace = readSignalAt(member.locator);
          } catch (error) {
            failures.push({ id: member.id, error: (error as Error).message });
            continue;
          }
          familyMiner.add({ id: member.id, idx: trace.idx, signal: trace.signal });
        }
      } catch (error) {
        familyMiner.dispose();
        throw error;
      }
      const result = familyMiner.finish();
      familyStats.push({ ...result.stats, symbol });
      patterns.push(...result.patterns);
      doneFamilies++;
      options.onProgress?.({ phase: 'mine', done: doneFamilies, total: totalFamilies, elapsedMs: performance.now() - started });
    }
  }

  const file: PatternsFile = {
    format: 'sweeplens-patterns-1',
    runId: run.metadata.runId,
    runDir: run.dir,
    minedAt: new Date().toISOString(),
    elapsedMs: 0,
    options: {
      minSupport: o.minSupport, minConfidence: o.minConfidence, maxLength: o.maxLength, horizon: o.horizon, volatilityWindow: o.volatilityWindow,
      eventWindow: o.eventWindow, bestStrategies: o.bestStrategies, profitableOnly: o.profitableOnly, classifier: chosen,
    },
    definitions: PATTERN_DEFINITIONS,
    symbols,
    barCounts: run.metadata.barCounts,
    families: familyStats,
    patterns: sortPatterns(patterns),
    regimeTransitions,
    events: events ? { file: events.file, rows: events.input.idx.length, types: events.input.typeLabels, sources: events.input.sourceLabels } : null,
    failures,
    warnings,
  };
  file.elapsedMs = performance.now() - started;
  const path = `${outDir}/${PATTERNS_FILE}`;
  writeJsonAtomic(path, file);
  return { file, path };
}
