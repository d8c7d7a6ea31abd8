// Per-market tables of the per-regime kernel (assembly/regimes.ts), built once per market by
// buildRegimeTables and owned by the host; positions i = 0..n, record i sums bars j < i:
//   sums: f64[(n + 1) * 12], double-double (hi, lo) prefix sums of
//         r, r^2, min(r - rf, 0)^2, min(-r - rf, 0)^2, log1p(r), log1p(-r)
//   per side (long: log1p(r), short: log1p(-r)): value[i] = rounded prefix (f64[n + 1]),
//         block summaries over 64 positions and super-block summaries over 4096 positions,
//         each (max, min, maxDrop) f64[3], maxDrop = max_{i < j in block} value[i] - value[j] (>= 0).

/** u32 header slots of the regime tables (mirrored in src/kernels/regimes.ts). */
export const RH_BARS: i32 = 0;
export const RH_SUMS: i32 = 1;
export const RH_LONG_VALUE: i32 = 2;
export const RH_LONG_BLOCKS: i32 = 3;
export const RH_LONG_SUPER: i32 = 4;
export const RH_SHORT_VALUE: i32 = 5;
export const RH_SHORT_BLOCKS: i32 = 6;
export const RH_SHORT_SUPER: i32 = 7;
export const RH_RETURNS: i32 = 8;
export const RH_CLOSE: i32 = 9;
export const RH_VOLUME: i32 = 10;
export const RH_SIGMA: i32 = 11;

export const SUM_SLOTS: i32 = 12;
export const Q_R: i32 = 0;
export const Q_R2: i32 = 2;
export const Q_DOWN_LONG: i32 = 4;
export const Q_DOWN_SHORT: i32 = 6;
export const Q_LOG_LONG: i32 = 8;
export const Q_LOG_SHORT: i32 = 10;


/**
 * Builds the prefix sums and the per-side block summaries from bar returns r (f64[n], r[0] = 0).
 * Returns the first bar whose return is >= 1 (log1p(-r) undefined: a short position is ruined
 * there; its short log entries are set to 0 and the host must not use the short tables across
 * it), or -1.
 */
export function buildRegimeTables(
  retPtr: usize, n: i32, riskFreePerBar: f64, sumsPtr: usize,
  longValuePtr: usize, longBlocksPtr: usize, longSuperPtr: usize,
  shortValuePtr: usize, shortBlocksPtr: usize, shortSuperPtr: usize,
): i32 {
  let ruin: i32 = -1;
  for (let q: i32 = 0; q < SUM_SLOTS; q++) store<f64>(sumsPtr + (<usize>q << 3), 0.0);
  for (let t: i32 = 0; t < n; t++) {
    let r = load<f64>(retPtr + (<usize>t << 3));
    if (r != r) r = 0.0;
    const downLong = Math.min(r - riskFreePerBar, 0.0);
    const downShort = Math.min(-r - riskFreePerBar, 0.0);
    let logShort: f64 = 0.0;
    if (r < 1.0) logShort = Math.log1p(-r);
    else if (ruin < 0) ruin = t;
    const from = sumsPtr + (<usize>t * <usize>SUM_SLOTS << 3);
    const to = from + (<usize>SUM_SLOTS << 3);
    accumulate(from, to, Q_R, r);
    accumulate(from, to, Q_R2, r * r);
    accumulate(from, to, Q_DOWN_LONG, downLong * downLong);
    accumulate(from, to, Q_DOWN_SHORT, downShort * downShort);
    accumulate(from, to, Q_LOG_LONG, Math.log1p(r));
    accumulate(from, to, Q_LOG_SHORT, logShort);
  }
  buildSide(sumsPtr, n + 1, Q_LOG_LONG, longValuePtr, longBlocksPtr, longSuperPtr);
  buildSide(sumsPtr, n + 1, Q_LOG_SHORT, shortValuePtr, shortBlocksPtr, shortSuperPtr);
  return ruin;
}

/** Double-double accumulation (Knuth two-sum) of x into quantity q: record `to` = record `from` + x. */
@inline function accumulate(from: usize, to: usize, q: i32, x: f64): void {
  const hi = load<f64>(from + (<usize>q << 3));
  const lo = load<f64>(from + (<usize>(q + 1) << 3));
  const s = hi + x;
  const b = s - hi;
  const err = (hi - (s - b)) + (x - b);
  store<f64>(to + (<usize>q << 3), s);
  store<f64>(to + (<usize>(q + 1) << 3), lo + err);
}

function buildSide(sumsPtr: usize, positions: i32, q: i32, valuePtr: usize, blocksPtr: usize, superPtr: usize): void {
  for (let i: i32 = 0; i < positions; i++) {
    const record = sumsPtr + (<usize>i * <usize>SUM_SLOTS << 3);
    store<f64>(valuePtr + (<usize>i << 3), load<f64>(record + (<usize>q << 3)) + load<f64>(record + (<usize>(q + 1) << 3)));
  }
  const blocks = (positions + 63) >> 6;
  for (let b: i32 = 0; b < blocks; b++) {
    const first = b << 6;
    let last = first + 64;
    if (last > positions) last = positions;
    let high = -Infinity;
    let low = Infinity;
    let drop: f64 = 0.0;
    for (let i = first; i < last; i++) {
      const v = load<f64>(valuePtr + (<usize>i << 3));
      if (high - v > drop) drop = high - v;
      if (v > high) high = v;
      if (v < low) low = v;
    }
    storeSummary(blocksPtr + <usize>b * 24, high, low, drop);
  }
  const supers = (positions + 4095) >> 12;
  for (let s: i32 = 0; s < supers; s++) {
    const first = s << 6;
    let last = first + 64;
    if (last > blocks) last = blocks;
    let high = -Infinity;
    let low = Infinity;
    let drop: f64 = 0.0;
    for (let b = first; b < last; b++) {
      const p = blocksPtr + <usize>b * 24;
      const bHigh = load<f64>(p);
      const bLow = load<f64>(p, 8);
      const bDrop = load<f64>(p, 16);
      if (bDrop > drop) drop = bDrop;
      if (high - bLow > drop) drop = high - bLow;
      if (bHigh > high) high = bHigh;
      if (bLow < low) low = bLow;
    }
    storeSummary(superPtr + <usize>s * 24, high, low, drop);
  }
}

@inline function storeSummary(p: usize, high: f64, low: f64, drop: f64): void {
  store<f64>(p, high);
  store<f64>(p, low, 8);
  store<f64>(p, drop, 16);
}
