/** Trading days per year, the annualization factor P for daily bars. */
export const PERIODS_PER_YEAR_DAILY = 252;
/** Default commission, as a fraction of traded notional (10 bps). */
export const DEFAULT_COMMISSION_RATE = 0.001;
/** Default linear slippage, as a fraction of traded notional (5 bps). */
export const DEFAULT_SLIPPAGE_RATE = 0.0005;
/** Default coefficient of the square-root impact law. */
export const DEFAULT_IMPACT_COEFFICIENT = 1;
/** Default capital (currency units) whose trades the sqrt impact law prices. */
export const DEFAULT_CAPITAL = 100_000;
/** Default window, in bars, of the rolling volatility used by the sqrt impact law. */
export const DEFAULT_VOLATILITY_WINDOW_BARS = 20;
/** Absolute tolerance used when comparing metric values in parity checks. */
export const PARITY_TOLERANCE = 1e-9;
/** Version of the metric conventions; part of every cache key. */
export const CONVENTIONS_VERSION = 'sweeplens-metrics-1';
