// The report's page model: sections of plotly figures, fact lists and a strategy table, all plain
// JSON-serializable data. Builders fill it from the analysis outputs; template.ts renders it.

/** One plotly trace (passed to Plotly.newPlot as is). */
export type PlotTrace = Record<string, unknown>;

/** One chart: plotly traces and layout, rendered into its own container. */
export interface ReportFigure {
  /** DOM id of the chart container (unique in the page). */
  id: string;
  title: string;
  data: PlotTrace[];
  layout: Record<string, unknown>;
  /** One sentence under the chart saying what is drawn and from which output. */
  note?: string;
  /** Chart height, CSS pixels; default 420. */
  heightPx?: number;
  /** Spans the full width of the section (long time axes, big matrices); default false. */
  wide?: boolean;
}

/** A name/value line of a fact list (run header, summary figures). */
export interface ReportFact {
  label: string;
  value: string;
}

/** A small static table (e.g. a replay summary); cells are preformatted text. */
export interface ReportStaticTable {
  caption: string;
  columns: string[];
  rows: string[][];
}

/** One section of the page. */
export interface ReportSection {
  /** Anchor id. */
  id: string;
  title: string;
  /** One paragraph under the title. */
  intro?: string;
  facts?: ReportFact[];
  figures: ReportFigure[];
  tables?: ReportStaticTable[];
  /** Shown instead of the content when the section's output is missing, e.g. "not computed yet: run `sweeplens regimes <run>`". */
  placeholder?: string;
}

/** Kind of a strategy-table column: how the page formats and filters it. */
export type TableColumnKind = 'text' | 'integer' | 'ratio' | 'percent';

/** A column of the strategy table. */
export interface TableColumn {
  key: string;
  label: string;
  kind: TableColumnKind;
}

/** The sortable, filterable table of every strategy (rows are arrays in column order). */
export interface StrategyTable {
  columns: TableColumn[];
  rows: (string | number | null)[][];
  /** Column the table is first sorted by, and its direction. */
  sortKey: string;
  sortDescending: boolean;
}

/** Everything the page shows. */
export interface ReportModel {
  title: string;
  /** ISO-8601 time the report was built. */
  generatedAt: string;
  sections: ReportSection[];
  table: StrategyTable;
}
