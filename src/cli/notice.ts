// How the commands tell the user about a step the library took on its own (e.g. analyzing a run
// first, see openAnalyzedRun): one line on stderr, prefixed like the CLI's errors.

/** Writes `sweeplens: <message>` to stderr (stdout stays the command's output, e.g. its JSON). */
export function printNotice(message: string): void {
  process.stderr.write(`sweeplens: ${message}\n`);
}
