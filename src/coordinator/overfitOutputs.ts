// The shapes of analytics/overfitting.json (overfitRun) and analytics/walkforward.json
// (walkForward): what the dashboard and the workflow read. JSON has no NaN/Infinity, so every value
// that can be undefined is `number | null`. Per-bar statistics are named as such; annualized ones
// say "annualized" (×√P for Sharpe ratios, P = periodsPerYear).
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';

/** Run-relative path of the overfitting report. */
export const OVERFITTING_FILE = 'analytics/overfitting.json';
/** Run-relative path of the walk-forward report. */
export const WALKFORWARD_FILE = 'analytics/walkforward.json';
/** Version tag of analytics/overfitting.json. */
export const OVERFITTING_FORMAT = 'sweeplens-overfitting-1';
/** Version tag of analytics/walkforward.json. */
export const WALKFORWARD_FORMAT = 'sweeplens-walkforward-1';

/** How the DSR's number of trials N is chosen (`--trials`). */
export type OverfitTrialMethod = 'all' | 'clusters' | 'average-correlation';

/** One candidate strategy's Sharpe-ratio inference (PSR/DSR), in per-bar units unless named otherwise. */
export interface OverfitStrategyRow {
  /** 1 = highest DSR z-statistic among the candidates (the DSR itself saturates at 1). */
  dsrRank: number;
  /** Rank of the strategy in summary/strategy_rankings.json when the candidates were chosen. */
  sourceRank: number;
  id: string;
  family: string;
  /** Bars n of the net return series. */
  observations: number;
  /** Mean per-bar net return (in excess of the per-bar risk-free rate). */
  mean: number | null;
  /** std (ddof = 1) of the per-bar net returns. */
  std: number | null;
  /** Per-bar Sharpe ratio mean / std; null for a constant series. */
  sharpe: number | null;
  /** sharpe × √P. */
  annualizedSharpe: number | null;
  /** Skewness γ3 (population moments). */
  skewness: number | null;
  /** RAW kurtosis γ4 (3 for normal returns). */
  kurtosis: number | null;
  /** PSR(0): probability that the true Sharpe ratio is > 0, ignoring the selection. */
  probabilisticSharpe: number | null;
  /** DSR = PSR(SR0): the same probability after deflating for the number of trials. */
  deflatedSharpe: number | null;
  /** z of the DSR, (SR − SR0)·√(n − 1)/√(1 − γ3·SR + (γ4 − 1)/4·SR²); DSR = Φ(z). */
  dsrStatistic: number | null;
  /** CSCV splits of the run-level PBO whose in-sample best was this strategy. */
  pboSelections: number;
}

/** The DSR's deflation: SR0 from N (or N_eff) and the variance of the trials' Sharpe ratios. */
export interface OverfitDsrSummary {
  trialMethod: OverfitTrialMethod;
  /** N actually used for SR0 (N_eff for 'clusters'/'average-correlation'; may be fractional). */
  trials: number;
  /** N: every analyzed strategy of the run on this symbol (the candidates and the rest). */
  totalTrials: number;
  /** Clusters found among the candidates ('clusters' only, else null). */
  candidateClusters: number | null;
  /** Average pairwise correlation of the candidates ('average-correlation' only, else null). */
  averageCorrelation: number | null;
  /** V[SR_n], the sample variance (ddof = 1) of the per-bar Sharpe ratios of all N strategies, per bar². */
  sharpeVariance: number;
  /**
   * Where V came from: 'candidates' (every strategy was loaded: the candidates' own per-bar Sharpe
   * ratios) or 'rankings' (K < N: the rankings' annualized Sharpe ratios of all N strategies / √P).
   */
  sharpeVarianceSource: 'candidates' | 'rankings';
  /** SR0, the expected maximum per-bar Sharpe ratio of `trials` unskilled strategies. */
  expectedMaximumSharpe: number;
  /** SR0 × √P. */
  expectedMaximumSharpeAnnualized: number;
  /** Candidates whose DSR is ≥ 0.95. */
  significantAt95: number;
}

/** One PBO (CSCV) result as stored. */
export interface PboReport {
  /** Share of splits whose in-sample best ranks at or below the out-of-sample median (logit ≤ 0). */
  pbo: number;
  /** S. */
  blocks: number;
  /** C(S, S/2). */
  splits: number;
  /** Strategies competing (N of this PBO). */
  nStrategies: number;
  nBars: number;
  /** Ranked performance: per-bar Sharpe ratio. */
  metric: 'sharpe' | 'mean';
  /** Logits λ = ln(ω̄ / (1 − ω̄)) of the selected strategies' OOS relative ranks, binned. */
  logitHistogram: { edges: number[]; counts: number[] };
  /** Median logit (> 0: the in-sample best tends to beat the OOS median). */
  medianLogit: number;
  /** OLS of OOS on IS performance of the selected strategies: slope < 1 (often < 0) is degradation. */
  degradation: { slope: number | null; intercept: number | null; pairs: number };
  /** Share of splits whose selected strategy loses out of sample (OOS performance < 0). */
  probabilityOfLoss: number;
  /** The strategies selected most often in-sample, with their split counts (at most 10). */
  mostSelected: { id: string; splits: number }[];
}

/** PBO within one strategy family (the selection among that family's candidates). */
export interface FamilyPboReport {
  family: string;
  /** Candidates of the family. */
  strategies: number;
  /** null when the family has fewer than 2 candidates. */
  result: PboReport | null;
  /** Why result is null. */
  skippedReason: string | null;
}

/** The content of analytics/overfitting.json. */
export interface OverfittingReport {
  format: typeof OVERFITTING_FORMAT;
  runId: string;
  runDir: string;
  computedAt: string;
  /** Symbol whose strategies were analyzed (the matrix needs common bars). */
  symbol: string;
  /** Bars T of the net return matrix. */
  bars: number;
  /** P used to annualize. */
  periodsPerYear: number;
  /** Cost model of the net returns (the analysis's). */
  costs: ExecutionCosts;
  /** Annual risk-free rate; the per-bar rate is subtracted from the net returns. */
  riskFreeRate: number;
  candidates: {
    /** Candidates loaded (K). */
    count: number;
    /** K asked for (default: every strategy, capped). */
    requested: number | null;
    /** The cap applied to the default. */
    cap: number;
    /** The rankings' order the top K were taken from. */
    selectedBy: string;
    /** Strategies of the run analyzed on this symbol (N). */
    totalStrategies: number;
    /** Candidates dropped (e.g. a trace that could not be read), with the reason. */
    failures: { id: string; error: string }[];
  };
  dsr: OverfitDsrSummary;
  /** Candidates, best DSR first. */
  strategies: OverfitStrategyRow[];
  pbo: {
    /** PBO of the selection among all candidates; null with fewer than 2 candidates. */
    run: PboReport | null;
    /** PBO within each family, in order of first appearance in the rankings. */
    families: FamilyPboReport[];
    /** Worker tasks the splits were sharded into (0: computed on the calling thread). */
    tasks: number;
  };
  /** Wall times, ms. */
  timings: { loadMs: number; dsrMs: number; pboMs: number; totalMs: number };
  warnings: string[];
}

/** Performance of one replayed ensemble segment (seriesMetrics of the portfolio's net returns). */
export type WalkForwardMetrics = PerformanceMetrics;

/** Weights fitted on one fold's in-sample bars. */
export interface WalkForwardWeights {
  /** Non-zero weights by strategy id, summing to 1. */
  global: Record<string, number>;
  /** Per regime label (classifier given): weights, or null with the reason the regime was not optimized (its bars then use the global weights). */
  regimes: Record<string, { bars: number; weights: Record<string, number> | null; skippedReason: string | null }> | null;
}

/** One fold: fit on [inSample.start, inSample.end), replay on [outOfSample.start, outOfSample.end). */
export interface WalkForwardFold {
  fold: number;
  /** Bar range of the fit, end exclusive. */
  inSample: { start: number; end: number };
  /** Bar range of the replay, end exclusive (the next segment). */
  outOfSample: { start: number; end: number };
  /** Strategies this fold fitted over (chosen in-sample, or the full-sample candidates). */
  candidates: string[];
  weights: WalkForwardWeights;
  /** Objective used: the requested one, or 'min-variance' when max-sharpe had no positive excess return in-sample (a warning says so). */
  objective: 'max-sharpe' | 'min-variance';
  /** The fitted weights replayed on the in-sample bars. */
  inSampleMetrics: WalkForwardMetrics;
  /** The fitted weights replayed on the out-of-sample bars. */
  outOfSampleMetrics: WalkForwardMetrics;
}

/** The content of analytics/walkforward.json. */
export interface WalkForwardReport {
  format: typeof WALKFORWARD_FORMAT;
  runId: string;
  runDir: string;
  computedAt: string;
  symbol: string;
  bars: number;
  periodsPerYear: number;
  costs: ExecutionCosts;
  mode: 'rolling' | 'anchored';
  windows: number;
  /** Segment boundaries, length windows + 2: segment k is [segments[k], segments[k+1]). */
  segments: number[];
  classifier: string | null;
  objective: 'max-sharpe' | 'min-variance';
  minWeight: number;
  maxWeight: number;
  maxStrategies: number | null;
  /** Strategies loaded: the selection universe (in-sample) or the full-sample candidates; the columns the weights are over. */
  candidates: string[];
  /** How each fold chose its candidates ('in-sample' by default; 'full-sample' has look-ahead in the choice). */
  selection: 'in-sample' | 'full-sample';
  folds: WalkForwardFold[];
  aggregate: {
    /** Metrics of the in-sample replays concatenated (anchored windows overlap, so bars repeat). */
    inSample: WalkForwardMetrics;
    /** Metrics of the out-of-sample replays concatenated: one continuous out-of-sample track record. */
    outOfSample: WalkForwardMetrics;
    /** Mean of the folds' in-sample annualized Sharpe ratios (folds with a defined ratio). */
    meanInSampleSharpe: number | null;
    /** Mean of the folds' out-of-sample annualized Sharpe ratios. */
    meanOutOfSampleSharpe: number | null;
    /** meanOutOfSampleSharpe / meanInSampleSharpe (walk-forward efficiency); null when undefined. */
    sharpeEfficiency: number | null;
    /** Folds whose out-of-sample total return is > 0. */
    positiveOutOfSampleFolds: number;
  };
  warnings: string[];
}
