// Users: who of a reseller has set up two-factor authentication, with which methods, when they
// last signed in, and who still has to enroll. Reseller admins see their own reseller; agents
// name the reseller they want to see.

import { get } from './api.js';
import { announce, byId, clearError, el, formatTime, showError, whileBusy } from './dom.js';

const PAGE_SIZE = 20;
const METHOD_NAMES = { totp: 'Google Authenticator', passkey: 'Passkey' };
const FILTER_NOTES = {
  '': 'users',
  enabled: 'users with two-factor authentication',
  missing: 'users who still have to enroll',
};

export function usersView({ roleName }) {
  const form = byId('users-filters');
  const resellerField = byId('users-reseller-field');
  const resellerInput = byId('users-reseller');
  const filter = byId('users-filter');
  const rows = byId('users-rows');
  const more = byId('users-more');
  const alert = byId('users-error');
  const status = byId('users-status');
  let resellerId = '';
  let cursor = null;
  /** Bumped with every new listing, so a late answer of an old one is dropped. */
  let generation = 0;

  const row = (user) =>
    el(
      'tr',
      {},
      el('td', { 'data-label': 'Username', text: user.username }),
      el('td', { 'data-label': 'Role', text: roleName(user.role) }),
      el('td', {
        'data-label': 'Two-factor authentication',
        text: user.twoFactor.enabled
          ? user.twoFactor.methods.map((method) => METHOD_NAMES[method] ?? method).join(', ')
          : 'Not set up',
      }),
      el('td', { 'data-label': 'Last sign-in', text: user.lastLoginAt ? formatTime(user.lastLoginAt) : 'Never' }),
    );

  async function load({ append }) {
    const mine = append ? generation : ++generation;
    clearError(alert);
    if (!append) {
      rows.replaceChildren();
      cursor = null;
    }
    try {
      const page = await get(`/resellers/${encodeURIComponent(resellerId)}/users`, {
        twoFactor: filter.value,
        limit: PAGE_SIZE,
        cursor: append ? cursor : undefined,
      });
      if (mine !== generation) return;
      const added = page.items.map(row);
      rows.append(...added);
      cursor = page.nextCursor;
      more.hidden = !cursor;
      // The last Load more removes its button: the keyboard goes to the first user it brought.
      const first = append && !cursor ? (added[0] ?? rows.lastElementChild) : null;
      if (first) {
        first.tabIndex = -1;
        first.focus();
      }
      const shown = rows.children.length;
      announce(
        status,
        `${shown}${cursor ? '+' : ''} ${FILTER_NOTES[filter.value]} of ${resellerId}${shown ? '' : ': none'}.`,
      );
    } catch (error) {
      if (mine === generation) showError(alert, error);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, async () => {
      if (!resellerField.hidden) resellerId = resellerInput.value.trim();
      if (resellerId) await load({ append: false });
    });
  });
  more.addEventListener('click', () => void load({ append: true }));

  return {
    /** Shows the view for `me`: an admin's own reseller at once; an agent names one first. */
    show(me) {
      const agent = me.role === 'agent';
      resellerField.hidden = !agent;
      resellerInput.required = agent;
      resellerId = agent ? resellerInput.value.trim() : me.resellerId;
      generation++;
      announce(status, '');
      if (!resellerId) {
        rows.replaceChildren();
        more.hidden = true;
        return;
      }
      void load({ append: false });
    },
    clear() {
      generation++;
      rows.replaceChildren();
      resellerInput.value = '';
      filter.value = '';
      more.hidden = true;
    },
  };
}
