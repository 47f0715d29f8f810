// The scale run's probe inside the Node-RED process, installed and read through the inspector (Node-RED
// runs with --inspect=127.0.0.1:<port> --expose-gc), so that it adds no node and no message to the flows:
//  - statuses: a listener on the runtime's `node-status` event (what Node-RED hands to the editor)
//    keeps the last status of every node and when it was set. The editor's comms websocket is not used:
//    it sends at most 50 messages per 50 ms per connection, so at 1,000 agents (2,000 status-carrying
//    nodes, each painted several times per deploy) it would report "all connected" seconds late;
//  - completions: an `onComplete` hook records how each burst message ended (done() or done(err) with
//    the error's code and text), once per message; a second end of the same message is counted;
//  - the burst: each complete record node gets its messages through node.receive(msg), the same entry as
//    a wire;
//  - resources after gc(): heap, RSS, active handles and requests by type (process.getActiveResourcesInfo),
//    listener counts of the runtime's event emitter;
//  - process warnings (name, text, stack), besides Node's own printing to stderr;
//  - the event-loop delay (perf_hooks.monitorEventLoopDelay) per measured phase.
import { inspectorClient, remoteHeapSnapshot } from './inspector.mjs';

/** Runs inside Node-RED (serialised with toString): installs globalThis.__gwsScale once. */
function probeMain() {
  if (globalThis.__gwsScale) return 'present';
  const load = (id) => process.mainModule.require(id);
  const RED = load('./lib/red.js');
  const util = load('@node-red/util');
  const P = {
    status: new Map(),
    statusEvents: 0,
    warnings: [],
    warningsByName: {},
    bursts: new Map(),
  };
  globalThis.__gwsScale = P;
  // How late Node-RED's event loop runs (its own work plus waiting for a CPU), per measured phase.
  const loop = load('perf_hooks').monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  util.events.on('node-status', (event) => {
    P.statusEvents++;
    const s = event.status || {};
    P.status.set(event.id, { fill: s.fill, shape: s.shape, text: s.text === undefined ? '' : String(s.text), at: Date.now() });
  });
  process.on('warning', (warning) => {
    P.warningsByName[warning.name] = (P.warningsByName[warning.name] || 0) + 1;
    if (P.warnings.length < 200) {
      P.warnings.push({ name: warning.name, message: String(warning.message).slice(0, 400), stack: String(warning.stack || '').split('\n').slice(1, 14).join('\n'), at: Date.now() });
    }
  });
  // An errno code (ECONNRESET, EMFILE, …) or a transport text in the error, to tell kinds of one code apart.
  const TOKEN = /\b(E[A-Z][A-Z0-9_]{2,})\b|socket hang up|connection closed while the answer was read|no answer within \d+ ms/;
  util.hooks.add('onComplete.gwsScale', (event) => {
    const tag = event.msg && event.msg._scale;
    if (!tag) return;
    const burst = P.bursts.get(tag.tag);
    if (!burst) return;
    const at = Date.now();
    burst.lastAt = at;
    if (burst.outcomes.has(tag.h)) {
      burst.endedTwice++;
      return;
    }
    const error = event.error;
    let outcome;
    if (error) {
      const text = String((error && error.message) || error);
      const token = (TOKEN.exec(text.replace(/referenceId \S+/g, '')) || [])[0];
      const kind = String(error.code || error.name || 'Error') + (token ? ` (${token.replace(/\d+/g, 'N')})` : '');
      outcome = [0, kind, at];
      burst.errors[kind] = (burst.errors[kind] || 0) + 1;
      if (!burst.samples[kind]) burst.samples[kind] = text.slice(0, 300);
    } else {
      outcome = [1, '', at];
      burst.ok++;
    }
    burst.outcomes.set(tag.h, outcome);
  });

  P.getNode = (id) => RED.nodes.getNode(id);

  /** Latest status of the nodes whose id starts with `prefix`: counts, and when the connected ones got there. */
  P.statusSummary = (prefix, since) => {
    const states = {};
    const connectedAt = [];
    let seen = 0;
    let stale = 0;
    for (const [id, s] of P.status) {
      if (!id.startsWith(prefix)) continue;
      seen++;
      const key = `${s.fill || '-'} ${s.shape || '-'} ${s.text.slice(s.text.lastIndexOf(':') + 1)}`;
      states[key] = (states[key] || 0) + 1;
      const connected = s.fill === 'green' && s.shape === 'dot';
      if (connected && s.at >= since) connectedAt.push(s.at);
      else if (connected) stale++;
    }
    return { seen, states, connected: connectedAt.length, stale, connectedAt };
  };

  /** Sends `per` CompleteRecords to each complete record node of `agents` ([[index, node id], …]). */
  P.burst = (tag, agents, per, base) => {
    const burst = { tag, expected: agents.length * per, injected: 0, missingNodes: 0, ok: 0, errors: {}, samples: {}, outcomes: new Map(), endedTwice: 0, startedAt: Date.now(), lastAt: 0 };
    P.bursts.set(tag, burst);
    for (const [index, id] of agents) {
      const node = RED.nodes.getNode(id);
      if (!node) {
        burst.missingNodes++;
        continue;
      }
      for (let i = 0; i < per; i++) {
        const h = String(base + index * 100 + i);
        node.receive({ payload: { recordHandle: h, callingList: 'CallingList1', callResult: 'Answer' }, _scale: { tag, h } });
        burst.injected++;
      }
    }
    burst.injectedAt = Date.now();
    return { injected: burst.injected, missingNodes: burst.missingNodes, startedAt: burst.startedAt, injectedAt: burst.injectedAt };
  };

  P.burstState = (tag, full) => {
    const b = P.bursts.get(tag);
    if (!b) return undefined;
    const state = { expected: b.expected, injected: b.injected, missingNodes: b.missingNodes, ended: b.outcomes.size, ok: b.ok, errors: b.errors, samples: b.samples, endedTwice: b.endedTwice, startedAt: b.startedAt, injectedAt: b.injectedAt, lastAt: b.lastAt };
    if (full) state.outcomes = [...b.outcomes].map(([h, o]) => [h, o[0], o[1], o[2]]);
    return state;
  };

  /** Heap and RSS after full collections, active handles and requests by type, runtime listener counts. */
  P.resources = () => {
    if (typeof globalThis.gc === 'function') for (let i = 0; i < 3; i++) globalThis.gc();
    const memory = process.memoryUsage();
    const active = {};
    for (const type of process.getActiveResourcesInfo()) active[type] = (active[type] || 0) + 1;
    const listeners = {};
    for (const name of util.events.eventNames()) {
      const count = util.events.listenerCount(name);
      if (count > 5) listeners[String(name)] = count;
    }
    return { at: Date.now(), gc: typeof globalThis.gc === 'function', memory, active, listeners, maxListeners: util.events.getMaxListeners(), warningCounts: { ...P.warningsByName } };
  };

  /** Event-loop delay since the last reset (ms): p50, p99, max; resets when asked. */
  P.loopDelay = (reset) => {
    // The histogram holds the time between the 10 ms samples: what exceeds 10 ms is the delay.
    const ms = (ns) => Math.max(0, Math.round(ns / 1e4) / 100 - 10);
    const out = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max), count: loop.count };
    if (reset) loop.reset();
    return out;
  };

  P.warningCounts = () => ({ ...P.warningsByName });

  P.warningReport = () => ({ counts: { ...P.warningsByName }, samples: P.warnings.slice(0, 20) });
  return 'installed';
}

/** Connects to Node-RED's inspector on `port`, installs the probe and returns its bench-side face. */
export async function connectProbe(port) {
  const client = await inspectorClient(port, { timeoutMs: 60000 });
  const evaluate = async (expression, timeoutMs) => {
    const { result, exceptionDetails } = await client.call('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, timeoutMs);
    if (exceptionDetails) throw new Error(`probe: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  };
  await evaluate(`(${probeMain.toString()})()`);
  const call = (fn, ...args) => evaluate(`globalThis.__gwsScale.${fn}(...${JSON.stringify(args)})`, 120000);
  return {
    statusSummary: (prefix, since) => call('statusSummary', prefix, since),
    burst: (tag, agents, per, base) => call('burst', tag, agents, per, base),
    burstState: (tag, full = false) => call('burstState', tag, full),
    resources: () => call('resources'),
    warningReport: () => call('warningReport'),
    loopDelay: (reset = true) => call('loopDelay', reset),
    warningCounts: () => call('warningCounts'),
    heapSnapshot: (file) => remoteHeapSnapshot(client, file),
    async profileStart() {
      await client.call('Profiler.enable');
      await client.call('Profiler.setSamplingInterval', { interval: 1000 });
      await client.call('Profiler.start');
    },
    profileStop: async () => (await client.call('Profiler.stop', {}, 300000)).profile,
    close: () => client.close(),
  };
}
