import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsCoordinator, analyzeRun } from '../../src/coordinator/analyze.ts';
import { generateRun } from '../../src/coordinator/generate.ts';
import { readParquetFooter } from '../../src/io/parquet.ts';
import { readResultTable, writeResultTable } from '../../src/io/resultTables.ts';
import { signalPath } from '../../src/io/layout.ts';
import { readSignalTrace, writeSignalTrace } from '../../src/io/traces.ts';
import { EnginePool } from '../../src/engine/pool.ts';
import { TEMP_FILE_PREFIX } from '../../src/io/atomicWrite.ts';
import { ADMF_FIXTURES, admfFixturesAvailable, GRID_12778120, SPY_1M, tempDir } from '../io/fixtures.ts';

const temp = tempDir('sweeplens-analyze-');
afterAll(() => temp.cleanup());

/** Every file under `dir`, recursively (relative paths). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

function expectNoTempFiles(dir: string): void {
  expect(filesUnder(dir).filter((f) => f.includes('.sweeplens-tmp-'))).toEqual([]);
}

describe('analyzeRun', () => {
  const run = join(temp.dir, 'run');
  let pool: EnginePool;
  beforeAll(() => {
    generateRun(run, { strategies: 40, classifiers: 2, bars: 4_000, seed: 11, metrics: false });
    pool = EnginePool.create({ workers: 2 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('computes the same metrics in the pool as on the calling thread and as the dense path, and writes every output', async () => {
    const events = { progress: 0, done: 0, ready: 0 };
    const coordinator = new AnalyticsCoordinator()
      .on('progress', () => events.progress++)
      .on('strategy-done', () => events.done++)
      .on('analysis-ready', () => events.ready++);
    const pooled = await coordinator.analyzeRun(run, { pool, useCache: false });
    const inline = await analyzeRun(run, { workers: 0, useCache: false });
    const dense = await analyzeRun(run, { workers: 0, useCache: false, path: 'dense' });
    expect(events).toMatchObject({ done: 40, ready: 1 });
    expect(events.progress).toBeGreaterThan(0);
    expect(pooled.summary.strategies).toMatchObject({ total: 40, analyzed: 40, failed: 0, fromCache: 0 });
    expect(pooled.summary.strategies.sparse).toBe(40);
    expect(pooled.rankings.map((r) => r.id)).toEqual(inline.rankings.map((r) => r.id));
    for (const row of pooled.rankings) {
      const same = inline.rankings.find((r) => r.id === row.id)!;
      const reference = dense.rankings.find((r) => r.id === row.id)!;
      expect({ ...row, path: '' }).toEqual({ ...same, path: '' });
      for (const key of ['sharpeRatio', 'totalReturn', 'maxDrawdown', 'winRate', 'profitFactor', 'totalCosts', 'sortinoRatio'] as const) {
        const a = row[key];
        const b = reference[key];
        if (b === null) expect(a).toBeNull();
        else expect(Math.abs(a! - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
      }
    }
    // Rankings best first by Sharpe, nulls last.
    const sharpes = pooled.rankings.map((r) => r.sharpeRatio).filter((v): v is number => v !== null);
    expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));
    const table = readResultTable(join(run, 'summary/strategy_rankings.parquet'));
    expect(table.rows).toBe(40);
    expect(table.columns.get('id')).toEqual(pooled.rankings.map((r) => r.id));
    const summary = JSON.parse(readFileSync(join(run, 'summary/performance_summary.json'), 'utf8'));
    expect(summary.strategies.analyzed).toBe(40);
    // the phases of this run's time, each measured, within its elapsed time
    const timings = pooled.summary.timings!;
    expect(Object.keys(timings).sort()).toEqual(['computeMs', 'marketMs', 'scanMs', 'writeMs']);
    for (const ms of Object.values(timings)) expect(ms).toBeGreaterThan(0);
    expect(timings.scanMs + timings.marketMs + timings.computeMs + timings.writeMs).toBeLessThanOrEqual(pooled.summary.elapsedMs + 0.2);
    expect(summary.timings).toEqual(dense.summary.timings); // (the file is the last analysis's)
    expect(summary.distributions.sharpeRatio.count).toBe(sharpes.length);
    const metadata = JSON.parse(readFileSync(join(run, 'metadata.json'), 'utf8'));
    expect(metadata.analysis.bestStrategy).toBe(pooled.rankings[0]!.id);
    expect(existsSync(join(run, 'signals', pooled.rankings[0]!.id, 'performance.json'))).toBe(true);
    expectNoTempFiles(run);
  });

  it('reuses valid caches, and recomputes when a trace or the cost model changes', async () => {
    await analyzeRun(run, { pool });
    const again = await analyzeRun(run, { pool });
    expect(again.summary.strategies).toMatchObject({ fromCache: 40, computed: 0 });
    const costlier = await analyzeRun(run, { pool, costs: { commissionRate: 0.002 } });
    expect(costlier.summary.strategies).toMatchObject({ fromCache: 0, computed: 40 });
    // A trace file rewritten with the same content (a copy, a touch): its cache stands once the
    // trace is read and its content hash checked, and the cache takes the file's new size and time.
    const id = again.rankings[5]!.id;
    const file = signalPath(run, id);
    writeFileSync(file, readFileSync(file));
    const cachePath = join(run, 'signals', id, 'performance.json');
    const before = JSON.parse(readFileSync(cachePath, 'utf8'));
    const touched = await analyzeRun(run, { pool, costs: { commissionRate: 0.002 } });
    expect(touched.summary.strategies).toMatchObject({ fromCache: 40, computed: 0 });
    const after = JSON.parse(readFileSync(cachePath, 'utf8'));
    expect(after.metrics).toEqual(before.metrics);
    expect(after.computedAt).toBe(before.computedAt);
    expect(after.key.traceMtimeMs).toBe(statSync(file).mtimeMs);
    expect(after.key.traceMtimeMs).not.toBe(before.key.traceMtimeMs);
    expect((await analyzeRun(run, { pool, costs: { commissionRate: 0.002 } })).summary.strategies).toMatchObject({ fromCache: 40, computed: 0 });
    // New content invalidates that strategy only (on the pool and on the calling thread).
    const trace = readSignalTrace(file);
    const signal = Float64Array.from(trace.signal, (v, i) => (i === 3 ? (v === 0 ? 1 : 0) : v));
    writeSignalTrace(file, { idx: trace.idx, signal }, { id, family: trace.info!.family, symbol: trace.info!.symbol!, parameters: trace.info!.parameters, bars: trace.info!.bars });
    const changed = await analyzeRun(run, { pool, costs: { commissionRate: 0.002 } });
    expect(changed.summary.strategies).toMatchObject({ fromCache: 39, computed: 1 });
    const reference = await analyzeRun(run, { workers: 0, useCache: false, costs: { commissionRate: 0.002 } });
    expect(changed.rankings.find((r) => r.id === id)).toEqual(reference.rankings.find((r) => r.id === id));
    writeFileSync(file, readFileSync(file));
    expect((await analyzeRun(run, { workers: 0, costs: { commissionRate: 0.002 } })).summary.strategies).toMatchObject({ fromCache: 40, computed: 0 });
  });

  it('a long-lived pool reuses its kernel memory analysis after analysis (the market index is given back)', async () => {
    const sizes: number[] = [];
    for (let job = 0; job < 4; job++) {
      await analyzeRun(run, { pool, useCache: false });
      sizes.push(pool.instance.memory.buffer.byteLength);
    }
    expect(sizes[3]).toBe(sizes[1]);
  });

  it('reports a corrupt trace as that strategy\'s failure and completes the rest', async () => {
    const broken = join(temp.dir, 'broken');
    generateRun(broken, { strategies: 12, classifiers: 0, bars: 2_000, seed: 3, metrics: false });
    const victim = JSON.parse(readFileSync(join(broken, 'metadata.json'), 'utf8')).strategies[4] as string;
    const file = signalPath(broken, victim);
    const bytes = readFileSync(file);
    bytes.fill(0, 4, Math.min(bytes.length - 8, 200));
    writeFileSync(file, bytes);
    const result = await analyzeRun(broken, { pool });
    expect(result.summary.strategies).toMatchObject({ total: 12, analyzed: 11, failed: 1 });
    expect(result.summary.failures[0]!.id).toBe(victim);
    expect(result.summary.failures[0]!.error).toContain(file);
  });

  it('workers read the traces their lean reader declines with the full reader, loaded on first need', async () => {
    const odd = join(temp.dir, 'odd');
    generateRun(odd, { strategies: 12, classifiers: 0, bars: 3_000, seed: 21, metrics: false });
    const ids = JSON.parse(readFileSync(join(odd, 'metadata.json'), 'utf8')).strategies as string[];
    // a valid trace stored with an int64 idx and a ts column (not the lean reader's plain layout)
    const wide = signalPath(odd, ids[3]!);
    const stored = readResultTable(wide);
    const idx = stored.columns.get('idx') as Int32Array;
    writeResultTable(wide, {
      idx: BigInt64Array.from(idx, (v) => BigInt(v)), signal: stored.columns.get('signal') as Int8Array,
      ts: Float64Array.from(idx, (v) => 1_700_000_000_000 + 60_000 * v),
    }, { metadata: Object.fromEntries(readParquetFooter(wide).metadata) });
    // an invalid one: the full reader's message names the row
    const unsorted = signalPath(odd, ids[7]!);
    writeResultTable(unsorted, { idx: Int32Array.of(0, 9, 4), signal: Int8Array.of(1, 0, -1) }, { metadata: Object.fromEntries(readParquetFooter(unsorted).metadata) });
    const fresh = EnginePool.create({ workers: 1 });
    try {
      const pooled = await analyzeRun(odd, { pool: fresh, useCache: false });
      const inline = await analyzeRun(odd, { workers: 0, useCache: false });
      expect(pooled.summary.strategies).toMatchObject({ total: 12, analyzed: 11, failed: 1 });
      expect(pooled.summary.failures).toEqual(inline.summary.failures);
      expect(pooled.summary.failures[0]!.error).toMatch(/row 2: unsorted bar index 4 after 9/);
      expect(pooled.rankings).toEqual(inline.rankings);
      expect(pooled.rankings.find((row) => row.id === ids[3])!.changes).toBe(idx.length);
    } finally {
      await fresh.destroy();
    }
  });

  it('cancels on abort, leaves no half-written file, and the next run resumes from the caches', async () => {
    const big = join(temp.dir, 'cancel');
    generateRun(big, { strategies: 300, classifiers: 0, bars: 3_000, seed: 5, metrics: false });
    const controller = new AbortController();
    const coordinator = new AnalyticsCoordinator();
    let finished = 0;
    coordinator.on('strategy-done', () => {
      finished++;
      if (finished === 70) controller.abort();
    });
    await expect(coordinator.analyzeRun(big, { pool, batchSize: 10, signal: controller.signal })).rejects.toThrow(/cancelled/);
    expect(existsSync(join(big, 'summary/performance_summary.json'))).toBe(false);
    expectNoTempFiles(big);
    const resumed = await analyzeRun(big, { pool, batchSize: 10 });
    expect(resumed.summary.strategies.fromCache).toBeGreaterThanOrEqual(70);
    expect(resumed.summary.strategies.analyzed).toBe(300);
  });

  it('survives a killed process: no half-written output, and a re-run resumes', async () => {
    const killed = join(temp.dir, 'killed');
    generateRun(killed, { strategies: 400, classifiers: 0, bars: 20_000, seed: 8, metrics: false });
    const cli = join(import.meta.dirname, '../../src/cli/main.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'analyze', killed, '--workers', '1', '--quiet'], { stdio: 'ignore' });
    // Kill once some per-strategy caches exist.
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        const cached = filesUnder(join(killed, 'signals')).filter((f) => f.endsWith('performance.json')).length;
        if (cached >= 20 || Date.now() - started > 60_000) {
          clearInterval(timer);
          child.kill('SIGKILL');
          cached >= 20 ? resolve() : reject(new Error('no progress within 60 s'));
        }
      }, 20);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    // Every output file is whole (a kill can only leave a temp file, never a half-written output).
    for (const f of filesUnder(killed).filter((name) => name.endsWith('.json') && !name.includes('.sweeplens-tmp-'))) {
      expect(() => JSON.parse(readFileSync(join(killed, f), 'utf8')), f).not.toThrow();
    }
    // and a temp file of a dead writer in the folder of a strategy still to compute (pid 2^22 + 1 is above Linux's pid_max)
    const pending = readdirSync(join(killed, 'signals')).find((id) => !existsSync(join(killed, 'signals', id, 'performance.json')))!;
    writeFileSync(join(killed, 'signals', pending, `${TEMP_FILE_PREFIX}4194305-1-performance.json`), '{"half": ');
    const resumed = await analyzeRun(killed, { pool });
    expect(resumed.summary.strategies.fromCache).toBeGreaterThanOrEqual(20);
    expect(resumed.summary.strategies.analyzed).toBe(400);
    expectNoTempFiles(killed); // the re-run removed what the killed writer left
  });
});

describe.skipIf(!admfFixturesAvailable())('analyzeRun on the ADMF-PC fixture, read in place', () => {
  it(`analyzes all 1,235 strategies of ${GRID_12778120.slice(ADMF_FIXTURES.length + 1)} into a separate output folder`, async () => {
    const out = join(temp.dir, 'admf-out');
    const result = await analyzeRun(GRID_12778120, { workers: 0, outDir: out, admf: { market: SPY_1M, idxBase: 1 } });
    expect(result.summary.format).toBe('admf-pc');
    expect(result.summary.barCounts).toEqual({ SPY: 1000 });
    expect(result.summary.strategies).toMatchObject({ total: 1235, analyzed: 1235, failed: 0 });
    expect(result.summary.periodsPerYear.SPY!.value).toBeCloseTo(252 * 390, 6);
    expect(existsSync(join(out, 'summary/strategy_rankings.parquet'))).toBe(true);
    expect(result.rankings[0]!.tradeCount).toBeGreaterThan(0);
    // the pool's workers read ADMF-PC traces with the full reader they load on first need
    const pooled = await analyzeRun(GRID_12778120, { workers: 2, outDir: join(temp.dir, 'admf-pooled'), admf: { market: SPY_1M, idxBase: 1 } });
    expect(pooled.rankings).toEqual(result.rankings);
  });
});
