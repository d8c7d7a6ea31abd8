// Generic result tables (rankings, per-regime metrics...) as Parquet that DuckDB, Polars or pandas open directly.
import { makeVector, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { SchemaError } from '../errors.ts';
import { columnToCodes, distinctBuffers } from './arrowColumns.ts';
import { readParquetTable, writeParquetTable, type ParquetWriteOptions } from './parquet.ts';

/** A result column: a typed array (stored with its own width) or strings (stored as utf8). */
export type ResultColumn = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array | string[];

/** A result table read back: columns in file order, plus the footer key/value metadata. */
export interface ResultTable {
  columns: Map<string, ResultColumn>;
  rows: number;
  metadata: Map<string, string>;
}

/** Writes equally long columns as one Parquet table, atomically, with optional footer metadata. */
export function writeResultTable(path: string, columns: Record<string, ResultColumn>, options: ParquetWriteOptions = {}): void {
  const names = Object.keys(columns);
  if (names.length === 0) throw new SchemaError(`${path}: a result table needs at least one column`, { file: path });
  const rows = columns[names[0]!]!.length;
  const vectors: Record<string, Vector> = {};
  const typed = names.map((name) => columns[name]!).filter((c): c is Exclude<ResultColumn, string[]> => !Array.isArray(c));
  const copies = new Map(typed.map((array, i) => [array, distinctBuffers(typed)[i]!]));
  for (const name of names) {
    const given = columns[name]!;
    const values = Array.isArray(given) ? given : copies.get(given)!;
    if (values.length !== rows) throw new SchemaError(`${path}: column '${name}' has ${values.length} rows, '${names[0]}' has ${rows}`, { file: path, column: name });
    vectors[name] = Array.isArray(values) ? vectorFromArray(values, new Utf8()) : makeVector(values);
  }
  writeParquetTable(path, new Table(vectors), options);
}

/** Reads a result table: numeric columns as typed arrays of their stored type, strings as string[]. */
export function readResultTable(path: string): ResultTable {
  const table = readParquetTable(path);
  const columns = new Map<string, ResultColumn>();
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!;
    const typeName = String(field.type);
    if (/^(Utf8|LargeUtf8|Dictionary)/.test(typeName)) {
      const { codes, labels } = columnToCodes(vector, path, field.name);
      columns.set(field.name, Array.from(codes, (code) => labels[code]!));
    } else if (/^(Float|Int|Uint)/.test(typeName)) {
      if (vector.nullCount > 0) throw new SchemaError(`${path}: column '${field.name}' has ${vector.nullCount} nulls`, { file: path, column: field.name });
      columns.set(field.name, vector.toArray() as ResultColumn);
    } else {
      throw new SchemaError(`${path}: column '${field.name}' has unsupported type ${typeName}`, { file: path, column: field.name });
    }
  }
  return { columns, rows: table.numRows, metadata: table.schema.metadata };
}
