// My Requests on the dashboard (`#requests`, one request at `#request=<id>`): the reseller's
// tickets with their status, support's replies (internal notes never reach this page: the API
// leaves them out), and a reply box while a request is open.

import { get, post } from './api.js';
import { announce, byId, clearError, el, formatTime, showError, showOnly, whileBusy } from './dom.js';
import { typeName } from './ticket-format.js';

const PAGE_SIZE = 20;

/** The request a hash names, `#request=<id>`; null for the list, `#requests`. */
function requestIdOf(hash) {
  return hash.startsWith('#request=') ? decodeURIComponent(hash.slice('#request='.length)) : null;
}

export function myRequests() {
  const view = byId('my-requests-view');
  const list = byId('my-requests-list');
  const detail = byId('my-request');
  const rows = byId('my-requests-rows');
  let generation = 0;
  let nextCursor = null;
  let shown = null;
  const baseTitle = document.title;

  function row(ticket) {
    return el(
      'tr',
      {},
      el(
        'td',
        { 'data-label': 'Request' },
        el('a', { href: `#request=${ticket.id}`, text: ticket.subject }),
        el('span', { class: 'sub', text: typeName(ticket.type) }),
      ),
      el(
        'td',
        { 'data-label': 'Opened' },
        el('time', { datetime: ticket.createdAt, text: formatTime(ticket.createdAt) }),
        el('span', { class: 'sub', text: `by ${ticket.openedBy}` }),
      ),
      el('td', { 'data-label': 'Status' }, el('span', { class: `badge status-${ticket.status}`, text: ticket.status })),
      el('td', { 'data-label': 'Messages', text: String(ticket.comments.length) }),
    );
  }

  async function loadList({ more = false } = {}) {
    const mine = ++generation;
    clearError(byId('my-requests-error'));
    try {
      const page = await get('/tickets', { sort: 'newest', limit: PAGE_SIZE, cursor: more ? nextCursor : undefined });
      if (mine !== generation) return;
      if (!more) rows.replaceChildren();
      const added = page.items.map(row);
      rows.append(...added);
      nextCursor = page.nextCursor;
      byId('my-requests-more').hidden = !nextCursor;
      // The last Load more removes its button: the keyboard goes to the first request it brought.
      if (more && !nextCursor) (added[0] ?? rows.lastElementChild)?.querySelector('a')?.focus();
      const count = rows.children.length;
      announce(
        byId('my-requests-status'),
        count === 0
          ? 'Your reseller has not asked support for anything yet.'
          : `${count} request${count === 1 ? '' : 's'} shown.`,
      );
    } catch (error) {
      if (mine === generation) showError(byId('my-requests-error'), error);
    }
  }

  function message(comment) {
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

  function renderRequest(ticket) {
    shown = ticket;
    byId('my-request-title').textContent = ticket.subject;
    byId('my-request-type').textContent = typeName(ticket.type);
    const status = byId('my-request-status');
    status.textContent = ticket.status;
    status.className = `badge status-${ticket.status}`;
    byId('my-request-opened').textContent = `${formatTime(ticket.createdAt)} by ${ticket.openedBy}`;
    byId('my-request-resolution').textContent = ticket.resolution ?? '';
    byId('my-request-resolution').hidden = byId('my-request-resolution-term').hidden = !ticket.resolution;
    byId('my-request-description').textContent = ticket.description;
    byId('my-request-description').hidden = !ticket.description;
    byId('my-request-conversation').replaceChildren(...ticket.comments.map(message));
    byId('my-request-no-replies').hidden = ticket.comments.length > 0;
    const open = ticket.status === 'open';
    byId('my-request-reply-form').hidden = !open;
    const closed = byId('my-request-closed');
    closed.hidden = open;
    closed.textContent = open
      ? ''
      : `This request is ${ticket.status}, so it takes no more replies. If you still need help, ask support again.`;
    document.title = `${ticket.subject} · My Requests · ${baseTitle}`;
  }

  async function loadRequest(id, moveFocus) {
    const mine = ++generation;
    const error = byId('my-request-error');
    clearError(error);
    byId('my-request-reply-form').reset();
    clearError(byId('my-request-reply-error'));
    announce(byId('my-request-reply-status'), '');
    try {
      const ticket = await get(`/tickets/${encodeURIComponent(id)}`);
      if (mine !== generation) return;
      renderRequest(ticket);
      if (moveFocus) byId('my-request-title').focus();
    } catch (failure) {
      if (mine !== generation) return;
      byId('my-request-title').textContent = 'Request';
      showError(error, failure);
      error.focus();
    }
  }

  const replyForm = byId('my-request-reply-form');
  replyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!shown) return;
    const id = shown.id;
    void whileBusy(replyForm, async () => {
      const alert = byId('my-request-reply-error');
      clearError(alert);
      try {
        await post(`/tickets/${id}/comments`, { body: byId('my-request-reply').value.trim() });
        replyForm.reset();
        const ticket = await get(`/tickets/${id}`);
        if (shown?.id !== id) return;
        renderRequest(ticket);
        announce(byId('my-request-reply-status'), 'Your reply was sent to support.');
        byId('my-request-reply').focus();
      } catch (error) {
        showError(alert, error);
        // The request was decided meanwhile: show it as it is now, the typed reply stays.
        if (error.status === 409) {
          const ticket = await get(`/tickets/${id}`).catch(() => null);
          if (ticket && shown?.id === id) renderRequest(ticket);
        }
      }
    });
  });

  byId('my-requests-more').addEventListener('click', () => void loadList({ more: true }));

  window.addEventListener('hashchange', () => {
    if (!requestIdOf(window.location.hash) && window.location.hash !== '#requests') document.title = baseTitle;
  });

  return {
    /** Whether a hash is one of this view's. */
    handles: (hash) => hash === '#requests' || requestIdOf(hash) !== null,
    view,
    show(hash, { moveFocus }) {
      const id = requestIdOf(hash);
      showOnly(id ? [detail] : [list], [list, detail]);
      if (id) return loadRequest(id, moveFocus);
      shown = null;
      document.title = `My Requests · ${baseTitle}`;
      if (moveFocus) byId('my-requests-title').focus();
      return loadList();
    },
    clear() {
      generation++;
      shown = null;
      rows.replaceChildren();
      byId('my-request-conversation').replaceChildren();
    },
  };
}
