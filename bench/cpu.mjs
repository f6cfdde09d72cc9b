// @ts-check
/**
 * The CPU time a process has used, read from the kernel's accounting rather than estimated from wall
 * time: the benchmark's load generator and sandbox servers share the machine's cores with workerd, so
 * requests per second alone cannot tell the relay's cost from theirs.
 *
 * Linux only (`/proc/<pid>/stat`); elsewhere every reading is NaN, which the report prints as "-".
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { platform } from "node:os";

/**
 * Clock ticks per second, the unit of utime and stime in `/proc/<pid>/stat`, asked of `getconf CLK_TCK`
 * once. When getconf is missing, 100: USER_HZ, which the kernel reports to user space whatever its
 * internal tick rate, is 100 on every common Linux architecture.
 */
export const CLOCK_TICKS = ticksPerSecond();

/** @returns {{ hz: number, source: string }} */
function ticksPerSecond() {
  if (platform() !== "linux") return { hz: NaN, source: `not measured on ${platform()} (needs /proc)` };
  try {
    const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    if (Number.isInteger(hz) && hz > 0) return { hz, source: `${hz} ticks/s from getconf CLK_TCK` };
  } catch {
    // fall through to the assumption
  }
  return { hz: 100, source: "100 ticks/s assumed (getconf CLK_TCK failed)" };
}

/**
 * User plus system CPU time of a process, all its threads, in milliseconds since it started; NaN when
 * not on Linux or the process is gone. Resolution is one clock tick (10 ms at 100 ticks/s), so only
 * differences over seconds of work mean anything.
 * @param {number | undefined} pid
 * @returns {number}
 */
export function processCpuMs(pid) {
  if (pid === undefined || !Number.isFinite(CLOCK_TICKS.hz)) return NaN;
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return NaN;
  }
  // Field 2 is the command name in parentheses and may itself hold spaces or ")": fields are counted
  // from the last ")". What follows starts with field 3 (state); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS.hz : NaN;
}
