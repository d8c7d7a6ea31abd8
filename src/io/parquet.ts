import { closeSync, fstatSync, openAsBlob, openSync, readSync } from 'node:fs';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { parseTable } from 'arrow-js-ffi';
import type { FFIStream, ParquetFile, ReaderOptions, Table as WasmTable } from 'parquet-wasm/esm';
import { SchemaError } from '../errors.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { parseFileMetadata, type FooterFields } from './parquetFooter.ts';
import { checkFileMagic, checkMagic, describeFailure, PARQUET_MAGIC as MAGIC, readFileBytes, VIEW_BATCH_ROWS } from './parquetBytes.ts';
import type { PrimitiveTable } from './arrowFfi.ts';
import { exportParquetFile, usePrimitiveTable } from './parquetPrimitive.ts';
import { parquetWasm } from './parquetWasm.ts';

/** Rows per record batch when decoding; the default 1,024 is ~20x slower to convert (TOOLCHAIN.md §5). */
export const READ_BATCH_ROWS = 65_536;

/** Reads a whole Parquet file (or some columns) into an Arrow table, decoding in large batches. */
export function readParquetTable(path: string, columns?: string[]): Table {
  return parquetBytesToTable(path, readFileBytes(path), columns);
}

/**
 * An Arrow-JS table over the exported columns, or undefined when arrow-js-ffi cannot show them as
 * the IPC path would: a type it cannot parse, a sliced array (it ignores ArrowArray offsets) or a
 * type it rewrites (LargeUtf8 data read as Utf8).
 */
function viewsOf(exported: FFIStream): Table | undefined {
  let table: Table;
  try {
    table = parseTable(parquetWasm().wasmMemory().buffer, exported.arrayAddrs(), exported.schemaAddr(), false);
  } catch {
    return undefined;
  }
  // (column data read off the record batches: Table.getChild builds a Vector per call, and V8
  // deoptimizes that code again and again across tables of different column types)
  const fields = table.schema.fields;
  for (let i = 0; i < fields.length; i++) {
    const typeName = String(fields[i]!.type);
    for (const batch of table.batches) {
      const chunk = batch.data.children[i];
      if (!chunk || chunk.offset !== 0 || String(chunk.type) !== typeName) return undefined;
    }
  }
  return table;
}

/**
 * `use`'s result on views of an exported table, which are freed after; undefined (the export freed)
 * when arrow-js-ffi cannot show the columns as the IPC path would, for the caller to use that path.
 */
function useViews<T>(exported: FFIStream, use: (table: Table) => T): { value: T } | undefined {
  const table = viewsOf(exported);
  try {
    return table ? { value: use(table) } : undefined;
  } finally {
    exported.drop();
  }
}

/**
 * Reads a Parquet file and hands `use` an Arrow table whose buffers are views into parquet-wasm's
 * memory (Arrow C data interface, no IPC stream): several times cheaper than readParquetTable. The
 * views are valid only during the call and are freed after it, so `use` must copy whatever it
 * returns and must not call parquet-wasm. Same errors as readParquetTable (unreadable, no PAR1
 * magic, undecodable); errors thrown by `use` pass through. Every column is decoded.
 */
export function readParquetViews<T>(path: string, use: (table: Table) => T): T {
  const { bytes, exported } = exportParquetFile(path);
  const viewed = useViews(exported, use);
  return viewed ? viewed.value : use(parquetBytesToTable(path, bytes));
}

/** Decodes Parquet bytes into an Arrow table; `path` is only for messages. */
export function parquetBytesToTable(path: string, bytes: Uint8Array, columns?: string[]): Table {
  checkFileMagic(path, bytes);
  try {
    const options: ReaderOptions = { batchSize: READ_BATCH_ROWS };
    if (columns) options.columns = columns;
    const wasmTable = parquetWasm().readParquet(bytes, options);
    return tableFromIPC(wasmTable.intoIPCStream());
  } catch (cause) {
    throw describeFailure(path, cause);
  }
}

/** Decodes some columns of a Parquet file in `batchSize`-row batches, fetching only their byte ranges (and the footer) from disk. */
async function decodeColumns(path: string, columns: string[], batchSize: number): Promise<WasmTable> {
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
    return await file.read({ columns, batchSize });
  } catch (cause) {
    throw describeFailure(path, cause);
  } finally {
    file?.free();
  }
}

/**
 * Reads some columns of a Parquet file, fetching only their byte ranges (and the footer) from disk:
 * for one column of a wide file this is several times less I/O, copying and decoding than
 * readParquetTable, which loads the whole file into the decoder first.
 */
export async function readParquetColumns(path: string, columns: string[]): Promise<Table> {
  const wasmTable = await decodeColumns(path, columns, READ_BATCH_ROWS);
  try {
    return tableFromIPC(wasmTable.intoIPCStream());
  } catch (cause) {
    throw describeFailure(path, cause);
  }
}

/** readParquetColumns handing `use` views into parquet-wasm's memory, under readParquetViews' rules. */
export async function readParquetColumnViews<T>(path: string, columns: string[], use: (table: Table) => T): Promise<T> {
  const viewed = useViews((await decodeColumns(path, columns, VIEW_BATCH_ROWS)).intoFFI(), use);
  return viewed ? viewed.value : use(await readParquetColumns(path, columns));
}

/**
 * Some columns of a Parquet file (only their byte ranges fetched, as readParquetColumns) handed to
 * `use` as plain views into parquet-wasm's memory, with no Arrow library in between (arrowFfi.ts);
 * `{ value }` with use's result, or undefined when a column is not a plain fixed-width primitive
 * without nulls, for the caller to read it another way. The views are valid only during the call.
 */
export async function readParquetPrimitiveColumns<T>(path: string, columns: string[], use: (table: PrimitiveTable) => T): Promise<{ value: T } | undefined> {
  return usePrimitiveTable((await decodeColumns(path, columns, VIEW_BATCH_ROWS)).intoFFI(), use);
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

/** Bytes read from the end of a file at once: a trace's whole footer (1-3 KB) comes in one read. */
const FOOTER_READ_BYTES = 16384;
/** This thread's buffer for footer reads (a scan reads thousands; one buffer spares the garbage). */
let footerScratch = Buffer.allocUnsafe(FOOTER_READ_BYTES);

/**
 * Reads only the footer of a Parquet file (never a data page) and returns its key/value metadata
 * (footer pairs merged with Arrow schema metadata), the Arrow field names and the row count. Cost:
 * one read of the file's last 16 KB (two when the footer is longer) plus a Thrift decode of the
 * footer in plain TS (no WASM call).
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
    /** Reads the file's last `length` bytes into footerScratch (grown when needed). */
    const readEnd = (length: number): void => {
      if (footerScratch.length < length) footerScratch = Buffer.allocUnsafe(length);
      if (readSync(fd, footerScratch, 0, length, size - length) !== length) throw new SchemaError(`${path}: cannot read: the file changed while it was read`, { file: path });
    };
    let length = Math.min(size, FOOTER_READ_BYTES);
    readEnd(length);
    if (footerScratch.toString('latin1', length - 4, length) !== MAGIC) throw new SchemaError(`${path}: not a Parquet file (no PAR1 footer magic; truncated?)`, { file: path });
    const footerLength = footerScratch.readUInt32LE(length - 8);
    if (footerLength + 12 > size) throw new SchemaError(`${path}: Parquet footer length ${footerLength} exceeds the file size ${size} (truncated?)`, { file: path });
    if (footerLength + 8 > length) {
      // a footer longer than the first read: read it whole
      length = footerLength + 8;
      readEnd(length);
    }
    let parsed: FooterFields;
    try {
      // (the decoder copies what it keeps: strings and numbers, no views of the buffer)
      parsed = parseFileMetadata(footerScratch.subarray(length - 8 - footerLength, length - 8));
    } catch (cause) {
      throw describeFailure(path, cause);
    }
    const { metadata, fields, numRows } = parsed;
    return { metadata, fields, numRows };
  } finally {
    closeSync(fd);
  }
}
