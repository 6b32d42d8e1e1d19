import type { BrowserContext, Locator, Page } from 'playwright-core';
import { connect, type CreatedUser, type Gateway } from './support/api';
import {
  checkAndCloseAfterTests,
  codesSaved,
  describedBy,
  expectAccessible,
  focusedText,
  isFocused,
  logIn,
  openBrowser,
  profileLink,
  recoveryCodesShown,
  screenshots,
  security,
  tabTo,
  type TestBrowser,
} from './support/browser';
import { startStack, type Stack } from './support/stack';
import { Authenticator, awayFromStepEdge, passcodeForStep, stepAt, wrongPasscode } from './support/totp';
import { challengeFor, switchResellerTwoFactor } from './support/two-factor';

/**
 * Set-up and recovery the way a person meets them, in Debian's chromium (test/support/browser.ts):
 * on a phone, which cannot scan its own screen, `Copy key` and a link that opens the authenticator
 * app; the passcode field described by its own hint and errors said under the field they are about;
 * the recovery codes kept until "I have saved these codes" is ticked, printable on their own; how
 * many are left on the security page; the second step's hint for a recovery code; and after a
 * sign-in with one, a notice with how many are left (a warning from three down) and a link to new
 * ones. Screenshots go to test-artifacts/account-security-screenshots/.
 */

describe('setting up and recovering two-factor authentication in a real browser', () => {
  let stack: Stack;
  let gw: Gateway;
  let browser: TestBrowser;
  let user: CreatedUser;
  let context: BrowserContext;
  let page: Page;
  let secret: string;
  let authenticator: Authenticator;
  let codes: string[];
  let resellerId: string;
  const shot = screenshots('account-security-screenshots', { clean: true, fullPage: true });

  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
    const admin = await gw.factory.signedInUser({ role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    resellerId = admin.resellerId!;
    user = await gw.factory.user({ resellerId });
    browser = await openBrowser(stack.authUrl);
  });

  checkAndCloseAfterTests(() => ({ browser, stack }));

  const passcodeField = () => page.getByRole('textbox', { name: 'Passcode', exact: true });
  const setupForm = () => page.getByRole('form', { name: 'Set Up Google Authenticator' });
  const invalid = (field: Locator) => field.getAttribute('aria-invalid');
  const notice = () => page.locator('#notice');

  async function signInWithRecoveryCode(code: string): Promise<void> {
    await logIn(page, user.username, user.password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByRole('textbox', { name: 'Recovery code' }).fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
  }

  async function logOut(): Promise<void> {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  }

  it('on a phone, offers Copy key and "Open in authenticator app" with the same otpauth: URL as the QR code', async () => {
    context = await browser.newContext({ width: 375, height: 812 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.authUrl });
    page = await context.newPage();
    await page.goto(stack.authUrl);
    await logIn(page, user.username, user.password);
    await profileLink(page).click();
    await page.getByRole('button', { name: 'Set Up Google Authenticator' }).click();

    const key = page.getByRole('listitem').filter({ hasText: 'Enter a setup key' }).locator('code');
    await key.filter({ hasText: /\S/ }).waitFor();
    secret = (await key.textContent())!.replace(/\s/g, '');
    const appLink = page.getByRole('link', { name: 'Open in authenticator app' });
    expect(await appLink.isVisible()).toBe(true);
    const url = new URL((await appLink.getAttribute('href'))!);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(decodeURIComponent(url.pathname)).toBe(`/PBX Dashboard:${user.username}`);

    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied the key' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
    await expectAccessible(page, 'dashboard: set-up at 375 px, key copied');
    await shot(page, 'setup-375px-copy-key');

    // On a wide screen the QR code is scanned from another device: no link to an app there.
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await appLink.isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Copy key' }).isVisible()).toBe(true);
    await page.setViewportSize({ width: 375, height: 812 });
  });

  it('describes the passcode by its own hint, and says a wrong passcode or password under that field, marked invalid', async () => {
    const password = setupForm().getByLabel('Current Password');
    const hint = await describedBy(passcodeField());
    expect(hint).toContain('6-digit code');
    expect(hint).not.toContain('Enter a setup key');

    await passcodeField().fill(wrongPasscode(secret));
    await password.fill(user.password);
    await page.getByRole('button', { name: 'Save' }).click();
    await setupForm().getByRole('alert').filter({ hasText: 'That passcode is not right' }).waitFor();
    expect(await invalid(passcodeField())).toBe('true');
    expect(await describedBy(passcodeField())).toContain('That passcode is not right');
    expect(await invalid(password)).toBeNull();
    expect(await describedBy(password)).toBe('');
    expect(await isFocused(passcodeField())).toBe(true);
    await expectAccessible(page, 'dashboard: set-up at 375 px, wrong passcode under its field');
    await shot(page, 'wrong-passcode-under-its-field');

    await passcodeField().fill(wrongPasscode(secret));
    await password.fill('not-my-password');
    await page.getByRole('button', { name: 'Save' }).click();
    await setupForm().getByRole('alert').filter({ hasText: 'current password is not correct' }).waitFor();
    expect(await invalid(password)).toBe('true');
    expect(await describedBy(password)).toContain('current password is not correct');
    expect(await invalid(passcodeField())).toBeNull();
    expect(await describedBy(passcodeField())).not.toContain('not right');
    expect(await isFocused(password)).toBe(true);
    await expectAccessible(page, 'dashboard: set-up at 375 px, wrong password under its field');
  });

  it('keeps Done unavailable until "I have saved these codes" is ticked, and prints the codes alone', async () => {
    await awayFromStepEdge();
    const step = stepAt();
    await passcodeField().fill(passcodeForStep(secret, step));
    await setupForm().getByLabel('Current Password').fill(user.password);
    await page.getByRole('button', { name: 'Save' }).click();
    authenticator = new Authenticator(secret, step);
    codes = await recoveryCodesShown(page);
    expect(codes).toHaveLength(10);

    const done = page.getByRole('button', { name: 'Done' });
    const saved = page.getByRole('checkbox', { name: 'I have saved these codes' });
    expect(await done.isDisabled()).toBe(true);
    expect(await saved.isChecked()).toBe(false);
    for (const action of ['Copy', 'Download', 'Print'])
      expect(await page.getByRole('button', { name: action, exact: true }).isVisible()).toBe(true);
    await expectAccessible(page, 'dashboard: recovery codes at 375 px, not saved yet');
    await shot(page, 'codes-not-saved-yet');

    // Print: the browser's dialog is not there to click in a test; what goes on paper is.
    await page.evaluate('window.print = () => { window.printAsked = true; }');
    await page.getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate<boolean>('window.printAsked === true')).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByText(`PBX Dashboard recovery codes for ${user.username}`).isVisible()).toBe(true);
    for (const code of codes) expect(await page.getByText(code, { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('banner').getByRole('link', { name: 'PBX Dashboard' }).isVisible()).toBe(false);
    expect(await page.getByRole('heading', { name: 'Change Account Security' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await done.isVisible()).toBe(false);
    await expectAccessible(page, 'dashboard: recovery codes as printed');
    await shot(page, 'codes-as-printed');
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate("window.dispatchEvent(new Event('afterprint'))");

    await saved.check();
    expect(await done.isEnabled()).toBe(true);
    await saved.uncheck();
    expect(await done.isDisabled()).toBe(true);
    await saved.check();
    await done.click();
    await security(page).getByText('Two-factor authentication is on').waitFor();
    await security(page).getByText('10 recovery codes left.').waitFor();
    expect(await page.locator('ol.codes li').count()).toBe(0);
    await expectAccessible(page, 'dashboard: security page at 375 px, 10 recovery codes left');
  });

  it('describes a recovery code, not the passcode, once the second step is asked for one', async () => {
    await logOut();
    await logIn(page, user.username, user.password);
    const passcode = passcodeField();
    await passcode.waitFor();
    expect(await describedBy(passcode)).toContain('6-digit passcode');

    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    // (Found when hidden too: the last check is made once it is out of the way.)
    const field = page.getByRole('textbox', { name: 'Recovery code', exact: true, includeHidden: true });
    expect(await isFocused(field)).toBe(true);
    const hint = await describedBy(field);
    expect(hint).toContain('recovery codes you saved');
    expect(hint).not.toContain('6-digit');
    await expectAccessible(page, 'dashboard: second step, recovery code');
    await shot(page, 'recovery-code-hint');

    await field.fill('NOT0-A0RE-A0CODE');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'recovery code is not valid' }).waitFor();
    expect(await invalid(field)).toBe('true');
    expect(await describedBy(field)).toContain('recovery code is not valid');
    await expectAccessible(page, 'dashboard: second step, recovery code not valid');

    await page.getByRole('button', { name: 'Use a passcode instead' }).click();
    expect(await invalid(field)).toBeNull();
    expect(await describedBy(passcode)).toContain('6-digit passcode');
    await page.getByRole('button', { name: 'Start over' }).click();
  });

  it('after a sign-in with a recovery code, says how many are left and links to new ones', async () => {
    await signInWithRecoveryCode(codes[0]);
    await notice().filter({ hasText: 'You used a recovery code. 9 left.' }).waitFor();
    expect(await notice().textContent()).not.toContain('Only');
    await expectAccessible(page, 'dashboard: home after a recovery code');
    await shot(page, 'recovery-code-used');

    await notice().getByRole('link', { name: 'Get new recovery codes' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await security(page).getByText('9 recovery codes left.').waitFor();
    expect(await page.getByRole('form', { name: 'New Recovery Codes' }).isVisible()).toBe(true);
  });

  it('warns when three or fewer are left, after the sign-in and on the security page', async () => {
    // Six more spent elsewhere (through the API, as another browser would): three left.
    for (const code of codes.slice(1, 7)) {
      const challengeToken = await challengeFor(gw.anon, user);
      const used = await gw.anon.post('/auth/login/verify', { challengeToken, recoveryCode: code });
      expect(used.status).toBe(200);
    }
    await logOut();
    await signInWithRecoveryCode(codes[7]);
    await notice()
      .filter({ hasText: 'You used a recovery code. Only 2 left: get new ones before you run out.' })
      .waitFor();
    await expectAccessible(page, 'dashboard: home, recovery codes running out');
    await shot(page, 'recovery-codes-running-out');

    await notice().getByRole('link', { name: 'Get new recovery codes' }).click();
    await security(page)
      .getByText('Only 2 recovery codes left. Get new ones with New Recovery Codes below before you run out.')
      .waitFor();
    await expectAccessible(page, 'dashboard: security page, recovery codes running out');
  });

  it('asks "I have saved these codes" again for new codes; then ten are left and the warning is gone', async () => {
    const form = page.getByRole('form', { name: 'New Recovery Codes' });
    const password = form.getByLabel('Current Password');
    await password.fill('not-my-password');
    await form.getByLabel('Passcode').fill(wrongPasscode(secret));
    await form.getByRole('button', { name: 'Get New Recovery Codes' }).click();
    await form.getByRole('alert').filter({ hasText: 'current password is not correct' }).waitFor();
    expect(await invalid(password)).toBe('true');
    expect(await describedBy(password)).toContain('current password is not correct');
    expect(await invalid(form.getByLabel('Passcode'))).toBeNull();
    await expectAccessible(page, 'dashboard: New Recovery Codes, wrong password');

    await password.fill(user.password);
    await form.getByLabel('Passcode').fill(await authenticator.freshPasscode());
    await form.getByRole('button', { name: 'Get New Recovery Codes' }).click();
    const fresh = await recoveryCodesShown(page);
    expect(fresh.filter((code) => codes.includes(code))).toEqual([]);
    expect(await page.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
    expect(await notice().isVisible()).toBe(false);
    await codesSaved(page);
    await security(page).getByText('10 recovery codes left.').waitFor();
    expect(
      await security(page)
        .getByText(/Only \d recovery codes? left/)
        .filter({ visible: true })
        .count(),
    ).toBe(0);
    await context.close();
  });

  it('lets a reseller user sign in, set up Google Authenticator and sign in with a passcode, by keyboard alone', async () => {
    const person = await gw.factory.user({ resellerId });
    const tab = await (await browser.newContext()).newPage();
    const keys = tab.keyboard;
    await tab.goto(stack.authUrl);
    await tab.getByLabel('Username').waitFor();
    expect(await isFocused(tab.getByLabel('Username'))).toBe(true);
    await keys.type(person.username);
    await keys.press('Tab');
    await keys.type(person.password);
    await keys.press('Enter');
    const welcome = tab.getByRole('heading', { name: `Welcome, ${person.username}` });
    await welcome.waitFor();
    expect(await isFocused(welcome)).toBe(true);

    // Back up to "Skip to main content", the first stop; it leads into the page, where it was.
    const skip = tab.getByRole('link', { name: 'Skip to main content' });
    await tabTo(tab, skip, { backwards: true });
    await keys.press('Enter');
    expect(await isFocused(tab.getByRole('main'))).toBe(true);
    expect(await welcome.isVisible()).toBe(true);
    await keys.press('Tab');
    expect(await focusedText(tab)).toBe('Profile');
    await keys.press('Enter');
    await tab.getByRole('heading', { name: 'Profile', exact: true }).waitFor();

    await tabTo(tab, tab.getByRole('button', { name: 'Set Up Google Authenticator' }));
    await keys.press('Enter');
    const passcode = tab.getByRole('textbox', { name: 'Passcode', exact: true });
    const key = tab.getByRole('listitem').filter({ hasText: 'Enter a setup key' }).locator('code');
    await key.filter({ hasText: /\S/ }).waitFor();
    expect(await isFocused(passcode)).toBe(true);
    const secret = (await key.textContent())!.replace(/\s/g, '');
    await awayFromStepEdge();
    const step = stepAt();
    await keys.type(passcodeForStep(secret, step));
    await keys.press('Tab');
    expect(
      await isFocused(tab.getByRole('form', { name: 'Set Up Google Authenticator' }).getByLabel('Current Password')),
    ).toBe(true);
    await keys.type(person.password);
    await keys.press('Enter');

    const codesHeading = tab.getByRole('heading', { name: 'Save your recovery codes' });
    await codesHeading.waitFor();
    expect(await isFocused(codesHeading)).toBe(true);
    const saved = tab.getByRole('checkbox', { name: 'I have saved these codes' });
    await tabTo(tab, saved);
    await keys.press('Space');
    expect(await saved.isChecked()).toBe(true);
    await keys.press('Tab');
    expect(await focusedText(tab)).toBe('Done');
    await keys.press('Enter');
    await security(tab).getByText('Two-factor authentication is on').waitFor();
    expect(await isFocused(tab.getByRole('heading', { name: 'Change Account Security' }))).toBe(true);
    await expectAccessible(tab, 'dashboard: security page after a keyboard-only set-up');

    await tabTo(tab, tab.getByRole('button', { name: 'Log out' }), { backwards: true });
    await keys.press('Enter');
    await tab.getByRole('status').filter({ hasText: 'You have logged out.' }).waitFor();
    expect(await isFocused(tab.getByLabel('Username'))).toBe(true);
    await keys.type(person.username);
    await keys.press('Tab');
    await keys.type(person.password);
    await keys.press('Enter');
    const asked = tab.getByRole('textbox', { name: 'Passcode', exact: true });
    await asked.waitFor();
    expect(await isFocused(asked)).toBe(true);
    await keys.type(await new Authenticator(secret, step).freshPasscode());
    await keys.press('Enter');
    await welcome.waitFor();
    expect(await isFocused(welcome)).toBe(true);
    await tab.context().close();
  });
});
