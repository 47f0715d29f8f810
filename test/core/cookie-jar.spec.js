'use strict';
const assert = require('node:assert/strict');
const { core } = require('../helpers');

describe('core: session cookie jar', () => {
  it('keeps JSESSIONID per host and sends it back on paths below its Path', async () => {
    const jar = new core.SessionCookieJar();
    await jar.setCookie('JSESSIONID=abc123; Path=/; HttpOnly', 'http://gws.example:8090/api/v2/me');
    assert.equal(await jar.getCookieString('http://gws.example:8090/api/v2/me/outbound-records/12'), 'JSESSIONID=abc123');
    assert.equal(await jar.getCookieString('http://other.example:8090/api/v2/me'), '');
  });

  it('replaces a cookie of the same name and drops it on Max-Age=0', async () => {
    const jar = new core.SessionCookieJar();
    await jar.setCookie('JSESSIONID=one; Path=/', 'http://h/');
    await jar.setCookie('JSESSIONID=two; Path=/', 'http://h/');
    assert.equal(await jar.getCookieString('http://h/x'), 'JSESSIONID=two');
    await jar.setCookie('JSESSIONID=gone; Path=/; Max-Age=0', 'http://h/');
    assert.equal(await jar.getCookieString('http://h/x'), '');
  });

  it('honours Path, Secure and Expires', async () => {
    const jar = new core.SessionCookieJar();
    await jar.setCookie('a=1; Path=/api', 'http://h/api/v2');
    await jar.setCookie('b=2; Secure', 'http://h/');
    await jar.setCookie(`c=3; Expires=${new Date(Date.now() - 1000).toUTCString()}`, 'http://h/');
    assert.equal(await jar.getCookieString('http://h/api/v2/me'), 'a=1');
    assert.equal(await jar.getCookieString('http://h/apix'), '');
    assert.equal(await jar.getCookieString('https://h/api/x'), 'a=1; b=2');
  });

  it('stays bounded when a server sets many cookies', async () => {
    const jar = new core.SessionCookieJar();
    for (let i = 0; i < 200; i++) await jar.setCookie(`n${i}=v; Path=/`, 'http://h/');
    assert.equal(jar.names().length, core.SessionCookieJar.MAX_COOKIES);
    assert.ok(jar.names().includes('n199'));
  });
});
