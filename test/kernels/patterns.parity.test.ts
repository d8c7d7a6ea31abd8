// assembly/patterns.ts countPatterns (via src/kernels/patterns.ts) vs the plain-TS oracle
// test/reference/patterns.ts: n-gram counts, distinct strategies, forward-return sums, durations
// and occurrence records on random change lists, edge cases and a tiny (colliding / full) table.
import { afterEach, describe, expect, it } from 'vitest';
import {
  PatternCounter, patternKey, patternLength, patternStates, readSlot, readStrategySlot,
} from '../../src/kernels/patterns.ts';
import { referenceCountPatterns, referenceTransitions } from '../reference/patterns.ts';
import { Rng } from '../helpers/rng.ts';

const counters: PatternCounter[] = [];
afterEach(() => {
  while (counters.length > 0) counters.pop()!.dispose();
});

function counter(close: Float64Array, maxLength: number, capacity = 1024, horizon = 5, minLength = 2): PatternCounter {
  const c = PatternCounter.create({ capacity, maxLength, minLength, horizon, close, changes: 8 });
  counters.push(c);
  return c;
}

function randomWalk(rng: Rng, n: number): Float64Array {
  const close = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    p *= 1 + rng.normal(0, 0.01);
    close[t] = p;
  }
  return close;
}

function randomTrace(rng: Rng, nBars: number, changes: number, fractional = false): { idx: Int32Array; signal: Float64Array } {
  const bars = new Set<number>();
  while (bars.size < Math.min(changes, nBars)) bars.add(rng.integer(0, nBars));
  const idx = Int32Array.from([...bars].sort((a, b) => a - b));
  // repeats of the same value are allowed: they are not changes and must be dropped
  const signal = Float64Array.from(idx, () => (fractional ? rng.between(-1, 1) * (rng.chance(0.2) ? 0 : 1) : rng.integer(-1, 2)));
  return { idx, signal };
}

function tableByStates(c: PatternCounter): Map<string, ReturnType<typeof readSlot>> {
  const out = new Map<string, ReturnType<typeof readSlot>>();
  for (const slot of c.occupiedSlots()) {
    const rec = readSlot(c, slot);
    out.set(patternStates(rec.key).join(','), rec);
  }
  return out;
}

function expectTableEqualsReference(c: PatternCounter, reference: ReturnType<typeof referenceCountPatterns>): void {
  const got = tableByStates(c);
  expect([...got.keys()].sort()).toEqual([...reference.ngrams.keys()].sort());
  for (const [states, want] of reference.ngrams) {
    const rec = got.get(states)!;
    expect(rec.count, states).toBe(want.count);
    expect(rec.strategies, states).toBe(want.strategies);
    expect(rec.returnCount, states).toBe(want.returnCount);
    expect(rec.wins, states).toBe(want.wins);
    expect(rec.sumDuration, states).toBe(want.sumDuration);
    expect(rec.sumReturn).toBeCloseTo(want.sumReturn, 12);
    expect(rec.sumSquares).toBeCloseTo(want.sumSquares, 12);
    expect(patternLength(rec.key)).toBe(want.length);
  }
}

describe('pattern keys', () => {
  it('pack and unpack states; prefix is key >> 1', () => {
    const states = [0, 1, -1, 0, -1, 1];
    const key = patternKey(states);
    expect(patternStates(key)).toEqual(states);
    expect(patternLength(key)).toBe(5);
    expect(patternStates(key >> 1)).toEqual(states.slice(0, -1));
    expect(() => patternKey([0, 0])).toThrow();
  });
});

describe('countPatterns vs reference', () => {
  it('random change lists (int and fractional signals), several strategies, maxLength 1..6', () => {
    const rng = new Rng(20240611);
    for (let round = 0; round < 12; round++) {
      const nBars = rng.integer(50, 800);
      const close = randomWalk(rng, nBars);
      const maxLength = 1 + (round % 6);
      const minLength = Math.min(maxLength, 1 + (round % 3));
      const horizon = rng.integer(1, 30);
      const strategies = Array.from({ length: rng.integer(1, 6) }, () => randomTrace(rng, nBars, rng.integer(0, 120), round % 4 === 3));
      const c = counter(close, maxLength, 1024, horizon, minLength);
      const reference = referenceCountPatterns(strategies, close, maxLength, minLength, horizon);
      strategies.forEach((s, ordinal) => {
        const result = c.count(s.idx, s.signal, ordinal);
        expect(result.dropped).toBe(0);
        expect(result.transitions).toBe(referenceTransitions(s.idx, s.signal).bars.length);
        const wantOcc = reference.occurrences[ordinal]!;
        expect(result.occurrenceBar.length).toBe(wantOcc.length);
        const i32 = c.i32;
        wantOcc.forEach((o, j) => {
          expect(patternStates(i32[result.occurrenceSlot[j]! * 20]!).join(',')).toBe(o.states);
          expect(result.occurrenceBar[j]).toBe(o.bar);
          if (Number.isNaN(o.forwardReturn)) expect(result.occurrenceReturn[j]).toBeNaN();
          else expect(result.occurrenceReturn[j]).toBeCloseTo(o.forwardReturn, 14);
        });
        // per-strategy fields of touched slots equal this strategy's own counts
        const own = referenceCountPatterns([s], close, maxLength, minLength, horizon).ngrams;
        expect(result.touched.length).toBe(own.size);
        for (const slot of result.touched) {
          const states = patternStates(i32[slot * 20]!).join(',');
          const mine = readStrategySlot(c, slot);
          expect(mine.count).toBe(own.get(states)!.count);
          expect(mine.wins).toBe(own.get(states)!.wins);
          expect(mine.returnCount).toBe(own.get(states)!.returnCount);
          expect(mine.sumReturn).toBeCloseTo(own.get(states)!.sumReturn, 12);
        }
      });
      expectTableEqualsReference(c, reference);
    }
  });

  it('edge cases: empty, one change, all the same value, leading zeros', () => {
    const close = Float64Array.from({ length: 40 }, (_, i) => 100 + i);
    const c = counter(close, 3);
    const empty = c.count(new Int32Array(0), new Float64Array(0), 0);
    expect([empty.transitions, empty.windows, empty.occurrenceBar.length, empty.touched.length]).toEqual([0, 0, 0, 0]);
    const one = c.count(Int32Array.of(3), Float64Array.of(1), 1);
    expect([one.transitions, one.windows, one.occurrenceBar.length]).toEqual([1, 1, 0]); // a 1-gram only
    const same = c.count(Int32Array.of(1, 2, 3, 4), Float64Array.of(-1, -1, -1, -1), 2);
    expect([same.transitions, same.windows]).toEqual([1, 1]);
    const zeros = c.count(Int32Array.of(1, 2, 3), Float64Array.of(0, 0, 0), 3);
    expect(zeros.transitions).toBe(0);
    const table = tableByStates(c);
    expect(table.get('0,1')!.count).toBe(1);
    expect(table.get('0,-1')!.count).toBe(1);
    // forward return over 5 bars after bar 3 of the rising closes, long direction
    expect(table.get('0,1')!.sumReturn).toBeCloseTo(108 / 103 - 1, 14);
    expect(table.get('0,-1')!.sumReturn).toBeCloseTo(-(106 / 101 - 1), 14);
    // horizon past the end: counted, no return
    const late = c.count(Int32Array.of(36, 38), Float64Array.of(1, -1), 4);
    expect(late.occurrenceReturn[0]).toBeNaN();
    expect(tableByStates(c).get('0,1,-1')!.returnCount).toBe(0);
  });

  it('tiny tables: collisions resolve by probing; a full table drops windows and reports them', () => {
    const rng = new Rng(7);
    const close = randomWalk(rng, 300);
    const strategies = Array.from({ length: 4 }, () => randomTrace(rng, 300, 80));
    const reference = referenceCountPatterns(strategies, close, 3, 2, 4);
    const distinct = reference.ngrams.size;
    // exactly enough slots (next power of 2 >= distinct) still gives exact counts
    let capacity = 1;
    while (capacity < distinct) capacity *= 2;
    const exact = counter(close, 3, capacity, 4);
    strategies.forEach((s, i) => expect(exact.count(s.idx, s.signal, i).dropped).toBe(0));
    expectTableEqualsReference(exact, reference);

    // capacity 4 < distinct n-grams: the first 4 distinct keys fill it, later new keys are dropped
    const full = counter(close, 3, 4, 4);
    let dropped = 0;
    let windows = 0;
    strategies.forEach((s, i) => {
      const r = full.count(s.idx, s.signal, i);
      dropped += r.dropped;
      windows += r.windows;
      expect(r.occurrenceSlot.every((slot) => slot >= 0 && slot < 4)).toBe(true);
    });
    expect(full.occupiedSlots().length).toBe(4);
    const kept = [...tableByStates(full).entries()];
    const total = [...reference.ngrams.values()].reduce((a, r) => a + r.count, 0);
    expect(windows + dropped).toBe(total);
    expect(dropped).toBeGreaterThan(0);
    // the n-grams that got a slot are counted exactly
    for (const [states, rec] of kept) expect(rec.count).toBe(reference.ngrams.get(states)!.count);

    // capacity 1
    const single = counter(close, 2, 1, 4);
    const r = single.count(Int32Array.of(1, 2, 3), Float64Array.of(1, -1, 1), 0);
    expect(r.windows).toBe(1);
    expect(r.dropped).toBe(4);
  });
});
