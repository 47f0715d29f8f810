'use strict';
/**
 * The record operations as the simulator plays them: GWS-style validation of every documented field,
 * the acknowledgement on /v2/me/outbound and the DeviceUserEventMessage on /me/internal of each, and
 * AddRecord's new record.
 */
const assert = require('node:assert/strict');
const { startSim, DEVICE } = require('../helpers');
const { rawClient, on, body, RECORD_OPERATIONS } = require('./lib/raw-client');

const ACKS = {
  CompleteRecord: 'RecordProcessedAcknowledge',
  GetChainedRecord: 'ChainedRecordsDataEnd',
  RejectRecord: 'RecordRejectAcknowledge',
  RescheduleRecord: 'ScheduledRecordRescheduleAcknowledge',
  DoNotCallRecord: 'DoNotCallAcknowledge',
  UpdateRecord: 'UpdateCallCompletionStatsAcknowledge',
};

const REQUIRED = {
  CompleteRecord: ['applicationId', 'campaignName', 'callingList', 'devicePath'],
  GetChainedRecord: ['applicationId', 'campaignName', 'devicePath'],
  RejectRecord: ['applicationId', 'campaignName', 'callingList', 'devicePath'],
  RescheduleRecord: ['applicationId', 'campaignName', 'callbackType', 'timestamp', 'devicePath'],
  DoNotCallRecord: ['applicationId', 'campaignName', 'callingList', 'devicePath'],
  UpdateRecord: ['applicationId', 'campaignName', 'devicePath'],
  AddRecord: ['applicationId', 'campaignName', 'callingList', 'phoneNumber', 'timeZone', 'phoneType', 'from', 'until', 'devicePath'],
};

const PHONE_TYPES = ['NoContactType', 'HomePhone', 'DirectBusinessPhone', 'BusinessWithExt', 'Mobile', 'VacationPhone', 'Pager', 'Modem', 'VoiceMail', 'PinPager', 'EmailAddress', 'InstantMessaging'];

describe('simulator: record operations', () => {
  let sim;
  let client;
  beforeEach(async () => {
    sim = await startSim({ longPollTimeoutMs: 1000 });
    client = await rawClient(sim);
  });
  afterEach(() => sim.stop());

  const send = (operationName, extra, handle = 12) => (operationName === 'AddRecord' ? client.addRecord(body(operationName, extra)) : client.record(handle, body(operationName, extra)));
  const refused = async (operationName, extra, statusMessage, handle) => {
    const answer = await send(operationName, extra, handle);
    assert.deepEqual(answer, { status: 400, body: { statusCode: 1, statusMessage } }, `${operationName} ${JSON.stringify(extra)}`);
  };

  describe('validation', () => {
    for (const [operationName, required] of Object.entries(REQUIRED)) {
      it(`${operationName}: names every required field that is missing, null or empty`, async () => {
        for (const name of required) {
          for (const missing of [undefined, null, '']) {
            await refused(operationName, { [name]: missing }, `Missing required parameter: ${name}`);
          }
        }
      });
    }

    it('refuses an applicationId, timestamp, from, until or chainId that is not an integer', async () => {
      for (const operationName of [...RECORD_OPERATIONS, 'AddRecord']) {
        for (const bad of ['134', 134.5, true]) await refused(operationName, { applicationId: bad }, 'Invalid parameter: applicationId must be an integer');
      }
      for (const bad of ['1433917552', 1433917552.5, -1]) {
        await refused('RescheduleRecord', { timestamp: bad }, 'Invalid parameter: timestamp must be an integer number of seconds since 1970');
      }
      await refused('RescheduleRecord', { timestamp: 1433917552000 }, 'Invalid parameter: timestamp must be an integer number of seconds since 1970');
      for (const name of ['from', 'until']) {
        await refused('UpdateRecord', { [name]: '8' }, `Invalid parameter: ${name} must be an integer`);
        await refused('AddRecord', { [name]: 8.5 }, `Invalid parameter: ${name} must be an integer`);
      }
      await refused('AddRecord', { chainId: 'chain-1' }, 'Invalid parameter: chainId must be an integer');
    });

    it('refuses values outside the documented enumerations', async () => {
      await refused('RescheduleRecord', { callbackType: 'personal' }, 'Invalid parameter: callbackType must be Personal or Campaign');
      await refused('DoNotCallRecord', { chainAttribute: 'Everything' }, 'Invalid parameter: chainAttribute must be AllChain or RecordOnly');
      const phoneTypes = `Invalid parameter: phoneType must be one of ${PHONE_TYPES.join(', ')}`;
      await refused('UpdateRecord', { phoneType: 'Fax' }, phoneTypes);
      await refused('AddRecord', { phoneType: 'mobile' }, phoneTypes);
      for (const callbackType of ['Personal', 'Campaign']) assert.equal((await send('RescheduleRecord', { callbackType })).status, 200);
      for (const chainAttribute of ['AllChain', 'RecordOnly']) assert.equal((await send('DoNotCallRecord', { chainAttribute })).status, 200);
      for (const phoneType of PHONE_TYPES) assert.equal((await send('UpdateRecord', { phoneType })).status, 200, phoneType);
    });

    it('refuses text fields that are not text, and optional text that is empty', async () => {
      await refused('CompleteRecord', { campaignName: 7 }, 'Invalid parameter: campaignName must be a string');
      await refused('DoNotCallRecord', { phoneNumber: 5550123 }, 'Invalid parameter: phoneNumber must be a string');
      await refused('UpdateRecord', { timeZone: '' }, 'Invalid parameter: timeZone must not be empty');
      await refused('RejectRecord', { referenceId: 42 }, 'Invalid parameter: referenceId must be a string');
      await refused('UpdateRecord', { devicePath: '/devices/a/b' }, 'Invalid parameter: devicePath');
    });

    it('refuses parameters the operation does not take', async () => {
      await refused('RescheduleRecord', { callingList: 'CallingList1' }, 'Invalid parameter: callingList is not a parameter of RescheduleRecord');
      await refused('GetChainedRecord', { recordHandle: 12 }, 'Invalid parameter: recordHandle is not a parameter of GetChainedRecord');
      await refused('RejectRecord', { phoneNumber: '5550123' }, 'Invalid parameter: phoneNumber is not a parameter of RejectRecord');
      await refused('CompleteRecord', { chainAttribute: 'AllChain' }, 'Invalid parameter: chainAttribute is not a parameter of CompleteRecord');
    });

    it('takes otherFields as an object of text, numbers and booleans', async () => {
      await refused('AddRecord', { otherFields: ['a'] }, 'Invalid parameter: otherFields must be an object of user fields');
      await refused('AddRecord', { otherFields: 'Name=Ann' }, 'Invalid parameter: otherFields must be an object of user fields');
      await refused('AddRecord', { otherFields: { Name: { first: 'Ann' } } }, 'Invalid parameter: otherFields.Name must be a string, a number or a boolean');
      assert.equal((await send('AddRecord', { otherFields: { Name: 'Ann', Balance: 12.5, Vip: true } })).status, 200);
    });

    it('takes each operation only on its own path', async () => {
      const onRecords = await client.addRecord(body('CompleteRecord'));
      assert.deepEqual(onRecords.body, { statusCode: 1, statusMessage: 'Invalid parameter: operationName CompleteRecord is not an operation of /api/v2/me/outbound-records' });
      const onHandle = await client.record(12, body('AddRecord'));
      assert.deepEqual(onHandle.body, { statusCode: 1, statusMessage: 'Invalid parameter: operationName AddRecord is not an operation of /api/v2/me/outbound-records/<record-handle>' });
      const preview = await client.record(12, body('GetPreviewRecord'));
      assert.equal(preview.body.statusMessage, 'Invalid parameter: operationName GetPreviewRecord is not an operation of /api/v2/me/outbound-records/<record-handle>');
      for (const path of ['/api/v2/me/outbound-records/', '/api/v2/me/outbound-records/12/extra', '/api/v2/me/outbound-records/%E0%A4%A']) {
        assert.deepEqual(await client.call('POST', path, body('CompleteRecord')), { status: 404, body: { statusCode: 6, statusMessage: 'Resource not found' } }, path);
      }
      assert.deepEqual(sim.stats().operations, {}, 'nothing was accepted');
    });
  });

  describe('answers', () => {
    for (const operationName of RECORD_OPERATIONS) {
      it(`${operationName}: acknowledgement with the referenceId, then the user event of the record`, async () => {
        const referenceId = `ref-${operationName}`;
        const extra = operationName === 'UpdateRecord' ? { callingList: 'CallingList1', phoneType: 'Mobile' } : {};
        assert.deepEqual(await send(operationName, { referenceId, ...extra }, 12), { status: 200, body: { statusCode: 0 } });
        const seen = await client.answerTo(referenceId, ACKS[operationName]);
        const [ack] = on(seen, '/v2/me/outbound');
        // The record of every acknowledgement holds these five (the seeds show two orders of them).
        assert.deepEqual(ack.record, { campaignName: 'Campaign1', devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, recordHandle: 12 });
        assert.equal(ack.notificationType, ACKS[operationName]);
        assert.equal(ack.messageType, 'OutboundRecordMessage');
        assert.equal(ack.referenceId, referenceId);

        const [event] = on(seen, '/me/internal');
        assert.equal(event.messageType, 'DeviceUserEventMessage');
        assert.equal(event.deviceId, DEVICE.slice('/devices/'.length));
        assert.equal(typeof event.metrics.eventProcessing.serverGenerationTimestamp, 'number');
        assert.equal(event.referenceId, undefined, 'a user event carries no referenceId');
        const { GSW_CALL_RESULT, GSW_CHAIN_ID, ...identity } = event.userData;
        assert.deepEqual(identity, {
          GSW_CALLING_LIST: 'CallingList1',
          GSW_APPLICATION_ID: 134,
          GSW_RECORD_HANDLE: 12,
          GSW_USER_EVENT: ACKS[operationName],
          GSW_CAMPAIGN_NAME: 'Campaign1',
        });
        assert.equal(GSW_CALL_RESULT, operationName === 'CompleteRecord' ? 33 : undefined);
        assert.equal(GSW_CHAIN_ID, operationName === 'GetChainedRecord' ? 1 : undefined);
      });
    }

    it('CompleteRecord: the user event reports the callResult given, by name or number', async () => {
      await send('CompleteRecord', { referenceId: 'busy', callResult: 'Busy' });
      let seen = await client.answerTo('busy');
      assert.equal(on(seen, '/me/internal')[0].userData.GSW_CALL_RESULT, 6);
      await send('CompleteRecord', { referenceId: 'fax', callResult: 17 });
      seen = await client.answerTo('fax');
      assert.equal(on(seen, '/me/internal')[0].userData.GSW_CALL_RESULT, 17);
    });

    it('GetChainedRecord: the chain first, then ChainedRecordsDataEnd, all with the referenceId', async () => {
      sim.configure({ chainLength: 3 });
      await send('GetChainedRecord', { referenceId: 'chain' }, 7);
      const seen = await client.answerTo('chain', 'ChainedRecordsDataEnd');
      const outbound = on(seen, '/v2/me/outbound');
      assert.deepEqual(outbound.map((m) => m.notificationType), ['ChainedRecord', 'ChainedRecord', 'ChainedRecord', 'ChainedRecordsDataEnd']);
      assert.ok(outbound.every((m) => m.referenceId === 'chain'));
      assert.deepEqual(outbound.slice(0, 3).map((m) => m.record.recordHandle), [701, 702, 703]);
    });

    it('a record handle that is not a number stays text, decoded from its path segment', async () => {
      await send('RejectRecord', { referenceId: 'text-handle' }, 'rec/1 a');
      const seen = await client.answerTo('text-handle');
      assert.equal(on(seen, '/v2/me/outbound')[0].record.recordHandle, 'rec/1 a');
      assert.equal(on(seen, '/me/internal')[0].userData.GSW_RECORD_HANDLE, 'rec/1 a');
      assert.equal(sim.requests().at(-1).path, '/api/v2/me/outbound-records/rec%2F1%20a');
    });

    it('answers requests without a calling list with the list the record was last named with', async () => {
      await send('RejectRecord', { callingList: 'Leads', referenceId: 'named' }, 31);
      await client.answerTo('named');
      await send('RescheduleRecord', { referenceId: 'unnamed' }, 31);
      const seen = await client.answerTo('unnamed');
      assert.equal(on(seen, '/v2/me/outbound')[0].record.callingList, 'Leads');
      await send('RescheduleRecord', { referenceId: 'unknown' }, 32);
      assert.equal(on(await client.answerTo('unknown'), '/v2/me/outbound')[0].record.callingList, 'CallingList1', 'a record never seen: the default list');
    });
  });

  describe('AddRecord', () => {
    it('makes a new record: POST /api/v2/me/outbound-records, AddRecordAcknowledge with its new handle', async () => {
      assert.deepEqual(await client.addRecord(body('AddRecord', { callingList: 'NewLeads', referenceId: 'add-1' })), { status: 200, body: { statusCode: 0 } });
      const seen = await client.answerTo('add-1', 'AddRecordAcknowledge');
      const [ack] = on(seen, '/v2/me/outbound');
      assert.equal(ack.messageType, 'OutboundRecordMessage');
      assert.equal(typeof ack.record.recordHandle, 'number');
      assert.deepEqual(ack.record, { campaignName: 'Campaign1', devicePath: DEVICE, callingList: 'NewLeads', applicationId: 134, recordHandle: ack.record.recordHandle });
      const [event] = on(seen, '/me/internal');
      assert.deepEqual(event.userData, {
        GSW_CALLING_LIST: 'NewLeads',
        GSW_APPLICATION_ID: 134,
        GSW_RECORD_HANDLE: ack.record.recordHandle,
        GSW_USER_EVENT: 'AddRecordAcknowledge',
        GSW_CAMPAIGN_NAME: 'Campaign1',
        GSW_CHAIN_ID: event.userData.GSW_CHAIN_ID,
      });
      const recorded = sim.requests().at(-1);
      assert.equal(recorded.path, '/api/v2/me/outbound-records');
      assert.equal(recorded.body.operationName, 'AddRecord');

      // The new record is known: an operation that does not name its calling list gets it right.
      await client.record(ack.record.recordHandle, body('GetChainedRecord', { referenceId: 'chain-new' }));
      const chained = await client.answerTo('chain-new');
      assert.equal(on(chained, '/v2/me/outbound')[0].record.callingList, 'NewLeads');
    });

    it('gives every new record its own handle, and a new chain unless chainId names one', async () => {
      await client.addRecord(body('AddRecord', { referenceId: 'a' }));
      await client.addRecord(body('AddRecord', { referenceId: 'b', chainId: 77 }));
      await client.addRecord(body('AddRecord', { referenceId: 'c' }));
      const seen = await client.collect((s) => on(s, '/me/internal').length === 3);
      const events = on(seen, '/me/internal').map((e) => e.userData);
      assert.equal(new Set(events.map((e) => e.GSW_RECORD_HANDLE)).size, 3);
      assert.equal(events[1].GSW_CHAIN_ID, 77);
      assert.notEqual(events[0].GSW_CHAIN_ID, events[2].GSW_CHAIN_ID);
    });
  });
});
