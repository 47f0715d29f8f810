'use strict';
const assert = require('node:assert/strict');
const { startSim, connect, delay, until, nextState, trackResources, completeParams, chainParams, DEVICE } = require('../helpers');

describe('core: connection (session + CometD + correlation) against the simulator', () => {
  let sim;
  let connections;
  beforeEach(async () => {
    sim = await startSim();
    connections = [];
  });
  afterEach(async () => {
    await Promise.all(connections.map((c) => c.stop()));
    await sim.stop();
  });
  async function open(options, target = sim) {
    const c = await connect(target, options);
    connections.push(c);
    return c;
  }

  it('logs in, handshakes, subscribes both channels and reports connecting then connected', async () => {
    const c = await open();
    const states = [];
    c.on('state', (s) => states.push(s.status));
    c.start();
    await nextState(c, 'connected');
    assert.deepEqual(states, ['connecting', 'connected']);
    assert.equal(c.user.userName, 'agent1');
    assert.equal(sim.stats().cometdClients, 1);
  });

  it('completes a record: POST accepted, answer correlated by referenceId, user event joined', async () => {
    const c = await open();
    const request = c.prepare('CompleteRecord', completeParams({ referenceId: '123456789', callResult: 'Answer' }));
    const result = await c.execute(request, { nodeId: 'n1' });
    assert.deepEqual(result.accepted, { statusCode: 0 });
    assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
    assert.equal(result.answer.data.referenceId, '123456789');
    assert.equal(result.answer.userEvent.userData.GSW_CALL_RESULT, 33);
    assert.ok(result.elapsedMs > 0);
  });

  it('gets a chain of 0, 1 and 5 records', async () => {
    const c = await open();
    for (const length of [0, 1, 5]) {
      sim.configure({ chainLength: length });
      const result = await c.execute(c.prepare('GetChainedRecord', chainParams()));
      assert.equal(result.answer.records.length, length);
      assert.equal(result.answer.data.notificationType, 'ChainedRecordsDataEnd');
      assert.equal(result.answer.userEvent.userData.GSW_CHAIN_ID, 1);
    }
  });

  it('tags notifications with the request they answer, also for requests nobody waits for', async () => {
    const c = await open();
    const seen = [];
    c.on('notification', (n) => seen.push(n));
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()), { waitForAck: false, nodeId: 'fire' });
    assert.equal(result.answer, undefined);
    await until(() => seen.length >= 2);
    const ack = seen.find((n) => n.channel === '/v2/me/outbound');
    assert.equal(ack.correlation.referenceId, result.request.referenceId);
    assert.equal(ack.correlation.nodeId, 'fire');
    assert.deepEqual(ack.correlation.request, result.request.body);
    assert.equal(seen.find((n) => n.channel === '/me/internal').correlation, undefined);
  });

  it('refuses a second request with a referenceId that is still waiting', async () => {
    const c = await open();
    sim.faults.add({ kind: 'ack', mode: 'drop', count: 1 });
    const first = c.execute(c.prepare('CompleteRecord', completeParams({ referenceId: 'same' })), { timeoutMs: 500 });
    first.catch(() => undefined);
    await until(() => c.correlator.isPending('same'));
    await assert.rejects(c.execute(c.prepare('CompleteRecord', completeParams({ referenceId: 'same' }))), {
      code: 'duplicateReference',
      statusCode: 1,
    });
    await assert.rejects(first, { code: 'timeout' });
  });

  it('times out when no answer comes and ignores the late answer', async () => {
    const c = await open();
    sim.faults.add({ kind: 'ack', mode: 'late', lateMs: 400, count: 1 });
    const request = c.prepare('CompleteRecord', completeParams());
    await assert.rejects(c.execute(request, { timeoutMs: 200 }), {
      message: `CompleteRecord timed out: no RecordProcessedAcknowledge within 200 ms (referenceId ${request.referenceId})`,
      referenceId: request.referenceId,
      reason: 'timeout',
    });
    await until(() => c.stats.late === 1, 2000, 'late answer counted');
    const again = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.equal(again.answer.data.notificationType, 'RecordProcessedAcknowledge');
  });

  it('answers once when the acknowledgement is duplicated', async () => {
    const c = await open();
    sim.faults.add({ kind: 'ack', mode: 'duplicate', count: 1 });
    await c.execute(c.prepare('CompleteRecord', completeParams()));
    await until(() => c.stats.duplicate === 1, 2000, 'duplicate counted');
    assert.equal(c.stats.answered, 1);
  });

  it('fails on an error notification correlated to the request', async () => {
    const c = await open();
    sim.faults.add({ kind: 'ack', mode: 'error', errorMessage: 'No such record', count: 1 });
    const request = c.prepare('CompleteRecord', completeParams());
    await assert.rejects(c.execute(request), {
      message: `CompleteRecord failed: GWS answered RecordProcessedError (referenceId ${request.referenceId}): No such record (error 1003)`,
    });
  });

  it('rejects a refused POST without waiting for an answer', async () => {
    const c = await open();
    sim.faults.add({ kind: 'status', statusCode: 3, statusMessage: 'Forbidden', count: 1 });
    const started = Date.now();
    await assert.rejects(c.execute(c.prepare('CompleteRecord', completeParams()), { timeoutMs: 5000 }), { statusCode: 3, httpStatus: 400 });
    assert.ok(Date.now() - started < 1000);
    assert.equal(c.stats.pending, 0);
  });

  it('waits for the subscription before the first POST', async () => {
    const c = await open();
    sim.faults.add({ kind: 'latency', ms: 300, count: 1 });
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.ok(result.answer);
    const [post] = sim.requests();
    assert.ok(post, 'POST received');
  });

  it('handshakes again and re-subscribes after the server forgot its clients', async () => {
    const c = await open();
    c.start();
    await nextState(c, 'connected');
    const states = [];
    c.on('state', (s) => states.push(s.status));
    sim.forgetClients();
    await until(() => states.includes('connecting') && c.state.status === 'connected', 5000, 're-handshake');
    const seen = [];
    c.on('notification', (n) => seen.push(n));
    sim.pushPreviewRecord('agent1');
    await until(() => seen.length === 1);
    assert.equal(seen[0].data.notificationType, 'PreviewRecord');
    assert.equal(sim.stats().cometdClients, 1);
  });

  it('comes back after a simulator restart (new session, new CSRF token, new client)', async () => {
    const c = await open();
    c.start();
    await nextState(c, 'connected');
    await sim.restart(300);
    await until(() => c.state.status === 'connected' && sim.stats().cometdClients === 1, 8000, 'reconnected');
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
  });

  it('reports a refused login as failed/authFailed and fails requests at once, then recovers', async () => {
    sim.setPassword('agent1', 'changed');
    const c = await open({ link: { maxAuthBackoffMs: 200 } });
    c.start();
    const failed = await nextState(c, 'failed');
    assert.equal(failed.reason, 'authFailed');
    const started = Date.now();
    await assert.rejects(c.execute(c.prepare('CompleteRecord', completeParams()), { timeoutMs: 5000 }), { code: 'authFailed', httpStatus: 401 });
    assert.ok(Date.now() - started < 2000, 'did not wait for the timeout');
    sim.setPassword('agent1', 'agent1');
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.ok(result.answer);
  });

  it('spaces login attempts out after refused credentials', async () => {
    sim.setPassword('agent1', 'changed');
    const c = await open();
    c.start();
    await delay(2500);
    assert.ok(sim.stats().authFailures <= 3, `${sim.stats().authFailures} attempts in 2.5 s`);
  });

  it('fails with noConnection naming the reason when GWS stays unreachable', async () => {
    await sim.stop();
    const c = await open();
    await assert.rejects(c.execute(c.prepare('CompleteRecord', completeParams()), { timeoutMs: 300 }), (error) => {
      assert.equal(error.code, 'noConnection');
      assert.match(error.message, /^CompleteRecord not sent: no connection to GWS within 300 ms \(.*unreachable/);
      return true;
    });
    sim = await startSim();
  });

  it('keeps two users on one host apart: sessions, cookies and notifications', async () => {
    sim.setUser('agent2', { password: 'secret2' });
    const a = await open();
    const b = await open({ username: 'agent2', password: 'secret2' });
    const seenA = [];
    const seenB = [];
    a.on('notification', (n) => seenA.push(n));
    b.on('notification', (n) => seenB.push(n));
    a.start();
    b.start();
    await Promise.all([nextState(a, 'connected'), nextState(b, 'connected')]);
    const ra = await a.execute(a.prepare('CompleteRecord', completeParams({ recordHandle: 1 })));
    const rb = await b.execute(b.prepare('CompleteRecord', completeParams({ recordHandle: 2 })));
    assert.equal(ra.answer.data.record.recordHandle, 1);
    assert.equal(rb.answer.data.record.recordHandle, 2);
    assert.ok(seenA.every((n) => n.data.record === undefined || n.data.record.recordHandle === 1));
    assert.ok(seenB.every((n) => n.data.record === undefined || n.data.record.recordHandle === 2));
    assert.ok(seenA.some((n) => n.correlation) && seenB.some((n) => n.correlation));
    assert.equal(sim.requests().find((r) => r.body.referenceId === ra.request.referenceId).user, 'agent1');
    assert.equal(sim.requests().find((r) => r.body.referenceId === rb.request.referenceId).user, 'agent2');
    sim.pushPreviewRecord('agent2');
    await until(() => seenB.some((n) => n.data.notificationType === 'PreviewRecord'));
    await delay(50);
    assert.ok(!seenA.some((n) => n.data.notificationType === 'PreviewRecord'));
  });

  it('works with a server without the ack extension, and with CSRF checked on CometD too', async () => {
    await sim.stop();
    sim = await startSim({ ackExtension: false, csrfOnNotifications: true });
    const c = await open();
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.ok(result.answer.userEvent);
    const states = [];
    c.on('state', (s) => states.push(s.status));
    sim.rotateCsrf();
    sim.forgetClients();
    // Wait for the client to learn it was forgotten and to subscribe again: an answer published before
    // that has no subscriber on the server and is lost (the request would time out).
    await until(() => states.includes('connecting') && c.state.status === 'connected' && sim.stats().csrfRejections > 0, 5000, 'back after a CSRF refusal on CometD');
    assert.ok((await c.execute(c.prepare('CompleteRecord', completeParams()))).answer);
  });

  it('redelivers a notification lost with its long poll through the ack extension', async () => {
    const c = await open();
    c.start();
    await nextState(c, 'connected');
    const seen = [];
    c.on('notification', (n) => seen.push(n.data.record && n.data.record.recordHandle));
    sim.faults.add({ kind: 'loseLongPoll', count: 1 });
    sim.pushPreviewRecord('agent1', { recordHandle: 4242 });
    await until(() => seen.includes(4242), 5000, 'redelivery');
    await delay(100);
    assert.equal(seen.filter((h) => h === 4242).length, 1, 'delivered once');
  });

  it('loses a notification with its long poll when the server has no ack extension', async () => {
    await sim.stop();
    sim = await startSim({ ackExtension: false });
    const c = await open();
    c.start();
    await nextState(c, 'connected');
    const seen = [];
    c.on('notification', (n) => seen.push(n.data.record && n.data.record.recordHandle));
    sim.faults.add({ kind: 'loseLongPoll', count: 1 });
    sim.pushPreviewRecord('agent1', { recordHandle: 4343 });
    await until(() => c.state.status === 'connected' && sim.stats().heldConnects === 1, 5000, 'long poll back');
    await delay(300);
    assert.deepEqual(seen, [], 'without acknowledgements the lost answer is gone');
  });

  it('stops within the close budget and leaves no socket, timer or client behind', async () => {
    const tracker = trackResources();
    const c = await connect(sim);
    c.start();
    await nextState(c, 'connected');
    await c.execute(c.prepare('CompleteRecord', completeParams()));
    sim.faults.add({ kind: 'ack', mode: 'drop', count: 1 });
    const pending = c.execute(c.prepare('CompleteRecord', completeParams()), { timeoutMs: 10000 });
    const outcome = pending.then(() => 'answered', (error) => error);
    await until(() => c.stats.pending === 1);
    const started = Date.now();
    await c.stop();
    assert.ok(Date.now() - started < 1000, `stop took ${Date.now() - started} ms`);
    assert.equal((await outcome).code, 'connectionClosed');
    await until(() => sim.stats().liveSockets === 0 && sim.stats().cometdClients === 0, 2000, 'server side released');
    await delay(20);
    const left = tracker.stop();
    assert.deepEqual(left.map((r) => `${r.type}\n${r.stack}`), []);
  });

  it('stops quickly even when the server does not answer the disconnect', async () => {
    const c = await connect(sim);
    c.start();
    await nextState(c, 'connected');
    sim.faults.add({ kind: 'latency', ms: 5000 });
    await sim.stop();
    const started = Date.now();
    await c.stop();
    assert.ok(Date.now() - started < 1000);
    sim = await startSim();
  });

  it('a refused disconnect aborts the held long poll and leaves no request timer behind, whatever is on window', async () => {
    // The refused disconnect makes the library abort its requests. Whether it then completes them
    // itself used to depend on a global window.XMLHttpRequest (another package's CometD client puts one
    // there); the held long poll's timer then stayed alive for the whole poll timeout after stop().
    const { hostileFront } = require('../helpers/hostile');
    let stopping = false;
    const front = await hostileFront(sim, async ({ path, requestBody, body }) => {
      if (!path.startsWith('/api/v2/notifications') || !stopping) return undefined;
      if (requestBody.includes('/meta/disconnect')) {
        return { body: JSON.stringify(JSON.parse(body).map((m) => (m.channel === '/meta/disconnect' ? { ...m, successful: false, error: '500::refused' } : m))) };
      }
      // The long poll the disconnect released is held back, so that it is still in flight when the
      // refused disconnect makes the library abort it.
      if (requestBody.includes('/meta/connect')) await delay(1500);
      return undefined;
    });
    try {
      const tracker = trackResources();
      const c = await connect({ url: front.url });
      c.start();
      await nextState(c, 'connected');
      await until(() => sim.stats().heldConnects === 1, 2000, 'the long poll held');
      stopping = true;
      await c.stop(2000);
      await delay(50);
      const left = tracker.stop().filter((r) => /cometd/.test(r.stack));
      assert.deepEqual(left.map((r) => `${r.type}\n${r.stack}`), []);
    } finally {
      await front.stop();
    }
  });

  it('uses the devicePath given and nothing else from the environment', async () => {
    const c = await open();
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.equal(result.answer.data.record.devicePath, DEVICE);
  });
});
