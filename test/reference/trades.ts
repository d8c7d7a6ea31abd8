// Reference (plain TS) of assembly/trades.ts; same signature as src/kernels/trades.ts.
import { InputError } from '../../src/errors.ts';

/** Trades of a position series: entry bar, exit bar (inclusive; n-1 for a trade still open), returns. */
export interface Trades {
  start: Int32Array;
  end: Int32Array;
  grossReturn: Float64Array;
  netReturn: Float64Array;
}

/**
 * Splits positions into trades, each a maximal run of one non-zero sign (a flip ends one trade and
 * starts the next at the same bar). A trade entered at bar s and left at bar e earns bars s+1 .. e:
 *
 *   gross = prod_{j=s+1..e} (1 + pos[j-1] * r[j]) - 1
 *   net   = (1 - |pos[s]| unit[s]) * prod_{j=s+1..e} (1 + pos[j-1] r[j]) * prod_{resizes j} (1 - cost[j])
 *           * (1 - |pos[e-1]| unit[e]) - 1,          unit[t] = cost[t] / |pos[t] - pos[t-1]|
 *
 * where the exit factor is left out for a trade still open at the last bar (e = n - 1). NaN r as 0.
 * Found in two passes: the trade boundaries first, then each trade's products.
 */
export function extractTrades(positions: Float64Array, returns: Float64Array, cost: Float64Array): Trades {
  const n = positions.length;
  if (returns.length !== n) throw new InputError(`returns has ${returns.length} bars but positions has ${n}`);
  if (cost.length !== n) throw new InputError(`cost has ${cost.length} bars but positions has ${n}`);
  const at = (t: number) => (t >= 0 ? positions[t]! : 0);
  const unit = (t: number) => cost[t]! / Math.abs(at(t) - at(t - 1));
  // Pass 1: boundaries. A trade starts where the sign becomes non-zero and differs from before.
  const bounds: Array<[number, number, boolean]> = [];
  for (let s = 0; s < n; s++) {
    const sign = Math.sign(at(s));
    if (sign === 0 || sign === Math.sign(at(s - 1))) continue;
    let e = s + 1;
    while (e < n && Math.sign(at(e)) === sign) e++;
    const closed = e < n;
    bounds.push([s, closed ? e : n - 1, closed]);
  }
  // Pass 2: returns of each trade.
  const result: Trades = {
    start: new Int32Array(bounds.length),
    end: new Int32Array(bounds.length),
    grossReturn: new Float64Array(bounds.length),
    netReturn: new Float64Array(bounds.length),
  };
  bounds.forEach(([s, e, closed], i) => {
    let grossGrowth = 1;
    let netGrowth = 1 - Math.abs(at(s)) * unit(s);
    for (let j = s + 1; j <= e; j++) {
      const r = Number.isNaN(returns[j]!) ? 0 : returns[j]!;
      const factor = 1 + at(j - 1) * r;
      grossGrowth *= factor;
      netGrowth *= factor;
      if (closed && j === e) netGrowth *= 1 - Math.abs(at(j - 1)) * unit(j);
      else if (at(j) !== at(j - 1)) netGrowth *= 1 - cost[j]!;
    }
    result.start[i] = s;
    result.end[i] = e;
    result.grossReturn[i] = grossGrowth - 1;
    result.netReturn[i] = netGrowth - 1;
  });
  return result;
}
