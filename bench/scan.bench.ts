// Metadata scan (Parquet footers only) vs full read of every trace of a generated run.
// Correctness first: the scan's counts and content hashes must equal what the full read finds.
import { cpus } from 'node:os';
import { readRunMetadata, signalPath } from '../src/io/layout.ts';
import { scanNativeRun } from '../src/io/scan.ts';
import { readSignalTrace } from '../src/io/traces.ts';
import { prepareBenchRun } from './benchRun.ts';

/** Options of runScanBench. */
export interface ScanBenchOptions {
  /** Existing run to measure; default: generate one into a temp folder (removed afterwards). */
  runDir?: string;
  /** Strategies of the generated run; default 10,000. */
  strategies?: number;
  /** Bars of the generated run; default 20,000 (the scan cost does not depend on it; the full read grows with it). */
  bars?: number;
  /** Seed of the generated run; default 42. */
  seed?: number;
  /** Timed repetitions of the scan (the minimum is reported); default 5. The full read runs once after a warm-up scan. */
  repeats?: number;
  /** Progress lines (generation, phases); default none. */
  log?: (line: string) => void;
}

/** What runScanBench measured. */
export interface ScanBenchReport {
  runDir: string;
  strategies: number;
  classifiers: number;
  bars: number;
  totalSignalChanges: number;
  /** Generation time when the bench generated the run, ms. */
  generateMs: number | undefined;
  /** Fastest metadata scan (metadata.json + every footer), ms. */
  scanMs: number;
  /** Full read + validation of every signal trace (with content-hash verification off), ms. */
  fullReadMs: number;
  /** fullReadMs / scanMs; the acceptance bar is >= 20. */
  ratio: number;
  /** Scan cost per trace, µs. */
  scanPerTraceUs: number;
  environment: { node: string; cpus: number; cpuModel: string };
}

/** Runs the benchmark: parity (scan vs full read counts and hashes), then timings. */
export function runScanBench(options: ScanBenchOptions = {}): ScanBenchReport {
  const log = options.log ?? (() => {});
  const { runDir, generateMs, cleanup } = prepareBenchRun('scan', {
    strategies: options.strategies ?? 10_000, classifiers: 8, bars: options.bars ?? 20_000, seed: options.seed ?? 42, metrics: true,
  }, options.runDir, log);
  try {
    const metadata = readRunMetadata(runDir);
    const warm = scanNativeRun(runDir);
    // Parity: counts and hashes from footers equal the data.
    log('full read (parity + timing)');
    const started = performance.now();
    let rows = 0;
    const byId = new Map(warm.strategies.map((s) => [s.id, s]));
    for (const id of metadata.strategies) {
      const trace = readSignalTrace(signalPath(runDir, id), { barCount: byId.get(id)!.bars });
      rows += trace.idx.length;
      if (trace.idx.length !== byId.get(id)!.changes) throw new Error(`parity: ${id} has ${trace.idx.length} rows, its footer says ${byId.get(id)!.changes}`);
    }
    const fullReadMs = performance.now() - started;
    if (rows !== metadata.totalSignalChanges) throw new Error(`parity: ${rows} rows read, metadata.json says ${metadata.totalSignalChanges}`);
    for (const id of metadata.strategies.slice(0, 50)) readSignalTrace(signalPath(runDir, id), { verifyHash: true });
    log('metadata scans');
    let scanMs = Infinity;
    for (let i = 0; i < (options.repeats ?? 5); i++) {
      const t = performance.now();
      const scan = scanNativeRun(runDir);
      scanMs = Math.min(scanMs, performance.now() - t);
      if (scan.strategies.length !== metadata.strategies.length) throw new Error('parity: scan lost strategies');
    }
    const traces = metadata.strategies.length + metadata.classifiers.length;
    const cpu = cpus();
    return {
      runDir, strategies: metadata.strategies.length, classifiers: metadata.classifiers.length,
      bars: Object.values(metadata.barCounts)[0] ?? 0, totalSignalChanges: metadata.totalSignalChanges,
      generateMs, scanMs, fullReadMs, ratio: fullReadMs / scanMs, scanPerTraceUs: (scanMs * 1000) / traces,
      environment: { node: process.version, cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown' },
    };
  } finally {
    cleanup();
  }
}

/** One-paragraph text of a report. */
export function scanBenchText(r: ScanBenchReport): string {
  return [
    `metadata scan vs full read: ${r.strategies} strategies + ${r.classifiers} classifiers, ${r.bars} bars, ${r.totalSignalChanges} signal changes`,
    `  scan ${r.scanMs.toFixed(1)} ms (${r.scanPerTraceUs.toFixed(1)} µs/trace), full read ${r.fullReadMs.toFixed(0)} ms, ratio ${r.ratio.toFixed(1)}x`
      + (r.generateMs === undefined ? '' : `; generation ${(r.generateMs / 1000).toFixed(1)} s`),
    `  Node ${r.environment.node}, ${r.environment.cpus} x ${r.environment.cpuModel}`,
  ].join('\n');
}

// `npx tsx bench/scan.bench.ts [runDir]` runs it directly.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const report = runScanBench({ ...(process.argv[2] ? { runDir: process.argv[2] } : {}), log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${scanBenchText(report)}\n${JSON.stringify(report)}\n`);
}
