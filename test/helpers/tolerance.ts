/** Absolute/relative tolerance for metric parity and known values (ARCHITECTURE.md: agree to 1e-9). */
export const TOLERANCE = 1e-9;

/** |a - b| <= tol * max(1, |a|, |b|), with null == null and NaN == NaN. */
export function close(a: number | null | undefined, b: number | null | undefined, tol = TOLERANCE): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b || (a == null && b == null);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Absolute floor of the strictly relative comparison: values this close to 0 are equal. 1e-15 is
 * about 10 ulps of a per-bar return of order 1, far below any quantity a metric reports.
 */
export const ABSOLUTE_FLOOR = 1e-15;

/**
 * Strictly relative comparison for small quantities (per-bar returns, sigma, means), where `close`'s
 * floor of 1 would make it an absolute test: |a - b| <= max(tol * max(|a|, |b|), floor); null == null
 * and NaN == NaN; infinities must be equal.
 */
export function closeRelative(
  a: number | null | undefined, b: number | null | undefined, tol = TOLERANCE, floor = ABSOLUTE_FLOOR,
): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a == null && b == null;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= Math.max(tol * Math.max(Math.abs(a), Math.abs(b)), floor);
}

/**
 * Compares two values field by field (numbers, typed arrays, arrays, plain records) with `compare`
 * on every number; returns a description of the first difference ("path: actual vs expected"), or
 * undefined when they agree.
 */
export function findMismatch(
  actual: unknown, expected: unknown, compare: (a: number, b: number) => boolean = (a, b) => closeRelative(a, b), path = '$',
): string | undefined {
  if (typeof expected === 'number' || expected === null) {
    if ((typeof actual === 'number' || actual === null) && (actual === expected || (actual !== null && expected !== null && compare(actual, expected)))) return undefined;
    return `${path}: ${String(actual)} vs expected ${String(expected)}`;
  }
  if (ArrayBuffer.isView(expected) || Array.isArray(expected)) {
    const expectedItems = expected as unknown as ArrayLike<unknown>;
    if (!(ArrayBuffer.isView(actual) || Array.isArray(actual))) return `${path}: not an array`;
    const actualItems = actual as unknown as ArrayLike<unknown>;
    if (actualItems.length !== expectedItems.length) return `${path}: length ${actualItems.length} vs expected ${expectedItems.length}`;
    for (let i = 0; i < expectedItems.length; i++) {
      const mismatch = findMismatch(actualItems[i], expectedItems[i], compare, `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== undefined) {
    if (typeof actual !== 'object' || actual === null) return `${path}: ${String(actual)} vs expected an object`;
    const expectedRecord = expected as Record<string, unknown>;
    const actualRecord = actual as Record<string, unknown>;
    const keys = new Set([...Object.keys(expectedRecord), ...Object.keys(actualRecord)]);
    for (const key of keys) {
      const mismatch = findMismatch(actualRecord[key], expectedRecord[key], compare, `${path}.${key}`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: ${String(actual)} vs expected ${String(expected)}`;
}

/**
 * numpy.testing.assert_almost_equal's test, the one empyrical's own suite uses (DECIMAL_PLACES = 8):
 * |desired - actual| < 1.5 * 10^-decimal; NaN == NaN, infinities must be equal.
 */
export function numpyAlmostEqual(actual: number, desired: number, decimal = 8): boolean {
  if (Number.isNaN(actual) || Number.isNaN(desired)) return Number.isNaN(actual) && Number.isNaN(desired);
  if (!Number.isFinite(actual) || !Number.isFinite(desired)) return actual === desired;
  return Math.abs(desired - actual) < 1.5 * 10 ** -decimal;
}
