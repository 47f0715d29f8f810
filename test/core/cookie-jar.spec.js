'use strict';
const assert = require('node:assert/strict');
const { core, startSim, USER } = require('../helpers');

describe('core: session cookie jar', () => {
  it('keeps JSESSIONID per host and sends it back on paths below its Path', () => {
    const jar = new core.SessionCookieJar();
    jar.store('JSESSIONID=abc123; Path=/; HttpOnly', new URL('http://gws.example:8090/api/v2/me'));
    assert.equal(jar.cookieHeader(new URL('http://gws.example:8090/api/v2/me/outbound-records/12')), 'JSESSIONID=abc123');
    assert.equal(jar.cookieHeader(new URL('http://other.example:8090/api/v2/me')), '');
  });

  it('replaces a cookie of the same name and drops it on Max-Age=0', () => {
    const jar = new core.SessionCookieJar();
    jar.store('JSESSIONID=one; Path=/', new URL('http://h/'));
    jar.store('JSESSIONID=two; Path=/', new URL('http://h/'));
    assert.equal(jar.cookieHeader(new URL('http://h/x')), 'JSESSIONID=two');
    jar.store('JSESSIONID=gone; Path=/; Max-Age=0', new URL('http://h/'));
    assert.equal(jar.cookieHeader(new URL('http://h/x')), '');
    assert.deepEqual(jar.names(), []);
  });

  it('honours Path (whole segments only) and the default path of the request', () => {
    const jar = new core.SessionCookieJar();
    jar.store('a=1; Path=/api', new URL('http://h/api/v2'));
    jar.store('d=4', new URL('http://h/gws/api/v2/me'));
    assert.equal(jar.cookieHeader(new URL('http://h/api/v2/me')), 'a=1');
    assert.equal(jar.cookieHeader(new URL('http://h/api')), 'a=1');
    assert.equal(jar.cookieHeader(new URL('http://h/apix')), '');
    assert.equal(jar.cookieHeader(new URL('http://h/gws/api/v2/notifications')), 'd=4', 'default path /gws/api/v2');
    assert.equal(jar.cookieHeader(new URL('http://h/gws/other')), '');
  });

  it('sends a Secure cookie only over https, and keeps one only when it came over https', () => {
    const jar = new core.SessionCookieJar();
    jar.store('b=2; Secure; Path=/', new URL('https://h/'));
    jar.store('c=3; Secure; Path=/', new URL('http://h/'));
    assert.equal(jar.cookieHeader(new URL('https://h/api/x')), 'b=2');
    assert.equal(jar.cookieHeader(new URL('http://h/api/x')), '');
    jar.store('e=5; Secure; Path=/', new URL('https://127.0.0.1:8443/'));
    assert.equal(jar.cookieHeader(new URL('https://127.0.0.1:8443/x')), 'e=5');
    assert.equal(jar.cookieHeader(new URL('http://127.0.0.1:8090/x')), '', 'a loopback address over http is not secure either');
    assert.deepEqual(jar.names().sort(), ['b', 'e']);
  });

  it('honours Expires and Max-Age (Max-Age wins), and forgets a cookie once it expired', async () => {
    const jar = new core.SessionCookieJar();
    jar.store(`past=1; Expires=${new Date(Date.now() - 60000).toUTCString()}`, new URL('http://h/'));
    jar.store(`future=2; Expires=${new Date(Date.now() + 3600000).toUTCString()}`, new URL('http://h/'));
    jar.store(`both=3; Max-Age=1; Expires=${new Date(Date.now() + 3600000).toUTCString()}`, new URL('http://h/'));
    assert.equal(jar.cookieHeader(new URL('http://h/')), 'future=2; both=3');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(jar.cookieHeader(new URL('http://h/')), 'future=2');
    assert.deepEqual(jar.names(), ['future']);
  });

  it('keeps a host-only cookie to its host, a Domain cookie to the domain, and refuses a foreign or public domain', () => {
    const jar = new core.SessionCookieJar();
    jar.store('hostonly=1; Path=/', new URL('http://gws.example.com/'));
    jar.store('domain=2; Domain=example.com; Path=/', new URL('http://gws.example.com/'));
    jar.store('foreign=3; Domain=other.org; Path=/', new URL('http://gws.example.com/'));
    jar.store('public=4; Domain=com; Path=/', new URL('http://gws.example.com/'));
    assert.equal(jar.cookieHeader(new URL('http://gws.example.com/')), 'hostonly=1; domain=2');
    assert.equal(jar.cookieHeader(new URL('http://lb.gws.example.com/')), 'domain=2');
    assert.equal(jar.cookieHeader(new URL('http://example.com/')), 'domain=2');
    assert.equal(jar.cookieHeader(new URL('http://other.org/')), '');
    assert.deepEqual(jar.names().sort(), ['domain', 'hostonly']);
  });

  it('ignores what is not a cookie', () => {
    const jar = new core.SessionCookieJar();
    for (const raw of ['', ';;', '=novalue', 'bad\u0000name=1', ' ; Path=/']) jar.store(raw, new URL('http://h/'));
    assert.doesNotThrow(() => jar.cookieHeader(new URL('http://h/')));
  });

  it('stays bounded when a server sets many cookies', () => {
    const jar = new core.SessionCookieJar();
    for (let i = 0; i < 200; i++) jar.store(`n${i}=v; Path=/`, new URL('http://h/'));
    assert.equal(jar.names().length, core.SessionCookieJar.MAX_COOKIES);
    assert.ok(jar.names().includes('n199'));
    assert.ok(!jar.names().includes('n0'), 'the oldest went first');
  });

  it('gives two sessions with the same server and user a cookie each, never shared, and clears it on close', async () => {
    const sim = await startSim();
    const a = new core.GwsSession({ baseUrl: sim.url, ...USER });
    const b = new core.GwsSession({ baseUrl: sim.url, ...USER });
    try {
      await a.login();
      await b.login();
      const url = new URL(a.url('/api/v2/me'));
      const cookieA = a.jar.cookieHeader(url);
      const cookieB = b.jar.cookieHeader(url);
      assert.match(cookieA, /^JSESSIONID=/);
      assert.match(cookieB, /^JSESSIONID=/);
      assert.notEqual(cookieA, cookieB);
      // Each keeps its own server session: a login again keeps the cookie it had.
      await a.login();
      assert.equal(a.jar.cookieHeader(url), cookieA);
      a.close();
      assert.deepEqual(a.jar.names(), []);
      assert.equal(b.jar.cookieHeader(url), cookieB);
    } finally {
      a.close();
      b.close();
      await sim.stop();
    }
  });
});
