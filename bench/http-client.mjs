#!/usr/bin/env node
// The HTTP client of the core, before and after a change, in one run against one simulator:
//
//   node bench/http-client.mjs                  throughput and latency of the raw core client (GwsConnection,
//                                               CompleteRecord round trips: POST accepted + correlated answer)
//                                               at concurrency 1, 16 and 128, the reference build against this one
//   node bench/http-client.mjs --scale          also the agent scenario: N connections (one per agent) connect
//                                               together, stay idle, then each sends a burst; failures, sockets, RSS
//
// Options: --ref <git ref> (the reference, default the merge base of HEAD and main), --reps <n> (default 3),
// --duration-ms <ms> (measured window per run, default 1500), --warmup-ms <ms> (default 400), --max-sockets <n,n>
// (extra variants of this build with that maxSockets), --scale-only (the agent scenario alone), --agents <n>
// (default 100), --idle-s <s> (default 65: past the simulator's keep-alive timeout of 65 s), --ops <n> (per agent,
// default 20), --after-s <s> (when the sockets left are counted after the burst, default 35), --quick (1 rep,
// 600 ms, scale 20 agents idle 6 s, sockets counted 6 s after).
//
// The reference is built from `git archive <ref> core` into a temporary directory with this repository's
// TypeScript and node_modules; this build is the current dist/ (run `npm run build` first). The simulator runs
// in a child process; each scale variant runs in a child process of its own, so that its RSS is its own.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoop } from './lib/load.mjs';
import { startSimProcess } from './lib/processes.mjs';
import { children, delay, median, until } from './lib/util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const quick = argv.includes('--quick');
const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';

function completeInput(handle) {
  return { recordHandle: handle, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', callResult: 'Answer', devicePath: DEVICE };
}

/** Compiles core/ of `ref` into a temporary directory; returns its package directory. */
function buildReference(ref) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gws-ref-'));
  const archive = execFileSync('git', ['archive', ref, 'core', 'tsconfig.json', 'package.json'], { cwd: root, maxBuffer: 64 * 2 ** 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'inherit' });
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  return { dir, commit };
}

function gitOrUndefined(args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function loadCore(dir) {
  return require(path.join(dir, 'dist', 'core', 'index.js'));
}

// ---------------------------------------------------------------------------------------------------
// Scale child: one variant, N agents.

async function scaleChild({ packageDir, simUrl, agents, idleMs, afterMs, ops, sessionOptions, userOffset }) {
  const { GwsConnection } = loadCore(packageDir);
  const connections = [];
  let handle = 1_000_000;
  const rssStart = process.memoryUsage().rss;
  for (let i = 0; i < agents; i++) {
    const user = `scale${userOffset + i}`;
    connections.push(await GwsConnection.create({ baseUrl: simUrl, username: user, password: user, ackTimeoutMs: 30000, ...sessionOptions }));
  }
  for (const c of connections) c.start();
  await until(() => connections.every((c) => c.state.status === 'connected'), { timeoutMs: 60000, what: 'every agent connected' });
  await delay(idleMs);
  const errors = new Map();
  let ok = 0;
  // The parent counts the sockets on the simulator's side between these phases.
  await phase('burst');
  const started = performance.now();
  await Promise.all(
    connections.flatMap((c) =>
      Array.from({ length: ops }, () =>
        c.execute(c.prepare('CompleteRecord', completeInput(++handle))).then(
          () => ok++,
          (error) => {
            const key = `${error.code}: ${String(error.message).replace(/\d+\.\d+\.\d+\.\d+:\d+/g, '<sim>')}`.slice(0, 160);
            errors.set(key, (errors.get(key) ?? 0) + 1);
          },
        ),
      ),
    ),
  );
  const burstMs = performance.now() - started;
  await phase('burstEnd');
  const rssAfterBurst = process.memoryUsage().rss;
  // What is left open a while after the burst (idle sockets released?).
  await delay(afterMs);
  await phase('after');
  await Promise.all(connections.map((c) => c.stop(1000)));
  return { ok, failed: [...errors.values()].reduce((a, b) => a + b, 0), errors: Object.fromEntries(errors), burstMs, rssStartMB: rssStart / 2 ** 20, rssAfterBurstMB: rssAfterBurst / 2 ** 20 };
}

/** Tells the parent that a phase begins and waits until it has taken its reading. */
function phase(name) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.phaseDone !== name) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send({ phase: name });
  });
}

if (process.env.GWS_SCALE_CHILD) {
  process.once('message', async (input) => {
    try {
      process.send({ ok: true, result: await scaleChild(input) });
    } catch (error) {
      process.send({ ok: false, error: String(error?.stack ?? error) });
    }
    setTimeout(() => process.exit(0), 100);
  });
} else {
  await main();
}

/**
 * Runs one scale variant in a child process; counts the simulator's open sockets (all of them the
 * child's) when the burst starts, at most during it (sampled every 10 ms), and a while after it.
 */
function runScaleChild(input, timeoutMs, sim) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, GWS_SCALE_CHILD: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const unregister = children.add('scale child', () => child.kill('SIGKILL'));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const sockets = { before: 0, max: 0, after: 0 };
    let sampler;
    const live = async () => (await sim.call('stats')).liveSockets;
    child.on('message', async (message) => {
      if (message?.phase === 'burst') {
        sockets.before = await live();
        sockets.max = sockets.before;
        let sampling = false;
        sampler = setInterval(async () => {
          if (sampling) return;
          sampling = true;
          sockets.max = Math.max(sockets.max, await live().catch(() => 0));
          sampling = false;
        }, 10);
      } else if (message?.phase === 'burstEnd') {
        clearInterval(sampler);
        sockets.max = Math.max(sockets.max, await live());
      } else if (message?.phase === 'after') {
        sockets.after = await live();
      } else if (message && 'ok' in message) {
        clearInterval(sampler);
        if (message.ok) resolve({ ...message.result, sockets });
        else reject(new Error(message.error));
        return;
      } else {
        return;
      }
      child.send({ phaseDone: message.phase });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      unregister();
      reject(new Error(`scale child exited (${code})`));
    });
    child.send(input);
  });
}

async function main() {
  // Default reference: where this branch left main (the code before the change), else main itself.
  const ref = option('--ref') ?? gitOrUndefined(['merge-base', 'HEAD', 'main']) ?? 'main';
  const reps = Number(option('--reps', quick ? 1 : 3));
  const durationMs = Number(option('--duration-ms', quick ? 600 : 1500));
  const warmupMs = Number(option('--warmup-ms', quick ? 200 : 400));
  const extraSockets = (option('--max-sockets', '') || '').split(',').filter(Boolean).map(Number);
  const scale = argv.includes('--scale') || argv.includes('--scale-only');
  const agents = Number(option('--agents', quick ? 20 : 100));
  const idleMs = Number(option('--idle-s', quick ? 6 : 65)) * 1000;
  const ops = Number(option('--ops', 20));
  const afterMs = Number(option('--after-s', quick ? 6 : 35)) * 1000;
  const concurrencies = [1, 16, 128];

  console.log(`node ${process.version}; reference ${ref}; ${reps} rep(s) of ${warmupMs} + ${durationMs} ms per run`);
  const reference = buildReference(ref);
  const variants = [
    { name: `before (${reference.commit})`, core: loadCore(reference.dir), options: {} },
    { name: 'after', core: loadCore(root), options: {} },
    ...extraSockets.map((n) => ({ name: `after, maxSockets ${n}`, core: loadCore(root), options: { maxSockets: n } })),
  ];
  const users = [...variants.map((_, i) => `bench${i}`), ...Array.from({ length: scale ? agents * 2 : 0 }, (_, i) => `scale${i}`)];
  const sim = await startSimProcess({ users });
  const cleanup = async () => {
    for (const v of variants) await v.connection?.stop(500).catch(() => undefined);
    await sim.stop();
    rmSync(reference.dir, { recursive: true, force: true });
  };
  try {
    for (const [i, v] of variants.entries()) {
      v.connection = await v.core.GwsConnection.create({ baseUrl: sim.url, username: `bench${i}`, password: `bench${i}`, ackTimeoutMs: 10000, ...v.options });
      v.connection.start();
      await until(() => v.connection.state.status === 'connected', { timeoutMs: 20000, what: `${v.name} connected` });
    }
    let handle = 0;
    const runs = [];
    for (let rep = 0; rep < (argv.includes('--scale-only') ? 0 : reps); rep++) {
      for (const concurrency of concurrencies) {
        const order = variants.map((_, i) => variants[(i + rep) % variants.length]);
        for (const v of order) {
          const c = v.connection;
          const run = await closedLoop({ concurrency, warmupMs, durationMs, op: () => c.execute(c.prepare('CompleteRecord', completeInput(++handle))), cpuPids: { sim: sim.pid } });
          runs.push({ variant: v.name, concurrency, rep, opsPerSec: run.opsPerSec, p50: run.p50, p99: run.p99, errors: run.errors, cpuMsPerOp: run.cpuMsPerOp.bench });
          console.log(`rep ${rep + 1} c=${String(concurrency).padEnd(3)} ${v.name.padEnd(24)} ${run.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${run.p50?.toFixed(2)} ms  p99 ${run.p99?.toFixed(2)} ms  client CPU ${run.cpuMsPerOp.bench?.toFixed(3)} ms/op${run.errors ? `  ERRORS ${run.errors}` : ''}`);
        }
      }
    }
    if (runs.length) console.log('\nMedians over the repetitions:\n');
    if (runs.length) {
      console.log('| client | c | ops/s | p50 ms | p99 ms | client CPU ms/op | ops/s vs before |');
      console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    }
    for (const concurrency of runs.length ? concurrencies : []) {
      const base = median(runs.filter((r) => r.variant === variants[0].name && r.concurrency === concurrency).map((r) => r.opsPerSec));
      for (const v of variants) {
        const mine = runs.filter((r) => r.variant === v.name && r.concurrency === concurrency);
        const ops = median(mine.map((r) => r.opsPerSec));
        console.log(`| ${v.name} | ${concurrency} | ${ops.toFixed(0)} | ${median(mine.map((r) => r.p50)).toFixed(2)} | ${median(mine.map((r) => r.p99)).toFixed(2)} | ${median(mine.map((r) => r.cpuMsPerOp)).toFixed(3)} | ${(ops / base).toFixed(2)} |`);
      }
    }
    for (const v of variants) {
      await v.connection.stop(500);
      v.connection = undefined;
    }
    if (scale) {
      console.log(`\nScale: ${agents} agents (one connection each) connect together, idle ${idleMs / 1000} s, then ${ops} CompleteRecords each at once\n`);
      const results = [];
      for (const [i, v] of variants.slice(0, 2).entries()) {
        const result = await runScaleChild({
          packageDir: i === 0 ? reference.dir : root,
          simUrl: sim.url,
          agents,
          idleMs,
          afterMs,
          ops,
          sessionOptions: v.options,
          // each run has users of its own, so that the second does not find the first's server state
          userOffset: i * agents,
        }, idleMs + afterMs + 180000, sim);
        results.push({ variant: v.name, ...result });
        console.log(v.name, JSON.stringify(result));
      }
      console.log(`\n| client | ok | failed | burst ms | sockets on the simulator: at the burst → at most → ${afterMs / 1000} s after | RSS MB at start → after burst |`);
      console.log('| --- | ---: | ---: | ---: | --- | --- |');
      for (const r of results) {
        console.log(`| ${r.variant} | ${r.ok} | ${r.failed} | ${r.burstMs.toFixed(0)} | ${r.sockets.before} → ${r.sockets.max} → ${r.sockets.after} | ${r.rssStartMB.toFixed(0)} → ${r.rssAfterBurstMB.toFixed(0)} |`);
      }
      for (const r of results) for (const [text, count] of Object.entries(r.errors)) console.log(`  ${r.variant}: ${count} × ${text}`);
    }
  } finally {
    await cleanup();
  }
}
