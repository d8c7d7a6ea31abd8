import { closeSync, fstatSync, openAsBlob, openSync, readFileSync, readSync } from 'node:fs';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import type { ParquetFile, ReaderOptions } from 'parquet-wasm/esm';
import { SchemaError } from '../errors.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { parseFileMetadata, type FooterFields } from './parquetFooter.ts';
import { parquetWasm } from './parquetWasm.ts';

/** Rows per record batch when decoding; the default 1,024 is ~20x slower to convert (TOOLCHAIN.md §5). */
export const READ_BATCH_ROWS = 65_536;

const MAGIC = 'PAR1';

function describeFailure(path: string, cause: unknown): SchemaError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SchemaError(`${path}: not a readable Parquet file (${reason.split('\n')[0]})`, { file: path });
}

/** SchemaError unless a file of `size` bytes starts and ends with the PAR1 magic (`head`, `tail`: its first and last 4 bytes). */
function checkMagic(path: string, size: number, head: Uint8Array, tail: Uint8Array): void {
  const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
  if (size < 12 || latin1(head) !== MAGIC || latin1(tail) !== MAGIC) {
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
  checkMagic(path, bytes.length, bytes.subarray(0, 4), bytes.subarray(Math.max(0, bytes.length - 4)));
  try {
    const options: ReaderOptions = { batchSize: READ_BATCH_ROWS };
    if (columns) options.columns = columns;
    const wasmTable = parquetWasm().readParquet(bytes, options);
    return tableFromIPC(wasmTable.intoIPCStream());
  } catch (cause) {
    throw describeFailure(path, cause);
  }
}

/**
 * Reads some columns of a Parquet file, fetching only their byte ranges (and the footer) from disk:
 * for one column of a wide file this is several times less I/O, copying and decoding than
 * readParquetTable, which loads the whole file into the decoder first.
 */
export async function readParquetColumns(path: string, columns: string[]): Promise<Table> {
  let blob: Blob;
  try {
    blob = await openAsBlob(path);
  } catch (cause) {
    throw new SchemaError(`${path}: cannot read: ${(cause as Error).message}`, { file: path });
  }
  const bytesAt = async (start: number) => new Uint8Array(await blob.slice(start, start + 4).arrayBuffer());
  checkMagic(path, blob.size, await bytesAt(0), await bytesAt(Math.max(0, blob.size - 4)));
  let file: ParquetFile | undefined;
  try {
    file = await parquetWasm().ParquetFile.fromFile(blob);
    const wasmTable = await file.read({ columns, batchSize: READ_BATCH_ROWS });
    return tableFromIPC(wasmTable.intoIPCStream());
  } catch (cause) {
    throw describeFailure(path, cause);
  } finally {
    file?.free();
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
  /** Integer columns to store with DELTA_BINARY_PACKED (dictionary off): ~7x smaller sorted indices. */
  deltaColumns?: string[];
  /** fsync the file before the rename (durable across power loss); default true. */
  fsync?: boolean;
}

/** Encodes an Arrow table as Parquet bytes with footer key/value metadata. */
export function tableToParquetBytes(table: Table, options: ParquetWriteOptions = {}): Uint8Array {
  const pq = parquetWasm();
  const codec = { snappy: pq.Compression.SNAPPY, zstd: pq.Compression.ZSTD, uncompressed: pq.Compression.UNCOMPRESSED }[options.compression ?? 'snappy'];
  let builder = new pq.WriterPropertiesBuilder().setCompression(codec).setCreatedBy('sweeplens');
  if (options.metadata) builder = builder.setKeyValueMetadata(new Map(Object.entries(options.metadata)));
  if (options.rowGroupRows) builder = builder.setMaxRowGroupSize(options.rowGroupRows);
  for (const column of options.deltaColumns ?? []) {
    if (table.getChild(column)) builder = builder.setColumnDictionaryEnabled(column, false).setColumnEncoding(column, pq.Encoding.DELTA_BINARY_PACKED);
  }
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(table, 'stream'));
  return pq.writeParquet(wasmTable, builder.build());
}

/** Writes an Arrow table to `path` as Parquet, atomically (temp file + rename). */
export function writeParquetTable(path: string, table: Table, options: ParquetWriteOptions = {}): void {
  writeFileAtomic(path, tableToParquetBytes(table, options), { fsync: options.fsync ?? true });
}

/** What readParquetFooter returns. */
export type ParquetFooter = FooterFields;

/**
 * Reads only the footer of a Parquet file (never a data page) and returns its key/value metadata
 * (footer pairs merged with Arrow schema metadata), the Arrow field names and the row count. Cost: two small
 * reads from the end of the file plus a Thrift decode of the footer in plain TS (no WASM call).
 */
export function readParquetFooter(path: string): ParquetFooter {
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
    let parsed: FooterFields;
    try {
      parsed = parseFileMetadata(synthetic.subarray(4, 4 + footerLength));
    } catch (cause) {
      throw describeFailure(path, cause);
    }
    const { metadata, fields, numRows } = parsed;
    return { metadata, fields, numRows };
  } finally {
    closeSync(fd);
  }
}
