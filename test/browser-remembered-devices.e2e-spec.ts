import type { BrowserContext, Page } from 'playwright-core';
import { connect, type Gateway } from './support/api';
import {
  checkAndCloseAfterTests,
  expectAccessible,
  logIn as typeCredentials,
  openBrowser,
  profileLink,
  type TestBrowser,
} from './support/browser';
import { startStack, type Stack } from './support/stack';
import { enroll, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';

/**
 * Remember this device in a real browser: a user ticks it at the second step, logs out, and logs
 * in again with the password alone; Profile lists the device, Forget forgets it, and the next
 * sign-in asks for the passcode again. The token is kept per username: another account on the
 * same browser is asked as usual.
 */
describe('remembered devices in a real browser', () => {
  let stack: Stack;
  let gw: Gateway;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  let user: EnrolledUser;
  let colleague: EnrolledUser;

  const passcodeBox = (on: Page) => on.getByRole('textbox', { name: 'Passcode', exact: true });
  const rememberBox = (on: Page) => on.getByRole('checkbox', { name: 'Remember this device' });
  const welcome = (on: Page, username: string) => on.getByRole('heading', { name: `Welcome, ${username}` });

  const logIn = (on: Page, who: { username: string; password: string }) =>
    typeCredentials(on, who.username, who.password);

  async function logOut(on: Page): Promise<void> {
    await on.getByRole('button', { name: 'Log out' }).click();
    await on.getByRole('button', { name: 'Log in' }).waitFor();
  }

  /** Logs in; true when a passcode was asked (and given), false when the password alone signed in. */
  async function logInNoting(on: Page, who: EnrolledUser, { remember = false } = {}): Promise<boolean> {
    await logIn(on, who);
    const asked = await Promise.race([
      passcodeBox(on)
        .waitFor()
        .then(() => true),
      welcome(on, who.username)
        .waitFor()
        .then(() => false),
    ]);
    if (asked) {
      if (remember) await rememberBox(on).check();
      await passcodeBox(on).fill(await who.authenticator.freshPasscode());
      await on.getByRole('button', { name: 'Verify' }).click();
      await welcome(on, who.username).waitFor();
    }
    return asked;
  }

  // Three services to start on a shared machine: more than the default two minutes when it is busy.
  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
    const opener = await gw.factory.signedInUser();
    await switchResellerTwoFactor(gw, opener, true);
    user = await enroll(await gw.factory.signedInUser({ resellerId: opener.resellerId }));
    colleague = await enroll(await gw.factory.signedInUser({ resellerId: opener.resellerId }));
    browser = await openBrowser(stack.authUrl);
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(stack.authUrl);
  }, 300_000);

  checkAndCloseAfterTests(() => ({ browser, stack }));

  it('offers Remember this device at the second step, unticked', async () => {
    await logIn(page, user);
    await passcodeBox(page).waitFor();
    await expect(rememberBox(page).isVisible()).resolves.toBe(true);
    await expect(rememberBox(page).isChecked()).resolves.toBe(false);
    await expectAccessible(page, 'dashboard: second step with Remember this device');
    await page.getByRole('button', { name: 'Start over' }).click();
  });

  it('after ticking it, the next sign-in on this browser asks for no passcode', async () => {
    expect(await logInNoting(page, user, { remember: true })).toBe(true);
    await logOut(page);
    expect(await logInNoting(page, user)).toBe(false);
    await logOut(page);
  });

  it('asks another account on the same browser as usual', async () => {
    expect(await logInNoting(page, colleague)).toBe(true);
    await logOut(page);
  });

  it('lists the device on Profile; after Forget the passcode is asked again', async () => {
    expect(await logInNoting(page, user)).toBe(false);
    await profileLink(page).click();
    await page.getByRole('heading', { name: 'Remembered Devices' }).waitFor();
    const devices = page.getByRole('list', { name: 'Remembered Devices' }).getByRole('listitem');
    await expect(devices.count()).resolves.toBe(1);
    await expectAccessible(page, 'dashboard: Remembered Devices with one device');
    await devices
      .first()
      .getByRole('button', { name: /^Forget/ })
      .click();
    await page.getByText('is forgotten: it is asked for a second factor at its next sign-in').waitFor();
    await page.getByText('No device is remembered.').waitFor();
    await expect(devices.count()).resolves.toBe(0);
    await expectAccessible(page, 'dashboard: Remembered Devices, the device forgotten');
    await logOut(page);

    expect(await logInNoting(page, user)).toBe(true);
    await logOut(page);
  });
});
