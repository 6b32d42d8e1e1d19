// The gateway's JSON API as the pages call it. The access token is kept in sessionStorage, so it
// ends with the browser tab and is never sent anywhere but in the Authorization header.

const TOKEN_KEY = 'pbx2fa.accessToken';

/** An answer other than 2xx: `code` is the contract's error code, `message` the sentence for a person. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const accessToken = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let sessionEnded = () => {};

/** Called once a signed-in call is refused because the session is over (logged out elsewhere, expired). */
export function onSessionEnded(handler) {
  sessionEnded = handler;
}

export async function request(method, path, body) {
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
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return data;
  const error = new ApiError(
    response.status,
    data?.error ?? 'error',
    typeof data?.message === 'string' ? data.message : `The server answered ${response.status}. Please try again.`,
  );
  if (token && response.status === 401 && error.code === 'unauthorized') {
    accessToken.clear();
    sessionEnded(error);
  }
  throw error;
}

export const get = (path, query) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return request('GET', search ? `${path}?${search}` : path);
};

export const post = (path, body) => request('POST', path, body);
