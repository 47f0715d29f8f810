// SCALE.md of the scale run (bench/scale.mjs): per N the measured figures, the storm shapes (requests and
// connections at the simulator per second and per 100 ms), the targets with their verdicts and, for each
// missed target, the cause as the run measured it. Also the console summary.
// `node bench/lib/scale-report.mjs <results.json> [out dir]` writes SCALE.md again from a run's results.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, fmtInt } from './util.mjs';

const MB = 2 ** 20;
const BIN_MS = 100;

// ---------------------------------------------------------------------------------------------------
// Timelines

/** Times (ms) of the recorded events of `kinds` (names) in [from, to). */
function times(recording, kinds, from = -Infinity, to = Infinity) {
  const tl = recording?.timeline;
  if (!tl) return [];
  const codes = new Set(kinds.map((kind) => recording.kinds.indexOf(kind)));
  const out = [];
  for (let i = 0; i < tl.t.length; i++) if (codes.has(tl.k[i]) && tl.t[i] >= from && tl.t[i] < to) out.push(tl.t[i]);
  return out;
}

function bins(values, from, to, binMs = BIN_MS) {
  const count = Math.max(1, Math.ceil((to - from) / binMs));
  const out = new Array(count).fill(0);
  for (const t of values) {
    const i = Math.floor((t - from) / binMs);
    if (i >= 0 && i < count) out[i]++;
  }
  return out;
}

/** Refused connection attempts per bin from the kernel counter samples [[t, attemptFails, activeOpens], …]. */
function refusedBins(samples, from, to, binMs = BIN_MS) {
  const count = Math.max(1, Math.ceil((to - from) / binMs));
  const out = new Array(count).fill(0);
  for (let i = 1; i < (samples?.length ?? 0); i++) {
    const [t, fails] = samples[i];
    const delta = fails - samples[i - 1][1];
    const b = Math.floor((t - from) / binMs);
    if (delta > 0 && b >= 0 && b < count) out[b] += delta;
  }
  return out;
}

const SPARK = ' ▁▂▃▄▅▆▇█';
function sparkline(values) {
  const max = Math.max(0, ...values);
  if (max === 0) return ''.padEnd(values.length, '·');
  return values.map((v) => (v === 0 ? '·' : SPARK[Math.max(1, Math.round((v / max) * 8))])).join('');
}

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Per-second counts from `from`: new connections and requests by kind (and refused attempts when given). */
function perSecond(recording, from, to, refused) {
  const kinds = recording?.kinds ?? [];
  const rows = [];
  const seconds = Math.max(1, Math.ceil((to - from) / 1000));
  for (let s = 0; s < seconds; s++) rows.push({ second: s, refused: 0, ...Object.fromEntries(kinds.map((k) => [k, 0])) });
  const tl = recording?.timeline;
  if (tl) {
    for (let i = 0; i < tl.t.length; i++) {
      const s = Math.floor((tl.t[i] - from) / 1000);
      if (s >= 0 && s < seconds) rows[s][kinds[tl.k[i]]]++;
    }
  }
  if (refused) {
    const r = refusedBins(refused, from, from + seconds * 1000, 1000);
    r.forEach((v, s) => (rows[s].refused = v));
  }
  return rows;
}

function requestsOf(row) {
  return (row.login ?? 0) + (row.handshake ?? 0) + (row.subscribe ?? 0) + (row.connect ?? 0) + (row.disconnect ?? 0) + (row.operation ?? 0) + (row.other ?? 0);
}

// ---------------------------------------------------------------------------------------------------
// Analysis

function restartShape(restart, n, stepMs) {
  const { downAt, backAt } = restart;
  const lastBack = restart.connectedTimes?.length ? Math.max(...restart.connectedTimes) : backAt;
  const end = Math.max(lastBack, backAt) + 1000;
  const handshakes = times(restart.recording, ['handshake'], backAt, end).sort((a, b) => a - b);
  const logins = times(restart.recording, ['login'], backAt, end);
  const firstRetries = times(restart.recording, ['handshake', 'login', 'connect'], backAt, end).sort((a, b) => a - b);
  const handshakeBins = bins(handshakes, backAt, end);
  const refused = refusedBins(restart.refused, downAt, backAt);
  const peakHandshakes = Math.max(0, ...handshakeBins);
  const peakRefused = Math.max(0, ...refused);
  const refusedTotal = refused.reduce((a, b) => a + b, 0);
  // Offsets (ms after the outage began) of the 100 ms bins where at least a quarter of the agents retried.
  const refusedWaves = refused.map((v, i) => [i * BIN_MS, v]).filter(([, v]) => v >= Math.max(2, n / 4)).map(([offset, v]) => ({ offset, count: v }));
  return {
    windowMs: end - downAt,
    handshakes: handshakes.length,
    logins: logins.length,
    handshakeBins,
    handshakePeakShare: n ? peakHandshakes / n : undefined,
    handshakeSpreadMs: handshakes.length ? percentile(handshakes, 90) - percentile(handshakes, 10) : undefined,
    firstRequestAfterBackMs: firstRetries.length ? firstRetries[0] - backAt : undefined,
    refusedBins: refused,
    refusedTotal,
    refusedPerAgent: n ? refusedTotal / n : undefined,
    refusedPeakShare: n ? peakRefused / n : undefined,
    refusedWaves,
    uniformShare: BIN_MS / stepMs,
    perSecond: perSecond(restart.recording, downAt, end, restart.refused),
    recoveredBins: bins(restart.connectedTimes ?? [], backAt, end),
  };
}

function driftOf(redeploys, n) {
  if (!redeploys || redeploys.length < 2) return undefined;
  const first = redeploys[0];
  const last = redeploys[redeploys.length - 1];
  const steps = redeploys.length - 1;
  const tolerance = Math.max(2, Math.ceil(n * 0.01));
  const handleTypes = new Set([...Object.keys(first.active ?? {}), ...Object.keys(last.active ?? {})]);
  const handles = {};
  for (const type of handleTypes) {
    const delta = (last.active?.[type] ?? 0) - (first.active?.[type] ?? 0);
    if (delta !== 0) handles[type] = delta;
  }
  const checks = [
    { what: 'heap after GC', delta: last.heapUsed - first.heapUsed, unit: 'bytes', ok: (last.heapUsed - first.heapUsed) / steps <= Math.max(1024 * n, 256 * 1024) },
    { what: 'Node-RED sockets to the simulator', delta: last.sockets.toServer - first.sockets.toServer, ok: Math.abs(last.sockets.toServer - first.sockets.toServer) <= tolerance },
    { what: 'Node-RED file descriptors', delta: last.sockets.fds - first.sockets.fds, ok: Math.abs(last.sockets.fds - first.sockets.fds) <= tolerance },
    { what: 'simulator live sockets', delta: last.sim.liveSockets - first.sim.liveSockets, ok: Math.abs(last.sim.liveSockets - first.sim.liveSockets) <= tolerance },
    { what: 'simulator CometD clients', delta: last.sim.cometdClients - first.sim.cometdClients, ok: Math.abs(last.sim.cometdClients - first.sim.cometdClients) <= tolerance },
  ];
  for (const [type, delta] of Object.entries(handles)) checks.push({ what: `active ${type}`, delta, ok: Math.abs(delta) <= tolerance });
  return { steps, checks, ok: checks.every((c) => c.ok), rssDelta: last.rss - first.rss };
}

function openFilesLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line.split(/\s{2,}/)[1]);
  } catch {
    return undefined;
  }
}

/** Derived figures, targets and causes per N. */
export function analyse(results) {
  const cfg = results.meta.config;
  const t = cfg.targets;
  const fdLimit = openFilesLimit();
  return results.runs.map((run) => {
    const n = run.n;
    const p = run.phases;
    const a = { n };
    const deploy = p.deploy;
    if (deploy) {
      const end = deploy.t0 + (deploy.lastMs ?? 0) + 1000;
      a.deployPerSecond = perSecond(deploy.recording, deploy.t0, end);
      a.deployPeakConnectionsPerSecond = Math.max(0, ...a.deployPerSecond.map((r) => r.connection));
      a.deployPeakRequestsPerSecond = Math.max(0, ...a.deployPerSecond.map(requestsOf));
    }
    if (p.restarts) a.restarts = p.restarts.map((r) => ({ ...r, shape: restartShape(r, n, cfg.backoffStepMs) }));
    a.drift = driftOf(p.redeploys, n);
    const burst = p.burst;
    const targets = [];
    const target = (name, measured, met, cause) => targets.push({ name, measured, met, cause: met ? undefined : cause });

    // 1. deploy → all connected
    if (deploy) {
      const bound = t.connectMs;
      const measured = deploy.all ? `${fmtInt(deploy.lastMs)} ms (POST answered after ${fmtInt(deploy.answeredMs)} ms; p50 ${fmtInt(deploy.p50Ms)}, p90 ${fmtInt(deploy.p90Ms)})` : `${deploy.connected} of ${n} connected within the bound`;
      const cpuBound = deploy.cores.nodeRed >= 0.85;
      const cause = !deploy.all
        ? `states at the bound: ${Object.entries(deploy.states).map(([k, v]) => `${v} × ${k}`).join(', ')}`
        : `of the ${fmtInt(deploy.lastMs)} ms, ${fmtInt(deploy.answeredMs)} ms went to building and starting the ${fmtInt(n * 3)} nodes (until POST /flows answered) and ${fmtInt(deploy.lastMs - deploy.answeredMs)} ms to the logins, handshakes and subscriptions; meanwhile Node-RED used ${fmt(deploy.cores.nodeRed, 2)} cores${cpuBound ? ' (its one thread saturated: the connect phase is CPU-bound in Node-RED)' : ''} with its ${lag(deploy.loopDelay)}, the simulator ${fmt(deploy.cores.sim, 2)} and other processes on the machine ${fmt(deploy.cores.other, 2)}${deploy.cores.other > 0.5 ? ' (Node-RED and the simulator waited for a CPU: the machine was shared)' : ''}; the simulator saw at most ${fmtInt(a.deployPeakConnectionsPerSecond)} new connections and ${fmtInt(a.deployPeakRequestsPerSecond)} requests per second (${fmtInt(deploy.recording?.totals?.connection)} connections for ${n} agents in all)`;
      target(`deploy → all ${n} connected ≤ ${bound / 1000} s${n === t.connectAt ? '' : ` (the target is set for ${fmtInt(t.connectAt)})`}`, measured, deploy.all && deploy.lastMs <= bound, cause);
    }
    // 2. heap per idle agent
    const idle = p.idle;
    if (idle?.perAgent) {
      const marginal = p.connectedEnd && p.removal ? (p.connectedEnd.heapUsed - p.removal.heapUsed) / MB / n : undefined;
      const growth = run.heapGrowth?.slice(0, 6).map((g) => `${g.what} ${fmtInt(g.bytes)} B (${fmt(g.count, 1)} objects)`).join('; ');
      target(`heap per idle agent ≤ ${t.heapPerAgentMB} MB`, `${fmt(idle.perAgent.heapMB, 3)} MB heap${marginal !== undefined ? ` (${fmt(marginal, 3)} MB without one-time costs: connected minus all removed)` : ''}, ${fmt(idle.perAgent.rssMB, 3)} MB RSS`, idle.perAgent.heapMB <= t.heapPerAgentMB,
        growth ? `per agent, the heap grew most in: ${growth}` : 'no heap snapshot taken');
    }
    // 3. lost requests: after idle, and at the keep-alive edge
    const burstTarget = (burst, name) => {
      if (!burst?.expected) return;
      const lost = burst.expected - burst.ok;
      const notOnce = burst.expected - burst.exactlyOnce;
      const stale = burst.before?.toServerByState?.CLOSE_WAIT ?? 0;
      const kinds = Object.entries(burst.byKind).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${fmtInt(v)} × ${k}`).join('; ');
      const parts = [];
      if (kinds) parts.push(`errors: ${kinds}`);
      if (burst.closingInWindow !== undefined) parts.push(`the burst started ${fmtInt(100 + burst.lateMs)} ms before the 500 ms in which the simulator's keep-alive timeout closed ${fmtInt(burst.closingInWindow)} of the ${fmtInt(burst.pooledIdle)} idle sockets the first burst had left (their closes spread over ${fmt(burst.closingSpreadMs / 1000, 1)} s)`);
      parts.push(`before the burst Node-RED held ${fmtInt(burst.before?.toServer)} sockets to the simulator (${states(burst.before?.toServerByState)})${stale ? `: ${fmtInt(stale)} of them already closed by the server (CLOSE_WAIT) and still pooled` : ''}`);
      parts.push(`during the burst up to ${fmtInt(burst.peak.simLive)} sockets were open at the simulator (${fmt(burst.peak.simLive / n, 1)} per agent) and Node-RED had up to ${fmtInt(burst.peak.nodeRedFds)} file descriptors${fdLimit ? ` (limit ${fmtInt(fdLimit)})` : ''}`);
      const acceptErrors = burst.after?.sim?.acceptErrors ?? {};
      if (Object.keys(acceptErrors).length) parts.push(`the simulator failed to accept connections: ${JSON.stringify(acceptErrors)}`);
      const late = Object.entries(burst.byKind).filter(([k]) => /^(timeout|postTimeout)\b/.test(k)).reduce((acc, [, v]) => acc + v, 0);
      if (late && burst.timing) {
        const t = burst.timing;
        const reached = t.arrived ? `the operations reached the simulator from +${fmt(t.arrived.first / 1000, 1)} s to +${fmt(t.arrived.last / 1000, 1)} s (p50 +${fmt(t.arrived.p50 / 1000, 1)} s)` : 'none of the operations reached the simulator';
        parts.push(`${fmtInt(late)} ran out of the ${fmt(cfg.ackTimeoutMs / 1000, 0)} s answer timeout, which counts from the hand-out: ${reached} while Node-RED used ${fmt(burst.cores?.nodeRed, 2)} cores with its ${lag(burst.loopDelay)}, the simulator ${fmt(burst.cores?.sim, 2)} and other processes on the machine ${fmt(burst.cores?.other, 2)}; the errors came +${fmt((t.error?.first ?? 0) / 1000, 1)} s … +${fmt((t.error?.last ?? 0) / 1000, 1)} s after the hand-out`);
      }
      if (notOnce) parts.push(`${fmtInt(notOnce)} operations did not arrive exactly once (${Object.entries(burst.table).map(([k, v]) => `${fmtInt(v)} ${k}`).join('; ')})`);
      target(name,
        `${fmtInt(lost)} of ${fmtInt(burst.expected)} lost (${fmtInt(burst.notEnded)} never ended); ${fmtInt(burst.exactlyOnce)} arrived exactly once`,
        lost === 0 && notOnce === 0 && burst.notEnded === 0, parts.join('; '));
    };
    burstTarget(burst, `0 lost requests in a burst of ${cfg.opsPerAgent} per agent after ${fmt((burst?.idleMs ?? 0) / 1000, 0)} s idle; each arrives exactly once`);
    burstTarget(p.edgeBurst, `0 lost requests in the same burst at the simulator's keep-alive timeout of the pooled sockets; each arrives exactly once`);
    // 4 and 5. outages
    for (const r of a.restarts ?? []) {
      const s = r.shape;
      // Twice the uniform share, or for small N what chance alone puts in the busiest bin (mean + 3 σ).
      const mean = n * s.uniformShare;
      const limit = Math.max(2 * s.uniformShare, (mean + 3 * Math.sqrt(mean)) / n);
      const spreadMet = (s.handshakePeakShare ?? 0) <= limit && (s.refusedPeakShare ?? 0) <= limit;
      const waves = s.refusedWaves.slice(0, 8).map((w) => `+${w.offset} ms: ${fmtInt(w.count)}`).join(', ');
      target(`retries spread over ≥ one backoff step (${cfg.backoffStepMs} ms), outage ${fmt(r.downMs / 1000, 1)} s: no 100 ms holding more than ${fmt(limit * 100, 0)} % of the agents`,
        `refused attempts: peak ${fmt((s.refusedPeakShare ?? 0) * 100, 0)} % of the agents in one 100 ms; handshakes after the return: peak ${fmt((s.handshakePeakShare ?? 0) * 100, 0)} %, p10–p90 within ${fmtInt(s.handshakeSpreadMs)} ms${r.loopDelay?.max > 1000 ? ` (Node-RED's event loop up to ${fmt(r.loopDelay.max / 1000, 1)} s late meanwhile, which spreads them too)` : ''}`,
        spreadMet,
        `${s.refusedTotal > 0
          ? `${fmtInt(s.refusedTotal)} refused attempts during the outage (${fmt(s.refusedPerAgent, 1)} per agent)${waves ? `, in waves (ms after the outage began: attempts in that 100 ms — ${waves}): the links retry on one schedule from the same instant` : ''}`
          : 'no connection was attempted while the simulator was down'}; after the return ${fmtInt(s.handshakes)} handshakes, the busiest 100 ms holding ${fmt((s.handshakePeakShare ?? 0) * 100, 0)} % of the agents (p10–p90 within ${fmtInt(s.handshakeSpreadMs)} ms)`);
      target(`all links back ≤ ${t.recoverMs / 1000} s after the simulator's return, outage ${fmt(r.downMs / 1000, 1)} s`,
        r.all ? `last link back ${fmtInt(r.recoverMs)} ms after the return (p50 ${fmtInt(r.recoverP50Ms)}, p90 ${fmtInt(r.recoverP90Ms)})` : `${r.connected} of ${n} back`,
        r.all && r.recoverMs <= t.recoverMs,
        r.all
          ? `the first request after the return came ${fmtInt(s.firstRequestAfterBackMs)} ms after it (the links were waiting out their backoff); the handshakes after the return spread over ${fmtInt(s.handshakeSpreadMs)} ms (p10–p90); Node-RED used ${fmt(r.cores?.nodeRed, 2)} cores with its ${lag(r.loopDelay)}, other processes on the machine ${fmt(r.cores?.other, 2)}; links back per 100 ms: ${sparkline(s.recoveredBins.slice(0, 80))}`
          : `states at the bound: ${Object.entries(r.states).map(([k, v]) => `${v} × ${k}`).join(', ')}`);
    }
    // 6. warnings
    if (run.maxListenersWarnings !== undefined) {
      const w = run.warnings?.samples?.find((x) => x.name === 'MaxListenersExceededWarning');
      const frame = w?.stack?.split('\n').find((line) => /dist\/(nodes|core)\//.test(line))?.trim();
      target('MaxListenersExceededWarning: 0', `${run.maxListenersWarnings} in Node-RED's output`, run.maxListenersWarnings === 0,
        w ? `"${w.message}"${frame ? `, added ${frame.replace(/\(.*\/dist\//, '(dist/')}` : ''}` : 'see the Node-RED log');
    }
    // 7. drift
    if (a.drift) {
      const bad = a.drift.checks.filter((c) => !c.ok).map((c) => `${c.what} ${c.delta > 0 ? '+' : ''}${c.unit === 'bytes' ? `${fmt(c.delta / MB, 2)} MB` : fmtInt(c.delta)}`).join(', ');
      target(`no drift over ${p.redeploys.length} full redeploys (heap < 1 kB per agent, at least 256 kB, per redeploy; sockets, fds, handles, clients ±1 %)`,
        a.drift.checks.map((c) => `${c.what} ${c.delta > 0 ? '+' : ''}${c.unit === 'bytes' ? `${fmt(c.delta / MB, 2)} MB` : fmtInt(c.delta)}`).join(', '),
        a.drift.ok, `from redeploy 1 to ${p.redeploys.length}: ${bad}${p.removal ? `; after all agents were removed: Node-RED ${fmtInt(p.removal.sockets.toServer)} sockets to the simulator, ${activeText(p.removal.active)}, heap ${fmt((p.removal.heapUsed - (p.baseline?.heapUsed ?? 0)) / MB, 2)} MB above the start; the simulator ${fmtInt(p.removal.sim.cometdClients)} CometD clients, ${fmtInt(p.removal.sim.liveSockets)} connections` : ''}`);
    }
    a.targets = targets;
    return a;
  });
}

// ---------------------------------------------------------------------------------------------------
// SCALE.md

function code(text) {
  return `\`${String(text).replace(/`/g, "'")}\``;
}

export function scaleMarkdown(results) {
  const meta = results.meta;
  const cfg = meta.config;
  const analysis = analyse(results);
  const L = [];
  L.push('# Scale: N agents in one Node-RED');
  L.push('');
  L.push(`*Written by ${code(meta.command)} (bench/scale.mjs) on ${meta.startedAt.slice(0, 10)}; ${fmt(meta.durationSeconds / 60, 1)} min. The throughput benchmarks are in [RESULTS.md](RESULTS.md).*`);
  L.push('');
  L.push(`Code: commit ${code(meta.code.commit ?? '?')}, dist ${code(meta.code.distHash)}${meta.code.changedFiles.length ? `, with uncommitted changes in ${meta.code.changedFiles.map(code).join(', ')}` : ''}. ` +
    `Machine: ${meta.machine.cpuModel}, ${meta.machine.cores} cores, ${meta.machine.memoryGiB} GiB, ${meta.machine.platform}; load average ${meta.loadAverage.start.join(' / ')} at the start, ${meta.loadAverage.end?.join(' / ')} at the end. ` +
    `Versions: ${Object.entries(meta.versions).filter(([k]) => !k.startsWith('got')).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  const others = results.runs.flatMap((r) => [r.phases.deploy?.cores?.other, r.phases.idle?.cpu?.otherCores, r.phases.burst?.cores?.other]).filter((v) => typeof v === 'number');
  if (others.length && Math.max(...others) > 0.25) {
    L.push('');
    L.push(`*The machine was shared while this ran: other processes used up to ${fmt(Math.max(...others), 2)} of its ${meta.machine.cores} cores during the measured phases (given per phase below). Times that depend on CPU (deploy, burst, recovery) are then longer than on a quiet machine.*`);
  }
  L.push('');
  L.push('In GWS the unit of scale is the agent: each agent is one `gws-server` config node (its own GWS user, HTTP session and CometD long poll), here with one `gws-outbound-event` and one `gws-complete-record` node. ' +
    `All N agents run in **one Node-RED process**; the simulator runs in a child process of its own with N users (agent0001 …). Everything on 127.0.0.1. How each figure is taken is under [Method](#method).`);
  L.push('');
  L.push('## Targets');
  L.push('');
  const ns = analysis.map((a) => a.n);
  L.push(`| target | ${ns.map((n) => `N = ${fmtInt(n)}`).join(' | ')} |`);
  L.push(`| --- | ${ns.map(() => '---').join(' | ')} |`);
  const names = [];
  for (const a of analysis) for (const t of a.targets) if (!names.includes(generic(t.name))) names.push(generic(t.name));
  for (const name of names) {
    const cells = analysis.map((a) => {
      const t = a.targets.find((x) => generic(x.name) === name);
      return t ? `${t.met ? '**met**' : '**missed**'}: ${t.measured}` : '–';
    });
    L.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  L.push('');
  const missed = analysis.flatMap((a) => a.targets.filter((t) => !t.met).map((t) => ({ n: a.n, ...t })));
  if (missed.length) {
    L.push('### Measured causes of the misses');
    L.push('');
    for (const m of missed) L.push(`- **N = ${fmtInt(m.n)} · ${m.name}** — ${m.cause}`);
    L.push('');
  }
  for (const a of analysis) {
    const run = results.runs.find((r) => r.n === a.n);
    L.push(...runSection(run, a, cfg));
  }
  if (results.failures.length) {
    L.push('## Failures of the run');
    L.push('');
    for (const f of results.failures) L.push(`- ${String(f).split('\n')[0]}`);
    L.push('');
  }
  L.push('## Method');
  L.push('');
  L.push('- **Processes.** Per N a fresh simulator child (bench/lib/scale-sim-child.mjs) and a fresh Node-RED 4.1 (scripts/lib/node-red-instance.mjs, own process group, started with `--expose-gc --trace-warnings --inspect=127.0.0.1:<port>`). The run copies dist/ once (bench/lib/snapshot.mjs) and every process loads that copy. A watchdog ends a hung run; every wait has a bound.');
  L.push('- **Probe in Node-RED** (bench/lib/scale-probe.mjs), installed through the inspector, so that the flows hold only the agents: a listener on the runtime\'s `node-status` event keeps each node\'s last status and when it was set; an `onComplete` hook records how each burst message ended; `node.receive(msg)` feeds the complete record nodes (the entry a wire uses); `gc()` then `process.memoryUsage()` and `process.getActiveResourcesInfo()`. The editor\'s comms websocket is not used to read statuses: it sends at most 50 messages per 50 ms per connection, which at 2,000 status-carrying nodes would report "connected" seconds late.');
  L.push(`- **Deploy → all connected**: POST /flows (API v2, full deploy, credentials in the body) of the N agents into the running Node-RED; the time runs from the POST until the last event node's status turned green "connected" (each event node shows its server node's state; the complete record nodes are listed too). Bound: 30 s + 60 ms per agent.`);
  L.push('- **Heap and RSS per agent**: after three `gc()` each, the Node-RED process with the N agents connected and idle minus the same process before the deploy (only the empty tab), divided by N. What an agent holds is named by two heap snapshots taken at the end of the run (so that they disturb no other figure), with the N agents connected and after a deploy of the empty tab removed them all, summed by object type (bench/lib/heap-summary.mjs). **Idle CPU**: /proc/<pid>/stat over ' + `${cfg.cpuWindowMs / 1000} s while nothing but the long polls runs.`);
  L.push('- **Sockets**: Node-RED\'s file descriptors that are sockets, joined by inode with /proc/net/tcp, counted by state towards the simulator\'s port (CLOSE_WAIT = closed by the server, still held by the client); the simulator\'s own count of open connections (`stats().liveSockets`).');
  L.push(`- **Burst after idle**: ${cfg.idleMs / 1000} s after the deploy ended (no REST request meanwhile, only the long polls), ${cfg.opsPerAgent} CompleteRecords per agent handed to all complete record nodes at once (ack timeout ${cfg.ackTimeoutMs / 1000} s). Every message must end once (ok, or an error whose code is counted); the simulator child records every POST to /api/v2/me/outbound-records/<handle> with its user (Node's diagnostics channels), so each operation is checked to have arrived exactly once. Sockets are sampled every 250 ms meanwhile.`);
  L.push(`- **Redeploys**: ${cfg.redeploys} full deploys of the same flows; after each (all connected again + ${cfg.settleMs / 1000} s): heap after GC, RSS, sockets, file descriptors, active handles by type, listeners of the runtime's event emitter, simulator sockets and CometD clients.`);
  L.push(`- **Outages**: the simulator restarts (every connection, session and CometD client gone) and listens again after ${cfg.downs.map((d) => `${d / 1000} s`).join(' and ')}. While it is down its port refuses connections, so nothing arrives; the refused attempts are counted by the kernel (Tcp AttemptFails in /proc/net/snmp, sampled every 50 ms; it would also count other processes' failed connects on this machine). After the return the simulator child records each request by kind (login = GET /api/v2/me; CometD handshake, subscribe, connect) and each new connection. "Back" = every event node green again; the time is taken from the moment the simulator listens again. Retries count as spread over a backoff step (${cfg.backoffStepMs} ms, the link's retry step after a network failure) when no 100 ms holds more than twice the share of agents a uniform spread over one step would give (for small N, more if chance alone would: mean + 3 σ), both for the refused attempts while down and for the handshakes after the return.`);
  L.push('- **MaxListenersExceededWarning**: counted in Node-RED\'s stdout/stderr (`--trace-warnings` prints where the listener was added).');
  L.push('');
  return L.join('\n');
}

/** A target's name without its per-N numbers, to line the rows up across N. */
function generic(name) {
  return name.replace(/all \d+ connected/, 'all N connected').replace(/ \(the target is set for [^)]*\)/, '');
}

function runSection(run, a, cfg) {
  const L = [];
  const n = run.n;
  const p = run.phases;
  L.push(`## N = ${fmtInt(n)}`);
  L.push('');
  L.push(`${fmtInt(n)} server nodes, ${fmtInt(n)} event nodes, ${fmtInt(n)} complete record nodes; flows ${fmt(run.flowBytes / MB, 2)} MB. This N took ${fmtInt(run.seconds)} s (${Object.entries(run.phaseSeconds ?? {}).map(([k, v]) => `${k} ${fmtInt(v)} s`).join(', ')}).`);
  if (run.failures.length) L.push(`**Phases that failed:** ${run.failures.map((f) => f.replace(/^N=\d+ /, '')).join('; ')}`);
  L.push('');
  const d = p.deploy;
  if (d) {
    L.push('### Deploy → all connected');
    L.push('');
    L.push(`POST /flows answered after **${fmtInt(d.answeredMs)} ms**; **${fmtInt(d.connected)} of ${fmtInt(n)}** event nodes connected${d.lastMs !== undefined ? `, the last after **${fmtInt(d.lastMs)} ms** (p50 ${fmtInt(d.p50Ms)}, p90 ${fmtInt(d.p90Ms)})` : ''}; complete record nodes connected: ${fmtInt(d.completeNodes?.connected)}. CPU meanwhile: Node-RED ${fmt(d.cores.nodeRed, 2)} cores (${lag(d.loopDelay)}), simulator ${fmt(d.cores.sim, 2)}, other processes on the machine ${fmt(d.cores.other, 2)}. MaxListenersExceededWarning during this deploy: ${d.maxListenersWarnings}.`);
    L.push('');
    L.push(`At the simulator: ${Object.entries(d.recording?.totals ?? {}).map(([k, v]) => `${fmtInt(v)} ${k}${v === 1 ? '' : 's'}`).join(', ')} (${fmt((d.recording?.totals?.connection ?? 0) / n, 2)} connections per agent).`);
    L.push('');
    L.push(...perSecondTable(a.deployPerSecond, false, 30));
  }
  const idle = p.idle;
  if (idle) {
    const base = p.baseline;
    L.push('### Idle: memory, sockets, CPU');
    L.push('');
    L.push('| | before the deploy | N agents connected, idle | per agent |');
    L.push('| --- | ---: | ---: | ---: |');
    L.push(`| heap after GC (MB) | ${fmt(base.heapUsed / MB, 1)} | ${fmt(idle.heapUsed / MB, 1)} | **${fmt(idle.perAgent.heapMB, 3)}** |`);
    L.push(`| RSS (MB) | ${fmt(base.rss / MB, 1)} | ${fmt(idle.rss / MB, 1)} | ${fmt(idle.perAgent.rssMB, 3)} |`);
    if (p.connectedEnd && p.removal) {
      L.push(`| heap after GC at the end: connected / all removed (MB) | ${fmt(p.removal.heapUsed / MB, 1)} (removed) | ${fmt(p.connectedEnd.heapUsed / MB, 1)} | ${fmt((p.connectedEnd.heapUsed - p.removal.heapUsed) / MB / n, 3)} |`);
    }
    L.push(`| Node-RED sockets to the simulator | ${fmtInt(base.sockets.toServer)} | ${fmtInt(idle.sockets.toServer)} (${states(idle.sockets.toServerByState)}) | ${fmt(idle.perAgent.socketsToSim, 2)} |`);
    L.push(`| Node-RED file descriptors | ${fmtInt(base.sockets.fds)} | ${fmtInt(idle.sockets.fds)} | ${fmt((idle.sockets.fds - base.sockets.fds) / n, 2)} |`);
    L.push(`| simulator open connections (liveSockets) | ${fmtInt(base.sim.liveSockets)} | ${fmtInt(idle.sim.liveSockets)} | ${fmt(idle.sim.liveSockets / n, 2)} |`);
    L.push(`| simulator CometD clients / held long polls | ${fmtInt(base.sim.cometdClients)} / ${fmtInt(base.sim.heldConnects)} | ${fmtInt(idle.sim.cometdClients)} / ${fmtInt(idle.sim.heldConnects)} | ${fmt(idle.sim.cometdClients / n, 2)} |`);
    L.push(`| active handles (getActiveResourcesInfo) | ${activeText(base.active)} | ${activeText(idle.active)} | ${fmt((sum(idle.active) - sum(base.active)) / n, 2)} |`);
    L.push('');
    L.push(`Idle CPU over ${fmt(idle.cpu.windowMs / 1000, 0)} s: Node-RED **${fmt(idle.cpu.nodeRedPercent, 2)} %** of one core (${fmt(idle.cpu.nodeRedCpuMsPerAgentMinute, 2)} ms CPU per agent per minute, ${fmt(idle.cpu.nodeRedPercent / n, 4)} % per agent), simulator ${fmt(idle.cpu.simPercent, 2)} % (other processes on the machine meanwhile: ${fmt(idle.cpu.otherCores, 2)} cores); Node-RED's ${lag(idle.loopDelay)}.`);
    if (run.heapGrowth?.length) {
      L.push('');
      L.push('What one agent holds on the heap (heap snapshots at the end of the run, with the N agents connected and after all were removed; self size divided by N):');
      L.push('');
      L.push('| object type | bytes per agent | objects per agent |');
      L.push('| --- | ---: | ---: |');
      for (const g of run.heapGrowth.slice(0, 12)) L.push(`| ${code(g.what)} | ${fmtInt(g.bytes)} | ${fmt(g.count, 1)} |`);
    }
    L.push('');
  }
  L.push(...burstSection(p.burst, p.burst ? `Burst after ${fmt(p.burst.idleMs / 1000, 0)} s idle` : '', n, cfg));
  const edge = p.edgeBurst;
  L.push(...burstSection(edge, 'Burst at the keep-alive timeout', n, cfg, edge?.pooledIdle !== undefined
    ? `The first burst left ${fmtInt(edge.pooledIdle)} idle sockets at the simulator (and ${fmtInt(edge.busy)} busy); its keep-alive timeout (${fmtInt(edge.keepAliveTimeoutMs)} ms after a socket's last answer) closes them over ${fmt(edge.closingSpreadMs / 1000, 1)} s, ${fmtInt(edge.closingInWindow)} of them within one 500 ms. This burst started ${fmtInt(100 + edge.lateMs)} ms before that 500 ms, so Node-RED writes requests to sockets that the server is closing: a client that reuses a pooled socket without a retry on a reset loses them.`
    : ''));
  const redeploys = p.redeploys;
  if (redeploys?.length) {
    L.push(`### ${redeploys.length} full redeploys`);
    L.push('');
    L.push('| redeploy | all connected after (ms) | heap MB | RSS MB | Node-RED sockets to sim | Node-RED fds | Timeout handles | TCP handles | `flows:started` listeners | sim sockets | sim CometD clients | MaxListeners warnings |');
    L.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of redeploys) {
      L.push(`| ${r.r} | ${fmtInt(r.deploy.lastMs)} | ${fmt(r.heapUsed / MB, 1)} | ${fmt(r.rss / MB, 1)} | ${fmtInt(r.sockets.toServer)} | ${fmtInt(r.sockets.fds)} | ${fmtInt(r.active.Timeout)} | ${fmtInt(r.active.TCPSocketWrap)} | ${fmtInt(r.listeners['flows:started'])} | ${fmtInt(r.sim.liveSockets)} | ${fmtInt(r.sim.cometdClients)} | ${r.deploy.maxListenersWarnings} |`);
    }
    if (a.drift) L.push('', `From redeploy 1 to ${redeploys.length}: ${a.drift.checks.map((c) => `${c.what} ${c.delta > 0 ? '+' : ''}${c.unit === 'bytes' ? `${fmt(c.delta / MB, 2)} MB` : fmtInt(c.delta)}${c.ok ? '' : ' (drift)'}`).join(', ')}; RSS ${a.drift.rssDelta > 0 ? '+' : ''}${fmt(a.drift.rssDelta / MB, 1)} MB.`);
    L.push('');
  }
  for (const r of a.restarts ?? []) {
    const s = r.shape;
    L.push(`### Simulator outage of ${fmt(r.downMs / 1000, 1)} s`);
    L.push('');
    L.push(`Down for ${fmtInt(r.backAt - r.downAt)} ms. **${fmtInt(r.connected)} of ${fmtInt(n)} links back**${r.recoverMs !== undefined ? `, the last **${fmtInt(r.recoverMs)} ms** after the simulator listened again (p50 ${fmtInt(r.recoverP50Ms)}, p90 ${fmtInt(r.recoverP90Ms)})` : ''}; the first request after the return arrived after ${fmtInt(s.firstRequestAfterBackMs)} ms. ` +
      `Refused connection attempts while down: ${fmtInt(s.refusedTotal)} (${fmt(s.refusedPerAgent, 1)} per agent), the busiest 100 ms holding ${fmt((s.refusedPeakShare ?? 0) * 100, 0)} % of the agents. After the return: ${fmtInt(s.logins)} logins and ${fmtInt(s.handshakes)} handshakes, the busiest 100 ms holding ${fmt((s.handshakePeakShare ?? 0) * 100, 0)} % of the agents (uniform over one ${cfg.backoffStepMs} ms step: ${fmt(s.uniformShare * 100, 0)} %); p10–p90 of the handshakes within ${fmtInt(s.handshakeSpreadMs)} ms. Node-RED logged ${fmtInt(r.nodeRedWarnings)} warnings meanwhile; CPU from the outage to the last link back: Node-RED ${fmt(r.cores?.nodeRed, 2)} cores (${lag(r.loopDelay)}), simulator ${fmt(r.cores?.sim, 2)}, other processes ${fmt(r.cores?.other, 2)}.`);
    L.push('');
    L.push('Per 100 ms (one character each; `·` = none, bars scaled to the row\'s peak):');
    L.push('');
    L.push('```');
    L.push(`refused while down   (${String(Math.max(0, ...s.refusedBins)).padStart(5)} peak) |${sparkline(s.refusedBins)}|`);
    L.push(`handshakes after     (${String(Math.max(0, ...s.handshakeBins)).padStart(5)} peak) |${sparkline(s.handshakeBins.slice(0, 100))}|`);
    L.push(`links back after     (${String(Math.max(0, ...s.recoveredBins)).padStart(5)} peak) |${sparkline(s.recoveredBins.slice(0, 100))}|`);
    L.push('```');
    L.push('');
    L.push(...perSecondTable(s.perSecond, true, 30));
  }
  for (const [name, prof] of Object.entries(run.profiles ?? {})) {
    L.push(`### CPU profile of Node-RED: ${name} (--profile)`);
    L.push('');
    L.push(`${fmt(prof.categories.busyMs, 0)} ms busy, by part: ${prof.categories.shares.slice(0, 8).map((x) => `${x.name} ${fmt(x.percent, 1)} %`).join(' · ')}. The profiler itself slows Node-RED, so the times of this phase are not comparable with a run without it. File: ${code(path.basename(prof.file))} in the run's scratch directory.`);
    L.push('');
    L.push('| self % | function (file:line) |');
    L.push('| ---: | --- |');
    for (const row of prof.self.filter((r) => !r.fn.startsWith('(idle)')).slice(0, 10)) L.push(`| ${fmt(row.percent, 1)} | ${code(row.fn)} |`);
    if (prof.package?.length) {
      L.push('');
      L.push(`Inclusive time in the package: ${prof.package.slice(0, 8).map((r) => `${code(r.fn)} ${fmt(r.percent, 1)} %`).join(' · ')}`);
    }
    L.push('');
  }
  const removed = p.removal;
  if (removed && p.baseline) {
    const base = p.baseline;
    L.push('### All agents removed');
    L.push('');
    L.push(`A deploy of the empty tab (answered after ${fmtInt(removed.answeredMs)} ms), then ${cfg.settleMs / 1000} s: heap after GC ${fmt(removed.heapUsed / MB, 1)} MB (before the first deploy: ${fmt(base.heapUsed / MB, 1)} MB, ${removed.heapUsed >= base.heapUsed ? '+' : ''}${fmt((removed.heapUsed - base.heapUsed) / MB, 2)} MB), RSS ${fmt(removed.rss / MB, 1)} MB; Node-RED sockets to the simulator ${fmtInt(removed.sockets.toServer)} (${states(removed.sockets.toServerByState)}), file descriptors ${fmtInt(removed.sockets.fds)} (before: ${fmtInt(base.sockets.fds)}); active handles ${activeText(removed.active)} (before: ${activeText(base.active)}); \`flows:started\` listeners ${fmtInt(removed.listeners['flows:started'] ?? 0)}; simulator: ${fmtInt(removed.sim.liveSockets)} open connections, ${fmtInt(removed.sim.cometdClients)} CometD clients.`);
    L.push('');
  }
  if (run.maxListenersWarnings !== undefined) {
    L.push('### Warnings');
    L.push('');
    L.push(`MaxListenersExceededWarning in Node-RED's output: **${run.maxListenersWarnings}** over the whole run of this N; emitted during the deploy and each redeploy: ${[p.deploy?.maxListenersWarnings, ...(p.redeploys ?? []).map((r) => r.deploy.maxListenersWarnings)].filter((v) => v !== undefined).join(', ')} (Node warns once each time an emitter's listener list for one event grows past 10). Process warnings by name: ${Object.entries(run.warnings?.counts ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}. Node-RED log lines: ${fmtInt(run.nodeRedLogLines?.error)} errors, ${fmtInt(run.nodeRedLogLines?.warn)} warnings.`);
    if (run.firstWarning) {
      L.push('');
      L.push('```');
      L.push(run.firstWarning.replace(/\(\/[^)]*\/(dist|node_modules)\//g, '($1/').trim());
      L.push('```');
    }
    L.push('');
  }
  return L;
}

function burstSection(b, title, n, cfg, intro = '') {
  if (!b?.expected) return [];
  const L = [];
  L.push(`### ${title}`);
  L.push('');
  if (intro) L.push(intro, '');
  L.push(`${fmtInt(b.expected)} CompleteRecords (${cfg.opsPerAgent} per agent, all handed out within ${fmtInt(b.injectMs)} ms): **${fmtInt(b.ok)} ok, ${fmtInt(b.expected - b.ok)} lost**, ${fmtInt(b.notEnded)} never ended, ${fmtInt(b.endedTwice)} ended twice; the last ended ${fmtInt(b.durationMs)} ms after the first was handed out (CPU meanwhile: Node-RED ${fmt(b.cores?.nodeRed, 2)} cores with its ${lag(b.loopDelay)}; simulator ${fmt(b.cores?.sim, 2)}, other processes ${fmt(b.cores?.other, 2)}). At the simulator: ${fmtInt(b.arrivalsTotal)} arrivals, **${fmtInt(b.exactlyOnce)} operations arrived exactly once**${b.wrongUser ? `, ${b.wrongUser} under another agent's user` : ''}; its answers: ${Object.entries(b.answerStatuses).map(([s, v]) => `${fmtInt(v)} × HTTP ${s}`).join(', ') || 'none'}.`);
  L.push('');
  L.push('| ended in Node-RED, arrived at the simulator | operations |');
  L.push('| --- | ---: |');
  for (const [k, v] of Object.entries(b.table).sort((x, y) => y[1] - x[1])) L.push(`| ${k} | ${fmtInt(v)} |`);
  if (Object.keys(b.byKind).length) {
    L.push('');
    L.push('| error (code and detail) — arrival | operations | first text |');
    L.push('| --- | ---: | --- |');
    for (const [k, v] of Object.entries(b.byKind).sort((x, y) => y[1] - x[1])) {
      const kind = k.split(' — ')[0];
      L.push(`| ${k} | ${fmtInt(v)} | ${(b.errorSamples[kind] ?? '').replace(/\|/g, '/').slice(0, 200)} |`);
    }
  }
  L.push('');
  L.push(`Sockets: before the burst Node-RED held ${fmtInt(b.before?.toServer)} to the simulator (${states(b.before?.toServerByState)}); during it, at most ${fmtInt(b.peak.simLive)} connections were open at the simulator (${fmt(b.peak.simLive / n, 1)} per agent), Node-RED had at most ${fmtInt(b.peak.nodeRedFds)} file descriptors and the simulator ${fmtInt(b.peak.simFds)}; 2 s after: Node-RED ${fmtInt(b.after?.sockets?.toServer)} sockets to the simulator (${states(b.after?.sockets?.toServerByState)}), simulator ${fmtInt(b.after?.sim?.liveSockets)}${Object.keys(b.after?.sim?.acceptErrors ?? {}).length ? `; failed accepts at the simulator: ${JSON.stringify(b.after.sim.acceptErrors)}` : ''}.`);
  L.push('');
  const t = b.timing;
  if (t) {
    const span = (x) => (x ? `+${fmt(x.first / 1000, 1)} s … +${fmt(x.last / 1000, 1)} s (p50 +${fmt(x.p50 / 1000, 1)} s, p90 +${fmt(x.p90 / 1000, 1)} s)` : 'none');
    L.push(`From the moment the messages were handed out: arrived at the simulator ${span(t.arrived)}; ended ok ${span(t.ok)}; ended with an error ${span(t.error)}. Per second:`);
    L.push('');
    const seconds = Math.max(t.perSecond.arrived.length, t.perSecond.ok.length, t.perSecond.error.length);
    const from = b.injected?.startedAt ?? b.recording.startedAt;
    const rows = perSecond(b.recording, from, from + seconds * 1000);
    L.push('| second | new connections at the simulator | operations arriving | long polls arriving (/meta/connect) | ended ok | ended with an error |');
    L.push('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (let i = 0; i < Math.min(seconds, 30); i++) L.push(`| ${i}–${i + 1} | ${fmtInt(rows[i]?.connection ?? 0)} | ${fmtInt(t.perSecond.arrived[i] ?? 0)} | ${fmtInt(rows[i]?.connect ?? 0)} | ${fmtInt(t.perSecond.ok[i] ?? 0)} | ${fmtInt(t.perSecond.error[i] ?? 0)} |`);
    L.push('');
  }
  return L;
}

/** Node-RED's event-loop delay in a phase, as text. */
function lag(loopDelay) {
  return loopDelay ? `event loop late by p50 ${fmt(loopDelay.p50, 0)} ms, p99 ${fmt(loopDelay.p99, 0)} ms, at most ${fmt(loopDelay.max, 0)} ms` : 'event-loop delay not measured';
}

function states(byState) {
  const entries = Object.entries(byState ?? {});
  return entries.length ? entries.map(([k, v]) => `${fmtInt(v)} ${k}`).join(', ') : 'none';
}

function sum(obj) {
  return Object.values(obj ?? {}).reduce((a, b) => a + b, 0);
}

function activeText(active) {
  return Object.entries(active ?? {}).sort((x, y) => y[1] - x[1]).slice(0, 4).map(([k, v]) => `${fmtInt(v)} ${k}`).join(', ');
}

function perSecondTable(rows, withRefused, maxRows) {
  if (!rows?.length) return [];
  const L = [];
  L.push(`| second | ${withRefused ? 'refused attempts | ' : ''}new connections | requests | logins | handshakes | subscribes | connects | operations |`);
  L.push(`| ---: | ${withRefused ? '---: | ' : ''}---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of rows.slice(0, maxRows)) {
    L.push(`| ${r.second}–${r.second + 1} | ${withRefused ? `${fmtInt(r.refused)} | ` : ''}${fmtInt(r.connection)} | ${fmtInt(requestsOf(r))} | ${fmtInt(r.login)} | ${fmtInt(r.handshake)} | ${fmtInt(r.subscribe)} | ${fmtInt(r.connect)} | ${fmtInt(r.operation)} |`);
  }
  if (rows.length > maxRows) L.push(`| … ${rows.length - maxRows} more seconds | |`);
  L.push('');
  return L;
}

export function writeScaleReport(results, { outDir }) {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'SCALE.md');
  writeFileSync(file, scaleMarkdown(results));
  return [file];
}

export function printScaleSummary(results) {
  const lines = [''];
  for (const a of analyse(results)) {
    lines.push(`N = ${a.n}`);
    for (const t of a.targets) lines.push(`  ${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured}`);
  }
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, out] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/lib/scale-report.mjs <results.json> [out dir]\n');
    process.exit(2);
  }
  const results = JSON.parse(readFileSync(file, 'utf8'));
  process.stdout.write(`wrote ${writeScaleReport(results, { outDir: out ?? path.dirname(file) }).join(', ')}\n`);
  printScaleSummary(results);
}
