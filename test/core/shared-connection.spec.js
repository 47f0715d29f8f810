'use strict';
/**
 * The lifecycle of a server node's connection, without Node-RED: users open it, the last one removed
 * closes it, a redeploy keeps it, every state reaches every user (late joiners at once), notifications
 * reach the users that listen, and closing releases everything, also what opening started.
 */
const assert = require('node:assert/strict');
const { core, startSim, connect, until, delay, USER } = require('../helpers');

const { SharedConnection } = core;

function user(id, { listens = false, throws = false } = {}) {
  const seen = { id, states: [], notifications: [] };
  seen.connectionChanged = (state) => {
    seen.states.push(state.status);
    if (throws) throw new Error('painting failed');
  };
  if (listens) seen.notification = (n) => seen.notifications.push(n);
  return seen;
}

describe('core: shared connection (the server node lifecycle)', function () {
  this.timeout(10000);
  let sim;
  let opened;
  let released;
  beforeEach(async () => {
    sim = await startSim();
    opened = 0;
    released = 0;
  });
  afterEach(() => sim.stop());

  function shared(extra = {}) {
    return new SharedConnection({
      open: async () => {
        opened++;
        return { connection: await connect(sim), release: async () => { released++; } };
      },
      ...extra,
    });
  }

  it('opens nothing until the first user registers, then once for all users', async () => {
    const s = shared();
    await delay(50);
    assert.equal(opened, 0);
    const a = user('a');
    const b = user('b');
    s.register(a);
    s.register(b);
    await until(() => s.state.status === 'connected');
    assert.equal(opened, 1);
    assert.equal(sim.stats().cometdClients, 1);
    assert.equal(a.states[0], 'disconnected', 'painted at once when registering');
    assert.equal(a.states.at(-1), 'connected');
    assert.equal(b.states.at(-1), 'connected');
    await s.close();
  });

  it('paints a user that joins late with the current state at once', async () => {
    const s = shared();
    s.register(user('a'));
    await until(() => s.state.status === 'connected');
    const late = user('late');
    s.register(late);
    assert.deepEqual(late.states, ['connected']);
    await s.close();
  });

  it('keeps the connection across a redeploy and closes it when the last user is removed', async () => {
    const s = shared();
    const a = user('a');
    const b = user('b');
    s.register(a);
    s.register(b);
    await until(() => s.state.status === 'connected');
    await s.deregister(a, false);
    await s.deregister(b, false);
    assert.equal(s.active, true, 'a redeploy keeps it for the nodes that come back');
    s.register(a);
    assert.equal(opened, 1);
    await s.deregister(a, true);
    assert.equal(s.active, false);
    assert.equal(released, 1);
    assert.equal(s.state.status, 'disconnected');
    await until(() => sim.stats().cometdClients === 0 && sim.stats().liveSockets === 0, 3000, 'released on the server');
  });

  it('closes an unused connection after a deploy moved its users away', async () => {
    const s = shared();
    const a = user('a');
    s.register(a);
    await until(() => s.state.status === 'connected');
    await s.deregister(a, false);
    await s.closeIfUnused();
    assert.equal(s.active, false);
    assert.equal(released, 1);
  });

  it('never opens with a configuration error and paints it on every user', async () => {
    const s = shared({ configError: 'The server URL is missing' });
    const a = user('a');
    s.register(a);
    await assert.rejects(s.connect(), /server URL is missing/);
    assert.equal(opened, 0);
    assert.deepEqual(a.states, ['failed']);
    assert.equal(s.state.reason, 'badConfig');
  });

  it('reports a failed open on every user and tries again on the next use', async () => {
    let fail = true;
    const s = new SharedConnection({
      open: async () => {
        if (fail) throw new Error('simulator did not start');
        return { connection: await connect(sim) };
      },
    });
    const a = user('a');
    s.register(a);
    await until(() => a.states.includes('failed'));
    fail = false;
    await s.connect();
    await until(() => s.state.status === 'connected');
    await s.close();
  });

  it('hands notifications to the users that listen, and a failing user harms no other', async () => {
    const warnings = [];
    const s = shared({ log: { warn: (m) => warnings.push(m), debug() {}, trace() {} } });
    const listening = user('e', { listens: true });
    const throwing = user('x', { throws: true });
    s.register(throwing);
    s.register(listening);
    await until(() => s.state.status === 'connected');
    sim.push(USER.username, [{ channel: '/v2/me/outbound', data: { notificationType: 'PreviewRecord', record: { recordHandle: 1 } } }]);
    await until(() => listening.notifications.length === 1);
    assert.equal(listening.notifications[0].data.notificationType, 'PreviewRecord');
    assert.ok(warnings.some((w) => w.includes('x')), 'the failing user is named in a warning');
    await s.close();
  });

  it('releases what opening made when it is closed while opening', async () => {
    let finishOpen;
    const gate = new Promise((resolve) => { finishOpen = resolve; });
    const s = new SharedConnection({
      open: async () => {
        await gate;
        return { connection: await connect(sim), release: async () => { released++; } };
      },
    });
    s.register(user('a'));
    const closing = s.close();
    finishOpen();
    await closing;
    await delay(100);
    assert.equal(released, 1);
    assert.equal(sim.stats().cometdClients, 0);
    assert.ok(core.GwsConnection, 'core loaded');
  });
});
