// Deflated Sharpe ratios of every strategy of a sweep, ranked: the overfitting-aware selection.
import { InputError } from '../../errors.ts';
import { correlationMatrix } from '../correlation.ts';
import { type ReturnMatrix, validateReturnMatrix } from '../returnMatrix.ts';
import { averageCorrelation, averageCorrelationTrials, clusterStrategies, DEFAULT_CLUSTER_DISTANCE } from './effectiveTrials.ts';
import { expectedMaximumSharpe, probabilisticSharpeRatio, psrStatistic } from './psr.ts';
import { normalCdf } from './normal.ts';
import { returnShapes, sampleVariance, type ReturnShape } from './returnShape.ts';

/**
 * How the number of trials N of the DSR is chosen:
 * - 'all': every strategy of the matrix is a trial (N = nStrategies; conservative when they are correlated);
 * - 'average-correlation': N_eff = ρ̄ + (1 − ρ̄)·N from the average pairwise correlation;
 * - 'clusters': N_eff = number of average-linkage clusters on the correlation distance;
 * - a number: N given by the caller (e.g. every configuration ever tried, including discarded ones).
 */
export type TrialCountMethod = 'all' | 'average-correlation' | 'clusters' | number;

/** Options of deflatedSharpeRanking. */
export interface DsrRankingOptions {
  /** How N is chosen; default 'all'. The two correlation-based methods cost O(N²·T). */
  trials?: TrialCountMethod;
  /** Cut of the 'clusters' method, correlation distance √(½(1 − ρ)); default 0.5. */
  clusterDistance?: number;
  /** V[SR_n] override (per bar²); default: sample variance (ddof = 1) of the strategies' per-bar Sharpe ratios. */
  sharpeVariance?: number;
}

/** One strategy's row of the ranking. */
export interface StrategyDsr extends ReturnShape {
  /** Column of the strategy in the matrix. */
  strategy: number;
  /** Its name (matrix.names[strategy]). */
  name: string;
  /** PSR against SR* = 0. */
  psr: number;
  /** DSR = PSR(SR0); NaN when the Sharpe ratio is undefined (n < 2 or zero variance). */
  dsr: number;
  /** z of the DSR, (SR − SR0)·√(n − 1)/√D: DSR = Φ(z); the ranking key (it does not saturate at 1). */
  dsrStatistic: number;
}

/** Result of deflatedSharpeRanking. */
export interface DsrRanking {
  /** N used for SR0 (possibly fractional). */
  trials: number;
  /** How it was chosen. */
  trialMethod: 'all' | 'average-correlation' | 'clusters' | 'given';
  /** V[SR_n] used, per bar². */
  sharpeVariance: number;
  /** SR0, the expected maximum per-bar Sharpe ratio of `trials` unskilled trials. */
  expectedMaximumSharpe: number;
  /** Rows in column order. */
  strategies: StrategyDsr[];
  /** Columns sorted by DSR (by its z-statistic), best first; NaN last; ties by column. */
  order: Int32Array;
}

/**
 * PSR(0) and DSR of every strategy, with one SR0 shared by all: SR0 = expectedMaximumSharpe(N, V)
 * where V is the variance of the strategies' per-bar Sharpe ratios and N is chosen by
 * `options.trials`; DSR_j = PSR_j(SR0) with strategy j's own n, γ3, γ4 (Bailey & López de Prado 2014).
 */
export function deflatedSharpeRanking(matrix: ReturnMatrix, options: DsrRankingOptions = {}): DsrRanking {
  validateReturnMatrix(matrix);
  const nStrategies = matrix.names.length;
  if (nStrategies < 1) throw new InputError('deflatedSharpeRanking needs at least one strategy');
  if (matrix.bars < 2) throw new InputError(`deflatedSharpeRanking needs at least 2 bars, got ${matrix.bars}`);
  const shapes = returnShapes(matrix);
  const method = options.trials ?? 'all';
  let trials: number;
  let trialMethod: DsrRanking['trialMethod'];
  if (typeof method === 'number') {
    if (!(method >= 1)) throw new InputError(`options.trials must be >= 1, got ${method}`);
    trials = method;
    trialMethod = 'given';
  } else if (method === 'all') {
    trials = nStrategies;
    trialMethod = 'all';
  } else if (method === 'average-correlation' || method === 'clusters') {
    const correlation = correlationMatrix(matrix).values;
    trials = method === 'clusters'
      ? clusterStrategies(correlation, nStrategies, options.clusterDistance ?? DEFAULT_CLUSTER_DISTANCE).clusterCount
      : averageCorrelationTrials(nStrategies < 2 ? 0 : averageCorrelation(correlation, nStrategies), nStrategies);
    trialMethod = method;
  } else {
    throw new InputError(`options.trials must be 'all', 'average-correlation', 'clusters' or a number >= 1, got '${String(method)}'`);
  }
  const sharpeVariance = options.sharpeVariance ?? (nStrategies < 2 ? 0 : sampleVariance(shapes.map((s) => s.sharpe)));
  if (!(sharpeVariance >= 0)) throw new InputError(`the Sharpe-ratio variance is ${sharpeVariance}; need at least two strategies with a defined Sharpe ratio or options.sharpeVariance`);
  const sr0 = expectedMaximumSharpe({ trials, sharpeVariance });
  const strategies = shapes.map((shape, strategy): StrategyDsr => {
    const name = matrix.names[strategy]!;
    if (!Number.isFinite(shape.sharpe)) return { ...shape, strategy, name, psr: NaN, dsr: NaN, dsrStatistic: NaN };
    const inputs = { sharpe: shape.sharpe, observations: shape.observations, skewness: shape.skewness, kurtosis: shape.kurtosis };
    const dsrStatistic = psrStatistic({ ...inputs, benchmarkSharpe: sr0 });
    return { ...shape, strategy, name, psr: probabilisticSharpeRatio(inputs), dsr: normalCdf(dsrStatistic), dsrStatistic };
  });
  const order = Int32Array.from(strategies.map((s) => s.strategy)).sort((a, b) => {
    const da = strategies[a]!.dsrStatistic;
    const db = strategies[b]!.dsrStatistic;
    if (Number.isNaN(da) || Number.isNaN(db)) return Number.isNaN(da) ? (Number.isNaN(db) ? a - b : 1) : -1;
    return db - da || a - b;
  });
  return { trials, trialMethod, sharpeVariance, expectedMaximumSharpe: sr0, strategies, order };
}
