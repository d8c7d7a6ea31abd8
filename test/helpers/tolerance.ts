/** Absolute/relative tolerance for metric parity and known values (ARCHITECTURE.md: agree to 1e-9). */
export const TOLERANCE = 1e-9;

/** |a - b| <= tol * max(1, |a|, |b|), with null == null and NaN == NaN. */
export function close(a: number | null | undefined, b: number | null | undefined, tol = TOLERANCE): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b || (a == null && b == null);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}
