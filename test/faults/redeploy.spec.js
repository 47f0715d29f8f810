'use strict';
/**
 * 100 full redeploys (`setFlows(flow, 'full')`: every node, the gws-server config node included, is
 * stopped and started again) while requests are in flight: some POSTs held up by latency, some waiting
 * for an acknowledgement the simulator dropped, some just answered. Proves, through real nodes:
 *  - every message ends exactly once: with its output, or with `... node closed before the answer
 *    arrived (referenceId ...)` (rule 11), counted per _msgid on the node instances themselves (a Catch
 *    node may already be stopped while the action nodes close);
 *  - an answer to a request of a closed node, arriving later on the new connection, ends nothing;
 *  - the flows stop within 1 s each time;
 *  - after every redeploy one CometD client and one long poll are left on the server (the old client said
 *    goodbye), and after the last unload no socket, no CometD client, no timer or socket of the package,
 *    and no extra listener on RED.events or process.
 * Fails without the close handling of action-node.ts (checked in a copy of the package: the messages
 * then end only when the server node closes the connection, with another text), without its `ended`
 * guard (doubled: the aborted request ends the message a second time; checked in a copy of the package:
 * "r0-0 ended 2 times"), and without the connection's stop (sockets, clients, timers left behind).
 */
const assert = require('node:assert/strict');
const { delay, until, trackResources } = require('../helpers');
const { helper, load, flowHarness } = require('../helpers/flow');
const {
  COMPLETE, CHAINED, OPERATION, faultFlow, connected, crashRecorder, countFaults, trackEndings, listenerCounts, nextHandle,
} = require('../helpers/faults');
const { completeParams, chainParams } = require('../helpers');

const REDEPLOYS = 100;
const PER_ROUND = 10;
const CLOSED = /^(CompleteRecord|GetChainedRecord) failed: node closed before the answer arrived \(referenceId [0-9a-f-]{36}\)$/;

describe('reliability: 100 full redeploys with requests in flight', function () {
  this.timeout(240000);
  const h = flowHarness({ chainLength: 2 });

  it('ends every pending message exactly once and leaves nothing behind', async () => {
    const crashes = crashRecorder();
    const processBefore = listenerCounts(process);
    const eventsBefore = listenerCounts(helper._events);
    const tracker = trackResources();
    const flow = faultFlow(h.sim, {
      actions: [{ id: 'a', type: COMPLETE, timeout: 10000 }, { id: 'c', type: CHAINED, timeout: 10000 }],
      extra: [{ id: 'ev', type: 'gws-outbound-event', server: 'server', channel: 'both', wires: [] }],
    });
    await load(flow);
    // Hold some POSTs up (they are in flight at the redeploy) and drop half of the answers (those
    // requests wait until the node closes). Only the operations: logins and handshakes stay fast.
    h.sim.faults.add([
      { kind: 'latency', ms: 300, probability: 0.3, operation: 'CompleteRecord' },
      { kind: 'latency', ms: 300, probability: 0.3, operation: 'GetChainedRecord' },
      { kind: 'ack', mode: 'drop', probability: 0.5 },
    ]);
    const endings = new Map();
    const sent = new Map();
    let pendingAtRedeploy = 0;
    const stopTimes = [];
    const injected = countFaults(h.sim);
    let stoppedAt = 0;
    const onStopped = () => {
      stoppedAt = Date.now();
    };
    helper._events.on('flows:stopped', onStopped);
    let eventsAfterFirst;

    for (let round = 0; round < REDEPLOYS; round++) {
      await connected(5000);
      const conn = await helper.getNode('server').connect();
      trackEndings('a', endings);
      trackEndings('c', endings);
      if (round === 1) {
        // (without this test's own flows:stopped listener)
        helper._events.off('flows:stopped', onStopped);
        eventsAfterFirst = listenerCounts(helper._events);
        helper._events.on('flows:stopped', onStopped);
      }
      // The old client said goodbye: one client, one long poll.
      // The old connection said goodbye and closed its sockets: one client, one long poll, at most one
      // more socket (the keep-alive socket of the new login and handshake).
      await until(() => h.sim.stats().cometdClients === 1 && h.sim.stats().heldConnects === 1 && h.sim.stats().liveSockets <= 2, 3000, `round ${round}: one CometD client, sockets back to the long poll (${JSON.stringify(h.sim.stats())})`);

      const ids = [];
      for (let k = 0; k < PER_ROUND; k++) {
        const id = `r${round}-${k}`;
        const type = k % 3 === 2 ? CHAINED : COMPLETE;
        const payload = (type === CHAINED ? chainParams : completeParams)({ recordHandle: nextHandle() });
        sent.set(id, { type, round });
        ids.push(id);
        helper.getNode(type === CHAINED ? 'c' : 'a').receive({ _msgid: id, payload });
      }
      // Every message has reached the connection (waiting for its POST or its answer) or has ended.
      const ended = () => ids.filter((id) => endings.has(id) && (endings.get(id).done + endings.get(id).errors.length) > 0).length;
      await until(() => conn.stats.pending + ended() === PER_ROUND, 3000, `round ${round}: all messages sent`);
      // Let a few answers arrive, so that outputs and pending requests mix.
      await delay(round % 5 === 0 ? 0 : 20);
      pendingAtRedeploy += conn.stats.pending;

      const started = Date.now();
      await helper.setFlows(flow, 'full');
      stopTimes.push(stoppedAt - started);

      // Each message of this round ended exactly once: an output, or "node closed before the answer arrived".
      await delay(5);
      for (const id of ids) {
        const e = endings.get(id) ?? { sent: 0, done: 0, errors: [] };
        const n = e.done + e.errors.length;
        assert.equal(n, 1, `${id} ended ${n} times: ${JSON.stringify(e)}`);
        if (e.errors.length === 1) {
          assert.match(e.errors[0], CLOSED, id);
          assert.ok(e.errors[0].startsWith(OPERATION[sent.get(id).type]), id);
          assert.equal(e.sent, 0, `${id}: no output beside the error`);
        } else {
          assert.equal(e.sent, 1, `${id}: done() with exactly one output`);
        }
      }
    }
    await connected(5000);
    helper._events.off('flows:stopped', onStopped);

    // Answers to requests of closed nodes (held-up POSTs answered later on the old connection, dropped
    // ones never) and duplicates: wait past the latency, then nothing may have ended twice.
    await delay(800);
    const closed = [];
    const answered = [];
    for (const [id] of sent) {
      const e = endings.get(id) ?? { sent: 0, done: 0, errors: [] };
      assert.equal(e.done + e.errors.length, 1, `${id} ended ${e.done + e.errors.length} times: ${JSON.stringify(e)}`);
      assert.equal(e.sent, e.done, `${id}: an output exactly when done()`);
      (e.errors.length ? closed : answered).push(id);
    }
    assert.equal([...endings.keys()].filter((id) => !sent.has(id)).length, 0, 'no ending of a message never sent');
    console.log(`      ${REDEPLOYS} redeploys, ${sent.size} messages: ${answered.length} answered, ${closed.length} ended by the redeploy (${pendingAtRedeploy} pending at the redeploys, ${injected.sum('latency')} of them with the POST on the wire); flows stopped in max ${Math.max(...stopTimes)} ms, mean ${Math.round(stopTimes.reduce((s, t) => s + t, 0) / stopTimes.length)} ms`);
    assert.ok(closed.length >= REDEPLOYS, `requests really were in flight at the redeploys (${closed.length} closed)`);
    assert.ok(answered.length >= REDEPLOYS, `and others were answered (${answered.length})`);
    assert.ok(injected.sum('latency') >= 50, `POSTs were on the wire at the redeploys (${injected.sum('latency')} held up)`);
    assert.ok(Math.max(...stopTimes) < 1000, `every stop within 1 s (rule 11): ${stopTimes.join(', ')}`);
    // No listener added per deploy.
    assert.deepEqual(listenerCounts(helper._events), eventsAfterFirst, 'RED.events listeners as after the first redeploy');

    await helper.unload();
    await until(() => h.sim.stats().liveSockets === 0 && h.sim.stats().cometdClients === 0, 3000, `nothing left on the server after unload (${JSON.stringify(h.sim.stats())})`);
    await delay(50);
    const left = tracker.stop();
    assert.deepEqual(left.map((r) => `${r.type}\n${r.stack}`), [], 'no timer or socket of the package left');
    assert.deepEqual(listenerCounts(helper._events), eventsBefore, 'RED.events listeners as before the first deploy');
    assert.deepEqual(listenerCounts(process), processBefore, 'process listeners as before');
    assert.deepEqual(crashes.stop(), [], 'no unhandled rejection or uncaught exception');
  });
});
