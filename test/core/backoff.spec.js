'use strict';
/**
 * Reconnect storms: N links that lose the same GWS at the same instant must not come back in waves.
 * While the simulator is down, a plain TCP listener on its port takes every connection attempt and
 * drops it, recording when it came; after the outage the simulator comes back on the same port.
 */
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { core, dist, startSim, connect, until, delay, nextState } = require('../helpers');

const { jittered } = require(path.join(dist, 'core', 'backoff.js'));

const N = 30;

describe('core: reconnect storms (jittered retries)', function () {
  this.timeout(30000);

  it('draws each delay from [nominal/2, nominal/2 + max(nominal, window))', () => {
    assert.equal(jittered(1000, 1000, () => 0), 500);
    assert.equal(jittered(1000, 1000, () => 0.999), 1499);
    assert.equal(jittered(250, 1000, () => 0), 125);
    assert.equal(jittered(250, 1000, () => 0.999), 1124);
    const draws = Array.from({ length: 2000 }, () => jittered(250, 1000));
    assert.ok(Math.min(...draws) >= 125 && Math.max(...draws) <= 1125, `${Math.min(...draws)}..${Math.max(...draws)}`);
    // Spread over the whole window: every 100 ms of it holds some, none holds a large share.
    const bins = new Array(10).fill(0);
    for (const d of draws) bins[Math.min(9, Math.floor((d - 125) / 100))]++;
    assert.ok(bins.every((n) => n > 100 && n < 320), JSON.stringify(bins));
  });

  it(`${N} links that lose GWS together retry spread over a whole backoff step, and all are back within 3 s`, async () => {
    let sim = await startSim({ users: Object.fromEntries(Array.from({ length: N }, (_, i) => [`agent${i}`, { password: `pw${i}` }])) });
    const port = sim.port;
    const links = [];
    try {
      for (let i = 0; i < N; i++) {
        const c = await core.GwsConnection.create({ baseUrl: sim.url, username: `agent${i}`, password: `pw${i}` });
        links.push(c);
        c.start();
      }
      await until(() => links.every((c) => c.state.status === 'connected'), 10000, 'all connected');

      // The outage: the simulator goes, a listener that drops every connection takes its port.
      const attempts = [];
      await sim.stop();
      const started = Date.now();
      const dropper = net.createServer((socket) => {
        attempts.push(Date.now() - started);
        socket.destroy();
      });
      await new Promise((resolve) => dropper.listen(port, '127.0.0.1', resolve));
      await delay(2500);
      await new Promise((resolve) => dropper.close(resolve));
      sim = await startSim({ port, users: Object.fromEntries(Array.from({ length: N }, (_, i) => [`agent${i}`, { password: `pw${i}` }])) });
      const back = Date.now();
      await until(() => links.every((c) => c.state.status === 'connected'), 5000, 'all back');
      const recovery = Date.now() - back;

      // The first retry of each link after the outage began, in 100 ms bins.
      const first = attempts.filter((at) => at < 1500);
      assert.ok(first.length >= N, `${first.length} attempts in the first 1.5 s`);
      const bins = new Map();
      for (const at of first) bins.set(Math.floor(at / 100), (bins.get(Math.floor(at / 100)) ?? 0) + 1);
      const busiest = Math.max(...bins.values());
      assert.ok(busiest <= N * 0.4, `the busiest 100 ms held ${busiest} of ${first.length} attempts: ${JSON.stringify([...bins].sort((a, b) => a[0] - b[0]))}`);
      const span = Math.max(...first) - Math.min(...first);
      assert.ok(span >= 700, `attempts spread over ${span} ms`);
      assert.ok(recovery <= 3000, `all back ${recovery} ms after the return`);
    } finally {
      await Promise.all(links.map((c) => c.stop()));
      await sim.stop();
    }
  });

  it('a link still comes back quickly after a short outage', async () => {
    let sim = await startSim();
    const c = await connect(sim);
    try {
      c.start();
      await nextState(c, 'connected');
      const port = sim.port;
      await sim.stop();
      await delay(300);
      sim = await startSim({ port });
      const back = Date.now();
      await until(() => c.state.status === 'connected', 5000, 'back');
      assert.ok(Date.now() - back <= 3000, `back after ${Date.now() - back} ms`);
    } finally {
      await c.stop();
      await sim.stop();
    }
  });
});
