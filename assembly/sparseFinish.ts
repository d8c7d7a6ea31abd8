// Completion of one strategy of the sparse kernel (assembly/sparse.ts): the open trade, the deferred
// drawdown candidates and the output block, from the state left by the change loop (assembly/sparseStep.ts).

import { REC_LL_HI, REC_LL_LO, REC_LS_HI, REC_LS_LO } from './prefix';
import { sumErr, rangeSum, centredSquares } from './fastMath';
import { flushTradeLog } from './sparseStep';
import { scans, scanned, resolveCandidate } from './sparseDrawdown';
import {
  HDR_N, HDR_REC, HDR_LP_LONG, HDR_LP_SHORT, HDR_BLOCKS,
  OUT_NET, OUT_GROSS, OUT_MAX_DRAWDOWN, OUT_TOTAL_COSTS, OUT_EXPOSURE_BARS, OUT_DURATION_SUM, OUT_TRADE_COUNT, OUT_DETAIL,
  OUT_SINK, OUT_WINS, OUT_LOSSES, OUT_SUM_WINS, OUT_SUM_LOSSES, OUT_LARGEST_WIN, OUT_LARGEST_LOSS, OUT_SCANS, OUT_SCANNED,
  SPARSE_OK, SPARSE_CONSTANT, SCRATCH_HEAD_BYTES,
  ST_Y1, ST_Y1C, ST_Y2, ST_DG, ST_LG, ST_LGC, ST_C1, ST_Q2, ST_DN, ST_ADJ, ST_WORST, ST_ENTRY, ST_POS,
  ST_SUM_WINS, ST_SUM_LOSSES, ST_LARGEST_WIN, ST_LARGEST_LOSS, ST_SINK, ST_POS_G, ST_NEG_G, ST_POS_ADJ, ST_NEG_ADJ,
  ST_TRADES, ST_TRADE_START, ST_DURATION, ST_SEG_START, ST_CAND, ST_WINS, ST_LOSSES, ST_SCANS, ST_SCANNED,
  gRf,
} from './sparseState';

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

/** After the last window: the open trade, the deferred drawdown candidates and the output block. */
export function finishStrategy(
  st: usize, hdr: usize, outPtr: usize, startPtr: usize, endPtr: usize, grossPtr: usize, netPtr: usize, logPtr: usize,
): i32 {
  const candPtr = logPtr + <usize>SCRATCH_HEAD_BYTES;   // the deferred candidates follow the trade log
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
  const candCount = load<i32>(st, ST_CAND);
  const pos = load<f64>(st, ST_POS);
  const segStart = load<i32>(st, ST_SEG_START);
  scans = load<i32>(st, ST_SCANS); scanned = load<i32>(st, ST_SCANNED);

  if (pos != 0.0) {
    // the open trade ends at the last bar, marked to market (growth of the trailing segment, 0 when empty)
    // (logged like a closed trade with no exit leg, so its net return and statistics come from the
    // same flushTradeLog; the log is empty after the change loop)
    const growth = segStart < n ? trailingGrowth(rec, segStart, n, pos) : 0.0;
    if (startPtr != 0) store<i32>(startPtr + (<usize>trades << 2), tradeStart);
    if (endPtr != 0) store<i32>(endPtr + (<usize>trades << 2), n - 1);
    store<f64>(logPtr, growth);
    store<f64>(logPtr, entryFactor, 8);
    flushTradeLog(st, logPtr, 1, trades, grossPtr, netPtr);
    durationSum += n - 1 - tradeStart;
    trades++;
  }
  const wins = load<i32>(st, ST_WINS); const losses = load<i32>(st, ST_LOSSES);
  const sumWins = load<f64>(st, ST_SUM_WINS); const sumLosses = load<f64>(st, ST_SUM_LOSSES);
  const largestWin = load<f64>(st, ST_LARGEST_WIN); const largestLoss = load<f64>(st, ST_LARGEST_LOSS);

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
export function trailingGrowth(rec: usize, a: i32, n: i32, pos: f64): f64 {
  const ra = rec + (<usize>a << 7);
  const rb = rec + (<usize>n << 7);
  return pos > 0.0 ? rangeSum(ra, rb, REC_LL_HI, REC_LL_LO) : rangeSum(ra, rb, REC_LS_HI, REC_LS_LO);
}