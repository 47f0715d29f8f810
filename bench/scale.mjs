#!/usr/bin/env node
// Scale of node-red-contrib-gws-outbound in agents: N gws-server config nodes (one GWS user each, each
// its own HTTP session and CometD long poll), each with an outbound event node and a complete record
// node, in ONE Node-RED process, against the bundled simulator in a child process with N users.
//
//   npm run bench:scale                     N = 100, 300 and 1,000; writes bench/SCALE.md
//   npm run bench:scale -- --n 100,300      the N to run
//   npm run bench:scale -- --quick          smoke run for CI: N = 20, short waits; writes to a temp
//                                           directory; exit 0 = every phase ran
//
// Options: --out <dir> (where SCALE.md goes), --idle <s> (idle time before the burst, default 70),
// --ops <n> (operations per agent in the burst, default 20), --redeploys <n> (default 5),
// --down <ms,ms> (simulator outages, default 1000,5000), --max-sockets <n> (the server nodes' maxSockets;
// default: the node's own default), --no-heap-snapshot, --no-edge-burst (skip the
// second burst, ~75 s), --profile (CPU profiles of Node-RED during the deploy and the first burst, into
// the scratch directory; the profiler slows what it watches), --keep (keep the scratch directory of a
// quick run and the heap snapshots).
//
// Per N, in this order: Node-RED starts with an empty tab (baseline); deploy of the N agents through the
// Admin API → every event node connected; heap/RSS after GC, sockets, idle CPU over 30 s; after 70 s
// idle, a burst of 20 CompleteRecords per agent (every message must end; each must arrive at the
// simulator exactly once); the same burst again at the moment the simulator's keep-alive timeout closes
// the sockets the first one left (not in --quick); 5 full redeploys (heap, sockets, handles, listeners
// after each); simulator
// outages of 1 s and 5 s (every link back, shape of the retries, time to recover); last, heap snapshots
// with the agents connected and after all were removed. MaxListeners warnings are counted in Node-RED's
// output throughout.
//
// Every child runs in its own process group and is killed at the end, on error, on SIGINT/SIGTERM and
// when the watchdog fires; every wait is bounded.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, machineInfo } from './lib/machine.mjs';
import { startNodeRedInstance, startSimProcess } from './lib/processes.mjs';
import { heapByType, heapGrowth } from './lib/heap-summary.mjs';
import { emptyFlows, scaleFlows, agentName, completeId, PREFIX } from './lib/scale-flows.mjs';
import { connectProbe } from './lib/scale-probe.mjs';
import { fdCount, processSockets } from './lib/scale-proc.mjs';
import { categorize, summarize } from './lib/profile-summary.mjs';
import { printScaleSummary, writeScaleReport } from './lib/scale-report.mjs';
import { freezePackage } from './lib/snapshot.mjs';
import { children, delay, freePort, guardRun, log, machineCpuMs, processCpuMs, withTimeout } from './lib/util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------------
// Options and configuration

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const list = (text) => text.split(',').map((v) => Number(v.trim())).filter((v) => Number.isInteger(v) && v > 0);
const quick = flag('--quick');

const CONFIG = {
  ns: option('--n') ? list(option('--n')) : quick ? [20] : [100, 300, 1000],
  idleMs: Number(option('--idle') ?? (quick ? 5 : 70)) * 1000,
  cpuWindowMs: quick ? 3000 : 30000,
  opsPerAgent: Number(option('--ops') ?? 20),
  redeploys: Number(option('--redeploys') ?? (quick ? 2 : 5)),
  downs: option('--down') ? list(option('--down')) : quick ? [300, 1000] : [1000, 5000],
  settleMs: quick ? 1000 : 2000,
  heapSnapshot: !flag('--no-heap-snapshot'),
  /** CPU profiles of Node-RED during the first deploy and the first burst (the profiler slows both). */
  profile: flag('--profile'),
  /** A second burst at the simulator's keep-alive timeout of the sockets the first one left (+ ~70 s). */
  edgeBurst: !flag('--no-edge-burst') && !quick,
  /** The ack timeout of the flows' server nodes (ms): a burst message ends within it or it is lost. */
  ackTimeoutMs: 10000,
  /** The server nodes' maxSockets; undefined = the node's default. */
  maxSockets: option('--max-sockets') === undefined ? undefined : Number(option('--max-sockets')),
  /** The link's retry step after a network failure (core/notification-link.ts, maxBackoffMs). */
  backoffStepMs: 1000,
  targets: { connectAt: 1000, connectMs: 10000, heapPerAgentMB: 0.1, recoverMs: 3000 },
};
if (CONFIG.ns.length === 0 || CONFIG.downs.length === 0) {
  process.stderr.write('--n and --down need comma-separated lists of positive integers\n');
  process.exit(2);
}
for (const [name, value] of [['--idle', CONFIG.idleMs], ['--ops', CONFIG.opsPerAgent], ['--redeploys', CONFIG.redeploys]]) {
  if (!Number.isFinite(value) || value < 0 || (name === '--ops' && (value < 1 || value > 99))) {
    process.stderr.write(`${name} needs a number${name === '--ops' ? ' from 1 to 99' : ' ≥ 0'}\n`);
    process.exit(2);
  }
}
/** Bounds of the waits, per N. */
const bounds = (n) => ({
  connectMs: 30000 + 60 * n,
  burstMs: CONFIG.ackTimeoutMs + 30000 + 40 * n,
  recoverMs: 60000,
});
/** What one N may take at most (every phase at its bound) and the whole run's watchdog. */
const budgetMs = (n) => {
  const b = bounds(n);
  return 60000 + b.connectMs * (1 + CONFIG.redeploys) + CONFIG.idleMs + CONFIG.cpuWindowMs + b.burstMs
    + (CONFIG.edgeBurst ? 80000 + b.burstMs : 0)
    + CONFIG.downs.reduce((sum, down) => sum + down + b.recoverMs + 10000, 0) + 20000 * CONFIG.redeploys + (CONFIG.heapSnapshot ? 120000 : 0);
};
const watchdogMs = CONFIG.ns.reduce((sum, n) => sum + budgetMs(n), 60000);

const startedAt = new Date();
const outDir = option('--out') ? path.resolve(option('--out')) : quick ? mkdtempSync(path.join(os.tmpdir(), 'gws-scale-')) : here;
mkdirSync(outDir, { recursive: true });
const scratch = quick ? path.join(outDir, 'scratch') : path.join(here, 'out', `scale-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(scratch, { recursive: true });

// The code under test, frozen for the whole run (see lib/snapshot.mjs).
const frozen = freezePackage(path.join(scratch, 'package'));
process.env.BENCH_PACKAGE_DIR = frozen.dir;

// ---------------------------------------------------------------------------------------------------
// Cleanup: whatever way the run ends, every child process goes.

let stoppers = [];
async function stopAll() {
  const current = stoppers.reverse();
  stoppers = [];
  for (const stop of current) {
    try {
      await withTimeout(Promise.resolve().then(stop), 15000, 'cleanup step');
    } catch (error) {
      log(`cleanup: ${error.message}`);
    }
  }
}
let cleaning;
const cleanup = () => {
  cleaning ??= stopAll().finally(() => children.killAll());
  return cleaning;
};
const watchdog = guardRun({ cleanup, watchdogMs });

// ---------------------------------------------------------------------------------------------------

const failures = [];
function fail(what) {
  failures.push(what);
  log(`FAILURE: ${what}`);
}

const results = {
  meta: {
    startedAt: startedAt.toISOString(),
    quick,
    command: `npm run bench:scale${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    config: CONFIG,
    watchdogMs,
    code: { commit: frozen.commit, distHash: frozen.distHash, changedFiles: frozen.changedFiles },
    loadAverage: { start: loadAverage() },
    ...machineInfo(),
  },
  runs: [],
  failures,
};

const mb = (bytes) => bytes / 2 ** 20;
const countMatches = (text, pattern) => (text.match(pattern) ?? []).length;
const WARNING = /MaxListenersExceededWarning/g;

/** CPU used so far by Node-RED, the simulator, this process and the whole machine (for interference). */
function cpuSnapshot(nr, sim) {
  return { at: Date.now(), nr: processCpuMs(nr.pid), sim: processCpuMs(sim.pid), bench: process.cpuUsage(), machine: machineCpuMs() };
}
/** Cores used between two snapshots; `other` = what the rest of the machine used meanwhile. */
function coresBetween(a, b) {
  const ms = Math.max(1, b.at - a.at);
  const benchMs = (b.bench.user - a.bench.user + b.bench.system - a.bench.system) / 1000;
  const cores = { nodeRed: (b.nr - a.nr) / ms, sim: (b.sim - a.sim) / ms, bench: benchMs / ms, windowMs: ms };
  if (a.machine && b.machine) {
    cores.other = Math.max(0, b.machine.busy - a.machine.busy - (b.nr - a.nr) - (b.sim - a.sim) - benchMs) / ms;
    cores.steal = (b.machine.steal - a.machine.steal) / ms;
  }
  return cores;
}

/**
 * A full deploy through the Admin API (v2: flows and credentials), on a connection of its own that is
 * closed after the answer, so that no socket of the harness stays open in Node-RED between measurements.
 */
function postFlows(baseUrl, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}/flows`, {
      method: 'POST',
      agent: false,
      timeout: timeoutMs,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
        'Node-RED-API-Version': 'v2',
        'Node-RED-Deployment-Type': 'full',
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`POST /flows: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls the probe until every event node shows connected with a status set at or after `since`. */
async function waitConnected(probe, n, since, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let summary;
  for (;;) {
    summary = await probe.statusSummary(PREFIX.event, since);
    if (summary.connected >= n || Date.now() > end) break;
    await delay(100);
  }
  const times = summary.connectedAt.sort((a, b) => a - b);
  const complete = await probe.statusSummary(PREFIX.complete, since);
  const pick = (p) => (times.length ? times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] - since : undefined);
  return {
    all: summary.connected >= n,
    connected: summary.connected,
    states: summary.states,
    lastMs: times.length ? times[times.length - 1] - since : undefined,
    p50Ms: pick(50),
    p90Ms: pick(90),
    connectedTimes: times.map((t) => t - since),
    completeNodes: { connected: complete.connected, states: complete.states },
  };
}

async function measure(nr, sim, probe, simPort) {
  const resources = await probe.resources();
  const sockets = processSockets(nr.pid, { serverPort: simPort });
  const simStats = await sim.call('stats');
  return {
    heapUsed: resources.memory.heapUsed,
    rss: resources.memory.rss,
    external: resources.memory.external,
    arrayBuffers: resources.memory.arrayBuffers,
    gc: resources.gc,
    active: resources.active,
    listeners: resources.listeners,
    maxListeners: resources.maxListeners,
    sockets,
    sim: {
      liveSockets: simStats.liveSockets, cometdClients: simStats.cometdClients, heldConnects: simStats.heldConnects,
      fds: simStats.fds, acceptErrors: simStats.acceptErrors, heapUsed: simStats.memory.heapUsed,
    },
  };
}

/** One N: its own simulator and Node-RED, every phase; returns what was measured. */
async function runForN(n) {
  const run = { n, started: new Date().toISOString(), phases: {}, failures: [] };
  results.runs.push(run);
  const phase = async (name, fn) => {
    const t = Date.now();
    try {
      await fn();
    } catch (error) {
      const text = `N=${n} ${name}: ${error?.stack ?? error}`;
      run.failures.push(text.split('\n')[0]);
      fail(text);
    } finally {
      (run.phaseSeconds ??= {})[name] = (Date.now() - t) / 1000;
    }
  };
  const runStart = Date.now();
  let aborted = false;
  const sim = await startSimProcess({
    script: 'scale-sim-child.mjs',
    users: Array.from({ length: n }, (_, i) => agentName(i + 1)),
    onUnexpectedExit: (how) => {
      aborted = true;
      fail(`N=${n}: the simulator exited unexpectedly (${how})`);
    },
  });
  stoppers.push(() => sim.stop());
  const simPort = Number(new URL(sim.url).port);
  log(`N=${n}: simulator ${sim.url} (pid ${sim.pid}) with ${n} users`);

  const inspectPort = await freePort();
  const dir = path.join(scratch, `node-red-${n}`);
  const nr = await startNodeRedInstance({
    name: `scale-${n}`,
    dir,
    flows: emptyFlows(),
    credentials: {},
    packageDir: frozen.dir,
    env: { NODE_OPTIONS: `--expose-gc --trace-warnings --inspect=127.0.0.1:${inspectPort}` },
    logFile: path.join(scratch, `node-red-${n}.log`),
    settings: { apiMaxLength: '200mb' },
    timeoutMs: 120000,
  });
  stoppers.push(() => nr.stop());
  const probe = await connectProbe(inspectPort);
  stoppers.push(() => probe.close());
  log(`N=${n}: Node-RED ${nr.url} (pid ${nr.pid}), probe installed`);
  const { flows, credentials } = scaleFlows({ n, simUrl: sim.url, maxSockets: CONFIG.maxSockets });
  const body = JSON.stringify({ flows, credentials });
  run.flowBytes = Buffer.byteLength(body);
  const b = bounds(n);

  /** Runs `fn` under Node-RED's CPU profiler when --profile is given; keeps the file and a summary. */
  const profiled = async (name, fn) => {
    if (!CONFIG.profile) return fn();
    await probe.profileStart();
    try {
      return await fn();
    } finally {
      const profile = await probe.profileStop();
      const file = path.join(scratch, `node-red-${n}-${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      (run.profiles ??= {})[name] = {
        file,
        ...summarize(profile, { top: 12 }),
        package: summarize(profile, { top: 10, filter: /dist\/(core|nodes)\// }).inclusive,
        categories: categorize(profile),
      };
    }
  };

  const deploy = async (what) => {
    const mark = nr.output().length;
    await sim.call('record', { timeline: true });
    await probe.loopDelay();
    const warned = (await probe.warningCounts()).MaxListenersExceededWarning ?? 0;
    const cpu0 = cpuSnapshot(nr, sim);
    const t0 = Date.now();
    const response = await postFlows(nr.url, body, b.connectMs);
    const answeredMs = Date.now() - t0;
    if (response.status !== 204 && response.status !== 200) throw new Error(`${what}: POST /flows answered HTTP ${response.status}: ${response.text.slice(0, 300)}`);
    const connected = await waitConnected(probe, n, t0, b.connectMs);
    const cores = coresBetween(cpu0, cpuSnapshot(nr, sim));
    const loopDelay = await probe.loopDelay();
    const recording = await sim.call('recordStop', {}, 60000);
    // Counted by the probe as they are emitted: Node-RED's stderr can reach this process late under load.
    const maxListenersWarnings = ((await probe.warningCounts()).MaxListenersExceededWarning ?? 0) - warned;
    const output = nr.output().slice(mark);
    const result = {
      t0,
      answeredMs,
      ...connected,
      cores,
      loopDelay,
      recording,
      maxListenersWarnings,
      maxListenersWarningsInOutput: countMatches(output, WARNING),
    };
    log(`N=${n} ${what}: POST answered in ${answeredMs} ms; ${connected.connected}/${n} connected${connected.lastMs !== undefined ? ` after ${connected.lastMs} ms (p50 ${connected.p50Ms}, p90 ${connected.p90Ms})` : ''}; Node-RED ${result.cores.nodeRed.toFixed(2)} cores, simulator ${result.cores.sim.toFixed(2)}, other processes ${result.cores.other?.toFixed(2)}; MaxListeners warnings ${result.maxListenersWarnings}`);
    if (!connected.all) throw Object.assign(new Error(`${what}: only ${connected.connected} of ${n} event nodes connected within ${b.connectMs} ms: ${JSON.stringify(connected.states)}`), { result });
    return result;
  };

  await phase('baseline', async () => {
    await delay(CONFIG.settleMs);
    run.phases.baseline = await measure(nr, sim, probe, simPort);
    log(`N=${n} baseline: heap ${mb(run.phases.baseline.heapUsed).toFixed(1)} MB, RSS ${mb(run.phases.baseline.rss).toFixed(1)} MB`);
  });

  let connectedAt;
  await phase('deploy', async () => {
    try {
      run.phases.deploy = await profiled('deploy', () => deploy('deploy'));
    } catch (error) {
      run.phases.deploy = error.result;
      throw error;
    } finally {
      connectedAt = Date.now();
    }
  });

  if (!aborted) {
    await phase('idle', async () => {
      await delay(CONFIG.settleMs);
      const idle = await measure(nr, sim, probe, simPort);
      const base = run.phases.baseline;
      idle.perAgent = base && {
        heapMB: mb(idle.heapUsed - base.heapUsed) / n,
        rssMB: mb(idle.rss - base.rss) / n,
        socketsToSim: idle.sockets.toServer / n,
      };
      await probe.loopDelay();
      const cpu0 = cpuSnapshot(nr, sim);
      await delay(CONFIG.cpuWindowMs);
      const cores = coresBetween(cpu0, cpuSnapshot(nr, sim));
      idle.loopDelay = await probe.loopDelay();
      idle.cpu = {
        windowMs: cores.windowMs,
        nodeRedPercent: cores.nodeRed * 100,
        simPercent: cores.sim * 100,
        otherCores: cores.other,
        nodeRedCpuMsPerAgentMinute: (cores.nodeRed * 60000) / n,
      };
      run.phases.idle = idle;
      log(`N=${n} idle: heap +${(idle.perAgent?.heapMB ?? NaN).toFixed(3)} MB/agent, RSS +${(idle.perAgent?.rssMB ?? NaN).toFixed(3)} MB/agent; Node-RED sockets to the simulator ${idle.sockets.toServer} ${JSON.stringify(idle.sockets.toServerByState)}; simulator live sockets ${idle.sim.liveSockets}; idle CPU Node-RED ${idle.cpu.nodeRedPercent.toFixed(2)} %, simulator ${idle.cpu.simPercent.toFixed(2)} % (other processes ${idle.cpu.otherCores?.toFixed(2)} cores)`);
    });
  }

  /**
   * `opsPerAgent` CompleteRecords to every agent at once; every message must end once, and each operation
   * must arrive at the simulator exactly once. Sockets are sampled meanwhile.
   */
  const runBurst = async (tag, base, burst) => {
    burst.before = processSockets(nr.pid, { serverPort: simPort });
    await sim.call('record', { timeline: true, ops: true });
    const agents = Array.from({ length: n }, (_, i) => [i + 1, completeId(i + 1)]);
    const samples = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const at = Date.now();
        const stats = await sim.call('stats').catch(() => undefined);
        samples.push({ at, simLive: stats?.liveSockets, simFds: stats?.fds, nodeRedFds: fdCount(nr.pid) });
        await delay(250);
      }
    })();
    let state;
    await probe.loopDelay();
    const cpu0 = cpuSnapshot(nr, sim);
    try {
      burst.injected = await probe.burst(tag, agents, CONFIG.opsPerAgent, base);
      const end = Date.now() + b.burstMs;
      for (;;) {
        state = await probe.burstState(tag);
        if (state.ended >= state.injected || Date.now() > end) break;
        await delay(250);
      }
      await delay(1000); // a second end of a message would show now
    } finally {
      sampling = false;
      await sampler;
    }
    burst.cores = coresBetween(cpu0, cpuSnapshot(nr, sim));
    burst.loopDelay = await probe.loopDelay();
    state = await probe.burstState(tag, true);
    const recording = await sim.call('recordStop', {}, 60000);
    burst.samples = samples;
    burst.peak = {
      simLive: Math.max(0, ...samples.map((s) => s.simLive ?? 0)),
      nodeRedFds: Math.max(0, ...samples.map((s) => s.nodeRedFds ?? 0)),
      simFds: Math.max(0, ...samples.map((s) => s.simFds ?? 0)),
    };
    // Each operation: how it ended in Node-RED × how often it arrived at the simulator.
    const arrivals = new Map(recording.operations.map(([handle, count, user, statuses]) => [handle, { count, user, statuses }]));
    const outcomes = new Map(state.outcomes.map(([h, ok, kind, at]) => [h, { ok, kind, at }]));
    const table = {};
    const byKind = {};
    let wrongUser = 0;
    let exactlyOnce = 0;
    let lastEndAt = 0;
    for (const [index] of agents) {
      for (let i = 0; i < CONFIG.opsPerAgent; i++) {
        const h = String(base + index * 100 + i);
        const outcome = outcomes.get(h);
        const arrival = arrivals.get(h);
        const count = arrival?.count ?? 0;
        if (count === 1) exactlyOnce++;
        if (arrival && arrival.user !== agentName(index)) wrongUser++;
        const ended = outcome === undefined ? 'never ended' : outcome.ok ? 'ok' : 'error';
        if (outcome) lastEndAt = Math.max(lastEndAt, outcome.at);
        const arrived = count === 0 ? 'never arrived' : count === 1 ? 'arrived once' : `arrived ${count} times`;
        const key = `${ended}, ${arrived}`;
        table[key] = (table[key] ?? 0) + 1;
        if (outcome && !outcome.ok) {
          const k = `${outcome.kind} — ${arrived}`;
          byKind[k] = (byKind[k] ?? 0) + 1;
        }
      }
    }
    // When the operations reached the simulator and when they ended in Node-RED, from the hand-out.
    const from = state.startedAt;
    const rel = (values) => values.map((t) => t - from).sort((x, y) => x - y);
    const arrivedAt = rel(recording.timeline.t.filter((_, i) => recording.kinds[recording.timeline.k[i]] === 'operation'));
    const okAt = rel(state.outcomes.filter((o) => o[1]).map((o) => o[3]));
    const errorAt = rel(state.outcomes.filter((o) => !o[1]).map((o) => o[3]));
    const spread = (sorted) => (sorted.length ? { first: sorted[0], p50: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)], last: sorted[sorted.length - 1] } : undefined);
    const perSecond = (sorted) => {
      const out = [];
      for (const t of sorted) out[Math.max(0, Math.floor(t / 1000))] = (out[Math.max(0, Math.floor(t / 1000))] ?? 0) + 1;
      return Array.from(out, (v) => v ?? 0);
    };
    burst.timing = {
      arrived: spread(arrivedAt),
      ok: spread(okAt),
      error: spread(errorAt),
      perSecond: { arrived: perSecond(arrivedAt), ok: perSecond(okAt), error: perSecond(errorAt) },
    };
    Object.assign(burst, {
      expected: n * CONFIG.opsPerAgent,
      ended: state.ended,
      ok: state.ok,
      notEnded: n * CONFIG.opsPerAgent - state.ended,
      endedTwice: state.endedTwice,
      errors: state.errors,
      errorSamples: state.samples,
      table,
      byKind,
      exactlyOnce,
      wrongUser,
      arrivalsTotal: recording.totals.operation,
      answerStatuses: recording.operations.reduce((acc, [, , , statuses]) => {
        for (const s of statuses) acc[s] = (acc[s] ?? 0) + 1;
        return acc;
      }, {}),
      durationMs: lastEndAt ? lastEndAt - state.startedAt : undefined,
      injectMs: state.injectedAt - state.startedAt,
      recording: { ...recording, operations: undefined },
    });
    await delay(2000);
    burst.after = await measure(nr, sim, probe, simPort);
    const lost = burst.expected - burst.ok;
    log(`N=${n} ${tag}: ${burst.ok}/${burst.expected} ok, ${lost} lost (${JSON.stringify(burst.errors)}), ${burst.notEnded} never ended, ${exactlyOnce} arrived exactly once; sockets before: ${JSON.stringify(burst.before?.toServerByState)}; peak sockets: simulator ${burst.peak.simLive}, Node-RED fds ${burst.peak.nodeRedFds}`);
    if (burst.notEnded > 0) fail(`N=${n} ${tag}: ${burst.notEnded} messages never ended within ${b.burstMs} ms`);
    if (burst.endedTwice > 0) fail(`N=${n} ${tag}: ${burst.endedTwice} messages ended twice`);
    return burst;
  };

  if (!aborted) {
    await phase('burst', async () => {
      const waitUntil = connectedAt + CONFIG.idleMs;
      if (Date.now() < waitUntil) {
        log(`N=${n}: idle until ${CONFIG.idleMs / 1000} s after the deploy (${((waitUntil - Date.now()) / 1000).toFixed(0)} s more)`);
        await delay(waitUntil - Date.now());
      }
      run.phases.burst = { idleMs: Date.now() - connectedAt };
      await profiled('burst', () => runBurst('burst', 1_000_000, run.phases.burst));
    });
  }

  // The same burst once more, timed to the moment the simulator closes the most idle pooled sockets (its
  // keep-alive timeout after their last answer; the first burst left up to opsPerAgent + 1 per agent):
  // a request the client writes to a socket the server is closing is lost unless the client retries it.
  if (!aborted && CONFIG.edgeBurst) {
    await phase('edge burst', async () => {
      const pooled = await sim.call('pooledSockets');
      const closes = pooled.closesAt;
      if (!pooled.keepAliveTimeoutMs || closes.length === 0) throw new Error('no idle pooled sockets at the simulator to time the burst by');
      // The 500 ms in which most pooled sockets are closed; the burst starts 100 ms before it.
      let best = 0;
      let from = closes[0];
      for (let i = 0, j = 0; i < closes.length; i++) {
        while (closes[i] - closes[j] > 500) j++;
        if (i - j + 1 > best) {
          best = i - j + 1;
          from = closes[j];
        }
      }
      const startAt = from - 100;
      const edge = {
        keepAliveTimeoutMs: pooled.keepAliveTimeoutMs,
        pooledIdle: closes.length,
        busy: pooled.busy,
        closingInWindow: best,
        closingSpreadMs: closes[closes.length - 1] - closes[0],
      };
      const waitMs = startAt - Date.now();
      if (waitMs > pooled.keepAliveTimeoutMs + 15000) throw new Error(`the keep-alive edge is ${waitMs} ms away`);
      log(`N=${n}: ${closes.length} idle pooled sockets at the simulator, ${best} of them closed by its keep-alive timeout (${pooled.keepAliveTimeoutMs} ms) within one 500 ms; burst in ${(waitMs / 1000).toFixed(0)} s`);
      if (waitMs > 0) await delay(waitMs);
      edge.lateMs = Date.now() - startAt;
      run.phases.edgeBurst = edge;
      await runBurst('edge burst', 3_000_000, edge);
    });
  }

  if (!aborted) {
    await phase('redeploys', async () => {
      run.phases.redeploys = [];
      for (let r = 1; r <= CONFIG.redeploys; r++) {
        const d = await deploy(`redeploy ${r}`);
        await delay(CONFIG.settleMs);
        const m = await measure(nr, sim, probe, simPort);
        run.phases.redeploys.push({ r, deploy: { ...d, recording: undefined, connectedTimes: undefined, totals: d.recording.totals }, ...m });
        log(`N=${n} redeploy ${r}: heap ${mb(m.heapUsed).toFixed(1)} MB, RSS ${mb(m.rss).toFixed(1)} MB, sockets to the simulator ${m.sockets.toServer}, handles ${JSON.stringify(m.active)}, simulator clients ${m.sim.cometdClients}, live sockets ${m.sim.liveSockets}`);
      }
    });
  }

  if (!aborted) {
    await phase('restarts', async () => {
      run.phases.restarts = [];
      for (const downMs of CONFIG.downs) {
        const ready = await waitConnected(probe, n, 0, b.connectMs);
        if (!ready.all) throw new Error(`before the ${downMs} ms outage only ${ready.connected} of ${n} are connected`);
        await delay(CONFIG.settleMs);
        await sim.call('record', { timeline: true });
        const mark = nr.output().length;
        await probe.loopDelay();
        const cpu0 = cpuSnapshot(nr, sim);
        const { downAt, backAt } = await sim.call('restart', { downMs }, downMs + 30000);
        const back = await waitConnected(probe, n, downAt, b.recoverMs + downMs);
        const cores = coresBetween(cpu0, cpuSnapshot(nr, sim));
        const loopDelay = await probe.loopDelay();
        const refused = await sim.call('samplerStop');
        const recording = await sim.call('recordStop', {}, 60000);
        const restart = {
          downMs,
          downAt,
          backAt,
          all: back.all,
          connected: back.connected,
          states: back.states,
          // per link: when it showed connected again, from the simulator's return
          recoverMs: back.lastMs !== undefined ? back.lastMs - (backAt - downAt) : undefined,
          recoverP50Ms: back.p50Ms !== undefined ? back.p50Ms - (backAt - downAt) : undefined,
          recoverP90Ms: back.p90Ms !== undefined ? back.p90Ms - (backAt - downAt) : undefined,
          connectedTimes: back.connectedTimes.map((t) => t + downAt),
          refused,
          recording,
          cores,
          loopDelay,
          nodeRedWarnings: countMatches(nr.output().slice(mark), /\[warn\]/g),
        };
        run.phases.restarts.push(restart);
        log(`N=${n} outage ${downMs} ms (down ${backAt - downAt} ms): ${back.connected}/${n} back${restart.recoverMs !== undefined ? `, the last ${restart.recoverMs} ms after the simulator's return (p50 ${restart.recoverP50Ms}, p90 ${restart.recoverP90Ms})` : ''}; requests meanwhile ${JSON.stringify(recording.totals)}`);
        if (!back.all) fail(`N=${n} outage ${downMs} ms: only ${back.connected} of ${n} links back within ${b.recoverMs} ms`);
      }
    });
  }

  // Last, so that the snapshots (which pause Node-RED and leave its RSS higher) disturb no other figure:
  // a heap snapshot with the N agents connected, then all agents removed (a deploy of the empty tab) and
  // a second snapshot. Their difference is what the agents hold; the figures after the removal show
  // what removing them leaves behind.
  if (!aborted) {
    await phase('removal', async () => {
      if (CONFIG.heapSnapshot) {
        const ready = await waitConnected(probe, n, 0, b.connectMs);
        if (!ready.all) throw new Error(`before the removal only ${ready.connected} of ${n} are connected`);
        run.phases.connectedEnd = await measure(nr, sim, probe, simPort);
        run.heapFiles = { connected: await probe.heapSnapshot(path.join(scratch, `heap-${n}-connected.heapsnapshot`)) };
      }
      const t0 = Date.now();
      const response = await postFlows(nr.url, JSON.stringify({ flows: emptyFlows(), credentials: {} }), b.connectMs);
      if (response.status !== 204 && response.status !== 200) throw new Error(`removal: POST /flows answered HTTP ${response.status}`);
      const answeredMs = Date.now() - t0;
      await delay(CONFIG.settleMs);
      const removal = await measure(nr, sim, probe, simPort);
      removal.answeredMs = answeredMs;
      run.phases.removal = removal;
      if (CONFIG.heapSnapshot) {
        run.heapFiles.removed = await probe.heapSnapshot(path.join(scratch, `heap-${n}-removed.heapsnapshot`));
        run.heapGrowth = heapGrowth(heapByType(run.heapFiles.removed), heapByType(run.heapFiles.connected), { top: 12, per: n });
      }
      const base = run.phases.baseline;
      log(`N=${n} all agents removed (POST answered in ${answeredMs} ms): heap ${mb(removal.heapUsed).toFixed(1)} MB (baseline ${mb(base?.heapUsed ?? NaN).toFixed(1)}), sockets to the simulator ${removal.sockets.toServer}, simulator live sockets ${removal.sim.liveSockets}, CometD clients ${removal.sim.cometdClients}, handles ${JSON.stringify(removal.active)}`);
    });
  }

  await phase('warnings', async () => {
    const output = nr.output();
    run.maxListenersWarnings = countMatches(output, WARNING);
    run.warnings = await probe.warningReport();
    const lines = output.split('\n');
    const first = lines.findIndex((line) => line.includes('MaxListenersExceededWarning'));
    if (first >= 0) {
      let last = first + 1;
      while (last < lines.length && /^\s+at /.test(lines[last])) last++;
      run.firstWarning = lines.slice(first, last).join('\n');
    }
    run.nodeRedLogLines = { error: countMatches(output, /\[error\]/g), warn: countMatches(output, /\[warn\]/g) };
  });

  run.seconds = (Date.now() - runStart) / 1000;
  await stopAll();
  if (!flag('--keep')) {
    for (const file of Object.values(run.heapFiles ?? {})) rmSync(file, { force: true });
  }
  rmSync(dir, { recursive: true, force: true });
  log(`N=${n}: done in ${run.seconds.toFixed(0)} s`);
}

let exitCode = 0;
try {
  log(`${quick ? 'quick' : 'full'} scale run, N = ${CONFIG.ns.join(', ')}; output ${outDir}; scratch ${scratch}; watchdog ${Math.round(watchdogMs / 1000)} s`);
  for (const n of CONFIG.ns) {
    try {
      await runForN(n);
    } catch (error) {
      fail(`N=${n} aborted: ${error?.stack ?? error}`);
      await stopAll();
    }
  }
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
results.meta.finishedAt = new Date().toISOString();
results.meta.durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
results.meta.loadAverage.end = loadAverage();
try {
  const written = writeScaleReport(results, { outDir });
  log(`wrote ${written.join(', ')}`);
  printScaleSummary(results);
} catch (error) {
  fail(`report: ${error?.stack ?? error}`);
}
writeFileSync(path.join(scratch, 'results.json'), JSON.stringify(results, null, 1));
if (failures.length > 0) {
  log(`${failures.length} failure(s):\n  - ${failures.map((f) => f.split('\n')[0]).join('\n  - ')}`);
  exitCode = 1;
}
if (quick && !flag('--keep') && exitCode === 0) {
  rmSync(scratch, { recursive: true, force: true });
  if (!option('--out')) rmSync(outDir, { recursive: true, force: true });
}
log(`done in ${results.meta.durationSeconds.toFixed(1)} s, exit ${exitCode}`);
process.exit(exitCode);
