// The bundled GWS simulator in a process of its own for the scale run (bench/scale.mjs), driven over IPC
// with the protocol of sim-child.mjs. On top of the simulator's own stats it records, from Node's
// diagnostics channels (so without touching the simulator), what arrives and when:
//  - a timeline of new TCP connections and requests by kind (login = GET /api/v2/me; CometD handshake,
//    subscribe, connect, disconnect; outbound operations), for the storm shapes of deploys and restarts;
//  - every POST /api/v2/me/outbound-records/<handle> with its user and answer status, so that each
//    operation of a burst can be checked to have arrived exactly once (the simulator's own request log
//    keeps only the last 2,000);
//  - during a restart, the refused connection attempts: the simulator's port is closed then, so nothing
//    arrives; the kernel counts each refused attempt (Tcp AttemptFails in /proc/net/snmp, per network
//    namespace: other processes' failed connects on this machine would count too).
// Exits when its parent goes away.
import diagnostics from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serveCommands } from './child-commands.mjs';
import { packageDir } from './snapshot.mjs';

const require = createRequire(import.meta.url);
const root = packageDir();
const { startSimulator } = require(path.join(root, 'dist', 'simulator', 'index.js'));

const users = JSON.parse(process.env.BENCH_SIM_USERS ?? '["agent1"]');

// The simulator's server has no 'error' listener once it listens: a failed accept (EMFILE when the
// process runs out of file descriptors) is emitted as an error event and would end the process. Such
// failures are counted and reported; anything else still ends the process.
const acceptErrors = {};
process.on('uncaughtException', (error) => {
  if (error?.syscall === 'accept') {
    acceptErrors[error.code ?? 'unknown'] = (acceptErrors[error.code ?? 'unknown'] ?? 0) + 1;
    return;
  }
  process.stderr.write(`scale simulator child: ${error?.stack ?? error}\n`);
  process.exit(1);
});

const sim = await startSimulator({
  host: '127.0.0.1',
  port: 0,
  users: Object.fromEntries(users.map((name) => [name, { password: name }])),
});

// ---------------------------------------------------------------------------------------------------
// Recording

const KINDS = ['connection', 'login', 'handshake', 'subscribe', 'connect', 'disconnect', 'operation', 'other'];
const KIND = Object.fromEntries(KINDS.map((name, i) => [name, i]));
const MAX_TIMELINE = 2_000_000;
const OPERATION_PATH = '/api/v2/me/outbound-records/';

let recording;
function newRecording({ timeline = false, ops = false }) {
  return { timeline, ops, startedAt: Date.now(), t: [], k: [], dropped: 0, operations: new Map(), totals: new Array(KINDS.length).fill(0) };
}

function note(kind, at = Date.now()) {
  const r = recording;
  if (!r) return;
  r.totals[kind]++;
  if (!r.timeline) return;
  if (r.t.length >= MAX_TIMELINE) {
    r.dropped++;
    return;
  }
  r.t.push(at);
  r.k.push(kind);
}

function userOf(request) {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded.slice(0, decoded.indexOf(':'));
}

/** The kind of a CometD request from its body (a batch is named by its most telling message). */
function cometdKind(text) {
  if (text.includes('"/meta/handshake"')) return KIND.handshake;
  if (text.includes('"/meta/subscribe"')) return KIND.subscribe;
  if (text.includes('"/meta/disconnect"')) return KIND.disconnect;
  if (text.includes('"/meta/connect"')) return KIND.connect;
  return KIND.other;
}

// Every open connection with its requests in flight and when it last finished an answer: an idle one is
// closed by the server keepAliveTimeout after that (Node's http server), which is when a client that
// reuses it races the close.
const live = new Map();
let keepAliveTimeoutMs;
diagnostics.subscribe('net.server.socket', ({ socket }) => {
  note(KIND.connection);
  live.set(socket, { inFlight: 0, lastFinishedAt: Date.now() });
  socket.once('close', () => live.delete(socket));
});
diagnostics.subscribe('http.server.request.start', ({ request, server }) => {
  keepAliveTimeoutMs = server.keepAliveTimeout;
  const state = live.get(request.socket);
  if (state) state.inFlight++;
  if (!recording) return;
  const at = Date.now();
  const url = request.url ?? '';
  if (url.startsWith('/sim/')) return;
  if (request.method === 'GET' && url.startsWith('/api/v2/me') && !url.startsWith('/api/v2/me/')) return note(KIND.login, at);
  if (request.method === 'POST' && url.startsWith(OPERATION_PATH)) {
    note(KIND.operation, at);
    if (recording.ops) {
      const handle = decodeURIComponent(url.slice(OPERATION_PATH.length).split('?')[0]);
      const entry = recording.operations.get(handle);
      if (entry) entry.count++;
      else recording.operations.set(handle, { count: 1, user: userOf(request), statuses: [] });
      request.scaleHandle = handle;
    }
    return;
  }
  if (request.method === 'POST' && url.startsWith('/api/v2/notifications')) {
    // The simulator reads the body in the same tick (its handler attaches its own 'data' listener), so a
    // second listener sees every chunk too.
    const r = recording;
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      if (recording === r) note(cometdKind(Buffer.concat(chunks).toString('utf8')), at);
    });
    return;
  }
  note(KIND.other, at);
});
diagnostics.subscribe('http.server.response.finish', ({ request, response }) => {
  const state = live.get(request.socket);
  if (state) {
    state.inFlight = Math.max(0, state.inFlight - 1);
    state.lastFinishedAt = Date.now();
  }
  if (request.scaleHandle === undefined || !recording?.ops) return;
  recording.operations.get(request.scaleHandle)?.statuses.push(response.statusCode);
});

function stopRecording() {
  const r = recording;
  recording = undefined;
  if (!r) return {};
  return {
    startedAt: r.startedAt,
    endedAt: Date.now(),
    kinds: KINDS,
    totals: Object.fromEntries(KINDS.map((name, i) => [name, r.totals[i]])),
    timeline: r.timeline ? { t: r.t, k: r.k, dropped: r.dropped } : undefined,
    operations: r.ops ? [...r.operations].map(([handle, e]) => [handle, e.count, e.user, e.statuses]) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// Refused connection attempts (kernel counters), sampled while the simulator is down

function tcpCounters() {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Tcp:'));
    const names = lines[0].trim().split(/\s+/);
    const values = lines[1].trim().split(/\s+/).map(Number);
    const get = (name) => values[names.indexOf(name)];
    return { attemptFails: get('AttemptFails'), activeOpens: get('ActiveOpens') };
  } catch {
    return undefined;
  }
}

let sampler;
function startSampler(everyMs = 50, maxMs = 120000) {
  stopSampler();
  const state = { samples: [], timer: undefined, startedAt: Date.now() };
  const take = () => {
    const c = tcpCounters();
    if (c) state.samples.push([Date.now(), c.attemptFails, c.activeOpens]);
    if (Date.now() - state.startedAt > maxMs) clearInterval(state.timer);
  };
  take();
  state.timer = setInterval(take, everyMs);
  sampler = state;
}
function stopSampler() {
  if (!sampler) return [];
  clearInterval(sampler.timer);
  const c = tcpCounters();
  if (c) sampler.samples.push([Date.now(), c.attemptFails, c.activeOpens]);
  const { samples } = sampler;
  sampler = undefined;
  return samples;
}

function openFds() {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------

const handlers = {
  stats: () => ({ ...sim.stats(), acceptErrors: { ...acceptErrors }, fds: openFds(), cpu: process.cpuUsage(), memory: process.memoryUsage() }),
  /** Starts recording (timeline: connections and requests by kind; ops: every outbound operation). */
  record: (args) => {
    recording = newRecording(args);
    return { startedAt: recording.startedAt };
  },
  recordStop: () => stopRecording(),
  /** Open connections with no request in flight, and when the server will close each (keep-alive timeout). */
  pooledSockets: () => {
    const closesAt = [];
    let busy = 0;
    for (const state of live.values()) {
      if (state.inFlight > 0) busy++;
      else if (keepAliveTimeoutMs) closesAt.push(state.lastFinishedAt + keepAliveTimeoutMs);
    }
    return { keepAliveTimeoutMs, busy, closesAt: closesAt.sort((a, b) => a - b) };
  },
  /** Restarts the simulator (down for `downMs`); samples the refused connection attempts meanwhile. */
  restart: async ({ downMs, sampleEveryMs = 50, sampleMaxMs = 120000 }) => {
    startSampler(sampleEveryMs, sampleMaxMs);
    const downAt = Date.now();
    await sim.restart(downMs);
    return { downAt, backAt: Date.now() };
  },
  samplerStop: () => stopSampler(),
  stop: async () => {
    stopSampler();
    recording = undefined;
    await sim.stop();
    setImmediate(() => process.exit(0));
    return { stopped: true };
  },
};

serveCommands(handlers, sim);
