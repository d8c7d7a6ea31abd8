// PatternMiner options: defaults, validation, and the initial n-gram table size.
import { InputError } from '../errors.ts';
import { PATTERN_MAX_LENGTH } from '../kernels/patterns.ts';
import type { PatternMinerOptions } from './patternTypes.ts';

/** Bins of the per-market volatility quantile grid. */
export const VOL_BINS = 64;
export const DEFAULTS = {
  minSupport: 0.05, minConfidence: 0.6, maxLength: 3, horizon: 20, volatilityWindow: 20, eventWindow: 5, bestStrategies: 5, profitableOnly: false,
  overlapGroupBytes: 64 * 2 ** 20,
};
/** Resolved PatternMinerOptions (defaults filled in). */
export type ResolvedPatternOptions = Required<Omit<PatternMinerOptions, 'capacity'>> & { capacity: number | undefined };

/** Fills defaults and validates; InputError naming the option. */
export function resolvePatternOptions(options: PatternMinerOptions = {}): ResolvedPatternOptions {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ResolvedPatternOptions;
  const fraction = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new InputError(`${name} must be a fraction in [0, 1], got ${v}`);
  };
  const integer = (name: string, v: number, min: number, max = Infinity) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new InputError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  fraction('minSupport', o.minSupport);
  fraction('minConfidence', o.minConfidence);
  integer('maxLength', o.maxLength, 2, PATTERN_MAX_LENGTH);
  integer('horizon', o.horizon, 1);
  integer('volatilityWindow', o.volatilityWindow, 2);
  integer('eventWindow', o.eventWindow, 0);
  integer('bestStrategies', o.bestStrategies, 0, 1000);
  if (o.capacity !== undefined) integer('capacity', o.capacity, 1, 2 ** 26);
  integer('overlapGroupBytes', o.overlapGroupBytes, 1);
  return { ...o, capacity: options.capacity };
}

/** Number of slots a table starts with for patterns up to `maxLength` (all 6 (2^L - 1) n-grams at load <= 0.5, capped). */
export function initialCapacity(maxLength: number): number {
  const distinct = 6 * (2 ** Math.min(maxLength, 20) - 1);
  let capacity = 16;
  while (capacity < 2 * distinct && capacity < 1 << 16) capacity *= 2;
  return capacity;
}
