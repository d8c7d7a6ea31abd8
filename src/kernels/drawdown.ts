import { withScratch } from './runtime.ts';

/** Compounded equity from 1 (WASM kernel `equityCurve`); NaN returns count as 0. */
export function equityCurve(returns: Float64Array): Float64Array {
  return withScratch((arena, k) => {
    const input = arena.copyF64(returns);
    const out = arena.f64(returns.length);
    k.equityCurve(input.byteOffset, returns.length, out.byteOffset);
    return out.slice();
  });
}

/** Underwater curve (positive fractions) and its maximum (WASM kernel `drawdownSeries`). */
export function drawdownSeries(returns: Float64Array): { drawdown: Float64Array; maxDrawdown: number } {
  return withScratch((arena, k) => {
    const input = arena.copyF64(returns);
    const out = arena.f64(returns.length);
    const maxDrawdown = k.drawdownSeries(input.byteOffset, returns.length, out.byteOffset);
    return { drawdown: out.slice(), maxDrawdown };
  });
}

/** Maximum drawdown of compounded equity, positive fraction (WASM kernel `maxDrawdown`). */
export function maxDrawdown(returns: Float64Array): number {
  return withScratch((arena, k) => k.maxDrawdown(arena.copyF64(returns).byteOffset, returns.length));
}

/** Drawdown from the peak of the last `windowBars` bars (WASM kernel `rollingDrawdown`). */
export function rollingDrawdown(returns: Float64Array, windowBars: number): Float64Array {
  const n = returns.length;
  return withScratch((arena, k) => {
    const input = arena.copyF64(returns);
    const scratch = arena.alloc(12 * n);
    const out = arena.f64(n);
    k.rollingDrawdown(input.byteOffset, n, Math.max(1, windowBars), scratch, out.byteOffset);
    return out.slice();
  });
}
