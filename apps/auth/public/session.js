// Sign-in, the account bar, the skip link and log-out, shared by the dashboard and the desk.
//   1. Username and Password, then Log in;
//   2. when the account has a second factor: its methods — Passcode then Verify, Use a Passkey, or a
//      recovery code — and, when the reseller offers it, Remember this device (a remembered browser
//      sends its device token with the password and skips this step: remembered-devices.js);
//      when it must set one up first (an agent without one): the set-up, then the recovery codes;
//   on a RingOS host, RingOS single sign-on instead (no passcode: RingOS did the second factor);
//   or Use a Passkey instead of all that: a discoverable passkey signs in without a password.

import { accessToken, ApiError, get, LOW_ON_RECOVERY_CODES, onSessionEnded, post } from './api.js';
import {
  announce,
  byId,
  clearError,
  clearFieldError,
  digitsOnly,
  el,
  showError,
  showFieldError,
  whileBusy,
  wireSkipLink,
} from './dom.js';
import { enrollmentStep } from './enrollment.js';
import { passkeyAssertion } from './passkeys.js';
import { deviceTokens, rememberOption } from './remembered-devices.js';

/** What the second step says, by the methods the account has (`two_factor_required`'s `methods`). */
const VERIFY_HELP = {
  totp: 'Your account is protected with Google Authenticator. Open the app and enter the 6-digit passcode it shows for PBX Dashboard now.',
  passkey:
    'Your account is protected with a passkey. Choose Use a Passkey and confirm with your device or security key.',
  both: 'Enter the 6-digit passcode Google Authenticator shows for PBX Dashboard now, or choose Use a Passkey.',
  recovery_code:
    'Enter one of the recovery codes you saved when you set up two-factor authentication (they look like 7K2M-QX9D-4HWT). Each code works once.',
};

/** @typedef {import('./api.js').Me} Me */
/** @typedef {import('./api.js').LoginAnswer} LoginAnswer */
/** @typedef {import('./api.js').Authenticated} Authenticated */
/** @typedef {import('./api.js').LoginOptions} LoginOptions */

/**
 * Wires the sign-in forms and the account bar of the page. `onSignedIn(me)` runs with
 * GET /auth/me each time someone signs in (or the tab still holds a session); `onSignedOut()`
 * when the session ends, so the page can hide what needs one.
 * @param {{ onSignedIn: (me: Me) => void, onSignedOut: () => void }} handlers
 */
export function startSession({ onSignedIn, onSignedOut }) {
  const section = byId('sign-in');
  /** @type {HTMLFormElement} */
  const passwordForm = byId('password-form');
  /** @type {HTMLFormElement} */
  const verifyForm = byId('verify-form');
  /** @type {HTMLInputElement} */
  const username = byId('username');
  /** @type {HTMLInputElement} */
  const password = byId('password');
  const passwordError = byId('password-error');
  /** @type {HTMLInputElement} */
  const passcode = byId('login-passcode');
  /** @type {HTMLInputElement} */
  const recoveryCode = byId('login-recovery-code');
  const verifyError = byId('verify-error');
  const recoveryToggle = byId('use-recovery-code');
  const notice = byId('notice');
  const accountBar = byId('account-bar');
  /** @type {string | null} */
  let challengeToken = null;
  let usingRecoveryCode = false;
  /** The second factors of the account signing in, from `two_factor_required`. */
  let methods = ['totp'];
  /** Who is signing in: whose device token a Remember this device keeps. */
  let signingInAs = '';
  const remember = rememberOption();
  wireSkipLink();
  const enrollment = enrollmentStep({
    onDone: () => void enter(),
    onCancel: (message) => showSignIn(message),
  });

  const setRecoveryMode = (/** @type {boolean} */ on) => {
    usingRecoveryCode = on;
    const totp = methods.includes('totp');
    const passkey = methods.includes('passkey');
    byId('passcode-field').hidden = on || !totp;
    byId('recovery-code-field').hidden = !on;
    byId('passkey-step').hidden = on || !passkey;
    byId('verify-button').hidden = !on && !totp;
    byId('verify-help').textContent =
      VERIFY_HELP[on ? 'recovery_code' : totp && passkey ? 'both' : passkey ? 'passkey' : 'totp'];
    recoveryToggle.textContent = on
      ? `Use ${totp ? 'a passcode' : 'a passkey'} instead`
      : 'Use a recovery code instead';
    passcode.required = !on && totp;
    recoveryCode.required = on;
  };

  /** The first control of the second step: the passcode, else Use a Passkey. */
  const focusSecondStep = () => (methods.includes('totp') ? passcode : byId('verify-passkey-button')).focus();

  const clearVerifyError = () => {
    for (const field of [passcode, recoveryCode]) clearFieldError(field, verifyError);
  };

  const showPasswordStep = () => {
    challengeToken = null;
    methods = ['totp'];
    remember.offer(0);
    verifyForm.reset();
    setRecoveryMode(false);
    clearVerifyError();
    verifyForm.hidden = true;
    passwordForm.hidden = false;
  };

  const showSignIn = (message = '') => {
    enrollment.hide();
    accountBar.hidden = true;
    byId('current-username').textContent = '';
    showPasswordStep();
    passwordForm.reset();
    clearError(passwordError);
    section.hidden = false;
    say(notice, message);
    onSignedOut();
    username.focus();
  };

  /**
   * Shows the signed-in page for the session the tab holds. `usedRecoveryCode`: the sign-in just
   * spent one, so the page says how many are left.
   */
  const enter = async ({ usedRecoveryCode = false } = {}) => {
    /** @type {Me} */
    let me;
    try {
      me = await get('/auth/me');
    } catch (error) {
      // The tab holds an enrollment token (reloaded during the set-up): back to the set-up.
      if (error instanceof ApiError && error.code === 'enrollment_required') {
        section.hidden = true;
        void enrollment.begin({});
        return;
      }
      // A refused token has already brought the sign-in back (onSessionEnded); anything else is shown.
      if (!(error instanceof ApiError && error.code === 'unauthorized')) {
        showSignIn();
        showError(passwordError, error);
      }
      return;
    }
    section.hidden = true;
    say(notice, '');
    byId('current-username').textContent = me.username;
    byId('desk-link').hidden = me.role !== 'agent';
    accountBar.hidden = false;
    onSignedIn(me);
    if (usedRecoveryCode) sayRecoveryCodeUsed(notice, me);
  };

  /**
   * @param {string} token
   * @param {{ usedRecoveryCode?: boolean }} [how]
   */
  const signedIn = async (token, how) => {
    accessToken.set(token);
    passwordForm.reset();
    showPasswordStep();
    await enter(how);
  };

  passwordForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(passwordForm, async () => {
      clearError(passwordError);
      say(notice, '');
      try {
        const name = username.value.trim();
        const deviceToken = deviceTokens.get(name);
        /** @type {LoginAnswer} */
        const answer = await post('/auth/login', {
          username: name,
          password: password.value,
          ...(deviceToken ? { deviceToken } : {}),
        });
        password.value = '';
        // A token that did not skip the second step is no longer remembered (a locked second factor
        // also waits, and then Remember this device gives a new one).
        if (deviceToken && answer.status !== 'authenticated') deviceTokens.clear(name);
        if (answer.status === 'enrollment_required') {
          accessToken.set(answer.enrollmentToken);
          passwordForm.reset();
          section.hidden = true;
          void enrollment.begin({ reason: answer.reason, name });
          return;
        }
        if (answer.status === 'two_factor_required') {
          challengeToken = answer.challengeToken;
          methods = Array.isArray(answer.methods) && answer.methods.length ? answer.methods : ['totp'];
          signingInAs = name;
          setRecoveryMode(false);
          remember.offer(answer.rememberDeviceDays);
          passwordForm.hidden = true;
          verifyForm.hidden = false;
          focusSecondStep();
          return;
        }
        await signedIn(answer.accessToken);
      } catch (error) {
        showError(passwordError, error);
        password.value = '';
        password.focus();
      }
    });
  });

  /**
   * Answers the second step with what `proof()` gives (a passcode, a recovery code or a passkey).
   * A sign-in that has expired goes back to the password; anything else is said at `retry`.
   */
  const secondStep = (proof, retry) =>
    whileBusy(verifyForm, async () => {
      clearVerifyError();
      try {
        const factor = await proof();
        /** @type {import('./api.js').Verified} */
        const answer = await post('/auth/login/verify', {
          challengeToken,
          ...factor,
          ...(remember.wanted() ? { rememberDevice: true } : {}),
        });
        if (answer.deviceToken) deviceTokens.set(signingInAs, answer.deviceToken);
        await signedIn(answer.accessToken, { usedRecoveryCode: 'recoveryCode' in factor });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'invalid_challenge') {
          showPasswordStep();
          showError(passwordError, error);
          password.focus();
          return;
        }
        if (retry instanceof HTMLInputElement) {
          showFieldError(retry, verifyError, error);
          retry.value = '';
        } else {
          showError(verifyError, error);
        }
        retry.focus();
      }
    });

  verifyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void secondStep(
      async () =>
        usingRecoveryCode ? { recoveryCode: recoveryCode.value.trim() } : { passcode: digitsOnly(passcode.value) },
      usingRecoveryCode ? recoveryCode : passcode,
    );
  });

  recoveryToggle.addEventListener('click', () => {
    setRecoveryMode(!usingRecoveryCode);
    clearVerifyError();
    if (usingRecoveryCode) recoveryCode.focus();
    else focusSecondStep();
  });

  byId('verify-passkey-button').addEventListener('click', () => {
    void secondStep(
      async () => ({ passkey: await passkeyAssertion('/auth/login/passkey-options', { challengeToken }) }),
      byId('verify-passkey-button'),
    );
  });

  byId('passwordless-button').addEventListener('click', () => {
    void whileBusy(passwordForm, async () => {
      clearError(passwordError);
      say(notice, '');
      try {
        const response = await passkeyAssertion('/auth/passkey/options');
        const answer = await post('/auth/passkey', { response });
        passwordForm.reset();
        await signedIn(answer.accessToken);
      } catch (error) {
        showError(passwordError, error);
        byId('passwordless-button').focus();
      }
    });
  });

  byId('start-over').addEventListener('click', () => {
    showPasswordStep();
    username.focus();
  });

  async function logOut() {
    try {
      await post('/auth/logout');
    } catch {
      // Already over on the server (expired, or logged out in another tab): nothing left to end.
    }
    accessToken.clear();
    // The next person to log in on this tab starts at the beginning, not on the last view.
    history.replaceState(null, '', window.location.pathname);
    showSignIn('You have logged out.');
  }

  byId('logout-button').addEventListener('click', () => void logOut());

  onSessionEnded(() => showSignIn('Your session has ended. Please log in again.'));

  void offerSingleSignOn(signedIn);

  if (accessToken.get()) void enter();
  else showSignIn();
}

/**
 * Says `message` in the page's notice (read out politely), no longer as a warning.
 * @param {HTMLElement} notice
 * @param {string} message
 */
function say(notice, message) {
  notice.classList.remove('warning');
  announce(notice, message);
}

/**
 * After a sign-in with a recovery code: how many are left and a link to make new ones (Profile →
 * Change Account Security), as a warning from LOW_ON_RECOVERY_CODES down. New codes are confirmed
 * with a passcode, so someone without Google Authenticator gets the count only.
 * @param {HTMLElement} notice
 * @param {Me} me
 */
function sayRecoveryCodeUsed(notice, me) {
  const left = me.twoFactor.recoveryCodesLeft ?? 0;
  const low = left <= LOW_ON_RECOVERY_CODES;
  const text =
    left === 0
      ? 'You used your last recovery code: none are left.'
      : low
        ? `You used a recovery code. Only ${left} left: get new ones before you run out.`
        : `You used a recovery code. ${left} left.`;
  const canRenew = me.twoFactor.methods?.includes('totp') ?? false;
  notice.classList.toggle('warning', low);
  notice.replaceChildren(
    text,
    ...(canRenew ? [' ', el('a', { href: '/#profile', text: 'Get new recovery codes' })] : []),
  );
}

/**
 * RingOS hands its signed assertion to the dashboard in the address's fragment
 * (`/#assertion=…`), which browsers never send to a server; the page exchanges it for a session.
 * When someone is already signed in in this tab, the page asks first: a link carrying another
 * account's assertion must not silently replace the session of whoever clicks it.
 *
 * @param {(token: string) => Promise<void>} signedIn
 */
async function offerSingleSignOn(signedIn) {
  const ssoSection = byId('sso');
  try {
    /** @type {LoginOptions} */
    const options = await get('/auth/login-options');
    ssoSection.hidden = !options.sso;
  } catch {
    // Without the options the password form still works; SSO stays hidden.
  }
  window.addEventListener('hashchange', () => void takeAssertion(signedIn));
  await takeAssertion(signedIn);
}

/** @param {(token: string) => Promise<void>} signedIn */
async function takeAssertion(signedIn) {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const assertion = fragment.get('assertion');
  if (!assertion) return;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  const current = accessToken.get() ? await currentUsername() : null;
  if (current && !(await switchConfirmed(current, claimedUsername(assertion)))) return;
  byId('sso').hidden = false;
  const ssoError = byId('sso-error');
  clearError(ssoError);
  try {
    /** @type {Authenticated} */
    const answer = await post('/auth/sso/ringos', { assertion });
    await signedIn(answer.accessToken);
  } catch (error) {
    showError(ssoError, error);
  }
}

/** Who is signed in in this tab, or null when the session it held is over. */
async function currentUsername() {
  try {
    /** @type {import('./api.js').Me} */
    const me = await get('/auth/me');
    return me.username;
  } catch {
    return null;
  }
}

/** The account the assertion names, for the question only: the gateway checks the signature. */
/** @param {string} assertion */
function claimedUsername(assertion) {
  try {
    const payload = assertion.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    /** @type {unknown} */
    const claims = JSON.parse(atob(payload));
    const sub = claims && typeof claims === 'object' && 'sub' in claims ? claims.sub : null;
    return typeof sub === 'string' && sub ? sub : 'another account';
  } catch {
    return 'another account';
  }
}

/**
 * Asks whether to leave `current` for `next`; resolves with the answer.
 * @param {string} current
 * @param {string} next
 * @returns {Promise<boolean>}
 */
function switchConfirmed(current, next) {
  const panel = byId('sso-switch');
  const confirm = byId('sso-switch-confirm');
  const cancel = byId('sso-switch-cancel');
  const before = document.activeElement;
  byId('sso-switch-from').textContent = current;
  byId('sso-switch-to').textContent = next;
  confirm.textContent = `Switch to ${next}`;
  cancel.textContent = `Stay signed in as ${current}`;
  panel.hidden = false;
  cancel.focus();
  return new Promise((resolve) => {
    const answer = (/** @type {boolean} */ switching) => {
      confirm.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      panel.hidden = true;
      if (!switching && before instanceof HTMLElement) before.focus();
      resolve(switching);
    };
    const yes = () => answer(true);
    const no = () => answer(false);
    confirm.addEventListener('click', yes);
    cancel.addEventListener('click', no);
  });
}
