// Reusable regions of the kernel memory for tables that live as long as one job (a market index, a
// run's regime tables), so that a long-lived pool does not grow by a market per analysis.
//
// The memory itself only grows: claimPages is a bump allocator the threads share through one atomic
// page counter. A region given back here is kept in this thread's free list for its memory (merged
// with released neighbours) and handed out again, split to the size asked, by claimRegion.
import { KernelError } from '../errors.ts';
import { claimPages, PAGE_BYTES } from './runtime.ts';

/** A page-aligned region of kernel memory: its byte offset and size (whole pages). */
export interface KernelRegion {
  readonly base: number;
  readonly bytes: number;
}

/** Released regions per memory, sorted by base, never adjacent (merged on release). */
const freeLists = new WeakMap<WebAssembly.Memory, KernelRegion[]>();

/**
 * A region of at least `bytes`: the smallest released region of this thread that fits (its first
 * pages; the rest stays free), else new pages of the memory (which may grow it).
 */
export function claimRegion(memory: WebAssembly.Memory, bytes: number): KernelRegion {
  const size = Math.max(1, Math.ceil(bytes / PAGE_BYTES)) * PAGE_BYTES;
  const free = freeLists.get(memory) ?? [];
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    if (free[i]!.bytes >= size && (best < 0 || free[i]!.bytes < free[best]!.bytes)) best = i;
  }
  if (best < 0) return { base: claimPages(memory, size), bytes: size };
  const found = free[best]!;
  if (found.bytes === size) free.splice(best, 1);
  else free[best] = { base: found.base + size, bytes: found.bytes - size };
  return { base: found.base, bytes: size };
}

/**
 * Gives a region from claimRegion back: a later claimRegion of this thread may hand it out again,
 * so no view into it may be used after. KernelError when it overlaps a region already released
 * (released twice).
 */
export function releaseRegion(memory: WebAssembly.Memory, region: KernelRegion): void {
  let free = freeLists.get(memory);
  if (!free) freeLists.set(memory, (free = []));
  const end = region.base + region.bytes;
  let at = 0;
  while (at < free.length && free[at]!.base < region.base) at++;
  const before = free[at - 1];
  const after = free[at];
  if ((before && before.base + before.bytes > region.base) || (after && after.base < end)) {
    throw new KernelError(`kernel memory region at ${region.base} (${region.bytes} bytes) released twice`);
  }
  const joinsBefore = before !== undefined && before.base + before.bytes === region.base;
  const joinsAfter = after !== undefined && after.base === end;
  const merged = {
    base: joinsBefore ? before.base : region.base,
    bytes: region.bytes + (joinsBefore ? before.bytes : 0) + (joinsAfter ? after.bytes : 0),
  };
  free.splice(joinsBefore ? at - 1 : at, (joinsBefore ? 1 : 0) + (joinsAfter ? 1 : 0), merged);
}

/** Bytes of this thread's released regions of `memory` (free for claimRegion). */
export function releasedBytes(memory: WebAssembly.Memory): number {
  return (freeLists.get(memory) ?? []).reduce((sum, region) => sum + region.bytes, 0);
}
