import type { Locator, Page } from 'playwright-core';
import type { TicketView } from '@pbx2fa/contracts';
import { connect, eventually, unique, type Gateway, type SignedInUser } from './support/api';
import {
  checkAndCloseAfterTests,
  expectAccessible,
  focusedText,
  inLiveRegion,
  isFocused,
  openBrowser,
  pageSignedInAs,
  screenshots,
  tabTo,
  type TestBrowser,
} from './support/browser';
import { startStack, type Stack } from './support/stack';
import { openTicket } from './support/two-factor';

/**
 * A support agent's day on /desk and a reseller's side of it on the dashboard, in Debian's chromium
 * (test/support/browser.ts): the queue oldest first, worked by keyboard only; two agents
 * deciding one ticket at once; a disable that asks first; assignment, "mine", search and a
 * reseller filter by name; the queue refreshing by itself; the layout at 1280 and 375 px; the
 * focus ring's contrast; and My Requests, where a reseller reads support's reply and answers it.
 * Screenshots go to test-artifacts/desk-screenshots/.
 */

type Ticket = TicketView & { resellerName: string | null };

describe('the desk and My Requests in a real browser', () => {
  let stack: Stack;
  let gw: Gateway;
  let browser: TestBrowser;
  let bluewave: { id: string; name: string };
  let bluesky: { id: string; name: string };
  let admin: SignedInUser;
  let user: SignedInUser;
  let skyUser: SignedInUser;
  let agentA: SignedInUser;
  let agentB: SignedInUser;
  let deskA: Page;
  /** Apart from browser.e2e-spec.ts's folder, which that test empties when it starts. */
  const shot = screenshots('desk-screenshots', { clean: true });

  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
    // Names as people know them; the ids are what the API needs.
    bluewave = await gw.factory.reseller({ id: `bluewave-${unique()}`, name: 'Bluewave Telecom' });
    bluesky = await gw.factory.reseller({ id: `bluesky-${unique()}`, name: 'Blue Sky Phones' });
    admin = await gw.factory.signedInUser({ resellerId: bluewave.id, role: 'reseller_admin' });
    user = await gw.factory.signedInUser({ resellerId: bluewave.id, username: `una-${unique()}` });
    skyUser = await gw.factory.signedInUser({ resellerId: bluesky.id, username: `sam-${unique()}` });
    agentA = await gw.factory.signedInUser({ role: 'agent', username: `ada-${unique()}` });
    agentB = await gw.factory.signedInUser({ role: 'agent', username: `ben-${unique()}` });
    browser = await openBrowser(stack.authUrl);
  });

  checkAndCloseAfterTests(() => ({ browser, stack }));

  /** A tab already signed in as someone (the sign-in pages have their own test). */
  async function pageAs(who: SignedInUser, path: string, width?: number, height?: number): Promise<Page> {
    return pageSignedInAs(await browser.newContext({ width, height }), stack.authUrl, who.token, path);
  }

  const queueRows = (page: Page) => page.locator('#queue-rows tr');
  const rowOf = (page: Page, subject: string) => queueRows(page).filter({ hasText: subject });
  const ticketRegion = (page: Page, subject: string) => page.getByRole('region', { name: subject, exact: true });
  const statusBadge = (page: Page) => page.locator('#ticket-status');
  const ticketUrl = (id: string) => `/desk#ticket=${id}`;

  async function read(id: string): Promise<Ticket> {
    return (await gw.agent.get<Ticket>(`/tickets/${id}`)).body;
  }

  async function subjectsShown(page: Page): Promise<string[]> {
    return page.locator('#queue-rows tr td:first-child a').allTextContents();
  }

  let t1: Ticket;
  let t2: Ticket;
  let disable: Ticket;

  it('shows the open queue oldest first, with age, requester, reseller name and assignee', async () => {
    t1 = (await openTicket(user.client, { type: 'general', subject: 'Phones ring twice' })) as Ticket;
    t2 = (await openTicket(skyUser.client, { type: 'general', subject: 'Invoice address' })) as Ticket;
    disable = (await openTicket(admin.client, {
      type: 'disable_2fa',
      subject: 'Please turn two-factor off',
    })) as Ticket;

    deskA = await pageAs(agentA, '/desk');
    await rowOf(deskA, disable.subject).waitFor();
    expect(await subjectsShown(deskA)).toEqual([t1.subject, t2.subject, disable.subject]);
    const cells = await rowOf(deskA, t1.subject).getByRole('cell').allTextContents();
    expect(cells[0]).toBe(`${t1.subject}General`);
    expect(cells.slice(1, 3)).toEqual(['Bluewave Telecom', user.username]);
    expect(cells[3]).toMatch(/^(just now|\d+ min)$/);
    expect(cells.slice(4)).toEqual(['—', 'open']);
    expect(await deskA.getByRole('status').filter({ hasText: 'oldest first' }).textContent()).toBe(
      '3 tickets shown, oldest first.',
    );
    expect(await deskA.title()).toBe('Desk · PBX Dashboard');
    await expectAccessible(deskA, 'desk: the queue, oldest first');
    await shot(deskA, 'queue-oldest-first');
  });

  it('works the queue by keyboard only: j/k, Enter, ? for help, r to reject, a to approve; never while typing', async () => {
    const page = deskA;
    await page.keyboard.press('j');
    expect(await focusedText(page)).toBe(t1.subject);
    await page.keyboard.press('j');
    expect(await focusedText(page)).toBe(t2.subject);
    await page.keyboard.press('k');
    expect(await focusedText(page)).toBe(t1.subject);
    await page.keyboard.press('Enter');

    const ticket = ticketRegion(page, t1.subject);
    await ticket.getByRole('heading', { name: 'History' }).waitFor();
    await page.waitForFunction(`document.title === ${JSON.stringify(`${t1.subject} · Desk · PBX Dashboard`)}`);
    expect(await rowOf(page, t1.subject).getAttribute('aria-current')).toBe('true');
    expect(await rowOf(page, t2.subject).getAttribute('aria-current')).toBeNull();
    await expectAccessible(page, 'desk: an open ticket beside the queue');

    // Letters typed into a field stay letters.
    const comment = ticket.getByLabel('Comment', { exact: true });
    await tabTo(page, comment);
    await page.keyboard.type('jka?r');
    expect(await comment.inputValue()).toBe('jka?r');
    expect(await isFocused(comment)).toBe(true);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect((await read(t1.id)).status).toBe('open');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    expect(await comment.inputValue()).toBe('');
    await page.keyboard.press('Shift+Tab');

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await expectAccessible(page, 'desk: keyboard shortcuts dialog');
    await shot(page, 'keyboard-shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    expect(await isFocused(page.getByRole('button', { name: /Keyboard shortcuts/ }))).toBe(true);

    await page.keyboard.press('r');
    const reason = ticket.getByLabel('Reason');
    expect(await isFocused(reason)).toBe(true);
    await page.keyboard.type('We cannot change how phones ring.');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Reject');
    await page.keyboard.press('Enter');
    // Said in words, naming the ticket and the reason; the badge's bare word is not read out.
    const said = ticket.getByRole('status').filter({ hasText: 'You rejected' });
    await said.waitFor();
    expect(await said.textContent()).toBe(
      `You rejected “${t1.subject}”. Reason given to the reseller: We cannot change how phones ring.`,
    );
    expect(await statusBadge(page).textContent()).toBe('rejected');
    expect(await inLiveRegion(statusBadge(page))).toBe(false);
    // The form is gone; the keyboard is on the ticket's title, not lost on the page.
    expect(await isFocused(ticket.getByRole('heading', { name: t1.subject, level: 2 }))).toBe(true);
    await expectAccessible(page, 'desk: a ticket just rejected');

    await page.keyboard.press('j');
    expect(await focusedText(page)).toBe(t2.subject);
    await page.keyboard.press('Enter');
    const second = ticketRegion(page, t2.subject);
    await second.getByRole('heading', { name: 'History' }).waitFor();
    await page.keyboard.press('a');
    await second
      .getByRole('status')
      .filter({ hasText: `You approved “${t2.subject}”: it is resolved.` })
      .waitFor();
    expect(await statusBadge(page).textContent()).toBe('resolved');

    expect(await read(t1.id)).toMatchObject({ status: 'rejected', resolution: 'We cannot change how phones ring.' });
    expect(await read(t2.id)).toMatchObject({ status: 'resolved', decidedBy: agentA.username });
  });

  it('tells the agent who loses a race to decide who decided what and when, and keeps the note', async () => {
    const contested = await openTicket(user.client, { type: 'general', subject: `Contested ${unique()}` });
    const deskB = await pageAs(agentB, ticketUrl(contested.id));
    await deskA.goto(`${stack.authUrl}${ticketUrl(contested.id)}`);
    const notes = { a: 'Checked the contract: fine by me.', b: 'Called them back, approving.' };
    for (const [page, note] of [
      [deskA, notes.a],
      [deskB, notes.b],
    ] as const) {
      await ticketRegion(page, contested.subject).getByLabel('Note (optional)').fill(note);
    }
    await Promise.all(
      [deskA, deskB].map((page) =>
        ticketRegion(page, contested.subject).getByRole('button', { name: 'Approve' }).click(),
      ),
    );

    const decided = await eventually(async () => {
      const ticket = await read(contested.id);
      expect(ticket.status).toBe('resolved');
      return ticket;
    });
    const [winner, loserPage, loserNote] =
      decided.decidedBy === agentA.username ? [agentA, deskB, notes.b] : [agentB, deskA, notes.a];
    const region = ticketRegion(loserPage, contested.subject);
    const alert = region.getByRole('alert').filter({ hasText: 'Your decision was not saved' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`${winner.username} approved this ticket at`);
    expect(await isFocused(loserPage.locator('#ticket-error'))).toBe(true);
    expect(await region.getByLabel('Comment', { exact: true }).inputValue()).toBe(loserNote);
    expect(await region.getByLabel('Internal note: agents only').isChecked()).toBe(true);
    await region
      .locator('#ticket-status')
      .filter({ hasText: /^(approved|resolved)$/ })
      .waitFor();
    await expectAccessible(loserPage, 'desk: the conflict message, the note kept');
    await shot(loserPage, 'conflict-kept-note');

    // The kept note goes in as an internal note; the reseller never reads it.
    await region.getByRole('button', { name: 'Add Internal Note' }).click();
    await region.getByRole('status').filter({ hasText: 'Internal note added.' }).waitFor();
    const seen = (await user.client.get<Ticket>(`/tickets/${contested.id}`)).body;
    expect(JSON.stringify(seen)).not.toContain(loserNote);
    expect((await read(contested.id)).comments.map((c) => [c.body, c.internal])).toEqual([[loserNote, true]]);
    await deskB.context().close();
  });

  it('asks before approving a disable_2fa, naming the reseller, and goes ahead only when told to: by keyboard', async () => {
    await deskA.goto(`${stack.authUrl}${ticketUrl(disable.id)}`);
    const region = ticketRegion(deskA, disable.subject);
    await region.getByRole('heading', { name: 'History' }).waitFor();
    await deskA.keyboard.press('a');
    const dialog = deskA.getByRole('dialog', { name: 'Turn two-factor authentication off?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('turns two-factor authentication OFF for Bluewave Telecom');
    expect(await isFocused(dialog.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await expectAccessible(deskA, 'desk: confirm turning 2FA off');
    await shot(deskA, 'confirm-disable');

    // Escape is Cancel: nothing is sent, and the keyboard is back at the note.
    await deskA.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const note = region.getByLabel('Note (optional)');
    expect(await isFocused(note)).toBe(true);
    expect((await read(disable.id)).status).toBe('open');

    await deskA.keyboard.type('Their admin asked by phone.');
    await deskA.keyboard.press('Tab');
    expect(await focusedText(deskA)).toBe('Approve');
    await deskA.keyboard.press('Enter');
    await dialog.waitFor();
    await deskA.keyboard.press('Shift+Tab');
    expect(await focusedText(deskA)).toBe('Turn 2FA off for Bluewave Telecom');
    await deskA.keyboard.press('Enter');
    await region
      .getByRole('status')
      .filter({ hasText: new RegExp(`^(You approved “${disable.subject}”|“${disable.subject}” is resolved)`) })
      .waitFor();
    const decided = await read(disable.id);
    expect(decided.decidedBy).toBe(agentA.username);
    expect(decided.history.find((entry) => entry.action === 'approved')?.note).toBe('Their admin asked by phone.');
  });

  it("says plainly that an agent's own ticket needs another agent, and offers no Approve", async () => {
    const own = await openTicket(agentA.client, { type: 'general', subject: 'Opened by Ada', resellerId: bluewave.id });
    await deskA.goto(`${stack.authUrl}${ticketUrl(own.id)}`);
    const region = ticketRegion(deskA, own.subject);
    await region.getByText('You opened this ticket yourself, so another agent has to approve it.').waitFor();
    await expectAccessible(deskA, "desk: an agent's own ticket");
    expect(await region.getByRole('button', { name: 'Approve' }).isVisible()).toBe(false);
    await region.locator('#ticket-title').focus();
    await deskA.keyboard.press('a');
    expect((await read(own.id)).status).toBe('open');
  });

  it('assigns a ticket to me, shows "mine", searches, and filters by a reseller name', async () => {
    const fax = await openTicket(skyUser.client, { type: 'general', subject: 'Fax line silent' });
    const faxToo = await openTicket(user.client, { type: 'general', subject: 'Fax broken again' });
    await deskA.goto(`${stack.authUrl}${ticketUrl(fax.id)}`);
    await deskA.getByRole('button', { name: 'Refresh' }).click();
    await rowOf(deskA, fax.subject).waitFor();
    const region = ticketRegion(deskA, fax.subject);
    await region.getByRole('button', { name: 'Assign to me' }).click();
    await region.getByRole('status').filter({ hasText: 'Assigned to you.' }).waitFor();
    expect(await region.locator('#ticket-assignee').textContent()).toBe(agentA.username);
    expect(await region.getByRole('button', { name: 'Unassign me' }).isVisible()).toBe(true);
    await expectAccessible(deskA, 'desk: a ticket assigned to me');
    expect((await rowOf(deskA, fax.subject).getByRole('cell').allTextContents())[4]).toBe(agentA.username);

    await deskA.getByLabel('Assigned to').selectOption('me');
    await deskA.getByRole('status').filter({ hasText: '1 ticket shown' }).waitFor();
    expect(await subjectsShown(deskA)).toEqual([fax.subject]);
    await deskA.getByLabel('Assigned to').selectOption('');

    await deskA.getByLabel('Search').fill('FAX');
    await deskA.getByRole('button', { name: 'Show' }).click();
    await deskA.getByRole('status').filter({ hasText: '2 tickets shown' }).waitFor();
    expect(await subjectsShown(deskA)).toEqual([fax.subject, faxToo.subject]);

    await deskA.getByRole('textbox', { name: 'Reseller' }).fill('blue sky phones');
    await deskA.getByRole('button', { name: 'Show' }).click();
    await deskA.getByRole('status').filter({ hasText: '1 ticket of Blue Sky Phones shown' }).waitFor();
    expect(await subjectsShown(deskA)).toEqual([fax.subject]);

    // "Blue" is in both names: the agent picks one.
    await deskA.getByRole('textbox', { name: 'Reseller' }).fill('Blue');
    await deskA.getByRole('button', { name: 'Show' }).click();
    await deskA.getByText('Several resellers match "Blue". Which one?').waitFor();
    await expectAccessible(deskA, 'desk: which reseller?');
    await shot(deskA, 'reseller-choices');
    await deskA.getByRole('button', { name: `Bluewave Telecom (${bluewave.id})` }).click();
    await deskA.getByRole('status').filter({ hasText: '1 ticket of Bluewave Telecom shown' }).waitFor();
    expect(await subjectsShown(deskA)).toEqual([faxToo.subject]);

    await deskA.getByRole('textbox', { name: 'Reseller' }).fill('Nobody Like This');
    await deskA.getByRole('button', { name: 'Show' }).click();
    await deskA.getByRole('alert').filter({ hasText: 'No reseller is called "Nobody Like This"' }).waitFor();
    await expectAccessible(deskA, 'desk: no such reseller');
  });

  it('refreshes the queue by itself and says when new tickets arrived', async () => {
    await deskA.goto(`${stack.authUrl}/desk`);
    await deskA.getByRole('status').filter({ hasText: 'shown, oldest first' }).waitFor();
    const arrived = await openTicket(skyUser.client, { type: 'general', subject: `Arrived ${unique()}` });
    await deskA.getByRole('status').filter({ hasText: '1 new ticket arrived.' }).waitFor({ timeout: 30_000 });
    await rowOf(deskA, arrived.subject).waitFor();
    await expectAccessible(deskA, 'desk: new tickets arrived');
  });

  it('puts the ticket beside the queue at 1280 px without breaking a word', async () => {
    await deskA.goto(`${stack.authUrl}${ticketUrl(t1.id)}`);
    await ticketRegion(deskA, t1.subject).getByRole('heading', { name: 'History' }).waitFor();
    const queue = (await deskA.locator('#queue').boundingBox())!;
    const ticket = (await deskA.locator('#ticket').boundingBox())!;
    expect(ticket.x).toBeGreaterThanOrEqual(queue.x + queue.width);
    expect(Math.abs(ticket.y - queue.y)).toBeLessThan(2);
    // A word whose letters land on two lines has two boxes.
    const broken = await deskA.evaluate<string[]>(`(() => {
      const broken = [];
      const walker = document.createTreeWalker(document.getElementById('queue'), NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.textContent.matchAll(/\\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
          if (lines.size > 1) broken.push(match[0]);
        }
      }
      return broken;
    })()`);
    expect(broken).toEqual([]);
    await expectAccessible(deskA, 'desk: ticket beside the queue at 1280 px');
    await shot(deskA, 'side-by-side-1280');
  });

  it('gives the ticket a screen of its own at 375 px, with a way back to the queue', async () => {
    const small = await openTicket(user.client, { type: 'general', subject: 'Seen on a phone' });
    const phone = await pageAs(agentA, '/desk', 375, 812);
    await rowOf(phone, small.subject).waitFor();
    await rowOf(phone, small.subject).getByRole('link').click();
    const title = phone.getByRole('heading', { name: small.subject, level: 2 });
    await title.waitFor();
    expect(await phone.locator('#queue').isVisible()).toBe(false);
    const box = (await title.boundingBox())!;
    expect(box.y + box.height).toBeLessThan(812);
    expect(await phone.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expectAccessible(phone, 'desk: a ticket on its own at 375 px');
    await shot(phone, 'ticket-375');
    await phone.getByRole('link', { name: 'Back to the queue' }).click();
    await phone.getByRole('heading', { name: 'Ticket queue' }).waitFor();
    expect(await phone.locator('#ticket').isVisible()).toBe(false);
    await expectAccessible(phone, 'desk: the queue at 375 px');
    await phone.context().close();
  });

  it('draws the focus ring with at least 3:1 contrast, on the cards and on the top bar', async () => {
    await deskA.getByLabel('Search').focus();
    await deskA.keyboard.press('Tab');
    const onCard = await ringContrast(deskA);
    expect(onCard).toBeGreaterThanOrEqual(3);
    await deskA.getByRole('button', { name: 'Log out' }).focus();
    await deskA.keyboard.press('Shift+Tab');
    await deskA.keyboard.press('Tab');
    expect(await ringContrast(deskA)).toBeGreaterThanOrEqual(3);
  });

  it('lets a reseller user read support’s reply on My Requests and answer it; internal notes stay out', async () => {
    const ticket = await openTicket(user.client, { type: 'general', subject: 'Voicemail greeting' });
    const reply = 'Which greeting do you mean: office hours or after hours?';
    const internal = `Internal ${unique()}: they are on the old plan.`;
    expect((await agentB.client.post(`/tickets/${ticket.id}/comments`, { body: reply })).status).toBe(201);
    expect(
      (await agentB.client.post(`/tickets/${ticket.id}/comments`, { body: internal, internal: true })).status,
    ).toBe(201);

    const page = await pageAs(user, '/');
    await page.getByRole('heading', { name: `Welcome, ${user.username}` }).waitFor();
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'My Requests' }).click();
    const heading = page.getByRole('heading', { name: 'My Requests' });
    await heading.waitFor();
    expect(await isFocused(heading)).toBe(true);
    const row = page.locator('#my-requests-rows tr').filter({ hasText: ticket.subject });
    await row.waitFor();
    expect((await row.getByRole('cell').allTextContents()).slice(2)).toEqual(['open', '1']);
    await expectAccessible(page, 'dashboard: My Requests');
    await shot(page, 'my-requests');

    await row.getByRole('link', { name: ticket.subject }).click();
    await page.getByRole('heading', { name: ticket.subject, level: 1 }).waitFor();
    await page.getByText(reply).waitFor();
    await expectAccessible(page, "dashboard: a request with support's reply");
    expect(await page.content()).not.toContain(internal);
    expect(await page.title()).toBe(`${ticket.subject} · My Requests · PBX Dashboard`);
    await page.getByLabel('Your reply').fill('Office hours, please.');
    await page.getByRole('button', { name: 'Send Reply' }).click();
    await page.getByRole('status').filter({ hasText: 'Your reply was sent to support.' }).waitFor();
    await page.locator('#my-request-conversation').getByText('Office hours, please.').waitFor();
    await expectAccessible(page, 'dashboard: a request answered');
    await shot(page, 'my-request-answered');
    expect((await read(ticket.id)).comments.map((c) => [c.author, c.body])).toEqual([
      [agentB.username, reply],
      [agentB.username, internal],
      [user.username, 'Office hours, please.'],
    ]);

    // A decided request takes no more replies, and says so.
    await page.goto(`${stack.authUrl}/#request=${t1.id}`);
    await page.getByText('This request is rejected, so it takes no more replies.').waitFor();
    expect(await page.getByLabel('Your reply').isVisible()).toBe(false);
    await expectAccessible(page, 'dashboard: a decided request');
    await page.context().close();
  });

  it('offers "Skip to main content" as the first stop of the Tab key; it keeps the open ticket', async () => {
    await deskA.goto(`${stack.authUrl}${ticketUrl(t1.id)}`);
    await ticketRegion(deskA, t1.subject).getByRole('heading', { name: 'History' }).waitFor();
    const skip = deskA.getByRole('link', { name: 'Skip to main content' });
    expect(
      await deskA.evaluate<boolean>(
        `document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')?.id === 'skip-link'`,
      ),
    ).toBe(true);
    // Out of sight until it has the focus; then on screen.
    expect(await onScreen(deskA, skip)).toBe(false);
    await tabTo(deskA, skip, { backwards: true });
    expect(await onScreen(deskA, skip)).toBe(true);
    await shot(deskA, 'skip-link');
    await deskA.keyboard.press('Enter');
    expect(await isFocused(deskA.getByRole('main'))).toBe(true);
    expect(new URL(deskA.url()).hash).toBe(`#ticket=${t1.id}`);
    expect(await ticketRegion(deskA, t1.subject).isVisible()).toBe(true);
    await deskA.keyboard.press('Tab');
    expect(await isFocused(deskA.getByRole('button', { name: /Keyboard shortcuts/ }))).toBe(true);
  });

  it('keeps the keyboard after the last Load more: on the first ticket (and request) it brought', async () => {
    const word = `Loadmore${unique()}`;
    const subjects: string[] = [];
    for (let i = 0; i < 21; i++) {
      subjects.push((await openTicket(skyUser.client, { type: 'general', subject: `${word} ${i + 1}` })).subject);
    }
    await deskA.goto(`${stack.authUrl}/desk`);
    await deskA.getByRole('status').filter({ hasText: 'shown, oldest first' }).waitFor();
    await deskA.getByLabel('Search').fill(word);
    await deskA.getByRole('button', { name: 'Show' }).click();
    // (The whole open queue shows 20 at first too: wait for the search's own rows.)
    await queueRows(deskA).filter({ hasText: word }).nth(19).waitFor();
    expect(await subjectsShown(deskA)).toEqual(subjects.slice(0, 20));
    const more = deskA.getByRole('button', { name: 'Load more' });
    await more.click();
    await deskA.getByRole('status').filter({ hasText: '21 tickets shown' }).waitFor();
    expect(await more.isVisible()).toBe(false);
    expect(await focusedText(deskA)).toBe(subjects[20]);
    await expectAccessible(deskA, 'desk: after the last Load more');

    const page = await pageAs(skyUser, '/#requests');
    await page.getByRole('status').filter({ hasText: 'requests shown' }).waitFor();
    const shown = await page.locator('#my-requests-rows tr').count();
    expect(shown).toBe(20);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'hidden' });
    const all = await page.locator('#my-requests-rows tr td:first-child a').allTextContents();
    expect(all.length).toBeGreaterThan(20);
    expect(await focusedText(page)).toBe(all[20]);
    await expectAccessible(page, 'dashboard: My Requests after the last Load more');
    await page.context().close();
  });

  /** The focused element's outline colour against the background behind it, as WCAG computes contrast. */
  async function ringContrast(page: Page): Promise<number> {
    const [ring, behind] = await page.evaluate<[string, string]>(`(() => {
      const node = document.activeElement;
      const ring = getComputedStyle(node).outlineColor;
      let parent = node.parentElement;
      while (parent && /rgba\\(0, 0, 0, 0\\)|transparent/.test(getComputedStyle(parent).backgroundColor)) parent = parent.parentElement;
      return [ring, parent ? getComputedStyle(parent).backgroundColor : 'rgb(255, 255, 255)'];
    })()`);
    return contrast(ring, behind);
  }
});

/** Whether the element is inside the window, where eyes can see it. */
async function onScreen(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize()!;
  return (
    box !== null &&
    box.width > 1 &&
    box.height > 1 &&
    box.x >= 0 &&
    box.y >= 0 &&
    box.x + box.width <= viewport.width &&
    box.y + box.height <= viewport.height
  );
}

function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
