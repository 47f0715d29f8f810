'use strict';
/**
 * TLS through a core tls-config node: the simulator over HTTPS with a self-signed CA. Works with the CA,
 * fails naming the certificate problem without it, skips verification only when the tls-config node
 * says so, and nothing touches NODE_TLS_REJECT_UNAUTHORIZED.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { until, dist } = require('../helpers');
const { helper, ALL, credentials, serverNode, watch, flowHarness } = require('../helpers/flow');
const { makeCertificates } = require('../helpers/tls');

const tlsNodeModule = require(require.resolve('@node-red/nodes/core/network/05-tls.js', { paths: [path.dirname(require.resolve('node-red', { paths: [process.env.GWS_NODE_RED_FROM || __dirname] }))] }));

describe('TLS through a tls-config node', function () {
  this.timeout(30000);
  let certs;
  before(() => {
    certs = makeCertificates();
  });
  const h = flowHarness(() => ({ tls: { key: certs.key, cert: certs.cert } }));

  async function run(tls) {
    const flow = [
      serverNode(h.sim, tls ? { tls: 'tls' } : {}),
      { id: 'node', type: 'gws-complete-record', server: 'server', timeout: '3000', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    if (tls) flow.push({ id: 'tls', type: 'tls-config', cert: '', key: '', ca: '', certname: '', keyname: '', caname: '', servername: '', verifyservercert: true, ...tls });
    await helper.load([tlsNodeModule, ...ALL], flow, credentials());
    const seen = watch('node');
    const outputs = [];
    helper.getNode('out').on('input', (msg) => outputs.push(msg));
    helper.getNode('node').receive({ payload: { recordHandle: 1, callingList: 'L' } });
    await until(() => outputs.length + seen.errors.length === 1, 6000, 'an answer or an error');
    return { outputs, seen };
  }

  it('completes a record with the CA from the tls-config node', async () => {
    const { outputs } = await run({ ca: certs.caFile });
    assert.equal(outputs[0].topic, 'RecordProcessedAcknowledge');
  });

  it('fails without the CA, naming the certificate problem, and shows TLS error', async () => {
    const started = Date.now();
    const { outputs, seen } = await run(undefined);
    assert.ok(Date.now() - started < 2500, 'fails at once instead of waiting for the timeout');
    assert.equal(outputs.length, 0);
    assert.match(seen.errors[0].text, /^CompleteRecord failed: TLS certificate problem/);
    assert.match(seen.errors[0].text, /TLS certificate problem with https:\/\/127\.0\.0\.1:\d+: .*(self[- ]signed|unable to verify|issuer)/i);
    assert.match(seen.errors[0].text, /tls-config node/);
    assert.ok(seen.statuses.some((s) => s.text === 'node-red-contrib-gws-outbound/gws-server:status.tlsFailed'));
  });

  it('skips verification only when the tls-config node turns it off', async () => {
    const { outputs } = await run({ verifyservercert: false });
    assert.equal(outputs[0].topic, 'RecordProcessedAcknowledge');
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
  });

  it('never sets NODE_TLS_REJECT_UNAUTHORIZED anywhere in the shipped code', () => {
    const files = [];
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(js|html)$/.test(entry.name)) files.push(full);
      }
    };
    walk(dist);
    assert.ok(files.length > 10);
    for (const file of files) assert.ok(!fs.readFileSync(file, 'utf8').includes('NODE_TLS_REJECT_UNAUTHORIZED'), file);
  });
});
