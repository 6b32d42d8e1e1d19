import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AxeResults, ImpactValue, RunOptions } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { takeServerErrors } from './api';
import type { Stack } from './stack';

/**
 * The pages in a real browser: Debian's chromium driven by playwright-core (Playwright cannot
 * download its own here; `.ci/run` installs chromium with apt). One browser per test file; each
 * context's pages report what they must not do — a Content Security Policy violation, a script
 * error, a request to anywhere but the gateway — and the test's afterEach expects none.
 */

/** Debian's chromium without its wrapper script (which prints a stray line); CHROMIUM_PATH for another place. */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium');

/** The policy the pages are written for: no inline script or style, nothing from elsewhere. */
export const STRICT_CSP = "default-src 'self'; img-src 'self' data:";

/** Where the pages keep the access token (sessionStorage). */
export const TOKEN_KEY = 'pbx2fa.accessToken';

export interface ContextOptions {
  width?: number;
  height?: number;
  acceptDownloads?: boolean;
  /**
   * Documents under this address get STRICT_CSP whatever the gateway sends (the pages must work
   * under it); false keeps the gateway's own policy. Default: the gateway's address.
   */
  strictCspFor?: string | false;
}

export interface TestBrowser {
  browser: Browser;
  /** A context of its own (cookies, sessionStorage) whose pages are watched. */
  newContext(options?: ContextOptions): Promise<BrowserContext>;
  /** What the pages did that they must not since the last call; the list is emptied. */
  takeProblems(): string[];
  close(): Promise<void>;
}

/**
 * Starts chromium for pages served at `gatewayUrl`. `allowedOrigins`: origins besides the
 * gateway's the pages may load from (another name of the gateway); `args`: extra chromium flags.
 */
export async function openBrowser(
  gatewayUrl: string,
  options: { allowedOrigins?: string[]; args?: string[] } = {},
): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.`,
    );
  }
  // Playwright starts chromium with a fresh, temporary user-data-dir and deletes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      ...(options.args ?? []),
    ],
  });
  const allowed = new Set([new URL(gatewayUrl).origin, ...(options.allowedOrigins ?? [])]);
  const problems: string[] = [];

  const watch = (page: Page): void => {
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol === 'data:' || url.protocol === 'blob:') return;
      if (!allowed.has(url.origin)) problems.push(`request outside the gateway: ${request.url()}`);
    });
  };

  return {
    browser,
    async newContext({ width = 1280, height = 900, acceptDownloads, strictCspFor = gatewayUrl } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, acceptDownloads });
      if (strictCspFor) {
        // (A page fulfilled here loses its loopback address, which chromium then refuses scripts
        // for on another host name: only the gateway's own address gets it.)
        await context.route(`${strictCspFor}/**`, async (route) => {
          if (route.request().resourceType() !== 'document') return route.continue();
          const response = await route.fetch();
          await route.fulfill({
            response,
            headers: { ...response.headers(), 'content-security-policy': STRICT_CSP },
          });
        });
      }
      context.on('page', watch);
      return context;
    },
    takeProblems: () => problems.splice(0),
    close: () => browser.close(),
  };
}

/**
 * The hooks every browser file ends with: after each test, no server error and nothing the pages
 * must not do; after all, the browser and the stack closed. `parts()` reads what beforeAll started.
 */
export function checkAndCloseAfterTests(parts: () => { browser?: TestBrowser; stack?: Stack }): void {
  afterEach(() => {
    expect(takeServerErrors()).toEqual([]);
    expect(parts().browser?.takeProblems() ?? []).toEqual([]);
  });
  afterAll(async () => {
    await parts().browser?.close();
    await parts().stack?.stop();
  });
}

/**
 * `shot(page, name)` saves a numbered screenshot into test-artifacts/<folder>; `clean` empties the
 * folder first (a folder another test file writes into must not be cleaned).
 */
export function screenshots(
  folder: string,
  options: { clean?: boolean; fullPage?: boolean } = {},
): (page: Page, name: string) => Promise<void> {
  const directory = join(resolve(__dirname, '..', '..'), 'test-artifacts', folder);
  if (options.clean) rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  let shots = 0;
  return async (page, name) => {
    await page.screenshot({
      path: join(directory, `${String(++shots).padStart(2, '0')}-${name}.png`),
      fullPage: options.fullPage ?? false,
    });
  };
}

/** A tab already signed in (the sign-in has its own tests): sessionStorage holds the token, as after one. */
export async function pageSignedInAs(
  context: BrowserContext,
  gatewayUrl: string,
  token: string,
  path: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${gatewayUrl}/assets/app.css`);
  await page.evaluate(`sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(token)})`);
  await page.goto(`${gatewayUrl}${path}`);
  return page;
}

/** Username, Password, Log in — as a person would. */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

// Browser-side checks are strings or DOM callbacks: the tests compile without the DOM library.
export const isFocused = (locator: Locator): Promise<boolean> =>
  locator.evaluate((node) => node === node.ownerDocument.activeElement);

/**
 * What a screen reader reads as the element's description: the text of the elements its
 * aria-describedby names, in order.
 */
export const describedBy = (locator: Locator): Promise<string> =>
  locator.evaluate((node) =>
    (node.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id: string) => node.ownerDocument.getElementById(id)?.textContent?.trim() ?? '')
      .filter(Boolean)
      .join(' '),
  );

/**
 * Whether a screen reader reads out changes of the element as they happen: it is, or is inside, a
 * status, alert or aria-live region.
 */
export const inLiveRegion = (locator: Locator): Promise<boolean> =>
  locator.evaluate(
    (node) =>
      node.closest('[role="status"], [role="alert"], [role="log"], [aria-live]:not([aria-live="off"])') !== null,
  );

/** The focused element's text, as a screen reader's "where am I" would start. */
export const focusedText = (page: Page): Promise<string> =>
  page.evaluate<string>('document.activeElement?.textContent?.trim() ?? ""');

/**
 * Presses Tab (Shift+Tab with `backwards`) until `target` has the focus, as someone with only a
 * keyboard gets there; fails when `limit` presses do not reach it. Answers how many it took.
 */
export async function tabTo(
  page: Page,
  target: Locator,
  { backwards = false, limit = 40 }: { backwards?: boolean; limit?: number } = {},
): Promise<number> {
  await target.waitFor();
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    if (await isFocused(target)) return presses;
  }
  throw new Error(`${limit} presses of ${backwards ? 'Shift+Tab' : 'Tab'} did not reach ${target.toString()}`);
}

export const profileLink = (page: Page): Locator =>
  page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Profile' });

export const security = (page: Page): Locator => page.getByRole('region', { name: 'Change Account Security' });

/** The ten recovery codes on screen, once they are shown. */
export async function recoveryCodesShown(page: Page): Promise<string[]> {
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  return (await page.locator('ol.codes:visible li').allTextContents()).map((code) => code.trim());
}

/** "I have saved these codes", then Done: what anyone leaving the recovery codes does. */
export async function codesSaved(page: Page): Promise<void> {
  await page.getByRole('checkbox', { name: 'I have saved these codes' }).check();
  await page.getByRole('button', { name: 'Done' }).click();
}

/** axe-core's engine, put into a page by `expectAccessible` (evaluated by the browser's debugger, so the page's policy allows it). */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** What fails a page: what axe-core rates as keeping someone from using it. */
const BLOCKING_IMPACTS: readonly ImpactValue[] = ['serious', 'critical'];

/** Every rule axe-core runs by default: WCAG 2.0–2.2 A and AA, and its best practices. */
const AXE_OPTIONS: RunOptions = { resultTypes: ['violations'] };

/** One line per failing rule: its id, impact and help, then each element it found and why. */
function describeViolations(results: AxeResults): string[] {
  return results.violations
    .filter((violation) => BLOCKING_IMPACTS.includes(violation.impact ?? null))
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}\n` +
        violation.nodes
          .map((node) => `    ${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ')}`)
          .join('\n'),
    );
}

/**
 * axe-core over the page as it is now (what is on screen, in this state): no serious or critical
 * violation. `state` names the state in the failure, which lists each rule and element.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate<AxeResults>(`axe.run(document, ${JSON.stringify(AXE_OPTIONS)})`);
  expect({ state, violations: describeViolations(results) }).toEqual({ state, violations: [] });
}
