// Market bars: import from CSV (streamed) or Parquet, validate, write and read the native form.
import { extname } from 'node:path';
import { makeVector, Table } from 'apache-arrow';
import { SchemaError } from '../errors.ts';
import type { Bars } from '../types.ts';
import { columnToFloat64, columnTypeName, distinctBuffers, int64ToFloat64, int64Vector } from './arrowColumns.ts';
import { GrowableF64, streamCsv } from './csv.ts';
import { readParquetColumnViews, readParquetFooter, readParquetPrimitiveColumns, readParquetViews, writeParquetTable, type ParquetWriteOptions } from './parquet.ts';
import { epochToMs, parseTimestampMs } from './timestamps.ts';

/** Accepted names of the timestamp column, matched case-insensitively. */
export const BAR_TIMESTAMP_NAMES = ['timestamp', 'ts', 'date', 'datetime', 'time'] as const;
/** Required price and volume columns, matched case-insensitively. */
export const BAR_VALUE_NAMES = ['open', 'high', 'low', 'close', 'volume'] as const;

type BarValueName = (typeof BAR_VALUE_NAMES)[number];

/** Footer key holding the bar count of a native bars file (so a scan never decodes the bars). */
export const BARS_COUNT_KEY = 'sweeplens:bars';
/** Footer key holding the symbol of a native bars file. */
export const BARS_SYMBOL_KEY = 'sweeplens:symbol';

/** Where each bar column is in a header; SchemaError naming the file and the first missing column. */
/** Where the timestamp column is in a header; SchemaError naming the file when there is none. */
function locateTimestamp(file: string, header: string[]): number {
  const timestamp = header.findIndex((name) => (BAR_TIMESTAMP_NAMES as readonly string[]).includes(name.trim().toLowerCase()));
  if (timestamp < 0) {
    throw new SchemaError(`${file}: missing column 'timestamp' (accepted names: ${BAR_TIMESTAMP_NAMES.join(', ')}; columns: ${header.join(', ')})`, { file, column: 'timestamp' });
  }
  return timestamp;
}

function locateColumns(file: string, header: string[]): { timestamp: number; values: Record<BarValueName, number> } {
  const timestamp = locateTimestamp(file, header);
  const lower = header.map((name) => name.trim().toLowerCase());
  const values = {} as Record<BarValueName, number>;
  for (const name of BAR_VALUE_NAMES) {
    const at = lower.indexOf(name);
    if (at < 0) throw new SchemaError(`${file}: missing column '${name}' (columns: ${header.join(', ')})`, { file, column: name });
    values[name] = at;
  }
  return { timestamp, values };
}

/**
 * Validates bars: timestamps finite and strictly increasing, prices (open high low close) finite
 * and > 0, volume finite and >= 0. SchemaError names the file, column and row; rows are
 * numbered from `firstRowNumber` (0 for Parquet and arrays, 1 for CSV data rows).
 */
export function validateBars(file: string, bars: Bars, firstRowNumber = 0): void {
  const n = bars.tsMs.length;
  for (const name of BAR_VALUE_NAMES) {
    if (bars[name].length !== n) throw new SchemaError(`${file}: column '${name}' has ${bars[name].length} rows, ts has ${n}`, { file, column: name });
  }
  // One tight pass over local typed arrays (a 1M-bar file is checked in a few ms); the first bad row
  // is then described by badBarRow.
  const { tsMs, open, high, low, close, volume } = bars;
  let previous = -Infinity;
  for (let row = 0; row < n; row++) {
    const ts = tsMs[row]!;
    const o = open[row]!;
    const h = high[row]!;
    const l = low[row]!;
    const c = close[row]!;
    const v = volume[row]!;
    // (x - x === 0 is false exactly for NaN and ±Infinity)
    const good = ts > previous && ts - ts === 0 && o > 0 && o - o === 0 && h > 0 && h - h === 0 && l > 0 && l - l === 0
      && c > 0 && c - c === 0 && v >= 0 && v - v === 0;
    if (!good) throw badBarRow(file, bars, row, firstRowNumber);
    previous = ts;
  }
}

/** The SchemaError for a bad timestamp at `row` (not finite, or not after the previous one); undefined when it is fine. */
function timestampError(file: string, tsMs: Float64Array, row: number, firstRowNumber: number): SchemaError | undefined {
  const ts = tsMs[row]!;
  if (!Number.isFinite(ts)) return new SchemaError(`${file}: column 'timestamp', row ${row + firstRowNumber}: timestamp is not a finite time`, { file, column: 'timestamp', row });
  if (row > 0 && !(ts > tsMs[row - 1]!)) {
    const what = ts === tsMs[row - 1] ? 'duplicated' : 'unsorted';
    return new SchemaError(
      `${file}: column 'timestamp', row ${row + firstRowNumber}: ${what} timestamp ${new Date(ts).toISOString()} after ${new Date(tsMs[row - 1]!).toISOString()} (must be strictly increasing)`,
      { file, column: 'timestamp', row },
    );
  }
  return undefined;
}

/** The SchemaError for the first problem of bar `row` (validateBars found one there). */
function badBarRow(file: string, bars: Bars, row: number, firstRowNumber: number): SchemaError {
  const stamp = timestampError(file, bars.tsMs, row, firstRowNumber);
  if (stamp) return stamp;
  for (const name of ['open', 'high', 'low', 'close'] as const) {
    const price = bars[name][row]!;
    if (!(price > 0) || !Number.isFinite(price)) return priceError(file, name, row, firstRowNumber, price);
  }
  return volumeError(file, row, firstRowNumber, bars.volume[row]!);
}

function priceError(file: string, name: BarValueName, row: number, firstRowNumber: number, price: number): SchemaError {
  return new SchemaError(`${file}: column '${name}', row ${row + firstRowNumber}: price ${price} is not a positive finite number`, { file, column: name, row });
}

function volumeError(file: string, row: number, firstRowNumber: number, volume: number): SchemaError {
  return new SchemaError(`${file}: column 'volume', row ${row + firstRowNumber}: volume ${volume} is not a finite number >= 0`, { file, column: 'volume', row });
}

async function readBarsCsv(file: string): Promise<Bars> {
  let located: ReturnType<typeof locateColumns> | undefined;
  let header: string[] = [];
  const ts = new GrowableF64();
  const builders = Object.fromEntries(BAR_VALUE_NAMES.map((name) => [name, new GrowableF64()])) as Record<BarValueName, GrowableF64>;
  await streamCsv(file, {
    header(cells) {
      header = cells;
      located = locateColumns(file, cells);
    },
    row(cells, rowIndex) {
      const at = located!;
      const stamp = cells[at.timestamp]!;
      const ms = parseTimestampMs(stamp);
      if (Number.isNaN(ms)) throw new SchemaError(`${file}: column '${header[at.timestamp]}', row ${rowIndex + 1}: cannot parse timestamp '${stamp}'`, { file, column: header[at.timestamp]!, row: rowIndex });
      ts.push(ms);
      for (const name of BAR_VALUE_NAMES) {
        const cell = cells[at.values[name]]!;
        const value = cell === '' ? NaN : Number(cell);
        if (Number.isNaN(value) && !/^nan$/i.test(cell)) {
          throw new SchemaError(`${file}: column '${header[at.values[name]]}', row ${rowIndex + 1}: '${cell}' is not a number`, { file, column: name, row: rowIndex });
        }
        builders[name].push(value);
      }
    },
  });
  return {
    tsMs: ts.view(),
    open: builders.open.view(),
    high: builders.high.view(),
    low: builders.low.view(),
    close: builders.close.view(),
    volume: builders.volume.view(),
  };
}

/** The timestamp column of a bars table as epoch ms (Timestamp/Date, epoch s/ms/µs/ns integers or ISO text). */
function timestampsOf(file: string, table: Table, tsName: string): Float64Array {
  const tsType = columnTypeName(table, tsName);
  const tsVector = table.getChild(tsName)!;
  let tsMs: Float64Array;
  if (/^(Utf8|LargeUtf8)$/.test(tsType)) {
    tsMs = new Float64Array(table.numRows);
    for (let row = 0; row < table.numRows; row++) {
      const text = tsVector.get(row) as string | null;
      tsMs[row] = text === null ? NaN : parseTimestampMs(text);
      if (Number.isNaN(tsMs[row]!)) throw new SchemaError(`${file}: column '${tsName}', row ${row}: cannot parse timestamp '${text}'`, { file, column: tsName, row });
    }
  } else {
    // Timestamp/Date columns arrive as epoch ms; plain integers may be epoch s/ms/µs/ns.
    tsMs = columnToFloat64(tsVector, file, tsName);
    if (!/^(Timestamp|Date)/.test(tsType)) for (let row = 0; row < tsMs.length; row++) tsMs[row] = epochToMs(tsMs[row]!);
  }
  return tsMs;
}

/** Bars of a Parquet file, converted straight out of parquet-wasm's memory (every array is a copy of its own). */
function readBarsParquet(file: string): Bars {
  return readParquetViews(file, (table) => {
    const header = table.schema.fields.map((f) => f.name);
    const at = locateColumns(file, header);
    const tsMs = timestampsOf(file, table, header[at.timestamp]!);
    const column = (name: BarValueName): Float64Array => columnToFloat64(table.getChild(header[at.values[name]]!)!, file, header[at.values[name]]!);
    return { tsMs, open: column('open'), high: column('high'), low: column('low'), close: column('close'), volume: column('volume') };
  });
}

/**
 * Only the timestamps of a bars file (epoch ms), validated (finite, strictly increasing): a Parquet
 * file decodes just that column (about a sixth of the work; a plain int64 or float64 one straight out
 * of parquet-wasm's memory); a CSV file is read whole.
 */
export async function readBarTimestampsFile(file: string): Promise<Float64Array> {
  if (extname(file).toLowerCase() !== '.parquet') return (await readBarsFile(file)).tsMs;
  const header = readParquetFooter(file).fields;
  const tsName = header[locateTimestamp(file, header)]!;
  const tsMs = await plainTimestampsOf(file, tsName) ?? await readParquetColumnViews(file, [tsName], (table) => timestampsOf(file, table, tsName));
  checkTimestamps(file, tsMs);
  return tsMs;
}

/** A plain int64 or float64 timestamp column as epoch ms (numbers as epoch s/ms/µs/ns, as timestampsOf reads them); undefined for other columns. */
async function plainTimestampsOf(file: string, name: string): Promise<Float64Array | undefined> {
  const tsMs = await plainNumbersOf(file, name);
  if (tsMs) for (let row = 0; row < tsMs.length; row++) tsMs[row] = epochToMs(tsMs[row]!);
  return tsMs;
}

/** SchemaError naming the first timestamp that is not finite or not after the previous one. */
function checkTimestamps(file: string, tsMs: Float64Array): void {
  let previous = -Infinity;
  for (let row = 0; row < tsMs.length; row++) {
    const ts = tsMs[row]!;
    if (!(ts > previous && ts - ts === 0)) throw timestampError(file, tsMs, row, 0)!;
    previous = ts;
  }
}

/**
 * Reads bars from a CSV (streamed) or Parquet file (by extension) and validates them. Column
 * names are matched case-insensitively: a timestamp column (timestamp/ts/date/datetime/time;
 * ISO-8601 with offsets or epoch s/ms/µs/ns, or a Parquet timestamp) and open, high, low,
 * close, volume. Errors name the file, column and row: missing column, non-numeric cell,
 * NaN or non-positive price, unsorted timestamps, a CSV row with too few fields.
 */
export async function readBarsFile(file: string): Promise<Bars> {
  const isParquet = extname(file).toLowerCase() === '.parquet';
  const bars = isParquet ? readBarsParquet(file) : await readBarsCsv(file);
  validateBars(file, bars, isParquet ? 0 : 1);
  return bars;
}

/** The bar columns the market index and the metrics read: timestamps, close and volume. */
export type MarketSeries = Pick<Bars, 'tsMs' | 'close' | 'volume'>;

/**
 * Timestamps, close and volume of a bars file, checked as validateBars checks them (timestamps
 * finite and strictly increasing, close finite and > 0, volume finite and >= 0); open, high and low
 * must be there but are neither decoded nor checked. A Parquet file decodes only these three
 * columns, each on its own, a plain int64 or float64 column straight out of parquet-wasm's memory
 * with no Arrow library (timestamps as numbers: epoch s/ms/µs/ns, as readBarsFile takes them):
 * ~28 % less time than readBarsFile in a process that has decoded nothing yet (1M bars: 208
 * against 290 ms), where the decoder's first use dominates. Any other file, or column type, is read
 * by readBarsFile.
 */
export async function readMarketSeriesFile(file: string): Promise<MarketSeries> {
  if (extname(file).toLowerCase() !== '.parquet') return marketSeriesOf(await readBarsFile(file));
  const header = readParquetFooter(file).fields;
  const at = locateColumns(file, header);
  const tsMs = await plainTimestampsOf(file, header[at.timestamp]!);
  const close = tsMs && await plainNumbersOf(file, header[at.values.close]!);
  const volume = close && await plainNumbersOf(file, header[at.values.volume]!);
  if (!tsMs || !close || !volume) return marketSeriesOf(await readBarsFile(file));
  checkTimestamps(file, tsMs);
  const series = { tsMs, close, volume };
  validateMarketSeries(file, series);
  return series;
}

function marketSeriesOf(bars: Bars): MarketSeries {
  return { tsMs: bars.tsMs, close: bars.close, volume: bars.volume };
}

/**
 * An int64 or float64 Parquet column without nulls as a Float64Array of its own (int64 converted
 * as columnToFloat64 converts it); undefined for any other column.
 */
async function plainNumbersOf(file: string, name: string): Promise<Float64Array | undefined> {
  const read = await readParquetPrimitiveColumns(file, [name], (table) => {
    const format = table.formats[0];
    if ((format !== 'g' && format !== 'l') || table.batches.some((batch) => batch[0]!.nullCount > 0)) return undefined;
    const rows = table.batches.reduce((sum, batch) => sum + batch[0]!.length, 0);
    const out = new Float64Array(rows);
    let at = 0;
    for (const batch of table.batches) {
      const values = batch[0]!.values;
      out.set(format === 'l' ? int64ToFloat64(values as BigInt64Array) : values as Float64Array, at);
      at += values.length;
    }
    return out;
  });
  return read?.value;
}

/** validateBars' checks of close and volume (the timestamps are checked when read). */
function validateMarketSeries(file: string, series: MarketSeries): void {
  const { tsMs, close, volume } = series;
  const n = tsMs.length;
  for (const [name, values] of [['close', close], ['volume', volume]] as const) {
    if (values.length !== n) throw new SchemaError(`${file}: column '${name}' has ${values.length} rows, ts has ${n}`, { file, column: name });
  }
  for (let row = 0; row < n; row++) {
    const c = close[row]!;
    const v = volume[row]!;
    if (!(c > 0 && c - c === 0)) throw priceError(file, 'close', row, 0, c);
    if (!(v >= 0 && v - v === 0)) throw volumeError(file, row, 0, v);
  }
}

/** Writes bars in the native form: ts int64 epoch ms, open high low close volume float64. Atomic; validated first. */
export function writeBarsParquet(path: string, bars: Bars, symbol?: string, options: ParquetWriteOptions = {}): void {
  validateBars(path, bars);
  const [open, high, low, close, volume] = distinctBuffers([bars.open, bars.high, bars.low, bars.close, bars.volume]);
  const table = new Table({
    ts: int64Vector(bars.tsMs),
    open: makeVector(open!),
    high: makeVector(high!),
    low: makeVector(low!),
    close: makeVector(close!),
    volume: makeVector(volume!),
  });
  const metadata: Record<string, string> = { ...options.metadata, [BARS_COUNT_KEY]: String(bars.tsMs.length) };
  if (symbol !== undefined) metadata[BARS_SYMBOL_KEY] = symbol;
  writeParquetTable(path, table, { ...options, metadata, deltaColumns: [...(options.deltaColumns ?? []), 'ts'] });
}
