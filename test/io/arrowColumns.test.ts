import { Float64, makeData, makeVector, Timestamp, TimeUnit, Vector, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnToFloat64, columnToInt32 } from '../../src/io/arrowColumns.ts';

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

describe('columnToFloat64 on Timestamp columns', () => {
  /** A Timestamp column of `unit` over int64 values (null where `valid` says so). */
  const timestamps = (unit: TimeUnit, values: bigint[], valid?: boolean[]) => new Vector([makeData({
    type: new Timestamp(unit), length: values.length, nullCount: valid ? valid.filter((v) => !v).length : 0,
    data: BigInt64Array.from(values), nullBitmap: valid ? bitmap(valid) : undefined,
  })]);
  const bitmap = (valid: boolean[]) => {
    const bits = new Uint8Array(Math.ceil(valid.length / 8));
    valid.forEach((v, i) => { if (v) bits[i >> 3]! |= 1 << (i & 7); });
    return bits;
  };
  /** What apache-arrow's getters give, as columnToFloat64 read them before (null as NaN). */
  const byGetters = (vector: Vector) => Array.from({ length: vector.length }, (_, i) => {
    const v = vector.get(i) as number | null;
    return v === null ? NaN : Number(v);
  });
  const safe = 2n ** 53n - 1n;
  const values = [
    0n, 1n, -1n, 999n, -999n, 1000n, -1000n, 1001n, -1001n, 1_711_459_800_123_456n, -1_711_459_800_123_456n,
    1_700_000_000_000n, safe, -safe, safe - 1n, 123_456_789_012_345n, -5_000_000_000_001n,
    ...Array.from({ length: 200 }, (_, i) => BigInt(Math.round((Math.sin(i + 1) * 2 ** 52))) * (i % 2 ? 1n : -1n)),
  ];

  it.each([['SECOND', TimeUnit.SECOND], ['MILLISECOND', TimeUnit.MILLISECOND], ['MICROSECOND', TimeUnit.MICROSECOND], ['NANOSECOND', TimeUnit.NANOSECOND]] as const)(
    '%s: the same doubles as the getters (exact µs fractions, negatives, ±(2^53 - 1))',
    (_name, unit) => {
      const vector = timestamps(unit, unit === TimeUnit.SECOND ? values.map((v) => v / 1000n) : values);
      const out = columnToFloat64(vector, 'f', 'ts');
      const expected = byGetters(vector);
      expect(out.length).toBe(expected.length);
      out.forEach((v, i) => expect(Object.is(v, expected[i]), `row ${i}: ${v} vs ${expected[i]}`).toBe(true));
    },
  );

  it('nulls become NaN, and a value beyond 2^53 behaves as the getters do', () => {
    const nullable = timestamps(TimeUnit.MICROSECOND, [1_000_500n, 0n, 3_000_000n], [true, false, true]);
    expect([...columnToFloat64(nullable, 'f', 'ts')]).toEqual([1000.5, NaN, 3000]);
    const beyond = timestamps(TimeUnit.MICROSECOND, [1n, 2n ** 60n + 7n]);
    expect([...columnToFloat64(beyond, 'f', 'ts')]).toEqual(byGetters(beyond));
    const unsafe = timestamps(TimeUnit.MILLISECOND, [1n, 2n ** 60n]);
    expect(() => unsafe.get(1)).toThrow(TypeError);
    expect(() => columnToFloat64(unsafe, 'f', 'ts')).toThrow(`${2n ** 60n} is not safe to convert to a number.`);
  });
});

describe('columnToInt32', () => {
  it('returns an array of its own for one or many int32 chunks', () => {
    const one = Int32Array.of(1, 2, 3);
    const out = columnToInt32(makeVector(one), 'f', 'idx');
    expect(out).toEqual(one);
    expect(out.buffer).not.toBe(one.buffer);
    const chunked = makeVector(Int32Array.of(1, 2)).concat(makeVector(Int32Array.of(3)));
    expect([...columnToInt32(chunked, 'f', 'idx')]).toEqual([1, 2, 3]);
  });

  it('narrows int64 exactly at the int32 bounds and names the first row beyond them', () => {
    const fits = BigInt64Array.of(0n, -1n, 2_147_483_647n, -2_147_483_648n, 4_294_967_295n - 4_294_967_296n);
    expect([...columnToInt32(makeVector(fits), 'f', 'idx')]).toEqual([0, -1, 2_147_483_647, -2_147_483_648, -1]);
    for (const [bad, shown] of [[2_147_483_648n, '2147483648'], [-2_147_483_649n, '-2147483649'], [4_294_967_296n, '4294967296'], [-(2n ** 40n), '-1099511627776']] as const) {
      expect(() => columnToInt32(makeVector(BigInt64Array.of(5n, bad)), 'f.parquet', 'idx')).toThrow(`f.parquet: column 'idx', row 1: ${shown} does not fit in int32`);
    }
    expect(() => columnToInt32(makeVector(Uint32Array.of(1, 4_000_000_000)), 'f.parquet', 'idx')).toThrow("f.parquet: column 'idx', row 1: 4000000000 does not fit in int32");
  });
});
