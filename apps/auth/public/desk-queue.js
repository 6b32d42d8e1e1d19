// The desk's queue: filters (a reseller by name or id, search, mine), oldest open tickets first
// with their age, requester and assignee, Load more, and a refresh every few seconds that says
// when new tickets arrived. `j`/`k` move through it (see desk-keys.js).

import { get } from './api.js';
import { announce, byId, clearError, el, formatTime, showError } from './dom.js';
import { ageOf, resellerLabel, typeName } from './ticket-format.js';

const PAGE_SIZE = 20;
const MAX_PAGE = 100;
const REFRESH_MS = 10_000;
const RESELLER_ID = /^[a-z0-9-]{2,40}$/;

export function deskQueue() {
  const rows = byId('queue-rows');
  const queueError = byId('queue-error');
  const status = byId('queue-status');
  const resellerField = byId('filter-reseller');
  let generation = 0;
  let nextCursor = null;
  let openId = null;
  /** Tickets shown since the filters last changed (id → createdAt): anything newer a refresh finds is new. */
  let seen = new Map();
  /** The reseller the filter's text stands for, once looked up: `{ text, id, name }`. */
  let reseller = null;
  let timer = null;

  // --- filters --------------------------------------------------------------------------------

  function filters() {
    return {
      status: byId('filter-status').value,
      type: byId('filter-type').value,
      assignee: byId('filter-assignee').value,
      sort: byId('filter-sort').value,
      q: byId('filter-q').value.trim(),
      resellerId: reseller?.id,
    };
  }

  function hideChoices() {
    byId('reseller-choices').hidden = true;
    byId('reseller-choices-list').replaceChildren();
  }

  /** Several resellers match what was typed: the agent picks one. */
  function offerChoices(text, items) {
    byId('reseller-choices-text').textContent = `Several resellers match "${text}". Which one?`;
    byId('reseller-choices-list').replaceChildren(
      ...items.map((item) =>
        el(
          'li',
          {},
          el('button', {
            type: 'button',
            class: 'secondary',
            'data-reseller-id': item.id,
            text: `${item.name} (${item.id})`,
          }),
        ),
      ),
    );
    byId('reseller-choices').hidden = false;
    byId('reseller-choices-list').querySelector('button')?.focus();
    byId('reseller-choices-list').onclick = (event) => {
      const button = event.target.closest('button[data-reseller-id]');
      if (!button) return;
      const item = items.find((candidate) => candidate.id === button.dataset.resellerId);
      resellerField.value = item.name;
      reseller = { text: item.name, id: item.id, name: item.name };
      hideChoices();
      void load();
      resellerField.focus();
    };
  }

  /**
   * Turns the reseller field's text into a reseller id: an exact name or id, or the only reseller
   * whose name holds the words. Answers false when the agent has to pick or fix it first.
   */
  async function resolveReseller() {
    const text = resellerField.value.trim();
    hideChoices();
    if (!text) {
      reseller = null;
      return true;
    }
    if (reseller?.text === text) return true;
    const { items } = await get('/resellers', { q: text });
    const lower = text.toLowerCase();
    const exact = items.find((item) => item.id === lower || item.name.toLowerCase() === lower);
    const match = exact ?? (items.length === 1 ? items[0] : null);
    if (match) {
      reseller = { text, id: match.id, name: match.name };
      return true;
    }
    reseller = null;
    if (items.length > 1) {
      offerChoices(text, items);
      return false;
    }
    // Not in the gateway's list of names (yet): an id is still worth asking for.
    if (RESELLER_ID.test(lower)) {
      reseller = { text, id: lower, name: lower };
      return true;
    }
    showError(queueError, `No reseller is called "${text}". Check the name, or type its id.`);
    resellerField.focus();
    return false;
  }

  // --- rows -----------------------------------------------------------------------------------

  function row(ticket) {
    const current = ticket.id === openId;
    return el(
      'tr',
      { 'data-ticket-id': ticket.id, 'aria-current': current ? 'true' : null, class: current ? 'open-row' : null },
      el(
        'td',
        { 'data-label': 'Ticket' },
        el('a', { href: `#ticket=${ticket.id}`, 'aria-current': current ? 'true' : null, text: ticket.subject }),
        el('span', { class: 'sub', text: typeName(ticket.type) }),
      ),
      el('td', { 'data-label': 'Reseller', text: resellerLabel(ticket) }),
      el('td', { 'data-label': 'Requester', class: 'nowrap', text: ticket.openedBy }),
      el(
        'td',
        { 'data-label': 'Age', class: 'nowrap' },
        el('time', { datetime: ticket.createdAt, title: formatTime(ticket.createdAt), text: ageOf(ticket.createdAt) }),
      ),
      el('td', { 'data-label': 'Assignee', class: 'nowrap', text: ticket.assignee ?? '—' }),
      el(
        'td',
        { 'data-label': 'Status', class: 'nowrap' },
        el('span', { class: `badge status-${ticket.status}`, text: ticket.status }),
      ),
    );
  }

  function describe(count) {
    const whose = reseller ? ` of ${reseller.name}` : '';
    const order = filters().sort || (filters().status === 'open' ? 'oldest' : 'newest');
    byId('queue-caption').textContent = `Tickets${whose}, ${order} first`;
    return count === 0
      ? `No tickets${whose} match these filters.`
      : `${count} ticket${count === 1 ? '' : 's'}${whose} shown, ${order} first.`;
  }

  /** Puts rows in, keeping focus on the ticket it was on (a refresh must not steal the keyboard). */
  function render(items, { append }) {
    const focusedId = document.activeElement?.closest?.('#queue-rows tr')?.dataset.ticketId;
    if (!append) rows.replaceChildren();
    rows.append(...items.map(row));
    if (focusedId) rowOf(focusedId)?.querySelector('a')?.focus();
  }

  async function load({ more = false } = {}) {
    const mine = ++generation;
    clearError(queueError);
    try {
      if (!more && !(await resolveReseller())) return;
      if (mine !== generation) return;
      const page = await get('/tickets', { ...filters(), limit: PAGE_SIZE, cursor: more ? nextCursor : undefined });
      if (mine !== generation) return;
      if (!more) seen = new Map();
      for (const ticket of page.items) seen.set(ticket.id, ticket.createdAt);
      render(page.items, { append: more });
      nextCursor = page.nextCursor;
      byId('queue-more').hidden = !nextCursor;
      // The last Load more removes its button: focus goes to the first ticket it brought.
      if (more && !nextCursor) (rowOf(page.items[0]?.id ?? '') ?? rows.lastElementChild)?.querySelector('a')?.focus();
      announce(status, describe(rows.children.length));
    } catch (error) {
      if (mine === generation) showError(queueError, error);
    }
  }

  const orderOf = (shown) => shown.sort || (shown.status === 'open' ? 'oldest' : 'newest');

  /** The newest creation time among the tickets seen, as ISO text (which sorts as time does). */
  const newestSeen = () => [...seen.values()].reduce((newest, at) => (at > newest ? at : newest), '');

  /**
   * The rows on screen again, fresh, and how many tickets arrived since the agent last looked. In
   * an oldest-first queue with more pages, new tickets are past the last row: a newest-first look
   * finds them.
   */
  async function refresh() {
    const mine = generation;
    const shown = filters();
    try {
      const limit = Math.min(MAX_PAGE, Math.max(PAGE_SIZE, rows.children.length));
      const page = await get('/tickets', { ...shown, limit });
      const probe =
        orderOf(shown) === 'oldest' && page.nextCursor
          ? await get('/tickets', { ...shown, sort: 'newest', limit: PAGE_SIZE })
          : { items: [] };
      if (mine !== generation) return;
      const since = newestSeen();
      const arrived = new Map();
      for (const ticket of [...page.items, ...probe.items]) {
        if (!seen.has(ticket.id) && ticket.createdAt > since) arrived.set(ticket.id, ticket);
      }
      for (const ticket of page.items) seen.set(ticket.id, ticket.createdAt);
      for (const ticket of arrived.values()) seen.set(ticket.id, ticket.createdAt);
      render(page.items, { append: false });
      nextCursor = page.nextCursor;
      byId('queue-more').hidden = !nextCursor;
      if (arrived.size) {
        const onScreen = [...arrived.keys()].filter((id) => rowOf(id)).length;
        const where = onScreen === arrived.size ? '' : ' at the end of the queue: Load more shows them';
        announce(status, `${arrived.size} new ticket${arrived.size === 1 ? '' : 's'} arrived${where}.`);
      }
    } catch {
      // The next refresh tries again; a lasting problem shows at the next load.
    }
  }

  function startRefreshing() {
    stopRefreshing();
    timer = setInterval(() => {
      if (!document.hidden) void refresh();
    }, REFRESH_MS);
  }

  function stopRefreshing() {
    clearInterval(timer);
    timer = null;
  }

  function rowOf(id) {
    return rows.querySelector(`tr[data-ticket-id="${CSS.escape(id)}"]`);
  }

  /** Moves the keyboard through the queue: +1 the next ticket, -1 the previous one. */
  function step(by) {
    const all = [...rows.querySelectorAll('tr')];
    if (all.length === 0) return;
    const at = all.findIndex((tr) => tr.contains(document.activeElement));
    const from = at >= 0 ? at : all.findIndex((tr) => tr.dataset.ticketId === openId);
    const to = from < 0 ? (by > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, from + by));
    all[to].querySelector('a').focus();
  }

  function markOpen(id) {
    openId = id;
    for (const tr of rows.querySelectorAll('tr')) {
      const current = tr.dataset.ticketId === id;
      tr.classList.toggle('open-row', current);
      for (const node of [tr, tr.querySelector('a')]) {
        if (current) node.setAttribute('aria-current', 'true');
        else node.removeAttribute('aria-current');
      }
    }
  }

  /** Keeps the row of a ticket in step with what the ticket view learnt. */
  function update(ticket) {
    rowOf(ticket.id)?.replaceWith(row(ticket));
  }

  function clear() {
    generation++;
    stopRefreshing();
    rows.replaceChildren();
    seen = new Map();
    openId = null;
    hideChoices();
  }

  byId('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  for (const id of ['filter-status', 'filter-type', 'filter-assignee', 'filter-sort']) {
    byId(id).addEventListener('change', () => void load());
  }
  byId('queue-more').addEventListener('click', () => void load({ more: true }));
  byId('queue-refresh').addEventListener('click', () => void load());

  return { load, startRefreshing, stopRefreshing, step, markOpen, update, clear };
}
