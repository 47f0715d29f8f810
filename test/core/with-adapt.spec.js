'use strict';
/**
 * Another package's CometD client in the same process: cometd-nodejs-client's adapt() installs a global
 * `window` with an XMLHttpRequest and a WebSocket. The connection and server-node suites run again in a
 * process where adapt() was called first; the package's transport must not depend on either.
 */
const assert = require('node:assert/strict');
const { runWithAdapt } = require('../helpers/with-adapt');

describe('with cometd-nodejs-client adapted in the same process', function () {
  this.timeout(180000);
  it('the connection and server-node suites pass', async () => {
    const { code, output } = await runWithAdapt(['test/core/connection.spec.js', 'test/nodes/gws-server.spec.js']);
    const summary = output.split('\n').filter((line) => /passing|failing|pending/.test(line)).join(' | ');
    assert.equal(code, 0, `${summary}\n${output.slice(-4000)}`);
    assert.match(output, /\d+ passing/);
  });
});
