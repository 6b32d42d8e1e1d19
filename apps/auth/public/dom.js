// @ts-check
// Small DOM helpers. Text always goes in as text, never as HTML, so what people typed (ticket
// subjects, comments, reasons) stays inert.

/**
 * The page's element with this id. Its kind comes from the markup: a caller that needs more than
 * an HTMLElement gives its variable a JSDoc type (HTMLFormElement, HTMLInputElement…).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export const byId = (id) => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return /** @type {T} */ (node);
};

/** @typedef {string | number | boolean | null | undefined} AttributeValue */
/** @typedef {Node | string | number | false | null | undefined} Child */

/**
 * `el('a', { href: '#x', text: 'Open' }, child…)`: attributes, then text or children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/**
 * `Skip to main content`, the first stop of the Tab key on both pages, puts the keyboard on
 * `<main>`. The pages route by the address's fragment, so following `#main` as a link would
 * change the view: the link's click is taken over here instead.
 */
export function wireSkipLink() {
  const main = byId('main');
  byId('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
}

/**
 * @param {HTMLElement[]} visible
 * @param {HTMLElement[]} all
 */
export function showOnly(visible, all) {
  for (const node of all) node.hidden = !visible.includes(node);
}

/** Puts an error's message in an element with role="alert", which screen readers read out at once. */
/**
 * @param {HTMLElement} alert
 * @param {unknown} error
 */
export function showError(alert, error) {
  alert.textContent = error instanceof Error ? error.message : String(error);
}

/** @param {HTMLElement} alert */
export function clearError(alert) {
  alert.textContent = '';
}

/**
 * An error that belongs to one field: said in the alert under that field (which the field's
 * aria-describedby names) and the field marked aria-invalid, until `clearFieldError`.
 * @param {HTMLElement} field
 * @param {HTMLElement} alert
 * @param {unknown} error
 */
export function showFieldError(field, alert, error) {
  showError(alert, error);
  field.setAttribute('aria-invalid', 'true');
}

/**
 * @param {HTMLElement} field
 * @param {HTMLElement} alert
 */
export function clearFieldError(field, alert) {
  clearError(alert);
  field.removeAttribute('aria-invalid');
}

/**
 * Says something in a role="status" element (read out politely); empty clears it.
 * @param {HTMLElement} status
 * @param {string} message
 */
export function announce(status, message) {
  status.textContent = message;
}

/**
 * Copies `text` to the clipboard and says `messages.copied` in `status`. Without a clipboard (an
 * address that is not https, or permission refused) it selects `shown`, the same text on screen,
 * and says `messages.selected`.
 * @param {string} text
 * @param {HTMLElement} shown
 * @param {HTMLElement} status
 * @param {{ copied: string, selected: string }} messages
 */
export async function copyText(text, shown, status, messages) {
  try {
    await navigator.clipboard.writeText(text);
    announce(status, messages.copied);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(shown);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    announce(status, messages.selected);
  }
}

/**
 * Runs a form's request once at a time: a second submit while the first is on its way is ignored.
 * The controls stay enabled, so focus never drops to the page while it runs.
 * @param {HTMLElement} form
 * @param {() => Promise<void>} work
 */
export async function whileBusy(form, work) {
  if (form.getAttribute('aria-busy') === 'true') return;
  form.setAttribute('aria-busy', 'true');
  try {
    await work();
  } finally {
    form.removeAttribute('aria-busy');
  }
}

/**
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * What a person types into a code field: spaces and dashes as they read it off a screen are fine.
 * @param {string} value
 */
export const digitsOnly = (value) => value.replace(/[\s-]/g, '');
