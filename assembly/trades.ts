// Trade extraction from a dense position series.

/**
 * Splits a dense position series into trades and computes each trade's returns.
 *
 * A trade is a maximal run of bars whose position has one non-zero sign; a flip closes one
 * trade and opens the next at the same bar. A trade entered at bar s (position set at the
 * close of s) and exited at bar e earns the returns of bars s+1 .. e:
 *
 *   gross = prod_{j=s+1..e} (1 + pos[j-1] * r[j]) - 1
 *   net   = (1 - entryLeg) * prod_{j=s+1..e} (1 + pos[j-1] * r[j]) * prod(1 - resizeCost) * (1 - exitLeg) - 1
 *
 * where the cost of a change at bar t, cost[t] = |pos[t] - pos[t-1]| * unit[t], is split over
 * its legs in proportion to their size: closing |pos[t-1]| * unit[t], opening |pos[t]| * unit[t];
 * a resize within one sign pays its whole cost[t] to the running trade. A trade still open at
 * the last bar ends there, marked to market, with no exit cost. NaN returns count as 0.
 *
 * Outputs (capacity n each): startPtr/endPtr i32 (s, e), grossPtr/netPtr f64.
 * Returns the number of trades written.
 */
export function extractTrades(
  posPtr: usize, retPtr: usize, costPtr: usize, n: i32,
  startPtr: usize, endPtr: usize, grossPtr: usize, netPtr: usize,
): i32 {
  let trades: i32 = 0;
  let previous: f64 = 0.0;
  let open = false;
  let start: i32 = 0;
  let grossGrowth: f64 = 1.0;
  let netGrowth: f64 = 1.0;
  for (let t: i32 = 0; t < n; t++) {
    const offset = <usize>t << 3;
    const position = load<f64>(posPtr + offset);
    if (open) {
      let r = load<f64>(retPtr + offset);
      if (r != r) r = 0.0;
      const factor = 1.0 + previous * r;
      grossGrowth *= factor;
      netGrowth *= factor;
    }
    if (position != previous) {
      const traded = Math.abs(position - previous);
      const unit = load<f64>(costPtr + offset) / traded;
      const sameSign = (position > 0.0 && previous > 0.0) || (position < 0.0 && previous < 0.0);
      if (sameSign) {
        netGrowth *= 1.0 - traded * unit;
      } else {
        if (open) {
          netGrowth *= 1.0 - Math.abs(previous) * unit;
          store<i32>(startPtr + (<usize>trades << 2), start);
          store<i32>(endPtr + (<usize>trades << 2), t);
          store<f64>(grossPtr + (<usize>trades << 3), grossGrowth - 1.0);
          store<f64>(netPtr + (<usize>trades << 3), netGrowth - 1.0);
          trades++;
          open = false;
        }
        if (position != 0.0) {
          open = true;
          start = t;
          grossGrowth = 1.0;
          netGrowth = 1.0 - Math.abs(position) * unit;
        }
      }
      previous = position;
    }
  }
  if (open) {
    store<i32>(startPtr + (<usize>trades << 2), start);
    store<i32>(endPtr + (<usize>trades << 2), n - 1);
    store<f64>(grossPtr + (<usize>trades << 3), grossGrowth - 1.0);
    store<f64>(netPtr + (<usize>trades << 3), netGrowth - 1.0);
    trades++;
  }
  return trades;
}
