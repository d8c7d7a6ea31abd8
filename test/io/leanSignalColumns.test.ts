import { join } from 'node:path';
import { Int32, makeVector, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { readLeanSignalColumns } from '../../src/io/leanSignalColumns.ts';
import { readParquetFooter, readParquetTable, writeParquetTable } from '../../src/io/parquet.ts';
import { readParquetPrimitive } from '../../src/io/parquetPrimitive.ts';
import { writeResultTable } from '../../src/io/resultTables.ts';
import { readSignalTrace, writeSignalTrace } from '../../src/io/traces.ts';
import { tempDir } from './fixtures.ts';

const temp = tempDir();
afterAll(() => temp.cleanup());
const at = (name: string) => join(temp.dir, name);

describe('readParquetPrimitive shows fixed-width primitive columns as the Arrow reader reads them', () => {
  it('every integer and float width, in several record batches, with the footer metadata', () => {
    const n = 70_000;
    const columns = {
      i8: Int8Array.from({ length: n }, (_, i) => (i % 255) - 127),
      u8: Uint8Array.from({ length: n }, (_, i) => i % 256),
      i16: Int16Array.from({ length: n }, (_, i) => (i * 7) % 65_000 - 32_000),
      u16: Uint16Array.from({ length: n }, (_, i) => (i * 13) % 65_536),
      i32: Int32Array.from({ length: n }, (_, i) => i * 30_011 - 1_000_000_000),
      u32: Uint32Array.from({ length: n }, (_, i) => (i * 61_333) >>> 0),
      i64: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 9_007_199_254_741n - 5n),
      f32: Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 1e3)),
      f64: Float64Array.from({ length: n }, (_, i) => Math.cos(i) / (i + 1)),
    };
    const vectors = Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, makeVector(values)]));
    writeParquetTable(at('wide.parquet'), new Table(vectors), { metadata: { owner: 'test', 'ünï': 'cödé' }, rowGroupRows: 30_000 });
    const full = readParquetTable(at('wide.parquet'));
    const read = readParquetPrimitive(at('wide.parquet'), (table) => ({
      names: table.names,
      formats: table.formats,
      metadata: table.metadata,
      batches: table.batches.length,
      nulls: table.batches.flat().reduce((sum, chunk) => sum + chunk.nullCount, 0),
      values: table.names.map((_, c) => {
        const parts = table.batches.map((batch) => batch[c]!.values);
        const out = new (parts[0]!.constructor as new (length: number) => typeof parts[0])(parts.reduce((s, p) => s + p.length, 0));
        let offset = 0;
        for (const part of parts) {
          (out as unknown as { set(a: ArrayLike<unknown>, at: number): void }).set(part as ArrayLike<unknown>, offset);
          offset += part.length;
        }
        return out;
      }),
    }));
    expect(read).toBeDefined();
    const { names, formats, metadata, batches, nulls, values } = read!.value;
    expect(names).toEqual(Object.keys(columns));
    expect(formats).toEqual(['c', 'C', 's', 'S', 'i', 'I', 'l', 'f', 'g']);
    expect(metadata).toEqual(full.schema.metadata);
    expect(metadata.get('ünï')).toBe('cödé');
    expect(metadata).toEqual(readParquetFooter(at('wide.parquet')).metadata);
    expect(batches).toBe(1);
    expect(nulls).toBe(0);
    names.forEach((name, c) => expect(values[c], name).toEqual(full.getChild(name)!.toArray()));
  });

  it('counts nulls, and declines what it cannot show (strings, dictionaries)', () => {
    writeParquetTable(at('nulls.parquet'), new Table({ idx: vectorFromArray([0, null, 5], new Int32()), signal: makeVector(Int8Array.of(1, 0, 1)) }));
    expect(readParquetPrimitive(at('nulls.parquet'), (table) => table.batches[0]!.map((chunk) => chunk.nullCount))?.value).toEqual([1, 0]);
    writeResultTable(at('strings.parquet'), { idx: Int32Array.of(1, 2), label: ['a', 'b'] });
    expect(readParquetPrimitive(at('strings.parquet'), () => 'shown')).toBeUndefined();
  });

  it('an empty file, and the read errors of the full reader', () => {
    writeResultTable(at('empty.parquet'), { idx: new Int32Array(0), signal: new Int8Array(0) });
    expect(readParquetPrimitive(at('empty.parquet'), (table) => table.batches.flat().reduce((s, c) => s + c.length, 0))?.value).toBe(0);
    expect(() => readParquetPrimitive(at('none.parquet'), () => 0)).toThrow(/none\.parquet: cannot read/);
  });
});

describe('readLeanSignalColumns', () => {
  const idx = Int32Array.from({ length: 90_000 }, (_, i) => 2 * i + 1);
  const bars = 2 * idx.length + 1;

  it('reads plain int8 and float32 traces exactly as readSignalTrace does', () => {
    writeSignalTrace(at('int8.parquet'), { idx, signal: Int8Array.from(idx, (v) => (v % 3) - 1) }, { id: 'a', family: 'f', bars }, { rowGroupRows: 40_000 });
    writeSignalTrace(at('f32.parquet'), { idx, signal: Float32Array.from(idx, (v) => Math.fround(Math.sin(v))) }, { id: 'b', family: 'f', bars });
    for (const name of ['int8.parquet', 'f32.parquet']) {
      const lean = readLeanSignalColumns(at(name), { barCount: bars })!;
      const full = readSignalTrace(at(name), { barCount: bars });
      expect(lean).toEqual({ file: at(name), idx: full.idx, signal: full.signal, valueType: full.valueType });
    }
  });

  it('declines (undefined) every file the full reader must read or describe', () => {
    const i8 = Int8Array.of(1, 0, -1);
    const cases: Record<string, Parameters<typeof writeResultTable>[1]> = {
      'int64 idx': { idx: BigInt64Array.of(0n, 2n, 5n), signal: i8 },
      'NaN px': { idx: Int32Array.of(0, 2, 5), signal: i8, px: Float64Array.of(1, NaN, 3) },
      'infinite confidence': { idx: Int32Array.of(0, 2, 5), signal: i8, confidence: Float32Array.of(1, 0.5, Infinity) },
      'string px': { idx: Int32Array.of(0, 2, 5), signal: i8, px: ['1', '2', '3'] },
      'unsorted idx': { idx: Int32Array.of(0, 5, 2), signal: i8 },
      'negative idx': { idx: Int32Array.of(-1, 2, 5), signal: i8 },
      'int8 value 2': { idx: Int32Array.of(0, 2, 5), signal: Int8Array.of(1, 2, 0) },
      'NaN weight': { idx: Int32Array.of(0, 2, 5), signal: Float32Array.of(0.5, NaN, 1) },
      'int32 signal': { idx: Int32Array.of(0, 2, 5), signal: Int32Array.of(1, 0, 1) },
      'missing signal': { idx: Int32Array.of(0, 2, 5), position: i8 },
      'string idx': { idx: ['0', '2', '5'], signal: i8 },
    };
    for (const [name, columns] of Object.entries(cases)) {
      const path = at(`${name}.parquet`);
      writeResultTable(path, columns);
      expect(readLeanSignalColumns(path), name).toBeUndefined();
    }
    writeResultTable(at('range.parquet'), { idx: Int32Array.of(0, 2, 5), signal: i8 });
    expect(readLeanSignalColumns(at('range.parquet'), { barCount: 5 })).toBeUndefined();
    expect(readLeanSignalColumns(at('range.parquet'), { barCount: 6 })).toBeDefined();
  });

  it('reads traces with optional columns (checked, not returned) and other columns (ignored) as readSignalTrace does', () => {
    const tsMs = Float64Array.of(1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000);
    writeSignalTrace(at('optional.parquet'), { idx: Int32Array.of(1, 3, 4), signal: Int8Array.of(1, 0, -1), tsMs, confidence: Float32Array.of(0.5, 1, 0.25), px: Float64Array.of(10, 11, 12) }, { id: 'o', family: 'f', bars: 6 });
    writeResultTable(at('extra.parquet'), { idx: Int32Array.of(0, 2), signal: Float32Array.of(0.5, -0.25), weight: Float64Array.of(NaN, 1) });
    for (const name of ['optional.parquet', 'extra.parquet']) {
      const full = readSignalTrace(at(name), { barCount: 6 });
      expect(readLeanSignalColumns(at(name), { barCount: 6 }), name).toEqual({ file: at(name), idx: full.idx, signal: full.signal, valueType: full.valueType });
    }
  });

  it('raises a damaged footer\'s error, like readSignalTrace', () => {
    writeSignalTrace(at('good.parquet'), { idx: Int32Array.of(1, 2), signal: Int8Array.of(1, -1) }, { id: 'g', family: 'f', bars: 4 });
    const footer = Object.fromEntries(readParquetFooter(at('good.parquet')).metadata);
    writeResultTable(at('footer.parquet'), { idx: Int32Array.of(1, 2), signal: Int8Array.of(1, -1) }, { metadata: { ...footer, 'sweeplens:parameters': '{oops' } });
    expect(() => readSignalTrace(at('footer.parquet'))).toThrow(/footer\.parquet/);
    expect(() => readLeanSignalColumns(at('footer.parquet'))).toThrow(expect.objectContaining({ message: (() => {
      try { readSignalTrace(at('footer.parquet')); } catch (error) { return (error as Error).message; }
      return '';
    })() }));
  });
});
