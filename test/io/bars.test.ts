import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaError } from '../../src/errors.ts';
import {
  Int64, LargeUtf8, makeData, makeVector, Table, Timestamp, TimestampMicrosecond, TimestampSecond, Utf8, Vector, vectorFromArray,
} from 'apache-arrow';
import { int64Vector } from '../../src/io/arrowColumns.ts';
import { readBarsFile, readBarTimestampsFile, readMarketSeriesFile, writeBarsParquet } from '../../src/io/bars.ts';
import { readParquetColumns, readParquetFooter, readParquetViews, writeParquetTable } from '../../src/io/parquet.ts';
import { parquetWasm } from '../../src/io/parquetWasm.ts';
import type { Bars } from '../../src/types.ts';
import { admfFixturesAvailable, SPY_1M, SPY_5M_CSV, tempDir } from './fixtures.ts';

const temp = tempDir();
afterAll(() => temp.cleanup());
const csv = (name: string, text: string): string => {
  const path = join(temp.dir, name);
  writeFileSync(path, text);
  return path;
};

describe('bars from CSV', () => {
  it('matches headers case-insensitively and parses ISO timestamps with offsets', async () => {
    const path = csv('ok.csv', 'Datetime,Open,HIGH,low,Close,Volume,vwap\n'
      + '2024-03-26 09:30:00-04:00,521.23,521.26,520.92,521.01,342898,1\n'
      + '2024-03-26T13:31:00Z,521.03,521.11,520.88,521.07,186082,1\n'
      + '2024-03-26T15:32:00+02:00,521.0,521.2,520.9,521.1,0,1\n');
    const bars = await readBarsFile(path);
    expect([...bars.tsMs]).toEqual([Date.UTC(2024, 2, 26, 13, 30), Date.UTC(2024, 2, 26, 13, 31), Date.UTC(2024, 2, 26, 13, 32)]);
    expect([...bars.open]).toEqual([521.23, 521.03, 521.0]);
    expect([...bars.volume]).toEqual([342898, 186082, 0]);
    expect(bars.close).toBeInstanceOf(Float64Array);
  });

  it.each([
    ['seconds', ['1711459800', '1711459860']],
    ['milliseconds', ['1711459800000', '1711459860000']],
    ['microseconds', ['1711459800000000', '1711459860000000']],
  ])('parses epoch %s', async (_unit, stamps) => {
    const path = csv(`epoch-${_unit}.csv`, `ts,open,high,low,close,volume\n${stamps[0]},1,1,1,1,1\n${stamps[1]},1,1,1,1,1\n`);
    expect([...(await readBarsFile(path)).tsMs]).toEqual([1_711_459_800_000, 1_711_459_860_000]);
  });

  const header = 'timestamp,open,high,low,close,volume\n';
  it.each([
    ['a missing column', 'timestamp,open,high,low,close\n2024-01-01,1,1,1,1\n', /missing\.csv: missing column 'volume' \(columns: timestamp, open, high, low, close\)/],
    ['no timestamp column', 'when,open,high,low,close,volume\n1,1,1,1,1,1\n', /missing column 'timestamp' \(accepted names: timestamp, ts, date, datetime, time/],
    ['a non-numeric cell', `${header}2024-01-01,1,1,1,abc,1\n`, /column 'close', row 1: 'abc' is not a number/],
    ['a NaN price', `${header}2024-01-01,1,1,1,1,1\n2024-01-02,1,NaN,1,1,1\n`, /column 'high', row 2: price NaN is not a positive finite number/],
    ['an empty price', `${header}2024-01-01,1,1,,1,1\n`, /column 'low', row 1: '' is not a number/],
    ['a zero price', `${header}2024-01-01,1,1,1,0,1\n`, /column 'close', row 1: price 0 is not a positive finite number/],
    ['a negative price', `${header}2024-01-01,-1,1,1,1,1\n`, /column 'open', row 1: price -1 is not a positive finite number/],
    ['a negative volume', `${header}2024-01-01,1,1,1,1,-5\n`, /column 'volume', row 1: volume -5 is not a finite number >= 0/],
    ['unsorted timestamps', `${header}2024-01-02,1,1,1,1,1\n2024-01-01,1,1,1,1,1\n`, /column 'timestamp', row 2: unsorted timestamp 2024-01-01T00:00:00\.000Z after 2024-01-02/],
    ['duplicated timestamps', `${header}2024-01-02,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n`, /row 2: duplicated timestamp/],
    ['an unparseable timestamp', `${header}yesterday,1,1,1,1,1\n`, /column 'timestamp', row 1: cannot parse timestamp 'yesterday'/],
    ['a row with too few fields', `${header}2024-01-01,1,1,1,1,1\n2024-01-02,1,1,1\n`, /row 2 has 4 fields, the header has 6 \(no value for column 'close'\)/],
  ])('rejects %s, naming file, column and row', async (name, text, message) => {
    const path = csv(name === 'a missing column' ? 'missing.csv' : `${name.replace(/\W+/g, '-')}.csv`, text);
    const read = readBarsFile(path);
    await expect(read).rejects.toThrow(SchemaError);
    await expect(readBarsFile(path)).rejects.toThrow(message);
    await expect(readBarsFile(path)).rejects.toThrow(path);
  });
});

describe('a CSV that does not exist', () => {
  it('rejects with a SchemaError naming the file (no unhandled stream error)', async () => {
    const path = join(temp.dir, 'nope.csv');
    await expect(readBarsFile(path)).rejects.toThrow(SchemaError);
    await expect(readBarsFile(path)).rejects.toThrow(`${path}: no such file`);
  });
});

describe('native bars Parquet', () => {
  it('round-trips exactly with ts as int64 ms and the bar count in the footer', async () => {
    const bars: Bars = {
      tsMs: Float64Array.from([1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000]),
      open: Float64Array.from([1.1, 2.2, 3.3]), high: Float64Array.from([1.5, 2.5, 3.5]), low: Float64Array.from([1, 2, 3]),
      close: Float64Array.from([1.2, 2.3, 0.1 + 0.2]), volume: Float64Array.from([0, 10, 1e12]),
    };
    const path = join(temp.dir, 'bars.parquet');
    writeBarsParquet(path, bars, 'ABC');
    const footer = readParquetFooter(path);
    expect(footer.fields).toEqual(['ts', 'open', 'high', 'low', 'close', 'volume']);
    expect(footer.metadata.get('sweeplens:bars')).toBe('3');
    expect(footer.metadata.get('sweeplens:symbol')).toBe('ABC');
    const back = await readBarsFile(path);
    for (const key of ['tsMs', 'open', 'high', 'low', 'close', 'volume'] as const) expect([...back[key]]).toEqual([...bars[key]]);
  });

  it('refuses to write invalid bars (nothing written)', () => {
    const path = join(temp.dir, 'bad-bars.parquet');
    const bars: Bars = {
      tsMs: Float64Array.from([2, 1]), open: Float64Array.from([1, 1]), high: Float64Array.from([1, 1]),
      low: Float64Array.from([1, 1]), close: Float64Array.from([1, 1]), volume: Float64Array.from([1, 1]),
    };
    expect(() => writeBarsParquet(path, bars)).toThrow(/column 'timestamp', row 1: unsorted timestamp/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('bar timestamps alone (readBarTimestampsFile)', () => {
  const bars: Bars = {
    tsMs: Float64Array.from({ length: 70_000 }, (_, i) => 1_700_000_000_000 + 60_000 * i + (i > 40_000 ? 3_600_000 : 0)),
    open: new Float64Array(70_000).fill(10), high: new Float64Array(70_000).fill(11), low: new Float64Array(70_000).fill(9),
    close: Float64Array.from({ length: 70_000 }, (_, i) => 10 + (i % 7) / 10), volume: new Float64Array(70_000).fill(1000),
  };

  it('equal the full read\'s timestamps (native Parquet over more than one record batch, and CSV)', async () => {
    const path = join(temp.dir, 'times.parquet');
    writeBarsParquet(path, bars, 'ABC');
    expect([...await readBarTimestampsFile(path)]).toEqual([...bars.tsMs]);
    const table = await readParquetColumns(path, ['ts']);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['ts']);
    const text = csv('times.csv', 'Timestamp,Open,High,Low,Close,Volume\n2024-01-02T14:30:00Z,1,1,1,1,5\n2024-01-02T14:31:00Z,1,1,1,1,5\n');
    expect([...await readBarTimestampsFile(text)]).toEqual([Date.parse('2024-01-02T14:30:00Z'), Date.parse('2024-01-02T14:31:00Z')]);
  });

  it('name the file and row of an unsorted or duplicated timestamp, as a full read does', async () => {
    const column = (values: number[]) => makeVector(Float64Array.from(values));
    for (const [name, ts, message] of [
      ['unsorted.parquet', [1_000, 3_000, 2_000], /unsorted\.parquet: column 'timestamp', row 2: unsorted timestamp/],
      ['duplicated.parquet', [1_000, 1_000, 2_000], /duplicated\.parquet: column 'timestamp', row 1: duplicated timestamp/],
    ] as const) {
      const path = join(temp.dir, name);
      writeParquetTable(path, new Table({
        ts: int64Vector(Float64Array.from(ts)), open: column([1, 1, 1]), high: column([1, 1, 1]), low: column([1, 1, 1]), close: column([1, 1, 1]), volume: column([1, 1, 1]),
      }));
      await expect(readBarTimestampsFile(path)).rejects.toThrow(message);
      await expect(readBarsFile(path)).rejects.toThrow(message);
    }
  });

  it('reject a file that is not Parquet, or missing, naming it', async () => {
    const fake = csv('fake.parquet', 'not parquet at all, just text\n');
    await expect(readBarTimestampsFile(fake)).rejects.toThrow(SchemaError);
    await expect(readBarTimestampsFile(fake)).rejects.toThrow(/fake\.parquet: not a Parquet file/);
    await expect(readParquetColumns(join(temp.dir, 'missing.parquet'), ['ts'])).rejects.toThrow(/missing\.parquet: cannot read/);
  });
});

describe('bars Parquet read straight from parquet-wasm memory', () => {
  const n = 150_000;
  const bars: Bars = {
    tsMs: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + 60_000 * i),
    open: Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i)), high: Float64Array.from({ length: n }, (_, i) => 102 + Math.sin(i)),
    low: Float64Array.from({ length: n }, (_, i) => 98 + Math.sin(i)), close: Float64Array.from({ length: n }, (_, i) => 100 + Math.cos(i) / 3),
    volume: Float64Array.from({ length: n }, (_, i) => (i * 7919) % 100_000),
  };
  const sameValues = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const column = (values: Float64Array) => makeVector(values.slice());

  it('equal the written bars over several row groups, in arrays of their own', async () => {
    const path = join(temp.dir, 'many.parquet');
    writeBarsParquet(path, bars, 'ABC', { rowGroupRows: 40_000 });
    const back = await readBarsFile(path);
    const memory = parquetWasm().wasmMemory().buffer;
    for (const key of ['tsMs', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(sameValues(back[key], bars[key]), key).toBe(true);
      expect(back[key].buffer).not.toBe(memory);
    }
    expect(sameValues(await readBarTimestampsFile(path), bars.tsMs)).toBe(true);
  });

  it('convert Timestamp columns (s, ms, µs) and epoch-µs integers as before', async () => {
    const ms = [1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000];
    const prices = { open: column(Float64Array.of(1, 2, 3)), high: column(Float64Array.of(1, 2, 3)), low: column(Float64Array.of(1, 2, 3)), close: column(Float64Array.of(1, 2, 3)) };
    const timestamp = (type: Timestamp, values: bigint[]) => new Vector([makeData({ type, length: values.length, nullCount: 0, data: BigInt64Array.from(values) })]);
    for (const [name, ts, expected] of [
      ['seconds', timestamp(new TimestampSecond('UTC'), ms.map((v) => BigInt(v / 1000))), ms],
      ['micros', timestamp(new TimestampMicrosecond('UTC'), ms.map((v) => BigInt(v) * 1000n + 250n)), ms.map((v) => v + 0.25)],
      ['epoch-us', makeVector(BigInt64Array.from(ms.map((v) => BigInt(v) * 1000n + 250n))), ms.map((v) => v + 0.25)],
    ] as const) {
      const path = join(temp.dir, `ts-${name}.parquet`);
      writeParquetTable(path, new Table({ timestamp: ts, ...prices, volume: makeVector(BigInt64Array.of(5n, 6n, 7n)) }));
      const back = await readBarsFile(path);
      expect([...back.tsMs], name).toEqual(expected);
      expect([...back.volume]).toEqual([5, 6, 7]);
      expect([...await readBarTimestampsFile(path)], name).toEqual(expected);
    }
  });

  it('read columns arrow-js-ffi cannot show (LargeUtf8 text timestamps) through the IPC path', async () => {
    const path = join(temp.dir, 'large-utf8.parquet');
    const text = ['2024-01-02T14:30:00Z', '2024-01-02T14:31:00Z'];
    writeParquetTable(path, new Table({
      Date: vectorFromArray(text, new LargeUtf8()), Open: column(Float64Array.of(1, 2)), High: column(Float64Array.of(1, 2)),
      Low: column(Float64Array.of(1, 2)), Close: column(Float64Array.of(1, 2)), Volume: column(Float64Array.of(0, 1)),
    }));
    // arrow-js-ffi would show the column as Utf8 data; the IPC path keeps LargeUtf8
    expect(readParquetViews(path, (table) => String(table.getChild('Date')!.type))).toBe('LargeUtf8');
    expect([...(await readBarsFile(path)).tsMs]).toEqual(text.map((t) => Date.parse(t)));
  });

  it('name the file, column and row of a bad bar as before', async () => {
    const write = (name: string, columns: Record<string, Vector>) => {
      const path = join(temp.dir, name);
      writeParquetTable(path, new Table(columns));
      return path;
    };
    const ts = () => int64Vector(Float64Array.of(1_000, 2_000));
    // every column its own buffer: the IPC writer truncates a stream whose columns share one
    const ok = () => column(Float64Array.of(1, 2));
    await expect(readBarsFile(write('no-close.parquet', { ts: ts(), open: ok(), high: ok(), low: ok(), volume: ok() })))
      .rejects.toThrow(/no-close\.parquet: missing column 'close' \(columns: ts, open, high, low, volume\)/);
    await expect(readBarsFile(write('text-open.parquet', { ts: ts(), open: vectorFromArray(['1', '2'], new Utf8()), high: ok(), low: ok(), close: ok(), volume: ok() })))
      .rejects.toThrow(/text-open\.parquet: column 'open' has type Utf8, expected a number/);
    await expect(readBarsFile(write('nan-low.parquet', { ts: ts(), open: ok(), high: ok(), low: column(Float64Array.of(1, NaN)), close: ok(), volume: ok() })))
      .rejects.toThrow(/nan-low\.parquet: column 'low', row 1: price NaN is not a positive finite number/);
    await expect(readBarsFile(write('null-ts.parquet', { ts: vectorFromArray([1_000n, null], new Int64()), open: ok(), high: ok(), low: ok(), close: ok(), volume: ok() })))
      .rejects.toThrow(/null-ts\.parquet: column 'timestamp', row 1: timestamp is not a finite time/);
    await expect(readBarsFile(write('null-ts-micros.parquet', { ts: vectorFromArray([1_000, null], new TimestampMicrosecond()), open: ok(), high: ok(), low: ok(), close: ok(), volume: ok() })))
      .rejects.toThrow(/null-ts-micros\.parquet: column 'timestamp', row 1: timestamp is not a finite time/);
    const bytes = readFileSync(join(temp.dir, 'many.parquet'));
    writeFileSync(join(temp.dir, 'cut.parquet'), bytes.subarray(0, bytes.length - 20));
    await expect(readBarsFile(join(temp.dir, 'cut.parquet'))).rejects.toThrow(/cut\.parquet: not a Parquet file/);
    await expect(readBarsFile(join(temp.dir, 'absent.parquet'))).rejects.toThrow(/absent\.parquet: cannot read/);
  });
});

describe('timestamps, close and volume alone (readMarketSeriesFile)', () => {
  const n = 90_000;
  const bars: Bars = {
    tsMs: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + 60_000 * i + (i > 50_000 ? 3_600_000 : 0)),
    open: Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i)), high: Float64Array.from({ length: n }, (_, i) => 102 + Math.sin(i)),
    low: Float64Array.from({ length: n }, (_, i) => 98 + Math.sin(i)), close: Float64Array.from({ length: n }, (_, i) => 100 + Math.cos(i) / 3),
    volume: Float64Array.from({ length: n }, (_, i) => (i * 7919) % 100_000),
  };
  const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const column = (values: ArrayLike<number>) => makeVector(Float64Array.from(values));

  it('equal the full read\'s columns: native Parquet over several row groups, in arrays of their own', async () => {
    const path = join(temp.dir, 'series.parquet');
    writeBarsParquet(path, bars, 'ABC', { rowGroupRows: 25_000 });
    const series = await readMarketSeriesFile(path);
    const full = await readBarsFile(path);
    const memory = parquetWasm().wasmMemory().buffer;
    for (const key of ['tsMs', 'close', 'volume'] as const) {
      expect(same(series[key], full[key]), key).toBe(true);
      expect(same(series[key], bars[key]), key).toBe(true);
      expect(series[key].buffer).not.toBe(memory);
    }
    expect(Object.keys(series).sort()).toEqual(['close', 'tsMs', 'volume']);
  });

  it('equal the full read for timestamps and volumes of other types (the full reader\'s conversions), and for CSV', async () => {
    const ms = [1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000];
    const prices = { open: column([1, 2, 3]), high: column([1, 2, 3]), low: column([1, 2, 3]), close: column([1.5, 2.5, 3.5]) };
    const timestamp = (type: Timestamp, values: bigint[]) => new Vector([makeData({ type, length: values.length, nullCount: 0, data: BigInt64Array.from(values) })]);
    for (const [name, ts, volume] of [
      ['epoch-s-float', column(ms.map((v) => v / 1000)), column([5, 6, 7])],
      ['epoch-us-int64', makeVector(BigInt64Array.from(ms.map((v) => BigInt(v) * 1000n + 250n))), makeVector(BigInt64Array.of(5n, 6n, 7n))],
      ['timestamp-s', timestamp(new TimestampSecond('UTC'), ms.map((v) => BigInt(v / 1000))), column([5, 6, 7])],
      ['int32-volume', int64Vector(Float64Array.from(ms)), makeVector(Int32Array.of(5, 6, 7))],
    ] as const) {
      const path = join(temp.dir, `series-${name}.parquet`);
      writeParquetTable(path, new Table({ ts, ...prices, volume }));
      const series = await readMarketSeriesFile(path);
      const full = await readBarsFile(path);
      for (const key of ['tsMs', 'close', 'volume'] as const) expect([...series[key]], `${name} ${key}`).toEqual([...full[key]]);
    }
    const text = csv('series.csv', 'Timestamp,Open,High,Low,Close,Volume\n2024-01-02T14:30:00Z,1,1,1,2,5\n2024-01-02T14:31:00Z,1,1,1,3,6\n');
    const series = await readMarketSeriesFile(text);
    expect([...series.tsMs]).toEqual([Date.parse('2024-01-02T14:30:00Z'), Date.parse('2024-01-02T14:31:00Z')]);
    expect([...series.close]).toEqual([2, 3]);
    expect([...series.volume]).toEqual([5, 6]);
  });

  it('name the file, column and row of a bad timestamp, close or volume, as a full read does', async () => {
    const ts = (values: number[] = [1_000, 2_000, 3_000]) => int64Vector(Float64Array.from(values));
    const ok = () => column([1, 2, 3]);
    const cases: [string, Record<string, Vector>, RegExp][] = [
      ['s-nan-close.parquet', { ts: ts(), open: ok(), high: ok(), low: ok(), close: column([1, NaN, 3]), volume: ok() }, /s-nan-close\.parquet: column 'close', row 1: price NaN is not a positive finite number/],
      ['s-zero-close.parquet', { ts: ts(), open: ok(), high: ok(), low: ok(), close: column([1, 2, 0]), volume: ok() }, /column 'close', row 2: price 0 is not a positive finite number/],
      ['s-neg-volume.parquet', { ts: ts(), open: ok(), high: ok(), low: ok(), close: ok(), volume: column([1, -5, 3]) }, /s-neg-volume\.parquet: column 'volume', row 1: volume -5 is not a finite number >= 0/],
      ['s-inf-volume.parquet', { ts: ts(), open: ok(), high: ok(), low: ok(), close: ok(), volume: column([1, 2, Infinity]) }, /column 'volume', row 2: volume Infinity is not a finite number >= 0/],
      ['s-unsorted.parquet', { ts: ts([1_000, 3_000, 2_000]), open: ok(), high: ok(), low: ok(), close: ok(), volume: ok() }, /s-unsorted\.parquet: column 'timestamp', row 2: unsorted timestamp/],
      ['s-null-close.parquet', { ts: ts(), open: ok(), high: ok(), low: ok(), close: vectorFromArray([1, null, 3]), volume: ok() }, /s-null-close\.parquet: column 'close', row 1: price NaN is not a positive finite number/],
      ['s-null-ts.parquet', { ts: vectorFromArray([1_000n, null, 3_000n], new Int64()), open: ok(), high: ok(), low: ok(), close: ok(), volume: ok() }, /s-null-ts\.parquet: column 'timestamp', row 1: timestamp is not a finite time/],
      ['s-no-open.parquet', { ts: ts(), high: ok(), low: ok(), close: ok(), volume: ok() }, /s-no-open\.parquet: missing column 'open' \(columns: ts, high, low, close, volume\)/],
      ['s-text-close.parquet', { ts: ts(), open: ok(), high: ok(), low: ok(), close: vectorFromArray(['1', '2', '3'], new Utf8()), volume: ok() }, /s-text-close\.parquet: column 'close' has type Utf8, expected a number/],
    ];
    for (const [name, columns, message] of cases) {
      const path = join(temp.dir, name);
      writeParquetTable(path, new Table(columns));
      await expect(readMarketSeriesFile(path), name).rejects.toThrow(SchemaError);
      await expect(readMarketSeriesFile(path), name).rejects.toThrow(message);
      await expect(readBarsFile(path), name).rejects.toThrow(message);
      if (/timestamp/.test(message.source)) await expect(readBarTimestampsFile(path), name).rejects.toThrow(message);
    }
    await expect(readMarketSeriesFile(join(temp.dir, 'absent.parquet'))).rejects.toThrow(/absent\.parquet: cannot read/);
    const fake = csv('s-fake.parquet', 'not parquet at all, just text\n');
    await expect(readMarketSeriesFile(fake)).rejects.toThrow(SchemaError);
    await expect(readMarketSeriesFile(fake)).rejects.toThrow(/s-fake\.parquet: not a Parquet file/);
  });

  it('neither decode nor check open, high and low (a full read refuses a NaN open; the series does not need it)', async () => {
    const path = join(temp.dir, 's-nan-open.parquet');
    writeParquetTable(path, new Table({
      ts: int64Vector(Float64Array.of(1_000, 2_000)), open: column([NaN, 1]), high: column([1, 1]), low: column([1, 1]), close: column([1, 2]), volume: column([0, 1]),
    }));
    await expect(readBarsFile(path)).rejects.toThrow(/column 'open', row 0: price NaN/);
    expect([...(await readMarketSeriesFile(path)).close]).toEqual([1, 2]);
  });
});

describe.skipIf(!admfFixturesAvailable())('ADMF-PC market data', () => {
  it('reads SPY_1m.parquet (TIMESTAMP_MICROS, int64 volume, extra bar_index column)', async () => {
    const bars = await readBarsFile(SPY_1M);
    expect(bars.tsMs.length).toBe(102_236);
    expect(bars.tsMs[0]).toBe(Date.parse('2024-03-26T13:30:00Z'));
    expect(bars.tsMs[102_235]).toBe(Date.parse('2025-04-02T19:23:00Z'));
    expect(bars.open[0]).toBe(521.23);
    expect(bars.close[0]).toBe(521.01);
    expect(bars.volume[0]).toBe(342_898);
    // the timestamps alone (one column of the file decoded) are the same
    expect([...await readBarTimestampsFile(SPY_1M)]).toEqual([...bars.tsMs]);
    // and the market series (timestamps through the full reader: a Timestamp column)
    const series = await readMarketSeriesFile(SPY_1M);
    for (const key of ['tsMs', 'close', 'volume'] as const) expect([...series[key]], key).toEqual([...bars[key]]);
  });

  it('reads SPY_5m.csv (space-separated ISO timestamps with +00:00)', async () => {
    const bars = await readBarsFile(SPY_5M_CSV);
    expect(bars.tsMs.length).toBe(20_769);
    expect(bars.tsMs[0]).toBe(Date.parse('2024-03-26T13:30:00Z'));
    expect(bars.tsMs[1]! - bars.tsMs[0]!).toBe(300_000);
  });
});
