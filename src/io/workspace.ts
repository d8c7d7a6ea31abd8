// Workspaces (folders of runs) and opened native runs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceError } from '../errors.ts';
import type { Bars } from '../types.ts';
import { isAdmfWorkspace, openAdmfRun, scanAdmfRun, type AdmfOpenOptions } from './admf.ts';
import { readBarsFile, readBarTimestampsFile, readMarketSeriesFile, type MarketSeries } from './bars.ts';
import { BaseRun, chooseSymbol } from './baseRun.ts';
import { isNativeRun, marketFile, readRunMetadata, RUN_LAYOUT, signalPath, statePath, type RunMetadata } from './layout.ts';
import { readParquetFooter } from './parquet.ts';
import type { RunHandle } from './runHandle.ts';
import type { TraceLocator } from './traceLocator.ts';
import { scanNativeRun, type RunScan } from './scan.ts';
import { readRegimeTrace, readSignalTrace, type StoredRegimeTrace, type StoredSignalTrace } from './traces.ts';
import { decodeTraceInfo, type TraceInfo } from './traceMetadata.ts';

export { BaseRun, chooseSymbol };

/** A native sweeplens run opened for reading (traces are read lazily, one at a time). */
export class NativeRun extends BaseRun implements RunHandle {
  readonly format = 'sweeplens' as const;
  readonly metadata: RunMetadata;
  private readonly strategySet: Set<string>;
  private readonly classifierSet: Set<string>;

  constructor(dir: string) {
    super(dir);
    this.metadata = readRunMetadata(dir);
    this.strategySet = new Set(this.metadata.strategies);
    this.classifierSet = new Set(this.metadata.classifiers);
  }

  strategyIds(): string[] {
    return [...this.metadata.strategies];
  }

  classifierIds(): string[] {
    return [...this.metadata.classifiers];
  }

  symbols(): string[] {
    return Object.keys(this.metadata.market);
  }

  protected async loadBars(symbol: string): Promise<Bars> {
    return this.readMarketFile(symbol, readBarsFile, (bars) => bars.tsMs.length);
  }

  protected override async loadBarTimes(symbol: string): Promise<Float64Array> {
    return this.readMarketFile(symbol, readBarTimestampsFile, (tsMs) => tsMs.length);
  }

  protected override async loadMarketSeries(symbol: string): Promise<MarketSeries> {
    return this.readMarketFile(symbol, readMarketSeriesFile, (series) => series.tsMs.length);
  }

  /** `read` of the market file of `symbol`, its bar count checked against metadata.json. */
  private async readMarketFile<T>(symbol: string, read: (file: string) => Promise<T>, barsOf: (value: T) => number): Promise<T> {
    const file = marketFile(this.dir, this.metadata, symbol);
    if (!existsSync(file)) throw new WorkspaceError(`${file}: market data of '${symbol}' is missing`, { file });
    const value = await read(file);
    const expected = this.metadata.barCounts[symbol];
    if (expected !== undefined && expected !== barsOf(value)) {
      throw new WorkspaceError(`${file}: ${barsOf(value)} bars, metadata.json says ${expected}`, { file });
    }
    return value;
  }

  private async barCountFor(path: string): Promise<number> {
    if (!existsSync(path)) throw new WorkspaceError(`${path}: trace file is missing`, { file: path });
    const info = decodeTraceInfo(path, readParquetFooter(path).metadata);
    const symbol = info.symbol ?? chooseSymbol(this.dir, this.symbols(), undefined);
    const known = this.metadata.barCounts[symbol];
    if (known === undefined) throw new WorkspaceError(`${path}: the trace's symbol '${symbol}' has no market data in ${this.dir}`, { file: path, symbol });
    return known;
  }

  async readSignal(id: string): Promise<StoredSignalTrace> {
    if (!this.strategySet.has(id)) throw new WorkspaceError(`${this.dir}: no strategy '${id}' in this run`, { file: this.dir, id });
    const path = signalPath(this.dir, id);
    return readSignalTrace(path, { barCount: await this.barCountFor(path) });
  }

  async readRegimes(id: string): Promise<StoredRegimeTrace> {
    if (!this.classifierSet.has(id)) throw new WorkspaceError(`${this.dir}: no classifier '${id}' in this run`, { file: this.dir, id });
    const path = statePath(this.dir, id);
    return readRegimeTrace(path, { barCount: await this.barCountFor(path) });
  }

  private locator(path: string, id: string, known: Set<string>, what: string): TraceLocator {
    if (!known.has(id)) throw new WorkspaceError(`${this.dir}: no ${what} '${id}' in this run`, { file: this.dir, id });
    // The footers were read once by the scan (which names any missing or damaged trace).
    const info = this.footerInfo(`${what}:${id}`);
    const symbol = info.symbol ?? chooseSymbol(this.dir, this.symbols(), undefined);
    const barCount = this.metadata.barCounts[symbol];
    if (barCount === undefined) throw new WorkspaceError(`${path}: the trace's symbol '${symbol}' has no market data in ${this.dir}`, { file: path, symbol });
    return { file: path, format: 'sweeplens', idxBase: 0, barCount, symbol };
  }

  signalLocator(id: string): TraceLocator {
    return this.locator(signalPath(this.dir, id), id, this.strategySet, 'strategy');
  }

  regimeLocator(id: string): TraceLocator {
    return this.locator(statePath(this.dir, id), id, this.classifierSet, 'classifier');
  }

  private scanned: RunScan | undefined;
  private scanIndex: Map<string, TraceInfo> | undefined;

  private footerInfo(key: string): TraceInfo {
    if (!this.scanIndex) {
      const scan = this.scan();
      this.scanIndex = new Map([
        ...scan.strategies.map((info) => [`strategy:${info.id}`, info] as const),
        ...scan.classifiers.map((info) => [`classifier:${info.id}`, info] as const),
      ]);
    }
    return this.scanIndex.get(key)!;
  }

  /** Metadata scan (footers only), done once per opened run and reused. */
  scan(): RunScan {
    this.scanned ??= scanNativeRun(this.dir);
    return this.scanned;
  }
}

/** Opens a native run, or an ADMF-PC workspace in place (then `admf.market` is required). */
export async function openRun(dir: string, admf?: AdmfOpenOptions): Promise<RunHandle> {
  if (isNativeRun(dir)) return new NativeRun(dir);
  if (isAdmfWorkspace(dir)) {
    if (!admf) throw new WorkspaceError(`${dir}: an ADMF-PC workspace; open it with market data (openAdmfRun or --market)`, { file: dir });
    return openAdmfRun(dir, admf);
  }
  if (!existsSync(dir)) throw new WorkspaceError(`${dir}: no such run directory`, { file: dir });
  // Neither layout: report what is missing (readRunMetadata names the path and the problem).
  readRunMetadata(dir);
  throw new WorkspaceError(`${dir}: not a run (no '${RUN_LAYOUT.signals}' folder)`, { file: dir });
}

/**
 * Scans a run from footers only: a native run, or an ADMF-PC workspace (counts come from its
 * footers' key/value metadata where present).
 */
export function scanRun(runDir: string): RunScan {
  if (isAdmfWorkspace(runDir) && !isNativeRun(runDir)) return scanAdmfRun(runDir);
  return scanNativeRun(runDir);
}

/** A run found in a workspace folder. */
export interface RunEntry {
  /** Folder name (run id). */
  id: string;
  dir: string;
  /** 'incomplete' when the folder has traces but no metadata.json (an interrupted write). */
  format: 'sweeplens' | 'admf-pc' | 'incomplete';
}

/** A folder of runs (or a single run). */
export class Workspace {
  readonly dir: string;

  constructor(dir: string) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new WorkspaceError(`${dir}: no such workspace directory`, { file: dir });
    this.dir = dir;
  }

  /** The runs in the workspace, sorted by id; the folder itself when it is a run. */
  listRuns(): RunEntry[] {
    const classify = (dir: string): RunEntry['format'] | undefined => {
      if (isNativeRun(dir)) return 'sweeplens';
      if (isAdmfWorkspace(dir)) return 'admf-pc';
      if (existsSync(join(dir, RUN_LAYOUT.signals))) return 'incomplete';
      return undefined;
    };
    const own = classify(this.dir);
    if (own) return [{ id: this.dir.split(/[\\/]/).filter(Boolean).pop() ?? this.dir, dir: this.dir, format: own }];
    const runs: RunEntry[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const dir = join(this.dir, name);
      if (!statSync(dir).isDirectory()) continue;
      const format = classify(dir);
      if (format) runs.push({ id: name, dir, format });
    }
    return runs;
  }

  /** Opens the run `id` of this workspace. */
  openRun(id: string, admf?: AdmfOpenOptions): Promise<RunHandle> {
    const entry = this.listRuns().find((run) => run.id === id);
    if (!entry) throw new WorkspaceError(`${this.dir}: no run '${id}' (runs: ${this.listRuns().map((r) => r.id).join(', ') || 'none'})`, { file: this.dir, id });
    return openRun(entry.dir, admf);
  }
}
