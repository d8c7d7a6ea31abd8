// Covariance and correlation of strategy returns: dense (column-major T x N matrices, cache-blocked,
// f64x2 SIMD), pairwise-complete (NaN-aware, as pandas DataFrame.cov/corr) and change-proportional
// (from sparse change lists and prefix sums of market returns).
import { blockDots, dot00, dot01, dot10, dot11 } from './blockDot';

/** Rows of one tile of the blocked Gram product (256 rows x 8 bytes = 2 KiB per column). */
const ROW_BLOCK: i32 = 256;
/** Columns of one j-tile: 64 columns x 2 KiB = 128 KiB, kept in L2 while the i columns stream. */
const COLUMN_BLOCK: i32 = 64;

@inline function columnPtr(dataPtr: usize, rows: i32, column: i32): usize {
  return dataPtr + ((<usize>column * <usize>rows) << 3);
}

/**
 * Dense sample covariance (ddof = 1) of the N columns of a column-major T x N matrix.
 *
 *   mean_j = sum_t X[t,j] / T;  cov[i,j] = sum_t (X[t,i] - mean_i)(X[t,j] - mean_j) / (T - 1)
 *
 * The data is centred IN PLACE (dataPtr is overwritten with X - mean; the binding passes a copy).
 * NaN propagates: a column holding a NaN has NaN in its row and column of the result. T < 2 gives
 * NaN everywhere. meansPtr: f64[N] (receives mean_j); outPtr: f64[N*N] row-major (symmetric).
 * Blocked Gram product: tiles of ROW_BLOCK rows x COLUMN_BLOCK columns, 2x2 column micro-kernel
 * over f64x2 row pairs.
 */
export function covarianceMatrix(dataPtr: usize, rows: i32, cols: i32, meansPtr: usize, outPtr: usize): void {
  const total = <usize>cols * <usize>cols;
  for (let k: usize = 0; k < total; k++) store<f64>(outPtr + (k << 3), 0.0);
  // Means and centring (two passes, numpy order).
  for (let j: i32 = 0; j < cols; j++) {
    const col = columnPtr(dataPtr, rows, j);
    let lanes = f64x2.splat(0.0);
    const pairs = rows >> 1;
    for (let t: i32 = 0; t < pairs; t++) lanes = f64x2.add(lanes, v128.load(col + (<usize>t << 4)));
    let sum = f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1);
    if (rows & 1) sum += load<f64>(col + (<usize>(rows - 1) << 3));
    const mean = rows > 0 ? sum / <f64>rows : NaN;
    store<f64>(meansPtr + (<usize>j << 3), mean);
    const m = f64x2.splat(mean);
    for (let t: i32 = 0; t < pairs; t++) {
      const p = col + (<usize>t << 4);
      v128.store(p, f64x2.sub(v128.load(p), m));
    }
    if (rows & 1) {
      const p = col + (<usize>(rows - 1) << 3);
      store<f64>(p, load<f64>(p) - mean);
    }
  }
  // Upper triangle of the Gram matrix, accumulated tile by tile.
  for (let r0: i32 = 0; r0 < rows; r0 += ROW_BLOCK) {
    const rowCount = min(ROW_BLOCK, rows - r0);
    for (let j0: i32 = 0; j0 < cols; j0 += COLUMN_BLOCK) {
      const j1 = min(cols, j0 + COLUMN_BLOCK);
      for (let i: i32 = 0; i < j1; i += 2) {
        for (let j: i32 = max(j0, i); j < j1; j += 2) {
          gramTile(dataPtr, rows, cols, r0, rowCount, i, j, outPtr);
        }
      }
    }
  }
  // Mirror and scale.
  const scale = rows >= 2 ? 1.0 / <f64>(rows - 1) : NaN;
  for (let i: i32 = 0; i < cols; i++) {
    for (let j: i32 = i; j < cols; j++) {
      const v = load<f64>(outPtr + ((<usize>i * <usize>cols + <usize>j) << 3)) * scale;
      store<f64>(outPtr + ((<usize>i * <usize>cols + <usize>j) << 3), v);
      store<f64>(outPtr + ((<usize>j * <usize>cols + <usize>i) << 3), v);
    }
  }
}

/**
 * 2x2 micro-kernel: adds sum over rows [r0, r0 + rowCount) of x_a * x_b to out[a][b] for
 * a in {i, i+1}, b in {j, j+1} (columns past the end are skipped). Only a <= b is stored, so the
 * upper triangle is complete after every tile with j >= i.
 */
@inline function gramTile(dataPtr: usize, rows: i32, cols: i32, r0: i32, rowCount: i32, i: i32, j: i32, outPtr: usize): void {
  const i1 = i + 1 < cols ? i + 1 : i;
  const j1 = j + 1 < cols ? j + 1 : j;
  const a0 = columnPtr(dataPtr, rows, i) + (<usize>r0 << 3);
  const a1 = columnPtr(dataPtr, rows, i1) + (<usize>r0 << 3);
  const b0 = columnPtr(dataPtr, rows, j) + (<usize>r0 << 3);
  const b1 = columnPtr(dataPtr, rows, j1) + (<usize>r0 << 3);
  blockDots(a0, a1, b0, b1, rowCount >> 1);
  let c00 = dot00;
  let c01 = dot01;
  let c10 = dot10;
  let c11 = dot11;
  if (rowCount & 1) {
    const off = <usize>(rowCount - 1) << 3;
    const x0 = load<f64>(a0 + off);
    const x1 = load<f64>(a1 + off);
    const y0 = load<f64>(b0 + off);
    const y1 = load<f64>(b1 + off);
    c00 += x0 * y0;
    c01 += x0 * y1;
    c10 += x1 * y0;
    c11 += x1 * y1;
  }
  accumulate(outPtr, cols, i, j, c00);
  if (j1 != j) accumulate(outPtr, cols, i, j1, c01);
  if (i1 != i) {
    if (i1 <= j) accumulate(outPtr, cols, i1, j, c10);
    if (j1 != j) accumulate(outPtr, cols, i1, j1, c11);
  }
}

@inline function accumulate(outPtr: usize, cols: i32, a: i32, b: i32, value: f64): void {
  if (a > b) return;
  const p = outPtr + ((<usize>a * <usize>cols + <usize>b) << 3);
  store<f64>(p, load<f64>(p) + value);
}

/**
 * Correlation from a covariance matrix (N x N, row-major), as numpy.corrcoef:
 *
 *   corr[i,j] = cov[i,j] / sqrt(cov[i,i] * cov[j,j]), clipped to [-1, 1]
 *
 * A column with zero (or NaN) variance has NaN in its row and column, diagonal included.
 */
export function correlationFromCovariance(covPtr: usize, n: i32, outPtr: usize): void {
  for (let i: i32 = 0; i < n; i++) {
    const vi = load<f64>(covPtr + ((<usize>i * <usize>n + <usize>i) << 3));
    for (let j: i32 = 0; j < n; j++) {
      const vj = load<f64>(covPtr + ((<usize>j * <usize>n + <usize>j) << 3));
      const c = load<f64>(covPtr + ((<usize>i * <usize>n + <usize>j) << 3));
      let r: f64 = NaN;
      if (vi > 0.0 && vj > 0.0) {
        r = i == j ? 1.0 : c / Math.sqrt(vi * vj);
        if (r > 1.0) r = 1.0;
        if (r < -1.0) r = -1.0;
      }
      store<f64>(outPtr + ((<usize>i * <usize>n + <usize>j) << 3), r);
    }
  }
}

/**
 * Pairwise-complete covariance and correlation (pandas DataFrame.cov() / .corr() semantics): for
 * each pair, only rows where both values are finite count; with m such rows
 *
 *   cov = sum (x - mx)(y - my) / (m - 1);  corr = sum (x - mx)(y - my) / sqrt(sum (x - mx)^2 sum (y - my)^2)
 *
 * with mx, my the means over those m rows. m < 2 gives NaN; a zero sum of squares gives NaN corr.
 * corrPtr may be 0 (skipped). countsPtr (f64[N*N], may be 0) receives m. Scalar, O(N^2 T).
 */
export function covariancePairwise(dataPtr: usize, rows: i32, cols: i32, covPtr: usize, corrPtr: usize, countsPtr: usize): void {
  for (let i: i32 = 0; i < cols; i++) {
    const a = columnPtr(dataPtr, rows, i);
    for (let j: i32 = i; j < cols; j++) {
      const b = columnPtr(dataPtr, rows, j);
      let m: i32 = 0;
      let sx: f64 = 0.0;
      let sy: f64 = 0.0;
      for (let t: i32 = 0; t < rows; t++) {
        const x = load<f64>(a + (<usize>t << 3));
        const y = load<f64>(b + (<usize>t << 3));
        if (x - x == 0.0 && y - y == 0.0) { m++; sx += x; sy += y; }
      }
      let cov: f64 = NaN;
      let corr: f64 = NaN;
      if (m >= 2) {
        const mx = sx / <f64>m;
        const my = sy / <f64>m;
        let sxy: f64 = 0.0;
        let sxx: f64 = 0.0;
        let syy: f64 = 0.0;
        for (let t: i32 = 0; t < rows; t++) {
          const x = load<f64>(a + (<usize>t << 3));
          const y = load<f64>(b + (<usize>t << 3));
          if (x - x == 0.0 && y - y == 0.0) {
            const dx = x - mx;
            const dy = y - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
          }
        }
        cov = sxy / <f64>(m - 1);
        if (sxx > 0.0 && syy > 0.0) {
          corr = i == j ? 1.0 : sxy / Math.sqrt(sxx * syy);
          if (corr > 1.0) corr = 1.0;
          if (corr < -1.0) corr = -1.0;
        }
      }
      const ij = (<usize>i * <usize>cols + <usize>j) << 3;
      const ji = (<usize>j * <usize>cols + <usize>i) << 3;
      store<f64>(covPtr + ij, cov);
      store<f64>(covPtr + ji, cov);
      if (corrPtr != 0) { store<f64>(corrPtr + ij, corr); store<f64>(corrPtr + ji, corr); }
      if (countsPtr != 0) { store<f64>(countsPtr + ij, <f64>m); store<f64>(countsPtr + ji, <f64>m); }
    }
  }
}

/**
 * Sum of R_t = pos_{t-1} * r_t over t in [1, bars) for one change list, from the prefix sums
 * prefix[i] = sum_{t < i} r_t: a position set at bar k and held until the next change at bar k'
 * earns the returns of bars [k + 1, k' + 1) (timing rule: a signal at bar t applies to bar t + 1).
 */
function segmentSum(idxPtr: usize, valuePtr: usize, start: i32, end: i32, bars: i32, prefixPtr: usize): f64 {
  let total: f64 = 0.0;
  for (let c: i32 = start; c < end; c++) {
    const k = load<i32>(idxPtr + (<usize>c << 2));
    const next = c + 1 < end ? load<i32>(idxPtr + (<usize>(c + 1) << 2)) : bars;
    const from = min(k + 1, bars);
    const to = min(next + 1, bars);
    const p = load<f64>(valuePtr + (<usize>c << 3));
    if (p != 0.0 && to > from) total += p * (load<f64>(prefixPtr + (<usize>to << 3)) - load<f64>(prefixPtr + (<usize>from << 3)));
  }
  return total;
}

/**
 * Sum over t in [1, bars) of pos_a(t-1) * pos_b(t-1) * r_t^2, by merging two change lists: on each
 * merged segment [k, k') of constant positions the sum is p_a p_b (Q[k' + 1] - Q[k + 1]) with
 * Q[i] = sum_{t < i} r_t^2 (indices clipped to bars).
 */
function crossSum(
  idxPtr: usize, valuePtr: usize, aStart: i32, aEnd: i32, bStart: i32, bEnd: i32, bars: i32, squaresPtr: usize,
): f64 {
  let ia = aStart;
  let ib = bStart;
  let pa: f64 = 0.0;
  let pb: f64 = 0.0;
  let cursor: i32 = 0;
  let total: f64 = 0.0;
  while (ia < aEnd || ib < bEnd) {
    const ka = ia < aEnd ? load<i32>(idxPtr + (<usize>ia << 2)) : bars;
    const kb = ib < bEnd ? load<i32>(idxPtr + (<usize>ib << 2)) : bars;
    const next = min(ka, kb);
    if (pa != 0.0 && pb != 0.0) {
      const from = min(cursor + 1, bars);
      const to = min(next + 1, bars);
      if (to > from) total += pa * pb * (load<f64>(squaresPtr + (<usize>to << 3)) - load<f64>(squaresPtr + (<usize>from << 3)));
    }
    cursor = next;
    if (ka == next) { pa = load<f64>(valuePtr + (<usize>ia << 3)); ia++; }
    if (kb == next) { pb = load<f64>(valuePtr + (<usize>ib << 3)); ib++; }
  }
  if (pa != 0.0 && pb != 0.0) {
    const from = min(cursor + 1, bars);
    if (bars > from) total += pa * pb * (load<f64>(squaresPtr + (<usize>bars << 3)) - load<f64>(squaresPtr + (<usize>from << 3)));
  }
  return total;
}

/**
 * Change-proportional covariance (ddof = 1) of S strategies sharing one market, GROSS of costs:
 * strategy returns R_t = pos_{t-1} r_t over the bars t in [0, bars) (R_0 = 0, position 0 before the
 * first change), with
 *
 *   cov(a, b) = (sum_t R_a R_b - (sum_t R_a)(sum_t R_b) / T) / (T - 1),  T = bars
 *   sum_t R_a R_b = sum over merged segments of p_a p_b (Q[k'+1] - Q[k+1]),  sum_t R_a = sum p_a (P[k'+1] - P[k+1])
 *
 * in O(K_a + K_b) per pair. Costs are ignored (they are charged at change bars and would need the
 * cost series; use the dense path for net returns). Positions may be any values (-1/0/1 or
 * fractional). Change lists are concatenated: strategy s owns rows [offsets[s], offsets[s+1]) of
 * idx (i32, strictly increasing in [0, bars)) and value (f64). prefix, squares: f64[bars + 1],
 * prefix[i] = sum_{t<i} r_t, squares[i] = sum_{t<i} r_t^2 (NaN returns must be 0 in them).
 * sumsPtr: f64[S] scratch (receives sum_t R_s). outPtr: f64[S*S]. bars < 2 gives NaN.
 * Returns 0, or s + 1 for the first strategy whose change list is not strictly increasing in range.
 */
export function sparseCovariance(
  idxPtr: usize, valuePtr: usize, offsetsPtr: usize, strategies: i32, bars: i32,
  prefixPtr: usize, squaresPtr: usize, sumsPtr: usize, outPtr: usize,
): i32 {
  for (let s: i32 = 0; s < strategies; s++) {
    const start = load<i32>(offsetsPtr + (<usize>s << 2));
    const end = load<i32>(offsetsPtr + (<usize>(s + 1) << 2));
    if (end < start) return s + 1;
    let previous: i32 = -1;
    for (let c: i32 = start; c < end; c++) {
      const k = load<i32>(idxPtr + (<usize>c << 2));
      if (k <= previous || k >= bars) return s + 1;
      previous = k;
    }
    store<f64>(sumsPtr + (<usize>s << 3), segmentSum(idxPtr, valuePtr, start, end, bars, prefixPtr));
  }
  const n = <f64>bars;
  const scale = bars >= 2 ? 1.0 / (n - 1.0) : NaN;
  for (let a: i32 = 0; a < strategies; a++) {
    const aStart = load<i32>(offsetsPtr + (<usize>a << 2));
    const aEnd = load<i32>(offsetsPtr + (<usize>(a + 1) << 2));
    const sa = load<f64>(sumsPtr + (<usize>a << 3));
    for (let b: i32 = a; b < strategies; b++) {
      const bStart = load<i32>(offsetsPtr + (<usize>b << 2));
      const bEnd = load<i32>(offsetsPtr + (<usize>(b + 1) << 2));
      const sb = load<f64>(sumsPtr + (<usize>b << 3));
      const cross = crossSum(idxPtr, valuePtr, aStart, aEnd, bStart, bEnd, bars, squaresPtr);
      const cov = (cross - sa * sb / n) * scale;
      store<f64>(outPtr + ((<usize>a * <usize>strategies + <usize>b) << 3), cov);
      store<f64>(outPtr + ((<usize>b * <usize>strategies + <usize>a) << 3), cov);
    }
  }
  return 0;
}
