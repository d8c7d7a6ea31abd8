import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { SchemaError } from '../errors.ts';
import { writeFileAtomic } from './atomicWrite.ts';

/** Rows per record batch when decoding; the default 1,024 is ~20x slower to convert (TOOLCHAIN.md §5). */
export const READ_BATCH_ROWS = 65_536;

const MAGIC = 'PAR1';

function describeFailure(path: string, cause: unknown): SchemaError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SchemaError(`${path}: not a readable Parquet file (${reason.split('\n')[0]})`, { file: path });
}

function checkMagic(path: string, bytes: Uint8Array): void {
  const head = Buffer.from(bytes.subarray(0, 4)).toString('latin1');
  const tail = Buffer.from(bytes.subarray(bytes.length - 4)).toString('latin1');
  if (bytes.length < 12 || head !== MAGIC || tail !== MAGIC) {
    throw new SchemaError(`${path}: not a Parquet file (missing PAR1 magic; truncated or another format)`, { file: path });
  }
}

/** Reads a whole Parquet file (or some columns) into an Arrow table, decoding in large batches. */
export function readParquetTable(path: string, columns?: string[]): Table {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new SchemaError(`${path}: cannot read: ${(cause as Error).message}`, { file: path });
  }
  return parquetBytesToTable(path, bytes, columns);
}

/** Decodes Parquet bytes into an Arrow table; `path` is only for messages. */
export function parquetBytesToTable(path: string, bytes: Uint8Array, columns?: string[]): Table {
  checkMagic(path, bytes);
  try {
    const options: pq.ReaderOptions = { batchSize: READ_BATCH_ROWS };
    if (columns) options.columns = columns;
    const wasmTable = pq.readParquet(bytes, options);
    return tableFromIPC(wasmTable.intoIPCStream());
  } catch (cause) {
    throw describeFailure(path, cause);
  }
}

/** Options of writeParquetTable. */
export interface ParquetWriteOptions {
  /** Footer key/value metadata (strings). */
  metadata?: Record<string, string>;
  /** Compression codec; default SNAPPY. */
  compression?: 'snappy' | 'zstd' | 'uncompressed';
  /** Rows per row group; default parquet-rs's (1 Mi rows). */
  rowGroupRows?: number;
}

/** Encodes an Arrow table as Parquet bytes with footer key/value metadata. */
export function tableToParquetBytes(table: Table, options: ParquetWriteOptions = {}): Uint8Array {
  const codec = { snappy: pq.Compression.SNAPPY, zstd: pq.Compression.ZSTD, uncompressed: pq.Compression.UNCOMPRESSED }[options.compression ?? 'snappy'];
  let builder = new pq.WriterPropertiesBuilder().setCompression(codec).setCreatedBy('sweeplens');
  if (options.metadata) builder = builder.setKeyValueMetadata(new Map(Object.entries(options.metadata)));
  if (options.rowGroupRows) builder = builder.setMaxRowGroupSize(options.rowGroupRows);
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(table, 'stream'));
  return pq.writeParquet(wasmTable, builder.build());
}

/** Writes an Arrow table to `path` as Parquet, atomically (temp file + rename). */
export function writeParquetTable(path: string, table: Table, options: ParquetWriteOptions = {}): void {
  writeFileAtomic(path, tableToParquetBytes(table, options));
}

/**
 * Reads only the footer of a Parquet file (never a data page) and returns its key/value metadata
 * (footer pairs merged with Arrow schema metadata) and the Arrow field names. Cost: two small
 * reads from the end of the file plus a footer decode (~0.2 ms warm).
 */
export function readParquetFooter(path: string): { metadata: Map<string, string>; fields: string[] } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new SchemaError(`${path}: cannot read: ${(cause as Error).message}`, { file: path });
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 12) throw new SchemaError(`${path}: not a Parquet file (${size} bytes)`, { file: path });
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== MAGIC) throw new SchemaError(`${path}: not a Parquet file (no PAR1 footer magic; truncated?)`, { file: path });
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 12 > size) throw new SchemaError(`${path}: Parquet footer length ${footerLength} exceeds the file size ${size} (truncated?)`, { file: path });
    const synthetic = Buffer.alloc(footerLength + 12);
    synthetic.write(MAGIC, 0, 'latin1');
    readSync(fd, synthetic, 4, footerLength, size - 8 - footerLength);
    tail.copy(synthetic, 4 + footerLength);
    let schema: pq.Schema;
    try {
      schema = pq.readSchema(synthetic);
    } catch (cause) {
      throw describeFailure(path, cause);
    }
    const metadata = new Map<string, string>();
    for (const [key, value] of schema.metadata()) if (key !== 'ARROW:schema') metadata.set(String(key), String(value));
    const fields = tableFromIPC(schema.intoIPCStream()).schema.fields.map((f) => f.name);
    return { metadata, fields };
  } finally {
    closeSync(fd);
  }
}
