/**
 * `npm run bench`: starts the three built services (the end-to-end tests' harness: a fresh
 * database and RabbitMQ vhost, removed afterwards), measures what issue #7 asks for, prints a
 * table and writes bench/results.json. Needs PostgreSQL and RabbitMQ on 127.0.0.1, as `npm test`.
 *
 * Knobs (environment): BENCH_LOGIN_CONCURRENCY, BENCH_SLICES, BENCH_SLICE_SECONDS, BENCH_2FA_USERS,
 * BENCH_VERIFY_CONCURRENCY, BENCH_SECTIONS (comma list of logins, second-factor, approvals, flood),
 * BENCH_LOG_LEVEL (the services' LOG_LEVEL, default info as in production),
 * BENCH_PROFILE (comma list of services to profile with V8's CPU profiler during each measured
 * phase, see cpu-profile.js; profiles land in bench/profiles/), BENCH_SERVICE_ENV (JSON: extra
 * environment for every service, e.g. '{"UV_THREADPOOL_SIZE":"8"}').
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { login as signInCompletely } from '../test/support/api';
import { SERVICES, startStack, type ServiceName, type Stack } from '../test/support/stack';
import { passcodeForStep, stepAt, STEP_SECONDS } from '../test/support/totp';
import { expectStatus, HttpClient } from './lib/http';
import { closedLoop, mapLimit, sleep, summarize, type LatencySummary } from './lib/load';
import { FLOOD, measureSignInFlood } from './sign-in-flood';
import { CpuMeter, machine, rssBytes, runQueueSeconds, servicePids, threadNames, type CpuUse } from './lib/procs';

const ROOT = resolve(__dirname, '..');
// From the build, like the hash bound's ARGON2_OPTIONS: the limits an operator gets by default.
const { SIGN_IN_LIMIT_DEFAULTS } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file of the build, typed from its source
  require('../dist/apps/auth/src/config.js') as typeof import('../apps/auth/src/config');
const run = promisify(execFile);

const numberFrom = (name: string, fallback: number) =>
  Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback;
const MACHINE = machine();
const SETTINGS = {
  /** Logins in flight at once: enough to keep both cores hashing and the main thread busy, with a queue. */
  loginConcurrency: numberFrom('BENCH_LOGIN_CONCURRENCY', 16),
  /** The bound and the logins are measured in alternating slices of this many seconds. */
  sliceSeconds: numberFrom('BENCH_SLICE_SECONDS', 2),
  slices: numberFrom('BENCH_SLICES', 8),
  loginUsers: 200,
  twoFactorUsers: numberFrom('BENCH_2FA_USERS', 800),
  verifyConcurrency: numberFrom('BENCH_VERIFY_CONCURRENCY', 32),
  sequentialApprovals: 50,
  burstApprovals: 200,
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  sections: (process.env.BENCH_SECTIONS ?? 'logins,second-factor,approvals,flood').split(',').map((s) => s.trim()),
  profile: (process.env.BENCH_PROFILE ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as ServiceName[],
};
const PASSWORD = `Pbx-bench-${randomBytes(6).toString('base64url')}-7q!`;
const RUN_ID = randomBytes(3).toString('hex');

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const round = (value: number, digits = 1) =>
  Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value;
const mib = (bytes: number | null) => (bytes === null ? null : round(bytes / 2 ** 20, 0));

// ---------------------------------------------------------------------------------------------
// Memory: every service's VmRSS, sampled while a phase runs.

type Phase = 'idle' | 'logins' | 'second-factor' | 'approvals';
class MemorySampler {
  readonly peak: Record<string, Partial<Record<Phase, number>>> = {};
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pids: Record<string, number>) {}

  sample(phase: Phase): void {
    for (const [service, pid] of Object.entries(this.pids)) {
      const rss = rssBytes(pid);
      if (rss === null) continue;
      const peaks = (this.peak[service] ??= {});
      peaks[phase] = Math.max(peaks[phase] ?? 0, rss);
    }
  }

  start(phase: Phase): void {
    this.stop();
    this.sample(phase);
    this.timer = setInterval(() => this.sample(phase), 100);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

// ---------------------------------------------------------------------------------------------
// The bound: argon2 checks per second on every core, in a process of its own.

interface BoundInfo {
  threads: number;
  concurrency: number;
  singleMs: number;
  options: { memoryCost: number; timeCost: number; parallelism: number };
}

interface BoundSlice {
  perSecond: number;
  checks: number;
  seconds: number;
  cpuSecondsPerCheck: number;
}

/** The hash-bound process (hash-bound.ts): one thread per core, two checks in flight per thread. */
class BoundProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  info!: BoundInfo;

  constructor() {
    const threads = MACHINE.nproc;
    this.child = spawn(
      process.execPath,
      ['-r', join(__dirname, 'register.js'), join(__dirname, 'hash-bound.ts'), String(threads * 2)],
      {
        cwd: ROOT,
        env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
      },
    );
    this.child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  private async next<T>(): Promise<T> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('the hash-bound process ended early');
    return JSON.parse(value) as T;
  }

  async ready(): Promise<BoundInfo> {
    this.info = await this.next<BoundInfo>();
    return this.info;
  }

  async slice(seconds: number): Promise<BoundSlice> {
    this.child.stdin.write(`${seconds * 1000}\n`);
    return this.next<BoundSlice>();
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** CPU use over several slices, as if measured over their total time. */
function mergeCpu(uses: CpuUse[]): CpuUse {
  const wall = uses.reduce((sum, use) => sum + use.wallSeconds, 0);
  const weighted = (pick: (use: CpuUse) => number) =>
    uses.reduce((sum, use) => sum + pick(use) * use.wallSeconds, 0) / wall;
  const cores: Record<string, number> = {};
  for (const group of Object.keys(uses[0].cores)) cores[group] = weighted((use) => use.cores[group]);
  return {
    wallSeconds: wall,
    machineBusyCores: weighted((use) => use.machineBusyCores),
    cores,
    otherCores: weighted((use) => use.otherCores),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers over the gateway.

interface Bench {
  stack: Stack;
  http: HttpClient;
  agent: HttpClient;
  /** A second agent who opens the tickets: an agent never approves a ticket they opened. */
  opener: HttpClient;
  pg: Client;
  pids: Record<ServiceName, number>;
  memory: MemorySampler;
  cpu: CpuMeter;
  backends: number[];
}

async function refreshBackends(bench: Bench): Promise<void> {
  const { rows } = await bench.pg.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  bench.backends = rows.map((row) => row.pid);
}

let profiles = 0;
/** With BENCH_PROFILE: starts (then stops and writes) the profiler inside each profiled service. */
async function toggleProfiles(bench: Bench, phase: Phase, starting: boolean): Promise<void> {
  if (!SETTINGS.profile.length) return;
  for (const service of SETTINGS.profile) process.kill(bench.pids[service], 'SIGUSR2');
  if (starting) {
    profiles += 1;
    log(
      `profiling ${SETTINGS.profile.join(', ')} during ${phase}: bench/profiles/<service>-${RUN_ID}-${profiles}.cpuprofile`,
    );
  }
  await sleep(starting ? 100 : 1000);
}

/** The gateway's main thread: its stat file. */
const mainThread = (bench: Bench) => `/proc/${bench.pids.auth}/task/${bench.pids.auth}/stat`;

async function measureCpu<T>(
  bench: Bench,
  phase: Phase,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuUse; mainThreadWaitingCores: number }> {
  await refreshBackends(bench);
  await toggleProfiles(bench, phase, true);
  bench.memory.start(phase);
  const before = bench.cpu.snapshot();
  const waitedBefore = runQueueSeconds(mainThread(bench));
  const result = await work();
  const cpu = bench.cpu.since(before);
  // Time the gateway's main thread was ready to run but had no CPU, as cores (CPU-starved if high).
  const mainThreadWaitingCores = (runQueueSeconds(mainThread(bench)) - waitedBefore) / cpu.wallSeconds;
  bench.memory.stop();
  await toggleProfiles(bench, phase, false);
  return { result, cpu, mainThreadWaitingCores };
}

async function createReseller(bench: Bench, id: string): Promise<void> {
  expectStatus(await bench.agent.post('/resellers', { id, name: `Bench ${id}` }), 201, `POST /resellers ${id}`);
}

async function createUsers(bench: Bench, resellerId: string, prefix: string, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await mapLimit(names, 8, async (username) => {
    const body = { username, password: PASSWORD, resellerId, role: 'reseller_user' };
    expectStatus(await bench.agent.post('/users', body), 201, `POST /users ${username}`);
  });
  return names;
}

async function openTwoFactorTicket(bench: Bench, resellerId: string): Promise<string> {
  const ticket = expectStatus(
    await bench.opener.post<{ id: string }>('/tickets', {
      type: 'enable_2fa',
      resellerId,
      subject: 'Please enable two-factor authentication',
    }),
    201,
    `POST /tickets for ${resellerId}`,
  );
  return ticket.id;
}

async function approve(bench: Bench, ticketId: string): Promise<void> {
  expectStatus(
    await bench.agent.post(`/tickets/${ticketId}/approve`, { note: 'bench' }),
    200,
    `POST /tickets/${ticketId}/approve`,
  );
}

/** Polls the gateway's own copy of the policy — what a login reads — until 2FA is on. */
async function untilEnforced(pg: Client, resellerId: string, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { rows } = await pg.query(
      'SELECT 1 FROM auth.reseller_policies WHERE reseller_id = $1 AND two_factor_enabled',
      [resellerId],
    );
    const now = performance.now();
    if (rows.length) return now;
    if (now > deadline) throw new Error(`2FA for ${resellerId} was not enforced within ${timeoutMs} ms`);
    await sleep(2);
  }
}

async function login(
  bench: Bench,
  username: string,
): Promise<{ status: string; accessToken?: string; challengeToken?: string }> {
  return expectStatus(
    await bench.http.post('/auth/login', { username, password: PASSWORD }),
    200,
    `POST /auth/login ${username}`,
  );
}

/**
 * CPU milliseconds one operation costs each part of the server, from the cores used at a rate.
 * The gateway's threads other than the main one are libuv's pool (argon2) and V8's helpers.
 */
function cpuPer(cpu: CpuUse, perSecond: number) {
  const per = (cores: number) => (cores * 1000) / perSecond;
  const eventLoopMs = per(cpu.cores['auth.eventLoop']);
  const otherThreadsMs = per(cpu.cores.auth - cpu.cores['auth.eventLoop']);
  const postgresMs = per(cpu.cores.postgres);
  const loadGeneratorMs = per(cpu.cores.loadGenerator);
  return {
    eventLoopMs,
    otherThreadsMs,
    postgresMs,
    loadGeneratorMs,
    /** Of the CPU an operation costs the gateway and its database, the share outside the gateway's main thread (argon2 for a login). */
    offMainThreadShare: otherThreadsMs / (eventLoopMs + otherThreadsMs + postgresMs),
  };
}

// ---------------------------------------------------------------------------------------------
// 1 and 2. The bound and password logins, in alternating slices so that both see the same machine.

async function passwordLogins(bench: Bench) {
  const resellerId = `bench-login-${RUN_ID}`;
  await createReseller(bench, resellerId);
  log(`creating ${SETTINGS.loginUsers} users for the login test`);
  const users = await createUsers(bench, resellerId, `bench-login-${RUN_ID}`, SETTINGS.loginUsers);
  let next = 0;
  const op = async () => {
    const username = users[next++ % users.length];
    const reply = await bench.http.post('/auth/login', { username, password: PASSWORD });
    if (reply.status !== 200 || reply.body?.status !== 'authenticated')
      throw new Error(`login answered ${reply.status} ${JSON.stringify(reply.body)}`);
  };

  const boundProcess = new BoundProcess();
  try {
    const info = await boundProcess.ready();
    log(
      `logins: warm-up, then ${SETTINGS.slices} × (${SETTINGS.sliceSeconds} s of argon2 bound, ${SETTINGS.sliceSeconds} s of logins at concurrency ${SETTINGS.loginConcurrency})`,
    );
    await closedLoop(SETTINGS.loginConcurrency, 2, op);
    const pairs: { bound: BoundSlice; logins: Awaited<ReturnType<typeof closedLoop>> }[] = [];
    const cpuUses: CpuUse[] = [];
    const latencies: number[] = [];
    await refreshBackends(bench);
    await toggleProfiles(bench, 'logins', true);
    bench.memory.start('logins');
    for (let i = 0; i < SETTINGS.slices; i++) {
      const bound = await boundProcess.slice(SETTINGS.sliceSeconds);
      const before = bench.cpu.snapshot();
      const logins = await closedLoop(SETTINGS.loginConcurrency, SETTINGS.sliceSeconds, op, {
        warmupSeconds: 0.5,
        keepLatencies: latencies,
      });
      cpuUses.push(bench.cpu.since(before));
      if (logins.errors) throw new Error(`${logins.errors} logins failed; the first: ${logins.firstError}`);
      pairs.push({ bound, logins });
      log(`  slice ${i + 1}: bound ${round(bound.perSecond)} checks/s, logins ${round(logins.perSecond)}/s`);
    }
    bench.memory.stop();
    await toggleProfiles(bench, 'logins', false);
    const boundPerSecond = pairs.reduce((sum, pair) => sum + pair.bound.perSecond, 0) / pairs.length;
    const loginsPerSecond = pairs.reduce((sum, pair) => sum + pair.logins.perSecond, 0) / pairs.length;
    const cpu = mergeCpu(cpuUses);
    const cpuPerLogin = cpuPer(cpu, loginsPerSecond);
    const hashCpuMs = (1000 * pairs.reduce((sum, pair) => sum + pair.bound.cpuSecondsPerCheck, 0)) / pairs.length;
    return {
      bound: {
        ...info,
        perSecond: boundPerSecond,
        cpuMsPerCheck: hashCpuMs,
        slices: pairs.map((pair) => round(pair.bound.perSecond)),
      },
      logins: {
        perSecond: loginsPerSecond,
        concurrency: SETTINGS.loginConcurrency,
        latency: summarize(latencies),
        slices: pairs.map((pair) => round(pair.logins.perSecond)),
      },
      ratio: loginsPerSecond / boundPerSecond,
      sliceRatios: pairs.map((pair) => round(pair.logins.perSecond / pair.bound.perSecond, 3)),
      medianSliceRatio: summarize(pairs.map((pair) => pair.logins.perSecond / pair.bound.perSecond)).p50Ms,
      cpu,
      cpuPerLogin,
      /** What the ratio would be with the machine to ourselves: a hash's CPU over a login's CPU (gateway, PostgreSQL, load generator). */
      cpuRatio:
        hashCpuMs /
        (cpuPerLogin.eventLoopMs + cpuPerLogin.otherThreadsMs + cpuPerLogin.postgresMs + cpuPerLogin.loadGeneratorMs),
      authThreads: threadNames(bench.pids.auth).length,
    };
  } finally {
    boundProcess.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Second-factor verifications.

interface Enrolled {
  username: string;
  secret: string;
  challenges: string[];
}

async function secondFactor(bench: Bench) {
  const resellerId = `bench-2fa-${RUN_ID}`;
  await createReseller(bench, resellerId);
  const ticketId = await openTwoFactorTicket(bench, resellerId);
  await approve(bench, ticketId);
  await untilEnforced(bench.pg, resellerId);

  const count = SETTINGS.twoFactorUsers;
  log(`second factor: creating and enrolling ${count} users (setup + activate each), then 2 challenges each`);
  const prepared = performance.now();
  const usernames = await createUsers(bench, resellerId, `bench-2fa-${RUN_ID}`, count);
  const enrolled: Enrolled[] = await mapLimit(usernames, 8, async (username) => {
    const { accessToken } = await login(bench, username);
    const client = bench.http.as(accessToken!);
    const { secret } = expectStatus(
      await client.post<{ secret: string }>('/auth/2fa/setup', {}),
      201,
      `setup ${username}`,
    );
    // The previous step's passcode (one step of drift), so every later step is still unused.
    if (STEP_SECONDS * 1000 - (Date.now() % (STEP_SECONDS * 1000)) < 1500) await sleep(1600);
    const passcode = passcodeForStep(secret, stepAt() - 1);
    expectStatus(
      await client.post('/auth/2fa/activate', { passcode, currentPassword: PASSWORD }),
      200,
      `activate ${username}`,
    );
    return { username, secret, challenges: [] };
  });
  // Each passcode is used once: two verifications per user, with the codes of two steps that no
  // activation used (the current and the next one), each against a fresh challenge.
  await mapLimit(enrolled, 8, async (user) => {
    for (let i = 0; i < 2; i++) {
      const reply = await login(bench, user.username);
      if (reply.status !== 'two_factor_required' || !reply.challengeToken)
        throw new Error(`login of ${user.username} asked for no passcode`);
      user.challenges.push(reply.challengeToken);
    }
  });
  const preparationSeconds = (performance.now() - prepared) / 1000;

  const step = stepAt();
  let nextUser = 0;
  const workers = Array.from({ length: SETTINGS.verifyConcurrency }, () => ({
    user: null as Enrolled | null,
    used: 0,
  }));
  const op = async (worker: number) => {
    const state = workers[worker];
    if (!state.user || state.used === 2) {
      if (nextUser >= enrolled.length) return false;
      state.user = enrolled[nextUser++];
      state.used = 0;
    }
    const user = state.user;
    const passcode = passcodeForStep(user.secret, step + state.used);
    const challengeToken = user.challenges[state.used];
    state.used++;
    const reply = await bench.http.post('/auth/login/verify', { challengeToken, passcode });
    if (reply.status !== 200 || reply.body?.status !== 'authenticated')
      throw new Error(`verify answered ${reply.status} ${JSON.stringify(reply.body)}`);
    return true;
  };
  // The floor: what the gateway spends on a request that does no work (no database, no crypto),
  // through the same HTTP stack (Express, Nest, helmet, logging, metrics), at the same concurrency.
  log(`second factor: the floor — GET /auth/login-options for ${SETTINGS.sliceSeconds * 2} s`);
  const floorOp = async () => {
    const reply = await bench.http.get('/auth/login-options');
    if (reply.status !== 200) throw new Error(`login-options answered ${reply.status}`);
  };
  const floorBefore = bench.cpu.snapshot();
  const floorRun = await closedLoop(SETTINGS.verifyConcurrency, SETTINGS.sliceSeconds * 2, floorOp, {
    warmupSeconds: 0.3,
  });
  const floor = {
    perSecond: floorRun.perSecond,
    cpuPerRequest: cpuPer(bench.cpu.since(floorBefore), floorRun.perSecond),
  };

  log(`second factor: ${count * 2} verifications at concurrency ${SETTINGS.verifyConcurrency}`);
  const {
    result: verifications,
    cpu,
    mainThreadWaitingCores,
  } = await measureCpu(bench, 'second-factor', () =>
    closedLoop(SETTINGS.verifyConcurrency, 120, op, { warmupSeconds: 0.3 }),
  );
  if (verifications.errors)
    throw new Error(`${verifications.errors} verifications failed; the first: ${verifications.firstError}`);
  const c = cpuPer(cpu, verifications.perSecond);
  return {
    users: count,
    preparationSeconds,
    verifications,
    cpu,
    cpuPerVerification: c,
    /** Share of the time the gateway's main thread ran, and waited for a CPU while runnable. */
    gatewayMainThread: { running: cpu.cores['auth.eventLoop'], waitingForCpu: mainThreadWaitingCores },
    floor,
    perCore: verifications.perSecond / MACHINE.nproc,
    /** Verifications per second of one core's CPU: spent by gateway + PostgreSQL + load generator, and by the gateway alone. */
    perCpuSecond: {
      all: 1000 / (c.eventLoopMs + c.otherThreadsMs + c.postgresMs + c.loadGeneratorMs),
      gateway: 1000 / (c.eventLoopMs + c.otherThreadsMs),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Approval to enforcement.

async function approvals(bench: Bench) {
  const prepare = async (prefix: string, count: number) => {
    const ids = Array.from({ length: count }, (_, i) => `bench-${prefix}-${RUN_ID}-${i}`);
    return mapLimit(ids, 8, async (resellerId) => {
      await createReseller(bench, resellerId);
      return { resellerId, ticketId: await openTwoFactorTicket(bench, resellerId) };
    });
  };

  log(`approvals: ${SETTINGS.sequentialApprovals} one after another`);
  const sequential = await prepare('seq', SETTINGS.sequentialApprovals);
  // One user of the first reseller, to check that GET /auth/me agrees with the table polled.
  const [witness] = await createUsers(bench, sequential[0].resellerId, `bench-witness-${RUN_ID}`, 1);
  const witnessToken = (await login(bench, witness)).accessToken!;
  const fromResponse: number[] = [];
  const fromRequest: number[] = [];
  bench.memory.start('approvals');
  for (const { resellerId, ticketId } of sequential) {
    const sent = performance.now();
    await approve(bench, ticketId);
    const answered = performance.now();
    const enforced = await untilEnforced(bench.pg, resellerId);
    fromResponse.push(enforced - answered);
    fromRequest.push(enforced - sent);
  }
  const me = expectStatus(await bench.http.as(witnessToken).get('/auth/me'), 200, 'GET /auth/me');
  if (me.twoFactor?.availableForReseller !== true)
    throw new Error(`GET /auth/me disagrees with reseller_policies: ${JSON.stringify(me)}`);

  log(`approvals: ${SETTINGS.burstApprovals} for ${SETTINGS.burstApprovals} resellers at once`);
  const burst = await prepare('burst', SETTINGS.burstApprovals);
  const ids = burst.map((item) => item.resellerId);
  const ticketIds = burst.map((item) => item.ticketId);
  const enforcedAt = new Map<string, number>();
  const answeredAt: number[] = [];
  let settingsAllMs = NaN;
  let allResolvedMs = NaN;
  await refreshBackends(bench);
  await toggleProfiles(bench, 'approvals', true);
  const cpuBefore = bench.cpu.snapshot();
  const start = performance.now();
  const approving = Promise.all(
    burst.map(async ({ ticketId }) => {
      await approve(bench, ticketId);
      answeredAt.push(performance.now() - start);
    }),
  );
  approving.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
  // Every 10 ms, each stage of the road: reseller-settings turned 2FA on, the gateway's copy
  // shows it (enforced), the ticket resolved itself.
  const deadline = start + 60_000;
  while (enforcedAt.size < ids.length || Number.isNaN(allResolvedMs)) {
    const { rows } = await bench.pg.query<{ enforced: string[] | null; settings: number; resolved: number }>(
      `SELECT (SELECT array_agg(reseller_id) FROM auth.reseller_policies WHERE reseller_id = ANY($1) AND two_factor_enabled) AS enforced,
              (SELECT count(*)::int FROM reseller_settings.resellers WHERE id = ANY($1) AND two_factor_enabled) AS settings,
              (SELECT count(*)::int FROM tickets.tickets WHERE id::text = ANY($2) AND status = 'resolved') AS resolved`,
      [ids, ticketIds],
    );
    const now = performance.now() - start;
    for (const id of rows[0].enforced ?? []) if (!enforcedAt.has(id)) enforcedAt.set(id, now);
    if (Number.isNaN(settingsAllMs) && rows[0].settings === ids.length) settingsAllMs = now;
    if (Number.isNaN(allResolvedMs) && rows[0].resolved === ids.length) allResolvedMs = now;
    if (performance.now() > deadline)
      throw new Error(`only ${enforcedAt.size} of ${ids.length} approvals enforced after 60 s`);
    await sleep(10);
  }
  const allEnforcedMs = Math.max(...enforcedAt.values());
  await approving;
  const cpu = bench.cpu.since(cpuBefore);
  bench.memory.stop();
  await toggleProfiles(bench, 'approvals', false);
  return {
    sequential: {
      count: sequential.length,
      fromApproveResponse: summarize(fromResponse),
      fromApproveRequest: summarize(fromRequest),
    },
    burst: {
      count: ids.length,
      allEnforcedMs,
      lastApproveAnsweredMs: Math.max(...answeredAt),
      allOnInResellerSettingsMs: settingsAllMs,
      allTicketsResolvedMs: allResolvedMs,
      approveAnsweredSinceStart: summarize(answeredAt),
      enforcedSinceStart: summarize([...enforcedAt.values()]),
      cpu,
    },
  };
}

/** The flood runs on a stack of its own, with the limits an operator gets by default. */
async function signInFlood(extraEnv: Record<string, string>) {
  log(
    `flood: one address, ${FLOOD.concurrency} concurrent unknown-user logins for ${FLOOD.seconds} s, beside a user signing in every ${FLOOD.userEveryMs} ms`,
  );
  const stack = await startStack({
    name: 'bench-flood',
    env: {
      LOG_LEVEL: SETTINGS.logLevel,
      ...extraEnv,
      SIGN_IN_LIMIT_PER_ADDRESS: String(SIGN_IN_LIMIT_DEFAULTS.perAddress),
      SIGN_IN_LIMIT_WINDOW_SECONDS: String(SIGN_IN_LIMIT_DEFAULTS.windowSeconds),
    },
  });
  try {
    const http = new HttpClient(stack.authUrl, 4);
    const token = await signInCompletely(stack.authUrl, stack.agent.username, stack.agent.password);
    const user = { username: `bench-flood-${RUN_ID}`, password: PASSWORD };
    const resellerId = `bench-flood-${RUN_ID}`;
    expectStatus(
      await http.as(token).post('/resellers', { id: resellerId, name: 'Flood bench' }),
      201,
      'POST /resellers',
    );
    expectStatus(
      await http.as(token).post('/users', { ...user, resellerId, role: 'reseller_user' }),
      201,
      'POST /users',
    );
    http.close();
    return await measureSignInFlood(stack.authUrl, user);
  } finally {
    await stack.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

type Row = [measure: string, value: string, target: string, met: string];

function table(rows: Row[]): string {
  const header: Row = ['measure', 'value', 'target', 'met'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row: Row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

const ms = (value: number) => `${round(value, value < 10 ? 1 : 0)} ms`;
const lat = (l: LatencySummary) => `p50 ${ms(l.p50Ms)}, p99 ${ms(l.p99Ms)}`;
const yesNo = (met: boolean) => (met ? 'yes' : 'NO');
const perOp = (c: ReturnType<typeof cpuPer>) =>
  `gateway main thread ${round(c.eventLoopMs, 2)} + gateway's other threads (argon2 pool, GC) ${round(c.otherThreadsMs, 2)} + ` +
  `PostgreSQL ${round(c.postgresMs, 2)} + load generator ${round(c.loadGeneratorMs, 2)}`;
const cores = (cpu: CpuUse) => {
  const c = cpu.cores;
  return (
    `gateway ${round(c.auth, 2)} (main thread ${round(c['auth.eventLoop'], 2)}), PostgreSQL ${round(c.postgres, 2)}, load generator ${round(c.loadGenerator, 2)}, ` +
    `tickets ${round(c.tickets, 2)}, reseller-settings ${round(c['reseller-settings'], 2)}; anything else ${round(cpu.otherCores, 2)} (machine busy ${round(cpu.machineBusyCores, 2)} of ${MACHINE.nproc})`
  );
};

async function waitForBroker(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    try {
      await run('rabbitmq-diagnostics', ['-q', 'check_running'], { timeout: 15_000 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // no local tools: let the harness say what is wrong
      if (i === 0) log('RabbitMQ is not running yet; waiting up to 60 s');
      await sleep(1000);
    }
  }
  throw new Error('RabbitMQ did not answer `rabbitmq-diagnostics check_running` within 60 s');
}

async function main(): Promise<void> {
  log(`machine: ${MACHINE.nproc} × ${MACHINE.cpuModel}, ${MACHINE.memoryGiB} GiB, Node ${MACHINE.node}`);
  await waitForBroker();
  const profileDir = join(__dirname, 'profiles');
  const serviceEnv: Partial<Record<ServiceName, Record<string, string>>> = {};
  for (const service of SETTINGS.profile) {
    mkdirSync(profileDir, { recursive: true });
    serviceEnv[service] = {
      NODE_OPTIONS: `--require ${join(__dirname, 'cpu-profile.js')}`,
      BENCH_PROFILE_DIR: profileDir,
      BENCH_PROFILE_LABEL: `${service}-${RUN_ID}`,
    };
  }
  const extraEnv = process.env.BENCH_SERVICE_ENV
    ? (JSON.parse(process.env.BENCH_SERVICE_ENV) as Record<string, string>)
    : {};
  log('starting the services (fresh database and vhost)');
  let stack: Stack;
  for (let attempt = 1; ; attempt++) {
    try {
      stack = await startStack({ name: 'bench', env: { LOG_LEVEL: SETTINGS.logLevel, ...extraEnv }, serviceEnv });
      break;
    } catch (error) {
      // The broker on a shared machine may be down for a moment (fault-injection tests stop it).
      if (attempt === 5 || !/rabbit|broker|amqp/i.test((error as Error).message)) throw error;
      log(`could not start the stack (${(error as Error).message.split('\n')[0]}); retrying`);
      await sleep(2000);
      await waitForBroker();
    }
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await stack.stop();
    } catch (error) {
      // The harness dropped the database; the broker may have been away when it removed the vhost.
      if (!/delete_vhost/.test((error as Error).message)) throw error;
      log('RabbitMQ was away while cleaning up: waiting for it to delete the vhost');
      await waitForBroker();
      await run('rabbitmqctl', ['delete_vhost', stack.vhost], { timeout: 30_000 });
    }
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));

  const pg = new Client({ connectionString: stack.databaseUrl });
  try {
    await pg.connect();
    const pids = servicePids(SERVICES) as Record<ServiceName, number>;
    const http = new HttpClient(stack.authUrl);
    // The agent sets up its second factor at this first sign-in (agents always have one): the tests' helper does it.
    const agentToken = await signInCompletely(stack.authUrl, stack.agent.username, stack.agent.password);
    const opener = { username: `bench-opener-${RUN_ID}`, password: PASSWORD };
    expectStatus(
      await http.as(agentToken).post('/users', { ...opener, role: 'agent' }),
      201,
      'POST /users (a second agent)',
    );
    const openerToken = await signInCompletely(stack.authUrl, opener.username, opener.password);
    const bench: Bench = {
      stack,
      http,
      agent: http.as(agentToken),
      opener: http.as(openerToken),
      pg,
      pids,
      memory: new MemorySampler(pids),
      backends: [],
      cpu: new CpuMeter(() => ({
        auth: [pids.auth],
        // The gateway's main thread alone: JavaScript, I/O, the event loop. The rest of its CPU is
        // other threads: libuv's pool (argon2) and V8's helpers (garbage collection).
        'auth.eventLoop': [`/proc/${pids.auth}/task/${pids.auth}/stat`],
        tickets: [pids.tickets],
        'reseller-settings': [pids['reseller-settings']],
        postgres: bench.backends,
      })),
    };
    await sleep(2000);
    bench.memory.sample('idle');

    const results: Record<string, unknown> = {
      machine: MACHINE,
      startedAt: new Date().toISOString(),
      settings: SETTINGS,
    };
    const rows: Row[] = [];
    const targets: { name: string; value: number; target: string; met: boolean }[] = [];

    if (SETTINGS.sections.includes('logins')) {
      await waitForBroker();
      const r = await passwordLogins(bench);
      results.logins = {
        how:
          `bound: a separate Node process verifies a password against a hash made with the gateway's ARGON2_OPTIONS ` +
          `(imported from dist), UV_THREADPOOL_SIZE=${r.bound.threads} (one thread per core), ${r.bound.concurrency} checks in flight. ` +
          `logins: POST /auth/login on the real gateway, ${SETTINGS.loginUsers} distinct users of a reseller without 2FA, right passwords ` +
          `(the throttle never counts), ${r.logins.concurrency} in flight from a keep-alive node:http client on the same machine. ` +
          `The two alternate, ${SETTINGS.slices} slices of ${SETTINGS.sliceSeconds} s each (answers in the first 0.3/0.5 s of a slice not counted), ` +
          `so that both see the same machine; ratio = mean logins/s ÷ mean checks/s. ` +
          `CPU: /proc/<pid>/stat of the gateway (its main thread from /proc/<pid>/task/<pid>/stat; its other threads are libuv's ` +
          `pool running argon2 and V8's GC helpers), of the PostgreSQL backends of the bench database and of the load generator, ` +
          `over the login slices, divided by the login rate (cpuPerLogin). cpuRatio = the bound's CPU per check ÷ the CPU a ` +
          `login costs all of these: the ratio on a machine with nothing else running.`,
        ...r,
      };
      rows.push(
        [
          `argon2 bound (checks/s, ${MACHINE.nproc} cores)`,
          `${round(r.bound.perSecond)} (slices: ${r.bound.slices.join(', ')}); ${round(r.bound.cpuMsPerCheck, 1)} ms CPU per check`,
          '',
          '',
        ],
        [
          `password logins/s (concurrency ${r.logins.concurrency})`,
          `${round(r.logins.perSecond)} (slices: ${r.logins.slices.join(', ')})`,
          '',
          '',
        ],
        ['login latency', lat(r.logins.latency), '', ''],
        [
          'logins / bound',
          `${round(r.ratio * 100)} % (median of slice pairs ${round(r.medianSliceRatio * 100)} %; pairs: ${r.sliceRatios.map((x) => `${round(x * 100, 0)}`).join(', ')} %)`,
          '≥ 90 %',
          yesNo(r.ratio >= 0.9),
        ],
        ['CPU per login (ms)', perOp(r.cpuPerLogin), '', ''],
        ['  argon2 CPU ÷ CPU per login (idle-machine ratio)', `${round(r.cpuRatio * 100)} %`, '', ''],
        ['CPU cores during logins', cores(r.cpu), '', ''],
      );
      targets.push({ name: 'logins ≥ 90% of the hash bound', value: r.ratio, target: '≥ 0.9', met: r.ratio >= 0.9 });
    }

    if (SETTINGS.sections.includes('second-factor')) {
      await waitForBroker();
      const r = await secondFactor(bench);
      results.secondFactor = {
        how:
          `${r.users} users of a reseller whose 2FA was turned on by an approved ticket, each enrolled through POST /auth/2fa/setup and ` +
          `/auth/2fa/activate (the previous step's passcode); each then signed in with a password twice to get two fresh challenges ` +
          `(not timed). Timed: POST /auth/login/verify alone, ${r.users * 2} calls, ${r.verifications.concurrency} in flight, each ` +
          `passcode used once (a user answers the current step's code, then the next step's). ` +
          `floor: GET /auth/login-options (answers from configuration) at the same concurrency for ${SETTINGS.sliceSeconds * 2} s just before, ` +
          `the CPU the same stack spends on a request that does no work.`,
        ...r,
      };
      rows.push(
        [
          `second-factor verifications/s (concurrency ${r.verifications.concurrency})`,
          `${round(r.verifications.perSecond)} (${round(r.perCore)} per core)`,
          `≥ 1000 per core`,
          yesNo(r.perCore >= 1000),
        ],
        ['verification latency', lat(r.verifications.latency), '', ''],
        ['CPU per verification (ms)', perOp(r.cpuPerVerification), '', ''],
        [
          '  verifications per CPU-second: all processes / gateway alone',
          `${round(r.perCpuSecond.all)} / ${round(r.perCpuSecond.gateway)}`,
          '',
          '',
        ],
        ['CPU cores during verifications', cores(r.cpu), '', ''],
        [
          '  the floor: GET /auth/login-options (no database, no crypto)',
          `${round(r.floor.perSecond)}/s; CPU per request (ms): ${perOp(r.floor.cpuPerRequest)}`,
          '',
          '',
        ],
        [
          '  gateway main thread: running / runnable but waiting for a CPU',
          `${round(r.gatewayMainThread.running * 100, 0)} % / ${round(r.gatewayMainThread.waitingForCpu * 100, 0)} % of the time`,
          '',
          '',
        ],
      );
      targets.push({
        name: 'second-factor verifications ≥ 1000/s per core',
        value: r.perCore,
        target: '≥ 1000',
        met: r.perCore >= 1000,
      });
    }

    if (SETTINGS.sections.includes('approvals')) {
      await waitForBroker();
      const r = await approvals(bench);
      results.approvals = {
        how:
          `Each reseller created through POST /resellers, an enable_2fa ticket opened by a second agent (an agent never approves their own). Sequential: ${r.sequential.count} approvals ` +
          `one after another; timed from the approve response (and from the request) until the gateway's own copy ` +
          `(auth.reseller_policies, what a login and GET /auth/me read) shows 2FA on, polled with pg every 2 ms; GET /auth/me ` +
          `of a user of the first reseller is checked to agree. Burst: ${r.burst.count} approvals sent at once, timed from the first ` +
          `request until every one is enforced, with the stages in between (each polled every 10 ms: the last approve answered, reseller-settings has 2FA on for all, the gateway's copy shows it for all, every ticket resolved), and the CPU each process used meanwhile.`,
        ...r,
      };
      rows.push(
        [
          `approval → enforcement (${r.sequential.count} one after another)`,
          lat(r.sequential.fromApproveResponse),
          'p50 < 50 ms',
          yesNo(r.sequential.fromApproveResponse.p50Ms < 50),
        ],
        ['  same, from the approve request', lat(r.sequential.fromApproveRequest), '', ''],
        [
          `${r.burst.count} approvals at once: all enforced`,
          ms(r.burst.allEnforcedMs),
          '< 2000 ms',
          yesNo(r.burst.allEnforcedMs < 2000),
        ],
        [
          '  stages: last approve answered / all on in reseller-settings / all enforced / all tickets resolved',
          `${ms(r.burst.lastApproveAnsweredMs)} / ${ms(r.burst.allOnInResellerSettingsMs)} / ${ms(r.burst.allEnforcedMs)} / ${ms(r.burst.allTicketsResolvedMs)}`,
          '',
          '',
        ],
        ['CPU cores during the 200 approvals', cores(r.burst.cpu), '', ''],
      );
      targets.push(
        {
          name: 'approval → enforcement median < 50 ms',
          value: r.sequential.fromApproveResponse.p50Ms,
          target: '< 50',
          met: r.sequential.fromApproveResponse.p50Ms < 50,
        },
        {
          name: '200 approvals enforced < 2 s',
          value: r.burst.allEnforcedMs,
          target: '< 2000',
          met: r.burst.allEnforcedMs < 2000,
        },
      );
    }

    if (SETTINGS.sections.includes('flood')) {
      await waitForBroker();
      const r = await signInFlood(extraEnv);
      results.flood = {
        how:
          `A stack of its own with the default per-address limit (${SIGN_IN_LIMIT_DEFAULTS.perAddress} sign-in requests per ${SIGN_IN_LIMIT_DEFAULTS.windowSeconds} s). ` +
          `A user (no 2FA) signs in with POST /auth/login every ${FLOOD.userEveryMs} ms from X-Forwarded-For ${'198.51.100.99'} for ${FLOOD.seconds} s alone, ` +
          `then again for ${FLOOD.seconds} s while one address (203.0.113.66) sends ${FLOOD.concurrency} concurrent logins for unknown users, ` +
          `each as soon as the previous answered (undici pool, keep-alive). ratio = the user's p99 under the flood ÷ p50 alone.`,
        ...r,
      };
      rows.push(
        ['sign-in alone (a user every 200 ms)', lat(r.alone), '', ''],
        [
          `  same, while one address floods (${FLOOD.concurrency} concurrent)`,
          `${lat(r.underFlood)}; ${r.userFailures} failed ${JSON.stringify(r.userFailureAnswers)}`,
          '',
          '',
        ],
        [
          '  p99 under the flood ÷ p50 alone',
          `${round(r.ratio, 1)} ×`,
          '≤ 10 ×',
          yesNo(r.ratio <= 10 && r.userFailures === 0),
        ],
        [
          '  the flood was answered',
          `${Object.entries(r.floodAnswers)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')} (${round(r.floodPerSecond)}/s)`,
          '',
          '',
        ],
      );
      targets.push({
        name: 'sign-in p99 under a flood ≤ 10 × p50 alone',
        value: r.ratio,
        target: '≤ 10',
        met: r.ratio <= 10 && r.userFailures === 0,
      });
    }

    const memory: Record<string, Record<string, number | null>> = {};
    for (const service of SERVICES) {
      const peaks = bench.memory.peak[service] ?? {};
      memory[service] = {
        idleMiB: mib(peaks.idle ?? null),
        loginsMiB: mib(peaks.logins ?? null),
        secondFactorMiB: mib(peaks['second-factor'] ?? null),
        approvalsMiB: mib(peaks.approvals ?? null),
      };
      const loaded = Object.entries(memory[service])
        .filter(([k, v]) => k !== 'idleMiB' && v !== null)
        .map(([k, v]) => `${k.replace('MiB', '')} ${v}`);
      rows.push([
        `RSS of ${service} (MiB)`,
        `idle ${memory[service].idleMiB}; peak under load: ${loaded.join(', ')}`,
        '',
        '',
      ]);
    }
    results.memory = {
      how: 'VmRSS from /proc/<pid>/status of each service process: once 2 s after start (idle), and the peak of samples every 100 ms during each phase.',
      ...memory,
    };
    results.targets = targets;
    results.finishedAt = new Date().toISOString();

    const out = join(__dirname, 'results.json');
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      `\n${table(rows)}\n\nMachine: ${MACHINE.nproc} × ${MACHINE.cpuModel}, ${MACHINE.memoryGiB} GiB RAM, Node ${MACHINE.node}. Written to ${out}\n`,
    );
    http.close();
  } catch (error) {
    // A shared machine: fault-injection tests stop RabbitMQ now and then.
    const brokerTrouble = SERVICES.some((service) =>
      /broker unreachable|broker connection lost/.test(stack.logs(service)),
    );
    if (brokerTrouble)
      (error as Error).message +=
        "\n(RabbitMQ went away during the run — see the services' logs in " + stack.logDir + '; run it again.)';
    throw error;
  } finally {
    await pg.end().catch(() => undefined);
    await stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
