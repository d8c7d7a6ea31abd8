import { InputError } from '../errors.ts';
import { withScratch } from './runtime.ts';

/** Trades of a position series: entry bar, exit bar (inclusive; n-1 for a trade still open), returns. */
export interface Trades {
  start: Int32Array;
  end: Int32Array;
  grossReturn: Float64Array;
  netReturn: Float64Array;
}

/**
 * Splits positions into trades (WASM kernel `extractTrades`); `cost` is the per-bar cost of strategyReturns.
 * Throws InputError when returns or cost do not have one value per position.
 */
export function extractTrades(positions: Float64Array, returns: Float64Array, cost: Float64Array): Trades {
  const n = positions.length;
  if (returns.length !== n) throw new InputError(`returns has ${returns.length} bars but positions has ${n}`);
  if (cost.length !== n) throw new InputError(`cost has ${cost.length} bars but positions has ${n}`);
  return withScratch((arena, k) => {
    const pos = arena.copyF64(positions);
    const ret = arena.copyF64(returns);
    const costIn = arena.copyF64(cost);
    const start = arena.i32(n);
    const end = arena.i32(n);
    const gross = arena.f64(n);
    const net = arena.f64(n);
    const count = k.extractTrades(pos.byteOffset, ret.byteOffset, costIn.byteOffset, n, start.byteOffset, end.byteOffset, gross.byteOffset, net.byteOffset);
    return { start: start.slice(0, count), end: end.slice(0, count), grossReturn: gross.slice(0, count), netReturn: net.slice(0, count) };
  });
}
