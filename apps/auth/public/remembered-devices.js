// @ts-check
// Remember this device. After a completed second step with "Remember this device" ticked, the
// gateway gives a device token; it is kept in localStorage per username (the access token stays in
// sessionStorage and ends with the tab) and sent with the password at the next sign-in, which then
// skips the second step. A token the gateway no longer honours (expired, forgotten, or every device
// forgotten after a change of factors or password) is dropped. Profile → Remembered Devices lists
// the account's devices with Forget.

import { ApiError, get, request } from './api.js';
import { announce, byId, clearError, el, formatTime, showError } from './dom.js';

/**
 * @typedef {object} RememberedDevice GET /auth/devices
 * @property {string} id
 * @property {string} label
 * @property {string} createdAt
 * @property {string | null} lastUsedAt
 * @property {string} expiresAt
 */

const keyFor = (/** @type {string} */ username) => `pbx2fa.device.${username.trim().toLowerCase()}`;

/** This browser's device tokens, one per username that ticked Remember this device here. */
export const deviceTokens = {
  get: (/** @type {string} */ username) => localStorage.getItem(keyFor(username)),
  set: (/** @type {string} */ username, /** @type {string} */ token) => localStorage.setItem(keyFor(username), token),
  clear: (/** @type {string} */ username) => localStorage.removeItem(keyFor(username)),
};

/** The second step's `Remember this device` box: shown only when the sign-in offers it. */
export function rememberOption() {
  const field = byId('remember-device-field');
  /** @type {HTMLInputElement} */
  const box = byId('remember-device');
  const hint = byId('remember-device-hint');
  return {
    /** `days`: the sign-in's `rememberDeviceDays` (0 or missing: not offered). */
    offer(/** @type {number | undefined} */ days) {
      const offered = typeof days === 'number' && days > 0;
      field.hidden = !offered;
      box.checked = false;
      hint.textContent = offered
        ? `Your password alone signs you in on this browser for ${days === 1 ? '1 day' : `${days} days`}. Do not tick it on a shared computer.`
        : '';
    },
    /** Whether to send `rememberDevice: true` with the second step. */
    wanted: () => !field.hidden && box.checked,
  };
}

/**
 * Profile → Change Account Security → Remembered Devices: the account's devices, each with Forget.
 * Shown to users whose reseller has 2FA (agents are never remembered), or who still have a device.
 */
export function rememberedDevicesSection() {
  const section = byId('remembered-devices');
  const list = byId('remembered-device-list');
  const empty = byId('remembered-devices-empty');
  const status = byId('remembered-devices-status');
  const alert = byId('remembered-devices-error');
  /** Bumped when the section is replaced, so a late answer for an earlier view is dropped. */
  let generation = 0;

  /** @param {RememberedDevice[]} devices */
  function render(devices) {
    empty.hidden = devices.length > 0;
    list.replaceChildren(
      ...devices.map((device) => {
        const forget = el('button', { type: 'button', class: 'secondary', text: 'Forget' });
        forget.setAttribute('aria-label', `Forget ${device.label}, remembered ${formatTime(device.createdAt)}`);
        forget.addEventListener('click', () => void forgetDevice(device));
        const used = device.lastUsedAt ? `last used ${formatTime(device.lastUsedAt)}` : 'not used yet';
        return el(
          'li',
          {},
          el('span', { class: 'passkey-name', text: device.label }),
          el('span', {
            class: 'passkey-meta',
            text: `remembered ${formatTime(device.createdAt)}, ${used}, until ${formatTime(device.expiresAt)}`,
          }),
          forget,
        );
      }),
    );
  }

  /** @param {RememberedDevice} device */
  async function forgetDevice(device) {
    clearError(alert);
    try {
      await request('DELETE', `/auth/devices/${encodeURIComponent(device.id)}`);
      announce(status, `${device.label} is forgotten: it is asked for a second factor at its next sign-in.`);
    } catch (error) {
      // Already gone (forgotten elsewhere, or every device was forgotten meanwhile): the list says so.
      if (!(error instanceof ApiError && error.status === 404)) showError(alert, error);
    }
    await refresh();
    byId('remembered-devices-title').focus();
  }

  async function refresh() {
    const mine = ++generation;
    try {
      /** @type {{ items: RememberedDevice[] }} */
      const answer = await get('/auth/devices');
      if (mine === generation) render(answer.items);
      return answer.items;
    } catch (error) {
      if (mine === generation) showError(alert, error);
      return [];
    }
  }

  return {
    /** Shows the section for `me` (GET /auth/me) and loads the devices. */
    async show(/** @type {import('./api.js').Me} */ me) {
      if (me.role === 'agent') {
        section.hidden = true;
        return;
      }
      const devices = await refresh();
      section.hidden = !me.twoFactor.availableForReseller && devices.length === 0;
    },
    clear() {
      generation++;
      section.hidden = true;
      list.replaceChildren();
      announce(status, '');
      clearError(alert);
    },
  };
}
