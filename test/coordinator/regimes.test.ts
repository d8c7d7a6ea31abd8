// Run-level regime analytics end to end: a generated run (analyzed first, in the pool and inline)
// and the ADMF-PC fixture read in place (outputs in a temp folder).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correlationMatrix } from '../../src/analytics/correlation.ts';
import { denseStrategyMetrics } from '../../src/analytics/denseMetrics.ts';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { returnMatrixFromColumns } from '../../src/analytics/returnMatrix.ts';
import { generateRun } from '../../src/coordinator/generate.ts';
import type {
  CorrelationMatrixFile, OptimalWeightsFile, RegimePerformanceFile, RegimeSummaryFile,
} from '../../src/coordinator/outputs.ts';
import { correlateRun } from '../../src/coordinator/correlate.ts';
import { optimizeRun } from '../../src/coordinator/optimizeRun.ts';
import { analyzeRegimes } from '../../src/coordinator/regimes.ts';
import { EnginePool } from '../../src/engine/pool.ts';
import { readResultTable } from '../../src/io/resultTables.ts';
import { readRegimeTrace } from '../../src/io/traces.ts';
import { openRun } from '../../src/io/workspace.ts';
import { buildDenseMarket } from '../../src/market/denseMarket.ts';
import { admfFixturesAvailable, GRID_3790FBC3, SPY_1M, tempDir } from '../io/fixtures.ts';

const temp = tempDir('sweeplens-regimes-');
afterAll(() => temp.cleanup());

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('regime analytics on a generated run (60 strategies x 3 classifiers x 5,000 bars)', () => {
  const run = join(temp.dir, 'run');
  let pool: EnginePool;
  beforeAll(() => {
    generateRun(run, { strategies: 60, classifiers: 3, bars: 5_000, seed: 21, metrics: false });
    pool = EnginePool.create({ workers: 2 });
  });
  afterAll(async () => { await pool.destroy(); });

  it('analyzes first, then writes every regime output; the pool agrees with the calling thread', async () => {
    const notices: string[] = [];
    const pooled = await analyzeRegimes(run, { pool, top: 10, onNotice: (m) => notices.push(m) });
    expect(notices.length).toBe(1);
    expect(notices[0]).toMatch(/: not analyzed yet \(no .*performance_summary\.json\); analyzing it first$/);
    const inline = await analyzeRegimes(run, { workers: 0, top: 10, onNotice: (m) => notices.push(m) });
    expect(notices.length).toBe(1); // analyzed now: the rankings are reused

    const summary = readJson<RegimeSummaryFile>(pooled.summaryPath);
    expect(summary.classifiers).toHaveLength(3);
    expect(summary.separation.map((s) => s.rank)).toEqual([1, 2, 3]);
    expect(summary.bestClassifier).toBe(summary.separation[0]!.classifier);
    expect(summary.consensus?.mode).toBe('majority');
    for (const path of pooled.transitionsPaths) expect(existsSync(path)).toBe(true);
    const consensus = readRegimeTrace(pooled.consensusPath!);
    expect(consensus.labels.length).toBeGreaterThan(0);

    const performance = readJson<RegimePerformanceFile>(pooled.performancePath);
    expect(performance.strategyIds).toHaveLength(10);
    expect(performance.totalStrategies).toBe(60);
    expect(performance.failures).toEqual([]);
    expect(performance.denseFallbacks).toEqual([]);
    for (const regimes of Object.values(performance.classifiers)) {
      expect(sum(Object.values(regimes.regimes).map((r) => r.bars))).toBe(5_000);
    }
    // Every strategy x classifier: regime bars add up to the run's bars; trade counts to the whole.
    const table = readResultTable(pooled.performanceTablePath);
    const strategy = table.columns.get('strategy') as string[];
    const classifier = table.columns.get('classifier') as string[];
    const bars = table.columns.get('bars') as Float64Array;
    const trades = table.columns.get('tradeCount') as Float64Array;
    const rankings = readJson<{ strategies: { id: string; tradeCount: number }[] }>(join(run, 'summary/strategy_rankings.json'));
    const totals = new Map<string, { bars: number; trades: number }>();
    for (let i = 0; i < table.rows; i++) {
      const key = `${strategy[i]}/${classifier[i]}`;
      const t = totals.get(key) ?? { bars: 0, trades: 0 };
      t.bars += bars[i]!;
      t.trades += trades[i]!;
      totals.set(key, t);
    }
    expect(totals.size).toBe(180);
    for (const [key, t] of totals) {
      expect(t.bars, key).toBe(5_000);
      expect(t.trades, key).toBe(rankings.strategies.find((s) => s.id === key.split('/')[0])!.tradeCount);
    }
    // Pool and calling thread: the same numbers.
    const strip = (file: RegimePerformanceFile) => ({ ...file, generatedAt: '' });
    expect(strip(inline.performance)).toEqual(strip(performance));
    expect(inline.summary.separation).toEqual(summary.separation);
  });

  it('reports progress: the strategies done of all, phase regimes, after the analysis\'s own (phase analyze) when it runs first', async () => {
    const fresh = join(temp.dir, 'progress');
    generateRun(fresh, { strategies: 70, classifiers: 2, bars: 1_000, seed: 4, metrics: false });
    for (const [call, runOptions] of [[0, { pool, batchSize: 16 }], [1, { workers: 0 }]] as const) {
      const events: { phase: string; done: number; total: number }[] = [];
      await analyzeRegimes(fresh, { ...runOptions, top: 3, onProgress: ({ phase, done, total }) => events.push({ phase, done, total }) });
      const regimes = events.filter((e) => e.phase === 'regimes');
      expect(regimes.length).toBeGreaterThanOrEqual(4);
      expect(regimes[regimes.length - 1]).toEqual({ phase: 'regimes', done: 70, total: 70 });
      expect(regimes.map((e) => e.done)).toEqual([...regimes.map((e) => e.done)].sort((a, b) => a - b));
      // the first call analyzes the run first, the second finds its analysis
      expect(events.some((e) => e.phase === 'analyze')).toBe(call === 0);
    }
  });

  it('a long-lived pool reuses its kernel memory job after job (markets, regime tables and codes are given back)', async () => {
    const sizes: number[] = [];
    for (let job = 0; job < 4; job++) {
      await analyzeRegimes(run, { pool, top: 5 });
      sizes.push(pool.instance.memory.buffer.byteLength);
    }
    expect(sizes[3]).toBe(sizes[1]);
  });

  it('correlates the top strategies (change-proportional where exact, dense net otherwise) and filters them', async () => {
    const net = await correlateRun(run, { top: 20, maxCorrelation: 0.5 });
    const file = readJson<CorrelationMatrixFile>(net.path);
    expect(file.method).toBe('dense');
    expect(file.ids).toHaveLength(20);
    expect(file.filter.kept[0]).toBe(file.ids[0]);
    expect(file.filter.kept.length + file.filter.removed.length).toBe(20);
    for (const r of file.filter.removed) expect(r.correlation).toBeGreaterThan(0.5);
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 20; j++) expect(file.matrix[i]![j]).toBe(file.matrix[j]![i]);
    }
    expect(existsSync(net.tablePath)).toBe(true);
    // Gross returns of unit positions: the change-proportional path, equal to dense gross Pearson to 1e-9.
    const gross = await correlateRun(run, { top: 20, returns: 'gross' });
    expect(gross.file.method).toBe('change-proportional');
    const handle = await openRun(run);
    const market = buildDenseMarket(await handle.readBars(), defaultExecutionCosts());
    const columns = [];
    for (const id of gross.file.ids) {
      let column = new Float64Array(0);
      denseStrategyMetrics(market, await handle.readSignal(id), defaultExecutionCosts(), { periodsPerYear: 98_280 }, (s) => { column = s.gross.slice(); });
      columns.push(column);
    }
    const dense = correlationMatrix(returnMatrixFromColumns(gross.file.ids, columns));
    for (let i = 0; i < dense.values.length; i++) {
      const a = dense.values[i]!;
      const b = gross.matrix.values[i]!;
      if (Number.isNaN(a)) expect(Number.isNaN(b)).toBe(true);
      else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9);
    }
  });

  it('optimizes global and per-regime weights of the filtered strategies', async () => {
    const result = await optimizeRun(run, { top: 15, maxCorrelation: 0.8, maxWeight: 0.5 });
    const file = readJson<OptimalWeightsFile>(result.path);
    expect(file.classifierSource).toBe('best-separating');
    expect(file.classifier).toBe(readJson<RegimeSummaryFile>(join(run, 'summary/regime_summary.json')).bestClassifier);
    expect(file.selection.strategies).toEqual(result.correlation.file.filter.kept);
    const weightsSum = (w: Record<string, number>) => sum(Object.values(w));
    expect(weightsSum(file.global.weights)).toBeCloseTo(1, 9);
    expect(Math.max(...Object.values(file.global.weights))).toBeLessThanOrEqual(0.5 + 1e-12);
    expect(file.global.inSample.bars).toBe(5_000);
    let regimeBars = 0;
    for (const entry of Object.values(file.regimes)) {
      regimeBars += entry.bars;
      if ('weights' in entry) {
        expect(weightsSum(entry.weights)).toBeCloseTo(1, 9);
        expect(entry.inSample.bars).toBe(entry.bars);
      }
    }
    expect(regimeBars).toBeLessThanOrEqual(5_000);
    expect(file.switching?.inSample.bars).toBe(5_000);
  });
});

describe.skipIf(!admfFixturesAvailable())('regime analytics on the ADMF-PC fixture expansive_grid_search_3790fbc3', () => {
  it('computes 36 classifiers x 4 strategies read in place, outputs in a temp folder', async () => {
    const out = join(temp.dir, 'admf-out');
    const admf = { market: SPY_1M, idxBase: 1 as const };
    const notices: string[] = [];
    const result = await analyzeRegimes(GRID_3790FBC3, { workers: 0, outDir: out, admf, onNotice: (m) => notices.push(m) });
    expect(notices).toHaveLength(1);
    expect(result.summary.classifiers).toHaveLength(36);
    expect(result.summary.classifiers.some((c) => c.stateChanges > 0)).toBe(true);
    expect(result.performance.totalStrategies).toBe(4);
    expect(result.performance.failures).toEqual([]);
    expect(result.summary.separation).toHaveLength(36);
    expect(existsSync(join(out, 'classifiers/combined/consensus_regimes.parquet'))).toBe(true);
    const table = readResultTable(result.performanceTablePath);
    const bars = table.columns.get('bars') as Float64Array;
    const handle = await openRun(GRID_3790FBC3, admf);
    const n = (await handle.readBars()).tsMs.length;
    expect(sum(Array.from(bars))).toBe(n * 36 * 4);
    // every strategy of this sweep loses money, so max-Sharpe has no feasible ensemble: min-variance
    const weights = await optimizeRun(GRID_3790FBC3, { outDir: out, admf, top: 4, maxCorrelation: 0.99, objective: 'min-variance' });
    expect(sum(Object.values(weights.file.global.weights))).toBeCloseTo(1, 9);
  });
});
