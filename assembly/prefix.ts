// Market index tables for the change-proportional ("sparse") metric path.
//
// Everything here is computed once per symbol and then only read. Layouts are mirrored in
// src/market/marketIndex.ts (header slots) and src/kernels/prefix.ts (record slots).
//
// Layout is driven by the sparse kernel's memory traffic: a change at bar t needs the prefix sums
// at position t + 1 and the bar's own return and cost factor, so all of it lives in ONE 128-byte
// record (two adjacent cache lines, one 128-byte-aligned pair). Drawdown needs, per side, the log
// prefix (scanned only when a segment could move the peak or the max drawdown) and per-64-position
// block summaries (max, min, max-drop: one 64-byte line per block, read in increasing order).

/** f64 slots of one prefix record (128 bytes); record i holds sums over bars j < i (record 0 is all zero). */
export const REC_SLOTS: i32 = 16;
export const REC_BYTES: i32 = 128;
export const REC_S1_HI: i32 = 0;    // sum r                      (double-double: hi, lo)
export const REC_S1_LO: i32 = 1;
export const REC_S2_HI: i32 = 2;    // sum r^2
export const REC_S2_LO: i32 = 3;
export const REC_DL_HI: i32 = 4;    // sum min(r - rf, 0)^2       (downside of a long bar)
export const REC_DL_LO: i32 = 5;
export const REC_DS_HI: i32 = 6;    // sum min(-r - rf, 0)^2      (downside of a short bar)
export const REC_DS_LO: i32 = 7;
export const REC_LL_HI: i32 = 8;    // sum log1p(r)   (hi part equals the long side's lp[i])
export const REC_LL_LO: i32 = 9;
export const REC_LS_HI: i32 = 10;   // sum log1p(-r)  (hi part equals the short side's lp[i])
export const REC_LS_LO: i32 = 11;
export const REC_R: i32 = 12;       // r of bar i - 1 (NaN as 0; 0 in record 0)
export const REC_W: i32 = 13;       // sqrt-law factor of bar i - 1: sigma / sqrt(close * volume), NaN = use the exact slow path
export const REC_CNT_L: i32 = 14;   // u32 count r - rf > 0 (byte 0), u32 count r - rf < 0 (byte 4)
export const REC_CNT_S: i32 = 15;   // u32 count -r - rf > 0, u32 count -r - rf < 0

/** Positions per block of the drawdown summaries. */
export const BLOCK_BITS: i32 = 6;
export const BLOCK: i32 = 1 << BLOCK_BITS;
/** f64 slots per block summary (64 bytes): long max, min, drop; short max, min, drop; 2 unused. */
export const BLK_SLOTS: i32 = 8;
export const BLK_MAX_L: i32 = 0;
export const BLK_MIN_L: i32 = 1;
export const BLK_DROP_L: i32 = 2;
export const BLK_MAX_S: i32 = 3;
export const BLK_MIN_S: i32 = 4;
export const BLK_DROP_S: i32 = 5;

// Running double-double accumulators of buildPrefixRecords (TwoSum + renormalisation).
let h0: f64 = 0; let l0: f64 = 0;
let h1: f64 = 0; let l1: f64 = 0;
let h2: f64 = 0; let l2: f64 = 0;
let h3: f64 = 0; let l3: f64 = 0;
let h4: f64 = 0; let l4: f64 = 0;
let h5: f64 = 0; let l5: f64 = 0;
let ddHi: f64 = 0;
let ddLo: f64 = 0;

/** (hi, lo) + x as a normalised double-double, result in ddHi/ddLo. Error ~ 2^-104 relative. */
// @ts-ignore: decorator
@inline
function ddAdd(hi: f64, lo: f64, x: f64): void {
  const s = hi + x;
  const bp = s - hi;
  const err = (hi - (s - bp)) + (x - bp);
  const c = lo + err;
  const h = s + c;
  ddHi = h;
  ddLo = c - (h - s);
}

/**
 * Prefix records of the bar returns, compensated (double-double) so that the sum over any range
 * [a, b) is (hi[b] - hi[a]) + (lo[b] - lo[a]) with an error of a few ulps of the range sum itself,
 * not of the whole-series prefix (a naive prefix over 1e6 bars loses 4-6 digits on short ranges).
 *
 *   rec[i].S1 = sum_{j<i} r_j;  S2 = sum r_j^2;  DL = sum min(r_j - rf, 0)^2;  DS = sum min(-r_j - rf, 0)^2
 *   rec[i].LL = sum_{j<i} log1p(r_j);  LS = sum log1p(-r_j);  counts of r_j - rf >< 0 and -r_j - rf >< 0
 *   rec[i].R = r_{i-1};  rec[i].W = sigma_{i-1} / sqrt(close_{i-1} * volume_{i-1})
 *
 * W is NaN (the kernel then prices the bar from close, volume and sigma exactly as the dense
 * kernel, including its "unpriced" check) when close or volume is not > 0 or the factor is not finite.
 * The per-bar terms are the exact floating-point values the dense moments kernel forms
 * (x = pos * r - rf with pos = +-1), so counts and downside agree bit for bit per bar.
 * retPtr, closePtr, volumePtr, sigmaPtr: f64[n] (r finite; r[0] = 0); recPtr: f64[(n + 1) * REC_SLOTS];
 * llPtr, lsPtr: f64[n + 1] receive the hi parts of the log sums (the drawdown scans' input).
 */
export function buildPrefixRecords(
  retPtr: usize, closePtr: usize, volumePtr: usize, sigmaPtr: usize, n: i32, rf: f64,
  recPtr: usize, llPtr: usize, lsPtr: usize,
): void {
  prefixPass(retPtr, closePtr, volumePtr, sigmaPtr, n, rf, recPtr, llPtr, lsPtr, true, true, true);
}

/** Parts of buildPrefixRecordsPart: which slots of the records (and arrays) one pass writes. */
export const PREFIX_PART_SUMS: i32 = 1;   // first cache line: S1, S2, DL, DS (reads the returns only)
export const PREFIX_PART_LOGS: i32 = 2;   // second line but W: LL, LS, R, counts; and llPtr / lsPtr
export const PREFIX_PART_FACTOR: i32 = 3; // W alone (reads close, volume and sigma)

/**
 * One part of buildPrefixRecords, for two threads to build the records together: the parts write
 * disjoint slots (SUMS and LOGS different cache lines, so they run at the same time without sharing
 * a line; FACTOR the W slot of LOGS' line, after it), each slot by the same operations in the same
 * order as buildPrefixRecords, so the records are the same bit for bit however they were built.
 */
export function buildPrefixRecordsPart(
  retPtr: usize, closePtr: usize, volumePtr: usize, sigmaPtr: usize, n: i32, rf: f64,
  recPtr: usize, llPtr: usize, lsPtr: usize, part: i32,
): void {
  if (part == PREFIX_PART_SUMS) prefixPass(retPtr, closePtr, volumePtr, sigmaPtr, n, rf, recPtr, llPtr, lsPtr, true, false, false);
  else if (part == PREFIX_PART_LOGS) prefixPass(retPtr, closePtr, volumePtr, sigmaPtr, n, rf, recPtr, llPtr, lsPtr, false, true, false);
  else if (part == PREFIX_PART_FACTOR) prefixPass(retPtr, closePtr, volumePtr, sigmaPtr, n, rf, recPtr, llPtr, lsPtr, false, false, true);
}

/** The loop of buildPrefixRecords, writing the slots of the parts asked for (constant flags: inlined and specialized). */
// @ts-ignore: decorator
@inline
function prefixPass(
  retPtr: usize, closePtr: usize, volumePtr: usize, sigmaPtr: usize, n: i32, rf: f64,
  recPtr: usize, llPtr: usize, lsPtr: usize, sums: bool, logs: bool, factor: bool,
): void {
  h0 = 0; l0 = 0; h1 = 0; l1 = 0; h2 = 0; l2 = 0; h3 = 0; l3 = 0; h4 = 0; l4 = 0; h5 = 0; l5 = 0;
  let posL: u32 = 0; let negL: u32 = 0; let posS: u32 = 0; let negS: u32 = 0;
  let lastR: f64 = 0.0;
  let lastW: f64 = 0.0;
  for (let i: i32 = 0; i <= n; i++) {
    const rec = recPtr + (<usize>i << 7);
    if (sums) {
      store<f64>(rec, h0, REC_S1_HI << 3);
      store<f64>(rec, l0, REC_S1_LO << 3);
      store<f64>(rec, h1, REC_S2_HI << 3);
      store<f64>(rec, l1, REC_S2_LO << 3);
      store<f64>(rec, h2, REC_DL_HI << 3);
      store<f64>(rec, l2, REC_DL_LO << 3);
      store<f64>(rec, h3, REC_DS_HI << 3);
      store<f64>(rec, l3, REC_DS_LO << 3);
    }
    if (logs) {
      store<f64>(rec, h4, REC_LL_HI << 3);
      store<f64>(rec, l4, REC_LL_LO << 3);
      store<f64>(rec, h5, REC_LS_HI << 3);
      store<f64>(rec, l5, REC_LS_LO << 3);
      store<f64>(rec, lastR, REC_R << 3);
    }
    if (factor) store<f64>(rec, lastW, REC_W << 3);
    if (logs) {
      store<u32>(rec, posL, REC_CNT_L << 3);
      store<u32>(rec, negL, (REC_CNT_L << 3) + 4);
      store<u32>(rec, posS, REC_CNT_S << 3);
      store<u32>(rec, negS, (REC_CNT_S << 3) + 4);
      store<f64>(llPtr + (<usize>i << 3), h4);
      store<f64>(lsPtr + (<usize>i << 3), h5);
    }
    if (i == n) break;
    const offset = <usize>i << 3;
    let r = load<f64>(retPtr + offset);
    if (r != r) r = 0.0;
    if (factor) {
      const close = load<f64>(closePtr + offset);
      const volume = load<f64>(volumePtr + offset);
      let w: f64 = NaN;
      if (close > 0.0 && volume > 0.0) {
        const cv = close * volume;
        if (cv > 0.0 && cv < Infinity) {
          w = load<f64>(sigmaPtr + offset) / Math.sqrt(cv);
          if (!(w >= 0.0 && w < Infinity)) w = NaN;
        }
      }
      lastW = w;
    }
    if (logs) {
      lastR = r;
      const xl = r - rf;
      const xs = -r - rf;
      if (xl > 0.0) posL++;
      if (xl < 0.0) negL++;
      if (xs > 0.0) posS++;
      if (xs < 0.0) negS++;
      ddAdd(h4, l4, Math.log1p(r)); h4 = ddHi; l4 = ddLo;
      ddAdd(h5, l5, Math.log1p(-r)); h5 = ddHi; l5 = ddLo;
    }
    if (sums) {
      const xl = r - rf;
      const xs = -r - rf;
      const dl = xl < 0.0 ? xl * xl : 0.0;
      const ds = xs < 0.0 ? xs * xs : 0.0;
      ddAdd(h0, l0, r); h0 = ddHi; l0 = ddLo;
      ddAdd(h1, l1, r * r); h1 = ddHi; l1 = ddLo;
      ddAdd(h2, l2, dl); h2 = ddHi; l2 = ddLo;
      ddAdd(h3, l3, ds); h3 = ddHi; l3 = ddLo;
    }
  }
}

/**
 * Per-block drawdown summaries of the two log prefixes lpL, lpS (N positions each): for block
 * b (positions 64b .. 64b + 63) the max, the min and the max-drop max_{i <= j in block} (lp[i] - lp[j]).
 * blkPtr: f64[nb * BLK_SLOTS], nb = ceil(N / 64).
 */
export function buildBlockSummaries(llPtr: usize, lsPtr: usize, N: i32, blkPtr: usize): void {
  const nb = (N + BLOCK - 1) >> BLOCK_BITS;
  for (let b: i32 = 0; b < nb; b++) {
    const s = b << BLOCK_BITS;
    let e = s + BLOCK;
    if (e > N) e = N;
    const out = blkPtr + (<usize>b << 6);
    for (let side: i32 = 0; side < 2; side++) {
      const lp = side == 0 ? llPtr : lsPtr;
      let runMax: f64 = -Infinity;
      let runMin: f64 = Infinity;
      let drop: f64 = 0.0;
      for (let i = s; i < e; i++) {
        const v = load<f64>(lp + (<usize>i << 3));
        if (v > runMax) runMax = v;
        if (v < runMin) runMin = v;
        const d = runMax - v;
        if (d > drop) drop = d;
      }
      const slot = side == 0 ? BLK_MAX_L : BLK_MAX_S;
      store<f64>(out + (<usize>slot << 3), runMax);
      store<f64>(out + (<usize>(slot + 1) << 3), runMin);
      store<f64>(out + (<usize>(slot + 2) << 3), drop);
    }
    store<f64>(out, 0.0, 6 << 3);
    store<f64>(out, 0.0, 7 << 3);
  }
}
