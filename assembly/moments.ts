// Moments of a return series (NaN-skipping, as numpy's nanmean / nanstd).

/** Layout of the f64[8] block written by `moments`; mirrored in src/kernels/moments.ts. */
export const MOMENT_COUNT: i32 = 0;          // finite observations
export const MOMENT_MEAN: i32 = 1;           // mean(x)
export const MOMENT_STD: i32 = 2;            // std(x, ddof = 1); NaN when count < 2
export const MOMENT_DOWNSIDE: i32 = 3;       // sqrt(mean(min(x, 0)^2))
export const MOMENT_POSITIVE: i32 = 4;       // count of x > 0
export const MOMENT_NEGATIVE: i32 = 5;       // count of x < 0
export const MOMENT_TOTAL_RETURN: i32 = 6;   // prod(1 + R) - 1 of the raw returns, NaN as 0
export const MOMENT_SUM_SQUARED: i32 = 7;    // sum((x - mean)^2)
export const MOMENT_SLOTS: i32 = 8;

/**
 * Moments of the excess returns x = R - riskFreePerBar, skipping NaN.
 *
 *   mean = sum(x) / m;  std = sqrt(sum((x - mean)^2) / (m - 1));  downside = sqrt(sum(min(x,0)^2) / m)
 *
 * with m the count of finite values. Two passes (mean, then centred squares) as numpy does,
 * vectorised over f64x2 lanes. When every finite value is equal the variance is exactly 0 (so a
 * constant series has std 0 and an undefined Sharpe, not ~1e15 from rounding residue).
 * outPtr: f64[MOMENT_SLOTS].
 */
export function moments(retPtr: usize, n: i32, riskFreePerBar: f64, outPtr: usize): void {
  const rf = f64x2.splat(riskFreePerBar);
  const zero = f64x2.splat(0.0);
  let sum = f64x2.splat(0.0);
  let count = i64x2.splat(0);
  let positive = i64x2.splat(0);
  let negative = i64x2.splat(0);
  let downside = f64x2.splat(0.0);
  let lowest = f64x2.splat(Infinity);
  let highest = f64x2.splat(-Infinity);
  const pairs = n >> 1;
  for (let i: i32 = 0; i < pairs; i++) {
    const raw = v128.load(retPtr + (<usize>i << 4));
    const finite = f64x2.eq(raw, raw);
    const x = v128.and(f64x2.sub(raw, rf), finite);
    sum = f64x2.add(sum, x);
    count = i64x2.sub(count, finite);
    positive = i64x2.sub(positive, f64x2.gt(x, zero));
    negative = i64x2.sub(negative, f64x2.lt(x, zero));
    const down = f64x2.min(x, zero);
    downside = f64x2.add(downside, f64x2.mul(down, down));
    // NaN lanes must not reach min/max: replace them by a finite lane value of the same pair or skip.
    const keepLow = v128.bitselect(raw, f64x2.splat(Infinity), finite);
    const keepHigh = v128.bitselect(raw, f64x2.splat(-Infinity), finite);
    lowest = f64x2.pmin(lowest, keepLow);
    highest = f64x2.pmax(highest, keepHigh);
  }
  let low = Math.min(f64x2.extract_lane(lowest, 0), f64x2.extract_lane(lowest, 1));
  let high = Math.max(f64x2.extract_lane(highest, 0), f64x2.extract_lane(highest, 1));
  let total = f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
  let m = i64x2.extract_lane(count, 0) + i64x2.extract_lane(count, 1);
  let pos = i64x2.extract_lane(positive, 0) + i64x2.extract_lane(positive, 1);
  let neg = i64x2.extract_lane(negative, 0) + i64x2.extract_lane(negative, 1);
  let down = f64x2.extract_lane(downside, 0) + f64x2.extract_lane(downside, 1);
  if (n & 1) {
    const raw = load<f64>(retPtr + (<usize>(n - 1) << 3));
    if (raw == raw) {
      const x = raw - riskFreePerBar;
      total += x;
      m++;
      if (x > 0.0) pos++;
      if (x < 0.0) { neg++; down += x * x; }
      if (raw < low) low = raw;
      if (raw > high) high = raw;
    }
  }
  const mean = m > 0 ? total / <f64>m : NaN;
  const meanLanes = f64x2.splat(mean);
  let squares = f64x2.splat(0.0);
  for (let i: i32 = 0; i < pairs; i++) {
    const raw = v128.load(retPtr + (<usize>i << 4));
    const finite = f64x2.eq(raw, raw);
    const d = v128.and(f64x2.sub(f64x2.sub(raw, rf), meanLanes), finite);
    squares = f64x2.add(squares, f64x2.mul(d, d));
  }
  let sumSquared = f64x2.extract_lane(squares, 0) + f64x2.extract_lane(squares, 1);
  if (n & 1) {
    const raw = load<f64>(retPtr + (<usize>(n - 1) << 3));
    if (raw == raw) { const d = raw - riskFreePerBar - mean; sumSquared += d * d; }
  }
  let growth: f64 = 1.0;
  for (let i: i32 = 0; i < n; i++) {
    const raw = load<f64>(retPtr + (<usize>i << 3));
    if (raw == raw) growth *= 1.0 + raw;
  }
  // All finite values equal: the variance is exactly 0 (summation would leave ~1e-15 residue).
  if (m > 0 && low == high) sumSquared = 0.0;
  store<f64>(outPtr + (<usize>MOMENT_COUNT << 3), <f64>m);
  store<f64>(outPtr + (<usize>MOMENT_MEAN << 3), mean);
  store<f64>(outPtr + (<usize>MOMENT_STD << 3), m >= 2 ? Math.sqrt(sumSquared / <f64>(m - 1)) : NaN);
  store<f64>(outPtr + (<usize>MOMENT_DOWNSIDE << 3), m > 0 ? Math.sqrt(down / <f64>m) : NaN);
  store<f64>(outPtr + (<usize>MOMENT_POSITIVE << 3), <f64>pos);
  store<f64>(outPtr + (<usize>MOMENT_NEGATIVE << 3), <f64>neg);
  store<f64>(outPtr + (<usize>MOMENT_TOTAL_RETURN << 3), growth - 1.0);
  store<f64>(outPtr + (<usize>MOMENT_SUM_SQUARED << 3), sumSquared);
}

/** Sum of a series, NaN skipped (f64x2 lanes). */
export function sumValues(ptr: usize, n: i32): f64 {
  let lanes = f64x2.splat(0.0);
  const pairs = n >> 1;
  for (let i: i32 = 0; i < pairs; i++) {
    const raw = v128.load(ptr + (<usize>i << 4));
    lanes = f64x2.add(lanes, v128.and(raw, f64x2.eq(raw, raw)));
  }
  let total = f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1);
  if (n & 1) {
    const x = load<f64>(ptr + (<usize>(n - 1) << 3));
    if (x == x) total += x;
  }
  return total;
}
