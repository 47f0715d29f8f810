// Small shared helpers of the benchmark: statistics, time, free ports, bounded waits, child-process
// bookkeeping (every child is registered here and killed on exit, error, signal or watchdog).
import { readFileSync } from 'node:fs';
import net from 'node:net';

export const now = () => performance.now();
/** Wall clock in ms, comparable across processes on one machine (sub-ms resolution). */
export const wallMs = () => performance.timeOrigin + performance.now();
export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values) {
  const list = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (list.length === 0) return undefined;
  const mid = list.length >> 1;
  return list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentileSorted(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function sortedCopy(values) {
  const copy = Float64Array.from(values);
  copy.sort();
  return copy;
}

/** Resolves when `predicate()` is truthy; rejects after `timeoutMs`. Polls every `everyMs`. */
export async function until(predicate, { timeoutMs = 10000, everyMs = 5, what = 'condition' } = {}) {
  const end = now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
export function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

/** Machine-wide CPU time so far (ms, all cores): busy and stolen by the hypervisor; undefined off Linux. */
export function machineCpuMs() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const toMs = (ticks) => (ticks * 1000) / CLOCK_TICKS;
    return { busy: toMs(user + nice + system + irq + softirq), steal: toMs(steal || 0), idle: toMs(idle + iowait) };
  } catch {
    return undefined;
  }
}

export function fmt(value, digits = 1) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (typeof value !== 'number') return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtInt(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  return Math.round(value).toLocaleString('en-US');
}

/**
 * Everything the run started that must not outlive it. `add(name, kill)` registers a synchronous
 * last-resort killer (used from process 'exit') and returns a handle to unregister it.
 */
export const children = {
  list: new Map(),
  add(name, kill) {
    const key = Symbol(name);
    this.list.set(key, { name, kill });
    return () => this.list.delete(key);
  },
  killAll() {
    for (const [key, { kill }] of this.list) {
      try {
        kill();
      } catch {
        // already gone
      }
      this.list.delete(key);
    }
  },
};

/** Kills a detached process group (or a single process) without throwing. */
export function killGroup(pid, signal = 'SIGKILL') {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/**
 * Makes sure a run ends with its children gone, whichever way it ends: on exit, on SIGINT/SIGTERM/SIGHUP
 * and on an unhandled rejection (after `cleanup()`), and when the watchdog fires after `watchdogMs`.
 * Returns the watchdog timer, for the run to clear when it is done.
 */
export function guardRun({ cleanup, watchdogMs }) {
  process.on('exit', () => children.killAll());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      log(`${signal}: stopping`);
      cleanup().finally(() => process.exit(130));
    });
  }
  process.on('unhandledRejection', (error) => {
    log(`unhandled rejection: ${error?.stack ?? error}`);
    cleanup().finally(() => process.exit(1));
  });
  return setTimeout(() => {
    log(`watchdog: the run took longer than ${Math.round(watchdogMs / 1000)} s; killing everything`);
    children.killAll();
    process.exit(2);
  }, watchdogMs);
}

export function log(...args) {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${args.join(' ')}\n`);
}
