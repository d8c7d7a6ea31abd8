// Trace metadata carried as Parquet footer key/value pairs, so a metadata scan reads footers only.
import { createHash } from 'node:crypto';
import { SchemaError } from '../errors.ts';
import type { ExecutionCosts } from '../types.ts';

/** Value of the `sweeplens:format` footer key of every trace sweeplens writes. */
export const TRACE_FORMAT = 'sweeplens-trace-1';

/** Footer keys (all prefixed, so they never collide with pandas/ADMF-PC keys). */
export const FOOTER_KEYS = {
  format: 'sweeplens:format',
  id: 'sweeplens:id',
  kind: 'sweeplens:kind',
  family: 'sweeplens:family',
  symbol: 'sweeplens:symbol',
  parameters: 'sweeplens:parameters',
  changes: 'sweeplens:changes',
  bars: 'sweeplens:bars',
  compressionRatio: 'sweeplens:compression_ratio',
  metrics: 'sweeplens:metrics',
  contentHash: 'sweeplens:content_hash',
  labels: 'sweeplens:labels',
} as const;

/** Kind of a trace: a strategy's signal trace or a classifier's regime trace. */
export type TraceKind = 'signal' | 'regime';

/** A JSON value. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Parameter values of one strategy or classifier (JSON-serializable). */
export type TraceParameters = Record<string, JsonValue>;

/** Headline metrics cached with a trace, and the conventions they were computed under. */
export interface CachedMetrics {
  /** Metric values by name (e.g. sharpeRatio, totalReturn); null where undefined. */
  values: Record<string, number | null>;
  /** The execution cost model the net figures include. */
  costs: ExecutionCosts;
  /** Conventions version (CONVENTIONS_VERSION) or another named convention set. */
  conventions: string;
  /** P, bars per year, used to annualize. */
  periodsPerYear: number;
}

/** What a trace's footer says about it (the record a metadata scan returns). */
export interface TraceInfo {
  /** Strategy or classifier id (the folder name in a run). */
  id: string;
  kind: TraceKind;
  /** Family (strategy type or classifier type), e.g. 'sma_crossover'. */
  family: string;
  /** Symbol whose bars the trace indexes; undefined when unknown. */
  symbol: string | undefined;
  parameters: TraceParameters;
  /** Rows in the trace (number of changes). */
  changes: number;
  /** Bars of the run the trace covers (the market's bar count). */
  bars: number;
  /** bars / changes; null when there are no changes. */
  compressionRatio: number | null;
  /** `sha256:<hex>` of the trace data (see traceContentHash). */
  contentHash: string;
  /** Cached headline metrics, when they were computed. */
  metrics: CachedMetrics | undefined;
  /** For regime traces: the state labels in dictionary order. */
  labels: string[] | undefined;
}

/** The footer key/value pairs of a trace. */
export function encodeTraceInfo(info: TraceInfo): Record<string, string> {
  const pairs: Record<string, string> = {
    [FOOTER_KEYS.format]: TRACE_FORMAT,
    [FOOTER_KEYS.id]: info.id,
    [FOOTER_KEYS.kind]: info.kind,
    [FOOTER_KEYS.family]: info.family,
    [FOOTER_KEYS.parameters]: JSON.stringify(info.parameters),
    [FOOTER_KEYS.changes]: String(info.changes),
    [FOOTER_KEYS.bars]: String(info.bars),
    [FOOTER_KEYS.compressionRatio]: info.compressionRatio === null ? 'null' : String(info.compressionRatio),
    [FOOTER_KEYS.contentHash]: info.contentHash,
  };
  if (info.symbol !== undefined) pairs[FOOTER_KEYS.symbol] = info.symbol;
  // (non-finite metrics become null: JSON.stringify writes them so)
  if (info.metrics) pairs[FOOTER_KEYS.metrics] = JSON.stringify(info.metrics);
  if (info.labels) pairs[FOOTER_KEYS.labels] = JSON.stringify(info.labels);
  return pairs;
}

function parseJson(file: string, key: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new SchemaError(`${file}: footer key '${key}' is not valid JSON (${(cause as Error).message})`, { file, key });
  }
}

function integerValue(file: string, key: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 0) throw new SchemaError(`${file}: footer key '${key}' should be a count, got '${text}'`, { file, key });
  return value;
}

/** True when the footer is a sweeplens trace footer. */
export function isSweeplensFooter(metadata: Map<string, string>): boolean {
  return metadata.get(FOOTER_KEYS.format) === TRACE_FORMAT;
}

/** Decodes a sweeplens trace footer; SchemaError naming the file and key when it is not one or is damaged. */
export function decodeTraceInfo(file: string, metadata: Map<string, string>): TraceInfo {
  const format = metadata.get(FOOTER_KEYS.format);
  if (format !== TRACE_FORMAT) throw new SchemaError(`${file}: not a sweeplens trace (footer key '${FOOTER_KEYS.format}' is ${format === undefined ? 'missing' : `'${format}'`})`, { file });
  const required = (key: string): string => {
    const value = metadata.get(key);
    if (value === undefined) throw new SchemaError(`${file}: footer key '${key}' is missing`, { file, key });
    return value;
  };
  const kind = required(FOOTER_KEYS.kind);
  if (kind !== 'signal' && kind !== 'regime') throw new SchemaError(`${file}: footer key '${FOOTER_KEYS.kind}' is '${kind}', expected signal or regime`, { file });
  const ratioText = required(FOOTER_KEYS.compressionRatio);
  const metricsText = metadata.get(FOOTER_KEYS.metrics);
  const labelsText = metadata.get(FOOTER_KEYS.labels);
  return {
    id: required(FOOTER_KEYS.id),
    kind,
    family: required(FOOTER_KEYS.family),
    symbol: metadata.get(FOOTER_KEYS.symbol),
    parameters: parseJson(file, FOOTER_KEYS.parameters, required(FOOTER_KEYS.parameters)) as TraceParameters,
    changes: integerValue(file, FOOTER_KEYS.changes, metadata.get(FOOTER_KEYS.changes)),
    bars: integerValue(file, FOOTER_KEYS.bars, metadata.get(FOOTER_KEYS.bars)),
    compressionRatio: ratioText === 'null' ? null : Number(ratioText),
    contentHash: required(FOOTER_KEYS.contentHash),
    metrics: metricsText === undefined ? undefined : (parseJson(file, FOOTER_KEYS.metrics, metricsText) as CachedMetrics),
    labels: labelsText === undefined ? undefined : (parseJson(file, FOOTER_KEYS.labels, labelsText) as string[]),
  };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Content hash of a trace's data: `sha256:` + hex of SHA-256 over the idx bytes (int32 LE), then
 * the value bytes as stored (int8 signals, float32 weights or int32 state codes), then, for
 * regime traces, the labels joined by NUL. Equal data gives equal hashes on every machine
 * (little-endian platforms, which is every platform Node ships for).
 */
export function traceContentHash(idx: Int32Array, values: Int8Array | Float32Array | Int32Array, labels?: string[]): string {
  const hash = createHash('sha256');
  hash.update(bytesOf(idx));
  hash.update(bytesOf(values));
  if (labels) hash.update(labels.join('\u0000'), 'utf8');
  return `sha256:${hash.digest('hex')}`;
}
