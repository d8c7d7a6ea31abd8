import { describe, expect, it } from 'vitest';
import { ARENA_MAX_GROWTH_BYTES, Arena, createKernelMemory } from '../../src/kernels/runtime.ts';

describe('Arena', () => {
  it('after a huge allocation, grows by at most ARENA_MAX_GROWTH_BYTES for the next one', () => {
    const memory = createKernelMemory();
    const arena = new Arena(memory);
    const huge = 600 * 2 ** 20;
    arena.alloc(huge);
    const before = memory.buffer.byteLength;
    arena.alloc(1024); // does not fit in the huge region: a new region, capped growth
    const grown = memory.buffer.byteLength - before;
    expect(grown).toBeGreaterThan(0);
    expect(grown).toBeLessThanOrEqual(ARENA_MAX_GROWTH_BYTES + 65536);
  });

  it('release(mark) reuses the space allocated after the mark', () => {
    const arena = new Arena(createKernelMemory());
    const mark = arena.mark();
    const first = arena.alloc(4096);
    arena.release(mark);
    expect(arena.alloc(4096)).toBe(first);
  });
});
