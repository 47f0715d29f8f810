'use strict';
/*
 * The sockets of one session: bounded (counted on the server side), released when idle, and all
 * closed by close(), which also ends every request in flight or waiting for a socket.
 */
const assert = require('node:assert/strict');
const net = require('node:net');
const { core, delay, until, nextState, startSim, connect, completeParams, trackResources } = require('../helpers');
const { gwsLikeServer } = require('../helpers/http-servers');

function burst(session, count, prefix, options = {}) {
  return Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      session.postJson(`/api/v2/me/outbound-records/${prefix}-${i}`, {}, { operation: 'CompleteRecord', timeoutMs: 15000, ...options }),
    ),
  );
}

describe('core: the socket pool of a session', function () {
  this.timeout(30000);
  let target;
  const sessions = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    await target?.close();
    target = undefined;
  });
  function open(options = {}) {
    const session = new core.GwsSession({ baseUrl: target.url, username: 'agent1', password: 'pw', ...options });
    sessions.push(session);
    return session;
  }

  it('a burst of 200 requests never opens more sockets than the default bound, and all arrive once', async () => {
    target = await gwsLikeServer({ answerDelayMs: 5 });
    const session = open();
    let maxQueued = 0;
    let maxOpen = 0;
    const sampler = setInterval(() => {
      const stats = session.socketStats();
      maxQueued = Math.max(maxQueued, stats.queued);
      maxOpen = Math.max(maxOpen, stats.open);
    }, 2);
    let results;
    try {
      results = await burst(session, 200, 'burst');
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => r.reason.message), []);
    const bound = core.SESSION_DEFAULTS.maxSockets;
    assert.ok(bound >= 2 && bound <= 16, `default bound ${bound}`);
    assert.ok(target.state.maxOpen <= bound, `${target.state.maxOpen} sockets were open at once on the server (bound ${bound})`);
    assert.ok(target.state.maxOpen >= bound - 2, 'the burst used every socket the REST calls may have');
    assert.ok(maxOpen <= bound);
    assert.ok(maxQueued > 0, 'requests beyond the bound waited for a socket');
    assert.equal(target.state.maxRunning, bound - 2, 'at most maxSockets - 2 REST calls at once');
    assert.equal(target.state.arrivals.size, 200);
    for (const count of target.state.arrivals.values()) assert.equal(count, 1);
  });

  it('honours maxSockets, two of which are kept for the CometD requests', async () => {
    target = await gwsLikeServer({ answerDelayMs: 5 });
    const five = open({ maxSockets: 5 });
    await burst(five, 200, 'five');
    assert.ok(target.state.maxOpen >= 3 && target.state.maxOpen <= 5, `${target.state.maxOpen} sockets open at once`);
    assert.equal(target.state.maxRunning, 3, 'at most 3 REST calls at once: two sockets are kept for CometD');
    five.close();
    await until(() => target.state.open === 0, 2000, 'sockets closed');
    target.state.maxOpen = 0;
    target.state.maxRunning = 0;
    const one = open({ maxSockets: 1 });
    await burst(one, 20, 'one');
    assert.ok(target.state.maxOpen >= 1 && target.state.maxOpen <= 3, 'maxSockets below 3 is raised to 3');
    assert.equal(target.state.maxRunning, 1, 'one REST call at a time: the two others are kept for CometD');
  });

  it('closes idle sockets after the idle timeout, and reopens on demand', async () => {
    target = await gwsLikeServer({ answerDelayMs: 5 });
    const session = open({ keepAliveTimeoutMs: 300 });
    await burst(session, 50, 'idle');
    assert.ok(session.socketStats().open > 0);
    assert.ok(target.state.open > 0);
    await until(() => target.state.open === 0, 3000, 'the server to see every idle socket closed');
    assert.equal(session.socketStats().open, 0);
    const before = target.state.connections;
    await session.postJson('/api/v2/me/outbound-records/again', {}, { operation: 'CompleteRecord' });
    assert.equal(target.state.connections, before + 1);
  });

  it('without an option or a hint, idle sockets are closed after the short default', async () => {
    target = await gwsLikeServer();
    const session = open();
    await burst(session, 20, 'default');
    const opened = target.state.open;
    assert.ok(opened > 0);
    const started = Date.now();
    await until(() => target.state.open === 0, core.SESSION_DEFAULTS.keepAliveTimeoutMs + 2000, 'idle sockets closed');
    const waited = Date.now() - started;
    assert.ok(waited >= core.SESSION_DEFAULTS.keepAliveTimeoutMs - 500, `closed after ${waited} ms`);
  });

  it('close() ends the requests in flight and waiting, sends none of them later, and closes every socket', async () => {
    target = await gwsLikeServer({ answerDelayMs: 1000 });
    const session = open({ maxSockets: 4 });
    const pending = burst(session, 6, 'closing');
    await until(() => target.state.posts === 2, 2000, 'two requests on the server');
    assert.equal(session.socketStats().queued, 4);
    session.close();
    const results = await pending;
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.equal(result.reason.name, 'RequestAbortedError');
    }
    await until(() => target.state.open === 0, 2000, 'sockets closed');
    await delay(1200);
    assert.equal(target.state.posts, 2, 'queued requests were never sent');
    assert.deepEqual(session.jar.names(), []);
  });

  it('a connection holds the long poll on one socket and sends REST calls beside it, within the bound', async () => {
    const sim = await startSim();
    const c = await connect(sim, { maxSockets: 4 });
    try {
      c.start();
      await until(() => c.state.status === 'connected', 5000, 'connected');
      const requests = Array.from({ length: 30 }, (_, i) => c.execute(c.prepare('CompleteRecord', completeParams({ recordHandle: 500 + i }))));
      let maxOpen = 0;
      const sampler = setInterval(() => {
        maxOpen = Math.max(maxOpen, c.session.socketStats().open);
      }, 2);
      try {
        const results = await Promise.all(requests);
        assert.equal(results.length, 30);
      } finally {
        clearInterval(sampler);
      }
      assert.ok(maxOpen <= 4, `${maxOpen} sockets open`);
      await until(() => c.session.socketStats().busy === 1 && c.session.socketStats().running === 1, 2000, 'the long poll alone holding a socket');
    } finally {
      await c.stop();
      await sim.stop();
    }
  });

  it('CometD requests never wait behind REST calls: a re-handshake goes through while every REST socket is busy', async () => {
    const sim = await startSim();
    const c = await connect(sim, { maxSockets: 3 });
    const slow = [];
    try {
      c.start();
      await nextState(c, 'connected');
      sim.faults.add({ kind: 'latency', ms: 3000, operation: 'CompleteRecord' });
      for (let i = 0; i < 4; i++) {
        const request = c.execute(c.prepare('CompleteRecord', completeParams({ recordHandle: 700 + i })), { waitForAck: false, timeoutMs: 15000 });
        request.catch(() => undefined);
        slow.push(request);
      }
      await until(() => c.session.socketStats().queued >= 3, 2000, 'REST calls waiting for the one REST socket');
      sim.forgetClients();
      await nextState(c, 'connecting', 2000);
      const started = Date.now();
      await nextState(c, 'connected', 2000);
      assert.ok(Date.now() - started < 2000);
      assert.ok(c.session.socketStats().queued >= 2, 'the REST calls were still waiting meanwhile');
    } finally {
      sim.faults.clear();
      await Promise.allSettled(slow);
      await c.stop();
      await sim.stop();
    }
  });

  it('close() also ends a connection attempt under way and leaves no socket or timer behind', async () => {
    // A server that accepts TCP but never answers the TLS handshake: the attempt waits for its connect
    // timeout (10 s) after the request itself gave up.
    const accepted = new Set();
    const server = net.createServer((socket) => {
      socket.resume();
      accepted.add(socket);
      socket.on('close', () => accepted.delete(socket));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tracker = trackResources();
    const session = new core.GwsSession({ baseUrl: `https://127.0.0.1:${server.address().port}`, username: 'agent1', password: 'pw' });
    try {
      await assert.rejects(session.login('Login', 300), { code: 'requestTimeout' });
      assert.equal(accepted.size, 1, 'the attempt is still under way');
      session.close();
      await until(() => accepted.size === 0, 1000, 'the attempt closed');
      await delay(20);
      // Timers and TCP handles are released at once; the TLS wrapper of a destroyed socket only when
      // the garbage collector frees it.
      const left = tracker.stop().filter((r) => r.type !== 'TLSWRAP');
      assert.deepEqual(left.map((r) => `${r.type}\n${r.stack}`), []);
    } finally {
      tracker.stop();
      session.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
