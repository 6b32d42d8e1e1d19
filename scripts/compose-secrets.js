#!/usr/bin/env node
/**
 * The one-shot `secrets` service of docker-compose.yml: makes sure every secret the system needs
 * is a file in the shared secrets volume before anything else starts.
 *
 * - A secret given in the environment (from .env) is written to its file, so .env stays the way
 *   to choose them.
 * - A secret neither given nor written before is generated (random), once — unless
 *   NODE_ENV=production, where nothing is generated and a missing secret stops here, naming it.
 * - The bootstrap agent's password, when generated, is printed once, here.
 *
 * The services read the files through their *_FILE variables; PostgreSQL through
 * POSTGRES_PASSWORD_FILE (the superuser), the one-shot `database-roles` through *_DATABASE_PASSWORD_FILE
 * (each service's own role); RabbitMQ through the conf.d file written beside them, which loads a
 * definitions file at boot: the operator's user (RABBITMQ_USER), one user per service with only
 * its own queues and routing keys (README, "RabbitMQ users"), and every exchange, queue and
 * binding. Nothing secret is ever printed but the generated agent password, once.
 */
'use strict';

const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
// Built from libs/messaging: the permissions and topology the services themselves are built with.
const { brokerDefinitions } = require('../dist/libs/messaging/src/broker-definitions');

const dir = process.env.SECRETS_DIR || '/run/pbx2fa-secrets';
/** The bundled development mail catcher (Mailpit), where security mail goes unless SMTP_URL says otherwise. */
const MAIL_CATCHER_URL = 'smtp://mailpit:1025';
const production = process.env.NODE_ENV === 'production';

/** file name → [variable that may give it, how to make one] */
const SECRETS = {
  postgres_password: ['POSTGRES_PASSWORD', () => randomBytes(24).toString('hex')],
  // Each service's own PostgreSQL role (the one-shot `database-roles` sets them; README, "Database roles").
  postgres_auth_password: ['POSTGRES_AUTH_PASSWORD', () => randomBytes(24).toString('hex')],
  postgres_tickets_password: ['POSTGRES_TICKETS_PASSWORD', () => randomBytes(24).toString('hex')],
  postgres_reseller_settings_password: ['POSTGRES_RESELLER_SETTINGS_PASSWORD', () => randomBytes(24).toString('hex')],
  rabbitmq_password: ['RABBITMQ_PASSWORD', () => randomBytes(24).toString('hex')],
  rabbitmq_auth_password: ['RABBITMQ_AUTH_PASSWORD', () => randomBytes(24).toString('hex')],
  rabbitmq_tickets_password: ['RABBITMQ_TICKETS_PASSWORD', () => randomBytes(24).toString('hex')],
  rabbitmq_reseller_settings_password: ['RABBITMQ_RESELLER_SETTINGS_PASSWORD', () => randomBytes(24).toString('hex')],
  jwt_secret: ['JWT_SECRET', () => randomBytes(48).toString('base64')],
  totp_encryption_key: ['TOTP_ENCRYPTION_KEY', () => randomBytes(32).toString('base64')],
  bootstrap_agent_password: ['BOOTSTRAP_AGENT_PASSWORD', () => randomBytes(18).toString('base64url')],
};

// Placeholders of .env.example count as not given.
const given = (name) => {
  const value = (process.env[name] || '').trim();
  return value && value !== 'replace-me' ? value : null;
};

function main() {
  mkdirSync(dir, { recursive: true });
  const missing = [];
  const generated = [];
  for (const [file, [variable, make]] of Object.entries(SECRETS)) {
    const path = join(dir, file);
    const value = given(variable);
    if (value) {
      writeSecret(path, value);
    } else if (!existsSync(path)) {
      if (production) {
        missing.push(variable);
        continue;
      }
      writeSecret(path, make());
      generated.push(file);
    }
  }
  if (missing.length > 0) {
    console.error(`NODE_ENV=production generates no secret: set ${missing.join(', ')} in .env (see .env.example).`);
    process.exit(1);
  }
  writeBrokerDefinitions();

  // The mail relay's URL may hold its password, so it travels as a file too (SMTP_URL_FILE).
  const smtpUrl = given('SMTP_URL');
  writeSecret(join(dir, 'smtp_url'), smtpUrl || MAIL_CATCHER_URL);
  if (!smtpUrl) {
    console.log(
      'SMTP_URL is not set: security mail goes to the bundled mail catcher (Mailpit, http://127.0.0.1:8025), not to people. Set SMTP_URL in .env to your mail relay (README, Security mail).',
    );
  }

  if (generated.length > 0) {
    console.log(
      `Generated ${generated.join(', ')} in the volume mounted at ${dir} (a development set-up: they stay the same at every start).`,
    );
    console.log('To choose them yourself, set them in .env (see .env.example); NODE_ENV=production requires that.');
    if (generated.includes('bootstrap_agent_password')) {
      const username = given('BOOTSTRAP_AGENT_USERNAME') || 'agent';
      console.log(
        `The first support agent signs in as "${username}" with the password ${readFileSync(join(dir, 'bootstrap_agent_password'), 'utf8').trim()} (shown this once; it sets up Google Authenticator at its first sign-in).`,
      );
    }
  } else {
    console.log(`Every secret is in place in ${dir}.`);
  }
}

/** Each service's broker user: RABBITMQ_SERVICE_USERS, `auth=…,tickets=…,reseller-settings=…`, as the services read it. */
function serviceUsers() {
  const users = Object.fromEntries(
    (process.env.RABBITMQ_SERVICE_USERS || '')
      .split(',')
      .map((entry) => entry.split('=').map((part) => part.trim()))
      .filter(([service, user]) => service && user),
  );
  for (const service of ['auth', 'tickets', 'reseller-settings']) {
    if (!users[service]) {
      console.error(`RABBITMQ_SERVICE_USERS names no user for ${service}.`);
      process.exit(1);
    }
  }
  return users;
}

/**
 * RabbitMQ's image has no *_FILE variables: it reads a conf.d file (RABBITMQ_CONFIG_FILES), and
 * that loads the definitions at every boot. With definitions, RabbitMQ creates no default user:
 * the operator's user is among them (administrator; impersonator, so `npm run dead-letters replay`
 * may put a message back under its publisher's user_id).
 */
function writeBrokerDefinitions() {
  const read = (file) => readFileSync(join(dir, file), 'utf8').trim();
  const users = serviceUsers();
  const definitions = brokerDefinitions({
    vhost: '/',
    queueType: process.env.RABBITMQ_QUEUE_TYPE || 'classic',
    admin: { name: given('RABBITMQ_USER') || 'pbx2fa', password: read('rabbitmq_password') },
    services: {
      auth: { name: users.auth, password: read('rabbitmq_auth_password') },
      tickets: { name: users.tickets, password: read('rabbitmq_tickets_password') },
      'reseller-settings': { name: users['reseller-settings'], password: read('rabbitmq_reseller_settings_password') },
    },
  });
  const definitionsFile = join(dir, 'rabbitmq-definitions.json');
  writeSecret(definitionsFile, JSON.stringify(definitions, null, 2));
  mkdirSync(join(dir, 'rabbitmq'), { recursive: true });
  writeSecret(join(dir, 'rabbitmq', '20-pbx2fa-definitions.conf'), `load_definitions = ${definitionsFile}`);
  // Written by earlier versions (one user shared by every service): the definitions replace it.
  rmSync(join(dir, 'rabbitmq', '20-pbx2fa-user.conf'), { force: true });
}

/** Readable by the other containers' own users (postgres, rabbitmq, node), which share only this volume. */
function writeSecret(path, value) {
  // Through a new file and a rename: a read-only file cannot be written over in place.
  const fresh = `${path}.${process.pid}.new`;
  writeFileSync(fresh, `${value}\n`, { mode: 0o444 });
  renameSync(fresh, path);
}

main();
