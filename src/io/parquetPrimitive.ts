// A Parquet file of fixed-width primitive columns, decoded by parquet-wasm and shown as views of its
// memory through arrowFfi.ts: no Arrow library is loaded (the analysis workers' trace reader).
import type { FFIStream } from 'parquet-wasm/esm';
import { primitiveTableAt, type PrimitiveTable } from './arrowFfi.ts';
import { checkFileMagic, describeFailure, readFileIntoViewBuffer, VIEW_BATCH_ROWS } from './parquetBytes.ts';
import { parquetWasm } from './parquetWasm.ts';

/**
 * A Parquet file decoded by parquet-wasm into one record batch, exported through the Arrow C data
 * interface (the caller drops it), and the file's bytes in this thread's reused buffer. SchemaError
 * naming the file when it cannot be read, has no PAR1 magic or does not decode.
 */
export function exportParquetFile(path: string): { bytes: Uint8Array; exported: FFIStream } {
  const bytes = readFileIntoViewBuffer(path);
  checkFileMagic(path, bytes);
  try {
    return { bytes, exported: parquetWasm().readParquet(bytes, { batchSize: VIEW_BATCH_ROWS }).intoFFI() };
  } catch (cause) {
    throw describeFailure(path, cause);
  }
}

/**
 * Reads a Parquet file and hands `use` its columns as views into parquet-wasm's memory, valid only
 * during the call (so `use` must copy what it keeps and must not call parquet-wasm); returns
 * `{ value }` with use's result, or undefined when a column is not a plain fixed-width primitive
 * (arrowFfi.ts), for the caller to read the file another way. SchemaError naming the file when it
 * cannot be read, has no PAR1 magic or does not decode; errors thrown by `use` pass through.
 */
export function readParquetPrimitive<T>(path: string, use: (table: PrimitiveTable) => T): { value: T } | undefined {
  return usePrimitiveTable(exportParquetFile(path).exported, use);
}

/**
 * `{ value }` with `use`'s result on the exported stream shown as a PrimitiveTable (views into
 * parquet-wasm's memory), or undefined when a column is not a plain fixed-width primitive; the
 * export is dropped after either way.
 */
export function usePrimitiveTable<T>(exported: FFIStream, use: (table: PrimitiveTable) => T): { value: T } | undefined {
  try {
    const table = primitiveTableAt(parquetWasm().wasmMemory().buffer, exported.arrayAddrs(), exported.schemaAddr());
    return table ? { value: use(table) } : undefined;
  } finally {
    exported.drop();
  }
}
