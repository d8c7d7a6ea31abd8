/** Epoch values below this are seconds, below MS_LIMIT milliseconds, below US_LIMIT microseconds, else nanoseconds. */
const SECONDS_LIMIT = 1e11;
const MS_LIMIT = 1e14;
const US_LIMIT = 1e17;

/**
 * Converts an epoch number of unknown unit to milliseconds, guessing the unit from its magnitude
 * (any date between 1973 and 5138 is unambiguous): < 1e11 seconds, < 1e14 ms, < 1e17 µs, else ns.
 */
export function epochToMs(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude < SECONDS_LIMIT) return value * 1000;
  if (magnitude < MS_LIMIT) return value;
  if (magnitude < US_LIMIT) return value / 1000;
  return value / 1e6;
}

const NUMERIC = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
/** ISO-8601 date or date-time, with optional fraction and offset; a space may separate date and time. */
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses a timestamp cell to epoch milliseconds: ISO-8601 (date only = UTC midnight; date-time
 * without offset = UTC; offsets honoured) or an epoch number in s/ms/µs/ns. NaN when unparseable.
 */
export function parseTimestampMs(text: string): number {
  const cell = text.trim();
  if (cell === '') return NaN;
  if (NUMERIC.test(cell)) return epochToMs(Number(cell));
  if (!ISO.test(cell)) return NaN;
  let iso = cell.replace(' ', 'T');
  if (iso.length === 10) iso += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  iso = iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(iso);
}
