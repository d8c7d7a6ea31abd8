import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeVector, Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaError, WorkspaceError } from '../../src/errors.ts';
import { generateRun } from '../../src/coordinator/generate.ts';
import { RUN_LAYOUT, signalPath } from '../../src/io/layout.ts';
import { readParquetFooter, readParquetTable } from '../../src/io/parquet.ts';
import { createRun } from '../../src/io/runWriter.ts';
import { rankByCachedMetric } from '../../src/io/scan.ts';
import { readSignalTrace } from '../../src/io/traces.ts';
import { NativeRun, openRun, scanRun, Workspace } from '../../src/io/workspace.ts';
import type { Bars } from '../../src/types.ts';
import { tempDir } from './fixtures.ts';

const temp = tempDir();
const runDir = join(temp.dir, 'ws', 'run_a');
beforeAll(() => {
  generateRun(runDir, { strategies: 18, classifiers: 4, bars: 3_000, seed: 11 });
});
afterAll(() => temp.cleanup());

function tinyBars(n: number): Bars {
  const tsMs = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000);
  const price = Float64Array.from({ length: n }, (_, i) => 100 + i);
  return { tsMs, open: price, high: price, low: price, close: price, volume: Float64Array.from({ length: n }, () => 10) };
}

describe('native runs', () => {
  it('lays out a run as documented', () => {
    const names = readdirSync(runDir).sort();
    expect(names).toEqual(['analytics', 'classifiers', 'events', 'market', 'metadata.json', 'signals', 'summary']);
    const meta = JSON.parse(readFileSync(join(runDir, 'metadata.json'), 'utf8'));
    expect(meta.format).toBe('sweeplens-run-1');
    expect(meta.strategies).toHaveLength(18);
    expect(meta.classifiers).toHaveLength(4);
    expect(meta.market).toEqual({ SYN: 'market/SYN.parquet' });
    const first = meta.strategies[0];
    expect(readdirSync(join(runDir, 'signals', first)).sort()).toEqual(['metadata.json', 'performance.json', 'signals.parquet']);
    expect(readdirSync(join(runDir, 'classifiers', meta.classifiers[0])).sort()).toEqual(['metadata.json', 'states.parquet', 'transitions.json']);
    expect(readdirSync(join(runDir, 'events')).sort()).toEqual(['index.json', 'traces.parquet']);
    expect(readdirSync(temp.dir, { recursive: true }).filter((f) => String(f).includes('.sweeplens-tmp'))).toEqual([]);
  });

  it('opens a run: ids, bars, lazy trace readers', async () => {
    const run = await openRun(runDir);
    expect(run).toBeInstanceOf(NativeRun);
    expect(run.strategyIds()).toHaveLength(18);
    expect(run.symbols()).toEqual(['SYN']);
    const bars = await run.readBars();
    expect(bars.close.length).toBe(3_000);
    expect(bars.tsMs[1]! - bars.tsMs[0]!).toBe(60_000);
    const signal = await run.readSignal(run.strategyIds()[0]!);
    expect(signal.idx).toBeInstanceOf(Int32Array);
    expect(signal.info?.bars).toBe(3_000);
    expect(signal.idx[signal.idx.length - 1]).toBeLessThan(3_000);
    const regimes = await run.readRegimes(run.classifierIds()[0]!);
    expect(regimes.labels.length).toBeGreaterThan(0);
    await expect(run.readSignal('nope')).rejects.toThrow(/no strategy 'nope' in this run/);
    await expect(run.readBars('QQQ')).rejects.toThrow(/no market data for symbol 'QQQ' \(symbols with bars: SYN\)/);
  });

  it('reads the market series (timestamps, close, volume) once, from the whole bars when they were read, and checks its bar count', async () => {
    const run = await openRun(runDir);
    const series = await run.readMarketSeries();
    expect(await run.readMarketSeries('SYN')).toBe(series);
    expect(await run.readBarTimes()).toBe(series.tsMs);
    const bars = await run.readBars();
    for (const key of ['tsMs', 'close', 'volume'] as const) expect([...series[key]], key).toEqual([...bars[key]]);
    const fresh = await openRun(runDir);
    const barsFirst = await fresh.readBars();
    const fromBars = await fresh.readMarketSeries();
    expect(fromBars.close).toBe(barsFirst.close);
    expect(await fresh.readMarketSeries()).toBe(fromBars);
    await expect(run.readMarketSeries('QQQ')).rejects.toThrow(/no market data for symbol 'QQQ'/);

    const shortDir = join(temp.dir, 'elsewhere', 'run_short');
    generateRun(shortDir, { strategies: 2, classifiers: 1, bars: 500, seed: 3 });
    const metadataPath = join(shortDir, RUN_LAYOUT.metadata);
    const metadata = JSON.parse(readFileSync(metadataPath, 'utf8'));
    writeFileSync(metadataPath, JSON.stringify({ ...metadata, barCounts: { SYN: 600 } }));
    const short = await openRun(shortDir);
    await expect(short.readMarketSeries()).rejects.toThrow(WorkspaceError);
    await expect(short.readMarketSeries()).rejects.toThrow(/SYN\.parquet: 500 bars, metadata\.json says 600/);
  });

  it('writes outputs atomically inside the run only', async () => {
    const run = await openRun(runDir);
    const path = run.writeJson('summary/performance_summary.json', { ok: true, bad: NaN });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ ok: true, bad: null });
    const tablePath = run.writeTable('analytics/rank.parquet', new Table({ rank: makeVector(Int32Array.from([1, 2])) }));
    expect(readParquetTable(tablePath).numRows).toBe(2);
    expect(() => run.writeJson('../escape.json', {})).toThrow(WorkspaceError);
    expect(existsSync(join(temp.dir, 'ws', 'escape.json'))).toBe(false);
  });

  it('lists runs of a workspace, including an incomplete one', () => {
    const incomplete = join(temp.dir, 'ws', 'run_b');
    const writer = createRun(incomplete);
    writer.writeBars('SYN', tinyBars(5));
    writer.writeSignal({ idx: Int32Array.from([1]), signal: Int8Array.from([1]) }, { id: 's1', family: 'f', symbol: 'SYN', bars: 5 });
    // no finish(): the writing was "interrupted"
    const runs = new Workspace(join(temp.dir, 'ws')).listRuns();
    expect(runs.map((r) => [r.id, r.format])).toEqual([['run_a', 'sweeplens'], ['run_b', 'incomplete']]);
    expect(() => scanRun(incomplete)).toThrow(WorkspaceError);
    expect(() => scanRun(incomplete)).toThrow(/run_b[\\/]metadata\.json: missing; .* not a sweeplens run or its writing was interrupted/);
    rmSync(incomplete, { recursive: true });
  });

  it('reports a missing or damaged run with the path and the problem', async () => {
    await expect(openRun(join(temp.dir, 'nowhere'))).rejects.toThrow(/nowhere: no such run directory/);
    const damaged = join(temp.dir, 'damaged');
    mkdirSync(join(damaged, 'signals'), { recursive: true });
    writeFileSync(join(damaged, 'metadata.json'), '{"format": "sweeplens-run-1", "strategies": [');
    await expect(openRun(damaged)).rejects.toThrow(/damaged[\\/]metadata\.json: damaged run metadata/);
    writeFileSync(join(damaged, 'metadata.json'), '{"format": "other"}');
    await expect(openRun(damaged)).rejects.toThrow(/not a sweeplens run \(format is "other"/);
    expect(() => new Workspace(join(temp.dir, 'nowhere'))).toThrow(/no such workspace directory/);
  });

  it('refuses a trace whose symbol has no market data', () => {
    const dir = join(temp.dir, 'nomarket');
    const writer = createRun(dir);
    writer.writeBars('SPY', tinyBars(5));
    expect(() => writer.writeSignal({ idx: Int32Array.from([1]), signal: Int8Array.from([1]) }, { id: 's1', family: 'f', symbol: 'QQQ', bars: 5 }))
      .toThrow(/strategy 's1': symbol 'QQQ' has no market data in .*nomarket \(write its bars first\)/);
    expect(existsSync(signalPath(dir, 's1'))).toBe(false);
    expect(() => writer.writeSignal({ idx: Int32Array.from([1]), signal: Int8Array.from([1]) }, { id: 's1', family: 'f', symbol: 'SPY', bars: 6 }))
      .toThrow(/bars 6 differs from the 5 bars of 'SPY'/);
    expect(() => writer.writeSignal({ idx: Int32Array.from([1]), signal: Int8Array.from([1]) }, { id: '../x', family: 'f', symbol: 'SPY', bars: 5 }))
      .toThrow(/strategy id '\.\.\/x' is not a valid folder name/);
  });

  it('refuses to overwrite an existing run unless asked', () => {
    expect(() => createRun(runDir)).toThrow(/a run already exists here/);
  });
});

describe('metadata scan', () => {
  it('returns the run summary and one footer record per strategy and classifier', () => {
    const scan = scanRun(runDir);
    expect(scan.format).toBe('sweeplens');
    expect(scan.strategies).toHaveLength(18);
    expect(scan.classifiers).toHaveLength(4);
    const one = scan.strategies[0]!;
    expect(one.bars).toBe(3_000);
    expect(one.compressionRatio).toBe(3_000 / one.changes);
    expect(one.metrics?.conventions).toBe('sweeplens-metrics-1');
    expect(one.metrics?.costs.commissionRate).toBe(0.001);
    expect(typeof one.metrics?.values.sharpeRatio).toBe('number');
    expect(scan.metadata.totalSignalChanges).toBe(scan.strategies.reduce((s, i) => s + i.changes, 0));
    const best = rankByCachedMetric(scan, 'sharpeRatio', 3);
    expect(best).toHaveLength(3);
    expect(best[0]!.value).toBeGreaterThanOrEqual(best[1]!.value);
    const all = scan.strategies.map((s) => s.metrics!.values.sharpeRatio!).filter(Number.isFinite);
    expect(best[0]!.value).toBe(Math.max(...all));
  });

  it('reads footers only: with every data page zeroed, the scan still works while a full read fails', () => {
    const copy = join(temp.dir, 'zeroed');
    generateRun(copy, { strategies: 6, classifiers: 2, bars: 2_000, seed: 3 });
    const before = scanRun(copy);
    for (const id of before.metadata.strategies) {
      const path = signalPath(copy, id);
      const size = statSync(path).size;
      const footerLength = readFileSync(path).readUInt32LE(size - 8);
      const dataEnd = size - 8 - footerLength;
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(dataEnd - 4), 0, dataEnd - 4, 4); // everything between the leading PAR1 and the footer
      closeSync(fd);
      expect(() => readSignalTrace(path)).toThrow(SchemaError);
      expect(readParquetFooter(path).numRows).toBe(before.strategies.find((s) => s.id === id)!.changes);
    }
    expect(scanRun(copy)).toEqual(before);
  });
});

describe('events trace', () => {
  it('holds the hidden market regimes and every classifier change, sorted by idx', () => {
    const table = readParquetTable(join(runDir, RUN_LAYOUT.events, RUN_LAYOUT.eventsFile));
    const idx = table.getChild('idx')!.toArray() as Int32Array;
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThanOrEqual(idx[i - 1]!);
    const index = JSON.parse(readFileSync(join(runDir, 'events', 'index.json'), 'utf8'));
    expect(index.rows).toBe(idx.length);
    const scan = scanRun(runDir);
    expect(index.types.classifier_change).toBe(scan.classifiers.reduce((s, c) => s + c.changes, 0));
    expect(index.types.market_regime).toBeGreaterThanOrEqual(1);
  });
});
