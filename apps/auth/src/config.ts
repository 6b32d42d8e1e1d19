import { z } from 'zod';
import { commonEnvSchema, ConfigError, loadEnv } from '@pbx2fa/config';

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

/** Development-only fallbacks: fine on a laptop, refused when NODE_ENV=production. */
export const DEVELOPMENT_JWT_SECRET = 'pbx2fa-development-jwt-secret-do-not-use-in-production';
const DEVELOPMENT_TOTP_KEY = Buffer.alloc(32, 7).toString('base64');

/** The sender when MAIL_FROM is not set: fine for a mail catcher; a real relay wants MAIL_FROM of its domain. */
export const DEFAULT_MAIL_FROM_ADDRESS = 'no-reply@localhost';

/** Requests to the sign-in routes per client address and window (README, "Sign-in limits"). */
export const SIGN_IN_LIMIT_DEFAULTS = { perAddress: 10, windowSeconds: 1 } as const;

const optionalText = z.string().min(1).optional();

const SMTP_URL = /^smtps?:\/\/[^\s/?#]+(:\d+)?\/?(\?\S*)?$/;
/** `security@example.com` or `PBX Dashboard <security@example.com>`: no line breaks, one address. */
const MAILBOX = /^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

const authEnvSchema = commonEnvSchema(3000).extend({
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  BOOTSTRAP_AGENT_USERNAME: optionalText,
  BOOTSTRAP_AGENT_PASSWORD: optionalText,
  TOTP_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, {
      message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
    })
    .optional(),
  TOTP_ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .refine((value) => value.split(',').every((key) => Buffer.from(key.trim(), 'base64').length === 32), {
      message: 'must be a comma-separated list of 32-byte base64 keys',
    })
    .optional(),
  TOTP_ISSUER: z.string().min(1).max(64).default('PBX Dashboard'),
  RINGOS_HOSTS: z.string().default(''),
  RINGOS_SSO_PUBLIC_KEY: optionalText,
  RINGOS_SSO_ISSUER: optionalText,
  RINGOS_SSO_AUDIENCE: z.string().min(1).default('pbx-dashboard'),
  INTROSPECTION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // An office of 50 behind one address starting its shift: see the README's "Sign-in limits".
  SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(SIGN_IN_LIMIT_DEFAULTS.perAddress),
  SIGN_IN_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(SIGN_IN_LIMIT_DEFAULTS.windowSeconds),
  // How long ended sessions and spent sign-in state are kept (README, "Retention").
  SESSION_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
  SIGN_IN_STATE_RETENTION_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  // Security mail (README, "Security mail"); unset: mail is off. The URL may carry the relay's password.
  SMTP_URL: z
    .string()
    .refine((value) => SMTP_URL.test(value) && URL.canParse(value) && new URL(value).hostname !== '', {
      message: 'must be an smtp:// or smtps:// URL, like smtps://user:password@mail.example.com:465',
    })
    .optional(),
  MAIL_FROM: z
    .string()
    .max(320)
    .refine((value) => MAILBOX.test(value.trim()), {
      message: 'must be an address like security@example.com or "PBX Dashboard <security@example.com>"',
    })
    .optional(),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'must look like 64kb')
    .default('64kb'),
  TRUST_PROXY: z.string().default('loopback'),
  CORS_ORIGINS: z
    .string()
    .refine(
      (value) => value.split(',').every((origin) => !origin.trim() || /^https?:\/\/[^/\s]+$/.test(origin.trim())),
      {
        message: 'must be a comma-separated list of origins like https://dashboard.example.com',
      },
    )
    .default(''),
  // Passkeys (WebAuthn): README, "Passkeys". Origins default to http://localhost:$PORT.
  WEBAUTHN_RP_ID: z
    .string()
    .regex(
      /^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)*$/,
      'must be a host name like dashboard.example.com (no scheme, port or IP address)',
    )
    .default('localhost'),
  WEBAUTHN_ORIGINS: optionalText,
});

/** What the gateway may read from files (`JWT_SECRET_FILE=/run/secrets/jwt_secret`), besides the database and broker passwords. */
const AUTH_SECRETS = [
  'JWT_SECRET',
  'TOTP_ENCRYPTION_KEY',
  'TOTP_ENCRYPTION_PREVIOUS_KEYS',
  'INTROSPECTION_SECRET',
  'BOOTSTRAP_AGENT_PASSWORD',
  'RINGOS_SSO_PUBLIC_KEY',
  'SMTP_URL',
] as const;

export type AuthConfig = ReturnType<typeof loadAuthConfig>;

/** Reads and checks the gateway's environment; production refuses the development secrets. */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env) {
  const raw = loadEnv(authEnvSchema, env, AUTH_SECRETS);
  const production = raw.NODE_ENV === 'production';
  if (production && !raw.JWT_SECRET) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
  if (production && !raw.TOTP_ENCRYPTION_KEY)
    throw new ConfigError('TOTP_ENCRYPTION_KEY', 'is required when NODE_ENV=production');
  if (Boolean(raw.BOOTSTRAP_AGENT_USERNAME) !== Boolean(raw.BOOTSTRAP_AGENT_PASSWORD)) {
    const missing = raw.BOOTSTRAP_AGENT_USERNAME ? 'BOOTSTRAP_AGENT_PASSWORD' : 'BOOTSTRAP_AGENT_USERNAME';
    throw new ConfigError(missing, 'must be set together with the other BOOTSTRAP_AGENT_* variable');
  }
  if (raw.BOOTSTRAP_AGENT_PASSWORD && raw.BOOTSTRAP_AGENT_PASSWORD.length < 12) {
    throw new ConfigError('BOOTSTRAP_AGENT_PASSWORD', 'must be at least 12 characters');
  }
  return {
    ...raw,
    JWT_SECRET: raw.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
    TOTP_ENCRYPTION_KEY: raw.TOTP_ENCRYPTION_KEY ?? DEVELOPMENT_TOTP_KEY,
    usingDevelopmentSecrets: { jwt: !raw.JWT_SECRET, totp: !raw.TOTP_ENCRYPTION_KEY },
    previousTotpKeys: (raw.TOTP_ENCRYPTION_PREVIOUS_KEYS ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean),
    corsOrigins: raw.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    /** Where security mail goes, or null: mail is off. */
    mail: raw.SMTP_URL
      ? {
          smtpUrl: raw.SMTP_URL,
          from: raw.MAIL_FROM?.trim() ?? { name: raw.TOTP_ISSUER, address: DEFAULT_MAIL_FROM_ADDRESS },
        }
      : null,
    webauthn: {
      rpId: raw.WEBAUTHN_RP_ID,
      origins: webauthnOrigins(raw.WEBAUTHN_ORIGINS, raw.WEBAUTHN_RP_ID, raw.PORT),
    },
    ringosHosts: raw.RINGOS_HOSTS.split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  };
}

/**
 * The origins a passkey may be used from: each an exact origin (scheme, host, port) on the relying
 * party's domain, https except on localhost (where browsers allow WebAuthn over http).
 */
function webauthnOrigins(listed: string | undefined, rpId: string, port: number): string[] {
  const origins = (listed ?? `http://localhost:${port}`)
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError('WEBAUTHN_ORIGINS', `"${origin}" is not an origin like https://dashboard.example.com`);
    }
    if (url.origin !== origin)
      throw new ConfigError('WEBAUTHN_ORIGINS', `"${origin}" must be a bare origin like https://dashboard.example.com`);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === 'localhost'))
      throw new ConfigError('WEBAUTHN_ORIGINS', `"${origin}" must use https (http only on localhost)`);
    if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`))
      throw new ConfigError(
        'WEBAUTHN_ORIGINS',
        `"${origin}" is not on WEBAUTHN_RP_ID ${rpId} or one of its subdomains`,
      );
  }
  if (origins.length === 0) throw new ConfigError('WEBAUTHN_ORIGINS', 'must list at least one origin');
  return origins;
}
