// ADMF-PC workspaces: open in place (same RunHandle as a native run), scan footers, import.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { WorkspaceError } from '../errors.ts';
import type { Bars } from '../types.ts';
import {
  admfParameters, idxBaseWarnings, listAdmfTraces, loadAdmfParameters, readAdmfRegimes, readAdmfSignal, type AdmfTraceEntry,
} from './admfTraces.ts';
import { readBarsFile } from './bars.ts';
import { RUN_FORMAT, type RunMetadata } from './layout.ts';
import { readParquetFooter } from './parquet.ts';
import { BaseRun } from './baseRun.ts';
import type { RunHandle } from './runHandle.ts';
import type { TraceLocator } from './traceLocator.ts';
import { createRun } from './runWriter.ts';
import type { RunScan } from './scan.ts';
import { compressionRatio, type StoredRegimeTrace, type StoredSignalTrace } from './traces.ts';
import type { TraceInfo, TraceParameters } from './traceMetadata.ts';

export { isAdmfWorkspace } from './admfTraces.ts';

/** Options for reading an ADMF-PC workspace. */
export interface AdmfOpenOptions {
  /** Bars file (CSV or Parquet) used for every symbol, or one file per symbol. */
  market: string | Record<string, string>;
  /**
   * Base of the traces' `idx`: 1 means bar = idx - 1 (every ADMF-PC trace written before
   * 2025-06-16, including the committed workspaces), 0 means bar = idx. Default 1.
   */
  idxBase?: 0 | 1;
  /** metadata.json giving named parameters (e.g. a sibling run's strategy_metadata); default the workspace's own. */
  parameterSource?: string;
  /** Trace files sampled to check idx base against ts; default 12. */
  checkSampleFiles?: number;
}

interface AdmfWorkspaceMetadata {
  /** Run length in bars (metadata.json total_bars), when known. */
  runBars: number | undefined;
  raw: Record<string, unknown> | undefined;
}

function readWorkspaceMetadata(dir: string): AdmfWorkspaceMetadata {
  const path = join(dir, 'metadata.json');
  if (!existsSync(path)) return { runBars: undefined, raw: undefined };
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const bars = raw.total_bars;
    return { runBars: typeof bars === 'number' && Number.isInteger(bars) && bars > 0 ? bars : undefined, raw };
  } catch (cause) {
    throw new WorkspaceError(`${path}: damaged ADMF-PC metadata (${(cause as Error).message})`, { file: path });
  }
}

function traceInfoFromFooter(entry: AdmfTraceEntry, parameters: TraceParameters, runBars: number | undefined): TraceInfo {
  const footer = readParquetFooter(entry.file);
  const bars = runBars ?? 0;
  return {
    id: entry.id,
    kind: entry.kind,
    family: entry.family,
    symbol: entry.symbol,
    parameters,
    changes: footer.numRows,
    bars,
    compressionRatio: bars > 0 ? compressionRatio(bars, footer.numRows) : null,
    contentHash: '',
    metrics: undefined,
    labels: undefined,
  };
}

function synthesizeMetadata(dir: string, entries: AdmfTraceEntry[], market: Record<string, string>, barCounts: Record<string, number>, idxBase: 0 | 1): RunMetadata {
  const families: Record<string, number> = {};
  for (const entry of entries) if (entry.kind === 'signal') families[entry.family] = (families[entry.family] ?? 0) + 1;
  return {
    format: RUN_FORMAT,
    runId: basename(resolve(dir)),
    createdAt: new Date().toISOString(),
    market,
    barCounts,
    strategies: entries.filter((e) => e.kind === 'signal').map((e) => e.id),
    classifiers: entries.filter((e) => e.kind === 'regime').map((e) => e.id),
    families,
    totalSignalChanges: 0,
    totalRegimeChanges: 0,
    source: { kind: 'admf-pc', dir: resolve(dir), idxBase },
  };
}

/**
 * Scans an ADMF-PC workspace from footers only: row counts from each file's Parquet footer,
 * family and parameters from the names (or metadata.json), bars from metadata.json total_bars.
 */
export function scanAdmfRun(dir: string, parameterSource?: string): RunScan {
  const entries = listAdmfTraces(dir);
  const workspace = readWorkspaceMetadata(dir);
  const named = loadAdmfParameters(parameterSource ?? join(dir, 'metadata.json'));
  const infos = entries.map((entry) => traceInfoFromFooter(entry, admfParameters(entry, named), workspace.runBars));
  const symbols = [...new Set(entries.map((e) => e.symbol))];
  const metadata = synthesizeMetadata(dir, entries, {}, Object.fromEntries(symbols.map((s) => [s, workspace.runBars ?? 0])), 1);
  const strategies = infos.filter((i) => i.kind === 'signal');
  const classifiers = infos.filter((i) => i.kind === 'regime');
  metadata.totalSignalChanges = strategies.reduce((sum, i) => sum + i.changes, 0);
  metadata.totalRegimeChanges = classifiers.reduce((sum, i) => sum + i.changes, 0);
  const warnings = workspace.runBars === undefined ? [`${dir}: no metadata.json total_bars; bar counts unknown until market data is read`] : [];
  return { dir, format: 'admf-pc', metadata, strategies, classifiers, warnings };
}

function marketFor(dir: string, market: AdmfOpenOptions['market'], symbols: string[]): Record<string, string> {
  if (typeof market === 'string') return Object.fromEntries(symbols.map((s) => [s, resolve(market)]));
  const out: Record<string, string> = {};
  for (const symbol of symbols) {
    const file = market[symbol];
    if (file === undefined) {
      throw new WorkspaceError(`${dir}: traces of symbol '${symbol}' have no market data (given: ${Object.keys(market).join(', ') || 'none'})`, { file: dir, symbol });
    }
    out[symbol] = resolve(file);
  }
  return out;
}

function truncateBars(bars: Bars, count: number): Bars {
  return {
    tsMs: bars.tsMs.subarray(0, count), open: bars.open.subarray(0, count), high: bars.high.subarray(0, count),
    low: bars.low.subarray(0, count), close: bars.close.subarray(0, count), volume: bars.volume.subarray(0, count),
  };
}

/** An ADMF-PC workspace opened in place, with the RunHandle interface of a native run. */
export class AdmfRun extends BaseRun implements RunHandle {
  readonly format = 'admf-pc' as const;
  private readonly signals: Map<string, AdmfTraceEntry>;
  private readonly regimes: Map<string, AdmfTraceEntry>;

  constructor(
    dir: string,
    readonly metadata: RunMetadata,
    entries: AdmfTraceEntry[],
    private readonly bars: Map<string, Bars>,
    private readonly idxBase: 0 | 1,
    private readonly scanResult: RunScan,
    warnings: string[],
  ) {
    super(dir);
    this.signals = new Map(entries.filter((e) => e.kind === 'signal').map((e) => [e.id, e]));
    this.regimes = new Map(entries.filter((e) => e.kind === 'regime').map((e) => [e.id, e]));
    this.warnings.push(...warnings);
  }

  strategyIds(): string[] {
    return [...this.signals.keys()];
  }

  classifierIds(): string[] {
    return [...this.regimes.keys()];
  }

  symbols(): string[] {
    return [...this.bars.keys()];
  }

  /** The bars were read (and truncated to the run) when the workspace was opened. */
  protected loadBars(symbol: string): Promise<Bars> {
    const bars = this.bars.get(symbol);
    if (!bars) return Promise.reject(new WorkspaceError(`${this.dir}: no market data for symbol '${symbol}' (symbols: ${this.symbols().join(', ')})`, { file: this.dir }));
    return Promise.resolve(bars);
  }

  private entry(map: Map<string, AdmfTraceEntry>, id: string, what: string): AdmfTraceEntry {
    const entry = map.get(id);
    if (!entry) throw new WorkspaceError(`${this.dir}: no ${what} '${id}' in this ADMF-PC workspace`, { file: this.dir, id });
    return entry;
  }

  async readSignal(id: string): Promise<StoredSignalTrace> {
    const entry = this.entry(this.signals, id, 'strategy');
    return readAdmfSignal(entry.file, this.idxBase, this.metadata.barCounts[entry.symbol]);
  }

  async readRegimes(id: string): Promise<StoredRegimeTrace> {
    const entry = this.entry(this.regimes, id, 'classifier');
    return readAdmfRegimes(entry.file, this.idxBase, this.metadata.barCounts[entry.symbol]);
  }

  private locator(entry: AdmfTraceEntry): TraceLocator {
    const barCount = this.metadata.barCounts[entry.symbol];
    if (barCount === undefined) throw new WorkspaceError(`${entry.file}: the trace's symbol '${entry.symbol}' has no market data`, { file: entry.file });
    return { file: entry.file, format: 'admf-pc', idxBase: this.idxBase, barCount, symbol: entry.symbol };
  }

  signalLocator(id: string): TraceLocator {
    return this.locator(this.entry(this.signals, id, 'strategy'));
  }

  regimeLocator(id: string): TraceLocator {
    return this.locator(this.entry(this.regimes, id, 'classifier'));
  }

  /** Footer records, parameters and run summary (bars from the market data). */
  scan(): RunScan {
    return this.scanResult;
  }

  /** Entry of a trace (file, family, parameters from the name). */
  traceEntry(id: string): AdmfTraceEntry | undefined {
    return this.signals.get(id) ?? this.regimes.get(id);
  }

}

/**
 * Opens an ADMF-PC workspace in place. Bars come from `options.market` (truncated to the run's
 * metadata.json total_bars when present, e.g. the first 1,000 bars for 12778120); every symbol of
 * the traces needs market data. The idx base is checked on a sample of traces against their ts;
 * contradictions and unusable ts are returned in `warnings`.
 */
export async function openAdmfRun(dir: string, options: AdmfOpenOptions): Promise<AdmfRun> {
  const idxBase = options.idxBase ?? 1;
  if (idxBase !== 0 && idxBase !== 1) throw new WorkspaceError(`options.idxBase must be 0 or 1, got ${String(idxBase)}`);
  const entries = listAdmfTraces(dir);
  const workspace = readWorkspaceMetadata(dir);
  const symbols = [...new Set(entries.map((e) => e.symbol))];
  const market = marketFor(dir, options.market, symbols);
  const bars = new Map<string, Bars>();
  const barCounts: Record<string, number> = {};
  const warnings: string[] = [];
  for (const symbol of symbols) {
    let symbolBars = await readBarsFile(market[symbol]!);
    if (workspace.runBars !== undefined) {
      if (workspace.runBars > symbolBars.tsMs.length) {
        throw new WorkspaceError(`${market[symbol]}: ${symbolBars.tsMs.length} bars, but the ADMF-PC run covers ${workspace.runBars}`, { file: market[symbol]! });
      }
      symbolBars = truncateBars(symbolBars, workspace.runBars);
    }
    bars.set(symbol, symbolBars);
    barCounts[symbol] = symbolBars.tsMs.length;
    const sample = entries.filter((e) => e.symbol === symbol).slice(0, options.checkSampleFiles ?? 12);
    warnings.push(...idxBaseWarnings(dir, sample.map((e) => e.file), symbolBars.tsMs, idxBase));
  }
  const scan = scanAdmfRun(dir, options.parameterSource);
  for (const info of [...scan.strategies, ...scan.classifiers]) {
    info.bars = barCounts[info.symbol!]!;
    info.compressionRatio = compressionRatio(info.bars, info.changes);
  }
  const metadata = synthesizeMetadata(dir, entries, market, barCounts, idxBase);
  metadata.totalSignalChanges = scan.metadata.totalSignalChanges;
  metadata.totalRegimeChanges = scan.metadata.totalRegimeChanges;
  const fullScan: RunScan = { ...scan, metadata, warnings: [...warnings] };
  return new AdmfRun(dir, metadata, entries, bars, idxBase, fullScan, warnings);
}

/** Progress of importAdmf: components done out of total. */
export type ImportProgress = (done: number, total: number) => void;

/**
 * Converts an ADMF-PC workspace into a native sweeplens run in `outRunDir`: bars copied into
 * market/, every trace rewritten with 0-based idx and footer metadata (family, parameters,
 * counts, content hash). metadata.json is written last. Returns the run metadata and the
 * warnings of opening the workspace.
 */
export async function importAdmf(
  dir: string, outRunDir: string, options: AdmfOpenOptions & { overwrite?: boolean; onProgress?: ImportProgress },
): Promise<{ metadata: RunMetadata; warnings: string[] }> {
  const run = await openAdmfRun(dir, options);
  const writer = createRun(outRunDir, { overwrite: options.overwrite ?? false, source: run.metadata.source!, runId: run.metadata.runId });
  for (const symbol of run.symbols()) writer.writeBars(symbol, await run.readBars(symbol));
  const infos = new Map([...run.scan().strategies, ...run.scan().classifiers].map((i) => [`${i.kind}:${i.id}`, i]));
  const total = run.strategyIds().length + run.classifierIds().length;
  let done = 0;
  for (const id of run.strategyIds()) {
    const info = infos.get(`signal:${id}`)!;
    const trace = await run.readSignal(id);
    writer.writeSignal(trace, { id, family: info.family, symbol: info.symbol!, parameters: info.parameters, bars: info.bars }, { valueType: 'int8' });
    options.onProgress?.(++done, total);
  }
  for (const id of run.classifierIds()) {
    const info = infos.get(`regime:${id}`)!;
    const trace = await run.readRegimes(id);
    writer.writeClassifier(trace, { id, family: info.family, symbol: info.symbol!, parameters: info.parameters, bars: info.bars });
    options.onProgress?.(++done, total);
  }
  return { metadata: writer.finish(), warnings: run.warnings };
}

export { listAdmfTraces, parseAdmfName, readAdmfSignal, readAdmfRegimes, checkAdmfTimestamps, idxBaseWarnings, type AdmfTraceEntry } from './admfTraces.ts';
