'use strict';
/**
 * gws-outbound-record ("record operation") in a real Node-RED against the bundled simulator (one per
 * test, port 0): each of its seven operations end to end, chosen on the node and by msg.operation; an
 * unknown msg.operation, a node without an operation, msg.operation on a node with a fixed one;
 * waitForAck off, timeouts, refusals and error notifications to a Catch node, the userEventError fault
 * failing the waiting request at once, redeploy while waiting; CompleteRecord and GetChainedRecord
 * behaving exactly like their own nodes; messages and Dates made in a function node; the event node's
 * correlation tags.
 */
const assert = require('node:assert/strict');
const { until, delay, DEVICE } = require('../helpers');
const { helper, ALL, serverNode, credentials, watch, flowHarness } = require('../helpers/flow');
const { onTab, actionFlow, collect, track, expectOutput, expectError, isConnected } = require('../helpers/actions');
const { coreModules } = require('../helpers/examples');

const RECORD = 'gws-outbound-record';
const OPERATIONS = ['RejectRecord', 'RescheduleRecord', 'DoNotCallRecord', 'UpdateRecord', 'AddRecord', 'CompleteRecord', 'GetChainedRecord'];
const ALLOWED = OPERATIONS.join(', ');
const ANSWER = {
  RejectRecord: 'RecordRejectAcknowledge',
  RescheduleRecord: 'ScheduledRecordRescheduleAcknowledge',
  DoNotCallRecord: 'DoNotCallAcknowledge',
  UpdateRecord: 'UpdateCallCompletionStatsAcknowledge',
  AddRecord: 'AddRecordAcknowledge',
  CompleteRecord: 'RecordProcessedAcknowledge',
  GetChainedRecord: 'ChainedRecordsDataEnd',
};
/** What an error text names as the awaited answer (AddRecord's is not documented: any type ending in Acknowledge). */
const AWAITED = { ...ANSWER, AddRecord: 'notification whose type ends in Acknowledge' };
/** The error notification the simulator's `error` fault sends instead of the answer. */
const ERROR_TYPE = {
  RejectRecord: 'RecordRejectError',
  RescheduleRecord: 'ScheduledRecordRescheduleError',
  DoNotCallRecord: 'DoNotCallError',
  UpdateRecord: 'UpdateCallCompletionStatsError',
  AddRecord: 'AddRecordError',
  CompleteRecord: 'RecordProcessedError',
  GetChainedRecord: 'ChainedRecordsError',
};
const RESCHEDULE_AT = Date.UTC(2031, 5, 1, 8, 0, 0) / 1000;

/** msg.payload of each operation; applicationId, campaignName and devicePath come from the server node. */
const PAYLOAD = {
  RejectRecord: () => ({ recordHandle: 12, callingList: 'CallingList1' }),
  RescheduleRecord: () => ({ recordHandle: 12, callbackType: 'campaign', timestamp: '2031-06-01T08:00:00Z' }),
  DoNotCallRecord: () => ({ recordHandle: 12, callingList: 'CallingList1', phoneNumber: '5550100', chainAttribute: 'recordonly' }),
  UpdateRecord: () => ({ recordHandle: 12, phoneNumber: '5550199', timeZone: 'EST', phoneType: 'mobile', from: '28800', until: 72000 }),
  AddRecord: () => ({
    callingList: 'CallingList1', phoneNumber: '5550142', timeZone: 'GMT', phoneType: 'HomePhone', from: 28800, until: 72000,
    chainId: 4, otherFields: { customer_id: 'C-17', vip: true },
  }),
  CompleteRecord: () => ({ recordHandle: 12, callingList: 'CallingList1', callResult: 'Answer' }),
  GetChainedRecord: () => ({ recordHandle: 7 }),
};
const SERVER = { applicationId: 134, campaignName: 'Campaign1' };
/** The body GWS must get (referenceId aside): the documented fields, converted, in the table's spelling. */
const BODY = {
  RejectRecord: { ...SERVER, callingList: 'CallingList1', devicePath: DEVICE },
  RescheduleRecord: { ...SERVER, callbackType: 'Campaign', timestamp: RESCHEDULE_AT, devicePath: DEVICE },
  DoNotCallRecord: { ...SERVER, callingList: 'CallingList1', phoneNumber: '5550100', chainAttribute: 'RecordOnly', devicePath: DEVICE },
  UpdateRecord: { ...SERVER, phoneNumber: '5550199', timeZone: 'EST', phoneType: 'Mobile', from: 28800, until: 72000, devicePath: DEVICE },
  AddRecord: {
    ...SERVER, callingList: 'CallingList1', phoneNumber: '5550142', timeZone: 'GMT', phoneType: 'HomePhone', from: 28800, until: 72000,
    chainId: 4, otherFields: { customer_id: 'C-17', vip: true }, devicePath: DEVICE,
  },
  CompleteRecord: { ...SERVER, callingList: 'CallingList1', callResult: 'Answer', devicePath: DEVICE },
  GetChainedRecord: { ...SERVER, devicePath: DEVICE },
};
const PATH = (operation) => (operation === 'AddRecord' ? '/api/v2/me/outbound-records' : `/api/v2/me/outbound-records/${PAYLOAD[operation]().recordHandle}`);
const GWS_KEYS = ['elapsedMs', 'operationName', 'recordHandle', 'referenceId', 'request', 'statusCode', 'userEvent'];
const without = (object, ...keys) => Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
const closedText = (operation, referenceId) => `${operation} failed: node closed before the answer arrived (referenceId ${referenceId})`;

describe('gws-outbound-record (record operation) in a real Node-RED', function () {
  this.timeout(20000);
  const h = flowHarness({ chainLength: 2 });

  /** Loads the flow (with the core nodes it uses), waits for the connection, collects `out` and `caught`. */
  async function start(flow) {
    await helper.load([...ALL, ...coreModules(flow)], flow, credentials());
    await until(isConnected, 5000, 'the connection to the simulator');
    return collect('out', 'caught');
  }

  /** Node `a` with a fixed operation (or none), node `m` reading msg.operation, both into `out`. */
  function twoNodes({ operation, node = {}, extra = [] } = {}) {
    return actionFlow(h.sim, {
      type: RECORD,
      node: { ...(operation === undefined ? {} : { operation }), ...node },
      extra: [{ id: 'm', type: RECORD, server: 'server', operation: 'msg', ...node, wires: [['out']] }, ...extra],
    });
  }

  /** Checks one answered request: what GWS got, and the output message. */
  function assertAnswered(operation, msg, referenceId) {
    const request = h.sim.requests().at(-1);
    assert.equal(request.path, PATH(operation));
    assert.deepEqual(request.body, { operationName: operation, ...BODY[operation], referenceId });
    assert.equal(msg.topic, ANSWER[operation]);
    const adding = operation === 'AddRecord';
    assert.deepEqual(Object.keys(msg.gws).sort(), GWS_KEYS);
    // A new record has its handle only in the answer: msg.gws.recordHandle names it.
    if (adding) assert.equal(msg.gws.recordHandle, msg.payload.record.recordHandle);
    assert.equal(msg.gws.operationName, operation);
    assert.equal(msg.gws.referenceId, referenceId);
    assert.equal(msg.gws.statusCode, 0);
    assert.deepEqual(msg.gws.request, request.body, 'msg.gws.request is the body that was sent');
    assert.equal(typeof msg.gws.elapsedMs, 'number');
    const userData = msg.gws.userEvent.userData;
    assert.equal(msg.gws.userEvent.messageType, 'DeviceUserEventMessage');
    if (operation === 'GetChainedRecord') {
      assert.equal(msg.gws.recordHandle, 7);
      assert.deepEqual(msg.payload.records.map((r) => r.recordHandle), [701, 702]);
      assert.deepEqual(msg.payload.end, {
        record: { devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, recordHandle: 7, campaignName: 'Campaign1' },
        notificationType: 'ChainedRecordsDataEnd',
        messageType: 'OutboundRecordMessage',
        referenceId,
      });
      assert.equal(userData.GSW_USER_EVENT, 'ChainedRecordsDataEnd');
      return;
    }
    const handle = adding ? msg.payload.record.recordHandle : 12;
    if (adding) assert.ok(Number.isSafeInteger(handle) && handle > 100000, `the new record's handle: ${handle}`);
    else assert.equal(msg.gws.recordHandle, 12);
    assert.deepEqual(msg.payload, {
      record: { campaignName: 'Campaign1', devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, recordHandle: handle },
      notificationType: ANSWER[operation],
      messageType: 'OutboundRecordMessage',
      referenceId,
    });
    assert.equal(userData.GSW_USER_EVENT, ANSWER[operation]);
    assert.equal(userData.GSW_RECORD_HANDLE, handle);
    if (adding) assert.equal(userData.GSW_CHAIN_ID, 4);
    if (operation === 'CompleteRecord') assert.equal(userData.GSW_CALL_RESULT, 33);
  }

  describe('each operation end to end, chosen on the node and by msg.operation', () => {
    for (const operation of OPERATIONS) {
      it(operation, async () => {
        const seen = await start(twoNodes({ operation }));
        const fixed = await expectOutput(seen, { payload: PAYLOAD[operation](), topic: 'in', keep: 1 }, 'a');
        assertAnswered(operation, fixed, fixed.gws.referenceId);
        assert.equal(fixed.keep, 1, 'the input message\'s other properties are kept');

        const chosen = await expectOutput(seen, { payload: { ...PAYLOAD[operation](), referenceId: `by-msg-${operation}` }, operation }, 'm');
        assertAnswered(operation, chosen, `by-msg-${operation}`);
        assert.equal(chosen.operation, operation, 'msg.operation stays on the message');
        assert.equal(h.sim.requests().length, 2);
        assert.equal(seen.caught.length, 0);
      });
    }
  });

  describe('which operation', () => {
    it('an unknown msg.operation is an error before sending that names the allowed values', async () => {
      const seen = await start(twoNodes());
      const statuses = watch('m');
      for (const [operation, shown] of [
        ['Reject', '"Reject"'], ['rejectrecord', '"rejectrecord"'], ['StartPreviewSession', '"StartPreviewSession"'], ['toString', '"toString"'],
        ['', '""'], [undefined, 'undefined'], [null, 'null'], [7, '7'], [['RejectRecord'], 'an array'],
      ]) {
        const msg = { payload: PAYLOAD.RejectRecord(), keep: shown };
        if (operation !== undefined) msg.operation = operation;
        const caught = await expectError(seen, msg, 'm');
        assert.equal(caught.error.message, `${RECORD} not sent: msg.operation must be one of ${ALLOWED}, got ${shown}`);
        assert.equal(caught.gws.statusCode, 1);
        assert.equal(caught.keep, shown);
        assert.equal(caught.error.source.id, 'm');
      }
      assert.deepEqual(h.sim.requests(), [], 'nothing sent');
      await delay(20);
      assert.equal(statuses.statuses.at(-1).fill, 'red');
      // The node goes on.
      await expectOutput(seen, { payload: PAYLOAD.RejectRecord(), operation: 'RejectRecord' }, 'm');
    });

    it('a node deployed without an operation sends RejectRecord, the first', async () => {
      const seen = await start(twoNodes());
      const msg = await expectOutput(seen, { payload: PAYLOAD.RejectRecord() }, 'a');
      assert.equal(h.sim.requests()[0].body.operationName, 'RejectRecord');
      assert.equal(msg.topic, 'RecordRejectAcknowledge');
      // Saved with an empty operation (an older export): the same.
      await helper.unload();
      const again = await start(twoNodes({ operation: '' }));
      assert.equal((await expectOutput(again, { payload: PAYLOAD.RejectRecord() }, 'a')).gws.operationName, 'RejectRecord');
    });

    it('msg.operation is ignored, with one warning, when the node has a fixed operation', async () => {
      const seen = await start(twoNodes({ operation: 'DoNotCallRecord' }));
      const { warnings } = watch('a');
      const fixed = await expectOutput(seen, { payload: PAYLOAD.DoNotCallRecord(), operation: 'DoNotCallRecord' }, 'a');
      assert.equal(fixed.topic, 'DoNotCallAcknowledge');
      assert.deepEqual(warnings, [], 'no warning when msg.operation says the same');
      for (const other of ['RejectRecord', 'UpdateRecord', 'Nonsense']) {
        const msg = await expectOutput(seen, { payload: PAYLOAD.DoNotCallRecord(), operation: other }, 'a');
        assert.equal(msg.gws.operationName, 'DoNotCallRecord');
        assert.equal(msg.operation, other, 'msg.operation left as it was');
      }
      assert.deepEqual(h.sim.requests().map((r) => r.body.operationName), Array(4).fill('DoNotCallRecord'));
      assert.deepEqual(warnings, [
        'msg.operation "RejectRecord" is ignored: this node always sends DoNotCallRecord (choose "msg.operation" as its operation to let messages pick)',
      ]);
    });

    it('a node saved with an operation it does not offer warns at deploy, and each message fails saying how to fix it', async () => {
      const seen = await start(twoNodes({ operation: 'StartPreviewSession' }));
      // The warning comes while the flow starts, before a test can watch the node: read it from the log.
      const warned = helper.log().args.map((args) => args[0]).filter((entry) => entry?.id === 'a' && entry.level === 30).map((entry) => entry.msg);
      assert.deepEqual(warned, [`operation "StartPreviewSession" is not one of ${ALLOWED} or msg (read msg.operation): every message will end in an error until the node is set up`]);
      const caught = await expectError(seen, { payload: PAYLOAD.RejectRecord() }, 'a');
      assert.equal(caught.error.message, `${RECORD} not sent: the node's operation "StartPreviewSession" is not one of ${ALLOWED} (open the node and pick one)`);
      assert.equal(caught.gws.statusCode, 1);
      assert.deepEqual(h.sim.requests(), []);
    });

    it('msg.operation and msg.payload from a function node (objects and a Date of its own JavaScript context)', async () => {
      const code = [
        'const inOneHour = new Date(Date.now() + 3600 * 1000);',
        'msg.operation = msg.pick;',
        'msg.payload = msg.pick === "AddRecord"',
        '  ? { callingList: "CallingList1", phoneNumber: "5550142", timeZone: "GMT", phoneType: "Mobile", from: 28800, until: 72000, otherFields: { customer_id: "C-99", score: 7 } }',
        '  : { recordHandle: 12, callbackType: "Personal", timestamp: inOneHour };',
        'return msg;',
      ].join('\n');
      const seen = await start(twoNodes({ extra: [{ id: 'fn', type: 'function', func: code, outputs: 1, wires: [['m']] }] }));
      const before = Math.floor(Date.now() / 1000);
      helper.getNode('fn').receive({ pick: 'RescheduleRecord' });
      await until(() => seen.out.length + seen.caught.length === 1, 5000, 'the reschedule');
      assert.equal(seen.caught.length, 0, seen.caught[0]?.error?.message);
      const sent = h.sim.requests()[0].body;
      assert.equal(sent.operationName, 'RescheduleRecord');
      assert.ok(Math.abs(sent.timestamp - (before + 3600)) <= 2, `the Date sent as seconds: ${sent.timestamp}`);
      assert.equal(seen.out[0].topic, 'ScheduledRecordRescheduleAcknowledge');

      helper.getNode('fn').receive({ pick: 'AddRecord' });
      await until(() => seen.out.length + seen.caught.length === 2, 5000, 'the new record');
      assert.equal(seen.caught.length, 0, seen.caught[0]?.error?.message);
      assert.deepEqual(h.sim.requests()[1].body.otherFields, { customer_id: 'C-99', score: 7 });
      assert.equal(seen.out[1].topic, 'AddRecordAcknowledge');
    });
  });

  describe('waitForAck off, timeouts and errors', () => {
    it('waitForAck off: payload {statusCode: 0}, topic = the operation, no userEvent, for every operation', async () => {
      const seen = await start(twoNodes({ node: { waitForAck: false } }));
      for (const operation of OPERATIONS) {
        const msg = await expectOutput(seen, { payload: PAYLOAD[operation](), operation }, 'm');
        assert.deepEqual(msg.payload, { statusCode: 0 }, operation);
        assert.equal(msg.topic, operation);
        assert.equal(msg.gws.operationName, operation);
        assert.equal(msg.gws.userEvent, undefined);
        assert.deepEqual(msg.gws.request, h.sim.requests().at(-1).body);
      }
    });

    it('times out after the node\'s timeout, naming the awaited answer', async () => {
      const seen = await start(twoNodes({ node: { timeout: '300' } }));
      h.sim.faults.add({ kind: 'ack', mode: 'drop' });
      for (const operation of ['RejectRecord', 'RescheduleRecord', 'UpdateRecord', 'AddRecord']) {
        const started = Date.now();
        const caught = await expectError(seen, { payload: { ...PAYLOAD[operation](), referenceId: `to-${operation}` }, operation }, 'm');
        assert.equal(caught.error.message, `${operation} timed out: no ${AWAITED[operation]} within 300 ms (referenceId to-${operation})`);
        assert.equal(caught.gws.referenceId, `to-${operation}`);
        assert.equal(caught.gws.operationName, operation);
        assert.ok(Date.now() - started >= 280, 'not before the timeout');
      }
      assert.equal(seen.out.length, 0);
    });

    it('a refusal by GWS reaches the Catch node with msg.error.message and msg.gws.statusCode, without a retry', async () => {
      const seen = await start(twoNodes());
      const refusals = [
        ['RescheduleRecord', 2, 400, 'Record is not active', 'statusCode 2 (invalid state): Record is not active'],
        ['DoNotCallRecord', 3, 403, 'Operation forbidden', 'statusCode 3 (operation forbidden): Operation forbidden'],
        ['AddRecord', 13, 400, 'Unable to create the record', 'statusCode 13 (unable to create): Unable to create the record'],
        ['UpdateRecord', 4, 503, 'T-Server is not reachable', 'statusCode 4 (internal error): T-Server is not reachable'],
      ];
      for (const [operation, statusCode, httpStatus, statusMessage, text] of refusals) {
        h.sim.faults.add({ kind: 'status', statusCode, httpStatus, statusMessage, count: 1, operation });
        const sentBefore = h.sim.requests().length;
        const caught = await expectError(seen, { payload: { ...PAYLOAD[operation](), referenceId: `rej-${operation}` }, operation }, 'm');
        assert.equal(caught.error.message, `${operation} rejected by GWS: ${text}`);
        assert.equal(caught.gws.statusCode, statusCode);
        assert.equal(caught.gws.httpStatus, httpStatus);
        assert.equal(caught.gws.referenceId, `rej-${operation}`);
        assert.equal(caught.gws.operationName, operation);
        assert.equal(h.sim.requests().length, sentBefore + 1, 'sent once');
      }
      assert.equal(seen.out.length, 0);
    });

    it('an error notification correlated to the request fails it at once with its text', async () => {
      const seen = await start(twoNodes({ node: { timeout: '8000' } }));
      for (const operation of OPERATIONS) {
        h.sim.faults.add({ kind: 'ack', mode: 'error', errorMessage: `OCS refused ${operation}`, count: 1, operation });
        const started = Date.now();
        const caught = await expectError(seen, { payload: { ...PAYLOAD[operation](), referenceId: `err-${operation}` }, operation }, 'm');
        assert.equal(caught.error.message, `${operation} failed: GWS answered ${ERROR_TYPE[operation]} (referenceId err-${operation}): OCS refused ${operation} (error 1003)`);
        assert.equal(caught.gws.referenceId, `err-${operation}`);
        assert.ok(Date.now() - started < 3000, `${operation}: at once, not at the timeout`);
      }
      assert.equal(seen.out.length, 0);
    });

    it('the userEventError fault (GSW_ERROR in a user event) fails the waiting request at once, for every operation', async () => {
      const seen = await start(twoNodes({ node: { timeout: '8000' } }));
      for (const operation of OPERATIONS) {
        h.sim.faults.add({ kind: 'ack', mode: 'userEventError', errorMessage: `Record locked (${operation})`, errorNumber: 1301, count: 1, operation });
        const started = Date.now();
        const caught = await expectError(seen, { payload: { ...PAYLOAD[operation](), referenceId: `uee-${operation}` }, operation }, 'm');
        const took = Date.now() - started;
        assert.equal(caught.error.message, `${operation} failed: OCS refused it: a user event reported an error instead of ${operation === 'AddRecord' ? 'notification whose type ends in Acknowledge' : ANSWER[operation]} (referenceId uee-${operation}): Record locked (${operation}) (error 1301)`);
        assert.equal(caught.gws.referenceId, `uee-${operation}`);
        assert.equal(caught.gws.operationName, operation);
        assert.ok(took < 3000, `${operation}: failed after ${took} ms, not at the 8 s timeout`);
      }
      assert.equal(seen.out.length, 0);
      // The refusals changed nothing: the node and the connection go on.
      await expectOutput(seen, { payload: PAYLOAD.RejectRecord(), operation: 'RejectRecord' }, 'm');
    });

    it('redeploy while waiting: each pending message ends once with "node closed before the answer arrived"', async () => {
      const flow = twoNodes();
      await start(flow);
      const tracked = track('m');
      const fixedTracked = track('a');
      h.sim.faults.add({ kind: 'ack', mode: 'drop' });
      for (const operation of OPERATIONS) {
        helper.getNode('m').receive({ _msgid: `wait-${operation}`, payload: { ...PAYLOAD[operation](), referenceId: `wait-${operation}` }, operation });
      }
      helper.getNode('a').receive({ _msgid: 'wait-fixed', payload: { ...PAYLOAD.RejectRecord(), referenceId: 'wait-fixed' } });
      await until(() => h.sim.requests().length === OPERATIONS.length + 1, 5000, 'all sent');
      const conn = await helper.getNode('server').connect();
      await until(() => conn.stats.pending === OPERATIONS.length + 1, 3000, 'all waiting');
      const started = Date.now();
      await helper.setFlows(flow.map((n) => (n.id === 'm' || n.id === 'a' ? { ...n, name: 'changed' } : n)), 'nodes');
      assert.ok(Date.now() - started < 1000, `the redeploy took ${Date.now() - started} ms`);
      for (const operation of OPERATIONS) {
        assert.deepEqual(tracked.get(`wait-${operation}`), { sent: 0, done: 0, errors: [closedText(operation, `wait-${operation}`)] }, operation);
      }
      assert.deepEqual(fixedTracked.get('wait-fixed'), { sent: 0, done: 0, errors: [closedText('RejectRecord', 'wait-fixed')] });
      await delay(300);
      assert.equal(tracked.byId.size, OPERATIONS.length, 'nothing else ended');
      assert.equal(conn.stats.pending, 0, 'nothing left waiting');
    });
  });

  describe('CompleteRecord and GetChainedRecord behave exactly like their own nodes', () => {
    for (const [operation, own] of [['CompleteRecord', 'gws-complete-record'], ['GetChainedRecord', 'gws-get-chained-record']]) {
      it(operation, async () => {
        const flow = onTab([
          serverNode(h.sim, { ackTimeout: '300' }),
          { id: 'own', type: own, server: 'server', wires: [['out']] },
          { id: 'rec', type: RECORD, server: 'server', operation, wires: [['out']] },
          { id: 'out', type: 'helper' },
          { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
          { id: 'caught', type: 'helper' },
        ]);
        const seen = await start(flow);
        const strip = (msg) => ({
          topic: msg.topic,
          payload: JSON.parse(JSON.stringify(msg.payload).replaceAll(msg.gws.referenceId, '<ref>')),
          gws: { ...without(msg.gws, 'elapsedMs', 'userEvent', 'referenceId'), request: without(msg.gws.request, 'referenceId') },
          userEvent: without(msg.gws.userEvent, 'metrics'),
        });
        const payload = PAYLOAD[operation]();
        const fromOwn = await expectOutput(seen, { payload }, 'own');
        const ownRequest = h.sim.requests().at(-1);
        const fromRecord = await expectOutput(seen, { payload }, 'rec');
        const recordRequest = h.sim.requests().at(-1);
        assert.equal(recordRequest.path, ownRequest.path);
        assert.deepEqual(without(recordRequest.body, 'referenceId'), without(ownRequest.body, 'referenceId'));
        assert.deepEqual(strip(fromRecord), strip(fromOwn));
        assert.deepEqual(Object.keys(fromRecord.gws).sort(), Object.keys(fromOwn.gws).sort());

        // The same errors, word for word: a missing parameter, a refusal, a timeout.
        const errorOf = async (id, msg) => (await expectError(seen, msg, id)).error.message;
        const missing = { ...payload, recordHandle: '' };
        assert.equal(await errorOf('rec', { payload: missing }), await errorOf('own', { payload: missing }));
        h.sim.faults.add({ kind: 'status', statusCode: 6, statusMessage: 'Record not found', count: 2 });
        assert.equal(await errorOf('rec', { payload }), await errorOf('own', { payload }));
        h.sim.faults.add({ kind: 'ack', mode: 'drop', count: 2 });
        const timedOut = { ...payload, referenceId: 'same-ref' };
        const ownTimeout = await errorOf('own', { payload: timedOut });
        assert.equal(await errorOf('rec', { payload: timedOut }), ownTimeout);
        assert.equal(ownTimeout, `${operation} timed out: no ${ANSWER[operation]} within 300 ms (referenceId same-ref)`);
        if (operation === 'CompleteRecord') {
          const bad = { ...payload, callResult: 'Sometimes' };
          assert.equal(await errorOf('rec', { payload: bad }), await errorOf('own', { payload: bad }));
        }
      });
    }
  });

  it('the event node tags the answers with the new operations (msg.gws.correlation.operationName)', async () => {
    const seen = await start(twoNodes({
      extra: [
        { id: 'ev', type: 'gws-outbound-event', server: 'server', channel: '/v2/me/outbound', correlated: 'only', wires: [['events']] },
        { id: 'events', type: 'helper' },
      ],
    }));
    const events = collect('events').events;
    for (const operation of OPERATIONS) {
      await expectOutput(seen, { payload: { ...PAYLOAD[operation](), referenceId: `tag-${operation}` }, operation }, 'm');
    }
    await until(() => events.filter((e) => e.topic === 'ChainedRecordsDataEnd').length === 1, 3000, 'every answer on the event node');
    const answers = events.filter((e) => e.topic !== 'ChainedRecord');
    assert.deepEqual(answers.map((e) => [e.topic, e.gws.correlation.operationName, e.gws.correlation.referenceId]), OPERATIONS.map((op) => [ANSWER[op], op, `tag-${op}`]));
    for (const event of answers) {
      const { correlation } = event.gws;
      assert.deepEqual(Object.keys(correlation).sort(), ['nodeId', 'operationName', 'recordHandle', 'referenceId', 'request']);
      assert.equal(correlation.nodeId, 'm');
      assert.equal(correlation.request.operationName, correlation.operationName);
      assert.equal(correlation.recordHandle, correlation.operationName === 'AddRecord' ? undefined : PAYLOAD[correlation.operationName]().recordHandle);
    }
    // The chained records of GetChainedRecord are tagged too.
    assert.deepEqual(events.filter((e) => e.topic === 'ChainedRecord').map((e) => e.gws.correlation.operationName), ['GetChainedRecord', 'GetChainedRecord']);
    // With waitForAck off the answers are still tagged (rule 10 and the event node).
    await helper.unload();
    await start(twoNodes({
      node: { waitForAck: false },
      extra: [
        { id: 'ev', type: 'gws-outbound-event', server: 'server', channel: '/v2/me/outbound', correlated: 'only', wires: [['events']] },
        { id: 'events', type: 'helper' },
      ],
    }));
    const later = collect('events').events;
    helper.getNode('m').receive({ payload: { ...PAYLOAD.UpdateRecord(), referenceId: 'ff-update' }, operation: 'UpdateRecord' });
    await until(() => later.length === 1, 3000, 'the tagged acknowledgement');
    assert.equal(later[0].gws.correlation.operationName, 'UpdateRecord');
    assert.equal(later[0].gws.correlation.referenceId, 'ff-update');
  });

  it('every input ends exactly once when 70 mixed operations run at once', async () => {
    const seen = await start(twoNodes({ node: { timeout: '1500' } }));
    const tracked = track('m');
    h.sim.faults.add([
      { kind: 'status', statusCode: 2, statusMessage: 'Record is not active', count: 5 },
      { kind: 'ack', mode: 'drop', count: 5 },
      { kind: 'ack', mode: 'userEventError', count: 5 },
    ]);
    for (let i = 0; i < 70; i++) {
      const operation = OPERATIONS[i % OPERATIONS.length];
      const payload = PAYLOAD[operation]();
      if (payload.recordHandle !== undefined) payload.recordHandle = 3000 + i;
      helper.getNode('m').receive({ _msgid: `mix${i}`, payload, operation });
    }
    await until(() => tracked.ended() === 70, 10000, `70 ended (${tracked.ended()})`);
    await delay(300);
    for (const [id, entry] of tracked.byId) {
      assert.equal(entry.done + entry.errors.length, 1, `${id} ended ${entry.done + entry.errors.length} times`);
      assert.equal(entry.sent, entry.done, id);
    }
    assert.equal(seen.out.length + seen.caught.length, 70);
    assert.equal(seen.caught.length, 15, JSON.stringify(seen.caught.map((c) => c.error.message)));
  });
});
