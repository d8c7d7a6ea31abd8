import { describe, expect, it } from 'vitest';
import { allSettledOrThrow } from '../../src/engine/pool.ts';
import { claimRegion, releasedBytes, releaseRegion } from '../../src/kernels/regions.ts';
import { createKernelMemory } from '../../src/kernels/runtime.ts';

const PAGE = 65536;

describe('kernel memory regions', () => {
  it('hands a released region out again instead of growing the memory, for ever', () => {
    const memory = createKernelMemory();
    const first = claimRegion(memory, 10 * PAGE + 1);
    expect(first.bytes).toBe(11 * PAGE);
    expect(first.base % PAGE).toBe(0);
    const size = memory.buffer.byteLength;
    for (let job = 0; job < 50; job++) {
      releaseRegion(memory, job === 0 ? first : claimRegion(memory, 10 * PAGE + 1));
    }
    expect(claimRegion(memory, 11 * PAGE).base).toBe(first.base);
    expect(memory.buffer.byteLength).toBe(size);
  });

  it('splits a larger free region, takes the smallest that fits, and merges released neighbours', () => {
    const memory = createKernelMemory();
    const a = claimRegion(memory, 4 * PAGE);
    const b = claimRegion(memory, 2 * PAGE);
    const c = claimRegion(memory, 8 * PAGE);
    const d = claimRegion(memory, PAGE);
    expect([b.base - a.base, c.base - b.base, d.base - c.base]).toEqual([4 * PAGE, 2 * PAGE, 8 * PAGE]);
    releaseRegion(memory, c);
    releaseRegion(memory, a);
    expect(releasedBytes(memory)).toBe(12 * PAGE);
    // 3 pages: a (4 pages) is the smallest that fits; its last page stays free
    const three = claimRegion(memory, 3 * PAGE);
    expect(three).toEqual({ base: a.base, bytes: 3 * PAGE });
    expect(releasedBytes(memory)).toBe(9 * PAGE);
    // releasing b joins a's free page, b and c into one run of 11 pages
    releaseRegion(memory, b);
    const grown = memory.buffer.byteLength;
    const eleven = claimRegion(memory, 11 * PAGE);
    expect(eleven).toEqual({ base: a.base + 3 * PAGE, bytes: 11 * PAGE });
    expect(memory.buffer.byteLength).toBe(grown);
    expect(releasedBytes(memory)).toBe(0);
    // nothing free fits: new pages after d
    expect(claimRegion(memory, PAGE).base).toBeGreaterThan(d.base);
  });

  it('refuses a region released twice, and keeps free lists per memory', () => {
    const memory = createKernelMemory();
    const other = createKernelMemory();
    const region = claimRegion(memory, PAGE);
    releaseRegion(memory, region);
    expect(() => releaseRegion(memory, region)).toThrow(/released twice/);
    expect(() => releaseRegion(memory, { base: region.base, bytes: PAGE / 2 })).toThrow(/released twice/);
    expect(releasedBytes(other)).toBe(0);
    expect(claimRegion(other, PAGE).base).not.toBe(undefined);
    expect(releasedBytes(memory)).toBe(PAGE);
  });
});

describe('allSettledOrThrow', () => {
  it('returns the values in order, or throws the first rejection only after every promise settled', async () => {
    expect(await allSettledOrThrow([Promise.resolve(1), Promise.resolve(2)])).toEqual([1, 2]);
    let slowDone = false;
    const slow = new Promise<number>((resolve) => setTimeout(() => { slowDone = true; resolve(3); }, 50));
    await expect(allSettledOrThrow([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });
});
