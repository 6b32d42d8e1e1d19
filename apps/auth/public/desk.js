// @ts-check
// The agents' desk at `/desk`: the ticket queue with filters, one ticket with its history and
// comments, Approve and Reject. An approved ticket is polled every second until the change it
// asked for took effect and its status reads `resolved`.

import { ApiError, get, post } from './api.js';
import { announce, byId, clearError, el, formatTime, showError, whileBusy } from './dom.js';
import { startSession } from './session.js';

/** @typedef {import('./api.js').Ticket} Ticket */
/** @typedef {import('./api.js').TicketPage} TicketPage */
/** @typedef {import('./api.js').TicketHistoryEntry} TicketHistoryEntry */
/** @typedef {import('./api.js').TicketComment} TicketComment */

/** @type {Record<string, string>} */
const TYPE_NAMES = {
  enable_2fa: 'Enable 2FA',
  disable_2fa: 'Disable 2FA',
  reset_user_2fa: "Reset a user's 2FA",
  general: 'General',
};
const typeName = (/** @type {string} */ type) => TYPE_NAMES[type] ?? type;
const POLL_APPROVED_MS = 1000;
const PAGE_SIZE = 20;

const rows = byId('queue-rows');
const queueError = byId('queue-error');
const ticketError = byId('ticket-error');
let signedIn = false;
/** Bumped whenever the ticket on screen changes, so polls and late answers of the old one stop. */
let ticketGeneration = 0;
let queueGeneration = 0;
/** @type {string | null} */
let nextCursor = null;
/** @type {Ticket | null} */
let shownTicket = null;

// --- the queue --------------------------------------------------------------------------------

function filters() {
  /** @type {HTMLSelectElement} */
  const status = byId('filter-status');
  /** @type {HTMLSelectElement} */
  const type = byId('filter-type');
  /** @type {HTMLInputElement} */
  const resellerId = byId('filter-reseller');
  return {
    status: status.value,
    type: type.value,
    resellerId: resellerId.value.trim().toLowerCase(),
  };
}

/** @param {Ticket} ticket */
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

/** @param {{ more?: boolean }} [options] */
async function loadQueue({ more = false } = {}) {
  const mine = ++queueGeneration;
  clearError(queueError);
  try {
    /** @type {TicketPage} */
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

/**
 * Keeps the queue's row of a ticket in step with what the ticket view learnt.
 * @param {Ticket} ticket
 */
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

/**
 * @param {string} id
 * @param {string | null} value
 */
function fact(id, value) {
  const dd = byId(id);
  dd.textContent = value ?? '';
  const term = document.getElementById(`${id}-term`);
  if (term) term.hidden = dd.hidden = !value;
}

/** @param {TicketHistoryEntry} entry */
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

/** @param {TicketComment} comment */
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

/** @param {Ticket} ticket */
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

/**
 * @param {string} id
 * @param {{ moveFocus: boolean }} options
 */
async function openTicket(id, { moveFocus }) {
  const mine = ++ticketGeneration;
  clearError(ticketError);
  for (const formId of ['approve-form', 'reject-form', 'comment-form'])
    /** @type {HTMLFormElement} */ (byId(formId)).reset();
  clearError(byId('comment-error'));
  try {
    /** @type {Ticket} */
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

/**
 * While a ticket is approved, asks for it every second: the status turns `resolved` on screen.
 * @param {string} id
 * @param {number} mine
 */
function watch(id, mine) {
  setTimeout(async () => {
    if (mine !== ticketGeneration || !signedIn) return;
    try {
      /** @type {Ticket} */
      const ticket = await get(`/tickets/${encodeURIComponent(id)}`);
      if (mine !== ticketGeneration) return;
      renderTicket(ticket);
      if (ticket.status === 'approved') watch(id, mine);
    } catch {
      if (mine === ticketGeneration) watch(id, mine);
    }
  }, POLL_APPROVED_MS);
}

/**
 * @param {string} formId
 * @param {string} path
 * @param {() => object} body
 */
function decide(formId, path, body) {
  /** @type {HTMLFormElement} */
  const form = byId(formId);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!shownTicket) return;
    const id = shownTicket.id;
    const mine = ticketGeneration;
    void whileBusy(form, async () => {
      clearError(ticketError);
      try {
        /** @type {Ticket} */
        const ticket = await post(`/tickets/${id}/${path}`, body());
        if (mine !== ticketGeneration) return;
        form.reset();
        renderTicket(ticket);
        byId('ticket-status').focus();
        if (ticket.status === 'approved') watch(id, mine);
      } catch (error) {
        showError(ticketError, error);
        // Someone else decided first (409): show what the ticket is now.
        if (error instanceof ApiError && error.status === 409) void openTicket(id, { moveFocus: false });
      }
    });
  });
}

/** @param {string} id */
const fieldText = (id) => /** @type {HTMLInputElement | HTMLTextAreaElement} */ (byId(id)).value.trim();

decide('approve-form', 'approve', () => {
  const note = fieldText('approve-note');
  return note ? { note } : {};
});
decide('reject-form', 'reject', () => ({ reason: fieldText('reject-reason') }));

/** @type {HTMLFormElement} */
const commentForm = byId('comment-form');
commentForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!shownTicket) return;
  const id = shownTicket.id;
  void whileBusy(commentForm, async () => {
    const alert = byId('comment-error');
    clearError(alert);
    try {
      await post(`/tickets/${id}/comments`, { body: fieldText('comment-body') });
      commentForm.reset();
      /** @type {Ticket} */
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

/** @param {{ moveFocus: boolean }} options */
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
