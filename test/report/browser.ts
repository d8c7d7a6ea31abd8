// Headless Debian chromium driven by playwright-core (which never downloads a browser here).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The system chromium `.ci/install-browser` installs. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a closed network: headless, no sandbox (containers), no GPU, and every background
 * connection (component updates, sync, QUIC probes, first-run fetches) off.
 */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
  '--disable-component-update', '--disable-sync',
];

/** Why the browser tests cannot run here, or undefined when they can. Under CI a missing chromium is an error, not a skip. */
export function browserUnavailableReason(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is missing (run .ci/install-browser)`;
}

/** A fresh headless chromium with its own temporary profile; close() removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'sweeplens-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1400, height: 1000 } });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
