// A closed-loop load generator (a fixed number of workers, each sending its next request as soon as the
// previous one ended) and the HTTP client the Node-RED variants are driven with.
import http from 'node:http';
import { machineCpuMs, now, percentileSorted, processCpuMs, sortedCopy } from './util.mjs';

/**
 * Runs `op(seq)` with `concurrency` workers for `warmupMs` (not recorded) and then `durationMs`. Every
 * loop is bounded by time and by `maxOps`; an op that hangs is cut by its own timeout. Returns ops/s of
 * the measured window, the latencies (ms) of the ops that started in it, and the errors.
 * `cpuPids` are processes whose CPU time over the window is reported (ms per op).
 */
export async function closedLoop({ concurrency, warmupMs, durationMs, op, maxOps = 5_000_000, cpuPids = {}, ownPids = [] }) {
  const latencies = [];
  const errors = [];
  let seq = 0;
  let completedInWindow = 0;
  const started = now();
  const measureFrom = started + warmupMs;
  const measureTo = measureFrom + durationMs;
  let cpuStart;
  let cpuEnd;
  const snapshotCpu = () => {
    const snapshot = { bench: process.cpuUsage(), at: now(), machine: machineCpuMs(), own: ownPids.map((pid) => processCpuMs(pid)) };
    for (const [name, pid] of Object.entries(cpuPids)) snapshot[name] = processCpuMs(pid);
    return snapshot;
  };
  const cpuTimer = setTimeout(() => {
    cpuStart = snapshotCpu();
  }, warmupMs);
  const cpuEndTimer = setTimeout(() => {
    cpuEnd = snapshotCpu();
  }, warmupMs + durationMs);
  const worker = async () => {
    while (seq < maxOps) {
      const t0 = now();
      if (t0 >= measureTo) return;
      const id = seq++;
      try {
        await op(id);
      } catch (error) {
        if (errors.length < 20) errors.push(String(error?.message ?? error).slice(0, 300));
        else errors.push('');
      }
      const t1 = now();
      if (t0 >= measureFrom) latencies.push(t1 - t0);
      if (t1 >= measureFrom && t1 <= measureTo) completedInWindow++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearTimeout(cpuTimer);
  clearTimeout(cpuEndTimer);
  cpuEnd ??= snapshotCpu();
  cpuStart ??= cpuEnd;
  const sorted = sortedCopy(latencies);
  const cpu = {};
  // CPU the rest of the machine used meanwhile (other processes), in cores, and what the hypervisor stole.
  let otherCores;
  let stealCores;
  const windowMs = cpuEnd.at - cpuStart.at;
  if (cpuStart.machine && cpuEnd.machine && windowMs > 0) {
    const benchMs = (cpuEnd.bench.user - cpuStart.bench.user + cpuEnd.bench.system - cpuStart.bench.system) / 1000;
    const ownMs = cpuEnd.own.reduce((sum, value, i) => sum + ((value ?? 0) - (cpuStart.own[i] ?? 0)), 0);
    otherCores = Math.max(0, cpuEnd.machine.busy - cpuStart.machine.busy - benchMs - ownMs) / windowMs;
    stealCores = (cpuEnd.machine.steal - cpuStart.machine.steal) / windowMs;
  }
  for (const name of Object.keys(cpuStart)) {
    if (name === 'at' || name === 'machine' || name === 'own') continue;
    if (name === 'bench') {
      const used = (cpuEnd.bench.user - cpuStart.bench.user + cpuEnd.bench.system - cpuStart.bench.system) / 1000;
      cpu.bench = completedInWindow ? used / completedInWindow : undefined;
    } else if (cpuStart[name] !== undefined && cpuEnd[name] !== undefined) {
      cpu[name] = completedInWindow ? (cpuEnd[name] - cpuStart[name]) / completedInWindow : undefined;
    }
  }
  return {
    concurrency,
    ops: completedInWindow,
    opsPerSec: completedInWindow / (durationMs / 1000),
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : undefined,
    samples: latencies.length,
    latencies,
    errors: errors.length,
    errorSamples: errors.filter(Boolean).slice(0, 5),
    /** CPU ms per completed op, per process. */
    cpuMsPerOp: cpu,
    /** Cores used by processes other than the benchmark's during the window (interference). */
    otherCores,
    stealCores,
  };
}

/** An HTTP/1.1 keep-alive client with exactly `sockets` connections, for one run. */
export function httpClient(baseUrl, sockets) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'fifo' });
  return {
    post(path, body, timeoutMs = 15000) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = http.request({
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
          timeout: timeoutMs,
        }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            data += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode, text: data }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(text);
      });
    },
    get(path, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path, method: 'GET', agent, timeout: timeoutMs }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            data += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode, text: data }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
