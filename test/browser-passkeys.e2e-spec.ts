import type { BrowserContext, CDPSession, Locator, Page } from 'playwright-core';
import { connect, type Gateway, type SignedInUser } from './support/api';
import {
  checkAndCloseAfterTests,
  codesSaved,
  expectAccessible,
  logIn,
  openBrowser,
  profileLink,
  screenshots,
  security,
  type TestBrowser,
} from './support/browser';
import { startStack, type Stack } from './support/stack';
import { switchResellerTwoFactor } from './support/two-factor';

/**
 * Passkeys in a real browser: Debian's chromium (driven by playwright-core) with the DevTools
 * Protocol's virtual authenticator, on http://localhost:PORT (WebAuthn refuses IP addresses), under
 * the page's real Content Security Policy. A user adds a passkey on Profile, signs in with it as the
 * second step and then without a password; a second browser with an authenticator of its own
 * cannot use the first one's passkey; the passkey is removed again. An agent sets up a passkey as
 * its first factor at the desk.
 */

interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  credentials(): Promise<{ credentialId: string; rpId?: string; isResidentCredential: boolean; signCount: number }[]>;
}

describe('passkeys in a real browser', () => {
  let stack: Stack;
  let gw: Gateway;
  let browser: TestBrowser;
  /** The gateway by name: the origin WEBAUTHN_ORIGINS accepts by default (http://localhost:$PORT). */
  let base: string;
  let user: SignedInUser;
  let page: Page;
  let laptop: VirtualAuthenticator;
  /** Beside browser.e2e-spec.ts's screenshots, in a folder of their own. */
  const shot = screenshots('screenshots/passkeys', { fullPage: true });

  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
    base = `http://localhost:${new URL(stack.authUrl).port}`;
    const opener = await gw.factory.signedInUser();
    await switchResellerTwoFactor(gw, opener, true);
    user = await gw.factory.signedInUser({ resellerId: opener.resellerId });
    browser = await openBrowser(base);
  });

  checkAndCloseAfterTests(() => ({ browser, stack }));

  /** A browser context (its own sessionStorage and its own authenticator) under the gateway's real policy. */
  const newContext = (): Promise<BrowserContext> => browser.newContext({ strictCspFor: false });

  /** A platform authenticator with user verification, as a laptop's fingerprint reader is (NOTES.md's recipe). */
  async function addAuthenticator(context: BrowserContext, on: Page): Promise<VirtualAuthenticator> {
    const cdp = await context.newCDPSession(on);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    return {
      cdp,
      authenticatorId,
      credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    };
  }

  const alertIn = (scope: Page | Locator) => scope.getByRole('alert');
  const welcome = (on: Page, username: string) => on.getByRole('heading', { name: `Welcome, ${username}` });

  async function logOut(on: Page): Promise<void> {
    await on.getByRole('button', { name: 'Log out' }).click();
    await on.getByRole('button', { name: 'Log in' }).waitFor();
  }

  it('serves the pages and @simplewebauthn/browser under a strict policy with no inline script', async () => {
    const response = await fetch(base);
    const policy = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      policy.split(';').map((directive) => {
        const [name, ...sources] = directive.trim().split(/\s+/);
        return [name, sources.join(' ')];
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    // Scripts only from the gateway itself: no inline script, no eval.
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('script-src-attr')).toBe("'none'");
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const module = await fetch(`${base}/assets/simplewebauthn/index.js`);
    expect(module.status).toBe(200);
    expect(module.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/assets/simplewebauthn/../package.json`)).status).toBe(404);
  });

  it('adds a passkey on Profile with a name and the current password, and shows the recovery codes once', async () => {
    const context = await newContext();
    page = await context.newPage();
    laptop = await addAuthenticator(context, page);
    await page.goto(base);
    await logIn(page, user.username, user.password);
    await welcome(page, user.username).waitFor();
    await profileLink(page).click();

    const panel = security(page);
    await panel.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await panel.getByText('You have no passkeys yet.').waitFor();
    await expectAccessible(page, 'dashboard: Profile without passkeys');
    const form = page.getByRole('form', { name: 'Add a Passkey' });
    await form.getByLabel('Passkey name').fill('Work laptop');
    await form.getByLabel('Current Password').fill('not-the-password');
    await form.getByRole('button', { name: 'Add a Passkey' }).click();
    await alertIn(form).filter({ hasText: 'current password is not correct' }).waitFor();
    expect(await panel.getByRole('listitem').count()).toBe(0);
    await expectAccessible(page, 'dashboard: Add a Passkey, wrong password');

    await form.getByLabel('Current Password').fill(user.password);
    await form.getByRole('button', { name: 'Add a Passkey' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await page.locator('#codes-list li').count()).toBe(10);
    await expectAccessible(page, 'dashboard: recovery codes after the first passkey');
    await shot(page, 'passkey-recovery-codes');
    await codesSaved(page);

    const item = panel.getByRole('listitem').filter({ hasText: 'Work laptop' });
    await item.waitFor();
    expect(await item.getByRole('button', { name: 'Remove' }).isVisible()).toBe(true);
    await panel.getByText('Two-factor authentication is on: a passkey is set up for your account.').waitFor();
    // Google Authenticator stays on offer beside it.
    expect(await page.getByRole('button', { name: 'Set Up Google Authenticator' }).isVisible()).toBe(true);
    await expectAccessible(page, 'dashboard: Profile with a passkey');
    await shot(page, 'profile-passkeys');

    const credentials = await laptop.credentials();
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
  });

  it('asks for the passkey after the password, offering the user’s methods, and signs in with it', async () => {
    await logOut(page);
    await logIn(page, user.username, user.password);
    const verifyForm = page.locator('#verify-form');
    await verifyForm.getByText('Your account is protected with a passkey').waitFor();
    expect(await page.getByRole('textbox', { name: 'Passcode', exact: true }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Use a recovery code instead' }).isVisible()).toBe(true);
    await expectAccessible(page, 'dashboard: second step, a passkey');
    await shot(page, 'second-step-methods');
    const signCount = (await laptop.credentials())[0].signCount;
    await page.getByRole('button', { name: 'Use a Passkey' }).click();
    await welcome(page, user.username).waitFor();
    expect((await laptop.credentials())[0].signCount).toBeGreaterThan(signCount);
  });

  it('signs in without a password with Use a Passkey', async () => {
    await logOut(page);
    await page.getByRole('button', { name: 'Use a Passkey' }).click();
    await welcome(page, user.username).waitFor();
    const audit = await gw.agent.get('/audit', { query: { username: user.username, limit: 50 } });
    expect(audit.body.items.map((item: { event: string }) => item.event)).toContain('login.passkey');
  });

  it('does not let a second browser, with an authenticator of its own, use the first one’s passkey', async () => {
    const context = await newContext();
    const other = await context.newPage();
    const phone = await addAuthenticator(context, other);
    await other.goto(base);
    await other.getByRole('button', { name: 'Use a Passkey' }).click();
    await alertIn(other)
      .filter({ hasText: /passkey/i })
      .waitFor({ timeout: 60_000 });
    expect(await welcome(other, user.username).isVisible()).toBe(false);

    await logIn(other, user.username, user.password);
    await other.locator('#verify-form').getByText('Your account is protected with a passkey').waitFor();
    await other.getByRole('button', { name: 'Use a Passkey' }).click();
    await alertIn(other.locator('#verify-form'))
      .filter({ hasText: /passkey/i })
      .waitFor({ timeout: 60_000 });
    expect(await welcome(other, user.username).isVisible()).toBe(false);
    expect(await phone.credentials()).toEqual([]);
    await expectAccessible(other, "dashboard: another browser's passkey refused");
    await shot(other, 'other-browser-refused');
    await context.close();
  });

  it('removes the passkey with the current password; the next sign-in asks for none', async () => {
    await profileLink(page).click();
    const panel = security(page);
    const item = panel.getByRole('listitem').filter({ hasText: 'Work laptop' });
    await item.getByRole('button', { name: 'Remove' }).click();
    const form = page.getByRole('form', { name: /Remove the passkey/ });
    await form.waitFor();
    await expectAccessible(page, 'dashboard: Remove the passkey');
    await form.getByLabel('Current Password').fill(user.password);
    await form.getByRole('button', { name: 'Remove Passkey' }).click();
    await panel.getByText('You have no passkeys yet.').waitFor();
    await panel.getByText('Two-factor authentication is off for your account.').waitFor();
    await logOut(page);
    await logIn(page, user.username, user.password);
    await welcome(page, user.username).waitFor();
    await page.context().close();
  });

  it('lets an agent without a second factor add a passkey at its first sign-in on /desk', async () => {
    const agent = await gw.factory.user({ role: 'agent' });
    const context = await newContext();
    const desk = await context.newPage();
    const key = await addAuthenticator(context, desk);
    await desk.goto(`${base}/desk`);
    await logIn(desk, agent.username, agent.password);
    await desk.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await desk.getByRole('img', { name: 'QR code for Google Authenticator' }).waitFor();
    await expectAccessible(desk, 'desk: agent set-up under the real policy');
    const form = desk.getByRole('form', { name: 'Add a Passkey' });
    await form.getByLabel('Passkey name').fill('Security key');
    await form.getByLabel('Current Password').fill(agent.password);
    await form.getByRole('button', { name: 'Add a Passkey' }).click();
    await desk.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await codesSaved(desk);
    await desk.getByRole('heading', { name: 'Ticket queue' }).waitFor();
    expect(await key.credentials()).toHaveLength(1);
    await shot(desk, 'desk-agent-passkey');
    await context.close();
  });
});
