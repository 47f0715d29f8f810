'use strict';
/**
 * gws-outbound-event in a flow, against the bundled simulator: what it sends per notification, its
 * filters, correlation tags (and their limits: rule 8, one config node per correlation memory),
 * reconnects, redeploys and a burst of 10,000 notifications.
 */
const assert = require('node:assert/strict');
const { startSim, until, delay, DEVICE } = require('../helpers');
const { helper, serverNode, credentials, load, nextMessage, flowHarness } = require('../helpers/flow');
const {
  STATUS, OUTBOUND, INTERNAL, collect, statusHistory, lastStatus, statusNames, outboundMessage, userEventMessage, handles, range,
} = require('../helpers/events');

/** After the expected messages arrived: time for an unexpected extra or doubled one to show up. */
const SETTLE_MS = 150;
const AGENT2 = { username: 'agent2', password: 'agent2' };

/** An event node wired to a helper node `out-<id>`, and that helper node. */
function eventNode(id, extra = {}) {
  return [{ id, type: 'gws-outbound-event', server: 'server', wires: [[`out-${id}`]], ...extra }, { id: `out-${id}`, type: 'helper' }];
}

function completeNode(id, extra = {}) {
  return [{ id, type: 'gws-complete-record', server: 'server', wires: [[`out-${id}`]], ...extra }, { id: `out-${id}`, type: 'helper' }];
}

/** Resolves when every node in `ids` shows `connected` (for an event node: its subscriptions are confirmed). */
function connected(...ids) {
  return until(() => ids.every((id) => lastStatus(id) === 'connected'), 5000, `${ids.join(', ')} connected`);
}

/** Resolves when node `id`, after status number `mark`, left `connected` and came back to it. */
function reconnected(id, mark, timeoutMs = 8000) {
  return until(() => {
    const names = statusNames(id, mark);
    return names.length >= 2 && names.at(-1) === 'connected';
  }, timeoutMs, `${id} connected again`);
}

const byTopic = (messages, topic) => messages.filter((msg) => msg.topic === topic);

describe('gws-outbound-event node', function () {
  this.timeout(20000);
  const h = flowHarness();

  describe('output', () => {
    it('sends an unsolicited notification with payload = data, topic = notificationType, channel, and no msg.gws', async () => {
      await load([serverNode(h.sim), ...eventNode('e', { channel: 'both' })]);
      await connected('e');
      const got = collect('out-e');
      assert.equal(h.sim.pushPreviewRecord('agent1', { recordHandle: 4711, contactInfo: '5550104711' }), 1, 'one subscribed client');
      await until(() => got.length === 1, 3000, 'the PreviewRecord');
      const [preview] = got;
      assert.deepEqual(preview.payload, {
        record: { campaignName: 'Campaign1', devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, recordHandle: 4711, contactInfo: '5550104711' },
        notificationType: 'PreviewRecord',
        messageType: 'OutboundRecordMessage',
      });
      assert.equal(preview.topic, 'PreviewRecord');
      assert.equal(preview.channel, OUTBOUND);
      assert.equal(Object.hasOwn(preview, 'gws'), false, 'no msg.gws on an unsolicited notification');

      // Without notificationType (missing or empty) the topic is the messageType.
      const userEvent = userEventMessage(4711);
      const untyped = { channel: OUTBOUND, data: { messageType: 'OutboundRecordMessage', notificationType: '', record: { recordHandle: 4712 } } };
      h.sim.push('agent1', [userEvent, untyped]);
      await until(() => got.length === 3, 3000, 'the user event and the untyped message');
      assert.deepEqual(got[1].payload, userEvent.data);
      assert.deepEqual(got.slice(1).map((m) => [m.topic, m.channel, Object.hasOwn(m, 'gws')]), [
        ['DeviceUserEventMessage', INTERNAL, false],
        ['OutboundRecordMessage', OUTBOUND, false],
      ]);
      await delay(SETTLE_MS);
      assert.equal(got.length, 3, 'each notification once');
    });
  });

  describe('correlation tags', () => {
    const correlationKeys = ['nodeId', 'operationName', 'recordHandle', 'referenceId', 'request'];

    it('tags the acknowledgement of a fire-and-forget request (waitForAck false) with the request; never the user event', async () => {
      await load([serverNode(h.sim), ...completeNode('a', { waitForAck: false }), ...eventNode('e', { channel: 'both' })]);
      await connected('a', 'e');
      const events = collect('out-e');
      const answered = nextMessage('out-a');
      helper.getNode('a').receive({ payload: { recordHandle: 12, callingList: 'CallingList1', callResult: 'Answer' } });
      const sent = await answered;
      assert.equal(sent.topic, 'CompleteRecord');
      assert.deepEqual(sent.payload, { statusCode: 0 });
      await until(() => events.length === 2, 3000, 'acknowledgement and user event');

      const [ack] = byTopic(events, 'RecordProcessedAcknowledge');
      assert.ok(ack, `no acknowledgement among ${events.map((m) => m.topic)}`);
      assert.equal(ack.channel, OUTBOUND);
      assert.equal(ack.payload.referenceId, sent.gws.referenceId);
      const correlation = ack.gws?.correlation;
      assert.ok(correlation, 'the acknowledgement carries msg.gws.correlation');
      assert.deepEqual(Object.keys(correlation).sort(), correlationKeys);
      assert.equal(correlation.referenceId, sent.gws.referenceId);
      assert.equal(correlation.operationName, 'CompleteRecord');
      assert.equal(String(correlation.recordHandle), '12');
      assert.equal(correlation.nodeId, 'a');
      const posted = h.sim.requests().at(-1);
      assert.deepEqual(correlation.request, posted.body, 'request = the body that was POSTed');
      assert.deepEqual(correlation.request, sent.gws.request);

      const [userEvent] = byTopic(events, 'DeviceUserEventMessage');
      assert.ok(userEvent, 'the user event arrives too');
      assert.equal(userEvent.channel, INTERNAL);
      assert.equal(userEvent.payload.userData.GSW_RECORD_HANDLE, 12);
      assert.equal(Object.hasOwn(userEvent, 'gws'), false, 'rule 8: a DeviceUserEventMessage is never tagged');
    });

    it('tags the acknowledgement of a request that waits for it (waitForAck true); the user event is joined to the action, untagged on the event node', async () => {
      await load([serverNode(h.sim), ...completeNode('a'), ...eventNode('e', { channel: 'both' })]);
      await connected('a', 'e');
      const events = collect('out-e');
      const answered = nextMessage('out-a');
      helper.getNode('a').receive({ payload: { recordHandle: 77, callingList: 'CallingList1', referenceId: 'ref-77' } });
      const done = await answered;
      assert.equal(done.topic, 'RecordProcessedAcknowledge');
      assert.equal(done.gws.userEvent?.messageType, 'DeviceUserEventMessage', 'the action joined the user event');
      await until(() => events.length === 2, 3000, 'acknowledgement and user event');

      const [ack] = byTopic(events, 'RecordProcessedAcknowledge');
      assert.deepEqual(ack.payload, done.payload, 'the same acknowledgement');
      assert.deepEqual(Object.keys(ack.gws.correlation).sort(), correlationKeys);
      assert.deepEqual(
        { ...ack.gws.correlation, recordHandle: String(ack.gws.correlation.recordHandle) },
        { referenceId: 'ref-77', operationName: 'CompleteRecord', recordHandle: '77', nodeId: 'a', request: h.sim.requests().at(-1).body },
      );
      assert.equal(ack.gws.correlation.request.referenceId, 'ref-77');
      const [userEvent] = byTopic(events, 'DeviceUserEventMessage');
      assert.equal(Object.hasOwn(userEvent, 'gws'), false, 'rule 8');

      // A DeviceUserEventMessage that (unusually) names the referenceId of our request is not tagged either.
      const odd = userEventMessage(77);
      odd.data.referenceId = 'ref-77';
      h.sim.push('agent1', [odd]);
      await until(() => events.length === 3, 3000, 'the odd user event');
      assert.equal(events[2].topic, 'DeviceUserEventMessage');
      assert.equal(Object.hasOwn(events[2], 'gws'), false, 'rule 8 holds whatever the user event carries');
    });

    it('still tags an acknowledgement that arrives after its request timed out', async () => {
      h.sim.faults.add({ kind: 'ack', mode: 'late', lateMs: 400, count: 1, operation: 'CompleteRecord' });
      await load([serverNode(h.sim), ...completeNode('a', { timeout: '150' }), ...eventNode('e')]);
      await connected('a', 'e');
      const events = collect('out-e');
      const failures = [];
      helper.getNode('a').on('call:error', (call) => failures.push(String(call.args[0])));
      helper.getNode('a').receive({ payload: { recordHandle: 5, callingList: 'CallingList1', referenceId: 'late-5' } });
      await until(() => failures.length === 1, 3000, 'the timeout');
      assert.match(failures[0], /no RecordProcessedAcknowledge within 150 ms/);
      await until(() => events.length === 1, 3000, 'the late acknowledgement');
      assert.equal(events[0].topic, 'RecordProcessedAcknowledge');
      assert.equal(events[0].gws?.correlation?.referenceId, 'late-5');
      assert.equal(events[0].gws.correlation.nodeId, 'a');
    });
  });

  describe('filters', () => {
    it('warns about a channel or correlated setting it does not know, and says what it uses', async () => {
      await load([serverNode(h.sim), ...eventNode('odd', { channel: '/foo', correlated: 'xyz' }), ...eventNode('fine', { channel: 'both', correlated: 'only' })]);
      await connected('odd', 'fine');
      // The warnings come from the constructors, so they are read from the runtime log.
      const log = helper.log();
      const warned = (id) => log.args.map(([entry]) => entry).filter((entry) => entry && entry.level === log.WARN && entry.id === id).map((entry) => String(entry.msg));
      assert.deepEqual(warned('odd'), [
        'channel "/foo" is not /v2/me/outbound, /me/internal or both: using /v2/me/outbound',
        'correlated "xyz" is not all, only or none: using all',
      ]);
      assert.deepEqual(warned('fine'), []);
    });

    it('channel: /v2/me/outbound by default, /me/internal, both, and /v2/me/* as both', async () => {
      // Ids must not equal a property value ('both', 'all'): Node-RED would read that value as a reference to the node.
      const channels = { chDef: undefined, chOut: '/v2/me/outbound', chInt: '/me/internal', chBoth: 'both', chWild: '/v2/me/*' };
      const flow = [serverNode(h.sim)];
      for (const [id, channel] of Object.entries(channels)) flow.push(...eventNode(id, channel === undefined ? {} : { channel }));
      await load(flow);
      await connected(...Object.keys(channels));
      const got = Object.fromEntries(Object.keys(channels).map((id) => [id, collect(`out-${id}`)]));
      h.sim.push('agent1', [outboundMessage(1), userEventMessage(2), outboundMessage(3, 'RecordProcessedAcknowledge'), userEventMessage(4, 'RecordRejectAcknowledge')]);
      const expected = { chDef: [1, 3], chOut: [1, 3], chInt: [2, 4], chBoth: [1, 2, 3, 4], chWild: [1, 2, 3, 4] };
      await until(() => Object.keys(expected).every((id) => got[id].length >= expected[id].length), 3000, 'every node served');
      await delay(SETTLE_MS);
      for (const id of Object.keys(expected)) {
        assert.deepEqual(handles(got[id]), expected[id], `channel ${channels[id]}`);
        for (const msg of got[id]) assert.equal(msg.channel, msg.payload.messageType === 'DeviceUserEventMessage' ? INTERNAL : OUTBOUND);
      }
    });

    it('notificationTypes: an array or a comma-separated string; a device user event matches by GSW_USER_EVENT; empty passes all', async () => {
      const types = {
        arr: ['PreviewRecord', 'ChainedRecordsDataEnd'],
        str: ' PreviewRecord , ChainedRecordsDataEnd ,',
        ack: 'RecordProcessedAcknowledge',
        mt: ['DeviceUserEventMessage'],
        empty: '',
        emptyArr: [],
      };
      const flow = [serverNode(h.sim)];
      for (const [id, notificationTypes] of Object.entries(types)) flow.push(...eventNode(id, { channel: 'both', notificationTypes }));
      await load(flow);
      await connected(...Object.keys(types));
      const got = Object.fromEntries(Object.keys(types).map((id) => [id, collect(`out-${id}`)]));
      h.sim.push('agent1', [
        outboundMessage(1, 'PreviewRecord'),
        outboundMessage(2, 'ChainedRecordsDataEnd'),
        outboundMessage(3, 'RecordProcessedAcknowledge'),
        userEventMessage(4, 'RecordProcessedAcknowledge'),
        userEventMessage(5, 'RecordRejectAcknowledge'),
        outboundMessage(6, 'SomethingElse'),
      ]);
      const expected = { arr: [1, 2], str: [1, 2], ack: [3, 4], mt: [4, 5], empty: range(1, 6), emptyArr: range(1, 6) };
      await until(() => Object.keys(expected).every((id) => got[id].length >= expected[id].length), 3000, 'every node served');
      await delay(SETTLE_MS);
      for (const id of Object.keys(expected)) assert.deepEqual(handles(got[id]), expected[id], `notificationTypes ${JSON.stringify(types[id])}`);
      assert.deepEqual(got.ack.map((m) => m.topic), ['RecordProcessedAcknowledge', 'DeviceUserEventMessage'], 'the topic stays the messageType');
    });

    it('correlated: all (default) passes everything, only the tagged ones, none the untagged ones', async () => {
      const modes = { corAll: { correlated: 'all' }, corOnly: { correlated: 'only' }, corNone: { correlated: 'none' }, corDefault: {} };
      const flow = [serverNode(h.sim), ...completeNode('a')];
      for (const [id, extra] of Object.entries(modes)) flow.push(...eventNode(id, { channel: 'both', ...extra }));
      await load(flow);
      await connected('a', ...Object.keys(modes));
      const got = Object.fromEntries(Object.keys(modes).map((id) => [id, collect(`out-${id}`)]));
      h.sim.pushPreviewRecord('agent1', { recordHandle: 100 });
      await until(() => got.corAll.length === 1, 3000, 'the first preview');
      const answered = nextMessage('out-a');
      helper.getNode('a').receive({ payload: { recordHandle: 12, callingList: 'CallingList1', referenceId: 'ref-12' } });
      await answered;
      h.sim.pushPreviewRecord('agent1', { recordHandle: 101 });
      const summary = (messages) => messages.map((m) => `${m.topic}:${handles([m])[0]}:${m.gws?.correlation?.referenceId ?? '-'}`);
      const expected = {
        corAll: ['PreviewRecord:100:-', 'RecordProcessedAcknowledge:12:ref-12', 'DeviceUserEventMessage:12:-', 'PreviewRecord:101:-'],
        corOnly: ['RecordProcessedAcknowledge:12:ref-12'],
        corNone: ['PreviewRecord:100:-', 'DeviceUserEventMessage:12:-', 'PreviewRecord:101:-'],
        corDefault: ['PreviewRecord:100:-', 'RecordProcessedAcknowledge:12:ref-12', 'DeviceUserEventMessage:12:-', 'PreviewRecord:101:-'],
      };
      await until(() => Object.keys(expected).every((id) => got[id].length >= expected[id].length), 3000, 'every node served');
      await delay(SETTLE_MS);
      for (const id of Object.keys(expected)) assert.deepEqual(summary(got[id]), expected[id], `correlated ${modes[id].correlated ?? '(default)'}`);
    });
  });

  it('two config nodes with two users: each event node sees its own user only; a correlation of server A never tags on server B', async () => {
    h.sim.setUser('agent2', { password: AGENT2.password });
    const server2 = serverNode(h.sim, { id: 'server2', name: 'sim2' });
    await load([
      serverNode(h.sim),
      server2,
      ...completeNode('a'),
      ...eventNode('e1'),
      ...eventNode('e2', { server: 'server2' }),
    ], { ...credentials('server'), ...credentials('server2', AGENT2) });
    await connected('a', 'e1', 'e2');
    assert.equal(h.sim.stats().cometdClients, 2, 'one CometD client per config node');
    const got1 = collect('out-e1');
    const got2 = collect('out-e2');
    h.sim.pushPreviewRecord('agent1', { recordHandle: 1 });
    h.sim.pushPreviewRecord('agent2', { recordHandle: 2 });
    await until(() => got1.length === 1 && got2.length === 1, 3000, 'one preview each');

    // Server A sends a request; server B's user receives a message with the same referenceId.
    const answered = nextMessage('out-a');
    helper.getNode('a').receive({ payload: { recordHandle: 3, callingList: 'CallingList1', referenceId: 'shared-ref' } });
    await answered;
    h.sim.push('agent2', [outboundMessage(3, 'RecordProcessedAcknowledge', { referenceId: 'shared-ref' })]);
    await until(() => got1.length === 2 && got2.length === 2, 3000, 'the acknowledgement on both');
    await delay(SETTLE_MS);
    assert.deepEqual(handles(got1), [1, 3]);
    assert.deepEqual(handles(got2), [2, 3]);
    assert.equal(got1[1].gws?.correlation?.nodeId, 'a', 'tagged on server A');
    assert.equal(Object.hasOwn(got2[1], 'gws'), false, 'never tagged on server B');
  });

  describe('reconnects', () => {
    /** `expected`: the statuses the node shows from the disturbance until it is connected again. */
    async function reconnectTest(disturb, expected) {
      await load([serverNode(h.sim), ...eventNode('e')]);
      await connected('e');
      const got = collect('out-e');
      h.sim.push('agent1', range(1, 5).map((n) => outboundMessage(n)));
      await until(() => got.length === 5, 3000, 'records 1-5');
      const mark = statusHistory('e').length;
      await disturb();
      await reconnected('e', mark);
      const names = statusNames('e', mark);
      assert.deepEqual(names, expected, 'statuses while reconnecting');
      assert.equal(h.sim.stats().cometdClients, 1, 'one CometD client again');
      // Subscribed again: what is pushed now reaches the node.
      h.sim.push('agent1', range(6, 3).map((n) => outboundMessage(n)));
      h.sim.push('agent1', range(9, 2).map((n) => outboundMessage(n)));
      await until(() => got.length >= 10, 3000, 'records 6-10');
      await delay(SETTLE_MS);
      assert.deepEqual(handles(got), range(1, 10), 'every record once, in order');
    }

    it('subscribes again by itself after the server forgot the CometD client (402 Unknown client)', async () => {
      await reconnectTest(() => h.sim.forgetClients(), ['connecting', 'connected']);
    });

    it('subscribes again by itself after a server restart', async () => {
      await reconnectTest(() => h.sim.restart(300), ['unreachable', 'connecting', 'connected']);
    });
  });

  describe('redeploy and removal', () => {
    it('redeploying or removing one event node disturbs neither another event node nor an action node; removing the last node disconnects', async () => {
      const flow = [serverNode(h.sim), ...completeNode('a'), ...eventNode('e1'), ...eventNode('e2')];
      await load(flow);
      await connected('a', 'e1', 'e2');
      const got1 = collect('out-e1');
      const got2 = collect('out-e2');
      h.sim.pushPreviewRecord('agent1', { recordHandle: 1 });
      await until(() => got1.length === 1 && got2.length === 1, 3000, 'record 1');

      // Neither e1 nor the action node may see the connection drop at any point below.
      const marks = { e1: statusHistory('e1').length, a: statusHistory('a').length };
      const undisturbed = () => {
        for (const id of ['e1', 'a']) {
          const names = statusNames(id, marks[id]).filter((name) => !/^waiting/.test(name));
          assert.ok(names.every((name) => name === 'connected'), `${id} statuses since the first deploy: ${names}`);
        }
      };

      // Redeploy e2 (changed name): closed with removed=false and started again.
      const e2 = flow.find((n) => n.id === 'e2');
      const redeployed = flow.map((n) => (n === e2 ? { ...e2, name: 'changed' } : n));
      await helper.setFlows(redeployed, 'nodes');
      assert.equal(helper.getNode('e2').name, 'changed', 'e2 was redeployed');
      await connected('e2');
      assert.equal(h.sim.stats().cometdClients, 1, 'the shared client stays');
      h.sim.pushPreviewRecord('agent1', { recordHandle: 2 });
      await until(() => got1.length === 2 && got2.length === 2, 3000, 'record 2 on both');
      let answered = nextMessage('out-a');
      helper.getNode('a').receive({ payload: { recordHandle: 3, callingList: 'CallingList1', referenceId: 'after-redeploy' } });
      assert.equal((await answered).topic, 'RecordProcessedAcknowledge', 'the action node still works');
      await until(() => got1.length === 3 && got2.length === 3, 3000, 'the acknowledgement on both');
      assert.equal(got2[2].gws?.correlation?.nodeId, 'a', 'the redeployed node tags as before');
      undisturbed();

      // Remove e2.
      await helper.setFlows(redeployed.filter((n) => n.id !== 'e2'), 'nodes');
      assert.equal(helper.getNode('e2'), null);
      assert.equal(h.sim.stats().cometdClients, 1);
      h.sim.pushPreviewRecord('agent1', { recordHandle: 4 });
      answered = nextMessage('out-a');
      helper.getNode('a').receive({ payload: { recordHandle: 5, callingList: 'CallingList1', referenceId: 'after-removal' } });
      assert.equal((await answered).topic, 'RecordProcessedAcknowledge');
      await until(() => got1.length === 5, 3000, 'record 4 and the acknowledgement on e1');
      await delay(SETTLE_MS);
      assert.deepEqual(handles(got1), [1, 2, 3, 4, 5], 'e1: nothing lost, nothing doubled');
      assert.deepEqual(handles(got2), [1, 2, 3], 'the removed node got nothing more');
      assert.equal(h.sim.stats().cometdClients, 1);
      undisturbed();

      // Remove the last two users of the server node.
      await helper.setFlows([serverNode(h.sim), { id: 'out-a', type: 'helper' }, { id: 'out-e1', type: 'helper' }], 'nodes');
      await until(() => h.sim.stats().cometdClients === 0, 3000, 'disconnect when the last node is removed');
    });

    it('removing the only event node closes the connection', async () => {
      await load([serverNode(h.sim), ...eventNode('e')]);
      await connected('e');
      assert.equal(h.sim.stats().cometdClients, 1);
      await helper.setFlows([serverNode(h.sim), { id: 'out-e', type: 'helper' }], 'nodes');
      await until(() => h.sim.stats().cometdClients === 0 && h.sim.stats().heldConnects === 0, 3000, 'disconnect');
      assert.equal(h.sim.pushPreviewRecord('agent1'), 0, 'nobody listens any more');
    });

    // A changed node is closed with removed=false; the server node it left closes its connection once the
    // deploy has started the flows again and nobody uses it.
    it('moving the last node of a config node to another config node closes the first connection', async () => {
      h.sim.setUser('agent2', { password: AGENT2.password });
      const server2 = serverNode(h.sim, { id: 'server2', name: 'sim2' });
      const creds = { ...credentials('server'), ...credentials('server2', AGENT2) };
      const [e, out] = eventNode('e');
      await load([serverNode(h.sim), server2, e, out], creds);
      await connected('e');
      assert.equal(h.sim.stats().cometdClients, 1, 'server2 is not used yet');
      const got = collect('out-e');
      await helper.setFlows([serverNode(h.sim), server2, { ...e, server: 'server2' }, out], 'nodes', creds);
      await connected('e');
      h.sim.pushPreviewRecord('agent2', { recordHandle: 2 });
      await until(() => got.length === 1, 3000, 'a notification of agent2');
      // Server node A has no node any more: its CometD client must go.
      await until(() => h.sim.stats().cometdClients === 1, 3000, 'the connection of the unused config node closed');
      assert.equal(h.sim.pushPreviewRecord('agent1', { recordHandle: 1 }), 0, 'no client of agent1 left');
    });
  });

  it('delivers a burst of 10,000 notifications in order, none lost, none doubled', async function () {
    this.timeout(30000);
    await load([serverNode(h.sim), ...eventNode('e')]);
    await connected('e');
    const seen = [];
    helper.getNode('out-e').on('input', (msg) => seen.push(msg.payload.record.recordHandle));
    const started = Date.now();
    for (let chunk = 0; chunk < 100; chunk++) {
      h.sim.push('agent1', range(chunk * 100, 100).map((n) => outboundMessage(n)));
      // Let some chunks travel in separate long-poll answers, others together.
      if (chunk % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => seen.length >= 10000, 20000, `10,000 notifications (got ${seen.length})`);
    const elapsed = Date.now() - started;
    await delay(SETTLE_MS);
    assert.equal(seen.length, 10000, 'none doubled');
    const firstOutOfOrder = seen.findIndex((handle, i) => handle !== i);
    assert.equal(firstOutOfOrder, -1, `in order, none lost (first mismatch at ${firstOutOfOrder}: ${seen[firstOutOfOrder]})`);
    assert.ok(elapsed < 20000, `took ${elapsed} ms`);
  });

  it('shows the connection state: connecting, connected, unreachable while GWS is down, connected when it is back', async () => {
    await load([serverNode(h.sim), ...eventNode('e')]);
    await connected('e');
    const history = statusHistory('e');
    const start = history[0].text === `${STATUS}disconnected` ? 1 : 0;
    assert.deepEqual(history.slice(start), [
      { fill: 'yellow', shape: 'ring', text: `${STATUS}connecting` },
      { fill: 'green', shape: 'dot', text: `${STATUS}connected` },
    ]);

    const port = h.sim.port;
    await h.sim.stop();
    await until(() => lastStatus('e') === 'unreachable', 5000, 'unreachable');
    assert.deepEqual(statusHistory('e').at(-1), { fill: 'red', shape: 'ring', text: `${STATUS}unreachable` });

    h.sim = await startSim({ port });
    await until(() => lastStatus('e') === 'connected', 8000, 'connected again');
    const got = collect('out-e');
    h.sim.pushPreviewRecord('agent1', { recordHandle: 9 });
    await until(() => got.length === 1, 3000, 'a notification after the outage');
    assert.deepEqual(handles(got), [9]);
  });
});
