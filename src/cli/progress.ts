import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../coordinator/events.ts';

/** Something that shows progress events and is stopped at the end. */
export interface ProgressView {
  update(event: ProgressEvent): void;
  stop(): void;
}

/**
 * A progress bar with ETA on a terminal (stderr is a TTY), plain lines otherwise (at most one per
 * `lineIntervalMs` and one at the end of each phase), nothing with `quiet`.
 */
export function createProgressView(options: { quiet?: boolean; stream?: NodeJS.WriteStream; lineIntervalMs?: number } = {}): ProgressView {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update() {}, stop() {} };
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    let phase = '';
    return {
      update(event) {
        if (event.phase !== phase) {
          bar?.stop();
          phase = event.phase;
          bar = new cliProgress.SingleBar({
            stream,
            format: `${phase.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {duration_formatted}`,
            hideCursor: true,
            etaBuffer: 50,
          }, cliProgress.Presets.shades_classic);
          bar.start(event.total, event.done);
        }
        bar?.setTotal(event.total);
        bar?.update(event.done);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  const interval = options.lineIntervalMs ?? 2000;
  let lastLine = 0;
  let lastPhase = '';
  return {
    update(event) {
      const now = Date.now();
      const finished = event.done >= event.total;
      if (event.phase === lastPhase && !finished && now - lastLine < interval) return;
      lastLine = now;
      lastPhase = event.phase;
      const rate = event.elapsedMs > 0 ? event.done / (event.elapsedMs / 1000) : 0;
      const etaSeconds = rate > 0 ? (event.total - event.done) / rate : NaN;
      const eta = Number.isFinite(etaSeconds) && !finished ? `, ETA ${etaSeconds.toFixed(0)} s` : '';
      stream.write(`${event.phase}: ${event.done}/${event.total} (${(event.elapsedMs / 1000).toFixed(1)} s${eta})\n`);
    },
    stop() {},
  };
}

/** Runs `work` with a progress view (createProgressView) for its progress events, stopped however `work` ends. */
export async function withProgressView<T>(quiet: boolean, work: (onProgress: (event: ProgressEvent) => void) => Promise<T>): Promise<T> {
  const view = createProgressView({ quiet });
  try {
    return await work((event) => view.update(event));
  } finally {
    view.stop();
  }
}
