// Mean, standard deviation (ddof 1) and t statistic from running sums, shared by pattern and
// regime-transition statistics.

export function meanStd(n: number, sum: number, squares: number): { mean: number | null; std: number | null; t: number | null } {
  if (n === 0) return { mean: null, std: null, t: null };
  const mean = sum / n;
  if (n < 2) return { mean, std: null, t: null };
  const variance = Math.max(0, (squares - n * mean * mean) / (n - 1));
  const std = Math.sqrt(variance);
  return { mean, std, t: std > 0 ? mean / (std / Math.sqrt(n)) : null };
}
