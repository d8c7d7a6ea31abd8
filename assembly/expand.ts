// Sparse change list -> dense per-bar series (forward fill).

/**
 * Expands a sparse change list into a dense per-bar series by forward fill.
 *
 *   out[t] = value[j] for the last row j with idx[j] <= t; 0 before the first row.
 *
 * idxPtr: i32[k] bar indices (strictly increasing, each in [0, nBars)); valuePtr: f64[k];
 * outPtr: f64[nBars]. Returns -1 when every row is valid, otherwise the index of the first
 * offending row (unsorted, duplicated or out of range); `out` is then left partially written.
 */
export function expandSignal(idxPtr: usize, valuePtr: usize, k: i32, nBars: i32, outPtr: usize): i32 {
  let bar: i32 = 0;
  let current: f64 = 0.0;
  let previousIdx: i32 = -1;
  for (let j: i32 = 0; j < k; j++) {
    const idx = load<i32>(idxPtr + (<usize>j << 2));
    if (idx <= previousIdx || idx >= nBars) return j;
    for (; bar < idx; bar++) store<f64>(outPtr + (<usize>bar << 3), current);
    current = load<f64>(valuePtr + (<usize>j << 3));
    previousIdx = idx;
  }
  for (; bar < nBars; bar++) store<f64>(outPtr + (<usize>bar << 3), current);
  return -1;
}
