// Memory layouts of the sparse kernel (assembly/sparse.ts): the market index header, the output
// block, status codes, the resumable per-strategy state and the cost parameters of the current call.

/** u32 slots of the market index header (mirrored in src/kernels/sparse.ts). */
export const HDR_N: i32 = 0;
export const HDR_REC: i32 = 1;
export const HDR_CLOSE: i32 = 2;
export const HDR_VOLUME: i32 = 3;
export const HDR_SIGMA: i32 = 4;
export const HDR_RET: i32 = 5;
export const HDR_NB: i32 = 6;
export const HDR_LP_LONG: i32 = 7;
export const HDR_LP_SHORT: i32 = 8;
export const HDR_BLOCKS: i32 = 9;
export const HDR_SLOTS: i32 = 16;

/** f64 slots of the output block (moments blocks use assembly/moments.ts layout). */
export const OUT_NET: i32 = 0;            // 8 slots
export const OUT_GROSS: i32 = 8;          // 8 slots
export const OUT_MAX_DRAWDOWN: i32 = 16;
export const OUT_TOTAL_COSTS: i32 = 17;
export const OUT_EXPOSURE_BARS: i32 = 18;
export const OUT_DURATION_SUM: i32 = 19;
export const OUT_TRADE_COUNT: i32 = 20;
export const OUT_DETAIL: i32 = 21;        // row or bar of a non-OK status
export const OUT_SINK: i32 = 22;          // not a result (keeps the look-ahead loads alive)
export const OUT_STATUS: i32 = 23;
// win / loss statistics of the trades' net returns, summed in trade order as tradeStats.ts winLossStats
export const OUT_WINS: i32 = 24;
export const OUT_LOSSES: i32 = 25;
export const OUT_SUM_WINS: i32 = 26;
export const OUT_SUM_LOSSES: i32 = 27;
export const OUT_LARGEST_WIN: i32 = 28;
export const OUT_LARGEST_LOSS: i32 = 29;
// diagnostics: drawdown scans made (immediate or of deferred candidates) and positions they read
export const OUT_SCANS: i32 = 30;
export const OUT_SCANNED: i32 = 31;
export const OUT_SLOTS: i32 = 32;

/** Status codes of sparseMetrics. */
export const SPARSE_OK: i32 = 0;
export const SPARSE_BAD_ROW: i32 = 1;       // unsorted / duplicated / out-of-range idx (detail = row)
export const SPARSE_NOT_UNIT: i32 = 2;      // a position outside {-1, 0, 1} (detail = row)
export const SPARSE_UNPRICED: i32 = 3;      // sqrt model: close or volume <= 0 at a change (detail = bar)
export const SPARSE_RUIN: i32 = 4;          // a net bar return or a trade cost leg <= -100 % (detail = bar)
export const SPARSE_CONSTANT: i32 = 5;      // rf != 0 and a zero-variance series (see sparseMetrics)
// ---- resumable per-strategy state (one 256-byte block per strategy, in caller scratch) ----
// The change loop runs over a bar window [.., tileEnd) and can be resumed: the batch kernel walks
// the bar axis window by window and runs every strategy of the batch over each window, so a
// window of the index is read from memory once per batch instead of once per strategy.
export const STATE_BYTES: i32 = 256;
/**
 * Per-strategy scratch: a trade log of TRADE_LOG_ENTRIES closed trades (log growth, product of the two
 * cost legs: 16 bytes each), whose net returns and win / loss statistics are formed in a second
 * short loop (assembly/sparseStep.ts flushTradeLog) rather than in the change loop, then the
 * deferred drawdown candidates (32 bytes each). Callers pass at least SCRATCH_HEAD_BYTES.
 */
export const TRADE_LOG_ENTRIES: i32 = 256;
export const SCRATCH_HEAD_BYTES: i32 = TRADE_LOG_ENTRIES << 4;
/** Prefetch modes of sparseMetricsBatch (mirrored in src/kernels/sparse.ts). */
export const PREFETCH_NONE: i32 = 0;
export const PREFETCH_LOOK_AHEAD: i32 = 1;
export const PREFETCH_WINDOW: i32 = 2;
export const ST_Y1: i32 = 0;
export const ST_Y1C: i32 = 8;
export const ST_Y2: i32 = 16;
export const ST_DG: i32 = 24;
export const ST_LG: i32 = 32;
export const ST_LGC: i32 = 40;
export const ST_C1: i32 = 48;
export const ST_Q2: i32 = 56;
export const ST_DN: i32 = 64;
export const ST_ADJ: i32 = 72;
export const ST_PEAK: i32 = 80;
export const ST_WORST: i32 = 88;
export const ST_ENTRY: i32 = 96;
export const ST_POS: i32 = 104;
export const ST_SUM_WINS: i32 = 112;
export const ST_SUM_LOSSES: i32 = 120;
export const ST_LARGEST_WIN: i32 = 128;
export const ST_LARGEST_LOSS: i32 = 136;
export const ST_SINK: i32 = 144;
export const ST_POS_G: i32 = 160;
export const ST_NEG_G: i32 = 164;
export const ST_POS_ADJ: i32 = 168;
export const ST_NEG_ADJ: i32 = 172;
export const ST_TRADES: i32 = 176;
export const ST_TRADE_START: i32 = 180;
export const ST_DURATION: i32 = 184;
export const ST_SEG_START: i32 = 188;
export const ST_PREV_IDX: i32 = 192;
export const ST_ROW: i32 = 196;
export const ST_CAND: i32 = 200;
export const ST_WINS: i32 = 204;
export const ST_LOSSES: i32 = 208;
export const ST_STATUS: i32 = 212;
export const ST_SCANS: i32 = 216;
export const ST_SCANNED: i32 = 220;
export const ST_LOOK: i32 = 224;
export const ST_DETAIL: i32 = 228;

export function initState(st: usize): void {
  memory.fill(st, 0, <usize>STATE_BYTES);
  store<f64>(st, 1.0, ST_ENTRY);
  store<f64>(st, -Infinity, ST_LARGEST_WIN);
  store<f64>(st, Infinity, ST_LARGEST_LOSS);
  store<i32>(st, -1, ST_PREV_IDX);
}

// cost parameters of the current call (set once per kernel call)
export let gModel: i32 = 0;
export let gCommission: f64 = 0;
export let gSlippage: f64 = 0;
export let gImpact: f64 = 0;
export let gCapital: f64 = 0;
export let gRf: f64 = 0;
