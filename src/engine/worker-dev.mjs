// Worker entry used when sweeplens runs from its TypeScript sources (vitest, tsx): worker threads
// do not inherit tsx's loader from execArgv on Node 20, so load worker.ts through tsx's API.
// The compiled package (dist/) uses worker.js directly and never loads this file.
import { tsImport } from 'tsx/esm/api';

const worker = await tsImport('./worker.ts', import.meta.url);
export const runTask = worker.runTask;
