// `sweeplens bench`: the kernel benchmark (bench/kernels.bench.ts), WASM vs the TS reference.
import { Option, type Command } from 'commander';
import { InputError } from '../../index.ts';
import { formatCompact, renderTable } from '../format.ts';
import type { KernelBenchReport } from '../../../bench/kernels.bench.ts';

/** Parses `--sizes 1000,5000`; throws InputError naming the flag. */
export function parseSizes(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const sizes = raw.split(',').map((part) => Number(part.trim()));
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 2)) {
    throw new InputError(`--sizes must be comma-separated integers >= 2, got '${raw}'`);
  }
  return sizes;
}

/** The plain-text report: one row per case, then the ratios. */
export function benchText(report: KernelBenchReport): string {
  const header = ['case', 'bars', 'mean ms', '± %', 'bars/s', 'samples'];
  const rows = report.cases.map((c) => [
    c.name, c.bars.toLocaleString('en-US'), c.meanMs.toFixed(3), c.rmePercent.toFixed(1), formatCompact(c.barsPerSecond), String(c.samples),
  ]);
  const ratioRows = Object.entries(report.ratios).map(([key, value]) => [key, value.toFixed(key.startsWith('interop') || key === 'sparseTDoubling' ? 3 : 2)]);
  const env = report.environment;
  return [
    `sweeplens kernel benchmark (${report.quick ? 'quick' : 'full'}; seed ${report.seed}; Node ${env.node}; ${env.cpus} x ${env.cpuModel})`,
    `parity: ${report.parity.length} checks passed (max relative difference ${Math.max(0, ...report.parity.map((p) => p.maxRelativeDifference)).toExponential(2)})`,
    '',
    renderTable(header, rows),
    '',
    'ratios (WASM bars/s over TS bars/s, same run; interopShareOfDense = copy time / dense WASM time;',
    ' sparse*: dense WASM median / sparse median, sparseTDoubling = sparse at 2T / at T with the same K, sparseNsPerChange in ns;',
    ' analyze*: wall time with 1 worker / with 2 workers in this process (Compute: the strategies phase alone; Process: whole',
    ' `sweeplens analyze` processes, start-up and exit included), and without / with valid caches; analyze cases: bars = strategy-bars)',
    renderTable(['ratio', 'value'], ratioRows),
    '',
  ].join('\n');
}

/** Registers `sweeplens bench`. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('benchmark the dense metrics pass and its kernels, WASM vs the plain-TS reference (parity is checked first)')
    .option('--quick', 'short timing per case (a smoke run, under 30 s)')
    .option('--json', 'print one JSON document {cases, ratios, parity, environment} on stdout (progress goes to stderr)')
    .addOption(new Option('--sizes <bars>', 'comma-separated market sizes in bars (default 100000,1000000)').hideHelp())
    .action(async (options: { quick?: boolean; json?: boolean; sizes?: string }) => {
      const sizes = parseSizes(options.sizes);
      const { runKernelBench, DEFAULT_BENCH_SIZES } = await import('../../../bench/kernels.bench.ts');
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const report = runKernelBench({ quick: options.quick === true, sizes: sizes ?? [...DEFAULT_BENCH_SIZES], log });
      if (sizes === undefined) {
        // the sparse (change-proportional) path vs the dense WASM path at its fixed sizes (1e6 and 2e6
        // bars): bench/sparse.bench.ts; skipped when --sizes picks other sizes
        const { runSparseBench } = await import('../../../bench/sparse.bench.ts');
        const sparse = runSparseBench({ quick: options.quick === true, log });
        report.parity.push(...sparse.parity);
        report.cases.push(...sparse.cases);
        Object.assign(report.ratios, sparse.ratios);
        // End to end: `analyze` on a generated run with 1 and 2 workers (interleaved rounds), then with valid caches.
        const { runEngineBench } = await import('../../../bench/engine.bench.ts');
        const engine = await runEngineBench(options.quick === true ? { strategies: 300, bars: 50_000, processRounds: 1, log } : { strategies: 2_000, bars: 1_000_000, log });
        for (const c of engine.cases) {
          report.cases.push({
            name: c.name, family: 'analyze', implementation: c.name.slice('analyze/'.length), bars: engine.bars * engine.strategies,
            barsPerSecond: c.strategyBarsPerSecond, meanMs: c.wallMs, rmePercent: 0, samples: 1,
          });
        }
        report.ratios.analyzeTwoWorkersOverOne = engine.ratios.twoWorkersOverOne;
        report.ratios.analyzeComputeTwoWorkersOverOne = engine.ratios.computeTwoWorkersOverOne;
        // (whole CLI processes: NaN, printed as such, when the bench runs without a built CLI)
        report.ratios.analyzeProcessTwoWorkersOverOne = engine.ratios.processTwoWorkersOverOne;
        if (engine.processSkipped) log(`analyze as whole processes skipped: ${engine.processSkipped}`);
        report.ratios.analyzeCachedSpeedup = engine.ratios.cachedSpeedup;
        report.ratios.analyzePerStrategyCacheSpeedup = engine.ratios.perStrategyCacheSpeedup;
      }
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : benchText(report));
    });
}
