'use strict';
const assert = require('node:assert/strict');
const { core } = require('../helpers');

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
  });

  it('honours Path, Secure and Expires', () => {
    const jar = new core.SessionCookieJar();
    jar.store('a=1; Path=/api', new URL('http://h/api/v2'));
    jar.store('b=2; Secure', new URL('http://h/'));
    jar.store(`c=3; Expires=${new Date(Date.now() - 1000).toUTCString()}`, new URL('http://h/'));
    assert.equal(jar.cookieHeader(new URL('http://h/api/v2/me')), 'a=1');
    assert.equal(jar.cookieHeader(new URL('http://h/apix')), '');
    assert.equal(jar.cookieHeader(new URL('https://h/api/x')), 'a=1; b=2');
  });

  it('stays bounded when a server sets many cookies', () => {
    const jar = new core.SessionCookieJar();
    for (let i = 0; i < 200; i++) jar.store(`n${i}=v; Path=/`, new URL('http://h/'));
    assert.equal(jar.names().length, core.SessionCookieJar.MAX_COOKIES);
    assert.ok(jar.names().includes('n199'));
  });
});
