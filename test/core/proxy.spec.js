'use strict';
/*
 * Proxies as Node-RED's http request node finds them: HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY
 * (either case) from the environment, or an explicit proxy (the core `http proxy` node) that wins.
 * REST calls and the CometD long poll go through a real forwarding proxy; https:// through a CONNECT
 * tunnel. A refused proxy login names the proxy, never its password.
 */
const assert = require('node:assert/strict');
const net = require('node:net');
const { core, startSim, connect, completeParams, USER, until, freePort } = require('../helpers');
const { makeCertificates } = require('../helpers/tls');
const { startProxy } = require('../helpers/http-servers');

const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];

describe('core: proxy choice (the rules of Node-RED http request)', () => {
  const target = new URL('http://gws.example.com:8090/');
  const secure = new URL('https://gws.example.com/');

  it('takes <scheme>_proxy, then all_proxy; lower case before upper case; a URL without scheme gets the target scheme', () => {
    assert.equal(core.proxyFor(target, { env: { HTTP_PROXY: 'http://upper:3128' } }).url.href, 'http://upper:3128/');
    assert.equal(core.proxyFor(target, { env: { http_proxy: 'http://lower:3128', HTTP_PROXY: 'http://upper:3128' } }).url.host, 'lower:3128');
    assert.equal(core.proxyFor(target, { env: { HTTPS_PROXY: 'http://p:1' } }), undefined, 'https_proxy is for https:// targets');
    assert.equal(core.proxyFor(secure, { env: { HTTPS_PROXY: 'http://p:1' } }).url.host, 'p:1');
    assert.equal(core.proxyFor(secure, { env: { ALL_PROXY: 'http://all:2' } }).url.host, 'all:2');
    assert.equal(core.proxyFor(target, { env: { http_proxy: 'bare:3128' } }).url.href, 'http://bare:3128/');
    assert.equal(core.proxyFor(target, { env: {} }), undefined);
    assert.equal(core.proxyFor(target, { env: { HTTP_PROXY: 'http://p:1' }, useEnvProxy: false }), undefined);
  });

  it('reaches NO_PROXY hosts directly: *, host, host:port, .domain and *.domain, any case, commas or spaces', () => {
    const via = (noProxy, url = target) => core.proxyFor(url, { env: { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy } }) !== undefined;
    assert.equal(via('*'), false);
    assert.equal(via('gws.example.com'), false);
    assert.equal(via('GWS.Example.com'), false);
    assert.equal(via('gws.example.com:8090'), false);
    assert.equal(via('gws.example.com:9999'), true, 'another port');
    assert.equal(via('.example.com'), false);
    assert.equal(via('*.example.com'), false);
    assert.equal(via('example.com'), true, 'a bare domain is not a suffix match');
    assert.equal(via('other.org, gws.example.com'), false);
    assert.equal(via('other.org gws.example.com'), false);
    assert.equal(via('other.org'), true);
    assert.equal(via('gws.example.com:443', secure), false, 'the default port of https:// counts');
    assert.equal(core.proxyFor(target, { env: { HTTP_PROXY: 'http://p:1', no_proxy: 'gws.example.com' } }), undefined, 'lower-case no_proxy');
  });

  it('an explicit proxy wins over the environment and has its own no-proxy list; credentials only as a header value', () => {
    const env = { HTTP_PROXY: 'http://envproxy:1', NO_PROXY: 'other.org' };
    const chosen = core.proxyFor(target, { env, proxy: { url: 'http://configured:3128', username: 'pu', password: 'pp' } });
    assert.equal(chosen.url.href, 'http://configured:3128/');
    assert.equal(chosen.source, 'option');
    assert.equal(chosen.authorization, `Basic ${Buffer.from('pu:pp').toString('base64')}`);
    assert.equal(core.proxyFor(target, { env, proxy: { url: 'http://configured:3128', noProxy: ['.example.com'] } }), undefined);
    const fromUrl = core.proxyFor(target, { proxy: { url: 'http://u%40x:p%3Aw@configured:3128' } });
    assert.equal(fromUrl.url.href, 'http://configured:3128/', 'no credentials in the URL handed on');
    assert.equal(fromUrl.authorization, `Basic ${Buffer.from('u@x:p:w').toString('base64')}`);
    assert.equal(core.proxyFor(target, { env, proxy: { url: '' } }).url.host, 'envproxy:1', 'an empty URL is no proxy');
  });

  it('refuses a proxy URL it cannot use without repeating it', () => {
    for (const url of ['http://user:s3cret@[bad', 'socks5://user:s3cret@host:1080']) {
      assert.throws(() => core.proxyFor(target, { proxy: { url } }), (error) => {
        assert.ok(error instanceof TypeError);
        assert.ok(!error.message.includes('s3cret') && !error.message.includes('user') && !error.message.includes('host'), error.message);
        return true;
      });
    }
  });
});

describe('core: requests through a real proxy', function () {
  this.timeout(30000);
  let sim;
  let proxy;
  const saved = {};
  const toClose = [];
  before(() => {
    for (const name of PROXY_VARS) saved[name] = process.env[name];
  });
  beforeEach(() => {
    for (const name of PROXY_VARS) delete process.env[name];
  });
  afterEach(async () => {
    for (const name of PROXY_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    for (const close of toClose.splice(0).reverse()) await close();
    sim = undefined;
    proxy = undefined;
  });
  async function startBoth({ tls, credentials } = {}) {
    sim = await startSim(tls ? { tls } : {});
    toClose.push(() => sim.stop());
    proxy = await startProxy({ credentials });
    toClose.push(() => proxy.close());
  }
  function session(options = {}) {
    const s = new core.GwsSession({ baseUrl: sim.url, ...USER, ...options });
    toClose.push(() => s.close());
    return s;
  }

  it('sends the REST calls and the CometD long poll through HTTP_PROXY', async () => {
    await startBoth();
    process.env.HTTP_PROXY = proxy.url;
    const c = await connect(sim);
    toClose.push(() => c.stop());
    assert.equal(c.session.proxy, proxy.url);
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
    const origin = new URL(sim.url).origin;
    assert.ok(proxy.seen.requests.includes(`GET ${origin}/api/v2/me`), proxy.seen.requests.join('\n'));
    assert.ok(proxy.seen.requests.some((r) => r.startsWith(`POST ${origin}/api/v2/notifications`)), 'the CometD requests went through the proxy');
    assert.ok(proxy.seen.requests.includes(`POST ${origin}/api/v2/me/outbound-records/12`));
    assert.equal(sim.requests().length, 1);
  });

  it('reads the lower-case http_proxy too', async () => {
    await startBoth();
    process.env.http_proxy = proxy.url;
    assert.equal((await session().login()).userName, 'agent1');
    assert.equal(proxy.seen.requests.length, 1);
  });

  it('an explicit proxy wins over the environment', async () => {
    await startBoth();
    process.env.HTTP_PROXY = `http://127.0.0.1:${await freePort()}`;
    const s = session({ proxy: { url: proxy.url } });
    assert.equal((await s.login()).userName, 'agent1');
    assert.equal(proxy.seen.requests.length, 1);
  });

  it('goes direct for a NO_PROXY host, for an explicit no-proxy entry, and when the environment is switched off', async () => {
    await startBoth();
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = 'localhost,127.0.0.1';
    const direct = session();
    assert.equal(direct.proxy, undefined);
    await direct.login();
    delete process.env.NO_PROXY;
    await session({ proxy: { url: proxy.url, noProxy: ['127.0.0.1'] } }).login();
    await session({ useEnvProxy: false }).login();
    assert.deepEqual(proxy.seen.requests, []);
    assert.deepEqual(proxy.seen.connects, []);
  });

  it('reaches GWS over HTTPS through a CONNECT tunnel with proxy authentication, long poll included', async () => {
    const certs = makeCertificates();
    await startBoth({ tls: { key: certs.key, cert: certs.cert }, credentials: { username: 'puser', password: 'p@ss word' } });
    process.env.HTTPS_PROXY = `http://127.0.0.1:${await freePort()}`;
    const c = await connect(sim, { tls: { ca: certs.ca }, proxy: { url: proxy.url, username: 'puser', password: 'p@ss word' } });
    toClose.push(() => c.stop());
    const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
    assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
    const authority = new URL(sim.url).host;
    assert.ok(proxy.seen.connects.length >= 2, 'the long poll and the REST calls each have a tunnel');
    assert.ok(proxy.seen.connects.every((url) => url === authority));
    assert.deepEqual(proxy.seen.requests, [], 'nothing in clear through the proxy');
    assert.equal(proxy.seen.refused, 0);
  });

  it('checks the GWS certificate inside the tunnel', async () => {
    const certs = makeCertificates();
    await startBoth({ tls: { key: certs.key, cert: certs.cert } });
    await assert.rejects(session({ proxy: { url: proxy.url } }).login(), { code: 'tlsFailed' });
    assert.equal(proxy.seen.connects.length, 1);
  });

  for (const scheme of ['http', 'https']) {
    it(`a refused proxy login (${scheme}://) fails at once, naming the proxy and never its password`, async () => {
      const certs = makeCertificates();
      await startBoth({ tls: scheme === 'https' ? { key: certs.key, cert: certs.cert } : undefined, credentials: { username: 'puser', password: 'right' } });
      const s = session({ tls: { ca: certs.ca }, proxy: { url: proxy.url, username: 'puser', password: 'wr0ngPassw0rd' } });
      await assert.rejects(s.login(), (error) => {
        assert.equal(error.code, 'unreachable');
        assert.equal(error.reason, 'authFailed');
        assert.equal(error.httpStatus, 407);
        assert.ok(error.message.includes(`the proxy ${proxy.url} refused the proxy credentials (HTTP 407)`), error.message);
        const everything = `${error.message} ${JSON.stringify(error.params)} ${error.stack}`;
        assert.ok(!everything.includes('wr0ngPassw0rd'), 'no password');
        assert.ok(!everything.includes(Buffer.from('puser:wr0ngPassw0rd').toString('base64')), 'no Proxy-Authorization');
        return true;
      });
      assert.equal(proxy.seen.refused, 1);
      assert.equal(sim.stats().httpRequests, 0, 'nothing reached GWS');
      // A connection does not wait for a login that cannot succeed.
      const c = await connect(sim, { tls: { ca: certs.ca }, proxy: { url: proxy.url, username: 'puser', password: 'wr0ngPassw0rd' } });
      toClose.push(() => c.stop());
      const started = Date.now();
      await assert.rejects(c.execute(c.prepare('CompleteRecord', completeParams()), { timeoutMs: 10000 }), { reason: 'authFailed' });
      assert.ok(Date.now() - started < 5000, 'failed at once');
    });
  }

  it('names the proxy when it cannot be reached', async () => {
    sim = await startSim();
    toClose.push(() => sim.stop());
    const dead = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(session({ proxy: { url: dead } }).login(), (error) => {
      assert.equal(error.code, 'unreachable');
      assert.ok(error.message.includes(`through the proxy ${dead}`), error.message);
      assert.ok(error.message.includes(new URL(sim.url).origin), 'names GWS as well');
      return true;
    });
  });
});
