// Seeded pseudo-random numbers for reproducible test inputs and benchmarks.
import { seededUniform } from '../../src/analytics/synthetic.ts';

/** A source of uniform numbers in [0, 1), like Math.random but seeded. */
export type UniformSource = () => number;

/**
 * mulberry32: a 32-bit state generator with a full 2^32 period, good enough for test data (the
 * same generator the synthetic sweeps use: src/analytics/synthetic.ts seededUniform).
 */
export function mulberry32(seed: number): UniformSource {
  return seededUniform(seed);
}

/** Seeded generator with the distributions the tests need. */
export class Rng {
  private readonly uniformSource: UniformSource;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.uniformSource = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.uniformSource();
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniformSource();
  }

  /** Uniform integer in [low, highExclusive). */
  integer(low: number, highExclusive: number): number {
    return low + Math.floor((highExclusive - low) * this.uniformSource());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniformSource() < p;
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.integer(0, items.length)]!;
  }

  /** Normal(mean, std) by the Box-Muller transform (the second variate is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniformSource();
    const v = this.uniformSource();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }
}
