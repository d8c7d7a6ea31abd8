import { SchemaError } from '../errors.ts';
import { withScratch } from './runtime.ts';

/**
 * Expands a sparse change list to one value per bar by forward fill (WASM kernel `expandSignal`).
 * Throws SchemaError naming the row when `idx` is unsorted, duplicated or outside [0, nBars).
 */
export function expandSignal(idx: Int32Array, value: Float64Array, nBars: number): Float64Array {
  if (idx.length !== value.length) throw new SchemaError(`change list has ${idx.length} indices but ${value.length} values`);
  return withScratch((arena, k) => {
    const idxIn = arena.copyI32(idx);
    const valueIn = arena.copyF64(value);
    const out = arena.f64(nBars);
    const bad = k.expandSignal(idxIn.byteOffset, valueIn.byteOffset, idx.length, nBars, out.byteOffset);
    if (bad >= 0) throw changeListError(idx, bad, nBars);
    return out.slice();
  });
}

/** The error for row `row` of a change list rejected by expandSignal. */
export function changeListError(idx: ArrayLike<number>, row: number, nBars: number): SchemaError {
  const at = idx[row] ?? NaN;
  const previous = row > 0 ? idx[row - 1] ?? NaN : NaN;
  const problem = at >= nBars || at < 0
    ? `idx ${at} is outside the bar range [0, ${nBars})`
    : at === previous ? `idx ${at} is duplicated` : `idx ${at} is not after the previous idx ${previous} (unsorted)`;
  return new SchemaError(`row ${row}: ${problem}`, { row, column: 'idx' });
}
