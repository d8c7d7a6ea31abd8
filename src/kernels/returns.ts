import { withScratch } from './runtime.ts';

/** Bar returns with the index of the first invalid (NaN or <= 0) close, -1 when none. */
export interface BarReturnsResult {
  returns: Float64Array;
  firstInvalidIndex: number;
}

/** Simple bar returns from closes (WASM kernel `barReturns`); r[0] = 0, NaN next to invalid closes. */
export function barReturns(close: Float64Array): BarReturnsResult {
  return withScratch((arena, k) => {
    const closeIn = arena.copyF64(close);
    const out = arena.f64(close.length);
    const firstInvalidIndex = k.barReturns(closeIn.byteOffset, close.length, out.byteOffset);
    return { returns: out.slice(), firstInvalidIndex };
  });
}
