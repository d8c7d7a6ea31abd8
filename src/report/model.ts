// The report's page model: sections of plotly figures, fact lists, static tables and sortable
// tables (the strategy table, the mined patterns), all plain JSON-serializable data. Builders fill
// it from the analysis outputs; template.ts renders it.

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
  /** A sortable, filterable table drawn after the figures (same page code as the strategy table). */
  sortableTable?: SectionSortableTable;
  /** Shown instead of the content when the section's output is missing, e.g. "not computed yet: run `sweeplens regimes <run>`". */
  placeholder?: string;
}

/**
 * Kind of a sortable-table column: how the page formats and filters it. `percent` and `bps` hold
 * fractions, shown (and range-filtered) in % and in basis points.
 */
export type TableColumnKind = 'text' | 'integer' | 'ratio' | 'percent' | 'bps';

/** A column of a sortable table. Keys are unique across the page's tables (headers carry them as `data-key`). */
export interface TableColumn {
  key: string;
  label: string;
  kind: TableColumnKind;
}

/**
 * A sortable, filterable table (rows are arrays in column order). A header click sorts by that
 * column, descending first for numbers, ascending for text and for the initial ascending sort
 * column (a rank).
 */
export interface SortableTable {
  columns: TableColumn[];
  rows: (string | number | null)[][];
  /** Column the table is first sorted by, and its direction. */
  sortKey: string;
  sortDescending: boolean;
}

/** The table of every strategy (ids `strategy-table`, controls `table-*`). */
export type StrategyTable = SortableTable;

/** A sortable table inside a section (e.g. the mined patterns). */
export interface SectionSortableTable extends SortableTable {
  /** DOM id of the table; its controls are `${id}-filter`, `${id}-group`, `${id}-range-column`, ... */
  id: string;
  caption: string;
  /** Text column whose distinct values fill the drop-down filter, and that drop-down's "all" label (e.g. 'all families'). */
  groupKey: string;
  groupAllLabel: string;
  /** What a row is, singular and plural, for the status line ("showing 1–50 of 60 (60 patterns)"). */
  rowNoun: [string, string];
  /** Placeholder of the text filter, e.g. 'filter family, pattern, regime'. */
  filterPlaceholder: string;
}

/** Everything the page shows. */
export interface ReportModel {
  title: string;
  /** ISO-8601 time the report was built. */
  generatedAt: string;
  sections: ReportSection[];
  table: StrategyTable;
}
