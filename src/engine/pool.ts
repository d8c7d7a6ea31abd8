import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { InputError, WorkerError } from '../errors.ts';
import { createKernelMemory, instantiateKernels, kernelModule, type KernelInstance } from '../kernels/runtime.ts';
import { parquetWasmModule } from '../io/parquetWasm.ts';
import type { EngineTask, WorkerBootData } from './messages.ts';
import { describeViews, type ViewLayout } from './sharedViews.ts';

/** Options of EnginePool.create. */
export interface EnginePoolOptions {
  /** Worker threads; default: the machine's available parallelism. Must be a positive integer. */
  workers?: number;
}

const isTypeScriptSource = import.meta.url.endsWith('.ts');

/**
 * A Piscina pool whose workers instantiate the kernels once over one shared WebAssembly.Memory.
 * The main thread instantiates first (a bad module fails here, cleanly, not inside a worker) and
 * builds the market tables into the shared memory; workers get them as offsets and never copy
 * them. Each worker claims its own scratch region in the same memory.
 */
export class EnginePool {
  private constructor(
    /** Kernels of the main thread over the shared memory (build market tables with this). */
    readonly instance: KernelInstance,
    private readonly piscina: Piscina,
    /** Number of worker threads. */
    readonly workers: number,
  ) {}

  /** Creates the pool; validates the module and memory on the main thread first. */
  static create(options: EnginePoolOptions = {}): EnginePool {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new InputError(`options.workers must be a positive integer, got ${workers}`);
    const module = kernelModule();
    const memory = createKernelMemory();
    const instance = instantiateKernels(memory, module);
    const workerData: WorkerBootData = { memory, module, parquetModule: parquetWasmModule() };
    const filename = new URL(isTypeScriptSource ? './worker-dev.mjs' : './worker.js', import.meta.url).href;
    const piscina = new Piscina({
      filename,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
      workerData,
    });
    return new EnginePool(instance, piscina, workers);
  }

  /** Describes market tables built with `this.instance` so tasks can carry them by offset. */
  share(tables: object): ViewLayout {
    return describeViews(tables, this.instance.memory);
  }

  /** Runs one task on a worker. */
  async run<R>(task: EngineTask, signal?: AbortSignal): Promise<R> {
    try {
      return (await this.piscina.run(task, { name: 'runTask', ...(signal ? { signal } : {}) })) as R;
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new WorkerError(`worker failed: ${(error as Error).message}`);
    }
  }

  /** Stops the workers. */
  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}

/** What a job does with a pool: the one it uses, and how to give it back. */
export interface JobPool {
  /** The caller's pool, a pool started for this job, or undefined (compute on the calling thread). */
  pool: EnginePool | undefined;
  /** Destroys the pool if the job started it; a caller's pool is left running. */
  release: () => Promise<void>;
}

/**
 * The pool of one coordinator job: `options.pool` when given (not destroyed at the end), else a new
 * pool of `options.workers` threads (default: the machine's parallelism), or none for 0.
 * InputError when workers is not an integer >= 0.
 */
export function jobPool(options: { pool?: EnginePool; workers?: number }): JobPool {
  if (options.pool) return { pool: options.pool, release: async () => {} };
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 0) throw new InputError(`options.workers must be an integer >= 0, got ${options.workers}`);
  if (workers === 0) return { pool: undefined, release: async () => {} };
  const pool = EnginePool.create({ workers });
  return { pool, release: () => pool.destroy() };
}

/**
 * Waits until every promise has settled, then returns their values in order, or throws the first
 * rejection (in order). Promise.all rejects as soon as one task fails while the others still run:
 * a job must not give back the shared tables its other tasks are still reading.
 */
export async function allSettledOrThrow<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}
