import { WorkerError } from '../errors.ts';

/** Typed-array kinds that may live in kernel memory. */
type ViewKind = 'Float64Array' | 'Int32Array' | 'Uint8Array' | 'Int8Array' | 'Float32Array' | 'Uint32Array';

const CONSTRUCTORS = {
  Float64Array, Int32Array, Uint8Array, Int8Array, Float32Array, Uint32Array,
} as const;

/** A typed array described by its place in the shared kernel memory (structured-clone safe). */
export interface ViewRef {
  readonly $view: ViewKind;
  readonly byteOffset: number;
  readonly length: number;
}

/** An object graph whose typed arrays are replaced by ViewRefs. */
export type ViewLayout = unknown;

function isViewRef(value: unknown): value is ViewRef {
  return typeof value === 'object' && value !== null && '$view' in value;
}

/**
 * Describes an object whose typed arrays live in `memory` by their offsets, so another thread
 * holding the same shared memory can rebuild the same views without copying a byte
 * (`sharedMarketTables`). Plain numbers, strings, booleans, arrays and nested objects are kept;
 * functions and the kernel instance are dropped. Throws when a typed array is not in `memory`.
 */
export function describeViews(value: unknown, memory: WebAssembly.Memory, path = 'value'): ViewLayout {
  if (ArrayBuffer.isView(value)) {
    const kind = value.constructor.name as ViewKind;
    if (!(kind in CONSTRUCTORS)) throw new WorkerError(`${path}: ${kind} cannot be shared`);
    // A grown shared memory hands out a new SharedArrayBuffer object, so identity cannot be checked;
    // a view over shared memory inside the memory's bounds is taken as a view of it.
    if (!(value.buffer instanceof SharedArrayBuffer) || value.byteOffset + value.byteLength > memory.buffer.byteLength) {
      throw new WorkerError(`${path}: typed array is not in the shared kernel memory`);
    }
    return { $view: kind, byteOffset: value.byteOffset, length: (value as unknown as { length: number }).length } satisfies ViewRef;
  }
  if (Array.isArray(value)) return value.map((item, i) => describeViews(item, memory, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === 'instance' || typeof item === 'function') continue;
      out[key] = describeViews(item, memory, `${path}.${key}`);
    }
    return out;
  }
  return value;
}

/** Rebuilds the views of a layout over `memory` (inverse of describeViews). */
export function rehydrateViews<T>(layout: ViewLayout, memory: WebAssembly.Memory): T {
  const walk = (value: unknown): unknown => {
    if (isViewRef(value)) {
      const Ctor = CONSTRUCTORS[value.$view];
      return new Ctor(memory.buffer, value.byteOffset, value.length);
    }
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item);
      return out;
    }
    return value;
  };
  return walk(layout) as T;
}

/** Entries a thread keeps in a cacheViews map: a job's tables are looked up by ids that change every job. */
const VIEW_CACHE_ENTRIES = 8;

/**
 * The rehydrated views cached under `id` in `cache`, made by `make` on first use. The cache keeps the
 * VIEW_CACHE_ENTRIES latest ids: a long-lived worker sees new ids every job, and the views of a
 * finished job point into memory that a later job may reuse.
 */
export function cachedViews<T>(cache: Map<string, T>, id: string, make: () => T): T {
  let views = cache.get(id);
  if (views === undefined) {
    views = make();
    cache.set(id, views);
    if (cache.size > VIEW_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  return views;
}

let sharedJobs = 0;

/**
 * A key for tables shared with the workers that no other job of this process has (`label` plus a
 * counter): the workers cache views by it (cachedViews), and a later job may reuse the memory of a
 * finished one, so two jobs must never share a key (a timestamp alone can repeat).
 */
export function sharedTablesId(label: string): string {
  sharedJobs += 1;
  return `${label}#${sharedJobs}`;
}
