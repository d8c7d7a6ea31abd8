// The sweeplens run layout (ARCHITECTURE.md "Workspace layout") and the run metadata shape.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { WorkspaceError } from '../errors.ts';

/** Value of `format` in a sweeplens run's metadata.json. */
export const RUN_FORMAT = 'sweeplens-run-1';

/** File and folder names of a run, relative to the run directory. */
export const RUN_LAYOUT = {
  metadata: 'metadata.json',
  market: 'market',
  signals: 'signals',
  signalFile: 'signals.parquet',
  classifiers: 'classifiers',
  stateFile: 'states.parquet',
  componentMetadata: 'metadata.json',
  performance: 'performance.json',
  transitions: 'transitions.json',
  events: 'events',
  eventsFile: 'traces.parquet',
  eventsIndex: 'index.json',
  summary: 'summary',
  analytics: 'analytics',
  combined: 'combined',
} as const;

/** Where a run came from. */
export type RunSource =
  | { kind: 'generated'; seed: number; generator: string }
  | { kind: 'admf-pc'; dir: string; idxBase: 0 | 1 }
  | { kind: 'external'; description?: string };

/** A run's metadata.json: the run-level summary and file index, written last (a run without it is incomplete). */
export interface RunMetadata {
  format: typeof RUN_FORMAT;
  runId: string;
  /** ISO-8601 creation time. */
  createdAt: string;
  /** Symbols with market data, and where their bars are: a path relative to the run (market/X.parquet) or an absolute file. */
  market: Record<string, string>;
  /** Bars per symbol. */
  barCounts: Record<string, number>;
  /** Strategy ids (folder names under signals/), in write order. */
  strategies: string[];
  /** Classifier ids (folder names under classifiers/), in write order. */
  classifiers: string[];
  /** Strategy count per family. */
  families: Record<string, number>;
  /** Sum of the change counts of every signal trace. */
  totalSignalChanges: number;
  /** Sum of the change counts of every regime trace. */
  totalRegimeChanges: number;
  /** Relative path of the events trace, when the run has one. */
  events?: string;
  source?: RunSource;
}

/** Strategy and classifier ids become folder names: letters, digits, '.', '_', '-', up to 200 characters. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Throws a WorkspaceError unless `id` is usable as a folder name. */
export function checkComponentId(id: string, what: string): void {
  if (!ID_PATTERN.test(id)) throw new WorkspaceError(`${what} id '${id}' is not a valid folder name (letters, digits, '.', '_', '-'; at most 200 characters)`, { id });
}

/** Path of a strategy's signal trace. */
export function signalPath(runDir: string, id: string): string {
  return join(runDir, RUN_LAYOUT.signals, id, RUN_LAYOUT.signalFile);
}

/** Path of a classifier's regime trace. */
export function statePath(runDir: string, id: string): string {
  return join(runDir, RUN_LAYOUT.classifiers, id, RUN_LAYOUT.stateFile);
}

/** Resolves a path relative to the run; WorkspaceError when it escapes the run directory. */
export function insideRun(runDir: string, relativePath: string): string {
  const full = resolve(runDir, relativePath);
  const rel = relative(resolve(runDir), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new WorkspaceError(`${relativePath}: output path must be inside the run directory ${runDir}`, { file: relativePath });
  return full;
}

/** True when `dir` holds a sweeplens run's metadata.json. */
export function isNativeRun(dir: string): boolean {
  return existsSync(join(dir, RUN_LAYOUT.metadata)) && existsSync(join(dir, RUN_LAYOUT.signals));
}

/**
 * Reads and checks a run's metadata.json. WorkspaceError naming the path when the run directory
 * or its metadata.json is missing (an interrupted write leaves no metadata.json), unreadable,
 * not JSON or not a sweeplens run.
 */
export function readRunMetadata(runDir: string): RunMetadata {
  const path = join(runDir, RUN_LAYOUT.metadata);
  if (!existsSync(runDir)) throw new WorkspaceError(`${runDir}: no such run directory`, { file: runDir });
  if (!existsSync(path)) throw new WorkspaceError(`${path}: missing; ${runDir} is not a sweeplens run or its writing was interrupted`, { file: path });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new WorkspaceError(`${path}: damaged run metadata (${(cause as Error).message})`, { file: path });
  }
  const m = parsed as Partial<RunMetadata>;
  if (m.format !== RUN_FORMAT) throw new WorkspaceError(`${path}: not a sweeplens run (format is ${JSON.stringify(m.format)}, expected '${RUN_FORMAT}')`, { file: path });
  for (const key of ['strategies', 'classifiers'] as const) {
    if (!Array.isArray(m[key])) throw new WorkspaceError(`${path}: damaged run metadata ('${key}' is not a list)`, { file: path });
  }
  if (typeof m.market !== 'object' || m.market === null || typeof m.barCounts !== 'object' || m.barCounts === null) {
    throw new WorkspaceError(`${path}: damaged run metadata ('market' and 'barCounts' must be objects)`, { file: path });
  }
  return m as RunMetadata;
}

/** The market file of `symbol`: relative paths resolve against the run directory. */
export function marketFile(runDir: string, metadata: RunMetadata, symbol: string): string {
  const file = metadata.market[symbol];
  if (file === undefined) {
    const known = Object.keys(metadata.market).join(', ') || 'none';
    throw new WorkspaceError(`${join(runDir, RUN_LAYOUT.metadata)}: no market data for symbol '${symbol}' (symbols with bars: ${known})`, { file: runDir, symbol });
  }
  return isAbsolute(file) ? file : join(runDir, file);
}
