// Writes a sweeplens run one component at a time; metadata.json is written last, so a run whose
// writing was interrupted has none and is reported as incomplete instead of being half-read.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { WorkspaceError } from '../errors.ts';
import type { Bars, RegimeTrace } from '../types.ts';
import { writeJsonAtomic } from './atomicWrite.ts';
import { writeBarsParquet } from './bars.ts';
import { checkComponentId, RUN_FORMAT, RUN_LAYOUT, signalPath, statePath, type RunMetadata, type RunSource } from './layout.ts';
import { writeParquetTable, type ParquetWriteOptions } from './parquet.ts';
import type { TraceInfo } from './traceMetadata.ts';
import { writeRegimeTrace, writeSignalTrace, type SignalTraceColumns, type TraceDescription, type TraceWriteOptions } from './traces.ts';

/** Options of createRun. */
export interface CreateRunOptions {
  /** Run id recorded in metadata.json; default the folder name. */
  runId?: string;
  /** Replace an existing run in the folder (it is deleted first); default false: an existing run is an error. */
  overwrite?: boolean;
  /** fsync every file before its rename; default true. Off for bulk regenerable data. */
  fsync?: boolean;
  /** Provenance recorded in metadata.json. */
  source?: RunSource;
}

/** Counts of a regime trace's state transitions, `from -> to`, written to transitions.json. */
export function regimeTransitions(trace: RegimeTrace): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 1; i < trace.state.length; i++) {
    const key = `${trace.labels[trace.state[i - 1]!]} -> ${trace.labels[trace.state[i]!]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Per-component metadata.json content (the footer record plus the file name). */
function componentMetadata(info: TraceInfo, file: string): Record<string, unknown> {
  const { metrics: _metrics, ...rest } = info;
  return { ...rest, file };
}

/** Writes the parts of a run; call finish() last. Every file is written atomically. */
export class RunWriter {
  readonly dir: string;
  private readonly metadata: RunMetadata;
  private readonly fsync: boolean;
  private readonly strategyIds = new Set<string>();
  private readonly classifierIds = new Set<string>();
  private finished = false;

  constructor(dir: string, options: CreateRunOptions = {}) {
    this.dir = dir;
    this.fsync = options.fsync ?? true;
    const metadataPath = join(dir, RUN_LAYOUT.metadata);
    if (existsSync(metadataPath) || existsSync(join(dir, RUN_LAYOUT.signals))) {
      if (!options.overwrite) throw new WorkspaceError(`${dir}: a run already exists here (pass overwrite to replace it)`, { file: dir });
      // Remove metadata.json first: if the deletion is interrupted, the leftover is an incomplete run, never a wrong one.
      rmSync(metadataPath, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
    mkdirSync(join(dir, RUN_LAYOUT.signals), { recursive: true });
    mkdirSync(join(dir, RUN_LAYOUT.classifiers), { recursive: true });
    this.metadata = {
      format: RUN_FORMAT,
      runId: options.runId ?? (dir.split(/[\\/]/).filter(Boolean).pop() ?? 'run'),
      createdAt: new Date().toISOString(),
      market: {},
      barCounts: {},
      strategies: [],
      classifiers: [],
      families: {},
      totalSignalChanges: 0,
      totalRegimeChanges: 0,
    };
    if (options.source) this.metadata.source = options.source;
  }

  private check(): void {
    if (this.finished) throw new WorkspaceError(`${this.dir}: the run is finished; no more writes`, { file: this.dir });
  }

  /** Writes `market/{symbol}.parquet`. */
  writeBars(symbol: string, bars: Bars): void {
    this.check();
    checkComponentId(symbol, 'symbol');
    const relativePath = `${RUN_LAYOUT.market}/${symbol}.parquet`;
    writeBarsParquet(join(this.dir, relativePath), bars, symbol, { fsync: this.fsync });
    this.metadata.market[symbol] = relativePath;
    this.metadata.barCounts[symbol] = bars.tsMs.length;
  }

  /** Points `symbol` at a bars file outside the run (absolute path) instead of copying it. */
  linkBars(symbol: string, absoluteFile: string, barCount: number): void {
    this.check();
    this.metadata.market[symbol] = absoluteFile;
    this.metadata.barCounts[symbol] = barCount;
  }

  private barsFor(description: TraceDescription, what: string): void {
    if (description.symbol === undefined) return;
    const count = this.metadata.barCounts[description.symbol];
    if (count === undefined) {
      throw new WorkspaceError(`${what} '${description.id}': symbol '${description.symbol}' has no market data in ${this.dir} (write its bars first)`, { file: this.dir });
    }
    if (count !== description.bars) {
      throw new WorkspaceError(`${what} '${description.id}': bars ${description.bars} differs from the ${count} bars of '${description.symbol}'`, { file: this.dir });
    }
  }

  /** Writes `signals/{id}/signals.parquet` + metadata.json (+ performance.json when metrics are given). */
  writeSignal(trace: SignalTraceColumns, description: TraceDescription, options: TraceWriteOptions = {}): TraceInfo {
    this.check();
    checkComponentId(description.id, 'strategy');
    if (this.strategyIds.has(description.id)) throw new WorkspaceError(`${this.dir}: strategy '${description.id}' written twice`, { file: this.dir });
    this.barsFor(description, 'strategy');
    const path = signalPath(this.dir, description.id);
    const info = writeSignalTrace(path, trace, description, { ...options, fsync: this.fsync });
    const folder = join(this.dir, RUN_LAYOUT.signals, description.id);
    writeJsonAtomic(join(folder, RUN_LAYOUT.componentMetadata), componentMetadata(info, RUN_LAYOUT.signalFile), { fsync: this.fsync });
    if (info.metrics) writeJsonAtomic(join(folder, RUN_LAYOUT.performance), info.metrics, { fsync: this.fsync });
    this.strategyIds.add(description.id);
    this.metadata.strategies.push(description.id);
    this.metadata.families[info.family] = (this.metadata.families[info.family] ?? 0) + 1;
    this.metadata.totalSignalChanges += info.changes;
    return info;
  }

  /** Writes `classifiers/{id}/states.parquet` + metadata.json + transitions.json. */
  writeClassifier(trace: RegimeTrace, description: TraceDescription): TraceInfo {
    this.check();
    checkComponentId(description.id, 'classifier');
    if (this.classifierIds.has(description.id)) throw new WorkspaceError(`${this.dir}: classifier '${description.id}' written twice`, { file: this.dir });
    this.barsFor(description, 'classifier');
    const info = writeRegimeTrace(statePath(this.dir, description.id), trace, description, { fsync: this.fsync });
    const folder = join(this.dir, RUN_LAYOUT.classifiers, description.id);
    writeJsonAtomic(join(folder, RUN_LAYOUT.componentMetadata), componentMetadata(info, RUN_LAYOUT.stateFile), { fsync: this.fsync });
    writeJsonAtomic(join(folder, RUN_LAYOUT.transitions), regimeTransitions(trace), { fsync: this.fsync });
    this.classifierIds.add(description.id);
    this.metadata.classifiers.push(description.id);
    this.metadata.totalRegimeChanges += info.changes;
    return info;
  }

  /** Writes `events/traces.parquet` + `events/index.json`. */
  writeEvents(table: Table, index: Record<string, unknown>, options: ParquetWriteOptions = {}): void {
    this.check();
    const relativePath = `${RUN_LAYOUT.events}/${RUN_LAYOUT.eventsFile}`;
    writeParquetTable(join(this.dir, relativePath), table, { ...options, fsync: this.fsync });
    writeJsonAtomic(join(this.dir, RUN_LAYOUT.events, RUN_LAYOUT.eventsIndex), { file: RUN_LAYOUT.eventsFile, rows: table.numRows, ...index }, { fsync: this.fsync });
    this.metadata.events = relativePath;
  }

  /** Writes metadata.json (always fsynced): from now on the run is complete and readable. */
  finish(): RunMetadata {
    this.check();
    mkdirSync(join(this.dir, RUN_LAYOUT.summary), { recursive: true });
    mkdirSync(join(this.dir, RUN_LAYOUT.analytics), { recursive: true });
    writeJsonAtomic(join(this.dir, RUN_LAYOUT.metadata), this.metadata);
    this.finished = true;
    return this.metadata;
  }
}

/** Starts writing a new run in `dir` (created if needed). */
export function createRun(dir: string, options: CreateRunOptions = {}): RunWriter {
  return new RunWriter(dir, options);
}
