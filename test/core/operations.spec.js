'use strict';
const assert = require('node:assert/strict');
const vm = require('node:vm');
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

  describe('the other eight operations', () => {
    /** A valid input for each operation: its required parameters only. */
    const VALID = {
      CompleteRecord: completeParams(),
      GetChainedRecord: chainParams(),
      RejectRecord: { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE },
      RescheduleRecord: { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callbackType: 'Personal', timestamp: 1433917552, devicePath: DEVICE },
      DoNotCallRecord: { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE },
      UpdateRecord: { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', devicePath: DEVICE },
      AddRecord: {
        applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', phoneNumber: '5550100', timeZone: 'GMT', phoneType: 'HomePhone',
        from: 28800, until: 72000, devicePath: DEVICE,
      },
      StartPreviewSession: { campaignName: 'Campaign1', applicationId: 134, devicePath: DEVICE },
      GetPreviewRecord: { campaignName: 'Campaign1', applicationId: 134, devicePath: DEVICE },
      EndPreviewSession: { campaignName: 'Campaign1', applicationId: 134, devicePath: DEVICE },
    };
    const WITH_DEFAULT = ['applicationId', 'campaignName', 'devicePath'];
    const prepare = (operation, overrides = {}, options) => core.prepareRequest(operation, { ...VALID[operation], ...overrides }, options);
    const sent = (operation, param, value) => prepare(operation, { [param]: value }).body[param];
    /** The exact text of a pre-send error (rule 5). */
    function refused(operation, overrides, message) {
      assert.throws(() => prepare(operation, overrides), (error) => {
        assert.ok(error instanceof core.GwsError, String(error));
        assert.equal(error.statusCode, 1, 'statusCode 1 (missing or invalid parameter)');
        assert.equal(error.reason, 'invalid');
        if (message instanceof RegExp) assert.match(error.message, message);
        else assert.equal(error.message, message);
        return true;
      }, `${operation} ${label(overrides)}`);
    }
    function label(overrides) {
      try {
        return JSON.stringify(overrides);
      } catch {
        return Object.keys(overrides).join(', ');
      }
    }

    it('each valid input is accepted as it is', () => {
      for (const operation of Object.keys(VALID)) assert.equal(prepare(operation).operationName, operation);
    });

    it('names every missing required parameter of every operation (absent, null, \'\' or blank), statusCode 1', () => {
      for (const [operation, input] of Object.entries(VALID)) {
        const required = Object.entries(core.OPERATION_TABLE[operation].params).filter(([, presence]) => presence === 'required').map(([name]) => name);
        assert.deepEqual(Object.keys(input).sort(), [...required].sort(), `${operation}: the valid input holds exactly the required parameters`);
        for (const param of required) {
          const where = WITH_DEFAULT.includes(param)
            ? `set it on the node, in msg.payload.${param} or as a default on the server node`
            : `set it on the node or in msg.payload.${param}`;
          for (const absent of [undefined, null, '']) {
            refused(operation, { [param]: absent }, `${operation} not sent: ${param} is missing (${where})`);
          }
          if (!['recordHandle', 'applicationId', 'timestamp', 'from', 'until', 'callbackType', 'phoneType'].includes(param)) {
            refused(operation, { [param]: '   ' }, `${operation} not sent: ${param} is missing (${where})`);
          }
        }
      }
    });

    it('checks the first missing parameter first, in dialog order', () => {
      refused('AddRecord', { callingList: '', until: undefined }, /^AddRecord not sent: callingList is missing/);
      refused('RescheduleRecord', { callbackType: undefined, timestamp: undefined }, /^RescheduleRecord not sent: callbackType is missing/);
    });

    describe('enumerations: matched without regard to case, sent as the table writes them', () => {
      const ENUMS = {
        callbackType: { operations: ['RescheduleRecord'], values: ['Personal', 'Campaign'], allowed: 'Personal or Campaign' },
        chainAttribute: { operations: ['DoNotCallRecord'], values: ['AllChain', 'RecordOnly'], allowed: 'AllChain or RecordOnly' },
        phoneType: {
          operations: ['UpdateRecord', 'AddRecord'],
          values: ['NoContactType', 'HomePhone', 'DirectBusinessPhone', 'BusinessWithExt', 'Mobile', 'VacationPhone', 'Pager', 'Modem', 'VoiceMail', 'PinPager', 'EmailAddress', 'InstantMessaging'],
          allowed: 'NoContactType, HomePhone, DirectBusinessPhone, BusinessWithExt, Mobile, VacationPhone, Pager, Modem, VoiceMail, PinPager, EmailAddress or InstantMessaging',
        },
      };
      for (const [param, { operations, values, allowed }] of Object.entries(ENUMS)) {
        it(`${param} (${operations.join(', ')})`, () => {
          for (const operation of operations) {
            for (const value of values) {
              for (const given of [value, value.toLowerCase(), value.toUpperCase(), ` ${value} `]) {
                assert.equal(sent(operation, param, given), value, `${operation} ${JSON.stringify(given)}`);
              }
            }
            for (const [bad, shown] of [['Fax', '"Fax"'], ['Per sonal', '"Per sonal"'], [1, '1'], [true, 'true'], [{}, 'an object'], [[values[0]], 'an array']]) {
              refused(operation, { [param]: bad }, `${operation} not sent: ${param} must be ${allowed}, got ${shown}`);
            }
          }
        });
      }

      it('the contract\'s example text', () => {
        refused('RescheduleRecord', { callbackType: 'Later' }, /^RescheduleRecord not sent: callbackType must be Personal or Campaign/);
      });
    });

    describe('integers: from, until, chainId (and applicationId everywhere)', () => {
      const INTEGERS = { from: ['UpdateRecord', 'AddRecord'], until: ['UpdateRecord', 'AddRecord'], chainId: ['AddRecord'], applicationId: Object.keys(VALID) };
      for (const [param, operations] of Object.entries(INTEGERS)) {
        it(`${param}: a non-negative integer or a string of digits, sent as a number`, () => {
          for (const operation of operations) {
            assert.strictEqual(sent(operation, param, 0), 0);
            assert.strictEqual(sent(operation, param, 3600), 3600);
            assert.strictEqual(sent(operation, param, '3600'), 3600);
            assert.strictEqual(sent(operation, param, ' 42 '), 42);
            for (const [bad, shown] of [['1.5', '"1.5"'], [1.5, '1.5'], [-1, '-1'], ['-1', '"-1"'], ['8h', '"8h"'], [true, 'true'], [{}, 'an object'], [[1], 'an array'], [NaN, 'NaN'], ['1e3', '"1e3"'], ['1234567890123456', '"1234567890123456"']]) {
              refused(operation, { [param]: bad }, `${operation} not sent: ${param} must be a non-negative integer (a number or a string of up to 15 digits), got ${shown}`);
            }
          }
        });
      }
    });

    describe('timestamp (RescheduleRecord): seconds since 1970', () => {
      const at = Date.UTC(2026, 11, 24, 9, 30, 0) / 1000;

      it('as a number or a string of digits', () => {
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', 1433917552), 1433917552, 'the documented sample');
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', '1433917552'), 1433917552);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', ' 1433917552 '), 1433917552);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', 0), 0);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', 99999999999), 99999999999, 'the last second taken for seconds');
      });

      it('as a Date, also one made in another JavaScript context (a function node\'s)', () => {
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', new Date(at * 1000)), at);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', new Date(at * 1000 + 999)), at, 'milliseconds are cut off');
        const foreign = vm.runInNewContext(`new Date(${at * 1000 + 250})`);
        assert.equal(foreign instanceof Date, false, 'made in another context');
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', foreign), at);
        const inOneHour = vm.runInNewContext('new Date(Date.now() + 3600 * 1000)');
        const seconds = sent('RescheduleRecord', 'timestamp', inOneHour);
        assert.ok(Math.abs(seconds - (Math.floor(Date.now() / 1000) + 3600)) <= 2, String(seconds));
      });

      it('as ISO-8601 text', () => {
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', '2026-12-24T09:30:00Z'), at);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', '2026-12-24T09:30:00.750Z'), at);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', '2026-12-24T10:30:00+01:00'), at);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', '2026-12-24T04:30:00-0500'), at);
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', '2026-12-24'), Date.UTC(2026, 11, 24) / 1000, 'a date alone is midnight UTC');
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', ' 2026-12-24T09:30:00Z '), at);
      });

      it('a millisecond timestamp is refused with its own error', () => {
        const ms = 1433917552000;
        refused('RescheduleRecord', { timestamp: ms }, `RescheduleRecord not sent: timestamp ${ms} looks like milliseconds; give seconds since 1970 (divide by 1000) or a Date`);
        refused('RescheduleRecord', { timestamp: String(ms) }, `RescheduleRecord not sent: timestamp "${ms}" looks like milliseconds; give seconds since 1970 (divide by 1000) or a Date`);
        refused('RescheduleRecord', { timestamp: Date.now() }, /looks like milliseconds/);
        refused('RescheduleRecord', { timestamp: 1e11 }, /looks like milliseconds/);
      });

      it('anything else is refused, naming what it got', () => {
        const text = (shown) => `RescheduleRecord not sent: timestamp must be seconds since 1970 (a whole number), a Date or ISO-8601 text such as 2026-12-24T09:30:00Z, got ${shown}`;
        for (const [bad, shown] of [
          [-1, '-1'], [1.5, '1.5'], ['1433917552.5', '"1433917552.5"'], [NaN, 'NaN'], [Infinity, 'Infinity'], ['tomorrow', '"tomorrow"'],
          ['2026-13-01T00:00:00Z', '"2026-13-01T00:00:00Z"'], ['24.12.2026', '"24.12.2026"'], ['Thu, 24 Dec 2026 09:30:00 GMT', '"Thu, 24 Dec 2026 09:30:00 GMT"'],
          [new Date(NaN), 'an object'], [new Date(-1000), 'an object'], [vm.runInNewContext('new Date("nonsense")'), 'an object'],
          [{}, 'an object'], [[1433917552], 'an array'], [true, 'true'],
        ]) {
          refused('RescheduleRecord', { timestamp: bad }, text(shown));
        }
      });

      it('a day that its month does not have is refused, not moved to the next month', () => {
        for (const bad of ['2026-02-29', '2026-02-30T09:00:00Z', '2026-04-31T00:00:00Z', '2026-06-31']) {
          refused('RescheduleRecord', { timestamp: bad }, /^RescheduleRecord not sent: timestamp must be seconds since 1970/);
        }
        assert.strictEqual(sent('RescheduleRecord', 'timestamp', '2028-02-29'), Date.UTC(2028, 1, 29) / 1000, 'a leap day');
      });

      it('an object that only claims to be a Date is a parameter error, not a fault of the node', () => {
        refused('RescheduleRecord', { timestamp: { [Symbol.toStringTag]: 'Date' } }, /^RescheduleRecord not sent: timestamp must be seconds since 1970/);
      });
    });

    describe('otherFields (AddRecord): an object of user fields', () => {
      const fields = (value) => sent('AddRecord', 'otherFields', value);

      it('text, numbers and booleans, copied as they are', () => {
        const given = { customer_id: 'C-17', score: 4.5, vip: false, note: 'x'.repeat(1024) };
        const copy = fields(given);
        assert.deepEqual(copy, given);
        assert.notEqual(copy, given, 'a copy');
        assert.deepEqual(fields({}), {});
      });

      it('an object of any context: a function node\'s, one without a prototype, one from JSON', () => {
        const foreign = vm.runInNewContext('({ customer_id: "C-17", vip: true })');
        assert.notEqual(Object.getPrototypeOf(foreign), Object.prototype);
        assert.deepEqual(fields(foreign), { customer_id: 'C-17', vip: true });
        assert.equal(Object.getPrototypeOf(fields(foreign)), Object.prototype, 'sent as a plain object of this context');
        assert.deepEqual(fields(Object.assign(Object.create(null), { a: 1 })), { a: 1 });
        assert.deepEqual(fields(JSON.parse('{"a":"1","b":2}')), { a: '1', b: 2 });
      });

      it('a field named __proto__ stays a field, and nothing reaches a prototype', () => {
        const copy = fields(JSON.parse('{"__proto__": "x", "polluted": "no"}'));
        assert.ok(Object.hasOwn(copy, '__proto__'), 'an own field');
        assert.equal(Object.getPrototypeOf(copy), Object.prototype);
        assert.equal(JSON.stringify(copy), '{"__proto__":"x","polluted":"no"}');
        // An object under __proto__ is a nested value like any other: refused, and nothing is merged anywhere.
        refused('AddRecord', { otherFields: JSON.parse('{"__proto__": {"callingList": "Other"}}') }, /^AddRecord not sent: otherFields\.__proto__ must be text/);
        assert.equal({}.callingList, undefined, 'Object.prototype untouched');
      });

      it('refuses what is not an object of plain values', () => {
        const notObject = (shown) => `AddRecord not sent: otherFields must be an object of user fields such as {"customer_id": "C-17"}, got ${shown}`;
        for (const [bad, shown] of [[['a'], 'an array'], ['{"a":1}', '"{\\"a\\":1}"'], [5, '5'], [true, 'true'], [new Date(0), 'an object'], [new Map([['a', 1]]), 'an object'], [vm.runInNewContext('[1, 2]'), 'an array']]) {
          refused('AddRecord', { otherFields: bad }, notObject(shown));
        }
        const badValue = (field, shown) => `AddRecord not sent: otherFields.${field} must be text (up to 1024 characters), a number or a boolean, got ${shown}`;
        refused('AddRecord', { otherFields: { nested: { a: 1 } } }, badValue('nested', 'an object'));
        refused('AddRecord', { otherFields: { list: [1] } }, badValue('list', 'an array'));
        refused('AddRecord', { otherFields: { fn() {} } }, badValue('fn', 'a function'));
        refused('AddRecord', { otherFields: { gone: null } }, badValue('gone', 'null'));
        refused('AddRecord', { otherFields: { nan: NaN } }, badValue('nan', 'NaN'));
        refused('AddRecord', { otherFields: { long: 'x'.repeat(1025) } }, /^AddRecord not sent: otherFields\.long must be text \(up to 1024 characters\)/);
        refused('AddRecord', { otherFields: { half: 'a\ud800' } }, /^AddRecord not sent: otherFields\.half must be text/);
        refused('AddRecord', { otherFields: vm.runInNewContext('({ inner: { a: 1 } })') }, badValue('inner', 'an object'));
        refused('AddRecord', { otherFields: { '': 'x' } }, 'AddRecord not sent: otherFields has a field name that cannot be sent: ""');
        refused('AddRecord', { otherFields: { 'a\nb': 'x' } }, 'AddRecord not sent: otherFields has a field name that cannot be sent: "a\\nb"');
        refused('AddRecord', { otherFields: { ['n'.repeat(129)]: 'x' } }, /^AddRecord not sent: otherFields has a field name that cannot be sent/);
        const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`f${i}`, i]));
        refused('AddRecord', { otherFields: many }, 'AddRecord not sent: otherFields has 201 fields, at most 200');
      });

      it('an object whose fields cannot be read is a parameter error, not a fault of the node', () => {
        const throwing = {};
        Object.defineProperty(throwing, 'late', { get: () => { throw new Error('lazy field failed'); }, enumerable: true });
        refused('AddRecord', { otherFields: throwing }, 'AddRecord not sent: otherFields could not be read from the message (lazy field failed)');
        const trap = new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } });
        refused('AddRecord', { otherFields: trap }, 'AddRecord not sent: otherFields could not be read from the message (no keys)');
      });
    });

    describe('the campaign path', () => {
      const CAMPAIGN_OPERATIONS = ['StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession'];

      it('is /api/v2/me/outbound-campaigns/<encodeURIComponent(campaignName)>', () => {
        for (const operation of CAMPAIGN_OPERATIONS) {
          for (const name of ['Campaign1', 'Outbound Sales', 'a/b', '../me', 'x?y=1#z', 'Kampagne Größe', '営業', '%2F', '100%', 'a+b&c=d', '...']) {
            const request = prepare(operation, { campaignName: name });
            assert.equal(request.path, `/api/v2/me/outbound-campaigns/${encodeURIComponent(name)}`, `${operation} ${name}`);
            assert.equal(request.campaignName, name);
            assert.equal('campaignName' in request.body, false);
            // One path segment: the URL parser leaves it where it is.
            assert.equal(new URL(request.path, 'http://gws.example.com').pathname, request.path);
          }
        }
      });

      it('refuses . and .., which URL normalisation would fold away', () => {
        for (const operation of CAMPAIGN_OPERATIONS) {
          for (const name of ['.', '..']) {
            refused(operation, { campaignName: name }, `${operation} not sent: campaignName must not be . or .. (in the URL they would address another resource)`);
          }
        }
      });

      it('refuses text with a lone surrogate, which cannot be encoded in a URL', () => {
        for (const operation of CAMPAIGN_OPERATIONS) {
          for (const name of ['Camp\ud800', '\udc00', 'a\ud83d']) {
            refused(operation, { campaignName: name }, `${operation} not sent: campaignName is not valid Unicode text (it holds a lone surrogate code unit)`);
          }
        }
        assert.equal(prepare('StartPreviewSession', { campaignName: 'Camp\ud83d\ude00' }).path, '/api/v2/me/outbound-campaigns/Camp%F0%9F%98%80', 'a whole surrogate pair is fine');
      });

      it('refuses control characters and names longer than 1024 characters', () => {
        refused('GetPreviewRecord', { campaignName: 'a\r\nb' }, 'GetPreviewRecord not sent: campaignName must not contain control characters such as line breaks');
        refused('GetPreviewRecord', { campaignName: 'c'.repeat(1025) }, 'GetPreviewRecord not sent: campaignName is too long (1025 characters, at most 1024)');
        assert.ok(prepare('GetPreviewRecord', { campaignName: 'c'.repeat(1024) }).path.endsWith('c'.repeat(1024)));
      });
    });

    it('a record operation\'s handle with a lone surrogate is refused too', () => {
      for (const operation of ['RejectRecord', 'RescheduleRecord', 'DoNotCallRecord', 'UpdateRecord']) {
        refused(operation, { recordHandle: 'h\udfff' }, `${operation} not sent: recordHandle is not valid Unicode text (it holds a lone surrogate code unit)`);
        assert.equal(prepare(operation, { recordHandle: 'a/b c' }).path, '/api/v2/me/outbound-records/a%2Fb%20c');
      }
    });

    it('text parameters of the new operations: type, length and control characters', () => {
      refused('UpdateRecord', { timeZone: 'G'.repeat(65) }, 'UpdateRecord not sent: timeZone is too long (65 characters, at most 64)');
      refused('AddRecord', { timeZone: { tz: 'GMT' } }, 'AddRecord not sent: timeZone must be text, got an object');
      refused('AddRecord', { phoneNumber: '555\n0100' }, 'AddRecord not sent: phoneNumber must not contain control characters such as line breaks');
      refused('DoNotCallRecord', { phoneNumber: false }, 'DoNotCallRecord not sent: phoneNumber must be text, got false');
      assert.strictEqual(sent('UpdateRecord', 'phoneNumber', 5550100), '5550100');
    });
  });
});
