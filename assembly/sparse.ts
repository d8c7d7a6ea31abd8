// Change-proportional strategy metrics: O(K) for K position changes, from the market index tables
// of assembly/prefix.ts. The dense reference is expand -> strategyReturns -> moments -> maxDrawdown
// -> extractTrades; this kernel produces the same aggregates without touching the bars in between.
//
// Cost model of the hot loop (one change at bar t, position p -> v):
// - memory: ONE 128-byte prefix record (position t + 1: sums over bars < t + 1, r_t, the sqrt-law
//   factor of bar t, sign counts); the record of the segment start is the previous change's, still
//   in cache. Records of upcoming changes are touched in bursts ahead of use so their misses overlap.
//   Drawdown reads one 64-byte block summary per 64 bars (sequential) and scans the side's log
//   prefix only when the segment could set a new peak or a new max drawdown.
// - compute: no division, log or exp on the plain bars. Moments are shifted raw sums (y = x + rf:
//   sum y, sum y^2, compensated) instead of per-segment Chan merges; the net series differs from the
//   gross one only at change bars, so net sums are gross sums plus a per-change correction. One
//   short-series log per change (the cost's log factor), one short-series exp per trade.

import {
  BLOCK_BITS, BLK_MAX_L, BLK_MAX_S, REC_S1_HI, REC_S1_LO, REC_S2_HI, REC_S2_LO, REC_DL_HI, REC_DL_LO, REC_DS_HI, REC_DS_LO,
  REC_LL_HI, REC_LL_LO, REC_LS_HI, REC_LS_LO, REC_R, REC_W, REC_CNT_L, REC_CNT_S,
} from './prefix';
import { SLIPPAGE_SQRT } from './costs';

/** u32 slots of the market index header (mirrored in src/kernels/sparse.ts). */
export const HDR_N: i32 = 0;
export const HDR_REC: i32 = 1;
export const HDR_CLOSE: i32 = 2;
export const HDR_VOLUME: i32 = 3;
export const HDR_SIGMA: i32 = 4;
export const HDR_RET: i32 = 5;
export const HDR_NB: i32 = 6;
export const HDR_LP_LONG: i32 = 7;
export const HDR_LP_SHORT: i32 = 8;
export const HDR_BLOCKS: i32 = 9;
export const HDR_SLOTS: i32 = 16;

/** f64 slots of the output block (moments blocks use assembly/moments.ts layout). */
export const OUT_NET: i32 = 0;            // 8 slots
export const OUT_GROSS: i32 = 8;          // 8 slots
export const OUT_MAX_DRAWDOWN: i32 = 16;
export const OUT_TOTAL_COSTS: i32 = 17;
export const OUT_EXPOSURE_BARS: i32 = 18;
export const OUT_DURATION_SUM: i32 = 19;
export const OUT_TRADE_COUNT: i32 = 20;
export const OUT_DETAIL: i32 = 21;        // row or bar of a non-OK status
export const OUT_SINK: i32 = 22;          // not a result (keeps the look-ahead loads alive)
export const OUT_STATUS: i32 = 23;
// win / loss statistics of the trades' net returns, summed in trade order as tradeStats.ts winLossStats
export const OUT_WINS: i32 = 24;
export const OUT_LOSSES: i32 = 25;
export const OUT_SUM_WINS: i32 = 26;
export const OUT_SUM_LOSSES: i32 = 27;
export const OUT_LARGEST_WIN: i32 = 28;
export const OUT_LARGEST_LOSS: i32 = 29;
// diagnostics: drawdown scans made (immediate or of deferred candidates) and positions they read
export const OUT_SCANS: i32 = 30;
export const OUT_SCANNED: i32 = 31;
export const OUT_SLOTS: i32 = 32;

/** Status codes of sparseMetrics. */
export const SPARSE_OK: i32 = 0;
export const SPARSE_BAD_ROW: i32 = 1;       // unsorted / duplicated / out-of-range idx (detail = row)
export const SPARSE_NOT_UNIT: i32 = 2;      // a position outside {-1, 0, 1} (detail = row)
export const SPARSE_UNPRICED: i32 = 3;      // sqrt model: close or volume <= 0 at a change (detail = bar)
export const SPARSE_RUIN: i32 = 4;          // a net bar return or a trade cost leg <= -100 % (detail = bar)
export const SPARSE_CONSTANT: i32 = 5;      // rf != 0 and a zero-variance series (see sparseMetrics)

/**
 * Branch-free f64 select: cond ? a : b by integer masking of the bit patterns, so the engine cannot
 * turn it into a conditional branch (which mispredicts on random -1 / 0 / 1 change lists).
 * Bit-exact (the chosen value is passed through unchanged).
 */
// @ts-ignore: decorator
@inline function fsel(a: f64, b: f64, cond: bool): f64 {
  // (a mask blend: binaryen folds reinterpret(select(reinterpret a, reinterpret b)) back to an f64 select)
  const mask = -<i64>cond;
  return reinterpret<f64>((reinterpret<i64>(a) & mask) | (reinterpret<i64>(b) & ~mask));
}

/** min(x, 0) for finite x by masking with the sign (-0 for -0; squares equal those of x < 0 ? x : 0). */
// @ts-ignore: decorator
@inline function negPart(x: f64): f64 {
  const bits = reinterpret<i64>(x);
  return reinterpret<f64>(bits & (bits >> 63));
}

/** Rounding error of s = a + x (TwoSum); s must be fl(a + x). */
// @ts-ignore: decorator
@inline function sumErr(a: f64, x: f64, s: f64): f64 {
  const bp = s - a;
  return (a - (s - bp)) + (x - bp);
}

/** sum over prefix positions [a, b) of a double-double field: (hi[b] - hi[a]) + (lo[b] - lo[a]). */
// @ts-ignore: decorator
@inline function rangeSum(ra: usize, rb: usize, hiSlot: i32, loSlot: i32): f64 {
  return (load<f64>(rb + (<usize>hiSlot << 3)) - load<f64>(ra + (<usize>hiSlot << 3)))
    + (load<f64>(rb + (<usize>loSlot << 3)) - load<f64>(ra + (<usize>loSlot << 3)));
}

/**
 * exp(x) for the log growth of one trade: Taylor series to x^8 when |x| <= 1/32 (truncation
 * < 1e-19 relative; trades between changes are short), Math.exp otherwise.
 */
// @ts-ignore: decorator
@inline function tradeExp(x: f64): f64 {
  if (!(Math.abs(x) <= 0.03125)) return Math.exp(x);
  // Estrin's scheme (short dependency chains: the trade's factor is off the loop-carried path)
  const x2 = x * x;
  const x4 = x2 * x2;
  return ((1.0 + x) + x2 * (0.5 + x * (1.0 / 6.0))) + x4 * (((1.0 / 24.0) + x * (1.0 / 120.0))
    + x2 * ((1.0 / 720.0) + x * (1.0 / 5040.0)) + x4 * (1.0 / 40320.0));
}

/**
 * log((1 + net) / (1 + gross)) = log1p(-cost / (1 + gross)): the change bar's cost in log-equity.
 * With u = -cost / (2 + 2 gross - cost) it is the odd atanh series 2u(1 + u^2/3 + ... + u^8/9)
 * (one division) when cost <= (1 + gross) / 64 (truncation < 1e-21 relative), else log1p(net) - log1p(gross).
 */
// @ts-ignore: decorator
@inline function costLog(cost: f64, gross: f64, net: f64): f64 {
  const onePlus = 1.0 + gross;
  if (cost * 64.0 <= onePlus) {
    const u = -cost / (onePlus + onePlus - cost);
    const u2 = u * u;
    const u4 = u2 * u2;
    return 2.0 * u * ((1.0 + u2 * (1.0 / 3.0)) + u4 * ((0.2 + u2 * (1.0 / 7.0)) + u4 * (1.0 / 9.0)));
  }
  return Math.log1p(net) - Math.log1p(gross);
}

// ---- drawdown scan (rare: only when the block bounds cannot rule out a new peak or max drawdown) ----
let scanMax: f64 = 0.0;

/**
 * Max drop over the values lp[a..b] preceded by a running maximum `runMax` (the current peak in the
 * segment's frame), i.e. max(runMax - min, internal max-drop); the final running max in scanMax.
 * Whole blocks come from their summaries, partial blocks are scanned.
 */
let scans: i32 = 0;
let scanned: i32 = 0;
function scanDrop(lp: usize, blk: usize, slot: i32, a: i32, b: i32, runMax: f64): f64 {
  scans++; scanned += b - a + 1;
  let drop: f64 = 0.0;
  let i = a;
  while (i <= b) {
    const x = i >> BLOCK_BITS;
    const first = x << BLOCK_BITS;
    const last = first + (1 << BLOCK_BITS) - 1;
    if (i == first && last <= b) {
      const s = blk + (<usize>x << 6) + (<usize>slot << 3);
      const bMax = load<f64>(s);
      const d = runMax - load<f64>(s, 8);
      if (d > drop) drop = d;
      const bDrop = load<f64>(s, 16);
      if (bDrop > drop) drop = bDrop;
      if (bMax > runMax) runMax = bMax;
      i = last + 1;
    } else {
      const e = last < b ? last : b;
      for (; i <= e; i++) {
        const v = load<f64>(lp + (<usize>i << 3));
        if (v > runMax) runMax = v;
        const d = runMax - v;
        if (d > drop) drop = d;
      }
    }
  }
  scanMax = runMax;
  return drop;
}

/** Drops the deferred candidates whose bound the max drawdown has passed; returns the new count. */
function compactCandidates(candPtr: usize, count: i32, worst: f64): i32 {
  let kept: i32 = 0;
  for (let c: i32 = 0; c < count; c++) {
    const src = candPtr + (<usize>c << 5);
    if (load<f64>(src, 24) > worst) {
      if (kept != c) memory.copy(candPtr + (<usize>kept << 5), src, 32);
      kept++;
    }
  }
  return kept;
}

/** Exact contribution of a deferred drawdown candidate {a, b, slot, runMax0, bound} (32 bytes). */
function resolveCandidate(cand: usize, lpLong: usize, lpShort: usize, blk: usize): f64 {
  const slot = load<i32>(cand, 8);
  return scanDrop(slot == BLK_MAX_L ? lpLong : lpShort, blk, slot, load<i32>(cand), load<i32>(cand, 4), load<f64>(cand, 16));
}

/** Second moment about the mean, sum y^2 - (sum y)^2 / n, in double-double (once per strategy). */
function centredSquares(y1h: f64, y1l: f64, y2h: f64, y2l: f64, n: f64): f64 {
  if (n <= 0.0) return 0.0;
  const h = y1h + y1l;
  const l = y1l - (h - y1h);
  // h * h exactly (Veltkamp split), plus the cross term
  const c = 134217729.0 * h;
  const hh = c - (c - h);
  const hl = h - hh;
  const p = h * h;
  const pe = ((hh * hh - p) + 2.0 * hh * hl) + hl * hl + 2.0 * h * l;
  const qh = p / n;
  const cq = 134217729.0 * qh;
  const qhh = cq - (cq - qh);
  const qhl = qh - qhh;
  const cn = 134217729.0 * n;
  const nh = cn - (cn - n);
  const nl = n - nh;
  const th = qh * n;
  const tl = ((qhh * nh - th) + qhh * nl + qhl * nh) + qhl * nl;
  const ql = (((p - th) - tl) + pe) / n;
  const s = y2h - qh;
  const m2 = s + (sumErr(y2h, -qh, s) + (y2l - ql));
  return m2 > 0.0 ? m2 : 0.0;
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

// ---- look-ahead: memory-level parallelism for the change loop ----
// wasm has no prefetch instruction, and a change executes ~100 instructions, so out-of-order
// execution overlaps few of the records' cache misses on its own. Every LOOK_GROUP changes the loop
// first loads (into a sink) both cache lines of the records the changes LOOK_AHEAD rows ahead will
// read: a burst of independent loads whose misses overlap.
const LOOK_GROUP: i32 = 16;
const LOOK_AHEAD: i32 = 32;

// ---- resumable per-strategy state (one 256-byte block per strategy, in caller scratch) ----
// The change loop runs over a bar window [.., tileEnd) and can be resumed: the batch kernel walks
// the bar axis window by window and runs every strategy of the batch over each window, so a
// window of the index is read from memory once per batch instead of once per strategy.
export const STATE_BYTES: i32 = 256;
/** Prefetch modes of sparseMetricsBatch (mirrored in src/kernels/sparse.ts). */
export const PREFETCH_NONE: i32 = 0;
export const PREFETCH_LOOK_AHEAD: i32 = 1;
export const PREFETCH_WINDOW: i32 = 2;
const ST_Y1: i32 = 0;
const ST_Y1C: i32 = 8;
const ST_Y2: i32 = 16;
const ST_DG: i32 = 24;
const ST_LG: i32 = 32;
const ST_LGC: i32 = 40;
const ST_C1: i32 = 48;
const ST_Q2: i32 = 56;
const ST_DN: i32 = 64;
const ST_ADJ: i32 = 72;
const ST_PEAK: i32 = 80;
const ST_WORST: i32 = 88;
const ST_ENTRY: i32 = 96;
const ST_POS: i32 = 104;
const ST_SUM_WINS: i32 = 112;
const ST_SUM_LOSSES: i32 = 120;
const ST_LARGEST_WIN: i32 = 128;
const ST_LARGEST_LOSS: i32 = 136;
const ST_SINK: i32 = 144;
const ST_POS_G: i32 = 160;
const ST_NEG_G: i32 = 164;
const ST_POS_ADJ: i32 = 168;
const ST_NEG_ADJ: i32 = 172;
const ST_TRADES: i32 = 176;
const ST_TRADE_START: i32 = 180;
const ST_DURATION: i32 = 184;
const ST_SEG_START: i32 = 188;
const ST_PREV_IDX: i32 = 192;
const ST_ROW: i32 = 196;
const ST_CAND: i32 = 200;
const ST_WINS: i32 = 204;
const ST_LOSSES: i32 = 208;
const ST_STATUS: i32 = 212;
const ST_SCANS: i32 = 216;
const ST_SCANNED: i32 = 220;
const ST_LOOK: i32 = 224;
const ST_DETAIL: i32 = 228;

function initState(st: usize): void {
  memory.fill(st, 0, <usize>STATE_BYTES);
  store<f64>(st, 1.0, ST_ENTRY);
  store<f64>(st, -Infinity, ST_LARGEST_WIN);
  store<f64>(st, Infinity, ST_LARGEST_LOSS);
  store<i32>(st, -1, ST_PREV_IDX);
}

// cost parameters of the current call (set once per kernel call)
let gModel: i32 = 0;
let gCommission: f64 = 0;
let gSlippage: f64 = 0;
let gImpact: f64 = 0;
let gCapital: f64 = 0;
let gRf: f64 = 0;

/**
 * Aggregates of one strategy with positions in {-1, 0, 1}, in O(K).
 *
 * Timing and costs exactly as assembly/costs.ts strategyReturns: at a change bar t from p to v,
 *   gross_t = p * r_t;  cost_t = |v - p| * unit_t;  net_t = gross_t - cost_t
 * with unit_t = commission + slippage (linear) or commission + k * sigma_t * sqrt(|v - p| * capital /
 * (close_t * volume_t)) (sqrt; evaluated as k * W_t * sqrt(|v - p| * capital), W = sigma / sqrt(close * volume)
 * precomputed per bar, a few ulps from the dense order of operations). Bars t_j + 1 .. t_{j+1} all
 * earn p_j * r gross (the change bar included); their sums come from the prefix records at
 * t_j + 1 and t_{j+1} + 1. The net series equals the gross one except at change bars, where
 * net sums get the correction of gross_t -> net_t. Moments are formed from the shifted raw sums
 * y = x + rf: sum y and sum y^2 (compensated), M2 = sum y^2 - (sum y)^2 / n in double-double.
 * Net compounding and drawdown run in log space: the log prefix of the side plus, per change,
 * log((1 + net_t) / (1 + gross_t)). Trades as assembly/trades.ts: entry leg |v| * unit, exit leg
 * |p| * unit, net = (1 - entry) * growth * (1 - exit) - 1 with growth = exp of the segment's log
 * growth (with unit positions every change closes the open trade, so a trade is one segment).
 *
 * Rows whose value equals the current position are no change (no cost, no trade split).
 * Outputs: outPtr f64[OUT_SLOTS]; startPtr/endPtr i32, grossPtr f64, netPtr f64, capacity k + 1
 * each (0 to skip; the win / loss statistics of the trades are in the block either way).
 * statePtr: STATE_BYTES of scratch. scratchPtr: 32 * (k + 1) bytes for deferred drawdown candidates
 * (a smaller buffer works, more slowly; 0 bytes scans every candidate segment at once).
 * Returns a status code (SPARSE_*), also written to OUT_STATUS. SPARSE_CONSTANT: with rf != 0 a
 * series with zero variance (e.g. never in the market) is constant -rf; the dense two-pass std of a
 * constant series is rounding noise rather than 0, so the caller must use the dense path to agree with it.
 */
export function sparseMetrics(
  hdr: usize, rf: f64, idxPtr: usize, valPtr: usize, k: i32,
  model: i32, commissionRate: f64, slippageRate: f64, impactCoefficient: f64, capital: f64,
  outPtr: usize, startPtr: usize, endPtr: usize, grossPtr: usize, netPtr: usize, statePtr: usize, scratchPtr: usize, scratchBytes: i32,
): i32 {
  gModel = model; gCommission = commissionRate; gSlippage = slippageRate; gImpact = impactCoefficient; gCapital = capital; gRf = rf;
  initState(statePtr);
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  let status = stepStrategy(statePtr, hdr, idxPtr, valPtr, k, n, startPtr, endPtr, grossPtr, netPtr, scratchPtr, scratchBytes >> 5, true);
  if (status == SPARSE_OK) status = finishStrategy(statePtr, hdr, outPtr, startPtr, endPtr, grossPtr, netPtr, scratchPtr);
  else store<f64>(outPtr, <f64>load<i32>(statePtr, ST_DETAIL), OUT_DETAIL << 3);
  store<f64>(outPtr, <f64>status, OUT_STATUS << 3);
  return status;
}

/**
 * sparseMetrics for S strategies over one market in one call, tiled over the bar axis: for each
 * window of `tileBars` bars (0: all bars at once, i.e. strategy after strategy) every strategy
 * advances through its changes inside the window, its state kept in statePtr + s * STATE_BYTES, so
 * the window's prefix records are read from memory once per batch (and from cache by the other
 * strategies). Strategy s has rows offsets[s] .. offsets[s + 1] of idxPtr / valPtr and writes
 * outPtr + s * OUT_SLOTS f64 (its status in OUT_STATUS). scratchPtr + s * scratchBytesEach:
 * its deferred drawdown candidates (32 bytes each; a small buffer is correct, only slower).
 * `prefetch`: PREFETCH_NONE; PREFETCH_LOOK_AHEAD (each strategy loads the records of its upcoming
 * changes ahead of use); PREFETCH_WINDOW (one sequential pass over each window's records and block
 * summaries before the strategies run over it).
 * Returns the number of strategies whose status is not SPARSE_OK. Results equal sparseMetrics bit for bit.
 */
export function sparseMetricsBatch(
  hdr: usize, rf: f64, idxPtr: usize, valPtr: usize, offsetsPtr: usize, strategies: i32,
  model: i32, commissionRate: f64, slippageRate: f64, impactCoefficient: f64, capital: f64, outPtr: usize,
  statePtr: usize, scratchPtr: usize, scratchBytesEach: i32, tileBars: i32, prefetch: i32,
): i32 {
  gModel = model; gCommission = commissionRate; gSlippage = slippageRate; gImpact = impactCoefficient; gCapital = capital; gRf = rf;
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  const capacity = scratchBytesEach >> 5;
  for (let s: i32 = 0; s < strategies; s++) initState(statePtr + <usize>s * <usize>STATE_BYTES);
  const tile = tileBars > 0 ? tileBars : (n > 0 ? n : 1);
  let tileEnd: i32 = 0;
  const rec = <usize>load<u32>(hdr + (<usize>HDR_REC << 2));
  const blk = <usize>load<u32>(hdr + (<usize>HDR_BLOCKS << 2));
  let sink: u64 = 0;
  do {
    const tileStart = tileEnd;
    tileEnd = n - tileEnd > tile ? tileEnd + tile : n;
    if (prefetch == PREFETCH_WINDOW) {
      // one sequential pass over the window's records (positions tileStart + 1 .. tileEnd) and block
      // summaries: streamed at memory bandwidth, then every strategy finds them in cache
      let acc: u64 = 0;
      const r1 = rec + (<usize>(tileEnd + 1) << 7);
      for (let r = rec + ((<usize>tileStart + 1) << 7); r < r1; r += 128) acc ^= load<u64>(r) ^ load<u64>(r, 64);
      const b1 = blk + (<usize>((tileEnd >> BLOCK_BITS) + 1) << 6);
      for (let b = blk + (<usize>(tileStart >> BLOCK_BITS) << 6); b < b1; b += 64) acc ^= load<u64>(b);
      sink ^= acc;
    }
    for (let s: i32 = 0; s < strategies; s++) {
      const st = statePtr + <usize>s * <usize>STATE_BYTES;
      if (load<i32>(st, ST_STATUS) != SPARSE_OK) continue;
      const first = load<i32>(offsetsPtr + (<usize>s << 2));
      const end = load<i32>(offsetsPtr + (<usize>(s + 1) << 2));
      stepStrategy(st, hdr, idxPtr + (<usize>first << 2), valPtr + (<usize>first << 3), end - first, tileEnd,
        0, 0, 0, 0, scratchPtr + <usize>s * <usize>scratchBytesEach, capacity, prefetch == PREFETCH_LOOK_AHEAD);
    }
  } while (tileEnd < n);
  if (strategies > 0) store<u64>(statePtr, load<u64>(statePtr, ST_SINK) ^ sink, ST_SINK);
  let notOk: i32 = 0;
  for (let s: i32 = 0; s < strategies; s++) {
    const st = statePtr + <usize>s * <usize>STATE_BYTES;
    const out = outPtr + (<usize>s * <usize>OUT_SLOTS << 3);
    let status = load<i32>(st, ST_STATUS);
    if (status == SPARSE_OK) status = finishStrategy(st, hdr, out, 0, 0, 0, 0, scratchPtr + <usize>s * <usize>scratchBytesEach);
    else store<f64>(out, <f64>load<i32>(st, ST_DETAIL), OUT_DETAIL << 3);
    store<f64>(out, <f64>status, OUT_STATUS << 3);
    if (status != SPARSE_OK) notOk++;
  }
  return notOk;
}

/**
 * Advances one strategy through its rows at bars < tileEnd (tileEnd == n: to the end, including
 * the trailing segment). Returns (and stores) the status: SPARSE_OK or the error of a row.
 */
function stepStrategy(
  st: usize, hdr: usize, idxPtr: usize, valPtr: usize, k: i32, tileEnd: i32,
  startPtr: usize, endPtr: usize, grossPtr: usize, netPtr: usize, candPtr: usize, candCapacity: i32, prefetch: bool,
): i32 {
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  const rec = <usize>load<u32>(hdr + (<usize>HDR_REC << 2));
  const lpLong = <usize>load<u32>(hdr + (<usize>HDR_LP_LONG << 2));
  const lpShort = <usize>load<u32>(hdr + (<usize>HDR_LP_SHORT << 2));
  const blk = <usize>load<u32>(hdr + (<usize>HDR_BLOCKS << 2));
  const rf = gRf;
  const commissionRate = gCommission;
  const impactCoefficient = gImpact;
  const sqrtModel = gModel == SLIPPAGE_SQRT;
  const linearUnit = gCommission + gSlippage;
  const sqrtCapital1 = Math.sqrt(gCapital);
  const sqrtCapital2 = Math.sqrt(2.0 * gCapital);
  const capital = gCapital;
  const rfDown = rf > 0.0 ? rf * rf : 0.0;
  const rfPositive: i32 = <i32>(rf < 0.0);
  const rfNegative: i32 = <i32>(rf > 0.0);

  // gross sums over all bars (y = pos * r), compensated: sum y, sum y^2, downside, log growth
  let y1 = load<f64>(st, ST_Y1); let y1c = load<f64>(st, ST_Y1C);
  let y2 = load<f64>(st, ST_Y2);
  let dg = load<f64>(st, ST_DG);
  let lg = load<f64>(st, ST_LG); let lgc = load<f64>(st, ST_LGC);
  let posG = load<i32>(st, ST_POS_G); let negG = load<i32>(st, ST_NEG_G);
  // net = gross + corrections at change bars: costs, y^2, downside, sign counts
  let c1 = load<f64>(st, ST_C1);
  let q2 = load<f64>(st, ST_Q2);
  let dn = load<f64>(st, ST_DN);
  let posAdj = load<i32>(st, ST_POS_ADJ); let negAdj = load<i32>(st, ST_NEG_ADJ);
  // net log equity (compensated) and drawdown state in log space
  let adjSum = load<f64>(st, ST_ADJ);   // sum of the change bars' log((1 + net) / (1 + gross)); net log equity = lg + adjSum
  let peak = load<f64>(st, ST_PEAK);
  let worst = load<f64>(st, ST_WORST);
  // trades (win / loss sums in trade order, as tradeStats.ts winLossStats)
  let trades = load<i32>(st, ST_TRADES);
  let tradeStart = load<i32>(st, ST_TRADE_START);
  let entryFactor = load<f64>(st, ST_ENTRY);
  let durationSum = load<i32>(st, ST_DURATION);
  let wins = load<i32>(st, ST_WINS); let losses = load<i32>(st, ST_LOSSES);
  let sumWins = load<f64>(st, ST_SUM_WINS); let sumLosses = load<f64>(st, ST_SUM_LOSSES);
  let largestWin = load<f64>(st, ST_LARGEST_WIN); let largestLoss = load<f64>(st, ST_LARGEST_LOSS);
  let candCount = load<i32>(st, ST_CAND);
  scans = load<i32>(st, ST_SCANS); scanned = load<i32>(st, ST_SCANNED);

  let pos = load<f64>(st, ST_POS);
  let segStart = load<i32>(st, ST_SEG_START);
  let previousIdx = load<i32>(st, ST_PREV_IDX);
  let sink = load<u64>(st, ST_SINK);
  let look = load<i32>(st, ST_LOOK);
  const nU = <u32>n;
  let status: i32 = SPARSE_OK;
  let detail: i32 = 0;

  let j = load<i32>(st, ST_ROW);
  for (; j <= k; j++) {
    const last = j == k;
    let t: i32;
    let v: f64 = 0.0;
    let rb: usize;
    let lpEnd: i32;
    if (!last) {
      if (prefetch && (j & (LOOK_GROUP - 1)) == 0) {
        let to = j + LOOK_AHEAD + LOOK_GROUP;
        if (to > k) to = k;
        if (look < j + LOOK_AHEAD) look = j + LOOK_AHEAD < k ? j + LOOK_AHEAD : k;
        let acc: u64 = 0;
        for (; look < to; look++) {
          const u = load<u32>(idxPtr + (<usize>look << 2));
          if (u < nU) {
            const r0 = rec + ((<usize>u + 1) << 7);
            acc ^= load<u64>(r0) ^ load<u64>(r0, 64);
          }
        }
        sink ^= acc;
      }
      t = load<i32>(idxPtr + (<usize>j << 2));
      if (t >= tileEnd && t < n) break;    // the rest is in a later window
      if (t <= previousIdx || t >= n) { status = SPARSE_BAD_ROW; detail = j; break; }
      previousIdx = t;
      v = load<f64>(valPtr + (<usize>j << 3));
      // (bitwise or: a short-circuit || branches on the random value)
      if ((<i32>(v == 0.0) | <i32>(Math.abs(v) == 1.0)) == 0) { status = SPARSE_NOT_UNIT; detail = j; break; }
      if (v == pos) continue;
      rb = rec + ((<usize>t + 1) << 7);
      lpEnd = t;
    } else {
      if (tileEnd < n) break;              // the trailing segment belongs to the last window
      t = n - 1;
      rb = rec + (<usize>n << 7);
      lpEnd = n;
    }

    // ---- segment: bars segStart .. t (prefix positions segStart and t + 1), gross = pos * r ----
    // Branch-free over the position (random -1 / 0 / 1 would mispredict): the side's slots are
    // selected by offset, a flat segment multiplies the side's sums by 0.
    let growth: f64 = 0.0;
    if (segStart <= t) {
      const inMarket = Math.abs(pos);
      const inM = pos != 0.0;
      const inMi = <i32>inM;   // integer flags: f64 -> integer conversions are slow in V8 (range checks)
      const isLong = pos > 0.0;
      const longBit = <usize>isLong;  // side choices by arithmetic, not selects (no branch on the side)
      const sideOffset: usize = 16 - (longBit << 4);
      const ra = rec + (<usize>segStart << 7);
      const s1 = rangeSum(ra, rb, REC_S1_HI, REC_S1_LO);
      const s2 = rangeSum(ra, rb, REC_S2_HI, REC_S2_LO);
      const ras = ra + sideOffset;
      const rbs = rb + sideOffset;
      const down = inMarket * rangeSum(ras, rbs, REC_DL_HI, REC_DL_LO);
      growth = inMarket * rangeSum(ras, rbs, REC_LL_HI, REC_LL_LO);
      const lpa = load<f64>(ras, REC_LL_HI << 3);
      const cntOffset: usize = (<usize>REC_CNT_S << 3) - (longBit << 3);
      // the two u32 counts subtract independently: the low count never borrows (prefix counts only grow)
      const cnt = (load<u64>(rb + cntOffset) - load<u64>(ra + cntOffset)) * <u64>inMi;
      const py = pos * s1;
      const y2t = inMarket * s2;
      let s = y1 + py; y1c += sumErr(y1, py, s); y1 = s;
      y2 += y2t;
      // x = 0 * r - rf = -rf on every bar of a flat segment (0 * r is +-0)
      const flatBars = (1 - inMi) * (t + 1 - segStart);
      dg += down + <f64>flatBars * rfDown;
      posG += <i32>(<u32>cnt) + flatBars * rfPositive;
      negG += <i32>(<u32>(cnt >> 32)) + flatBars * rfNegative;
      {
        // Drawdown: net log equity after bar i of the segment (before the change bar's cost) is
        // o + lp[i + 1], o = E - lp[segStart]. Positions segStart .. lpEnd, against the running peak.
        // Branch-free over the position: a flat segment gets the bounds (-inf, +inf), so it neither
        // scans nor keeps a candidate; the first two blocks are read unconditionally.
        const slot = BLK_MAX_S - <i32>longBit * (BLK_MAX_S - BLK_MAX_L);
        const o = ((lg + lgc) + adjSum) - lpa;  // net log equity at the segment start minus lp[segStart]
        const runMax0 = peak - o;
        const ba = segStart >> BLOCK_BITS;
        const bb = lpEnd >> BLOCK_BITS;
        const sb0 = blk + (<usize>slot << 3);
        const sa = sb0 + (<usize>ba << 6);
        const sb1 = sa + (<usize>(bb > ba) << 6);
        const m0 = load<f64>(sa);
        const m1 = load<f64>(sb1);
        const n0 = load<f64>(sa, 8);
        const n1 = load<f64>(sb1, 8);
        // (the max bound only feeds a comparison: compared block by block, or-ed as integers)
        let mayPeak = <i32>(m0 > runMax0) | <i32>(m1 > runMax0);
        let lower = fsel(n1, n0, n1 < n0);
        for (let x = ba + 2; x <= bb; x++) {
          const sb = sb0 + (<usize>x << 6);
          const bMin = load<f64>(sb, 8);
          mayPeak |= <i32>(load<f64>(sb) > runMax0);
          lower = fsel(bMin, lower, bMin < lower);
        }
        const lp = lpShort + (lpLong - lpShort) * longBit;
        if ((mayPeak & inMi) != 0) {
          // the segment may set a new peak: exact max (and drop) now, later segments depend on it
          const drop = scanDrop(lp, blk, slot, segStart, lpEnd, runMax0);
          if (drop > worst) worst = drop;
          if (scanMax > runMax0) peak = o + scanMax;
        } else {
          // No new peak inside, so its only possible contribution is runMax0 - min: deferred. The
          // max drawdown is a max over segments; most candidates fall below the final value and are
          // never scanned (a falling equity sets a new low in most segments, but only the deepest counts).
          const bound = runMax0 - lower;
          if (candCount == candCapacity) {
            if (inM && bound > worst) {
              const drop = scanDrop(lp, blk, slot, segStart, lpEnd, runMax0);
              if (drop > worst) worst = drop;
              candCount = compactCandidates(candPtr, candCount, worst);
            }
          } else {
            const dst = candPtr + (<usize>candCount << 5);
            store<i32>(dst, segStart);
            store<i32>(dst, lpEnd, 4);
            store<i32>(dst, slot, 8);
            store<f64>(dst, runMax0, 16);
            store<f64>(dst, bound, 24);
            candCount += <i32>(bound > worst) & inMi;   // a flat segment's slot is overwritten
          }
        }
      }
      s = lg + growth; lgc += sumErr(lg, growth, s); lg = s;
    }
    if (last) { j++; break; }

    // ---- the change bar t: gross_t = pos * r_t is in the segment; net_t = gross_t - cost_t ----
    const gross = pos * load<f64>(rb, REC_R << 3);
    const traded = Math.abs(v - pos);
    let cost: f64;
    if (sqrtModel) {
      const w = load<f64>(rb, REC_W << 3);
      if (w == w) {
        cost = traded * (commissionRate + impactCoefficient * w * fsel(sqrtCapital1, sqrtCapital2, traded == 1.0));
      } else {
        const offset = <usize>t << 3;
        const close = load<f64>(<usize>load<u32>(hdr + (<usize>HDR_CLOSE << 2)) + offset);
        const volume = load<f64>(<usize>load<u32>(hdr + (<usize>HDR_VOLUME << 2)) + offset);
        if (!(close > 0.0) || !(volume > 0.0)) { status = SPARSE_UNPRICED; detail = t; break; }
        const sigma = load<f64>(<usize>load<u32>(hdr + (<usize>HDR_SIGMA << 2)) + offset);
        cost = traded * (commissionRate + impactCoefficient * sigma * Math.sqrt(traded * capital / (close * volume)));
      }
    } else {
      cost = traded * linearUnit;
    }
    const net = gross - cost;
    // (unit positions: traded in {1, 2}, so unit = cost / traded exactly, and |pos| = |v| = 1 when non-zero)
    const unit = cost * (1.5 - 0.5 * traded);   // traded 1: cost, 2: cost / 2 (exact; no select)
    if (!(net > -1.0) || !(unit < 1.0)) { status = SPARSE_RUIN; detail = t; break; }
    c1 += cost;
    q2 += -cost * (net + gross);                 // net^2 - gross^2
    const xg = gross - rf;
    const xn = net - rf;
    const mn = negPart(xn);
    const mg = negPart(xg);
    dn += mn * mn - mg * mg;
    posAdj += <i32>(xn > 0.0) - <i32>(xg > 0.0);
    negAdj += <i32>(xn < 0.0) - <i32>(xg < 0.0);
    if (cost != 0.0) adjSum += costLog(cost, gross, net);   // all <= 0: a plain sum is accurate
    const e = (lg + lgc) + adjSum;
    const fall = peak - e;
    worst = fsel(fall, worst, fall > worst);
    peak = fsel(e, peak, e > peak);

    // trades: the open one (if any) closes here (branch-free selects)
    const open = pos != 0.0;
    const factor = tradeExp(growth);
    const tradeNet = entryFactor * factor * (1.0 - unit) - 1.0;
    if (netPtr != 0) store<f64>(netPtr + (<usize>trades << 3), tradeNet);
    if (startPtr != 0) store<i32>(startPtr + (<usize>trades << 2), tradeStart);
    if (endPtr != 0) store<i32>(endPtr + (<usize>trades << 2), t);
    if (grossPtr != 0) store<f64>(grossPtr + (<usize>trades << 3), factor - 1.0);
    const isWin = open && tradeNet > 0.0;
    const isLoss = open && tradeNet < 0.0;
    wins += <i32>isWin;
    losses += <i32>isLoss;
    sumWins += fsel(tradeNet, 0.0, isWin);
    sumLosses += fsel(tradeNet, 0.0, isLoss);
    largestWin = fsel(tradeNet, largestWin, isWin && tradeNet > largestWin);
    largestLoss = fsel(tradeNet, largestLoss, isLoss && tradeNet < largestLoss);
    durationSum += <i32>open * (t - tradeStart);
    trades += <i32>open;
    const enter = v != 0.0;
    tradeStart += <i32>enter * (t - tradeStart);
    entryFactor = fsel(1.0 - unit, entryFactor, enter);
    pos = v;
    segStart = t + 1;
  }

  store<f64>(st, y1, ST_Y1); store<f64>(st, y1c, ST_Y1C); store<f64>(st, y2, ST_Y2); store<f64>(st, dg, ST_DG);
  store<f64>(st, lg, ST_LG); store<f64>(st, lgc, ST_LGC); store<f64>(st, c1, ST_C1); store<f64>(st, q2, ST_Q2);
  store<f64>(st, dn, ST_DN); store<f64>(st, adjSum, ST_ADJ); store<f64>(st, peak, ST_PEAK); store<f64>(st, worst, ST_WORST);
  store<f64>(st, entryFactor, ST_ENTRY); store<f64>(st, pos, ST_POS);
  store<f64>(st, sumWins, ST_SUM_WINS); store<f64>(st, sumLosses, ST_SUM_LOSSES);
  store<f64>(st, largestWin, ST_LARGEST_WIN); store<f64>(st, largestLoss, ST_LARGEST_LOSS);
  store<u64>(st, sink, ST_SINK);
  store<i32>(st, posG, ST_POS_G); store<i32>(st, negG, ST_NEG_G); store<i32>(st, posAdj, ST_POS_ADJ); store<i32>(st, negAdj, ST_NEG_ADJ);
  store<i32>(st, trades, ST_TRADES); store<i32>(st, tradeStart, ST_TRADE_START); store<i32>(st, durationSum, ST_DURATION);
  store<i32>(st, segStart, ST_SEG_START); store<i32>(st, previousIdx, ST_PREV_IDX); store<i32>(st, j, ST_ROW);
  store<i32>(st, candCount, ST_CAND); store<i32>(st, wins, ST_WINS); store<i32>(st, losses, ST_LOSSES);
  store<i32>(st, scans, ST_SCANS); store<i32>(st, scanned, ST_SCANNED); store<i32>(st, look, ST_LOOK);
  store<i32>(st, status, ST_STATUS); store<i32>(st, detail, ST_DETAIL);
  return status;
}

/** After the last window: the open trade, the deferred drawdown candidates and the output block. */
function finishStrategy(
  st: usize, hdr: usize, outPtr: usize, startPtr: usize, endPtr: usize, grossPtr: usize, netPtr: usize, candPtr: usize,
): i32 {
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  const rec = <usize>load<u32>(hdr + (<usize>HDR_REC << 2));
  const lpLong = <usize>load<u32>(hdr + (<usize>HDR_LP_LONG << 2));
  const lpShort = <usize>load<u32>(hdr + (<usize>HDR_LP_SHORT << 2));
  const blk = <usize>load<u32>(hdr + (<usize>HDR_BLOCKS << 2));
  const rf = gRf;
  const y1 = load<f64>(st, ST_Y1); const y1c = load<f64>(st, ST_Y1C);
  const y2 = load<f64>(st, ST_Y2);
  const dg = load<f64>(st, ST_DG);
  const lg = load<f64>(st, ST_LG); const lgc = load<f64>(st, ST_LGC);
  const posG = load<i32>(st, ST_POS_G); const negG = load<i32>(st, ST_NEG_G);
  const c1 = load<f64>(st, ST_C1);
  const q2 = load<f64>(st, ST_Q2);
  const dn = load<f64>(st, ST_DN);
  const posAdj = load<i32>(st, ST_POS_ADJ); const negAdj = load<i32>(st, ST_NEG_ADJ);
  const adjSum = load<f64>(st, ST_ADJ);
  let worst = load<f64>(st, ST_WORST);
  let trades = load<i32>(st, ST_TRADES);
  const tradeStart = load<i32>(st, ST_TRADE_START);
  const entryFactor = load<f64>(st, ST_ENTRY);
  let durationSum = load<i32>(st, ST_DURATION);
  let wins = load<i32>(st, ST_WINS); let losses = load<i32>(st, ST_LOSSES);
  let sumWins = load<f64>(st, ST_SUM_WINS); let sumLosses = load<f64>(st, ST_SUM_LOSSES);
  let largestWin = load<f64>(st, ST_LARGEST_WIN); let largestLoss = load<f64>(st, ST_LARGEST_LOSS);
  const candCount = load<i32>(st, ST_CAND);
  const pos = load<f64>(st, ST_POS);
  const segStart = load<i32>(st, ST_SEG_START);
  scans = load<i32>(st, ST_SCANS); scanned = load<i32>(st, ST_SCANNED);

  if (pos != 0.0) {
    // the open trade ends at the last bar, marked to market (growth of the trailing segment, 0 when empty)
    const growth = segStart < n ? trailingGrowth(rec, segStart, n, pos) : 0.0;
    const factor = tradeExp(growth);
    const tradeNet = entryFactor * factor - 1.0;
    if (startPtr != 0) store<i32>(startPtr + (<usize>trades << 2), tradeStart);
    if (endPtr != 0) store<i32>(endPtr + (<usize>trades << 2), n - 1);
    if (grossPtr != 0) store<f64>(grossPtr + (<usize>trades << 3), factor - 1.0);
    if (netPtr != 0) store<f64>(netPtr + (<usize>trades << 3), tradeNet);
    if (tradeNet > 0.0) { wins++; sumWins += tradeNet; if (tradeNet > largestWin) largestWin = tradeNet; }
    else if (tradeNet < 0.0) { losses++; sumLosses += tradeNet; if (tradeNet < largestLoss) largestLoss = tradeNet; }
    durationSum += n - 1 - tradeStart;
    trades++;
  }

  for (let c: i32 = candCount - 1; c >= 0; c--) {
    const cand = candPtr + (<usize>c << 5);
    if (load<f64>(cand, 24) > worst) {
      const drop = resolveCandidate(cand, lpLong, lpShort, blk);
      if (drop > worst) worst = drop;
    }
  }

  const nf = <f64>n;
  const shift = nf * rf;
  // gross: x = y - rf
  const gM2 = centredSquares(y1, y1c, y2, 0.0, nf);
  // net: sum y - costs, sum y^2 + (net^2 - gross^2) corrections
  let ny1 = y1 - c1;
  let ny1c = sumErr(y1, -c1, ny1) + y1c;
  let ny2 = y2 + q2;
  let ny2c = sumErr(y2, q2, ny2);
  const nM2 = centredSquares(ny1, ny1c, ny2, ny2c, nf);
  const netDown = dg + dn;
  const netDownC = sumErr(dg, dn, netDown);
  // moments block layout: OUT_NET first, then OUT_GROSS
  writeMoments(outPtr + (<usize>OUT_GROSS << 3), nf, (y1 - shift) + y1c, gM2, dg, <f64>posG, <f64>negG, lg + lgc);
  writeMoments(outPtr + (<usize>OUT_NET << 3), nf, (ny1 - shift) + ny1c, nM2, netDown + netDownC,
    <f64>(posG + posAdj), <f64>(negG + negAdj), (lg + lgc) + adjSum);
  store<f64>(outPtr, -Math.expm1(-worst), OUT_MAX_DRAWDOWN << 3);
  store<f64>(outPtr, c1, OUT_TOTAL_COSTS << 3);
  store<f64>(outPtr, 0.0, OUT_DETAIL << 3);
  store<f64>(outPtr, <f64>durationSum, OUT_EXPOSURE_BARS << 3);
  store<f64>(outPtr, <f64>durationSum, OUT_DURATION_SUM << 3);
  store<f64>(outPtr, <f64>trades, OUT_TRADE_COUNT << 3);
  store<u64>(outPtr, load<u64>(st, ST_SINK), OUT_SINK << 3);
  store<f64>(outPtr, <f64>wins, OUT_WINS << 3);
  store<f64>(outPtr, <f64>losses, OUT_LOSSES << 3);
  store<f64>(outPtr, sumWins, OUT_SUM_WINS << 3);
  store<f64>(outPtr, sumLosses, OUT_SUM_LOSSES << 3);
  store<f64>(outPtr, largestWin, OUT_LARGEST_WIN << 3);
  store<f64>(outPtr, largestLoss, OUT_LARGEST_LOSS << 3);
  store<f64>(outPtr, <f64>scans, OUT_SCANS << 3);
  store<f64>(outPtr, <f64>scanned, OUT_SCANNED << 3);
  if (rf != 0.0 && n >= 2 && (gM2 == 0.0 || nM2 == 0.0)) return SPARSE_CONSTANT;
  return SPARSE_OK;
}

/** Log growth of bars a .. n - 1 on one side (prefix positions a and n). */
function trailingGrowth(rec: usize, a: i32, n: i32, pos: f64): f64 {
  const ra = rec + (<usize>a << 7);
  const rb = rec + (<usize>n << 7);
  return pos > 0.0 ? rangeSum(ra, rb, REC_LL_HI, REC_LL_LO) : rangeSum(ra, rb, REC_LS_HI, REC_LS_LO);
}
