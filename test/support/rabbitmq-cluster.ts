import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Broker } from './infrastructure';

/**
 * A 3-node RabbitMQ cluster beside the machine's own node, through scripts/rabbitmq-cluster.sh
 * (private epmd and cookie, AMQP on 127.0.0.1:5681-5683; the node on 5672 is never touched).
 * Its run folder is under the OS temp dir and goes away with `down`; a detached watchdog takes the
 * cluster down if the test process dies without doing so.
 */
export const CLUSTER_NODES = ['a', 'b', 'c'] as const;
export type ClusterNode = (typeof CLUSTER_NODES)[number];

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'rabbitmq-cluster.sh');
const run = promisify(execFile);

export interface RabbitCluster {
  /** All three nodes' URLs; `ctl` goes to a node that was not killed. */
  readonly broker: Broker;
  /** How long `up` took, in ms. */
  readonly upMs: number;
  nodeName(node: ClusterNode): string;
  /** SIGKILL: the node's connections drop at once, nothing is flushed. */
  kill9(node: ClusterNode): Promise<void>;
  /** Starts a stopped or killed node again with its data; resolves with the ms it took to boot. */
  start(node: ClusterNode): Promise<number>;
  /** The node leading each queue of the vhost (quorum queues), by queue name. */
  leaders(vhost: string): Promise<Map<string, ClusterNode>>;
  /** The node holding each queue of the vhost (for a classic queue, its only copy), by queue name. */
  queueNodes(vhost: string): Promise<Map<string, ClusterNode>>;
  /** How many client connections of the vhost each node holds. */
  connectionsByNode(vhost: string): Promise<Map<ClusterNode, number>>;
  /** Closes every client connection of the vhost held by that node (the clients reconnect elsewhere); resolves with how many. */
  closeConnections(vhost: string, node: ClusterNode): Promise<number>;
  /** Copies the nodes' logs into `dir` (for a look after a failure). */
  saveLogs(dir: string): void;
  /** Stops only what `up` started and deletes its run folder. Safe to call twice. */
  down(): Promise<void>;
}

async function script(runDir: string, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    return (await run(SCRIPT, args, { env: { ...process.env, RMQC_RUN: runDir }, timeout: timeoutMs })).stdout;
  } catch (error) {
    const detail =
      ((error as { stderr?: string }).stderr ?? '').trim().split('\n').slice(-15).join('\n') ||
      (error as Error).message;
    throw new Error(`scripts/rabbitmq-cluster.sh ${args.join(' ')} failed:\n${detail}`);
  }
}

const nodeOf = (name: string): ClusterNode | undefined => /rabbit-([abc])@/.exec(name)?.[1] as ClusterNode | undefined;

/**
 * Brings the cluster up; fails with a clear message (never a skip) when it cannot start here,
 * after taking down whatever part of it did start.
 */
export async function startCluster(): Promise<RabbitCluster> {
  const runDir = join(tmpdir(), `pbx2fa-rabbitmq-cluster-${randomBytes(4).toString('hex')}`);
  const killed = new Set<ClusterNode>();
  const watchdog = spawn(
    'sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; exec "$0" down`, SCRIPT],
    {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, RMQC_RUN: runDir },
    },
  );
  watchdog.unref();
  let downing: Promise<void> | null = null;
  const down = () =>
    (downing ??= (async () => {
      try {
        // Its own process group (detached): this ends the shell and its sleep.
        process.kill(-watchdog.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await script(runDir, ['down']);
    })());

  const startedAt = Date.now();
  try {
    await script(runDir, ['up'], 180_000);
  } catch (error) {
    await down().catch(() => undefined);
    throw new Error(
      `A 3-node RabbitMQ cluster could not be started on this machine, so the cluster test cannot run. ` +
        `It needs Debian's rabbitmq-server (/usr/lib/rabbitmq/bin), epmd, and free ports 4371, 5681-5683 and 25681-25683. ${(error as Error).message}`,
    );
  }
  const upMs = Date.now() - startedAt;
  const urls = (await script(runDir, ['urls'])).trim().split(',');

  const ctl = async (...args: string[]): Promise<string> => {
    const node = CLUSTER_NODES.find((candidate) => !killed.has(candidate));
    if (!node) throw new Error('every node of the cluster is down');
    return script(runDir, ['ctl', node, ...args], 30_000);
  };

  /** A connection's pid names the node that holds it: <rabbit-b@localhost.1796291207.1855.0>. */
  const connections = async (vhost: string): Promise<{ pid: string; node: ClusterNode }[]> => {
    const out = await ctl('list_connections', 'pid', 'vhost', '--quiet', '--no-table-headers');
    return out.split('\n').flatMap((line) => {
      const [pid, connectionVhost] = line.trim().split(/\s+/);
      const node = pid ? nodeOf(pid) : undefined;
      return node && connectionVhost === vhost ? [{ pid, node }] : [];
    });
  };

  return {
    broker: { urls, ctl },
    upMs,
    nodeName: (node) => `rabbit-${node}@localhost`,
    kill9: async (node) => {
      await script(runDir, ['kill9', node]);
      killed.add(node);
    },
    start: async (node) => {
      const bootStartedAt = Date.now();
      await script(runDir, ['start', node], 150_000);
      killed.delete(node);
      return Date.now() - bootStartedAt;
    },
    leaders: async (vhost) => {
      const out = await ctl('list_queues', '-p', vhost, 'name', 'leader', '--quiet', '--no-table-headers');
      const leaders = new Map<string, ClusterNode>();
      for (const line of out.split('\n')) {
        const [name, leader] = line.trim().split(/\s+/);
        const node = leader ? nodeOf(leader) : undefined;
        if (name && node) leaders.set(name, node);
      }
      return leaders;
    },
    queueNodes: async (vhost) => {
      const out = await ctl('list_queues', '-p', vhost, 'name', 'pid', '--quiet', '--no-table-headers');
      const nodes = new Map<string, ClusterNode>();
      for (const line of out.split('\n')) {
        const [name, pid] = line.trim().split(/\s+/);
        const node = pid ? nodeOf(pid) : undefined;
        if (name && node) nodes.set(name, node);
      }
      return nodes;
    },
    connectionsByNode: async (vhost) => {
      const counts = new Map<ClusterNode, number>();
      for (const { node } of await connections(vhost)) counts.set(node, (counts.get(node) ?? 0) + 1);
      return counts;
    },
    closeConnections: async (vhost, node) => {
      const held = (await connections(vhost)).filter((connection) => connection.node === node);
      for (const { pid } of held) await ctl('close_connection', pid, 'closed by the cluster test');
      return held.length;
    },
    saveLogs: (dir) => {
      for (const node of CLUSTER_NODES) {
        const logs = join(runDir, node, 'log');
        if (!existsSync(logs)) continue;
        mkdirSync(dir, { recursive: true });
        cpSync(logs, join(dir, `rabbit-${node}`), { recursive: true });
      }
    },
    down,
  };
}
