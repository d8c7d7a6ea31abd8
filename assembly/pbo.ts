// Combinatorially symmetric cross-validation (CSCV) for the Probability of Backtest Overfitting.
// see: D. H. Bailey, J. M. Borwein, M. López de Prado, Q. J. Zhu, "The Probability of Backtest
// Overfitting", Journal of Computational Finance 20(4), 2017.
//
// The T×N return matrix is cut into S blocks of consecutive bars. pboBlockSums reduces it once to
// per-block sums (O(T·N)); pboSplits then evaluates any range of the C(S, S/2) in-sample/out-of-sample
// splits from those sums alone (O(S·N) per split), so ranges can be sharded over workers.

/** Performance measure: per-bar Sharpe ratio mean / std (ddof = 1). */
export const PBO_METRIC_SHARPE: i32 = 0;
/** Performance measure: mean return. */
export const PBO_METRIC_MEAN: i32 = 1;

/** A std at or below this fraction of |mean| counts as zero (a constant series, up to rounding). */
const DEGENERATE_STD_RATIO: f64 = 1e-12;

/**
 * Performance of a set of n bars from its sums: sum = Σx, squares = Σ(x − c)² for a centre c.
 *
 *   mean = sum / n;  var = (Σ(x − c)² − n·(mean − c)²) / (n − 1)   (exact shift identity)
 *   Sharpe = mean / √var, or ±∞ / 0 (by the sign of mean) when √var ≤ 1e-12·|mean|.
 */
// @ts-ignore: decorator
@inline
function performance(sum: f64, squares: f64, n: f64, centre: f64, metric: i32): f64 {
  const mean = sum / n;
  if (metric == PBO_METRIC_MEAN) return mean;
  const shift = mean - centre;
  let variance = (squares - n * shift * shift) / (n - 1.0);
  if (variance < 0.0) variance = 0.0;
  const std = Math.sqrt(variance);
  if (std <= DEGENERATE_STD_RATIO * Math.abs(mean)) {
    return mean > 0.0 ? Infinity : mean < 0.0 ? -Infinity : 0.0;
  }
  return mean / std;
}

/**
 * Per-block sums of a column-major T×N matrix (strategy j's returns at matrixPtr + 8·j·T).
 *
 *   centre[j]      = mean of strategy j over all T bars
 *   sum[j·S + b]     = Σ x over block b = [bounds[b], bounds[b+1])
 *   squares[j·S + b] = Σ (x − centre[j])² over block b
 *
 * boundsPtr: i32[S + 1], 0 = bounds[0] < … < bounds[S] = T. Outputs: centreOut f64[N], sumOut and
 * squaresOut f64[N·S] (strategy-major). Returns -1 when every value is finite, otherwise the flat
 * index j·T + t of the first non-finite value (outputs are then incomplete).
 */
export function pboBlockSums(
  matrixPtr: usize, nBars: i32, nStrategies: i32, blocks: i32, boundsPtr: usize,
  centreOut: usize, sumOut: usize, squaresOut: usize,
): i32 {
  for (let j: i32 = 0; j < nStrategies; j++) {
    const column = matrixPtr + ((<usize>j * <usize>nBars) << 3);
    // Pass 1: total (two lanes); a non-finite value makes it non-finite.
    let lanes = f64x2.splat(0.0);
    const pairs = nBars >> 1;
    for (let i: i32 = 0; i < pairs; i++) lanes = f64x2.add(lanes, v128.load(column + (<usize>i << 4)));
    let total = f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1);
    if (nBars & 1) total += load<f64>(column + (<usize>(nBars - 1) << 3));
    if (!isFinite(total)) {
      for (let t: i32 = 0; t < nBars; t++) {
        if (!isFinite(load<f64>(column + (<usize>t << 3)))) return j * nBars + t;
      }
    }
    const centre = total / <f64>nBars;
    store<f64>(centreOut + (<usize>j << 3), centre);
    // Pass 2: per-block Σx and Σ(x − c)².
    const centreLanes = f64x2.splat(centre);
    for (let b: i32 = 0; b < blocks; b++) {
      const start = load<i32>(boundsPtr + (<usize>b << 2));
      const end = load<i32>(boundsPtr + (<usize>(b + 1) << 2));
      let sumLanes = f64x2.splat(0.0);
      let squareLanes = f64x2.splat(0.0);
      let t = start;
      for (; t + 1 < end; t += 2) {
        const x = v128.load(column + (<usize>t << 3));
        const d = f64x2.sub(x, centreLanes);
        sumLanes = f64x2.add(sumLanes, x);
        squareLanes = f64x2.add(squareLanes, f64x2.mul(d, d));
      }
      let sum = f64x2.extract_lane(sumLanes, 0) + f64x2.extract_lane(sumLanes, 1);
      let squares = f64x2.extract_lane(squareLanes, 0) + f64x2.extract_lane(squareLanes, 1);
      if (t < end) {
        const x = load<f64>(column + (<usize>t << 3));
        const d = x - centre;
        sum += x;
        squares += d * d;
      }
      const slot = (<usize>j * <usize>blocks + <usize>b) << 3;
      store<f64>(sumOut + slot, sum);
      store<f64>(squaresOut + slot, squares);
    }
  }
  return -1;
}

/**
 * Evaluates the CSCV splits [splitStart, splitEnd) from the block sums of pboBlockSums.
 *
 * Split i puts the blocks whose bit is set in masks[i] in-sample (IS), the others out-of-sample
 * (OOS). For every strategy the IS and OOS performance (PBO_METRIC_*) is combined from its block
 * sums; the IS-best strategy n* (the first index among equal maxima) is selected and its OOS
 * relative rank computed among all N strategies, 1 = worst, N = best, ties at their mid-rank:
 *
 *   rank = #{j : oos_j < oos_n*} + (#{j : oos_j = oos_n*} + 1) / 2
 *
 * centrePtr f64[N]; sumPtr, squaresPtr f64[N·S]; countsPtr f64[S] bars per block; masksPtr i32[];
 * scratchPtr f64[N]. Outputs at index i − splitStart: selectedOut i32, inSampleOut / outOfSampleOut
 * (performance of the selected strategy) f64, rankOut f64.
 */
export function pboSplits(
  centrePtr: usize, sumPtr: usize, squaresPtr: usize, countsPtr: usize,
  nStrategies: i32, blocks: i32, masksPtr: usize, splitStart: i32, splitEnd: i32, metric: i32,
  scratchPtr: usize, selectedOut: usize, inSampleOut: usize, outOfSampleOut: usize, rankOut: usize,
): void {
  let totalBars: f64 = 0.0;
  for (let b: i32 = 0; b < blocks; b++) totalBars += load<f64>(countsPtr + (<usize>b << 3));
  for (let split: i32 = splitStart; split < splitEnd; split++) {
    const mask = load<i32>(masksPtr + (<usize>split << 2));
    let inBars: f64 = 0.0;
    for (let b: i32 = 0; b < blocks; b++) {
      if ((mask >> b) & 1) inBars += load<f64>(countsPtr + (<usize>b << 3));
    }
    const outBars = totalBars - inBars;
    let best: f64 = -Infinity;
    let selected: i32 = -1;
    let selectedIn: f64 = 0.0;
    for (let j: i32 = 0; j < nStrategies; j++) {
      const base = (<usize>j * <usize>blocks) << 3;
      let inSum: f64 = 0.0;
      let inSquares: f64 = 0.0;
      let outSum: f64 = 0.0;
      let outSquares: f64 = 0.0;
      for (let b: i32 = 0; b < blocks; b++) {
        const s = load<f64>(sumPtr + base + (<usize>b << 3));
        const q = load<f64>(squaresPtr + base + (<usize>b << 3));
        const inSample = (mask >> b) & 1;
        inSum += select<f64>(s, 0.0, inSample);
        inSquares += select<f64>(q, 0.0, inSample);
        outSum += select<f64>(0.0, s, inSample);
        outSquares += select<f64>(0.0, q, inSample);
      }
      const centre = load<f64>(centrePtr + (<usize>j << 3));
      const perfIn = performance(inSum, inSquares, inBars, centre, metric);
      const perfOut = performance(outSum, outSquares, outBars, centre, metric);
      store<f64>(scratchPtr + (<usize>j << 3), perfOut);
      if (selected < 0 || perfIn > best) {
        best = perfIn;
        selected = j;
        selectedIn = perfIn;
      }
    }
    const target = load<f64>(scratchPtr + (<usize>selected << 3));
    let below: i32 = 0;
    let equal: i32 = 0;
    for (let j: i32 = 0; j < nStrategies; j++) {
      const v = load<f64>(scratchPtr + (<usize>j << 3));
      below += i32(v < target);
      equal += i32(v == target);
    }
    const slot = <usize>(split - splitStart);
    store<i32>(selectedOut + (slot << 2), selected);
    store<f64>(inSampleOut + (slot << 3), selectedIn);
    store<f64>(outOfSampleOut + (slot << 3), target);
    store<f64>(rankOut + (slot << 3), <f64>below + (<f64>equal + 1.0) * 0.5);
  }
}
