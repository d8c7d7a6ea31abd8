/** Market bars of one symbol, one row per bar; `tsMs` strictly increasing. */
export interface Bars {
  /** Bar timestamps, epoch milliseconds (UTC). */
  tsMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Sparse signal trace: one row per position change. Position before the first row is 0. */
export interface SignalTrace {
  /** Bar index of each change, strictly increasing, in [0, barCount). */
  idx: Int32Array;
  /** New position from that bar on (-1, 0, 1, or a fractional weight for ensembles). */
  signal: Float64Array;
}

/** Sparse regime trace: one row per state change; `state` indexes `labels`. */
export interface RegimeTrace {
  idx: Int32Array;
  /** Dictionary code of the new state, an index into `labels`. */
  state: Int32Array;
  labels: string[];
}

/** Slippage model: a fixed rate per unit traded, or the square-root impact law. */
export type SlippageModel = 'linear' | 'sqrt';

/** Execution cost model (the seed's ExecutionCosts). All rates are fractions of traded notional. */
export interface ExecutionCosts {
  /** Commission per unit of traded notional; default 0.001 (10 bps). */
  commissionRate: number;
  /** 'linear' (default) or 'sqrt'. */
  slippageModel: SlippageModel;
  /** Linear slippage per unit of traded notional; default 0.0005 (5 bps). */
  slippageRate: number;
  /** Coefficient k of the sqrt law `k * sigma * sqrt(participation)`; default 1. */
  impactCoefficient: number;
  /** Capital (currency units) whose trades the sqrt law prices; default 100,000. */
  capital: number;
  /** Window (bars) of the rolling volatility sigma for the sqrt law; default 20. */
  volatilityWindowBars: number;
}

/**
 * Performance of one return series: the seed's PerformanceMetrics plus trade count, exposure and
 * average trade duration. `null` where a metric is undefined (documented per field in
 * src/analytics/metrics.ts).
 */
export interface PerformanceMetrics {
  /** Bars in the return series (n). */
  bars: number;
  totalReturn: number | null;
  annualizedReturn: number | null;
  volatility: number | null;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  /** Largest peak-to-trough fall of compounded equity, positive fraction. */
  maxDrawdown: number | null;
  calmarRatio: number | null;
  winRate: number | null;
  profitFactor: number | null;
  avgWin: number | null;
  avgLoss: number | null;
  largestWin: number | null;
  largestLoss: number | null;
  grossReturn: number | null;
  netReturn: number | null;
  totalCosts: number | null;
  costPerTrade: number | null;
  grossSharpe: number | null;
  netSharpe: number | null;
  tradeCount: number;
  /** Share of bars held in a non-zero position. */
  exposure: number | null;
  /** Mean trade length, bars. */
  avgTradeDurationBars: number | null;
}
