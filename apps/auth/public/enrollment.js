// A sign-in that must set up a second factor before it completes (an agent without one, or a user
// of a reseller that requires 2FA past its grace period): the page goes straight to Set Up Google
// Authenticator (or Add a Passkey), then to the recovery codes until they are saved, then carries
// on signed in — and offers nothing else until then. The enrollment token it holds meanwhile is good
// only for the set-up (and for logging out, which Cancel does).

import { accessToken, post } from './api.js';
import { byId, clearError, showError, showOnly } from './dom.js';
import { authenticatorSetup } from './authenticator-setup.js';
import { passkeyAdder } from './passkey-add.js';
import { recoveryCodesPanel } from './recovery-codes.js';

/** @type {Record<string, string>} */
const REASONS = {
  agent:
    'Support agents must protect their account with a second factor before they can continue. Set up Google Authenticator (or another authenticator app) now; from then on you enter a passcode from it after your password.',
  reseller_policy:
    'Your reseller requires two-factor authentication. Set up Google Authenticator (or another authenticator app) now to continue; from then on you enter a passcode from it after your password.',
};
const DEFAULT_REASON =
  'Your account needs a second factor before you can continue. Set up Google Authenticator (or another authenticator app) now.';

/**
 * Wires the page's enrollment section (enrollment.part.html). `onDone()` runs once the factor is
 * active and the recovery codes were seen (the tab then holds a full session); `onCancel(message)`
 * when the person gives up the set-up.
 * @param {{ onDone: () => void, onCancel: (message: string) => void }} handlers
 */
export function enrollmentStep({ onDone, onCancel }) {
  const section = byId('enroll');
  const alert = byId('enroll-error');
  const panels = [byId('enroll-setup-panel'), byId('enroll-codes-panel')];
  let username = '';

  const codes = recoveryCodesPanel({
    prefix: 'enroll-',
    username: () => username,
    onDone: () => {
      section.hidden = true;
      onDone();
    },
  });

  /** The first factor is active and the sign-in complete: from here on the tab holds a full session. */
  const enrolled = (answer) => {
    accessToken.set(answer.accessToken);
    codes.show(answer.recoveryCodes);
    showOnly([panels[1]], panels);
    byId('enroll-codes-title').focus();
  };

  const adder = passkeyAdder({ prefix: 'enroll-', onAdded: enrolled });

  const setup = authenticatorSetup({
    prefix: 'enroll-',
    onSaved: enrolled,
    onCancel: async () => {
      try {
        await post('/auth/logout');
      } catch {
        // Already over on the server (expired): nothing left to end.
      }
      accessToken.clear();
      onCancel('The set-up was cancelled: you are not signed in.');
    },
  });

  return {
    /**
     * Shows the set-up for `reason` (`agent`, `reseller_policy`, or unknown after a reload).
     * @param {{ reason?: string, name?: string }} why
     */
    async begin({ reason, name = '' }) {
      username = name;
      byId('enroll-reason').textContent = REASONS[reason ?? ''] ?? DEFAULT_REASON;
      clearError(alert);
      showOnly([panels[0]], panels);
      section.hidden = false;
      byId('enroll-title').focus();
      try {
        await setup.start();
        setup.focus();
      } catch (error) {
        showError(alert, error);
      }
    },
    hide() {
      setup.clear();
      adder.clear();
      codes.clear();
      section.hidden = true;
    },
  };
}
