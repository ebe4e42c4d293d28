import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (tools/provision/chromium.sh): Playwright's own browser download is unreachable here. */
export const CHROMIUM = '/usr/bin/chromium';

const projectRoot = new URL('../../../', import.meta.url).pathname;
const TEST_OUTPUT = join(projectRoot, 'test-output');

/**
 * Headless Chromium, quiet and offline: nothing but the page under test talks to the network.
 * Playwright gives every launch a fresh temporary profile and removes it on close. Without a
 * browser the suite fails, never skips: `npm test` provisions one (tools/provision/test-tools.sh).
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (tools/provision/chromium.sh, as root)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves the whole page as test-output/<name>.png and returns the file's path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(TEST_OUTPUT, { recursive: true });
  const path = join(TEST_OUTPUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
