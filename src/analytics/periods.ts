// Bars per year from bar timestamps (the annualization factor P when the user gives none).
import { PERIODS_PER_YEAR_DAILY } from '../constants.ts';

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
/** Trading hours per day assumed for intraday bars (US equities session). */
export const TRADING_HOURS_PER_DAY = 6.5;
/** Median spacings in [DAILY_MIN_MS, DAILY_MAX_MS] count as daily bars (weekends and holidays included). */
const DAILY_MIN_MS = 20 * MS_PER_HOUR;
const DAILY_MAX_MS = 4 * MS_PER_DAY;
const DAYS_PER_YEAR = 365.25;

/** The rule inferPeriodsPerYear applies, as printed by --help. */
export const PERIODS_PER_YEAR_RULE = 'inferred from the median timestamp spacing: 20 h to 4 days -> 252 (daily); '
  + 'shorter (intraday) -> 252 x 6.5 h / spacing; longer -> 365.25 days / spacing (weekly ~52, monthly ~12), rounded; '
  + '252 when there is no timestamp column';

/** How the periods per year were chosen, for the table header. */
export interface PeriodsPerYearChoice {
  periodsPerYear: number;
  /** Human-readable reason ("given", "inferred: median spacing 1.00 day", ...). */
  source: string;
}

/**
 * Bars per year from timestamps (epoch ms, strictly increasing), by the median spacing d:
 *
 *   20 h <= d <= 4 days  -> 252                           (daily bars; weekends/holidays make gaps)
 *   d < 20 h             -> 252 * 6.5 h / d               (intraday: 252 sessions of 6.5 h)
 *   d > 4 days           -> round(365.25 days / d)        (weekly -> 52, monthly -> 12), at least 1
 *
 * Fewer than 2 timestamps -> 252.
 */
export function inferPeriodsPerYear(tsMs: Float64Array): PeriodsPerYearChoice {
  if (tsMs.length < 2) return { periodsPerYear: PERIODS_PER_YEAR_DAILY, source: 'default (fewer than 2 timestamps)' };
  const gaps = new Float64Array(tsMs.length - 1);
  for (let i = 1; i < tsMs.length; i++) gaps[i - 1] = tsMs[i]! - tsMs[i - 1]!;
  const mid = gaps.length >> 1;
  const upper = selectKth(gaps, mid);
  // even count: the lower middle is the largest value left of `mid` after the selection
  let lower = -Infinity;
  if (gaps.length % 2 === 0) for (let i = 0; i < mid; i++) if (gaps[i]! > lower) lower = gaps[i]!;
  const median = gaps.length % 2 === 1 ? upper : (lower + upper) / 2;
  const spacing = describeSpacing(median);
  if (median >= DAILY_MIN_MS && median <= DAILY_MAX_MS) {
    return { periodsPerYear: PERIODS_PER_YEAR_DAILY, source: `inferred: daily bars, median spacing ${spacing}` };
  }
  if (median < DAILY_MIN_MS) {
    const periodsPerYear = (PERIODS_PER_YEAR_DAILY * TRADING_HOURS_PER_DAY * MS_PER_HOUR) / median;
    return { periodsPerYear, source: `inferred: intraday bars, median spacing ${spacing}, 252 x 6.5 h a year` };
  }
  const periodsPerYear = Math.max(1, Math.round((DAYS_PER_YEAR * MS_PER_DAY) / median));
  return { periodsPerYear, source: `inferred: median spacing ${spacing}, 365.25 days per year` };
}

/**
 * The k-th smallest value of `values` (0-based), in O(n) expected time (Hoare's quickselect,
 * median-of-three pivot); reorders `values` so that values[0..k) <= values[k] <= values(k..n).
 * Equal values split evenly between the two sides, so a column of identical spacings stays linear.
 */
export function selectKth(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const m = (lo + hi) >>> 1;
    const a = values[lo]!, b = values[m]!, c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

function describeSpacing(ms: number): string {
  if (ms >= MS_PER_DAY) return `${(ms / MS_PER_DAY).toFixed(2)} days`;
  if (ms >= MS_PER_HOUR) return `${(ms / MS_PER_HOUR).toFixed(2)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(2)} min`;
  return `${(ms / 1000).toFixed(3)} s`;
}

