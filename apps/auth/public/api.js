// @ts-check
// The gateway's JSON API as the pages call it. The access token is kept in sessionStorage, so it
// ends with the browser tab and is never sent anywhere but in the Authorization header.

// The answers, with the fields the pages read (the README's API section has them all).
/**
 * @typedef {object} Me GET /auth/me
 * @property {string} username
 * @property {'reseller_user' | 'reseller_admin' | 'agent'} role
 * @property {string | null} resellerId
 * @property {string | null} [email]
 * @property {{ availableForReseller: boolean, enabled: boolean, methods?: string[], enrollBy?: string, enrollmentDaysLeft?: number, recoveryCodesLeft?: number }} twoFactor
 */
/**
 * @typedef {{ status: 'authenticated', accessToken: string }
 *   | { status: 'two_factor_required', challengeToken: string, methods?: string[], rememberDeviceDays?: number }
 *   | { status: 'enrollment_required', enrollmentToken: string, reason: string }} LoginAnswer POST /auth/login
 */
/** @typedef {{ accessToken: string }} Authenticated POST /auth/login/verify, POST /auth/sso/ringos */
/** @typedef {{ accessToken: string, deviceToken?: string }} Verified POST /auth/login/verify */
/** @typedef {{ sso: boolean }} LoginOptions GET /auth/login-options */
/** @typedef {{ otpauthUrl: string, secret: string, qrCodeDataUrl: string }} AuthenticatorSetup POST /auth/2fa/setup */
/**
 * @typedef {{ recoveryCodes: string[], accessToken?: string }} RecoveryCodes POST /auth/2fa/activate
 * (with `accessToken` when an enrollment token was used), POST /auth/2fa/recovery-codes
 */
/**
 * @typedef {object} TicketHistoryEntry
 * @property {string} at
 * @property {string} action
 * @property {string} actor
 * @property {string | null} fromStatus
 * @property {string} toStatus
 * @property {string | null} note
 */
/**
 * @typedef {object} TicketComment
 * @property {string} author
 * @property {string} body
 * @property {string} createdAt
 */
/**
 * @typedef {object} Ticket
 * @property {string} id
 * @property {string} resellerId
 * @property {string} type
 * @property {string} subject
 * @property {string | null} description
 * @property {string} status
 * @property {string} openedBy
 * @property {string | null} targetUsername
 * @property {string} createdAt
 * @property {string | null} decidedBy
 * @property {string | null} decidedAt
 * @property {string | null} resolution
 * @property {TicketHistoryEntry[]} history
 * @property {TicketComment[]} comments
 */
/** @typedef {{ items: Ticket[], nextCursor: string | null }} TicketPage GET /tickets */

const TOKEN_KEY = 'pbx2fa.accessToken';

/** From this many unused recovery codes down, the pages warn and point to new ones. */
export const LOW_ON_RECOVERY_CODES = 3;

/** An answer other than 2xx: `code` is the contract's error code, `message` the sentence for a person. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const accessToken = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (/** @type {string} */ value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** @type {(error: ApiError) => void} */
let sessionEnded = () => {};

/**
 * Called once a signed-in call is refused because the session is over (logged out elsewhere, expired).
 * @param {(error: ApiError) => void} handler
 */
export function onSessionEnded(handler) {
  sessionEnded = handler;
}

/**
 * The answer's JSON (null for 204); an ApiError for anything but 2xx. `T` is the answer the caller
 * expects (one of the types above): the server's contract, not checked here.
 * @template [T=unknown]
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
export async function request(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = accessToken.get();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(
      0,
      'network_error',
      'The dashboard cannot reach the server. Check your connection and try again.',
    );
  }
  /** @type {unknown} */
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return /** @type {T} */ (data);
  const problem = /** @type {{ error?: string, message?: unknown } | null} */ (data);
  const error = new ApiError(
    response.status,
    problem?.error ?? 'error',
    typeof problem?.message === 'string'
      ? problem.message
      : `The server answered ${response.status}. Please try again.`,
  );
  if (token && response.status === 401 && error.code === 'unauthorized') {
    accessToken.clear();
    sessionEnded(error);
  }
  throw error;
}

/**
 * @template [T=unknown]
 * @param {string} path
 * @param {Record<string, string | number | null | undefined>} [query]
 * @returns {Promise<T>}
 */
export const get = (path, query) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return request('GET', search ? `${path}?${search}` : path);
};

/**
 * @template [T=unknown]
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
export const post = (path, body) => request('POST', path, body);
