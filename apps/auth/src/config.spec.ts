import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@pbx2fa/config';
import { DEVELOPMENT_JWT_SECRET, loadAuthConfig } from './config';

const goodSecrets = {
  JWT_SECRET: randomBytes(48).toString('base64'),
  TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadAuthConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadAuthConfig', () => {
  it('runs in development on default secrets, and says so', () => {
    const config = loadAuthConfig({});
    expect(config.JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
    expect(config.usingDevelopmentSecrets).toEqual({ jwt: true, totp: true });
  });

  it('refuses production without a JWT secret', () => {
    expect(configError({ NODE_ENV: 'production', TOTP_ENCRYPTION_KEY: goodSecrets.TOTP_ENCRYPTION_KEY })).toMatch(
      /^Invalid configuration: JWT_SECRET /,
    );
  });

  it('refuses production without a TOTP encryption key', () => {
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: goodSecrets.JWT_SECRET })).toMatch(
      /^Invalid configuration: TOTP_ENCRYPTION_KEY /,
    );
  });

  it('starts in production with both secrets set', () => {
    expect(loadAuthConfig({ NODE_ENV: 'production', ...goodSecrets }).usingDevelopmentSecrets).toEqual({
      jwt: false,
      totp: false,
    });
  });

  it.each([
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ TOTP_ENCRYPTION_KEY: 'not-32-bytes' }, 'TOTP_ENCRYPTION_KEY'],
    [{ TOTP_ENCRYPTION_PREVIOUS_KEYS: 'abc' }, 'TOTP_ENCRYPTION_PREVIOUS_KEYS'],
    [{ BOOTSTRAP_AGENT_USERNAME: 'agent' }, 'BOOTSTRAP_AGENT_PASSWORD'],
    [{ BOOTSTRAP_AGENT_USERNAME: 'agent', BOOTSTRAP_AGENT_PASSWORD: 'short' }, 'BOOTSTRAP_AGENT_PASSWORD'],
    [{ INTROSPECTION_SECRET: 'short' }, 'INTROSPECTION_SECRET'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '5' }, 'ACCESS_TOKEN_TTL_SECONDS'],
    [{ SESSION_RETENTION_DAYS: '-1' }, 'SESSION_RETENTION_DAYS'],
    [{ SIGN_IN_STATE_RETENTION_MINUTES: 'an hour' }, 'SIGN_IN_STATE_RETENTION_MINUTES'],
    [{ SMTP_URL: 'mail.example.com:587' }, 'SMTP_URL'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://mail.example.com', MAIL_FROM: 'security' }, 'MAIL_FROM'],
    [{ SMTP_URL: 'smtp://mail.example.com', MAIL_FROM: 'a@example.com\r\nBcc: b@example.com' }, 'MAIL_FROM'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(configError(env as NodeJS.ProcessEnv)).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('keeps ended sessions a week and spent sign-in state an hour unless told otherwise', () => {
    expect(loadAuthConfig({})).toMatchObject({ SESSION_RETENTION_DAYS: 7, SIGN_IN_STATE_RETENTION_MINUTES: 60 });
  });

  it('reads RingOS hosts case-insensitively, ignoring blanks', () => {
    expect(loadAuthConfig({ RINGOS_HOSTS: ' Dash.RingOS.example, ,pbx.ringos.example ' }).ringosHosts).toEqual([
      'dash.ringos.example',
      'pbx.ringos.example',
    ]);
  });

  it('reads every secret of the gateway from a file, as Docker secrets give them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbx2fa-auth-secrets-'));
    const secretFile = (name: string, value: string) => {
      writeFileSync(join(dir, name), `${value}\n`);
      return join(dir, name);
    };
    const introspection = randomBytes(40).toString('hex');
    const config = loadAuthConfig({
      NODE_ENV: 'production',
      JWT_SECRET_FILE: secretFile('jwt', goodSecrets.JWT_SECRET),
      TOTP_ENCRYPTION_KEY_FILE: secretFile('totp', goodSecrets.TOTP_ENCRYPTION_KEY),
      INTROSPECTION_SECRET_FILE: secretFile('introspection', introspection),
      BOOTSTRAP_AGENT_USERNAME: 'first.agent',
      BOOTSTRAP_AGENT_PASSWORD_FILE: secretFile('agent', 'a-long-enough-password'),
    });
    expect(config).toMatchObject({
      JWT_SECRET: goodSecrets.JWT_SECRET,
      TOTP_ENCRYPTION_KEY: goodSecrets.TOTP_ENCRYPTION_KEY,
      INTROSPECTION_SECRET: introspection,
      BOOTSTRAP_AGENT_PASSWORD: 'a-long-enough-password',
      usingDevelopmentSecrets: { jwt: false, totp: false },
    });
  });

  it('checks a secret read from a file like one given inline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbx2fa-auth-secrets-'));
    writeFileSync(join(dir, 'short'), 'too-short');
    expect(configError({ JWT_SECRET_FILE: join(dir, 'short') })).toMatch(/^Invalid configuration: JWT_SECRET /);
  });

  describe('security mail', () => {
    it('is off unless SMTP_URL is set', () => {
      expect(loadAuthConfig({}).mail).toBeNull();
    });

    it("sends from MAIL_FROM, or in the issuer's name from a placeholder address", () => {
      expect(
        loadAuthConfig({ SMTP_URL: 'smtps://mail.example.com', MAIL_FROM: 'PBX <security@example.com>' }).mail,
      ).toEqual({
        smtpUrl: 'smtps://mail.example.com',
        from: 'PBX <security@example.com>',
      });
      expect(loadAuthConfig({ SMTP_URL: 'smtp://mailpit:1025', TOTP_ISSUER: 'Acme "PBX"' }).mail?.from).toEqual({
        name: 'Acme "PBX"',
        address: 'no-reply@localhost',
      });
    });

    it('never repeats a bad SMTP_URL, which may hold the relay password', () => {
      const message = configError({ SMTP_URL: 'smtp//user:hunter2-relay-password@mail.example.com' });
      expect(message).toMatch(/^Invalid configuration: SMTP_URL /);
      expect(message).not.toContain('hunter2');
    });

    it('reads SMTP_URL from a file, with the relay password in it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'pbx2fa-auth-secrets-'));
      writeFileSync(join(dir, 'smtp'), 'smtps://relay-user:s3cret%2Fpass@mail.example.com:465\n');
      expect(loadAuthConfig({ SMTP_URL_FILE: join(dir, 'smtp') }).mail?.smtpUrl).toBe(
        'smtps://relay-user:s3cret%2Fpass@mail.example.com:465',
      );
    });
  });

  describe('passkeys (WebAuthn)', () => {
    it('defaults to rp id localhost and the origin http://localhost on the service port', () => {
      expect(loadAuthConfig({}).webauthn).toEqual({ rpId: 'localhost', origins: ['http://localhost:3000'] });
      expect(loadAuthConfig({ PORT: '8080' }).webauthn.origins).toEqual(['http://localhost:8080']);
    });

    it('takes a domain and its https origins, subdomains included', () => {
      const config = loadAuthConfig({
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://dashboard.example.com, https://example.com:8443',
      });
      expect(config.webauthn).toEqual({
        rpId: 'example.com',
        origins: ['https://dashboard.example.com', 'https://example.com:8443'],
      });
    });

    it.each([
      [{ WEBAUTHN_RP_ID: '127.0.0.1' }, /^Invalid configuration: WEBAUTHN_RP_ID /],
      [{ WEBAUTHN_RP_ID: 'https://example.com' }, /^Invalid configuration: WEBAUTHN_RP_ID /],
      [{ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'http://example.com' }, /WEBAUTHN_ORIGINS .*https/],
      [{ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.org' }, /WEBAUTHN_ORIGINS .*WEBAUTHN_RP_ID/],
      [{ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://notexample.com' }, /WEBAUTHN_ORIGINS/],
      [
        { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com/login' },
        /WEBAUTHN_ORIGINS .*bare origin/,
      ],
      [{ WEBAUTHN_ORIGINS: 'localhost:3000' }, /^Invalid configuration: WEBAUTHN_ORIGINS /],
    ])('refuses %j with one line naming the variable', (env, message) => {
      expect(configError(env)).toMatch(message);
    });
  });
});
