// @ts-check
// The ten recovery codes, shown once, with Copy and Download. Nothing is kept after `clear()`.

import { announce, el } from './dom.js';

/**
 * @typedef {object} RecoveryCodesElements
 * @property {HTMLElement} list
 * @property {HTMLElement} status
 * @property {HTMLElement} copyButton
 * @property {HTMLElement} downloadButton
 * @property {() => string} fileName
 * @property {() => string} heading
 */

/** @param {RecoveryCodesElements} panel */
export function recoveryCodesPanel({ list, status, copyButton, downloadButton, fileName, heading }) {
  /** @type {string[]} */
  let codes = [];

  const asText = () =>
    [
      heading(),
      'Each code works once, instead of a passcode, if you lose your phone.',
      '',
      ...codes.map((code, i) => `${i + 1}. ${code}`),
      '',
    ].join('\n');

  async function copyCodes() {
    try {
      await navigator.clipboard.writeText(asText());
      announce(status, `Copied the ${codes.length} codes. Paste them somewhere safe.`);
    } catch {
      // No clipboard (an address that is not https, or permission refused): select them instead.
      const range = document.createRange();
      range.selectNodeContents(list);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      announce(status, 'The browser would not copy for us: the codes are selected, press Ctrl+C (or ⌘C) to copy them.');
    }
  }

  copyButton.addEventListener('click', () => void copyCodes());

  downloadButton.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([asText()], { type: 'text/plain;charset=utf-8' }));
    const link = el('a', { href: url, download: fileName() });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(status, `Downloaded ${fileName()}.`);
  });

  return {
    /** @param {string[]} recoveryCodes */
    show(recoveryCodes) {
      codes = [...recoveryCodes];
      list.replaceChildren(...codes.map((code) => el('li', {}, el('code', { text: code }))));
      announce(status, '');
    },
    clear() {
      codes = [];
      list.replaceChildren();
      announce(status, '');
    },
  };
}
