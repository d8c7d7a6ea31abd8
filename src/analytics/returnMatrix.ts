// A dense matrix of per-bar strategy returns, column-major (one column per strategy).
import { InputError } from '../errors.ts';

/**
 * Per-bar returns of several strategies on the same bars, column-major: strategy j's returns are
 * `values[j * bars, (j + 1) * bars)`. Returns are simple per-bar fractions; NaN marks a missing value.
 */
export interface ReturnMatrix {
  values: Float64Array;
  /** Rows (bars) T. */
  bars: number;
  /** Column names (strategy ids); the number of strategies N is names.length. */
  names: readonly string[];
}

/** Builds a ReturnMatrix from equal-length columns. Throws InputError on a length mismatch or duplicate name. */
export function returnMatrixFromColumns(names: readonly string[], columns: readonly Float64Array[]): ReturnMatrix {
  if (names.length !== columns.length) throw new InputError(`returns: ${names.length} names for ${columns.length} columns`);
  const bars = columns[0]?.length ?? 0;
  const seen = new Set<string>();
  const values = new Float64Array(bars * columns.length);
  columns.forEach((column, j) => {
    const name = names[j]!;
    if (seen.has(name)) throw new InputError(`returns: column name '${name}' appears twice`, { column: name });
    seen.add(name);
    if (column.length !== bars) throw new InputError(`returns: column '${name}' has ${column.length} bars, expected ${bars}`, { column: name });
    values.set(column, j * bars);
  });
  return { values, bars, names: [...names] };
}

/** Checks that values.length equals bars x names.length. */
export function validateReturnMatrix(matrix: ReturnMatrix, label = 'returns'): void {
  const { bars, names, values } = matrix;
  if (!Number.isInteger(bars) || bars < 0) throw new InputError(`${label}.bars must be a non-negative integer, got ${bars}`);
  if (values.length !== bars * names.length) {
    throw new InputError(`${label}.values length ${values.length} does not match ${bars} bars x ${names.length} strategies`);
  }
}

/** Column j (a view, not a copy). */
export function returnColumn(matrix: ReturnMatrix, j: number): Float64Array {
  return matrix.values.subarray(j * matrix.bars, (j + 1) * matrix.bars);
}

/** The rows whose `keep[t]` is true, as a new matrix (same columns). */
export function selectRows(matrix: ReturnMatrix, keep: (row: number) => boolean): ReturnMatrix {
  const rows: number[] = [];
  for (let t = 0; t < matrix.bars; t++) if (keep(t)) rows.push(t);
  const n = matrix.names.length;
  const values = new Float64Array(rows.length * n);
  for (let j = 0; j < n; j++) {
    const source = returnColumn(matrix, j);
    const offset = j * rows.length;
    rows.forEach((row, i) => { values[offset + i] = source[row]!; });
  }
  return { values, bars: rows.length, names: matrix.names };
}

/** Result of dropIncompleteRows. */
export interface CompleteRows {
  matrix: ReturnMatrix;
  /** Rows removed because at least one column was NaN (or infinite). */
  droppedRows: number;
}

/** Drops every row holding a non-finite value in any column (listwise deletion). */
export function dropIncompleteRows(matrix: ReturnMatrix): CompleteRows {
  const n = matrix.names.length;
  const complete = (t: number) => {
    for (let j = 0; j < n; j++) if (!Number.isFinite(matrix.values[j * matrix.bars + t]!)) return false;
    return true;
  };
  const result = selectRows(matrix, complete);
  return { matrix: result, droppedRows: matrix.bars - result.bars };
}
