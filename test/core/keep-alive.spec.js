'use strict';
/*
 * Keep-alive: a request must never be written to a socket the server is closing. Each session logs in
 * (its socket then idles), and sends when the server closes that idle socket, in the very turn of the
 * event loop in which it closed it (the moment a request races the close), or else just past the
 * server's keep-alive timeout. Every POST must succeed and reach the server exactly once.
 */
const assert = require('node:assert/strict');
const { core, delay } = require('../helpers');
const { gwsLikeServer } = require('../helpers/http-servers');

const SESSIONS = 40;
const POSTS_PER_SESSION = 4;

/**
 * `SESSIONS` sessions with their own user each; each logs in, then sends POSTS_PER_SESSION POSTs at
 * once, either when the server closes its idle socket or `idleMs` after its login, whichever comes
 * first. Resolves with the outcome of every POST.
 */
async function idleThenSend(target, idleMs, { sessions: count = SESSIONS, ...sessionOptions } = {}) {
  const sessions = new Map();
  const outcomes = [];
  const sends = [];
  const sendFor = (user) => {
    const entry = sessions.get(user);
    if (!entry || entry.sent) return;
    entry.sent = true;
    clearTimeout(entry.timer);
    for (let i = 0; i < POSTS_PER_SESSION; i++) {
      const path = `/api/v2/me/outbound-records/${user}-${i}`;
      sends.push(
        entry.session.postJson(path, { operationName: 'CompleteRecord' }, { operation: 'CompleteRecord', timeoutMs: 5000 }).then(
          () => outcomes.push({ path, ok: true }),
          (error) => outcomes.push({ path, ok: false, error: `${error.code}: ${error.message}` }),
        ),
      );
    }
  };
  target.onIdleClose = (_socket, user) => sendFor(user);
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const user = `agent${i}`;
        const session = new core.GwsSession({ baseUrl: target.url, username: user, password: 'pw', ...sessionOptions });
        const entry = { session, sent: false, timer: undefined };
        sessions.set(user, entry);
        await session.login();
        entry.timer = setTimeout(() => sendFor(user), idleMs);
      }),
    );
    // Bounded: every session sends by idleMs at the latest; each POST has its own 5 s timeout.
    const deadline = Date.now() + idleMs + 8000;
    while (sends.length < count * POSTS_PER_SESSION && Date.now() < deadline) await delay(20);
    await Promise.all(sends);
    return outcomes;
  } finally {
    for (const { session, timer } of sessions.values()) {
      clearTimeout(timer);
      session.close();
    }
  }
}

function assertAllOnce(outcomes, state, sessions = SESSIONS) {
  const failed = outcomes.filter((o) => !o.ok);
  assert.equal(outcomes.length, sessions * POSTS_PER_SESSION, 'every POST ended');
  assert.deepEqual(failed, [], `${failed.length} of ${outcomes.length} POSTs failed`);
  assert.equal(state.arrivals.size, sessions * POSTS_PER_SESSION, 'every POST reached the server');
  for (const [path, count] of state.arrivals) assert.equal(count, 1, `${path} reached the server ${count} times`);
}

describe('core: keep-alive and requests that must not be lost or doubled', function () {
  this.timeout(30000);
  let target;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('honours the Keep-Alive hint: sessions idle just past the server timeout lose no request', async () => {
    target = await gwsLikeServer({ keepAliveTimeout: 2000 });
    // Node closes a keep-alive socket some time after the hint's timeout (up to a second on Node 20):
    // each session sends when the server closes its socket, at the latest 1.5 s past the hint.
    const outcomes = await idleThenSend(target, 3500);
    assertAllOnce(outcomes, target.state);
    // The client closed its idle sockets before the server's timeout: the server had none to close.
    assert.equal(target.state.idleCloses, 0, 'the server timed out idle sockets that the client still held');
  });

  it('without a hint closes idle sockets after its short default, before a server that closes them after 5 s', async () => {
    target = await gwsLikeServer({ idleCloseMs: 5000 });
    assert.ok(!(core.SESSION_DEFAULTS?.keepAliveTimeoutMs >= 5000), 'the default idle timeout is short');
    const outcomes = await idleThenSend(target, 5030);
    assertAllOnce(outcomes, target.state);
    assert.equal(target.state.idleCloses, 0, 'the server timed out idle sockets that the client still held');
  });

  it('a single session idle past the server timeout then sending does not fail', async () => {
    target = await gwsLikeServer({ keepAliveTimeout: 2000 });
    const outcomes = await idleThenSend(target, 3500, { sessions: 1 });
    assertAllOnce(outcomes, target.state, 1);
    assert.equal(target.state.idleCloses, 0);
  });

  it('does not send again a request that reached the server and whose connection was then reset', async () => {
    target = await gwsLikeServer({
      onPost(req) {
        req.socket.resetAndDestroy();
      },
    });
    const session = new core.GwsSession({ baseUrl: target.url, username: 'agent1', password: 'pw' });
    try {
      await session.login();
      await assert.rejects(session.postJson('/api/v2/me/outbound-records/reset-1', {}, { operation: 'CompleteRecord' }), (error) => {
        assert.equal(error.code, 'unreachable');
        return true;
      });
      await delay(200);
    } finally {
      session.close();
    }
    assert.equal(target.state.arrivals.get('/api/v2/me/outbound-records/reset-1'), 1);
  });

  it('does not send again a request whose connection the server closed after reading it', async () => {
    target = await gwsLikeServer({
      onPost(req) {
        req.socket.end();
      },
    });
    const session = new core.GwsSession({ baseUrl: target.url, username: 'agent1', password: 'pw' });
    try {
      await session.login();
      await assert.rejects(session.postJson('/api/v2/me/outbound-records/closed-1', {}, { operation: 'CompleteRecord' }), { code: 'unreachable' });
      await delay(200);
    } finally {
      session.close();
    }
    assert.equal(target.state.arrivals.get('/api/v2/me/outbound-records/closed-1'), 1);
  });

  it('never sends a request that timed out while it waited for a socket', async () => {
    target = await gwsLikeServer({ answerDelayMs: 600 });
    const session = new core.GwsSession({ baseUrl: target.url, username: 'agent1', password: 'pw', maxSockets: 2 });
    try {
      const posts = [0, 1, 2].map((i) =>
        session.postJson(`/api/v2/me/outbound-records/queued-${i}`, {}, { operation: 'CompleteRecord', timeoutMs: i < 2 ? 3000 : 200 }),
      );
      await assert.rejects(posts[2], { code: 'requestTimeout' });
      await Promise.all(posts.slice(0, 2));
      await delay(800);
      assert.equal(target.state.arrivals.has('/api/v2/me/outbound-records/queued-2'), false, 'the timed-out request was sent later');
      assert.equal(target.state.posts, 2);
      // The socket it would have used is still good.
      await session.postJson('/api/v2/me/outbound-records/after', {}, { operation: 'CompleteRecord' });
    } finally {
      session.close();
    }
  });
});
