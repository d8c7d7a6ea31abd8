// Arrow <-> typed-array helpers: build columns from typed arrays and read columns straight into
// typed arrays (never arrays of row objects).
import { DataType, Dictionary, Int32, makeData, makeVector, TimeUnit, Utf8, Vector, vectorFromArray, type Table } from 'apache-arrow';
import { SchemaError } from '../errors.ts';

/** Arrow type names as `String(field.type)` prints them, by family. */
const INTEGER_TYPE = /^u?int(8|16|32|64)$/i;

/** The column `name` of `table`, or a SchemaError naming the file and the columns present. */
export function requireColumn(table: Table, name: string, file: string): Vector {
  const vector = table.getChild(name);
  if (!vector) {
    const present = table.schema.fields.map((f) => f.name).join(', ');
    throw new SchemaError(`${file}: missing column '${name}' (columns: ${present})`, { file, column: name });
  }
  return vector;
}

/** Arrow type of a column as text (e.g. 'Int32', 'Dictionary<Int32, Utf8>', 'Timestamp<MICROSECOND, UTC>'). */
export function columnTypeName(table: Table, name: string): string {
  const field = table.schema.fields.find((f) => f.name === name);
  return field ? String(field.type) : '';
}

function rejectNulls(vector: Vector, file: string, column: string): void {
  if (vector.nullCount === 0) return;
  for (let i = 0; i < vector.length; i++) {
    if (vector.isValid(i)) continue;
    throw new SchemaError(`${file}: column '${column}', row ${i}: null value`, { file, column, row: i });
  }
}

/**
 * Reads an integer column (any width) into an Int32Array of its own (never a view of the column's
 * buffers, which may be parquet-wasm memory), rejecting nulls and values outside the int32 range.
 */
export function columnToInt32(vector: Vector, file: string, column: string): Int32Array {
  const typeName = String(vector.type);
  if (!INTEGER_TYPE.test(typeName)) throw new SchemaError(`${file}: column '${column}' has type ${typeName}, expected an integer type`, { file, column });
  rejectNulls(vector, file, column);
  const values = vector.toArray() as ArrayLike<number | bigint>;
  // toArray() concatenates (copies) a multi-chunk column; a single chunk is a view into its buffer.
  if (values instanceof Int32Array) return vector.data.length > 1 ? values : values.slice();
  const out = new Int32Array(values.length);
  const row = values instanceof BigInt64Array && LITTLE_ENDIAN ? narrowInt64(values, out) : narrowIntegers(values, out);
  if (row >= 0) throw new SchemaError(`${file}: column '${column}', row ${row}: ${Number(values[row]!)} does not fit in int32`, { file, column, row });
  return out;
}

/** Copies integers into `out`; the first row whose value is outside the int32 range, or -1. */
function narrowIntegers(values: ArrayLike<number | bigint>, out: Int32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]!);
    if (v > 2147483647 || v < -2147483648) return i;
    out[i] = v;
  }
  return -1;
}

/** narrowIntegers for little-endian int64 without a BigInt per value: it fits when the high word is the low word's sign. */
function narrowInt64(values: BigInt64Array, out: Int32Array): number {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const lo = words[2 * i]!;
    if (words[2 * i + 1]! !== lo >> 31) return i;
    out[i] = lo;
  }
  return -1;
}

/**
 * Reads a numeric or timestamp column into a Float64Array of its own (int64 via Number(); apache-arrow
 * returns Timestamp values as epoch milliseconds whatever the stored unit). Nulls become NaN.
 */
export function columnToFloat64(vector: Vector, file: string, column: string): Float64Array {
  const typeName = String(vector.type);
  if (!/^(Float|Int|Uint|Timestamp|Date)/i.test(typeName)) {
    throw new SchemaError(`${file}: column '${column}' has type ${typeName}, expected a number`, { file, column });
  }
  if (/^(Timestamp|Date)/.test(typeName)) {
    const fast = timestampsToMs(vector);
    if (fast) return fast;
    const out = new Float64Array(vector.length);
    for (let i = 0; i < vector.length; i++) {
      const v = vector.get(i) as number | bigint | Date | null;
      out[i] = v === null ? NaN : v instanceof Date ? v.getTime() : Number(v);
    }
    return out;
  }
  const values = vector.toArray() as ArrayLike<number | bigint>;
  let out: Float64Array;
  if (values instanceof Float64Array) {
    // toArray() already copied a multi-chunk column; a single chunk is a view into Arrow's buffer.
    out = vector.data.length > 1 ? values : values.slice();
  } else if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    out = int64ToFloat64(values);
  } else {
    out = Float64Array.from(values as ArrayLike<number>);
  }
  if (vector.nullCount > 0) for (let i = 0; i < out.length; i++) if (!vector.isValid(i)) out[i] = NaN;
  return out;
}

/**
 * Epoch ms of a Timestamp column in s, ms or µs, computed as apache-arrow's getters do
 * (`1000 * Number(v)`, `Number(v)`, `Number(v / 1000n) + Number(v % 1000n) / 1000`) but without a
 * BigInt per value: for |v| <= 2^53 - 1 the double v, v % 1000 and (v - v % 1000) / 1000 are exact,
 * so each result is the same double. Undefined (the getters decide) for other types and units, a
 * column with nulls, or a value beyond that range.
 */
function timestampsToMs(vector: Vector): Float64Array | undefined {
  const type = vector.type;
  if (!DataType.isTimestamp(type) || type.unit === TimeUnit.NANOSECOND || vector.nullCount > 0) return undefined;
  const out = int64ToFloat64(vector.toArray() as BigInt64Array);
  for (let i = 0; i < out.length; i++) if (!(Math.abs(out[i]!) <= Number.MAX_SAFE_INTEGER)) return undefined;
  if (type.unit === TimeUnit.SECOND) {
    for (let i = 0; i < out.length; i++) out[i] = 1000 * out[i]!;
  } else if (type.unit === TimeUnit.MICROSECOND) {
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      const remainder = v % 1000;
      out[i] = (v - remainder) / 1000 + remainder / 1000;
    }
  }
  return out;
}

const TWO_TO_32 = 4294967296;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * int64 -> float64 without a BigInt per value: hi * 2^32 + lo from the two 32-bit words (exact for
 * |v| < 2^53, i.e. any epoch-ms timestamp or volume; larger values round as Number(v) does).
 */
export function int64ToFloat64(values: BigInt64Array | BigUint64Array): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) out[i] = Number(values[i]!);
    return out;
  }
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const signed = values instanceof BigInt64Array;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    out[i] = signed && hi >= 0x80000000 ? (hi - TWO_TO_32) * TWO_TO_32 + lo : hi * TWO_TO_32 + lo;
  }
  return out;
}

/**
 * Reads a string column, plain Utf8 or dictionary-encoded, as dictionary codes plus labels.
 * Labels appear in first-seen order unless `knownLabels` fixes the order (codes then index it;
 * a value absent from it is appended).
 */
export function columnToCodes(vector: Vector, file: string, column: string, knownLabels: string[] = []): { codes: Int32Array; labels: string[] } {
  rejectNulls(vector, file, column);
  const labels = [...knownLabels];
  const lookup = new Map<string, number>(labels.map((label, i) => [label, i]));
  const codeOf = (label: string): number => {
    let code = lookup.get(label);
    if (code === undefined) {
      code = labels.length;
      labels.push(label);
      lookup.set(label, code);
    }
    return code;
  };
  const codes = new Int32Array(vector.length);
  const typeName = String(vector.type);
  if (typeName.startsWith('Dictionary')) {
    let offset = 0;
    for (const chunk of vector.data) {
      const dictionary = chunk.dictionary;
      const remap = dictionary ? Array.from({ length: dictionary.length }, (_, i) => codeOf(String(dictionary.get(i)))) : [];
      const raw = chunk.values as ArrayLike<number | bigint>;
      for (let i = 0; i < chunk.length; i++) codes[offset + i] = remap[Number(raw[i]!)]!;
      offset += chunk.length;
    }
    return { codes, labels };
  }
  if (!/^(Utf8|LargeUtf8)$/.test(typeName)) throw new SchemaError(`${file}: column '${column}' has type ${typeName}, expected strings`, { file, column });
  for (let i = 0; i < vector.length; i++) codes[i] = codeOf(String(vector.get(i)));
  return { codes, labels };
}

/** A dictionary-encoded Utf8 column from codes into `labels`. */
export function dictionaryVector(codes: Int32Array, labels: string[]): Vector {
  const data = makeData({
    type: new Dictionary(new Utf8(), new Int32()),
    length: codes.length,
    nullCount: 0,
    data: codes,
    dictionary: vectorFromArray(labels, new Utf8()),
  });
  return new Vector([data]);
}

/** An Int64 column of epoch milliseconds from a Float64Array (values rounded to integers). */
export function int64Vector(valuesMs: Float64Array): Vector {
  const out = new BigInt64Array(valuesMs.length);
  for (let i = 0; i < valuesMs.length; i++) out[i] = BigInt(Math.round(valuesMs[i]!));
  return makeVector(out);
}

/**
 * Copies any array that shares its ArrayBuffer with an earlier one. apache-arrow's IPC writer
 * emits a truncated stream when two columns are views of one buffer (parquet-wasm then fails
 * with "failed to fill whole buffer"), e.g. bars whose open and close are the same array.
 */
export function distinctBuffers<T extends ArrayBufferView>(arrays: T[]): T[] {
  const seen = new Set<ArrayBufferLike>();
  return arrays.map((array) => {
    if (!seen.has(array.buffer)) {
      seen.add(array.buffer);
      return array;
    }
    return (array as unknown as { slice(): T }).slice();
  });
}
