import { Client } from 'pg';
import {
  api,
  connect,
  eventually,
  expectError,
  takeServerErrors,
  unique,
  type ApiClient,
  type Gateway,
  type SignedInUser,
} from './support/api';
import { SmtpSink, type ReceivedMail } from './support/smtp-sink';
import { startStack, type Stack } from './support/stack';
import { wrongPasscode } from './support/totp';
import {
  approveTicket,
  challengeFor,
  enroll,
  openTicket,
  resolvedTicket,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';

const MAIL_FROM = 'PBX Security <security@pbx.test>';
const CHROME_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SUBJECTS = {
  activated: 'PBX Dashboard: Google Authenticator was set up for your account',
  disabled: 'PBX Dashboard: Two-factor authentication was turned off for your account',
  reset: 'PBX Dashboard: Two-factor authentication was reset for your account',
  regenerated: 'PBX Dashboard: New recovery codes were created for your account',
  recoveryCodeUsed: 'PBX Dashboard: A recovery code was used on your account',
  locked: 'PBX Dashboard: Your second factor was locked after wrong passcodes',
};
// Longer than the relay's longest backoff (30 s) while the SMTP server was down, with room for a slow machine.
const MAIL_ARRIVES = { timeoutMs: 90_000, intervalMs: 250 };

/**
 * Security mail (OWASP ASVS 2.5.5) through a real SMTP server that the test runs: two gateway
 * replicas send each mail once, also after the server was down while the events happened;
 * nothing goes to a user without an email, and no mail holds a code, secret or token.
 */
describe('security mail', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let gw: Gateway;
  let database: Client;
  let resellerId: string;
  let admin: SignedInUser;
  /** Every secret the test saw: no mail may contain any of them. */
  const secrets = new Set<string>();
  /** The second replica of the gateway, anonymous. */
  let replica2: ApiClient;

  const keep = (...values: (string | undefined)[]) => {
    for (const value of values) if (value) secrets.add(value);
  };
  const keepUser = (user: SignedInUser | EnrolledUser) => {
    keep(user.password, user.token);
    if ('authenticator' in user) keep(user.authenticator.secret, ...user.recoveryCodes);
  };
  const subjectsTo = (address: string) => sink.to(address).map((mail) => mail.subject);
  const waitingMails = async () =>
    Number(
      (await database.query('SELECT count(*) AS n FROM auth.security_mail_outbox WHERE done_at IS NULL')).rows[0].n,
    );

  async function mailUser(): Promise<EnrolledUser & { email: string }> {
    const email = `user-${unique()}@mail.example.com`;
    const user = await gw.factory.signedInUser({ resellerId, email });
    const enrolled = await enroll(user);
    keepUser(enrolled);
    return { ...enrolled, email };
  }

  beforeAll(async () => {
    sink = await SmtpSink.start();
    stack = await startStack({
      replicas: { auth: 2 },
      serviceEnv: { auth: { SMTP_URL: sink.url, MAIL_FROM } },
    });
    database = new Client({ connectionString: stack.databaseUrl });
    await database.connect();
    gw = await connect(stack);
    replica2 = api(stack.urls('auth')[1]);
    resellerId = (await gw.factory.reseller()).id;
    admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
  });

  afterAll(async () => {
    await database?.end();
    await stack?.stop();
    await sink?.stop();
  });

  afterEach(() => {
    expect(takeServerErrors()).toEqual([]);
  });

  describe('a user’s email', () => {
    it('is stored when valid and shown by POST /users and /auth/me', async () => {
      const email = `Alice.${unique()}@Mail.Example.com`;
      const created = await gw.factory.signedInUser({ resellerId, email });
      expect(created.email).toBe(email);
      const me = await created.client.get('/auth/me');
      expect(me.body.email).toBe(email);
      const without = await gw.factory.signedInUser({ resellerId });
      expect(without.email).toBeNull();
      expect((await without.client.get('/auth/me')).body.email).toBeNull();
    });

    it.each([
      ['not-an-address'],
      ['two@@example.com'],
      ['alice@example.com\r\nBcc: mallory@example.com'],
      [`${'a'.repeat(250)}@example.com`],
      [42],
      [''],
    ])('refuses %j with 400 and creates nobody', async (email) => {
      const username = `user-${unique()}`;
      const body = { username, password: 'A-long-enough-password-1', resellerId, role: 'reseller_user' };
      expectError(await gw.agent.post('/users', { ...body, email }), 400, 'validation_failed');
      const created = await gw.agent.post('/users', { ...body, email: `${username}@example.com` });
      expect(created.status).toBe(201);
    });
  });

  describe('with the SMTP server up', () => {
    it('tells of a factor set up, a recovery code used, new recovery codes and 2FA turned off, once each', async () => {
      const alice = await mailUser();
      const challengeToken = await challengeFor(replica2, alice);
      const recoveryCode = alice.recoveryCodes.shift()!;
      const signedIn = await replica2.post('/auth/login/verify', { challengeToken, recoveryCode });
      expect(signedIn.status).toBe(200);
      keep(challengeToken, signedIn.body.accessToken);

      const passcode = await alice.authenticator.freshPasscode();
      keep(passcode);
      const regenerated = await alice.client.post('/auth/2fa/recovery-codes', {
        currentPassword: alice.password,
        passcode,
      });
      expect(regenerated.status).toBe(200);
      keep(...regenerated.body.recoveryCodes);

      const disabled = await alice.client.post(
        '/auth/2fa/disable',
        { currentPassword: alice.password, recoveryCode: regenerated.body.recoveryCodes[0] },
        { headers: { 'user-agent': CHROME_ON_WINDOWS } },
      );
      expect(disabled.status).toBe(200);

      const expected = [
        SUBJECTS.activated,
        SUBJECTS.recoveryCodeUsed,
        SUBJECTS.regenerated,
        SUBJECTS.recoveryCodeUsed,
        SUBJECTS.disabled,
      ];
      await eventually(() => expect(subjectsTo(alice.email).sort()).toEqual([...expected].sort()), MAIL_ARRIVES);

      const [turnedOff] = sink.to(alice.email).filter((mail) => mail.subject === SUBJECTS.disabled);
      expect(turnedOff.raw).toMatch(/^From: PBX Security <security@pbx\.test>/m);
      for (const part of [turnedOff.text, turnedOff.html]) {
        expect(part).toContain(`Hello ${alice.username}`);
        expect(part).toContain('127.0.0.1');
        expect(part).toContain('Chrome on Windows');
        expect(part).toMatch(/\d{4} at \d{2}:\d{2} UTC/);
        expect(part).toContain('If this was not you');
      }
      const [used] = sink.to(alice.email).filter((mail) => mail.subject === SUBJECTS.recoveryCodeUsed);
      expect(used.text).toMatch(/Recovery codes left: +9/);
    });

    it('sends one mail for a lock, however many wrong passcodes arrive at once', async () => {
      const bob = await mailUser();
      const challengeToken = await challengeFor(gw.anon, bob);
      keep(challengeToken);
      const guesses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? replica2 : gw.anon).post('/auth/login/verify', {
            challengeToken,
            passcode: wrongPasscode(bob.authenticator.secret),
          }),
        ),
      );
      expect(guesses.map((guess) => guess.status).sort()).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
      const afterLock = await gw.anon.post('/auth/login/verify', {
        challengeToken,
        passcode: await bob.authenticator.freshPasscode(),
      });
      expectError(afterLock, 429, 'too_many_attempts');

      await eventually(
        () => expect(subjectsTo(bob.email).sort()).toEqual([SUBJECTS.activated, SUBJECTS.locked].sort()),
        MAIL_ARRIVES,
      );
      const [locked] = sink.to(bob.email).filter((mail) => mail.subject === SUBJECTS.locked);
      expect(locked.text).toMatch(/Locked until: +\w+ \d+ \w+ \d{4} at \d{2}:\d{2} UTC/);
    });

    it('tells of a reset by a support ticket, naming the ticket', async () => {
      const carol = await mailUser();
      const ticket = await openTicket(admin.client, {
        type: 'reset_user_2fa',
        targetUsername: carol.username,
        subject: 'Carol lost her phone',
      });
      await approveTicket(gw, ticket.id);
      await resolvedTicket(gw, ticket.id);

      await eventually(
        () => expect(subjectsTo(carol.email).sort()).toEqual([SUBJECTS.activated, SUBJECTS.reset].sort()),
        MAIL_ARRIVES,
      );
      const [reset] = sink.to(carol.email).filter((mail) => mail.subject === SUBJECTS.reset);
      expect(reset.text).toContain(ticket.id);
      expect(reset.text).toContain(`${stack.agent.username} (support)`);
    });

    it('sends nothing to a user without an email', async () => {
      const dan = await enroll(await gw.factory.signedInUser({ resellerId }));
      keepUser(dan);
      const disabled = await dan.client.post('/auth/2fa/disable', {
        currentPassword: dan.password,
        recoveryCode: dan.recoveryCodes[0],
      });
      expect(disabled.status).toBe(200);
      await eventually(async () => expect(await waitingMails()).toBe(0), MAIL_ARRIVES);
      expect(sink.received.filter((mail) => mail.text.includes(dan.username))).toEqual([]);
    });
  });

  describe('with the SMTP server down while things happen', () => {
    it('signs people in as usual, and sends every mail once when the server is back', async () => {
      const erin = await mailUser();
      await eventually(() => expect(subjectsTo(erin.email)).toEqual([SUBJECTS.activated]), MAIL_ARRIVES);
      await sink.stop();

      const challengeToken = await challengeFor(gw.anon, erin);
      const signedIn = await gw.anon.post('/auth/login/verify', {
        challengeToken,
        recoveryCode: erin.recoveryCodes.shift(),
      });
      expect(signedIn.status).toBe(200);
      keep(challengeToken, signedIn.body.accessToken);
      const disabled = await replica2.as(erin.token).post('/auth/2fa/disable', {
        currentPassword: erin.password,
        recoveryCode: erin.recoveryCodes.shift(),
      });
      expect(disabled.status).toBe(200);
      // The relays have tried and failed meanwhile; the mails wait in the outbox.
      await eventually(async () => {
        const [{ tried }] = (
          await database.query(
            'SELECT count(*)::int AS tried FROM auth.security_mail_outbox WHERE done_at IS NULL AND attempts > 0',
          )
        ).rows;
        expect(tried).toBeGreaterThan(0);
      }, MAIL_ARRIVES);
      expect(subjectsTo(erin.email)).toEqual([SUBJECTS.activated]);

      await sink.start();
      const expected = [SUBJECTS.activated, SUBJECTS.recoveryCodeUsed, SUBJECTS.recoveryCodeUsed, SUBJECTS.disabled];
      await eventually(() => expect(subjectsTo(erin.email).sort()).toEqual([...expected].sort()), MAIL_ARRIVES);
    });
  });

  describe('every mail sent', () => {
    let all: ReceivedMail[];

    beforeAll(async () => {
      await eventually(async () => expect(await waitingMails()).toBe(0), MAIL_ARRIVES);
      // A second replica sending the same mail would be seen by now.
      await new Promise((done) => setTimeout(done, 3000));
      all = [...sink.received];
    });

    it('arrived once: no two mails tell of the same event', async () => {
      const sent = (
        await database.query("SELECT count(*)::int AS n FROM auth.security_mail_outbox WHERE outcome = 'sent'")
      ).rows[0].n;
      expect(all).toHaveLength(sent);
      // One Message-ID per event and user, whichever replica sent it.
      const ids = all.map((mail) => /^Message-ID: (<security-mail\.\d+\.[0-9a-f-]+@pbx2fa>)$/im.exec(mail.raw)?.[1]);
      expect(ids).not.toContain(undefined);
      expect(new Set(ids).size).toBe(all.length);
    });

    it('has a plain-text and an HTML part, to the one user it is about', () => {
      for (const mail of all) {
        expect(mail.to).toHaveLength(1);
        expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);
        expect(mail.text.length).toBeGreaterThan(100);
        expect(mail.html).toContain('<html');
      }
    });

    it('holds no password, passcode, recovery code, TOTP secret or token', () => {
      expect(secrets.size).toBeGreaterThan(40);
      for (const mail of all) {
        for (const part of [mail.raw, mail.text, mail.html, mail.subject]) {
          const leaked = [...secrets].filter((secret) => part.includes(secret));
          expect(leaked).toEqual([]);
        }
      }
    });
  });
});
