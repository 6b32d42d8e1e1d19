// @ts-check
// The ten recovery codes, shown once (recovery-codes.part.html), with Copy, Download and Print, and
// "I have saved these codes" to tick before Done: the codes are never shown again, so nobody
// leaves them behind by a click. Nothing is kept after `clear()`.

import { announce, byId, copyText, el } from './dom.js';

/**
 * Wires one copy of the panel; `prefix` names which copy on the page. `onDone()` runs on Done,
 * after the codes are gone from the page.
 * @param {{ prefix?: string, username: () => string, onDone: () => void }} options
 */
export function recoveryCodesPanel({ prefix = '', username, onDone }) {
  const sheet = byId(`${prefix}codes-sheet`);
  const list = byId(`${prefix}codes-list`);
  const status = byId(`${prefix}codes-status`);
  /** @type {HTMLInputElement} */
  const saved = byId(`${prefix}codes-saved`);
  /** @type {HTMLButtonElement} */
  const done = byId(`${prefix}codes-done`);
  /** @type {string[]} */
  let codes = [];

  const heading = () => `PBX Dashboard recovery codes for ${username() || 'your account'}`;
  const fileName = () => `pbx-dashboard-recovery-codes-${username() || 'account'}.txt`;
  const asText = () =>
    [
      heading(),
      'Each code works once, instead of a passcode, if you lose your phone.',
      '',
      ...codes.map((code, i) => `${i + 1}. ${code}`),
      '',
    ].join('\n');

  const reset = () => {
    document.body.classList.remove('printing-codes');
    sheet.classList.remove('printing');
    list.replaceChildren();
    byId(`${prefix}codes-owner`).textContent = '';
    saved.checked = false;
    done.disabled = true;
    announce(status, '');
  };

  byId(`${prefix}copy-codes`).addEventListener('click', () => {
    void copyText(asText(), list, status, {
      copied: `Copied the ${codes.length} codes. Paste them somewhere safe.`,
      selected: 'The browser would not copy for us: the codes are selected, press Ctrl+C (or ⌘C) to copy them.',
    });
  });

  byId(`${prefix}download-codes`).addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([asText()], { type: 'text/plain;charset=utf-8' }));
    const link = el('a', { href: url, download: fileName() });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(status, `Downloaded ${fileName()}.`);
  });

  // Paper gets the codes and whose they are, nothing else of the page (app.css, @media print).
  byId(`${prefix}print-codes`).addEventListener('click', () => {
    document.body.classList.add('printing-codes');
    sheet.classList.add('printing');
    window.print();
  });
  window.addEventListener('afterprint', () => {
    document.body.classList.remove('printing-codes');
    sheet.classList.remove('printing');
  });

  saved.addEventListener('change', () => {
    done.disabled = !saved.checked;
  });

  done.addEventListener('click', () => {
    if (!saved.checked) return;
    codes = [];
    reset();
    onDone();
  });

  return {
    /** @param {string[]} recoveryCodes */
    show(recoveryCodes) {
      codes = [...recoveryCodes];
      reset();
      byId(`${prefix}codes-owner`).textContent = heading();
      list.replaceChildren(...codes.map((code) => el('li', {}, el('code', { text: code }))));
    },
    clear() {
      codes = [];
      reset();
    },
  };
}
