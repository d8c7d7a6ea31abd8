// The resumable change loop of the sparse kernel (assembly/sparse.ts): advances one strategy through
// its position changes inside a bar window, its state in a STATE_BYTES block (assembly/sparseState.ts).

import {
  BLOCK_BITS, BLK_MAX_L, BLK_MAX_S, REC_S1_HI, REC_S1_LO, REC_S2_HI, REC_S2_LO, REC_DL_HI, REC_DL_LO,
  REC_LL_HI, REC_LL_LO, REC_R, REC_W, REC_CNT_S,
} from './prefix';
import { SLIPPAGE_SQRT } from './costs';
import { fsel, negPart, sumErr, rangeSum, tradeExp, costLog } from './fastMath';
import { scanMax, scans, scanned, scanDrop, compactCandidates } from './sparseDrawdown';
import {
  HDR_N, HDR_REC, HDR_CLOSE, HDR_VOLUME, HDR_SIGMA, HDR_LP_LONG, HDR_LP_SHORT, HDR_BLOCKS,
  SPARSE_OK, SPARSE_BAD_ROW, SPARSE_NOT_UNIT, SPARSE_UNPRICED, SPARSE_RUIN,
  ST_Y1, ST_Y1C, ST_Y2, ST_DG, ST_LG, ST_LGC, ST_C1, ST_Q2, ST_DN, ST_ADJ, ST_PEAK, ST_WORST, ST_ENTRY, ST_POS,
  ST_SUM_WINS, ST_SUM_LOSSES, ST_LARGEST_WIN, ST_LARGEST_LOSS, ST_SINK, ST_POS_G, ST_NEG_G, ST_POS_ADJ, ST_NEG_ADJ,
  ST_TRADES, ST_TRADE_START, ST_DURATION, ST_SEG_START, ST_PREV_IDX, ST_ROW, ST_CAND, ST_WINS, ST_LOSSES,
  ST_STATUS, ST_SCANS, ST_SCANNED, ST_LOOK, ST_DETAIL, TRADE_LOG_ENTRIES,
  gModel, gCommission, gSlippage, gImpact, gCapital, gRf,
} from './sparseState';

// ---- look-ahead: memory-level parallelism for the change loop ----
// wasm has no prefetch instruction, and a change executes ~100 instructions, so out-of-order
// execution overlaps few of the records' cache misses on its own. Every LOOK_GROUP changes the loop
// first loads (into a sink) both cache lines of the records the changes LOOK_AHEAD rows ahead will
// read: a burst of independent loads whose misses overlap.
const LOOK_GROUP: i32 = 16;
const LOOK_AHEAD: i32 = 32;

/**
 * Net returns and win / loss statistics of the `count` logged trades, numbered first, first + 1, ...:
 * net = legs * exp(growth) - 1 (legs = entry leg * exit leg, 1 - unit cost each), summed into the
 * state in trade order (as tradeStats.ts winLossStats); with detail pointers, each trade's gross
 * (exp(growth) - 1) and net return.
 */
export function flushTradeLog(st: usize, logPtr: usize, count: i32, first: i32, grossPtr: usize, netPtr: usize): void {
  let wins = load<i32>(st, ST_WINS); let losses = load<i32>(st, ST_LOSSES);
  let sumWins = load<f64>(st, ST_SUM_WINS); let sumLosses = load<f64>(st, ST_SUM_LOSSES);
  let largestWin = load<f64>(st, ST_LARGEST_WIN); let largestLoss = load<f64>(st, ST_LARGEST_LOSS);
  for (let i: i32 = 0; i < count; i++) {
    const log = logPtr + (<usize>i << 4);
    const factor = tradeExp(load<f64>(log));
    const tradeNet = load<f64>(log, 8) * factor - 1.0;
    if (grossPtr != 0) store<f64>(grossPtr + (<usize>(first + i) << 3), factor - 1.0);
    if (netPtr != 0) store<f64>(netPtr + (<usize>(first + i) << 3), tradeNet);
    const isWin = tradeNet > 0.0;
    const isLoss = tradeNet < 0.0;
    wins += <i32>isWin;
    losses += <i32>isLoss;
    sumWins += fsel(tradeNet, 0.0, isWin);
    sumLosses += fsel(tradeNet, 0.0, isLoss);
    largestWin = fsel(tradeNet, largestWin, isWin && tradeNet > largestWin);
    largestLoss = fsel(tradeNet, largestLoss, isLoss && tradeNet < largestLoss);
  }
  store<i32>(st, wins, ST_WINS); store<i32>(st, losses, ST_LOSSES);
  store<f64>(st, sumWins, ST_SUM_WINS); store<f64>(st, sumLosses, ST_SUM_LOSSES);
  store<f64>(st, largestWin, ST_LARGEST_WIN); store<f64>(st, largestLoss, ST_LARGEST_LOSS);
}

/**
 * Advances one strategy through its rows at bars < tileEnd (tileEnd == n: to the end, including
 * the trailing segment). Returns (and stores) the status: SPARSE_OK or the error of a row.
 */
// (inlined: the batch caller passes constant null detail pointers and no look-ahead, and binaryen drops
// those stores and branches from its copy of the loop: ~2 ns less per change)
// @ts-ignore: decorator
@inline export function stepStrategy(
  st: usize, hdr: usize, idxPtr: usize, valPtr: usize, k: i32, tileEnd: i32,
  startPtr: usize, endPtr: usize, grossPtr: usize, netPtr: usize, logPtr: usize, candPtr: usize, candCapacity: i32, prefetch: bool,
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
  let logLen: i32 = 0;   // closed trades in the log (it is empty between calls)
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
    if (startPtr != 0) store<i32>(startPtr + (<usize>trades << 2), tradeStart);
    if (endPtr != 0) store<i32>(endPtr + (<usize>trades << 2), t);
    // the closed trade (if any) goes to the log: its growth and both cost legs; its net return and
    // win / loss statistics are formed by flushTradeLog, in trade order, off this loop
    const log = logPtr + (<usize>logLen << 4);
    store<f64>(log, growth);
    store<f64>(log, entryFactor * (1.0 - unit), 8);
    logLen += <i32>open;
    durationSum += <i32>open * (t - tradeStart);
    trades += <i32>open;
    if (logLen == TRADE_LOG_ENTRIES) { flushTradeLog(st, logPtr, logLen, trades - logLen, grossPtr, netPtr); logLen = 0; }
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
  flushTradeLog(st, logPtr, logLen, trades - logLen, grossPtr, netPtr);
  store<u64>(st, sink, ST_SINK);
  store<i32>(st, posG, ST_POS_G); store<i32>(st, negG, ST_NEG_G); store<i32>(st, posAdj, ST_POS_ADJ); store<i32>(st, negAdj, ST_NEG_ADJ);
  store<i32>(st, trades, ST_TRADES); store<i32>(st, tradeStart, ST_TRADE_START); store<i32>(st, durationSum, ST_DURATION);
  store<i32>(st, segStart, ST_SEG_START); store<i32>(st, previousIdx, ST_PREV_IDX); store<i32>(st, j, ST_ROW);
  store<i32>(st, candCount, ST_CAND);
  store<i32>(st, scans, ST_SCANS); store<i32>(st, scanned, ST_SCANNED); store<i32>(st, look, ST_LOOK);
  store<i32>(st, status, ST_STATUS); store<i32>(st, detail, ST_DETAIL);
  return status;
}
