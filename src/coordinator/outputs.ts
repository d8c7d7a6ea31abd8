// JSON shapes of the regime, correlation and ensemble output files of a run (read by the HTML
// dashboard and by embedders). Every number that can be undefined is `null`, never NaN.
//
//   classifiers/{id}/transitions.json      ClassifierTransitionsFile
//   summary/regime_summary.json            RegimeSummaryFile
//   analytics/regime_performance.json      RegimePerformanceFile   (+ regime_performance.parquet, long format)
//   analytics/correlation_matrix.json      CorrelationMatrixFile   (+ correlation_matrix.parquet)
//   analytics/optimal_weights.json         OptimalWeightsFile
import type { ClassifierStats } from '../analytics/regimeStats.ts';
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';

export { UNCLASSIFIED_REGIME } from '../analytics/regimeStats.ts';
export type { ClassifierStats, RegimeOccupancy, TransitionMatrix } from '../analytics/regimeStats.ts';

/** Version of the layout of these files; bump when a field changes meaning. */
export const REGIME_OUTPUTS_VERSION = 'sweeplens-regimes-1';

/** classifiers/{id}/transitions.json */
export interface ClassifierTransitionsFile extends ClassifierStats {
  version: typeof REGIME_OUTPUTS_VERSION;
  runId: string;
  generatedAt: string;
}

/**
 * How well a classifier separates strategy performance (src/analytics/regimeMetrics.ts
 * `classifierSeparation`). For each strategy, over the classifier's regimes with at least
 * `minRegimeBars` bars (UNCLASSIFIED_REGIME excluded), with time weights w_s = bars_s / sum bars:
 *
 *   sharpeDispersion = sqrt( sum_s w_s (S_s - S_bar)^2 ),  S_bar = sum_s w_s S_s
 *
 * where S_s is the strategy's annualized net Sharpe ratio in regime s (regimes with an undefined
 * Sharpe are skipped); `score` is the mean of sharpeDispersion over the strategies with at least
 * two such regimes. `anovaF` is the mean over the same strategies of the one-way ANOVA F statistic
 * of net bar returns grouped by regime (between-regime variance of the means over within-regime
 * variance; about 1 when regimes do not matter), a noise-aware companion of the score.
 */
export interface ClassifierSeparation {
  /** 1 = best separating. */
  rank: number;
  classifier: string;
  /** Mean time-weighted dispersion of per-regime annualized Sharpe; null when no strategy qualifies. */
  score: number | null;
  /** Mean one-way ANOVA F of net returns by regime; null when no strategy qualifies. */
  anovaF: number | null;
  /** Strategies that entered the score. */
  strategies: number;
  /** Regimes with at least minRegimeBars bars. */
  regimes: string[];
}

/** Consensus regimes written to classifiers/combined/consensus_regimes.parquet. */
export interface ConsensusInfo {
  /** 'majority' vote per bar or 'joint' labels ("a|b|..."). */
  mode: 'majority' | 'joint';
  /** Classifiers combined, in order (the order is the tie rule's priority). */
  classifiers: string[];
  /** Run-relative path of the Parquet trace. */
  file: string;
  labels: string[];
  stateChanges: number;
  /** The documented tie rule (majority mode). */
  tieRule: string;
}

/** summary/regime_summary.json */
export interface RegimeSummaryFile {
  version: typeof REGIME_OUTPUTS_VERSION;
  runId: string;
  runDir: string;
  generatedAt: string;
  /** 'regime of R_t is state_{t-1}; forward fill' (ARCHITECTURE.md). */
  timing: string;
  /** Per classifier, in run order. */
  classifiers: ClassifierStats[];
  /** Classifiers best separating first (see ClassifierSeparation). */
  separation: ClassifierSeparation[];
  /** Id of separation[0] when it has a score, else null. */
  bestClassifier: string | null;
  /** Strategies the separation was computed over (ids, ranking order). */
  separationStrategies: number;
  /** Smallest regime (bars) that enters the separation score. */
  minRegimeBars: number;
  consensus: ConsensusInfo | null;
  elapsedMs: number;
}

/**
 * Metrics of one strategy restricted to the bars of one regime (bars t with state_{t-1} = regime),
 * the Foundation PerformanceMetrics with these definitions on a non-contiguous set of bars:
 * - return and risk (totalReturn, grossReturn, annualizedReturn, volatility, Sharpe, Sortino) use
 *   only the regime's bar returns: total = prod over the regime's bars of (1 + R) - 1, annualized
 *   with n = the regime's bar count;
 * - maxDrawdown is that of the equity compounded over the regime's bars only, concatenated in time
 *   order (starting at 1);
 * - totalCosts are the costs charged on the regime's bars; exposure = regime bars held in a
 *   non-zero position / regime bars;
 * - trades (tradeCount, winRate, profitFactor, avg/largest win/loss, avgTradeDurationBars) are the
 *   trades ENTERED in the regime: a trade opened at bar e belongs to regime state_e (the regime of
 *   its first return bar e + 1), with its whole net return, even if it lasts into other regimes;
 *   costPerTrade = totalCosts of the regime's bars / trades entered in it.
 * Bars, summed returns, costs, exposure bars and trade counts add up over the regimes of a
 * classifier (UNCLASSIFIED_REGIME included) to the strategy's whole-run values.
 */
export type RegimeMetrics = PerformanceMetrics;

/** Bars of one regime of a classifier (counted on return bars: state_{t-1}). */
export interface RegimeBars {
  bars: number;
  /** bars / all bars, fraction. */
  share: number;
}

/** analytics/regime_performance.json */
export interface RegimePerformanceFile {
  version: typeof REGIME_OUTPUTS_VERSION;
  runId: string;
  generatedAt: string;
  costs: ExecutionCosts;
  riskFreeRate: number;
  /** P used to annualize (per symbol). */
  periodsPerYear: Record<string, number>;
  /** Field definitions on a non-contiguous set of bars (see RegimeMetrics). */
  definitions: Record<string, string>;
  /** Classifier -> labels and return-bar counts per regime. */
  classifiers: Record<string, { labels: string[]; regimes: Record<string, RegimeBars> }>;
  /** Strategy ids included below (the top N of the rankings, ranking order). */
  strategyIds: string[];
  /** Strategies computed (all of them are in the Parquet table). */
  totalStrategies: number;
  /** strategy -> classifier -> regime label -> metrics. */
  strategies: Record<string, Record<string, Record<string, RegimeMetrics>>>;
  /** Run-relative path of the long-format table: strategy, classifier, regime, bars, metric columns. */
  table: string;
  /** Strategies computed by the dense fallback (fractional positions, -100 % bars), with the reason. */
  denseFallbacks: { id: string; reason: string }[];
  failures: { id: string; error: string }[];
}

/** One pair the greedy correlation filter removed. */
export interface CorrelationRemoval {
  id: string;
  /** The kept strategy it was too correlated with (the first one found, ranking order). */
  correlatedWith: string;
  correlation: number;
}

/** analytics/correlation_matrix.json */
export interface CorrelationMatrixFile {
  version: typeof REGIME_OUTPUTS_VERSION;
  runId: string;
  generatedAt: string;
  /** Which returns were correlated: net of costs (default) or gross. */
  returns: 'net' | 'gross';
  /**
   * 'change-proportional': from change lists and prefix sums (exact: unit positions, and for net
   * returns a zero cost model, where net = gross); 'dense': Pearson of the dense per-bar series.
   */
  method: 'change-proportional' | 'dense';
  /** Metric the strategies were ranked by, and how many of the top were taken. */
  rankBy: string;
  top: number;
  /** Strategy ids in ranking order (rows and columns of `matrix`). */
  ids: string[];
  /** matrix[i][j] = corr(ids[i], ids[j]); null where undefined (a constant strategy). */
  matrix: (number | null)[][];
  filter: {
    maxCorrelation: number;
    /** Ids kept by the greedy filter, ranking order. */
    kept: string[];
    removed: CorrelationRemoval[];
  };
  /** Run-relative path of the Parquet table (column 'id' + one float64 column per id). */
  table: string;
}

/** In-sample result of one ensemble (weights fixed over the bars it is evaluated on). */
export interface EnsembleEntry {
  /** Bars the weights were fitted on. */
  bars: number;
  /** Strategy id -> weight (sum 1). */
  weights: Record<string, number>;
  /** Optimizer's annualized estimates: mu'w, sqrt(w' Sigma w), (mu'w - rf) / vol. */
  expected: { annualizedReturn: number; volatility: number; sharpeRatio: number | null };
  converged: boolean;
  iterations: number;
  /**
   * seriesMetrics of the ensemble's net return series sum_i w_i R_i,t over the fitted bars (the
   * members' dense net returns, costs included; no extra rebalancing cost): per-bar win/loss fields,
   * tradeCount 0.
   */
  inSample: PerformanceMetrics;
}

/** A regime's ensemble, or why it was skipped. */
export type RegimeEnsembleOutput = EnsembleEntry | { bars: number; skippedReason: string };

/** analytics/optimal_weights.json */
export interface OptimalWeightsFile {
  version: typeof REGIME_OUTPUTS_VERSION;
  runId: string;
  generatedAt: string;
  /** Classifier whose regimes the per-regime ensembles use; null when the run has none. */
  classifier: string | null;
  /** 'given' (options.classifier) or 'best-separating' (summary/regime_summary.json). */
  classifierSource: 'given' | 'best-separating' | 'none';
  objective: 'max-sharpe' | 'min-variance';
  constraints: { minWeight: number; maxWeight: number; maxStrategies: number | null };
  riskFreeRate: number;
  periodsPerYear: number;
  /** How mu and Sigma are estimated. */
  estimators: string;
  selection: {
    rankBy: string;
    /** Candidates taken from the top of the rankings. */
    top: number;
    maxCorrelation: number;
    /** Ids the correlation filter kept (the optimizer's universe), ranking order. */
    strategies: string[];
  };
  global: EnsembleEntry;
  /** Regime label -> ensemble fitted on that regime's bars (state_{t-1}). */
  regimes: Record<string, RegimeEnsembleOutput>;
  /**
   * The regime-switching ensemble: bar t uses the weights of regime state_{t-1} (the global
   * weights where that regime was skipped or there is no state); in-sample metrics over all bars.
   */
  switching: { inSample: PerformanceMetrics } | null;
}
