'use strict';
/**
 * Helpers of the reliability suite (test/faults): a flow of real nodes against the simulator, a
 * ledger of how every input message ended (outputs through a helper node, errors through a Catch
 * node into a helper node), a driver that pushes many messages through with bounded concurrency, a
 * recorder of process-level failures, and a count of the faults the simulator really injected.
 */
const assert = require('node:assert/strict');
const { helper, serverNode } = require('./flow');
const { onTab, isConnected, track } = require('./actions');
const { until, delay, completeParams, chainParams } = require('./index');

const COMPLETE = 'gws-complete-record';
const CHAINED = 'gws-get-chained-record';
const RECORD = 'gws-outbound-record';
const CAMPAIGN = 'gws-outbound-campaign';
const ANSWER = { [COMPLETE]: 'RecordProcessedAcknowledge', [CHAINED]: 'ChainedRecordsDataEnd' };
const OPERATION = { [COMPLETE]: 'CompleteRecord', [CHAINED]: 'GetChainedRecord' };
/** The answer that ends each operation a fault run sends (AddRecord's, of the simulator: AddRecordAcknowledge). */
const ANSWER_OF = {
  CompleteRecord: 'RecordProcessedAcknowledge',
  GetChainedRecord: 'ChainedRecordsDataEnd',
  RejectRecord: 'RecordRejectAcknowledge',
  RescheduleRecord: 'ScheduledRecordRescheduleAcknowledge',
  DoNotCallRecord: 'DoNotCallAcknowledge',
  UpdateRecord: 'UpdateCallCompletionStatsAcknowledge',
  AddRecord: 'AddRecordAcknowledge',
  GetPreviewRecord: 'PreviewRecord',
};

/**
 * A valid msg.payload for `operation` about record `handle` (AddRecord makes a new record, and
 * GetPreviewRecord gets one: neither names a handle).
 */
function payloadFor(operation, handle) {
  const { applicationId, campaignName, devicePath } = completeParams();
  const base = { applicationId, campaignName, devicePath };
  switch (operation) {
    case 'CompleteRecord':
      return completeParams({ recordHandle: handle });
    case 'GetChainedRecord':
      return chainParams({ recordHandle: handle });
    case 'RejectRecord':
      return { ...base, recordHandle: handle, callingList: 'CallingList1' };
    case 'RescheduleRecord':
      return { ...base, recordHandle: handle, callbackType: 'Personal', timestamp: 2000000000 };
    case 'DoNotCallRecord':
      return { ...base, recordHandle: handle, callingList: 'CallingList1', chainAttribute: 'RecordOnly' };
    case 'UpdateRecord':
      return { ...base, recordHandle: handle, phoneNumber: '5550100', phoneType: 'Mobile' };
    case 'AddRecord':
      return { ...base, callingList: 'CallingList1', phoneNumber: '5550142', timeZone: 'GMT', phoneType: 'HomePhone', from: 28800, until: 72000 };
    case 'GetPreviewRecord':
      return {};
    default:
      throw new Error(`no payload for ${operation}`);
  }
}

/** Every message gets its own record handle (the user-event join and the answer check rely on it). */
let handleSeq = 100000;
const nextHandle = () => ++handleSeq;

/**
 * server + the action nodes (each wired to helper `out`) + a Catch node for the tab (wired to helper
 * `caught`). `actions`: [{ id, type, timeout, ... }]. The Catch node must not have the id `catch`:
 * without x/y every node counts as a config node when the flow starts, and one whose id equals its
 * own type is taken for a config node referencing itself ("Circular config node dependency") and is
 * never created.
 */
function faultFlow(sim, { actions = [{ id: 'a' }], server = {}, extra = [] } = {}) {
  return onTab([
    // The suites push up to 50 messages at once through this one server node: an integration's load, not
    // one agent's, configured as the README says for it (the default of 6 is sized for one agent; with 4
    // REST sockets, 5 s slow answers would hold every socket and the messages behind them time out).
    serverNode(sim, { maxSockets: '16', ...server }),
    ...actions.map(({ id, type = COMPLETE, timeout = '', ...rest }) => ({ id, type, server: 'server', timeout: String(timeout), ...rest, wires: [['out']] })),
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    ...extra,
  ]);
}

/** Resolves once the server node's shared connection has confirmed its subscriptions. */
function connected(timeoutMs = 5000) {
  return until(isConnected, timeoutMs, 'the connection to the simulator');
}

/**
 * What happened to every message: sent (with node, record handle, type), outputs and errors per
 * _msgid. Only small facts are kept (not the messages), so that 10,000 operations do not weigh on
 * the heap measurement.
 */
class Ledger {
  constructor() {
    this.sent = new Map();
    this.outputs = new Map();
    this.errors = new Map();
    /** Outputs that do not answer their own request (wrong record or referenceId). */
    this.mismatched = [];
    /** Outputs or errors for _msgids this ledger never sent. */
    this.strangers = [];
    /** Record handles of the previewed records handed out so far (each may be handed out once). */
    this.previewed = new Set();
    this.endedCount = 0;
    this.onEnd = undefined;
  }

  /** Listens to `out` and `caught` of the flow loaded now (again after every redeploy). */
  attach() {
    helper.getNode('out').on('input', (msg) => this.#output(msg));
    helper.getNode('caught').on('input', (msg) => this.#error(msg));
  }

  /**
   * Sends one message to action node `nodeId`; returns its _msgid. `operation` is what the message asks
   * for (default: the operation of a complete or chained node), `extra` more properties of the message
   * (msg.operation for a node that reads it).
   */
  send(msgid, nodeId, type, payload, { operation = OPERATION[type], extra = {} } = {}) {
    this.sent.set(msgid, { nodeId, type, operation, handle: payload.recordHandle, at: Date.now() });
    helper.getNode(nodeId).receive({ ...extra, _msgid: msgid, payload });
    return msgid;
  }

  #ended(msgid) {
    if (this.endingsOf(msgid) === 1) {
      this.endedCount++;
      if (this.onEnd) this.onEnd(msgid);
    }
  }

  #output(msg) {
    const id = msg._msgid;
    const sent = this.sent.get(id);
    if (!sent) {
      this.strangers.push(`output ${id}`);
      return;
    }
    this.outputs.set(id, (this.outputs.get(id) ?? 0) + 1);
    const operation = sent.operation;
    const data = operation === 'GetChainedRecord' ? msg.payload?.end : msg.payload;
    // The record the answer names: the one sent; for a new or previewed record, one it names at all
    // (a previewed record at the top of msg.payload and in msg.gws, and never handed out twice).
    const handle = operation === 'GetPreviewRecord' ? msg.payload?.recordHandle : data?.record?.recordHandle;
    let handleOk = sent.handle !== undefined ? handle === sent.handle : handle !== undefined;
    if (operation === 'GetPreviewRecord') {
      handleOk &&= handle === msg.gws?.recordHandle && !this.previewed.has(handle);
      this.previewed.add(handle);
    }
    if (msg.topic !== ANSWER_OF[operation] || msg.gws?.operationName !== operation || !handleOk || data?.referenceId !== msg.gws?.referenceId) {
      this.mismatched.push(`${id}: ${operation}: topic ${msg.topic}, record ${handle} (sent ${sent.handle}), referenceId ${data?.referenceId} / ${msg.gws?.referenceId}`);
    }
    this.#ended(id);
  }

  #error(msg) {
    const id = msg._msgid;
    if (!this.sent.has(id)) {
      this.strangers.push(`error ${id}: ${msg.error?.message}`);
      return;
    }
    const list = this.errors.get(id) ?? [];
    const text = String(msg.error?.message);
    if (!text.startsWith(`${this.sent.get(id).operation} `)) this.mismatched.push(`${id}: error of another operation: ${text}`);
    list.push({ text, statusCode: msg.gws?.statusCode, httpStatus: msg.gws?.httpStatus, referenceId: msg.gws?.referenceId, source: msg.error?.source?.id });
    this.errors.set(id, list);
    this.#ended(id);
  }

  endingsOf(msgid) {
    return (this.outputs.get(msgid) ?? 0) + (this.errors.get(msgid)?.length ?? 0);
  }

  /** Ids (of those given, default all sent) that did not end exactly once. */
  problems(ids = [...this.sent.keys()]) {
    const missing = [];
    const doubled = [];
    for (const id of ids) {
      const n = this.endingsOf(id);
      if (n === 0) missing.push(id);
      else if (n > 1) doubled.push(`${id} x${n}: ${this.outputs.get(id) ?? 0} outputs, errors ${JSON.stringify((this.errors.get(id) ?? []).map((e) => e.text))}`);
    }
    return { missing, doubled };
  }

  /** Asserts: every id ended exactly once, each output answers its own request, nothing unknown arrived. */
  assertExactlyOnce(ids = [...this.sent.keys()], label = '') {
    const { missing, doubled } = this.problems(ids);
    assert.deepEqual(missing.slice(0, 20), [], `${label}${missing.length} of ${ids.length} messages never ended (lost)`);
    assert.deepEqual(doubled.slice(0, 20), [], `${label}${doubled.length} messages ended more than once (doubled)`);
    assert.deepEqual(this.mismatched.slice(0, 20), [], `${label}outputs answering another request`);
    assert.deepEqual(this.strangers.slice(0, 20), [], `${label}endings of messages that were never sent`);
  }

  /** Every error of the given ids: [{ id, text, statusCode, httpStatus }]. */
  errorList(ids = [...this.sent.keys()]) {
    return ids.flatMap((id) => (this.errors.get(id) ?? []).map((e) => ({ id, ...e })));
  }

  outputCount(ids = [...this.sent.keys()]) {
    return ids.reduce((sum, id) => sum + (this.outputs.get(id) ?? 0), 0);
  }

  /** Forget everything (between phases of a soak), keeping the listeners. */
  reset() {
    this.sent.clear();
    this.outputs.clear();
    this.errors.clear();
    this.mismatched.length = 0;
    this.strangers.length = 0;
    this.previewed.clear();
    this.endedCount = 0;
  }
}

/**
 * Pushes `total` messages through the flow, at most `concurrency` waiting at a time (a new one starts
 * when one ends), optionally at most `ratePerSec` started per second. `route(i)` picks the action
 * node ({ id, type }, and for a node of several operations `operation`, with `viaMsg` when the node
 * reads it from msg.operation); `onProgress(started)` is called after each start (to switch faults on and off
 * at a point of the run). Resolves with the ids once every message ended, or rejects after
 * `deadlineMs` naming what is still missing.
 */
function drive(ledger, { prefix, total, concurrency = 50, ratePerSec, route = () => ({ id: 'a', type: COMPLETE }), onProgress, deadlineMs = 120000 }) {
  const ids = [];
  let started = 0;
  let ended = 0;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    let pump;
    let paced;
    const deadline = setTimeout(() => {
      ledger.onEnd = undefined;
      clearTimeout(paced);
      const { missing } = ledger.problems(ids);
      reject(new Error(`${prefix}: ${ended} of ${total} ended within ${deadlineMs} ms; ${started} started; never ended: ${missing.slice(0, 10).join(', ')}`));
    }, deadlineMs);
    const finish = () => {
      clearTimeout(deadline);
      clearTimeout(paced);
      ledger.onEnd = undefined;
      resolve(ids);
    };
    const mine = new Set();
    ledger.onEnd = (id) => {
      if (!mine.has(id)) return;
      ended++;
      if (ended === total) finish();
      else setImmediate(pump);
    };
    pump = () => {
      while (started < total && started - ended < concurrency) {
        if (ratePerSec && started >= ((Date.now() - t0) / 1000) * ratePerSec) {
          if (!paced) {
            paced = setTimeout(() => {
              paced = undefined;
              pump();
            }, Math.max(1, Math.ceil(1000 / ratePerSec)));
          }
          return;
        }
        const i = started++;
        const { id: nodeId, type, operation = OPERATION[type], viaMsg = false } = route(i);
        const msgid = `${prefix}-${i}`;
        ids.push(msgid);
        mine.add(msgid);
        const payload = payloadFor(operation, nextHandle());
        ledger.send(msgid, nodeId, type, payload, { operation, extra: viaMsg ? { operation } : {} });
        if (onProgress) onProgress(started);
      }
    };
    if (total === 0) finish();
    else pump();
  });
}

/**
 * Records unhandled rejections and uncaught exceptions from now on (an uncaught exception would
 * otherwise end the process or fail an unrelated test). `stop()` removes the listeners.
 */
function crashRecorder() {
  const seen = [];
  const onRejection = (reason) => seen.push(`unhandledRejection: ${reason?.stack ?? reason}`);
  const onException = (error) => seen.push(`uncaughtException: ${error?.stack ?? error}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    seen,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      return seen;
    },
  };
}

/**
 * Counts the fault rules the simulator applied, by kind (with mode, lateMs, ms) and operation, by
 * wrapping the simulator's own `faults.take` (the instance, not the code): `counts['status:CompleteRecord']`,
 * `counts['ack.late.2500:GetChainedRecord']`, `counts['latency.5000:CompleteRecord']`, ...
 */
function countFaults(sim) {
  const counts = {};
  const take = sim.faults.take.bind(sim.faults);
  sim.faults.take = (kind, operation) => {
    const rule = take(kind, operation);
    if (rule) {
      const detail = [rule.mode, rule.lateMs, rule.ms].filter((part) => part !== undefined).map((part) => `.${part}`).join('');
      const key = `${kind}${detail}:${operation}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return rule;
  };
  const sum = (prefix) => Object.entries(counts).filter(([key]) => key.startsWith(prefix)).reduce((s, [, n]) => s + n, 0);
  return { counts, sum };
}

/** Runs `fn` every `ms` until stop() (for forgetClients, rotateCsrf during a run). */
function every(ms, fn) {
  let runs = 0;
  const timer = setInterval(() => {
    runs++;
    fn();
  }, ms);
  return {
    get runs() {
      return runs;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** Log entries at level ERROR or FATAL since the flow was loaded (Catch-handled errors are not logged). */
function loggedErrors() {
  const spy = helper.log();
  if (!spy) return [];
  return spy.args.map((args) => args[0]).filter((entry) => entry && typeof entry.level === 'number' && entry.level <= 20).map((entry) => `${entry.type}/${entry.id}: ${entry.msg}`);
}

/**
 * The test helper spies on Node.prototype.send/status/error/... and on the log, and its spies keep
 * every call (the messages with them). For heap measurements that history is forgotten first.
 */
function forgetSpyHistory() {
  const sandbox = helper._sandbox;
  if (sandbox && typeof sandbox.resetHistory === 'function') sandbox.resetHistory();
}

/** Histogram of error texts with ids, numbers and URLs folded, for messages and failure reports. */
function errorKinds(errors) {
  const kinds = {};
  for (const e of errors) {
    const kind = e.text
      .replace(/referenceId [0-9a-f-]+/g, 'referenceId …')
      .replace(/\d+ ms/g, 'N ms')
      .replace(/127\.0\.0\.1:\d+/g, 'sim');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/** Asserts every error matches one of `allowed` ({ text: RegExp, check?(e) }) and returns the counts per rule. */
function assertErrorKinds(errors, allowed, label = '') {
  const counts = allowed.map(() => 0);
  const unexpected = [];
  for (const e of errors) {
    const index = allowed.findIndex((rule) => rule.text.test(e.text) && (!rule.check || rule.check(e)));
    if (index < 0) unexpected.push(e);
    else counts[index]++;
  }
  assert.deepEqual(errorKinds(unexpected), {}, `${label}errors of an unexpected kind (${unexpected.length}), e.g. ${JSON.stringify(unexpected.slice(0, 3))}`);
  return counts;
}

/**
 * Normal service: `n` probe messages (spread over the action nodes by `route`) all end in an output
 * within `withinMs`.
 */
async function probe(ledger, { prefix, n = 50, route, withinMs = 5000 }) {
  const started = Date.now();
  const ids = await drive(ledger, { prefix, total: n, concurrency: n, route, deadlineMs: withinMs });
  const took = Date.now() - started;
  const errors = ledger.errorList(ids);
  assert.deepEqual(errorKinds(errors), {}, `${prefix}: probes after the fault ended failed`);
  assert.equal(ledger.outputCount(ids), n, `${prefix}: every probe answered`);
  return took;
}

module.exports = {
  COMPLETE, CHAINED, RECORD, CAMPAIGN, ANSWER, OPERATION, ANSWER_OF, payloadFor,
  isConnected, nextHandle, faultFlow, connected, Ledger, drive, crashRecorder, countFaults, every, loggedErrors, forgetSpyHistory, errorKinds, assertErrorKinds, probe, delay,
};

/**
 * Counts, per _msgid, what action node `nodeId` (the instance deployed now) did with each input: how
 * often it sent it on and how it ended it (done() / done(err)), into `into` (a Map shared across
 * redeploys, since every deploy makes new node instances). It wraps the instance's own `send` and
 * `_complete`, so it keeps counting while the node closes, when a Catch node may already be gone.
 */
function trackEndings(nodeId, into) {
  return track(nodeId, into).node;
}

/** Listener counts per event name of an EventEmitter (process, RED.events). */
function listenerCounts(emitter) {
  const counts = {};
  for (const name of emitter.eventNames()) counts[String(name)] = emitter.listenerCount(name);
  return counts;
}

module.exports.trackEndings = trackEndings;
module.exports.listenerCounts = listenerCounts;
