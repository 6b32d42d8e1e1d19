// One ticket on the desk: its facts, history and conversation; Assign to me; Approve (a disable
// asks first, naming the reseller) and Reject; replies and internal notes. When another agent
// decided first, the page says who did what and when, keeps what this agent typed, and puts the
// keyboard on that message. An approved ticket is asked for every second until it is resolved.
// A change of status is said in a sentence that names the ticket, who and why (a screen reader
// reads the status region out), never as the badge's bare word.

import { get, post } from './api.js';
import { announce, byId, clearError, el, formatTime, showError, whileBusy } from './dom.js';
import { effectText, resellerLabel, typeName } from './ticket-format.js';

const POLL_APPROVED_MS = 1000;

export function deskTicket({ me, onChange, onTitle }) {
  const section = byId('ticket');
  const ticketError = byId('ticket-error');
  const ticketNotice = byId('ticket-notice');
  const confirmDialog = byId('confirm-disable');
  /** Bumped whenever the ticket on screen changes, so polls and late answers of the old one stop. */
  let generation = 0;
  let shown = null;

  // --- showing it -------------------------------------------------------------------------------

  function fact(id, value) {
    const dd = byId(id);
    dd.textContent = value ?? '';
    const term = document.getElementById(`${id}-term`);
    if (term) term.hidden = dd.hidden = !value;
  }

  function historyEntry(entry) {
    const change =
      entry.fromStatus === entry.toStatus
        ? ''
        : ` (${entry.fromStatus ? `${entry.fromStatus} → ` : ''}${entry.toStatus})`;
    return el(
      'li',
      {},
      el('time', { datetime: entry.at, text: formatTime(entry.at) }),
      ' ',
      el('strong', { text: entry.action }),
      ` by ${entry.actor}${change}`,
      entry.note ? el('span', { class: 'note', text: ` — ${entry.note}` }) : null,
    );
  }

  function commentEntry(comment) {
    return el(
      'li',
      { class: comment.internal ? 'internal' : null },
      el(
        'p',
        { class: 'byline' },
        el('strong', { text: comment.author }),
        ' · ',
        el('time', { datetime: comment.createdAt, text: formatTime(comment.createdAt) }),
        ' · ',
        el('span', {
          class: comment.internal ? 'tag tag-internal' : 'tag',
          text: comment.internal ? 'Internal note: agents only' : 'Reply: the reseller reads it',
        }),
      ),
      el('p', { class: 'body', text: comment.body }),
    );
  }

  function renderAssignee(ticket) {
    fact('ticket-assignee', ticket.assignee ?? 'Nobody yet');
    const button = byId('assign-button');
    button.hidden = ticket.status !== 'open';
    const mine = ticket.assignee === me().username;
    button.textContent = mine ? 'Unassign me' : ticket.assignee ? `Take over from ${ticket.assignee}` : 'Assign to me';
  }

  /** What changed, said in words: "You rejected “Phones ring twice”. Reason given to the reseller: …" */
  function statusChange(ticket, before) {
    const subject = `“${ticket.subject}”`;
    const who = ticket.decidedBy === me().username ? 'You' : (ticket.decidedBy ?? 'Another agent');
    switch (ticket.status) {
      case 'approved':
        return `${who} approved ${subject}. The change is under way: this page says when it has taken effect.`;
      case 'resolved':
        return before === 'approved'
          ? `${subject} is resolved: the change has taken effect.`
          : `${who} approved ${subject}: it is resolved.`;
      case 'rejected':
        return `${who} rejected ${subject}. Reason given to the reseller: ${ticket.resolution ?? 'none'}`;
      case 'closed':
        return `${ticket.openedBy} withdrew ${subject}.`;
      default:
        return `${subject} is ${ticket.status} again.`;
    }
  }

  function render(ticket) {
    const before = shown?.id === ticket.id ? shown.status : null;
    shown = ticket;
    section.hidden = false;
    byId('ticket-title').textContent = ticket.subject;
    byId('ticket-reseller').textContent = ticket.resellerName
      ? `${ticket.resellerName} (${ticket.resellerId})`
      : ticket.resellerId;
    byId('ticket-type').textContent = typeName(ticket.type);
    const status = byId('ticket-status');
    status.textContent = ticket.status;
    status.className = `badge status-${ticket.status}`;
    byId('ticket-opened').textContent = `${formatTime(ticket.createdAt)} by ${ticket.openedBy}`;
    renderAssignee(ticket);
    fact('ticket-target', ticket.targetUsername);
    fact(
      'ticket-grace',
      ticket.graceDays === null || ticket.graceDays === undefined ? null : `${ticket.graceDays} days`,
    );
    fact('ticket-effect', effectText(ticket.effect, formatTime));
    fact('ticket-decided', ticket.decidedBy ? `${formatTime(ticket.decidedAt)} by ${ticket.decidedBy}` : null);
    fact('ticket-resolution', ticket.resolution);
    byId('ticket-description').textContent = ticket.description;
    byId('ticket-description').hidden = !ticket.description;
    const open = ticket.status === 'open';
    const own = ticket.openedBy === me().username;
    byId('decision').hidden = !open;
    byId('approve-form').hidden = own;
    byId('own-ticket-note').hidden = !(open && own);
    byId('ticket-history').replaceChildren(...ticket.history.map(historyEntry));
    byId('ticket-comments').replaceChildren(...ticket.comments.map(commentEntry));
    byId('no-comments').hidden = ticket.comments.length > 0;
    onTitle(ticket.subject);
    onChange(ticket);
    if (before && before !== ticket.status) announce(ticketNotice, statusChange(ticket, before));
  }

  function resetForms() {
    for (const id of ['approve-form', 'reject-form', 'comment-form']) byId(id).reset();
    setCommentKind('reply');
    clearError(byId('comment-error'));
    clearError(ticketError);
    announce(ticketNotice, '');
  }

  async function open(id, { moveFocus }) {
    const mine = ++generation;
    resetForms();
    try {
      const ticket = await get(`/tickets/${encodeURIComponent(id)}`);
      if (mine !== generation) return;
      render(ticket);
      if (moveFocus) byId('ticket-title').focus();
      if (ticket.status === 'approved') watch(ticket.id, mine);
    } catch (error) {
      if (mine !== generation) return;
      shown = null;
      section.hidden = false;
      byId('ticket-title').textContent = 'Ticket';
      onTitle('Ticket not found');
      showError(ticketError, error);
      if (moveFocus) ticketError.focus();
    }
  }

  function close() {
    generation++;
    shown = null;
    section.hidden = true;
    if (confirmDialog.open) confirmDialog.close();
  }

  /** While a ticket is approved, asks for it every second: the status turns `resolved` on screen. */
  function watch(id, mine) {
    setTimeout(async () => {
      if (mine !== generation) return;
      try {
        const ticket = await get(`/tickets/${encodeURIComponent(id)}`);
        if (mine !== generation) return;
        render(ticket);
        if (ticket.status === 'approved') watch(id, mine);
      } catch {
        if (mine === generation) watch(id, mine);
      }
    }, POLL_APPROVED_MS);
  }

  // --- deciding ---------------------------------------------------------------------------------

  /** "alice approved this ticket at 10:42, before your decision reached us." */
  function whoDecided(ticket) {
    const when = formatTime(ticket.decidedAt ?? ticket.updatedAt);
    if (ticket.status === 'closed') return `${ticket.openedBy} withdrew this ticket at ${when}.`;
    const by = ticket.decidedBy ?? 'Another agent';
    const reason = ticket.status === 'rejected' && ticket.resolution ? ` Their reason: "${ticket.resolution}".` : '';
    return `${by} ${ticket.status === 'resolved' ? 'approved' : ticket.status} this ticket at ${when}, before your decision reached us.${reason}`;
  }

  /**
   * Someone else decided first (409). What this agent typed is not lost: it waits in the comment
   * box as an internal note, ready to add or copy; the message says so and takes the focus.
   */
  async function conflict(id, mine, typed) {
    let ticket = null;
    try {
      ticket = await get(`/tickets/${encodeURIComponent(id)}`);
    } catch {
      // Said below without the details.
    }
    if (mine !== generation) return;
    if (ticket) render(ticket);
    // The alert below says it all, who decided included: once is enough.
    announce(ticketNotice, '');
    const kept = typed
      ? ' What you typed is kept in the comment box below as an internal note: add it, or copy it.'
      : '';
    showError(
      ticketError,
      `${ticket ? whoDecided(ticket) : 'Another agent decided this ticket first.'} Your decision was not saved.${kept}`,
    );
    if (typed) {
      const box = byId('comment-body');
      box.value = box.value ? `${box.value}\n\n${typed}` : typed;
      setCommentKind('internal');
    }
    ticketError.focus();
    if (ticket?.status === 'approved') watch(id, mine);
  }

  async function decide(form, path, body, typed) {
    if (!shown) return;
    const id = shown.id;
    const mine = generation;
    await whileBusy(form, async () => {
      clearError(ticketError);
      try {
        const ticket = await post(`/tickets/${id}/${path}`, body);
        if (mine !== generation) return;
        form.reset();
        render(ticket);
        // The form is gone: the keyboard goes to the ticket's title, the status region says what happened.
        byId('ticket-title').focus();
        if (ticket.status === 'approved') watch(id, mine);
      } catch (error) {
        if (mine !== generation) return;
        if (error.status === 409) return conflict(id, mine, typed);
        showError(ticketError, error);
        ticketError.focus();
      }
    });
  }

  function approve() {
    if (!shown || shown.status !== 'open' || byId('approve-form').hidden) return;
    const note = byId('approve-note').value.trim();
    const send = () => decide(byId('approve-form'), 'approve', note ? { note } : {}, note);
    if (shown.type !== 'disable_2fa') return void send();
    // Turning 2FA off changes every sign-in of a whole reseller: the agent says so in words first.
    const name = resellerLabel(shown);
    byId('confirm-disable-text').textContent =
      `Approving turns two-factor authentication OFF for ${name}. Its users then sign in with their password only, until someone asks for it again.`;
    byId('confirm-disable-yes').textContent = `Turn 2FA off for ${name}`;
    confirmDialog.returnValue = '';
    confirmDialog.showModal();
    byId('confirm-disable-no').focus();
    confirmDialog.onclose = () => {
      if (confirmDialog.returnValue === 'yes') void send();
      else byId('approve-note').focus();
    };
  }

  byId('confirm-disable-yes').addEventListener('click', () => confirmDialog.close('yes'));
  byId('confirm-disable-no').addEventListener('click', () => confirmDialog.close('no'));

  byId('approve-form').addEventListener('submit', (event) => {
    event.preventDefault();
    approve();
  });

  byId('reject-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const reason = byId('reject-reason').value.trim();
    void decide(byId('reject-form'), 'reject', { reason }, reason);
  });

  /** `r`: rejecting needs a reason, so the keyboard goes there. */
  function startReject() {
    if (!shown || shown.status !== 'open') return;
    byId('reject-reason').focus();
  }

  // --- assigning --------------------------------------------------------------------------------

  const assignButton = byId('assign-button');
  assignButton.addEventListener('click', () => {
    if (!shown) return;
    const id = shown.id;
    const mine = generation;
    const assignee = shown.assignee === me().username ? null : me().username;
    void (async () => {
      clearError(ticketError);
      try {
        const ticket = await post(`/tickets/${id}/assign`, { assignee });
        if (mine !== generation) return;
        render(ticket);
        announce(ticketNotice, assignee ? 'Assigned to you.' : 'You are no longer assigned to this ticket.');
        assignButton.focus();
      } catch (error) {
        if (mine !== generation) return;
        showError(ticketError, error);
        ticketError.focus();
      }
    })();
  });

  // --- the conversation -------------------------------------------------------------------------

  function setCommentKind(kind) {
    byId(kind === 'internal' ? 'comment-kind-internal' : 'comment-kind-reply').checked = true;
    byId('comment-submit').textContent = kind === 'internal' ? 'Add Internal Note' : 'Send Reply';
  }

  for (const id of ['comment-kind-reply', 'comment-kind-internal']) {
    byId(id).addEventListener('change', (event) => setCommentKind(event.target.value));
  }

  const commentForm = byId('comment-form');
  commentForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!shown) return;
    const id = shown.id;
    const internal = byId('comment-kind-internal').checked;
    void whileBusy(commentForm, async () => {
      const alert = byId('comment-error');
      clearError(alert);
      try {
        await post(`/tickets/${id}/comments`, { body: byId('comment-body').value.trim(), internal });
        commentForm.reset();
        setCommentKind('reply');
        const ticket = await get(`/tickets/${id}`);
        if (shown?.id === id) render(ticket);
        announce(ticketNotice, internal ? 'Internal note added.' : 'Reply sent to the reseller.');
        byId('comment-body').focus();
      } catch (error) {
        showError(alert, error);
      }
    });
  });

  return { open, close, approve, startReject, current: () => shown };
}
