// The bytes of a Parquet file and the checks every reader makes on them, with no Arrow library:
// the analysis workers read traces through this and arrowFfi.ts alone (see parquetPrimitive.ts).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { SchemaError } from '../errors.ts';

export const PARQUET_MAGIC = 'PAR1';

/** The SchemaError of a file parquet-wasm could not decode (first line of its message). */
export function describeFailure(path: string, cause: unknown): SchemaError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SchemaError(`${path}: not a readable Parquet file (${reason.split('\n')[0]})`, { file: path });
}

/** SchemaError unless a file of `size` bytes starts and ends with the PAR1 magic (`head`, `tail`: its first and last 4 bytes). */
export function checkMagic(path: string, size: number, head: Uint8Array, tail: Uint8Array): void {
  const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
  if (size < 12 || latin1(head) !== PARQUET_MAGIC || latin1(tail) !== PARQUET_MAGIC) {
    throw new SchemaError(`${path}: not a Parquet file (missing PAR1 magic; truncated or another format)`, { file: path });
  }
}

/** checkMagic on a whole file's bytes. */
export function checkFileMagic(path: string, bytes: Uint8Array): void {
  checkMagic(path, bytes.length, bytes.subarray(0, 4), bytes.subarray(Math.max(0, bytes.length - 4)));
}

/**
 * Rows per record batch on the views paths: one batch per file (parquet-rs caps the batch at the
 * file's row count, so this preallocates nothing), hence one chunk per column to copy out.
 */
export const VIEW_BATCH_ROWS = 1 << 30;

/** The bytes of a file; SchemaError naming it when it cannot be read. */
export function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new SchemaError(`${path}: cannot read: ${(cause as Error).message}`, { file: path });
  }
}

/**
 * The file bytes of a view read, in a buffer this thread reuses read after read (grown on demand):
 * parquet-wasm copies the bytes in, so the buffer is free again once the decode returns, and
 * a worker reading thousands of traces allocates no buffer per file (per-file buffers are external
 * memory, whose growth triggers full garbage collections).
 */
let viewFileBuffer = new Uint8Array(0);

/** A file's bytes in this thread's reused buffer (valid until the next call); SchemaError naming it when it cannot be read. */
export function readFileIntoViewBuffer(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (viewFileBuffer.length < size) viewFileBuffer = new Uint8Array(Math.max(size, 2 * viewFileBuffer.length));
    let length = 0;
    while (length < size) {
      const read = readSync(fd, viewFileBuffer, length, size - length, length);
      if (read === 0) break;
      length += read;
    }
    return viewFileBuffer.subarray(0, length);
  } catch (cause) {
    throw new SchemaError(`${path}: cannot read: ${(cause as Error).message}`, { file: path });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
