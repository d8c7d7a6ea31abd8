import { describe, expect, it } from 'vitest';
import { downsampleCurve, minMaxDownsampleIndices, roundSignificant } from '../../src/report/downsample.ts';
import { mulberry32 } from '../helpers/rng.ts';

function isStrictlyIncreasing(values: Int32Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! <= values[i - 1]!) return false;
  return true;
}

describe('minMaxDownsampleIndices', () => {
  it('keeps every point of a short curve', () => {
    expect([...minMaxDownsampleIndices([3, 1, 2], 10)]).toEqual([0, 1, 2]);
    expect([...minMaxDownsampleIndices([], 10)]).toEqual([]);
  });

  it('stays within maxPoints, keeps the ends and is strictly increasing', () => {
    const random = mulberry32(11);
    const values = Float64Array.from({ length: 100_003 }, () => random() - 0.5);
    for (const maxPoints of [4, 5, 100, 2000]) {
      const kept = minMaxDownsampleIndices(values, maxPoints);
      expect(kept.length).toBeLessThanOrEqual(maxPoints);
      expect(kept[0]).toBe(0);
      expect(kept[kept.length - 1]).toBe(values.length - 1);
      expect(isStrictlyIncreasing(kept)).toBe(true);
    }
  });

  it('keeps the global minimum and maximum (the deepest drawdown survives)', () => {
    const random = mulberry32(5);
    const values = Float64Array.from({ length: 50_000 }, () => random());
    values[31_337] = -10;
    values[7] = 10;
    const kept = [...minMaxDownsampleIndices(values, 200)];
    expect(kept).toContain(31_337);
    expect(kept).toContain(7);
  });

  it('keeps each bucket\'s extremes: a sawtooth keeps every peak and trough at bucket resolution', () => {
    const values = Float64Array.from({ length: 1002 }, (_, i) => (i % 10 === 0 ? 1 : i % 10 === 5 ? -1 : 0));
    const kept = minMaxDownsampleIndices(values, 402); // 200 buckets of 5 points
    const keptValues = [...kept].map((i) => values[i]!);
    expect(keptValues.filter((v) => v === 1).length).toBeGreaterThanOrEqual(99);
    expect(keptValues.filter((v) => v === -1).length).toBe(100);
  });

  it('never picks NaN as an extreme; an all-NaN bucket keeps its first index', () => {
    const values = Float64Array.from({ length: 20 }, (_, i) => (i >= 2 && i < 12 ? Number.NaN : i));
    // 2 buckets over points 1..18: [1, 10) has only bar 1 finite; [10, 19) has 12..18 finite.
    expect([...minMaxDownsampleIndices(values, 6)]).toEqual([0, 1, 12, 18, 19]);
    expect([...minMaxDownsampleIndices(new Float64Array(20).fill(Number.NaN), 6)]).toEqual([0, 1, 10, 19]);
  });
});

describe('downsampleCurve', () => {
  it('pairs the kept x values with rounded y values', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => 1000 * i);
    const y = Float64Array.from({ length: 10 }, (_, i) => i / 3);
    const curve = downsampleCurve(x, y, 100);
    expect(curve.x).toEqual([...x]);
    expect(curve.y[1]).toBe(0.333333);
  });

  it('roundSignificant keeps 6 significant digits and leaves non-finite values alone', () => {
    expect(roundSignificant(123.456789)).toBe(123.457);
    expect(roundSignificant(-0)).toBe(0);
    expect(roundSignificant(Number.NaN)).toBeNaN();
  });
});
