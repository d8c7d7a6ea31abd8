// Drawdown scans of the sparse kernel (assembly/sparse.ts): exact max drop over a log-prefix range
// from the block summaries, and the deferred candidates that may still set the max drawdown.

import { BLOCK_BITS, BLK_MAX_L } from './prefix';

// ---- drawdown scan (rare: only when the block bounds cannot rule out a new peak or max drawdown) ----
export let scanMax: f64 = 0.0;

/**
 * Max drop over the values lp[a..b] preceded by a running maximum `runMax` (the current peak in the
 * segment's frame), i.e. max(runMax - min, internal max-drop); the final running max in scanMax.
 * Whole blocks come from their summaries, partial blocks are scanned.
 */
export let scans: i32 = 0;
export let scanned: i32 = 0;
export function scanDrop(lp: usize, blk: usize, slot: i32, a: i32, b: i32, runMax: f64): f64 {
  scans++; scanned += b - a + 1;
  let drop: f64 = 0.0;
  let i = a;
  while (i <= b) {
    const x = i >> BLOCK_BITS;
    const first = x << BLOCK_BITS;
    const last = first + (1 << BLOCK_BITS) - 1;
    if (i == first && last <= b) {
      const s = blk + (<usize>x << 6) + (<usize>slot << 3);
      const bMax = load<f64>(s);
      const d = runMax - load<f64>(s, 8);
      if (d > drop) drop = d;
      const bDrop = load<f64>(s, 16);
      if (bDrop > drop) drop = bDrop;
      if (bMax > runMax) runMax = bMax;
      i = last + 1;
    } else {
      const e = last < b ? last : b;
      for (; i <= e; i++) {
        const v = load<f64>(lp + (<usize>i << 3));
        if (v > runMax) runMax = v;
        const d = runMax - v;
        if (d > drop) drop = d;
      }
    }
  }
  scanMax = runMax;
  return drop;
}

/** Drops the deferred candidates whose bound the max drawdown has passed; returns the new count. */
export function compactCandidates(candPtr: usize, count: i32, worst: f64): i32 {
  let kept: i32 = 0;
  for (let c: i32 = 0; c < count; c++) {
    const src = candPtr + (<usize>c << 5);
    if (load<f64>(src, 24) > worst) {
      if (kept != c) memory.copy(candPtr + (<usize>kept << 5), src, 32);
      kept++;
    }
  }
  return kept;
}

/** Exact contribution of a deferred drawdown candidate {a, b, slot, runMax0, bound} (32 bytes). */
export function resolveCandidate(cand: usize, lpLong: usize, lpShort: usize, blk: usize): f64 {
  const slot = load<i32>(cand, 8);
  return scanDrop(slot == BLK_MAX_L ? lpLong : lpShort, blk, slot, load<i32>(cand), load<i32>(cand, 4), load<f64>(cand, 16));
}
