// @ts-check
// Set Up Google Authenticator (authenticator-setup.part.html): the QR code and the key of a new
// set-up (with Copy key, and on a phone a link that opens the authenticator app itself, since the
// phone cannot scan its own screen), then Save with the passcode and the current password. The Profile page and the set-up a
// sign-in may require first (enrollment.js) share it; `prefix` names which copy on the page.

import { ApiError, post } from './api.js';
import {
  announce,
  byId,
  clearError,
  clearFieldError,
  copyText,
  digitsOnly,
  el,
  showError,
  showFieldError,
  whileBusy,
} from './dom.js';

/** @typedef {import('./api.js').AuthenticatorSetup} AuthenticatorSetup */
/** @typedef {import('./api.js').RecoveryCodes} RecoveryCodes */

/** Groups of four, as people copy a key; authenticator apps ignore the spaces. */
const groupKey = (/** @type {string} */ secret) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * Wires one copy of the form. `onSaved(answer)` gets POST /auth/2fa/activate's answer (the
 * recovery codes, and with an enrollment token the access token); `onCancel()` runs on Cancel.
 * @param {{ prefix?: string, onSaved: (answer: RecoveryCodes) => void, onCancel: () => void | Promise<void> }} options
 */
export function authenticatorSetup({ prefix = '', onSaved, onCancel }) {
  /** @type {HTMLFormElement} */
  const form = byId(`${prefix}activate-form`);
  const alert = byId(`${prefix}setup-error`);
  /** @type {HTMLInputElement} */
  const passcode = byId(`${prefix}setup-passcode`);
  const passcodeError = byId(`${prefix}setup-passcode-error`);
  /** @type {HTMLInputElement} */
  const password = byId(`${prefix}setup-password`);
  const passwordError = byId(`${prefix}setup-password-error`);
  const qrHolder = byId(`${prefix}qr-code-holder`);
  const manualKey = byId(`${prefix}manual-key`);
  /** @type {HTMLAnchorElement} */
  const appLink = byId(`${prefix}otpauth-link`);
  const keyStatus = byId(`${prefix}key-status`);
  let secret = '';

  const clearErrors = () => {
    clearError(alert);
    clearFieldError(passcode, passcodeError);
    clearFieldError(password, passwordError);
  };

  const clear = () => {
    secret = '';
    qrHolder.replaceChildren();
    manualKey.textContent = '';
    appLink.removeAttribute('href');
    announce(keyStatus, '');
    form.reset();
    clearErrors();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, async () => {
      clearErrors();
      try {
        /** @type {RecoveryCodes} */
        const answer = await post('/auth/2fa/activate', {
          passcode: digitsOnly(passcode.value),
          currentPassword: password.value,
        });
        clear();
        onSaved(answer);
      } catch (error) {
        // Said under the field it is about; anything else (the set-up expired, too many tries) below the form.
        const code = error instanceof ApiError ? error.code : '';
        if (code === 'invalid_current_password') {
          showFieldError(password, passwordError, error);
          password.value = '';
          password.focus();
        } else if (code === 'invalid_passcode') {
          showFieldError(passcode, passcodeError, error);
          passcode.value = '';
          passcode.focus();
        } else {
          showError(alert, error);
          passcode.focus();
        }
      }
    });
  });

  byId(`${prefix}copy-key`).addEventListener('click', () => {
    void copyText(secret, manualKey, keyStatus, {
      copied: 'Copied the key. Paste it into the app as the setup key.',
      selected: 'The browser would not copy for us: the key is selected, copy it with Ctrl+C (or ⌘C).',
    });
  });

  byId(`${prefix}setup-cancel`).addEventListener('click', () => {
    clear();
    void onCancel();
  });

  return {
    /** Asks the server for a new pending secret and shows its QR code and key; throws its refusal. */
    async start() {
      /** @type {AuthenticatorSetup} */
      const setup = await post('/auth/2fa/setup', {});
      qrHolder.replaceChildren(
        el('img', {
          id: `${prefix}qr-code`,
          class: 'qr',
          src: setup.qrCodeDataUrl,
          alt: 'QR code for Google Authenticator',
        }),
      );
      secret = setup.secret;
      manualKey.textContent = groupKey(setup.secret);
      appLink.href = setup.otpauthUrl;
      announce(keyStatus, '');
      form.reset();
      clearErrors();
    },
    focus: () => passcode.focus(),
    clear,
  };
}
