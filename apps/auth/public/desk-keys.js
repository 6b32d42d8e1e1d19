// The desk's keyboard shortcuts: j/k through the queue, Enter opens (the focused link does that
// itself), a approves, r goes to the reject reason, ? lists them. None fires while someone types in
// a field, holds a modifier, or has a dialog open: typing "a" in a note must never approve.

import { byId } from './dom.js';

/** Where a letter is text: text inputs, text areas, selects (a letter picks an option), editable content. */
const TYPING = [
  'input:not([type])',
  ...['text', 'search', 'email', 'password', 'number', 'tel', 'url'].map((type) => `input[type="${type}"]`),
  'textarea',
  'select',
  '[contenteditable=""]',
  '[contenteditable="true"]',
].join(', ');

function isTyping(target) {
  return target instanceof Element && target.closest(TYPING) !== null;
}

export function deskKeys({ enabled, next, previous, approve, reject }) {
  const help = byId('shortcuts');
  const opener = byId('shortcuts-button');

  const showHelp = () => {
    if (!help.open) help.showModal();
    byId('shortcuts-close').focus();
  };
  opener.addEventListener('click', showHelp);
  byId('shortcuts-close').addEventListener('click', () => help.close());
  help.addEventListener('close', () => opener.focus());

  document.addEventListener('keydown', (event) => {
    if (!enabled() || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
    const action = { j: next, k: previous, a: approve, r: reject, '?': showHelp }[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
