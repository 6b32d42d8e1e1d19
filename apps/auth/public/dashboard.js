// The dashboard at `/`: a home view and Profile → Change Account Security, the support article's
// steps: request 2FA from support, Set Up Google Authenticator, save the recovery codes; later
// new recovery codes or turning it off. Beside Google Authenticator: Add a Passkey, and the
// passkeys with Remove; and the Remembered Devices with Forget.

import { ApiError, get, LOW_ON_RECOVERY_CODES, post, request } from './api.js';
import {
  announce,
  byId,
  clearError,
  clearFieldError,
  digitsOnly,
  el,
  formatTime,
  showError,
  showFieldError,
  showOnly,
  whileBusy,
} from './dom.js';
import { authenticatorSetup } from './authenticator-setup.js';
import { myRequests } from './my-requests.js';
import { passkeyAdder } from './passkey-add.js';
import { recoveryCodesPanel } from './recovery-codes.js';
import { rememberedDevicesSection } from './remembered-devices.js';
import { startSession } from './session.js';
import { usersView } from './users-view.js';

/** @typedef {import('./api.js').Me} Me */
/** @typedef {import('./api.js').Ticket} Ticket */
/** @typedef {import('./api.js').TicketPage} TicketPage */
/** @typedef {import('./api.js').RecoveryCodes} RecoveryCodes */

const requests = myRequests();
const views = [byId('home-view'), byId('users-view'), byId('profile-view'), requests.view];
const panels = [
  'agent-note',
  'request-panel',
  'request-ticket',
  'setup-start-panel',
  'setup-panel',
  'passkeys-panel',
  'codes-panel',
  'enabled-panel',
].map(byId);
const securityStatus = byId('security-status');
const rememberedDevices = rememberedDevicesSection();
const securityError = byId('security-error');

/** @type {Me | null} */
let me = null;
/** The user's passkeys as GET /auth/passkeys lists them. */
let passkeys = [];
/** Bumped whenever what is on screen is replaced, so a late answer or poll of an old view stops. */
let generation = 0;

/** The signed-in user: the views below are shown only while someone is signed in. */
function signedInUser() {
  if (!me) throw new Error('No one is signed in.');
  return me;
}

/** @type {Record<string, string>} */
const ROLE_NAMES = { reseller_user: 'Reseller user', reseller_admin: 'Reseller admin', agent: 'Support agent' };
const users = usersView({ roleName: (/** @type {string} */ role) => ROLE_NAMES[role] ?? role });
const seesUsers = (/** @type {Me} */ who) => who.role === 'reseller_admin' || who.role === 'agent';

/**
 * Inside the reseller's grace period, for someone without a second factor: how long is left.
 * @param {Me['twoFactor']} twoFactor
 */
function deadlineText(twoFactor) {
  if (twoFactor.enrollmentDaysLeft === undefined) return '';
  const days = twoFactor.enrollmentDaysLeft === 1 ? '1 day' : `${twoFactor.enrollmentDaysLeft} days`;
  return `Your reseller requires two-factor authentication: set it up within ${days} (by ${formatTime(twoFactor.enrollBy)}), or you will be asked to set it up when you log in.`;
}

// --- views ------------------------------------------------------------------------------------

/** @param {{ moveFocus: boolean }} options */
function route({ moveFocus }) {
  if (!me) return;
  generation++;
  byId('users-link').hidden = !seesUsers(me);
  byId('my-requests-link').hidden = !me.resellerId;
  if (me.resellerId && requests.handles(window.location.hash)) {
    showOnly([requests.view], views);
    void requests.show(window.location.hash, { moveFocus });
  } else if (window.location.hash === '#profile') {
    showOnly([byId('profile-view')], views);
    void showProfile(moveFocus);
  } else if (window.location.hash === '#users' && seesUsers(me)) {
    showOnly([byId('users-view')], views);
    users.show(me);
    if (moveFocus) byId('users-title').focus();
  } else {
    showOnly([byId('home-view')], views);
    byId('home-username').textContent = me.username;
    byId('home-reseller').textContent = me.resellerId ? `Reseller: ${me.resellerId}` : (ROLE_NAMES[me.role] ?? '');
    const deadline = byId('home-deadline');
    deadline.textContent = deadlineText(me.twoFactor);
    deadline.hidden = !deadline.textContent;
    if (moveFocus) byId('home-title').focus();
  }
}

/** @param {boolean} moveFocus */
async function showProfile(moveFocus) {
  const user = signedInUser();
  byId('profile-username').textContent = user.username;
  byId('profile-reseller').textContent = user.resellerId ?? '—';
  byId('profile-role').textContent = ROLE_NAMES[user.role] ?? user.role;
  announce(securityStatus, '');
  clearError(securityError);
  showOnly([], panels);
  if (moveFocus) byId('profile-title').focus();
  await refreshSecurity();
}

/** Reads /auth/me again and shows the part of Change Account Security that fits. */
async function refreshSecurity() {
  const mine = generation;
  /** @type {Me} */
  let fresh;
  let freshPasskeys;
  try {
    [fresh, freshPasskeys] = await Promise.all([get('/auth/me'), get('/auth/passkeys')]);
  } catch (error) {
    if (mine === generation) showError(securityError, error);
    return;
  }
  if (mine !== generation) return;
  me = fresh;
  passkeys = freshPasskeys.items;
  renderSecurity();
}

const hasTotp = () => me.twoFactor.methods?.includes('totp') ?? me.twoFactor.enabled;

function renderSummary() {
  const { availableForReseller, enabled } = me.twoFactor;
  const factors = [
    ...(hasTotp() ? ['Google Authenticator'] : []),
    ...(passkeys.length ? [passkeys.length === 1 ? 'a passkey' : `${passkeys.length} passkeys`] : []),
  ];
  let summary = enabled
    ? `Two-factor authentication is on: ${factors.join(' and ')} ${factors.length > 1 ? 'are' : 'is'} set up for your account.`
    : 'Two-factor authentication is off for your account.';
  if (enabled && !availableForReseller)
    summary += ' Your reseller has turned two-factor authentication off, so no passcode is asked for now.';
  const deadline = deadlineText(signedInUser().twoFactor);
  if (deadline) summary += ` ${deadline}`;
  byId('security-summary').textContent = summary;
  renderCodesLeft();
}

/** How many recovery codes are left, with a warning (and where to get new ones) from 3 down. */
function renderCodesLeft() {
  const paragraph = byId('recovery-codes-left');
  const left = signedInUser().twoFactor.enabled ? me.twoFactor.recoveryCodesLeft : undefined;
  paragraph.hidden = left === undefined;
  if (left === undefined) return;
  const count = left === 0 ? 'No recovery codes' : left === 1 ? '1 recovery code' : `${left} recovery codes`;
  const low = left <= LOW_ON_RECOVERY_CODES;
  // New codes are confirmed with a passcode: only Google Authenticator users can get them here.
  const renew = hasTotp() ? ' Get new ones with New Recovery Codes below before you run out.' : '';
  paragraph.textContent = low ? `${left ? `Only ${count}` : count} left.${renew}` : `${count} left.`;
  paragraph.className = low ? 'deadline' : '';
}

function renderSecurity() {
  const user = signedInUser();
  const { availableForReseller, enabled } = user.twoFactor;
  renderSummary();
  renderPasskeys();
  // Every change shown here may have forgotten the devices (a factor added or removed, 2FA off).
  void rememberedDevices.show(user);
  // Agents always keep their second factor: new recovery codes, but no turning it off.
  byId('disable-form').hidden = me.role === 'agent';
  // New recovery codes are confirmed with a passcode: only with Google Authenticator.
  byId('new-codes-form').hidden = !hasTotp();
  const canSetUp = availableForReseller && !hasTotp() ? [byId('setup-start-panel')] : [];
  const passkeyPanel = availableForReseller || passkeys.length ? [byId('passkeys-panel')] : [];
  const enabledPanel = enabled && (hasTotp() || me.role !== 'agent') ? [byId('enabled-panel')] : [];
  if (me.role === 'agent') {
    showOnly([byId('agent-note'), ...enabledPanel, ...canSetUp, ...passkeyPanel], panels);
  } else if (enabled) {
    showOnly([...enabledPanel, ...canSetUp, ...passkeyPanel], panels);
  } else if (availableForReseller) {
    showOnly(
      [...canSetUp, ...passkeyPanel, ...(byId('request-ticket').hidden ? [] : [byId('request-ticket')])],
      panels,
    );
  } else {
    showOnly([], panels);
    void showLatestRequest();
  }
}

// --- Request Two-Factor Authentication ----------------------------------------------------------

/** @type {Record<string, string>} */
const STATUS_NOTES = {
  open: 'Your request is open: support will review it. This page updates by itself when it is done.',
  approved: 'Support approved your request. Two-factor authentication is being turned on for your reseller…',
  resolved: 'Done: two-factor authentication is on for your reseller. You can set up Google Authenticator now.',
  rejected: 'Support declined your request for two-factor authentication.',
  closed: 'Your request for two-factor authentication was withdrawn.',
};

/**
 * The reseller's newest enable_2fa ticket, so a request is not made twice. A resolved one while
 * the reseller has no 2FA is history (2FA was turned off again later): a new request is needed.
 */
async function showLatestRequest() {
  const mine = generation;
  /** @type {Ticket | null} */
  let latest = null;
  try {
    /** @type {TicketPage} */
    const page = await get('/tickets', { type: 'enable_2fa', limit: 1 });
    latest = page.items[0] ?? null;
  } catch (error) {
    if (mine === generation) showError(securityError, error);
  }
  if (mine !== generation) return;
  if (latest?.status === 'resolved') latest = null;
  byId('request-panel').hidden = latest?.status === 'open' || latest?.status === 'approved';
  if (latest) showRequest(latest, { moveFocus: false });
}

/**
 * @param {Ticket} ticket
 * @param {{ moveFocus: boolean }} options
 */
function showRequest(ticket, { moveFocus }) {
  byId('request-ticket').hidden = false;
  byId('request-ticket-subject').textContent = ticket.subject;
  byId('request-ticket-opened').textContent = `${formatTime(ticket.createdAt)} by ${ticket.openedBy}`;
  const status = byId('request-ticket-status');
  status.textContent = ticket.status;
  status.className = `badge status-${ticket.status}`;
  const reason = ticket.status === 'rejected' && ticket.resolution ? ` Reason: ${ticket.resolution}` : '';
  // A status region: a change is read out in these words (the badge's bare word never is); a poll
  // that finds nothing new leaves it alone, so nothing is read twice.
  const note = byId('request-ticket-note');
  const text = `${STATUS_NOTES[ticket.status] ?? ''}${reason}`;
  if (note.textContent !== text) announce(note, text);
  if (moveFocus) byId('request-ticket-title').focus();
  if (ticket.status === 'open' || ticket.status === 'approved') watchRequest(ticket);
  if (ticket.status === 'resolved') void untilPolicyArrives(generation, 30);
  if (ticket.status === 'rejected' || ticket.status === 'closed') byId('request-panel').hidden = false;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let requestWatch;

/**
 * Polls the ticket until it is decided: every 5 s while open, every second once approved.
 * @param {Ticket} ticket
 */
function watchRequest(ticket) {
  clearTimeout(requestWatch);
  const mine = generation;
  requestWatch = setTimeout(
    async () => {
      if (mine !== generation || !me) return;
      try {
        /** @type {Ticket} */
        const fresh = await get(`/tickets/${ticket.id}`);
        if (mine === generation) showRequest(fresh, { moveFocus: false });
      } catch {
        if (mine === generation) watchRequest(ticket);
      }
    },
    ticket.status === 'approved' ? 1000 : 5000,
  );
}

/**
 * The ticket says resolved; the gateway's copy of the policy may trail it by a moment.
 * @param {number} mine
 * @param {number} triesLeft
 */
async function untilPolicyArrives(mine, triesLeft) {
  try {
    /** @type {Me} */
    const fresh = await get('/auth/me');
    if (mine !== generation) return;
    me = fresh;
    if (me.twoFactor.availableForReseller || triesLeft <= 1) {
      if (me.twoFactor.availableForReseller) {
        announce(
          securityStatus,
          'Two-factor authentication is now on for your reseller: set up Google Authenticator below.',
        );
      }
      renderSecurity();
      return;
    }
  } catch {
    if (mine !== generation || triesLeft <= 1) return;
  }
  setTimeout(() => void untilPolicyArrives(mine, triesLeft - 1), 1000);
}

/** Request Two-Factor Authentication: a ticket for support. */
async function requestTwoFactor() {
  clearError(securityError);
  try {
    /** @type {Ticket} */
    const ticket = await post('/tickets', {
      type: 'enable_2fa',
      subject: 'Please enable two-factor authentication',
      description: `Requested by ${signedInUser().username} from the dashboard's Profile page.`,
    });
    byId('request-panel').hidden = true;
    showRequest(ticket, { moveFocus: true });
    announce(securityStatus, 'Your request was sent to support.');
  } catch (error) {
    showError(securityError, error);
  }
}

byId('request-button').addEventListener('click', () => void requestTwoFactor());

// --- Set Up Google Authenticator ------------------------------------------------------------

const setup = authenticatorSetup({
  onSaved: (answer) => {
    me = {
      ...me,
      twoFactor: { ...me.twoFactor, enabled: true, methods: ['totp', ...(me.twoFactor.methods ?? [])] },
    };
    renderSummary();
    announce(
      securityStatus,
      'Google Authenticator is set up. From your next login, a passcode is asked after your password.',
    );
    showCodes(answer.recoveryCodes);
  },
  onCancel: () => {
    renderSecurity();
    byId('setup-button').focus();
  },
});

/** Set Up Google Authenticator: a new secret's QR code and key. */
async function startSetup() {
  clearError(securityError);
  try {
    await setup.start();
    showOnly([byId('setup-panel')], panels);
    setup.focus();
  } catch (error) {
    showError(securityError, error);
    if (error instanceof ApiError && error.status === 409) void refreshSecurity();
  }
}

byId('setup-button').addEventListener('click', () => void startSetup());

// --- Add a Passkey, the passkeys, Remove -------------------------------------------------------

function renderPasskeys() {
  byId('passkeys-empty').hidden = passkeys.length > 0;
  byId('passkey-list').replaceChildren(
    ...passkeys.map((passkey) => {
      const remove = el('button', { type: 'button', class: 'secondary', text: 'Remove' });
      remove.addEventListener('click', () => askToRemove(passkey));
      const used = passkey.lastUsedAt ? `last used ${formatTime(passkey.lastUsedAt)}` : 'not used yet';
      return el(
        'li',
        {},
        el('span', { class: 'passkey-name', text: passkey.name }),
        el('span', { class: 'passkey-meta', text: `added ${formatTime(passkey.createdAt)}, ${used}` }),
        remove,
      );
    }),
  );
}

const adder = passkeyAdder({
  onAdded: (answer) => {
    announce(securityStatus, `The passkey “${answer.name}” was added. Your other sessions were signed out.`);
    if (answer.recoveryCodes) {
      showCodes(answer.recoveryCodes);
      return;
    }
    void refreshSecurity();
  },
});

const removeForm = byId('remove-passkey-form');
const removeError = byId('remove-passkey-error');
let removing = null;

function askToRemove(passkey) {
  removing = passkey;
  byId('remove-passkey-name').textContent = `“${passkey.name}”`;
  removeForm.reset();
  clearError(removeError);
  removeForm.hidden = false;
  byId('remove-passkey-password').focus();
}

function closeRemove() {
  removing = null;
  removeForm.reset();
  clearError(removeError);
  removeForm.hidden = true;
}

removeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void whileBusy(removeForm, async () => {
    clearError(removeError);
    const passkey = removing;
    if (!passkey) return;
    try {
      await request('DELETE', `/auth/passkeys/${encodeURIComponent(passkey.id)}`, {
        currentPassword: byId('remove-passkey-password').value,
      });
      closeRemove();
      announce(securityStatus, `The passkey “${passkey.name}” was removed.`);
      await refreshSecurity();
      byId('passkeys-title').focus();
    } catch (error) {
      showError(removeError, error);
      byId('remove-passkey-password').value = '';
      byId('remove-passkey-password').focus();
    }
  });
});

byId('remove-passkey-cancel').addEventListener('click', closeRemove);

// --- recovery codes, new codes, turning it off -----------------------------------------------

const codes = recoveryCodesPanel({
  username: () => me?.username ?? '',
  onDone: () => {
    byId('codes-panel').hidden = true;
    void refreshSecurity();
    byId('security-title').focus();
  },
});

/** @param {string[]} recoveryCodes */
function showCodes(recoveryCodes) {
  const user = signedInUser();
  me = { ...user, twoFactor: { ...user.twoFactor, recoveryCodesLeft: recoveryCodes.length } };
  renderCodesLeft();
  // A notice that a recovery code was used (session.js) speaks of the old set.
  byId('notice').replaceChildren();
  codes.show(recoveryCodes);
  showOnly([byId('codes-panel')], panels);
  byId('codes-title').focus();
}

/**
 * A form on the enabled panel: current password plus a code, then what the answer changes. A
 * wrong password or code is said under its field (`<field id>-error`), anything else below the
 * form (`<form id>-error`).
 * @template T
 * @param {string} formId
 * @param {(currentPassword: string, code: string) => Promise<T>} send
 * @param {(answer: T) => void} done
 */
function codeForm(formId, send, done) {
  /** @type {HTMLFormElement} */
  const form = byId(formId);
  const alert = byId(`${formId.replace(/-form$/, '')}-error`);
  const [password, code] = form.querySelectorAll('input');
  const errorOf = (/** @type {HTMLInputElement} */ field) => byId(`${field.id}-error`);
  const clearErrors = () => {
    clearError(alert);
    for (const field of [password, code]) clearFieldError(field, errorOf(field));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, async () => {
      clearErrors();
      try {
        const answer = await send(password.value, code.value.trim());
        form.reset();
        done(answer);
      } catch (error) {
        const errorCode = error instanceof ApiError ? error.code : '';
        const field =
          errorCode === 'invalid_current_password' ? password : errorCode === 'invalid_passcode' ? code : null;
        if (field) {
          showFieldError(field, errorOf(field), error);
          field.value = '';
        } else {
          showError(alert, error);
        }
        (field ?? code).focus();
      }
    });
  });
  form.addEventListener('reset', clearErrors);
}

codeForm(
  'new-codes-form',
  (currentPassword, passcode) => post('/auth/2fa/recovery-codes', { currentPassword, passcode: digitsOnly(passcode) }),
  (/** @type {RecoveryCodes} */ answer) => {
    announce(securityStatus, 'New recovery codes are ready; the old ones no longer work.');
    showCodes(answer.recoveryCodes);
  },
);

codeForm(
  'disable-form',
  (currentPassword, code) =>
    post(
      '/auth/2fa/disable',
      /^\d{6}$/.test(digitsOnly(code))
        ? { currentPassword, passcode: digitsOnly(code) }
        : { currentPassword, recoveryCode: code },
    ),
  () => {
    me = { ...me, twoFactor: { ...me.twoFactor, enabled: false, methods: [] } };
    passkeys = [];
    announce(
      securityStatus,
      'Two-factor authentication is off for your account: Google Authenticator and every passkey were removed.',
    );
    renderSecurity();
    byId('security-title').focus();
  },
);

// --- start ------------------------------------------------------------------------------------

window.addEventListener('hashchange', () => route({ moveFocus: true }));

startSession({
  onSignedIn: (signedIn) => {
    me = signedIn;
    route({ moveFocus: true });
  },
  onSignedOut: () => {
    me = null;
    generation++;
    codes.clear();
    setup.clear();
    users.clear();
    byId('users-link').hidden = true;
    requests.clear();
    adder.clear();
    closeRemove();
    rememberedDevices.clear();
    passkeys = [];
    byId('request-ticket').hidden = true;
    showOnly([], views);
  },
});
