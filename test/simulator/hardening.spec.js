'use strict';
/**
 * What a security review asked of the simulator: the control API can be switched off (and is off in
 * the simulator embedded in Node-RED), what it accepts is bounded, one bad notification never breaks
 * later long polls, and the keep-alive timeout is an option.
 */
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { startSim, dist, USER, delay } = require('../helpers');
const { auth, rawClient, body } = require('./lib/raw-client');

const { acquireSimulator } = require(path.join(dist, 'nodes', 'lib', 'embedded-simulator.js'));

async function request(url, method = 'GET', payload, headers = {}) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: response.status, body: await response.json(), authenticate: response.headers.get('www-authenticate') };
}

/** Data nested `depth` levels deep: {"a":{"a":…{}}}. */
function nested(depth) {
  const root = {};
  let node = root;
  for (let i = 1; i < depth; i++) node = node.a = {};
  return root;
}

/** True when /sim/ answers exactly like a path that does not exist, with and without credentials. */
async function controlLooksAbsent(url) {
  const routes = [['GET', '/sim/stats'], ['GET', '/sim/requests'], ['POST', '/sim/faults'], ['DELETE', '/sim/faults'], ['POST', '/sim/push'], ['PUT', '/sim/config'], ['GET', '/sim/nothing']];
  for (const headers of [{}, { authorization: auth(USER) }]) {
    const unknown = await request(`${url}/no/such/path`, 'GET', undefined, headers);
    for (const [method, route] of routes) {
      const answer = await request(url + route, method, method === 'GET' || method === 'DELETE' ? undefined : { kind: 'reset' }, headers);
      if (JSON.stringify(answer) !== JSON.stringify(unknown)) return false;
    }
  }
  return true;
}

describe('simulator: hardening', () => {
  describe('the control switch', () => {
    let sim;
    afterEach(() => sim?.stop());

    it('control: false answers every /sim/ path like an unknown one, with or without credentials', async () => {
      sim = await startSim({ control: false });
      assert.equal(await controlLooksAbsent(sim.url), true);
      assert.deepEqual(sim.faults.list(), [], 'nothing reached the faults');
      assert.deepEqual((await request(`${sim.url}/sim/stats`, 'GET', undefined, { authorization: auth(USER) })).body, { statusCode: 6, statusMessage: 'Resource not found' });
    });

    it('is on by default and can be switched while the simulator runs', async () => {
      sim = await startSim();
      assert.equal((await request(`${sim.url}/sim/stats`)).status, 200);
      sim.control = false;
      assert.equal(await controlLooksAbsent(sim.url), true);
      sim.control = true;
      assert.equal((await request(`${sim.url}/sim/stats`)).status, 200);
    });

    describe('the simulator embedded in Node-RED', () => {
      const held = [];
      const acquire = async (options) => {
        const handle = await acquireSimulator(options);
        held.push(handle);
        return handle;
      };
      afterEach(async () => {
        for (const handle of held.splice(0)) await handle.release();
      });

      it('has no control API unless a user asks for it', async () => {
        const node = await acquire();
        assert.equal(await controlLooksAbsent(node.url), true);
      });

      it('serves it while at least one of its users asked for it, to all of them (one shared simulator)', async () => {
        const node = await acquire();
        const test = await acquire({ control: true });
        assert.equal(test.url, node.url, 'one simulator');
        assert.equal((await request(`${node.url}/sim/stats`)).status, 200);
        const second = await acquire({ control: true });
        await test.release();
        assert.equal((await request(`${node.url}/sim/stats`)).status, 200, 'another user still asks for it');
        await second.release();
        assert.equal(await controlLooksAbsent(node.url), true, 'off when the last user that asked for it left');
      });

      it('outlives a full redeploy: a user back within 5 s finds the same simulator, and it stops when nobody comes back', async () => {
        const first = await acquireSimulator({ control: true });
        let again;
        try {
          await request(`${first.url}/sim/push`, 'POST', { channel: '/v2/me/outbound', data: { notificationType: 'Marker' } });
          const before = (await request(`${first.url}/sim/stats`)).body;
          await first.release();
          again = await acquireSimulator({ control: true });
          assert.equal(again.url, first.url, 'the same simulator, with its records and preview sessions');
          const after = (await request(`${again.url}/sim/stats`)).body;
          assert.ok(after.httpRequests > before.httpRequests, 'its counts go on: it was not restarted');
        } finally {
          await (again ?? first).release();
        }
        await new Promise((resolve) => setTimeout(resolve, 5500));
        await assert.rejects(request(`${first.url}/sim/stats`), 'stopped 5 s after the last user left');
      });

      it('bounds what is pushed, as the standalone simulator does', async () => {
        const test = await acquire({ control: true });
        const deep = await request(`${test.url}/sim/push`, 'POST', { data: nested(33) });
        assert.deepEqual(deep, { status: 400, body: { error: 'pushed data nests deeper than 32 levels' }, authenticate: null });
        const huge = await request(`${test.url}/sim/push`, 'POST', { data: { text: 'x'.repeat(70 * 1024) } });
        assert.deepEqual(huge.body, { error: 'control request body larger than 65536 bytes' });
        assert.equal(huge.status, 400);
      });
    });
  });

  describe('bounds of the control API', () => {
    let sim;
    beforeEach(async () => {
      sim = await startSim({ longPollTimeoutMs: 1000 });
    });
    afterEach(() => sim.stop());

    const push = (payload) => request(`${sim.url}/sim/push`, 'POST', payload);

    it('refuses pushed data nested deeper than 32 levels or a body over 64 KB; later polls still work', async () => {
      const client = await rawClient(sim);
      assert.deepEqual((await push({ data: nested(33) })).body, { error: 'pushed data nests deeper than 32 levels' });
      assert.deepEqual((await push({ notificationType: 'PreviewRecord', record: nested(33) })).body, { error: 'pushed data nests deeper than 32 levels' });
      assert.deepEqual((await push({ data: [nested(40)] })).status, 400);
      const deepText = '{"data":' + '['.repeat(20000) + ']'.repeat(20000) + '}';
      assert.deepEqual(await request(`${sim.url}/sim/push`, 'POST', deepText), { status: 400, body: { error: 'pushed data nests deeper than 32 levels' }, authenticate: null });
      const huge = await push({ data: { text: 'x'.repeat(64 * 1024) } });
      assert.deepEqual(huge, { status: 400, body: { error: 'control request body larger than 65536 bytes' }, authenticate: null });
      assert.equal(sim.stats().notificationsDelivered, 0, 'nothing refused was queued');

      assert.deepEqual((await push({ data: nested(32) })).body, { clients: 1 }, '32 levels are fine');
      const [delivered] = await client.poll();
      assert.deepEqual(delivered.data, nested(32));
      await push({ data: { after: true } });
      assert.deepEqual((await client.poll()).map((m) => m.data), [{ after: true }]);
    });

    it('drops a notification that cannot be serialised, counts it, and delivers the others', async () => {
      const client = await rawClient(sim);
      const circular = { name: 'loop' };
      circular.self = circular;
      const reached = sim.push('agent1', [
        { channel: '/v2/me/outbound', data: { before: 1 } },
        { channel: '/v2/me/outbound', data: circular },
        { channel: '/v2/me/outbound', data: { big: 1n } },
        { channel: '/v2/me/outbound', data: nested(100000) },
        { channel: '/v2/me/outbound', data: { after: 2 } },
      ]);
      assert.equal(reached, 1);
      assert.equal(sim.stats().notificationsDropped, 3);
      assert.deepEqual((await client.poll()).map((m) => m.data), [{ before: 1 }, { after: 2 }]);
      sim.push('agent1', [{ channel: '/v2/me/outbound', data: { later: 3 } }]);
      assert.deepEqual((await client.poll()).map((m) => m.data), [{ later: 3 }]);
    });

    it('lists recorded requests even when one body cannot be serialised', async () => {
      const client = await rawClient(sim);
      const deepBody = '['.repeat(200000) + ']'.repeat(200000);
      assert.equal((await client.record(12, deepBody)).body.statusMessage, 'The request body must be a JSON object');
      await client.record(13, body('RejectRecord'));
      const listed = await request(`${sim.url}/sim/requests`);
      assert.equal(listed.status, 200);
      assert.equal(listed.body.length, 2);
      assert.equal(listed.body[0].bodyUnserialisable, true);
      assert.equal(listed.body[1].body.operationName, 'RejectRecord');
    });

    it('refuses an operation body over 4 MB with statusCode 1', async () => {
      const client = await rawClient(sim);
      const answer = await client.record(12, JSON.stringify(body('CompleteRecord', { phoneNumber: 'x'.repeat(4 * 1024 * 1024) })));
      assert.deepEqual(answer, { status: 400, body: { statusCode: 1, statusMessage: 'The request body is larger than 4194304 bytes' } });
    });

    it('refuses unknown settings and values out of range; a refused PUT /sim/config changes nothing', async () => {
      const put = (config) => request(`${sim.url}/sim/config`, 'PUT', config);
      for (const [config, error] of [
        [{ chainLength: 1e9 }, 'chainLength must be an integer from 0 to 1000'],
        [{ previewListSize: -1 }, 'previewListSize must be an integer from 0 to 1000'],
        [{ csrf: 'no' }, 'csrf must be true or false'],
        [{ chainLength: 2, retries: 3 }, /^unknown setting retries/],
      ]) {
        const answer = await put(config);
        assert.equal(answer.status, 400);
        assert.match(answer.body.error, error instanceof RegExp ? error : new RegExp(`^${error}$`));
      }
      assert.equal(sim.config.chainLength, 0);
      await assert.rejects(startSim({ chainLength: -2 }), /chainLength must be/);
    });

    it('refuses users without a name or password', async () => {
      assert.equal((await request(`${sim.url}/sim/users`, 'POST', { username: 'agent9' })).status, 400);
      assert.equal((await request(`${sim.url}/sim/users`, 'POST', { password: 'x' })).status, 400);
    });
  });

  describe('keepAliveTimeoutMs', () => {
    let sim;
    afterEach(() => sim.stop());

    /** Makes one request on a fresh keep-alive connection; resolves with how long the idle connection stayed open (capped). */
    async function idleLifetime(cap) {
      const socket = net.connect(sim.port, '127.0.0.1');
      await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      let answered;
      const closed = new Promise((resolve) => socket.once('close', () => resolve(Date.now() - answered)));
      await new Promise((resolve) => {
        socket.on('data', (chunk) => {
          if (chunk.toString('latin1').includes('\r\n\r\n')) {
            answered ??= Date.now();
            resolve();
          }
        });
        socket.write(`GET /api/v2/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nAuthorization: ${auth(USER)}\r\n\r\n`);
      });
      const lifetime = await Promise.race([closed, delay(cap).then(() => cap)]);
      socket.destroy();
      return lifetime;
    }

    // Node keeps an idle connection up to about a second past the server's keepAliveTimeout.
    it('closes an idle keep-alive connection after the time given', async () => {
      sim = await startSim({ keepAliveTimeoutMs: 100 });
      const lifetime = await idleLifetime(5000);
      assert.ok(lifetime >= 90 && lifetime < 3000, `closed after ${lifetime} ms`);
    });

    it('keeps it open far longer by default (65 s)', async () => {
      sim = await startSim();
      assert.equal(await idleLifetime(3500), 3500);
    });
  });
});
