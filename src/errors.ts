/** Where in the input a problem was found; every field optional. */
export interface ErrorContext {
  /** File the problem is in. */
  file?: string;
  /** Column name. */
  column?: string;
  /** Zero-based data row (header excluded) or bar index. */
  row?: number;
  /** Any other detail worth printing. */
  [key: string]: unknown;
}

/** Base class of every error sweeplens throws on purpose; the CLI prints `message` on one line. */
export class SweeplensError extends Error {
  readonly code: string;
  readonly context: ErrorContext;
  constructor(code: string, message: string, context: ErrorContext = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}

/** Bad user input: options, flags, values out of range. */
export class InputError extends SweeplensError {
  constructor(message: string, context: ErrorContext = {}) {
    super('E_INPUT', message, context);
  }
}

/** A file's content does not have the expected shape (missing column, wrong type, unsorted index...). */
export class SchemaError extends SweeplensError {
  constructor(message: string, context: ErrorContext = {}) {
    super('E_SCHEMA', message, context);
  }
}

/** The workspace layout is missing or damaged. */
export class WorkspaceError extends SweeplensError {
  constructor(message: string, context: ErrorContext = {}) {
    super('E_WORKSPACE', message, context);
  }
}

/** A WASM kernel failed to load or reported a bad status. */
export class KernelError extends SweeplensError {
  constructor(message: string, context: ErrorContext = {}) {
    super('E_KERNEL', message, context);
  }
}

/** A worker of the pool failed. */
export class WorkerError extends SweeplensError {
  constructor(message: string, context: ErrorContext = {}) {
    super('E_WORKER', message, context);
  }
}

/** Formats "file, column c, row r: " from a context, for messages that start with the place. */
export function describePlace(context: ErrorContext): string {
  const parts: string[] = [];
  if (context.file !== undefined) parts.push(context.file);
  if (context.column !== undefined) parts.push(`column '${context.column}'`);
  if (context.row !== undefined) parts.push(`row ${context.row}`);
  return parts.join(', ');
}
