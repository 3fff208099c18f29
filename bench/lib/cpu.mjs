// CPU time of a process (Linux /proc): user + system, in milliseconds.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux (getconf CLK_TCK)

/**
 * User and system CPU time of `pid` in ms: all its threads, or with `mainThread` only the thread
 * that runs JavaScript (its id is the process id).
 */
export function cpuTimes(pid, mainThread = false) {
  const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, so 11 and 12 after the name.
  return { user: Number(fields[11]) * TICK_MS, system: Number(fields[12]) * TICK_MS };
}

/** User + system CPU time of `pid` in ms (all its threads, or only its main thread). */
export function cpuMs(pid, mainThread = false) {
  const t = cpuTimes(pid, mainThread);
  return t.user + t.system;
}
