'use strict';
/**
 * A hostile or broken GWS: a reverse proxy in front of the simulator rewrites its answers. The link must
 * survive any malformed long-poll answer (dropping the bad element with one warning), notice a link that
 * stopped polling and handshake again (never saying connected meanwhile), and keep server text out of
 * log lines, error texts and statuses as it came: no control characters, no unbounded length.
 */
const assert = require('node:assert/strict');
const { startSim, connect, until, delay, nextState, completeParams } = require('../helpers');
const { hostileFront, isNotificationAnswer, isConnectAnswer } = require('../helpers/hostile');

const FORGED = '\nERROR forged log line\r\n[error] [gws-server:x] password=hunter2';

/** True when a text could not forge a log line or spill over a status. */
function oneLine(text, max = 1200) {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e]/.test(text) && text.length <= max;
}

describe('hostile server: malformed answers, stalled links, forged text', function () {
  this.timeout(30000);
  let sim;
  let front;
  let connection;
  let warnings;

  beforeEach(async () => {
    sim = await startSim({ longPollTimeoutMs: 1000 });
    front = await hostileFront(sim);
    warnings = [];
  });
  afterEach(async () => {
    await connection?.stop();
    connection = undefined;
    await front.stop();
    await sim.stop();
  });

  async function open(options = {}) {
    connection = await connect({ url: front.url }, {
      log: { warn: (m) => warnings.push(m), debug() {}, trace() {} },
      link: { maxNetworkDelayMs: 500 },
      ...options,
    });
    const notifications = [];
    connection.on('notification', (n) => notifications.push(n));
    connection.start();
    await nextState(connection, 'connected');
    return notifications;
  }

  /** Rewrites the next answer matching `match` once with `change(messages)`. */
  function rewriteOnce(match, change) {
    let done = false;
    front.rewrite = (answer) => {
      if (done || !match(answer)) return undefined;
      done = true;
      return { body: JSON.stringify(change(JSON.parse(answer.body))) };
    };
    return () => done;
  }

  const MALFORMED = [
    ['an element without a channel', { data: { notificationType: 'X' } }],
    ['a string element', 'not a message'],
    ['a null element', null],
    ['a number element', 42],
    ['an array element', [{ channel: '/v2/me/outbound' }]],
    ['an element whose channel is a number', { channel: 17, data: {} }],
    ['an element whose channel is no path', { channel: 'v2/me/outbound', data: { notificationType: 'X' } }],
  ];
  for (const [title, element] of MALFORMED) {
    it(`survives a long-poll answer with ${title}: the rest is delivered, polling goes on, one warning`, async () => {
      const notifications = await open();
      const applied = rewriteOnce(isNotificationAnswer, (messages) => [element, ...messages]);
      sim.push('agent1', [{ channel: '/v2/me/outbound', data: { notificationType: 'PreviewRecord', record: { recordHandle: 1 } } }]);
      await until(applied, 3000, 'the rewritten answer');
      await until(() => notifications.length === 1, 3000, 'the good notification of the same answer');
      // Still polling: a later request is answered at once, and the status stayed connected.
      const result = await connection.execute(connection.prepare('CompleteRecord', completeParams()), { timeoutMs: 3000 });
      assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
      assert.equal(connection.state.status, 'connected');
      const dropped = warnings.filter((w) => w.includes('malformed'));
      assert.equal(dropped.length, 1, warnings.join('\n'));
    });
  }

  it('survives a long-poll answer that is a single object without a channel', async () => {
    await open();
    const applied = rewriteOnce(isNotificationAnswer, () => ({ data: { notificationType: 'X' } }));
    sim.push('agent1', [{ channel: '/v2/me/outbound', data: { notificationType: 'PreviewRecord' } }]);
    await until(applied, 3000);
    const result = await connection.execute(connection.prepare('CompleteRecord', completeParams()), { timeoutMs: 4000 });
    assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
  });

  it('recovers from a long-poll answer that is not JSON at all', async () => {
    await open();
    let done = false;
    front.rewrite = (answer) => {
      if (done || !isConnectAnswer(answer)) return undefined;
      done = true;
      return { body: '<html>\n<body>Gateway error</body>\n</html>' };
    };
    await until(() => done, 3000);
    const result = await connection.execute(connection.prepare('CompleteRecord', completeParams()), { timeoutMs: 6000 });
    assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
  });

  it('a link told to stop polling (advice reconnect none) stops saying connected and handshakes again by itself', async () => {
    await open();
    const states = [];
    connection.on('state', (s) => states.push(s.status));
    const applied = rewriteOnce(isConnectAnswer, (messages) => messages.map((m) => (m.channel === '/meta/connect' ? { ...m, advice: { reconnect: 'none' } } : m)));
    await until(applied, 3000, 'the poisoned connect answer');
    await until(() => states.includes('connecting'), 5000, 'the status no longer saying connected');
    await until(() => states.at(-1) === 'connected' && states.includes('connecting'), 8000, 'connected again');
    assert.ok(warnings.some((w) => w.includes('handshaking again')), warnings.join('\n'));
    const result = await connection.execute(connection.prepare('CompleteRecord', completeParams()), { timeoutMs: 3000 });
    assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
  });

  it('a statusMessage with line breaks and 1 MB of text becomes one bounded line in the error', async () => {
    await open();
    sim.faults.add({ kind: 'status', statusCode: 1, statusMessage: `Invalid record${FORGED}${'x'.repeat(1024 * 1024)}`, count: 1 });
    const error = await connection.execute(connection.prepare('CompleteRecord', completeParams())).then(() => assert.fail('no error'), (e) => e);
    assert.equal(error.statusCode, 1);
    assert.ok(oneLine(error.message), JSON.stringify(error.message.slice(0, 300)));
    assert.match(error.message, /^CompleteRecord rejected by GWS: statusCode 1 \(missing or invalid parameter\): Invalid record ERROR forged log line/);
  });

  it('bidirectional overrides and line separators in server text are removed', async () => {
    await open();
    sim.faults.add({ kind: 'status', statusCode: 4, statusMessage: 'T-Server\u202e down\u2028again\u0000', count: 1 });
    const error = await connection.execute(connection.prepare('CompleteRecord', completeParams())).then(() => assert.fail('no error'), (e) => e);
    assert.ok(oneLine(error.message), JSON.stringify(error.message));
    assert.match(error.message, /T-Server down again$/);
  });

  it('an error notification with forged lines fails the request with one bounded line', async () => {
    await open();
    sim.faults.add({ kind: 'ack', mode: 'error', errorMessage: `Record locked${FORGED}${'y'.repeat(100000)}`, count: 1 });
    const error = await connection.execute(connection.prepare('CompleteRecord', completeParams()), { timeoutMs: 3000 }).then(() => assert.fail('no error'), (e) => e);
    assert.equal(error.code, 'errorNotification');
    assert.ok(oneLine(error.message), JSON.stringify(error.message.slice(0, 300)));
  });

  it('an HTTP error page with line breaks becomes one bounded line', async () => {
    await open();
    let done = false;
    front.rewrite = (answer) => {
      if (done || !answer.path.startsWith('/api/v2/me/outbound-records')) return undefined;
      done = true;
      return { status: 502, body: `<html>\n<h1>Bad gateway</h1>${FORGED}\n${'z'.repeat(50000)}</html>` };
    };
    const error = await connection.execute(connection.prepare('CompleteRecord', completeParams())).then(() => assert.fail('no error'), (e) => e);
    assert.equal(error.httpStatus, 502);
    assert.ok(oneLine(error.message), JSON.stringify(error.message.slice(0, 300)));
  });

  it('a login refused with a forged text body reports one bounded line in the connection state', async () => {
    connection = await connect({ url: front.url }, { log: { warn: (m) => warnings.push(m), debug() {}, trace() {} } });
    front.rewrite = (answer) => (answer.path === '/api/v2/me' ? { status: 500, body: `Internal error${FORGED}` } : undefined);
    connection.start();
    const state = await nextState(connection, 'failed');
    assert.ok(oneLine(state.detail), JSON.stringify(state.detail));
  });

  it('a /meta/connect refused with forged lines and 1 MB of text reports one bounded line in the connection state', async () => {
    await open();
    const states = [];
    connection.on('state', (state) => states.push(state));
    const rewritten = rewriteOnce(isConnectAnswer, (messages) => messages.map((m) => (m.channel === '/meta/connect'
      ? { ...m, successful: false, error: `500::Server trouble${FORGED}\u202e\u001b[31m${'x'.repeat(1024 * 1024)}` }
      : m)));
    await until(() => rewritten() && states.some((s) => s.status === 'failed'), { timeoutMs: 10000 });
    const failed = states.find((s) => s.status === 'failed');
    assert.ok(oneLine(failed.detail), JSON.stringify(failed.detail.slice(0, 300)));
    assert.match(failed.detail, /Server trouble ERROR forged log line/);
    for (const warning of warnings) assert.ok(oneLine(warning), JSON.stringify(warning.slice(0, 300)));
    await nextState(connection, 'connected');
  });

  it('a GSW_ERROR user event with forged lines fails the waiting request with one bounded line', async () => {
    await open();
    // The answer never comes; only an OCS error in a user event for this record and answer type.
    sim.faults.add({ kind: 'ack', mode: 'drop', count: 1 });
    const pending = connection.execute(connection.prepare('CompleteRecord', completeParams({ recordHandle: 12 })), { timeoutMs: 5000 }).then(() => assert.fail('no error'), (e) => e);
    await delay(100);
    sim.push('agent1', [{
      channel: '/me/internal',
      data: {
        messageType: 'DeviceUserEventMessage',
        userData: { GSW_RECORD_HANDLE: 12, GSW_USER_EVENT: 'RecordProcessedAcknowledge', GSW_ERROR: `No such record${FORGED}`, GSW_ERROR_NUMBER: 1003 },
      },
    }]);
    const started = Date.now();
    const error = await pending;
    assert.ok(Date.now() - started < 2000, 'failed at once, not at the timeout');
    assert.equal(error.code, 'userEventError');
    assert.ok(oneLine(error.message), JSON.stringify(error.message));
    assert.match(error.message, /No such record ERROR forged log line .*\(error 1003\)/);
  });

  it('an answer with the same referenceId for another record does not end the request', async () => {
    await open();
    sim.faults.add({ kind: 'ack', mode: 'drop', count: 1 });
    const pending = connection.execute(connection.prepare('CompleteRecord', completeParams({ recordHandle: 12, referenceId: 'order-1' })), { timeoutMs: 1500 });
    await delay(100);
    sim.push('agent1', [{
      channel: '/v2/me/outbound',
      data: { referenceId: 'order-1', notificationType: 'RecordProcessedAcknowledge', messageType: 'OutboundRecordMessage', record: { recordHandle: 13 } },
    }]);
    await assert.rejects(pending, { code: 'timeout' });
    assert.equal(connection.stats.foreign, 1);
  });
});
