// Fixed-width primitive columns read straight from Arrow C data interface structs in a wasm32
// memory (https://arrow.apache.org/docs/format/CDataInterface.html), with no Arrow library.
//
// The analysis workers read every trace through this: arrow-js-ffi (which parquet.ts uses for
// everything else) needs apache-arrow, whose ~160 modules cost each worker ~150 ms of CPU to load
// and their optimizing compiler more while the workers compute. A trace is two primitive columns,
// so anything this reader does not show exactly (another type, a dictionary, children, an unknown
// null count, misaligned data) makes it answer undefined, and the caller uses the full reader.

/** Typed array of each supported C format string. */
const ARRAY_TYPES = {
  c: Int8Array, C: Uint8Array, s: Int16Array, S: Uint16Array, i: Int32Array, I: Uint32Array,
  l: BigInt64Array, L: BigUint64Array, f: Float32Array, g: Float64Array,
} as const;

/** C data interface format string of a supported column: 'c' int8, 'i' int32, 'l' int64, 'f' float32, 'g' float64, ... */
export type PrimitiveFormat = keyof typeof ARRAY_TYPES;

export type PrimitiveValues = InstanceType<(typeof ARRAY_TYPES)[PrimitiveFormat]>;

/** One column of one record batch: `length` values (the struct's offset applied), views into the memory. */
export interface PrimitiveChunk {
  length: number;
  /** Null values (0 when the column has no validity bitmap). */
  nullCount: number;
  values: PrimitiveValues;
}

/** Record batches of fixed-width primitive columns; every view is valid only while the memory and the export live. */
export interface PrimitiveTable {
  /** Column names, in order. */
  names: string[];
  /** C format string of each column. */
  formats: PrimitiveFormat[];
  /** Schema key/value metadata (for a Parquet file: the footer pairs merged with the Arrow schema's). */
  metadata: Map<string, string>;
  /** Per record batch, one chunk per column. */
  batches: PrimitiveChunk[][];
}

// ArrowSchema on wasm32: format, name, metadata (u32 pointers), 4 bytes padding, flags, n_children
// (i64), children, dictionary, release, private_data (u32 pointers).
const SCHEMA_FORMAT = 0;
const SCHEMA_NAME = 4;
const SCHEMA_METADATA = 8;
const SCHEMA_N_CHILDREN = 24;
const SCHEMA_CHILDREN = 32;
const SCHEMA_DICTIONARY = 36;
// ArrowArray on wasm32: length, null_count, offset, n_buffers, n_children (i64), buffers, children,
// dictionary (u32 pointers), ...
const ARRAY_LENGTH = 0;
const ARRAY_NULL_COUNT = 8;
const ARRAY_OFFSET = 16;
const ARRAY_N_BUFFERS = 24;
const ARRAY_N_CHILDREN = 32;
const ARRAY_BUFFERS = 40;
const ARRAY_CHILDREN = 44;
const ARRAY_DICTIONARY = 48;

const utf8 = new TextDecoder();

function cString(memory: ArrayBuffer, bytes: Uint8Array, ptr: number): string {
  if (ptr === 0) return '';
  let end = ptr;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return utf8.decode(new Uint8Array(memory, ptr, end - ptr));
}

/** The C data interface metadata encoding: int32 count, then (int32 length, bytes) for each key and value. */
function metadataAt(view: DataView, memory: ArrayBuffer, ptr: number): Map<string, string> {
  const metadata = new Map<string, string>();
  if (ptr === 0) return metadata;
  const entries = view.getInt32(ptr, true);
  let at = ptr + 4;
  const next = (): string => {
    const length = view.getInt32(at, true);
    const text = utf8.decode(new Uint8Array(memory, at + 4, length));
    at += 4 + length;
    return text;
  };
  for (let i = 0; i < entries; i++) {
    const key = next();
    metadata.set(key, next());
  }
  return metadata;
}

/** A safe integer from an i64 field; -1 when it is not one (the readers then decline). */
function int64At(view: DataView, ptr: number): number {
  const value = view.getBigInt64(ptr, true);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : -1;
}

/**
 * The table an exported Arrow stream (one struct ArrowArray per record batch, a struct ArrowSchema)
 * holds, as views into `memory`; undefined unless every column is a fixed-width primitive the
 * views show exactly (see the module comment).
 */
export function primitiveTableAt(memory: ArrayBuffer, arrayPtrs: ArrayLike<number>, schemaPtr: number): PrimitiveTable | undefined {
  const view = new DataView(memory);
  const bytes = new Uint8Array(memory);
  if (cString(memory, bytes, view.getUint32(schemaPtr + SCHEMA_FORMAT, true)) !== '+s') return undefined;
  if (view.getUint32(schemaPtr + SCHEMA_DICTIONARY, true) !== 0) return undefined;
  const columns = int64At(view, schemaPtr + SCHEMA_N_CHILDREN);
  if (columns < 0) return undefined;
  const names: string[] = [];
  const formats: PrimitiveFormat[] = [];
  const fieldPtrs = view.getUint32(schemaPtr + SCHEMA_CHILDREN, true);
  for (let c = 0; c < columns; c++) {
    const field = view.getUint32(fieldPtrs + 4 * c, true);
    const format = cString(memory, bytes, view.getUint32(field + SCHEMA_FORMAT, true));
    if (!Object.hasOwn(ARRAY_TYPES, format)) return undefined;
    if (int64At(view, field + SCHEMA_N_CHILDREN) !== 0 || view.getUint32(field + SCHEMA_DICTIONARY, true) !== 0) return undefined;
    names.push(cString(memory, bytes, view.getUint32(field + SCHEMA_NAME, true)));
    formats.push(format as PrimitiveFormat);
  }
  const metadata = metadataAt(view, memory, view.getUint32(schemaPtr + SCHEMA_METADATA, true));
  const batches: PrimitiveChunk[][] = [];
  for (let b = 0; b < arrayPtrs.length; b++) {
    const struct = arrayPtrs[b]!;
    const rows = int64At(view, struct + ARRAY_LENGTH);
    if (rows < 0 || int64At(view, struct + ARRAY_NULL_COUNT) !== 0 || int64At(view, struct + ARRAY_OFFSET) !== 0) return undefined;
    if (int64At(view, struct + ARRAY_N_CHILDREN) !== columns || view.getUint32(struct + ARRAY_DICTIONARY, true) !== 0) return undefined;
    const childPtrs = view.getUint32(struct + ARRAY_CHILDREN, true);
    const chunks: PrimitiveChunk[] = [];
    for (let c = 0; c < columns; c++) {
      const chunk = chunkAt(view, memory, view.getUint32(childPtrs + 4 * c, true), formats[c]!, rows);
      if (!chunk) return undefined;
      chunks.push(chunk);
    }
    batches.push(chunks);
  }
  return { names, formats, metadata, batches };
}

/** One primitive column of a batch of `rows` rows; undefined when its layout is not the plain one. */
function chunkAt(view: DataView, memory: ArrayBuffer, ptr: number, format: PrimitiveFormat, rows: number): PrimitiveChunk | undefined {
  const length = int64At(view, ptr + ARRAY_LENGTH);
  const nullCount = int64At(view, ptr + ARRAY_NULL_COUNT);
  const offset = int64At(view, ptr + ARRAY_OFFSET);
  if (length !== rows || nullCount < 0 || offset < 0) return undefined;
  if (int64At(view, ptr + ARRAY_N_BUFFERS) !== 2 || int64At(view, ptr + ARRAY_N_CHILDREN) !== 0 || view.getUint32(ptr + ARRAY_DICTIONARY, true) !== 0) return undefined;
  const buffers = view.getUint32(ptr + ARRAY_BUFFERS, true);
  const validity = view.getUint32(buffers, true);
  const data = view.getUint32(buffers + 4, true);
  if (nullCount > 0 && validity === 0) return undefined;
  const Values = ARRAY_TYPES[format];
  const start = data + offset * Values.BYTES_PER_ELEMENT;
  if (length > 0 && (data === 0 || start % Values.BYTES_PER_ELEMENT !== 0 || start + length * Values.BYTES_PER_ELEMENT > memory.byteLength)) return undefined;
  return { length, nullCount, values: new Values(memory, length > 0 ? start : 0, length) };
}
