import { withScratch } from './runtime.ts';

/** NaN-skipping moments of excess returns x = R - riskFreePerBar (assembly/moments.ts layout). */
export interface Moments {
  /** Finite observations m. */
  count: number;
  /** mean(x); NaN when m = 0. */
  mean: number;
  /** std(x, ddof = 1); NaN when m < 2. */
  std: number;
  /** sqrt(mean(min(x, 0)^2)); NaN when m = 0. */
  downsideDeviation: number;
  positiveCount: number;
  negativeCount: number;
  /** prod(1 + R) - 1 of the raw returns, NaN as 0. */
  totalReturn: number;
  /** sum((x - mean)^2). */
  sumSquaredDeviations: number;
}

/** Number of f64 slots the kernel writes. */
export const MOMENT_SLOTS = 8;

/** Reads the kernel's f64[8] block into a Moments record. */
export function readMoments(block: Float64Array): Moments {
  return {
    count: block[0]!,
    mean: block[1]!,
    std: block[2]!,
    downsideDeviation: block[3]!,
    positiveCount: block[4]!,
    negativeCount: block[5]!,
    totalReturn: block[6]!,
    sumSquaredDeviations: block[7]!,
  };
}

/** Moments of a return series (WASM kernel `moments`, SIMD). */
export function moments(returns: Float64Array, riskFreePerBar = 0): Moments {
  return withScratch((arena, k) => {
    const input = arena.copyF64(returns);
    const out = arena.f64(MOMENT_SLOTS);
    k.moments(input.byteOffset, returns.length, riskFreePerBar, out.byteOffset);
    return readMoments(out);
  });
}

/** Sum of a series, NaN skipped (WASM kernel `sumValues`, SIMD). */
export function sumValues(values: Float64Array): number {
  return withScratch((arena, k) => k.sumValues(arena.copyF64(values).byteOffset, values.length));
}
