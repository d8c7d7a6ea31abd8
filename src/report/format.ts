// Text formatting shared by the report builders (Node side; the page formats its table itself).
import type { JsonValue, TraceParameters } from '../io/traceMetadata.ts';

/** `{fast: 5, slow: 20}` as `fast=5 slow=20` (nested values as JSON). */
export function parametersText(parameters: TraceParameters): string {
  return Object.entries(parameters).map(([key, value]) => `${key}=${scalarText(value)}`).join(' ');
}

function scalarText(value: JsonValue): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null ? String(value) : JSON.stringify(value);
}

/** A fraction as a percent with `digits` decimals; '–' for null. */
export function percentText(value: number | null | undefined, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(digits)} %` : '–';
}

/** A number with `digits` decimals; '–' for null. */
export function numberText(value: number | null | undefined, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** An integer with thousands separators. */
export function countText(value: number): string {
  return value.toLocaleString('en-US');
}

/** A finite number or null (JSON has no NaN). */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Shortens `text` to `max` characters with an ellipsis (for axis labels). */
export function shorten(text: string, max = 28): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Escapes text for plotly's label markup (hover text, tick labels, annotations): plotly renders a
 * subset of HTML (`<b>`, `<br>`, `<a href>`, ...) and decodes `&lt;`, `&gt;` and `&amp;`, so
 * escaping those three shows any string literally.
 */
export function plotlyText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
