'use strict';
/**
 * The fault matrix and the redeploy suite again, in a process where cometd-nodejs-client's adapt() was
 * called first (a global `window` with an XMLHttpRequest, as another package in the runtime may leave).
 */
const assert = require('node:assert/strict');
const { runWithAdapt } = require('../helpers/with-adapt');

describe('reliability with cometd-nodejs-client adapted in the same process', function () {
  this.timeout(900000);
  it('the fault matrix and the redeploy suite pass', async () => {
    const { code, output } = await runWithAdapt(['test/faults/redeploy.spec.js', 'test/faults/fault-matrix.spec.js'], { timeoutMs: 180000 });
    const summary = output.split('\n').filter((line) => /passing|failing|pending/.test(line)).join(' | ');
    assert.equal(code, 0, `${summary}\n${output.slice(-4000)}`);
    assert.match(output, /\d+ passing/);
  });
});
