// What every opened run shares: symbol choice, a bar cache and the atomic output writers.
import type { Table } from 'apache-arrow';
import { WorkspaceError } from '../errors.ts';
import type { Bars } from '../types.ts';
import type { MarketSeries } from './bars.ts';
import { writeJsonAtomic } from './atomicWrite.ts';
import { insideRun } from './layout.ts';
import { writeParquetTable, type ParquetWriteOptions } from './parquet.ts';

/** Picks the symbol: the given one, or the only one. */
export function chooseSymbol(dir: string, symbols: string[], symbol: string | undefined): string {
  if (symbol !== undefined) return symbol;
  if (symbols.length === 1) return symbols[0]!;
  throw new WorkspaceError(`${dir}: the run has ${symbols.length} symbols (${symbols.join(', ') || 'none'}); name one`, { file: dir });
}

/** The cached promise of `key`, loading it on first use; a failed load is forgotten (the next call retries). */
function memoized<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}

/** Helpers shared by the run handles: bar cache and output writers. */
export abstract class BaseRun {
  readonly dir: string;
  readonly warnings: string[] = [];
  private readonly barCache = new Map<string, Promise<Bars>>();
  private readonly timeCache = new Map<string, Promise<Float64Array>>();
  private readonly seriesCache = new Map<string, Promise<MarketSeries>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  protected abstract loadBars(symbol: string): Promise<Bars>;

  /** Only the bar timestamps of `symbol`; by default from the whole bars (a run format may read less). */
  protected async loadBarTimes(symbol: string): Promise<Float64Array> {
    return (await this.readBars(symbol)).tsMs;
  }
  /** Timestamps, close and volume of `symbol`; by default from the whole bars (a run format may read less). */
  protected async loadMarketSeries(symbol: string): Promise<MarketSeries> {
    const { tsMs, close, volume } = await this.readBars(symbol);
    return { tsMs, close, volume };
  }
  abstract symbols(): string[];

  readBars(symbol?: string): Promise<Bars> {
    const chosen = chooseSymbol(this.dir, this.symbols(), symbol);
    return memoized(this.barCache, chosen, () => this.loadBars(chosen));
  }

  /** The bar timestamps (epoch ms) of `symbol`: from the cached bars or series when read, else read alone and cached. */
  readBarTimes(symbol?: string): Promise<Float64Array> {
    const chosen = chooseSymbol(this.dir, this.symbols(), symbol);
    const read = this.barCache.get(chosen) ?? this.seriesCache.get(chosen);
    if (read) return read.then((b) => b.tsMs);
    return memoized(this.timeCache, chosen, () => this.loadBarTimes(chosen));
  }

  /** Timestamps, close and volume of `symbol`, cached: from the cached bars when they were read first, else read alone. */
  readMarketSeries(symbol?: string): Promise<MarketSeries> {
    const chosen = chooseSymbol(this.dir, this.symbols(), symbol);
    const bars = this.barCache.get(chosen);
    return memoized(this.seriesCache, chosen, () => (bars ? bars.then(({ tsMs, close, volume }) => ({ tsMs, close, volume })) : this.loadMarketSeries(chosen)));
  }

  writeJson(relativePath: string, value: unknown): string {
    const path = insideRun(this.dir, relativePath);
    writeJsonAtomic(path, value);
    return path;
  }

  writeTable(relativePath: string, table: Table, options: ParquetWriteOptions = {}): string {
    const path = insideRun(this.dir, relativePath);
    writeParquetTable(path, table, options);
    return path;
  }
}

