import { describe, expect, it } from 'vitest';
import { averageLinkageLeafOrder } from '../../src/report/clusterOrder.ts';
import { mulberry32 } from '../helpers/rng.ts';

/** Row-major n×n matrix from a function of (i, j). */
function matrix(n: number, value: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = i === j ? 1 : value(i, j);
  return out;
}

describe('averageLinkageLeafOrder', () => {
  it('returns the identity for 0, 1 and 2 strategies', () => {
    expect(averageLinkageLeafOrder([], 0)).toEqual([]);
    expect(averageLinkageLeafOrder([1], 1)).toEqual([0]);
    expect(averageLinkageLeafOrder([1, 0.3, 0.3, 1], 2)).toEqual([0, 1]);
  });

  it('matches scipy leaves_list(linkage(squareform(1 - rho), "average")) on a hand-checked 4×4 case', () => {
    // d(0,2) = 0.1 merges first (cluster 4 = [0, 2]), then d(1,3) = 0.2 (cluster 5 = [1, 3]); root = [4, 5].
    // scipy 1.17.1: leaves_list(linkage(squareform(1 - rho, checks=False), 'average')) -> [0, 2, 1, 3].
    const rho = [
      1, 0.1, 0.9, 0.0,
      0.1, 1, 0.2, 0.8,
      0.9, 0.2, 1, 0.1,
      0.0, 0.8, 0.1, 1,
    ];
    expect(averageLinkageLeafOrder(rho, 4)).toEqual([0, 2, 1, 3]);
  });

  it('uses size-weighted average distances when merging (UPGMA, not single or complete linkage)', () => {
    // 0 and 1 merge first (d = 0.1). Then d([0,1], 2) = mean(0.5, 0.9) = 0.7 vs d(2,3) = 0.6 for 3:
    // average linkage merges 2 with 3 (0.6 < 0.7); single linkage would merge 2 with [0,1] (0.5).
    const d = [
      [0, 0.1, 0.5, 1.0],
      [0.1, 0, 0.9, 1.0],
      [0.5, 0.9, 0, 0.6],
      [1.0, 1.0, 0.6, 0],
    ];
    const rho = matrix(4, (i, j) => 1 - d[i]![j]!);
    expect(averageLinkageLeafOrder(rho, 4)).toEqual([0, 1, 2, 3]);
    // Permuting the input permutes the leaves: groups {0,1} and {2,3} stay contiguous.
    const order = averageLinkageLeafOrder(matrix(4, (i, j) => 1 - d[[2, 0, 3, 1][i]!]![[2, 0, 3, 1][j]!]!), 4);
    const groups = order.map((k) => ([2, 0, 3, 1][k]! < 2 ? 'a' : 'b')).join('');
    expect(['aabb', 'bbaa']).toContain(groups);
  });

  it('matches scipy 1.17.1 on a 12×12 sample correlation matrix', () => {
    // Provenance: numpy default_rng(1), x = normal(size=(200, 12)); x[:,3] += 2·x[:,0]; x[:,7] += x[:,3];
    // rho = corrcoef(x.T) rounded to 12 decimals; scipy.cluster.hierarchy.leaves_list(linkage(squareform(1 - rho, checks=False), 'average')).
    const rho = [1.0, 0.115862212026, -0.007910151221, 0.896467779405, 0.020604996834, 0.113818509642, -0.059907099535, 0.827263219163, 0.00550002848, -0.029254913164, -0.012791098889, -0.05458186074, 0.115862212026, 1.0, -0.082031872474, 0.135063130662, 0.104421081099, 0.005877695751, -0.091451693454, 0.149728228047, -0.024571486644, -0.159163114328, 0.039138095177, 0.002078460458, -0.007910151221, -0.082031872474, 1.0, -0.037468773653, -0.023398882185, 0.010263942075, 0.177236202382, -0.034018679305, 0.017674362225, -0.117359474466, -0.064311100339, -0.08484788069, 0.896467779405, 0.135063130662, -0.037468773653, 1.0, 0.05802419659, 0.069079097922, -0.065032344142, 0.930561323208, -0.034802695829, -0.07198188558, 0.044770707784, -0.057281917392, 0.020604996834, 0.104421081099, -0.023398882185, 0.05802419659, 1.0, -0.059333527248, -0.060042136782, 0.058318889893, -0.079938073876, -0.176150879815, -0.045545392621, 0.07672902277, 0.113818509642, 0.005877695751, 0.010263942075, 0.069079097922, -0.059333527248, 1.0, 0.178943675643, 0.096896342001, 0.107912556729, -0.097888085171, 0.00432193352, 0.15953007876, -0.059907099535, -0.091451693454, 0.177236202382, -0.065032344142, -0.060042136782, 0.178943675643, 1.0, -0.102179564407, 0.089150877633, -0.082801465309, -0.048707872597, -0.048509857853, 0.827263219163, 0.149728228047, -0.034018679305, 0.930561323208, 0.058318889893, 0.096896342001, -0.102179564407, 1.0, -0.059614459681, -0.059067620161, 0.036893263437, -0.051737766626, 0.00550002848, -0.024571486644, 0.017674362225, -0.034802695829, -0.079938073876, 0.107912556729, 0.089150877633, -0.059614459681, 1.0, 0.044698676981, 0.010220215045, 0.092092092913, -0.029254913164, -0.159163114328, -0.117359474466, -0.07198188558, -0.176150879815, -0.097888085171, -0.082801465309, -0.059067620161, 0.044698676981, 1.0, 0.100228500238, 0.141009358525, -0.012791098889, 0.039138095177, -0.064311100339, 0.044770707784, -0.045545392621, 0.00432193352, -0.048707872597, 0.036893263437, 0.010220215045, 0.100228500238, 1.0, -0.024230987141, -0.05458186074, 0.002078460458, -0.08484788069, -0.057281917392, 0.07672902277, 0.15953007876, -0.048509857853, -0.051737766626, 0.092092092913, 0.141009358525, -0.024230987141, 1.0];
    expect(averageLinkageLeafOrder(rho, 12)).toEqual([4, 1, 0, 3, 7, 2, 8, 5, 6, 10, 9, 11]);
  });

  it('puts the members of each correlated block next to each other, whatever the input order', () => {
    const random = mulberry32(3);
    const n = 30;
    const block = Array.from({ length: n }, (_, i) => i % 3); // three interleaved blocks
    const rho = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const value = i === j ? 1 : block[i] === block[j] ? 0.8 + 0.1 * random() : -0.1 + 0.2 * random();
        rho[i * n + j] = value;
        rho[j * n + i] = value;
      }
    }
    const order = averageLinkageLeafOrder(rho, n);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    const sequence = order.map((i) => block[i]);
    let switches = 0;
    for (let k = 1; k < n; k++) if (sequence[k] !== sequence[k - 1]) switches++;
    expect(switches).toBe(2);
  });

  it('treats an undefined correlation (NaN) as distance 1 and rejects a wrong-sized matrix', () => {
    const rho = matrix(3, (i, j) => ((i === 0 && j === 1) || (i === 1 && j === 0) ? 0.9 : Number.NaN));
    expect(averageLinkageLeafOrder(rho, 3)).toEqual([2, 0, 1]);
    expect(() => averageLinkageLeafOrder([1, 0, 0], 2)).toThrow(RangeError);
  });
});
