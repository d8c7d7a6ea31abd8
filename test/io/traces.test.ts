import { readdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaError } from '../../src/errors.ts';
import { readParquetFooter } from '../../src/io/parquet.ts';
import { readResultTable, writeResultTable } from '../../src/io/resultTables.ts';
import { FOOTER_KEYS, traceContentHash } from '../../src/io/traceMetadata.ts';
import { readRegimeTrace, readSignalTrace, writeRegimeTrace, writeSignalTrace } from '../../src/io/traces.ts';
import { tempDir } from './fixtures.ts';

const temp = tempDir();
afterAll(() => temp.cleanup());
const at = (name: string) => join(temp.dir, name);

const metrics = {
  values: { sharpeRatio: 1.25, totalReturn: -0.5, maxDrawdown: null },
  costs: { commissionRate: 0.001, slippageModel: 'linear' as const, slippageRate: 0.0005, impactCoefficient: 1, capital: 100_000, volatilityWindowBars: 20 },
  conventions: 'sweeplens-metrics-1',
  periodsPerYear: 98_280,
};

describe('signal traces', () => {
  it('round-trips every column exactly (int8 signal, int64 ts, float32 confidence, float64 px) with footer metadata', () => {
    const idx = Int32Array.from([0, 3, 7, 2_000_000_000]);
    const signal = Int8Array.from([1, -1, 0, 1]);
    const tsMs = Float64Array.from([1_711_459_800_000, 1_711_459_980_000, 1_711_460_220_000, 8_640_000_000_000_000]);
    const confidence = Float32Array.from([0.25, 0.5, 1 / 3, 1]);
    const px = Float64Array.from([521.01, 0.1 + 0.2, 1e-300, 123456789.123456789]);
    const info = writeSignalTrace(at('s.parquet'), { idx, signal, tsMs, confidence, px }, {
      id: 'sma_5_20', family: 'sma_crossover', symbol: 'SPY', parameters: { fast: 5, slow: 20, label: 'x' }, bars: 2_000_000_001, metrics,
    });
    const back = readSignalTrace(at('s.parquet'), { barCount: 2_000_000_001, verifyHash: true });
    expect(back.valueType).toBe('int8');
    expect(back.idx).toBeInstanceOf(Int32Array);
    expect([...back.idx]).toEqual([...idx]);
    expect(back.signal).toBeInstanceOf(Float64Array);
    expect([...back.signal]).toEqual([1, -1, 0, 1]);
    expect([...back.tsMs!]).toEqual([...tsMs]);
    expect(back.confidence).toBeInstanceOf(Float32Array);
    expect([...back.confidence!]).toEqual([...confidence]);
    expect([...back.px!]).toEqual([...px]);
    expect(back.info).toEqual(info);
    expect(info.changes).toBe(4);
    expect(info.compressionRatio).toBe(2_000_000_001 / 4);
    expect(info.contentHash).toBe(traceContentHash(idx, signal));
    expect(info.metrics).toEqual(metrics);
  });

  it('stores fractional weights as float32 and reads them back exactly', () => {
    const signal = Float64Array.from([0.5, -0.25, 0.125]);
    writeSignalTrace(at('w.parquet'), { idx: Int32Array.from([1, 2, 9]), signal }, { id: 'ens', family: 'ensemble', bars: 10 });
    const back = readSignalTrace(at('w.parquet'));
    expect(back.valueType).toBe('float32');
    expect([...back.signal]).toEqual([0.5, -0.25, 0.125]);
    expect(readParquetFooter(at('w.parquet')).fields).toEqual(['idx', 'signal']);
  });

  it('round-trips an empty trace', () => {
    writeSignalTrace(at('empty.parquet'), { idx: new Int32Array(0), signal: new Int8Array(0) }, { id: 'flat', family: 'none', bars: 5 });
    const back = readSignalTrace(at('empty.parquet'), { barCount: 5 });
    expect(back.idx.length).toBe(0);
    expect(back.info?.compressionRatio).toBeNull();
  });

  it.each([
    ['unsorted', [0, 5, 3], /row 2: unsorted bar index 3 after 5/],
    ['duplicated', [0, 5, 5], /row 2: duplicated bar index 5 after 5/],
    ['beyond the last bar', [0, 5, 10], /row 2: bar index 10 is beyond the last bar 9 \(10 bars\)/],
    ['negative', [-1, 5, 6], /row 0: negative bar index -1/],
  ])('refuses to write an idx that is %s, and writes nothing', (_name, idx, message) => {
    const path = at(`bad-${_name}.parquet`);
    const call = () => writeSignalTrace(path, { idx: Int32Array.from(idx), signal: Int8Array.from([1, 0, -1]) }, { id: 'x', family: 'f', bars: 10 });
    expect(call).toThrow(SchemaError);
    expect(call).toThrow(message);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(temp.dir).filter((f) => f.startsWith('.sweeplens-tmp'))).toEqual([]);
  });

  it('refuses a signal value outside {-1,0,1} for int8 and a non-finite weight', () => {
    expect(() => writeSignalTrace(at('v.parquet'), { idx: Int32Array.from([1, 2]), signal: Float64Array.from([1, 2]) }, { id: 'x', family: 'f', bars: 3 }, { valueType: 'int8' }))
      .toThrow(/v\.parquet: column 'signal', row 1: value 2 is not one of -1, 0, 1/);
    expect(() => writeSignalTrace(at('v.parquet'), { idx: Int32Array.from([1, 2]), signal: Float64Array.from([0.5, NaN]) }, { id: 'x', family: 'f', bars: 3 }))
      .toThrow(/row 1: value NaN is not finite/);
    expect(() => writeSignalTrace(at('v.parquet'), { idx: Int32Array.from([1, 2]), signal: Int8Array.from([1, 0]), px: Float64Array.from([1, NaN]) }, { id: 'x', family: 'f', bars: 3 }))
      .toThrow(/column 'px', row 1: value NaN is not finite/);
    expect(existsSync(at('v.parquet'))).toBe(false);
  });

  it('validates on read: a file written by another tool with unsorted, duplicated or out-of-range idx, or signal 2', () => {
    // writeResultTable does not validate traces, so it stands in for a foreign writer.
    writeResultTable(at('foreign-unsorted.parquet'), { idx: Int32Array.from([0, 4, 2]), signal: Int8Array.from([1, 0, 1]) });
    expect(() => readSignalTrace(at('foreign-unsorted.parquet'))).toThrow(/foreign-unsorted\.parquet: column 'idx', row 2: unsorted bar index 2 after 4/);
    writeResultTable(at('foreign-dup.parquet'), { idx: Int32Array.from([0, 4, 4]), signal: Int8Array.from([1, 0, 1]) });
    expect(() => readSignalTrace(at('foreign-dup.parquet'))).toThrow(/row 2: duplicated bar index 4/);
    expect(() => readSignalTrace(at('foreign-unsorted.parquet'), { barCount: 3 })).toThrow(SchemaError);
    writeResultTable(at('foreign-range.parquet'), { idx: Int32Array.from([0, 4, 7]), signal: Int8Array.from([1, 0, 1]) });
    expect(() => readSignalTrace(at('foreign-range.parquet'), { barCount: 7 })).toThrow(/row 2: bar index 7 is beyond the last bar 6 \(7 bars\)/);
    writeResultTable(at('foreign-value.parquet'), { idx: Int32Array.from([0, 4]), signal: Int8Array.from([1, 2]) });
    expect(() => readSignalTrace(at('foreign-value.parquet'))).toThrow(/foreign-value\.parquet: column 'signal', row 1: value 2 is not one of -1, 0, 1/);
    writeResultTable(at('foreign-noidx.parquet'), { bar: Int32Array.from([0, 4]), signal: Int8Array.from([1, 0]) });
    expect(() => readSignalTrace(at('foreign-noidx.parquet'))).toThrow(/foreign-noidx\.parquet: missing column 'idx' \(columns: bar, signal\)/);
  });

  it('rejects a truncated file and a non-Parquet file, naming the file', () => {
    writeSignalTrace(at('whole.parquet'), { idx: Int32Array.from([1, 2, 3]), signal: Int8Array.from([1, 0, -1]) }, { id: 'x', family: 'f', bars: 4 });
    const bytes = readFileSync(at('whole.parquet'));
    writeFileSync(at('truncated.parquet'), bytes.subarray(0, bytes.length - 20));
    expect(() => readSignalTrace(at('truncated.parquet'))).toThrow(SchemaError);
    expect(() => readSignalTrace(at('truncated.parquet'))).toThrow(/truncated\.parquet: not a Parquet file/);
    expect(() => readParquetFooter(at('truncated.parquet'))).toThrow(/truncated\.parquet: not a Parquet file \(no PAR1 footer magic; truncated\?\)/);
    writeFileSync(at('text.parquet'), 'idx,signal\n1,1\n');
    expect(() => readSignalTrace(at('text.parquet'))).toThrow(/text\.parquet: not a Parquet file/);
    expect(() => readSignalTrace(at('missing.parquet'))).toThrow(/missing\.parquet: cannot read/);
  });

  it('reads footers of every length: a small file, a footer over the 16 KB first read, a footer length past the file', () => {
    const long = 'x'.repeat(40_000);
    writeSignalTrace(at('long-footer.parquet'), { idx: Int32Array.from([1, 2, 3]), signal: Int8Array.from([1, 0, -1]) }, {
      id: 'x', family: 'f', bars: 4, parameters: { note: long },
    });
    expect(readFileSync(at('long-footer.parquet')).length).toBeGreaterThan(40_000);
    const footer = readParquetFooter(at('long-footer.parquet'));
    expect(footer.fields).toEqual(['idx', 'signal']);
    expect(footer.numRows).toBe(3);
    expect(readSignalTrace(at('long-footer.parquet')).idx).toEqual(Int32Array.from([1, 2, 3]));
    expect(JSON.parse(footer.metadata.get('sweeplens:parameters')!)).toEqual({ note: long });
    // a short footer right after the long one (the read buffer is reused)
    writeSignalTrace(at('short-footer.parquet'), { idx: Int32Array.from([5]), signal: Int8Array.from([1]) }, { id: 'y', family: 'f', bars: 9 });
    expect(readParquetFooter(at('short-footer.parquet')).numRows).toBe(1);
    const bytes = readFileSync(at('short-footer.parquet'));
    const lying = Buffer.from(bytes);
    lying.writeUInt32LE(bytes.length, bytes.length - 8);
    writeFileSync(at('lying.parquet'), lying);
    expect(() => readParquetFooter(at('lying.parquet'))).toThrow(/lying\.parquet: Parquet footer length \d+ exceeds the file size/);
    writeFileSync(at('tiny.parquet'), 'PAR1PAR1');
    expect(() => readParquetFooter(at('tiny.parquet'))).toThrow(/tiny\.parquet: not a Parquet file \(8 bytes\)/);
  });

  it('detects changed data through the content hash', () => {
    writeSignalTrace(at('h.parquet'), { idx: Int32Array.from([1, 2]), signal: Int8Array.from([1, -1]) }, { id: 'x', family: 'f', bars: 4 });
    const footer = readParquetFooter(at('h.parquet')).metadata;
    // Same footer, different data: written through the generic writer with the original footer pairs.
    writeResultTable(at('h2.parquet'), { idx: Int32Array.from([1, 3]), signal: Int8Array.from([1, -1]) }, { metadata: Object.fromEntries(footer) });
    expect(readSignalTrace(at('h2.parquet')).info?.contentHash).toBe(footer.get(FOOTER_KEYS.contentHash));
    expect(() => readSignalTrace(at('h2.parquet'), { verifyHash: true })).toThrow(/h2\.parquet: content hash mismatch/);
  });
});

describe('regime traces', () => {
  it('round-trips idx and dictionary-encoded states, keeping the label order (unused labels too)', () => {
    const labels = ['low_vol', 'normal_vol', 'high_vol', 'never_used'];
    const trace = { idx: Int32Array.from([0, 10, 11, 500]), state: Int32Array.from([2, 0, 2, 1]), labels };
    const info = writeRegimeTrace(at('r.parquet'), trace, { id: 'vol_60', family: 'volatility_regime', symbol: 'SPY', parameters: { window: 60 }, bars: 501 });
    const back = readRegimeTrace(at('r.parquet'), { barCount: 501, verifyHash: true });
    expect([...back.idx]).toEqual([0, 10, 11, 500]);
    expect(back.state).toBeInstanceOf(Int32Array);
    expect([...back.state]).toEqual([2, 0, 2, 1]);
    expect(back.labels).toEqual(labels);
    expect(back.info).toEqual(info);
    expect(info.kind).toBe('regime');
  });

  it('rejects a state code without a label and an idx beyond the last bar', () => {
    expect(() => writeRegimeTrace(at('r2.parquet'), { idx: Int32Array.from([0, 1]), state: Int32Array.from([0, 2]), labels: ['a', 'b'] }, { id: 'c', family: 'f', bars: 5 }))
      .toThrow(/r2\.parquet: column 'state', row 1: code 2 has no label \(2 labels\)/);
    writeRegimeTrace(at('r3.parquet'), { idx: Int32Array.from([0, 4]), state: Int32Array.from([0, 1]), labels: ['a', 'b'] }, { id: 'c', family: 'f', bars: 5 });
    expect(() => readRegimeTrace(at('r3.parquet'), { barCount: 4 })).toThrow(/r3\.parquet: column 'idx', row 1: bar index 4 is beyond the last bar 3/);
  });
});

describe('result tables', () => {
  it('round-trips every column type exactly', () => {
    const columns = {
      f64: Float64Array.from([0.1, -1e308, 5e-324]),
      f32: Float32Array.from([0.5, -2, 3.25]),
      i32: Int32Array.from([-2147483648, 0, 2147483647]),
      i16: Int16Array.from([-32768, 1, 32767]),
      i8: Int8Array.from([-128, 0, 127]),
      u8: Uint8Array.from([0, 1, 255]),
      i64: BigInt64Array.from([-(2n ** 63n), 0n, 2n ** 63n - 1n]),
      name: ['a', 'ß', ''],
    };
    writeResultTable(at('t.parquet'), columns, { metadata: { source: 'test' } });
    const back = readResultTable(at('t.parquet'));
    expect(back.rows).toBe(3);
    expect(back.metadata.get('source')).toBe('test');
    for (const [name, values] of Object.entries(columns)) {
      const read = back.columns.get(name)!;
      expect(read.constructor).toBe(values.constructor);
      expect([...read]).toEqual([...values]);
    }
  });

  it('rejects columns of different lengths', () => {
    expect(() => writeResultTable(at('bad.parquet'), { a: Int32Array.from([1]), b: Int32Array.from([1, 2]) })).toThrow(/column 'b' has 2 rows, 'a' has 1/);
  });
});
