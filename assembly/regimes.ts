// Per-regime strategy metrics, change-proportional: the strategy's and the classifier's change lists
// are merged; between two change points position and regime are constant, so each segment's sums
// come from the per-market prefix tables (assembly/regimeTables.ts) in O(1) and its drawdown from
// block summaries.

import { SLIPPAGE_SQRT } from './costs';
import {
  Q_DOWN_LONG, Q_DOWN_SHORT, Q_LOG_LONG, Q_LOG_SHORT, Q_R, Q_R2, RH_BARS, RH_CLOSE, RH_LONG_BLOCKS, RH_LONG_SUPER, RH_LONG_VALUE, RH_RETURNS,
  RH_SHORT_BLOCKS, RH_SHORT_SUPER, RH_SHORT_VALUE, RH_SIGMA, RH_SUMS, RH_VOLUME, SUM_SLOTS,
} from './regimeTables';

/** f64 slots per regime in the output block (mirrored in src/kernels/regimes.ts). */
export const RS_BARS: i32 = 0;
export const RS_NET_SUM: i32 = 1;
export const RS_NET_SQUARES: i32 = 2;
export const RS_NET_DOWN: i32 = 3;
export const RS_NET_LOG: i32 = 4;
export const RS_GROSS_SUM: i32 = 5;
export const RS_GROSS_SQUARES: i32 = 6;
export const RS_GROSS_DOWN: i32 = 7;
export const RS_GROSS_LOG: i32 = 8;
export const RS_COSTS: i32 = 9;
export const RS_EXPOSURE: i32 = 10;
export const RS_EQUITY: i32 = 11;
export const RS_PEAK: i32 = 12;
export const RS_DROP: i32 = 13;
export const RS_TRADES: i32 = 14;
export const RS_DURATION: i32 = 15;
export const REGIME_SLOTS: i32 = 16;

/** Status codes (negative) of regimeMetrics; a non-negative return is the trade count. */
export const REGIME_NOT_UNIT: i32 = -1;
export const REGIME_RUIN: i32 = -2;
export const REGIME_UNPRICED: i32 = -3;
export const REGIME_BAD_ROW: i32 = -4;

// ---- drawdown fold --------------------------------------------------------------------------

let foldPeak: f64 = 0.0;
let foldDrop: f64 = 0.0;

@inline function foldValue(y: f64): void {
  const d = foldPeak - y;
  if (d > foldDrop) foldDrop = d;
  if (y > foldPeak) foldPeak = y;
}

@inline function foldSummary(p: usize, shift: f64): void {
  const high = load<f64>(p) + shift;
  const low = load<f64>(p, 8) + shift;
  let d = foldPeak - low;
  const inner = load<f64>(p, 16);
  if (inner > d) d = inner;
  if (d > foldDrop) foldDrop = d;
  if (high > foldPeak) foldPeak = high;
}

/**
 * Folds prefix positions [first, last] (inclusive), shifted by `shift`, into (foldPeak, foldDrop).
 *
 * A range inside one or two 64-position blocks (a short segment: the common case, and the one that
 * would otherwise read every value) is first bounded by its blocks' summaries: when even the
 * blocks' highest value stays at or below the peak and their lowest does not reach a deeper drop,
 * the fold changes nothing and is skipped. Otherwise, without a new high (the range's maximum at or
 * below the peak) the peak stays and the drop is peak - minimum, found by a max / min scan with no
 * dependency from one value to the next; only a range that makes a new high is folded value by
 * value. Rounding is monotone, so all three give exactly the sequential fold's state.
 */
function foldRange(valuePtr: usize, blocksPtr: usize, superPtr: usize, first: i32, last: i32, shift: f64): void {
  const firstBlock = first >> 6;
  const lastBlock = last >> 6;
  if (lastBlock - firstBlock <= 1) {
    const a = blocksPtr + <usize>firstBlock * 24;
    const b = blocksPtr + <usize>lastBlock * 24;
    const blockHigh = Math.max(load<f64>(a), load<f64>(b)) + shift;
    const blockLow = Math.min(load<f64>(a, 8), load<f64>(b, 8)) + shift;
    if (blockHigh <= foldPeak && foldPeak - blockLow <= foldDrop) return;
    let high = -Infinity;
    let low = Infinity;
    for (let j = first; j <= last; j++) {
      const v = load<f64>(valuePtr + (<usize>j << 3));
      high = Math.max(high, v);
      low = Math.min(low, v);
    }
    if (high + shift <= foldPeak) {
      const d = foldPeak - (low + shift);
      if (d > foldDrop) foldDrop = d;
      return;
    }
  }
  let i = first;
  const end = last + 1;
  while (i < end && (i & 63) != 0) { foldValue(load<f64>(valuePtr + (<usize>i << 3)) + shift); i++; }
  while (i + 64 <= end && (i & 4095) != 0) { foldSummary(blocksPtr + <usize>(i >> 6) * 24, shift); i += 64; }
  while (i + 4096 <= end) { foldSummary(superPtr + <usize>(i >> 12) * 24, shift); i += 4096; }
  while (i + 64 <= end) { foldSummary(blocksPtr + <usize>(i >> 6) * 24, shift); i += 64; }
  while (i < end) { foldValue(load<f64>(valuePtr + (<usize>i << 3)) + shift); i++; }
}

// ---- per-regime metrics ---------------------------------------------------------------------

let gHeader: usize = 0;
let gOut: usize = 0;
// the market columns and the cost model of the current regimeMetrics call
let gReturns: usize = 0;
let gClose: usize = 0;
let gVolume: usize = 0;
let gSigma: usize = 0;
let gModel: i32 = 0;
let gCommission: f64 = 0.0;
let gLinearUnit: f64 = 0.0;
let gImpact: f64 = 0.0;
let gCapital: f64 = 0.0;
let gRiskFree: f64 = 0.0;
/** Gross log growth of the open trade. */
let gTradeLog: f64 = 0.0;

@inline function slot(code: i32, s: i32): usize {
  return gOut + ((<usize>code * <usize>REGIME_SLOTS + <usize>s) << 3);
}

@inline function add(code: i32, s: i32, x: f64): void {
  const p = slot(code, s);
  store<f64>(p, load<f64>(p) + x);
}

@inline function rangeSum(from: usize, to: usize, q: i32): f64 {
  return (load<f64>(to + (<usize>q << 3)) - load<f64>(from + (<usize>q << 3)))
    + (load<f64>(to + (<usize>(q + 1) << 3)) - load<f64>(from + (<usize>(q + 1) << 3)));
}

/** Bars [first, last] (inclusive) with position p in regime `code`, no cost on any of them. */
function addRange(code: i32, p: f64, first: i32, last: i32): void {
  if (last < first) return;
  const count = <f64>(last - first + 1);
  add(code, RS_BARS, count);
  if (p == 0.0) {
    const z = Math.min(-gRiskFree, 0.0);
    add(code, RS_NET_DOWN, count * z * z);
    add(code, RS_GROSS_DOWN, count * z * z);
    return;
  }
  const sums = load<u32>(gHeader + (<usize>RH_SUMS << 2));
  const from = <usize>sums + (<usize>first * <usize>SUM_SLOTS << 3);
  const to = <usize>sums + (<usize>(last + 1) * <usize>SUM_SLOTS << 3);
  const long = p > 0.0;
  const sumR = p * rangeSum(from, to, Q_R);
  const squares = rangeSum(from, to, Q_R2);
  const down = rangeSum(from, to, long ? Q_DOWN_LONG : Q_DOWN_SHORT);
  const logGrowth = rangeSum(from, to, long ? Q_LOG_LONG : Q_LOG_SHORT);
  add(code, RS_NET_SUM, sumR);
  add(code, RS_NET_SQUARES, squares);
  add(code, RS_NET_DOWN, down);
  add(code, RS_NET_LOG, logGrowth);
  add(code, RS_GROSS_SUM, sumR);
  add(code, RS_GROSS_SQUARES, squares);
  add(code, RS_GROSS_DOWN, down);
  add(code, RS_GROSS_LOG, logGrowth);
  add(code, RS_EXPOSURE, count);
  gTradeLog += logGrowth;
  // Drawdown over prefix positions first+1 .. last+1, shifted onto the regime's log equity.
  const valuePtr = <usize>load<u32>(gHeader + (<usize>(long ? RH_LONG_VALUE : RH_SHORT_VALUE) << 2));
  const blocksPtr = <usize>load<u32>(gHeader + (<usize>(long ? RH_LONG_BLOCKS : RH_SHORT_BLOCKS) << 2));
  const superPtr = <usize>load<u32>(gHeader + (<usize>(long ? RH_LONG_SUPER : RH_SHORT_SUPER) << 2));
  const equity = load<f64>(slot(code, RS_EQUITY));
  foldPeak = load<f64>(slot(code, RS_PEAK));
  foldDrop = load<f64>(slot(code, RS_DROP));
  foldRange(valuePtr, blocksPtr, superPtr, first + 1, last + 1, equity - load<f64>(valuePtr + (<usize>first << 3)));
  store<f64>(slot(code, RS_PEAK), foldPeak);
  store<f64>(slot(code, RS_DROP), foldDrop);
  store<f64>(slot(code, RS_EQUITY), equity + logGrowth);
}

/**
 * One bar with gross return g and net return x = g - cost in regime `code`, whose log1p(x) and
 * log1p(g) are `logNet` and `logGross` (computed once per strategy: see changeLogs); false on ruin.
 */
function addBar(code: i32, p: f64, g: f64, cost: f64, logNet: f64, logGross: f64): bool {
  const x = g - cost;
  if (!(1.0 + x > 0.0) || !(1.0 + g > 0.0)) return false;
  add(code, RS_BARS, 1.0);
  const dn = Math.min(x - gRiskFree, 0.0);
  const dg = Math.min(g - gRiskFree, 0.0);
  add(code, RS_NET_SUM, x);
  add(code, RS_NET_SQUARES, x * x);
  add(code, RS_NET_DOWN, dn * dn);
  add(code, RS_NET_LOG, logNet);
  add(code, RS_GROSS_SUM, g);
  add(code, RS_GROSS_SQUARES, g * g);
  add(code, RS_GROSS_DOWN, dg * dg);
  add(code, RS_GROSS_LOG, logGross);
  add(code, RS_COSTS, cost);
  if (p != 0.0) {
    add(code, RS_EXPOSURE, 1.0);
    gTradeLog += logGross;
  }
  const equity = load<f64>(slot(code, RS_EQUITY)) + logNet;
  foldPeak = load<f64>(slot(code, RS_PEAK));
  foldDrop = load<f64>(slot(code, RS_DROP));
  foldValue(equity);
  store<f64>(slot(code, RS_PEAK), foldPeak);
  store<f64>(slot(code, RS_DROP), foldDrop);
  store<f64>(slot(code, RS_EQUITY), equity);
  return true;
}

// ---- per-classifier state (f64 and i32 slots of one block per classifier) ----------------------

/** Bytes of a classifier's block (mirrored in src/kernels/regimes.ts). */
export const REGIME_STATE_BYTES: i32 = 112;
// parameters, written by the host
const ST_REG_IDX: usize = 0;
const ST_REG_CODE: usize = 4;
const ST_G: usize = 8;
const ST_REGIMES: usize = 12;
const ST_OUT: usize = 16;
const ST_TRADE_NET: usize = 20;
const ST_TRADE_REGIME: usize = 24;
// results, read by the host
/** Status: REGIME_RUNNING while windows remain, then the trade count (>= 0) or a REGIME_* code. */
const ST_STATUS: usize = 28;
const ST_DETAIL: usize = 32;
// the walk's own state between windows
const ST_CODE: usize = 36;
const ST_CURSOR: usize = 40;
const ST_SI: usize = 44;
const ST_GI: usize = 48;
const ST_TRADES: usize = 52;
const ST_OPEN: usize = 56;
const ST_START: usize = 60;
const ST_TRADE_CODE: usize = 64;
const ST_LAST_SIG: usize = 68;
const ST_LAST_REG: usize = 72;
const ST_P: usize = 80;
const ST_ENTRY_LEG: usize = 88;
const ST_TRADE_LOG: usize = 96;

/** Status of a classifier whose walk has windows left. */
export const REGIME_RUNNING: i32 = -100;

/**
 * Metrics aggregates of one strategy per regime of each of `count` classifiers, in O(K + G) range
 * queries per classifier (each O(1) sums plus, for the drawdown, O(1) block bounds or O(64 +
 * length / 4096) values).
 *
 * The bars are walked in windows of `windowBars`: every classifier's segments that start inside a
 * window are done before the next window, so the window's prefix records come from memory once for
 * all classifiers rather than once each (a strategy's change points are the same for every
 * classifier). Per classifier the operations and their order do not depend on the window: any
 * `windowBars` gives the same bits.
 *
 * Timing (ARCHITECTURE.md): bar t's return R_t = pos_{t-1} r_t - cost_t belongs to regime
 * state_{t-1}; bars without a state (t = 0, t <= the first regime row) go to code `regimes`.
 * Per regime code c (out block f64[(regimes + 1) * REGIME_SLOTS], zeroed here): bar count, sums of
 * net / gross R, R^2, min(R - rf, 0)^2, log1p(R), costs, exposed bars, log-equity drawdown state
 * (equity, peak, max drop; peak starts at 0 = equity 1), trades entered in c and their summed
 * durations. A trade entered at bar e belongs to regime state_e; its net return (cost legs as in
 * assembly/trades.ts) goes to tradeNet[i], its regime code to tradeRegime[i] (capacity K + 1).
 *
 * The log growth of each trading bar is the same for every classifier: it is computed once, into
 * logsPtr (f64[2 * K] scratch).
 *
 * Classifier c's block (REGIME_STATE_BYTES at statesPtr + c * REGIME_STATE_BYTES) holds its change
 * list (idx, codes, length G, regimes), its out block and trade arrays; on return its status is the
 * trade count, or: positions must be -1, 0 or 1 (REGIME_NOT_UNIT, detail = row); a bar whose net or
 * gross return reaches -100 % gives REGIME_RUIN (detail = bar); the sqrt cost law on a bar with
 * close or volume <= 0 gives REGIME_UNPRICED (detail = bar); a regime code outside [0, regimes) or a
 * change list that is not strictly increasing inside the bars gives REGIME_BAD_ROW (detail = row of
 * the regime list, or -(row + 1) of the signal list).
 */
export function regimeMetrics(
  headerPtr: usize, riskFreePerBar: f64, sigIdxPtr: usize, sigValuePtr: usize, k: i32,
  model: i32, commissionRate: f64, slippageRate: f64, impactCoefficient: f64, capital: f64,
  statesPtr: usize, count: i32, windowBars: i32, logsPtr: usize,
): void {
  gHeader = headerPtr;
  gRiskFree = riskFreePerBar;
  gReturns = <usize>load<u32>(headerPtr + (<usize>RH_RETURNS << 2));
  gClose = <usize>load<u32>(headerPtr + (<usize>RH_CLOSE << 2));
  gVolume = <usize>load<u32>(headerPtr + (<usize>RH_VOLUME << 2));
  gSigma = <usize>load<u32>(headerPtr + (<usize>RH_SIGMA << 2));
  gModel = model;
  gCommission = commissionRate;
  gLinearUnit = commissionRate + slippageRate;
  gImpact = impactCoefficient;
  gCapital = capital;
  const n = <i32>load<u32>(headerPtr + (<usize>RH_BARS << 2));
  changeLogs(n, sigIdxPtr, sigValuePtr, k, logsPtr);
  for (let c: i32 = 0; c < count; c++) {
    const st = statesPtr + <usize>c * <usize>REGIME_STATE_BYTES;
    const out = <usize>load<u32>(st + ST_OUT);
    const total = (load<i32>(st + ST_REGIMES) + 1) * REGIME_SLOTS;
    for (let i: i32 = 0; i < total; i++) store<f64>(out + (<usize>i << 3), 0.0);
    store<i32>(st + ST_STATUS, REGIME_RUNNING);
    store<i32>(st + ST_DETAIL, 0);
    store<i32>(st + ST_CODE, load<i32>(st + ST_REGIMES));
    store<i32>(st + ST_CURSOR, 0);
    store<i32>(st + ST_SI, 0);
    store<i32>(st + ST_GI, 0);
    store<i32>(st + ST_TRADES, 0);
    store<i32>(st + ST_OPEN, 0);
    store<i32>(st + ST_START, 0);
    store<i32>(st + ST_TRADE_CODE, load<i32>(st + ST_REGIMES));
    store<i32>(st + ST_LAST_SIG, -1);
    store<i32>(st + ST_LAST_REG, -1);
    store<f64>(st + ST_P, 0.0);
    store<f64>(st + ST_ENTRY_LEG, 0.0);
    store<f64>(st + ST_TRADE_LOG, 0.0);
  }
  const step = windowBars > 0 ? windowBars : n;
  let windowEnd: i32 = 0;
  do {
    windowEnd = n - windowEnd > step ? windowEnd + step : n;
    for (let c: i32 = 0; c < count; c++) {
      const st = statesPtr + <usize>c * <usize>REGIME_STATE_BYTES;
      if (load<i32>(st + ST_STATUS) == REGIME_RUNNING) {
        walkWindow(st, n, windowEnd, sigIdxPtr, sigValuePtr, k, logsPtr);
      }
    }
  } while (windowEnd < n);
}

/** Bar c's return (NaN counts as 0). */
@inline function barReturn(c: i32): f64 {
  const r = load<f64>(gReturns + (<usize>c << 3));
  return r != r ? 0.0 : r;
}

/**
 * Cost per unit traded at bar c when `traded` units change hands: commission plus linear slippage,
 * or commission plus the sqrt law's impact; -1 when the sqrt law cannot price the bar (close or
 * volume <= 0).
 */
@inline function tradeUnit(c: i32, traded: f64): f64 {
  if (gModel != SLIPPAGE_SQRT) return gLinearUnit;
  const close = load<f64>(gClose + (<usize>c << 3));
  const volume = load<f64>(gVolume + (<usize>c << 3));
  if (!(close > 0.0) || !(volume > 0.0)) return -1.0;
  return gCommission + gImpact * load<f64>(gSigma + (<usize>c << 3)) * Math.sqrt(traded * gCapital / (close * volume));
}

/**
 * log1p of the net and of the gross return of every trading bar of the strategy, as walkWindow's
 * addBar would compute them (same expressions, same operands: the position before row si is row
 * si - 1's, 0 before the first row): f64 pairs at logsPtr + 16 * si. Rows the walk stops at (an
 * invalid position or bar, an unpriceable trade, ruin) and rows without a trade get NaN, unused.
 */
function changeLogs(n: i32, sigIdxPtr: usize, sigValuePtr: usize, k: i32, logsPtr: usize): void {
  let p: f64 = 0.0;
  for (let si: i32 = 0; si < k; si++) {
    const c = load<i32>(sigIdxPtr + (<usize>si << 2));
    const q = load<f64>(sigValuePtr + (<usize>si << 3));
    let logNet: f64 = NaN;
    let logGross: f64 = NaN;
    const traded = Math.abs(q - p);
    if (c >= 0 && c < n && traded > 0.0) {
      const unit = tradeUnit(c, traded);
      const g = p * barReturn(c);
      const x = g - traded * unit;
      if (unit >= 0.0 && 1.0 + x > 0.0 && 1.0 + g > 0.0) {
        logNet = Math.log1p(x);
        logGross = Math.log1p(g);
      }
    }
    store<f64>(logsPtr + (<usize>si << 4), logNet);
    store<f64>(logsPtr + (<usize>si << 4), logGross, 8);
    p = q;
  }
}

/**
 * Continues one classifier's walk over the change points before `windowEnd` (all of them, and the
 * last range, when windowEnd is n), from and back into its state block.
 */
function walkWindow(st: usize, n: i32, windowEnd: i32, sigIdxPtr: usize, sigValuePtr: usize, k: i32, logsPtr: usize): void {
  const regIdxPtr = <usize>load<u32>(st + ST_REG_IDX);
  const regCodePtr = <usize>load<u32>(st + ST_REG_CODE);
  const g = load<i32>(st + ST_G);
  const regimes = load<i32>(st + ST_REGIMES);
  const tradeNetPtr = <usize>load<u32>(st + ST_TRADE_NET);
  const tradeRegimePtr = <usize>load<u32>(st + ST_TRADE_REGIME);
  gOut = <usize>load<u32>(st + ST_OUT);
  gTradeLog = load<f64>(st + ST_TRADE_LOG);
  let p = load<f64>(st + ST_P);
  let code = load<i32>(st + ST_CODE);
  let cursor = load<i32>(st + ST_CURSOR);
  let si = load<i32>(st + ST_SI);
  let gi = load<i32>(st + ST_GI);
  let trades = load<i32>(st + ST_TRADES);
  let open = load<i32>(st + ST_OPEN) != 0;
  let start = load<i32>(st + ST_START);
  let entryLeg = load<f64>(st + ST_ENTRY_LEG);
  let tradeCode = load<i32>(st + ST_TRADE_CODE);
  let lastSig = load<i32>(st + ST_LAST_SIG);
  let lastReg = load<i32>(st + ST_LAST_REG);
  let status = REGIME_RUNNING;
  let detail: i32 = 0;
  while (true) {
    let c = n;
    if (si < k) c = load<i32>(sigIdxPtr + (<usize>si << 2));
    if (gi < g) {
      const at = load<i32>(regIdxPtr + (<usize>gi << 2));
      if (at < c) c = at;
    }
    if (c >= windowEnd && windowEnd < n) break; // (resumed in a later window)
    if (c >= n) {
      addRange(code, p, cursor, n - 1);
      if (open) {
        recordTrade(tradeNetPtr, tradeRegimePtr, trades, tradeCode, (1.0 - entryLeg) * Math.exp(gTradeLog) - 1.0, n - 1 - start);
        trades++;
      }
      status = trades;
      break;
    }
    const sigHere = si < k && load<i32>(sigIdxPtr + (<usize>si << 2)) == c;
    const regHere = gi < g && load<i32>(regIdxPtr + (<usize>gi << 2)) == c;
    if (sigHere && c <= lastSig) { status = REGIME_BAD_ROW; detail = -(si + 1); break; }
    if (regHere && c <= lastReg) { status = REGIME_BAD_ROW; detail = gi; break; }
    let q = p;
    let unit: f64 = 0.0;
    let traded: f64 = 0.0;
    if (sigHere) {
      q = load<f64>(sigValuePtr + (<usize>si << 3));
      if (q != 1.0 && q != 0.0 && q != -1.0) { status = REGIME_NOT_UNIT; detail = si; break; }
      traded = Math.abs(q - p);
      if (traded > 0.0) {
        unit = tradeUnit(c, traded);
        if (unit < 0.0) { status = REGIME_UNPRICED; detail = c; break; }
      }
    }
    if (traded > 0.0) {
      addRange(code, p, cursor, c - 1);
      const logs = logsPtr + (<usize>si << 4);
      if (!addBar(code, p, p * barReturn(c), traded * unit, load<f64>(logs), load<f64>(logs, 8))) { status = REGIME_RUIN; detail = c; break; }
    } else {
      addRange(code, p, cursor, c);
    }
    if (regHere) {
      code = load<i32>(regCodePtr + (<usize>gi << 2));
      if (code < 0 || code >= regimes) { status = REGIME_BAD_ROW; detail = gi; break; }
      lastReg = c;
      gi++;
    }
    if (sigHere) {
      lastSig = c;
      si++;
      if (traded > 0.0) {
        if (open) {
          const growth = (1.0 - entryLeg) * Math.exp(gTradeLog) * (1.0 - Math.abs(p) * unit);
          recordTrade(tradeNetPtr, tradeRegimePtr, trades, tradeCode, growth - 1.0, c - start);
          trades++;
          open = false;
        }
        if (q != 0.0) {
          open = true;
          start = c;
          entryLeg = Math.abs(q) * unit;
          gTradeLog = 0.0;
          tradeCode = code;
        }
        p = q;
      }
    }
    cursor = c + 1;
  }
  store<i32>(st + ST_STATUS, status);
  store<i32>(st + ST_DETAIL, detail);
  store<i32>(st + ST_CODE, code);
  store<i32>(st + ST_CURSOR, cursor);
  store<i32>(st + ST_SI, si);
  store<i32>(st + ST_GI, gi);
  store<i32>(st + ST_TRADES, trades);
  store<i32>(st + ST_OPEN, open ? 1 : 0);
  store<i32>(st + ST_START, start);
  store<i32>(st + ST_TRADE_CODE, tradeCode);
  store<i32>(st + ST_LAST_SIG, lastSig);
  store<i32>(st + ST_LAST_REG, lastReg);
  store<f64>(st + ST_P, p);
  store<f64>(st + ST_ENTRY_LEG, entryLeg);
  store<f64>(st + ST_TRADE_LOG, gTradeLog);
}

@inline function recordTrade(netPtr: usize, regimePtr: usize, i: i32, code: i32, net: f64, duration: i32): void {
  store<f64>(netPtr + (<usize>i << 3), net);
  store<i32>(regimePtr + (<usize>i << 2), code);
  add(code, RS_TRADES, 1.0);
  add(code, RS_DURATION, <f64>duration);
}
