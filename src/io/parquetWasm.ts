// parquet-wasm, compiled once per process and shared with the engine's workers.
//
// The package's default Node build compiles its 5 MB module at import time in every thread that
// imports it, and each thread then tiers up the decoder on its own. The ESM build instead takes a
// compiled WebAssembly.Module: the main thread compiles it once, the pool hands it to every worker
// (a Module is structured-clone safe, and V8 shares its compiled code between threads), so a worker
// starts decoding with the main thread's optimized code instead of compiling its own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as pq from 'parquet-wasm/esm';

export type ParquetWasm = typeof pq;

let compiled: WebAssembly.Module | undefined;
let initialized = false;

/** The compiled parquet-wasm module of this process (compiled on first call). */
export function parquetWasmModule(): WebAssembly.Module {
  if (!compiled) {
    const wasmPath = createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
    compiled = new WebAssembly.Module(readFileSync(wasmPath));
  }
  return compiled;
}

/** Initializes parquet-wasm in this thread from a module compiled elsewhere (a worker's start-up). */
export function useParquetWasmModule(module: WebAssembly.Module): void {
  if (initialized) return;
  compiled = module;
  pq.initSync({ module });
  initialized = true;
}

/** parquet-wasm, initialized in this thread on first use. */
export function parquetWasm(): ParquetWasm {
  if (!initialized) useParquetWasmModule(parquetWasmModule());
  return pq;
}
