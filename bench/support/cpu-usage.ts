import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time from /proc, to see where a phase's CPU goes. Everything runs on one machine, so the
 * load generator, api, worker, Postgres and Redis compete for the same cores, and so does
 * anything else running on the box at the time (reported as "other").
 */

export interface CpuRoles {
  /** Roles measured by process id (a role may span several processes). */
  pids: Record<string, number[]>;
  /** Roles measured by process name (`comm`), summed over every process of that name. */
  names: Record<string, string>;
}

/** Every process's own CPU ticks at one moment, and the machine's busy and total ticks. */
export interface CpuSnapshot {
  roles: CpuRoles;
  processes: Map<number, { comm: string; ticks: number }>;
  benchSeconds: number;
  machineBusy: number;
  machineTotal: number;
}

export interface CpuUsage {
  /**
   * CPU seconds each role used between two snapshots; "bench" is this process (the load
   * generator); "other" is the rest of the machine's busy time: kernel work not charged to a
   * process, and anything else running on the box (short-lived processes included).
   */
  seconds: Record<string, number>;
  /** The largest other processes still alive at the end, by name. */
  otherByName: Record<string, number>;
  /** Share of all cores that were busy (0..1), whoever used them. */
  machineBusyShare: number;
}

const TICKS_PER_SECOND = clockTicksPerSecond();
const OTHER_NAMES_SHOWN = 5;

export function snapshotCpu(roles: CpuRoles): CpuSnapshot {
  const processes = new Map<number, { comm: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat) processes.set(Number(entry), stat);
  }
  const usage = process.cpuUsage();
  const [busy, total] = machineTicks();
  return {
    roles,
    processes,
    benchSeconds: (usage.user + usage.system) / 1e6,
    machineBusy: busy,
    machineTotal: total,
  };
}

/**
 * CPU used between two snapshots, per process: a process that started in between counts from
 * its start; one that exited in between is missed (rare for the roles: pools keep their
 * connections), and ends up in "other" with everything else nobody is charged for.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const used = (pid: number) =>
    Math.max(0, (after.processes.get(pid)?.ticks ?? 0) - (before.processes.get(pid)?.ticks ?? 0));
  const ticks: Record<string, number> = {};
  const counted = new Set<number>([process.pid]);
  for (const [role, pids] of Object.entries(after.roles.pids))
    ticks[role] = pids.reduce((sum, pid) => sum + used(pid), 0);
  // Named roles may include pid-role processes (the bench database's backends are postgres
  // processes): those count in both, but only once towards the machine total.
  for (const pids of Object.values(after.roles.pids)) pids.forEach((pid) => counted.add(pid));
  const roleOfComm = new Map(Object.entries(after.roles.names).map(([role, comm]) => [comm, role]));
  for (const role of roleOfComm.values()) ticks[role] = 0;
  const others = new Map<string, number>();
  let chargedOnce = [...counted].reduce(
    (sum, pid) => sum + (pid === process.pid ? 0 : used(pid)),
    0,
  );
  for (const [pid, p] of after.processes) {
    const role = roleOfComm.get(p.comm);
    if (role) ticks[role] += used(pid);
    if (counted.has(pid)) continue;
    chargedOnce += used(pid);
    if (!role) others.set(p.comm, (others.get(p.comm) ?? 0) + used(pid));
  }

  const seconds: Record<string, number> = Object.fromEntries(
    Object.entries(ticks).map(([role, t]) => [role, toSeconds(t)]),
  );
  seconds.bench = round3(after.benchSeconds - before.benchSeconds);
  const busySeconds = (after.machineBusy - before.machineBusy) / TICKS_PER_SECOND;
  seconds.other = round3(Math.max(0, busySeconds - toSeconds(chargedOnce) - seconds.bench));
  const total = after.machineTotal - before.machineTotal;
  return {
    seconds,
    otherByName: Object.fromEntries(
      [...others]
        .filter(([, t]) => t > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, OTHER_NAMES_SHOWN)
        .map(([comm, t]) => [comm, toSeconds(t)]),
    ),
    machineBusyShare: total > 0 ? round3((after.machineBusy - before.machineBusy) / total) : 0,
  };
}

/** utime + stime: the process's own CPU (children it reaped are not its work). */
function readStat(pid: string): { comm: string; ticks: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited meanwhile
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  // Fields after "(comm)" start at field 3 (state); utime is field 14, stime 15.
  const fields = text.slice(close + 2).split(' ');
  return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
}

/** [busy, total] jiffies over all cores since boot; iowait counts as idle. */
function machineTicks(): [number, number] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return [busy, busy + idle + iowait];
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const toSeconds = (ticks: number): number => round3(ticks / TICKS_PER_SECOND);
