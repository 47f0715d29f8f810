'use strict';
/**
 * Flow tests of the action nodes, gws-complete-record and gws-get-chained-record, against the bundled
 * simulator (one per test, port 0): the seed exchanges end to end, parameters from every TypedInput
 * type and their fallbacks, every pre-send error, GWS rejections reaching a Catch node, timeouts, late,
 * duplicated and error answers, waitForAck false, status, load, redeploy and removal.
 * Nothing of the package is mocked; the simulator's fault controls make GWS misbehave.
 */
const assert = require('node:assert/strict');
const { until, delay, DEVICE, completeParams, chainParams } = require('../helpers');
const { helper, serverNode, load, watch, flowHarness } = require('../helpers/flow');
const { STATUS, onTab, actionFlow, collect, track, isConnected, readSeed } = require('../helpers/actions');

const COMPLETE = 'gws-complete-record';
const CHAINED = 'gws-get-chained-record';
const TYPES = [COMPLETE, CHAINED];
const OPERATION = { [COMPLETE]: 'CompleteRecord', [CHAINED]: 'GetChainedRecord' };
const ANSWER = { CompleteRecord: 'RecordProcessedAcknowledge', GetChainedRecord: 'ChainedRecordsDataEnd' };
const PARAMS = {
  [COMPLETE]: ['recordHandle', 'applicationId', 'campaignName', 'callingList', 'callResult', 'phoneNumber', 'devicePath', 'referenceId'],
  [CHAINED]: ['recordHandle', 'applicationId', 'campaignName', 'devicePath', 'referenceId'],
};
const REQUIRED = {
  [COMPLETE]: ['recordHandle', 'applicationId', 'campaignName', 'callingList', 'devicePath'],
  [CHAINED]: ['recordHandle', 'applicationId', 'campaignName', 'devicePath'],
};
const WITH_SERVER_DEFAULT = ['devicePath', 'applicationId', 'campaignName'];
const GWS_KEYS = ['elapsedMs', 'operationName', 'recordHandle', 'referenceId', 'request', 'statusCode', 'userEvent'];
const CONNECTED = { fill: 'green', shape: 'dot', text: `${STATUS}connected` };
const waiting = (n) => ({ fill: 'blue', shape: 'dot', text: `waiting (${n})` });
const redRing = (reason) => ({ fill: 'red', shape: 'ring', text: `${STATUS}${reason}` });

/** A complete, valid msg.payload for the node type. */
const paramsFor = (type, overrides = {}) => (type === COMPLETE ? completeParams(overrides) : chainParams(overrides));

/** The properties the editor stores for a new node (every parameter '' of type str, waitForAck true, timeout ''). */
function editorDefaults(type) {
  const def = { name: '', waitForAck: true, timeout: '' };
  for (const param of PARAMS[type]) {
    def[param] = '';
    def[`${param}Type`] = 'str';
  }
  return def;
}

const without = (object, ...keys) => Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));

describe('action nodes: gws-complete-record and gws-get-chained-record', function () {
  this.timeout(20000);
  const h = flowHarness();

  /** Loads the flow, waits until the shared connection is up and collects what reaches `out` and `caught`. */
  async function start(flow, creds) {
    await load(flow, creds);
    await until(isConnected, 5000, 'the connection to the simulator');
    return collect('out', 'caught');
  }

  /** Sends `msg` to node `id`; resolves with the output or the caught error it ends in. */
  async function exchange(seen, msg, id = 'a', timeoutMs = 5000) {
    const outs = seen.out.length;
    const caught = seen.caught.length;
    helper.getNode(id).receive(msg);
    await until(() => seen.out.length > outs || seen.caught.length > caught, timeoutMs, `an output or an error for ${JSON.stringify(msg.payload)}`);
    return seen.out.length > outs ? { out: seen.out.at(-1) } : { caught: seen.caught.at(-1) };
  }

  async function expectOutput(seen, msg, id = 'a', timeoutMs = 5000) {
    const { out, caught } = await exchange(seen, msg, id, timeoutMs);
    if (caught) assert.fail(`expected an output, got the error: ${caught.error.message}`);
    return out;
  }

  async function expectError(seen, msg, id = 'a', timeoutMs = 5000) {
    const { out, caught } = await exchange(seen, msg, id, timeoutMs);
    if (out) assert.fail(`expected an error, got an output with topic ${out.topic}`);
    return caught;
  }

  const connection = () => helper.getNode('server').connect();

  /** A DeviceUserEventMessage as in the seed, but for the measured metrics, which keep their fields and types. */
  function assertUserEvent(actual, expected) {
    assert.ok(actual, 'msg.gws.userEvent is there');
    assert.deepEqual(without(actual, 'metrics'), without(expected, 'metrics'));
    assert.deepEqual(Object.keys(actual.metrics.eventProcessing).sort(), Object.keys(expected.metrics.eventProcessing).sort());
    for (const value of Object.values(actual.metrics.eventProcessing)) assert.equal(typeof value, 'number');
  }

  describe('the seed exchanges end to end', () => {
    it('CompleteRecord: record handle 12, referenceId 123456789', async () => {
      const seed = readSeed('complete-record.txt');
      const seen = await start(actionFlow(h.sim));
      const input = {
        _msgid: 'seed-complete',
        payload: { recordHandle: 12, ...without(seed.request, 'operationName') },
        topic: 'incoming',
        keep: 'this',
        nested: { list: [1, 2, 3] },
        gws: { stale: 'from an earlier node' },
      };
      const msg = await expectOutput(seen, input);

      const requests = h.sim.requests();
      assert.equal(requests.length, 1);
      assert.equal(requests[0].path, `/api/v2/me/outbound-records/${seed.handle}`);
      assert.deepEqual(requests[0].body, seed.request);

      assert.deepEqual(msg.payload, seed.cometd[0].data);
      assert.equal(msg.topic, 'RecordProcessedAcknowledge');
      assert.deepEqual(Object.keys(msg.gws).sort(), GWS_KEYS);
      assert.equal(msg.gws.operationName, 'CompleteRecord');
      assert.equal(msg.gws.recordHandle, 12);
      assert.equal(msg.gws.referenceId, '123456789');
      assert.equal(msg.gws.statusCode, 0);
      assert.deepEqual(msg.gws.request, requests[0].body);
      assertUserEvent(msg.gws.userEvent, seed.cometd[1].data);
      assert.equal(typeof msg.gws.elapsedMs, 'number');
      assert.ok(msg.gws.elapsedMs > 0 && msg.gws.elapsedMs < 5000, `elapsedMs ${msg.gws.elapsedMs}`);

      assert.equal(msg._msgid, 'seed-complete');
      assert.equal(msg.keep, 'this');
      assert.deepEqual(msg.nested, { list: [1, 2, 3] });
      assert.equal(seen.out.length, 1);
      assert.equal(seen.caught.length, 0);
    });

    it('GetChainedRecord: record handle 7, referenceId 123456789', async () => {
      const seed = readSeed('get-chained-record.txt');
      const seen = await start(actionFlow(h.sim, { type: CHAINED }));
      const msg = await expectOutput(seen, {
        _msgid: 'seed-chained',
        payload: { recordHandle: 7, ...without(seed.request, 'operationName') },
        keep: 42,
      });

      const requests = h.sim.requests();
      assert.equal(requests.length, 1);
      assert.equal(requests[0].path, `/api/v2/me/outbound-records/${seed.handle}`);
      assert.deepEqual(requests[0].body, seed.request);

      assert.deepEqual(msg.payload, { records: [], end: seed.cometd[0].data });
      assert.equal(msg.topic, 'ChainedRecordsDataEnd');
      assert.deepEqual(Object.keys(msg.gws).sort(), GWS_KEYS);
      assert.equal(msg.gws.operationName, 'GetChainedRecord');
      assert.equal(msg.gws.recordHandle, 7);
      assert.equal(msg.gws.referenceId, '123456789');
      assert.equal(msg.gws.statusCode, 0);
      assert.deepEqual(msg.gws.request, requests[0].body);
      assertUserEvent(msg.gws.userEvent, seed.cometd[1].data);
      assert.ok(msg.gws.elapsedMs > 0 && msg.gws.elapsedMs < 5000, `elapsedMs ${msg.gws.elapsedMs}`);
      assert.equal(msg._msgid, 'seed-chained');
      assert.equal(msg.keep, 42);
    });

    for (const chainLength of [0, 1, 5]) {
      it(`GetChainedRecord with a chain of ${chainLength}: payload {records, end}, records in arrival order`, async () => {
        h.sim.configure({ chainLength });
        const seen = await start(actionFlow(h.sim, { type: CHAINED }));
        const msg = await expectOutput(seen, { payload: chainParams({ recordHandle: 7, referenceId: `chain-${chainLength}` }) });
        const records = Array.from({ length: chainLength }, (_, k) => ({
          devicePath: DEVICE,
          callingList: 'CallingList1',
          applicationId: 134,
          recordHandle: 700 + k + 1,
          campaignName: 'Campaign1',
          chainId: 1,
          chainN: k + 1,
          contactInfo: `5550100${String(k + 1).padStart(3, '0')}`,
        }));
        assert.deepEqual(Object.keys(msg.payload), ['records', 'end']);
        assert.deepEqual(msg.payload.records, records);
        assert.deepEqual(msg.payload.end, {
          record: { devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, recordHandle: 7, campaignName: 'Campaign1' },
          notificationType: 'ChainedRecordsDataEnd',
          messageType: 'OutboundRecordMessage',
          referenceId: `chain-${chainLength}`,
        });
        assert.equal(msg.topic, 'ChainedRecordsDataEnd');
        assert.equal(msg.gws.referenceId, `chain-${chainLength}`);
        await delay(100);
        assert.equal(seen.out.length, 1, 'one output for the whole chain');
      });
    }
  });

  describe('parameters', () => {
    /** What each typed source yields; the payload and the server hold other values, which must not be used. */
    const TYPED = {
      recordHandle: 55,
      applicationId: 321,
      campaignName: 'CampT',
      callingList: 'ListT',
      callResult: 'Busy',
      phoneNumber: '5550123',
      devicePath: '/devices/typed-device-1',
      referenceId: 'ref-typed-1',
    };
    const FROM_PAYLOAD = {
      recordHandle: 999,
      applicationId: 999,
      campaignName: 'FromPayload',
      callingList: 'FromPayload',
      callResult: 'NoAnswer',
      phoneNumber: '999',
      devicePath: '/devices/from-payload',
      referenceId: 'from-payload',
    };
    const SERVER_DEFAULTS = { devicePath: '/devices/server-default', applicationId: '777', campaignName: 'ServerCampaign' };
    const ENV = (param) => `GWS_ACTIONS_SPEC_${param.toUpperCase()}`;
    const JSONATA = {
      recordHandle: 'src.base + 5',
      applicationId: '$number(src.app)',
      campaignName: '"Camp" & "T"',
      callingList: '$flowContext("list")',
      callResult: '$globalContext("result")',
      phoneNumber: '$string(5550000 + 123)',
      devicePath: '"/devices/" & src.dev',
      referenceId: '"ref-" & $lowercase("TYPED-1")',
    };
    const NUM = { recordHandle: '55', applicationId: '321', campaignName: '2024', callingList: '77', callResult: '6', phoneNumber: '5550123', referenceId: '424242' };

    /**
     * For each TypedInput type: the node's properties, what to prepare, the message, and what must be
     * sent (the body without operationName) and shown as msg.gws.recordHandle.
     */
    const CASES = {
      msg: { prop: (p) => [`src.${p}`, 'msg'], msg: { src: TYPED }, body: TYPED, handle: 55 },
      flow: { prop: (p) => [`src.${p}`, 'flow'], setup: (node) => node.context().flow.set('src', TYPED), body: TYPED, handle: 55 },
      global: { prop: (p) => [`src.${p}`, 'global'], setup: (node) => node.context().global.set('src', TYPED), body: TYPED, handle: 55 },
      str: { prop: (p) => [String(TYPED[p]), 'str'], body: TYPED, handle: '55' },
      // A num property holds digits; devicePath has none, so it is left unset and read from msg.payload.
      num: {
        prop: (p) => (p === 'devicePath' ? undefined : [NUM[p], 'num']),
        body: { ...NUM, callResult: 'Busy', devicePath: FROM_PAYLOAD.devicePath },
        handle: 55,
      },
      env: {
        prop: (p) => [ENV(p), 'env'],
        env: Object.fromEntries(Object.entries(TYPED).map(([p, v]) => [ENV(p), String(v)])),
        body: TYPED,
        handle: '55',
      },
      jsonata: {
        prop: (p) => [JSONATA[p], 'jsonata'],
        msg: { src: { base: 50, app: '321', dev: 'typed-device-1' } },
        setup: (node) => {
          node.context().flow.set('list', 'ListT');
          node.context().global.set('result', 'Busy');
        },
        body: TYPED,
        handle: 55,
      },
    };

    for (const type of TYPES) {
      const operationName = OPERATION[type];
      for (const [kind, spec] of Object.entries(CASES)) {
        it(`${operationName}: every parameter from a property of type ${kind}, ahead of msg.payload and the server defaults`, async () => {
          const props = {};
          for (const param of PARAMS[type]) {
            const prop = spec.prop(param);
            if (prop) [props[param], props[`${param}Type`]] = prop;
          }
          for (const [name, value] of Object.entries(spec.env ?? {})) process.env[name] = value;
          try {
            const seen = await start(actionFlow(h.sim, { type, node: props, server: SERVER_DEFAULTS }));
            spec.setup?.(helper.getNode('a'));
            const msg = await expectOutput(seen, { payload: { ...FROM_PAYLOAD }, ...spec.msg });
            const expected = { operationName };
            for (const param of PARAMS[type]) if (param !== 'recordHandle') expected[param] = spec.body[param];
            expected.applicationId = Number(expected.applicationId);
            expected.phoneNumber &&= String(expected.phoneNumber);
            const [request] = h.sim.requests();
            assert.deepEqual(request.body, expected);
            assert.equal(request.path, '/api/v2/me/outbound-records/55');
            assert.deepEqual(msg.gws.request, request.body);
            assert.equal(msg.gws.recordHandle, spec.handle);
            assert.equal(msg.gws.referenceId, expected.referenceId);
            assert.equal(msg.payload.referenceId ?? msg.payload.end.referenceId, expected.referenceId);
          } finally {
            for (const name of Object.keys(spec.env ?? {})) delete process.env[name];
          }
        });
      }
    }

    for (const type of TYPES) {
      const operationName = OPERATION[type];

      it(`${operationName}: an unset property reads msg.payload.<name>, then the server default`, async () => {
        const seen = await start(actionFlow(h.sim, { type, server: SERVER_DEFAULTS }));
        const own = type === COMPLETE ? { callingList: 'L' } : {};

        // All in msg.payload: the payload wins over the server defaults.
        let msg = await expectOutput(seen, { payload: { ...without(FROM_PAYLOAD, ...(type === CHAINED ? ['callingList', 'callResult', 'phoneNumber'] : [])), recordHandle: 1 } });
        let body = h.sim.requests().at(-1).body;
        assert.equal(body.devicePath, '/devices/from-payload');
        assert.equal(body.applicationId, 999);
        assert.equal(body.campaignName, 'FromPayload');
        assert.equal(body.referenceId, 'from-payload');
        if (type === COMPLETE) {
          assert.equal(body.callingList, 'FromPayload');
          assert.equal(body.callResult, 'NoAnswer');
          assert.equal(body.phoneNumber, '999');
        }
        assert.deepEqual(msg.gws.request, body);

        // Absent, null or '' in msg.payload: the server defaults (applicationId converted to a number).
        for (const absent of [{}, { devicePath: null, applicationId: null, campaignName: null }, { devicePath: '', applicationId: '', campaignName: '' }]) {
          msg = await expectOutput(seen, { payload: { recordHandle: 1, ...own, ...absent } });
          body = h.sim.requests().at(-1).body;
          assert.equal(body.devicePath, '/devices/server-default', JSON.stringify(absent));
          assert.equal(body.applicationId, 777);
          assert.equal(body.campaignName, 'ServerCampaign');
          assert.match(body.referenceId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a generated UUID');
          assert.equal(msg.gws.referenceId, body.referenceId);
          assert.equal('callResult' in body, false);
          assert.equal('phoneNumber' in body, false);
        }
      });

      it(`${operationName}: a property that is set but evaluates to nothing falls back to the server default`, async () => {
        const b = {
          id: 'b', type, server: 'server', wires: [['out']],
          devicePath: 'nokey', devicePathType: 'global',
          applicationId: 'payload.none', applicationIdType: 'jsonata',
          campaignName: 'payload.empty', campaignNameType: 'msg',
        };
        const seen = await start(actionFlow(h.sim, {
          type,
          server: SERVER_DEFAULTS,
          node: {
            devicePath: 'notThere', devicePathType: 'msg',
            applicationId: 'nokey', applicationIdType: 'flow',
            campaignName: 'GWS_ACTIONS_SPEC_NOT_SET', campaignNameType: 'env',
          },
          extra: [b],
        }));
        const own = type === COMPLETE ? { callingList: 'L' } : {};
        for (const id of ['a', 'b']) {
          await expectOutput(seen, { payload: { recordHandle: 1, empty: '', ...own } }, id);
          const body = h.sim.requests().at(-1).body;
          assert.equal(body.devicePath, '/devices/server-default', id);
          assert.equal(body.applicationId, 777, id);
          assert.equal(body.campaignName, 'ServerCampaign', id);
        }
      });

      it(`${operationName}: a node deployed with only server set works like one with the editor defaults`, async () => {
        const seen = await start(actionFlow(h.sim, {
          type,
          server: { ackTimeout: '300' },
          extra: [{ id: 'e', type, server: 'server', ...editorDefaults(type), wires: [['out']] }],
        }));
        const payload = () => paramsFor(type, { recordHandle: 8 });
        const fromBare = await expectOutput(seen, { payload: payload() }, 'a');
        const bareBody = h.sim.requests().at(-1).body;
        const fromEditor = await expectOutput(seen, { payload: payload() }, 'e');
        const editorBody = h.sim.requests().at(-1).body;
        assert.deepEqual(without(bareBody, 'referenceId'), without(editorBody, 'referenceId'));
        assert.notEqual(bareBody.referenceId, editorBody.referenceId, 'each gets its own generated referenceId');
        for (const msg of [fromBare, fromEditor]) {
          assert.equal(msg.topic, ANSWER[operationName], 'waitForAck defaults to true');
          assert.deepEqual(Object.keys(msg.gws).sort(), GWS_KEYS);
        }
        const strip = (msg) => (type === COMPLETE ? without(msg.payload, 'referenceId') : { ...msg.payload, end: without(msg.payload.end, 'referenceId') });
        assert.deepEqual(strip(fromBare), strip(fromEditor));

        // Both take the server's ackTimeout when no timeout is set.
        h.sim.faults.add({ kind: 'ack', mode: 'drop', count: 2 });
        for (const id of ['a', 'e']) {
          const caught = await expectError(seen, { payload: payload() }, id);
          const referenceId = h.sim.requests().at(-1).body.referenceId;
          assert.equal(caught.error.message, `${operationName} timed out: no ${ANSWER[operationName]} within 300 ms (referenceId ${referenceId})`);
        }
      });

      it(`${operationName}: every required parameter missing (absent, null or '') is an error before anything is sent`, async () => {
        const seen = await start(actionFlow(h.sim, { type, server: { devicePath: '', applicationId: '', campaignName: '' } }));
        const statuses = watch('a');
        for (const param of REQUIRED[type]) {
          for (const variant of ['absent', null, '']) {
            const payload = paramsFor(type);
            if (variant === 'absent') delete payload[param];
            else payload[param] = variant;
            const caught = await expectError(seen, { payload, keep: param });
            const where = WITH_SERVER_DEFAULT.includes(param)
              ? `set it on the node, in msg.payload.${param} or as a default on the server node`
              : `set it on the node or in msg.payload.${param}`;
            assert.equal(caught.error.message, `${operationName} not sent: ${param} is missing (${where})`, `${param} ${variant}`);
            assert.equal(caught.error.source.id, 'a');
            assert.equal(caught.gws.statusCode, 1);
            assert.equal(caught.gws.operationName, operationName);
            assert.equal(caught.keep, param, 'the caught message is the input message');
          }
        }
        assert.deepEqual(h.sim.requests(), [], 'no request reached GWS');
        assert.equal(seen.out.length, 0);
        await delay(20);
        assert.deepEqual(statuses.statuses.at(-1), redRing('invalid'));
        assert.ok(!statuses.statuses.some((s) => s.fill === 'blue'), 'a message refused before sending never shows as waiting');
      });

      it(`${operationName}: applicationId that is not a non-negative integer is refused before sending`, async () => {
        const seen = await start(actionFlow(h.sim, { type, extra: [
          { id: 'fromStr', type, server: 'server', applicationId: '12a', applicationIdType: 'str', wires: [['out']] },
          { id: 'fromNum', type, server: 'server', applicationId: '-3', applicationIdType: 'num', wires: [['out']] },
        ] }));
        const text = (shown) => `${operationName} not sent: applicationId must be a non-negative integer (a number or a string of up to 15 digits), got ${shown}`;
        for (const [value, shown] of [['12a', '"12a"'], [1.5, '1.5'], ['-3', '"-3"'], [-3, '-3'], [true, 'true']]) {
          const caught = await expectError(seen, { payload: paramsFor(type, { applicationId: value }) });
          assert.equal(caught.error.message, text(shown));
          assert.equal(caught.gws.statusCode, 1);
        }
        assert.equal((await expectError(seen, { payload: paramsFor(type) }, 'fromStr')).error.message, text('"12a"'));
        assert.equal((await expectError(seen, { payload: paramsFor(type) }, 'fromNum')).error.message, text('-3'));
        assert.deepEqual(h.sim.requests(), []);
        // A string of digits is converted.
        await expectOutput(seen, { payload: paramsFor(type, { applicationId: ' 134 ' }) });
        assert.equal(h.sim.requests()[0].body.applicationId, 134);
      });
    }

    describe('callResult', () => {
      for (const [format, sent] of [['name', 'Answer'], ['number', 33]]) {
        it(`is sent as a ${format} (${JSON.stringify(sent)}) when the server node says so, given as 'Answer', 33 or '33'`, async () => {
          h.sim.configure({ callResultFormat: format });
          const seen = await start(actionFlow(h.sim, { server: { callResultFormat: format } }));
          for (const given of ['Answer', 33, '33']) {
            const msg = await expectOutput(seen, { payload: completeParams({ callResult: given }) });
            const body = h.sim.requests().at(-1).body;
            assert.strictEqual(body.callResult, sent, `given ${JSON.stringify(given)}`);
            assert.deepEqual(msg.gws.request, body);
            assert.equal(msg.gws.userEvent.userData.GSW_CALL_RESULT, 33);
          }
          // A server that wants the other format refuses it: GWS's word reaches the flow.
          h.sim.configure({ callResultFormat: format === 'name' ? 'number' : 'name' });
          const caught = await expectError(seen, { payload: completeParams({ callResult: 'Answer' }) });
          assert.equal(caught.error.message, 'CompleteRecord rejected by GWS: statusCode 1 (missing or invalid parameter): Invalid parameter: callResult');
          assert.equal(caught.gws.statusCode, 1);
          assert.equal(caught.gws.httpStatus, 400);
        });
      }

      it('defaults to the name when the server node has no callResultFormat', async () => {
        h.sim.configure({ callResultFormat: 'name' });
        const seen = await start(actionFlow(h.sim));
        await expectOutput(seen, { payload: completeParams({ callResult: 9 }) });
        assert.equal(h.sim.requests()[0].body.callResult, 'AnsweringMachine');
      });

      it('refuses an unknown call result before sending', async () => {
        const seen = await start(actionFlow(h.sim));
        for (const [value, shown] of [['Bogus', '"Bogus"'], [54, '54'], ['99', '"99"'], [33.5, '33.5']]) {
          const caught = await expectError(seen, { payload: completeParams({ callResult: value }) });
          assert.equal(caught.error.message, `CompleteRecord not sent: callResult must be an OCS call result (a name such as Answer or a number from 0 to 53), got ${shown}`);
          assert.equal(caught.gws.statusCode, 1);
        }
        assert.deepEqual(h.sim.requests(), []);
      });
    });
  });

  describe('errors from GWS reach a Catch node', () => {
    const REJECTIONS = [
      { statusCode: 1, httpStatus: 400, statusMessage: 'campaignName', status: 'rejected', text: (op) => `${op} rejected by GWS: statusCode 1 (missing or invalid parameter): campaignName` },
      { statusCode: 3, httpStatus: 400, statusMessage: 'The feature api-voice-outbound is not enabled', status: 'rejected', text: (op) => `${op} rejected by GWS: statusCode 3 (operation forbidden): The feature api-voice-outbound is not enabled` },
      { statusCode: 5, httpStatus: 400, statusMessage: 'No permission for campaign Campaign1', status: 'rejected', text: (op) => `${op} rejected by GWS: statusCode 5 (no permission): No permission for campaign Campaign1` },
      { statusCode: 20, httpStatus: 401, statusMessage: 'Authentication failed', status: 'authFailed', text: (op) => `${op} failed: GWS refused the credentials (HTTP 401, statusCode 20: not authenticated / access denied); check the username and password of the server node` },
      { statusCode: 4, httpStatus: 503, statusMessage: 'T-Server is not reachable', status: 'serverError', text: (op) => `${op} rejected by GWS: statusCode 4 (internal error): T-Server is not reachable` },
    ];
    for (const type of TYPES) {
      const operationName = OPERATION[type];
      for (const rejection of REJECTIONS) {
        it(`${operationName}: statusCode ${rejection.statusCode} with HTTP ${rejection.httpStatus}`, async () => {
          const seen = await start(actionFlow(h.sim, { type }));
          const statuses = watch('a');
          h.sim.faults.add({ kind: 'status', statusCode: rejection.statusCode, httpStatus: rejection.httpStatus, statusMessage: rejection.statusMessage, count: 1 });
          const caught = await expectError(seen, { payload: paramsFor(type, { referenceId: `rej-${rejection.statusCode}` }), keep: 'me' });
          assert.equal(caught.error.message, rejection.text(operationName));
          assert.equal(caught.error.source.id, 'a');
          assert.equal(caught.error.source.type, type);
          assert.equal(caught.gws.statusCode, rejection.statusCode);
          assert.equal(caught.gws.httpStatus, rejection.httpStatus);
          assert.equal(caught.gws.referenceId, `rej-${rejection.statusCode}`);
          assert.equal(caught.gws.operationName, operationName);
          assert.equal(caught.keep, 'me');
          assert.equal(h.sim.requests().length, 1, 'no retry (rule 6)');
          assert.equal(seen.out.length, 0);
          await delay(20);
          assert.deepEqual(statuses.statuses.at(-1), redRing(rejection.status));
        });
      }

      it(`${operationName}: an error notification correlated to the request fails it with its text`, async () => {
        const seen = await start(actionFlow(h.sim, { type, node: { timeout: '5000' } }));
        h.sim.faults.add({ kind: 'ack', mode: 'error', errorMessage: 'Record 12 is not in the calling list', count: 1 });
        const started = Date.now();
        const caught = await expectError(seen, { payload: paramsFor(type, { referenceId: 'err-1' }) });
        const errorType = type === COMPLETE ? 'RecordProcessedError' : 'ChainedRecordsError';
        assert.equal(caught.error.message, `${operationName} failed: GWS answered ${errorType} (referenceId err-1): Record 12 is not in the calling list (error 1003)`);
        assert.equal(caught.gws.referenceId, 'err-1');
        assert.ok(Date.now() - started < 2000, 'fails at once, not at the timeout');
        assert.equal(seen.out.length, 0);
      });
    }
  });

  describe('timeouts, late and duplicated answers', () => {
    for (const type of TYPES) {
      const operationName = OPERATION[type];
      const expected = ANSWER[operationName];

      it(`${operationName}: times out after the node's timeout (a numeric string or a number)`, async () => {
        const seen = await start(actionFlow(h.sim, {
          type,
          node: { timeout: '300' },
          extra: [{ id: 'n', type, server: 'server', timeout: 250, wires: [['out']] }],
        }));
        const statuses = watch('a');
        h.sim.faults.add({ kind: 'ack', mode: 'drop', count: 2 });
        for (const [id, ms] of [['a', 300], ['n', 250]]) {
          const started = Date.now();
          const caught = await expectError(seen, { payload: paramsFor(type, { referenceId: `to-${id}` }) }, id);
          const elapsed = Date.now() - started;
          assert.equal(caught.error.message, `${operationName} timed out: no ${expected} within ${ms} ms (referenceId to-${id})`);
          assert.equal(caught.gws.referenceId, `to-${id}`);
          assert.ok(elapsed >= ms - 20 && elapsed < ms + 1500, `timed out after ${elapsed} ms`);
        }
        await delay(20);
        assert.deepEqual(statuses.statuses.at(-1), redRing('timeout'));
      });

      it(`${operationName}: without a timeout of its own (empty or 0) it waits the server's ackTimeout`, async () => {
        const seen = await start(actionFlow(h.sim, {
          type,
          node: { timeout: '' },
          server: { ackTimeout: '400' },
          extra: [{ id: 'z', type, server: 'server', timeout: '0', wires: [['out']] }],
        }));
        h.sim.faults.add({ kind: 'ack', mode: 'drop', count: 2 });
        for (const id of ['a', 'z']) {
          const started = Date.now();
          const caught = await expectError(seen, { payload: paramsFor(type, { referenceId: `default-${id}` }) }, id);
          assert.equal(caught.error.message, `${operationName} timed out: no ${expected} within 400 ms (referenceId default-${id})`);
          assert.ok(Date.now() - started >= 380);
        }
      });

      it(`${operationName}: an answer after the timeout gives no second output or error, and the node goes on`, async () => {
        const seen = await start(actionFlow(h.sim, { type, node: { timeout: '150' } }));
        const tracked = track('a');
        h.sim.faults.add({ kind: 'ack', mode: 'late', lateMs: 400, count: 1 });
        const caught = await expectError(seen, { _msgid: 'late-1', payload: paramsFor(type, { referenceId: 'late-1' }) });
        assert.equal(caught.error.message, `${operationName} timed out: no ${expected} within 150 ms (referenceId late-1)`);
        const conn = await connection();
        await until(() => conn.stats.late >= 1, 3000, 'the late answer');
        await delay(300);
        assert.equal(seen.out.length, 0);
        assert.equal(seen.caught.length, 1);
        assert.deepEqual(tracked.get('late-1'), { sent: 0, done: 0, errors: [caught.error.message] });
        const msg = await expectOutput(seen, { payload: paramsFor(type, { referenceId: 'after-late' }) });
        assert.equal(msg.gws.referenceId, 'after-late');
      });

      it(`${operationName}: a duplicated answer gives one output`, async () => {
        const seen = await start(actionFlow(h.sim, { type }));
        const tracked = track('a');
        h.sim.faults.add({ kind: 'ack', mode: 'duplicate', count: 1 });
        const msg = await expectOutput(seen, { _msgid: 'dup-1', payload: paramsFor(type, { referenceId: 'dup-1' }) });
        assert.equal(msg.topic, expected);
        const conn = await connection();
        await until(() => conn.stats.duplicate >= 1, 3000, 'the duplicate');
        await delay(300);
        assert.equal(seen.out.length, 1);
        assert.equal(seen.caught.length, 0);
        assert.deepEqual(tracked.get('dup-1'), { sent: 1, done: 1, errors: [] });
        await expectOutput(seen, { payload: paramsFor(type, { referenceId: 'after-dup' }) });
      });

      for (const flag of [false, 'false']) {
        it(`${operationName}: waitForAck ${JSON.stringify(flag)} sends the synchronous answer on, topic = operation, no userEvent`, async () => {
          const seen = await start(actionFlow(h.sim, { type, node: { waitForAck: flag } }));
          const msg = await expectOutput(seen, { payload: paramsFor(type, { referenceId: 'noack-1' }), keep: 1 });
          assert.deepEqual(msg.payload, { statusCode: 0 });
          assert.equal(msg.topic, operationName);
          assert.deepEqual(Object.keys(msg.gws).sort(), GWS_KEYS.filter((key) => key !== 'userEvent'));
          assert.equal(msg.gws.operationName, operationName);
          assert.equal(msg.gws.statusCode, 0);
          assert.equal(msg.gws.referenceId, 'noack-1');
          assert.deepEqual(msg.gws.request, h.sim.requests()[0].body);
          assert.equal(msg.keep, 1);
          // The acknowledgement still comes over CometD: it is not a second output.
          const conn = await connection();
          await until(() => conn.stats.late >= 1, 3000, 'the acknowledgement');
          await delay(300);
          assert.equal(seen.out.length, 1);
          assert.equal(seen.caught.length, 0);
        });
      }
    }
  });

  describe('status', () => {
    it('shows a blue dot "waiting (n)" while answers are pending, connected at 0, a red ring on failure', async () => {
      const seen = await start(actionFlow(h.sim, { node: { timeout: '1000' } }));
      const { statuses } = watch('a');
      h.sim.faults.add({ kind: 'latency', ms: 200, count: 3, operation: 'CompleteRecord' });
      for (let i = 0; i < 3; i++) helper.getNode('a').receive({ payload: completeParams({ recordHandle: 20 + i }) });
      await until(() => seen.out.length === 3, 5000, 'three outputs');
      await delay(20);
      // The first message shows at once; later counts at most every 100 ms; back to connected at once at 0.
      const from = statuses.findIndex((s) => s.fill === 'blue');
      const shown = statuses.slice(from);
      assert.deepEqual(shown[0], waiting(1));
      assert.deepEqual(shown.at(-1), CONNECTED);
      assert.ok(shown.slice(1, -1).every((s) => [waiting(1), waiting(2), waiting(3)].some((w) => w.text === s.text && w.fill === s.fill)), JSON.stringify(shown));
      assert.ok(shown.some((s) => s.text === waiting(3).text), 'the count of three waiting messages is shown');
      assert.ok(shown.length <= 4, `${shown.length} status updates for three messages`);

      // A timeout: red ring; the next good answer: connected again.
      h.sim.faults.add({ kind: 'ack', mode: 'drop', count: 1 });
      await expectError(seen, { payload: completeParams() });
      await delay(20);
      assert.deepEqual(statuses.slice(-2), [waiting(1), redRing('timeout')]);
      await expectOutput(seen, { payload: completeParams() });
      await delay(20);
      assert.deepEqual(statuses.slice(-2), [waiting(1), CONNECTED]);

      // Bad input: red ring "invalid input".
      await expectError(seen, { payload: { recordHandle: 1 } });
      await delay(20);
      assert.deepEqual(statuses.at(-1), redRing('invalid'));
    });
  });

  describe('load and lifecycle', () => {
    it('answers 500 concurrent messages through one node exactly once each', async function () {
      this.timeout(30000);
      const seen = await start(actionFlow(h.sim));
      const tracked = track('a');
      const outputs = new Map();
      helper.getNode('out').on('input', (msg) => outputs.set(msg._msgid, (outputs.get(msg._msgid) ?? 0) + 1));
      const N = 500;
      for (let i = 0; i < N; i++) helper.getNode('a').receive({ _msgid: `m${i}`, n: i, payload: completeParams({ recordHandle: 1000 + i }) });
      await until(() => tracked.ended() === N, 20000, `${N} messages ended (${tracked.ended()} so far)`);
      await delay(300);
      for (let i = 0; i < N; i++) {
        assert.deepEqual(tracked.get(`m${i}`), { sent: 1, done: 1, errors: [] }, `m${i}`);
        assert.equal(outputs.get(`m${i}`), 1, `m${i}`);
      }
      assert.equal(tracked.byId.size, N);
      assert.equal(seen.out.length, N);
      assert.equal(seen.caught.length, 0);
      for (const msg of seen.out) {
        assert.equal(msg.payload.record.recordHandle, 1000 + msg.n, 'each output answers its own request');
        assert.equal(msg.payload.referenceId, msg.gws.referenceId);
        assert.equal(msg.gws.recordHandle, 1000 + msg.n);
      }
      assert.equal(new Set(seen.out.map((msg) => msg.gws.referenceId)).size, N, 'distinct referenceIds');
      assert.equal(h.sim.stats().operations.CompleteRecord, N);
    });

    it('ends every one of 100 concurrent messages once when outcomes are mixed', async () => {
      const seen = await start(actionFlow(h.sim, { node: { timeout: '1500' } }));
      const tracked = track('a');
      h.sim.faults.add([
        { kind: 'status', statusCode: 2, statusMessage: 'Record is not active', count: 10 },
        { kind: 'ack', mode: 'drop', count: 10 },
      ]);
      for (let i = 0; i < 100; i++) {
        const payload = completeParams({ recordHandle: 2000 + i });
        if (i % 10 === 0) delete payload.callingList;
        helper.getNode('a').receive({ _msgid: `x${i}`, payload });
      }
      await until(() => tracked.ended() === 100, 8000, `100 messages ended (${tracked.ended()} so far)`);
      await delay(300);
      const entries = [...tracked.byId.values()];
      assert.equal(entries.length, 100);
      for (const [id, entry] of tracked.byId) {
        const endings = entry.done + entry.errors.length;
        assert.equal(endings, 1, `${id} ended ${endings} times`);
        assert.equal(entry.sent, entry.done, `${id}: an output exactly when done()`);
      }
      const errors = entries.flatMap((entry) => entry.errors);
      assert.equal(errors.filter((e) => e.startsWith('CompleteRecord not sent: callingList is missing')).length, 10);
      assert.equal(errors.filter((e) => e.startsWith('CompleteRecord rejected by GWS: statusCode 2 (invalid state): Record is not active')).length, 10);
      assert.equal(errors.filter((e) => /^CompleteRecord timed out: no RecordProcessedAcknowledge within 1500 ms/.test(e)).length, 10);
      assert.equal(errors.length, 30);
      assert.equal(seen.out.length, 70);
      assert.equal(seen.caught.length, 30);
    });

    /** A flow with a CompleteRecord node `a` and a GetChainedRecord node `b` on one server node. */
    const twoNodeFlow = (name = '') => onTab([
      serverNode(h.sim),
      { id: 'a', type: COMPLETE, server: 'server', name, wires: [['out']] },
      { id: 'b', type: CHAINED, server: 'server', name, wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const closedText = (operationName, referenceId) => `${operationName} failed: node closed before the answer arrived (referenceId ${referenceId})`;

    /** Sends messages that stay pending (their answers are dropped) until all were POSTed. */
    async function pending(counts) {
      const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
      h.sim.faults.add({ kind: 'ack', mode: 'drop', count: total });
      for (const [id, n] of Object.entries(counts)) {
        for (let i = 0; i < n; i++) {
          const payload = (id === 'a' ? completeParams : chainParams)({ referenceId: `ref-${id}${i}` });
          helper.getNode(id).receive({ _msgid: `${id}${i}`, payload });
        }
      }
      await until(() => h.sim.requests().length === total, 5000, 'all requests sent');
      const conn = await connection();
      await until(() => conn.stats.pending === total, 2000, 'all pending');
    }

    it('on redeploy ends each pending message once with "node closed before the answer arrived", within 1 s', async () => {
      const seen = await start(twoNodeFlow());
      const ta = track('a');
      const tb = track('b');
      await pending({ a: 3, b: 2 });
      const started = Date.now();
      await helper.setFlows(twoNodeFlow('changed'), 'nodes');
      const took = Date.now() - started;
      assert.ok(took < 1000, `redeploy took ${took} ms`);
      for (const [tracked, id, n, operationName] of [[ta, 'a', 3, 'CompleteRecord'], [tb, 'b', 2, 'GetChainedRecord']]) {
        for (let i = 0; i < n; i++) {
          const entry = tracked.get(`${id}${i}`);
          assert.deepEqual(entry, { sent: 0, done: 0, errors: [closedText(operationName, `ref-${id}${i}`)] }, `${id}${i}`);
        }
      }
      await delay(300);
      assert.equal([...ta.byId.values(), ...tb.byId.values()].reduce((sum, e) => sum + e.sent + e.done + e.errors.length, 0), 5, 'nothing doubled');
      assert.equal(seen.out.length, 0);
      // The redeployed nodes work on the same connection, and nothing waits any more.
      const conn = await connection();
      assert.equal(conn.stats.pending, 0);
      assert.equal(h.sim.stats().cometdClients, 1);
      const fresh = collect('out', 'caught');
      assert.equal((await expectOutput(fresh, { payload: completeParams() }, 'a')).topic, 'RecordProcessedAcknowledge');
      assert.equal((await expectOutput(fresh, { payload: chainParams() }, 'b')).topic, 'ChainedRecordsDataEnd');
    });

    it('on removal of the node and when the flows stop, ends each pending message once, within 1 s', async () => {
      await start(twoNodeFlow());
      const ta = track('a');
      const tb = track('b');
      await pending({ a: 2, b: 2 });

      // Remove a; b keeps the connection and its messages keep waiting.
      let started = Date.now();
      await helper.setFlows(twoNodeFlow().filter((n) => n.id !== 'a'), 'nodes');
      assert.ok(Date.now() - started < 1000, `removal took ${Date.now() - started} ms`);
      for (let i = 0; i < 2; i++) assert.deepEqual(ta.get(`a${i}`), { sent: 0, done: 0, errors: [closedText('CompleteRecord', `ref-a${i}`)] });
      assert.equal(tb.ended(), 0, 'b still waits');
      assert.equal(h.sim.stats().cometdClients, 1);

      // Stop everything.
      started = Date.now();
      await helper.unload();
      assert.ok(Date.now() - started < 1000, `stop took ${Date.now() - started} ms`);
      for (let i = 0; i < 2; i++) assert.deepEqual(tb.get(`b${i}`), { sent: 0, done: 0, errors: [closedText('GetChainedRecord', `ref-b${i}`)] });
      await delay(300);
      assert.equal([...ta.byId.values(), ...tb.byId.values()].reduce((sum, e) => sum + e.sent + e.done + e.errors.length, 0), 4, 'nothing doubled');
      await until(() => h.sim.stats().cometdClients === 0, 2000, 'nothing left listening');
    });

    it('two action nodes on one server node share one CometD client', async () => {
      const seen = await start(twoNodeFlow());
      helper.getNode('a').receive({ payload: completeParams({ referenceId: 'shared-a' }) });
      helper.getNode('b').receive({ payload: chainParams({ referenceId: 'shared-b' }) });
      await until(() => seen.out.length === 2, 5000, 'both outputs');
      assert.deepEqual(seen.out.map((msg) => msg.gws.referenceId).sort(), ['shared-a', 'shared-b']);
      assert.equal(h.sim.stats().cometdClients, 1);
      assert.equal(seen.caught.length, 0);
    });

    for (const type of TYPES) {
      const operationName = OPERATION[type];
      it(`${operationName}: bad input does not stop the node`, async () => {
        const seen = await start(actionFlow(h.sim, { type }));
        const bad = [
          [{ payload: 'just text' }, `${operationName} not sent: recordHandle is missing: msg.payload is text, not an object (JSON text needs a JSON node first; or set recordHandle on the node)`],
          [{}, `${operationName} not sent: recordHandle is missing (set it on the node or in msg.payload.recordHandle)`],
          [{ payload: paramsFor(type, { recordHandle: { id: 1 } }) }, `${operationName} not sent: recordHandle must be a non-empty string or a non-negative integer, got an object`],
          [{ payload: paramsFor(type, { devicePath: 'phone-1' }) }, `${operationName} not sent: devicePath must look like /devices/<device id>, got "phone-1"`],
          [{ payload: paramsFor(type, { campaignName: ['x'] }) }, `${operationName} not sent: campaignName must be text, got an array`],
        ];
        for (const [msg, text] of bad) {
          const caught = await expectError(seen, msg);
          assert.equal(caught.error.message, text);
          const out = await expectOutput(seen, { payload: paramsFor(type) });
          assert.equal(out.topic, ANSWER[operationName]);
        }
        assert.equal(h.sim.requests().length, bad.length, 'only the good messages were sent');
        // After a rejection by GWS, too.
        h.sim.faults.add({ kind: 'status', statusCode: 1, statusMessage: 'x', count: 1 });
        await expectError(seen, { payload: paramsFor(type) });
        await expectOutput(seen, { payload: paramsFor(type) });
      });
    }
  });

  describe('details of the fallbacks and of msg.gws on errors', () => {
    it('a msg path through a missing part of the message counts as unset and uses the server default', async () => {
      const seen = await start(actionFlow(h.sim, {
        server: { devicePath: '/devices/server-default' },
        node: { devicePath: 'routing.device.path', devicePathType: 'msg' },
      }));
      await expectOutput(seen, { payload: completeParams({ devicePath: undefined }) });
      assert.equal(h.sim.requests().at(-1).body.devicePath, '/devices/server-default');
    });

    it('says where a set property looked when it gave nothing', async () => {
      const seen = await start(actionFlow(h.sim, { node: { recordHandle: 'nothere', recordHandleType: 'msg' } }));
      const caught = await expectError(seen, { payload: completeParams({ recordHandle: 12 }) });
      assert.equal(caught.error.message, 'CompleteRecord not sent: recordHandle is missing: the node reads it from msg.nothere, which gave nothing');
      assert.equal(caught.gws.statusCode, 1);
      assert.deepEqual(h.sim.requests(), []);
    });

    it('tells a POST cut off by the node timeout as that timeout', async () => {
      const seen = await start(actionFlow(h.sim, { node: { timeout: '200' } }));
      h.sim.faults.add({ kind: 'latency', ms: 600, count: 1, operation: 'CompleteRecord' });
      const caught = await expectError(seen, { payload: completeParams({ referenceId: 'slow-post' }) });
      assert.equal(caught.error.message, 'CompleteRecord timed out: GWS did not answer the request within 200 ms (referenceId slow-post)');
      assert.equal(caught.gws.statusCode, undefined, 'GWS never answered');
      assert.equal(caught.gws.referenceId, 'slow-post');
    });

    it('also logs the messages a closing node ended, once (the Catch nodes of a full deploy are gone)', async () => {
      const flow = actionFlow(h.sim);
      const seen = await start(flow);
      const warnings = watch('a').warnings;
      h.sim.faults.add({ kind: 'ack', mode: 'drop', count: 2 });
      helper.getNode('a').receive({ payload: completeParams({ referenceId: 'wait-1' }) });
      helper.getNode('a').receive({ payload: completeParams({ referenceId: 'wait-2' }) });
      await until(() => h.sim.requests().length === 2, 3000, 'both sent');
      await delay(50);
      await helper.setFlows(flow.filter((n) => n.id !== 'a'), 'nodes');
      await until(() => seen.caught.length === 2, 3000, 'both ended');
      await delay(20);
      assert.deepEqual(warnings.filter((w) => /still waiting/.test(w)), [
        '2 messages were still waiting for their answer when the node closed; each ended with "node closed before the answer arrived" (referenceIds wait-1, wait-2)',
      ]);
    });

    it('keeps the caller\'s referenceId in msg.gws when the request was not sent', async () => {
      const seen = await start(actionFlow(h.sim));
      const caught = await expectError(seen, { payload: completeParams({ callingList: '', referenceId: 'caller-ref-1' }) });
      assert.equal(caught.gws.referenceId, 'caller-ref-1');
      assert.equal(caught.gws.statusCode, 1);
      assert.deepEqual(h.sim.requests(), []);
    });
  });
});
