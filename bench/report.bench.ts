// The HTML report of a 10,000-strategy run: build time and file size (the acceptance bars are
// < 10 s and < 15 MB). Correctness first: the page holds every analyzed strategy in its table, and
// the downsampled underwater curve of each top strategy still reaches that strategy's maximum
// drawdown from the rankings (min/max-preserving downsampling keeps the trough).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRun } from '../src/coordinator/analyze.ts';
import { generateRun } from '../src/coordinator/generate.ts';
import { buildReport } from '../src/coordinator/report.ts';
import type { ReportModel } from '../src/report/model.ts';

/** Options of runReportBench. */
export interface ReportBenchOptions {
  /** Strategies of the generated run; default 10,000. */
  strategies?: number;
  /** Classifiers of the generated run; default 3. */
  classifiers?: number;
  /** Bars of the generated run; default 2,000 (the report's cost hardly depends on it). */
  bars?: number;
  /** Seed; default 42. */
  seed?: number;
  /** Worker threads of the analysis; default 2. */
  workers?: number;
  /** Top strategies drawn individually; default 10. */
  top?: number;
  /** Where to write the HTML (kept); default a temp file removed with the run. */
  out?: string;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

/** What runReportBench measured. */
export interface ReportBenchReport {
  strategies: number;
  bars: number;
  generateMs: number;
  analyzeMs: number;
  /** buildReport wall time (read outputs, price the top curves, lay out, write), ms. */
  reportMs: number;
  /** Size of the HTML file, bytes. */
  bytes: number;
  /** Of which the inlined plotly bundle, bytes. */
  plotlyBytes: number;
  /** Largest |min(underwater) − (−maxDrawdown·100)| over the top strategies, percent points. */
  maxTroughError: number;
  tableRows: number;
  environment: { node: string; cpus: number; cpuModel: string };
}

/** Generates and analyzes a run, then times its report (parity checks first; throws when one fails). */
export async function runReportBench(options: ReportBenchOptions = {}): Promise<ReportBenchReport> {
  const log = options.log ?? (() => {});
  const strategies = options.strategies ?? 10_000;
  const bars = options.bars ?? 2_000;
  const parent = mkdtempSync(join(tmpdir(), 'sweeplens-report-bench-'));
  const dir = join(parent, 'run');
  try {
    log(`generating ${strategies} strategies x ${bars} bars`);
    let started = performance.now();
    generateRun(dir, { strategies, classifiers: options.classifiers ?? 3, bars, seed: options.seed ?? 42, metrics: false });
    const generateMs = performance.now() - started;
    log(`analyzing (${options.workers ?? 2} workers)`);
    started = performance.now();
    const analysis = await analyzeRun(dir, { workers: options.workers ?? 2 });
    const analyzeMs = performance.now() - started;
    log('building the report');
    const out = options.out ?? join(parent, 'report.html');
    const result = await buildReport(dir, { out, top: options.top ?? 10 });

    // Parity: every strategy in the table; the troughs of the top curves are the rankings' drawdowns.
    const html = readFileSync(out, 'utf8');
    const start = html.indexOf('id="report-data">') + 'id="report-data">'.length;
    const model = JSON.parse(html.slice(start, html.indexOf('</script>', start))) as ReportModel;
    if (model.table.rows.length !== analysis.rankings.length) throw new Error(`table has ${model.table.rows.length} rows, the rankings ${analysis.rankings.length}`);
    const underwater = model.sections.flatMap((s) => s.figures).find((f) => f.id === 'fig-underwater');
    if (!underwater) throw new Error('no underwater figure');
    let maxTroughError = 0;
    for (const row of analysis.rankings.slice(0, options.top ?? 10)) {
      const trace = underwater.data.find((t) => t.legendgroup === row.id && (t.line as { dash: string }).dash === 'solid');
      if (!trace || row.maxDrawdown === null) throw new Error(`no net underwater curve for ${row.id}`);
      const trough = Math.min(...(trace.y as number[]));
      maxTroughError = Math.max(maxTroughError, Math.abs(trough + row.maxDrawdown * 100));
    }
    if (maxTroughError > 1e-4) throw new Error(`downsampled troughs differ from the rankings' max drawdown by up to ${maxTroughError} percent points`);
    const plotlyBytes = Buffer.byteLength(readFileSync(join(import.meta.dirname, '..', 'node_modules', 'plotly.js-dist-min', 'plotly.min.js'), 'utf8'));
    const cpu = cpus();
    return {
      strategies, bars, generateMs, analyzeMs, reportMs: result.elapsedMs, bytes: result.bytes, plotlyBytes, maxTroughError, tableRows: model.table.rows.length,
      environment: { node: process.version, cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown' },
    };
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

// `npx tsx bench/report.bench.ts` prints the report as JSON.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const report = await runReportBench({ log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
