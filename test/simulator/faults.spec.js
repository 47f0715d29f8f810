'use strict';
/**
 * The faults the simulator injects, for every one of the ten operations, and the userEventError fault:
 * OCS refusing a request through a user event with GSW_ERROR instead of the acknowledgement.
 */
const assert = require('node:assert/strict');
const { startSim, DEVICE } = require('../helpers');
const { rawClient, on, body, RECORD_OPERATIONS, CAMPAIGN_OPERATIONS } = require('./lib/raw-client');

const ACKS = {
  CompleteRecord: 'RecordProcessedAcknowledge',
  GetChainedRecord: 'ChainedRecordsDataEnd',
  RejectRecord: 'RecordRejectAcknowledge',
  RescheduleRecord: 'ScheduledRecordRescheduleAcknowledge',
  DoNotCallRecord: 'DoNotCallAcknowledge',
  UpdateRecord: 'UpdateCallCompletionStatsAcknowledge',
  AddRecord: 'AddRecordAcknowledge',
  StartPreviewSession: 'PreviewSessionStarted',
  GetPreviewRecord: 'PreviewRecord',
  EndPreviewSession: 'PreviewSessionEnded',
};
const OPERATIONS = Object.keys(ACKS);
/** The operations whose answer is followed by a user event (GetPreviewRecord: when it hands out a record). */
const WITH_USER_EVENT = [...RECORD_OPERATIONS, 'AddRecord', 'GetPreviewRecord'];

describe('simulator: faults for every operation', () => {
  let sim;
  let client;
  let sequence = 0;
  beforeEach(async () => {
    sim = await startSim({ longPollTimeoutMs: 1000, chainLength: 2, previewListSize: 50 });
    client = await rawClient(sim);
  });
  afterEach(() => sim.stop());

  /** Sends `operationName` (after starting the preview session it needs); resolves with its referenceId and POST answer. */
  async function send(operationName, extra = {}) {
    if (operationName === 'GetPreviewRecord' || operationName === 'EndPreviewSession') {
      assert.equal((await client.campaign('Campaign1', body('StartPreviewSession'))).status, 200);
    }
    const referenceId = `${operationName}-${++sequence}`;
    const request = body(operationName, { referenceId, ...extra });
    const post = CAMPAIGN_OPERATIONS.includes(operationName)
      ? client.campaign('Campaign1', request)
      : operationName === 'AddRecord' ? client.addRecord(request) : client.record(12, request);
    return { referenceId, post: await post };
  }

  /** Everything that arrives until a later request's answer: what `referenceId` got in the meantime. */
  async function settle(referenceId) {
    const marker = `marker-${++sequence}`;
    await client.record(99, body('RejectRecord', { referenceId: marker }));
    const seen = await client.answerTo(marker, 'RecordRejectAcknowledge');
    return seen.filter((m) => m.data?.referenceId === referenceId);
  }

  for (const operationName of OPERATIONS) {
    it(`${operationName}: status, reset, latency and every ack fault`, async () => {
      const ack = ACKS[operationName];
      const fault = (rule) => sim.faults.add({ ...rule, count: 1, operation: operationName });

      fault({ kind: 'status', statusCode: 4 });
      assert.deepEqual((await send(operationName)).post, { status: 503, body: { statusCode: 4, statusMessage: 'Injected statusCode 4' } });

      fault({ kind: 'reset' });
      await assert.rejects(send(operationName), /fetch failed/);

      fault({ kind: 'latency', ms: 150 });
      const started = Date.now();
      assert.equal((await send(operationName)).post.status, 200);
      assert.ok(Date.now() - started >= 140, 'answered after the latency');

      fault({ kind: 'ack', mode: 'drop' });
      let { referenceId } = await send(operationName);
      const answered = (seen) => seen.filter((m) => m.data.notificationType === ack);
      assert.deepEqual(answered(await settle(referenceId)), [], 'drop: no answer (a chain before it still comes)');

      fault({ kind: 'ack', mode: 'duplicate' });
      ({ referenceId } = await send(operationName));
      await client.collect((seen) => seen.filter((m) => m.data?.referenceId === referenceId && m.data.notificationType === ack).length === 2);

      // Late enough that a request made after it is answered first, even on a busy machine.
      fault({ kind: 'ack', mode: 'late', lateMs: 500 });
      ({ referenceId } = await send(operationName));
      assert.deepEqual(answered(await settle(referenceId)), [], 'late: not yet');
      await client.answerTo(referenceId, ack);

      fault({ kind: 'ack', mode: 'error', errorMessage: 'No such thing' });
      ({ referenceId } = await send(operationName));
      const [error] = on(await client.answerTo(referenceId), '/v2/me/outbound').filter((m) => m.referenceId === referenceId);
      assert.equal(error.notificationType, `${ack.replace(/(Acknowledge|DataEnd)$/, '')}Error`);
      assert.equal(error.errorMessage, 'No such thing');
      assert.equal(error.errorCode, 1003);

      fault({ kind: 'ack', mode: 'incomplete' });
      ({ referenceId } = await send(operationName));
      const incomplete = on(await client.collect((seen) => on(seen, '/v2/me/outbound').some((m) => m.referenceId === referenceId && !m.notificationType)), '/v2/me/outbound')
        .find((m) => m.referenceId === referenceId && !m.notificationType);
      assert.deepEqual(Object.keys(incomplete).sort(), ['messageType', 'referenceId']);

      fault({ kind: 'ack', mode: 'malformed' });
      ({ referenceId } = await send(operationName));
      const malformed = await client.answerTo(referenceId);
      assert.ok(malformed.some((m) => m.data === 'malformed notification'));

      fault({ kind: 'ack', mode: 'userEventError' });
      ({ referenceId } = await send(operationName));
      const refusal = await client.collect((seen) => on(seen, '/me/internal').some((e) => e.userData.GSW_ERROR !== undefined));
      assert.equal(on(refusal, '/me/internal').find((e) => e.userData.GSW_ERROR).userData.GSW_USER_EVENT, ack);
      assert.deepEqual(await settle(referenceId), [], 'userEventError: nothing on /v2/me/outbound');

      assert.deepEqual(sim.faults.list(), [], 'every rule was used');
    });
  }

  for (const operationName of WITH_USER_EVENT) {
    it(`${operationName}: the user event dropped or delayed`, async () => {
      sim.faults.add({ kind: 'userEvent', mode: 'drop', count: 1, operation: operationName });
      let { referenceId } = await send(operationName);
      let seen = await client.answerTo(referenceId, ACKS[operationName]);
      await settle(referenceId);
      assert.ok(!on(seen, '/me/internal').some((e) => e.userData.GSW_USER_EVENT === ACKS[operationName]));

      sim.faults.add({ kind: 'userEvent', mode: 'delay', delayMs: 100, count: 1, operation: operationName });
      ({ referenceId } = await send(operationName));
      seen = await client.answerTo(referenceId, ACKS[operationName]);
      assert.ok(!on(seen, '/me/internal').some((e) => e.userData.GSW_USER_EVENT === ACKS[operationName]), 'not with the answer');
      await client.collect((later) => on(later, '/me/internal').some((e) => e.userData.GSW_USER_EVENT === ACKS[operationName]));
    });
  }

  describe('userEventError: OCS refuses through a user event with GSW_ERROR', () => {
    /** The one notification that follows the request: a user event, nothing on /v2/me/outbound. */
    async function refusal(operationName, rule = {}) {
      sim.faults.add({ kind: 'ack', mode: 'userEventError', count: 1, operation: operationName, ...rule });
      const { referenceId, post } = await send(operationName);
      assert.deepEqual(post, { status: 200, body: { statusCode: 0 } }, 'accepted first, refused on CometD');
      const seen = await client.collect((s) => on(s, '/me/internal').some((e) => e.userData.GSW_ERROR !== undefined));
      assert.deepEqual(on(seen, '/v2/me/outbound').filter((m) => m.referenceId === referenceId), []);
      assert.deepEqual(await settle(referenceId), []);
      const event = on(seen, '/me/internal').find((e) => e.userData.GSW_ERROR !== undefined);
      assert.equal(event.messageType, 'DeviceUserEventMessage');
      assert.equal(event.deviceId, DEVICE.slice('/devices/'.length));
      assert.equal(typeof event.metrics.eventProcessing.serverGenerationTimestamp, 'number');
      return event.userData;
    }

    it('on a record: the handle, the expected acknowledgement, the campaign, the error text and number', async () => {
      const userData = await refusal('CompleteRecord', { errorMessage: 'Record is not in the calling list', errorNumber: 1301 });
      assert.deepEqual(userData, {
        GSW_CALLING_LIST: 'CallingList1',
        GSW_APPLICATION_ID: 134,
        GSW_RECORD_HANDLE: 12,
        GSW_USER_EVENT: 'RecordProcessedAcknowledge',
        GSW_CAMPAIGN_NAME: 'Campaign1',
        GSW_ERROR: 'Record is not in the calling list',
        GSW_ERROR_NUMBER: 1301,
      });
    });

    it('has a default text and number', async () => {
      const userData = await refusal('RejectRecord');
      assert.equal(userData.GSW_ERROR, 'OCS refused the request');
      assert.equal(userData.GSW_ERROR_NUMBER, 1003);
    });

    it('GetChainedRecord: no chained record either', async () => {
      const userData = await refusal('GetChainedRecord');
      assert.equal(userData.GSW_USER_EVENT, 'ChainedRecordsDataEnd');
      assert.equal(userData.GSW_RECORD_HANDLE, 12);
    });

    it('AddRecord and the campaign operations: no record handle, the campaign', async () => {
      for (const operationName of ['AddRecord', ...CAMPAIGN_OPERATIONS]) {
        const userData = await refusal(operationName);
        assert.equal(userData.GSW_USER_EVENT, ACKS[operationName], operationName);
        assert.equal(userData.GSW_CAMPAIGN_NAME, 'Campaign1');
        assert.ok(!Object.hasOwn(userData, 'GSW_RECORD_HANDLE'), operationName);
        assert.equal(typeof userData.GSW_ERROR, 'string');
      }
    });

    it('a refused request changes nothing: no session started, no preview record used up', async () => {
      await sim.stop();
      sim = await startSim({ longPollTimeoutMs: 1000, previewListSize: 2 });
      client = await rawClient(sim);
      sim.faults.add({ kind: 'ack', mode: 'userEventError', count: 1, operation: 'StartPreviewSession' });
      await client.campaign('Campaign1', body('StartPreviewSession'));
      assert.equal((await client.campaign('Campaign1', body('GetPreviewRecord'))).body.statusCode, 2, 'the session did not start');

      await client.campaign('Campaign1', body('StartPreviewSession'));
      sim.faults.add({ kind: 'ack', mode: 'userEventError', count: 1, operation: 'GetPreviewRecord' });
      sim.faults.add({ kind: 'ack', mode: 'error', count: 1, operation: 'GetPreviewRecord' });
      await client.campaign('Campaign1', body('GetPreviewRecord', { referenceId: 'refused-1' }));
      await client.campaign('Campaign1', body('GetPreviewRecord', { referenceId: 'refused-2' }));
      const records = [];
      for (const referenceId of ['p1', 'p2', 'p3']) {
        await client.campaign('Campaign1', body('GetPreviewRecord', { referenceId }));
        const answer = on(await client.answerTo(referenceId, 'PreviewRecord'), '/v2/me/outbound').find((m) => m.referenceId === referenceId);
        records.push(answer.record);
      }
      assert.ok(records[0] && records[1], 'both records of the list are still there');
      assert.equal(records[2], undefined, 'then the list is empty');
    });
  });

  it('refuses ack and userEvent rules with bad fields, and keeps only the fields of a rule', async () => {
    for (const bad of [
      { kind: 'ack', mode: 'userEventError', errorNumber: 'x' },
      { kind: 'ack', mode: 'userEventError', errorMessage: 7 },
      { kind: 'ack', mode: 'late', lateMs: 'soon' },
      { kind: 'userEvent', mode: 'delay', delayMs: -1 },
      { kind: 'status', statusCode: 4, httpStatus: 99 },
      { kind: 'reset', operation: ['CompleteRecord'] },
    ]) {
      assert.throws(() => sim.faults.add(bad), TypeError, JSON.stringify(bad));
    }
    sim.faults.add({ kind: 'ack', mode: 'userEventError', errorNumber: 7, extra: { deep: [1, 2] } });
    assert.deepEqual(sim.faults.list(), [{ kind: 'ack', mode: 'userEventError', errorNumber: 7 }]);
  });
});
