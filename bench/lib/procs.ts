import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** Reading /proc: which processes are the services, how much CPU and memory each uses. */

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function readStat(pid: number | string): string[] | null {
  try {
    const text = readFileSync(typeof pid === 'string' ? pid : `/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)", which may itself hold spaces: state is field 3, utime 14, stime 15.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * User plus system CPU seconds a process has used so far (0 once it is gone); given a path, of
 * that stat file (`/proc/<pid>/task/<pid>/stat` is the main thread alone: the event loop).
 */
export function cpuSeconds(pid: number | string): number {
  const fields = readStat(pid);
  if (!fields) return 0;
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Seconds a thread (or process) has spent runnable but waiting for a CPU so far, from
 * /proc/<pid>/task/<tid>/schedstat: a busy main thread that also waits a lot is CPU-starved.
 */
export function runQueueSeconds(statPath: string): number {
  try {
    return Number(readFileSync(statPath.replace(/\/stat$/, '/schedstat'), 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes (VmRSS), or null when the process is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Threads of a process by name (libuv's pool threads are called "libuv-worker"). */
export function threadNames(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      } catch {
        return '?';
      }
    });
  } catch {
    return [];
  }
}

/** The pid of each service this process started (children running dist/apps/<name>/src/main.js). */
export function servicePids(names: readonly string[]): Record<string, number> {
  const found: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const fields = readStat(pid);
    if (!fields || Number(fields[1]) !== process.pid) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    for (const name of names) if (cmdline.includes(`dist/apps/${name}/src/main.js`)) found[name] = pid;
  }
  const missing = names.filter((name) => !found[name]);
  if (missing.length) throw new Error(`could not find the process of ${missing.join(', ')}`);
  return found;
}

/** Busy and total CPU seconds of the whole machine so far (all cores added up). */
export function machineCpu(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const ticks = values.map(Number);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0); // guest time is already in user
  const idle = ticks[3] + ticks[4];
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** The machine, as the README reports it. */
export function machine() {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* os.cpus() it is */
  }
  return {
    nproc,
    cpuModel: model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  };
}

export interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  bench: number;
  /** CPU seconds so far of every process (or thread) in every group, by pid (or stat path). */
  groups: Record<string, Map<number | string, number>>;
}

export interface CpuUse {
  wallSeconds: number;
  /** Cores the whole machine was busy (all processes, anyone's). */
  machineBusyCores: number;
  /** Cores each group used; processes alive at both ends only. */
  cores: Record<string, number>;
  /** Busy cores not used by any group: other people's work on a shared machine, the kernel, RabbitMQ... */
  otherCores: number;
}

/** CPU used per group of processes between two snapshots, as cores (CPU seconds per second). */
export class CpuMeter {
  constructor(private readonly groups: () => Record<string, (number | string)[]>) {}

  snapshot(): CpuSnapshot {
    const groups: Record<string, Map<number | string, number>> = {};
    for (const [group, pids] of Object.entries(this.groups()))
      groups[group] = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
    const usage = process.cpuUsage();
    return { at: performance.now(), machine: machineCpu(), bench: (usage.user + usage.system) / 1e6, groups };
  }

  since(before: CpuSnapshot): CpuUse {
    const after = this.snapshot();
    const wall = (after.at - before.at) / 1000;
    const cores: Record<string, number> = {};
    for (const [group, now] of Object.entries(after.groups)) {
      let used = 0;
      for (const [pid, seconds] of now) {
        const start = before.groups[group]?.get(pid);
        if (start !== undefined) used += seconds - start;
      }
      cores[group] = used / wall;
    }
    cores.loadGenerator = (after.bench - before.bench) / wall;
    const machineBusyCores = (after.machine.busy - before.machine.busy) / wall;
    // A group named `<group>.<part>` is a part of another (a thread of a process): not added twice.
    const ours = Object.entries(cores).reduce((sum, [group, value]) => (group.includes('.') ? sum : sum + value), 0);
    return { wallSeconds: wall, machineBusyCores, cores, otherCores: Math.max(0, machineBusyCores - ours) };
  }
}
