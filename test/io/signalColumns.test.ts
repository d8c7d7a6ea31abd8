import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Int32, makeVector, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { readParquetFooter, writeParquetTable } from '../../src/io/parquet.ts';
import { parquetWasm } from '../../src/io/parquetWasm.ts';
import { readResultTable, writeResultTable, type ResultColumn } from '../../src/io/resultTables.ts';
import { readSignalColumns } from '../../src/io/signalColumns.ts';
import { readSignalAt, type TraceLocator } from '../../src/io/traceLocator.ts';
import { readSignalTrace, writeSignalTrace } from '../../src/io/traces.ts';
import { admfFixturesAvailable, GRID_12778120, tempDir } from './fixtures.ts';

const temp = tempDir();
afterAll(() => temp.cleanup());
const at = (name: string) => join(temp.dir, name);

/** The error `read` throws (its class name and message), or 'no error'. */
function failure(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'no error';
}

/** The first index where two arrays differ (Object.is, so NaN and -0 count), or -1; length differences count at the end. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/** Reader options with `barCount` when given. */
const withBars = (barCount: number | undefined) => (barCount === undefined ? {} : { barCount });

/** Expects the lean reader to return exactly what readSignalTrace returns for idx, signal and valueType. */
function expectSameAsFull(path: string, barCount?: number): void {
  const full = readSignalTrace(path, withBars(barCount));
  const lean = readSignalColumns(path, withBars(barCount));
  expect(lean.file).toBe(path);
  expect(lean.valueType).toBe(full.valueType);
  expect(lean.idx).toBeInstanceOf(Int32Array);
  expect(lean.signal).toBeInstanceOf(Float64Array);
  expect(firstDifference(lean.idx, full.idx)).toBe(-1);
  expect(firstDifference(lean.signal, full.signal)).toBe(-1);
}

describe('readSignalColumns returns what readSignalTrace returns', () => {
  const n = 150_000;
  const idx = Int32Array.from({ length: n }, (_, i) => 3 * i + (i % 2));
  const bars = 3 * n + 1;

  it('int8 signals, in several row groups and more rows than one IPC batch', () => {
    const signal = Int8Array.from({ length: n }, (_, i) => (i % 3) - 1);
    writeSignalTrace(at('int8.parquet'), { idx, signal }, { id: 'a', family: 'f', bars }, { rowGroupRows: 40_000 });
    expectSameAsFull(at('int8.parquet'), bars);
    const lean = readSignalColumns(at('int8.parquet'));
    expect(lean.valueType).toBe('int8');
    expect(firstDifference(lean.idx, idx)).toBe(-1);
    expect(firstDifference(lean.signal, signal)).toBe(-1);
  });

  it('float32 weights, and float64 values stored by another writer (read as float32 weights, like the full reader)', () => {
    const weights = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) / 3));
    writeSignalTrace(at('float32.parquet'), { idx, signal: weights }, { id: 'b', family: 'f', bars }, { rowGroupRows: 65_536 });
    expectSameAsFull(at('float32.parquet'), bars);
    expect(firstDifference(readSignalColumns(at('float32.parquet')).signal, weights)).toBe(-1);
    writeResultTable(at('float64.parquet'), { idx: Int32Array.of(1, 5), signal: Float64Array.of(0.1, -1e300) });
    expectSameAsFull(at('float64.parquet'));
    expect(readSignalColumns(at('float64.parquet')).valueType).toBe('float32');
  });

  it('an empty trace, an int64 idx, and the optional columns (validated, not returned)', () => {
    writeSignalTrace(at('empty.parquet'), { idx: new Int32Array(0), signal: new Int8Array(0) }, { id: 'c', family: 'f', bars: 5 });
    expectSameAsFull(at('empty.parquet'), 5);
    writeResultTable(at('int64.parquet'), { idx: BigInt64Array.of(0n, 7n, 2_147_483_647n), signal: Int8Array.of(1, 0, -1) });
    expectSameAsFull(at('int64.parquet'));
    const tsMs = Float64Array.of(1_700_000_000_000, 1_700_000_060_000);
    writeSignalTrace(at('optional.parquet'), { idx: Int32Array.of(2, 4), signal: Int8Array.of(1, -1), tsMs, confidence: Float32Array.of(0.5, 1), px: Float64Array.of(10, 11) }, { id: 'd', family: 'f', bars: 5 });
    expectSameAsFull(at('optional.parquet'), 5);
    expect(Object.keys(readSignalColumns(at('optional.parquet'))).sort()).toEqual(['file', 'idx', 'signal', 'valueType']);
  });

  it('returns arrays of its own, not views of parquet-wasm memory that a later read overwrites', () => {
    const first = readSignalColumns(at('int8.parquet'));
    const copy = { idx: first.idx.slice(), signal: first.signal.slice() };
    readSignalColumns(at('float32.parquet'));
    readSignalTrace(at('int8.parquet'));
    const memory = parquetWasm().wasmMemory().buffer;
    expect(first.idx.buffer).not.toBe(memory);
    expect(first.signal.buffer).not.toBe(memory);
    expect(firstDifference(first.idx, copy.idx)).toBe(-1);
    expect(firstDifference(first.signal, copy.signal)).toBe(-1);
  });
});

describe('readSignalColumns rejects every bad file with the full reader\'s error', () => {
  const columns = (name: string, values: Record<string, ResultColumn>, metadata?: Record<string, string>) => {
    writeResultTable(at(name), values, metadata ? { metadata } : {});
    return at(name);
  };
  writeSignalTrace(at('good.parquet'), { idx: Int32Array.of(1, 2, 3), signal: Int8Array.of(1, 0, -1) }, { id: 'g', family: 'f', bars: 4 });
  const footer = Object.fromEntries(readParquetFooter(at('good.parquet')).metadata);
  const bytes = readFileSync(at('good.parquet'));
  writeFileSync(at('truncated.parquet'), bytes.subarray(0, bytes.length - 20));
  writeFileSync(at('text.parquet'), 'idx,signal\n1,1\n');
  writeParquetTable(at('null-idx.parquet'), new Table({ idx: vectorFromArray([0, null, 5], new Int32()), signal: makeVector(Int8Array.of(1, 0, 1)) }));
  const i8 = Int8Array.of(1, 0, 1);

  it.each([
    ['unsorted idx', columns('unsorted.parquet', { idx: Int32Array.of(0, 4, 2), signal: i8 }), undefined, /row 2: unsorted bar index 2 after 4/],
    ['duplicated idx', columns('dup.parquet', { idx: Int32Array.of(0, 4, 4), signal: i8 }), undefined, /row 2: duplicated bar index 4/],
    ['negative idx', columns('negative.parquet', { idx: Int32Array.of(-1, 4, 5), signal: i8 }), undefined, /row 0: negative bar index -1/],
    ['negative idx after valid ones', columns('negative2.parquet', { idx: Int32Array.of(0, 1, -3), signal: i8 }), undefined, /row 2: negative bar index -3/],
    ['idx beyond the bars', columns('range.parquet', { idx: Int32Array.of(0, 4, 7), signal: i8 }), 7, /row 2: bar index 7 is beyond the last bar 6 \(7 bars\)/],
    ['int8 signal 2', columns('value.parquet', { idx: Int32Array.of(0, 4), signal: Int8Array.of(1, 2) }), undefined, /column 'signal', row 1: value 2 is not one of -1, 0, 1/],
    ['int8 signal -128', columns('value2.parquet', { idx: Int32Array.of(0, 4), signal: Int8Array.of(-128, 1) }), undefined, /row 0: value -128 is not one of/],
    ['NaN weight', columns('nan.parquet', { idx: Int32Array.of(0, 4), signal: Float32Array.of(0.5, NaN) }), undefined, /row 1: value NaN is not finite/],
    ['infinite weight', columns('inf.parquet', { idx: Int32Array.of(0, 4), signal: Float64Array.of(-Infinity, 1) }), undefined, /row 0: value -Infinity is not finite/],
    ['unsorted idx and a bad value (idx reported first)', columns('both.parquet', { idx: Int32Array.of(3, 1), signal: Int8Array.of(5, 1) }), undefined, /row 1: unsorted bar index 1 after 3/],
    ['missing idx', columns('noidx.parquet', { bar: Int32Array.of(0, 4), signal: Int8Array.of(1, 0) }), undefined, /missing column 'idx' \(columns: bar, signal\)/],
    ['missing signal', columns('nosignal.parquet', { idx: Int32Array.of(0, 4), position: Int8Array.of(1, 0) }), undefined, /missing column 'signal' \(columns: idx, position\)/],
    ['int32 signal', columns('int32signal.parquet', { idx: Int32Array.of(0, 4), signal: Int32Array.of(1, 0) }), undefined, /column 'signal' has type Int32, expected Int8 or Float32/],
    ['float idx', columns('floatidx.parquet', { idx: Float64Array.of(0, 4), signal: i8.subarray(0, 2) }), undefined, /column 'idx' has type Float64, expected an integer type/],
    ['string idx', columns('stringidx.parquet', { idx: ['0', '4'], signal: i8.subarray(0, 2) }), undefined, /column 'idx' has type Utf8, expected an integer type/],
    ['int64 idx beyond int32', columns('bigidx.parquet', { idx: BigInt64Array.of(1n, 2_147_483_648n), signal: i8.subarray(0, 2) }), undefined, /column 'idx', row 1: 2147483648 does not fit in int32/],
    ['null idx', at('null-idx.parquet'), undefined, /column 'idx', row 1: null value/],
    ['NaN px', columns('px.parquet', { idx: Int32Array.of(0, 4), signal: i8.subarray(0, 2), px: Float64Array.of(1, NaN) }), undefined, /column 'px', row 1: value NaN is not finite/],
    ['string confidence', columns('conf.parquet', { idx: Int32Array.of(0, 4), signal: i8.subarray(0, 2), confidence: ['a', 'b'] }), undefined, /column 'confidence' has type Utf8, expected a number/],
    ['damaged footer', columns('footer.parquet', { idx: Int32Array.of(1, 2), signal: i8.subarray(0, 2) }, { ...footer, 'sweeplens:parameters': '{oops' }), undefined, /footer\.parquet/],
    ['truncated file', at('truncated.parquet'), undefined, /truncated\.parquet: not a Parquet file/],
    ['text file', at('text.parquet'), undefined, /text\.parquet: not a Parquet file/],
    ['missing file', at('missing.parquet'), undefined, /missing\.parquet: cannot read/],
  ])('%s', (_name, path, barCount, message) => {
    const full = failure(() => readSignalTrace(path, withBars(barCount)));
    expect(full).toMatch(/^SchemaError: /);
    expect(full).toMatch(message);
    expect(failure(() => readSignalColumns(path, withBars(barCount)))).toBe(full);
  });
});

describe('readSignalAt with columnsOnly', () => {
  it('reads a native trace by the lean reader, validated against the locator\'s bar count', () => {
    writeSignalTrace(at('located.parquet'), { idx: Int32Array.of(0, 9), signal: Int8Array.of(1, -1) }, { id: 'l', family: 'f', bars: 10 });
    const locator: TraceLocator = { file: at('located.parquet'), format: 'sweeplens', idxBase: 0, barCount: 10, symbol: 'X' };
    const lean = readSignalAt(locator, { columnsOnly: true });
    expect(Object.keys(lean).sort()).toEqual(['file', 'idx', 'signal', 'valueType']);
    const full = readSignalAt(locator);
    expect(lean).toEqual({ file: full.file, idx: full.idx, signal: full.signal, valueType: full.valueType });
    const short = { ...locator, barCount: 9 };
    expect(failure(() => readSignalAt(short, { columnsOnly: true }))).toBe(failure(() => readSignalAt(short)));
    expect(failure(() => readSignalAt(short))).toMatch(/row 1: bar index 9 is beyond the last bar 8/);
  });

  it.skipIf(!admfFixturesAvailable())('reads ADMF-PC traces as the IPC path shows them (idx base applied, int64 val narrowed)', () => {
    const dir = join(GRID_12778120, 'traces/SPY_1m/signals/rsi_bands_grid');
    const file = join(dir, readdirSync(dir).find((name) => name.endsWith('.parquet'))!);
    const locator: TraceLocator = { file, format: 'admf-pc', idxBase: 1, barCount: 1_000, symbol: 'SPY' };
    const trace = readSignalAt(locator, { columnsOnly: true });
    const table = readResultTable(file);
    expect(trace.valueType).toBe('int8');
    expect(trace.idx).toEqual(Int32Array.from(table.columns.get('idx') as BigInt64Array, (v) => Number(v) - 1));
    expect(trace.signal).toEqual(Float64Array.from(table.columns.get('val') as BigInt64Array, Number));
    expect(trace.idx.length).toBeGreaterThan(0);
  });
});

describe('readSignalColumns into caller memory, from a reused file buffer', () => {
  it('fills the arrays `allocate` hands out, and reads large and small files one after the other correctly', () => {
    const traces = [5, 120_000, 7, 60_000, 1].map((n, f) => {
      const idx = Int32Array.from({ length: n }, (_, i) => 2 * i + (f % 2));
      const signal = Int8Array.from({ length: n }, (_, i) => ((i + f) % 3) - 1);
      const path = at(`reuse-${f}.parquet`);
      writeSignalTrace(path, { idx, signal }, { id: `r${f}`, family: 'f', bars: 2 * n + 2 });
      return { path, idx, signal };
    });
    const slab = new Float64Array(200_000);
    const slabIdx = new Int32Array(200_000);
    let used = 0;
    const handed: { idx: Int32Array; signal: Float64Array }[] = [];
    const allocate = (rows: number) => {
      const out = { idx: slabIdx.subarray(used, used + rows), signal: slab.subarray(used, used + rows) };
      used = (used + rows) % 100_000;
      handed.push(out);
      return out;
    };
    traces.forEach(({ path, idx, signal }, f) => {
      const read = readSignalColumns(path, { barCount: 2 * idx.length + 2, allocate });
      expect(read.idx, `file ${f}`).toBe(handed[f]!.idx);
      expect(read.signal).toBe(handed[f]!.signal);
      expect(firstDifference(read.idx, idx)).toBe(-1);
      expect(firstDifference(read.signal, signal)).toBe(-1);
      // the default reader, after the same file buffer served a larger file, gives the same
      expect(firstDifference(readSignalColumns(path).idx, idx)).toBe(-1);
    });
  });

  it('a trace that needs describing still gets its exact error (the allocated arrays are not trusted)', () => {
    const path = at('reuse-bad.parquet');
    writeSignalTrace(path, { idx: Int32Array.from([1, 5, 9]), signal: Int8Array.from([1, 0, -1]) }, { id: 'b', family: 'f', bars: 10 });
    const allocate = (rows: number) => ({ idx: new Int32Array(rows), signal: new Float64Array(rows) });
    expect(failure(() => readSignalColumns(path, { barCount: 9, allocate }))).toBe(failure(() => readSignalTrace(path, { barCount: 9 })));
    expect(failure(() => readSignalColumns(path, { barCount: 9, allocate }))).toMatch(/SchemaError: .*reuse-bad\.parquet/);
  });
});
