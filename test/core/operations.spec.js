'use strict';
const assert = require('node:assert/strict');
const { core, DEVICE, completeParams, chainParams } = require('../helpers');

function rejects(operation, input, code, param, options) {
  assert.throws(() => core.prepareRequest(operation, input, options), (error) => {
    assert.ok(error instanceof core.GwsError, String(error));
    if (code) assert.equal(error.code, code);
    if (param) assert.equal(error.params.param, param);
    assert.equal(error.statusCode, 1);
    assert.ok(error.message.startsWith(`${operation} not sent: `), error.message);
    return true;
  });
}

describe('core: operations', () => {
  it('builds the CompleteRecord body of the seed page', () => {
    const request = core.prepareRequest('CompleteRecord', completeParams({ referenceId: '123456789' }));
    assert.equal(request.path, '/api/v2/me/outbound-records/12');
    assert.deepEqual(request.body, {
      operationName: 'CompleteRecord',
      devicePath: DEVICE,
      callingList: 'CallingList1',
      applicationId: 134,
      campaignName: 'Campaign1',
      referenceId: '123456789',
    });
    assert.deepEqual(request.expect, { kind: 'ack', type: 'RecordProcessedAcknowledge' });
  });

  it('builds the GetChainedRecord body of the seed page, without callingList', () => {
    const request = core.prepareRequest('GetChainedRecord', chainParams({ referenceId: '123456789', callingList: 'ignored' }));
    assert.equal(request.path, '/api/v2/me/outbound-records/7');
    assert.deepEqual(request.body, {
      operationName: 'GetChainedRecord',
      devicePath: DEVICE,
      applicationId: 134,
      campaignName: 'Campaign1',
      referenceId: '123456789',
    });
    assert.deepEqual(request.expect, { kind: 'chain', end: 'ChainedRecordsDataEnd' });
  });

  it('generates a UUID referenceId when none is given, a new one each time', () => {
    const a = core.prepareRequest('CompleteRecord', completeParams());
    const b = core.prepareRequest('CompleteRecord', completeParams({ referenceId: '' }));
    assert.match(a.referenceId, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.referenceId, b.referenceId);
    assert.equal(a.body.referenceId, a.referenceId);
  });

  it('reports every missing required parameter by name, with or without a server default', () => {
    for (const param of ['recordHandle', 'applicationId', 'campaignName', 'callingList', 'devicePath']) {
      const withDefault = ['devicePath', 'applicationId', 'campaignName'].includes(param);
      for (const absent of [undefined, null, '']) {
        rejects('CompleteRecord', completeParams({ [param]: absent }), withDefault ? 'missingWithDefault' : 'missing', param);
      }
    }
    for (const param of ['recordHandle', 'applicationId', 'campaignName', 'devicePath']) {
      rejects('GetChainedRecord', chainParams({ [param]: undefined }), undefined, param);
    }
    assert.throws(() => core.prepareRequest('CompleteRecord', completeParams({ campaignName: '' })),
      { message: 'CompleteRecord not sent: campaignName is missing (set it on the node, in msg.payload.campaignName or as a default on the server node)' });
  });

  it('accepts applicationId as a number or a string of digits, and nothing else', () => {
    assert.equal(core.prepareRequest('CompleteRecord', completeParams({ applicationId: '134' })).body.applicationId, 134);
    assert.equal(core.prepareRequest('CompleteRecord', completeParams({ applicationId: ' 7 ' })).body.applicationId, 7);
    for (const bad of ['12a', '1.5', 1.5, -3, '-3', 'abc', true, {}, [], NaN, Infinity, '1e3']) {
      rejects('CompleteRecord', completeParams({ applicationId: bad }), 'notInteger', 'applicationId');
    }
  });

  it('takes callResult by name or by number, and sends what the server wants', () => {
    const byName = core.prepareRequest('CompleteRecord', completeParams({ callResult: 'Answer' }));
    assert.equal(byName.body.callResult, 'Answer');
    const byNumber = core.prepareRequest('CompleteRecord', completeParams({ callResult: 33 }));
    assert.equal(byNumber.body.callResult, 'Answer');
    const asNumber = core.prepareRequest('CompleteRecord', completeParams({ callResult: 'answering machine detected' }), { callResultFormat: 'number' });
    assert.equal(asNumber.body.callResult, 9);
    assert.equal(core.prepareRequest('CompleteRecord', completeParams({ callResult: '7' }), { callResultFormat: 'number' }).body.callResult, 7);
    assert.equal(core.prepareRequest('CompleteRecord', completeParams({ callResult: 'NO_ANSWER' })).body.callResult, 'NoAnswer');
    for (const bad of ['Maybe', 54, -1, '99', 3.5, {}]) rejects('CompleteRecord', completeParams({ callResult: bad }), 'unknownCallResult', 'callResult');
  });

  it('knows all 54 OCS call results, 0 to 53, each once', () => {
    const codes = Object.values(core.CALL_RESULTS).sort((a, b) => a - b);
    assert.deepEqual(codes, Array.from({ length: 54 }, (_, i) => i));
    for (const [name, code] of Object.entries(core.CALL_RESULTS)) assert.deepEqual(core.parseCallResult(code), { name, code });
  });

  it('puts the record handle into the URL as one encoded path segment', () => {
    const cases = {
      'a/b': '/api/v2/me/outbound-records/a%2Fb',
      '12?x=1': '/api/v2/me/outbound-records/12%3Fx%3D1',
      'x#y': '/api/v2/me/outbound-records/x%23y',
      'with space': '/api/v2/me/outbound-records/with%20space',
      '../../me': '/api/v2/me/outbound-records/..%2F..%2Fme',
    };
    for (const [handle, path] of Object.entries(cases)) {
      assert.equal(core.prepareRequest('CompleteRecord', completeParams({ recordHandle: handle })).path, path);
    }
    for (const bad of ['.', '..', '   ', -1, 1.5, {}, true, 'a\nb']) {
      assert.throws(() => core.prepareRequest('CompleteRecord', completeParams({ recordHandle: bad })), (e) => e.params.param === 'recordHandle');
    }
  });

  it('checks devicePath, text types, lengths and control characters', () => {
    for (const bad of ['devices/x', '/device/x', '/devices/', '/devices/a/b', '/devices/a b', '/devices/x?y']) {
      rejects('CompleteRecord', completeParams({ devicePath: bad }), 'badDevicePath', 'devicePath');
    }
    rejects('CompleteRecord', completeParams({ campaignName: { name: 'x' } }), 'notText', 'campaignName');
    rejects('CompleteRecord', completeParams({ callingList: true }), 'notText', 'callingList');
    rejects('CompleteRecord', completeParams({ campaignName: 'x'.repeat(1024 * 1024) }), 'tooLong', 'campaignName');
    rejects('CompleteRecord', completeParams({ phoneNumber: '5'.repeat(65) }), 'tooLong', 'phoneNumber');
    rejects('CompleteRecord', completeParams({ referenceId: 'r'.repeat(257) }), 'tooLong', 'referenceId');
    rejects('CompleteRecord', completeParams({ campaignName: 'Camp\r\naign' }), 'controlCharacters', 'campaignName');
    assert.equal(core.prepareRequest('CompleteRecord', completeParams({ phoneNumber: 5551234 })).body.phoneNumber, '5551234');
  });

  it('cuts long values short in error texts', () => {
    try {
      core.prepareRequest('CompleteRecord', completeParams({ applicationId: 'z'.repeat(5000) }));
      assert.fail('no error');
    } catch (error) {
      assert.ok(error.message.length < 200, error.message);
    }
  });
});
