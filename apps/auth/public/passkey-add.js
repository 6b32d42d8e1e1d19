// Add a Passkey (passkey-add.part.html): a name and the current password, then the browser's
// passkey prompt. The Profile page and the set-up a sign-in may require first share it; `prefix`
// names which copy on the page.

import { ApiError, post } from './api.js';
import { byId, clearError, showError, whileBusy } from './dom.js';
import { createPasskey } from './passkeys.js';

/** Wires one copy of the form. `onAdded(answer)` gets POST /auth/passkeys' answer. */
export function passkeyAdder({ prefix = '', onAdded }) {
  const form = byId(`${prefix}add-passkey-form`);
  const alert = byId(`${prefix}add-passkey-error`);
  const name = byId(`${prefix}passkey-name`);
  const password = byId(`${prefix}passkey-password`);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, async () => {
      clearError(alert);
      try {
        const response = await createPasskey();
        const answer = await post('/auth/passkeys', {
          response,
          name: name.value.trim(),
          currentPassword: password.value,
        });
        form.reset();
        onAdded(answer);
      } catch (error) {
        showError(alert, error);
        const wrongPassword = error instanceof ApiError && error.code === 'invalid_current_password';
        if (wrongPassword) password.value = '';
        (wrongPassword ? password : name).focus();
      }
    });
  });

  return {
    clear() {
      form.reset();
      clearError(alert);
    },
    focus: () => name.focus(),
  };
}
