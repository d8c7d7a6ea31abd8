// Signal replay with I/O: validate a SignalReplayConfig against a run (every strategy, the
// classifier and every regime label) BEFORE writing anything, replay the regime-weighted ensemble
// on all bars or a sub-range, write signals/combined/ensemble_signals.parquet (float32) and
// analytics/ensemble_replay.json.
import { resolve } from 'node:path';
import { validateExecutionCosts, defaultExecutionCosts, validateMetricOptions } from '../analytics/metricOptions.ts';
import { inferPeriodsPerYear } from '../analytics/periods.ts';
import {
  ensemblePositions, forwardFillStates, positionChanges, returnRegimes, returnsByRegime, sliceBars, sliceRegimeTrace, sliceSignalTrace,
  denseMetricsWithSeries, type BarRange, type EnsembleMember, type EnsembleWeights, type RegimeReturnStats,
} from '../analytics/replay.ts';
import { InputError, WorkspaceError } from '../errors.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import { writeSignalTrace } from '../io/traces.ts';
import { openRun } from '../io/workspace.ts';
import type { Bars, ExecutionCosts, PerformanceMetrics, RegimeTrace, SignalTrace } from '../types.ts';

/** Value of `version` in a replay configuration. */
export const REPLAY_CONFIG_VERSION = 'sweeplens-replay-1';

/** The bars an ensemble was fitted on: [fromIdx, toIdx) with their times. */
export interface FittedRange {
  /** First bar, inclusive. */
  fromIdx: number;
  /** End bar, exclusive. */
  toIdx: number;
  /** ISO time of bar fromIdx, when known. */
  firstTs?: string | null;
  /** ISO time of bar toIdx - 1, when known. */
  lastTs?: string | null;
}

/**
 * A replayable ensemble (the seed's SignalReplayConfig): which strategies, which classifier's
 * regimes, the weights per regime, the execution cost model and the bars it was fitted on. Written
 * by the automated workflow (one JSON file per selection), read by `sweeplens replay`.
 */
export interface SignalReplayConfig {
  /** REPLAY_CONFIG_VERSION. */
  version?: string;
  /** A name for reports, e.g. 'A'. */
  name?: string;
  /** The run the strategies belong to (a sweeplens run or an ADMF-PC workspace); the CLI argument overrides it. */
  runDir?: string;
  /** For an ADMF-PC workspace read in place: market bars and idx base. */
  admf?: AdmfOpenOptions;
  /** Symbol whose bars are replayed. */
  symbol: string;
  /** Member strategy ids (at least one, unique); weights may only name these. */
  strategies: string[];
  /** Classifier whose forward-filled state picks the regime weights; required with weights.regimes. */
  classifier?: string;
  /** Weights (see analytics/replay.ts EnsembleWeights: regime entry, else global, else flat). */
  weights: EnsembleWeights;
  /** Execution cost model charged on |Δpos| of the ensemble (missing fields: defaults). */
  costs: Partial<ExecutionCosts>;
  /** P, bars per year; default inferred from the bar spacing. */
  periodsPerYear?: number;
  /** Annual risk-free rate, fraction; default 0. */
  riskFreeRate?: number;
  /** Bars the weights were fitted on (informational; replays outside it are out-of-sample). */
  fittedRange?: FittedRange;
}

const CONFIG_FIELDS = ['version', 'name', 'runDir', 'admf', 'symbol', 'strategies', 'classifier', 'weights', 'costs', 'periodsPerYear', 'riskFreeRate', 'fittedRange'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(field: string, message: string): never {
  throw new InputError(`${field} ${message}`, { field });
}

function checkWeightRecord(value: unknown, field: string, members: Set<string>): Record<string, number> {
  if (!isRecord(value)) fail(field, `must be an object {strategy id: weight}, got ${JSON.stringify(value)}`);
  for (const [id, weight] of Object.entries(value)) {
    if (!members.has(id)) fail(`${field}.${id}`, `names strategy '${id}', which is not in strategies`);
    if (typeof weight !== 'number' || !Number.isFinite(weight)) fail(`${field}.${id}`, `must be a finite number, got ${JSON.stringify(weight)}`);
  }
  return value as Record<string, number>;
}

/**
 * Checks the shape of a replay configuration (no I/O): unknown fields, types, strategies non-empty
 * and unique, weights naming members only, a classifier when there are regime weights, at least
 * one weight set, costs valid. InputError names the field (`config.weights.regimes.calm.s1 ...`).
 */
export function validateReplayConfig(input: unknown, path = 'config'): SignalReplayConfig {
  if (!isRecord(input)) fail(path, `must be a JSON object, got ${JSON.stringify(input)}`);
  for (const key of Object.keys(input)) if (!CONFIG_FIELDS.includes(key)) fail(`${path}.${key}`, `is not a known field (known: ${CONFIG_FIELDS.join(', ')})`);
  if (typeof input.symbol !== 'string' || input.symbol === '') fail(`${path}.symbol`, `must be a non-empty string, got ${JSON.stringify(input.symbol)}`);
  if (!Array.isArray(input.strategies) || input.strategies.length === 0) fail(`${path}.strategies`, 'must be a non-empty array of strategy ids');
  const members = new Set<string>();
  input.strategies.forEach((id, i) => {
    if (typeof id !== 'string' || id === '') fail(`${path}.strategies[${i}]`, `must be a strategy id, got ${JSON.stringify(id)}`);
    if (members.has(id)) fail(`${path}.strategies[${i}]`, `lists '${id}' twice`);
    members.add(id);
  });
  if (input.classifier !== undefined && (typeof input.classifier !== 'string' || input.classifier === '')) fail(`${path}.classifier`, `must be a classifier id, got ${JSON.stringify(input.classifier)}`);
  if (!isRecord(input.weights)) fail(`${path}.weights`, 'must be an object {global?, regimes?}');
  for (const key of Object.keys(input.weights)) if (key !== 'global' && key !== 'regimes') fail(`${path}.weights.${key}`, 'is not a known field (known: global, regimes)');
  const weights: EnsembleWeights = {};
  if (input.weights.global !== undefined) weights.global = checkWeightRecord(input.weights.global, `${path}.weights.global`, members);
  if (input.weights.regimes !== undefined) {
    if (!isRecord(input.weights.regimes)) fail(`${path}.weights.regimes`, 'must be an object {regime label: {strategy id: weight}}');
    if (input.classifier === undefined && Object.keys(input.weights.regimes).length > 0) fail(`${path}.classifier`, 'is required when weights.regimes is given');
    weights.regimes = {};
    for (const [label, record] of Object.entries(input.weights.regimes)) weights.regimes[label] = checkWeightRecord(record, `${path}.weights.regimes.${label}`, members);
  }
  if (!weights.global && Object.keys(weights.regimes ?? {}).length === 0) fail(`${path}.weights`, 'has neither global nor regime weights: the ensemble would never trade');
  if (!isRecord(input.costs)) fail(`${path}.costs`, 'must be an object (the execution cost model; {} for the defaults)');
  validateExecutionCosts({ ...defaultExecutionCosts(), ...(input.costs as Partial<ExecutionCosts>) }, `${path}.costs`);
  if (input.periodsPerYear !== undefined && !(typeof input.periodsPerYear === 'number' && input.periodsPerYear > 0 && Number.isFinite(input.periodsPerYear))) {
    fail(`${path}.periodsPerYear`, `must be a number > 0, got ${JSON.stringify(input.periodsPerYear)}`);
  }
  if (input.riskFreeRate !== undefined && !(typeof input.riskFreeRate === 'number' && input.riskFreeRate > -1)) fail(`${path}.riskFreeRate`, `must be an annual rate > -1, got ${JSON.stringify(input.riskFreeRate)}`);
  if (input.runDir !== undefined && typeof input.runDir !== 'string') fail(`${path}.runDir`, 'must be a path');
  if (input.fittedRange !== undefined) {
    const range = input.fittedRange;
    if (!isRecord(range) || !Number.isInteger(range.fromIdx) || !Number.isInteger(range.toIdx) || (range.fromIdx as number) < 0 || (range.toIdx as number) <= (range.fromIdx as number)) {
      fail(`${path}.fittedRange`, 'must be {fromIdx, toIdx} with integers 0 <= fromIdx < toIdx');
    }
  }
  if (input.admf !== undefined && !(isRecord(input.admf) && (typeof input.admf.market === 'string' || isRecord(input.admf.market)))) fail(`${path}.admf`, 'must be {market, idxBase?}');
  return { ...(input as unknown as SignalReplayConfig), weights };
}

/** A range bound: a bar index (integer, or a string of digits) or an ISO-8601 time. */
export type RangeBound = number | string;

/**
 * Resolves --from / --to to bars [fromIdx, toIdx): an index is used as is (from inclusive, to
 * exclusive); a time selects the first bar at or after it (so `to` excludes bars at or after that
 * time). Defaults: 0 and the bar count. InputError naming the flag when out of range or unparsable.
 */
export function resolveBarRange(tsMs: Float64Array, from?: RangeBound, to?: RangeBound): BarRange {
  const n = tsMs.length;
  const bound = (value: RangeBound | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value === 'number' || /^\d+$/.test(value.trim())) {
      const idx = Number(value);
      if (!Number.isInteger(idx) || idx < 0 || idx > n) throw new InputError(`${name} bar index must be an integer in [0, ${n}], got ${value}`, { field: name });
      return idx;
    }
    const time = Date.parse(value);
    if (!Number.isFinite(time)) throw new InputError(`${name} must be a bar index or an ISO-8601 time, got '${value}'`, { field: name });
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tsMs[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const fromIdx = bound(from, '--from', 0);
  const toIdx = bound(to, '--to', n);
  if (toIdx - fromIdx < 2) throw new InputError(`--from/--to select bars [${fromIdx}, ${toIdx}): at least 2 bars are needed (the run has ${n})`, { fromIdx, toIdx });
  return { fromIdx, toIdx };
}

/** Options of replayEnsemble. */
export interface ReplayOptions {
  /** The run; default config.runDir. */
  runDir?: string;
  /** ADMF-PC read in place; default config.admf. */
  admf?: AdmfOpenOptions;
  /** Where signals/combined/ and analytics/ go; default the run directory (required for an ADMF-PC workspace). */
  outDir?: string;
  /** First bar (index or ISO time), inclusive; default 0. */
  from?: RangeBound;
  /** End bar (index or ISO time), exclusive; default all bars. */
  to?: RangeBound;
  /** Write the outputs; default true (false: compute only). */
  write?: boolean;
}

/** Whether the replayed bars overlap the bars the weights were fitted on. */
export type SampleKind = 'in-sample' | 'out-of-sample' | 'partly in-sample' | 'unknown';

/** What a replay produced (also the content of analytics/ensemble_replay.json). */
export interface ReplayResult {
  name: string | null;
  runDir: string;
  outDir: string | null;
  symbol: string;
  strategies: string[];
  classifier: string | null;
  /** Replayed bars [fromIdx, toIdx) of the run, with their times. */
  range: { fromIdx: number; toIdx: number; bars: number; firstTs: string | null; lastTs: string | null };
  fittedRange: FittedRange | null;
  sample: SampleKind;
  costs: ExecutionCosts;
  periodsPerYear: number;
  /** Net metrics of the ensemble (dense path, fractional positions), on the replayed bars. */
  metrics: PerformanceMetrics;
  /** Per-regime statistics of the ensemble's net returns: bar t counts in regime state_{t-1}; null without a classifier. */
  perRegime: Record<string, RegimeReturnStats> | null;
  /** Position changes in the ensemble trace. */
  changes: number;
  /** Written files (null when write is false). */
  signalsPath: string | null;
  resultPath: string | null;
}

/** Everything read and checked before a replay computes or writes anything. */
interface PreparedReplay {
  config: SignalReplayConfig;
  runDir: string;
  bars: Bars;
  members: EnsembleMember[];
  regimes: RegimeTrace | undefined;
  costs: ExecutionCosts;
  periodsPerYear: number;
  outDir: string | null;
}

async function prepareReplay(rawConfig: unknown, options: ReplayOptions): Promise<PreparedReplay> {
  const config = validateReplayConfig(rawConfig);
  const dir = options.runDir ?? config.runDir;
  if (!dir) throw new InputError('config.runDir is missing and no run was given', { field: 'config.runDir' });
  const runDir = resolve(dir);
  const run = await openRun(runDir, options.admf ?? config.admf);
  if (!run.symbols().includes(config.symbol)) {
    throw new InputError(`config.symbol: '${config.symbol}' has no market data in ${runDir} (symbols: ${run.symbols().join(', ')})`, { field: 'config.symbol' });
  }
  const known = new Set(run.strategyIds());
  const missing = config.strategies.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw new WorkspaceError(`config.strategies: ${missing.map((id) => `'${id}'`).join(', ')} not in run ${runDir} (${known.size} strategies)`, { field: 'config.strategies', file: runDir });
  }
  if (config.classifier !== undefined && !run.classifierIds().includes(config.classifier)) {
    throw new WorkspaceError(`config.classifier: '${config.classifier}' not in run ${runDir} (classifiers: ${run.classifierIds().slice(0, 10).join(', ') || 'none'})`, { field: 'config.classifier', file: runDir });
  }
  const regimes = config.classifier !== undefined ? await run.readRegimes(config.classifier) : undefined;
  for (const label of Object.keys(config.weights.regimes ?? {})) {
    if (!regimes!.labels.includes(label)) {
      throw new WorkspaceError(`config.weights.regimes.${label}: classifier '${config.classifier}' has no regime '${label}' (regimes: ${regimes!.labels.join(', ')})`, { field: `config.weights.regimes.${label}` });
    }
  }
  const members: EnsembleMember[] = [];
  for (const id of config.strategies) {
    const trace = await run.readSignal(id);
    const symbol = run.signalLocator(id).symbol;
    if (symbol !== config.symbol) throw new InputError(`config.strategies: '${id}' trades '${symbol}', not config.symbol '${config.symbol}'`, { field: 'config.strategies', id });
    members.push({ id, trace: { idx: trace.idx, signal: trace.signal } });
  }
  const bars = await run.readBars(config.symbol);
  const costs = validateExecutionCosts({ ...defaultExecutionCosts(), ...config.costs }, 'config.costs');
  const periodsPerYear = config.periodsPerYear ?? inferPeriodsPerYear(bars.tsMs).periodsPerYear;
  const write = options.write ?? true;
  if (write && run.format === 'admf-pc' && !options.outDir) {
    throw new InputError(`${runDir} is an ADMF-PC workspace read in place: give an output directory (--out)`, { field: 'outDir' });
  }
  return { config, runDir, bars, members, regimes, costs, periodsPerYear, outDir: write ? resolve(options.outDir ?? runDir) : null };
}

function isoAt(tsMs: Float64Array, i: number): string | null {
  return i >= 0 && i < tsMs.length ? new Date(tsMs[i]!).toISOString() : null;
}

function sampleKind(range: BarRange, fitted: FittedRange | undefined): SampleKind {
  if (!fitted) return 'unknown';
  const overlap = Math.min(range.toIdx, fitted.toIdx) - Math.max(range.fromIdx, fitted.fromIdx);
  if (overlap <= 0) return 'out-of-sample';
  return range.fromIdx >= fitted.fromIdx && range.toIdx <= fitted.toIdx ? 'in-sample' : 'partly in-sample';
}

/**
 * Replays a regime-weighted ensemble (see analytics/replay.ts ensemblePositions) on the run's bars
 * [from, to): traces and bars are sliced to the range and re-based (a member's position and the
 * classifier's state at `from` carry in at the range's first bar), the ensemble's dense float32
 * positions are priced by the dense path with the config's costs, and per-regime statistics use the
 * timing rule (regime of R_t = state_{t-1}). The whole config is validated against the run first
 * (strategies, classifier, regime labels, symbol): a bad config fails before any file is written.
 * Writes `signals/combined/ensemble_signals.parquet` (float32, run bar indices, flat outside the
 * range) and `analytics/ensemble_replay.json` under outDir.
 */
export async function replayEnsemble(config: SignalReplayConfig | unknown, options: ReplayOptions = {}): Promise<ReplayResult> {
  const prepared = await prepareReplay(config, options);
  const { bars, members, regimes, costs, periodsPerYear } = prepared;
  const cfg = prepared.config;
  const range = resolveBarRange(bars.tsMs, options.from, options.to);
  const full = range.fromIdx === 0 && range.toIdx === bars.tsMs.length;
  const sliced = full ? bars : sliceBars(bars, range);
  const n = sliced.tsMs.length;
  const slicedMembers = full ? members : members.map((m) => ({ id: m.id, trace: sliceSignalTrace(m.trace, range) }));
  const slicedRegimes = regimes && !full ? sliceRegimeTrace(regimes, range) : regimes;
  const states = slicedRegimes ? forwardFillStates(slicedRegimes, n) : undefined;
  const positions = ensemblePositions(n, slicedMembers, cfg.weights, states && slicedRegimes ? { states, labels: slicedRegimes.labels } : undefined);
  const changes = positionChanges(positions);
  const trace: SignalTrace = { idx: changes.idx, signal: Float64Array.from(changes.signal) };
  const options2 = validateMetricOptions({ periodsPerYear, riskFreeRate: cfg.riskFreeRate ?? 0 }, 'config');
  const { metrics, series } = denseMetricsWithSeries(sliced, trace, costs, options2, `${prepared.runDir} (${cfg.symbol} bars)`);
  const perRegime = states && slicedRegimes ? returnsByRegime(series.net, returnRegimes(states), slicedRegimes.labels, periodsPerYear, series.cost) : null;
  const result: ReplayResult = {
    name: cfg.name ?? null,
    runDir: prepared.runDir,
    outDir: prepared.outDir,
    symbol: cfg.symbol,
    strategies: cfg.strategies,
    classifier: cfg.classifier ?? null,
    range: { fromIdx: range.fromIdx, toIdx: range.toIdx, bars: n, firstTs: isoAt(bars.tsMs, range.fromIdx), lastTs: isoAt(bars.tsMs, range.toIdx - 1) },
    fittedRange: cfg.fittedRange ?? null,
    sample: sampleKind(range, cfg.fittedRange),
    costs,
    periodsPerYear,
    metrics,
    perRegime,
    changes: changes.idx.length,
    signalsPath: null,
    resultPath: null,
  };
  if (prepared.outDir) {
    const total = bars.tsMs.length;
    // Stored with run bar indices; flat again from toIdx on when the range ends early.
    const closing = range.toIdx < total && positions[n - 1] !== 0;
    const idx = new Int32Array(changes.idx.length + (closing ? 1 : 0));
    const signal = new Float32Array(idx.length);
    changes.idx.forEach((i, row) => { idx[row] = i + range.fromIdx; signal[row] = changes.signal[row]!; });
    if (closing) idx[idx.length - 1] = range.toIdx;
    result.signalsPath = `${prepared.outDir}/${RUN_LAYOUT.signals}/${RUN_LAYOUT.combined}/ensemble_signals.parquet`;
    result.resultPath = `${prepared.outDir}/${RUN_LAYOUT.analytics}/ensemble_replay.json`;
    writeSignalTrace(result.signalsPath, { idx, signal }, {
      id: cfg.name ? `ensemble_${cfg.name}` : 'ensemble', family: 'ensemble', symbol: cfg.symbol, bars: total,
      parameters: { strategies: cfg.strategies, classifier: cfg.classifier ?? null, fromIdx: range.fromIdx, toIdx: range.toIdx },
    }, { valueType: 'float32' });
    writeJsonAtomic(result.resultPath, result);
  }
  return result;
}
