/**
 * What a lock file says about the process holding it, and whether that process still runs: the
 * facts {@link ./lock.ts} judges a lock by. On Linux the kernel's boot id, the pid namespace and the
 * process's start time (from /proc) make a process id unambiguous; elsewhere only the host name
 * and the process id are known.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** Where a process runs: one kernel (`host`, `bootId`) and one numbering of process ids (`pidNamespace`). */
export interface ProcessMark {
  pid: number;
  host: string;
  /** `/proc/sys/kernel/random/boot_id`: changes at every boot. */
  bootId?: string | undefined;
  /** `/proc/self/ns/pid`: each container has its own. */
  pidNamespace?: string | undefined;
  /** Start time of the process in clock ticks since boot (`/proc/<pid>/stat`): tells a reused pid. */
  processStart?: string | undefined;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Fields 3… of `/proc/<pid>/stat` (the name, field 2, may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  const end = stat?.lastIndexOf(')') ?? -1;
  return stat && end > 0 ? stat.slice(end + 2).split(' ') : undefined;
}

let self: ProcessMark | undefined;

/** This process. */
export function thisProcess(): ProcessMark {
  if (!self) {
    let pidNamespace: string | undefined;
    try {
      pidNamespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      pidNamespace = undefined;
    }
    self = {
      pid: process.pid,
      host: hostname(),
      bootId: readText('/proc/sys/kernel/random/boot_id'),
      pidNamespace,
      processStart: statFields(process.pid)?.[19],
    };
  }
  return self;
}

/**
 * Whether `pid` (in this process's pid namespace) runs now, and its start time where /proc tells
 * it. A zombie (killed, not yet reaped by its parent) does not run.
 */
export function processState(pid: number): { alive: boolean; start?: string | undefined } {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it runs, as another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return { alive: false };
  }
  const fields = statFields(pid);
  if (fields && (fields[0] === 'Z' || fields[0] === 'X')) return { alive: false };
  return { alive: true, start: fields?.[19] };
}

/**
 * True when `holder` runs on this kernel and numbers its processes as this process does, so that
 * its pid can be looked up here. A fact either side could not read counts as the same: the host
 * name then decides, as it does off Linux.
 */
export function samePidSpace(holder: ProcessMark, me: ProcessMark): boolean {
  const same = (a: string | undefined, b: string | undefined) => a === undefined || b === undefined || a === b;
  return holder.host === me.host && same(holder.bootId, me.bootId) && same(holder.pidNamespace, me.pidNamespace);
}
