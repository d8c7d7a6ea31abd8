// Leaf order of an average-linkage clustering, to order the correlation heatmap of the report.

/**
 * Orders strategies so that correlated ones sit next to each other: average-linkage (UPGMA)
 * agglomerative clustering on the distance `d_ij = 1 − ρ_ij`, then the dendrogram's leaf order
 * (left subtree first). At each step the closest pair of clusters merges (ties: the pair with
 * the smallest cluster ids); the merged cluster's distance to another cluster `k` is the
 * size-weighted mean `(|a|·d_ak + |b|·d_bk) / (|a| + |b|)` (Lance–Williams for average linkage).
 * As in scipy, clusters get ids 0..n−1 (leaves) then n, n+1, ... in merge order, and the child
 * with the smaller id is the left one, so the result is
 * `scipy.cluster.hierarchy.leaves_list(linkage(squareform(1 − ρ), 'average'))` up to ties.
 * O(n³) time, O(n²) memory: meant for the tens to hundreds of strategies a report shows.
 * see: Sokal & Michener (1958), UPGMA; scipy.cluster.hierarchy.linkage(method='average').
 *
 * @param correlation row-major n×n correlation matrix (ρ in [−1, 1]); a NaN ρ counts as distance 1 (uncorrelated)
 * @param n number of strategies
 * @returns a permutation of 0..n−1 (the identity for n <= 2)
 */
export function averageLinkageLeafOrder(correlation: ArrayLike<number>, n: number): number[] {
  if (correlation.length !== n * n) throw new RangeError(`correlation has ${correlation.length} values, expected ${n}×${n} = ${n * n}`);
  if (n <= 2) return Array.from({ length: n }, (_, i) => i);
  const distance = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const rho = correlation[i * n + j]!;
      distance[i * n + j] = i === j ? 0 : Number.isNaN(rho) ? 1 : 1 - rho;
    }
  }
  // Slot s holds one live cluster: its id, size and leaves (in dendrogram order).
  const ids = Array.from({ length: n }, (_, i) => i);
  const sizes = new Array<number>(n).fill(1);
  const leaves: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const alive = new Array<boolean>(n).fill(true);
  let nextId = n;
  for (let step = 0; step < n - 1; step++) {
    let bestA = -1;
    let bestB = -1;
    let best = Infinity;
    for (let a = 0; a < n; a++) {
      if (!alive[a]) continue;
      for (let b = a + 1; b < n; b++) {
        if (!alive[b]) continue;
        const d = distance[a * n + b]!;
        const lowId = Math.min(ids[a]!, ids[b]!);
        const highId = Math.max(ids[a]!, ids[b]!);
        const bestLow = bestA < 0 ? Infinity : Math.min(ids[bestA]!, ids[bestB]!);
        const bestHigh = bestA < 0 ? Infinity : Math.max(ids[bestA]!, ids[bestB]!);
        if (d < best || (d === best && (lowId < bestLow || (lowId === bestLow && highId < bestHigh)))) {
          best = d;
          bestA = a;
          bestB = b;
        }
      }
    }
    const [left, right] = ids[bestA]! < ids[bestB]! ? [bestA, bestB] : [bestB, bestA];
    const sizeA = sizes[bestA]!;
    const sizeB = sizes[bestB]!;
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === bestA || k === bestB) continue;
      const merged = (sizeA * distance[bestA * n + k]! + sizeB * distance[bestB * n + k]!) / (sizeA + sizeB);
      distance[bestA * n + k] = merged;
      distance[k * n + bestA] = merged;
    }
    leaves[bestA] = [...leaves[left]!, ...leaves[right]!];
    sizes[bestA] = sizeA + sizeB;
    ids[bestA] = nextId++;
    alive[bestB] = false;
    leaves[bestB] = [];
  }
  const root = alive.indexOf(true);
  return leaves[root]!;
}
