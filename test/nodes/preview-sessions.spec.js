'use strict';
/**
 * gws-outbound-campaign ("preview session") in a real Node-RED against the bundled simulator (one per
 * test, port 0): StartPreviewSession → GetPreviewRecord (several) → EndPreviewSession, chosen on the
 * node and by msg.operation; the PreviewRecord fields at the top of msg.payload wherever the simulator
 * puts the record handle; an exhausted list; GetPreviewRecord without a session; a previewed record
 * wired straight into a gws-outbound-record node; the campaign path; waitForAck off, timeouts, the
 * userEventError fault and redeploy; the event node's correlation tags; flows built with function nodes.
 */
const assert = require('node:assert/strict');
const { until, delay, DEVICE } = require('../helpers');
const { helper, ALL, credentials, flowHarness, watch } = require('../helpers/flow');
const { actionFlow, collect, track, expectOutput, expectError, isConnected } = require('../helpers/actions');
const { coreModules } = require('../helpers/examples');

const CAMPAIGN = 'gws-outbound-campaign';
const RECORD = 'gws-outbound-record';
const OPERATIONS = ['StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession'];
const ANSWER = { StartPreviewSession: 'PreviewSessionStarted', GetPreviewRecord: 'PreviewRecord', EndPreviewSession: 'PreviewSessionEnded' };
const LIST = 'Campaign1_CallingList';
const CAMPAIGN_PATH = '/api/v2/me/outbound-campaigns/Campaign1';
const TOP = ['recordHandle', 'callingList', 'campaignName', 'applicationId', 'phoneNumber'];
const closedText = (operation, referenceId) => `${operation} failed: node closed before the answer arrived (referenceId ${referenceId})`;

describe('gws-outbound-campaign (preview session) in a real Node-RED', function () {
  this.timeout(20000);
  const h = flowHarness({ previewListSize: 3 });

  async function start(flow) {
    await helper.load([...ALL, ...coreModules(flow)], flow, credentials());
    await until(isConnected, 5000, 'the connection to the simulator');
    return collect('out', 'caught');
  }

  /**
   * Campaign nodes `start`, `get`, `end` with fixed operations, `m` reading msg.operation, all into
   * `out`; `extra` nodes besides.
   */
  function previewFlow({ node = {}, server = {}, extra = [] } = {}) {
    const fixed = (id, operation) => ({ id, type: CAMPAIGN, server: 'server', operation, ...node, wires: [['out']] });
    return actionFlow(h.sim, {
      type: CAMPAIGN,
      server,
      node: { operation: 'msg', ...node },
      extra: [fixed('start', 'StartPreviewSession'), fixed('get', 'GetPreviewRecord'), fixed('end', 'EndPreviewSession'), ...extra],
    });
  }

  /** Checks a PreviewRecord output against what the simulator sent, and returns its record handle. */
  function assertPreviewRecord(msg, handleIn = 'both') {
    assert.equal(msg.topic, 'PreviewRecord');
    const { payload } = msg;
    const record = payload.record;
    assert.equal(payload.notificationType, 'PreviewRecord');
    assert.equal(payload.messageType, 'OutboundRecordMessage');
    assert.equal(payload.referenceId, msg.gws.referenceId);
    const handle = record.recordHandle ?? record.userData.GSW_RECORD_HANDLE;
    assert.equal('recordHandle' in record, handleIn !== 'userData', `record.recordHandle with previewHandleIn ${handleIn}`);
    assert.equal('GSW_RECORD_HANDLE' in record.userData, handleIn !== 'record', `userData.GSW_RECORD_HANDLE with previewHandleIn ${handleIn}`);
    assert.ok(Number.isSafeInteger(handle), `a record handle: ${handle}`);
    // What a record node wired after this one needs, at the top of msg.payload.
    assert.deepEqual(Object.fromEntries(TOP.map((key) => [key, payload[key]])), {
      recordHandle: handle,
      callingList: LIST,
      campaignName: 'Campaign1',
      applicationId: 134,
      phoneNumber: record.userData.GSW_PHONE,
    });
    assert.match(payload.phoneNumber, /^555020\d{4}$/);
    assert.equal(msg.gws.recordHandle, handle, 'msg.gws.recordHandle names the previewed record');
    assert.equal(msg.gws.operationName, 'GetPreviewRecord');
    assert.equal(msg.gws.statusCode, 0);
    assert.deepEqual(msg.gws.request, { operationName: 'GetPreviewRecord', applicationId: 134, devicePath: DEVICE, referenceId: msg.gws.referenceId });
    assert.equal(msg.gws.userEvent?.userData?.GSW_USER_EVENT, 'PreviewRecord');
    assert.equal(msg.gws.userEvent.userData.GSW_RECORD_HANDLE, handle);
    return handle;
  }

  describe('a session from start to end', () => {
    it('on nodes with fixed operations: StartPreviewSession, three GetPreviewRecord (one record each), EndPreviewSession', async () => {
      const seen = await start(previewFlow());
      const started = await expectOutput(seen, { payload: {}, keep: 'kept' }, 'start');
      assert.equal(started.topic, 'PreviewSessionStarted');
      assert.equal(started.keep, 'kept');
      assert.equal(started.payload.notificationType, 'PreviewSessionStarted');
      assert.equal(started.payload.messageType, 'OutboundCampaignMessage');
      assert.deepEqual(started.payload.campaign, {
        name: 'Campaign1', dialingMode: 'Preview', groupName: 'Preview Agents', state: 'Running', devicePath: DEVICE, applicationId: 134,
        groupDescription: 'Agents of the simulated preview campaign', description: 'Simulated preview campaign Campaign1',
      });
      assert.equal(started.payload.referenceId, started.gws.referenceId);
      assert.deepEqual(Object.keys(started.gws).sort(), ['elapsedMs', 'operationName', 'referenceId', 'request', 'statusCode'], 'no record, no user event');
      assert.deepEqual(started.gws.request, { operationName: 'StartPreviewSession', applicationId: 134, devicePath: DEVICE, referenceId: started.gws.referenceId });

      const handles = [];
      for (let i = 0; i < 3; i++) handles.push(assertPreviewRecord(await expectOutput(seen, { payload: {} }, 'get')));
      assert.equal(new Set(handles).size, 3, 'a different record each time');

      const ended = await expectOutput(seen, { payload: {} }, 'end');
      assert.equal(ended.topic, 'PreviewSessionEnded');
      assert.deepEqual(ended.payload.campaign, { name: 'Campaign1', state: 'Stopped', devicePath: DEVICE, applicationId: 134 });

      const requests = h.sim.requests();
      assert.deepEqual(requests.map((r) => [r.path, r.body.operationName]), [
        [CAMPAIGN_PATH, 'StartPreviewSession'], [CAMPAIGN_PATH, 'GetPreviewRecord'], [CAMPAIGN_PATH, 'GetPreviewRecord'], [CAMPAIGN_PATH, 'GetPreviewRecord'], [CAMPAIGN_PATH, 'EndPreviewSession'],
      ]);
      for (const request of requests) assert.equal('campaignName' in request.body, false, 'the campaign is the path, not in the body');
      assert.equal(h.sim.stats().previewSessions, 0, 'the session ended');
      assert.equal(seen.caught.length, 0);
    });

    it('on one node by msg.operation, the same', async () => {
      const seen = await start(previewFlow());
      const topics = [];
      for (const operation of ['StartPreviewSession', 'GetPreviewRecord', 'GetPreviewRecord', 'EndPreviewSession']) {
        const msg = await expectOutput(seen, { payload: {}, operation }, 'a');
        assert.equal(msg.gws.operationName, operation);
        assert.equal(msg.operation, operation);
        if (operation === 'GetPreviewRecord') assertPreviewRecord(msg);
        topics.push(msg.topic);
      }
      assert.deepEqual(topics, ['PreviewSessionStarted', 'PreviewRecord', 'PreviewRecord', 'PreviewSessionEnded']);
    });

    it('a node deployed without an operation starts a session (StartPreviewSession, the first)', async () => {
      const seen = await start(previewFlow({ extra: [{ id: 'bare', type: CAMPAIGN, server: 'server', wires: [['out']] }] }));
      const msg = await expectOutput(seen, { payload: {}, operation: 'EndPreviewSession' }, 'bare');
      assert.equal(msg.topic, 'PreviewSessionStarted', 'msg.operation does not override the node');
      assert.equal(h.sim.requests()[0].body.operationName, 'StartPreviewSession');
    });

    it('an unknown msg.operation names the three allowed values, and nothing is sent', async () => {
      const seen = await start(previewFlow());
      for (const [operation, shown] of [['CompleteRecord', '"CompleteRecord"'], ['startpreviewsession', '"startpreviewsession"'], [undefined, 'undefined']]) {
        const caught = await expectError(seen, { payload: {}, ...(operation === undefined ? {} : { operation }) }, 'a');
        assert.equal(caught.error.message, `${CAMPAIGN} not sent: msg.operation must be one of StartPreviewSession, GetPreviewRecord, EndPreviewSession, got ${shown}`);
        assert.equal(caught.gws.statusCode, 1);
      }
      assert.deepEqual(h.sim.requests(), []);
    });
  });

  describe('where GWS puts the record handle of a PreviewRecord', () => {
    for (const handleIn of ['record', 'userData', 'both']) {
      it(`previewHandleIn ${handleIn}: the handle, callingList, campaignName, applicationId and phoneNumber at the top of msg.payload`, async () => {
        // Through the control API, as a user of the gws-sim command would (PUT /sim/config).
        const put = await fetch(`${h.sim.url}/sim/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ previewHandleIn: handleIn }) });
        assert.equal(put.status, 200);
        assert.equal(h.sim.config.previewHandleIn, handleIn);
        const seen = await start(previewFlow());
        await expectOutput(seen, { payload: {} }, 'start');
        const handles = [];
        for (let i = 0; i < 2; i++) handles.push(assertPreviewRecord(await expectOutput(seen, { payload: {} }, 'get'), handleIn));
        assert.notEqual(handles[0], handles[1]);
      });
    }
  });

  describe('errors', () => {
    it('an exhausted list ends in an error that says the list is empty', async () => {
      h.sim.configure({ previewListSize: 1 });
      const seen = await start(previewFlow());
      await expectOutput(seen, { payload: {} }, 'start');
      assertPreviewRecord(await expectOutput(seen, { payload: {} }, 'get'));
      const { statuses } = watch('get');
      for (let i = 0; i < 2; i++) {
        const caught = await expectError(seen, { payload: { referenceId: `empty-${i}` } }, 'get');
        assert.equal(caught.error.message, `GetPreviewRecord failed: GWS answered PreviewRecord without a record: the calling lists of campaign Campaign1 have no record to preview now (referenceId empty-${i})`);
        assert.equal(caught.gws.referenceId, `empty-${i}`);
        assert.equal(caught.gws.operationName, 'GetPreviewRecord');
      }
      // Nothing failed: the status says the list is empty (a yellow ring), not rejected.
      await until(() => statuses.at(-1)?.text === 'node-red-contrib-gws-outbound/gws-server:status.empty');
      assert.equal(statuses.at(-1).fill, 'yellow');
      // The session is still there: it can be ended.
      assert.equal((await expectOutput(seen, { payload: {} }, 'end')).topic, 'PreviewSessionEnded');
    });

    it('GetPreviewRecord or EndPreviewSession without a session: GWS statusCode 2 to the Catch node', async () => {
      const seen = await start(previewFlow());
      for (const operation of ['GetPreviewRecord', 'EndPreviewSession']) {
        const caught = await expectError(seen, { payload: { referenceId: `no-session-${operation}` }, operation }, 'a');
        assert.equal(caught.error.message, `${operation} rejected by GWS: statusCode 2 (invalid state): No preview session for campaign Campaign1: start one with StartPreviewSession first`);
        assert.equal(caught.gws.statusCode, 2);
        assert.equal(caught.gws.httpStatus, 400);
        assert.equal(caught.gws.referenceId, `no-session-${operation}`);
      }
      // After the session ended, again.
      await expectOutput(seen, { payload: {} }, 'start');
      await expectOutput(seen, { payload: {} }, 'end');
      assert.equal((await expectError(seen, { payload: {} }, 'get')).gws.statusCode, 2);
    });

    it('a missing campaignName or applicationId is an error before sending', async () => {
      const seen = await start(previewFlow({ server: { campaignName: '', applicationId: '' } }));
      const where = (param) => `set it on the node, in msg.payload.${param} or as a default on the server node`;
      assert.equal((await expectError(seen, { payload: { applicationId: 134 } }, 'start')).error.message, `StartPreviewSession not sent: campaignName is missing (${where('campaignName')})`);
      assert.equal((await expectError(seen, { payload: { campaignName: 'Campaign1' } }, 'get')).error.message, `GetPreviewRecord not sent: applicationId is missing (${where('applicationId')})`);
      assert.equal((await expectError(seen, { payload: { campaignName: '..', applicationId: 1 } }, 'end')).error.message, 'EndPreviewSession not sent: campaignName must not be . or .. (in the URL they would address another resource)');
      assert.deepEqual(h.sim.requests(), []);
    });

    it('times out after the node\'s timeout, naming the awaited answer', async () => {
      const seen = await start(previewFlow({ node: { timeout: '300' } }));
      await expectOutput(seen, { payload: {} }, 'start');
      h.sim.faults.add({ kind: 'ack', mode: 'drop' });
      for (const operation of OPERATIONS) {
        const caught = await expectError(seen, { payload: { referenceId: `to-${operation}` }, operation }, 'a');
        assert.equal(caught.error.message, `${operation} timed out: no ${ANSWER[operation]} within 300 ms (referenceId to-${operation})`);
      }
    });

    it('the userEventError fault (GSW_ERROR for the campaign) fails the waiting request at once, for every operation', async () => {
      const seen = await start(previewFlow({ node: { timeout: '8000' } }));
      for (const operation of OPERATIONS) {
        // A refused request changes nothing: a refused start leaves no session, so start one for the next two.
        if (operation !== 'StartPreviewSession') await expectOutput(seen, { payload: {} }, 'start');
        h.sim.faults.add({ kind: 'ack', mode: 'userEventError', errorMessage: `Campaign not loaded (${operation})`, errorNumber: 1207, count: 1, operation });
        const started = Date.now();
        const caught = await expectError(seen, { payload: { referenceId: `uee-${operation}` }, operation }, 'a');
        const took = Date.now() - started;
        assert.equal(caught.error.message, `${operation} failed: OCS refused it: a user event reported an error instead of ${operation === 'AddRecord' ? 'notification whose type ends in Acknowledge' : ANSWER[operation]} (referenceId uee-${operation}): Campaign not loaded (${operation}) (error 1207)`);
        assert.equal(caught.gws.referenceId, `uee-${operation}`);
        assert.ok(took < 3000, `${operation}: failed after ${took} ms, not at the 8 s timeout`);
      }
      // The refused GetPreviewRecord used up no record.
      const handles = [];
      for (let i = 0; i < 3; i++) handles.push(assertPreviewRecord(await expectOutput(seen, { payload: {} }, 'get')));
      assert.equal(new Set(handles).size, 3);
    });

    it('an error notification correlated to the request fails it with its text', async () => {
      const seen = await start(previewFlow({ node: { timeout: '8000' } }));
      await expectOutput(seen, { payload: {} }, 'start');
      h.sim.faults.add({ kind: 'ack', mode: 'error', errorMessage: 'No records in the calling list', count: 1, operation: 'GetPreviewRecord' });
      const caught = await expectError(seen, { payload: { referenceId: 'err-preview' } }, 'get');
      assert.equal(caught.error.message, 'GetPreviewRecord failed: GWS answered PreviewRecordError (referenceId err-preview): No records in the calling list (error 1003)');
    });

    it('redeploy while waiting: each pending message ends once with "node closed before the answer arrived"', async () => {
      const flow = previewFlow();
      const seen = await start(flow);
      await expectOutput(seen, { payload: {} }, 'start');
      const tracked = track('a');
      h.sim.faults.add({ kind: 'ack', mode: 'drop' });
      for (const operation of OPERATIONS) helper.getNode('a').receive({ _msgid: `w-${operation}`, payload: { referenceId: `w-${operation}` }, operation });
      await until(() => h.sim.requests().length === 4, 5000, 'all sent');
      const conn = await helper.getNode('server').connect();
      await until(() => conn.stats.pending === 3, 3000, 'all waiting');
      await helper.setFlows(flow.map((n) => (n.id === 'a' ? { ...n, name: 'changed' } : n)), 'nodes');
      for (const operation of OPERATIONS) {
        assert.deepEqual(tracked.get(`w-${operation}`), { sent: 0, done: 0, errors: [closedText(operation, `w-${operation}`)] }, operation);
      }
      await delay(200);
      assert.equal(conn.stats.pending, 0);
    });
  });

  describe('a previewed record wired straight into a record node', () => {
    /**
     * get (GetPreviewRecord) → change node setting msg.operation → record node `r` (operation msg) → out.
     * The change node changes nothing else.
     */
    function deskFlow(decision) {
      return previewFlow({
        extra: [
          { id: 'pick', type: 'change', rules: [{ t: 'set', p: 'operation', pt: 'msg', to: decision, tot: 'str' }], wires: [['r']] },
          { id: 'r', type: RECORD, server: 'server', operation: 'msg', wires: [['out']] },
        ],
      });
    }

    for (const [decision, ack, body] of [
      ['CompleteRecord', 'RecordProcessedAcknowledge', (p) => ({ applicationId: 134, campaignName: 'Campaign1', callingList: LIST, phoneNumber: p.phoneNumber, devicePath: DEVICE })],
      ['RejectRecord', 'RecordRejectAcknowledge', () => ({ applicationId: 134, campaignName: 'Campaign1', callingList: LIST, devicePath: DEVICE })],
      ['DoNotCallRecord', 'DoNotCallAcknowledge', (p) => ({ applicationId: 134, campaignName: 'Campaign1', callingList: LIST, phoneNumber: p.phoneNumber, devicePath: DEVICE })],
    ]) {
      for (const handleIn of ['both', 'userData']) {
        it(`${decision} with only msg.operation set (previewHandleIn ${handleIn})`, async () => {
          h.sim.configure({ previewHandleIn: handleIn });
          const flow = deskFlow(decision);
          flow.find((n) => n.id === 'get').wires = [['pick']];
          const seen = await start(flow);
          await expectOutput(seen, { payload: {} }, 'start');
          const previewed = [];
          const previewOut = helper.getNode('pick');
          previewOut.on('input', (msg) => previewed.push(structuredClone(msg.payload)));
          helper.getNode('get').receive({ payload: {} });
          await until(() => seen.out.length + seen.caught.length === 2, 5000, 'the decision answered');
          assert.equal(seen.caught.length, 0, seen.caught[0]?.error?.message);
          const done = seen.out.at(-1);
          const preview = previewed[0];
          assert.equal(done.topic, ack);
          assert.equal(done.gws.operationName, decision);
          assert.equal(done.gws.recordHandle, preview.recordHandle);
          assert.equal(done.payload.record.recordHandle, preview.recordHandle);
          assert.equal(done.payload.record.callingList, LIST, 'the session\'s calling list');
          const request = h.sim.requests().at(-1);
          assert.equal(request.path, `/api/v2/me/outbound-records/${preview.recordHandle}`);
          assert.deepEqual({ ...request.body, referenceId: undefined }, { operationName: decision, ...body(preview), referenceId: undefined });
          // msg.payload still holds the preview's referenceId: the decision is a request of its own (rule 13).
          assert.notEqual(request.body.referenceId, preview.referenceId, 'a new referenceId, not the preview\'s');
          assert.match(request.body.referenceId, /^[0-9a-f-]{36}$/);
          assert.equal(done.gws.userEvent.userData.GSW_RECORD_HANDLE, preview.recordHandle);
        });
      }
    }

    it('a function node chooses the decision and adds a call result; the record node needs nothing else', async () => {
      const code = 'msg.operation = "CompleteRecord";\nmsg.payload.callResult = "Busy";\nreturn msg;';
      const flow = previewFlow({
        extra: [
          { id: 'decide', type: 'function', func: code, outputs: 1, wires: [['r']] },
          { id: 'r', type: RECORD, server: 'server', operation: 'msg', wires: [['out']] },
        ],
      });
      flow.find((n) => n.id === 'get').wires = [['decide']];
      const seen = await start(flow);
      await expectOutput(seen, { payload: {} }, 'start');
      helper.getNode('get').receive({ payload: {} });
      await until(() => seen.out.length + seen.caught.length === 2, 5000, 'completed');
      assert.equal(seen.caught.length, 0, seen.caught[0]?.error?.message);
      const done = seen.out.at(-1);
      assert.equal(done.topic, 'RecordProcessedAcknowledge');
      assert.equal(h.sim.requests().at(-1).body.callResult, 'Busy');
      assert.equal(done.gws.userEvent.userData.GSW_CALL_RESULT, 6);
    });
  });

  describe('the campaign in the path', () => {
    it('a campaign name with spaces and a slash goes into the path as one encoded segment, its own session', async () => {
      const seen = await start(previewFlow());
      const name = 'Outbound Sales/EU';
      const msg = await expectOutput(seen, { payload: { campaignName: name } }, 'start');
      assert.equal(msg.payload.campaign.name, name);
      const record = await expectOutput(seen, { payload: { campaignName: name } }, 'get');
      assert.equal(record.payload.campaignName, name);
      assert.equal(record.payload.callingList, `${name}_CallingList`);
      assert.deepEqual(h.sim.requests().map((r) => r.path), Array(2).fill('/api/v2/me/outbound-campaigns/Outbound%20Sales%2FEU'));
      // Campaign1 (the server default) has no session of its own.
      assert.equal((await expectError(seen, { payload: {} }, 'get')).gws.statusCode, 2);
    });

    it('a function node makes msg.payload (its own JavaScript context) and msg.operation', async () => {
      const code = 'msg.operation = msg.step;\nmsg.payload = { campaignName: "Campaign1", applicationId: "134" };\nreturn msg;';
      const seen = await start(previewFlow({ extra: [{ id: 'fn', type: 'function', func: code, outputs: 1, wires: [['a']] }] }));
      const topics = [];
      for (const step of ['StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession']) {
        helper.getNode('fn').receive({ step });
        await until(() => seen.out.length + seen.caught.length === topics.length + 1, 5000, step);
        assert.equal(seen.caught.length, 0, seen.caught[0]?.error?.message);
        topics.push(seen.out.at(-1).topic);
      }
      assert.deepEqual(topics, ['PreviewSessionStarted', 'PreviewRecord', 'PreviewSessionEnded']);
      assertPreviewRecord(seen.out[1]);
    });
  });

  it('waitForAck off: payload {statusCode: 0}, topic = the operation', async () => {
    const seen = await start(previewFlow({ node: { waitForAck: false } }));
    for (const operation of OPERATIONS) {
      const msg = await expectOutput(seen, { payload: {}, operation }, 'a');
      assert.deepEqual(msg.payload, { statusCode: 0 });
      assert.equal(msg.topic, operation);
      assert.equal(msg.gws.userEvent, undefined);
      assert.equal(msg.gws.operationName, operation);
    }
  });

  it('the event node tags the answers with the campaign operations (msg.gws.correlation.operationName)', async () => {
    const seen = await start(previewFlow({
      extra: [
        { id: 'ev', type: 'gws-outbound-event', server: 'server', channel: 'both', correlated: 'all', wires: [['events']] },
        { id: 'events', type: 'helper' },
      ],
    }));
    const events = collect('events').events;
    const sent = [];
    for (const operation of ['StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession']) {
      sent.push((await expectOutput(seen, { payload: {}, operation }, 'a')).gws.referenceId);
    }
    await until(() => events.some((e) => e.topic === 'PreviewSessionEnded'), 3000, 'the last answer');
    const tagged = events.filter((e) => e.gws?.correlation);
    assert.deepEqual(tagged.map((e) => [e.topic, e.gws.correlation.operationName, e.gws.correlation.referenceId]), OPERATIONS.map((op, i) => [ANSWER[op], op, sent[i]]));
    for (const event of tagged) {
      assert.equal(event.gws.correlation.nodeId, 'a');
      assert.equal(event.gws.correlation.recordHandle, undefined, 'a campaign operation addresses no record');
      assert.equal(event.gws.correlation.request.operationName, event.gws.correlation.operationName);
    }
    // The PreviewRecord's user event arrives too, never tagged (rule 8).
    const userEvent = events.find((e) => e.channel === '/me/internal');
    assert.equal(userEvent.payload.userData.GSW_USER_EVENT, 'PreviewRecord');
    assert.equal(userEvent.gws, undefined);
  });
});
