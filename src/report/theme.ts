// Shared plotly layout defaults and colors of the report.

/** Qualitative palette (plotly's default D3 colors). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

/** One palette color per family, in order of first appearance in `families` (cycling the palette). */
export function familyColors(families: Iterable<string>): Map<string, string> {
  const colors = new Map<string, string>();
  for (const family of families) if (!colors.has(family)) colors.set(family, PALETTE[colors.size % PALETTE.length]!);
  return colors;
}

/** The i-th palette color. */
export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** A plotly layout with the report's defaults (margins, fonts from the system, legend on top), merged with `overrides`. */
export function baseLayout(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    margin: { l: 60, r: 20, t: 30, b: 60 },
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif', size: 12 },
    legend: { orientation: 'h', y: 1.12, x: 0 },
    hovermode: 'closest',
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#fafafa',
    ...overrides,
  };
}

/** Red (low) – white – blue (high): for signed performance figures such as Sharpe ratios (set zmid 0). */
export const SCALE_RED_BLUE: [number, string][] = [[0, '#b2182b'], [0.25, '#ef8a62'], [0.5, '#f7f7f7'], [0.75, '#67a9cf'], [1, '#2166ac']];

/** Blue (−1) – white – red (+1): for correlations (red = moving together). */
export const SCALE_CORRELATION: [number, string][] = [[0, '#2166ac'], [0.25, '#67a9cf'], [0.5, '#f7f7f7'], [0.75, '#ef8a62'], [1, '#b2182b']];

/** White (0) to dark blue (1): for probabilities. */
export const SCALE_PROBABILITY: [number, string][] = [[0, '#f7fbff'], [0.5, '#6baed6'], [1, '#08306b']];

/** Red (worse) – yellow – green (better): for metric grids where higher is better. */
export const SCALE_RED_GREEN: [number, string][] = [[0, '#d73027'], [0.25, '#fc8d59'], [0.5, '#ffffbf'], [0.75, '#91cf60'], [1, '#1a9850']];
