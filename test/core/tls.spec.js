'use strict';
const assert = require('node:assert/strict');
const { startSim, connect, completeParams, core, USER } = require('../helpers');
const { makeCertificates } = require('../helpers/tls');

describe('core: TLS', () => {
  let sim;
  let certs;
  before(function () {
    this.timeout(30000);
    certs = makeCertificates();
  });
  beforeEach(async () => {
    sim = await startSim({ tls: { key: certs.key, cert: certs.cert } });
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });
  afterEach(() => sim.stop());

  it('completes a record over HTTPS when the CA is given', async () => {
    const c = await connect(sim, { tls: { ca: certs.ca } });
    try {
      const result = await c.execute(c.prepare('CompleteRecord', completeParams()));
      assert.equal(result.answer.data.notificationType, 'RecordProcessedAcknowledge');
    } finally {
      await c.stop();
    }
  });

  it('refuses a server certificate it cannot verify, naming the problem', async () => {
    const session = new core.GwsSession({ baseUrl: sim.url, ...USER });
    try {
      await assert.rejects(session.login(), (error) => {
        assert.equal(error.code, 'tlsFailed');
        assert.equal(error.reason, 'tlsFailed');
        assert.match(error.message, /^Login failed: TLS certificate problem with https:\/\/127\.0\.0\.1:\d+: .*(self[- ]signed|unable to verify|issuer)/i);
        return true;
      });
    } finally {
      session.close();
    }
  });

  it('skips verification only when told to (rejectUnauthorized false), never through the environment', async () => {
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
    const session = new core.GwsSession({ baseUrl: sim.url, ...USER, tls: { rejectUnauthorized: false } });
    try {
      assert.equal((await session.login()).userName, 'agent1');
    } finally {
      session.close();
    }
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
  });

  it('checks the host name against the certificate', async () => {
    const session = new core.GwsSession({ baseUrl: sim.url, ...USER, tls: { ca: certs.ca, servername: 'gws.example.com' } });
    try {
      await assert.rejects(session.login(), { code: 'tlsFailed' });
    } finally {
      session.close();
    }
  });
});
