/**
 * Debian's Chromium driven by playwright-core, for the browser tests: one launch helper that skips the
 * test with the reason when no browser can be had.
 */
import { existsSync } from 'node:fs';
import { after, type TestContext } from 'node:test';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.TENSILE_CHROMIUM ?? '/usr/bin/chromium';

/** A headless Chromium closed after the test file, or undefined (the test skipped) when none is installed. */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no browser: ${CHROMIUM} is missing (apt-get install chromium, or set TENSILE_CHROMIUM)`);
    return undefined;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  after(() => browser.close());
  return browser;
}
