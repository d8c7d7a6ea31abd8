import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaError, WorkspaceError } from '../../src/errors.ts';
import { importAdmf, openAdmfRun, parseAdmfName, scanAdmfRun, type AdmfRun } from '../../src/io/admf.ts';
import { readBarsFile } from '../../src/io/bars.ts';
import { openRun, scanRun, Workspace } from '../../src/io/workspace.ts';
import { admfFixturesAvailable, GRID_12778120, GRID_3790FBC3, SPY_1M, tempDir } from './fixtures.ts';

describe('ADMF-PC names', () => {
  it('parses family and parameters from file names', () => {
    expect(parseAdmfName('SPY_rsi_bands_grid_11_15_65', 'SPY', 'rsi_bands_grid')).toEqual({ family: 'rsi_bands', nameParameters: [11, 15, 65] });
    // ADMF-PC drops decimal points (0.003 -> 0003): such tokens stay strings rather than become a wrong number.
    expect(parseAdmfName('SPY_microstructure_grid_0003_0001', 'SPY', 'microstructure_grid')).toEqual({ family: 'microstructure', nameParameters: ['0003', '0001'] });
    expect(parseAdmfName('SPY_other', 'SPY', 'x_grid')).toEqual({ family: 'x', nameParameters: [] });
  });
});

describe.skipIf(!admfFixturesAvailable())('ADMF-PC workspaces read in place', () => {
  const temp = tempDir();
  let grid: AdmfRun;
  beforeAll(async () => {
    grid = await openAdmfRun(GRID_12778120, { market: SPY_1M, idxBase: 1 });
  });
  afterAll(() => temp.cleanup());

  it('12778120: 1,235 signal traces and 81 classifiers over the first 1,000 bars, no warnings at idx base 1', async () => {
    expect(grid.strategyIds()).toHaveLength(1_235);
    expect(grid.classifierIds()).toHaveLength(81);
    expect(grid.metadata.barCounts).toEqual({ SPY: 1_000 });
    expect(grid.warnings).toEqual([]);
    const scan = grid.scan();
    expect(scan.strategies.reduce((s, i) => s + i.changes, 0)).toBe(115_157);
    expect(scan.classifiers.every((c) => c.changes === 1)).toBe(true);
    const rsi = scan.strategies.find((s) => s.id === 'SPY_rsi_bands_grid_11_15_65')!;
    expect(rsi.family).toBe('rsi_bands');
    expect(rsi.parameters).toEqual({ values: [11, 15, 65] });
    expect(rsi.changes).toBe(45);
  });

  it('reads a trace with bar = idx - 1 and checks the idx against the bars', async () => {
    const trace = await grid.readSignal('SPY_rsi_bands_grid_11_15_65');
    expect(trace.idx[0]).toBe(29); // file idx 30, ts 13:59 = bar 29 of SPY_1m
    expect((await grid.readBars()).tsMs[29]).toBe(Date.parse('2024-03-26T13:59:00Z'));
    expect([...trace.signal.slice(0, 2)]).toEqual([0, -1]);
    const regimes = await grid.readRegimes('SPY_hidden_markov_grid_11_0001_05');
    expect([...regimes.idx]).toEqual([54]);
    expect(regimes.labels).toEqual(['uncertainty']);
    let total = 0;
    for (const id of grid.strategyIds()) total += (await grid.readSignal(id)).idx.length;
    expect(total).toBe(115_157);
  });

  it('warns when idx base 0 contradicts the ts, and fails on the idx that then lands beyond the last bar', async () => {
    const zero = await openAdmfRun(GRID_12778120, { market: SPY_1M, idxBase: 0 });
    expect(zero.warnings).toHaveLength(1);
    expect(zero.warnings[0]).toMatch(/idx base 0 contradicts the traces' ts: (\d+) of \1 sampled rows match bar idx-1 and 0 match bar idx; use idx base 1/);
    let failure: unknown;
    for (const id of zero.strategyIds()) {
      try {
        await zero.readSignal(id);
      } catch (error) {
        failure = error;
        break;
      }
    }
    expect(failure).toBeInstanceOf(SchemaError);
    expect(String((failure as Error).message)).toMatch(/\.parquet: column 'idx', row \d+: bar index 1000 is beyond the last bar 999 \(1000 bars\)/);
  });

  it('3790fbc3: 4 signals + 36 classifiers; its wall-clock ts are detected and the base check skipped with a warning', async () => {
    const run = await openAdmfRun(GRID_3790FBC3, { market: SPY_1M, idxBase: 1 });
    expect(run.strategyIds()).toHaveLength(4);
    expect(run.classifierIds()).toHaveLength(36);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(/trace ts values match no bar time \(e\.g\. '2025-06-13T22:00:\d\d\.\d+' in .*\.parquet\); they look like write times/);
    const scan = run.scan();
    expect(scan.strategies.reduce((s, i) => s + i.changes, 0)).toBe(2_052);
    expect(scan.classifiers.reduce((s, i) => s + i.changes, 0)).toBe(35_919);
    const signal = await run.readSignal('SPY_sma_crossover_grid_3_15');
    expect(new Set(signal.signal)).toEqual(new Set([-1, 1]));
    const labels = new Set<string>();
    for (const id of run.classifierIds()) for (const label of (await run.readRegimes(id)).labels) labels.add(label);
    expect(labels.has('breakout_up')).toBe(true);
  });

  it('scans footers only without market data, and is listed by a Workspace', () => {
    const scan = scanRun(GRID_3790FBC3);
    expect(scan.format).toBe('admf-pc');
    expect(scan.strategies).toHaveLength(4);
    expect(scanAdmfRun(GRID_12778120).metadata.totalSignalChanges).toBe(115_157);
    const runs = new Workspace(join(GRID_12778120, '..')).listRuns().filter((r) => r.format === 'admf-pc').map((r) => r.id);
    expect(runs).toEqual(['complete_strategy_grid_v1_12778120', 'expansive_grid_search_3790fbc3']);
  });

  it('refuses traces whose symbol has no market data', async () => {
    await expect(openAdmfRun(GRID_3790FBC3, { market: { QQQ: SPY_1M } })).rejects.toThrow(WorkspaceError);
    await expect(openAdmfRun(GRID_3790FBC3, { market: { QQQ: SPY_1M } })).rejects.toThrow(/traces of symbol 'SPY' have no market data \(given: QQQ\)/);
  });

  it('imports into a native run that reads back the same traces (0-based idx)', async () => {
    const out = join(temp.dir, 'imported');
    const progress: number[] = [];
    const { metadata, warnings } = await importAdmf(GRID_3790FBC3, out, { market: SPY_1M, idxBase: 1, onProgress: (done) => progress.push(done) });
    expect(warnings).toHaveLength(1);
    expect(metadata.strategies).toHaveLength(4);
    expect(metadata.classifiers).toHaveLength(36);
    expect(progress.at(-1)).toBe(40);
    const native = await openRun(out);
    const source = await openAdmfRun(GRID_3790FBC3, { market: SPY_1M, idxBase: 1 });
    for (const id of source.strategyIds()) {
      const a = await source.readSignal(id);
      const b = await native.readSignal(id);
      expect([...b.idx]).toEqual([...a.idx]);
      expect([...b.signal]).toEqual([...a.signal]);
      expect(b.info?.family).toBe('sma_crossover');
    }
    for (const id of source.classifierIds()) {
      const a = await source.readRegimes(id);
      const b = await native.readRegimes(id);
      expect([...b.idx]).toEqual([...a.idx]);
      expect(b.state.length).toBe(a.state.length);
      for (let i = 0; i < a.state.length; i++) expect(b.labels[b.state[i]!]).toBe(a.labels[a.state[i]!]);
    }
    const bars = await native.readBars('SPY');
    expect([...bars.close.subarray(0, 5)]).toEqual([...(await readBarsFile(SPY_1M)).close.subarray(0, 5)]);
    expect(scanRun(out).strategies.map((s) => s.parameters)).toContainEqual({ values: [3, 15] });
  });
});
