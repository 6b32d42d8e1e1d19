import type { TicketView } from '@pbx2fa/contracts';
import { eventually, type ApiClient, type ApiResponse, type Gateway, type SignedInUser } from './api';
import { Authenticator, awayFromStepEdge, passcodeForStep, stepAt } from './totp';

/** Test data for the 2FA life cycle, built through the public API only, as people would. */

export interface SetupView {
  otpauthUrl: string;
  secret: string;
  qrCodeDataUrl: string;
}

export interface EnrolledUser extends SignedInUser {
  /** The phone: the secret and which passcodes were already handed to the server. */
  authenticator: Authenticator;
  recoveryCodes: string[];
}

export interface AuditItem {
  event: string;
  outcome: string;
  username: string | null;
  resellerId: string | null;
  actor: string | null;
  clientIp: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
  at: string;
}

function expectStatus(response: ApiResponse, status: number, what: string): void {
  if (response.status !== status)
    throw new Error(`${what} answered ${response.status} ${JSON.stringify(response.body)}`);
}

export async function openTicket(client: ApiClient, body: Record<string, unknown>): Promise<TicketView> {
  const response = await client.post<TicketView>('/tickets', body);
  expectStatus(response, 201, `POST /tickets ${JSON.stringify(body)}`);
  return response.body;
}

export async function approveTicket(gw: Gateway, ticketId: string): Promise<TicketView> {
  const response = await gw.agent.post<TicketView>(`/tickets/${ticketId}/approve`, {
    note: 'Approved by the e2e test.',
  });
  expectStatus(response, 200, `POST /tickets/${ticketId}/approve`);
  return response.body;
}

/** Waits until the change a ticket asked for has taken effect and the ticket says so. */
export function resolvedTicket(gw: Gateway, ticketId: string): Promise<TicketView> {
  return eventually(async () => {
    const response = await gw.agent.get<TicketView>(`/tickets/${ticketId}`);
    expect(response.body?.status).toBe('resolved');
    return response.body;
  });
}

/**
 * The support-ticket road to 2FA on (or off) for the opener's reseller: the opener asks, an
 * agent approves, and the test waits until the gateway applies it and the ticket resolves.
 */
export async function switchResellerTwoFactor(gw: Gateway, opener: SignedInUser, on: boolean): Promise<TicketView> {
  const ticket = await openTicket(opener.client, {
    type: on ? 'enable_2fa' : 'disable_2fa',
    subject: on ? 'Please enable two-factor authentication' : 'Please turn two-factor authentication off',
  });
  await approveTicket(gw, ticket.id);
  await eventually(async () => {
    const me = await opener.client.get('/auth/me');
    expect(me.body?.twoFactor?.availableForReseller).toBe(on);
  });
  return resolvedTicket(gw, ticket.id);
}

export async function startSetup(user: SignedInUser): Promise<SetupView> {
  const response = await user.client.post<SetupView>('/auth/2fa/setup', {});
  expectStatus(response, 201, `POST /auth/2fa/setup as ${user.username}`);
  return response.body;
}

/**
 * Sets up and activates Google Authenticator for a user of a reseller with 2FA on. Activation
 * uses the previous step's passcode (one step of drift), so the current and the next step are
 * still unused when the test starts signing in.
 */
export async function enroll(user: SignedInUser): Promise<EnrolledUser> {
  const { secret } = await startSetup(user);
  await awayFromStepEdge();
  const step = stepAt() - 1;
  const response = await user.client.post('/auth/2fa/activate', {
    passcode: passcodeForStep(secret, step),
    currentPassword: user.password,
  });
  expectStatus(response, 200, `POST /auth/2fa/activate as ${user.username}`);
  return { ...user, authenticator: new Authenticator(secret, step), recoveryCodes: response.body.recoveryCodes };
}

export function passwordLogin(anon: ApiClient, user: { username: string; password: string }): Promise<ApiResponse> {
  return anon.post('/auth/login', { username: user.username, password: user.password });
}

/** The challenge a password sign-in of an enrolled user answers with. */
export async function challengeFor(anon: ApiClient, user: { username: string; password: string }): Promise<string> {
  const response = await passwordLogin(anon, user);
  if (response.status !== 200 || response.body?.status !== 'two_factor_required') {
    throw new Error(
      `login as ${user.username} should ask for a passcode, answered ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return response.body.challengeToken;
}

/** Password, then a fresh passcode: the access token of a full sign-in. */
export async function signInWithPasscode(anon: ApiClient, user: EnrolledUser): Promise<string> {
  const challengeToken = await challengeFor(anon, user);
  const response = await anon.post('/auth/login/verify', {
    challengeToken,
    passcode: await user.authenticator.freshPasscode(),
  });
  expectStatus(response, 200, `POST /auth/login/verify as ${user.username}`);
  return response.body.accessToken;
}

/** The user's security events, newest first, as an agent reads them. */
export async function auditOf(gw: Gateway, username: string): Promise<AuditItem[]> {
  const response = await gw.agent.get<{ items: AuditItem[] }>('/audit', { query: { username, limit: 200 } });
  expectStatus(response, 200, `GET /audit?username=${username}`);
  return response.body.items;
}
