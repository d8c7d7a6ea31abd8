// The worker's trace buffer: a batch's traces back to back in kernel memory, handed to the kernel as they are.
import { describe, expect, it } from 'vitest';
import { TraceSlab } from '../../src/engine/traceSlab.ts';
import { claimRegion, releasedBytes } from '../../src/kernels/regions.ts';
import { createKernelMemory, instantiateKernels } from '../../src/kernels/runtime.ts';

/** Fills a trace's views with values that tell the trace and row apart. */
function fill(trace: { idx: Int32Array; signal: Float64Array }, tag: number): void {
  for (let i = 0; i < trace.idx.length; i++) {
    trace.idx[i] = tag * 1000 + i;
    trace.signal[i] = tag + i / 1000;
  }
}

describe('TraceSlab', () => {
  it('packs the traces of a batch where they were read: same rows, offsets from 0, no copy', () => {
    const instance = instantiateKernels();
    const slab = new TraceSlab(instance.memory);
    slab.begin(100);
    const traces = [7, 0, 30, 12].map((rows, tag) => {
      const trace = slab.allocate(rows);
      fill(trace, tag);
      return trace;
    });
    const mark = instance.arena.mark();
    const packed = slab.packed(traces, instance.arena)!;
    expect(packed).toBeDefined();
    expect([...packed.offsets]).toEqual([0, 7, 7, 37, 49]);
    expect(packed.idx.byteOffset).toBe(traces[0]!.idx.byteOffset);
    expect(packed.value.byteOffset).toBe(traces[0]!.signal.byteOffset);
    traces.forEach((trace, s) => {
      expect([...packed.idx.subarray(packed.offsets[s], packed.offsets[s + 1])]).toEqual([...trace.idx]);
      expect([...packed.value.subarray(packed.offsets[s], packed.offsets[s + 1])]).toEqual([...trace.signal]);
    });
    // (the views are kernel memory: the offsets too)
    expect(packed.offsets.buffer).toBe(instance.memory.buffer);
    instance.arena.release(mark);
  });

  it('a trace given back (failed or cached) leaves no gap; a trace from elsewhere or a skipped one is not packed', () => {
    const instance = instantiateKernels();
    const slab = new TraceSlab(instance.memory);
    slab.begin(64);
    const first = slab.allocate(10);
    const mark = slab.mark();
    slab.allocate(20); // a trace that then fails
    slab.rollback(mark);
    const second = slab.allocate(5);
    expect(second.idx.byteOffset).toBe(first.idx.byteOffset + 4 * 10);
    expect(slab.packed([first, second], instance.arena)).toBeDefined();
    // leaving out the first trace, reordering, or a trace in other arrays: the caller must copy
    expect(slab.packed([second], instance.arena)).toBeUndefined();
    expect(slab.packed([second, first], instance.arena)).toBeUndefined();
    expect(slab.packed([first, { idx: new Int32Array(5), signal: new Float64Array(5) }], instance.arena)).toBeUndefined();
  });

  it('sizes itself from the batch hint once; a batch that outgrows it is not packed, keeps its views, and the next one fits', () => {
    const instance = instantiateKernels(createKernelMemory());
    const memory = instance.memory;
    const slab = new TraceSlab(memory);
    slab.begin(50_000);
    const a = slab.allocate(30_000);
    fill(a, 1);
    const base = a.idx.byteOffset;
    const b = slab.allocate(40_000); // over the hint: a new, larger region
    fill(b, 2);
    expect(slab.packed([a, b], instance.arena)).toBeUndefined();
    // the first trace's region is still intact while the batch runs (other claims do not get it)
    claimRegion(memory, 1 << 20);
    expect(a.idx[29_999]).toBe(1000 + 29_999);
    expect(a.signal[0]).toBe(1);
    slab.begin(0);
    // now released: the outgrown region is free for other tables
    expect(releasedBytes(memory)).toBeGreaterThanOrEqual(4 * 50_000);
    const c = slab.allocate(70_000);
    const d = slab.allocate(10);
    expect(c.idx.byteOffset).not.toBe(base);
    expect(d.idx.byteOffset).toBe(c.idx.byteOffset + 4 * 70_000);
  });

  it('a batch without hints, or of empty traces only, gets its region on the first allocation', () => {
    const instance = instantiateKernels();
    const slab = new TraceSlab(instance.memory);
    slab.begin(0);
    const empty = slab.allocate(0);
    expect(empty.idx.length).toBe(0);
    const next = slab.allocate(5);
    fill(next, 2);
    expect([...next.idx]).toEqual([2000, 2001, 2002, 2003, 2004]);
    expect(slab.packed([empty, next], instance.arena)!.offsets).toEqual(Int32Array.of(0, 0, 5));
  });

  it('views made before the memory grows stay valid (shared memory never moves)', () => {
    const memory = createKernelMemory();
    const slab = new TraceSlab(memory);
    slab.begin(1000);
    const trace = slab.allocate(1000);
    fill(trace, 3);
    const before = memory.buffer.byteLength;
    claimRegion(memory, 64 << 20);
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    expect(trace.idx[999]).toBe(3999);
    const next = slab.allocate(0);
    expect(next.idx.length).toBe(0);
  });
});
