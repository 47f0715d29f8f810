'use strict';
/**
 * Bad input through real nodes (gws-complete-record, and gws-outbound-record and gws-outbound-campaign
 * with their own parameters and msg.operation): each case ends in one clear error that names the field,
 * statusCode 1, no request reaches GWS, and the node keeps working afterwards.
 */
const assert = require('node:assert/strict');
const { startSim, until, DEVICE } = require('../helpers');
const { helper, serverNode, load, watch, flowHarness } = require('../helpers/flow');

const MB = 'x'.repeat(1024 * 1024);
const good = { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE };

/** [title, msg.payload, the field the error must name, a pattern of the error text] */
const CASES = [
  ['recordHandle missing', { ...good, recordHandle: undefined }, 'recordHandle', /recordHandle is missing/],
  ['recordHandle empty', { ...good, recordHandle: '' }, 'recordHandle', /recordHandle is missing/],
  ['recordHandle null', { ...good, recordHandle: null }, 'recordHandle', /recordHandle is missing/],
  ['recordHandle "."', { ...good, recordHandle: '.' }, 'recordHandle', /must not be \. or \.\./],
  ['recordHandle ".."', { ...good, recordHandle: '..' }, 'recordHandle', /must not be \. or \.\. \(in the URL they would address another resource\)/],
  ['recordHandle negative', { ...good, recordHandle: -1 }, 'recordHandle', /got -1/],
  ['recordHandle fraction', { ...good, recordHandle: 1.5 }, 'recordHandle', /got 1\.5/],
  ['recordHandle object', { ...good, recordHandle: { id: 1 } }, 'recordHandle', /got an object/],
  ['recordHandle boolean', { ...good, recordHandle: true }, 'recordHandle', /got true/],
  ['recordHandle with a line break', { ...good, recordHandle: '12\n13' }, 'recordHandle', /control characters/],
  ['recordHandle of 1 MB', { ...good, recordHandle: MB }, 'recordHandle', /too long \(1048576 characters, at most 256\)/],
  ['applicationId letters', { ...good, applicationId: 'abc' }, 'applicationId', /non-negative integer .* got "abc"/],
  ['applicationId digits and letters', { ...good, applicationId: '12a' }, 'applicationId', /got "12a"/],
  ['applicationId fraction', { ...good, applicationId: 1.5 }, 'applicationId', /got 1\.5/],
  ['applicationId negative', { ...good, applicationId: -3 }, 'applicationId', /got -3/],
  ['applicationId array', { ...good, applicationId: [134] }, 'applicationId', /got an array/],
  ['campaignName object', { ...good, campaignName: { name: 'C' } }, 'campaignName', /must be text, got an object/],
  ['campaignName of 1 MB', { ...good, campaignName: MB }, 'campaignName', /too long/],
  ['campaignName blank', { ...good, campaignName: '   ' }, 'campaignName', /campaignName is missing/],
  ['callingList boolean', { ...good, callingList: false }, 'callingList', /must be text, got false/],
  ['callingList with CR LF', { ...good, callingList: 'List\r\nX-Injected: 1' }, 'callingList', /control characters/],
  ['callResult unknown name', { ...good, callResult: 'Sometimes' }, 'callResult', /callResult must be an OCS call result .*, got "Sometimes"/],
  ['callResult out of range', { ...good, callResult: 99 }, 'callResult', /callResult must be an OCS call result .*, got 99/],
  ['callResult object', { ...good, callResult: { code: 33 } }, 'callResult', /callResult must be an OCS call result .*, got an object/],
  ['devicePath without leading slash', { ...good, devicePath: 'devices/x' }, 'devicePath', /must look like \/devices\/<device id>/],
  ['devicePath climbing up', { ...good, devicePath: '/devices/../../me' }, 'devicePath', /must look like/],
  ['devicePath with a space', { ...good, devicePath: '/devices/a b' }, 'devicePath', /must look like/],
  ['devicePath number', { ...good, devicePath: 42 }, 'devicePath', /must look like/],
  ['phoneNumber too long', { ...good, phoneNumber: '5'.repeat(65) }, 'phoneNumber', /too long \(65 characters, at most 64\)/],
  ['referenceId object', { ...good, referenceId: { id: 'x' } }, 'referenceId', /must be text, got an object/],
  ['referenceId too long', { ...good, referenceId: 'r'.repeat(300) }, 'referenceId', /too long/],
  ['payload is a string', 'complete record 12 please', 'recordHandle', /recordHandle is missing/],
  ['payload is null', null, 'recordHandle', /recordHandle is missing/],
  ['payload is an array', [good], 'recordHandle', /recordHandle is missing/],
  ['fields hidden in __proto__', JSON.parse('{"__proto__": {"recordHandle": 5, "callingList": "L"}}'), 'recordHandle', /recordHandle is missing/],
  ['fields on a class instance prototype', Object.create({ recordHandle: 5, callingList: 'L' }), 'recordHandle', /recordHandle is missing/],
];

describe('bad input through real nodes', function () {
  this.timeout(60000);
  let sim;
  let seen;
  before(async () => {
    sim = await startSim();
    await new Promise((resolve) => {
      helper.startServer(resolve);
    });
    // The server node has no defaults, so nothing hides a missing field.
    await load([
      serverNode(sim, { devicePath: '', applicationId: '', campaignName: '' }),
      { id: 'node', type: 'gws-complete-record', server: 'server', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    seen = watch('node');
    await until(() => helper.getNode('server').connectionState.status === 'connected', 5000, 'connected');
    sim.clearRequests();
  });
  after(async () => {
    await helper.unload();
    await new Promise((resolve) => {
      helper.stopServer(resolve);
    });
    await sim.stop();
  });

  it(`has at least 30 cases`, () => assert.ok(CASES.length >= 30, String(CASES.length)));

  for (const [title, payload, field, pattern] of CASES) {
    it(`${title}: one error naming ${field}, nothing sent`, async () => {
      sim.clearRequests();
      const before = seen.errors.length;
      const outputs = [];
      const out = helper.getNode('out');
      const onOutput = (msg) => outputs.push(msg);
      out.on('input', onOutput);
      try {
        helper.getNode('node').receive({ payload, _case: title });
        await until(() => seen.errors.length > before, 3000, 'the error');
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(seen.errors.length, before + 1, 'exactly one error');
        assert.equal(outputs.length, 0, 'no output');
        const { text, msg } = seen.errors.at(-1);
        assert.match(text, /^CompleteRecord not sent: /);
        assert.ok(text.includes(field), `${text} names ${field}`);
        assert.match(text, pattern);
        assert.ok(text.length < 300, 'short enough to read');
        assert.equal(msg._case, title);
        assert.equal(msg.gws.statusCode, 1);
        assert.deepEqual(sim.requests(), [], 'no request reached GWS');
        assert.equal({}.recordHandle, undefined, 'Object.prototype untouched');
      } finally {
        out.off('input', onOutput);
      }
    });
  }

  it('still completes a good record afterwards', async () => {
    const out = new Promise((resolve) => helper.getNode('out').once('input', resolve));
    helper.getNode('node').receive({ payload: good });
    assert.equal((await out).topic, 'RecordProcessedAcknowledge');
    assert.equal(sim.requests().length, 1);
  });
});

/**
 * The parameters of the record and preview-session nodes: [title, node, msg, what the error text starts
 * with, the field it must name, a pattern of the text]. `rec` is a gws-outbound-record node and `cmp` a
 * gws-outbound-campaign node, both reading msg.operation.
 */
const base = { applicationId: 134, campaignName: 'Campaign1', devicePath: DEVICE };
const reschedule = (extra) => ({ operation: 'RescheduleRecord', payload: { ...base, recordHandle: 12, callbackType: 'Personal', timestamp: 2000000000, ...extra } });
const doNotCall = (extra) => ({ operation: 'DoNotCallRecord', payload: { ...base, recordHandle: 12, callingList: 'CallingList1', ...extra } });
const update = (extra) => ({ operation: 'UpdateRecord', payload: { ...base, recordHandle: 12, ...extra } });
const addRecord = (extra) => ({
  operation: 'AddRecord',
  payload: { ...base, callingList: 'CallingList1', phoneNumber: '5550142', timeZone: 'GMT', phoneType: 'HomePhone', from: 28800, until: 72000, ...extra },
});
const preview = (extra, operation = 'StartPreviewSession') => ({ operation, payload: { ...base, ...extra } });
const throwingFields = () => {
  const fields = { customer_id: 'C-17' };
  Object.defineProperty(fields, 'score', { get: () => { throw new Error('score not loaded'); }, enumerable: true });
  return fields;
};
const NEW_CASES = [
  ['callbackType unknown', 'rec', reschedule({ callbackType: 'Tomorrow' }), 'RescheduleRecord', 'callbackType', /callbackType must be Personal or Campaign, got "Tomorrow"/],
  ['callbackType a number', 'rec', reschedule({ callbackType: 1 }), 'RescheduleRecord', 'callbackType', /must be Personal or Campaign, got 1/],
  ['callbackType missing', 'rec', reschedule({ callbackType: undefined }), 'RescheduleRecord', 'callbackType', /callbackType is missing/],
  ['chainAttribute unknown', 'rec', doNotCall({ chainAttribute: 'Everything' }), 'DoNotCallRecord', 'chainAttribute', /must be AllChain or RecordOnly, got "Everything"/],
  ['phoneType unknown', 'rec', update({ phoneType: 'Fax' }), 'UpdateRecord', 'phoneType', /phoneType must be NoContactType, HomePhone, .* or InstantMessaging, got "Fax"/],
  ['phoneType missing on AddRecord', 'rec', addRecord({ phoneType: '' }), 'AddRecord', 'phoneType', /phoneType is missing/],
  ['timestamp in milliseconds', 'rec', reschedule({ timestamp: 1433917552000 }), 'RescheduleRecord', 'timestamp', /1433917552000 looks like milliseconds; give seconds since 1970/],
  ['timestamp in milliseconds as text', 'rec', reschedule({ timestamp: '1433917552000' }), 'RescheduleRecord', 'timestamp', /looks like milliseconds/],
  ['timestamp in words', 'rec', reschedule({ timestamp: 'tomorrow 9am' }), 'RescheduleRecord', 'timestamp', /must be seconds since 1970 .* got "tomorrow 9am"/],
  ['timestamp on a day February does not have', 'rec', reschedule({ timestamp: '2026-02-30T09:00:00Z' }), 'RescheduleRecord', 'timestamp', /must be seconds since 1970/],
  ['timestamp negative', 'rec', reschedule({ timestamp: -60 }), 'RescheduleRecord', 'timestamp', /got -60/],
  ['timestamp an invalid Date', 'rec', reschedule({ timestamp: new Date('not a date') }), 'RescheduleRecord', 'timestamp', /must be seconds since 1970/],
  ['timestamp an object that claims to be a Date', 'rec', reschedule({ timestamp: { [Symbol.toStringTag]: 'Date' } }), 'RescheduleRecord', 'timestamp', /must be seconds since 1970/],
  ['from as a clock time', 'rec', update({ from: '8:00' }), 'UpdateRecord', 'from', /from must be a non-negative integer .* got "8:00"/],
  ['until negative', 'rec', addRecord({ until: -1 }), 'AddRecord', 'until', /until must be a non-negative integer/],
  ['chainId text', 'rec', addRecord({ chainId: 'chain-1' }), 'AddRecord', 'chainId', /chainId must be a non-negative integer .* got "chain-1"/],
  ['otherFields an array', 'rec', addRecord({ otherFields: [{ customer_id: 'C-17' }] }), 'AddRecord', 'otherFields', /otherFields must be an object of user fields .* got an array/],
  ['otherFields JSON text', 'rec', addRecord({ otherFields: '{"customer_id":"C-17"}' }), 'AddRecord', 'otherFields', /otherFields must be an object of user fields/],
  ['otherFields with a nested object', 'rec', addRecord({ otherFields: { address: { city: 'Berlin' } } }), 'AddRecord', 'otherFields', /otherFields\.address must be text .* got an object/],
  ['otherFields with a function', 'rec', addRecord({ otherFields: { compute() {} } }), 'AddRecord', 'otherFields', /otherFields\.compute must be text .* got a function/],
  ['otherFields with 1,000 fields', 'rec', addRecord({ otherFields: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, i])) }), 'AddRecord', 'otherFields', /otherFields has 1000 fields, at most 200/],
  ['otherFields with a getter that throws', 'rec', addRecord({ otherFields: throwingFields() }), 'AddRecord', 'otherFields', /otherFields could not be read from the message \(score not loaded\)/],
  ['timeZone of 1 MB', 'rec', update({ timeZone: MB }), 'UpdateRecord', 'timeZone', /too long \(1048576 characters, at most 64\)/],
  ['UpdateRecord without a recordHandle', 'rec', update({ recordHandle: undefined }), 'UpdateRecord', 'recordHandle', /recordHandle is missing/],
  ['msg.operation unknown', 'rec', { ...update({}), operation: 'Reschedule' }, 'gws-outbound-record', 'msg.operation', /msg\.operation must be one of RejectRecord, RescheduleRecord, DoNotCallRecord, UpdateRecord, AddRecord, CompleteRecord, GetChainedRecord, got "Reschedule"/],
  ['msg.operation of the other node', 'rec', { ...update({}), operation: 'GetPreviewRecord' }, 'gws-outbound-record', 'msg.operation', /msg\.operation must be one of .*, got "GetPreviewRecord"/],
  ['msg.operation missing', 'rec', { payload: update({}).payload }, 'gws-outbound-record', 'msg.operation', /msg\.operation must be one of .*, got undefined/],
  ['msg.operation an object', 'cmp', { ...preview({}), operation: { name: 'StartPreviewSession' } }, 'gws-outbound-campaign', 'msg.operation', /msg\.operation must be one of StartPreviewSession, GetPreviewRecord, EndPreviewSession, got an object/],
  ['msg.operation a record operation on the preview node', 'cmp', { ...preview({}), operation: 'CompleteRecord' }, 'gws-outbound-campaign', 'msg.operation', /msg\.operation must be one of StartPreviewSession.*, got "CompleteRecord"/],
  ['campaignName ".." in the campaign path', 'cmp', preview({ campaignName: '..' }), 'StartPreviewSession', 'campaignName', /must not be \. or \.\./],
  ['campaignName with a lone surrogate', 'cmp', preview({ campaignName: 'Camp\ud800' }, 'GetPreviewRecord'), 'GetPreviewRecord', 'campaignName', /not valid Unicode text/],
  ['campaignName of 1 MB', 'cmp', preview({ campaignName: MB }, 'EndPreviewSession'), 'EndPreviewSession', 'campaignName', /too long \(1048576 characters, at most 1024\)/],
  ['applicationId missing for a preview', 'cmp', preview({ applicationId: undefined }), 'StartPreviewSession', 'applicationId', /applicationId is missing/],
];

describe('bad input to the record operation and preview session nodes', function () {
  this.timeout(60000);
  let sim;
  let seen;
  before(async () => {
    sim = await startSim();
    await new Promise((resolve) => {
      helper.startServer(resolve);
    });
    await load([
      serverNode(sim, { devicePath: '', applicationId: '', campaignName: '' }),
      { id: 'rec', type: 'gws-outbound-record', server: 'server', operation: 'msg', wires: [['out']] },
      { id: 'cmp', type: 'gws-outbound-campaign', server: 'server', operation: 'msg', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    seen = { rec: watch('rec'), cmp: watch('cmp') };
    await until(() => helper.getNode('server').connectionState.status === 'connected', 5000, 'connected');
    sim.clearRequests();
  });
  after(async () => {
    await helper.unload();
    await new Promise((resolve) => {
      helper.stopServer(resolve);
    });
    await sim.stop();
  });

  it('has at least 10 cases', () => assert.ok(NEW_CASES.length >= 10, String(NEW_CASES.length)));

  for (const [title, nodeId, input, prefix, field, pattern] of NEW_CASES) {
    it(`${title}: one error naming ${field}, nothing sent`, async () => {
      sim.clearRequests();
      const errors = seen[nodeId].errors;
      const before = errors.length;
      const outputs = [];
      const out = helper.getNode('out');
      const onOutput = (msg) => outputs.push(msg);
      out.on('input', onOutput);
      try {
        helper.getNode(nodeId).receive({ ...input, _case: title });
        await until(() => errors.length > before, 3000, 'the error');
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(errors.length, before + 1, 'exactly one error');
        assert.equal(outputs.length, 0, 'no output');
        const { text, msg } = errors.at(-1);
        assert.ok(text.startsWith(`${prefix} not sent: `), text);
        assert.ok(text.includes(field), `${text} names ${field}`);
        assert.match(text, pattern);
        assert.ok(text.length < 400, 'short enough to read');
        assert.equal(msg._case, title);
        assert.equal(msg.gws.statusCode, 1);
        assert.deepEqual(sim.requests(), [], 'no request reached GWS');
        assert.equal({}.recordHandle, undefined, 'Object.prototype untouched');
      } finally {
        out.off('input', onOutput);
      }
    });
  }

  it('both nodes still work afterwards', async () => {
    const outputs = [];
    const onOutput = (msg) => outputs.push(msg);
    helper.getNode('out').on('input', onOutput);
    try {
      helper.getNode('rec').receive(reschedule({}));
      helper.getNode('cmp').receive(preview({}));
      await until(() => outputs.length === 2, 5000, 'both answers');
      assert.deepEqual(outputs.map((msg) => msg.topic).sort(), ['PreviewSessionStarted', 'ScheduledRecordRescheduleAcknowledge']);
    } finally {
      helper.getNode('out').off('input', onOutput);
    }
  });
});

describe('bad configuration', () => {
  const h = flowHarness();

  for (const baseUrl of ['not a url', 'ftp://gws.example.com', 'http://user:pw@gws.example.com', '']) {
    it(`an invalid baseUrl ${JSON.stringify(baseUrl)} fails each message with the fix, and sends nothing`, async () => {
      await load([serverNode(h.sim, { baseUrl }), { id: 'node', type: 'gws-complete-record', server: 'server', wires: [[]] }]);
      const seen = watch('node');
      helper.getNode('node').receive({ payload: good });
      await until(() => seen.errors.length === 1);
      assert.match(seen.errors[0].text, /^CompleteRecord not sent: the GWS server node is not usable: The server URL .*(missing|not a valid|must not contain a user name or password)/);
      assert.ok(!seen.errors[0].text.includes('pw@'), 'credentials in a URL are not echoed');
      assert.equal(h.sim.stats().httpRequests, 0);
    });
  }
});
