'use strict';
/**
 * The operation table (core/operation-table.ts) against the documentation it was written from: the
 * parameter tables of docs/node-contract.md (`gws-outbound-record`, `gws-outbound-campaign`, the
 * CompleteRecord/GetChainedRecord table) and the GWS 8.5 Outbound API pages collected in
 * gws-outbound-api.md. The documentation is written out here again, by hand, so that a change to the
 * table that the documentation does not make fails here. Then the request of each of the ten
 * operations as prepareRequest builds it: path, field names, types, optional fields left out when
 * absent, path parameters never in the body.
 */
const assert = require('node:assert/strict');
const path = require('node:path');
const { core, dist, DEVICE } = require('../helpers');

const R = 'required';
const O = 'optional';

/** Where each operation goes and what it takes, as the documentation tables say (R / o / –). */
const DOCUMENTED = {
  CompleteRecord: {
    target: 'record',
    params: { recordHandle: R, applicationId: R, campaignName: R, callingList: R, callResult: O, phoneNumber: O, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'RecordProcessedAcknowledge' },
  },
  GetChainedRecord: {
    target: 'record',
    params: { recordHandle: R, applicationId: R, campaignName: R, devicePath: R, referenceId: O },
    answer: { kind: 'chain', end: 'ChainedRecordsDataEnd' },
  },
  RejectRecord: {
    target: 'record',
    params: { recordHandle: R, applicationId: R, campaignName: R, devicePath: R, callingList: R, referenceId: O },
    answer: { kind: 'ack', type: 'RecordRejectAcknowledge' },
  },
  RescheduleRecord: {
    target: 'record',
    params: { recordHandle: R, applicationId: R, campaignName: R, devicePath: R, callbackType: R, timestamp: R, referenceId: O },
    answer: { kind: 'ack', type: 'ScheduledRecordRescheduleAcknowledge' },
  },
  DoNotCallRecord: {
    target: 'record',
    params: { recordHandle: R, applicationId: R, campaignName: R, devicePath: R, callingList: R, phoneNumber: O, chainAttribute: O, referenceId: O },
    answer: { kind: 'ack', type: 'DoNotCallAcknowledge' },
  },
  UpdateRecord: {
    target: 'record',
    params: {
      recordHandle: R, applicationId: R, campaignName: R, devicePath: R,
      callingList: O, phoneNumber: O, timeZone: O, phoneType: O, from: O, until: O, referenceId: O,
    },
    answer: { kind: 'ack', type: 'UpdateCallCompletionStatsAcknowledge' },
  },
  AddRecord: {
    target: 'records',
    params: {
      applicationId: R, campaignName: R, devicePath: R, callingList: R, phoneNumber: R, timeZone: R, phoneType: R, from: R, until: R,
      chainId: O, otherFields: O, referenceId: O,
    },
    // Unconfirmed in the documentation: the first correlated message whose type ends in Acknowledge.
    answer: { kind: 'ackSuffix', suffix: 'Acknowledge' },
  },
  StartPreviewSession: {
    target: 'campaign',
    params: { campaignName: R, applicationId: R, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'PreviewSessionStarted' },
  },
  GetPreviewRecord: {
    target: 'campaign',
    params: { campaignName: R, applicationId: R, devicePath: R, referenceId: O },
    // A PreviewRecord without a record (the list is empty) is an error.
    answer: { kind: 'ack', type: 'PreviewRecord', record: true },
  },
  EndPreviewSession: {
    target: 'campaign',
    params: { campaignName: R, applicationId: R, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'PreviewSessionEnded' },
  },
};
const OPERATIONS = Object.keys(DOCUMENTED);
const PHONE_TYPES = [
  'NoContactType', 'HomePhone', 'DirectBusinessPhone', 'BusinessWithExt', 'Mobile', 'VacationPhone',
  'Pager', 'Modem', 'VoiceMail', 'PinPager', 'EmailAddress', 'InstantMessaging',
];

/** The path parameter of each target: it addresses the resource and is never repeated in the body. */
const PATH_PARAM = { record: 'recordHandle', records: undefined, campaign: 'campaignName' };

/**
 * A value for every parameter, given the way users give them (digits as text, enumerations in another
 * case), and what must go on the wire for it.
 */
const GIVEN = {
  recordHandle: 12,
  applicationId: '134',
  campaignName: 'Campaign1',
  callingList: 'CallingList1',
  callResult: 33,
  callbackType: 'personal',
  timestamp: '1433917552',
  phoneNumber: 5550100,
  chainAttribute: 'ALLCHAIN',
  timeZone: 'GMT',
  phoneType: 'mobile',
  from: '28800',
  until: 72000,
  chainId: '3',
  otherFields: { customer_id: 'C-17', vip: true, score: 3 },
  devicePath: DEVICE,
  referenceId: 'ref-1',
};
const SENT = {
  applicationId: 134,
  campaignName: 'Campaign1',
  callingList: 'CallingList1',
  callResult: 'Answer',
  callbackType: 'Personal',
  timestamp: 1433917552,
  phoneNumber: '5550100',
  chainAttribute: 'AllChain',
  timeZone: 'GMT',
  phoneType: 'Mobile',
  from: 28800,
  until: 72000,
  chainId: 3,
  otherFields: { customer_id: 'C-17', vip: true, score: 3 },
  devicePath: DEVICE,
  referenceId: 'ref-1',
};
/** The JSON type each parameter has in the body. */
const WIRE_TYPE = {
  applicationId: 'number', campaignName: 'string', callingList: 'string', callResult: 'string', callbackType: 'string', timestamp: 'number',
  phoneNumber: 'string', chainAttribute: 'string', timeZone: 'string', phoneType: 'string', from: 'number', until: 'number', chainId: 'number',
  otherFields: 'object', devicePath: 'string', referenceId: 'string',
};

const pick = (object, keys) => Object.fromEntries(keys.filter((key) => Object.hasOwn(object, key)).map((key) => [key, object[key]]));
const requiredOf = (operation) => Object.keys(DOCUMENTED[operation].params).filter((p) => DOCUMENTED[operation].params[p] === R);

describe('core: the operation table against the documentation', () => {
  it('has the ten documented operations, and no other', () => {
    assert.deepEqual(Object.keys(core.OPERATION_TABLE).sort(), [...OPERATIONS].sort());
  });

  for (const operation of OPERATIONS) {
    it(`${operation}: target, parameters (required / optional / not sent) and answer as documented`, () => {
      const spec = core.OPERATION_TABLE[operation];
      assert.equal(spec.target, DOCUMENTED[operation].target);
      assert.deepEqual({ ...spec.params }, DOCUMENTED[operation].params);
      assert.deepEqual({ ...spec.answer }, DOCUMENTED[operation].answer);
    });
  }

  it('lists every parameter once, in dialog order, and no parameter no operation takes', () => {
    const used = new Set(OPERATIONS.flatMap((op) => Object.keys(DOCUMENTED[op].params)));
    assert.equal(new Set(core.PARAM_NAMES).size, core.PARAM_NAMES.length, 'no name twice');
    assert.deepEqual([...core.PARAM_NAMES].sort(), [...used].sort());
    assert.deepEqual(Object.keys(core.PARAMS).sort(), [...used].sort(), 'a spec for every parameter');
    assert.equal(core.PARAM_NAMES[0], 'recordHandle');
    assert.deepEqual(core.PARAM_NAMES.slice(-2), ['devicePath', 'referenceId']);
  });

  it('checks each parameter as the documentation types it', () => {
    const kinds = Object.fromEntries(Object.entries(core.PARAMS).map(([name, spec]) => [name, spec.kind]));
    assert.deepEqual(kinds, {
      recordHandle: 'handle',
      applicationId: 'integer',
      campaignName: 'text',
      callingList: 'text',
      callResult: 'callResult',
      callbackType: 'enum',
      timestamp: 'timestamp',
      phoneNumber: 'text',
      chainAttribute: 'enum',
      timeZone: 'text',
      phoneType: 'enum',
      from: 'integer',
      until: 'integer',
      chainId: 'integer',
      otherFields: 'object',
      devicePath: 'devicePath',
      referenceId: 'referenceId',
    });
    assert.deepEqual([...core.PARAMS.callbackType.values], ['Personal', 'Campaign']);
    assert.deepEqual([...core.PARAMS.chainAttribute.values], ['AllChain', 'RecordOnly']);
    assert.deepEqual([...core.PARAMS.phoneType.values], PHONE_TYPES);
  });

  it('falls back to the server node only for devicePath, applicationId and campaignName', () => {
    const withDefault = Object.entries(core.PARAMS).filter(([, spec]) => spec.serverDefault === true).map(([name]) => name);
    assert.deepEqual(withDefault.sort(), ['applicationId', 'campaignName', 'devicePath']);
    assert.deepEqual([...core.PARAMS_WITH_DEFAULT].sort(), ['applicationId', 'campaignName', 'devicePath']);
  });

  describe('NODE_OPERATIONS, operationParams, paramsOf, answerName', () => {
    it('offers each action node the operations of the contract, its default first', () => {
      assert.deepEqual(JSON.parse(JSON.stringify(core.NODE_OPERATIONS)), {
        'gws-complete-record': ['CompleteRecord'],
        'gws-get-chained-record': ['GetChainedRecord'],
        'gws-outbound-record': ['RejectRecord', 'RescheduleRecord', 'DoNotCallRecord', 'UpdateRecord', 'AddRecord', 'CompleteRecord', 'GetChainedRecord'],
        'gws-outbound-campaign': ['StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession'],
      });
      const offered = Object.values(core.NODE_OPERATIONS).flat();
      for (const operation of OPERATIONS) assert.ok(offered.includes(operation), `${operation} is offered by a node`);
    });

    it('operationParams: the parameters of one operation, in dialog order', () => {
      for (const operation of OPERATIONS) {
        const expected = core.PARAM_NAMES.filter((name) => Object.hasOwn(DOCUMENTED[operation].params, name));
        assert.deepEqual(core.operationParams(operation), expected, operation);
      }
      assert.deepEqual(core.operationParams('RescheduleRecord'), ['recordHandle', 'applicationId', 'campaignName', 'callbackType', 'timestamp', 'devicePath', 'referenceId']);
      assert.deepEqual(core.operationParams('StartPreviewSession'), ['applicationId', 'campaignName', 'devicePath', 'referenceId']);
    });

    it('paramsOf: the rows of a node dialog, every parameter any of its operations takes, in dialog order', () => {
      assert.deepEqual(core.paramsOf(core.NODE_OPERATIONS['gws-outbound-record']), [...core.PARAM_NAMES], 'every parameter');
      assert.deepEqual(core.paramsOf(core.NODE_OPERATIONS['gws-outbound-campaign']), ['applicationId', 'campaignName', 'devicePath', 'referenceId']);
      assert.deepEqual(core.paramsOf(core.NODE_OPERATIONS['gws-complete-record']), core.operationParams('CompleteRecord'));
      assert.deepEqual(core.paramsOf(['RejectRecord', 'RescheduleRecord']), ['recordHandle', 'applicationId', 'campaignName', 'callingList', 'callbackType', 'timestamp', 'devicePath', 'referenceId']);
      assert.deepEqual(core.paramsOf([]), []);
    });

    it('answerName: the notificationType an error text names', () => {
      assert.equal(core.answerName(core.OPERATION_TABLE.RejectRecord.answer), 'RecordRejectAcknowledge');
      assert.equal(core.answerName(core.OPERATION_TABLE.GetChainedRecord.answer), 'ChainedRecordsDataEnd');
      assert.equal(core.answerName(core.OPERATION_TABLE.AddRecord.answer), 'notification whose type ends in Acknowledge');
      assert.equal(core.answerName(core.OPERATION_TABLE.GetPreviewRecord.answer), 'PreviewRecord');
    });

    it('isOperationName: the ten names, nothing inherited', () => {
      for (const operation of OPERATIONS) assert.equal(core.isOperationName(operation), true, operation);
      for (const other of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'rejectrecord', 'msg', '', 12, null, undefined, {}]) {
        assert.equal(core.isOperationName(other), false, String(other));
      }
    });
  });

  describe('the request of each operation', () => {
    for (const operation of OPERATIONS) {
      const { target, params } = DOCUMENTED[operation];
      const pathParam = PATH_PARAM[target];
      const bodyParams = Object.keys(params).filter((p) => p !== pathParam && p !== 'recordHandle');
      const expectedPath = {
        record: '/api/v2/me/outbound-records/12',
        records: '/api/v2/me/outbound-records',
        campaign: '/api/v2/me/outbound-campaigns/Campaign1',
      }[target];

      it(`${operation}: every documented field, converted, nothing it does not take, the path parameter only in the path`, () => {
        // Every parameter of every operation is given: the operation must pick its own.
        const request = core.prepareRequest(operation, { ...GIVEN });
        assert.equal(request.operationName, operation);
        assert.equal(request.path, expectedPath);
        assert.deepEqual(request.body, { operationName: operation, ...pick(SENT, bodyParams) });
        const keys = Object.keys(request.body);
        assert.equal(keys[0], 'operationName', 'operationName first');
        assert.equal(keys.at(-1), 'referenceId', 'referenceId last, as in the documented samples');
        for (const [name, value] of Object.entries(request.body)) {
          if (name !== 'operationName') assert.equal(typeof value, WIRE_TYPE[name], `${operation}.${name} is a ${WIRE_TYPE[name]}`);
        }
        assert.equal('recordHandle' in request.body, false, 'the record handle is never in the body');
        if (target === 'campaign') assert.equal('campaignName' in request.body, false, 'the campaign name is the path, not in the body');
        else assert.equal(request.body.campaignName, 'Campaign1');
        assert.equal(request.referenceId, 'ref-1');
        assert.deepEqual({ ...request.expect }, DOCUMENTED[operation].answer);
        // What the request addresses, for correlation: the record handle as given, or the campaign.
        if (target === 'record') assert.equal(request.recordHandle, 12);
        else assert.equal(request.recordHandle, undefined);
        assert.equal(request.campaignName, target === 'campaign' ? 'Campaign1' : undefined);
        // The body is plain JSON: what is sent is what msg.gws.request shows.
        assert.deepEqual(JSON.parse(JSON.stringify(request.body)), request.body);
      });

      it(`${operation}: with only the required fields, no optional field is sent (a referenceId is generated)`, () => {
        const input = pick(GIVEN, requiredOf(operation));
        const request = core.prepareRequest(operation, input);
        const required = requiredOf(operation).filter((p) => p !== pathParam && p !== 'recordHandle');
        assert.deepEqual(Object.keys(request.body).sort(), ['operationName', ...required, 'referenceId'].sort());
        assert.match(request.body.referenceId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(request.referenceId, request.body.referenceId);
        // Optional fields given as null or '' count as absent (rule 1) and are not sent either.
        const optional = Object.keys(params).filter((p) => params[p] === O && p !== 'referenceId');
        for (const absent of [null, '', undefined]) {
          const withAbsent = core.prepareRequest(operation, { ...input, ...Object.fromEntries(optional.map((p) => [p, absent])) });
          assert.deepEqual(Object.keys(withAbsent.body).sort(), Object.keys(request.body).sort(), `optional fields ${String(absent)}`);
        }
      });
    }

    it('AddRecord: POST /api/v2/me/outbound-records with no handle, even when one is given', () => {
      const request = core.prepareRequest('AddRecord', { ...GIVEN, recordHandle: 'a/b' });
      assert.equal(request.path, '/api/v2/me/outbound-records');
      assert.equal(request.recordHandle, undefined);
      assert.equal('recordHandle' in request.body, false);
      // A record handle that would be refused on a record operation does not matter here.
      assert.equal(core.prepareRequest('AddRecord', { ...GIVEN, recordHandle: '..' }).path, '/api/v2/me/outbound-records');
    });

    it('the campaign operations: a campaign name given only as a server default still becomes the path', () => {
      // The node passes the server default in as campaignName; it is read like any other value.
      const request = core.prepareRequest('GetPreviewRecord', { applicationId: 134, campaignName: 'Outbound Sales', devicePath: DEVICE });
      assert.equal(request.path, '/api/v2/me/outbound-campaigns/Outbound%20Sales');
      assert.deepEqual(Object.keys(request.body).sort(), ['applicationId', 'devicePath', 'operationName', 'referenceId']);
    });
  });

  describe('previewRecordFields (the top of a PreviewRecord payload)', () => {
    // The core helper the campaign node uses; the node tests check the same end to end.
    const { previewRecordFields } = require(path.join(dist, 'core', 'notifications.js'));
    const userData = { GSW_CALLING_LIST: 'L1', GSW_CAMPAIGN_NAME: 'C1', GSW_APPLICATION_ID: 134, GSW_PHONE: '5550201', GSW_RECORD_HANDLE: 77 };
    const expected = { recordHandle: 77, callingList: 'L1', campaignName: 'C1', applicationId: 134, phoneNumber: '5550201' };

    it('reads the handle from record.recordHandle, else from userData.GSW_RECORD_HANDLE', () => {
      const both = { record: { recordHandle: 77, callingList: 'L1', campaignName: 'C1', applicationId: 134, userData } };
      assert.deepEqual(previewRecordFields(both, {}), expected);
      const inRecord = { record: { recordHandle: 77, userData: { ...userData, GSW_RECORD_HANDLE: undefined } } };
      assert.deepEqual(previewRecordFields(inRecord, {}), expected);
      const inUserData = { record: { userData } };
      assert.deepEqual(previewRecordFields(inUserData, {}), expected);
    });

    it('fills the campaign and application from the request when the record names neither', () => {
      const data = { record: { recordHandle: '9', userData: { GSW_PHONE: '1' } } };
      assert.deepEqual(previewRecordFields(data, { campaignName: 'Camp', applicationId: 5 }), { recordHandle: '9', campaignName: 'Camp', applicationId: 5, phoneNumber: '1' });
    });

    it('gives nothing for a PreviewRecord without a record', () => {
      assert.deepEqual(previewRecordFields({ notificationType: 'PreviewRecord' }, {}), {});
    });
  });
});
