'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { core, startSim, USER, completeParams } = require('../helpers');

async function session(sim, options = {}) {
  return new core.GwsSession({ baseUrl: sim.url, ...USER, ...options });
}

describe('core: HTTP session', () => {
  let sim;
  const sessions = [];
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    await sim.stop();
  });
  async function open(options) {
    const s = await session(sim, options);
    sessions.push(s);
    return s;
  }

  it('logs in with GET /api/v2/me, keeps the JSESSIONID cookie and reads the CSRF token', async () => {
    const s = await open();
    const user = await s.login();
    assert.equal(user.userName, 'agent1');
    assert.deepEqual(s.jar.names(), ['JSESSIONID']);
    const answer = await s.postJson('/api/v2/me/outbound-records/12', core.prepareRequest('CompleteRecord', completeParams()).body, { operation: 'CompleteRecord' });
    assert.deepEqual(answer, { statusCode: 0 });
    assert.equal(sim.stats().csrfRejections, 0, 'the token from /me was sent');
  });

  it('fetches a new CSRF token and sends once more after a 403 naming the token', async () => {
    const s = await open();
    await s.login();
    sim.rotateCsrf();
    const body = core.prepareRequest('CompleteRecord', completeParams()).body;
    assert.deepEqual(await s.postJson('/api/v2/me/outbound-records/12', body, { operation: 'CompleteRecord' }), { statusCode: 0 });
    assert.equal(sim.stats().csrfRejections, 1);
    assert.equal(sim.requests().length, 2, 'sent twice: refused once, accepted once');
  });

  it('works with a server that has CSRF switched off (no header sent)', async () => {
    await sim.stop();
    sim = await startSim({ csrf: false });
    const s = await open();
    await s.login();
    const body = core.prepareRequest('CompleteRecord', completeParams()).body;
    assert.deepEqual(await s.postJson('/api/v2/me/outbound-records/12', body, { operation: 'CompleteRecord' }), { statusCode: 0 });
  });

  it('fails with authFailed on wrong credentials, without retrying', async () => {
    const s = await open({ password: 'wrong' });
    await assert.rejects(s.login(), (error) => {
      assert.equal(error.code, 'authFailed');
      assert.equal(error.httpStatus, 401);
      assert.equal(error.statusCode, 20);
      assert.equal(error.reason, 'authFailed');
      assert.equal(error.message, 'Login failed: GWS refused the credentials (HTTP 401, statusCode 20: not authenticated / access denied); check the username and password of the server node');
      assert.ok(!error.message.includes('wrong'));
      return true;
    });
    assert.equal(sim.stats().authFailures, 1);
  });

  it('maps a non-zero statusCode to its meaning, whatever the HTTP status', async () => {
    const s = await open();
    await s.login();
    const body = core.prepareRequest('CompleteRecord', completeParams()).body;
    const cases = [
      [1, 400, 'missing or invalid parameter'],
      [3, 403, 'operation forbidden'],
      [5, 200, 'no permission'],
      [20, 401, 'not authenticated / access denied'],
      [4, 503, 'internal error'],
    ];
    for (const [statusCode, httpStatus, meaning] of cases) {
      sim.faults.add({ kind: 'status', statusCode, httpStatus, statusMessage: 'detail text', count: 1 });
      await assert.rejects(s.postJson('/api/v2/me/outbound-records/12', body, { operation: 'CompleteRecord' }), (error) => {
        if (httpStatus === 401) {
          assert.equal(error.code, 'authFailed');
        } else {
          assert.equal(error.message, `CompleteRecord rejected by GWS: statusCode ${statusCode} (${meaning}): detail text`);
          assert.equal(error.statusCode, statusCode);
        }
        assert.equal(error.httpStatus, httpStatus);
        return true;
      });
    }
    assert.equal(sim.requests().length, cases.length, 'no retries');
  });

  it('answers statusCode 1 with the parameter GWS names', async () => {
    const s = await open();
    await s.login();
    await assert.rejects(
      s.postJson('/api/v2/me/outbound-records/12', { operationName: 'CompleteRecord', applicationId: 134, devicePath: '/devices/x', callingList: 'L' }, { operation: 'CompleteRecord' }),
      { message: 'CompleteRecord rejected by GWS: statusCode 1 (missing or invalid parameter): Missing required parameter: campaignName', statusCode: 1, httpStatus: 400 },
    );
  });

  it('reports a refused connection as unreachable', async () => {
    const s = await open();
    await sim.stop();
    await assert.rejects(s.login('Login'), (error) => {
      assert.equal(error.code, 'unreachable');
      assert.equal(error.reason, 'unreachable');
      assert.match(error.message, /^Login failed: GWS at http:\/\/127\.0\.0\.1:\d+ is unreachable \(.*ECONNREFUSED/);
      return true;
    });
    sim = await startSim();
  });

  it('reports a connection reset as unreachable and a slow answer as a request timeout', async () => {
    const s = await open();
    await s.login();
    const body = core.prepareRequest('CompleteRecord', completeParams()).body;
    sim.faults.add({ kind: 'reset', count: 1 });
    await assert.rejects(s.postJson('/api/v2/me/outbound-records/12', body, { operation: 'CompleteRecord' }), { code: 'unreachable' });
    sim.faults.add({ kind: 'latency', ms: 500, count: 1 });
    await assert.rejects(s.postJson('/api/v2/me/outbound-records/12', body, { operation: 'CompleteRecord', timeoutMs: 100 }), {
      code: 'requestTimeout',
      message: 'CompleteRecord failed: GWS did not answer the HTTP request within 100 ms',
    });
  });

  it('reports an answer that is not GWS JSON with its HTTP status', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = new core.GwsSession({ baseUrl: `http://127.0.0.1:${server.address().port}`, ...USER });
    try {
      await assert.rejects(s.login(), (error) => {
        assert.equal(error.code, 'badAnswer');
        assert.equal(error.httpStatus, 502);
        assert.equal(error.reason, 'serverError');
        assert.match(error.message, /HTTP 502 with a body that is not JSON \(<html><body>Bad gateway/);
        return true;
      });
    } finally {
      s.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps a path prefix of the base URL (GWS behind a reverse proxy)', async () => {
    const s = new core.GwsSession({ baseUrl: 'http://gws.example:8090/gws', ...USER });
    assert.equal(s.url('/api/v2/me'), 'http://gws.example:8090/gws/api/v2/me');
    s.close();
    assert.throws(() => core.parseBaseUrl('ftp://x'), /http/);
    assert.throws(() => core.parseBaseUrl('http://user:pw@x'), /credentials/);
  });

  it('refuses a base URL it cannot use without repeating any part of it', () => {
    for (const url of ['http://gwsuser:s3cret@gws.example:8090', 'ftp://s3cret.example/', 's3cret is not a URL', 'http://[s3cret']) {
      assert.throws(() => core.parseBaseUrl(url), (error) => {
        assert.ok(error instanceof TypeError);
        const told = `${error.message} ${JSON.stringify(error)} ${String(error.input ?? '')}`;
        assert.ok(!/s3cret|gwsuser|example|ftp/.test(told), told);
        return true;
      });
      assert.throws(() => new core.GwsSession({ baseUrl: url, ...USER }), (error) => !error.message.includes('s3cret'));
    }
  });

  it('cleans server text before it goes into an error (control characters, bidirectional overrides, length)', async () => {
    const server = http.createServer((req, res) => {
      if (req.url.endsWith('/json')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 1, statusMessage: `bad\nINFO forged log line\u202e${'x'.repeat(2000)}` }));
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`oops\r\nERROR forged\u001b[31m ${'y'.repeat(2000)}`);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = new core.GwsSession({ baseUrl: `http://127.0.0.1:${server.address().port}`, ...USER });
    try {
      await assert.rejects(s.postJson('/json', {}, { operation: 'CompleteRecord' }), (error) => {
        assert.equal(error.code, 'rejected');
        assert.ok(!/[\u0000-\u001f\u202e]/.test(error.message), JSON.stringify(error.message));
        assert.match(error.message, /bad INFO forged log line/);
        assert.ok(error.message.length < 700);
        return true;
      });
      await assert.rejects(s.postJson('/text', {}, { operation: 'CompleteRecord' }), (error) => {
        assert.equal(error.code, 'badAnswer');
        assert.ok(!/[\u0000-\u001f]/.test(error.message), JSON.stringify(error.message));
        assert.ok(error.message.length < 400);
        return true;
      });
    } finally {
      s.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses an answer larger than 64 MiB and closes its connection', async function () {
    this.timeout(20000);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const more = () => {
        // Bounded: stops at 80 MiB or when the client went away.
        while (sent < 80 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = new core.GwsSession({ baseUrl: `http://127.0.0.1:${server.address().port}`, ...USER });
    try {
      await assert.rejects(s.login(), (error) => {
        assert.equal(error.code, 'unreachable');
        assert.match(error.message, /answer larger than 67108864 bytes/);
        return true;
      });
      assert.ok(sent < 80, `the server wrote ${sent} MiB`);
    } finally {
      s.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses to send the credentials to another server', async () => {
    const s = await open();
    await assert.rejects(s.send('GET', 'http://other.example/api/v2/me', undefined, { operation: 'Login' }), TypeError);
  });

  it('gives up a request when its signal aborts, and after close() sends nothing', async () => {
    const s = await open();
    await s.login();
    sim.faults.add({ kind: 'latency', ms: 2000, count: 1 });
    const controller = new AbortController();
    const pending = s.postJson('/api/v2/me/outbound-records/12', core.prepareRequest('CompleteRecord', completeParams()).body, { operation: 'CompleteRecord', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, { name: 'RequestAbortedError' });
    s.close();
    await assert.rejects(s.login(), { name: 'RequestAbortedError' });
  });
});
