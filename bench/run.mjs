#!/usr/bin/env node
// Benchmarks of node-red-contrib-gws-outbound against the bundled GWS simulator, all on 127.0.0.1.
//
//   npm run bench               full run (≤ 6 min): 4 throughput repetitions, medians; rewrites bench/RESULTS.md
//                               and bench/latency.svg
//   npm run bench -- --quick    a few seconds per part, 1 repetition; writes to a temp directory only;
//                               exit code 0 when everything ran, non-zero on any failure
//
// Options: --out <dir> (where RESULTS.md and latency.svg go), --no-profile (skip the profiling pass of
// the full run), --profile (profile a quick run too), --profile-c <n> (concurrency of the profiled runs,
// default 16), --keep (keep the scratch directory of a quick run).
//
// What runs: the simulator in a child process; two Node-RED 4.1 instances (our nodes, among them the
// record operation node sending RejectRecord beside the complete record node; the naive core-node flow),
// each in its own process group on a free port; the raw core client, the HTTP load driver and the
// event counters in this process; the correlation and memory measurements in fresh child processes.
// Every child is killed at the end, on error, on SIGINT/SIGTERM and when the watchdog fires.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVICE, naiveFlows, oursCredentials, oursFlows } from './lib/flows.mjs';
import { localProfiler, remoteProfiler } from './lib/inspector.mjs';
import { closedLoop, httpClient } from './lib/load.mjs';
import { loadAverage, machineInfo } from './lib/machine.mjs';
import { runChild, startNodeRedInstance, startSimProcess } from './lib/processes.mjs';
import { categorize, summarize } from './lib/profile-summary.mjs';
import { freezePackage } from './lib/snapshot.mjs';
import { printSummary, writeReport } from './lib/report.mjs';
import { children, delay, freePort, guardRun, log, now, processCpuMs, until, withTimeout } from './lib/util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------
// Options and configuration

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const profileWanted = flag('--profile') || (!quick && !flag('--no-profile'));
const profileConcurrency = Number(option('--profile-c') ?? 16);

const CONFIG = quick
  ? {
      reps: 1, warmupMs: 200, durationMs: 600, concurrencies: [1, 16, 128],
      correlation: { levels: [10, 1000, 10000], answers: 5000, maxMs: 300, rememberCalls: 5000 },
      memory: { pending: 1000, warmOps: 2000, driftOps: 4000, segments: 4, concurrency: 64, maxMs: 30000, pendingReps: 1, memorySize: 1000 },
      events: { count: 4000, reps: 1 },
      reconnect: { reps: 1, downMs: 200 },
      watchdogMs: 150_000,
      profileNeedsS: 30,
    }
  : {
      // An even number of repetitions: each run of a compared pair goes first as often as second.
      reps: 4, warmupMs: 400, durationMs: 1500, concurrencies: [1, 16, 128],
      correlation: { levels: [10, 1000, 10000], answers: 60000, maxMs: 1500, rememberCalls: 30000 },
      memory: { pending: 10000, warmOps: 20000, driftOps: 100000, segments: 10, concurrency: 64, maxMs: 120000, pendingReps: 3 },
      events: { count: 25000, reps: 3 },
      reconnect: { reps: 3, downMs: 500 },
      // The throughput runs take about 2 min (7 variants × 3 concurrencies × 4 repetitions × 1.9 s); the
      // memory drift gets what is left before the profiles and the reconnect tests.
      watchdogMs: 345_000,
      profileNeedsS: 45,
    };

const USERS = { ours: 'agent1', naive: 'agent2', raw: 'agent3', events: 'agent4', memory: 'agent5', rawEvents: 'agent6', eventsFn: 'agent7' };
// The order of the throughput runs, rotated per repetition. A pair that is compared with the 0.95 rule
// (complete record node vs record operation node; the same behind a change node) is one unit, so its two
// runs are always next to each other, and which of the two runs first alternates per repetition.
const RUN_UNITS = [['raw'], ['ours', 'record'], ['oursMsg', 'recordMsg'], ['naive'], ['echo']];
const runOrder = (rep) => RUN_UNITS.map((_, i) => RUN_UNITS[(i + rep) % RUN_UNITS.length]).flatMap((unit) => (rep % 2 ? [...unit].reverse() : unit));
const HTTP_VARIANTS = ['ours', 'record', 'oursMsg', 'recordMsg', 'naive', 'echo'];

const startedAt = new Date();
const outDir = option('--out') ? path.resolve(option('--out')) : quick ? mkdtempSync(path.join(os.tmpdir(), 'gws-bench-')) : here;
const scratch = quick ? path.join(outDir, 'scratch') : path.join(here, 'out', `run-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(scratch, { recursive: true });

// The code under test, frozen: every process of this run loads the package from this copy (see snapshot.mjs).
const frozen = freezePackage(path.join(scratch, 'package'));
process.env.BENCH_PACKAGE_DIR = frozen.dir;
const { GwsConnection } = require(path.join(frozen.dir, 'dist', 'core', 'index.js'));

// ---------------------------------------------------------------------------------------------------
// Cleanup: whatever way the run ends, every child process goes.

let cleaning;
const stoppers = [];
async function cleanup() {
  cleaning ??= (async () => {
    for (const stop of stoppers.reverse()) {
      try {
        await withTimeout(Promise.resolve().then(stop), 12000, 'cleanup step');
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
    children.killAll();
  })();
  return cleaning;
}
const watchdog = guardRun({ cleanup, watchdogMs: CONFIG.watchdogMs });

// ---------------------------------------------------------------------------------------------------

const failures = [];
function fail(what) {
  failures.push(what);
  log(`FAILURE: ${what}`);
}

/** Runs one part of the benchmark; a failure is recorded and the run goes on with the next part. */
async function section(name, fn) {
  try {
    await fn();
  } catch (error) {
    fail(`${name}: ${error?.stack ?? error}`);
  }
}

const results = {
  meta: {
    startedAt: startedAt.toISOString(),
    quick,
    profileConcurrency,
    command: quick ? 'npm run bench -- --quick' : 'npm run bench',
    config: CONFIG,
    code: { commit: frozen.commit, distHash: frozen.distHash, changedFiles: frozen.changedFiles, sourceDir: path.join(frozen.dir, 'src') },
    loadAverage: { start: loadAverage() },
    ...machineInfo(),
  },
  throughput: { runs: [] },
  latencies: {},
  correlation: { reps: [] },
  memory: { pending: [] },
  events: { node: [], function: [], core: [] },
  reconnect: { forget: [], restart: [] },
  profiles: {},
  failures,
};

async function main() {
  log(`${quick ? 'quick' : 'full'} run; output ${outDir}; scratch ${scratch}`);

  // 4. correlation (no network; a fresh process per repetition)
  for (let rep = 0; rep < CONFIG.reps; rep++) {
    const { levels, memory } = await runChild('correlation-child.mjs', CONFIG.correlation, { timeoutMs: 60000 });
    results.correlation.reps.push(levels);
    (results.correlation.memory ??= []).push(memory);
    log(`correlation rep ${rep + 1}: ${levels.map((l) => `${l.pending} pending ${l.syncUsPerAnswer.toFixed(2)} µs sync / ${l.cpuUsPerAnswer.toFixed(2)} µs cpu`).join('; ')}; remember() with a full memory: ${memory.map((m) => `${m.memorySize}: ${m.usPerRemember.toFixed(2)} µs`).join(', ')}`);
  }

  // The simulator and the two Node-RED instances
  const sim = await startSimProcess({
    users: Object.values(USERS),
    // Without the simulator nothing can be measured: stop at once instead of timing out section by section.
    onUnexpectedExit: (how) => {
      log(`FAILURE: the simulator exited unexpectedly (${how}); stopping`);
      cleanup().finally(() => process.exit(1));
    },
  });
  stoppers.push(() => sim.stop());
  log(`simulator ${sim.url} (pid ${sim.pid})`);
  const inspectPorts = profileWanted ? { ours: await freePort(), naive: await freePort() } : {};
  const nodeRedEnv = (name) => (inspectPorts[name] ? { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPorts[name]}` } : {});
  const [ours, naive] = await Promise.all([
    startNodeRedInstance({
      name: 'ours',
      dir: path.join(scratch, 'node-red-ours'),
      flows: oursFlows({ simUrl: sim.url }),
      credentials: oursCredentials({ ours: USERS.ours, events: USERS.events, eventsFn: USERS.eventsFn }),
      nodesDir: path.join(here, 'nodes'),
      packageDir: frozen.dir,
      env: nodeRedEnv('ours'),
      logFile: path.join(scratch, 'node-red-ours.log'),
    }).then((instance) => {
      stoppers.push(() => instance.stop());
      return instance;
    }),
    startNodeRedInstance({
      name: 'naive',
      dir: path.join(scratch, 'node-red-naive'),
      flows: naiveFlows({ simUrl: sim.url, user: USERS.naive }),
      credentials: {},
      externalModules: ['cometd', 'cometd-nodejs-client'],
      packageDir: frozen.dir,
      env: nodeRedEnv('naive'),
      logFile: path.join(scratch, 'node-red-naive.log'),
    }).then((instance) => {
      stoppers.push(() => instance.stop());
      return instance;
    }),
  ]);
  log(`Node-RED ours ${ours.url} (pid ${ours.pid}), naive ${naive.url} (pid ${naive.pid})`);

  const raw = await GwsConnection.create({ baseUrl: sim.url, username: USERS.raw, password: USERS.raw, ackTimeoutMs: 10000 });
  stoppers.push(() => raw.stop());
  raw.start();
  await until(() => raw.state.status === 'connected', { timeoutMs: 20000, what: 'raw connection' });

  // Each variant: one CompleteRecord round trip (accepted + acknowledgement), checked; the record operation
  // node's variants one RejectRecord round trip, with the same request body.
  let handle = 0;
  const body = () => JSON.stringify({ recordHandle: ++handle, callingList: 'CallingList1', callResult: 'Answer' });
  const httpOp = (client, route, expect) => async () => {
    const answer = await client.post(route, body());
    if (answer.status !== 200 || (expect && !answer.text.includes(expect))) throw new Error(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
  };
  const variants = {
    raw: {
      pids: { sim: sim.pid },
      open: () => ({
        op: () => raw.execute(raw.prepare('CompleteRecord', {
          recordHandle: ++handle, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', callResult: 'Answer', devicePath: DEVICE,
        })),
        close() {},
      }),
    },
    ours: { pids: { nodeRed: ours.pid, sim: sim.pid }, url: ours.url, route: '/bench/ours', expect: 'RecordProcessedAcknowledge' },
    record: { pids: { nodeRed: ours.pid, sim: sim.pid }, url: ours.url, route: '/bench/record', expect: 'RecordRejectAcknowledge' },
    oursMsg: { pids: { nodeRed: ours.pid, sim: sim.pid }, url: ours.url, route: '/bench/ours-msg', expect: 'RecordProcessedAcknowledge' },
    recordMsg: { pids: { nodeRed: ours.pid, sim: sim.pid }, url: ours.url, route: '/bench/record-msg', expect: 'RecordRejectAcknowledge' },
    naive: { pids: { nodeRed: naive.pid, sim: sim.pid }, url: naive.url, route: '/bench/naive', expect: 'RecordProcessedAcknowledge' },
    echo: { pids: { nodeRed: ours.pid }, url: ours.url, route: '/bench/echo', expect: 'recordHandle' },
  };
  for (const name of HTTP_VARIANTS) {
    const v = variants[name];
    v.open = (concurrency) => {
      const client = httpClient(v.url, concurrency);
      return { op: httpOp(client, v.route, v.expect), close: () => client.close() };
    };
  }

  // Ready: every variant answers once.
  for (const name of HTTP_VARIANTS) {
    const { op, close } = variants[name].open(1);
    let last;
    await until(async () => {
      try {
        await op();
        return true;
      } catch (error) {
        last = error;
        return false;
      }
    }, { timeoutMs: 30000, everyMs: 100, what: `${name} flow ready (${last?.message})` }).finally(close);
  }
  log('all variants answer');

  // 1–3. throughput and latency: repetitions interleaved, the variant order rotated per repetition
  for (let rep = 0; rep < CONFIG.reps; rep++) {
    for (const concurrency of CONFIG.concurrencies) {
      for (const name of runOrder(rep)) {
        const v = variants[name];
        const { op, close } = v.open(concurrency);
        let run;
        try {
          run = await closedLoop({ concurrency, warmupMs: CONFIG.warmupMs, durationMs: CONFIG.durationMs, op, cpuPids: v.pids, ownPids: [sim.pid, ours.pid, naive.pid] });
        } finally {
          close();
        }
        const { latencies, ...summary } = run;
        results.throughput.runs.push({ variant: name, rep, ...summary });
        ((results.latencies[name] ??= {})[concurrency] ??= []).push(...latencies);
        log(`rep ${rep + 1} c=${String(concurrency).padEnd(3)} ${name.padEnd(9)} ${summary.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${summary.p50?.toFixed(2)} ms  p99 ${summary.p99?.toFixed(2)} ms  (other load ${summary.otherCores?.toFixed(2) ?? '?'} cores)${summary.errors ? `  ERRORS ${summary.errors}: ${summary.errorSamples[0]}` : ''}`);
        if (summary.errors > 0) fail(`${name} at concurrency ${concurrency}: ${summary.errors} failed operations (${summary.errorSamples[0]})`);
        if (summary.ops === 0) fail(`${name} at concurrency ${concurrency}: no operation completed`);
      }
    }
  }

  // 6. event node: bursts from the simulator into the flows; and the core client alone for comparison
  const oursClient = httpClient(ours.url, 2);
  stoppers.push(() => oursClient.close());
  const tagsAt = async (route) => {
    const answer = await oursClient.get(route);
    if (answer.status !== 200) throw new Error(`GET ${route}: HTTP ${answer.status}`);
    return JSON.parse(answer.text).tags;
  };
  const rawEvents = await GwsConnection.create({ baseUrl: sim.url, username: USERS.rawEvents, password: USERS.rawEvents, ackTimeoutMs: 10000 });
  stoppers.push(() => rawEvents.stop());
  const coreSeen = new Map();
  rawEvents.on('notification', (n) => {
    const b = n.data?.bench;
    if (!b) return;
    let t = coreSeen.get(b.tag);
    if (!t) coreSeen.set(b.tag, (t = { count: 0, seen: new Set(), firstAt: Date.now(), lastAt: 0 }));
    t.count++;
    t.seen.add(b.seq);
    t.lastAt = Date.now();
  });
  rawEvents.start();
  await until(() => rawEvents.state.status === 'connected', { timeoutMs: 20000, what: 'core event connection' });
  /** The three receivers: the event node into a counter node, into a function node, and the core client. */
  const receivers = {
    node: { user: USERS.events, read: async (tag) => (await tagsAt('/bench/counter'))[tag], pid: ours.pid, pollMs: 50 },
    function: { user: USERS.eventsFn, read: async (tag) => (await tagsAt('/bench/events'))[tag], pid: ours.pid, pollMs: 50 },
    core: {
      user: USERS.rawEvents,
      read: async (tag) => {
        const t = coreSeen.get(tag);
        return t && { count: t.count, unique: t.seen.size, firstAt: t.firstAt, lastAt: t.lastAt };
      },
      pollMs: 10,
    },
  };
  // Every receiver gets probes before the bursts start.
  await sim.call('probeStart', { users: Object.values(receivers).map((r) => r.user), tag: 'events-ready', everyMs: 20 });
  try {
    await until(async () => {
      for (const r of Object.values(receivers)) if (!(await r.read('events-ready'))) return false;
      return true;
    }, { timeoutMs: 30000, everyMs: 50, what: 'event flows ready' });
  } finally {
    await sim.call('probeStop');
  }

  const burst = async (target, rep) => {
    const receiver = receivers[target];
    const tag = `burst-${target}-${rep}`;
    const count = CONFIG.events.count;
    const cpuBefore = { receiver: receiver.pid ? processCpuMs(receiver.pid) : undefined, sim: processCpuMs(sim.pid), bench: process.cpuUsage() };
    const pushed = await sim.call('burst', { user: receiver.user, count, chunk: 500, tag }, 60000);
    if (pushed.reached < 1) throw new Error(`burst ${tag} reached no client`);
    let last = -1;
    let lastChange = now();
    const deadline = now() + 60000;
    for (;;) {
      const c = (await receiver.read(tag))?.count ?? 0;
      if (c >= count) break;
      if (c !== last) {
        last = c;
        lastChange = now();
      }
      if (now() - lastChange > 5000 || now() > deadline) break;
      await delay(receiver.pollMs);
    }
    await delay(200); // duplicates would show up now
    const t = await receiver.read(tag);
    const received = t?.count ?? 0;
    const unique = t?.unique ?? 0;
    const seconds = ((t?.lastAt ?? pushed.startedAt) - pushed.startedAt) / 1000;
    const bench = process.cpuUsage(cpuBefore.bench);
    const receiverCpuMs = receiver.pid ? processCpuMs(receiver.pid) - cpuBefore.receiver : (bench.user + bench.system) / 1000;
    const result = {
      rep,
      count,
      received,
      unique,
      lost: count - unique,
      duplicated: received - unique,
      seconds,
      perSecond: unique / Math.max(seconds, 0.001),
      pushSeconds: (pushed.endedAt - pushed.startedAt) / 1000,
      cpuUsPerNotification: { receiver: (receiverCpuMs * 1000) / count, sim: ((processCpuMs(sim.pid) - cpuBefore.sim) * 1000) / count },
    };
    if (result.lost > 0) fail(`events → ${target}: ${result.lost} of ${count} notifications lost`);
    if (result.duplicated > 0) fail(`events → ${target}: ${result.duplicated} notifications duplicated`);
    return result;
  };
  const targetsOrder = ['node', 'function', 'core'];
  await section('event bursts', async () => {
    for (let rep = 0; rep < CONFIG.events.reps; rep++) {
      for (const target of targetsOrder.map((_, i) => targetsOrder[(i + rep) % targetsOrder.length])) {
        const r = await burst(target, rep);
        results.events[target].push(r);
        log(`events rep ${rep + 1} → ${target.padEnd(8)} ${r.unique}/${r.count} in ${r.seconds.toFixed(3)} s = ${r.perSecond.toFixed(0)}/s (lost ${r.lost}, duplicated ${r.duplicated})`);
      }
    }
  });

  // 5. memory (fresh processes with --expose-gc); the first repetition also writes heap snapshots and
  // reports what grew, by object type
  const snapshotDir = path.join(scratch, 'heap');
  await section('memory with requests pending', async () => {
    for (let rep = 0; rep < CONFIG.memory.pendingReps; rep++) {
      const r = await runChild('memory-child.mjs', { mode: 'pending', simUrl: sim.url, user: USERS.memory, ...CONFIG.memory, snapshotDir: rep === 0 ? snapshotDir : undefined },
        { execArgv: ['--expose-gc'], timeoutMs: CONFIG.memory.maxMs + 60000 });
      results.memory.pending.push(r);
      log(`memory rep ${rep + 1}: ${r.pending} pending = +${(r.deltaBytes / 1e6).toFixed(2)} MB (${r.bytesPerPending.toFixed(0)} bytes each)`);
      if (r.pending !== CONFIG.memory.pending) fail(`memory: ${r.pending} of ${CONFIG.memory.pending} requests pending`);
    }
  });
  await section('memory drift', async () => {
    // Bounded by the time budget as well, so that a slow machine records a failure instead of the watchdog firing.
    const leftMs = CONFIG.watchdogMs - (Date.now() - startedAt.getTime()) - 35000;
    const maxMs = Math.max(10000, Math.min(CONFIG.memory.maxMs, leftMs));
    const r = await runChild('memory-child.mjs', { mode: 'drift', simUrl: sim.url, user: USERS.memory, ...CONFIG.memory, maxMs, snapshotDir },
      { execArgv: ['--expose-gc'], timeoutMs: maxMs + 20000 });
    results.memory.drift = r;
    log(`memory drift: ${r.ops} ops after ${r.warmOps} warm-up: ${(r.baselineBytes / 1e6).toFixed(2)} → ${(r.finalBytes / 1e6).toFixed(2)} MB (${r.driftPercent.toFixed(2)} %) in ${r.seconds.toFixed(1)} s`);
  });
  rmSync(snapshotDir, { recursive: true, force: true });

  // Profiles of the measured paths (a separate pass), when the time budget allows
  const remainingS = (CONFIG.watchdogMs - (Date.now() - startedAt.getTime())) / 1000;
  await section('profiles', async () => {
    if (profileWanted && remainingS > CONFIG.profileNeedsS) {
      await profilePass({ sim, variants, inspectPorts, burst });
    } else if (profileWanted) {
      results.meta.profileSkipped = `only ${remainingS.toFixed(0)} s of the time budget left`;
      log(`profiling skipped: ${results.meta.profileSkipped}`);
    }
  });

  // 7. reconnect: after the simulator forgot every CometD client, and after a restart
  const probeUsers = [USERS.events, USERS.rawEvents];
  const firstArrivals = async (tag) => ({ node: (await receivers.node.read(tag))?.firstAt, core: (await receivers.core.read(tag))?.firstAt });
  const waitArrivals = async (tag, timeoutMs) => {
    let arrivals = {};
    try {
      await until(async () => {
        arrivals = await firstArrivals(tag);
        return arrivals.node !== undefined && arrivals.core !== undefined;
      }, { timeoutMs, everyMs: 10, what: `notifications tagged ${tag}` });
    } finally {
      await sim.call('probeStop');
    }
    return arrivals;
  };
  await section('reconnect after forgetClients', async () => {
    for (let rep = 0; rep < CONFIG.reconnect.reps; rep++) {
      await sim.call('probeStart', { users: probeUsers, tag: `pre-forget-${rep}`, everyMs: 5 });
      await waitArrivals(`pre-forget-${rep}`, 20000);
      const tag = `forget-${rep}`;
      const { at } = await sim.call('forget', { probe: { users: probeUsers, tag, everyMs: 2, maxMs: 20000 } });
      const arrivals = await waitArrivals(tag, 20000);
      const r = { rep, nodeMs: arrivals.node - at, coreMs: arrivals.core - at };
      results.reconnect.forget.push(r);
      log(`reconnect rep ${rep + 1} after forgetClients: node ${r.nodeMs} ms, core ${r.coreMs} ms`);
    }
  });
  await section('reconnect after restart', async () => {
    for (let rep = 0; rep < CONFIG.reconnect.reps; rep++) {
      await sim.call('probeStart', { users: probeUsers, tag: `pre-restart-${rep}`, everyMs: 5 });
      await waitArrivals(`pre-restart-${rep}`, 20000);
      const tag = `restart-${rep}`;
      const { downAt, backAt } = await sim.call('restart', { downMs: CONFIG.reconnect.downMs, probe: { users: probeUsers, tag, everyMs: 2, maxMs: 20000 } }, CONFIG.reconnect.downMs + 15000);
      const arrivals = await waitArrivals(tag, 20000);
      const r = { rep, downMs: backAt - downAt, nodeMs: arrivals.node - backAt, coreMs: arrivals.core - backAt };
      results.reconnect.restart.push(r);
      log(`reconnect rep ${rep + 1} after restart (down ${r.downMs} ms): node ${r.nodeMs} ms, core ${r.coreMs} ms after the simulator was back`);
    }
  });
  results.meta.simulatorStats = await sim.call('stats');
}

/**
 * CPU profiles of each path at concurrency 16 (and of an event burst), taken in a separate pass so that
 * the profiler never runs during the measurements above.
 */
async function profilePass({ sim, variants, inspectPorts, burst }) {
  const profileDir = path.join(quick ? scratch : path.join(here, 'out'), 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const keep = (name, profile, ops) => {
    writeFileSync(path.join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    results.profiles[name] = summarize(profile, { top: 14 });
    results.profiles[name].ops = ops;
    results.profiles[name].package = summarize(profile, { top: 10, filter: /dist\/(core|nodes|simulator)\// }).inclusive;
    // Wider, for comparing two profiles of the same code path function by function (report.mjs).
    results.profiles[name].packageWide = summarize(profile, { top: 60, filter: /dist\/(core|nodes)\// }).inclusive;
    results.profiles[name].categories = categorize(profile);
  };
  const profileWindow = async (variant, profilers) => {
    const { op, close } = variants[variant].open(profileConcurrency);
    for (const p of profilers) await p.profiler.start();
    let ops;
    try {
      // Every op that ends while the profiler runs counts: no warm-up, and the window is the profile's.
      const run = await closedLoop({ concurrency: profileConcurrency, warmupMs: 0, durationMs: 2500, op });
      ops = run.samples;
    } finally {
      close();
      for (const p of profilers) keep(p.name, await p.profiler.stop(), ops);
    }
  };
  const simProfiler = { start: () => sim.call('profileStart'), stop: () => sim.call('profileStop', {}, 60000) };
  const remote = {};
  try {
    remote.ours = await remoteProfiler(inspectPorts.ours);
    remote.naive = await remoteProfiler(inspectPorts.naive);
    const local = localProfiler();
    const c = `c${profileConcurrency}`;
    await profileWindow('raw', [{ name: `raw-${c}-bench`, profiler: local }, { name: `raw-${c}-simulator`, profiler: simProfiler }]);
    await profileWindow('ours', [{ name: `ours-${c}-node-red`, profiler: remote.ours }, { name: `ours-${c}-simulator`, profiler: simProfiler }]);
    await profileWindow('record', [{ name: `record-${c}-node-red`, profiler: remote.ours }]);
    await profileWindow('naive', [{ name: `naive-${c}-node-red`, profiler: remote.naive }]);
    await profileWindow('echo', [{ name: `echo-${c}-node-red`, profiler: remote.ours }]);
    await remote.ours.start();
    await simProfiler.start();
    let notifications;
    try {
      notifications = (await burst('node', 'profile')).unique;
    } finally {
      keep('events-node-red', await remote.ours.stop(), notifications);
      keep('events-simulator', await simProfiler.stop(), notifications);
    }
    local.close();
    log(`profiles written to ${profileDir}`);
  } finally {
    remote.ours?.close();
    remote.naive?.close();
  }
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  fail(`run aborted: ${error?.stack ?? error}`);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
results.meta.finishedAt = new Date().toISOString();
results.meta.durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
results.meta.loadAverage.end = loadAverage();
const aborted = failures.some((f) => f.startsWith('run aborted'));
try {
  if (!aborted) {
    const written = writeReport(results, { outDir, quick });
    log(`wrote ${written.join(', ')}`);
  }
  writeFileSync(path.join(quick ? outDir : scratch, 'results.json'), JSON.stringify({ ...results, latencies: undefined }, null, 2));
  if (!aborted) printSummary(results);
} catch (error) {
  fail(`report: ${error?.stack ?? error}`);
}
// The Node-RED user directories are not needed after the run (logs, profiles and results.json stay).
for (const dir of ['node-red-ours', 'node-red-naive']) rmSync(path.join(scratch, dir), { recursive: true, force: true });
if (failures.length > 0) {
  log(`${failures.length} failure(s):\n  - ${failures.join('\n  - ')}`);
  exitCode = 1;
}
if (quick && !flag('--keep') && exitCode === 0) {
  rmSync(scratch, { recursive: true, force: true });
  // A quick run's report was printed above; its temporary directory goes too unless --out named one.
  if (!option('--out')) rmSync(outDir, { recursive: true, force: true });
}
log(`done in ${results.meta.durationSeconds.toFixed(1)} s, exit ${exitCode}`);
process.exit(exitCode);
