// Two strategies of the tiled batch per pass of the change loop, one per f64x2 lane: the change loop
// of assembly/sparseStep.ts (stepStrategy) with the f64 state of both strategies held in vectors.
// TurboFan keeps about 16 f64 values of a loop in registers; one strategy's loop carries ~26 and
// spills the rest on every change, so two strategies per vector halve the arithmetic and the spills.
//
// Same operations in the same order on each lane (wasm f64x2 arithmetic is IEEE per lane, no fused
// ops), so the results equal stepStrategy's bit for bit. Only the common case runs here: both
// strategies' next rows are real changes inside the window, priced and far from ruin. Anything else
// (a window or list end, a row that is no change or invalid, an unpriced sqrt-model bar, a cost leg
// near -100 %, a large cost) ends the pass before that row, both states are stored, and the caller
// continues each strategy with stepStrategy, which handles it. Exact drawdown scans, segments over
// more than two blocks, a full candidate buffer and a full trade log are handled per lane inline.

import { BLOCK_BITS, BLK_MAX_L, BLK_MAX_S, REC_S1_HI, REC_S1_LO, REC_S2_HI, REC_S2_LO, REC_DL_HI, REC_DL_LO, REC_LL_HI, REC_LL_LO, REC_R, REC_W, REC_CNT_S } from './prefix';
import { SLIPPAGE_SQRT } from './costs';
import { scanMax, scans, scanned, scanDrop, compactCandidates } from './sparseDrawdown';
import { flushTradeLog } from './sparseStep';
import {
  HDR_REC, HDR_LP_LONG, HDR_LP_SHORT, HDR_BLOCKS,
  ST_Y1, ST_Y1C, ST_Y2, ST_DG, ST_LG, ST_LGC, ST_C1, ST_Q2, ST_DN, ST_ADJ, ST_PEAK, ST_WORST, ST_ENTRY, ST_POS,
  ST_POS_G, ST_NEG_G, ST_POS_ADJ, ST_NEG_ADJ, ST_TRADES, ST_TRADE_START, ST_DURATION, ST_SEG_START, ST_PREV_IDX, ST_ROW, ST_CAND,
  ST_SCANS, ST_SCANNED, TRADE_LOG_ENTRIES,
  gModel, gCommission, gSlippage, gImpact, gCapital, gRf,
} from './sparseState';

/** f64x2 of the f64 at a + off and at b + off. */
// @ts-ignore: decorator
@inline function pair(a: usize, b: usize, off: usize): v128 {
  return v128.load64_lane(b + off, v128.load64_zero(a + off), 1);
}

/** f64x2 of two states' f64 field. */
// @ts-ignore: decorator
@inline function statePair(stA: usize, stB: usize, field: i32): v128 {
  return pair(stA, stB, <usize>field);
}

// @ts-ignore: decorator
@inline function storePair(stA: usize, stB: usize, field: i32, v: v128): void {
  store<f64>(stA + <usize>field, f64x2.extract_lane(v, 0));
  store<f64>(stB + <usize>field, f64x2.extract_lane(v, 1));
}

/** rangeSum (fastMath.ts) on both lanes: (hi[b] - hi[a]) + (lo[b] - lo[a]). */
// @ts-ignore: decorator
@inline function rangeSum2(raA: usize, rbA: usize, raB: usize, rbB: usize, hi: i32, lo: i32): v128 {
  const h = f64x2.sub(pair(rbA, rbB, <usize>hi << 3), pair(raA, raB, <usize>hi << 3));
  const l = f64x2.sub(pair(rbA, rbB, <usize>lo << 3), pair(raA, raB, <usize>lo << 3));
  return f64x2.add(h, l);
}

/** sumErr (fastMath.ts) on both lanes. */
// @ts-ignore: decorator
@inline function sumErr2(a: v128, x: v128, s: v128): v128 {
  const bp = f64x2.sub(s, a);
  return f64x2.add(f64x2.sub(a, f64x2.sub(s, bp)), f64x2.sub(x, bp));
}

/** negPart (fastMath.ts) on both lanes. */
// @ts-ignore: decorator
@inline function negPart2(x: v128): v128 {
  return v128.and(x, i64x2.shr_s(x, 63));
}

/** 1 where lane 0 / lane 1 of a comparison mask is true, else 0. */
// @ts-ignore: decorator
@inline function lane0(mask: v128): i32 {
  return <i32>(i64x2.extract_lane(mask, 0) != 0);
}
// @ts-ignore: decorator
@inline function lane1(mask: v128): i32 {
  return <i32>(i64x2.extract_lane(mask, 1) != 0);
}

/** scanDrop for one lane (over its side's log prefix), its scan counters kept in the lane's state. */
function laneScan(st: usize, hdr: usize, long: bool, blk: usize, slot: i32, seg: i32, t: i32, runMax: f64): f64 {
  const lp = <usize>load<u32>(hdr + (<usize>(long ? HDR_LP_LONG : HDR_LP_SHORT) << 2));
  scans = load<i32>(st, ST_SCANS); scanned = load<i32>(st, ST_SCANNED);
  const drop = scanDrop(lp, blk, slot, seg, t, runMax);
  store<i32>(st, scans, ST_SCANS); store<i32>(st, scanned, ST_SCANNED);
  return drop;
}

// results of laneDrawdown (module globals: an inlined function cannot return three values)
let laneWorst: f64 = 0.0;
let lanePeak: f64 = 0.0;
let laneCandidates: i32 = 0;

/**
 * One lane's segment against its running peak, as stepStrategy's drawdown block: the exact scan when
 * the segment may set a new peak (`scan`), else a deferred candidate (or, with a full buffer, the
 * scan and a compaction). Results in laneWorst, lanePeak, laneCandidates.
 */
// @ts-ignore: decorator
@inline function laneDrawdown(
  st: usize, hdr: usize, long: bool, blk: usize, slot: i32, seg: i32, t: i32, runMax: f64, o: f64, lower: f64, scan: i32, inM: i32,
  cand: usize, capacity: i32, worst: f64, peak: f64, candCount: i32,
): void {
  if (scan != 0) {
    const drop = laneScan(st, hdr, long, blk, slot, seg, t, runMax);
    if (drop > worst) worst = drop;
    if (scanMax > runMax) peak = o + scanMax;
  } else {
    const bound = runMax - lower;
    if (candCount == capacity) {
      if (inM != 0 && bound > worst) {
        const drop = laneScan(st, hdr, long, blk, slot, seg, t, runMax);
        if (drop > worst) worst = drop;
        candCount = compactCandidates(cand, candCount, worst);
      }
    } else {
      const dst = cand + (<usize>candCount << 5);
      store<i32>(dst, seg); store<i32>(dst, t, 4); store<i32>(dst, slot, 8);
      store<f64>(dst, runMax, 16); store<f64>(dst, bound, 24);
      candCount += <i32>(bound > worst) & inM;
    }
  }
  laneWorst = worst;
  lanePeak = peak;
  laneCandidates = candCount;
}

/**
 * Advances strategies A and B (states stA, stB, both SPARSE_OK) together through their rows while
 * both next rows are common-case changes below tileEnd; stores both states and returns. The caller
 * then runs stepStrategy on each (from the row each reached).
 */
export function stepPair(
  stA: usize, idxA: usize, valA: usize, kA: i32, logA: usize, candA: usize, capA: i32,
  stB: usize, idxB: usize, valB: usize, kB: i32, logB: usize, candB: usize, capB: i32,
  hdr: usize, tileEnd: i32,
): void {
  const rec = <usize>load<u32>(hdr + (<usize>HDR_REC << 2));
  const blk = <usize>load<u32>(hdr + (<usize>HDR_BLOCKS << 2));
  const rf = gRf;
  const sqrtModel = gModel == SLIPPAGE_SQRT;
  const rfV = f64x2.splat(rf);
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  const minusOne = f64x2.splat(-1.0);
  const linearUnitV = f64x2.splat(gCommission + gSlippage);
  const commissionV = f64x2.splat(gCommission);
  const impactV = f64x2.splat(gImpact);
  const sqrtCapital1V = f64x2.splat(Math.sqrt(gCapital));
  const sqrtCapital2V = f64x2.splat(Math.sqrt(2.0 * gCapital));
  const rfDown = rf > 0.0 ? rf * rf : 0.0;
  const rfPositive: i32 = <i32>(rf < 0.0);
  const rfNegative: i32 = <i32>(rf > 0.0);

  let y1 = statePair(stA, stB, ST_Y1); let y1c = statePair(stA, stB, ST_Y1C);
  let y2 = statePair(stA, stB, ST_Y2);
  let dg = statePair(stA, stB, ST_DG);
  let lg = statePair(stA, stB, ST_LG); let lgc = statePair(stA, stB, ST_LGC);
  let c1 = statePair(stA, stB, ST_C1);
  let q2 = statePair(stA, stB, ST_Q2);
  let dn = statePair(stA, stB, ST_DN);
  let adjSum = statePair(stA, stB, ST_ADJ);
  let peak = statePair(stA, stB, ST_PEAK);
  let worst = statePair(stA, stB, ST_WORST);
  let entryFactor = statePair(stA, stB, ST_ENTRY);
  let pos = statePair(stA, stB, ST_POS);
  let posGA = load<i32>(stA, ST_POS_G); let negGA = load<i32>(stA, ST_NEG_G);
  let posGB = load<i32>(stB, ST_POS_G); let negGB = load<i32>(stB, ST_NEG_G);
  // net sign-count corrections of both lanes as i64x2 (lane sums of comparison masks: -1 per true)
  let posAdjV = i64x2.replace_lane(i64x2.splat(<i64>load<i32>(stA, ST_POS_ADJ)), 1, <i64>load<i32>(stB, ST_POS_ADJ));
  let negAdjV = i64x2.replace_lane(i64x2.splat(<i64>load<i32>(stA, ST_NEG_ADJ)), 1, <i64>load<i32>(stB, ST_NEG_ADJ));
  let tradesA = load<i32>(stA, ST_TRADES); let tradesB = load<i32>(stB, ST_TRADES);
  let startA = load<i32>(stA, ST_TRADE_START); let startB = load<i32>(stB, ST_TRADE_START);
  let durA = load<i32>(stA, ST_DURATION); let durB = load<i32>(stB, ST_DURATION);
  let segA = load<i32>(stA, ST_SEG_START); let segB = load<i32>(stB, ST_SEG_START);
  let prevA = load<i32>(stA, ST_PREV_IDX); let prevB = load<i32>(stB, ST_PREV_IDX);
  let jA = load<i32>(stA, ST_ROW); let jB = load<i32>(stB, ST_ROW);
  let candCountA = load<i32>(stA, ST_CAND); let candCountB = load<i32>(stB, ST_CAND);
  let logLenA: i32 = 0; let logLenB: i32 = 0;

  while (jA < kA && jB < kB) {
    // ---- the two rows: both must be common-case changes, checked before any state changes ----
    const tA = load<i32>(idxA + (<usize>jA << 2));
    const tB = load<i32>(idxB + (<usize>jB << 2));
    if ((<i32>(tA >= tileEnd) | <i32>(tB >= tileEnd) | <i32>(tA <= prevA) | <i32>(tB <= prevB)) != 0) break;
    const v = pair(valA + (<usize>jA << 3), valB + (<usize>jB << 3), 0);
    // each value in {-1, 0, 1} and a real change on both lanes
    const unitValue = v128.or(f64x2.eq(v, zero), f64x2.eq(f64x2.abs(v), one));
    if (!i64x2.all_true(v128.andnot(unitValue, f64x2.eq(v, pos)))) break;
    const rbA = rec + ((<usize>tA + 1) << 7);
    const rbB = rec + ((<usize>tB + 1) << 7);
    // change bar's gross, cost and net (pure; the ruin and price checks need them first)
    const gross = f64x2.mul(pos, pair(rbA, rbB, <usize>REC_R << 3));
    const traded = f64x2.abs(f64x2.sub(v, pos));
    let cost: v128;
    if (sqrtModel) {
      const w = pair(rbA, rbB, <usize>REC_W << 3);
      if (!i64x2.all_true(f64x2.eq(w, w))) break;       // an unpriced bar: the exact slow path is stepStrategy's
      const sqrtCapital = v128.bitselect(sqrtCapital1V, sqrtCapital2V, f64x2.eq(traded, one));
      cost = f64x2.mul(traded, f64x2.add(commissionV, f64x2.mul(f64x2.mul(impactV, w), sqrtCapital)));
    } else {
      cost = f64x2.mul(traded, linearUnitV);
    }
    const net = f64x2.sub(gross, cost);
    const unit = f64x2.mul(cost, f64x2.sub(f64x2.splat(1.5), f64x2.mul(f64x2.splat(0.5), traded)));
    const onePlus = f64x2.add(one, gross);
    // not ruined (net > -1, unit < 1) and the cost's short log series applies (cost * 64 <= 1 + gross)
    const fine = v128.and(v128.and(f64x2.gt(net, minusOne), f64x2.lt(unit, one)), f64x2.le(f64x2.mul(cost, f64x2.splat(64.0)), onePlus));
    if (!i64x2.all_true(fine)) break;
    prevA = tA; prevB = tB;

    // ---- segment: bars seg .. t on each lane (as stepStrategy; seg <= t holds for a change) ----
    const posA = f64x2.extract_lane(pos, 0);
    const posB = f64x2.extract_lane(pos, 1);
    const inMA = <i32>(posA != 0.0);
    const inMB = <i32>(posB != 0.0);
    const longA = <usize>(posA > 0.0);
    const longB = <usize>(posB > 0.0);
    const inMarket = f64x2.abs(pos);
    const raA = rec + (<usize>segA << 7);
    const raB = rec + (<usize>segB << 7);
    const s1 = rangeSum2(raA, rbA, raB, rbB, REC_S1_HI, REC_S1_LO);
    const s2 = rangeSum2(raA, rbA, raB, rbB, REC_S2_HI, REC_S2_LO);
    const sideA: usize = 16 - (longA << 4);
    const sideB: usize = 16 - (longB << 4);
    const rasA = raA + sideA; const rbsA = rbA + sideA;
    const rasB = raB + sideB; const rbsB = rbB + sideB;
    const down = f64x2.mul(inMarket, rangeSum2(rasA, rbsA, rasB, rbsB, REC_DL_HI, REC_DL_LO));
    const growth = f64x2.mul(inMarket, rangeSum2(rasA, rbsA, rasB, rbsB, REC_LL_HI, REC_LL_LO));
    const lpa = pair(rasA, rasB, <usize>REC_LL_HI << 3);
    const cntOffA: usize = (<usize>REC_CNT_S << 3) - (longA << 3);
    const cntOffB: usize = (<usize>REC_CNT_S << 3) - (longB << 3);
    const cntA = (load<u64>(rbA + cntOffA) - load<u64>(raA + cntOffA)) * <u64>inMA;
    const cntB = (load<u64>(rbB + cntOffB) - load<u64>(raB + cntOffB)) * <u64>inMB;
    const py = f64x2.mul(pos, s1);
    let s = f64x2.add(y1, py); y1c = f64x2.add(y1c, sumErr2(y1, py, s)); y1 = s;
    y2 = f64x2.add(y2, f64x2.mul(inMarket, s2));
    const flatA = (1 - inMA) * (tA + 1 - segA);
    const flatB = (1 - inMB) * (tB + 1 - segB);
    const flatDown = f64x2.replace_lane(f64x2.splat(<f64>flatA * rfDown), 1, <f64>flatB * rfDown);
    dg = f64x2.add(dg, f64x2.add(down, flatDown));
    posGA += <i32>(<u32>cntA) + flatA * rfPositive; negGA += <i32>(<u32>(cntA >> 32)) + flatA * rfNegative;
    posGB += <i32>(<u32>cntB) + flatB * rfPositive; negGB += <i32>(<u32>(cntB >> 32)) + flatB * rfNegative;
    {
      // drawdown bounds of the segment on each lane (stepStrategy's block; lpEnd = t)
      const slotA = BLK_MAX_S - <i32>longA * (BLK_MAX_S - BLK_MAX_L);
      const slotB = BLK_MAX_S - <i32>longB * (BLK_MAX_S - BLK_MAX_L);
      const o = f64x2.sub(f64x2.add(f64x2.add(lg, lgc), adjSum), lpa);
      const runMax0 = f64x2.sub(peak, o);
      const baA = segA >> BLOCK_BITS; const bbA = tA >> BLOCK_BITS;
      const baB = segB >> BLOCK_BITS; const bbB = tB >> BLOCK_BITS;
      const sb0A = blk + (<usize>slotA << 3);
      const sb0B = blk + (<usize>slotB << 3);
      const saA = sb0A + (<usize>baA << 6);
      const saB = sb0B + (<usize>baB << 6);
      const sb1A = saA + (<usize>(bbA > baA) << 6);
      const sb1B = saB + (<usize>(bbB > baB) << 6);
      const m0 = pair(saA, saB, 0);
      const m1 = pair(sb1A, sb1B, 0);
      const n0 = pair(saA, saB, 8);
      const n1 = pair(sb1A, sb1B, 8);
      let mayPeak = v128.or(f64x2.gt(m0, runMax0), f64x2.gt(m1, runMax0));
      let lower = v128.bitselect(n1, n0, f64x2.lt(n1, n0));
      let runMaxA = f64x2.extract_lane(runMax0, 0);
      let runMaxB = f64x2.extract_lane(runMax0, 1);
      let mayA = lane0(mayPeak);
      let mayB = lane1(mayPeak);
      let lowerA = f64x2.extract_lane(lower, 0);
      let lowerB = f64x2.extract_lane(lower, 1);
      if ((<i32>(bbA > baA + 1) | <i32>(bbB > baB + 1)) != 0) {
        for (let x = baA + 2; x <= bbA; x++) {
          const sb = sb0A + (<usize>x << 6);
          const bMin = load<f64>(sb, 8);
          mayA |= <i32>(load<f64>(sb) > runMaxA);
          lowerA = bMin < lowerA ? bMin : lowerA;
        }
        for (let x = baB + 2; x <= bbB; x++) {
          const sb = sb0B + (<usize>x << 6);
          const bMin = load<f64>(sb, 8);
          mayB |= <i32>(load<f64>(sb) > runMaxB);
          lowerB = bMin < lowerB ? bMin : lowerB;
        }
      }
      let worstA = f64x2.extract_lane(worst, 0);
      let worstB = f64x2.extract_lane(worst, 1);
      let peakA = f64x2.extract_lane(peak, 0);
      let peakB = f64x2.extract_lane(peak, 1);
      const oA = f64x2.extract_lane(o, 0);
      const oB = f64x2.extract_lane(o, 1);
      laneDrawdown(stA, hdr, longA != 0, blk, slotA, segA, tA, runMaxA, oA, lowerA, mayA & inMA, inMA, candA, capA, worstA, peakA, candCountA);
      worstA = laneWorst; peakA = lanePeak; candCountA = laneCandidates;
      laneDrawdown(stB, hdr, longB != 0, blk, slotB, segB, tB, runMaxB, oB, lowerB, mayB & inMB, inMB, candB, capB, worstB, peakB, candCountB);
      worstB = laneWorst; peakB = lanePeak; candCountB = laneCandidates;
      worst = f64x2.replace_lane(f64x2.splat(worstA), 1, worstB);
      peak = f64x2.replace_lane(f64x2.splat(peakA), 1, peakB);
    }
    s = f64x2.add(lg, growth); lgc = f64x2.add(lgc, sumErr2(lg, growth, s)); lg = s;

    // ---- the change bars ----
    c1 = f64x2.add(c1, cost);
    q2 = f64x2.add(q2, f64x2.mul(f64x2.neg(cost), f64x2.add(net, gross)));
    const xg = f64x2.sub(gross, rfV);
    const xn = f64x2.sub(net, rfV);
    const mn = negPart2(xn);
    const mg = negPart2(xg);
    dn = f64x2.add(dn, f64x2.sub(f64x2.mul(mn, mn), f64x2.mul(mg, mg)));
    // (masks are -1 per true lane: count(xn > 0) - count(xg > 0) = mask(xg > 0) - mask(xn > 0))
    posAdjV = i64x2.add(posAdjV, i64x2.sub(f64x2.gt(xg, zero), f64x2.gt(xn, zero)));
    negAdjV = i64x2.add(negAdjV, i64x2.sub(f64x2.lt(xg, zero), f64x2.lt(xn, zero)));
    {
      // costLog (fastMath.ts), short series on both lanes (checked above), added where cost != 0
      const u = f64x2.div(f64x2.neg(cost), f64x2.sub(f64x2.add(onePlus, onePlus), cost));
      const u2 = f64x2.mul(u, u);
      const u4 = f64x2.mul(u2, u2);
      const series = f64x2.mul(f64x2.mul(f64x2.splat(2.0), u),
        f64x2.add(f64x2.add(one, f64x2.mul(u2, f64x2.splat(1.0 / 3.0))),
          f64x2.mul(u4, f64x2.add(f64x2.add(f64x2.splat(0.2), f64x2.mul(u2, f64x2.splat(1.0 / 7.0))), f64x2.mul(u4, f64x2.splat(1.0 / 9.0))))));
      adjSum = v128.bitselect(f64x2.add(adjSum, series), adjSum, f64x2.ne(cost, zero));
    }
    const e = f64x2.add(f64x2.add(lg, lgc), adjSum);
    const fall = f64x2.sub(peak, e);
    worst = v128.bitselect(fall, worst, f64x2.gt(fall, worst));
    peak = v128.bitselect(e, peak, f64x2.gt(e, peak));

    // trades: the open one (if any) closes here; its growth and cost legs go to the lane's log
    const legs = f64x2.mul(entryFactor, f64x2.sub(one, unit));
    const lA = logA + (<usize>logLenA << 4);
    store<f64>(lA, f64x2.extract_lane(growth, 0)); store<f64>(lA, f64x2.extract_lane(legs, 0), 8);
    const lB = logB + (<usize>logLenB << 4);
    store<f64>(lB, f64x2.extract_lane(growth, 1)); store<f64>(lB, f64x2.extract_lane(legs, 1), 8);
    logLenA += inMA; logLenB += inMB;
    durA += inMA * (tA - startA); durB += inMB * (tB - startB);
    tradesA += inMA; tradesB += inMB;
    if (logLenA == TRADE_LOG_ENTRIES) { flushTradeLog(stA, logA, logLenA, tradesA - logLenA, 0, 0); logLenA = 0; }
    if (logLenB == TRADE_LOG_ENTRIES) { flushTradeLog(stB, logB, logLenB, tradesB - logLenB, 0, 0); logLenB = 0; }
    const enter = f64x2.ne(v, zero);
    startA += lane0(enter) * (tA - startA);
    startB += lane1(enter) * (tB - startB);
    entryFactor = v128.bitselect(f64x2.sub(one, unit), entryFactor, enter);
    pos = v;
    segA = tA + 1; segB = tB + 1;
    jA++; jB++;
  }

  storePair(stA, stB, ST_Y1, y1); storePair(stA, stB, ST_Y1C, y1c); storePair(stA, stB, ST_Y2, y2); storePair(stA, stB, ST_DG, dg);
  storePair(stA, stB, ST_LG, lg); storePair(stA, stB, ST_LGC, lgc); storePair(stA, stB, ST_C1, c1); storePair(stA, stB, ST_Q2, q2);
  storePair(stA, stB, ST_DN, dn); storePair(stA, stB, ST_ADJ, adjSum); storePair(stA, stB, ST_PEAK, peak); storePair(stA, stB, ST_WORST, worst);
  storePair(stA, stB, ST_ENTRY, entryFactor); storePair(stA, stB, ST_POS, pos);
  store<i32>(stA, posGA, ST_POS_G); store<i32>(stA, negGA, ST_NEG_G); store<i32>(stB, posGB, ST_POS_G); store<i32>(stB, negGB, ST_NEG_G);
  store<i32>(stA, <i32>i64x2.extract_lane(posAdjV, 0), ST_POS_ADJ); store<i32>(stB, <i32>i64x2.extract_lane(posAdjV, 1), ST_POS_ADJ);
  store<i32>(stA, <i32>i64x2.extract_lane(negAdjV, 0), ST_NEG_ADJ); store<i32>(stB, <i32>i64x2.extract_lane(negAdjV, 1), ST_NEG_ADJ);
  store<i32>(stA, tradesA, ST_TRADES); store<i32>(stB, tradesB, ST_TRADES);
  store<i32>(stA, startA, ST_TRADE_START); store<i32>(stB, startB, ST_TRADE_START);
  store<i32>(stA, durA, ST_DURATION); store<i32>(stB, durB, ST_DURATION);
  store<i32>(stA, segA, ST_SEG_START); store<i32>(stB, segB, ST_SEG_START);
  store<i32>(stA, prevA, ST_PREV_IDX); store<i32>(stB, prevB, ST_PREV_IDX);
  store<i32>(stA, jA, ST_ROW); store<i32>(stB, jB, ST_ROW);
  store<i32>(stA, candCountA, ST_CAND); store<i32>(stB, candCountB, ST_CAND);
  flushTradeLog(stA, logA, logLenA, tradesA - logLenA, 0, 0);
  flushTradeLog(stB, logB, logLenB, tradesB - logLenB, 0, 0);
}
