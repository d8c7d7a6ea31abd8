// Change-proportional strategy metrics: O(K) for K position changes, from the market index tables
// of assembly/prefix.ts. The dense reference is expand -> strategyReturns -> moments -> maxDrawdown
// -> extractTrades; this kernel produces the same aggregates without touching the bars in between.

import {
  BLOCK, BLOCK_BITS, REC_SLOTS, REC_S1_HI, REC_S1_LO, REC_S2_HI, REC_S2_LO, REC_DL_HI, REC_DL_LO, REC_DS_HI, REC_DS_LO,
  REC_LL_HI, REC_LL_LO, REC_LS_HI, REC_LS_LO, REC_POS_L, REC_NEG_L, REC_POS_S, REC_NEG_S,
} from './prefix';
import { SLIPPAGE_SQRT } from './costs';

/** u32 slots of the market index header (mirrored in src/market/marketIndex.ts). */
export const HDR_N: i32 = 0;
export const HDR_REC: i32 = 1;
export const HDR_CLOSE: i32 = 2;
export const HDR_VOLUME: i32 = 3;
export const HDR_SIGMA: i32 = 4;
export const HDR_RET: i32 = 5;
export const HDR_NB: i32 = 6;
export const HDR_LEVELS: i32 = 7;
/** Side blocks (long at 8, short at 16): lp, maskMin, maskMax, dropPre, dropSuf, tMax, tMin, tDrop. */
export const HDR_LONG: i32 = 8;
export const HDR_SHORT: i32 = 16;
export const HDR_SLOTS: i32 = 24;

/** f64 slots of the output block (moments blocks use assembly/moments.ts layout). */
export const OUT_NET: i32 = 0;            // 8 slots
export const OUT_GROSS: i32 = 8;          // 8 slots
export const OUT_MAX_DRAWDOWN: i32 = 16;
export const OUT_TOTAL_COSTS: i32 = 17;
export const OUT_EXPOSURE_BARS: i32 = 18;
export const OUT_DURATION_SUM: i32 = 19;
export const OUT_TRADE_COUNT: i32 = 20;
export const OUT_DETAIL: i32 = 21;        // row or bar of a non-OK status
export const OUT_SLOTS: i32 = 24;

/** Status codes of sparseMetrics. */
export const SPARSE_OK: i32 = 0;
export const SPARSE_BAD_ROW: i32 = 1;       // unsorted / duplicated / out-of-range idx (detail = row)
export const SPARSE_NOT_UNIT: i32 = 2;      // a position outside {-1, 0, 1} (detail = row)
export const SPARSE_UNPRICED: i32 = 3;      // sqrt model: close or volume <= 0 at a change (detail = bar)
export const SPARSE_RUIN: i32 = 4;          // a net bar return or a trade cost leg <= -100 % (detail = bar)
export const SPARSE_CONSTANT: i32 = 5;      // rf != 0 and a zero-variance series (see sparseMetrics)

// ---- range queries over one side's log-equity prefix (tables of buildRangeTables) ----
let sLp: usize = 0;
let sMaskMin: usize = 0;
let sMaskMax: usize = 0;
let sDropPre: usize = 0;
let sDropSuf: usize = 0;
let sTMax: usize = 0;
let sTMin: usize = 0;
let sTDrop: usize = 0;
let sNb: i32 = 0;
let qMax: f64 = 0;
let qMin: f64 = 0;

function selectSide(hdr: usize, slot: i32): void {
  const base = hdr + (<usize>slot << 2);
  sLp = <usize>load<u32>(base);
  sMaskMin = <usize>load<u32>(base, 4);
  sMaskMax = <usize>load<u32>(base, 8);
  sDropPre = <usize>load<u32>(base, 12);
  sDropSuf = <usize>load<u32>(base, 16);
  sTMax = <usize>load<u32>(base, 20);
  sTMin = <usize>load<u32>(base, 24);
  sTDrop = <usize>load<u32>(base, 28);
  sNb = <i32>load<u32>(hdr + (<usize>HDR_NB << 2));
}

// @ts-ignore: decorator
@inline function lp(i: i32): f64 { return load<f64>(sLp + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function tab(t: usize, k: i32, x: i32): f64 { return load<f64>(t + ((<usize>k * <usize>sNb + <usize>x) << 3)); }

function blockMax(x: i32, y: i32): f64 {
  const k = 31 - <i32>clz<u32>(<u32>(y - x + 1));
  const a = tab(sTMax, k, x);
  const b = tab(sTMax, k, y - (1 << k) + 1);
  return a > b ? a : b;
}

/**
 * max, min (into qMax, qMin) and max-drop of lp[a..b]. The drop is only needed when it could exceed
 * `threshold`; inside one block it is then found by a scan of at most BLOCK positions, otherwise
 * (and when max - min <= threshold) in O(1). Returns 0 when pruned.
 */
function rangeQuery(a: i32, b: i32, threshold: f64): f64 {
  const ba = a >> BLOCK_BITS;
  const bb = b >> BLOCK_BITS;
  if (ba == bb) {
    const s = ba << BLOCK_BITS;
    const sh = <u64>(a - s);
    const mx = (load<u64>(sMaskMax + (<usize>b << 3)) >> sh) << sh;
    const mn = (load<u64>(sMaskMin + (<usize>b << 3)) >> sh) << sh;
    qMax = lp(s + <i32>ctz<u64>(mx));
    qMin = lp(s + <i32>ctz<u64>(mn));
    if (qMax - qMin <= threshold) return 0.0;
    let runMax: f64 = -Infinity;
    let drop: f64 = 0.0;
    for (let i = a; i <= b; i++) {
      const v = lp(i);
      if (v > runMax) runMax = v;
      const d = runMax - v;
      if (d > drop) drop = d;
    }
    return drop;
  }
  const s1 = ba << BLOCK_BITS;
  const e1 = s1 + BLOCK - 1;
  const sh = <u64>(a - s1);
  const max1 = lp(s1 + <i32>ctz<u64>((load<u64>(sMaskMax + (<usize>e1 << 3)) >> sh) << sh));
  const min1 = lp(s1 + <i32>ctz<u64>((load<u64>(sMaskMin + (<usize>e1 << 3)) >> sh) << sh));
  const s3 = bb << BLOCK_BITS;
  const max3 = lp(s3 + <i32>ctz<u64>(load<u64>(sMaskMax + (<usize>b << 3))));
  const min3 = lp(s3 + <i32>ctz<u64>(load<u64>(sMaskMin + (<usize>b << 3))));
  let d = load<f64>(sDropSuf + (<usize>a << 3));
  const d3 = load<f64>(sDropPre + (<usize>b << 3));
  if (d3 > d) d = d3;
  if (max1 - min3 > d) d = max1 - min3;
  let mx = max1 > max3 ? max1 : max3;
  let mn = min1 < min3 ? min1 : min3;
  if (bb - ba >= 2) {
    const x = ba + 1;
    const y = bb - 1;
    const k = 31 - <i32>clz<u32>(<u32>(y - x + 1));
    const h = 1 << k;
    const ya = tab(sTMax, k, x);
    const yb = tab(sTMax, k, y - h + 1);
    const max2 = ya > yb ? ya : yb;
    const za = tab(sTMin, k, x);
    const zb = tab(sTMin, k, y - h + 1);
    const min2 = za < zb ? za : zb;
    let d2 = tab(sTDrop, k, x);
    const d2b = tab(sTDrop, k, y - h + 1);
    if (d2b > d2) d2 = d2b;
    if (y - h >= x) {
      const c = blockMax(x, y - h) - zb;
      if (c > d2) d2 = c;
    }
    if (d2 > d) d = d2;
    if (max1 - min2 > d) d = max1 - min2;
    if (max2 - min3 > d) d = max2 - min3;
    if (max2 > mx) mx = max2;
    if (min2 < mn) mn = min2;
  }
  qMax = mx;
  qMin = mn;
  return d;
}

// ---- accumulators (wasm globals: per instance, so workers sharing one memory never collide) ----
let tsErr: f64 = 0;
/** sum + x, with the rounding error of the addition in tsErr (TwoSum). */
// @ts-ignore: decorator
@inline function twoSum(sum: f64, x: f64): f64 {
  const s = sum + x;
  const bp = s - sum;
  tsErr = (sum - (s - bp)) + (x - bp);
  return s;
}

// gross (g) and net (n) moment accumulators: count, running mean + M2 (Chan / Welford merges),
// compensated sum, downside sum, sign counts, log growth.
let gN: f64 = 0; let gMean: f64 = 0; let gM2: f64 = 0; let gSum: f64 = 0; let gSumC: f64 = 0;
let gDown: f64 = 0; let gDownC: f64 = 0; let gPos: f64 = 0; let gNeg: f64 = 0; let gLog: f64 = 0; let gLogC: f64 = 0;
let nN: f64 = 0; let nMean: f64 = 0; let nM2: f64 = 0; let nSum: f64 = 0; let nSumC: f64 = 0;
let nDown: f64 = 0; let nDownC: f64 = 0; let nPos: f64 = 0; let nNeg: f64 = 0; let nLog: f64 = 0; let nLogC: f64 = 0;
// drawdown state of the net equity, in log space: peak and worst log-drop.
let peakLog: f64 = 0; let worstLog: f64 = 0;

function resetAccumulators(): void {
  gN = 0; gMean = 0; gM2 = 0; gSum = 0; gSumC = 0; gDown = 0; gDownC = 0; gPos = 0; gNeg = 0; gLog = 0; gLogC = 0;
  nN = 0; nMean = 0; nM2 = 0; nSum = 0; nSumC = 0; nDown = 0; nDownC = 0; nPos = 0; nNeg = 0; nLog = 0; nLogC = 0;
  peakLog = 0; worstLog = 0;
}

/**
 * log(1 + x), accurate to ~2 ulp: the odd atanh series 2u(1 + u^2/3 + ... + u^8/9), u = x / (2 + x),
 * when |x| <= 1/64 (truncation < 1e-21 relative; change-bar returns are almost always this small),
 * Math.log1p otherwise. About 4x cheaper than the library log1p on the hot path.
 */
function fastLog1p(x: f64): f64 {
  if (!(Math.abs(x) <= 0.015625)) return Math.log1p(x);
  const u = x / (2.0 + x);
  const u2 = u * u;
  return 2.0 * u * (1.0 + u2 * (1.0 / 3.0 + u2 * (0.2 + u2 * (1.0 / 7.0 + u2 * (1.0 / 9.0)))));
}

// @ts-ignore: decorator
@inline function rangeSum(a: usize, b: usize, hiSlot: i32, loSlot: i32): f64 {
  return (load<f64>(b + (<usize>hiSlot << 3)) - load<f64>(a + (<usize>hiSlot << 3)))
    + (load<f64>(b + (<usize>loSlot << 3)) - load<f64>(a + (<usize>loSlot << 3)));
}

/**
 * Bars a..b (inclusive, a <= b) all earn pos * r with pos constant and no cost: gross = net there.
 * Sums come from the prefix records, the centred second moment of the segment from
 * M2 = sum r^2 - (sum r)^2 / m (pos^2 = 1, shift-invariant), merged into the running moments by
 * Chan's parallel-variance formula, which never forms a raw sum of squares of the whole series.
 */
function plainSegment(hdr: usize, a: i32, b: i32, pos: f64, rf: f64): void {
  const m = <f64>(b - a + 1);
  let segSum: f64;
  let segMean: f64;
  let segM2: f64 = 0.0;
  let down: f64 = 0.0;
  let positive: f64 = 0.0;
  let negative: f64 = 0.0;
  let logGrowth: f64 = 0.0;
  if (pos == 0.0) {
    // x = 0 * r - rf = -rf on every bar (0 * r is +-0).
    segMean = -rf;
    segSum = -m * rf;
    if (rf > 0.0) { down = m * (rf * rf); negative = m; } else if (rf < 0.0) positive = m;
  } else {
    const rec = <usize>load<u32>(hdr + (<usize>HDR_REC << 2));
    const ra = rec + (<usize>a * <usize>REC_SLOTS << 3);
    const rb = rec + (<usize>(b + 1) * <usize>REC_SLOTS << 3);
    const s1 = rangeSum(ra, rb, REC_S1_HI, REC_S1_LO);
    const s2 = rangeSum(ra, rb, REC_S2_HI, REC_S2_LO);
    segSum = pos * s1 - m * rf;
    segMean = segSum / m;
    segM2 = s2 - s1 * (s1 / m);
    if (!(segM2 > 0.0)) segM2 = 0.0;
    let baseLog: f64;
    if (pos > 0.0) {
      down = rangeSum(ra, rb, REC_DL_HI, REC_DL_LO);
      positive = load<f64>(rb, REC_POS_L << 3) - load<f64>(ra, REC_POS_L << 3);
      negative = load<f64>(rb, REC_NEG_L << 3) - load<f64>(ra, REC_NEG_L << 3);
      logGrowth = rangeSum(ra, rb, REC_LL_HI, REC_LL_LO);
      baseLog = load<f64>(ra, REC_LL_HI << 3);
      selectSide(hdr, HDR_LONG);
    } else {
      down = rangeSum(ra, rb, REC_DS_HI, REC_DS_LO);
      positive = load<f64>(rb, REC_POS_S << 3) - load<f64>(ra, REC_POS_S << 3);
      negative = load<f64>(rb, REC_NEG_S << 3) - load<f64>(ra, REC_NEG_S << 3);
      logGrowth = rangeSum(ra, rb, REC_LS_HI, REC_LS_LO);
      baseLog = load<f64>(ra, REC_LS_HI << 3);
      selectSide(hdr, HDR_SHORT);
    }
    // Net equity after bar t in [a, b] is exp(G + lp[t + 1] - lp[a]): drawdown against the
    // running peak (via the segment min), inside the segment (max-drop), then the new peak.
    const g = nLog + nLogC - baseLog;
    const drop = rangeQuery(a + 1, b + 1, worstLog);
    const fall = peakLog - (g + qMin);
    if (fall > worstLog) worstLog = fall;
    if (drop > worstLog) worstLog = drop;
    if (g + qMax > peakLog) peakLog = g + qMax;
  }
  // Chan merge of (m, segMean, segM2) into both accumulators.
  let total = gN + m;
  let delta = segMean - gMean;
  gM2 += segM2 + delta * delta * (gN * m / total);
  gMean += delta * (m / total);
  gN = total;
  total = nN + m;
  delta = segMean - nMean;
  nM2 += segM2 + delta * delta * (nN * m / total);
  nMean += delta * (m / total);
  nN = total;
  gSum = twoSum(gSum, segSum); gSumC += tsErr;
  nSum = twoSum(nSum, segSum); nSumC += tsErr;
  gDown = twoSum(gDown, down); gDownC += tsErr;
  nDown = twoSum(nDown, down); nDownC += tsErr;
  gLog = twoSum(gLog, logGrowth); gLogC += tsErr;
  nLog = twoSum(nLog, logGrowth); nLogC += tsErr;
  gPos += positive; gNeg += negative;
  nPos += positive; nNeg += negative;
}

/** One change bar: gross return R (pos_{t-1} r_t) and net R - cost, each a single observation. */
function changeBar(gross: f64, net: f64, rf: f64): void {
  let x = gross - rf;
  gN += 1.0;
  let delta = x - gMean;
  gMean += delta / gN;
  gM2 += delta * (x - gMean);
  gSum = twoSum(gSum, x); gSumC += tsErr;
  if (x < 0.0) { gDown = twoSum(gDown, x * x); gDownC += tsErr; gNeg += 1.0; } else if (x > 0.0) gPos += 1.0;
  gLog = twoSum(gLog, fastLog1p(gross)); gLogC += tsErr;
  x = net - rf;
  nN += 1.0;
  delta = x - nMean;
  nMean += delta / nN;
  nM2 += delta * (x - nMean);
  nSum = twoSum(nSum, x); nSumC += tsErr;
  if (x < 0.0) { nDown = twoSum(nDown, x * x); nDownC += tsErr; nNeg += 1.0; } else if (x > 0.0) nPos += 1.0;
  nLog = twoSum(nLog, fastLog1p(net)); nLogC += tsErr;
  const g = nLog + nLogC;
  const fall = peakLog - g;
  if (fall > worstLog) worstLog = fall;
  if (g > peakLog) peakLog = g;
}

function writeMoments(outPtr: usize, n: f64, sum: f64, m2: f64, down: f64, pos: f64, neg: f64, logGrowth: f64): void {
  store<f64>(outPtr, n);
  store<f64>(outPtr, n > 0 ? sum / n : NaN, 8);
  store<f64>(outPtr, n >= 2 ? Math.sqrt(m2 / (n - 1.0)) : NaN, 16);
  store<f64>(outPtr, n > 0 ? Math.sqrt(down / n) : NaN, 24);
  store<f64>(outPtr, pos, 32);
  store<f64>(outPtr, neg, 40);
  store<f64>(outPtr, Math.expm1(logGrowth), 48);
  store<f64>(outPtr, m2, 56);
}

/** log growth of the trade bars s+1..e on one side: lp[e + 1] - lp[s + 1], double-double. */
function tradeLog(hdr: usize, pos: f64, s: i32, e: i32): f64 {
  const rec = <usize>load<u32>(hdr + (<usize>HDR_REC << 2));
  const ra = rec + (<usize>(s + 1) * <usize>REC_SLOTS << 3);
  const rb = rec + (<usize>(e + 1) * <usize>REC_SLOTS << 3);
  return pos > 0.0 ? rangeSum(ra, rb, REC_LL_HI, REC_LL_LO) : rangeSum(ra, rb, REC_LS_HI, REC_LS_LO);
}

// ---- software prefetch: memory-level parallelism for the change loop ----
// wasm has no prefetch instruction. The change loop's loads form dependent chains (idx -> record,
// mask -> ctz -> lp) and each change executes hundreds of instructions, so out-of-order execution
// overlaps few of its cache misses. Every PREFETCH_GROUP changes, the loop first touches the cache
// lines the next group will read (records at t and t + 1, returns, the side's masks and in-block
// drops): a burst of independent loads whose misses overlap. The loaded bits go to a global sink so
// the loads are not optimised away.
const PREFETCH_GROUP: i32 = 8;
const PREFETCH_AHEAD: i32 = 16;
let sink: u64 = 0;
let laRow: i32 = 0;
let laPos: f64 = 0.0;
let laPrevT: i32 = -1;

function prefetchRows(hdr: usize, idxPtr: usize, valPtr: usize, to: i32, sqrtModel: bool): void {
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  const rec = <usize>load<u32>(hdr + (<usize>HDR_REC << 2));
  const retPtr = <usize>load<u32>(hdr + (<usize>HDR_RET << 2));
  let acc: u64 = 0;
  for (; laRow < to; laRow++) {
    const t = load<i32>(idxPtr + (<usize>laRow << 2));
    const v = load<f64>(valPtr + (<usize>laRow << 3));
    if (t < 0 || t >= n || v == laPos) continue;
    const r0 = rec + (<usize>t * <usize>REC_SLOTS << 3);
    acc ^= load<u64>(r0) ^ load<u64>(r0, 64) ^ load<u64>(r0, 128) ^ load<u64>(r0, 192);
    acc ^= load<u64>(retPtr + (<usize>t << 3));
    if (sqrtModel) {
      acc ^= load<u64>(<usize>load<u32>(hdr + (<usize>HDR_CLOSE << 2)) + (<usize>t << 3));
      acc ^= load<u64>(<usize>load<u32>(hdr + (<usize>HDR_VOLUME << 2)) + (<usize>t << 3));
      acc ^= load<u64>(<usize>load<u32>(hdr + (<usize>HDR_SIGMA << 2)) + (<usize>t << 3));
    }
    if (laPos != 0.0) {
      const side = hdr + (<usize>(laPos > 0.0 ? HDR_LONG : HDR_SHORT) << 2);
      const at = <usize>t << 3;
      acc ^= load<u64>(<usize>load<u32>(side) + at);              // lp
      acc ^= load<u64>(<usize>load<u32>(side, 4) + at);           // maskMin
      acc ^= load<u64>(<usize>load<u32>(side, 8) + at);           // maskMax
      acc ^= load<u64>(<usize>load<u32>(side, 12) + at);          // dropPre
      const a = laPrevT + 2;
      if (a < t) {
        const e1 = ((a >> BLOCK_BITS) << BLOCK_BITS) + BLOCK - 1;
        if (e1 < t) {
          acc ^= load<u64>(<usize>load<u32>(side, 4) + (<usize>e1 << 3));
          acc ^= load<u64>(<usize>load<u32>(side, 8) + (<usize>e1 << 3));
          acc ^= load<u64>(<usize>load<u32>(side, 16) + (<usize>a << 3)); // dropSuf
        }
      }
    }
    laPos = v;
    laPrevT = t;
  }
  sink ^= acc;
}

/**
 * Aggregates of one strategy with positions in {-1, 0, 1}, in O(K) (each range query O(1), a
 * drop scan inside one 64-bar block only when it could set a new maximum drawdown).
 *
 * Timing and costs exactly as assembly/costs.ts strategyReturns: at a change bar t from p to v,
 *   gross_t = p * r_t;  cost_t = |v - p| * unit_t;  net_t = gross_t - cost_t
 * with unit_t = commission + slippage (linear) or commission + k * sigma_t * sqrt(|v - p| * capital /
 * (close_t * volume_t)) (sqrt), evaluated with the same floating-point operations. Bars between
 * changes earn p * r with no cost; their moments come from the prefix records, their compounding
 * from the log1p(+-r) prefixes, their drawdown from the range tables. Trades as
 * assembly/trades.ts: entry leg |v| * unit, exit leg |p| * unit, net = (1 - entry) * growth * (1 - exit) - 1,
 * evaluated like the dense kernel as a product minus 1 (growth = exp of the log1p prefix difference).
 *
 * Rows whose value equals the current position are no change (no cost, no trade split).
 * Outputs: outPtr f64[OUT_SLOTS]; startPtr/endPtr i32, grossPtr/netPtr f64, capacity k each (0 to skip).
 * Returns a status code (SPARSE_*). SPARSE_CONSTANT: with rf != 0 a series with zero variance
 * (e.g. never in the market) is constant -rf; the dense two-pass std of a constant series is
 * rounding noise rather than 0, so the caller must use the dense path to agree with it.
 */
export function sparseMetrics(
  hdr: usize, rf: f64, idxPtr: usize, valPtr: usize, k: i32,
  model: i32, commissionRate: f64, slippageRate: f64, impactCoefficient: f64, capital: f64,
  outPtr: usize, startPtr: usize, endPtr: usize, grossPtr: usize, netPtr: usize,
): i32 {
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  const retPtr = <usize>load<u32>(hdr + (<usize>HDR_RET << 2));
  const closePtr = <usize>load<u32>(hdr + (<usize>HDR_CLOSE << 2));
  const volumePtr = <usize>load<u32>(hdr + (<usize>HDR_VOLUME << 2));
  const sigmaPtr = <usize>load<u32>(hdr + (<usize>HDR_SIGMA << 2));
  const linearUnit = commissionRate + slippageRate;
  resetAccumulators();
  const sqrtModel = model == SLIPPAGE_SQRT;
  laRow = 0; laPos = 0.0; laPrevT = -1;
  prefetchRows(hdr, idxPtr, valPtr, k < PREFETCH_AHEAD ? k : PREFETCH_AHEAD, sqrtModel);
  let pos: f64 = 0.0;
  let segStart: i32 = 0;
  let previousIdx: i32 = -1;
  let totalCosts: f64 = 0.0;
  let totalCostsC: f64 = 0.0;
  let trades: i32 = 0;
  let tradeStart: i32 = 0;
  let entryFactor: f64 = 1.0;
  let durationSum: f64 = 0.0;
  for (let j: i32 = 0; j < k; j++) {
    if ((j & (PREFETCH_GROUP - 1)) == 0) {
      const to = j + PREFETCH_AHEAD + PREFETCH_GROUP;
      prefetchRows(hdr, idxPtr, valPtr, to < k ? to : k, sqrtModel);
    }
    const t = load<i32>(idxPtr + (<usize>j << 2));
    if (t <= previousIdx || t >= n) { store<f64>(outPtr, <f64>j, OUT_DETAIL << 3); return SPARSE_BAD_ROW; }
    previousIdx = t;
    const v = load<f64>(valPtr + (<usize>j << 3));
    if (!(v == 0.0 || v == 1.0 || v == -1.0)) { store<f64>(outPtr, <f64>j, OUT_DETAIL << 3); return SPARSE_NOT_UNIT; }
    if (v == pos) continue;
    if (segStart < t) plainSegment(hdr, segStart, t - 1, pos, rf);
    const offset = <usize>t << 3;
    let r = load<f64>(retPtr + offset);
    if (r != r) r = 0.0;
    const gross = pos * r;
    const traded = Math.abs(v - pos);
    let cost: f64;
    if (model == SLIPPAGE_SQRT) {
      const close = load<f64>(closePtr + offset);
      const volume = load<f64>(volumePtr + offset);
      if (!(close > 0.0) || !(volume > 0.0)) { store<f64>(outPtr, <f64>t, OUT_DETAIL << 3); return SPARSE_UNPRICED; }
      const sigma = load<f64>(sigmaPtr + offset);
      cost = traded * (commissionRate + impactCoefficient * sigma * Math.sqrt(traded * capital / (close * volume)));
    } else {
      cost = traded * linearUnit;
    }
    const net = gross - cost;
    if (!(net > -1.0)) { store<f64>(outPtr, <f64>t, OUT_DETAIL << 3); return SPARSE_RUIN; }
    changeBar(gross, net, rf);
    totalCosts = twoSum(totalCosts, cost); totalCostsC += tsErr;
    const unit = cost / traded;
    if (pos != 0.0) {
      const exitLeg = Math.abs(pos) * unit;
      if (!(exitLeg < 1.0)) { store<f64>(outPtr, <f64>t, OUT_DETAIL << 3); return SPARSE_RUIN; }
      const growth = tradeLog(hdr, pos, tradeStart, t);
      if (startPtr != 0) store<i32>(startPtr + (<usize>trades << 2), tradeStart);
      if (endPtr != 0) store<i32>(endPtr + (<usize>trades << 2), t);
      const factor = Math.exp(growth);
      if (grossPtr != 0) store<f64>(grossPtr + (<usize>trades << 3), factor - 1.0);
      if (netPtr != 0) store<f64>(netPtr + (<usize>trades << 3), entryFactor * factor * (1.0 - exitLeg) - 1.0);
      durationSum += <f64>(t - tradeStart);
      trades++;
    }
    if (v != 0.0) {
      const entryLeg = Math.abs(v) * unit;
      if (!(entryLeg < 1.0)) { store<f64>(outPtr, <f64>t, OUT_DETAIL << 3); return SPARSE_RUIN; }
      tradeStart = t;
      entryFactor = 1.0 - entryLeg;
    }
    pos = v;
    segStart = t + 1;
  }
  if (segStart < n) plainSegment(hdr, segStart, n - 1, pos, rf);
  if (pos != 0.0) {
    const growth = tradeLog(hdr, pos, tradeStart, n - 1);
    if (startPtr != 0) store<i32>(startPtr + (<usize>trades << 2), tradeStart);
    if (endPtr != 0) store<i32>(endPtr + (<usize>trades << 2), n - 1);
    const factor = Math.exp(growth);
    if (grossPtr != 0) store<f64>(grossPtr + (<usize>trades << 3), factor - 1.0);
    if (netPtr != 0) store<f64>(netPtr + (<usize>trades << 3), entryFactor * factor - 1.0);
    durationSum += <f64>(n - 1 - tradeStart);
    trades++;
  }
  writeMoments(outPtr + (<usize>OUT_NET << 3), nN, nSum + nSumC, nM2, nDown + nDownC, nPos, nNeg, nLog + nLogC);
  writeMoments(outPtr + (<usize>OUT_GROSS << 3), gN, gSum + gSumC, gM2, gDown + gDownC, gPos, gNeg, gLog + gLogC);
  store<f64>(outPtr, -Math.expm1(-worstLog), OUT_MAX_DRAWDOWN << 3);
  store<f64>(outPtr, totalCosts + totalCostsC, OUT_TOTAL_COSTS << 3);
  store<f64>(outPtr, durationSum, OUT_EXPOSURE_BARS << 3);
  store<f64>(outPtr, durationSum, OUT_DURATION_SUM << 3);
  store<f64>(outPtr, <f64>trades, OUT_TRADE_COUNT << 3);
  store<u64>(outPtr, sink, 22 << 3); // keeps the prefetch loads alive; not a result
  if (rf != 0.0 && n >= 2 && (gM2 == 0.0 || nM2 == 0.0)) return SPARSE_CONSTANT;
  return SPARSE_OK;
}
