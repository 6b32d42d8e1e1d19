import { eventually, type Gateway } from './support/api';
import { type Stack } from './support/stack';
import { switchResellerTwoFactor } from './support/two-factor';
import { query } from './support/wire';
import { useStack } from './support/e2e';

/** The routes of CONTRACT.md, each with the error codes it promises. */
const CONTRACT_ROUTES: [method: string, path: string, errors: string[]][] = [
  ['post', '/auth/login', ['invalid_credentials', 'too_many_attempts']],
  ['post', '/auth/login/verify', ['invalid_passcode', 'invalid_challenge', 'too_many_attempts']],
  ['post', '/auth/sso/ringos', ['invalid_assertion']],
  ['get', '/auth/login-options', []],
  ['post', '/auth/logout', []],
  ['get', '/auth/me', []],
  ['post', '/auth/introspect', []],
  ['post', '/auth/2fa/setup', ['two_factor_not_enabled_for_reseller', 'two_factor_already_enabled']],
  ['post', '/auth/2fa/activate', ['invalid_passcode', 'invalid_current_password', 'no_pending_setup']],
  ['post', '/auth/2fa/disable', []],
  ['post', '/auth/2fa/recovery-codes', []],
  ['post', '/auth/login/passkey-options', ['invalid_challenge']],
  ['post', '/auth/passkeys/registration-options', ['two_factor_not_enabled_for_reseller']],
  ['post', '/auth/passkeys', ['invalid_passkey', 'invalid_current_password']],
  ['get', '/auth/passkeys', []],
  ['delete', '/auth/passkeys/{id}', []],
  ['get', '/auth/devices', []],
  ['delete', '/auth/devices/{id}', ['invalid_id', 'not_found']],
  ['post', '/auth/passkey/options', []],
  ['post', '/auth/passkey', ['invalid_passkey']],
  ['post', '/resellers', ['reseller_exists']],
  ['get', '/resellers/{id}', []],
  ['get', '/resellers/{id}/users', ['reseller_not_found']],
  ['post', '/users', ['username_taken']],
  ['post', '/tickets', []],
  ['get', '/tickets', []],
  ['get', '/tickets/{id}', []],
  ['post', '/tickets/{id}/comments', ['ticket_not_open']],
  ['post', '/tickets/{id}/assign', ['invalid_transition']],
  ['post', '/tickets/{id}/approve', ['invalid_transition', 'own_ticket']],
  ['post', '/tickets/{id}/reject', []],
  ['get', '/health', []],
  ['get', '/audit', []],
];

describe('operating the services', () => {
  let stack: Stack;
  let gw: Gateway;

  // At info, as in production: the request and event lines are what operators trace a request id by.
  useStack((started) => ({ stack, gw } = started), { env: { LOG_LEVEL: 'info' } });

  describe('the OpenAPI document', () => {
    let document: {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { description?: string }>; requestBody?: unknown }>
      >;
    };

    beforeAll(async () => {
      const response = await fetch(`${stack.authUrl}/docs-json`);
      expect(response.status).toBe(200);
      document = (await response.json()) as typeof document;
    });

    it.each(CONTRACT_ROUTES)('documents %s %s with the error codes of the contract', (method, path, errors) => {
      const operation = document.paths[path]?.[method];
      expect(operation).toBeDefined();
      const descriptions = Object.values(operation.responses)
        .map((response) => response.description ?? '')
        .join(' ');
      for (const code of errors) expect(descriptions).toContain(code);
      if (method === 'post' && path !== '/auth/logout') expect(operation.requestBody).toBeDefined();
    });

    it('serves the API explorer at /docs without outside assets', async () => {
      const page = await fetch(`${stack.authUrl}/docs`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('swagger-ui');
      expect(html).not.toMatch(/(src|href)="https?:\/\//);
    });
  });

  describe('request and correlation ids', () => {
    it("echoes the caller's X-Request-Id and carries it into the events the request causes", async () => {
      const requestId = `ops-${Date.now()}-correlation`;
      const response = await gw.agent.post(
        '/resellers',
        { id: `corr-${Date.now()}`, name: 'Correlated' },
        { headers: { 'x-request-id': requestId } },
      );
      expect(response.status).toBe(201);
      expect(response.headers.get('x-request-id')).toBe(requestId);
      const rows = await query<{ correlation: string }>(
        stack.databaseUrl,
        `SELECT envelope->>'correlationId' AS correlation FROM reseller_settings.outbox WHERE envelope->'payload'->>'resellerId' = $1`,
        [response.body.id],
      );
      expect(rows.map((row) => row.correlation)).toEqual([requestId]);
    });

    it('logs the handling of the request and of its events in every service under the same id', async () => {
      const requestId = `ops-${Date.now()}-traced`;
      const response = await gw.agent.post(
        '/resellers',
        { id: `traced-${Date.now()}`, name: 'Traced' },
        { headers: { 'x-request-id': requestId } },
      );
      expect(response.status).toBe(201);
      const linesWith = (service: 'auth' | 'reseller-settings') =>
        stack
          .logs(service)
          .split('\n')
          .filter((line) => line.includes(requestId))
          .map(
            (line) => JSON.parse(line) as { requestId?: string; msg?: string; rpc?: { type: string; pattern: string } },
          );
      // reseller-settings answered the gateway's request; the gateway applied the reseller.created event it caused.
      await eventually(() => {
        expect(linesWith('reseller-settings')).toContainEqual(
          expect.objectContaining({ requestId, rpc: expect.objectContaining({ type: 'message' }) }),
        );
        expect(linesWith('auth')).toContainEqual(
          expect.objectContaining({
            requestId,
            msg: 'event completed',
            rpc: expect.objectContaining({ type: 'event', pattern: 'reseller.created' }),
          }),
        );
      });
    });

    it('gives a request without a usable id a new one', async () => {
      const response = await gw.anon.get('/auth/login-options', { headers: { 'x-request-id': 'bad id!' } });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('health and metrics', () => {
    it.each(['auth', 'tickets', 'reseller-settings'] as const)(
      '%s reports its database and broker on the management port',
      async (service) => {
        const ready = await fetch(`${stack.managementUrls(service)[0]}/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({
          status: 'ok',
          details: { database: { status: 'up' }, broker: { status: 'up' } },
        });
        const live = await fetch(`${stack.managementUrls(service)[0]}/health/live`);
        expect({ status: live.status, body: await live.json() }).toEqual({ status: 200, body: { status: 'ok' } });
      },
    );

    it.each(['auth', 'tickets', 'reseller-settings'] as const)(
      '%s shows neither metrics nor health details on its own port',
      async (service) => {
        const health = await fetch(`${stack.urls(service)[0]}/health`);
        expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok' } });
        for (const path of ['/metrics', '/health/ready', '/health/live']) {
          expect({ path, status: (await fetch(`${stack.urls(service)[0]}${path}`)).status }).toEqual({
            path,
            status: 404,
          });
        }
      },
    );

    it.each(['auth', 'tickets', 'reseller-settings'] as const)(
      '%s serves Prometheus metrics, outbox included',
      async (service) => {
        const response = await fetch(`${stack.managementUrls(service)[0]}/metrics`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toContain('text/plain');
        const text = await response.text();
        expect(text).toMatch(/^pbx2fa_outbox_backlog \d+$/m);
        expect(text).toMatch(/^pbx2fa_outbox_oldest_age_seconds [\d.]+$/m);
        expect(text).toMatch(/^pbx2fa_dead_letters 0$/m);
        expect(text).toMatch(/^pbx2fa_event_queue_depth \d+$/m);
        expect(text).toMatch(/^pbx2fa_database_up 1$/m);
        expect(text).toMatch(/^pbx2fa_consumer_up 1$/m);
        expect(text).toContain('pbx2fa_process_resident_memory_bytes');
      },
    );

    it('times an approved 2FA change from the approval to the gateway enforcing it', async () => {
      const reseller = await gw.factory.reseller();
      const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      const count = async () =>
        Number(
          /^pbx2fa_two_factor_enforcement_delay_seconds_count (\d+)$/m.exec(
            await (await fetch(`${stack.managementUrls('auth')[0]}/metrics`)).text(),
          )?.[1] ?? 0,
        );
      const before = await count();
      await switchResellerTwoFactor(gw, admin, true);
      expect(await count()).toBe(before + 1);
      const text = await (await fetch(`${stack.managementUrls('auth')[0]}/metrics`)).text();
      // Well under a minute on one machine: every observation so far falls in the 60 s bucket.
      expect(text).toMatch(
        new RegExp(`^pbx2fa_two_factor_enforcement_delay_seconds_bucket\\{le="60"\\} ${before + 1}$`, 'm'),
      );
    });

    it('counts the events each service consumed, by how handling ended', async () => {
      await gw.factory.reseller();
      const consumed = /pbx2fa_events_consumed_total\{event="reseller.created",result="applied"\} [1-9]/;
      await eventually(async () =>
        expect(await (await fetch(`${stack.managementUrls('auth')[0]}/metrics`)).text()).toMatch(consumed),
      );
    });

    it('counts gateway requests by route template and status, and sign-ins by outcome', async () => {
      await gw.anon.post('/auth/login', { username: 'nobody-here', password: 'wrong-password-123' });
      await gw.factory.signedInUser();
      await gw.agent.get('/tickets/00000000-0000-4000-8000-000000000000');
      const text = await (await fetch(`${stack.managementUrls('auth')[0]}/metrics`)).text();
      expect(text).toMatch(
        /pbx2fa_http_request_duration_seconds_count\{method="POST",route="\/auth\/login",status="401"\} [1-9]/,
      );
      expect(text).toMatch(
        /pbx2fa_http_request_duration_seconds_count\{method="GET",route="\/tickets\/:id",status="404"\} 1/,
      );
      expect(text).toMatch(/pbx2fa_security_events_total\{event="login",outcome="failure"\} [1-9]/);
      expect(text).toMatch(/pbx2fa_security_events_total\{event="login",outcome="success"\} [1-9]/);
      expect(text).not.toContain('00000000-0000-4000-8000-000000000000');
    });
  });
});
