// Binding of assembly/regimeTables.ts and assembly/regimes.ts: per-market regime tables and the
// per-regime metrics kernel.
import { KernelError } from '../errors.ts';
import type { ExecutionCosts } from '../types.ts';
import { SLIPPAGE_MODEL_CODE } from './costs.ts';
import { claimRegion, releaseRegion, type KernelRegion } from './regions.ts';
import { withScratch, type KernelInstance } from './runtime.ts';

// Mirrors of assembly/regimeTables.ts (header) and assembly/regimes.ts.

/** u32 header slots of the regime tables. */
export const REGIME_HEADER = {
  bars: 0, sums: 1, longValue: 2, longBlocks: 3, longSuper: 4, shortValue: 5, shortBlocks: 6, shortSuper: 7,
  returns: 8, close: 9, volume: 10, sigma: 11,
} as const;
const HEADER_SLOTS = 16;
const SUM_SLOTS = 12;
const SUMMARY_SLOTS = 3;

/** f64 slots per regime of the kernel's output block. */
export const REGIME_SLOT = {
  bars: 0, netSum: 1, netSquares: 2, netDown: 3, netLog: 4, grossSum: 5, grossSquares: 6, grossDown: 7, grossLog: 8,
  costs: 9, exposure: 10, equity: 11, peak: 12, drop: 13, trades: 14, duration: 15,
} as const;
export const REGIME_SLOTS = 16;

/** Status codes of regimeMetrics (a non-negative status is the trade count). */
export const REGIME_STATUS = { notUnit: -1, ruin: -2, unpriced: -3, badRow: -4 } as const;

/** Bytes of a classifier's block and the i32 slots the host writes and reads (assembly/regimes.ts ST_*). */
const REGIME_STATE_BYTES = 112;
const STATE_SLOT = { regIdx: 0, regCode: 1, g: 2, regimes: 3, out: 4, tradeNet: 5, tradeRegime: 6, status: 7, detail: 8 } as const;

/**
 * Bars per window of the kernel's walk (see runRegimeKernel): 8,192 positions of prefix records are
 * 768 KB, so a window's records stay in a core's 2 MB L2 while every classifier walks it.
 */
export const REGIME_WINDOW_BARS = 8192;

/**
 * Per-market tables of the per-regime kernel, in kernel memory (one region from `claimRegion`, until
 * releaseRegimeTables; a worker pool over the same shared memory reads them without a copy): double-double
 * prefix sums of r, r^2, min(r - rf, 0)^2, min(-r - rf, 0)^2, log1p(r), log1p(-r) and, per side, the
 * rounded log prefix with (max, min, max-drop) summaries over 64- and 4096-position blocks.
 * About 115 bytes per bar.
 */
export interface RegimeTables {
  /** Bars n. */
  readonly barCount: number;
  /** Per-bar risk-free return the downside sums were built for. */
  readonly riskFreePerBar: number;
  /** Byte offset of the u32 header the kernel reads. */
  readonly headerPtr: number;
  /** First bar with r >= 1 (a short position is ruined there), or -1. */
  readonly shortRuinBar: number;
  /** The header (kept so describeViews can share the region). */
  readonly header: Uint32Array;
  readonly sums: Float64Array;
  /** The kernel memory region holding the tables (releaseRegimeTables gives it back). */
  readonly region: KernelRegion;
}

/** Market columns the tables are built from (a MarketIndex or DenseMarket qualifies). */
export interface RegimeMarketColumns {
  readonly barCount: number;
  readonly returns: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Rolling volatility of the sqrt law; undefined when the market has none. */
  readonly sigma: Float64Array | undefined;
}

const ALIGN = 64;

/**
 * Builds the regime tables of one market (O(n), in WASM). The market's columns must live in the
 * memory of `instance` (they are referenced, not copied).
 */
export function buildRegimeTables(market: RegimeMarketColumns, riskFreePerBar: number, instance: KernelInstance): RegimeTables {
  const n = market.barCount;
  const positions = n + 1;
  const blocks = Math.ceil(positions / 64);
  const supers = Math.ceil(positions / 4096);
  let bytes = 0;
  const reserve = (size: number): number => {
    const at = bytes;
    bytes += Math.ceil(size / ALIGN) * ALIGN;
    return at;
  };
  const offHeader = reserve(4 * HEADER_SLOTS);
  const offSums = reserve(8 * SUM_SLOTS * positions);
  const side = () => ({ value: reserve(8 * positions), blocks: reserve(8 * SUMMARY_SLOTS * blocks), supers: reserve(8 * SUMMARY_SLOTS * supers) });
  const long = side();
  const short = side();
  const { memory, exports: k } = instance;
  const region = claimRegion(memory, bytes);
  const base = region.base;
  const at = (offset: number) => base + offset;
  const shortRuinBar = k.buildRegimeTables(
    market.returns.byteOffset, n, riskFreePerBar, at(offSums),
    at(long.value), at(long.blocks), at(long.supers), at(short.value), at(short.blocks), at(short.supers),
  );
  const header = new Uint32Array(memory.buffer, at(offHeader), HEADER_SLOTS);
  header[REGIME_HEADER.bars] = n;
  header[REGIME_HEADER.sums] = at(offSums);
  header[REGIME_HEADER.longValue] = at(long.value);
  header[REGIME_HEADER.longBlocks] = at(long.blocks);
  header[REGIME_HEADER.longSuper] = at(long.supers);
  header[REGIME_HEADER.shortValue] = at(short.value);
  header[REGIME_HEADER.shortBlocks] = at(short.blocks);
  header[REGIME_HEADER.shortSuper] = at(short.supers);
  header[REGIME_HEADER.returns] = market.returns.byteOffset;
  header[REGIME_HEADER.close] = market.close.byteOffset;
  header[REGIME_HEADER.volume] = market.volume.byteOffset;
  header[REGIME_HEADER.sigma] = market.sigma?.byteOffset ?? 0;
  return {
    barCount: n, riskFreePerBar, headerPtr: at(offHeader), shortRuinBar, header,
    sums: new Float64Array(memory.buffer, at(offSums), SUM_SLOTS * positions),
    region,
  };
}

/** Gives the tables' memory back (see releaseRegion); neither they nor their views may be used after. */
export function releaseRegimeTables(tables: RegimeTables, instance: KernelInstance): void {
  releaseRegion(instance.memory, tables.region);
}

/** A classifier's change list with its regime codes in [0, regimes). */
export interface RegimeCodes {
  idx: Int32Array;
  state: Int32Array;
  /** Number of regime codes R (labels). */
  regimes: number;
}

/** What the kernel returns for one strategy and one classifier. */
export interface RegimeKernelResult {
  /** Trade count (>= 0) or a REGIME_STATUS code. */
  status: number;
  /** Row or bar the status refers to. */
  detail: number;
  /** f64[(regimes + 1) * REGIME_SLOTS]: per regime code, then the no-state bucket (a copy). */
  blocks: Float64Array;
  /** Net return and regime code of every trade (copies). */
  tradeNet: Float64Array;
  tradeRegime: Int32Array;
}

/**
 * Scratch the trade arrays of one kernel call may take (each classifier needs room for K + 1 trades,
 * 12 bytes each): a strategy with many changes walks its classifiers in groups, so a worker's
 * scratch stays bounded (20 classifiers x 200,000 changes would otherwise take 48 MB).
 */
export const REGIME_TRADE_SCRATCH_BYTES = 16 * 2 ** 20;

/** Options of runRegimeKernel (both change only the speed and the scratch used, never a result). */
export interface RegimeKernelOptions {
  /** Bars per window of the walk; default REGIME_WINDOW_BARS. */
  windowBars?: number;
  /** Most bytes of trade arrays per kernel call; default REGIME_TRADE_SCRATCH_BYTES. */
  tradeScratchBytes?: number;
}

/**
 * Runs `regimeMetrics` for one strategy's change list against several classifiers, as few kernel
 * calls as the trade scratch allows (usually one): O(K + G) range queries per classifier, the bars
 * walked in windows so that each window's tables are read from memory once for all the call's
 * classifiers. The results depend neither on the windows nor on the grouping (bit for bit).
 */
export function runRegimeKernel(
  instance: KernelInstance, tables: RegimeTables, idx: Int32Array, value: Float64Array, classifiers: readonly RegimeCodes[], costs: ExecutionCosts,
  options: RegimeKernelOptions = {},
): RegimeKernelResult[] {
  const windowBars = options.windowBars ?? REGIME_WINDOW_BARS;
  const tradeScratchBytes = options.tradeScratchBytes ?? REGIME_TRADE_SCRATCH_BYTES;
  if (idx.length !== value.length) throw new KernelError(`change list has ${idx.length} indices but ${value.length} values`);
  if (costs.slippageModel === 'sqrt' && tables.header[REGIME_HEADER.sigma] === 0) throw new KernelError('the regime tables were built without the rolling volatility the sqrt cost law needs');
  const perCall = Math.max(1, Math.floor(tradeScratchBytes / (12 * (idx.length + 1))));
  const results: RegimeKernelResult[] = [];
  for (let first = 0; first < classifiers.length; first += perCall) {
    results.push(...regimeKernelCall(instance, tables, idx, value, classifiers.slice(first, first + perCall), costs, windowBars));
  }
  return results;
}

/** One `regimeMetrics` call for `classifiers` (see runRegimeKernel). */
function regimeKernelCall(
  instance: KernelInstance, tables: RegimeTables, idx: Int32Array, value: Float64Array, classifiers: readonly RegimeCodes[], costs: ExecutionCosts,
  windowBars: number,
): RegimeKernelResult[] {
  return withScratch((arena, k) => {
    const idxIn = arena.copyI32(idx);
    const valueIn = arena.copyF64(value);
    const cap = idx.length + 1;
    const states = arena.alloc(REGIME_STATE_BYTES * classifiers.length);
    const logs = arena.f64(2 * idx.length);
    const outputs = classifiers.map((classifier) => {
      const regIdx = arena.copyI32(classifier.idx);
      const regCode = arena.copyI32(classifier.state);
      return { regIdx, regCode, out: arena.f64((classifier.regimes + 1) * REGIME_SLOTS), tradeNet: arena.f64(cap), tradeRegime: arena.i32(cap) };
    });
    // (every allocation is done: the memory cannot grow, so views of it stay valid from here)
    outputs.forEach((o, c) => {
      const slots = new Int32Array(instance.memory.buffer, states + c * REGIME_STATE_BYTES, REGIME_STATE_BYTES / 4);
      slots[STATE_SLOT.regIdx] = o.regIdx.byteOffset;
      slots[STATE_SLOT.regCode] = o.regCode.byteOffset;
      slots[STATE_SLOT.g] = classifiers[c]!.idx.length;
      slots[STATE_SLOT.regimes] = classifiers[c]!.regimes;
      slots[STATE_SLOT.out] = o.out.byteOffset;
      slots[STATE_SLOT.tradeNet] = o.tradeNet.byteOffset;
      slots[STATE_SLOT.tradeRegime] = o.tradeRegime.byteOffset;
    });
    k.regimeMetrics(
      tables.headerPtr, tables.riskFreePerBar, idxIn.byteOffset, valueIn.byteOffset, idx.length,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      states, classifiers.length, windowBars, logs.byteOffset,
    );
    return outputs.map((o, c): RegimeKernelResult => {
      const slots = new Int32Array(instance.memory.buffer, states + c * REGIME_STATE_BYTES, REGIME_STATE_BYTES / 4);
      const status = slots[STATE_SLOT.status]!;
      const trades = Math.max(0, status);
      return {
        status, detail: slots[STATE_SLOT.detail]!, blocks: Float64Array.from(o.out),
        tradeNet: Float64Array.from(o.tradeNet.subarray(0, trades)), tradeRegime: Int32Array.from(o.tradeRegime.subarray(0, trades)),
      };
    });
  }, instance);
}
