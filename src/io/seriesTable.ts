import { extname } from 'node:path';
import { SchemaError } from '../errors.ts';
import { GrowableF64, streamCsv } from './csv.ts';
import { readParquetTable } from './parquet.ts';
import { parseTimestampMs } from './timestamps.ts';

/** Numeric columns of a table, with an optional timestamp column (epoch ms). */
export interface SeriesTable {
  file: string;
  /** Name of the timestamp column, or undefined when the table has none. */
  timestampColumn: string | undefined;
  /** Epoch milliseconds per row; empty when there is no timestamp column. */
  tsMs: Float64Array;
  /** Value columns in file order; empty cells are NaN. */
  columns: Map<string, Float64Array>;
}

const TIMESTAMP_NAMES = ['timestamp', 'ts', 'date', 'datetime', 'time', 'ts_ms'];

function isTimestampName(name: string): boolean {
  return TIMESTAMP_NAMES.includes(name.toLowerCase());
}

/**
 * Reads a CSV or Parquet table of series: a timestamp column (named timestamp/ts/date/datetime/
 * time, matched case-insensitively; ISO-8601 or epoch s/ms/µs/ns) and numeric value columns.
 * Empty cells are NaN. Errors name the file, column and row: non-numeric cell, unparseable or
 * non-increasing timestamp, a row with too few fields.
 */
export async function readSeriesTable(file: string): Promise<SeriesTable> {
  const table = extname(file).toLowerCase() === '.parquet' ? readParquetSeries(file) : await readCsvSeries(file);
  validateTimestamps(table);
  return table;
}

async function readCsvSeries(file: string): Promise<SeriesTable> {
  let names: string[] = [];
  let timestampIndex = -1;
  const ts = new GrowableF64();
  let builders: GrowableF64[] = [];
  await streamCsv(file, {
    header(cells) {
      names = cells;
      timestampIndex = cells.findIndex(isTimestampName);
      builders = cells.map(() => new GrowableF64());
    },
    row(cells, rowIndex) {
      for (let c = 0; c < cells.length; c++) {
        const cell = cells[c]!;
        if (c === timestampIndex) {
          const ms = parseTimestampMs(cell);
          if (Number.isNaN(ms)) throw new SchemaError(`${file}: column '${names[c]}', row ${rowIndex + 1}: cannot parse timestamp '${cell}'`, { file, column: names[c]!, row: rowIndex });
          ts.push(ms);
          continue;
        }
        if (cell === '' || cell.toLowerCase() === 'nan' || cell.toLowerCase() === 'null') {
          builders[c]!.push(NaN);
          continue;
        }
        const value = Number(cell);
        if (!Number.isFinite(value)) throw new SchemaError(`${file}: column '${names[c]}', row ${rowIndex + 1}: '${cell}' is not a number`, { file, column: names[c]!, row: rowIndex });
        builders[c]!.push(value);
      }
    },
  });
  const columns = new Map<string, Float64Array>();
  names.forEach((name, c) => {
    if (c !== timestampIndex) columns.set(name, builders[c]!.view());
  });
  return { file, timestampColumn: timestampIndex >= 0 ? names[timestampIndex] : undefined, tsMs: ts.view(), columns };
}

function readParquetSeries(file: string): SeriesTable {
  const table = readParquetTable(file);
  const columns = new Map<string, Float64Array>();
  let timestampColumn: string | undefined;
  let tsMs = new Float64Array(0);
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!;
    const typeName = String(field.type);
    if (isTimestampName(field.name) || typeName.startsWith('Timestamp') || typeName.startsWith('Date')) {
      if (timestampColumn !== undefined) continue;
      timestampColumn = field.name;
      tsMs = new Float64Array(table.numRows);
      // apache-arrow returns Timestamp and Date values as epoch milliseconds whatever the stored unit.
      for (let i = 0; i < table.numRows; i++) {
        const v = vector.get(i) as unknown;
        if (typeof v === 'string') tsMs[i] = parseTimestampMs(v);
        else if (v instanceof Date) tsMs[i] = v.getTime();
        else if (typeName.startsWith('Timestamp') || typeName.startsWith('Date')) tsMs[i] = Number(v);
        else tsMs[i] = parseTimestampMs(String(v));
      }
      continue;
    }
    if (!/^(Float|Int|Uint)/.test(typeName)) continue;
    const values = new Float64Array(table.numRows);
    for (let i = 0; i < table.numRows; i++) {
      const v = vector.get(i) as number | bigint | null;
      values[i] = v === null ? NaN : Number(v);
    }
    columns.set(field.name, values);
  }
  return { file, timestampColumn, tsMs, columns };
}

function validateTimestamps(table: SeriesTable): void {
  const { tsMs, file, timestampColumn } = table;
  for (let i = 0; i < tsMs.length; i++) {
    if (Number.isNaN(tsMs[i]!)) throw new SchemaError(`${file}: column '${timestampColumn}', row ${i + 1}: cannot parse timestamp`, { file, column: timestampColumn ?? '', row: i });
    if (i > 0 && !(tsMs[i]! > tsMs[i - 1]!)) {
      throw new SchemaError(`${file}: column '${timestampColumn}', row ${i + 1}: timestamps are not strictly increasing (${new Date(tsMs[i]!).toISOString()} after ${new Date(tsMs[i - 1]!).toISOString()})`, { file, column: timestampColumn ?? '', row: i });
    }
  }
}
