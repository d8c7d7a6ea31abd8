// Reference (plain TS) of assembly/expand.ts; same signature as src/kernels/expand.ts.
import { SchemaError } from '../../src/errors.ts';

/**
 * Forward-fills a sparse change list to one value per bar:
 *
 *   out[t] = value[j] for the last row j with idx[j] <= t; 0 before the first row.
 *
 * Throws SchemaError (context.row = the first bad row, column 'idx') when a row's idx is not
 * strictly greater than the previous one or lies outside [0, nBars).
 */
export function expandSignal(idx: Int32Array, value: Float64Array, nBars: number): Float64Array {
  if (idx.length !== value.length) throw new SchemaError(`change list has ${idx.length} indices but ${value.length} values`);
  for (let j = 0; j < idx.length; j++) {
    const at = idx[j]!;
    const previous = j > 0 ? idx[j - 1]! : -1;
    if (at < 0 || at >= nBars) throw new SchemaError(`row ${j}: idx ${at} is outside the bar range [0, ${nBars})`, { row: j, column: 'idx' });
    if (at <= previous) throw new SchemaError(`row ${j}: idx ${at} is not after the previous idx ${previous}`, { row: j, column: 'idx' });
  }
  const out = new Float64Array(nBars);
  let row = -1;
  for (let t = 0; t < nBars; t++) {
    while (row + 1 < idx.length && idx[row + 1]! <= t) row++;
    out[t] = row >= 0 ? value[row]! : 0;
  }
  return out;
}
