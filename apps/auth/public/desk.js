// The agents' desk at `/desk`: the ticket queue with filters, one ticket with its history and
// comments, Approve and Reject. An approved ticket is polled every second until the change it
// asked for took effect and its status reads `resolved`.

import { get, post } from './api.js';
import { announce, byId, clearError, el, formatTime, showError, whileBusy } from './dom.js';
import { startSession } from './session.js';

const TYPE_NAMES = {
  enable_2fa: 'Enable 2FA',
  require_2fa: 'Require 2FA',
  disable_2fa: 'Disable 2FA',
  reset_user_2fa: "Reset a user's 2FA",
  general: 'General',
};
const typeName = (type) => TYPE_NAMES[type] ?? type;
const MODE_NAMES = { off: 'off', optional: 'on (optional)', required: 'required' };

/** What approving would change, as the gateway worked it out from the reseller's current mode. */
function effectText(effect) {
  if (!effect) return null;
  const from = MODE_NAMES[effect.currentMode] ?? effect.currentMode;
  const to = MODE_NAMES[effect.requestedMode] ?? effect.requestedMode;
  const deadline = effect.enrollBy ? `; users without it must set it up by ${formatTime(effect.enrollBy)}` : '';
  return effect.changes ? `2FA ${from} → ${to}${deadline}` : `None: 2FA is already ${from}`;
}
const POLL_APPROVED_MS = 1000;
const PAGE_SIZE = 20;

const rows = byId('queue-rows');
const queueError = byId('queue-error');
const ticketError = byId('ticket-error');
let signedIn = false;
/** Bumped whenever the ticket on screen changes, so polls and late answers of the old one stop. */
let ticketGeneration = 0;
let queueGeneration = 0;
let nextCursor = null;
let shownTicket = null;

// --- the queue --------------------------------------------------------------------------------

function filters() {
  return {
    status: byId('filter-status').value,
    type: byId('filter-type').value,
    resellerId: byId('filter-reseller').value.trim().toLowerCase(),
  };
}

function queueRow(ticket) {
  const cells = [
    el('td', { 'data-label': 'Ticket' }, el('a', { href: `#ticket=${ticket.id}`, text: ticket.subject })),
    el('td', { 'data-label': 'Reseller', text: ticket.resellerId }),
    el('td', { 'data-label': 'Type', text: typeName(ticket.type) }),
    el('td', { 'data-label': 'Status' }, el('span', { class: `badge status-${ticket.status}`, text: ticket.status })),
    el('td', { 'data-label': 'Opened', text: formatTime(ticket.createdAt) }),
  ];
  return el('tr', { 'data-ticket-id': ticket.id }, cells);
}

async function loadQueue({ more = false } = {}) {
  const mine = ++queueGeneration;
  clearError(queueError);
  try {
    const page = await get('/tickets', { ...filters(), limit: PAGE_SIZE, cursor: more ? nextCursor : undefined });
    if (mine !== queueGeneration) return;
    if (!more) rows.replaceChildren();
    rows.append(...page.items.map(queueRow));
    nextCursor = page.nextCursor;
    byId('queue-more').hidden = !nextCursor;
    const count = rows.children.length;
    announce(
      byId('queue-status'),
      count === 0 ? 'No tickets match these filters.' : `${count} ticket${count === 1 ? '' : 's'} shown.`,
    );
  } catch (error) {
    if (mine === queueGeneration) showError(queueError, error);
  }
}

/** Keeps the queue's row of a ticket in step with what the ticket view learnt. */
function updateRow(ticket) {
  const row = rows.querySelector(`tr[data-ticket-id="${CSS.escape(ticket.id)}"]`);
  if (row) row.replaceWith(queueRow(ticket));
}

byId('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadQueue();
});
for (const id of ['filter-status', 'filter-type']) byId(id).addEventListener('change', () => void loadQueue());
byId('queue-more').addEventListener('click', () => void loadQueue({ more: true }));
byId('queue-refresh').addEventListener('click', () => void loadQueue());

// --- one ticket -------------------------------------------------------------------------------

function fact(id, value) {
  const dd = byId(id);
  dd.textContent = value ?? '';
  const term = document.getElementById(`${id}-term`);
  if (term) term.hidden = dd.hidden = !value;
}

function historyEntry(entry) {
  const change = entry.fromStatus ? `${entry.fromStatus} → ${entry.toStatus}` : entry.toStatus;
  return el(
    'li',
    {},
    el('time', { datetime: entry.at, text: formatTime(entry.at) }),
    ' ',
    el('strong', { text: entry.action }),
    ` by ${entry.actor} (${change})`,
    entry.note ? el('span', { class: 'note', text: ` — ${entry.note}` }) : null,
  );
}

function commentEntry(comment) {
  return el(
    'li',
    {},
    el(
      'p',
      { class: 'byline' },
      el('strong', { text: comment.author }),
      ' · ',
      el('time', { datetime: comment.createdAt, text: formatTime(comment.createdAt) }),
    ),
    el('p', { class: 'body', text: comment.body }),
  );
}

function renderTicket(ticket) {
  shownTicket = ticket;
  byId('ticket').hidden = false;
  byId('ticket-title').textContent = ticket.subject;
  byId('ticket-reseller').textContent = ticket.resellerId;
  byId('ticket-type').textContent = typeName(ticket.type);
  const status = byId('ticket-status');
  status.textContent = ticket.status;
  status.className = `badge status-${ticket.status}`;
  byId('ticket-opened').textContent = `${formatTime(ticket.createdAt)} by ${ticket.openedBy}`;
  fact('ticket-target', ticket.targetUsername);
  fact('ticket-grace', ticket.graceDays === null || ticket.graceDays === undefined ? null : `${ticket.graceDays} days`);
  fact('ticket-effect', effectText(ticket.effect));
  fact('ticket-decided', ticket.decidedBy ? `${formatTime(ticket.decidedAt)} by ${ticket.decidedBy}` : null);
  fact('ticket-resolution', ticket.resolution);
  byId('ticket-description').textContent = ticket.description;
  byId('ticket-description').hidden = !ticket.description;
  byId('decision').hidden = ticket.status !== 'open';
  byId('ticket-history').replaceChildren(...ticket.history.map(historyEntry));
  byId('ticket-comments').replaceChildren(...ticket.comments.map(commentEntry));
  byId('no-comments').hidden = ticket.comments.length > 0;
  updateRow(ticket);
}

async function openTicket(id, { moveFocus }) {
  const mine = ++ticketGeneration;
  clearError(ticketError);
  byId('approve-form').reset();
  byId('reject-form').reset();
  byId('comment-form').reset();
  clearError(byId('comment-error'));
  try {
    const ticket = await get(`/tickets/${encodeURIComponent(id)}`);
    if (mine !== ticketGeneration) return;
    renderTicket(ticket);
    if (moveFocus) byId('ticket-title').focus();
    if (ticket.status === 'approved') watch(ticket.id, mine);
  } catch (error) {
    if (mine !== ticketGeneration) return;
    byId('ticket').hidden = false;
    byId('ticket-title').textContent = 'Ticket';
    showError(ticketError, error);
  }
}

/** While a ticket is approved, asks for it every second: the status turns `resolved` on screen. */
function watch(id, mine) {
  setTimeout(async () => {
    if (mine !== ticketGeneration || !signedIn) return;
    try {
      const ticket = await get(`/tickets/${encodeURIComponent(id)}`);
      if (mine !== ticketGeneration) return;
      renderTicket(ticket);
      if (ticket.status === 'approved') watch(id, mine);
    } catch {
      if (mine === ticketGeneration) watch(id, mine);
    }
  }, POLL_APPROVED_MS);
}

function decide(formId, path, body) {
  const form = byId(formId);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!shownTicket) return;
    const id = shownTicket.id;
    const mine = ticketGeneration;
    void whileBusy(form, async () => {
      clearError(ticketError);
      try {
        const ticket = await post(`/tickets/${id}/${path}`, body());
        if (mine !== ticketGeneration) return;
        form.reset();
        renderTicket(ticket);
        byId('ticket-status').focus();
        if (ticket.status === 'approved') watch(id, mine);
      } catch (error) {
        showError(ticketError, error);
        // Someone else decided first (409): show what the ticket is now.
        if (error.status === 409) void openTicket(id, { moveFocus: false });
      }
    });
  });
}

decide('approve-form', 'approve', () => {
  const note = byId('approve-note').value.trim();
  return note ? { note } : {};
});
decide('reject-form', 'reject', () => ({ reason: byId('reject-reason').value.trim() }));

const commentForm = byId('comment-form');
commentForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!shownTicket) return;
  const id = shownTicket.id;
  void whileBusy(commentForm, async () => {
    const alert = byId('comment-error');
    clearError(alert);
    try {
      await post(`/tickets/${id}/comments`, { body: byId('comment-body').value.trim() });
      commentForm.reset();
      const ticket = await get(`/tickets/${id}`);
      if (shownTicket?.id === id) renderTicket(ticket);
      byId('comment-body').focus();
    } catch (error) {
      showError(alert, error);
    }
  });
});

// --- routing and start --------------------------------------------------------------------------

function ticketIdFromHash() {
  return new URLSearchParams(window.location.hash.slice(1)).get('ticket');
}

function route({ moveFocus }) {
  if (!signedIn) return;
  const id = ticketIdFromHash();
  if (id) {
    void openTicket(id, { moveFocus });
  } else {
    ticketGeneration++;
    shownTicket = null;
    byId('ticket').hidden = true;
  }
}

window.addEventListener('hashchange', () => route({ moveFocus: true }));

startSession({
  onSignedIn: (me) => {
    if (me.role !== 'agent') {
      byId('not-agent').hidden = false;
      byId('not-agent-title').focus();
      return;
    }
    signedIn = true;
    byId('desk').hidden = false;
    byId('queue-title').focus();
    void loadQueue();
    route({ moveFocus: false });
  },
  onSignedOut: () => {
    signedIn = false;
    ticketGeneration++;
    queueGeneration++;
    shownTicket = null;
    rows.replaceChildren();
    byId('desk').hidden = true;
    byId('ticket').hidden = true;
    byId('not-agent').hidden = true;
  },
});
