// Binding of assembly/patterns.ts: n-gram counting of signal changes in a hash table that lives in
// the kernel arena. Keys, transition codes and forward returns are defined in the kernel's header.
import { InputError } from '../errors.ts';
import { kernels, type KernelInstance } from './runtime.ts';

/** Bytes per hash-table slot (assembly/patterns.ts PATTERN_SLOT_BYTES). */
export const PATTERN_SLOT_BYTES = 80;
/** Longest n-gram a packed key can hold. */
export const PATTERN_MAX_LENGTH = 28;
const SLOT_I32 = PATTERN_SLOT_BYTES / 4;
const SLOT_F64 = PATTERN_SLOT_BYTES / 8;

/** i32 word offsets inside a slot (byte offset / 4). */
export const SLOT_I32_FIELDS = { key: 0, count: 1, strategies: 2, last: 3, returnCount: 4, wins: 5, sCount: 6, sWins: 7, sReturnCount: 8 } as const;
/** f64 word offsets inside a slot (byte offset / 8). */
export const SLOT_F64_FIELDS = { sumReturn: 5, sumSquares: 6, sumDuration: 7, sSumReturn: 8, sSumDuration: 9 } as const;

const STATS = { transitions: 0, windows: 1, dropped: 2, occurrences: 3, touched: 4, newSlots: 5 } as const;
const STAT_SLOTS = 8;

/** Signal states are quantized to sign(value); a transition's code is 3 * (old + 1) + (new + 1). */
export function transitionCode(from: number, to: number): number {
  return 3 * (from + 1) + (to + 1);
}

/** Packs an n-gram given as its n + 1 states (each in {-1, 0, 1}, consecutive ones different). */
export function patternKey(states: readonly number[]): number {
  if (states.length < 2 || states.length - 1 > PATTERN_MAX_LENGTH) throw new InputError(`a pattern needs 2..${PATTERN_MAX_LENGTH + 1} states, got ${states.length}`);
  let key = 4 | (states[0]! + 1);
  for (let i = 1; i < states.length; i++) {
    if (states[i] === states[i - 1]) throw new InputError(`pattern states must change at every step, got ${states.join(',')}`);
    const larger = states[i - 1] === 1 ? 0 : 1; // the larger of the two states other than the previous one
    key = (key << 1) | (states[i] === larger ? 1 : 0);
  }
  return key;
}

/** Number of transitions (n) of a packed key. */
export function patternLength(key: number): number {
  return 31 - Math.clz32(key) - 2;
}

/** The n + 1 states of a packed key. */
export function patternStates(key: number): number[] {
  const n = patternLength(key);
  let state = ((key >>> n) & 3) - 1;
  const states = [state];
  for (let b = n - 1; b >= 0; b--) {
    const up = (key >>> b) & 1;
    // from `state`, the two other states: up -> the larger, down -> the smaller
    const others = [-1, 0, 1].filter((s) => s !== state);
    state = up ? others[1]! : others[0]!;
    states.push(state);
  }
  return states;
}

/** Per-call result of PatternCounter.count; the arrays are views valid until the next call. */
export interface StrategyPatternCount {
  /** Changes kept after sign quantization and dropping non-changes. */
  transitions: number;
  /** Windows (lengths 1..maxLength) counted into the table. */
  windows: number;
  /** Windows dropped because the table was full (the table is then incomplete). */
  dropped: number;
  /** Slots this call inserted (new keys). */
  newSlots: number;
  /** Slots this strategy touched (its per-strategy fields are valid until the next call). */
  touched: Int32Array;
  /** One record per window of length >= minLength: slot, completion bar, forward return (NaN when undefined). */
  occurrenceSlot: Int32Array;
  occurrenceBar: Int32Array;
  occurrenceReturn: Float64Array;
}

/** Options of PatternCounter.create. */
export interface PatternCounterOptions {
  /** Slots of the hash table, a power of 2 >= 1. */
  capacity: number;
  /** Longest n-gram counted (1..28). */
  maxLength: number;
  /** Shortest n-gram whose occurrences are reported (1..maxLength); default 2. Shorter ones are still counted. */
  minLength?: number;
  /** Forward-return horizon H in bars (>= 1). */
  horizon: number;
  /** Market closes the traces index. */
  close: Float64Array;
  /** Initial per-strategy change capacity (grows on demand); default 4,096. */
  changes?: number;
}

/**
 * An n-gram table in kernel scratch (assembly/patterns.ts `countPatterns`). Create it, count
 * strategies into it (distinct ordinals), read slots through `i32`/`f64`, `clear()` between
 * families, and `dispose()` to release the scratch (stack-like: dispose in reverse creation order).
 */
export class PatternCounter {
  readonly capacity: number;
  readonly maxLength: number;
  readonly minLength: number;
  readonly horizon: number;
  readonly nBars: number;
  private readonly instance: KernelInstance;
  private readonly mark: number;
  private readonly tablePtr: number;
  private readonly closePtr: number;
  private readonly statsPtr: number;
  private scratchChanges = 0;
  private idxPtr = 0;
  private valuePtr = 0;
  private codesPtr = 0;
  private changeIdxPtr = 0;
  private occSlotPtr = 0;
  private occBarPtr = 0;
  private occReturnPtr = 0;
  private touchedPtr = 0;

  private constructor(options: PatternCounterOptions, instance: KernelInstance) {
    const { capacity, maxLength, horizon } = options;
    const minLength = options.minLength ?? 2;
    if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0 || capacity > 2 ** 26) {
      throw new InputError(`pattern table capacity must be a power of 2 in [1, 2^26], got ${capacity}`);
    }
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > PATTERN_MAX_LENGTH) throw new InputError(`maxLength must be an integer in [1, ${PATTERN_MAX_LENGTH}], got ${maxLength}`);
    if (!Number.isInteger(minLength) || minLength < 1 || minLength > maxLength) throw new InputError(`minLength must be an integer in [1, maxLength], got ${minLength}`);
    if (!Number.isInteger(horizon) || horizon < 1) throw new InputError(`horizon must be an integer >= 1, got ${horizon}`);
    this.capacity = capacity;
    this.maxLength = maxLength;
    this.minLength = minLength;
    this.horizon = horizon;
    this.nBars = options.close.length;
    this.instance = instance;
    const arena = instance.arena;
    this.mark = arena.mark();
    this.tablePtr = arena.alloc(capacity * PATTERN_SLOT_BYTES);
    this.closePtr = arena.copyF64(options.close).byteOffset;
    this.statsPtr = arena.alloc(STAT_SLOTS * 4);
    this.clear();
    this.ensure(options.changes ?? 4096);
  }

  /** A new counter over this thread's kernels (or `instance`). */
  static create(options: PatternCounterOptions, instance: KernelInstance = kernels()): PatternCounter {
    return new PatternCounter(options, instance);
  }

  private ensure(changes: number): void {
    if (changes <= this.scratchChanges) return;
    const n = Math.max(changes, this.scratchChanges * 2, 16);
    const arena = this.instance.arena;
    const lengths = this.maxLength - this.minLength + 1;
    this.idxPtr = arena.alloc(n * 4);
    this.valuePtr = arena.alloc(n * 8);
    this.codesPtr = arena.alloc(n * 4);
    this.changeIdxPtr = arena.alloc(n * 4);
    this.occSlotPtr = arena.alloc(n * lengths * 4);
    this.occBarPtr = arena.alloc(n * lengths * 4);
    this.occReturnPtr = arena.alloc(n * lengths * 8);
    this.touchedPtr = arena.alloc(n * this.maxLength * 4);
    this.scratchChanges = n;
  }

  /** i32 view of the table: slot s, field f at `s * 20 + f` (SLOT_I32_FIELDS). */
  get i32(): Int32Array {
    return new Int32Array(this.instance.memory.buffer, this.tablePtr, this.capacity * SLOT_I32);
  }

  /** f64 view of the table: slot s, field f at `s * 10 + f` (SLOT_F64_FIELDS). */
  get f64(): Float64Array {
    return new Float64Array(this.instance.memory.buffer, this.tablePtr, this.capacity * SLOT_F64);
  }

  /** Empties the table. */
  clear(): void {
    new Uint8Array(this.instance.memory.buffer, this.tablePtr, this.capacity * PATTERN_SLOT_BYTES).fill(0);
  }

  /**
   * Counts one strategy's change list (idx strictly increasing; values quantized to their sign)
   * under ordinal `strategy` (distinct per strategy within one table fill).
   */
  count(idx: Int32Array, signal: ArrayLike<number>, strategy: number): StrategyPatternCount {
    const k = idx.length;
    if (signal.length !== k) throw new InputError(`idx and signal lengths differ (${k} vs ${signal.length})`);
    this.ensure(k);
    const buffer = this.instance.memory.buffer;
    new Int32Array(buffer, this.idxPtr, k).set(idx);
    new Float64Array(buffer, this.valuePtr, k).set(signal);
    const occurrences = this.instance.exports.countPatterns(
      this.idxPtr, this.valuePtr, k, this.minLength, this.maxLength, this.closePtr, this.nBars, this.horizon,
      this.tablePtr, this.capacity, strategy, this.codesPtr, this.changeIdxPtr,
      this.occSlotPtr, this.occBarPtr, this.occReturnPtr, this.touchedPtr, this.statsPtr,
    );
    const stats = new Int32Array(buffer, this.statsPtr, STAT_SLOTS);
    return {
      transitions: stats[STATS.transitions]!,
      windows: stats[STATS.windows]!,
      dropped: stats[STATS.dropped]!,
      newSlots: stats[STATS.newSlots]!,
      touched: new Int32Array(buffer, this.touchedPtr, stats[STATS.touched]!),
      occurrenceSlot: new Int32Array(buffer, this.occSlotPtr, occurrences),
      occurrenceBar: new Int32Array(buffer, this.occBarPtr, occurrences),
      occurrenceReturn: new Float64Array(buffer, this.occReturnPtr, occurrences),
    };
  }

  /** Occupied slots, in slot order. */
  occupiedSlots(): Int32Array {
    const table = this.i32;
    const out: number[] = [];
    for (let s = 0; s < this.capacity; s++) if (table[s * SLOT_I32] !== 0) out.push(s);
    return Int32Array.from(out);
  }

  /** Releases the scratch (and everything allocated after this counter). */
  dispose(): void {
    this.instance.arena.release(this.mark);
  }
}

/** One table slot's family-wide aggregates, copied out. */
export interface PatternSlotCounts {
  key: number;
  count: number;
  strategies: number;
  returnCount: number;
  wins: number;
  sumReturn: number;
  sumSquares: number;
  sumDuration: number;
}

/** Reads the aggregates of `slot`. */
export function readSlot(counter: PatternCounter, slot: number, i32 = counter.i32, f64 = counter.f64): PatternSlotCounts {
  const a = slot * SLOT_I32;
  const b = slot * SLOT_F64;
  return {
    key: i32[a + SLOT_I32_FIELDS.key]!,
    count: i32[a + SLOT_I32_FIELDS.count]!,
    strategies: i32[a + SLOT_I32_FIELDS.strategies]!,
    returnCount: i32[a + SLOT_I32_FIELDS.returnCount]!,
    wins: i32[a + SLOT_I32_FIELDS.wins]!,
    sumReturn: f64[b + SLOT_F64_FIELDS.sumReturn]!,
    sumSquares: f64[b + SLOT_F64_FIELDS.sumSquares]!,
    sumDuration: f64[b + SLOT_F64_FIELDS.sumDuration]!,
  };
}

/** The current strategy's counts in `slot` (valid for slots in the last `touched`). */
export function readStrategySlot(counter: PatternCounter, slot: number, i32 = counter.i32, f64 = counter.f64): { count: number; wins: number; returnCount: number; sumReturn: number; sumDuration: number } {
  const a = slot * SLOT_I32;
  const b = slot * SLOT_F64;
  return {
    count: i32[a + SLOT_I32_FIELDS.sCount]!,
    wins: i32[a + SLOT_I32_FIELDS.sWins]!,
    returnCount: i32[a + SLOT_I32_FIELDS.sReturnCount]!,
    sumReturn: f64[b + SLOT_F64_FIELDS.sSumReturn]!,
    sumDuration: f64[b + SLOT_F64_FIELDS.sSumDuration]!,
  };
}
