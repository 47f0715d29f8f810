'use strict';
/*
 * Error texts in every language: the words the core puts into a text (the kind of a value it cannot
 * quote, "A or B" lists, the name of AddRecord's answer) come out translated with the text around them.
 * Needs the build (dist/nodes/lib/errors.js).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { dist, core, DEVICE } = require('../helpers');

const { describeError } = require(path.join(dist, 'nodes', 'lib', 'errors.js'));

const LOCALES = path.resolve(__dirname, '..', '..', 'locales');
const PREFIX = 'node-red-contrib-gws-outbound/gws-server:';
const LANGUAGES = ['en-US', 'de', 'ja'];
const TRANSLATIONS = ['de', 'ja'];

/** A translator as Node-RED's RED._ behaves for one language: the text with its __name__ filled, else the key. */
function translator(lang) {
  const catalog = JSON.parse(fs.readFileSync(path.join(LOCALES, lang, 'gws-server.json'), 'utf8'));
  return (key, params = {}) => {
    if (!key.startsWith(PREFIX)) return key;
    let value = catalog;
    for (const part of key.slice(PREFIX.length).split('.')) {
      value = value !== null && typeof value === 'object' ? value[part] : undefined;
    }
    if (typeof value !== 'string') return key;
    return value.replace(/__([A-Za-z0-9]+)__/g, (whole, name) =>
      Object.hasOwn(params, name) && params[name] !== undefined ? String(params[name]) : whole,
    );
  };
}

function words(lang) {
  return JSON.parse(fs.readFileSync(path.join(LOCALES, lang, 'gws-server.json'), 'utf8')).words;
}

/** The error prepareRequest throws for `input`. */
function prepareError(operation, input) {
  try {
    core.prepareRequest(operation, input);
  } catch (error) {
    assert.ok(error instanceof core.GwsError, `${operation} threw ${error}`);
    return error;
  }
  assert.fail(`${operation} accepted ${JSON.stringify(input)}`);
}

const RESCHEDULE = { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callbackType: 'Personal', timestamp: 1790000000, devicePath: DEVICE };
const COMPLETE = { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE };

describe('error texts in every language', () => {
  const notOneOf = prepareError('RescheduleRecord', { ...RESCHEDULE, callbackType: 'Later' });
  const notText = prepareError('CompleteRecord', { ...COMPLETE, callingList: { name: 'CallingList1' } });
  const timeout = new core.GwsError('timeout', {
    operation: 'AddRecord',
    expected: core.answerName(core.OPERATION_TABLE.AddRecord.answer),
    timeout: 300,
    referenceId: 'r1',
  });

  it('the core gives the English reference texts', () => {
    assert.equal(notOneOf.code, 'notOneOf');
    assert.equal(notOneOf.message, 'RescheduleRecord not sent: callbackType must be Personal or Campaign, got "Later"');
    assert.equal(notText.code, 'notText');
    assert.equal(notText.message, 'CompleteRecord not sent: callingList must be text, got an object');
    assert.equal(timeout.message, 'AddRecord timed out: no notification whose type ends in Acknowledge within 300 ms (referenceId r1)');
  });

  for (const lang of LANGUAGES) {
    describe(lang, () => {
      const t = translator(lang);
      const word = words(lang);

      it('lists the allowed values of notOneOf with the language\'s "or"', () => {
        const text = describeError(t, notOneOf);
        assert.ok(text.includes(`Personal ${word.or} Campaign`), text);
        assert.ok(text.includes('"Later"'), text);
        assert.ok(text.includes('callbackType'), text);
      });

      it('names the kind of a value it cannot quote in the language (notText for an object)', () => {
        const text = describeError(t, notText);
        assert.ok(text.includes(word.object), text);
        assert.ok(text.includes('callingList'), text);
      });

      it('names the answer AddRecord waited for in the language (timeout)', () => {
        const text = describeError(t, timeout);
        const expected = word.typeEndingIn.replace('__suffix__', 'Acknowledge');
        assert.ok(text.includes(expected), text);
        assert.ok(text.includes('300') && text.includes('r1') && text.includes('AddRecord'), text);
        assert.doesNotMatch(text, /__[A-Za-z0-9]+__/, 'every placeholder is filled');
      });
    });
  }

  for (const lang of TRANSLATIONS) {
    it(`leaves no English word of the core in the ${lang} texts`, () => {
      const t = translator(lang);
      for (const error of [notOneOf, notText, timeout]) {
        const text = describeError(t, error);
        assert.notEqual(text, error.message, `${error.code} is translated`);
        assert.ok(!text.includes('an object'), text);
        assert.ok(!text.includes(' or '), text);
        assert.ok(!text.includes('notification whose type'), text);
      }
    });
  }
});
