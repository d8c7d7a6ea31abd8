// Market index tables for the change-proportional ("sparse") metric path.
//
// Everything here is computed once per symbol and then only read. Layouts are mirrored in
// src/market/marketIndex.ts (header slots) and src/kernels/prefix.ts (record slots).

/** f64 slots of one prefix record; record i holds sums over bars j < i (record 0 is all zero). */
export const REC_SLOTS: i32 = 16;
export const REC_S1_HI: i32 = 0;    // sum r                      (double-double: hi, lo)
export const REC_S1_LO: i32 = 1;
export const REC_S2_HI: i32 = 2;    // sum r^2
export const REC_S2_LO: i32 = 3;
export const REC_DL_HI: i32 = 4;    // sum min(r - rf, 0)^2       (downside of a long bar)
export const REC_DL_LO: i32 = 5;
export const REC_DS_HI: i32 = 6;    // sum min(-r - rf, 0)^2      (downside of a short bar)
export const REC_DS_LO: i32 = 7;
export const REC_LL_LO: i32 = 8;    // low part of sum log1p(r)   (hi part in REC_LL_HI)
export const REC_LS_LO: i32 = 9;    // low part of sum log1p(-r)
export const REC_POS_L: i32 = 10;   // count r - rf > 0
export const REC_NEG_L: i32 = 11;   // count r - rf < 0
export const REC_POS_S: i32 = 12;   // count -r - rf > 0
export const REC_NEG_S: i32 = 13;   // count -r - rf < 0
export const REC_LL_HI: i32 = 14;   // sum log1p(r)   (high part; equals the long side's lp[i])
export const REC_LS_HI: i32 = 15;   // sum log1p(-r)  (high part; equals the short side's lp[i])

/** Bars per block of the range tables (one u64 mask bit per position). */
export const BLOCK_BITS: i32 = 6;
export const BLOCK: i32 = 1 << BLOCK_BITS;

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
 *
 * The per-bar terms are the exact floating-point values the dense moments kernel forms
 * (x = pos * r - rf with pos = +-1), so counts and downside agree bit for bit per bar.
 * retPtr: f64[n] (finite; r[0] = 0); recPtr: f64[(n + 1) * REC_SLOTS]; llPtr, lsPtr: f64[n + 1]
 * receive the hi parts of the log sums (the range tables' input).
 */
export function buildPrefixRecords(retPtr: usize, n: i32, rf: f64, recPtr: usize, llPtr: usize, lsPtr: usize): void {
  h0 = 0; l0 = 0; h1 = 0; l1 = 0; h2 = 0; l2 = 0; h3 = 0; l3 = 0; h4 = 0; l4 = 0; h5 = 0; l5 = 0;
  let posL: f64 = 0; let negL: f64 = 0; let posS: f64 = 0; let negS: f64 = 0;
  for (let i: i32 = 0; i <= n; i++) {
    const rec = recPtr + (<usize>i * <usize>REC_SLOTS << 3);
    store<f64>(rec, h0, REC_S1_HI << 3);
    store<f64>(rec, l0, REC_S1_LO << 3);
    store<f64>(rec, h1, REC_S2_HI << 3);
    store<f64>(rec, l1, REC_S2_LO << 3);
    store<f64>(rec, h2, REC_DL_HI << 3);
    store<f64>(rec, l2, REC_DL_LO << 3);
    store<f64>(rec, h3, REC_DS_HI << 3);
    store<f64>(rec, l3, REC_DS_LO << 3);
    store<f64>(rec, h4, REC_LL_HI << 3);
    store<f64>(rec, l4, REC_LL_LO << 3);
    store<f64>(rec, h5, REC_LS_HI << 3);
    store<f64>(rec, l5, REC_LS_LO << 3);
    store<f64>(rec, posL, REC_POS_L << 3);
    store<f64>(rec, negL, REC_NEG_L << 3);
    store<f64>(rec, posS, REC_POS_S << 3);
    store<f64>(rec, negS, REC_NEG_S << 3);
    store<f64>(llPtr + (<usize>i << 3), h4);
    store<f64>(lsPtr + (<usize>i << 3), h5);
    if (i == n) break;
    let r = load<f64>(retPtr + (<usize>i << 3));
    if (r != r) r = 0.0;
    const xl = r - rf;
    const xs = -r - rf;
    const dl = xl < 0.0 ? xl * xl : 0.0;
    const ds = xs < 0.0 ? xs * xs : 0.0;
    if (xl > 0.0) posL += 1.0;
    if (xl < 0.0) negL += 1.0;
    if (xs > 0.0) posS += 1.0;
    if (xs < 0.0) negS += 1.0;
    ddAdd(h0, l0, r); h0 = ddHi; l0 = ddLo;
    ddAdd(h1, l1, r * r); h1 = ddHi; l1 = ddLo;
    ddAdd(h2, l2, dl); h2 = ddHi; l2 = ddLo;
    ddAdd(h3, l3, ds); h3 = ddHi; l3 = ddLo;
    ddAdd(h4, l4, Math.log1p(r)); h4 = ddHi; l4 = ddLo;
    ddAdd(h5, l5, Math.log1p(-r)); h5 = ddHi; l5 = ddLo;
  }
}

/**
 * Range tables over one log-equity prefix lp[0..N) (N = bars + 1), answering for any [a, b]
 * the max, the min and the max-drop  max_{a <= i <= j <= b} (lp[i] - lp[j])  in O(1):
 *
 * - per position, u64 masks of the in-block min-stack / max-stack (bit p = position blockStart + p
 *   is on the stack after position i): min over [a, b] in one block = lp[blockStart + ctz(mask[b] >> ...)]
 * - per position, dropPre[i] = max-drop over [blockStart(i), i] and dropSuf[i] over [i, blockEnd(i)]
 * - sparse tables over whole blocks (level k covers 2^k blocks): max, min, max-drop, where
 *   drop(level k) = max(drop(left half), drop(right half), max(left) - min(right)).
 *
 * Tables: tMax/tMin/tDrop f64[levels * nb], level k at k * nb. Memory per side: 32 N + 24 nb levels bytes.
 */
export function buildRangeTables(
  lpPtr: usize, N: i32, maskMinPtr: usize, maskMaxPtr: usize, dropPrePtr: usize, dropSufPtr: usize,
  tMaxPtr: usize, tMinPtr: usize, tDropPtr: usize, nb: i32, levels: i32,
): void {
  for (let blk: i32 = 0; blk < nb; blk++) {
    const s = blk << BLOCK_BITS;
    let e = s + BLOCK - 1;
    if (e > N - 1) e = N - 1;
    let minMask: u64 = 0;
    let maxMask: u64 = 0;
    let runMax: f64 = -Infinity;
    let drop: f64 = 0.0;
    let blockMin: f64 = Infinity;
    for (let i = s; i <= e; i++) {
      const v = load<f64>(lpPtr + (<usize>i << 3));
      while (minMask != 0) {
        const top = 63 - <i32>clz<u64>(minMask);
        if (load<f64>(lpPtr + (<usize>(s + top) << 3)) >= v) minMask ^= (<u64>1) << top; else break;
      }
      minMask |= (<u64>1) << (i - s);
      while (maxMask != 0) {
        const top = 63 - <i32>clz<u64>(maxMask);
        if (load<f64>(lpPtr + (<usize>(s + top) << 3)) <= v) maxMask ^= (<u64>1) << top; else break;
      }
      maxMask |= (<u64>1) << (i - s);
      store<u64>(maskMinPtr + (<usize>i << 3), minMask);
      store<u64>(maskMaxPtr + (<usize>i << 3), maxMask);
      if (v > runMax) runMax = v;
      if (v < blockMin) blockMin = v;
      const d = runMax - v;
      if (d > drop) drop = d;
      store<f64>(dropPrePtr + (<usize>i << 3), drop);
    }
    let runMin: f64 = Infinity;
    let dropS: f64 = 0.0;
    for (let i = e; i >= s; i--) {
      const v = load<f64>(lpPtr + (<usize>i << 3));
      if (v < runMin) runMin = v;
      const d = v - runMin;
      if (d > dropS) dropS = d;
      store<f64>(dropSufPtr + (<usize>i << 3), dropS);
    }
    store<f64>(tMaxPtr + (<usize>blk << 3), runMax);
    store<f64>(tMinPtr + (<usize>blk << 3), blockMin);
    store<f64>(tDropPtr + (<usize>blk << 3), drop);
  }
  for (let k: i32 = 1; k < levels; k++) {
    const half = 1 << (k - 1);
    const row = <usize>k * <usize>nb << 3;
    const prev = <usize>(k - 1) * <usize>nb << 3;
    for (let x: i32 = 0; x + (1 << k) <= nb; x++) {
      const lo = prev + (<usize>x << 3);
      const hi = prev + (<usize>(x + half) << 3);
      const maxL = load<f64>(tMaxPtr + lo);
      const maxR = load<f64>(tMaxPtr + hi);
      const minL = load<f64>(tMinPtr + lo);
      const minR = load<f64>(tMinPtr + hi);
      let d = load<f64>(tDropPtr + lo);
      const dr = load<f64>(tDropPtr + hi);
      if (dr > d) d = dr;
      if (maxL - minR > d) d = maxL - minR;
      store<f64>(tMaxPtr + row + (<usize>x << 3), maxL > maxR ? maxL : maxR);
      store<f64>(tMinPtr + row + (<usize>x << 3), minL < minR ? minL : minR);
      store<f64>(tDropPtr + row + (<usize>x << 3), d);
    }
  }
}
