// The agents' desk at `/desk`: the queue (desk-queue.js) beside one ticket (desk-ticket.js) on a
// wide screen, the ticket on a screen of its own on a phone; keyboard shortcuts (desk-keys.js).
// The address says which ticket is open (`#ticket=<id>`), and so does the page's title.

import { byId } from './dom.js';
import { deskKeys } from './desk-keys.js';
import { deskQueue } from './desk-queue.js';
import { deskTicket } from './desk-ticket.js';
import { startSession } from './session.js';

const BASE_TITLE = document.title;
const desk = byId('desk');
let me = null;

const queue = deskQueue();
const ticket = deskTicket({
  me: () => me,
  onChange: (shown) => queue.update(shown),
  onTitle: (subject) => {
    document.title = subject ? `${subject} · ${BASE_TITLE}` : BASE_TITLE;
  },
});

deskKeys({
  enabled: () => me !== null && !desk.hidden,
  next: () => queue.step(1),
  previous: () => queue.step(-1),
  approve: () => ticket.approve(),
  reject: () => ticket.startReject(),
});

function ticketIdFromHash() {
  return new URLSearchParams(window.location.hash.slice(1)).get('ticket');
}

/** @param {{ moveFocus: boolean }} options */
function route({ moveFocus }) {
  if (!me) return;
  const id = ticketIdFromHash();
  queue.markOpen(id);
  // On a phone the open ticket takes the whole screen (see .desk.ticket-open in app.css).
  desk.classList.toggle('ticket-open', Boolean(id));
  if (id) {
    void ticket.open(id, { moveFocus });
  } else {
    ticket.close();
    document.title = BASE_TITLE;
    if (moveFocus) byId('queue-title').focus();
  }
}

window.addEventListener('hashchange', () => route({ moveFocus: true }));

startSession({
  onSignedIn: (signedIn) => {
    if (signedIn.role !== 'agent') {
      byId('not-agent').hidden = false;
      byId('not-agent-title').focus();
      return;
    }
    me = signedIn;
    desk.hidden = false;
    byId('queue-title').focus();
    void queue.load();
    queue.startRefreshing();
    route({ moveFocus: false });
  },
  onSignedOut: () => {
    me = null;
    queue.clear();
    ticket.close();
    document.title = BASE_TITLE;
    desk.hidden = true;
    byId('not-agent').hidden = true;
  },
});
