// Where the shared, read-only fixtures are: $SWEEPLENS_FIXTURES, or ../shared/fixtures beside the
// repository (they are read in place and never copied into the repo).
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root folder of the shared fixtures (admf-pc/, stock_prices/, ...). */
export const FIXTURES_ROOT = process.env.SWEEPLENS_FIXTURES
  ? resolve(process.env.SWEEPLENS_FIXTURES)
  : resolve(fileURLToPath(new URL('../../../shared/fixtures', import.meta.url)));

/** One fixture folder by name, e.g. fixtureFolder('stock_prices'). */
export function fixtureFolder(name: string): string {
  return join(FIXTURES_ROOT, name);
}
