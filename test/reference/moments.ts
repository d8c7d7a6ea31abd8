// Reference (plain TS) of assembly/moments.ts (scalar, two-pass); same signatures as src/kernels/moments.ts.

/** NaN-skipping moments of excess returns x = R - riskFreePerBar. */
export interface Moments {
  /** Finite observations m. */
  count: number;
  /** mean(x); NaN when m = 0. */
  mean: number;
  /** std(x, ddof = 1); NaN when m < 2. */
  std: number;
  /** sqrt(mean(min(x, 0)^2)); NaN when m = 0. */
  downsideDeviation: number;
  /** count of x > 0. */
  positiveCount: number;
  /** count of x < 0. */
  negativeCount: number;
  /** prod(1 + R) - 1 of the raw returns, NaN as 0. */
  totalReturn: number;
  /** sum((x - mean)^2). */
  sumSquaredDeviations: number;
}

/** Moments of x = R - riskFreePerBar over the finite R (numpy nanmean / nanstd(ddof=1) style). */
export function moments(returns: Float64Array, riskFreePerBar = 0): Moments {
  let count = 0;
  let sum = 0;
  let positiveCount = 0;
  let negativeCount = 0;
  let downsideSquares = 0;
  let growth = 1;
  for (const r of returns) {
    if (Number.isNaN(r)) continue;
    const x = r - riskFreePerBar;
    count++;
    sum += x;
    if (x > 0) positiveCount++;
    if (x < 0) { negativeCount++; downsideSquares += x * x; }
    growth *= 1 + r;
  }
  const mean = count > 0 ? sum / count : NaN;
  let sumSquaredDeviations = 0;
  let allEqual = true;
  let first = NaN;
  for (const r of returns) {
    if (Number.isNaN(r)) continue;
    if (Number.isNaN(first)) first = r;
    else if (r !== first) allEqual = false;
    const d = r - riskFreePerBar - mean;
    sumSquaredDeviations += d * d;
  }
  // A constant series has exactly zero variance (the kernel's rule; summation leaves ~1e-15 residue).
  if (count > 0 && allEqual) sumSquaredDeviations = 0;
  return {
    count,
    mean,
    std: count >= 2 ? Math.sqrt(sumSquaredDeviations / (count - 1)) : NaN,
    downsideDeviation: count > 0 ? Math.sqrt(downsideSquares / count) : NaN,
    positiveCount,
    negativeCount,
    totalReturn: growth - 1,
    sumSquaredDeviations,
  };
}

/** Sum of a series, NaN skipped. */
export function sumValues(values: Float64Array): number {
  let total = 0;
  for (const x of values) if (!Number.isNaN(x)) total += x;
  return total;
}
