import { makeVector, vectorFromArray, Float64 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnToFloat64 } from '../../src/io/arrowColumns.ts';

describe('columnToFloat64', () => {
  it('converts int64 columns exactly without BigInt per value (signed, large, negative)', () => {
    const values = BigInt64Array.from([0n, 1n, -1n, 1_711_459_800_000n, -1_711_459_800_000n, 2n ** 52n, -(2n ** 52n) + 3n, 4_294_967_296n, -4_294_967_297n]);
    expect([...columnToFloat64(makeVector(values), 'f', 'c')]).toEqual([...values].map(Number));
    const unsigned = BigUint64Array.from([0n, 4_294_967_295n, 4_294_967_296n, 2n ** 53n - 1n]);
    expect([...columnToFloat64(makeVector(unsigned), 'f', 'c')]).toEqual([...unsigned].map(Number));
  });

  it('copies float64 columns of one or many chunks, nulls as NaN', () => {
    const one = Float64Array.of(1.5, -2, 3);
    const out = columnToFloat64(makeVector(one), 'f', 'c');
    expect([...out]).toEqual([1.5, -2, 3]);
    out[0] = 9;
    expect(one[0]).toBe(1.5); // a copy, never a view the caller could write through
    const chunked = makeVector(Float64Array.of(1, 2)).concat(makeVector(Float64Array.of(3)));
    expect([...columnToFloat64(chunked, 'f', 'c')]).toEqual([1, 2, 3]);
    expect([...columnToFloat64(vectorFromArray([1, null, 3], new Float64()), 'f', 'c')]).toEqual([1, NaN, 3]);
  });
});
