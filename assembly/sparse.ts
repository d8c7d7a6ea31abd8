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
//   short-series log per change (the cost's log factor). Trades are logged (growth, cost legs) and their
//   exp, net return and win / loss sums formed in a short second loop per 256 trades: kept in the
//   change loop they cost ~5 ns per change, mostly through register pressure (V8 spills).

import { BLOCK_BITS } from './prefix';
import { stepStrategy } from './sparseStep';
import { finishStrategy } from './sparseFinish';
import { stepPair } from './sparsePair';
import {
  HDR_N, HDR_REC, HDR_BLOCKS, OUT_SLOTS, OUT_DETAIL, OUT_STATUS, SPARSE_OK, STATE_BYTES, PREFETCH_WINDOW, PREFETCH_LOOK_AHEAD, SCRATCH_HEAD_BYTES,
  ST_DETAIL, ST_SINK, ST_STATUS, initState, gModel, gCommission, gSlippage, gImpact, gCapital, gRf,
} from './sparseState';

// the layout constants stay importable from here (src/kernels/sparse.ts mirrors them as assembly/sparse.ts)
export {
  HDR_N, HDR_REC, HDR_CLOSE, HDR_VOLUME, HDR_SIGMA, HDR_RET, HDR_NB, HDR_LP_LONG, HDR_LP_SHORT, HDR_BLOCKS, HDR_SLOTS,
  OUT_NET, OUT_GROSS, OUT_MAX_DRAWDOWN, OUT_TOTAL_COSTS, OUT_EXPOSURE_BARS, OUT_DURATION_SUM, OUT_TRADE_COUNT, OUT_DETAIL,
  OUT_SINK, OUT_STATUS, OUT_WINS, OUT_LOSSES, OUT_SUM_WINS, OUT_SUM_LOSSES, OUT_LARGEST_WIN, OUT_LARGEST_LOSS,
  OUT_SCANS, OUT_SCANNED, OUT_SLOTS,
  SPARSE_OK, SPARSE_BAD_ROW, SPARSE_NOT_UNIT, SPARSE_UNPRICED, SPARSE_RUIN, SPARSE_CONSTANT,
  STATE_BYTES, PREFETCH_NONE, PREFETCH_LOOK_AHEAD, PREFETCH_WINDOW, SCRATCH_HEAD_BYTES,
} from './sparseState';

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
 * statePtr: STATE_BYTES of scratch. scratchPtr: SCRATCH_HEAD_BYTES (the trade log) + 32 * (k + 1) bytes
 * for deferred drawdown candidates (fewer candidates work, more slowly; none scans every candidate
 * segment at once). Less than SCRATCH_HEAD_BYTES traps.
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
  if (scratchBytes < SCRATCH_HEAD_BYTES) unreachable();
  initState(statePtr);
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  const candPtr = scratchPtr + <usize>SCRATCH_HEAD_BYTES;
  const capacity = (scratchBytes - SCRATCH_HEAD_BYTES) >> 5;
  let status = stepStrategy(statePtr, hdr, idxPtr, valPtr, k, n, startPtr, endPtr, grossPtr, netPtr, scratchPtr, candPtr, capacity, true);
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
 * outPtr + s * OUT_SLOTS f64 (its status in OUT_STATUS). scratchPtr + s * scratchBytesEach: its
 * trade log (SCRATCH_HEAD_BYTES), then its deferred drawdown candidates (32 bytes each; a small buffer
 * is correct, only slower). scratchBytesEach below SCRATCH_HEAD_BYTES traps.
 * `prefetch`: PREFETCH_NONE; PREFETCH_LOOK_AHEAD (each strategy loads the records of its upcoming
 * changes ahead of use); PREFETCH_WINDOW (one sequential pass over each window's records and block
 * summaries before the strategies run over it).
 * Within each window the strategies first go two at a time through their common-case changes, one
 * per f64x2 lane (assembly/sparsePair.ts), then each finishes the window in the scalar loop.
 * Returns the number of strategies whose status is not SPARSE_OK. Results equal sparseMetrics bit for bit.
 */
export function sparseMetricsBatch(
  hdr: usize, rf: f64, idxPtr: usize, valPtr: usize, offsetsPtr: usize, strategies: i32,
  model: i32, commissionRate: f64, slippageRate: f64, impactCoefficient: f64, capital: f64, outPtr: usize,
  statePtr: usize, scratchPtr: usize, scratchBytesEach: i32, tileBars: i32, prefetch: i32,
): i32 {
  gModel = model; gCommission = commissionRate; gSlippage = slippageRate; gImpact = impactCoefficient; gCapital = capital; gRf = rf;
  const n = <i32>load<u32>(hdr + (<usize>HDR_N << 2));
  if (scratchBytesEach < SCRATCH_HEAD_BYTES) unreachable();
  const capacity = (scratchBytesEach - SCRATCH_HEAD_BYTES) >> 5;
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
    if (prefetch != PREFETCH_LOOK_AHEAD) {
      // two strategies at a time through the window's common-case changes (assembly/sparsePair.ts);
      // the scalar pass below then finishes each from where the pair pass stopped
      for (let s: i32 = 0; s + 1 < strategies; s += 2) {
        const stA = statePtr + <usize>s * <usize>STATE_BYTES;
        const stB = stA + <usize>STATE_BYTES;
        if ((<i32>(load<i32>(stA, ST_STATUS) != SPARSE_OK) | <i32>(load<i32>(stB, ST_STATUS) != SPARSE_OK)) != 0) continue;
        const firstA = load<i32>(offsetsPtr + (<usize>s << 2));
        const firstB = load<i32>(offsetsPtr + (<usize>(s + 1) << 2));
        const endB = load<i32>(offsetsPtr + (<usize>(s + 2) << 2));
        const logA = scratchPtr + <usize>s * <usize>scratchBytesEach;
        const logB = logA + <usize>scratchBytesEach;
        stepPair(
          stA, idxPtr + (<usize>firstA << 2), valPtr + (<usize>firstA << 3), firstB - firstA, logA, logA + <usize>SCRATCH_HEAD_BYTES, capacity,
          stB, idxPtr + (<usize>firstB << 2), valPtr + (<usize>firstB << 3), endB - firstB, logB, logB + <usize>SCRATCH_HEAD_BYTES, capacity,
          hdr, tileEnd,
        );
      }
    }
    for (let s: i32 = 0; s < strategies; s++) {
      const st = statePtr + <usize>s * <usize>STATE_BYTES;
      if (load<i32>(st, ST_STATUS) != SPARSE_OK) continue;
      const first = load<i32>(offsetsPtr + (<usize>s << 2));
      const end = load<i32>(offsetsPtr + (<usize>(s + 1) << 2));
      const logPtr = scratchPtr + <usize>s * <usize>scratchBytesEach;
      const candPtr = logPtr + <usize>SCRATCH_HEAD_BYTES;
      if (prefetch == PREFETCH_LOOK_AHEAD) {
        stepStrategy(st, hdr, idxPtr + (<usize>first << 2), valPtr + (<usize>first << 3), end - first, tileEnd,
          0, 0, 0, 0, logPtr, candPtr, capacity, true);
      } else {
        // (a second inlined copy without the look-ahead loads: the tiled walk streams each window instead)
        stepStrategy(st, hdr, idxPtr + (<usize>first << 2), valPtr + (<usize>first << 3), end - first, tileEnd,
          0, 0, 0, 0, logPtr, candPtr, capacity, false);
      }
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
