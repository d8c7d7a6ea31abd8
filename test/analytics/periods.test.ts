// Bars per year from timestamps, and the O(n) selection it takes the median spacing with.
import { describe, expect, it } from 'vitest';
import { inferPeriodsPerYear, selectKth } from '../../src/analytics/periods.ts';
import { seededUniform } from '../../src/analytics/synthetic.ts';

describe('selectKth', () => {
  it('returns the k-th smallest value and partitions around it, duplicates and one element included', () => {
    const uniform = seededUniform(20261126);
    for (let trial = 0; trial < 3000; trial++) {
      const n = 1 + Math.floor(uniform() * 60);
      // every third trial draws from {0, 1, 2}: many equal values
      const values = Float64Array.from({ length: n }, () => (trial % 3 === 0 ? Math.floor(uniform() * 3) : uniform()));
      const sorted = Float64Array.from(values).sort();
      const k = Math.floor(uniform() * n);
      const work = Float64Array.from(values);
      expect(selectKth(work, k)).toBe(sorted[k]);
      expect(Float64Array.from(work).sort()).toEqual(sorted);
      for (let i = 0; i < k; i++) expect(work[i]! <= work[k]!).toBe(true);
      for (let i = k + 1; i < n; i++) expect(work[i]! >= work[k]!).toBe(true);
    }
  });
});

describe('inferPeriodsPerYear', () => {
  const MINUTE = 60_000;
  const DAY = 86_400_000;

  function stamps(gaps: number[]): Float64Array {
    const ts = new Float64Array(gaps.length + 1);
    for (let i = 0; i < gaps.length; i++) ts[i + 1] = ts[i]! + gaps[i]!;
    return ts;
  }

  it('takes the median spacing: 1-minute bars with overnight gaps -> 252 x 390', () => {
    const gaps = Array.from({ length: 3899 }, (_, i) => (i % 390 === 389 ? 17.5 * 60 * MINUTE : MINUTE));
    expect(inferPeriodsPerYear(stamps(gaps)).periodsPerYear).toBeCloseTo(252 * 390, 9);
  });

  it('averages the two middle spacings of an even count', () => {
    // spacings 1, 2, 3, 4 minutes in scrambled order: median 2.5 minutes
    const choice = inferPeriodsPerYear(stamps([3 * MINUTE, MINUTE, 4 * MINUTE, 2 * MINUTE]));
    expect(choice.periodsPerYear).toBeCloseTo((252 * 6.5 * 60) / 2.5, 9);
    expect(choice.source).toContain('2.50 min');
  });

  it('daily bars with weekends -> 252; weekly -> 52; fewer than two stamps -> 252', () => {
    const weekdays = Array.from({ length: 499 }, (_, i) => (i % 5 === 4 ? 3 * DAY : DAY));
    expect(inferPeriodsPerYear(stamps(weekdays)).periodsPerYear).toBe(252);
    expect(inferPeriodsPerYear(stamps(Array.from({ length: 100 }, () => 7 * DAY))).periodsPerYear).toBe(52);
    expect(inferPeriodsPerYear(new Float64Array([0])).periodsPerYear).toBe(252);
  });
});
