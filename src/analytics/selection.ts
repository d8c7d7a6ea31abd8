// SelectionCriteria of the automated workflow: the seed's fields plus the ensemble optimizer's
// options, validated once at the boundary (JSON file or CLI flags) with messages naming the field;
// and the per-strategy filter the workflow applies to a run's rankings.
import { InputError } from '../errors.ts';
import type { PerformanceMetrics } from '../types.ts';
import type { PortfolioObjective } from './ensemble.ts';

/** Ensemble optimizer options of the criteria (see analytics/ensemble.ts EnsembleOptions). */
export interface SelectionOptimizerOptions {
  /** 'max-sharpe' (default) or 'min-variance'. */
  objective: PortfolioObjective;
  /** Lower bound of each held strategy's weight, fraction in [0, maxWeight]; default 0. */
  minWeight: number;
  /** Upper bound of each weight, fraction in (0, 1]; default 0.5 (the seed's EnsembleOptimizer). */
  maxWeight: number;
  /** At most this many strategies per ensemble (integer >= 1); default 5 (the seed's EnsembleOptimizer). */
  maxStrategies: number;
}

/**
 * What the automated workflow keeps. Defaults are the seed's SelectionCriteria (min Sharpe 1.0,
 * min win rate 55 %, max drawdown 20 %, 100 trades, max correlation 0.7, 3 selections). Every
 * threshold compares against NET figures (after costs). A threshold set to null is not applied.
 */
export interface SelectionCriteria {
  /** Minimum annualized net Sharpe ratio of a strategy over the run; default 1.0; null: no minimum. */
  minSharpe: number | null;
  /** Minimum per-trade win rate, fraction in [0, 1]; default 0.55; null: no minimum. */
  minWinRate: number | null;
  /** Maximum drawdown of the net equity curve, positive fraction in [0, 1]; default 0.20; null: no maximum. */
  maxDrawdown: number | null;
  /** Minimum number of trades, integer >= 0; default 100. */
  minTrades: number;
  /**
   * Regime labels the classifier must produce, and in which every kept strategy must have a net
   * Sharpe > 0 (or >= minRegimePerformance[label] when that is given). Default [] (none).
   */
  requiredRegimes: string[];
  /** Per regime label: the minimum net Sharpe of a strategy restricted to that regime's bars. Default {}. */
  minRegimePerformance: Record<string, number>;
  /** Greedy correlation filter: a strategy whose net-return correlation with a better kept one exceeds this is dropped; in [-1, 1]; default 0.7. */
  maxCorrelation: number;
  /** Number of ensembles (run x classifier) selected, integer >= 1; default 3. */
  maxSelections: number;
  /** Execute the replay of every selection; default false. */
  autoExecuteReplay: boolean;
  /** Trade only in these regimes (flat elsewhere); null (default): every regime. */
  targetRegimes: string[] | null;
  /** Minimum deflated Sharpe ratio (probability in [0, 1]); applied only to rankings rows that carry deflatedSharpe. Default null. */
  minDeflatedSharpe: number | null;
  /** Use only this classifier's regimes; null (default): every classifier of the run is tried and the best kept. */
  classifier: string | null;
  /** Ensemble optimizer options. */
  optimizer: SelectionOptimizerOptions;
  /** Strategies per run that pass the filters and go on to the regime analysis (best Sharpe first), integer >= 1; default 20. */
  maxCandidates: number;
}

/** Criteria as written in a JSON file or built by an embedder: every field optional. */
export type SelectionCriteriaInput = Partial<Omit<SelectionCriteria, 'optimizer'>> & { optimizer?: Partial<SelectionOptimizerOptions> };

/** The seed's defaults (see SelectionCriteria). */
export function defaultSelectionCriteria(): SelectionCriteria {
  return {
    minSharpe: 1.0, minWinRate: 0.55, maxDrawdown: 0.2, minTrades: 100, requiredRegimes: [], minRegimePerformance: {},
    maxCorrelation: 0.7, maxSelections: 3, autoExecuteReplay: false, targetRegimes: null, minDeflatedSharpe: null, classifier: null,
    optimizer: { objective: 'max-sharpe', minWeight: 0, maxWeight: 0.5, maxStrategies: 5 }, maxCandidates: 20,
  };
}

const CRITERIA_FIELDS = [
  'minSharpe', 'minWinRate', 'maxDrawdown', 'minTrades', 'requiredRegimes', 'minRegimePerformance', 'maxCorrelation', 'maxSelections',
  'autoExecuteReplay', 'targetRegimes', 'minDeflatedSharpe', 'classifier', 'optimizer', 'maxCandidates',
] as const;
const OPTIMIZER_FIELDS = ['objective', 'minWeight', 'maxWeight', 'maxStrategies'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function checkUnknown(record: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) throw new InputError(`${path}.${key} is not a known field (known: ${known.join(', ')})`, { field: `${path}.${key}` });
  }
}

function numberField(value: unknown, path: string, check: (v: number) => boolean, requirement: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError(`${path} must be ${requirement}, got ${describe(value)}`, { field: path });
  if (!check(value)) throw new InputError(`${path} must be ${requirement}, got ${value}`, { field: path });
  return value;
}

function labelList(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw new InputError(`${path} must be an array of regime labels, got ${describe(value)}`, { field: path });
  const seen = new Set<string>();
  value.forEach((label, i) => {
    if (typeof label !== 'string' || label === '') throw new InputError(`${path}[${i}] must be a non-empty string, got ${describe(label)}`, { field: `${path}[${i}]` });
    if (seen.has(label)) throw new InputError(`${path}[${i}]: label '${label}' is listed twice`, { field: `${path}[${i}]` });
    seen.add(label);
  });
  return value as string[];
}

const fraction = (v: number): boolean => v >= 0 && v <= 1;

/**
 * Validates criteria (parsed JSON or an embedder's object) and fills the defaults. InputError names
 * the field (`criteria.optimizer.maxWeight ...`) for: an unknown field, a wrong type, a value out of
 * range, and these impossible combinations:
 * - optimizer.minWeight > optimizer.maxWeight;
 * - optimizer.maxWeight x min(optimizer.maxStrategies, maxCandidates) < 1 (weights summing to 1 cannot fit);
 * - optimizer.minWeight x optimizer.maxStrategies > 1;
 * - targetRegimes not a subset of requiredRegimes, when both are given (a target regime must be required);
 * - targetRegimes given but empty (nothing could ever be traded).
 */
export function validateSelectionCriteria(input: unknown, path = 'criteria'): SelectionCriteria {
  if (!isRecord(input)) throw new InputError(`${path} must be a JSON object, got ${describe(input)}`, { field: path });
  checkUnknown(input, CRITERIA_FIELDS, path);
  const out = defaultSelectionCriteria();
  const nullable = (key: 'minSharpe' | 'minWinRate' | 'maxDrawdown' | 'minDeflatedSharpe', check: (v: number) => boolean, requirement: string): void => {
    if (!(key in input)) return;
    const value = input[key];
    out[key] = value === null ? null : numberField(value, `${path}.${key}`, check, `${requirement} or null`);
  };
  nullable('minSharpe', () => true, 'a number');
  nullable('minWinRate', fraction, 'a fraction in [0, 1]');
  nullable('maxDrawdown', fraction, 'a fraction in [0, 1] (0.2 = 20 %)');
  nullable('minDeflatedSharpe', fraction, 'a probability in [0, 1]');
  if ('minTrades' in input) out.minTrades = numberField(input.minTrades, `${path}.minTrades`, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
  if ('maxCorrelation' in input) out.maxCorrelation = numberField(input.maxCorrelation, `${path}.maxCorrelation`, (v) => v >= -1 && v <= 1, 'a number in [-1, 1]');
  if ('maxSelections' in input) out.maxSelections = numberField(input.maxSelections, `${path}.maxSelections`, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if ('maxCandidates' in input) out.maxCandidates = numberField(input.maxCandidates, `${path}.maxCandidates`, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if ('autoExecuteReplay' in input) {
    if (typeof input.autoExecuteReplay !== 'boolean') throw new InputError(`${path}.autoExecuteReplay must be true or false, got ${describe(input.autoExecuteReplay)}`, { field: `${path}.autoExecuteReplay` });
    out.autoExecuteReplay = input.autoExecuteReplay;
  }
  if ('requiredRegimes' in input && input.requiredRegimes !== null) out.requiredRegimes = labelList(input.requiredRegimes, `${path}.requiredRegimes`);
  if ('targetRegimes' in input && input.targetRegimes !== null) {
    out.targetRegimes = labelList(input.targetRegimes, `${path}.targetRegimes`);
    if (out.targetRegimes.length === 0) throw new InputError(`${path}.targetRegimes is empty: nothing could be traded (use null for every regime)`, { field: `${path}.targetRegimes` });
  }
  if ('minRegimePerformance' in input && input.minRegimePerformance !== null) {
    const value = input.minRegimePerformance;
    if (!isRecord(value)) throw new InputError(`${path}.minRegimePerformance must be an object {label: minimum Sharpe}, got ${describe(value)}`, { field: `${path}.minRegimePerformance` });
    const record: Record<string, number> = {};
    for (const [label, minimum] of Object.entries(value)) {
      if (label === '') throw new InputError(`${path}.minRegimePerformance has an empty regime label`, { field: `${path}.minRegimePerformance` });
      record[label] = numberField(minimum, `${path}.minRegimePerformance.${label}`, () => true, 'a number (minimum Sharpe in that regime)');
    }
    out.minRegimePerformance = record;
  }
  if ('classifier' in input && input.classifier !== null) {
    if (typeof input.classifier !== 'string' || input.classifier === '') throw new InputError(`${path}.classifier must be a classifier id or null, got ${describe(input.classifier)}`, { field: `${path}.classifier` });
    out.classifier = input.classifier;
  }
  if ('optimizer' in input) {
    const optimizer = input.optimizer;
    const base = `${path}.optimizer`;
    if (!isRecord(optimizer)) throw new InputError(`${base} must be an object, got ${describe(optimizer)}`, { field: base });
    checkUnknown(optimizer, OPTIMIZER_FIELDS, base);
    if ('objective' in optimizer) {
      if (optimizer.objective !== 'max-sharpe' && optimizer.objective !== 'min-variance') {
        throw new InputError(`${base}.objective must be 'max-sharpe' or 'min-variance', got ${describe(optimizer.objective)}`, { field: `${base}.objective` });
      }
      out.optimizer.objective = optimizer.objective;
    }
    if ('minWeight' in optimizer) out.optimizer.minWeight = numberField(optimizer.minWeight, `${base}.minWeight`, fraction, 'a fraction in [0, 1]');
    if ('maxWeight' in optimizer) out.optimizer.maxWeight = numberField(optimizer.maxWeight, `${base}.maxWeight`, (v) => v > 0 && v <= 1, 'a fraction in (0, 1]');
    if ('maxStrategies' in optimizer) out.optimizer.maxStrategies = numberField(optimizer.maxStrategies, `${base}.maxStrategies`, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  }
  checkCombinations(out, path);
  return out;
}

function checkCombinations(c: SelectionCriteria, path: string): void {
  const o = c.optimizer;
  if (o.minWeight > o.maxWeight) {
    throw new InputError(`${path}.optimizer.minWeight (${o.minWeight}) is above optimizer.maxWeight (${o.maxWeight})`, { field: `${path}.optimizer.minWeight` });
  }
  const held = Math.min(o.maxStrategies, c.maxCandidates);
  if (o.maxWeight * held < 1 - 1e-12) {
    throw new InputError(
      `${path}.optimizer.maxWeight (${o.maxWeight}) x min(optimizer.maxStrategies ${o.maxStrategies}, maxCandidates ${c.maxCandidates}) = ${o.maxWeight * held} < 1: weights summing to 1 cannot fit`,
      { field: `${path}.optimizer.maxWeight` },
    );
  }
  if (o.minWeight * o.maxStrategies > 1 + 1e-12) {
    throw new InputError(`${path}.optimizer.minWeight (${o.minWeight}) x optimizer.maxStrategies (${o.maxStrategies}) > 1: the minimum weights alone exceed 1`, { field: `${path}.optimizer.minWeight` });
  }
  if (c.targetRegimes && c.requiredRegimes.length > 0) {
    const missing = c.targetRegimes.filter((label) => !c.requiredRegimes.includes(label));
    if (missing.length > 0) {
      throw new InputError(`${path}.targetRegimes must be a subset of requiredRegimes when both are given; not required: ${missing.map((l) => `'${l}'`).join(', ')}`, { field: `${path}.targetRegimes` });
    }
  }
}

/** Parses a criteria JSON text (InputError naming `source` on a syntax error), then validates it. */
export function parseSelectionCriteria(text: string, source = 'criteria'): SelectionCriteria {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source}: not valid JSON (${(error as Error).message})`, { file: source });
  }
  return validateSelectionCriteria(parsed, 'criteria');
}

/** The fields of a strategy the filter reads (a rankings row has them all). */
export type SelectableStrategy = Pick<PerformanceMetrics, 'sharpeRatio' | 'winRate' | 'maxDrawdown' | 'tradeCount'> & { id: string; deflatedSharpe?: number | null };

/**
 * Why a strategy fails the run-level criteria (minSharpe, minWinRate, maxDrawdown, minTrades,
 * minDeflatedSharpe), or null when it passes. A null metric (e.g. Sharpe of a flat strategy, win
 * rate without trades) fails any threshold on it. minDeflatedSharpe applies only when the row has
 * a deflatedSharpe field (rankings without the deflated Sharpe are not filtered on it).
 */
export function strategyRejection(row: SelectableStrategy, criteria: SelectionCriteria): string | null {
  if (criteria.minSharpe !== null && !(row.sharpeRatio !== null && row.sharpeRatio >= criteria.minSharpe)) return `Sharpe ${row.sharpeRatio ?? 'n/a'} < minSharpe ${criteria.minSharpe}`;
  if (criteria.minWinRate !== null && !(row.winRate !== null && row.winRate >= criteria.minWinRate)) return `win rate ${row.winRate ?? 'n/a'} < minWinRate ${criteria.minWinRate}`;
  if (criteria.maxDrawdown !== null && !(row.maxDrawdown !== null && row.maxDrawdown <= criteria.maxDrawdown)) return `max drawdown ${row.maxDrawdown ?? 'n/a'} > maxDrawdown ${criteria.maxDrawdown}`;
  if (row.tradeCount < criteria.minTrades) return `${row.tradeCount} trades < minTrades ${criteria.minTrades}`;
  if (criteria.minDeflatedSharpe !== null && row.deflatedSharpe !== undefined && !(row.deflatedSharpe !== null && row.deflatedSharpe >= criteria.minDeflatedSharpe)) {
    return `deflated Sharpe ${row.deflatedSharpe ?? 'n/a'} < minDeflatedSharpe ${criteria.minDeflatedSharpe}`;
  }
  return null;
}

/**
 * Why a strategy fails the regime criteria under one classifier, or null. `regimeSharpe[label]` is
 * its net Sharpe restricted to the bars of that regime (null when undefined: too few bars, flat).
 * Required regimes need Sharpe > 0 unless minRegimePerformance gives the minimum; a missing label
 * or a null Sharpe fails.
 */
export function regimeRejection(regimeSharpe: Record<string, number | null>, criteria: SelectionCriteria): string | null {
  const labels = new Set([...criteria.requiredRegimes, ...Object.keys(criteria.minRegimePerformance)]);
  for (const label of labels) {
    const sharpe = regimeSharpe[label];
    const minimum = criteria.minRegimePerformance[label];
    if (sharpe === undefined || sharpe === null) return `no Sharpe in regime '${label}'`;
    if (minimum !== undefined ? sharpe < minimum : sharpe <= 0) return `Sharpe ${sharpe.toFixed(3)} in regime '${label}' ${minimum !== undefined ? `< ${minimum}` : '<= 0'}`;
  }
  return null;
}
