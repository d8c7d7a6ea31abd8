// The main job end to end on generated data: generate a sweep, analyze it, break it down by regime,
// correlate and optimize an ensemble, check overfitting and write the HTML report.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { EnginePool } from '../engine/pool.ts';
import { analyzeRun, type AnalysisResult } from './analyze.ts';
import type { ProgressEvent } from './events.ts';
import { generateRun } from './generate.ts';
import { mineRun, type MineResult } from './mine.ts';
import { walkForward, type WalkForwardResult } from './walkforward.ts';
import { overfitRun, type OverfitResult } from './overfit.ts';
import { optimizeRun, type OptimizeRunResult } from './optimizeRun.ts';
import { analyzeRegimes, type RegimeAnalysisResult } from './regimes.ts';
import { buildReport, type ReportResult } from './report.ts';

/** Options of runDemoPipeline. */
export interface DemoPipelineOptions {
  /** Run directory to create; must not exist yet unless `overwrite`. */
  dir: string;
  /** Strategies of the generated sweep; default 300. */
  strategies?: number;
  /** Classifiers; default 3. */
  classifiers?: number;
  /** 1-minute bars; default 50,000. */
  bars?: number;
  seed?: number;
  /** Worker threads; default the machine's parallelism. */
  workers?: number;
  overwrite?: boolean;
  /** One line per finished step. */
  onStep?: (line: string) => void;
  onProgress?: (event: ProgressEvent) => void;
}

/** Everything the pipeline produced. */
export interface DemoPipelineResult {
  dir: string;
  analysis: AnalysisResult;
  regimes: RegimeAnalysisResult;
  ensemble: OptimizeRunResult | { error: string };
  overfitting: OverfitResult;
  patterns: MineResult;
  walkForward: WalkForwardResult | { error: string };
  report: ReportResult;
  elapsedMs: number;
}

/** Generates a sweep into `dir` and runs every analysis on it, sharing one worker pool. */
export async function runDemoPipeline(options: DemoPipelineOptions): Promise<DemoPipelineResult> {
  const started = performance.now();
  const dir = resolve(options.dir);
  if (existsSync(dir) && !options.overwrite) throw new InputError(`${dir} already exists; choose another --dir or pass --overwrite`);
  const step = options.onStep ?? (() => {});
  const time = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const strategies = options.strategies ?? 300;
  const bars = options.bars ?? 50_000;
  generateRun(dir, {
    strategies, classifiers: options.classifiers ?? 3, bars, seed: options.seed ?? 42, overwrite: options.overwrite ?? false,
    ...(options.onProgress ? { onProgress: (p) => options.onProgress!({ phase: `generate ${p.phase}`, done: p.done, total: p.total, elapsedMs: performance.now() - started }) } : {}),
  });
  step(`generated ${strategies} strategies x ${bars} bars in ${dir} (${time()})`);
  const pool = EnginePool.create(options.workers !== undefined ? { workers: Math.max(1, options.workers) } : {});
  try {
    const analysis = await analyzeRun(dir, { pool });
    step(`analyzed: best ${analysis.summary.best?.id} (Sharpe ${analysis.summary.best?.value?.toFixed(2)}) (${time()})`);
    const regimes = await analyzeRegimes(dir, { pool });
    step(`regimes: best-separating classifier ${regimes.summary.bestClassifier ?? 'none'} (${time()})`);
    let ensemble: OptimizeRunResult | { error: string };
    try {
      ensemble = await optimizeRun(dir, { pool, top: 20 });
      step(`ensemble: ${Object.keys(ensemble.file.global.weights).length} strategies, in-sample net Sharpe ${ensemble.file.global.inSample.sharpeRatio?.toFixed(2)} (${time()})`);
    } catch (error) {
      ensemble = { error: (error as Error).message };
      step(`ensemble: not fitted (${(error as Error).message})`);
    }
    const overfitting = await overfitRun(dir, { pool, candidates: Math.min(strategies, 200) });
    step(`overfitting: PBO ${overfitting.report.pbo.run?.pbo.toFixed(2) ?? 'n/a'} (${time()})`);
    // walk-forward out-of-sample check of the ensemble: 4 rolling folds
    let walk: WalkForwardResult | { error: string };
    try {
      walk = await walkForward(dir, { pool, windows: 4 });
      const oos = walk.report.aggregate.outOfSample.sharpeRatio;
      step(`walk-forward: out-of-sample net Sharpe ${oos === null ? 'n/a' : oos.toFixed(2)} over ${walk.report.windows} folds (${time()})`);
    } catch (error) {
      walk = { error: (error as Error).message };
      step(`walk-forward: not run (${(error as Error).message})`);
    }
    const patterns = await mineRun(dir);
    step(`patterns: ${patterns.file.patterns.length} frequent patterns in ${patterns.file.families.length} families (${time()})`);
    const report = await buildReport(dir, { out: join(dir, 'report.html') });
    step(`report: ${report.path} (${(report.bytes / 2 ** 20).toFixed(1)} MB) (${time()})`);
    return { dir, analysis, regimes, ensemble, overfitting, patterns, walkForward: walk, report, elapsedMs: performance.now() - started };
  } finally {
    await pool.destroy();
  }
}
