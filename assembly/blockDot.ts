// A 2 x 2 block of dot products, SIMD over pairs of f64: the inner loop shared by the Gram tiles of
// the covariance kernel (correlation.ts) and the blocked Cholesky factorization (optimizeFace.ts).

/** Results of the last blockDots call: dotAB = sum over the pairs of a_A[k] * b_B[k]. */
export let dot00: f64 = 0.0;
export let dot01: f64 = 0.0;
export let dot10: f64 = 0.0;
export let dot11: f64 = 0.0;

/**
 * Dot products of two vectors a0, a1 with two vectors b0, b1 over their first 2 * pairs f64 (f64x2
 * lanes, each lane summed in order, then the two lanes added), into dot00, dot01, dot10, dot11.
 */
// @ts-ignore: decorator
@inline export function blockDots(a0: usize, a1: usize, b0: usize, b1: usize, pairs: i32): void {
  let s00 = f64x2.splat(0.0);
  let s01 = f64x2.splat(0.0);
  let s10 = f64x2.splat(0.0);
  let s11 = f64x2.splat(0.0);
  for (let t: i32 = 0; t < pairs; t++) {
    const off = <usize>t << 4;
    const x0 = v128.load(a0 + off);
    const x1 = v128.load(a1 + off);
    const y0 = v128.load(b0 + off);
    const y1 = v128.load(b1 + off);
    s00 = f64x2.add(s00, f64x2.mul(x0, y0));
    s01 = f64x2.add(s01, f64x2.mul(x0, y1));
    s10 = f64x2.add(s10, f64x2.mul(x1, y0));
    s11 = f64x2.add(s11, f64x2.mul(x1, y1));
  }
  dot00 = f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1);
  dot01 = f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1);
  dot10 = f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1);
  dot11 = f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1);
}
