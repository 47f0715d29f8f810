// The bundled GWS simulator in a process of its own (so that it never shares an event loop with the
// client being measured), driven over IPC by bench/run.mjs. Exits when its parent goes away.
import inspector from 'node:inspector';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serveCommands } from './child-commands.mjs';
import { packageDir } from './snapshot.mjs';

const require = createRequire(import.meta.url);
const root = packageDir();
const { startSimulator, DEMO_DEVICE_PATH } = require(path.join(root, 'dist', 'simulator', 'index.js'));

const users = JSON.parse(process.env.BENCH_SIM_USERS ?? '["agent1"]');

const sim = await startSimulator({
  host: '127.0.0.1',
  port: 0,
  users: Object.fromEntries(users.map((name) => [name, { password: name }])),
});

let probe;
function stopProbe() {
  if (probe) clearInterval(probe.timer);
  const result = probe ? { pushes: probe.pushes, reachedAt: probe.reachedAt } : {};
  probe = undefined;
  return result;
}

/**
 * Pushes one probe to each of `users` every `everyMs` until probeStop or `maxMs` (bounded); records
 * when a probe first reached a subscribed client of each user (Date.now(), as the flows record).
 */
function startProbe({ users, tag, everyMs = 2, maxMs = 15000 }) {
  stopProbe();
  const state = { pushes: 0, reachedAt: {}, timer: undefined };
  const started = Date.now();
  state.timer = setInterval(() => {
    if (Date.now() - started > maxMs) {
      clearInterval(state.timer);
      return;
    }
    const seq = state.pushes++;
    for (const user of users) {
      const reached = sim.push(user, [outbound(tag, seq, 'probe')]);
      if (reached > 0 && state.reachedAt[user] === undefined) state.reachedAt[user] = Date.now();
    }
  }, everyMs);
  probe = state;
  return { started };
}

let session;
function profilerCall(method, params = {}) {
  session ??= new inspector.Session();
  try {
    session.connect();
  } catch {
    // already connected
  }
  return new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
}

function outbound(tag, seq, kind) {
  return {
    channel: '/v2/me/outbound',
    data: {
      record: { campaignName: 'Campaign1', devicePath: DEMO_DEVICE_PATH, callingList: 'CallingList1', applicationId: 134, recordHandle: 100000 + seq },
      notificationType: 'PreviewRecord',
      messageType: 'OutboundRecordMessage',
      bench: { tag, seq, kind },
    },
  };
}

const handlers = {
  stats: () => ({ ...sim.stats(), cpu: process.cpuUsage(), memory: process.memoryUsage().heapUsed }),
  cpu: () => process.cpuUsage(),
  addFault: ({ rule }) => {
    sim.faults.add(rule);
    return sim.faults.list();
  },
  clearFaults: () => {
    sim.faults.clear();
    return [];
  },
  /** Pushes `count` notifications to `user`, `chunk` per push, one push per event-loop turn. */
  burst: ({ user, count, chunk = 500, tag }) =>
    new Promise((resolve) => {
      const startedAt = Date.now();
      let seq = 0;
      let reached = Infinity;
      const step = () => {
        const batch = [];
        for (let i = 0; i < chunk && seq < count; i++) batch.push(outbound(tag, seq++, 'burst'));
        reached = Math.min(reached, sim.push(user, batch));
        if (seq < count) setImmediate(step);
        else resolve({ startedAt, endedAt: Date.now(), reached });
      };
      step();
    }),
  /** Forgets every CometD client, then probes `users` with `tag` until probeStop. */
  forget: ({ probe: probeArgs }) => {
    const at = Date.now();
    sim.forgetClients();
    if (probeArgs) startProbe(probeArgs);
    return { at };
  },
  /** Restarts (down for `downMs`), then probes `users` with `tag` from the moment it listens again. */
  restart: async ({ downMs, probe: probeArgs }) => {
    stopProbe();
    const downAt = Date.now();
    await sim.restart(downMs);
    const backAt = Date.now();
    if (probeArgs) startProbe(probeArgs);
    return { downAt, backAt };
  },
  probeStart: (args) => startProbe(args),
  probeStop: () => stopProbe(),
  profileStart: async () => {
    await profilerCall('Profiler.enable');
    await profilerCall('Profiler.setSamplingInterval', { interval: 200 });
    await profilerCall('Profiler.start');
    return {};
  },
  profileStop: async () => (await profilerCall('Profiler.stop')).profile,
  stop: async () => {
    stopProbe();
    await sim.stop();
    setImmediate(() => process.exit(0));
    return { stopped: true };
  },
};

serveCommands(handlers, sim);
