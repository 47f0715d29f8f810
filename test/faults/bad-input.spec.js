'use strict';
/**
 * Bad input through real nodes: each case ends in one clear error that names the field, statusCode 1,
 * no request reaches GWS, and the node keeps working afterwards.
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
  ['callResult unknown name', { ...good, callResult: 'Sometimes' }, 'callResult', /callResult "Sometimes" is not an OCS call result/],
  ['callResult out of range', { ...good, callResult: 99 }, 'callResult', /callResult 99 is not an OCS call result/],
  ['callResult object', { ...good, callResult: { code: 33 } }, 'callResult', /callResult an object/],
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

describe('bad configuration', () => {
  const h = flowHarness();

  for (const baseUrl of ['not a url', 'ftp://gws.example.com', 'http://user:pw@gws.example.com', '']) {
    it(`an invalid baseUrl ${JSON.stringify(baseUrl)} fails each message with the fix, and sends nothing`, async () => {
      await load([serverNode(h.sim, { baseUrl }), { id: 'node', type: 'gws-complete-record', server: 'server', wires: [[]] }]);
      const seen = watch('node');
      helper.getNode('node').receive({ payload: good });
      await until(() => seen.errors.length === 1);
      assert.match(seen.errors[0].text, /^CompleteRecord not sent: the GWS server node is not usable: The server URL .*(missing|not a valid)/);
      assert.equal(h.sim.stats().httpRequests, 0);
    });
  }
});
