import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { SchemaError } from '../errors.ts';

/** Called once with the header cells (trimmed), then once per data row (0-based, header excluded). */
export interface CsvRowHandler {
  header(cells: string[]): void;
  row(cells: string[], rowIndex: number): void;
}

/**
 * Streams a CSV file through csv-parse (RFC 4180 quoting, CRLF, BOM), calling the handler per
 * row, so a large file never sits in memory as strings. Rows with a different number of fields
 * than the header are rejected with a SchemaError naming the file and row.
 */
export async function streamCsv(path: string, handler: CsvRowHandler): Promise<number> {
  const source = createReadStream(path);
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  // .pipe() does not forward the source's errors: a missing file would be an unhandled 'error'
  // event (a crash, or a hang in-process). Hand them to the parser so the loop below rejects.
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let width = -1;
  let header: string[] = [];
  let rowIndex = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (width < 0) {
        width = record.length;
        header = record;
        handler.header(record);
        continue;
      }
      if (record.length !== width) {
        const missing = record.length < width ? ` (no value for column '${header[record.length]}')` : '';
        const column = record.length < width ? { column: header[record.length]! } : {};
        throw new SchemaError(`${path}: row ${rowIndex + 1} has ${record.length} fields, the header has ${width}${missing}`, { file: path, row: rowIndex, ...column });
      }
      handler.row(record, rowIndex);
      rowIndex++;
    }
  } catch (error) {
    if (error instanceof SchemaError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new SchemaError(`${path}: no such file`, { file: path });
    throw new SchemaError(`${path}: cannot parse CSV: ${e.message}`, { file: path });
  }
  if (width < 0) throw new SchemaError(`${path}: empty CSV (no header)`, { file: path });
  return rowIndex;
}

/** A Float64Array that grows by doubling; `view()` returns the filled part. */
export class GrowableF64 {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
