// The buffer a worker decodes a batch's traces into: one region of kernel memory, laid out as the
// batch kernel reads its change lists (all idx, then all values), so the kernel takes the batch
// without a copy, and reused batch after batch, so its pages are touched once per thread.
//
// Before it, each batch was decoded into JS arrays (grown by doubling) and then packed into the
// worker's arena (grown by doubling too): ~320 MB of fresh pages per worker on a 2,000-strategy,
// 1M-bar run for ~35 MB of data, and first touches of fresh pages are the costliest memory
// accesses there are (a page fault each; on a virtual machine whose host reclaims freed memory,
// 15-25 us each).
import type { PackedSparseBatch } from '../kernels/sparse.ts';
import { claimRegion, releaseRegion, type KernelRegion } from '../kernels/regions.ts';
import type { Arena } from '../kernels/runtime.ts';

/** Capacity a full slab grows to, relative to its size (on top of what the batch needs). */
const GROWTH = 1.25;
const IDX_BYTES = 4;
const VALUE_BYTES = 8;

/** Byte offset of the values in a region of `capacity` rows (8-byte aligned after the idx). */
function valuesOffset(capacity: number): number {
  return Math.ceil((IDX_BYTES * capacity) / VALUE_BYTES) * VALUE_BYTES;
}

/** One thread's trace buffer in one kernel memory (see the file comment). */
export class TraceSlab {
  private region: KernelRegion | undefined;
  private buffer: ArrayBufferLike | undefined;
  private capacity = 0;
  private used = 0;
  /** Regions outgrown during the current batch: still viewed by its traces, released at the next begin. */
  private retired: KernelRegion[] = [];

  constructor(readonly memory: WebAssembly.Memory) {}

  /**
   * Starts a batch of about `expectedRows` rows (0 when unknown): the views of earlier batches are
   * invalid from now on. Grows the slab beforehand when it is smaller, so that the batch's traces
   * land in one region (and go to the kernel without a copy).
   */
  begin(expectedRows: number): void {
    for (const region of this.retired) releaseRegion(this.memory, region);
    this.retired = [];
    this.used = 0;
    if (expectedRows > this.capacity) this.grow(expectedRows);
  }

  /** Rows handed out in the current batch; pass it to rollback to give back what came after. */
  mark(): number {
    return this.used;
  }

  /** Gives back the rows handed out after `mark` (a trace that failed or was not needed). */
  rollback(mark: number): void {
    if (mark <= this.used) this.used = mark;
  }

  /** Views for a trace of `rows` rows (a TraceColumnsReader's `allocate`). */
  allocate(rows: number): { idx: Int32Array; signal: Float64Array } {
    if (!this.region || this.used + rows > this.capacity) {
      // the traces already read keep viewing the old region until the next batch
      if (this.region) this.retired.push(this.region);
      this.region = undefined;
      this.grow(Math.max(rows, this.capacity));
    }
    const at = this.used;
    this.used += rows;
    const base = this.region!.base;
    return {
      idx: new Int32Array(this.buffer!, base + IDX_BYTES * at, rows),
      signal: new Float64Array(this.buffer!, base + valuesOffset(this.capacity) + VALUE_BYTES * at, rows),
    };
  }

  /**
   * The traces as one packed batch when they are this batch's allocations, back to back from the
   * first row of the current region (offsets allocated from `arena`); undefined otherwise (a trace
   * read into other arrays, or a batch that outgrew the slab), for the caller to copy them.
   */
  packed(traces: readonly { idx: Int32Array; signal: Float64Array }[], arena: Arena): PackedSparseBatch | undefined {
    if (!this.region || traces.length === 0) return undefined;
    const idxBase = this.region.base;
    const valueBase = idxBase + valuesOffset(this.capacity);
    let rows = 0;
    for (const trace of traces) {
      if (trace.idx.buffer !== this.buffer || trace.signal.buffer !== this.buffer) return undefined;
      if (trace.idx.byteOffset !== idxBase + IDX_BYTES * rows || trace.signal.byteOffset !== valueBase + VALUE_BYTES * rows) return undefined;
      if (trace.signal.length !== trace.idx.length) return undefined;
      rows += trace.idx.length;
    }
    const offsets = arena.i32(traces.length + 1);
    let at = 0;
    traces.forEach((trace, s) => {
      offsets[s] = at;
      at += trace.idx.length;
    });
    offsets[traces.length] = at;
    return { idx: new Int32Array(this.buffer!, idxBase, rows), value: new Float64Array(this.buffer!, valueBase, rows), offsets };
  }

  /** A new region of at least `rows` rows (GROWTH times the current capacity at least); the current one is released. */
  private grow(rows: number): void {
    if (this.region) releaseRegion(this.memory, this.region);
    const capacity = Math.max(rows, Math.ceil(this.capacity * GROWTH), 1024);
    this.region = claimRegion(this.memory, valuesOffset(capacity) + VALUE_BYTES * capacity);
    // (a shared memory's buffer may be a new object after growing; views made now stay valid)
    this.buffer = this.memory.buffer;
    this.capacity = capacity;
    this.used = 0;
  }
}

const slabs = new WeakMap<WebAssembly.Memory, TraceSlab>();

/** This thread's trace slab for `memory` (created on first use). */
export function traceSlabFor(memory: WebAssembly.Memory): TraceSlab {
  let slab = slabs.get(memory);
  if (!slab) slabs.set(memory, (slab = new TraceSlab(memory)));
  return slab;
}
