// ADMF-PC sparse trace files read as they are: listing, names -> family + parameters, reading
// into typed arrays with an idx base, and the check of `ts` against bar times.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SchemaError, WorkspaceError } from '../errors.ts';
import { columnToCodes, columnToInt32, requireColumn } from './arrowColumns.ts';
import { readParquetTable, readParquetViews } from './parquet.ts';
import { parseTimestampMs } from './timestamps.ts';
import type { JsonValue, TraceParameters } from './traceMetadata.ts';
import { validateChangeIndex, validateSignalValues, type StoredRegimeTrace, type StoredSignalTrace } from './traces.ts';

/** One trace file of an ADMF-PC workspace. */
export interface AdmfTraceEntry {
  /** File stem, e.g. 'SPY_rsi_bands_grid_11_15_65' (ADMF-PC's component id). */
  id: string;
  kind: 'signal' | 'regime';
  symbol: string;
  /** Timeframe from the folder name, e.g. '1m'. */
  timeframe: string;
  /** Family without the '_grid' suffix, e.g. 'rsi_bands'. */
  family: string;
  /** Tokens after the family in the name, numbers where canonical ('0003' stays a string: ADMF-PC drops decimal points). */
  nameParameters: (number | string)[];
  file: string;
}

/** True when `dir` looks like an ADMF-PC workspace: traces/<symbol>_<tf>/{signals,classifiers}. */
export function isAdmfWorkspace(dir: string): boolean {
  const traces = join(dir, 'traces');
  if (!existsSync(traces) || !statSync(traces).isDirectory()) return false;
  return readdirSync(traces).some((name) => existsSync(join(traces, name, 'signals')) || existsSync(join(traces, name, 'classifiers')));
}

function parameterToken(token: string): number | string {
  return /^-?(0|[1-9]\d*)(\.\d+)?$/.test(token) ? Number(token) : token;
}

/**
 * Splits an ADMF-PC trace name: `SPY_rsi_bands_grid_11_15_65` in folder `rsi_bands_grid`
 * gives family 'rsi_bands' and parameters [11, 15, 65].
 */
export function parseAdmfName(stem: string, symbol: string, familyFolder: string): { family: string; nameParameters: (number | string)[] } {
  const family = familyFolder.replace(/_grid$/, '');
  const prefix = `${symbol}_${familyFolder}_`;
  const tail = stem.startsWith(prefix) ? stem.slice(prefix.length) : '';
  return { family, nameParameters: tail === '' ? [] : tail.split('_').map(parameterToken) };
}

/** Every trace file of an ADMF-PC workspace, sorted by kind then path. */
export function listAdmfTraces(dir: string): AdmfTraceEntry[] {
  if (!isAdmfWorkspace(dir)) throw new WorkspaceError(`${dir}: not an ADMF-PC workspace (no traces/<symbol>_<timeframe>/signals or classifiers)`, { file: dir });
  const entries: AdmfTraceEntry[] = [];
  const traces = join(dir, 'traces');
  for (const series of readdirSync(traces).sort()) {
    const split = series.lastIndexOf('_');
    const symbol = split > 0 ? series.slice(0, split) : series;
    const timeframe = split > 0 ? series.slice(split + 1) : '';
    for (const [folder, kind] of [['signals', 'signal'], ['classifiers', 'regime']] as const) {
      const kindDir = join(traces, series, folder);
      if (!existsSync(kindDir)) continue;
      for (const familyFolder of readdirSync(kindDir).sort()) {
        const familyDir = join(kindDir, familyFolder);
        if (!statSync(familyDir).isDirectory()) continue;
        for (const name of readdirSync(familyDir).sort()) {
          if (!name.endsWith('.parquet')) continue;
          const id = basename(name, '.parquet');
          entries.push({ id, kind, symbol, timeframe, ...parseAdmfName(id, symbol, familyFolder), file: join(familyDir, name) });
        }
      }
    }
  }
  return entries;
}

/** Named parameters by component id, from an ADMF-PC metadata.json (components[..].parameters or strategy_metadata.*[..].params). */
export function loadAdmfParameters(metadataFile: string): Map<string, TraceParameters> {
  const byName = new Map<string, TraceParameters>();
  if (!existsSync(metadataFile)) return byName;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(metadataFile, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new WorkspaceError(`${metadataFile}: damaged ADMF-PC metadata (${(cause as Error).message})`, { file: metadataFile });
  }
  const components = (json.components ?? {}) as Record<string, { parameters?: Record<string, JsonValue> }>;
  for (const [name, component] of Object.entries(components)) {
    if (component.parameters && Object.keys(component.parameters).length > 0) byName.set(name, component.parameters);
  }
  const strategyMetadata = (json.strategy_metadata ?? {}) as Record<string, Record<string, { params?: Record<string, JsonValue> }>>;
  for (const group of Object.values(strategyMetadata)) {
    if (typeof group !== 'object' || group === null) continue;
    for (const [name, entry] of Object.entries(group)) if (entry?.params) byName.set(name, entry.params);
  }
  return byName;
}

/** Parameters of a trace: named ones from metadata (by id, or id without the symbol prefix), else the name's tokens. */
export function admfParameters(entry: AdmfTraceEntry, named: Map<string, TraceParameters>): TraceParameters {
  const found = named.get(entry.id) ?? named.get(entry.id.slice(entry.symbol.length + 1));
  return found ?? { values: entry.nameParameters };
}

function shiftIndex(file: string, rawIdx: Int32Array, idxBase: 0 | 1): Int32Array {
  if (idxBase === 0) return rawIdx;
  const idx = new Int32Array(rawIdx.length);
  for (let row = 0; row < rawIdx.length; row++) {
    idx[row] = rawIdx[row]! - 1;
    if (idx[row]! < 0) throw new SchemaError(`${file}: column 'idx', row ${row}: idx ${rawIdx[row]} is below the idx base 1`, { file, column: 'idx', row });
  }
  return idx;
}

/** Reads an ADMF-PC signal trace: bar index = idx - idxBase, val in {-1,0,1}; px (always 0.0) and ts are not prices or bar times to trust, so they are dropped. */
export function readAdmfSignal(file: string, idxBase: 0 | 1, barCount?: number): StoredSignalTrace {
  return readParquetViews(file, (table): StoredSignalTrace => {
    const idx = shiftIndex(file, columnToInt32(requireColumn(table, 'idx', file), file, 'idx'), idxBase);
    validateChangeIndex(file, idx, barCount);
    const val = columnToInt32(requireColumn(table, 'val', file), file, 'val');
    const signal = new Float64Array(val);
    validateSignalValues(file, signal, 'int8');
    return { file, idx, signal, valueType: 'int8', info: undefined };
  });
}

/** Reads an ADMF-PC classifier trace: bar index = idx - idxBase, string labels in `val`. */
export function readAdmfRegimes(file: string, idxBase: 0 | 1, barCount?: number): StoredRegimeTrace {
  return readParquetViews(file, (table): StoredRegimeTrace => {
    const idx = shiftIndex(file, columnToInt32(requireColumn(table, 'idx', file), file, 'idx'), idxBase);
    validateChangeIndex(file, idx, barCount);
    const { codes, labels } = columnToCodes(requireColumn(table, 'val', file), file, 'val');
    return { file, idx, state: codes, labels, info: undefined };
  });
}

/** How a trace's `ts` relates to the bar times. */
export interface AdmfTimestampCheck {
  file: string;
  rows: number;
  /** Rows whose ts equals the time of bar idx - idxBase. */
  matchChosen: number;
  /** Rows whose ts equals the time of bar idx - (1 - idxBase): the other base. */
  matchOther: number;
  /** Rows whose ts is the time of no bar at all (e.g. wall-clock write times). */
  matchNone: number;
  /** First ts text that matched no bar, for messages. */
  example: string | undefined;
}

function isBarTime(barTsMs: Float64Array, ms: number): boolean {
  let low = 0;
  let high = barTsMs.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const value = barTsMs[mid]!;
    if (value === ms) return true;
    if (value < ms) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/** Compares a trace file's `ts` column with the bar times at idx - idxBase (and at the other base). */
export function checkAdmfTimestamps(file: string, barTsMs: Float64Array, idxBase: 0 | 1): AdmfTimestampCheck {
  const table = readParquetTable(file, ['idx', 'ts']);
  const idx = columnToInt32(requireColumn(table, 'idx', file), file, 'idx');
  const ts = requireColumn(table, 'ts', file);
  const result: AdmfTimestampCheck = { file, rows: idx.length, matchChosen: 0, matchOther: 0, matchNone: 0, example: undefined };
  for (let row = 0; row < idx.length; row++) {
    const text = String(ts.get(row));
    const ms = parseTimestampMs(text);
    const chosen = barTsMs[idx[row]! - idxBase];
    const other = barTsMs[idx[row]! - (1 - idxBase)];
    if (chosen !== undefined && ms === chosen) result.matchChosen++;
    else if (other !== undefined && ms === other) result.matchOther++;
    if (Number.isNaN(ms) || !isBarTime(barTsMs, ms)) {
      result.matchNone++;
      result.example ??= text;
    }
  }
  return result;
}

/**
 * Checks a sample of trace files' `ts` against the bars for the chosen idx base and returns
 * warnings (io never prints): the other base fits better (a contradiction), or the ts are not
 * bar times at all (3790fbc3 holds wall-clock write times), in which case the check is skipped.
 */
export function idxBaseWarnings(dir: string, files: string[], barTsMs: Float64Array, idxBase: 0 | 1): string[] {
  let rows = 0;
  let chosen = 0;
  let other = 0;
  let none = 0;
  let example: string | undefined;
  for (const file of files) {
    const check = checkAdmfTimestamps(file, barTsMs, idxBase);
    rows += check.rows;
    chosen += check.matchChosen;
    other += check.matchOther;
    none += check.matchNone;
    if (check.example !== undefined) example ??= `'${check.example}' in ${basename(check.file)}`;
  }
  if (rows === 0) return [];
  if (none === rows) {
    return [`${dir}: trace ts values match no bar time (e.g. ${example}); they look like write times, not bar times, so the idx base ${idxBase} could not be checked against them`];
  }
  const warnings: string[] = [];
  if (other > chosen) {
    warnings.push(`${dir}: idx base ${idxBase} contradicts the traces' ts: ${other} of ${rows} sampled rows match bar idx${idxBase === 1 ? '' : '-1'} and ${chosen} match bar idx${idxBase === 1 ? '-1' : ''}; use idx base ${1 - idxBase}`);
  } else if (chosen < rows) {
    warnings.push(`${dir}: ${rows - chosen} of ${rows} sampled rows have a ts that is not the time of their bar (idx base ${idxBase})`);
  }
  return warnings;
}
