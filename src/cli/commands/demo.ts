// `sweeplens demo`: the main job on generated data (generate -> analyze -> regimes -> ensemble ->
// overfitting -> report); `--toy`: a synthetic market and a small moving-average sweep, ranked.
import type { Command } from 'commander';
import {
  buildDenseMarket, defaultExecutionCosts, demoStrategies, denseStrategyMetrics, kernels, demoMarket,
  type PerformanceMetrics,
} from '../../index.ts';
import { runDemoPipeline } from '../../coordinator/pipeline.ts';
import { numberFlag, optionalNumberFlag } from '../flags.ts';
import { formatValue, renderTable } from '../format.ts';
import { analyzeText } from './analyze.ts';

/** One ranked strategy of the demo. */
export interface DemoRow {
  rank: number;
  id: string;
  parameters: Record<string, number | boolean>;
  changes: number;
  metrics: PerformanceMetrics;
}

/** The demo's result: the market it generated and the strategies ranked by net Sharpe. */
export interface DemoResult {
  seed: number;
  bars: number;
  periodsPerYear: number;
  finalClose: number;
  rows: DemoRow[];
}

/**
 * Generates the synthetic market (seeded), runs every demo strategy through the dense metrics
 * path with the default costs (10 bps commission + 5 bps linear slippage) and ranks them by net
 * Sharpe ratio (undefined Sharpe last).
 */
export function runDemo(seed: number, bars: number): DemoResult {
  const market = demoMarket({ seed, bars });
  const costs = defaultExecutionCosts();
  const options = { periodsPerYear: market.periodsPerYear };
  const instance = kernels();
  const mark = instance.arena.mark();
  let scored: Omit<DemoRow, 'rank'>[];
  try {
    const dense = buildDenseMarket(market, costs, 'demo', instance);
    scored = demoStrategies(market.close).map((strategy) => ({
      id: strategy.id,
      parameters: strategy.parameters,
      changes: strategy.trace.idx.length,
      metrics: denseStrategyMetrics(dense, strategy.trace, costs, options),
    }));
  } finally {
    instance.arena.release(mark);
  }
  scored.sort((a, b) => (b.metrics.netSharpe ?? -Infinity) - (a.metrics.netSharpe ?? -Infinity) || a.id.localeCompare(b.id));
  return {
    seed, bars, periodsPerYear: market.periodsPerYear, finalClose: market.close[bars - 1] ?? NaN,
    rows: scored.map((row, i) => ({ rank: i + 1, ...row })),
  };
}

/** The ranked table `sweeplens demo` prints. */
export function demoText(result: DemoResult): string {
  const header = ['#', 'strategy', 'trades', 'total return', 'CAGR', 'Sharpe', 'Sortino', 'max DD', 'Calmar', 'win rate', 'costs'];
  const rows = result.rows.map(({ rank, id, metrics: m }) => [
    String(rank), id, formatValue(m.tradeCount, 'count'), formatValue(m.totalReturn, 'percent'), formatValue(m.annualizedReturn, 'percent'),
    formatValue(m.netSharpe, 'ratio'), formatValue(m.sortinoRatio, 'ratio'), formatValue(m.maxDrawdown, 'percent'),
    formatValue(m.calmarRatio, 'ratio'), formatValue(m.winRate, 'percent'), formatValue(m.totalCosts, 'percent'),
  ]);
  return [
    `synthetic market: ${result.bars} daily bars (seed ${result.seed}), geometric random walk with calm/normal/turbulent volatility regimes; final close ${result.finalClose.toFixed(2)}`,
    'strategies: buy and hold + moving-average crossovers (long/short and long-only); costs: 10 bps commission + 5 bps linear slippage',
    'ranked by net Sharpe ratio (P = 252, risk-free 0)',
    '',
    renderTable(header, rows, ['right', 'left']),
    '',
  ].join('\n');
}

/** Registers `sweeplens demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the main job on generated data: generate a sweep, analyze it, regimes, ensemble, overfitting checks, walk-forward, pattern mining and the HTML report (--toy: a small moving-average ranking only)')
    .option('--dir <dir>', 'run directory to create', 'sweeplens-demo')
    .option('--overwrite', 'replace --dir when it exists')
    .option('--strategies <n>', 'strategies in the generated sweep', '300')
    .option('--bars <n>', 'bars to generate (1-minute bars; with --toy: daily bars, default 1008)')
    .option('--classifiers <n>', 'regime classifiers', '3')
    .option('--workers <n>', 'worker threads (default: number of cores)')
    .option('--seed <n>', 'seed of the synthetic data', '42')
    .option('--toy', 'only rank a few moving-average strategies on a synthetic daily market (no files written)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { dir: string; overwrite?: boolean; strategies: string; bars?: string; classifiers: string; workers?: string; seed: string; toy?: boolean; json?: boolean }) => {
      const seed = numberFlag('--seed', options.seed, 42, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
      if (options.toy) {
        const bars = numberFlag('--bars', options.bars, 252 * 4, (v) => Number.isInteger(v) && v >= 2, 'an integer >= 2');
        const result = runDemo(seed, bars);
        process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : demoText(result));
        return;
      }
      const workers = optionalNumberFlag('--workers', options.workers, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
      const result = await runDemoPipeline({
        dir: options.dir,
        overwrite: options.overwrite ?? false,
        strategies: numberFlag('--strategies', options.strategies, 300, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'),
        bars: numberFlag('--bars', options.bars, 50_000, (v) => Number.isInteger(v) && v >= 100, 'an integer >= 100'),
        classifiers: numberFlag('--classifiers', options.classifiers, 3, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0'),
        seed,
        ...(workers !== undefined ? { workers } : {}),
        onStep: (line) => { if (!options.json) process.stderr.write(`${line}\n`); },
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify({
          dir: result.dir, elapsedMs: result.elapsedMs, summary: result.analysis.summary, top: result.analysis.rankings.slice(0, 10),
          bestClassifier: result.regimes.summary.bestClassifier, ensemble: 'error' in result.ensemble ? result.ensemble : result.ensemble.file.global,
          pbo: result.overfitting.report.pbo.run?.pbo ?? null, report: result.report.path,
        }, null, 2)}\n`);
        return;
      }
      process.stdout.write(analyzeText(result.analysis, 10));
      process.stdout.write(`\nopen the dashboard: ${result.report.path}\n`);
    });
}
