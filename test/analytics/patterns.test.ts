// PatternMiner: a planted pattern is found with the support / confidence / returns worked out by
// hand; every pattern's figures equal the plain-TS oracle on random traces; regime-transition
// statistics on a hand example; table growth gives the same answer as a large table.
import { describe, expect, it } from 'vitest';
import {
  classifyPattern, findRegimePatterns, PatternMiner, patternStructure, type PatternTraceInput, type TradingPattern,
} from '../../src/analytics/patterns.ts';
import { coverageOverlapFactor, windowOverlapFactor } from '../../src/analytics/patternStats.ts';
import { normalSurvival } from '../../src/analytics/overfitting/normal.ts';
import { referenceCountPatterns } from '../reference/patterns.ts';
import { Rng } from '../helpers/rng.ts';

/** 4 strategies cycling 1, -1, 0 every 10 bars from bar 5; closes rise 0.2 %/bar for 5 bars after each return to flat, else fall 0.1 %. */
function plantedRun(): { close: Float64Array; traces: PatternTraceInput[]; flatBars: number[] } {
  const nBars = 400;
  const cycle = [1, -1, 0];
  const idx = Int32Array.from({ length: 30 }, (_, i) => 5 + 10 * i);
  const signal = Float64Array.from({ length: 30 }, (_, i) => cycle[i % 3]!);
  const flatBars = [...idx].filter((_, i) => i % 3 === 2);
  const rising = new Set<number>();
  for (const t of flatBars) for (let b = t + 1; b <= t + 5; b++) rising.add(b);
  const close = new Float64Array(nBars);
  close[0] = 100;
  for (let t = 1; t < nBars; t++) close[t] = close[t - 1]! * (rising.has(t) ? 1.002 : 0.999);
  const traces = ['a', 'b', 'c', 'd'].map((id) => ({ id: `s_${id}`, idx, signal }));
  return { close, traces, flatBars };
}

describe('PatternMiner: planted pattern', () => {
  it('finds 0>1>-1>0 with support 40/112, confidence 1 and the planted forward return', () => {
    const { close, traces, flatBars } = plantedRun();
    const miner = new PatternMiner({ minSupport: 0.35, minConfidence: 0.9, maxLength: 3, horizon: 5 });
    const regimes = { idx: Int32Array.of(0, 200), state: Int32Array.of(0, 1), labels: ['first', 'second'] };
    const events = { idx: Int32Array.from(flatBars), type: new Int32Array(flatBars.length), typeLabels: ['flat'], source: new Int32Array(flatBars.length), sourceLabels: ['planted'] };
    const volume = Float64Array.from(close, (_, t) => (flatBars.includes(t) ? 300 : 100));
    const market = miner.prepareMarket({ close, volume, regimes: { classifier: 'halves', trace: regimes }, events });
    const { families, patterns } = miner.minePatterns({ cycle: traces }, market);
    // 3-grams per strategy: 28 windows, 0>1>-1>0 starts at 0, 3, ..., 27 (10); the other two 9 each.
    // 2-grams: 29 windows, at most 10 each (support 0.345 < 0.35): only the planted 3-gram is frequent.
    expect(patterns.map((p) => p.patternId)).toEqual(['cycle:0>1>-1>0']);
    const p = patterns[0]!;
    expect(p.occurrences).toBe(40);
    expect(p.support).toBeCloseTo(40 / 112, 12);
    expect(p.confidence).toBe(1);
    expect(p.strategies).toBe(4);
    expect(p.strategySupport).toBe(1);
    expect(p.avgDuration).toBe(20);
    expect(p.transitions).toEqual(['0→1', '1→-1', '-1→0']);
    expect(p.structure).toBe('reversal');
    expect(p.patternType).toBe('mean_reversion');
    expect(p.returnCount).toBe(40);
    expect(p.winRate).toBe(1);
    expect(p.avgReturn).toBeCloseTo(1.002 ** 5 - 1, 12);
    expect(p.frequency).toBeCloseTo((40 / (4 * 400)) * 1000, 12);
    // the 4 strategies complete it at the same bars (a strategy's own completions are 30 bars apart,
    // over the 5-bar horizon): every window is there 4 times, worth 10 independent ones
    expect(p.overlapFactor).toBe(4);
    expect(p.effectiveCount).toBe(10);
    expect(p.tStatOverlap).toBeNull(); // (every forward return is the same: no t at all)
    // regimes: completions at 25, 55, ..., 295: 6 before bar 200 (over-represented: half the bars), 4 after
    expect(p.regimeShares).toEqual({ first: 0.6, second: 0.4 });
    expect(p.regimeWinRates).toEqual({ first: 1, second: 1 });
    expect(p.dominantRegimes).toEqual(['first']);
    expect(p.volumeProfile).toBe('high');
    expect(p.relativeVolume).toBe(3);
    expect(p.events!.rate).toBe(1);
    expect(p.events!.byType).toEqual({ flat: 40 });
    expect(p.events!.baselineRate).toBeCloseTo((10 * 6) / 400, 12);
    expect(p.bestStrategies.map((s) => s.occurrences)).toEqual([10, 10, 10, 10]);
    expect(p.bestStrategies[0]!.score).toBeCloseTo(10 * (1.002 ** 5 - 1), 12);
    expect(p.volatilityRange![0]).toBeLessThanOrEqual(p.meanVolatility!);
    expect(p.volatilityRange![1]).toBeGreaterThanOrEqual(p.meanVolatility!);
    expect(families[0]!.windows).toEqual({ 1: 120, 2: 116, 3: 112 });
    expect(families[0]!.distinctPatterns).toBe(6);
  });
});

function random(seed: number, strategies: number, nBars: number): { close: Float64Array; traces: PatternTraceInput[] } {
  const rng = new Rng(seed);
  const close = new Float64Array(nBars);
  let price = 50;
  for (let t = 0; t < nBars; t++) close[t] = price *= 1 + rng.normal(0, 0.01);
  const traces = Array.from({ length: strategies }, (_, s) => {
    const idx: number[] = [];
    const signal: number[] = [];
    for (let t = 0; t < nBars; t++) {
      if (rng.chance(0.08)) {
        idx.push(t);
        signal.push(rng.integer(-1, 2));
      }
    }
    return { id: `r${s}`, idx: Int32Array.from(idx), signal: Float64Array.from(signal) };
  });
  return { close, traces };
}

function byId(patterns: TradingPattern[]): Map<string, TradingPattern> {
  return new Map(patterns.map((p) => [p.states.join(','), p]));
}

describe('PatternMiner vs reference', () => {
  it('support, confidence, win rate, mean return and strategies of every pattern equal the oracle', () => {
    const { close, traces } = random(99, 7, 1500);
    const horizon = 7;
    const maxLength = 4;
    const miner = new PatternMiner({ minSupport: 0, minConfidence: 0, maxLength, horizon });
    const { patterns, families } = miner.minePatterns({ rnd: traces }, { close });
    const { ngrams: reference, occurrences } = referenceCountPatterns(traces, close, maxLength, 2, horizon);
    const windows = new Map<number, number>();
    for (const rec of reference.values()) windows.set(rec.length, (windows.get(rec.length) ?? 0) + rec.count);
    const got = byId(patterns);
    const reported = [...reference.values()].filter((r) => r.length >= 2);
    expect(got.size).toBe(reported.length);
    expect(families[0]!.distinctPatterns).toBe(reported.length);
    for (const want of reported) {
      const p = got.get(want.states)!;
      expect(p.occurrences).toBe(want.count);
      expect(p.support).toBeCloseTo(want.count / windows.get(want.length)!, 12);
      const prefix = reference.get(want.states.split(',').slice(0, -1).join(','))!;
      expect(p.confidence).toBeCloseTo(want.count / prefix.count, 12);
      expect(p.strategies).toBe(want.strategies);
      expect(p.winRate).toBeCloseTo(want.wins / want.returnCount, 12);
      expect(p.avgReturn).toBeCloseTo(want.sumReturn / want.returnCount, 12);
      expect(p.avgDuration).toBeCloseTo(want.sumDuration / want.count, 12);
      // forward windows shared between occurrences, the family's strategies pooled: the double sum
      const bars = occurrences.flat().filter((o) => o.states === want.states && !Number.isNaN(o.forwardReturn)).map((o) => o.bar);
      let shared = 0;
      for (const a of bars) for (const b of bars) shared += Math.max(0, horizon - Math.abs(a - b));
      expect(p.overlapFactor, want.states).toBe(bars.length > 0 ? shared / (bars.length * horizon) : null);
      expect(p.effectiveCount).toBe(bars.length > 0 ? bars.length / p.overlapFactor! : null);
      expect(p.tStatOverlap).toBe(p.tStat === null || p.overlapFactor === null ? null : p.tStat / Math.sqrt(p.overlapFactor));
      if (p.tStatOverlap !== null) expect(p.pValueOverlap).toBe(2 * normalSurvival(Math.abs(p.tStatOverlap)));
    }
    expect(patterns.some((p) => p.overlapFactor !== null && p.overlapFactor > 1)).toBe(true);
    // thresholds filter exactly
    const strict = new PatternMiner({ minSupport: 0.06, minConfidence: 0.45, maxLength, horizon }).minePatterns({ rnd: traces }, { close }).patterns;
    expect(strict.length).toBe(patterns.filter((p) => p.support >= 0.06 && p.confidence >= 0.45).length);
    expect(strict.length).toBeGreaterThan(0);
  });

  it('the overlap correction measured a few patterns per pass (a small count budget) gives the same figures', () => {
    const { close, traces } = random(5, 6, 800);
    const options = { minSupport: 0, minConfidence: 0, maxLength: 3, horizon: 9 };
    const onePass = new PatternMiner(options).minePatterns({ f: traces }, { close }).patterns;
    const manyPasses = new PatternMiner({ ...options, overlapGroupBytes: 3 * 4 * 800 }).minePatterns({ f: traces }, { close }).patterns;
    expect(onePass.length).toBeGreaterThan(6);
    expect(manyPasses).toEqual(onePass);
    expect(() => new PatternMiner({ overlapGroupBytes: 0 })).toThrow(/overlapGroupBytes must be an integer/);
  });

  it('a table that must grow (capacity 4) gives the same patterns as a large one', () => {
    const { close, traces } = random(5, 5, 800);
    const options = { minSupport: 0.01, minConfidence: 0.1, maxLength: 5, horizon: 3, bestStrategies: 2 };
    const large = new PatternMiner({ ...options, capacity: 4096 }).minePatterns({ f: traces }, { close });
    const small = new PatternMiner({ ...options, capacity: 4 }).minePatterns({ f: traces }, { close });
    expect(small.families[0]!.rebuilds).toBeGreaterThan(0);
    expect(small.patterns).toEqual(large.patterns);
  });
});

describe('pattern classification', () => {
  it('structure from signs, type from family name first', () => {
    expect(patternStructure([1, -1, 1])).toBe('reversal');
    expect(patternStructure([1, 0, -1])).toBe('reversal');
    expect(patternStructure([1, 0, 1])).toBe('continuation');
    expect(patternStructure([0, 1, 0])).toBe('round_trip');
    expect(classifyPattern('donchian_breakout', [1, -1, 1])).toBe('breakout');
    expect(classifyPattern('bollinger_reversion', [1, 0, 1])).toBe('mean_reversion');
    expect(classifyPattern('sma_crossover', [1, -1, 1])).toBe('momentum');
    expect(classifyPattern('custom', [1, 0, 1])).toBe('momentum');
    expect(classifyPattern('custom', [0, 1, 0])).toBe('breakout');
  });
});

describe('findRegimePatterns', () => {
  it('hand example: counts, mean, std, t-statistic and normal p-value per transition', () => {
    // states a (0..2), b (3..5), a (6..7), b (8..11); H = 2
    const trace = { idx: Int32Array.of(0, 3, 6, 8), state: Int32Array.of(0, 1, 0, 1), labels: ['a', 'b'] };
    const close = Float64Array.of(100, 100, 100, 100, 100, 110, 100, 100, 100, 100, 105, 100);
    const stats = findRegimePatterns(trace, close, 2);
    const ab = stats.find((s) => s.transition === 'a → b')!;
    const ba = stats.find((s) => s.transition === 'b → a')!;
    // a -> b at 3 (close 5 / close 3 - 1 = 0.10) and at 8 (0.05)
    expect(ab.count).toBe(2);
    expect(ab.meanReturn).toBeCloseTo(0.075, 12);
    const std = Math.sqrt(((0.025 ** 2) * 2) / 1);
    expect(ab.std).toBeCloseTo(std, 12);
    expect(ab.tStat).toBeCloseTo(0.075 / (std / Math.sqrt(2)), 9);
    expect(ab.tStat).toBeCloseTo(3, 9);
    expect(ab.pValue).toBeCloseTo(2 * normalSurvival(3), 12);
    expect(ab.winRate).toBe(1);
    expect(ab.profitable).toBe(true);
    // b -> a at 6: close 8 / close 6 - 1 = 0; one observation: no std, no t
    expect(ba).toMatchObject({ count: 1, returnCount: 1, meanReturn: 0, std: null, tStat: null, pValue: null, profitable: false });
    expect(stats[0]).toBe(ab);
    // a transition whose horizon runs past the end is counted, without a return
    const late = findRegimePatterns({ idx: Int32Array.of(0, 11), state: Int32Array.of(0, 1), labels: ['a', 'b'] }, close, 2);
    expect(late[0]).toMatchObject({ count: 1, returnCount: 0, meanReturn: null, overlapFactor: null, tStatOverlap: null });
    // windows 5 bars apart with H = 2 share no bar: the correction changes nothing
    expect(ab).toMatchObject({ overlapFactor: 1, effectiveCount: 2, tStatOverlap: ab.tStat, pValueOverlap: ab.pValue });
  });

  it('corrects t for transitions closer than the horizon, whose windows share bars', () => {
    // a -> b at bars 2, 4 and 11, H = 4: windows (2, 6] and (4, 8] share 2 bars, (11, 15] none
    const trace = { idx: Int32Array.of(0, 2, 3, 4, 10, 11), state: Int32Array.of(0, 1, 0, 1, 0, 1), labels: ['a', 'b'] };
    const close = Float64Array.from({ length: 20 }, (_, t) => 100 * (1 + 0.01 * Math.sin(t) + 0.002 * t));
    const ab = findRegimePatterns(trace, close, 4).find((s) => s.transition === 'a → b')!;
    expect(ab.returnCount).toBe(3);
    // sum over i, j of the shared bars: 3 x 4 on the diagonal + 2 x 2 for the pair (2, 4)
    expect(ab.overlapFactor).toBeCloseTo((12 + 4) / 12, 14);
    expect(ab.effectiveCount).toBeCloseTo(3 / ((12 + 4) / 12), 12);
    expect(ab.tStatOverlap).toBeCloseTo(ab.tStat! / Math.sqrt(16 / 12), 12);
    expect(ab.pValueOverlap).toBeCloseTo(2 * normalSurvival(Math.abs(ab.tStatOverlap!)), 14);
    expect(Math.abs(ab.tStatOverlap!)).toBeLessThan(Math.abs(ab.tStat!));
  });

  it('windowOverlapFactor equals the double sum of shared bars, on random event times', () => {
    const rng = new Rng(99);
    for (let trial = 0; trial < 200; trial++) {
      const horizon = rng.integer(1, 30);
      const bars: number[] = [];
      let t = 0;
      // (several occurrences may complete at the same bar: a family's strategies often do)
      for (let i = rng.integer(1, 120); i > 0; i--) bars.push((t += rng.integer(0, 25)));
      let shared = 0;
      for (const a of bars) for (const b of bars) shared += Math.max(0, horizon - Math.abs(a - b));
      expect(windowOverlapFactor(bars, horizon)).toBe(shared / (bars.length * horizon));
    }
    expect(windowOverlapFactor([5, 5 + 100], 3)).toBe(1);
  });

  it('coverageOverlapFactor (from per-bar counts, no sort) equals windowOverlapFactor', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const horizon = rng.integer(1, 30);
      const n = rng.integer(1, 300);
      const counts = new Uint32Array(n);
      for (let k = rng.integer(1, 200); k > 0; k--) counts[rng.integer(0, n)]! += rng.integer(1, 4);
      const bars: number[] = [];
      counts.forEach((c, t) => { for (let i = 0; i < c; i++) bars.push(t); });
      expect(coverageOverlapFactor(counts, horizon)).toBe(windowOverlapFactor(bars, horizon));
    }
    expect(coverageOverlapFactor(new Uint32Array(10), 5)).toBeNull();
  });
});
