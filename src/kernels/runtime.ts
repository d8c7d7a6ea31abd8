import { existsSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { KernelError } from '../errors.ts';

/** The raw exports of build/release.wasm (see assembly/index.ts). Pointers are byte offsets. */
export interface KernelExports {
  expandSignal(idxPtr: number, valuePtr: number, k: number, nBars: number, outPtr: number): number;
  barReturns(closePtr: number, n: number, outPtr: number): number;
  rollingVolatility(retPtr: number, n: number, window: number, outPtr: number): void;
  rollingVolatilityRange(retPtr: number, n: number, window: number, outPtr: number, from: number, to: number): void;
  strategyReturns(
    posPtr: number, retPtr: number, closePtr: number, volumePtr: number, sigmaPtr: number, n: number,
    model: number, commissionRate: number, slippageRate: number, impactCoefficient: number, capital: number,
    grossPtr: number, netPtr: number, costPtr: number,
  ): number;
  equityCurve(retPtr: number, n: number, outPtr: number): void;
  drawdownSeries(retPtr: number, n: number, outPtr: number): number;
  maxDrawdown(retPtr: number, n: number): number;
  rollingDrawdown(retPtr: number, n: number, window: number, scratchPtr: number, outPtr: number): void;
  moments(retPtr: number, n: number, riskFreePerBar: number, outPtr: number): void;
  sumValues(ptr: number, n: number): number;
  extractTrades(
    posPtr: number, retPtr: number, costPtr: number, n: number,
    startPtr: number, endPtr: number, grossPtr: number, netPtr: number,
  ): number;
  buildPrefixRecords(
    retPtr: number, closePtr: number, volumePtr: number, sigmaPtr: number, n: number, riskFreePerBar: number,
    recPtr: number, llPtr: number, lsPtr: number,
  ): void;
  buildPrefixRecordsPart(
    retPtr: number, closePtr: number, volumePtr: number, sigmaPtr: number, n: number, riskFreePerBar: number,
    recPtr: number, llPtr: number, lsPtr: number, part: number,
  ): void;
  buildBlockSummaries(llPtr: number, lsPtr: number, positions: number, blocksPtr: number): void;
  sparseMetrics(
    headerPtr: number, riskFreePerBar: number, idxPtr: number, valuePtr: number, k: number,
    model: number, commissionRate: number, slippageRate: number, impactCoefficient: number, capital: number,
    outPtr: number, startPtr: number, endPtr: number, grossPtr: number, netPtr: number, statePtr: number, scratchPtr: number, scratchBytes: number,
  ): number;
  sparseMetricsBatch(
    headerPtr: number, riskFreePerBar: number, idxPtr: number, valuePtr: number, offsetsPtr: number, strategies: number,
    model: number, commissionRate: number, slippageRate: number, impactCoefficient: number, capital: number, outPtr: number,
    statePtr: number, scratchPtr: number, scratchBytesEach: number, tileBars: number, prefetch: number,
  ): number;
  covarianceMatrix(dataPtr: number, rows: number, cols: number, meansPtr: number, outPtr: number): void;
  correlationFromCovariance(covPtr: number, n: number, outPtr: number): void;
  covariancePairwise(dataPtr: number, rows: number, cols: number, covPtr: number, corrPtr: number, countsPtr: number): void;
  sparseCovariance(
    idxPtr: number, valuePtr: number, offsetsPtr: number, strategies: number, bars: number,
    prefixPtr: number, squaresPtr: number, sumsPtr: number, outPtr: number,
  ): number;
  projectCappedSimplex(vPtr: number, loPtr: number, hiPtr: number, n: number, total: number, outPtr: number): number;
  optimizePortfolio(
    objective: number, n: number, muPtr: number, covPtr: number, loPtr: number, hiPtr: number, riskFree: number,
    maxIterations: number, tolerance: number, weightsPtr: number, scratchPtr: number, statsPtr: number,
  ): number;
  pboBlockSums(
    matrixPtr: number, nBars: number, nStrategies: number, blocks: number, boundsPtr: number,
    centreOut: number, sumOut: number, squaresOut: number,
  ): number;
  pboSplits(
    centrePtr: number, sumPtr: number, squaresPtr: number, countsPtr: number,
    nStrategies: number, blocks: number, masksPtr: number, splitStart: number, splitEnd: number, metric: number,
    scratchPtr: number, selectedOut: number, inSampleOut: number, outOfSampleOut: number, rankOut: number,
  ): void;
  countPatterns(
    idxPtr: number, valuePtr: number, k: number, minLength: number, maxLength: number,
    closePtr: number, nBars: number, horizon: number, tablePtr: number, capacity: number, strategy: number,
    codesPtr: number, changeIdxPtr: number, occSlotPtr: number, occBarPtr: number, occReturnPtr: number, touchedPtr: number,
    statsPtr: number,
  ): number;
  buildRegimeTables(
    retPtr: number, n: number, riskFreePerBar: number, sumsPtr: number,
    longValuePtr: number, longBlocksPtr: number, longSuperPtr: number,
    shortValuePtr: number, shortBlocksPtr: number, shortSuperPtr: number,
  ): number;
  regimeMetrics(
    headerPtr: number, riskFreePerBar: number, sigIdxPtr: number, sigValuePtr: number, k: number,
    model: number, commissionRate: number, slippageRate: number, impactCoefficient: number, capital: number,
    statesPtr: number, count: number, windowBars: number, logsPtr: number,
  ): void;
}

/** Bytes of a WebAssembly memory page, the unit claimPages hands out. */
export const PAGE_BYTES = 65536;
/** Pages [0, 1) are reserved for AssemblyScript's static data; the host allocates from page 1 on. */
const FIRST_HOST_PAGE = 1;
/** Byte offset (inside the reserved page) of the shared allocation counter, in pages. */
const ALLOCATOR_WORD_BYTE_OFFSET = 32768;
/** Largest region an arena claims for its own growth (a bigger single request gets exactly its size). */
export const ARENA_MAX_GROWTH_BYTES = 256 * 2 ** 20;
/** Module's declared maximum, in pages (asconfig.json maximumMemory). */
export const MAXIMUM_MEMORY_PAGES = 65536;

let compiledModule: WebAssembly.Module | undefined;

/**
 * Path of the compiled kernels, build/release.wasm at the package root: two levels up from
 * src/kernels/ (sources run by tsx or vitest), three from dist/src/kernels/ (compiled).
 */
export const KERNEL_WASM_URL = [new URL('../../build/release.wasm', import.meta.url), new URL('../../../build/release.wasm', import.meta.url)]
  .find((url) => existsSync(url)) ?? new URL('../../build/release.wasm', import.meta.url);

/** Compiles build/release.wasm once per thread (cached). */
export function kernelModule(): WebAssembly.Module {
  if (compiledModule) return compiledModule;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(KERNEL_WASM_URL));
  } catch (cause) {
    throw new KernelError(`${KERNEL_WASM_URL.pathname}: cannot read the kernel module (run \`npm run build\`): ${(cause as Error).message}`);
  }
  try {
    compiledModule = compileOptimized(bytes);
  } catch (cause) {
    throw new KernelError(`${KERNEL_WASM_URL.pathname}: invalid WebAssembly module: ${(cause as Error).message}`);
  }
  return compiledModule;
}

/**
 * Compiles the kernels with V8's optimizing compiler (TurboFan) up front, all functions at once.
 *
 * By default V8 compiles a wasm function lazily, at its first call, with its baseline compiler
 * (Liftoff), and only later calls get optimized code: wasm has no on-stack replacement, so a kernel
 * called once on a long input (the market index build, a PBO pass, the first batch of every worker)
 * ran entirely in baseline code, 1.7-3.5x slower (measured on 1M bars: the index build 275 -> 162 ms,
 * rollingVolatility 133 -> 38 ms). The module is small, so the eager optimized compile costs ~20 ms,
 * and workers share the compiled code (the Module is handed to them). The flags are restored at once,
 * so other modules (parquet-wasm's 5 MB, which is better lazy) compile as before. If this V8 refuses
 * flag changes at run time, the module is compiled the default way.
 */
function compileOptimized(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  let flagsChanged = false;
  try {
    setFlagsFromString('--no-liftoff');
    setFlagsFromString('--no-wasm-lazy-compilation');
    flagsChanged = true;
  } catch {
    // flags frozen: compile with the defaults
  }
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    if (flagsChanged) {
      // (--no-liftoff also switches dynamic tiering off: without it every later module would be
      // tiered up eagerly in the background, all 5 MB of parquet-wasm included)
      setFlagsFromString('--liftoff');
      setFlagsFromString('--wasm-lazy-compilation');
      setFlagsFromString('--wasm-dynamic-tiering');
    }
  }
}

/** A new shared memory the kernels can import; grows on demand up to 4 GiB. */
export function createKernelMemory(initialPages = 16): WebAssembly.Memory {
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAXIMUM_MEMORY_PAGES, shared: true });
  initAllocator(memory);
  return memory;
}

function initAllocator(memory: WebAssembly.Memory): void {
  const word = new Int32Array(memory.buffer, ALLOCATOR_WORD_BYTE_OFFSET, 1);
  Atomics.compareExchange(word, 0, 0, FIRST_HOST_PAGE);
}

/**
 * Claims `bytes` (rounded up to whole pages) of the shared memory for the caller, growing it as
 * needed. Safe to call from several threads at once: the page counter is advanced atomically.
 * Returns the byte offset of the claimed region.
 */
export function claimPages(memory: WebAssembly.Memory, bytes: number): number {
  const pages = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
  const word = new Int32Array(memory.buffer, ALLOCATOR_WORD_BYTE_OFFSET, 1);
  const firstPage = Atomics.add(word, 0, pages);
  const endPage = firstPage + pages;
  if (endPage > MAXIMUM_MEMORY_PAGES) {
    throw new KernelError(`kernel memory exhausted: ${(endPage * PAGE_BYTES / 2 ** 30).toFixed(2)} GiB needed, 4 GiB is the limit`);
  }
  const currentPages = memory.buffer.byteLength / PAGE_BYTES;
  if (currentPages < endPage) {
    try {
      memory.grow(endPage - currentPages);
    } catch {
      // Another thread may have grown it meanwhile; only fail if it is still too small.
      if (memory.buffer.byteLength / PAGE_BYTES < endPage) {
        throw new KernelError(`kernel memory could not grow to ${endPage} pages`);
      }
    }
  }
  return firstPage * PAGE_BYTES;
}

/** An instance of the kernels over a (possibly shared) memory, with a scratch arena. */
export interface KernelInstance {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
}

/** Instantiates the kernels over `memory` (a new one when omitted). */
export function instantiateKernels(memory: WebAssembly.Memory = createKernelMemory(), module: WebAssembly.Module = kernelModule()): KernelInstance {
  initAllocator(memory);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, {
      env: {
        memory,
        abort: (_message: number, _file: number, line: number, column: number) => {
          throw new KernelError(`kernel aborted at ${line}:${column}`);
        },
      },
    });
  } catch (cause) {
    throw new KernelError(`cannot instantiate the kernel module: ${(cause as Error).message}`);
  }
  return { exports: instance.exports as unknown as KernelExports, memory, arena: new Arena(memory) };
}

let threadInstance: KernelInstance | undefined;

/** The kernels of this thread, instantiated on first use over a fresh shared memory. */
export function kernels(): KernelInstance {
  threadInstance ??= instantiateKernels();
  return threadInstance;
}

/** Replaces this thread's kernel instance (a worker calls this with the pool's shared memory). */
export function useKernels(instance: KernelInstance): void {
  threadInstance = instance;
}

/**
 * Bump allocator over one region of the kernel memory. One owner (a thread, a task); `reset()`
 * releases everything at once. When a request does not fit, a region twice as large is claimed;
 * the old one stays valid until reset, after which only the largest is reused.
 */
export class Arena {
  private base = 0;
  private limit = 0;
  private top = 0;
  constructor(readonly memory: WebAssembly.Memory, initialBytes = 1 << 20) {
    this.claim(initialBytes);
  }

  private claim(bytes: number): void {
    // Twice the last region, but never more than ARENA_MAX_GROWTH_BYTES beyond the request: after
    // one huge allocation (a 2 GiB return matrix) the next small one must not claim 4 GiB more.
    const size = Math.max(bytes, Math.min((this.limit - this.base) * 2, ARENA_MAX_GROWTH_BYTES), 1 << 20);
    this.base = claimPages(this.memory, size);
    this.limit = this.base + Math.ceil(size / PAGE_BYTES) * PAGE_BYTES;
    this.top = this.base;
  }

  /** Reserves `bytes` (16-byte aligned); returns the byte offset. */
  alloc(bytes: number): number {
    const size = (bytes + 15) & ~15;
    if (this.top + size > this.limit) this.claim(size);
    const pointer = this.top;
    this.top += size;
    return pointer;
  }

  /** A Float64Array view of `length` new elements. */
  f64(length: number): Float64Array {
    const pointer = this.alloc(length * 8); // may grow the memory: read .buffer only after
    return new Float64Array(this.memory.buffer, pointer, length);
  }

  /** An Int32Array view of `length` new elements. */
  i32(length: number): Int32Array {
    const pointer = this.alloc(length * 4);
    return new Int32Array(this.memory.buffer, pointer, length);
  }

  /** Copies `source` into a new region and returns the view. */
  copyF64(source: ArrayLike<number>): Float64Array {
    const view = this.f64(source.length);
    view.set(source);
    return view;
  }

  copyI32(source: ArrayLike<number>): Int32Array {
    const view = this.i32(source.length);
    view.set(source);
    return view;
  }

  /** Current top, to pass to `release` later (stack-like scoped use). */
  mark(): number {
    return this.top;
  }

  /** Frees everything allocated after `mark` (must be in the current region). */
  release(mark: number): void {
    if (mark >= this.base && mark <= this.top) this.top = mark;
    else this.top = this.base;
  }

  /** Frees everything. */
  reset(): void {
    this.top = this.base;
  }

  /** Bytes currently in use. */
  get usedBytes(): number {
    return this.top - this.base;
  }
}

/** Runs `body` with scratch memory that is released when it returns or throws. */
export function withScratch<T>(body: (arena: Arena, exports: KernelExports) => T, instance: KernelInstance = kernels()): T {
  const mark = instance.arena.mark();
  try {
    return body(instance.arena, instance.exports);
  } finally {
    instance.arena.release(mark);
  }
}
