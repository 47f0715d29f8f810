// Turns the measurements into bench/RESULTS.md, bench/latency.svg and the summary printed at the end.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, fmtInt, median, percentileSorted, sortedCopy } from './util.mjs';

export const VARIANT_LABEL = {
  raw: '1 · raw core client',
  ours: '2 · our nodes in Node-RED',
  record: '2r · record operation node: RejectRecord',
  oursMsg: '2c · change node → complete record node',
  recordMsg: '2m · change node → record node: msg.operation',
  naive: '3 · naive flow (core nodes + cometd)',
  echo: 'floor · Node-RED http in → http response',
};
const COLORS = { raw: '#1f77b4', ours: '#2ca02c', record: '#ff7f0e', oursMsg: '#17becf', recordMsg: '#9467bd', naive: '#d62728', echo: '#7f7f7f' };
const DASHES = { echo: '5,3', oursMsg: '2,2', recordMsg: '2,2' };
const dash = (variant) => (DASHES[variant] ? ` stroke-dasharray="${DASHES[variant]}"` : '');

/**
 * The pairs of the record operation node's target: RejectRecord through gws-outbound-record against
 * CompleteRecord through gws-complete-record, in the same Node-RED on the same gws-server node, so that
 * the two runs of a pair differ only in the node (and the operation).
 */
export const RECORD_PAIRS = [
  { key: 'fixed', complete: 'ours', record: 'record', label: 'RejectRecord set on the node', completeLabel: 'http in → gws-complete-record', recordLabel: 'http in → gws-outbound-record (operation RejectRecord)' },
  { key: 'msg', complete: 'oursMsg', record: 'recordMsg', label: 'RejectRecord by msg.operation', completeLabel: 'http in → change → gws-complete-record', recordLabel: 'http in → change (msg.operation = "RejectRecord") → gws-outbound-record (operation from msg.operation)' },
];
/** The rule of the target: the record operation node reaches at least this share of CompleteRecord's ops/s. */
export const RECORD_RATIO_MIN = 0.95;
const MB = 1e6;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the sources of the measured build are: the run's frozen copy, else the working tree. */
let sourceRoot = repoRoot;

/** `file:line` of the first line of a source file holding `needle`, or undefined (code changed). */
function where(file, needle) {
  try {
    const lines = readFileSync(path.join(sourceRoot, file), 'utf8').split('\n');
    const index = lines.findIndex((line) => line.includes(needle));
    return index >= 0 ? `${file}:${index + 1}` : undefined;
  } catch {
    return undefined;
  }
}

/** Every `file:line` holding `needle`, joined; undefined when none. */
function whereAll(file, needle) {
  try {
    const lines = readFileSync(path.join(sourceRoot, file), 'utf8').split('\n');
    const found = lines.flatMap((line, i) => (line.includes(needle) ? [i + 1] : []));
    return found.length ? `${file}:${found.join(', :')}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Hotspots in the product code that this run's data points at. Each appears only while the data shows
 * it and the code it names is still there, so a fixed hotspot drops out of the next RESULTS.md.
 */
function hotspots(results, agg) {
  const list = [];
  const profileName = `ours-c${results.meta.profileConcurrency ?? 16}-node-red`;
  const profile = results.profiles?.[profileName];
  const paint = profile?.package?.find((r) => r.fn.startsWith('paint dist/nodes/lib/action-node.js'));
  const i18n = profile?.categories?.shares.find((s) => s.name.startsWith('i18next'));
  const paintAt = where('nodes/lib/action-node.ts', 'const paint = () =>');
  const waitingAt = where('nodes/lib/status.ts', "t(shared('status.waiting'), { count })");
  if (paint && paint.percent >= 2 && paintAt) {
    list.push(`**Status painting per message** — \`paint()\` (${paintAt}) runs when every message starts and ends and, while requests wait, renders \`waiting (n)\` through \`RED._\` → i18next (${waitingAt ?? 'nodes/lib/status.ts'}): ${fmt(paint.percent, 1)} % of the Node-RED thread's busy time in ${profileName} (i18next alone ${fmt(i18n?.percent, 1)} %). The parameter is called \`count\`, which makes i18next resolve plural rules (\`getSuffix\`/\`getRule\`, a JSON.stringify cache key per call) and walk the key hierarchy on every call. Fix: coalesce status updates (repaint at most every 100–250 ms from a timer, skip a status equal to the last one) and/or translate the \`waiting\` template once per node and substitute the number locally (or name the parameter \`n\`).`);
  }
  const low = agg.correlation.find((l) => l.pending === Math.min(...agg.correlation.map((x) => x.pending)));
  const settleAt = whereAll('core/correlator.ts', 'setTimeout(() => this.#complete(pending), 0)');
  if (low && low.wall > 50 && settleAt) {
    list.push(`**Answers settle in \`setTimeout(…, 0)\`** — ${settleAt} (\`#onAnswer\`, \`#onUserEvent\`): a joined answer (acknowledgement + user event) resolves only from a 0 ms timer, which Node.js clamps to 1 ms. In the correlation run, a round of ${fmtInt(low.pending)} answers takes ${fmt((low.wall * low.pending) / 1000, 2)} ms of wall time for ${fmt((low.cpu * low.pending) / 1000, 3)} ms of CPU. Every CompleteRecord therefore waits ≥ 1 ms after its last notification arrived — at c=1 that is a large part of the round trip (raw p50 ${fmt(agg.table.raw?.[1]?.p50, 2)} ms; the naive flow, which answers on the acknowledgement, p50 ${fmt(agg.table.naive?.[1]?.p50, 2)} ms). Fix: settle the answers joined within a batch in \`batchEnd()\` (the batch has then been handed out, which is what the comment asks for) and late user events with \`setImmediate\`.`);
  }
  const raceAt = where('core/connection.ts', 'Promise.race([answer, aborted(controller.signal)])');
  const controllerAt = where('core/connection.ts', 'const controller = new AbortController();');
  if (agg.memory.bytesPerPending > 2000 && raceAt) {
    list.push(`**Per-request objects kept while waiting** — ${agg.memory.pendingCount >= 10000 ? '' : '(extrapolated) '}${fmtInt(agg.memory.bytesPerPending)} bytes per pending request. \`execute()\` keeps, for the whole wait, an AbortController with its listener (${controllerAt ?? 'core/connection.ts'}) and a second promise raced against the answer (\`aborted()\`, ${raceAt}), on top of the correlator's pending entry with its own timeout timer and the remembered request. Fix: wait on the answer alone and let an abort (the caller's signal or stop()) fail the pending entry through \`correlator.fail()\`; drop the AbortController once the POST has returned; one timer (or a coarse timing wheel) for all timeouts instead of one \`setTimeout\` per request.`);
  }
  const memoryAt = where('core/correlator.ts', 'this.#memory.delete(this.#memory.keys().next().value');
  const small = agg.rememberCost.find((r) => r.memorySize === 1000)?.us;
  const large = agg.rememberCost.find((r) => r.memorySize === 10000)?.us;
  if (memoryAt && large !== undefined && small !== undefined && large > 3 * small && large > 2) {
    list.push(`**Evicting from the correlation memory scans the Map** — ${memoryAt}: \`this.#memory.keys().next()\` on an insertion-ordered Map from which the oldest entry is deleted on every insert walks over all the deleted slots at the front of V8's hash table until it is rehashed. Measured: ${fmt(large, 2)} µs per \`remember()\` with the default 10,000 entries vs ${fmt(small, 2)} µs with 1,000 — paid by every request once 10,000 requests have been made (also visible as the \`expect()\` cost in the correlation table), i.e. about ${fmt((large * 5000) / 10000, 0)} % of a core at 5,000 requests/s. Fix: two generations of Maps (insert into the current one; when it holds memorySize/2 entries it becomes the previous one and a new current one starts; look up in both) — O(1), no scan, and no one-time doubling of the table (the step in the drift measurement).`);
  }
  const d = agg.memory.drift;
  const step = d?.growth?.firstSegment?.[0];
  if (d && Math.abs(d.driftPercent) > 5 && step && step.what.startsWith('array') && memoryAt) {
    list.push(`**Correlation memory as one insertion-ordered Map** — ${memoryAt}: with 10,000 entries and one delete at the front per insert, V8's hash table collects deleted slots until it rehashes and then doubles its capacity once: the +${fmtInt(step.bytes)} bytes (one backing store) in the first drift segment. It is bounded (no growth afterwards), but it is the whole of the drift beyond JIT code. Fix (only if the drift target matters for a small heap): two generations of Maps swapped at memorySize/2, or a ring buffer of keys.`);
  }
  return list;
}

/** Medians over the repetitions, ratios, and the verdict on every target. */
export function aggregate(results) {
  sourceRoot = results.meta.code?.sourceDir ?? repoRoot;
  const concurrencies = results.meta.config.concurrencies;
  const table = {};
  for (const variant of Object.keys(VARIANT_LABEL)) {
    for (const c of concurrencies) {
      const runs = results.throughput.runs.filter((r) => r.variant === variant && r.concurrency === c);
      if (runs.length === 0) continue;
      const cpu = {};
      for (const key of ['bench', 'nodeRed', 'sim']) {
        const values = runs.map((r) => r.cpuMsPerOp?.[key]).filter((v) => v !== undefined);
        if (values.length) cpu[key] = median(values);
      }
      (table[variant] ??= {})[c] = {
        otherCores: median(runs.map((r) => r.otherCores)),
        reps: runs.length,
        opsPerSec: median(runs.map((r) => r.opsPerSec)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        errors: runs.reduce((sum, r) => sum + r.errors, 0),
        cpu,
      };
    }
  }
  const ratios = {};
  for (const c of concurrencies) {
    const raw = table.raw?.[c];
    const ours = table.ours?.[c];
    const naive = table.naive?.[c];
    ratios[c] = {
      oursVsRaw: ours && raw ? ours.opsPerSec / raw.opsPerSec : undefined,
      oursVsNaive: ours && naive ? ours.opsPerSec / naive.opsPerSec : undefined,
      p99Added: ours && raw ? ours.p99 - raw.p99 : undefined,
      p50Added: ours && raw ? ours.p50 - raw.p50 : undefined,
    };
  }
  const correlation = results.meta.config.correlation.levels.map((pending) => {
    const levels = results.correlation.reps.map((rep) => rep.find((l) => l.pending === pending)).filter(Boolean);
    return {
      pending,
      reps: levels.length,
      sync: median(levels.map((l) => l.syncUsPerAnswer)),
      cpu: median(levels.map((l) => l.cpuUsPerAnswer)),
      wall: median(levels.map((l) => l.wallUsPerAnswer)),
      expect: median(levels.map((l) => l.expectUs)),
    };
  });
  const rememberCost = [1000, 10000].map((memorySize) => ({
    memorySize,
    us: median((results.correlation.memory ?? []).map((rep) => rep.find((m) => m.memorySize === memorySize)?.usPerRemember)),
  }));
  const pending = results.memory.pending;
  const memory = {
    pendingCount: pending[0]?.pending,
    pendingBytes: median(pending.map((p) => p.deltaBytes)),
    bytesPerPending: median(pending.map((p) => p.bytesPerPending)),
    reps: pending.length,
    growth: pending.find((p) => p.growth)?.growth,
    drift: results.memory.drift,
  };
  const events = {};
  for (const target of ['node', 'function', 'core']) {
    const reps = results.events[target] ?? [];
    events[target] = {
      reps: reps.length,
      perSecond: median(reps.map((r) => r.perSecond)),
      lost: reps.reduce((sum, r) => sum + r.lost, 0),
      duplicated: reps.reduce((sum, r) => sum + r.duplicated, 0),
      count: reps[0]?.count,
      cpu: {
        receiver: median(reps.map((r) => r.cpuUsPerNotification?.receiver)),
        sim: median(reps.map((r) => r.cpuUsPerNotification?.sim)),
      },
    };
  }
  const reconnect = {};
  for (const kind of ['forget', 'restart']) {
    const reps = results.reconnect[kind];
    reconnect[kind] = {
      reps: reps.length,
      node: median(reps.map((r) => r.nodeMs)),
      nodeMax: reps.length ? Math.max(...reps.map((r) => r.nodeMs)) : undefined,
      core: median(reps.map((r) => r.coreMs)),
      coreMax: reps.length ? Math.max(...reps.map((r) => r.coreMs)) : undefined,
      downMs: median(reps.map((r) => r.downMs)),
    };
  }
  const allRuns = results.throughput.runs;
  const interference = {
    median: median(allRuns.map((r) => r.otherCores)),
    max: allRuns.length ? Math.max(...allRuns.map((r) => r.otherCores ?? 0)) : undefined,
    steal: median(allRuns.map((r) => r.stealCores)),
  };
  // Where the Node-RED process (the bottleneck of variant 2) spends its CPU per op: the same core client
  // (variant 1's client CPU), the HTTP hop (the floor's Node-RED CPU), and the rest (the node layer and
  // the runtime around it). With a zero-cost node layer, 2/1 could reach at most client / (client + floor).
  const decomposition = {};
  for (const c of concurrencies) {
    const client = table.raw?.[c]?.cpu.bench;
    const floor = table.echo?.[c]?.cpu.nodeRed;
    const nodeRed = table.ours?.[c]?.cpu.nodeRed;
    if ([client, floor, nodeRed].some((v) => v === undefined)) continue;
    decomposition[c] = { nodeRed, client, floor, rest: nodeRed - client - floor, bound: client / (client + floor) };
  }
  const recordPairs = recordComparison(results, table, concurrencies);
  const agg = { concurrencies, table, ratios, correlation, rememberCost, memory, events, reconnect, interference, decomposition, recordPairs };
  agg.targets = targets(results, agg);
  return agg;
}

/**
 * Per pair and concurrency: both rows, the ratio of the medians (the target's figure), the ratio within
 * each repetition (the two runs of a pair ran next to each other), the spread of each variant over the
 * repetitions (run-to-run noise) and the other load during the pair's runs.
 */
function recordComparison(results, table, concurrencies) {
  const runsOf = (variant, c) => results.throughput.runs.filter((r) => r.variant === variant && r.concurrency === c);
  const spread = (runs) => {
    const values = runs.map((r) => r.opsPerSec);
    const mid = median(values);
    return values.length > 1 && mid ? (Math.max(...values) - Math.min(...values)) / mid : undefined;
  };
  return RECORD_PAIRS.map((pair) => {
    const rows = {};
    for (const c of concurrencies) {
      const complete = table[pair.complete]?.[c];
      const record = table[pair.record]?.[c];
      if (!complete || !record) continue;
      const completeRuns = runsOf(pair.complete, c);
      const recordRuns = runsOf(pair.record, c);
      const repRatios = completeRuns
        .map((cr) => {
          const rr = recordRuns.find((r) => r.rep === cr.rep);
          return rr && cr.opsPerSec > 0 ? rr.opsPerSec / cr.opsPerSec : undefined;
        })
        .filter((v) => v !== undefined);
      rows[c] = {
        complete,
        record,
        ratio: complete.opsPerSec > 0 ? record.opsPerSec / complete.opsPerSec : undefined,
        repRatios,
        cpuRatio: complete.cpu.nodeRed && record.cpu.nodeRed ? record.cpu.nodeRed / complete.cpu.nodeRed : undefined,
        spread: { complete: spread(completeRuns), record: spread(recordRuns) },
        otherCores: { complete: median(completeRuns.map((r) => r.otherCores)), record: median(recordRuns.map((r) => r.otherCores)) },
        // For the msg.operation pair: the record node behind its change node against the plain complete record node.
        vsPlain: pair.complete !== 'ours' && table.ours?.[c]?.opsPerSec ? record.opsPerSec / table.ours[c].opsPerSec : undefined,
      };
    }
    return { ...pair, rows };
  });
}

/** Package functions whose inclusive time per operation differs most between two profiles (µs per op). */
function profileDifference(results, completeName, recordName, count = 5) {
  const a = results.profiles?.[completeName];
  const b = results.profiles?.[recordName];
  if (!a?.ops || !b?.ops || !a.packageWide || !b.packageWide) return undefined;
  const perOp = (p) => new Map(p.packageWide.map((r) => [r.fn, (r.ms * 1000) / p.ops]));
  const ma = perOp(a);
  const mb = perOp(b);
  const names = new Set([...ma.keys(), ...mb.keys()]);
  const rows = [...names].map((fn) => ({ fn, complete: ma.get(fn) ?? 0, record: mb.get(fn) ?? 0 })).map((r) => ({ ...r, delta: r.record - r.complete }));
  rows.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  return {
    busyPerOp: { complete: (a.categories.busyMs * 1000) / a.ops, record: (b.categories.busyMs * 1000) / b.ops },
    rows: rows.slice(0, count),
  };
}

function recordTarget(results, agg) {
  const { concurrencies, recordPairs } = agg;
  const measuredPairs = recordPairs.filter((p) => Object.keys(p.rows).length > 0);
  const name = `the record operation node is not slower than complete record: RejectRecord ops/s ≥ ${RECORD_RATIO_MIN} × CompleteRecord ops/s at each concurrency`;
  if (measuredPairs.length === 0) return { name, measured: '–', met: false, cause: 'not measured in this run (see Failures)' };
  const measured = measuredPairs.map((p) => `${p.label}: ${concurrencies.map((c) => `c=${c}: ${fmt(p.rows[c]?.ratio, 2)}`).join(', ')}`).join('; ');
  const met = measuredPairs.length === RECORD_PAIRS.length && measuredPairs.every((p) => concurrencies.every((c) => p.rows[c]?.ratio >= RECORD_RATIO_MIN));
  if (met) return { name, measured, met, cause: '' };
  const c16 = `c${results.meta.profileConcurrency ?? 16}`;
  const cause = [];
  for (const p of measuredPairs) {
    for (const c of concurrencies.filter((x) => !(p.rows[x]?.ratio >= RECORD_RATIO_MIN))) {
      const r = p.rows[c];
      if (!r) {
        cause.push(`${p.label}, c=${c}: not measured.`);
        continue;
      }
      const cpuDelta = r.cpuRatio !== undefined ? (r.cpuRatio - 1) * 100 : undefined;
      const noise = Math.max(r.spread.complete ?? 0, r.spread.record ?? 0);
      const someRepMeets = r.repRatios.length > 1 && r.repRatios.some((v) => v >= RECORD_RATIO_MIN);
      const spreadText = r.spread.complete !== undefined && r.spread.record !== undefined
        ? `run-to-run spread of the same variant (max − min over median) ${fmt(r.spread.complete * 100, 0)} % (CompleteRecord) and ${fmt(r.spread.record * 100, 0)} % (RejectRecord); `
        : '';
      const parts = [`${p.label}, c=${c}: RejectRecord ${fmtInt(r.record.opsPerSec)} ops/s vs CompleteRecord ${fmtInt(r.complete.opsPerSec)} (${fmt(r.ratio, 2)}); ${r.repRatios.length > 1 ? `within each repetition ${r.repRatios.map((v) => fmt(v, 2)).join(', ')}; ` : ''}` +
        spreadText +
        `Node-RED CPU per op ${fmt(r.record.cpu.nodeRed, 3)} vs ${fmt(r.complete.cpu.nodeRed, 3)} ms (${signed(cpuDelta, 0)} %), simulator ${fmt(r.record.cpu.sim, 3)} vs ${fmt(r.complete.cpu.sim, 3)} ms; ` +
        `p50 ${fmt(r.record.p50, 2)} vs ${fmt(r.complete.p50, 2)} ms; other load during the runs ${fmt(r.otherCores.record, 2)} vs ${fmt(r.otherCores.complete, 2)} cores.`];
      if (c === 1) parts.push(`At c=1 the loop is latency-bound (ops/s = 1 / round trip): the gap is a p50 difference of ${signed(r.record.p50 - r.complete.p50, 2)} ms per round trip.`);
      if (someRepMeets || (noise > 0 && 1 - r.ratio < noise)) {
        parts.push(`The gap (${fmt((1 - r.ratio) * 100, 0)} %) is smaller than the run-to-run spread of the same variant in this run (${fmt(noise * 100, 0)} %)${someRepMeets ? ' and at least one repetition meets the rule' : ''}: within the noise of this run, not a measured cost of the node.`);
      } else if (c > 1 && cpuDelta !== undefined && cpuDelta > 5) {
        parts.push(`The Node-RED thread, which bounds the throughput, spent ${fmt(cpuDelta, 0)} % more CPU per RejectRecord than per CompleteRecord (CPU per op also falls as throughput rises, since more requests share an event-loop turn).`);
      }
      cause.push(parts.join(' '));
    }
  }
  const diff = profileDifference(results, `ours-${c16}-node-red`, `record-${c16}-node-red`);
  if (diff) {
    cause.push(`Profiles at ${c16.slice(1)} concurrent requests (separate pass, 2.5 s each; sampled in wall-clock time, so other load inflates them as it lowers throughput): the Node-RED thread is busy ${fmtInt(diff.busyPerOp.record)} µs per RejectRecord vs ${fmtInt(diff.busyPerOp.complete)} µs per CompleteRecord; package functions whose inclusive time per operation differs most: ${diff.rows.map((r) => `\`${r.fn}\` ${fmt(r.record, 1)} vs ${fmt(r.complete, 1)} µs (${signed(r.delta, 1)})`).join('; ')}.`);
  }
  return { name, measured, met, cause: cause.join(' ') };
}

const signed = (value, digits) => (value === undefined || Number.isNaN(value) ? '–' : `${value >= 0 ? '+' : '−'}${fmt(Math.abs(value), digits)}`);

const cpuTotal = (row, keys) => keys.reduce((sum, key) => sum + (row?.cpu?.[key] ?? 0), 0);

function topShares(results, profile, count = 5) {
  const shares = results.profiles?.[profile]?.categories?.shares;
  if (!shares) return '';
  return `${profile} profile (busy time): ${shares.slice(0, count).map((s) => `${s.name} ${s.percent.toFixed(0)} %`).join(', ')}`;
}

function packageTop(results, profile, count = 4) {
  const rows = results.profiles?.[profile]?.package;
  if (!rows?.length) return '';
  return `Largest inclusive shares of the package's code in ${profile}: ${rows.slice(0, count).map((r) => `${r.fn} ${r.percent.toFixed(1)} %`).join(', ')}.`;
}

function targets(results, agg) {
  const { table, ratios, concurrencies, correlation, memory, events, reconnect } = agg;
  const list = [];
  const perC = (fn, digits = 2) => concurrencies.map((c) => `c=${c}: ${fmt(fn(c), digits)}`).join(', ');
  const all = (fn) => concurrencies.every((c) => fn(c) !== undefined && fn(c));

  // 2/1
  {
    const met = all((c) => ratios[c].oursVsRaw >= 0.9);
    const cause = [];
    if (!met) {
      for (const c of concurrencies.filter((x) => !(ratios[x].oursVsRaw >= 0.9))) {
        const raw = table.raw[c];
        const ours = table.ours[c];
        const echo = table.echo?.[c];
        cause.push(`c=${c}: raw ${fmtInt(raw.opsPerSec)} ops/s costs ${fmt(cpuTotal(raw, ['bench', 'sim']), 2)} ms CPU per op (client ${fmt(raw.cpu.bench, 2)}, simulator ${fmt(raw.cpu.sim, 2)}); ours ${fmtInt(ours.opsPerSec)} ops/s costs ${fmt(cpuTotal(ours, ['nodeRed', 'bench', 'sim']), 2)} ms (Node-RED ${fmt(ours.cpu.nodeRed, 2)}, HTTP driver ${fmt(ours.cpu.bench, 2)}, simulator ${fmt(ours.cpu.sim, 2)})` +
          (echo ? `; the Node-RED HTTP floor alone (http in → http response, no GWS) reaches ${fmtInt(echo.opsPerSec)} ops/s at ${fmt(cpuTotal(echo, ['nodeRed', 'bench']), 2)} ms CPU per op (Node-RED ${fmt(echo.cpu.nodeRed, 2)}, driver ${fmt(echo.cpu.bench, 2)}), p50 ${fmt(echo.p50, 2)} ms` : '') +
          (c === 1 ? `; at c=1 the path is latency-bound: ours p50 ${fmt(ours.p50, 2)} ms vs raw ${fmt(raw.p50, 2)} ms (${ours.p50 >= raw.p50 ? '+' : ''}${fmt(ours.p50 - raw.p50, 2)} ms)` : '') + '.');
      }
      const cores = results.meta.machine.cores;
      const dec = Object.entries(agg.decomposition).filter(([c]) => Number(c) > 1).map(([c, d]) => `c=${c}: ${fmt(d.nodeRed, 2)} ms = core client ${fmt(d.client, 2)} + HTTP floor ${fmt(d.floor, 2)} + node layer and runtime ${fmt(d.rest, 2)}, so 2/1 could reach at most ${fmt(d.bound, 2)} even with a zero-cost node layer`).join('; ');
      cause.push(`— Variant 2 is bounded by the single Node-RED thread, which does the work of variant 1's client plus the HTTP server side; on ${cores} cores the driver and the simulator share the other core. Node-RED CPU per op: ${dec}. ${topShares(results, `ours-c${results.meta.profileConcurrency ?? 16}-node-red`, 7)}. ${packageTop(results, `ours-c${results.meta.profileConcurrency ?? 16}-node-red`)}`);
    }
    list.push({ name: '2/1 ops/s ≥ 0.9', measured: perC((c) => ratios[c].oursVsRaw), met, cause: cause.join(' ') });
  }
  // 2/3
  {
    const met = all((c) => ratios[c].oursVsNaive >= 2);
    const cause = [];
    if (!met) {
      for (const c of concurrencies.filter((x) => !(ratios[x].oursVsNaive >= 2))) {
        const ours = table.ours[c];
        const naive = table.naive[c];
        cause.push(`c=${c}: ours ${fmtInt(ours.opsPerSec)} ops/s at ${fmt(ours.cpu.nodeRed, 2)} ms Node-RED CPU per op, naive ${fmtInt(naive.opsPerSec)} ops/s at ${fmt(naive.cpu.nodeRed, 2)} ms; simulator ${fmt(ours.cpu.sim, 2)} vs ${fmt(naive.cpu.sim, 2)} ms.`);
      }
      cause.push(`The naive flow does less per request (no parameter checks, no user-event join, no status updates, one subscription instead of two: the simulator sends it half the notifications), and both are bounded by the same HTTP path into Node-RED. ${topShares(results, `naive-c${results.meta.profileConcurrency ?? 16}-node-red`)}. ${packageTop(results, `ours-c${results.meta.profileConcurrency ?? 16}-node-red`)}`);
    }
    list.push({ name: '2/3 ops/s ≥ 2', measured: perC((c) => ratios[c].oursVsNaive), met, cause: cause.join(' ') });
  }
  // p99 added
  {
    const met = all((c) => ratios[c].p99Added <= 2);
    const cause = [];
    if (!met) {
      for (const c of concurrencies.filter((x) => !(ratios[x].p99Added <= 2))) {
        const echo = table.echo?.[c];
        cause.push(`c=${c}: p99 raw ${fmt(table.raw[c].p99, 2)} ms, ours ${fmt(table.ours[c].p99, 2)} ms${echo ? `, Node-RED HTTP floor p99 ${fmt(echo.p99, 2)} ms` : ''}.`);
      }
      const d1 = agg.decomposition[1];
      if (concurrencies.includes(1) && !(ratios[1].p99Added <= 2)) cause.push(`At c=1 nothing queues: the added latency is the HTTP hop into Node-RED and back (the floor's own p50 is ${fmt(table.echo?.[1]?.p50, 2)} ms) plus the extra work of the Node-RED thread per operation${d1 ? ` (${fmt(d1.rest, 2)} ms CPU beyond the core client and the floor)` : ''}.`);
      cause.push('At concurrency ≥ 16 the added p99 is queueing: with the CPU saturated, the latency of a closed loop is concurrency / throughput, so the throughput gap shows up as latency.');
    }
    list.push({ name: 'p99 added over raw ≤ 2 ms', measured: perC((c) => ratios[c].p99Added, 2) + ' ms', met, cause: cause.join(' ') });
  }
  // record operation node vs complete record node
  list.push(recordTarget(results, agg));
  // correlation
  {
    const level = correlation.find((l) => l.pending === 10000) ?? correlation.at(-1);
    const met = level?.sync <= 5;
    list.push({
      name: 'correlation ≤ 5 µs per answer at 10,000 pending',
      measured: `${fmt(level?.sync, 2)} µs matching (handle ack + user event + batchEnd); ${fmt(level?.cpu, 2)} µs CPU including the join timer and resolving the promise`,
      met,
      cause: met ? '' : `matching alone costs ${fmt(level?.sync, 2)} µs per answer at ${level?.pending} pending (see the correlation table and the profile of the correlation child).`,
    });
  }
  // memory
  {
    const met = memory.pendingBytes !== undefined && memory.pendingBytes <= 20 * MB && memory.pendingCount >= 10000;
    const scaled = memory.pendingCount && memory.pendingCount < 10000;
    list.push({
      name: '≤ 20 MB heap for 10,000 pending',
      measured: `${fmt(memory.pendingBytes / MB, 2)} MB for ${fmtInt(memory.pendingCount)} pending (${fmtInt(memory.bytesPerPending)} bytes each)`,
      met: scaled ? memory.bytesPerPending * 10000 <= 20 * MB : met,
      cause: scaled ? '(quick run: fewer requests pending; verdict extrapolated per request)' : met ? '' : `each pending request holds ${fmtInt(memory.bytesPerPending)} bytes of heap; by object type (heap snapshots, bytes per pending request): ${growthText(memory.growth, 'B')}.`,
    });
  }
  // drift
  {
    const d = memory.drift;
    const met = d !== undefined && Math.abs(d.driftPercent) <= 5;
    list.push({
      name: 'heap drift ≤ 5 %',
      measured: d ? `${fmt(d.driftPercent, 2)} % over ${fmtInt(d.ops)} operations (${fmt(d.baselineBytes / MB, 2)} → ${fmt(d.finalBytes / MB, 2)} MB; slope ${fmtInt(d.slopeBytesPer1000Ops)} bytes per 1,000 ops)` : '–',
      met,
      cause: met || !d ? '' : driftCause(d),
    });
  }
  // events
  {
    const e = events.node;
    const f = events.function;
    const met = e.perSecond >= 20000 && e.lost === 0 && e.duplicated === 0;
    const cause = [];
    if (!met) {
      cause.push(`Node-RED spends ${fmt(e.cpu.receiver, 1)} µs CPU per notification with the counter node (core client alone: ${fmtInt(events.core.perSecond)} notifications/s at ${fmt(events.core.cpu.receiver, 1)} µs; simulator ${fmt(e.cpu.sim, 1)} µs per notification).`);
      cause.push(topShares(results, 'events-node-red', 6));
      if (events.core.perSecond < 20000) cause.push(`The core client alone stays below the target too, so the limit lies before the node: CometD long-poll parsing/dispatch and the simulator (${topShares(results, 'events-simulator', 4)}).`);
    }
    list.push({
      name: 'event node ≥ 20,000 notifications/s, none lost',
      measured: `${fmtInt(e.perSecond)}/s into a counter node, ${e.lost} lost, ${e.duplicated} duplicated; ${fmtInt(f.perSecond)}/s into a counting function node (${f.lost} lost); core client alone ${fmtInt(events.core.perSecond)}/s`,
      met,
      cause: cause.join(' '),
    });
  }
  // reconnect
  {
    const r = reconnect.restart;
    const f = reconnect.forget;
    const met = r.node <= 1000 && f.node <= 1000;
    const cause = met ? '' : `after a restart the CometD client retries its long poll with a growing backoff (backoffIncrement 250 ms up to maxBackoff 1000 ms, core/notification-link.ts), so it may sleep up to 1 s after the simulator is back, then needs the 402 → handshake → subscribe round trips. Measured: restart median ${fmtInt(r.node)} ms (max ${fmtInt(r.nodeMax)}), forgetClients median ${fmtInt(f.node)} ms (max ${fmtInt(f.nodeMax)}).`;
    list.push({
      name: 'reconnect ≤ 1 s after the simulator is back',
      measured: `restart: ${fmtInt(r.node)} ms median (max ${fmtInt(r.nodeMax)}) after it listens again; forgetClients: ${fmtInt(f.node)} ms median (max ${fmtInt(f.nodeMax)})`,
      met,
      cause,
    });
  }
  return list;
}

function growthText(rows, unit = 'B') {
  return (rows ?? []).slice(0, 4).map((r) => `${r.what} ${r.bytes >= 0 ? '+' : ''}${fmtInt(r.bytes)} ${unit}`).join('; ');
}

function driftCause(d) {
  const first = d.samples[1]?.bytes - d.samples[0].bytes;
  const rest = d.samples.at(-1).bytes - (d.samples[1]?.bytes ?? d.samples[0].bytes);
  const parts = [`heap ${fmt(d.baselineBytes / MB, 2)} → ${fmt(d.finalBytes / MB, 2)} MB: ${first >= 0 ? '+' : ''}${fmt(first / MB, 2)} MB in the first ${fmtInt(d.samples[1]?.ops)} operations, then ${rest >= 0 ? '+' : ''}${fmt(rest / MB, 2)} MB over the remaining ${fmtInt(d.ops - (d.samples[1]?.ops ?? 0))} (slope after the first segment ${fmtInt(d.laterSlopeBytesPer1000Ops)} bytes per 1,000 operations).`];
  if (d.growth) {
    parts.push(`Heap snapshots, first segment: ${growthText(d.growth.firstSegment)}; after it: ${growthText(d.growth.rest)}.`);
  }
  parts.push('A one-time step followed by a flat line is a data structure reaching its steady-state size, not a leak; the relative figure is large because the heap of a bare core client is small.');
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------------
// SVG: latency CDF per variant, one panel per concurrency, log-scaled latency axis.

const LEGEND_ROWS = 3;

export function latencySvg(results) {
  const concurrencies = results.meta.config.concurrencies;
  const panelW = 320;
  const panelH = 260;
  const margin = { left: 52, right: 14, top: 46, bottom: 50 + LEGEND_ROWS * 15 + 4 };
  const width = concurrencies.length * (panelW + margin.left + margin.right);
  const height = panelH + margin.top + margin.bottom;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">Round-trip latency (CompleteRecord; RejectRecord for 2r and 2m): percentile (tail-stretched) vs latency (${results.meta.quick ? 'quick run' : `${results.meta.config.reps} repetitions pooled`})</text>`);
  concurrencies.forEach((c, index) => {
    const x0 = index * (panelW + margin.left + margin.right) + margin.left;
    const y0 = margin.top;
    const series = {};
    let lo = Infinity;
    let hi = 0;
    for (const variant of Object.keys(VARIANT_LABEL)) {
      const values = results.latencies?.[variant]?.[c];
      if (!values || values.length === 0) continue;
      const sorted = sortedCopy(values);
      series[variant] = sorted;
      lo = Math.min(lo, percentileSorted(sorted, 0.1));
      hi = Math.max(hi, percentileSorted(sorted, 99.9));
    }
    if (!Number.isFinite(lo)) return;
    const minDecade = Math.floor(Math.log10(Math.max(lo, 0.01)));
    const maxDecade = Math.ceil(Math.log10(Math.max(hi, lo * 1.5)));
    const lx = (v) => x0 + ((Math.log10(Math.max(v, 10 ** minDecade)) - minDecade) / (maxDecade - minDecade)) * panelW;
    // Percentile axis stretched towards the tail: 0, 90, 99 and 99.9 % are equally spaced (−log10(1 − q)).
    const TAIL = 3;
    const ly = (q) => y0 + panelH - (Math.min(TAIL, -Math.log10(Math.max(1 - q, 10 ** -TAIL))) / TAIL) * panelH;
    out.push(`<text x="${x0 + panelW / 2}" y="${y0 - 10}" text-anchor="middle" font-size="12" font-weight="bold">concurrency ${c}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`);
    for (let d = minDecade; d <= maxDecade; d++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** d;
        if (v < 10 ** minDecade || v > 10 ** maxDecade) continue;
        const x = lx(v);
        out.push(`<line x1="${x.toFixed(1)}" y1="${y0}" x2="${x.toFixed(1)}" y2="${y0 + panelH}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
        out.push(`<text x="${x.toFixed(1)}" y="${y0 + panelH + 14}" text-anchor="middle" fill="#444">${v >= 1 ? v : v.toPrecision(1)}</text>`);
      }
    }
    for (const [q, label] of [[0, '0 %'], [0.5, 'p50'], [0.75, '75 %'], [0.9, 'p90'], [0.99, 'p99'], [0.999, 'p99.9']]) {
      const y = ly(q);
      out.push(`<line x1="${x0}" y1="${y.toFixed(1)}" x2="${x0 + panelW}" y2="${y.toFixed(1)}" stroke="${q === 0.5 || q === 0.99 ? '#bbb' : '#eee'}"${q === 0.99 ? ' stroke-dasharray="3,3"' : ''}/>`);
      out.push(`<text x="${x0 - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#444">${label}</text>`);
    }
    out.push(`<text x="${x0 + panelW / 2}" y="${y0 + panelH + 30}" text-anchor="middle" fill="#222">latency (ms, log scale)</text>`);
    const quantiles = [];
    for (let q = 0; q < 0.9; q += 0.005) quantiles.push(q);
    for (let q = 0.9; q < 0.99; q += 0.0005) quantiles.push(q);
    for (let q = 0.99; q <= 0.999; q += 0.00005) quantiles.push(q);
    for (const [variant, sorted] of Object.entries(series)) {
      const points = quantiles.map((q) => [percentileSorted(sorted, q * 100) ?? sorted[0], q]);
      const d = points.map(([v, q], i) => `${i ? 'L' : 'M'}${lx(v).toFixed(1)},${ly(q).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${COLORS[variant]}" stroke-width="1.8"${dash(variant)}/>`);
    }
    if (index === 0) {
      Object.keys(series).forEach((variant, i) => {
        const y = y0 + panelH + 50 + (i % LEGEND_ROWS) * 15;
        const x = x0 + Math.floor(i / LEGEND_ROWS) * 300 - 40;
        out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${COLORS[variant]}" stroke-width="2.5"${dash(variant)}/>`);
        out.push(`<text x="${x + 22}" y="${y}" fill="#222">${escapeXml(VARIANT_LABEL[variant])}</text>`);
      });
    }
  });
  out.push('</svg>');
  return out.join('\n');
}

function escapeXml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------------------------------------------------------------------------------------------------
// RESULTS.md

export function resultsMarkdown(results, agg) {
  const { meta } = results;
  const L = [];
  const cfg = meta.config;
  L.push('# Benchmarks');
  L.push('');
  L.push(`Written by \`${meta.command}\` (bench/run.mjs) on ${meta.startedAt.slice(0, 19).replace('T', ' ')} UTC in ${fmt(meta.durationSeconds, 0)} s. ` +
    'Everything was measured in this one run on this one machine, on 127.0.0.1 only, against the bundled GWS simulator without injected latency. ' +
    `${cfg.reps} repetition${cfg.reps > 1 ? 's' : ''} of the throughput runs${cfg.events?.reps !== undefined && cfg.events.reps !== cfg.reps ? ` (${cfg.events.reps} of the event and reconnect runs)` : ''}; every number is the median over the repetitions (percentiles are taken per repetition, then the median of those).`);
  L.push('');
  L.push('Scale in agents (100 to 1,000 `gws-server` nodes in one Node-RED: connect time, memory, sockets, bursts after idle, redeploys, outages) is measured by `npm run bench:scale`: [SCALE.md](SCALE.md).');
  L.push('');
  L.push('## Machine and versions');
  L.push('');
  L.push('| | |');
  L.push('| --- | --- |');
  L.push(`| CPU | ${meta.machine.cpuModel}, ${meta.machine.cores} cores |`);
  L.push(`| memory | ${meta.machine.memoryGiB} GiB |`);
  L.push(`| OS | ${meta.machine.platform} |`);
  L.push(`| load average (1, 5, 15 min) | start ${meta.loadAverage.start.join(', ')} · end ${meta.loadAverage.end?.join(', ')} |`);
  for (const [name, version] of Object.entries(meta.versions)) L.push(`| ${name} | ${version} |`);
  if (meta.code) {
    const changed = meta.code.changedFiles?.length ? `, with uncommitted changes in ${meta.code.changedFiles.map((f) => `\`${f}\``).join(', ')}` : '';
    L.push(`| code measured | commit ${meta.code.commit ?? '?'}${changed}; dist/ hash ${meta.code.distHash} (copied at the start of the run; every process loaded it from that copy) |`);
  }
  L.push('');
  if (agg.interference.median === undefined) {
    L.push('The machine may be shared with other work; the load average counts every process on it. The CPU used by other processes during the runs could not be measured here (no /proc).');
  } else {
    L.push(`The machine may be shared with other work; the load average counts every process on it. During the throughput runs, processes outside the benchmark used a median of ${fmt(agg.interference.median, 2)} cores (max ${fmt(agg.interference.max, 2)}; hypervisor steal ${fmt(agg.interference.steal, 2)} cores): ${agg.interference.median > 0.25 ? 'the machine was shared while this ran, which lowers all variants and widens the spread between repetitions — compare variants within a row of the same run rather than with other machines' : 'the machine was mostly quiet (the per-run column below shows the runs that were not)'}.`);
  }
  L.push('');
  L.push('## Results');
  L.push('');
  L.push('CompleteRecord round trips: POST accepted (`{"statusCode":0}`) **and** the correlated `RecordProcessedAcknowledge` received (with its DeviceUserEventMessage for variants 1 and 2); for the record operation node (2r, 2m) RejectRecord round trips with the correlated `RecordRejectAcknowledge` (and its DeviceUserEventMessage), compared in [their own section](#record-operation-node-vs-complete-record-node). Closed loop: a fixed number of concurrent clients, each sending its next request when the previous one ended; ' +
    `${cfg.warmupMs} ms warm-up, then ${cfg.durationMs} ms measured per run. Variants 2, 3 and the floor are driven over HTTP/1.1 keep-alive with exactly *c* connections from the bench process; latency is measured by that driver, per request.`);
  L.push('');
  L.push('| variant | c | ops/s | p50 ms | p99 ms | CPU ms/op: Node-RED | driver or client | simulator | other load (cores) |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const variant of Object.keys(VARIANT_LABEL)) {
    for (const c of agg.concurrencies) {
      const row = agg.table[variant]?.[c];
      if (!row) continue;
      L.push(`| ${VARIANT_LABEL[variant]} | ${c} | ${fmtInt(row.opsPerSec)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.cpu.nodeRed, 3)} | ${fmt(row.cpu.bench, 3)} | ${fmt(row.cpu.sim, 3)} | ${fmt(row.otherCores, 2)} |`);
    }
  }
  L.push('');
  L.push('| c | 2/1 ops/s | 2/3 ops/s | p50 added over raw (ms) | p99 added over raw (ms) |');
  L.push('| ---: | ---: | ---: | ---: | ---: |');
  for (const c of agg.concurrencies) {
    const r = agg.ratios[c];
    L.push(`| ${c} | ${fmt(r.oursVsRaw, 2)} | ${fmt(r.oursVsNaive, 2)} | ${fmt(r.p50Added, 2)} | ${fmt(r.p99Added, 2)} |`);
  }
  L.push('');
  L.push('![latency distributions](latency.svg)');
  L.push('');
  L.push('*CPU ms/op* is the CPU time (user + system) each process used during the measured window divided by the operations completed in it: for variant 1 the "client" is the bench process running the core; for the HTTP variants it is the load driver. It shows where the work goes on a machine whose cores all three processes share. *Other load* is the CPU the rest of the machine (processes that are not part of the benchmark) used during the window, in cores (/proc/stat minus the benchmark\'s processes): when it is high, that run was slowed by interference.');
  if (Object.keys(agg.decomposition).length) {
    L.push('');
    L.push('Where the Node-RED process spends its CPU per operation in variant 2 (it is the bottleneck: one thread does the core client\'s work and the HTTP server side):');
    L.push('');
    L.push('| c | Node-RED ms/op (variant 2) | = core client (variant 1 client) | + HTTP floor (floor Node-RED) | + node layer and runtime (rest) | 2/1 bound with a zero-cost node layer |');
    L.push('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [c, d] of Object.entries(agg.decomposition)) L.push(`| ${c} | ${fmt(d.nodeRed, 3)} | ${fmt(d.client, 3)} | ${fmt(d.floor, 3)} | ${fmt(d.rest, 3)} | ${Number(c) === 1 ? '– (one request at a time: latency-bound, not CPU-bound)' : fmt(d.bound, 2)} |`);
  }
  L.push('');
  recordSection(L, results, agg);
  L.push('');
  L.push('### Correlation (4)');
  L.push('');
  L.push('`Correlator` from dist/core, no network: N requests wait (each with its timeout timer); in rounds of up to 256, the oldest are answered as GWS answers them (acknowledgement + DeviceUserEventMessage in one batch, then `batchEnd`) and replaced by new requests, so N stays constant.');
  L.push('');
  L.push('| pending | µs per answer: matching (handle × 2 + batchEnd) | µs CPU per answer incl. join timer + promise | µs wall per answer | µs per `expect()` |');
  L.push('| ---: | ---: | ---: | ---: | ---: |');
  for (const l of agg.correlation) L.push(`| ${fmtInt(l.pending)} | ${fmt(l.sync, 2)} | ${fmt(l.cpu, 2)} | ${fmt(l.wall, 1)} | ${fmt(l.expect, 2)} |`);
  L.push('');
  L.push('The wall time includes waiting for the timer or immediate that settles each joined answer; the CPU column does not. `expect()` includes `remember()`, which evicts the oldest entry of the correlation memory (the last 10,000 requests) once it is full.');
  if (agg.rememberCost.some((r) => r.us !== undefined)) {
    L.push('');
    L.push(`\`remember()\` with a full correlation memory (each call evicts the oldest entry): ${agg.rememberCost.map((r) => `memorySize ${fmtInt(r.memorySize)}: ${fmt(r.us, 2)} µs`).join(' · ')} per call.`);
  }
  L.push('');
  L.push('### Memory (5)');
  L.push('');
  const m = agg.memory;
  L.push(`- **${fmtInt(m.pendingCount)} requests pending** (simulator drops every acknowledgement, 10 min timeout): heap +${fmt(m.pendingBytes / MB, 2)} MB over the same warmed-up idle connection (${fmtInt(m.bytesPerPending)} bytes per pending request; median of ${m.reps}, fresh process each, \`--expose-gc\`, \`gc()\` before every reading).`);
  if (m.drift) {
    const d = m.drift;
    L.push(`- **Drift over ${fmtInt(d.ops)} CompleteRecords** (concurrency ${cfg.memory.concurrency}) after ${fmtInt(d.warmOps)} warm-up operations that bring the correlation memory to its plateau (two generations of ${fmtInt(d.memorySize)} requests): heap ${fmt(d.baselineBytes / MB, 2)} → ${fmt(d.finalBytes / MB, 2)} MB = **${fmt(d.driftPercent, 2)} %**; least-squares slope ${fmtInt(d.slopeBytesPer1000Ops)} bytes per 1,000 operations over all samples, ${fmtInt(d.laterSlopeBytesPer1000Ops)} after the first segment. Heap after each segment (MB): ${d.samples.map((s) => fmt(s.bytes / MB, 2)).join(' · ')}. (One run of ${fmtInt(d.ops)} operations; the samples inside it show the trend.)`);
    if (d.growth) L.push(`  Heap snapshots — first segment: ${growthText(d.growth.firstSegment)}; from then to the end: ${growthText(d.growth.rest)}.`);
  }
  if (m.growth) {
    L.push('');
    L.push('What one pending request holds (heap snapshots before and with the requests pending, self size divided by the number pending):');
    L.push('');
    L.push('| object type | bytes per pending request | objects per pending request |');
    L.push('| --- | ---: | ---: |');
    for (const r of m.growth.slice(0, 12)) L.push(`| \`${r.what}\` | ${fmtInt(r.bytes)} | ${fmt(r.count, 2)} |`);
  }
  L.push('');
  L.push('### Event node (6)');
  L.push('');
  const en = agg.events.node;
  const ef = agg.events.function;
  const ec = agg.events.core;
  L.push(`The simulator pushes ${fmtInt(en.count)} PreviewRecord notifications (500 per push, one push per event-loop turn, so they leave in large long-poll answers) to the GWS user of one receiver at a time; the rate is counted from the first push to the last notification counted, and every sequence number is checked (lost = never counted, duplicated = counted twice). Each event flow has its own gws-server node and GWS user. The counter node (bench/nodes/bench-counter.js) is plain JavaScript; a function node runs its code in a vm context per message, which by itself costs about as much as the event node.`);
  L.push('');
  L.push('| receiver | notifications/s | lost | duplicated | receiver CPU µs per notification | simulator µs per notification |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  L.push(`| gws-outbound-event → counter node (Node-RED) | ${fmtInt(en.perSecond)} | ${en.lost} | ${en.duplicated} | ${fmt(en.cpu.receiver, 1)} | ${fmt(en.cpu.sim, 1)} |`);
  L.push(`| gws-outbound-event → counting function node (Node-RED) | ${fmtInt(ef.perSecond)} | ${ef.lost} | ${ef.duplicated} | ${fmt(ef.cpu.receiver, 1)} | ${fmt(ef.cpu.sim, 1)} |`);
  L.push(`| core client alone (\`notification\` listener) | ${fmtInt(ec.perSecond)} | ${ec.lost} | ${ec.duplicated} | ${fmt(ec.cpu.receiver, 1)} | ${fmt(ec.cpu.sim, 1)} |`);
  L.push('');
  L.push('### Reconnect (7)');
  L.push('');
  const rf = agg.reconnect.forget;
  const rr = agg.reconnect.restart;
  L.push('The simulator pushes a probe notification every 2 ms; the time is taken to the first probe counted in the flow (gws-outbound-event) and by a core client.');
  L.push('');
  L.push('| event | Node-RED event node, median (max) | core client, median (max) |');
  L.push('| --- | ---: | ---: |');
  L.push(`| \`sim.forgetClients()\` → notifications flow again | ${fmtInt(rf.node)} ms (${fmtInt(rf.nodeMax)}) | ${fmtInt(rf.core)} ms (${fmtInt(rf.coreMax)}) |`);
  L.push(`| \`sim.restart(${cfg.reconnect.downMs})\`: simulator listening again → first notification | ${fmtInt(rr.node)} ms (${fmtInt(rr.nodeMax)}) | ${fmtInt(rr.core)} ms (${fmtInt(rr.coreMax)}) |`);
  L.push('');
  L.push('## Targets');
  L.push('');
  L.push('| target | measured | verdict |');
  L.push('| --- | --- | --- |');
  for (const t of agg.targets) L.push(`| ${t.name} | ${t.measured} | ${t.met ? '**met**' : '**missed**'} |`);
  L.push('');
  const missed = agg.targets.filter((t) => !t.met);
  if (missed.length) {
    L.push('### Measured causes of the misses');
    L.push('');
    for (const t of missed) L.push(`- **${t.name}** — ${t.cause || 'no cause recorded'}`);
    L.push('');
  }
  const spots = hotspots(results, agg);
  if (spots.length) {
    L.push('### Hotspots in the product code (from this run\'s data)');
    L.push('');
    for (const spot of spots) L.push(`- ${spot}`);
    L.push('');
  }
  const profiles = Object.entries(results.profiles ?? {});
  if (results.meta.profileSkipped) {
    L.push(`*Profiling was skipped: ${results.meta.profileSkipped}.*`);
    L.push('');
  }
  if (profiles.length) {
    L.push('## Profiles');
    L.push('');
    L.push('CPU profiles (V8 sampling profiler through the inspector, 200 µs interval) taken in a separate pass after the measurements, so the profiler never slowed a measured run: each path at concurrency 16 for 2.5 s, and one event burst. Shares are of the busy (non-idle) time; the `.cpuprofile` files are in `bench/out/` (load them in Chrome DevTools), `node bench/lib/profile-summary.mjs <file>` prints them.');
    L.push('');
    for (const [name, p] of profiles) {
      const perOp = p.ops ? ` = ${fmtInt((p.categories.busyMs * 1000) / p.ops)} µs per ${name.startsWith('events') ? 'notification' : 'operation'} over ${fmtInt(p.ops)}` : '';
      L.push(`**${name}** (${fmt(p.categories.busyMs, 0)} ms busy${perOp}): ${p.categories.shares.slice(0, 8).map((s) => `${s.name} ${fmt(s.percent, 1)} %`).join(' · ')}`);
      L.push('');
      L.push('| self % | function (file:line) |');
      L.push('| ---: | --- |');
      for (const row of p.self.filter((r) => r.fn !== '(idle) :0').slice(0, 8)) L.push(`| ${fmt(row.percent, 1)} | \`${row.fn}\` |`);
      if (p.package.length) {
        L.push('');
        L.push(`Inclusive time in the package: ${p.package.slice(0, 6).map((r) => `\`${r.fn}\` ${fmt(r.percent, 1)} %`).join(' · ')}`);
      }
      L.push('');
    }
  }
  if (results.failures?.length) {
    L.push('## Failures');
    L.push('');
    for (const f of results.failures) L.push(`- ${String(f).split('\n')[0]}`);
    L.push('');
  }
  L.push('## Method');
  L.push('');
  L.push('- **Processes.** The simulator runs in a child process of its own, so it never shares an event loop with the client being measured. Two Node-RED 4.1 instances (scripts/lib/node-red-instance.mjs, each in its own process group on a free 127.0.0.1 port): one with our nodes, one with the naive flow. The raw core client, the HTTP load driver and the event counters run in the bench process; correlation and memory run in fresh child processes. Every GWS user is used by one variant only, so no variant receives another one\'s notifications.');
  L.push('- **1 · raw core client:** `GwsConnection` from dist/core (the package\'s own HTTP session + cometd, the same correlation as the nodes), `prepare()` + `execute()` per operation.');
  L.push('- **2 · our nodes:** `http in` (POST /bench/ours) → `gws-complete-record` (server defaults for devicePath, applicationId, campaignName) → `http response`; a Catch node answers 500.');
  L.push('- **3 · naive flow:** `http in` → function (generates a referenceId, stores the HTTP request msg in a Map in flow context, builds the POST with Basic auth, session cookie and CSRF header) → core `http request` (keep-alive) → function (statusCode 0: wait; otherwise answer 502, and log in again when GWS says the CSRF token is stale); a function node with `libs` `cometd` + `cometd-nodejs-client` handshakes with the session from the login flow (inject → function → `http request` GET /api/v2/me → function keeping cookie and CSRF token), subscribes to /v2/me/outbound in its /meta/handshake listener (so it follows a re-handshake), looks the answer up by referenceId, and sends the stored msg to the `http response` node (`node.send(msg, false)`: no clone); a 1 s sweep answers 504 after 10 s. It does less than our nodes (no parameter checks, no user-event join, no status, no correlation memory for an event node) — its ratio is therefore a conservative one for us.');
  L.push('- **2r · record operation node:** `http in` (POST /bench/record) → `gws-outbound-record` with operation RejectRecord set on the node (same server node, same request body; server defaults as in 2) → `http response`. **2c / 2m:** a change node that sets `msg.operation` in front of `gws-complete-record` (CompleteRecord; the node takes no msg.operation) and of `gws-outbound-record` set to read the operation from `msg.operation` (RejectRecord). The Catch node of variant 2 covers them all.');
  L.push('- **floor:** `http in` → `http response` in the instance with our nodes: the cost of the HTTP hop by itself.');
  L.push('- **Bounded:** every loop stops at a deadline or count; every operation has a timeout; a watchdog kills the run after ' + `${fmtInt(cfg.watchdogMs / 1000)} s; all child processes are killed on exit, error and signals.`);
  L.push('');
  return L.join('\n');
}

/** The record operation node against the complete record node: both pairs, every concurrency, the rule. */
function recordSection(L, results, agg) {
  const { meta } = results;
  L.push('### Record operation node vs complete record node');
  L.push('');
  L.push(`RejectRecord round trips through \`gws-outbound-record\` beside CompleteRecord round trips through \`gws-complete-record\`: the same Node-RED instance, the same \`gws-server\` node (one GWS session and CometD connection), the same request body (\`recordHandle\`, \`callingList\`, \`callResult\`; RejectRecord takes no call result), the same HTTP driver, concurrencies, warm-up, window and ${meta.config.reps} repetition${meta.config.reps > 1 ? 's' : ''}. The two runs of a pair always run one after the other, and which of the two goes first alternates per repetition. Two pairs: the operation set on the record operation node (2r against 2), and read from \`msg.operation\` (2m), where a change node sets it; its control (2c) is the complete record node behind the same kind of change node, so that each pair differs only in the node.`);
  L.push('');
  L.push(`**Rule:** the target is met when RejectRecord ops/s ≥ ${RECORD_RATIO_MIN} × CompleteRecord ops/s at every concurrency, for both pairs (the ratio of the medians over the repetitions). The ${fmt((1 - RECORD_RATIO_MIN) * 100, 0)} % allowance is for run-to-run noise: the column *per repetition* shows the ratio within each repetition, *spread* how far one variant's ops/s moved between repetitions of this run. The machine may be shared with other work: load average (1, 5, 15 min) ${meta.loadAverage.start.join(', ')} at the start of the run and ${meta.loadAverage.end?.join(', ') ?? '–'} at its end; *other load* is the CPU that processes outside the benchmark used during the pair's runs.`);
  L.push('');
  L.push('| pair | c | CompleteRecord ops/s | RejectRecord ops/s | ratio (≥ ' + RECORD_RATIO_MIN + ') | per repetition | spread C / R | p50 ms C / R | p99 ms C / R | Node-RED CPU ms/op C / R | other load C / R (cores) |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const pair of agg.recordPairs) {
    for (const c of agg.concurrencies) {
      const r = pair.rows[c];
      if (!r) continue;
      const pct = (v) => (v === undefined ? '–' : `${fmt(v * 100, 0)} %`);
      const verdict = r.ratio >= RECORD_RATIO_MIN ? '' : ' ✗';
      L.push(`| ${pair.label} | ${c} | ${fmtInt(r.complete.opsPerSec)} | ${fmtInt(r.record.opsPerSec)} | **${fmt(r.ratio, 2)}**${verdict} | ${r.repRatios.map((v) => fmt(v, 2)).join(' · ') || '–'} | ${pct(r.spread.complete)} / ${pct(r.spread.record)} | ${fmt(r.complete.p50, 2)} / ${fmt(r.record.p50, 2)} | ${fmt(r.complete.p99, 2)} / ${fmt(r.record.p99, 2)} | ${fmt(r.complete.cpu.nodeRed, 3)} / ${fmt(r.record.cpu.nodeRed, 3)} | ${fmt(r.otherCores.complete, 2)} / ${fmt(r.otherCores.record, 2)} |`);
    }
  }
  L.push('');
  L.push(`C = CompleteRecord, R = RejectRecord. Pair *${RECORD_PAIRS[0].label}*: ${RECORD_PAIRS[0].completeLabel} (variant 2) against ${RECORD_PAIRS[0].recordLabel} (2r). Pair *${RECORD_PAIRS[1].label}*: ${RECORD_PAIRS[1].completeLabel} (2c) against ${RECORD_PAIRS[1].recordLabel} (2m).`);
  const msgPair = agg.recordPairs.find((p) => p.key === 'msg');
  const changeCost = agg.concurrencies
    .filter((c) => agg.table.oursMsg?.[c] && agg.table.ours?.[c] && msgPair?.rows[c])
    .map((c) => `c=${c}: ${fmt(msgPair.rows[c].vsPlain, 2)} (Node-RED CPU per op of 2c minus 2: ${signed(agg.table.oursMsg[c].cpu.nodeRed - agg.table.ours[c].cpu.nodeRed, 3)} ms)`);
  if (changeCost.length) L.push(`RejectRecord by msg.operation, change node included, against the plain complete record node (2m / 2): ${changeCost.join(', ')}.`);
  const target = agg.targets.find((t) => t.name.startsWith('the record operation node'));
  if (target) {
    L.push('');
    L.push(`Verdict: **${target.met ? 'met' : 'missed'}**${target.met ? '' : ' — the measured cause is under [Targets](#measured-causes-of-the-misses)'}.`);
  }
}

export function writeReport(results, { outDir }) {
  const agg = aggregate(results);
  results.aggregate = agg;
  const svg = latencySvg(results);
  const md = resultsMarkdown(results, agg);
  const mdFile = path.join(outDir, 'RESULTS.md');
  const svgFile = path.join(outDir, 'latency.svg');
  writeFileSync(svgFile, svg);
  writeFileSync(mdFile, md);
  return [mdFile, svgFile];
}

export function printSummary(results) {
  const agg = results.aggregate ?? aggregate(results);
  const lines = [];
  lines.push('');
  const width = Math.max(...Object.values(VARIANT_LABEL).map((label) => label.length));
  lines.push(`${'variant'.padEnd(width)}    c     ops/s   p50 ms   p99 ms`);
  for (const variant of Object.keys(VARIANT_LABEL)) {
    for (const c of agg.concurrencies) {
      const row = agg.table[variant]?.[c];
      if (!row) continue;
      lines.push(`${VARIANT_LABEL[variant].padEnd(width)} ${String(c).padStart(4)} ${fmtInt(row.opsPerSec).padStart(9)} ${fmt(row.p50, 2).padStart(8)} ${fmt(row.p99, 2).padStart(8)}`);
    }
  }
  lines.push('');
  lines.push('c      2/1    2/3   p99 added ms');
  for (const c of agg.concurrencies) {
    const r = agg.ratios[c];
    lines.push(`${String(c).padEnd(4)} ${fmt(r.oursVsRaw, 2).padStart(5)} ${fmt(r.oursVsNaive, 2).padStart(6)} ${fmt(r.p99Added, 2).padStart(10)}`);
  }
  lines.push('');
  lines.push(`RejectRecord / CompleteRecord ops/s (rule ≥ ${RECORD_RATIO_MIN})`);
  for (const pair of agg.recordPairs) {
    for (const c of agg.concurrencies) {
      const r = pair.rows[c];
      if (!r) continue;
      lines.push(`${pair.label.padEnd(30)} c=${String(c).padEnd(4)} ${fmtInt(r.complete.opsPerSec).padStart(7)} → ${fmtInt(r.record.opsPerSec).padStart(7)} ops/s  ${fmt(r.ratio, 2).padStart(5)}  (per repetition ${r.repRatios.map((v) => fmt(v, 2)).join(', ')})`);
    }
  }
  lines.push('');
  for (const t of agg.targets) lines.push(`${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured}`);
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
}
