// Sequence counting of signal changes: n-grams of transitions over one strategy's change list,
// counted in a fixed-size open-addressing hash table that lives in caller-provided scratch.
// Allocation-free; every buffer is (ptr, len) in host-owned memory.
//
// Transitions. The change list (idx[r], value[r]) is quantized to states s = sign(value) in
// {-1, 0, 1} (NaN -> 0), with s = 0 before the first row; rows whose state equals the previous
// one are not changes and are dropped. Each remaining change becomes a transition code
// code = 3 * (old + 1) + (new + 1) in 0..8 (the diagonal 0, 4, 8 never occurs).
//
// Keys. Consecutive transitions chain (each one's old state is the previous one's new state), so
// an n-gram starting at change i is its first old state plus one bit per step: from a state the
// next is one of the two others, bit 1 for the larger of them (from -1: 0 -> 0, 1 -> 1; from 0:
// -1 -> 0, 1 -> 1; from 1: -1 -> 0, 0 -> 1). Its key packs a marker bit, the start state and the bits, the
// first step most significant:
//
//   key(n) = 1 << (n + 2) | (old_i + 1) << n | b_i b_{i+1} .. b_{i+n-1}
//
// so key(n + 1) = key(n) << 1 | b, the prefix of a key is key >> 1, keys of different lengths never
// collide, and 0 marks an empty slot. Lengths 1..PATTERN_MAX_LENGTH (28) fit an i32.
//
// Forward return of an occurrence completing at change bar t (its last change), horizon H:
//
//   fwd = d * (close[t + H] / close[t] - 1),   d = +1 when the last step goes up (new > old), else -1
//
// i.e. the market's compounded return over bars t+1 .. t+H (the timing rule: a change seen at t
// earns from t+1), signed by the direction of the completing change. NaN (and not counted) when
// t + H >= nBars or either close is not a positive finite number.

/** Bytes per hash-table slot. The table is `capacity * PATTERN_SLOT_BYTES` zeroed bytes. */
export const PATTERN_SLOT_BYTES: i32 = 80;
// i32 fields (byte offsets)
export const SLOT_KEY: i32 = 0;             // packed key; 0 = empty
export const SLOT_COUNT: i32 = 4;           // occurrences over every strategy counted into the table
export const SLOT_STRATEGIES: i32 = 8;      // distinct strategies with >= 1 occurrence
export const SLOT_LAST: i32 = 12;           // ordinal + 1 of the last strategy that touched the slot
export const SLOT_RETURN_COUNT: i32 = 16;   // occurrences with a defined forward return
export const SLOT_WINS: i32 = 20;           // occurrences with forward return > 0
export const SLOT_S_COUNT: i32 = 24;        // occurrences in the current strategy
export const SLOT_S_WINS: i32 = 28;         // wins in the current strategy
export const SLOT_S_RETURN_COUNT: i32 = 32; // defined forward returns in the current strategy
// f64 fields (byte offsets, 8-aligned)
export const SLOT_SUM_RETURN: i32 = 40;     // sum of forward returns
export const SLOT_SUM_SQUARES: i32 = 48;    // sum of squared forward returns
export const SLOT_SUM_DURATION: i32 = 56;   // sum of (idx of last change - idx of first change)
export const SLOT_S_SUM_RETURN: i32 = 64;   // sum of forward returns in the current strategy
export const SLOT_S_SUM_DURATION: i32 = 72; // sum of durations in the current strategy

/** Layout of the i32 stats block written by `countPatterns`. */
export const PSTAT_TRANSITIONS: i32 = 0;  // changes kept (state actually changed)
export const PSTAT_WINDOWS: i32 = 1;      // windows counted into the table (all lengths 1..maxLength)
export const PSTAT_DROPPED: i32 = 2;      // windows dropped because the table was full
export const PSTAT_OCCURRENCES: i32 = 3;  // occurrence records written (lengths >= minLength)
export const PSTAT_TOUCHED: i32 = 4;      // distinct slots this strategy touched (entries in touchedPtr)
export const PSTAT_NEW_SLOTS: i32 = 5;    // slots this call inserted
export const PSTAT_SLOTS: i32 = 8;

/** Longest n-gram a key can hold. */
export const PATTERN_MAX_LENGTH: i32 = 28;

// @ts-ignore: decorator
@inline
function slotHash(key: i32, shift: i32): i32 {
  return <i32>(<u32>(key * <i32>0x9E3779B1) >>> <u32>shift);
}

/**
 * Finds the slot of `key`, inserting it into the first empty slot of its linear-probe run.
 * Returns the slot index, or -1 when every slot holds another key (the table is full).
 * `inserted` (a one-word scratch) is set to 1 when the key was new.
 */
function findSlot(tablePtr: usize, capacity: i32, shift: i32, key: i32, insertedPtr: usize): i32 {
  const mask = capacity - 1;
  let h = capacity == 1 ? 0 : slotHash(key, shift) & mask;
  for (let probe: i32 = 0; probe < capacity; probe++) {
    const slot = tablePtr + <usize>h * <usize>PATTERN_SLOT_BYTES;
    const existing = load<i32>(slot + SLOT_KEY);
    if (existing == key) return h;
    if (existing == 0) {
      store<i32>(slot + SLOT_KEY, key);
      store<i32>(insertedPtr, 1);
      return h;
    }
    h = (h + 1) & mask;
  }
  return -1;
}

/**
 * Counts the n-grams (lengths 1..maxLength) of one strategy's change list into the table.
 *
 *   idxPtr i32[k], valuePtr f64[k]: the change list (idx strictly increasing)
 *   closePtr f64[nBars]: market closes, for forward returns over `horizon` bars
 *   tablePtr: capacity * PATTERN_SLOT_BYTES bytes, zeroed before the first call; capacity a power of 2
 *   strategy: ordinal of the strategy (>= 0, distinct per call into one table)
 *   codesPtr i32[k], changeIdxPtr i32[k]: scratch (transition codes and their bars)
 *   occSlotPtr i32[cap], occBarPtr i32[cap], occReturnPtr f64[cap] (cap >= k * (maxLength - minLength + 1)):
 *     one record per window of length >= minLength: slot, completion bar, forward return (NaN if
 *     undefined). occSlotPtr = 0 writes none.
 *   touchedPtr i32[cap] (cap >= k * maxLength): slots this strategy touched, first touch order; 0 writes none
 *   statsPtr i32[PSTAT_SLOTS]
 *
 * Per slot: family-wide aggregates (count, strategies, returns, wins, squares, durations) and the
 * current strategy's (SLOT_S_*), reset the first time a strategy touches the slot. Windows whose
 * key finds no slot (full table) are dropped and counted in PSTAT_DROPPED; the table is then
 * incomplete and the caller should recount with a larger one. Returns occurrences written.
 */
export function countPatterns(
  idxPtr: usize, valuePtr: usize, k: i32, minLength: i32, maxLength: i32,
  closePtr: usize, nBars: i32, horizon: i32,
  tablePtr: usize, capacity: i32, strategy: i32,
  codesPtr: usize, changeIdxPtr: usize,
  occSlotPtr: usize, occBarPtr: usize, occReturnPtr: usize, touchedPtr: usize,
  statsPtr: usize,
): i32 {
  for (let s: i32 = 0; s < PSTAT_SLOTS; s++) store<i32>(statsPtr + (<usize>s << 2), 0);
  if (maxLength > PATTERN_MAX_LENGTH) maxLength = PATTERN_MAX_LENGTH;
  // 1. Transition codes: quantize to sign, drop non-changes.
  let m: i32 = 0;
  let previous: i32 = 0;
  for (let r: i32 = 0; r < k; r++) {
    const v = load<f64>(valuePtr + (<usize>r << 3));
    const state: i32 = v > 0.0 ? 1 : (v < 0.0 ? -1 : 0);
    if (state == previous) continue;
    store<i32>(codesPtr + (<usize>m << 2), 3 * (previous + 1) + (state + 1));
    store<i32>(changeIdxPtr + (<usize>m << 2), load<i32>(idxPtr + (<usize>r << 2)));
    m++;
    previous = state;
  }
  store<i32>(statsPtr + (<usize>PSTAT_TRANSITIONS << 2), m);
  if (capacity < 1) return 0;
  const shift: i32 = 32 - (31 - <i32>clz<u32>(<u32>capacity));
  const owner: i32 = strategy + 1;
  let windows: i32 = 0;
  let dropped: i32 = 0;
  let occurrences: i32 = 0;
  let touched: i32 = 0;
  let newSlots: i32 = 0;
  const insertedPtr = statsPtr + (<usize>(PSTAT_SLOTS - 1) << 2); // last stats word as scratch
  // 2. Windows: every start i, extended one step at a time (key(n + 1) = key(n) << 1 | bit).
  for (let i: i32 = 0; i < m; i++) {
    const firstCode = load<i32>(codesPtr + (<usize>i << 2));
    const firstBar = load<i32>(changeIdxPtr + (<usize>i << 2));
    let key: i32 = 4 | (firstCode / 3); // marker | (old + 1)
    let end = i + maxLength;
    if (end > m) end = m;
    for (let j = i; j < end; j++) {
      const code = load<i32>(codesPtr + (<usize>j << 2));
      const oldState = code / 3;
      const newState = code - 3 * oldState;
      const up = newState > oldState;
      // bit 1 when the new state is the larger of the two states other than the old one
      key = (key << 1) | (newState == (oldState == 2 ? 1 : 2) ? 1 : 0);
      const bar = load<i32>(changeIdxPtr + (<usize>j << 2));
      const length = j - i + 1;
      // forward return after the completing change
      let fwd: f64 = NaN;
      const target = bar + horizon;
      if (target < nBars && horizon > 0) {
        const c0 = load<f64>(closePtr + (<usize>bar << 3));
        const c1 = load<f64>(closePtr + (<usize>target << 3));
        if (c0 > 0.0 && c1 > 0.0 && c0 < Infinity && c1 < Infinity) {
          fwd = c1 / c0 - 1.0;
          if (!up) fwd = -fwd;
        }
      }
      store<i32>(insertedPtr, 0);
      const h = findSlot(tablePtr, capacity, shift, key, insertedPtr);
      if (h < 0) {
        dropped++;
        continue;
      }
      windows++;
      if (load<i32>(insertedPtr) != 0) newSlots++;
      const slot = tablePtr + <usize>h * <usize>PATTERN_SLOT_BYTES;
      if (load<i32>(slot + SLOT_LAST) != owner) {
        store<i32>(slot + SLOT_LAST, owner);
        store<i32>(slot + SLOT_STRATEGIES, load<i32>(slot + SLOT_STRATEGIES) + 1);
        store<i32>(slot + SLOT_S_COUNT, 0);
        store<i32>(slot + SLOT_S_WINS, 0);
        store<i32>(slot + SLOT_S_RETURN_COUNT, 0);
        store<f64>(slot + SLOT_S_SUM_RETURN, 0.0);
        store<f64>(slot + SLOT_S_SUM_DURATION, 0.0);
        if (touchedPtr != 0) store<i32>(touchedPtr + (<usize>touched << 2), h);
        touched++;
      }
      const duration = <f64>(bar - firstBar);
      store<i32>(slot + SLOT_COUNT, load<i32>(slot + SLOT_COUNT) + 1);
      store<i32>(slot + SLOT_S_COUNT, load<i32>(slot + SLOT_S_COUNT) + 1);
      store<f64>(slot + SLOT_SUM_DURATION, load<f64>(slot + SLOT_SUM_DURATION) + duration);
      store<f64>(slot + SLOT_S_SUM_DURATION, load<f64>(slot + SLOT_S_SUM_DURATION) + duration);
      if (fwd == fwd) {
        store<i32>(slot + SLOT_RETURN_COUNT, load<i32>(slot + SLOT_RETURN_COUNT) + 1);
        store<i32>(slot + SLOT_S_RETURN_COUNT, load<i32>(slot + SLOT_S_RETURN_COUNT) + 1);
        store<f64>(slot + SLOT_SUM_RETURN, load<f64>(slot + SLOT_SUM_RETURN) + fwd);
        store<f64>(slot + SLOT_SUM_SQUARES, load<f64>(slot + SLOT_SUM_SQUARES) + fwd * fwd);
        store<f64>(slot + SLOT_S_SUM_RETURN, load<f64>(slot + SLOT_S_SUM_RETURN) + fwd);
        if (fwd > 0.0) {
          store<i32>(slot + SLOT_WINS, load<i32>(slot + SLOT_WINS) + 1);
          store<i32>(slot + SLOT_S_WINS, load<i32>(slot + SLOT_S_WINS) + 1);
        }
      }
      if (occSlotPtr != 0 && length >= minLength) {
        store<i32>(occSlotPtr + (<usize>occurrences << 2), h);
        store<i32>(occBarPtr + (<usize>occurrences << 2), bar);
        store<f64>(occReturnPtr + (<usize>occurrences << 3), fwd);
        occurrences++;
      }
    }
  }
  store<i32>(statsPtr + (<usize>PSTAT_WINDOWS << 2), windows);
  store<i32>(statsPtr + (<usize>PSTAT_DROPPED << 2), dropped);
  store<i32>(statsPtr + (<usize>PSTAT_OCCURRENCES << 2), occurrences);
  store<i32>(statsPtr + (<usize>PSTAT_TOUCHED << 2), touched);
  store<i32>(statsPtr + (<usize>PSTAT_NEW_SLOTS << 2), newSlots);
  store<i32>(insertedPtr, 0);
  return occurrences;
}
