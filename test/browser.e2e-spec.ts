import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { connect, type CreatedUser, type Gateway } from './support/api';
import {
  checkAndCloseAfterTests,
  codesSaved,
  expectAccessible,
  inLiveRegion,
  isFocused,
  logIn,
  openBrowser,
  profileLink,
  screenshots,
  security,
  type TestBrowser,
} from './support/browser';
import { compactJws, rs256 } from './support/jwt';
import { readQrCode } from './support/qr';
import { startStack, type Stack } from './support/stack';
import { Authenticator, awayFromStepEdge, passcodeForStep, stepAt, wrongPasscode } from './support/totp';

/**
 * The support article's story in a real browser (Debian's chromium driven by playwright-core):
 * a reseller user requests 2FA on the Profile page, an agent — set up with Google Authenticator at
 * its first sign-in on /desk, as agents must be — approves it and watches it
 * resolve, the user sets up Google Authenticator from the QR code on screen, gets a wrong
 * passcode's advice, saves, keeps the recovery codes, and logs in again with a passcode. Then the
 * rest of the pages: Reject, RingOS sign-on, new recovery codes, a recovery-code login, turning
 * 2FA off, and a phone's 375 px width. Everything is found the way people and screen readers find
 * it, by label and role; a screenshot of each step goes to test-artifacts/screenshots/.
 */

const RINGOS_HOST = 'ringos.example.net';
const ISSUER = 'https://idp.ringos.example';
const AUDIENCE = 'pbx-dashboard-browser';

describe('the dashboard and the desk in a real browser', () => {
  const idp = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let stack: Stack;
  let gw: Gateway;
  let browser: TestBrowser;
  let user: CreatedUser;
  /** An agent without a second factor yet: the desk walks it through the set-up at its first sign-in. */
  let deskAgent: CreatedUser;
  let deskAuthenticator: Authenticator;
  let resellerId: string;
  let userPage: Page;
  let deskPage: Page;
  let ticketSubject: string;
  let authenticator: Authenticator;
  let firstCodes: string[];
  let newCodes: string[];
  const shot = screenshots('screenshots', { clean: true, fullPage: true });

  beforeAll(async () => {
    stack = await startStack({
      serviceEnv: {
        auth: {
          RINGOS_HOSTS: RINGOS_HOST,
          RINGOS_SSO_PUBLIC_KEY: idp.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          RINGOS_SSO_ISSUER: ISSUER,
          RINGOS_SSO_AUDIENCE: AUDIENCE,
        },
      },
    });
    gw = await connect(stack);
    resellerId = (await gw.factory.reseller({ name: 'Acme Telecom' })).id;
    user = await gw.factory.user({ resellerId, username: `alice-${resellerId.slice(-8)}` });
    deskAgent = await gw.factory.user({ role: 'agent', username: `agent-${resellerId.slice(-8)}` });
    browser = await openBrowser(stack.authUrl, {
      allowedOrigins: [`http://${RINGOS_HOST}:${new URL(stack.authUrl).port}`],
      args: [`--host-resolver-rules=MAP ${RINGOS_HOST} 127.0.0.1`],
    });
  });

  checkAndCloseAfterTests(() => ({ browser, stack }));

  /** A browser context (its own cookies and sessionStorage) whose pages are watched, under the strict policy. */
  const newContext = (options: { width?: number; height?: number } = {}): Promise<BrowserContext> =>
    browser.newContext({ ...options, acceptDownloads: true });

  const qrLoaded = (page: Page) => page.waitForFunction("document.getElementById('qr-code').complete");
  const fitsWidth = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  const setupForm = (page: Page) => page.getByRole('form', { name: 'Set Up Google Authenticator' });
  const alertIn = (scope: Page | Locator) => scope.getByRole('alert');

  it('signs a reseller user in at / with Username, Password and Log in', async () => {
    userPage = await (await newContext()).newPage();
    await userPage.goto(stack.authUrl);
    expect(await userPage.title()).toBe('PBX Dashboard');
    expect(await isFocused(userPage.getByLabel('Username'))).toBe(true);
    await expectAccessible(userPage, 'dashboard: sign-in');

    await logIn(userPage, user.username, 'not-the-password');
    await alertIn(userPage).filter({ hasText: 'username or password is incorrect' }).waitFor();
    await expectAccessible(userPage, 'dashboard: sign-in, wrong password');

    await logIn(userPage, user.username, user.password);
    await userPage.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
    const account = userPage.getByRole('navigation', { name: 'Account' });
    expect(await account.getByText(user.username).isVisible()).toBe(true);
    expect(await account.getByRole('link', { name: 'Profile' }).isVisible()).toBe(true);
    expect(await account.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    expect(await userPage.evaluate<string[]>('Object.keys(sessionStorage)')).toEqual(['pbx2fa.accessToken']);
    await expectAccessible(userPage, 'dashboard: home');
    await shot(userPage, 'signed-in');
  });

  it('requests two-factor authentication on the Profile page and shows the ticket and its status', async () => {
    await profileLink(userPage).click();
    await security(userPage).getByRole('heading', { name: 'Change Account Security' }).waitFor();
    await userPage.getByRole('button', { name: 'Request Two-Factor Authentication' }).waitFor();
    await expectAccessible(userPage, 'dashboard: Profile, Request Two-Factor Authentication');
    await userPage.getByRole('button', { name: 'Request Two-Factor Authentication' }).click();

    const request = userPage.getByRole('heading', { name: 'Your request' });
    await request.waitFor();
    expect(await isFocused(request)).toBe(true);
    // Said in words, with what happens next; the badge's bare word is not read out.
    await security(userPage)
      .getByRole('status')
      .filter({ hasText: 'Your request is open: support will review it.' })
      .waitFor();
    expect(await userPage.locator('#request-ticket-status').textContent()).toBe('open');
    expect(await inLiveRegion(userPage.locator('#request-ticket-status'))).toBe(false);
    ticketSubject = (await userPage.locator('#request-ticket-subject').textContent()) ?? '';
    expect(ticketSubject).toBe('Please enable two-factor authentication');
    expect(await userPage.getByRole('button', { name: 'Request Two-Factor Authentication' }).isVisible()).toBe(false);
    await expectAccessible(userPage, 'dashboard: Profile, 2FA requested');
    await shot(userPage, 'profile-2fa-requested');
  });

  it('walks an agent without a second factor through the set-up at /desk, then the recovery codes, then the queue', async () => {
    deskPage = await (await newContext()).newPage();
    await deskPage.goto(`${stack.authUrl}/desk`);
    // The keyboard alone: the page starts in Username, Tab moves to Password, Enter logs in.
    await deskPage.getByLabel('Username').waitFor();
    expect(await isFocused(deskPage.getByLabel('Username'))).toBe(true);
    await expectAccessible(deskPage, 'desk: sign-in');
    await deskPage.keyboard.type(deskAgent.username);
    await deskPage.keyboard.press('Tab');
    await deskPage.keyboard.type(deskAgent.password);
    await deskPage.keyboard.press('Enter');

    // Straight to the set-up, and nothing else: no account bar, no queue.
    await deskPage.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await deskPage.getByText('Support agents must protect their account with a second factor').waitFor();
    const qr = deskPage.getByRole('img', { name: 'QR code for Google Authenticator' });
    await qr.waitFor();
    await deskPage.waitForFunction("document.getElementById('enroll-qr-code').complete");
    const passcode = deskPage.getByRole('textbox', { name: 'Passcode', exact: true });
    expect(await isFocused(passcode)).toBe(true);
    expect(await deskPage.getByRole('navigation', { name: 'Account' }).isVisible()).toBe(false);
    expect(await deskPage.getByRole('heading', { name: 'Ticket queue' }).isVisible()).toBe(false);
    await expectAccessible(deskPage, 'desk: agent set-up with the QR code');
    await shot(deskPage, 'desk-agent-enrollment');

    // The key for manual entry, as someone without a camera would type it; the QR code says the same.
    const manualKey = (await deskPage
      .getByRole('listitem')
      .filter({ hasText: 'Enter a setup key' })
      .locator('code')
      .textContent())!.replace(/\s/g, '');
    expect(manualKey).toMatch(/^[A-Z2-7]{32,}$/);
    const scanned = new URL(readQrCode(`data:image/png;base64,${(await qr.screenshot()).toString('base64')}`)!);
    expect(scanned.searchParams.get('secret')).toBe(manualKey);
    expect(decodeURIComponent(scanned.pathname)).toBe(`/PBX Dashboard:${deskAgent.username}`);

    const form = deskPage.getByRole('form', { name: 'Set Up Google Authenticator' });
    await passcode.fill(wrongPasscode(manualKey));
    await form.getByLabel('Current Password').fill(deskAgent.password);
    await form.getByRole('button', { name: 'Save' }).click();
    await alertIn(form).filter({ hasText: '30 seconds' }).waitFor();
    await expectAccessible(deskPage, 'desk: agent set-up, wrong passcode');

    await awayFromStepEdge();
    const step = stepAt();
    await passcode.fill(passcodeForStep(manualKey, step));
    await form.getByLabel('Current Password').fill(deskAgent.password);
    await form.getByRole('button', { name: 'Save' }).click();
    deskAuthenticator = new Authenticator(manualKey, step);

    const codesHeading = deskPage.getByRole('heading', { name: 'Save your recovery codes' });
    await codesHeading.waitFor();
    expect(await isFocused(codesHeading)).toBe(true);
    const codes = await deskPage.locator('#enroll-codes-list li').allTextContents();
    expect(codes).toHaveLength(10);
    expect(await deskPage.getByRole('heading', { name: 'Ticket queue' }).isVisible()).toBe(false);
    await expectAccessible(deskPage, 'desk: agent recovery codes');
    await shot(deskPage, 'desk-agent-recovery-codes');

    await codesSaved(deskPage);
    await deskPage.getByRole('heading', { name: 'Ticket queue' }).waitFor();
    const account = deskPage.getByRole('navigation', { name: 'Account' });
    expect(await account.getByText(deskAgent.username).isVisible()).toBe(true);
    expect(await deskPage.getByRole('heading', { name: 'Set up two-factor authentication' }).isVisible()).toBe(false);
    await expectAccessible(deskPage, 'desk: the queue after the set-up');
    // From now on this agent is asked for a passcode.
    expect(
      (await gw.anon.post('/auth/login', { username: deskAgent.username, password: deskAgent.password })).body.status,
    ).toBe('two_factor_required');
  });

  it('walks an agent through the same set-up at /, through a reload and past Cancel, and keeps its factor on Profile', async () => {
    const agent = await gw.factory.user({ role: 'agent' });
    const page = await (await newContext()).newPage();
    await page.goto(stack.authUrl);
    await logIn(page, agent.username, agent.password);
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();

    // Cancel gives the set-up up: signed out, the enrollment token ended.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('status').filter({ hasText: 'The set-up was cancelled' }).waitFor();
    await expectAccessible(page, 'dashboard: set-up cancelled');
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);

    // A reload in the middle of the set-up comes back to it, with a new key.
    await logIn(page, agent.username, agent.password);
    const key = page.getByRole('listitem').filter({ hasText: 'Enter a setup key' }).locator('code');
    await key.filter({ hasText: /\S/ }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await key.filter({ hasText: /\S/ }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Account' }).isVisible()).toBe(false);
    const secret = (await key.textContent())!.replace(/\s/g, '');

    await awayFromStepEdge();
    await page.getByRole('textbox', { name: 'Passcode', exact: true }).fill(passcodeForStep(secret, stepAt()));
    await page
      .getByRole('form', { name: 'Set Up Google Authenticator' })
      .getByLabel('Current Password')
      .fill(agent.password);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await codesSaved(page);
    await page.getByRole('heading', { name: `Welcome, ${agent.username}` }).waitFor();

    await profileLink(page).click();
    await security(page).getByText('Support agents always use two-factor authentication').waitFor();
    expect(await page.getByRole('form', { name: 'New Recovery Codes' }).isVisible()).toBe(true);
    expect(await page.getByRole('form', { name: 'Turn Off Two-Factor Authentication' }).isVisible()).toBe(false);
    await expectAccessible(page, "dashboard: an agent's Profile");
    await page.context().close();
  });

  it('lets the agent find the ticket on /desk, approve it, and see it resolve without reloading', async () => {
    await deskPage.getByRole('heading', { name: 'Ticket queue' }).waitFor();
    await deskPage.getByLabel('Type').selectOption('enable_2fa');
    expect(await deskPage.getByLabel('Status').inputValue()).toBe('open');
    const row = deskPage.getByRole('row').filter({ hasText: 'Acme Telecom' });
    await row.waitFor();
    // Ticket (its type below the subject), Reseller, Requester, Age, Assignee, Status.
    const cells = await row.getByRole('cell').allTextContents();
    expect([cells[0], cells[1], cells[2], cells[4], cells[5]]).toEqual([
      `${ticketSubject}Enable 2FA`,
      'Acme Telecom',
      user.username,
      '—',
      'open',
    ]);
    await expectAccessible(deskPage, 'desk: the queue filtered to Enable 2FA');
    await shot(deskPage, 'desk-queue');

    await row.getByRole('link', { name: ticketSubject }).click();
    const ticket = deskPage.getByRole('region', { name: ticketSubject, exact: true });
    await ticket.getByRole('heading', { name: 'History' }).waitFor();
    await ticket.getByRole('listitem').filter({ hasText: user.username }).first().waitFor();
    await ticket.getByLabel('Comment', { exact: true }).fill('Checked with the reseller by phone; approving.');
    await ticket.getByRole('button', { name: 'Send Reply' }).click();
    await ticket.getByText('Checked with the reseller by phone; approving.').waitFor();
    expect(await ticket.getByRole('button', { name: 'Reject' }).isVisible()).toBe(true);
    expect(await ticket.getByLabel('Reason').isVisible()).toBe(true);
    await expectAccessible(deskPage, 'desk: a ticket with a reply');
    await shot(deskPage, 'desk-ticket');

    // Nothing below may reload the page: a mark left in it now must still be there at the end.
    const navigations: string[] = [];
    deskPage.on('framenavigated', (frame) => {
      if (frame === deskPage.mainFrame()) navigations.push(frame.url());
    });
    await deskPage.evaluate('window.stillTheSamePage = true');
    await ticket.getByRole('button', { name: 'Approve' }).click();
    await ticket
      .getByRole('status')
      .filter({ hasText: `“${ticketSubject}” is resolved: the change has taken effect.` })
      .waitFor({ timeout: 20_000 });
    expect(await ticket.locator('#ticket-status').textContent()).toBe('resolved');
    expect(await deskPage.evaluate<boolean>('window.stillTheSamePage')).toBe(true);
    expect(navigations).toEqual([]);
    await ticket.getByRole('listitem').filter({ hasText: 'approved → resolved' }).waitFor();
    expect(await ticket.getByRole('button', { name: 'Approve' }).isVisible()).toBe(false);
    // Its queue row says so too, until the queue's refresh (every 10 s) takes it out of the open queue:
    // read in one go, so the row cannot leave between finding it and reading it.
    const rowStatus = await deskPage.evaluate<string | null>(
      "[...document.querySelectorAll('#queue-rows tr')].find((tr) => tr.textContent.includes('Acme Telecom'))?.cells[5]?.textContent ?? null",
    );
    expect([null, 'resolved']).toContain(rowStatus);
    await expectAccessible(deskPage, 'desk: a ticket resolved');
    await shot(deskPage, 'desk-resolved');
  });

  it("updates the user's Profile page by itself: the request is resolved and setup is offered", async () => {
    await security(userPage)
      .getByRole('status')
      .filter({ hasText: 'Done: two-factor authentication is on for your reseller.' })
      .waitFor({ timeout: 20_000 });
    expect(await userPage.locator('#request-ticket-status').textContent()).toBe('resolved');
    await userPage.getByRole('button', { name: 'Set Up Google Authenticator' }).waitFor({ timeout: 20_000 });
    await expectAccessible(userPage, 'dashboard: Profile, 2FA available');
    await shot(userPage, 'profile-2fa-available');
  });

  it('lets the agent reject a ticket with a reason, which the ticket then shows', async () => {
    const userClient = gw.anon.as(await gw.login(user.username, user.password));
    const opened = await userClient.post('/tickets', { type: 'general', subject: 'Please call us back' });
    expect(opened.status).toBe(201);
    await deskPage.goto(`${stack.authUrl}/desk#ticket=${opened.body.id}`);
    const ticket = deskPage.getByRole('region', { name: 'Please call us back', exact: true });
    const badge = ticket.locator('#ticket-status');
    await badge.filter({ hasText: /^open$/ }).waitFor();
    await ticket.getByRole('button', { name: 'Reject' }).click();
    // An empty reason is refused by the browser before anything is sent.
    expect(await badge.textContent()).toBe('open');
    await ticket.getByLabel('Reason').fill('Phone support is not part of your plan.');
    await ticket.getByRole('button', { name: 'Reject' }).click();
    // The reason is read out with the decision.
    await ticket
      .getByRole('status')
      .filter({
        hasText:
          'You rejected “Please call us back”. Reason given to the reseller: Phone support is not part of your plan.',
      })
      .waitFor();
    expect(await badge.textContent()).toBe('rejected');
    await ticket.getByText('Phone support is not part of your plan.').first().waitFor();
    await expectAccessible(deskPage, 'desk: a ticket rejected with a reason');
    expect(await ticket.getByRole('button', { name: 'Approve' }).isVisible()).toBe(false);
    expect((await userClient.get(`/tickets/${opened.body.id}`)).body).toMatchObject({
      status: 'rejected',
      resolution: 'Phone support is not part of your plan.',
    });
  });

  let secret: string;

  it('sets up Google Authenticator from the QR code on screen and the key for manual entry', async () => {
    await userPage.getByRole('button', { name: 'Set Up Google Authenticator' }).click();
    const qr = userPage.getByRole('img', { name: 'QR code for Google Authenticator' });
    await qr.waitFor();
    await qrLoaded(userPage);
    expect(await isFocused(userPage.getByRole('textbox', { name: 'Passcode', exact: true }))).toBe(true);

    // What a phone's camera sees: the pixels on screen, not the image's source.
    const pixels = await qr.screenshot();
    const scanned = readQrCode(`data:image/png;base64,${pixels.toString('base64')}`);
    expect(scanned).toMatch(/^otpauth:\/\/totp\//);
    const url = new URL(scanned!);
    expect(decodeURIComponent(url.pathname)).toBe(`/PBX Dashboard:${user.username}`);
    expect(url.searchParams.get('issuer')).toBe('PBX Dashboard');
    secret = url.searchParams.get('secret')!;
    expect(secret).toMatch(/^[A-Z2-7]{32,}$/);

    const manualKey = await security(userPage)
      .getByRole('listitem')
      .filter({ hasText: 'Enter a setup key' })
      .locator('code')
      .textContent();
    expect(manualKey?.replace(/\s/g, '')).toBe(secret);
    await expectAccessible(userPage, 'dashboard: Set Up Google Authenticator with the QR code');
    await shot(userPage, 'setup-google-authenticator');
  });

  it("shows the article's advice for a wrong current password and a wrong passcode", async () => {
    const passcode = userPage.getByRole('textbox', { name: 'Passcode', exact: true });
    const currentPassword = setupForm(userPage).getByLabel('Current Password');
    const save = userPage.getByRole('button', { name: 'Save' });

    await passcode.fill(passcodeForStep(secret, stepAt()));
    await currentPassword.fill('not-my-password');
    await save.click();
    await alertIn(security(userPage)).filter({ hasText: 'current password is not correct' }).waitFor();
    expect(await isFocused(currentPassword)).toBe(true);
    await expectAccessible(userPage, 'dashboard: set-up, wrong current password');

    await passcode.fill(wrongPasscode(secret));
    await currentPassword.fill(user.password);
    await save.click();
    const advice = alertIn(security(userPage)).filter({ hasText: '30 seconds' });
    await advice.waitFor();
    expect(await advice.textContent()).toContain('enter the one it shows now');
    expect(await isFocused(passcode)).toBe(true);
    expect(await passcode.inputValue()).toBe('');
    await expectAccessible(userPage, 'dashboard: set-up, wrong passcode');
    await shot(userPage, 'wrong-passcode');
  });

  it('saves with the right passcode and shows the ten recovery codes once, with Copy and Download', async () => {
    await awayFromStepEdge();
    const step = stepAt();
    await userPage.getByRole('textbox', { name: 'Passcode', exact: true }).fill(passcodeForStep(secret, step));
    await setupForm(userPage).getByLabel('Current Password').fill(user.password);
    await userPage.getByRole('button', { name: 'Save' }).click();
    authenticator = new Authenticator(secret, step);

    const heading = userPage.getByRole('heading', { name: 'Save your recovery codes' });
    await heading.waitFor();
    expect(await isFocused(heading)).toBe(true);
    firstCodes = await userPage.locator('#codes-list li').allTextContents();
    expect(firstCodes).toHaveLength(10);
    expect(new Set(firstCodes).size).toBe(10);
    await expectAccessible(userPage, 'dashboard: the recovery codes');
    await shot(userPage, 'recovery-codes');

    const [download] = await Promise.all([
      userPage.waitForEvent('download'),
      userPage.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`pbx-dashboard-recovery-codes-${user.username}.txt`);
    const text = readFileSync(await download.path(), 'utf8');
    for (const code of firstCodes) expect(text).toContain(code);

    await userPage.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.authUrl });
    await userPage.getByRole('button', { name: 'Copy' }).click();
    await userPage.getByRole('status').filter({ hasText: 'Copied the 10 codes' }).waitFor();
    const copied = await userPage.evaluate<string>('navigator.clipboard.readText()');
    for (const code of firstCodes) expect(copied).toContain(code);
    await expectAccessible(userPage, 'dashboard: the recovery codes copied');

    await codesSaved(userPage);
    await security(userPage).getByText('Two-factor authentication is on: Google Authenticator is set up').waitFor();
    expect(await userPage.locator('#codes-list li').count()).toBe(0);
    // Shown once Done has read the account again.
    await userPage.getByRole('form', { name: 'New Recovery Codes' }).waitFor();
    expect(await userPage.getByRole('form', { name: 'Turn Off Two-Factor Authentication' }).isVisible()).toBe(true);
    await expectAccessible(userPage, 'dashboard: security page, 2FA on');
  });

  it('logs out, then logs in with the password and a passcode', async () => {
    await userPage.getByRole('button', { name: 'Log out' }).click();
    await userPage.getByRole('status').filter({ hasText: 'You have logged out.' }).waitFor();
    expect(await isFocused(userPage.getByLabel('Username'))).toBe(true);
    expect(await userPage.evaluate<number>('sessionStorage.length')).toBe(0);
    await expectAccessible(userPage, 'dashboard: logged out');

    await logIn(userPage, user.username, user.password);
    const passcode = userPage.getByRole('textbox', { name: 'Passcode', exact: true });
    await passcode.waitFor();
    expect(await isFocused(passcode)).toBe(true);
    await expectAccessible(userPage, 'dashboard: second step, passcode');
    await shot(userPage, 'passcode-asked');

    await passcode.fill(await authenticator.freshPasscode());
    await userPage.getByRole('button', { name: 'Verify' }).click();
    await userPage.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
    await shot(userPage, 'signed-in-with-passcode');
  });

  it('signs in through RingOS single sign-on on a RingOS host, without a passcode', async () => {
    const context = await newContext();
    const ringos = `http://${RINGOS_HOST}:${new URL(stack.authUrl).port}`;
    const page = await context.newPage();
    await page.goto(ringos);
    await page.getByRole('heading', { name: 'RingOS single sign-on' }).waitFor();
    expect(await page.getByLabel('Username').isVisible()).toBe(true);
    await expectAccessible(page, 'dashboard: RingOS single sign-on');

    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.username, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 120, jti: randomUUID() };
    const assertion = compactJws({ alg: 'RS256', typ: 'JWT' }, claims, rs256(idp.privateKey));
    const sso = await context.newPage();
    await sso.goto(`${ringos}/#assertion=${assertion}`);
    await sso.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
    expect(sso.url()).toBe(`${ringos}/`);
    await shot(sso, 'ringos-single-sign-on');
    await context.close();
  });

  it('asks before a RingOS assertion replaces the account signed in in that tab, and keeps it when told to', async () => {
    const context = await newContext();
    const ringos = `http://${RINGOS_HOST}:${new URL(stack.authUrl).port}`;
    const other = await gw.factory.user({ resellerId, username: `bob-${resellerId.slice(-8)}` });
    const assertionFor = (username: string) => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: username, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 120, jti: randomUUID() };
      return compactJws({ alg: 'RS256', typ: 'JWT' }, claims, rs256(idp.privateKey));
    };
    const page = await context.newPage();
    const exchanged: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/auth/sso/ringos') exchanged.push(request.url());
    });
    await page.goto(`${ringos}/#assertion=${assertionFor(user.username)}`);
    await page.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
    expect(exchanged).toHaveLength(1);

    // A link carrying someone else's assertion, opened in the tab where the user is signed in.
    await page.goto(`${ringos}/desk`);
    await page.goto(`${ringos}/#assertion=${assertionFor(other.username)}`);
    const question = page.getByRole('heading', { name: 'Switch account?' });
    await question.waitFor();
    expect(await page.getByText(`wants to sign this tab in as ${other.username}`).isVisible()).toBe(true);
    const stay = page.getByRole('button', { name: `Stay signed in as ${user.username}` });
    expect(await isFocused(stay)).toBe(true);
    await expectAccessible(page, 'dashboard: Switch account?');
    await shot(page, 'ringos-switch-asked');
    expect(exchanged).toHaveLength(1);
    await stay.click();
    await question.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
    expect(exchanged).toHaveLength(1);
    expect(page.url()).toBe(`${ringos}/`);
    expect(await page.locator('#current-username').textContent()).toBe(user.username);

    // The same question when only the fragment changes; answered yes, the tab switches.
    await page.goto(`${ringos}/#assertion=${assertionFor(other.username)}`);
    await page.getByRole('button', { name: `Switch to ${other.username}` }).click();
    await page.getByRole('heading', { name: `Welcome, ${other.username}` }).waitFor();
    expect(exchanged).toHaveLength(2);
    expect(await page.locator('#current-username').textContent()).toBe(other.username);
    await context.close();
  });

  it('gives new recovery codes for the current password and a passcode; the old ones stop working', async () => {
    await profileLink(userPage).click();
    const form = userPage.getByRole('form', { name: 'New Recovery Codes' });
    await form.waitFor();
    await form.getByLabel('Current Password').fill(user.password);
    await form.getByLabel('Passcode').fill(await authenticator.freshPasscode());
    await form.getByRole('button', { name: 'Get New Recovery Codes' }).click();
    await userPage.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    newCodes = await userPage.locator('#codes-list li').allTextContents();
    expect(newCodes).toHaveLength(10);
    expect(newCodes.filter((code) => firstCodes.includes(code))).toEqual([]);
    await codesSaved(userPage);
  });

  it('logs in with a recovery code instead of a passcode', async () => {
    await userPage.getByRole('button', { name: 'Log out' }).click();
    await logIn(userPage, user.username, user.password);
    await userPage.getByRole('button', { name: 'Use a recovery code instead' }).click();
    const field = userPage.getByRole('textbox', { name: 'Recovery code' });
    expect(await isFocused(field)).toBe(true);

    await field.fill(firstCodes[0]);
    await userPage.getByRole('button', { name: 'Verify' }).click();
    await alertIn(userPage).filter({ hasText: 'recovery code is not valid' }).waitFor();
    await expectAccessible(userPage, 'dashboard: second step, wrong recovery code');
    await field.fill(newCodes[0]);
    await userPage.getByRole('button', { name: 'Verify' }).click();
    await userPage.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
  });

  it('turns two-factor authentication off with the current password and a recovery code', async () => {
    await profileLink(userPage).click();
    const form = userPage.getByRole('form', { name: 'Turn Off Two-Factor Authentication' });
    await form.getByLabel('Current Password').fill(user.password);
    await form.getByLabel('Passcode or recovery code').fill(newCodes[1]);
    await form.getByRole('button', { name: 'Turn Off Two-Factor Authentication' }).click();
    await userPage.getByText('Two-factor authentication is off for your account.').first().waitFor();
    await userPage.getByRole('button', { name: 'Set Up Google Authenticator' }).waitFor();
    await expectAccessible(userPage, 'dashboard: security page, 2FA turned off');
    const me = await gw.anon.post('/auth/login', { username: user.username, password: user.password });
    expect(me.body.status).toBe('authenticated');
  });

  it('fits a 375 px wide phone: the security page and the desk scroll only downwards', async () => {
    const phone = await newContext({ width: 375, height: 812 });
    const other = await gw.factory.user({ resellerId });
    const page = await phone.newPage();
    await page.goto(stack.authUrl);
    await logIn(page, other.username, other.password);
    await page.getByRole('heading', { name: `Welcome, ${other.username}` }).waitFor();
    await profileLink(page).click();
    await page.getByRole('button', { name: 'Set Up Google Authenticator' }).click();
    const qr = page.getByRole('img', { name: 'QR code for Google Authenticator' });
    await qr.waitFor();
    await qrLoaded(page);
    expect(await fitsWidth(page)).toBe(true);
    // Still scannable at that size.
    expect(readQrCode(`data:image/png;base64,${(await qr.screenshot()).toString('base64')}`)).toContain(
      `otpauth://totp/`,
    );
    await expectAccessible(page, 'dashboard: set-up at 375 px');
    await shot(page, 'security-page-375px');

    const desk = await phone.newPage();
    await desk.goto(`${stack.authUrl}/desk`);
    await logIn(desk, deskAgent.username, deskAgent.password);
    await desk.getByRole('textbox', { name: 'Passcode', exact: true }).fill(await deskAuthenticator.freshPasscode());
    await desk.getByRole('button', { name: 'Verify' }).click();
    await desk.getByLabel('Status').selectOption('');
    await desk.getByRole('row').filter({ hasText: 'Acme Telecom' }).first().waitFor();
    expect(await fitsWidth(desk)).toBe(true);
    await expectAccessible(desk, 'desk: the queue at 375 px');
    await shot(desk, 'desk-375px');
    await phone.close();
  });
});
