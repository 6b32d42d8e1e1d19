import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (NOTES.md: Playwright cannot download its own), and
 * browser contexts whose pages report what they must not do: a Content Security Policy
 * violation, a script error, a request to anywhere but the gateway.
 */

/** Debian's chromium without its wrapper script; CHROMIUM_PATH for another place. */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A context (its own storage) whose pages push what they must not do onto `problems`; `base` is the gateway's origin. */
export async function watchedContext(browser: Browser, base: string, problems: string[]): Promise<BrowserContext> {
  const origin = new URL(base).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('page', (opened) => {
    opened.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    opened.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    opened.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin)
        problems.push(`request outside the gateway: ${request.url()}`);
    });
  });
  return context;
}
