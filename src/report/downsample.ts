// Min/max-preserving downsampling of long curves for the HTML report (so drawdowns stay visible).

/** Default upper bound on the points of one plotted curve. */
export const DEFAULT_MAX_CURVE_POINTS = 2000;

/**
 * Indices of the points to keep when plotting `values` with at most `maxPoints` points: the
 * first and the last point, and in each of `floor((maxPoints - 2) / 2)` equal-width buckets of the
 * points in between, the minimum and the maximum (in index order; one point when they coincide).
 * Every local extreme a reader could see at that resolution survives, unlike with stride
 * sampling, so the deepest drawdown and the highest peak are always drawn at their true value.
 * NaN values are never chosen as extrema; a bucket of NaN only keeps its first index.
 *
 * @param values the curve, one value per bar
 * @param maxPoints upper bound on the kept points, >= 4 (smaller values are raised to 4)
 * @returns strictly increasing indices into `values`; all of them when `values.length <= maxPoints`
 */
export function minMaxDownsampleIndices(values: ArrayLike<number>, maxPoints: number = DEFAULT_MAX_CURVE_POINTS): Int32Array {
  const n = values.length;
  const limit = Math.max(4, Math.floor(maxPoints));
  if (n <= limit) return Int32Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor((limit - 2) / 2);
  const inner = n - 2; // points 1 .. n-2
  const kept: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets); // exclusive
    if (end <= start) continue;
    let minIndex = -1;
    let maxIndex = -1;
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      if (minIndex < 0 || v < values[minIndex]!) minIndex = i;
      if (maxIndex < 0 || v > values[maxIndex]!) maxIndex = i;
    }
    if (minIndex < 0) {
      kept.push(start);
    } else if (minIndex === maxIndex) {
      kept.push(minIndex);
    } else {
      kept.push(Math.min(minIndex, maxIndex), Math.max(minIndex, maxIndex));
    }
  }
  kept.push(n - 1);
  return Int32Array.from(kept);
}

/** A curve reduced for plotting: x and y of the kept points. */
export interface DownsampledCurve {
  x: number[];
  y: number[];
}

/**
 * Downsamples one curve with minMaxDownsampleIndices and picks the x values (e.g. bar timestamps,
 * epoch ms) of the kept points; y values are rounded to `significantDigits` (default 6) to keep
 * the embedded JSON small.
 */
export function downsampleCurve(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number = DEFAULT_MAX_CURVE_POINTS, significantDigits = 6): DownsampledCurve {
  const index = minMaxDownsampleIndices(y, maxPoints);
  const xs = new Array<number>(index.length);
  const ys = new Array<number>(index.length);
  for (let k = 0; k < index.length; k++) {
    const i = index[k]!;
    xs[k] = x[i]!;
    ys[k] = roundSignificant(y[i]!, significantDigits);
  }
  return { x: xs, y: ys };
}

/** `value` with `digits` significant digits (NaN and ±Infinity unchanged; -0 becomes 0). */
export function roundSignificant(value: number, digits = 6): number {
  if (!Number.isFinite(value) || value === 0) return value === 0 ? 0 : value;
  return Number(value.toPrecision(digits));
}
