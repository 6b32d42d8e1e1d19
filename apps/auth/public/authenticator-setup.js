// @ts-check
// Set Up Google Authenticator (authenticator-setup.part.html): the QR code and the key of a new
// set-up, then Save with the passcode and the current password. The Profile page and the set-up a
// sign-in may require first (enrollment.js) share it; `prefix` names which copy on the page.

import { ApiError, post } from './api.js';
import { byId, clearError, digitsOnly, el, showError, whileBusy } from './dom.js';

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
  /** @type {HTMLInputElement} */
  const password = byId(`${prefix}setup-password`);
  const qrHolder = byId(`${prefix}qr-code-holder`);
  const manualKey = byId(`${prefix}manual-key`);

  const clear = () => {
    qrHolder.replaceChildren();
    manualKey.textContent = '';
    form.reset();
    clearError(alert);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, async () => {
      clearError(alert);
      try {
        /** @type {RecoveryCodes} */
        const answer = await post('/auth/2fa/activate', {
          passcode: digitsOnly(passcode.value),
          currentPassword: password.value,
        });
        clear();
        onSaved(answer);
      } catch (error) {
        showError(alert, error);
        const wrongPassword = error instanceof ApiError && error.code === 'invalid_current_password';
        if (error instanceof ApiError && error.code === 'invalid_passcode') passcode.value = '';
        if (wrongPassword) password.value = '';
        (wrongPassword ? password : passcode).focus();
      }
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
      manualKey.textContent = groupKey(setup.secret);
      form.reset();
      clearError(alert);
    },
    focus: () => passcode.focus(),
    clear,
  };
}
