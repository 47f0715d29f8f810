'use strict';
/**
 * Hostile or odd messages through real nodes: whatever the message holds — read-only or frozen
 * properties, setters and getters that throw, Proxies whose traps throw, objects of another JavaScript
 * context, text that is not valid Unicode — it ends in exactly one output or exactly one error (to a
 * Catch node), reading problems are parameter errors (statusCode 1) before anything is sent, and
 * nothing escapes as an unhandled rejection or exception.
 */
const assert = require('node:assert/strict');
const vm = require('node:vm');
const { until, delay, DEVICE } = require('../helpers');
const { helper, load, flowHarness } = require('../helpers/flow');
const { actionFlow, collect } = require('../helpers/actions');

const good = () => ({ recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE });

describe('hostile messages: exactly once, whatever the message', function () {
  this.timeout(20000);
  const h = flowHarness();
  let escaped;
  const onEscape = (error) => escaped.push(String(error && error.stack ? error.stack : error));
  beforeEach(() => {
    escaped = [];
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
  });
  afterEach(() => {
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  });

  async function start(options = {}) {
    await load(actionFlow(h.sim, options));
    await until(() => helper.getNode('server').connectionState.status === 'connected', 5000, 'connected');
    return collect('out', 'caught');
  }

  /** Sends one message and waits; returns what came out for it: outputs and caught errors. */
  async function once(seen, msg, node = 'a') {
    const outs = seen.out.length;
    const caught = seen.caught.length;
    helper.getNode(node).receive(msg);
    await until(() => seen.out.length + seen.caught.length > outs + caught, 5000, 'an output or an error');
    await delay(300);
    const result = { outputs: seen.out.slice(outs), errors: seen.caught.slice(caught) };
    assert.equal(result.outputs.length + result.errors.length, 1, `exactly one end, got ${result.outputs.length} outputs and ${result.errors.length} errors`);
    assert.deepEqual(escaped, [], 'nothing escaped');
    return result;
  }

  async function expectParameterError(seen, msg, pattern, node = 'a') {
    h.sim.clearRequests();
    const { errors } = await once(seen, msg, node);
    assert.equal(errors.length, 1, 'an error');
    assert.match(errors[0].error.message, pattern);
    assert.equal(errors[0].gws.statusCode, 1, 'a parameter error (statusCode 1)');
    assert.deepEqual(h.sim.requests(), [], 'nothing sent');
  }

  it('a message whose topic is read-only still gets its answer, once', async () => {
    const seen = await start();
    const msg = { _msgid: 'ro-topic', payload: good() };
    Object.defineProperty(msg, 'topic', { value: 'fixed', writable: false, enumerable: true, configurable: false });
    const { outputs } = await once(seen, msg);
    assert.equal(outputs[0].topic, 'RecordProcessedAcknowledge');
    assert.equal(outputs[0]._msgid, 'ro-topic');
    assert.equal(h.sim.requests().length, 1);
  });

  it('a frozen message still gets its answer, once', async () => {
    const seen = await start();
    const { outputs } = await once(seen, Object.freeze({ _msgid: 'frozen', payload: Object.freeze(good()) }));
    assert.equal(outputs[0].payload.notificationType, 'RecordProcessedAcknowledge');
  });

  it('a msg.gws whose setter throws: the answer still comes out, once, with msg.gws', async () => {
    const seen = await start();
    const msg = { _msgid: 'gws-setter', payload: good() };
    Object.defineProperty(msg, 'gws', { get: () => undefined, set: () => { throw new Error('no gws here'); }, enumerable: true, configurable: true });
    const { outputs } = await once(seen, msg);
    assert.equal(outputs[0].gws.operationName, 'CompleteRecord');
  });

  it('a msg.gws whose setter throws on a message that fails: one error reaches Catch, the runtime lives', async () => {
    const seen = await start();
    const msg = { _msgid: 'gws-setter-error', payload: { ...good(), applicationId: 'x' } };
    Object.defineProperty(msg, 'gws', { get: () => undefined, set: () => { throw new Error('no gws here'); }, enumerable: true, configurable: true });
    const { errors } = await once(seen, msg);
    assert.match(errors[0].error.message, /applicationId must be a non-negative integer/);
    assert.equal(errors[0].gws.statusCode, 1);
  });

  it('a message with a getter that throws (Node-RED cannot copy it for Catch): one error, the runtime lives', async () => {
    const seen = await start();
    const msg = { _msgid: 'getter-bomb', payload: { ...good(), callingList: '' } };
    Object.defineProperty(msg, 'bomb', { get: () => { throw new Error('boom'); }, enumerable: true });
    const { errors } = await once(seen, msg);
    assert.match(errors[0].error.message, /callingList is missing/);
  });

  it('a msg.payload whose getter throws: a parameter error naming msg.payload', async () => {
    const seen = await start();
    const msg = { _msgid: 'payload-getter' };
    Object.defineProperty(msg, 'payload', { get: () => { throw new Error('payload unavailable'); }, enumerable: true });
    await expectParameterError(seen, msg, /^CompleteRecord not sent: msg\.payload could not be read from the message \(payload unavailable\)/);
  });

  it('a msg.payload Proxy whose get trap throws: a parameter error', async () => {
    const seen = await start();
    const payload = new Proxy(good(), { get() { throw new Error('trap'); } });
    await expectParameterError(seen, { payload }, /not sent: msg\.payload\.recordHandle could not be read/);
  });

  it('a msg.payload Proxy whose getOwnPropertyDescriptor trap throws: a parameter error', async () => {
    const seen = await start();
    const payload = new Proxy(good(), { getOwnPropertyDescriptor() { throw new Error('no descriptors'); } });
    await expectParameterError(seen, { payload }, /could not be read .*no descriptors/);
  });

  it('a parameter whose getter throws: a parameter error naming it', async () => {
    const seen = await start();
    const payload = good();
    Object.defineProperty(payload, 'callingList', { get: () => { throw new Error('lazy field failed'); }, enumerable: true });
    await expectParameterError(seen, { payload }, /msg\.payload\.callingList could not be read from the message \(lazy field failed\)/);
  });

  it('a msg property path whose getter throws (TypedInput msg): a parameter error', async () => {
    const seen = await start({ node: { recordHandle: 'order.handle', recordHandleType: 'msg' } });
    const order = {};
    Object.defineProperty(order, 'handle', { get: () => { throw new Error('order gone'); }, enumerable: true });
    await expectParameterError(seen, { payload: good(), order }, /recordHandle could not be evaluated \(order gone\)/);
  });

  for (const [field, value] of [['recordHandle', 'ab\ud800'], ['callingList', 'List\udc00'], ['campaignName', '\ud83dCampaign']]) {
    it(`a ${field} with a lone surrogate: a parameter error, not a fault of the node`, async () => {
      const seen = await start();
      await expectParameterError(seen, { payload: { ...good(), [field]: value } }, new RegExp(`not sent: ${field} is not valid Unicode text`));
    });
  }

  it('a campaign name with a lone surrogate (the URL path of a preview session): a parameter error', async () => {
    const seen = await start({ type: 'gws-outbound-campaign', node: { operation: 'StartPreviewSession' } });
    await expectParameterError(seen, { payload: { ...good(), campaignName: 'Camp\ud800' } }, /StartPreviewSession not sent: campaignName is not valid Unicode text/);
  });

  it('a msg.operation whose getter throws: a parameter error', async () => {
    const seen = await start({ type: 'gws-outbound-record', node: { operation: 'msg' } });
    const msg = { payload: good() };
    Object.defineProperty(msg, 'operation', { get: () => { throw new Error('which one?'); }, enumerable: true });
    await expectParameterError(seen, msg, /msg\.operation could not be read/);
  });

  it('a msg.operation that is an object: a parameter error naming the allowed operations', async () => {
    const seen = await start({ type: 'gws-outbound-record', node: { operation: 'msg' } });
    await expectParameterError(seen, { payload: good(), operation: { name: 'RejectRecord' } }, /msg\.operation must be one of RejectRecord, RescheduleRecord, DoNotCallRecord, UpdateRecord, AddRecord, CompleteRecord, GetChainedRecord, got an object/);
  });

  it('a payload made in another JavaScript context is read like any object', async () => {
    const seen = await start();
    const payload = vm.runInNewContext(`({ recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: '${DEVICE}' })`);
    assert.notEqual(Object.getPrototypeOf(payload), Object.prototype);
    const { outputs } = await once(seen, { payload });
    assert.equal(outputs[0].topic, 'RecordProcessedAcknowledge');
  });

  it('a payload without a prototype is read like any object', async () => {
    const seen = await start();
    const payload = Object.assign(Object.create(null), good());
    const { outputs } = await once(seen, { payload });
    assert.equal(outputs[0].topic, 'RecordProcessedAcknowledge');
  });

  it('a message that refers to itself still gets its answer, once', async () => {
    const seen = await start();
    const msg = { payload: good() };
    msg.self = msg;
    const { outputs } = await once(seen, msg);
    assert.equal(outputs[0].topic, 'RecordProcessedAcknowledge');
  });
});
