// Writes a complete synthetic run, streaming: one strategy is computed and written at a time,
// so memory is bounded by the bars, the shared tables and the indicator cache, not by the sweep.
import { makeVector, Table } from 'apache-arrow';
import { CONVENTIONS_VERSION } from '../constants.ts';
import { InputError } from '../errors.ts';
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';
import { defaultExecutionCosts } from '../analytics/metricOptions.ts';
import { strategyMetrics } from '../analytics/sparseMetrics.ts';
import {
  changeBuffer, marketTables, MARKET_REGIME_LABELS, syntheticBars, type MarketTables,
} from '../analytics/synthetic.ts';
import { computeClassifier, planClassifiers } from '../analytics/syntheticClassifiers.ts';
import { computeStrategy, IndicatorCache, planStrategies } from '../analytics/syntheticStrategies.ts';
import { dictionaryVector, int64Vector } from '../io/arrowColumns.ts';
import type { RunMetadata } from '../io/layout.ts';
import { createRun, type RunWriter } from '../io/runWriter.ts';
import { instantiateKernels } from '../kernels/runtime.ts';
import { buildMarketIndex } from '../market/marketIndex.ts';

/** Bars per year of 1-minute US equity bars (252 sessions x 390 minutes), used to annualize. */
export const MINUTE_BARS_PER_YEAR = 252 * 390;

/** One progress report of generateRun. */
export interface GenerateProgress {
  phase: 'bars' | 'strategies' | 'classifiers' | 'events' | 'done';
  done: number;
  total: number;
}

/** Options of generateRun. */
export interface GenerateOptions {
  /** Number of strategies (spread over the families), >= 0. */
  strategies: number;
  /** Number of classifiers, >= 0. */
  classifiers: number;
  /** Number of 1-minute bars, >= 2. */
  bars: number;
  /** Seed of every random choice; the same options give the same run (except createdAt). */
  seed: number;
  /** Symbol of the bars; default 'SYN'. */
  symbol?: string;
  /** Replace an existing run at the path; default false. */
  overwrite?: boolean;
  /** Compute headline metrics and cache them in the footers; default true. */
  metrics?: boolean;
  /** Cost model of the cached metrics; default 10 bps commission + 5 bps linear slippage. */
  costs?: ExecutionCosts;
  /** Byte budget of the per-family indicator cache (EMA, RSI, rolling max/min); default 768 MiB. */
  indicatorCacheBytes?: number;
  /** fsync every file (slow for 10,000 files); default false. metadata.json is always fsynced. */
  fsync?: boolean;
  /** Called as work progresses (at most ~200 times per phase). */
  onProgress?: (progress: GenerateProgress) => void;
}

/** Metrics cached in each generated trace's footer (the headline figures a scan ranks by). */
export const HEADLINE_METRICS = ['totalReturn', 'sharpeRatio', 'maxDrawdown', 'winRate', 'tradeCount', 'grossReturn', 'grossSharpe', 'exposure'] as const;

function headline(metrics: PerformanceMetrics): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const name of HEADLINE_METRICS) values[name] = metrics[name];
  return values;
}

function validate(options: GenerateOptions): void {
  const check = (name: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min) throw new InputError(`options.${name} must be an integer >= ${min}, got ${value}`);
  };
  check('strategies', options.strategies, 0);
  check('classifiers', options.classifiers, 0);
  check('bars', options.bars, 2);
  if (options.bars > 2 ** 31 - 1) throw new InputError(`options.bars must fit in int32, got ${options.bars}`);
  check('seed', options.seed, 0);
}

function reporter(onProgress: GenerateOptions['onProgress']) {
  return (phase: GenerateProgress['phase'], done: number, total: number): void => {
    if (!onProgress) return;
    const step = Math.max(1, Math.floor(total / 200));
    if (done === total || done % step === 0) onProgress({ phase, done, total });
  };
}

interface EventRows {
  idx: number[];
  type: number[];
  source: number[];
  state: number[];
  sources: string[];
  states: string[];
}

function addEvent(rows: EventRows, idx: number, type: number, source: string, state: string): void {
  let sourceCode = rows.sources.indexOf(source);
  if (sourceCode < 0) sourceCode = rows.sources.push(source) - 1;
  let stateCode = rows.states.indexOf(state);
  if (stateCode < 0) stateCode = rows.states.push(state) - 1;
  rows.idx.push(idx);
  rows.type.push(type);
  rows.source.push(sourceCode);
  rows.state.push(stateCode);
}

const EVENT_TYPES = ['market_regime', 'classifier_change'];

function writeEvents(writer: RunWriter, rows: EventRows, tables: MarketTables): void {
  const order = rows.idx.map((_, i) => i).sort((a, b) => rows.idx[a]! - rows.idx[b]! || a - b);
  const pick = (values: number[]) => Int32Array.from(order, (i) => values[i]!);
  const idx = pick(rows.idx);
  const tsMs = Float64Array.from(idx, (i) => tables.bars.tsMs[i]!);
  const table = new Table({
    idx: makeVector(idx),
    ts: int64Vector(tsMs),
    type: dictionaryVector(pick(rows.type), EVENT_TYPES),
    source: dictionaryVector(pick(rows.source), rows.sources),
    state: dictionaryVector(pick(rows.state), rows.states),
  });
  const counts: Record<string, number> = {};
  for (const type of rows.type) counts[EVENT_TYPES[type]!] = (counts[EVENT_TYPES[type]!] ?? 0) + 1;
  writer.writeEvents(table, { columns: ['idx', 'ts', 'type', 'source', 'state'], types: counts, sources: rows.sources.length });
}

/**
 * Generates a complete synthetic run in `dir`: bars (market/{symbol}.parquet, geometric random
 * walk with sticky volatility regimes, 1-minute spacing), `strategies` signal traces computed on
 * the bars by parameter grids of six families (moving-average and EMA crossovers, RSI bands,
 * Donchian breakout, Bollinger reversion, momentum) with cached headline metrics, `classifiers`
 * sticky regime traces (volatility and trend), an events trace (hidden market regimes and
 * classifier changes) and metadata.json (last). Memory: O(bars) plus the indicator cache.
 */
export function generateRun(dir: string, options: GenerateOptions): RunMetadata {
  validate(options);
  const symbol = options.symbol ?? 'SYN';
  const costs = options.costs ?? defaultExecutionCosts();
  const withMetrics = options.metrics ?? true;
  const report = reporter(options.onProgress);
  const strategies = planStrategies(options.strategies);
  const classifiers = planClassifiers(options.classifiers);

  report('bars', 0, 1);
  const market = syntheticBars({ bars: options.bars, seed: options.seed });
  const tables = marketTables(market.bars);
  const writer = createRun(dir, {
    overwrite: options.overwrite ?? false,
    fsync: options.fsync ?? false,
    source: { kind: 'generated', seed: options.seed, generator: 'sweeplens-synthetic-1' },
  });
  writer.writeBars(symbol, market.bars);
  report('bars', 1, 1);

  const cache = new IndicatorCache(options.indicatorCacheBytes ?? 768 * 2 ** 20);
  // The cached footer metrics are the product's own (change-proportional, dense where not exact).
  const index = withMetrics ? buildMarketIndex(market.bars, costs, instantiateKernels(), { source: `${dir} (generated bars)` }) : undefined;
  const metricOptions = { periodsPerYear: MINUTE_BARS_PER_YEAR };
  const changes = changeBuffer(options.bars);
  strategies.forEach((spec, i) => {
    computeStrategy(spec, tables, cache, changes);
    const trace = { idx: changes.idx.subarray(0, changes.length), signal: changes.value.subarray(0, changes.length) };
    const description = { id: spec.id, family: spec.family, symbol, parameters: spec.parameters, bars: options.bars };
    if (index) {
      const values = headline(strategyMetrics(index, { idx: trace.idx, signal: Float64Array.from(trace.signal) }, costs, metricOptions));
      writer.writeSignal(trace, { ...description, metrics: { values, costs, conventions: CONVENTIONS_VERSION, periodsPerYear: MINUTE_BARS_PER_YEAR } }, { valueType: 'int8' });
    } else {
      writer.writeSignal(trace, description, { valueType: 'int8' });
    }
    report('strategies', i + 1, strategies.length);
  });

  const events: EventRows = { idx: [], type: [], source: [], state: [], sources: [], states: [] };
  for (let t = 0; t < market.regime.length; t++) {
    if (t === 0 || market.regime[t] !== market.regime[t - 1]) addEvent(events, t, 0, 'market', MARKET_REGIME_LABELS[market.regime[t]!]!);
  }
  classifiers.forEach((spec, i) => {
    const regimes = computeClassifier(spec, tables);
    writer.writeClassifier({ idx: regimes.idx, state: regimes.state, labels: spec.labels }, {
      id: spec.id, family: spec.family, symbol, parameters: spec.parameters, bars: options.bars,
    });
    for (let row = 0; row < regimes.idx.length; row++) addEvent(events, regimes.idx[row]!, 1, spec.id, spec.labels[regimes.state[row]!]!);
    report('classifiers', i + 1, classifiers.length);
  });
  report('events', 0, 1);
  writeEvents(writer, events, tables);
  report('events', 1, 1);
  const metadata = writer.finish();
  report('done', 1, 1);
  return metadata;
}
