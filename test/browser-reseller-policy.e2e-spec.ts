import type { Page } from 'playwright-core';
import { connect, eventually, type CreatedUser, type Gateway, type SignedInUser } from './support/api';
import {
  checkAndCloseAfterTests,
  codesSaved,
  expectAccessible,
  isFocused,
  logIn,
  openBrowser,
  pageSignedInAs,
  profileLink,
  recoveryCodesShown,
  screenshots,
  security,
  type TestBrowser,
} from './support/browser';
import { startStack, type Stack } from './support/stack';
import { awayFromStepEdge, passcodeForStep, stepAt } from './support/totp';
import { approveTicket, enroll, openTicket, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';

/**
 * A reseller that requires 2FA, as its users and its admin see it in Debian's chromium
 * (test/support/browser.ts): inside the grace period a user without a factor is told how many days
 * are left; once it is over (`graceDays: 0`) the password leads straight to the set-up, and to
 * nothing else until it is done; the admin's Users view shows their own reseller only, and who
 * still has to enroll. The API side is test/reseller-modes.e2e-spec.ts. Screenshots go to
 * test-artifacts/reseller-policy-screenshots/.
 */

describe('a reseller that requires two-factor authentication, in a real browser', () => {
  let stack: Stack;
  let gw: Gateway;
  let browser: TestBrowser;
  let resellerId: string;
  let otherResellerId: string;
  let admin: SignedInUser;
  let eve: EnrolledUser;
  /** Without a factor until the policy sends him to the set-up. */
  let noah: CreatedUser;
  /** Without a factor throughout: still has to enroll. */
  let mia: CreatedUser;
  let stranger: CreatedUser;
  const shot = screenshots('reseller-policy-screenshots', { clean: true, fullPage: true });

  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
    resellerId = (await gw.factory.reseller({ name: 'Northwind Phones' })).id;
    otherResellerId = (await gw.factory.reseller({ name: 'Southwind Phones' })).id;
    admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    eve = await enroll(await gw.factory.signedInUser({ resellerId }));
    noah = await gw.factory.user({ resellerId });
    mia = await gw.factory.user({ resellerId });
    stranger = await gw.factory.user({ resellerId: otherResellerId });
    browser = await openBrowser(stack.authUrl);
  });

  checkAndCloseAfterTests(() => ({ browser, stack }));

  /** The admin asks for `require_2fa`, an agent approves, and the test waits until the gateway goes by it. */
  async function requireTwoFactor(graceDays: number, applied: (twoFactor: Record<string, unknown>) => void) {
    const ticket = await openTicket(admin.client, { type: 'require_2fa', graceDays });
    await approveTicket(gw, ticket.id);
    await eventually(async () => applied((await admin.client.get('/auth/me')).body.twoFactor));
  }

  /** An agent's Users view, once it lists the reseller named: `listed` is the status it says then. */
  async function agentsUsersView(reseller: string, listed: string): Promise<Page> {
    const page = await pageSignedInAs(await browser.newContext(), stack.authUrl, gw.agentToken, '/#users');
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByLabel('Reseller', { exact: true }).fill(reseller);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('status').filter({ hasText: listed }).waitFor();
    return page;
  }

  const setUpHeading = (page: Page) => page.getByRole('heading', { name: 'Set up two-factor authentication' });
  const welcome = (page: Page, username: string) => page.getByRole('heading', { name: `Welcome, ${username}` });

  it('inside the grace period, lets a user without a factor in and says how many days are left', async () => {
    await requireTwoFactor(1, (twoFactor) => expect(twoFactor.enrollmentDaysLeft).toBe(1));
    const page = await (await browser.newContext()).newPage();
    await page.goto(stack.authUrl);
    await logIn(page, noah.username, noah.password);
    await welcome(page, noah.username).waitFor();
    await page.getByText('Your reseller requires two-factor authentication: set it up within 1 day').waitFor();
    await expectAccessible(page, 'dashboard: home inside the grace period');
    await shot(page, 'grace-period-home');

    await profileLink(page).click();
    await security(page).getByText('set it up within 1 day').waitFor();
    expect(await page.getByRole('button', { name: 'Set Up Google Authenticator' }).isVisible()).toBe(true);
    await expectAccessible(page, 'dashboard: security page inside the grace period');
    await page.context().close();
  });

  it('once the grace period is over, takes the user from the password straight to the set-up, and nowhere else until done', async () => {
    await requireTwoFactor(0, (twoFactor) => expect(twoFactor).not.toHaveProperty('enrollBy'));
    const page = await (await browser.newContext()).newPage();
    await page.goto(stack.authUrl);
    await logIn(page, noah.username, noah.password);
    await setUpHeading(page).waitFor();
    await page.getByText('Your reseller requires two-factor authentication.').waitFor();
    const passcode = page.getByRole('textbox', { name: 'Passcode', exact: true });
    await page.getByRole('img', { name: 'QR code for Google Authenticator' }).waitFor();
    expect(await isFocused(passcode)).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Account' }).isVisible()).toBe(false);
    await expectAccessible(page, 'dashboard: required set-up after the password');
    await shot(page, 'sent-to-set-up');

    // Every address of the dashboard still shows the set-up, also after a reload.
    for (const view of ['#profile', '#users', '#requests', '']) {
      await page.goto(`${stack.authUrl}/${view}`);
      await setUpHeading(page).waitFor();
      expect(await welcome(page, noah.username).isVisible()).toBe(false);
      expect(await page.getByRole('heading', { name: 'Profile', exact: true }).isVisible()).toBe(false);
      expect(await page.getByRole('heading', { name: 'My Requests' }).isVisible()).toBe(false);
      expect(await page.getByRole('navigation', { name: 'Account' }).isVisible()).toBe(false);
    }
    await page.reload();
    await setUpHeading(page).waitFor();
    const key = page.getByRole('listitem').filter({ hasText: 'Enter a setup key' }).locator('code');
    await key.filter({ hasText: /\S/ }).waitFor();
    const secret = (await key.textContent())!.replace(/\s/g, '');

    await awayFromStepEdge();
    await passcode.fill(passcodeForStep(secret, stepAt()));
    await page
      .getByRole('form', { name: 'Set Up Google Authenticator' })
      .getByLabel('Current Password')
      .fill(noah.password);
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await recoveryCodesShown(page)).toHaveLength(10);
    expect(await page.getByRole('navigation', { name: 'Account' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'dashboard: recovery codes of a required set-up');
    await codesSaved(page);
    await welcome(page, noah.username).waitFor();
    expect(await page.getByRole('navigation', { name: 'Account' }).isVisible()).toBe(true);
    expect(
      await page.getByText('Your reseller requires two-factor authentication').filter({ visible: true }).count(),
    ).toBe(0);
    await expectAccessible(page, 'dashboard: home once enrolled');
    await shot(page, 'enrolled-home');
    await page.context().close();
  });

  it("shows a reseller admin their own reseller's users under Users, and who still has to enroll", async () => {
    const page = await pageSignedInAs(await browser.newContext(), stack.authUrl, admin.token, '/');
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    // An admin has no choice of reseller: theirs is the only one.
    expect(await page.getByLabel('Reseller', { exact: true }).isVisible()).toBe(false);
    const table = page.getByRole('table', { name: 'Users of the reseller, by username' });
    const rows = table.getByRole('row').filter({ has: page.getByRole('cell') });
    const shown = async (status: string) => {
      await page.getByRole('status').filter({ hasText: status }).waitFor();
      const cells = await Promise.all(
        (await rows.all()).map(async (row) => (await row.getByRole('cell').allTextContents()).slice(0, 3)),
      );
      return new Map(cells.map(([username, role, twoFactor]) => [username, { role, twoFactor }]));
    };

    const everyone = await shown(`4 users of ${resellerId}.`);
    expect([...everyone.keys()].sort()).toEqual([admin.username, eve.username, noah.username, mia.username].sort());
    expect(everyone.has(stranger.username)).toBe(false);
    expect(everyone.get(admin.username)).toEqual({ role: 'Reseller admin', twoFactor: 'Not set up' });
    expect(everyone.get(eve.username)).toEqual({ role: 'Reseller user', twoFactor: 'Google Authenticator' });
    expect(everyone.get(noah.username)?.twoFactor).toBe('Google Authenticator');
    expect(everyone.get(mia.username)?.twoFactor).toBe('Not set up');
    await expectAccessible(page, 'dashboard: Users, everyone');
    await shot(page, 'users-everyone');

    await page
      .getByRole('combobox', { name: 'Two-factor authentication' })
      .selectOption({ label: 'Still has to enroll' });
    await page.getByRole('button', { name: 'Show' }).click();
    const missing = await shown(`2 users who still have to enroll of ${resellerId}.`);
    expect([...missing.keys()].sort()).toEqual([admin.username, mia.username].sort());
    await expectAccessible(page, 'dashboard: Users, still has to enroll');
    await shot(page, 'users-still-to-enroll');

    await page.getByRole('combobox', { name: 'Two-factor authentication' }).selectOption({ label: 'Set up' });
    await page.getByRole('button', { name: 'Show' }).click();
    const enrolled = await shown(`2 users with two-factor authentication of ${resellerId}.`);
    expect([...enrolled.keys()].sort()).toEqual([eve.username, noah.username].sort());
    await page.context().close();
  });

  it('gives a reseller user no Users view, and lets an agent name any reseller', async () => {
    const userPage = await pageSignedInAs(await browser.newContext(), stack.authUrl, eve.token, '/#users');
    await welcome(userPage, eve.username).waitFor();
    expect(await userPage.getByRole('link', { name: 'Users' }).isVisible()).toBe(false);
    expect(await userPage.getByRole('heading', { name: 'Users' }).isVisible()).toBe(false);
    await expectAccessible(userPage, 'dashboard: home of a reseller user asking for Users');
    await userPage.context().close();

    const agentPage = await agentsUsersView(otherResellerId, `of ${otherResellerId}.`);
    expect(await agentPage.getByRole('cell', { name: stranger.username }).isVisible()).toBe(true);
    expect(await agentPage.getByRole('cell', { name: admin.username }).count()).toBe(0);
    await expectAccessible(agentPage, 'dashboard: Users of a reseller an agent named');
    await agentPage.context().close();
  });

  it('keeps the keyboard after the last Load more of Users: on the first user it brought', async () => {
    const crowded = (await gw.factory.reseller({ name: 'Eastwind Phones' })).id;
    const usernames: string[] = [];
    for (let i = 0; i < 21; i++) usernames.push((await gw.factory.user({ resellerId: crowded })).username);
    usernames.sort();
    const page = await agentsUsersView(crowded, `20+ users of ${crowded}.`);
    const more = page.getByRole('button', { name: 'Load more' });
    await more.click();
    await page
      .getByRole('status')
      .filter({ hasText: `21 users of ${crowded}.` })
      .waitFor();
    expect(await more.isVisible()).toBe(false);
    const focused = await page.evaluate<string | null>(
      "document.activeElement?.closest('#users-rows tr')?.cells[0]?.textContent ?? null",
    );
    expect(focused).toBe(usernames[20]);
    await expectAccessible(page, 'dashboard: Users after the last Load more');
    await page.context().close();
  });
});
