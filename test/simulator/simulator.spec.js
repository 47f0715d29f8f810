'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { startSim, USER, DEVICE, dist, until } = require('../helpers');

const auth = (user = USER) => 'Basic ' + Buffer.from(`${user.username}:${user.password}`).toString('base64');

async function post(sim, handle, body, headers = {}) {
  const me = await fetch(`${sim.url}/api/v2/me`, { headers: { authorization: auth() } });
  const cookie = me.headers.get('set-cookie').split(';')[0];
  const response = await fetch(`${sim.url}/api/v2/me/outbound-records/${handle}`, {
    method: 'POST',
    headers: { authorization: auth(), cookie, 'x-csrf-token': me.headers.get('x-csrf-token'), 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const complete = (extra = {}) => ({ operationName: 'CompleteRecord', applicationId: 134, campaignName: 'C', callingList: 'L', devicePath: DEVICE, ...extra });

describe('simulator: GWS behaviour', () => {
  let sim;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(() => sim.stop());

  it('asks for Basic auth on every API request', async () => {
    for (const headers of [{}, { authorization: auth({ username: 'agent1', password: 'nope' }) }, { authorization: 'Bearer x' }]) {
      const response = await fetch(`${sim.url}/api/v2/me`, { headers });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Basic realm="GWS"');
      assert.deepEqual(await response.json(), { statusCode: 20, statusMessage: 'Authentication failed' });
    }
  });

  it('answers GET /api/v2/me with the user, a session cookie and the CSRF headers', async () => {
    const response = await fetch(`${sim.url}/api/v2/me`, { headers: { authorization: auth() } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('set-cookie'), /^JSESSIONID=[0-9a-f]+; Path=\/; HttpOnly$/);
    assert.equal(response.headers.get('x-csrf-header'), 'X-CSRF-TOKEN');
    assert.match(response.headers.get('x-csrf-token'), /^[0-9a-f]{32}$/);
    const body = await response.json();
    assert.equal(body.statusCode, 0);
    assert.equal(body.user.userName, 'agent1');
    assert.ok(body.user.enabledFeatures.includes('api-voice-outbound'));
  });

  it('refuses a POST without the CSRF token of its session', async () => {
    const response = await fetch(`${sim.url}/api/v2/me/outbound-records/12`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify(complete()),
    });
    assert.equal(response.status, 403);
    assert.match((await response.json()).statusMessage, /Csrf token/);
  });

  it('validates like GWS: statusCode 1 with a statusMessage naming the parameter', async () => {
    const cases = [
      [{ ...complete(), campaignName: undefined }, 'Missing required parameter: campaignName'],
      [{ ...complete(), callingList: '' }, 'Missing required parameter: callingList'],
      [complete({ applicationId: '134' }), 'Invalid parameter: applicationId must be an integer'],
      [complete({ devicePath: 'devices/x' }), 'Invalid parameter: devicePath'],
      [complete({ callResult: 'Sometimes' }), 'Invalid parameter: callResult'],
      [complete({ operationName: 'Explode' }), 'Missing or invalid parameter: operationName'],
      [{ operationName: 'RescheduleRecord', applicationId: 1, campaignName: 'C', devicePath: DEVICE, callbackType: 'Later', timestamp: 1 }, 'Invalid parameter: callbackType must be Personal or Campaign'],
      ['{not json', 'The request body is not valid JSON'],
    ];
    for (const [body, statusMessage] of cases) {
      const answer = await post(sim, 12, body);
      assert.equal(answer.status, 400, statusMessage);
      assert.deepEqual(answer.body, { statusCode: 1, statusMessage });
    }
  });

  it('accepts callResult as configured: name, number or either', async () => {
    sim.configure({ callResultFormat: 'name' });
    assert.equal((await post(sim, 1, complete({ callResult: 'Busy' }))).body.statusCode, 0);
    assert.equal((await post(sim, 1, complete({ callResult: 6 }))).body.statusCode, 1);
    sim.configure({ callResultFormat: 'number' });
    assert.equal((await post(sim, 1, complete({ callResult: 6 }))).body.statusCode, 0);
    assert.equal((await post(sim, 1, complete({ callResult: 'Busy' }))).body.statusCode, 1);
  });

  it('answers an injected statusCode with its HTTP status, and 503 for statusCode 4', async () => {
    sim.faults.add([{ kind: 'status', statusCode: 4, count: 1 }, { kind: 'status', statusCode: 5, httpStatus: 200, count: 1 }]);
    assert.deepEqual(await post(sim, 1, complete()), { status: 503, body: { statusCode: 4, statusMessage: 'Injected statusCode 4' } });
    assert.deepEqual(await post(sim, 1, complete()), { status: 200, body: { statusCode: 5, statusMessage: 'Injected statusCode 5' } });
    assert.equal((await post(sim, 1, complete())).body.statusCode, 0, 'counted rules run out');
  });

  it('refuses the outbound operations to a user without the api-voice-outbound feature', async () => {
    await sim.stop();
    sim = await startSim({ users: { agent1: { password: 'agent1', features: ['api-voice'] } } });
    assert.equal((await post(sim, 1, complete())).body.statusCode, 3);
  });

  it('has a control API over HTTP for faults, stats, pushes and users', async () => {
    const control = (method, what, body) =>
      fetch(`${sim.url}/sim/${what}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then((r) => r.json());
    assert.deepEqual(await control('POST', 'faults', { kind: 'latency', ms: 10, count: 2 }), [{ kind: 'latency', ms: 10, count: 2 }]);
    assert.deepEqual(await control('DELETE', 'faults'), []);
    for (const bad of [{ kind: 'bogus' }, { kind: 'latency' }, { kind: 'ack', mode: 'sometimes' }, { kind: 'status', statusCode: 4, probability: 2 }]) {
      assert.match((await control('POST', 'faults', bad)).error, /kind|needs|probability/, JSON.stringify(bad));
    }
    assert.deepEqual(await control('GET', 'faults'), [], 'refused rules are not kept');
    assert.match((await control('POST', 'push', { channel: '/v2/me/outbound' })).error, /data object/);
    assert.equal((await control('GET', 'stats')).cometdClients, 0);
    assert.deepEqual(await control('POST', 'push', { notificationType: 'PreviewRecord' }), { clients: 0 });
    await control('POST', 'users', { username: 'agent9', password: 'pw9' });
    const me = await fetch(`${sim.url}/api/v2/me`, { headers: { authorization: auth({ username: 'agent9', password: 'pw9' }) } });
    assert.equal(me.status, 200);
    assert.deepEqual(await control('PUT', 'config', { chainLength: 3 }), { ...sim.config, chainLength: 3 });
    assert.equal((await control('GET', 'nothing')).error, 'unknown control GET /sim/nothing');
  });

  it('gws-sim --help lists the ten operations and the options', async () => {
    const child = spawn(process.execPath, [path.join(dist, 'simulator', 'cli.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    await new Promise((resolve) => child.on('exit', resolve));
    for (const operation of ['CompleteRecord', 'GetChainedRecord', 'RejectRecord', 'RescheduleRecord', 'DoNotCallRecord', 'UpdateRecord', 'AddRecord', 'StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession']) {
      assert.match(output, new RegExp(`\\b${operation}\\b`), operation);
    }
    for (const option of ['--preview-list-size', '--preview-handle-in', '--keep-alive-timeout', '--no-control', '--chain-length', '--no-csrf']) {
      assert.ok(output.includes(option), option);
    }
  });

  it('gws-sim --no-control serves no control API', async () => {
    const child = spawn(process.execPath, [path.join(dist, 'simulator', 'cli.js'), '--port', '0', '--no-control'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    try {
      await until(() => /control API: off/.test(output), 5000, 'the simulator to start');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)[1];
      const response = await fetch(`${url}/sim/stats`, { headers: { authorization: auth() } });
      assert.equal(response.status, 404);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  });

  it('runs as the gws-sim command and says where it listens', async () => {
    const child = spawn(process.execPath, [path.join(dist, 'simulator', 'cli.js'), '--port', '0', '--user', 'a:b', '--no-csrf'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    try {
      await until(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.test(output), 5000, 'the simulator to start');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)[1];
      const response = await fetch(`${url}/api/v2/me`, { headers: { authorization: auth({ username: 'a', password: 'b' }) } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-csrf-token'), null, '--no-csrf');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  });
});
