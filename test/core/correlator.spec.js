'use strict';
const assert = require('node:assert/strict');
const { core, delay } = require('../helpers');

const ACK = { kind: 'ack', type: 'RecordProcessedAcknowledge' };
const CHAIN = { kind: 'chain', end: 'ChainedRecordsDataEnd' };

function info(referenceId, operationName = 'CompleteRecord', recordHandle = '12') {
  return { referenceId, operationName, recordHandle, nodeId: 'n1', request: { operationName, referenceId } };
}
function outbound(referenceId, notificationType, recordHandle = 12, extra = {}) {
  return { channel: '/v2/me/outbound', data: { record: { recordHandle }, notificationType, messageType: 'OutboundRecordMessage', referenceId, ...extra } };
}
function userEvent(recordHandle, event) {
  return { channel: '/me/internal', data: { userData: { GSW_RECORD_HANDLE: recordHandle, GSW_USER_EVENT: event }, messageType: 'DeviceUserEventMessage' } };
}
/** Feeds notifications as one long-poll answer. */
let batchNo = 0;
function batch(correlator, ...notifications) {
  const batch = ++batchNo;
  const tags = notifications.map((n) => correlator.handle({ ...n, batch }));
  correlator.batchEnd(batch);
  return tags;
}

describe('core: correlator', () => {
  it('resolves on the expected acknowledgement and joins the user event of the same batch', async () => {
    const c = new core.Correlator();
    const answer = c.expect(info('r1'), ACK, 1000);
    const tags = batch(c, outbound('r1', 'RecordProcessedAcknowledge'), userEvent(12, 'RecordProcessedAcknowledge'));
    assert.equal(tags[0].referenceId, 'r1');
    assert.equal(tags[1], undefined, 'user events are never tagged');
    const result = await answer;
    assert.equal(result.data.notificationType, 'RecordProcessedAcknowledge');
    assert.equal(result.userEvent.userData.GSW_USER_EVENT, 'RecordProcessedAcknowledge');
    assert.equal(c.pendingCount, 0);
    assert.equal(c.stats.answered, 1);
  });

  it('joins a user event that precedes the answer in the same batch', async () => {
    const c = new core.Correlator();
    const answer = c.expect(info('r1'), ACK, 1000);
    batch(c, userEvent(12, 'RecordProcessedAcknowledge'), outbound('r1', 'RecordProcessedAcknowledge'));
    assert.ok((await answer).userEvent);
  });

  it('joins a user event arriving within the wait after the answer, not one arriving later', async () => {
    const c = new core.Correlator({ userEventWaitMs: 100 });
    const first = c.expect(info('r1'), ACK, 1000);
    batch(c, outbound('r1', 'RecordProcessedAcknowledge'));
    await delay(30);
    batch(c, userEvent(12, 'RecordProcessedAcknowledge'));
    assert.ok((await first).userEvent, 'joined within the wait');

    const second = c.expect(info('r2', 'CompleteRecord', '13'), ACK, 1000);
    const started = Date.now();
    batch(c, outbound('r2', 'RecordProcessedAcknowledge', 13));
    const result = await second;
    assert.equal(result.userEvent, undefined);
    assert.ok(Date.now() - started >= 90, 'waited for the user event');
    batch(c, userEvent(13, 'RecordProcessedAcknowledge'));
  });

  it('does not join a user event of another record or another event', async () => {
    const c = new core.Correlator({ userEventWaitMs: 20 });
    const answer = c.expect(info('r1'), ACK, 1000);
    batch(c, outbound('r1', 'RecordProcessedAcknowledge'), userEvent(99, 'RecordProcessedAcknowledge'), userEvent(12, 'ChainedRecordsDataEnd'));
    assert.equal((await answer).userEvent, undefined);
  });

  it('collects every correlated message before ChainedRecordsDataEnd as a chained record, in order', async () => {
    const c = new core.Correlator();
    const answer = c.expect(info('c1', 'GetChainedRecord', '7'), CHAIN, 1000);
    batch(c, outbound('c1', 'ChainedRecord', 701), outbound('c1', 'SomethingElse', 702));
    batch(c, outbound('c1', 'ChainedRecord', 703), outbound('c1', 'ChainedRecordsDataEnd', 7), userEvent(7, 'ChainedRecordsDataEnd'));
    const result = await answer;
    assert.deepEqual(result.records.map((r) => r.recordHandle), [701, 702, 703]);
    assert.equal(result.data.notificationType, 'ChainedRecordsDataEnd');
    assert.ok(result.userEvent);
  });

  it('answers an empty chain with no records', async () => {
    const c = new core.Correlator({ userEventWaitMs: 10 });
    const answer = c.expect(info('c0', 'GetChainedRecord', '7'), CHAIN, 1000);
    batch(c, outbound('c0', 'ChainedRecordsDataEnd', 7));
    assert.deepEqual((await answer).records, []);
  });

  it('fails on a correlated error notification, with its text', async () => {
    const shapes = [
      { notificationType: 'RecordProcessedError', errorMessage: 'record not found' },
      { notificationType: 'RecordProcessedNack' },
      { notificationType: 'Whatever', userData: { GSW_ERROR: 'Invalid record handle', GSW_ERROR_NUMBER: 103 } },
      { notificationType: 'Whatever', record: { recordHandle: 12, GSW_ERROR: 'No such calling list' } },
    ];
    for (const [i, shape] of shapes.entries()) {
      const c = new core.Correlator();
      const answer = c.expect(info(`e${i}`), ACK, 1000);
      batch(c, { channel: '/v2/me/outbound', data: { referenceId: `e${i}`, messageType: 'OutboundRecordMessage', record: { recordHandle: 12 }, ...shape } });
      await assert.rejects(answer, (error) => {
        assert.equal(error.code, 'errorNotification');
        assert.match(error.message, new RegExp(`^CompleteRecord failed: GWS answered ${shape.notificationType} \\(referenceId e${i}\\): `));
        return true;
      });
    }
  });

  it('keeps waiting through correlated messages that are neither the answer nor an error', async () => {
    const c = new core.Correlator({ userEventWaitMs: 0 });
    const answer = c.expect(info('r1'), ACK, 1000);
    batch(c, outbound('r1', 'RecordRejectAcknowledge'));
    assert.equal(c.pendingCount, 1);
    batch(c, outbound('r1', 'RecordProcessedAcknowledge'));
    assert.equal((await answer).data.notificationType, 'RecordProcessedAcknowledge');
  });

  it('times out with the contract text and counts a late answer without resolving twice', async () => {
    const c = new core.Correlator();
    const answer = c.expect(info('t1'), ACK, 50);
    await assert.rejects(answer, { message: 'CompleteRecord timed out: no RecordProcessedAcknowledge within 50 ms (referenceId t1)' });
    const tag = batch(c, outbound('t1', 'RecordProcessedAcknowledge'))[0];
    assert.equal(tag.referenceId, 't1', 'a late answer is still tagged');
    assert.equal(c.stats.late, 1);
    assert.equal(c.stats.timedOut, 1);
  });

  it('tags and counts the late records of a timed-out chain, though they name other records', async () => {
    const c = new core.Correlator();
    const answer = c.expect(info('t2', 'GetChainedRecord', '7'), CHAIN, 50);
    await assert.rejects(answer, { code: 'timeout' });
    const tags = batch(c, outbound('t2', 'ChainedRecord', 701), outbound('t2', 'ChainedRecord', 702), outbound('t2', 'ChainedRecordsDataEnd', 7));
    assert.deepEqual(tags.map((t) => t && t.referenceId), ['t2', 't2', 't2']);
    assert.equal(c.stats.late, 3);
    // The end and errors of a chain still have to name its record.
    assert.equal(batch(c, outbound('t2', 'ChainedRecordsDataEnd', 8))[0], undefined);
    assert.equal(c.stats.late, 3);
  });

  it('counts duplicates and ignores them', async () => {
    const c = new core.Correlator({ userEventWaitMs: 0 });
    const answer = c.expect(info('d1'), ACK, 1000);
    batch(c, outbound('d1', 'RecordProcessedAcknowledge'), outbound('d1', 'RecordProcessedAcknowledge'));
    await answer;
    batch(c, outbound('d1', 'RecordProcessedAcknowledge'));
    assert.equal(c.stats.duplicate, 2);
    assert.equal(c.stats.answered, 1);
  });

  it('ignores notifications of requests it never saw and malformed ones', () => {
    const c = new core.Correlator();
    assert.deepEqual(batch(c, outbound('other', 'RecordProcessedAcknowledge'), { channel: '/v2/me/outbound', data: {} },
      { channel: '/v2/me/outbound', data: { referenceId: { nested: true } } }, { channel: '/me/internal', data: { messageType: 'DeviceUserEventMessage' } }),
      [undefined, undefined, undefined, undefined]);
  });

  it('remembers at least the last memorySize requests and at most twice as many', () => {
    const c = new core.Correlator({ memorySize: 100 });
    for (let i = 0; i < 1000; i++) {
      c.remember(info(`m${i}`));
      for (const back of [0, 50, 99]) if (i >= back) assert.equal(c.lookup(`m${i - back}`).referenceId, `m${i - back}`);
      if (i >= 200) assert.equal(c.lookup(`m${i - 200}`), undefined, `m${i - 200} forgotten at m${i}`);
    }
    const remembered = Array.from({ length: 1000 }, (_, i) => c.lookup(`m${i}`)).filter(Boolean).length;
    assert.ok(remembered >= 100 && remembered <= 200, String(remembered));
  });

  it('remembers a request for constant time, also with 10,000 remembered', () => {
    const c = new core.Correlator();
    for (let i = 0; i < 20000; i++) c.remember(info(`w${i}`));
    // CPU time: another process on the machine does not count.
    const started = process.cpuUsage();
    for (let i = 0; i < 20000; i++) c.remember(info(`x${i}`));
    const used = process.cpuUsage(started);
    const perInsertUs = (used.user + used.system) / 20000;
    assert.ok(perInsertUs < 10, `${perInsertUs.toFixed(2)} µs per request remembered`);
  });

  it('fails every pending request at once', async () => {
    const c = new core.Correlator();
    const answers = [c.expect(info('a'), ACK, 1000), c.expect(info('b'), ACK, 1000)];
    c.failAll((i) => new core.GwsError('connectionClosed', { operation: i.operationName, referenceId: i.referenceId }));
    for (const answer of answers) await assert.rejects(answer, { code: 'connectionClosed' });
    assert.equal(c.pendingCount, 0);
  });

  it('looks answers up in constant time with 10,000 requests pending', async () => {
    // CPU time, not wall time, and the best of three: another process on the machine then hardly
    // matters. Constant time means that answering one of 10,000 pending requests costs about what
    // answering one of 1,000 does (a scan of the pending requests would cost ten times as much).
    const cpuMicros = () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    };
    const perAnswer = async (pending) => {
      const c = new core.Correlator({ userEventWaitMs: 0 });
      const waiting = [];
      for (let i = 0; i < pending; i++) {
        const p = c.expect(info(`p${i}`, 'CompleteRecord', String(i)), ACK, 60000);
        p.catch(() => {});
        waiting.push(p);
      }
      const started = cpuMicros();
      for (let i = 0; i < pending; i++) batch(c, outbound(`p${i}`, 'RecordProcessedAcknowledge', i));
      const us = (cpuMicros() - started) / pending;
      await Promise.all(waiting);
      assert.equal(c.stats.answered, pending);
      return us;
    };
    const best = async (pending) => Math.min(await perAnswer(pending), await perAnswer(pending), await perAnswer(pending));
    const small = await best(1000);
    const large = await best(10000);
    assert.ok(large < 3 * small + 5, `${large.toFixed(2)} µs per answer with 10,000 pending, ${small.toFixed(2)} µs with 1,000`);
    assert.ok(large < 200, `${large.toFixed(2)} µs per answer`);
  });

  describe('OCS refusals in user events (GSW_ERROR, no referenceId)', () => {
    const ADD = { kind: 'ackSuffix', suffix: 'Acknowledge' };
    const addInfo = (referenceId) => ({ referenceId, operationName: 'AddRecord', campaignName: undefined, nodeId: 'n1', request: { operationName: 'AddRecord', referenceId, campaignName: 'Campaign1' } });
    const refusal = (userData) => ({ channel: '/me/internal', data: { messageType: 'DeviceUserEventMessage', userData: { GSW_ERROR: 'refused', GSW_ERROR_NUMBER: 1003, GSW_CAMPAIGN_NAME: 'Campaign1', ...userData } } });

    it('fails the one waiting request of that record and answer type at once', async () => {
      const c = new core.Correlator();
      const answer = c.expect(info('r1', 'CompleteRecord', '12'), ACK, 5000);
      batch(c, refusal({ GSW_RECORD_HANDLE: 12, GSW_USER_EVENT: 'RecordProcessedAcknowledge' }));
      await assert.rejects(answer, { code: 'userEventError' });
    });

    it('never takes a refusal naming a record for a waiting AddRecord, whose answer type every acknowledgement shares', async () => {
      const c = new core.Correlator();
      const add = c.expect(addInfo('a1'), ADD, 300);
      batch(c, refusal({ GSW_RECORD_HANDLE: 12, GSW_USER_EVENT: 'RecordProcessedAcknowledge' }));
      await assert.rejects(add, { code: 'timeout' });
    });

    it('fails a waiting AddRecord by a refusal naming no record, but not when two could be meant', async () => {
      const c = new core.Correlator();
      const only = c.expect(addInfo('a1'), ADD, 5000);
      batch(c, refusal({ GSW_USER_EVENT: 'AddRecordAcknowledge' }));
      await assert.rejects(only, { code: 'userEventError' });
      const first = c.expect(addInfo('a2'), ADD, 300);
      const second = c.expect(addInfo('a3'), ADD, 300);
      batch(c, refusal({ GSW_USER_EVENT: 'AddRecordAcknowledge' }));
      await assert.rejects(first, { code: 'timeout' });
      await assert.rejects(second, { code: 'timeout' });
    });
  });
});
