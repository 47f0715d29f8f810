'use strict';
const assert = require('node:assert/strict');
const { startSim, until, delay, trackResources } = require('../helpers');
const { helper, serverNode, credentials, load, nextMessage, watch, flowHarness } = require('../helpers/flow');

const STATUS = 'node-red-contrib-gws-outbound/gws-server:status.';

describe('gws-server config node', () => {
  const h = flowHarness();

  it('does not connect while no node uses it', async () => {
    await load([serverNode(h.sim)]);
    await delay(200);
    assert.equal(h.sim.stats().httpRequests, 0);
    assert.equal(h.sim.stats().cometdClients, 0);
  });

  it('connects when its first node starts and paints every user with the state', async () => {
    await load([
      serverNode(h.sim),
      { id: 'a', type: 'gws-complete-record', server: 'server', wires: [] },
      { id: 'e', type: 'gws-outbound-event', server: 'server', wires: [] },
    ]);
    const a = watch('a');
    const e = watch('e');
    await until(() => h.sim.stats().cometdClients === 1, 5000, 'CometD client');
    await until(() => a.statuses.some((s) => s.text === `${STATUS}connected`) && e.statuses.some((s) => s.text === `${STATUS}connected`));
    assert.deepEqual(a.statuses.at(-1), { fill: 'green', shape: 'dot', text: `${STATUS}connected` });
    assert.equal(h.sim.stats().cometdClients, 1, 'one shared CometD client');
  });

  it('keeps the connection across a redeploy of one node and closes it when the last node is removed', async () => {
    const flow = [
      serverNode(h.sim),
      { id: 'a', type: 'gws-complete-record', server: 'server', wires: [] },
      { id: 'b', type: 'gws-outbound-event', server: 'server', wires: [] },
    ];
    await load(flow);
    await until(() => h.sim.stats().cometdClients === 1);
    const handshakes = h.sim.stats().httpRequests;
    // A changed node is closed (removed=false) and started again: the shared connection stays.
    await helper.setFlows([...flow.slice(0, 2), { ...flow[2], name: 'changed' }], 'nodes');
    await delay(200);
    assert.equal(h.sim.stats().cometdClients, 1);
    assert.ok(h.sim.stats().httpRequests - handshakes < 4, 'no new login or handshake');
    // Removing one of two users keeps it; removing the last closes it.
    await helper.setFlows(flow.slice(0, 2), 'nodes');
    await delay(100);
    assert.equal(h.sim.stats().cometdClients, 1);
    await helper.setFlows([flow[0]], 'nodes');
    await until(() => h.sim.stats().cometdClients === 0 && h.sim.stats().liveSockets === 0, 3000, 'disconnect on last removal');
  });

  it('shows auth failed on every node and warns once when the credentials are refused', async () => {
    await load([serverNode(h.sim), { id: 'a', type: 'gws-complete-record', server: 'server', wires: [] }], credentials('server', { username: 'agent1', password: 'bad' }));
    const a = watch('a');
    const server = watch('server');
    await until(() => a.statuses.some((s) => s.text === `${STATUS}authFailed`), 5000, 'auth failed status');
    assert.deepEqual(a.statuses.find((s) => s.text === `${STATUS}authFailed`), { fill: 'red', shape: 'ring', text: `${STATUS}authFailed` });
    await delay(1500);
    const warnings = server.warnings.filter((w) => w.startsWith('Connection to GWS failed'));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /refused the credentials/);
    assert.ok(!warnings[0].includes('bad'), 'no password in the log');
  });

  it('shows unreachable when GWS is down and connected once it is back', async () => {
    const port = h.sim.port;
    await h.sim.stop();
    await load([serverNode(h.sim), { id: 'a', type: 'gws-complete-record', server: 'server', wires: [] }]);
    const a = watch('a');
    await until(() => a.statuses.some((s) => s.text === `${STATUS}unreachable`), 5000, 'unreachable status');
    h.sim = await startSim({ port });
    await until(() => a.statuses.at(-1).text === `${STATUS}connected`, 8000, 'connected again');
  });

  it('reports a missing or malformed URL and missing credentials, naming the fix', async () => {
    const cases = [
      [{ baseUrl: '' }, /server URL is missing/],
      [{ baseUrl: 'gws.example.com:8090' }, /not a valid http:\/\/ or https:\/\/ URL/],
      // A password in the URL, in every spelling the URL parser reads as one: refused, never repeated.
      ...['http://u:Url-Pass-61@127.0.0.1:1/', 'http:/u:Url-Pass-61@127.0.0.1:1/', 'http:u:Url-Pass-61@127.0.0.1:1/', 'http:\\\\u:Url-Pass-61@127.0.0.1:1/', 'ht\ttp://u:Url-Pass-61@127.0.0.1:1/']
        .map((baseUrl) => [{ baseUrl }, /must not contain a user name or password: put them in the Username and Password fields/]),
    ];
    for (const [extra, pattern] of cases) {
      await load([serverNode(h.sim, extra), { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] }, { id: 'out', type: 'helper' }]);
      const a = watch('a');
      helper.getNode('a').receive({ payload: { recordHandle: 1, callingList: 'L' } });
      await until(() => a.errors.length === 1);
      assert.match(a.errors[0].text, /^CompleteRecord not sent: the GWS server node is not usable: /);
      assert.match(a.errors[0].text, pattern);
      assert.ok(!a.errors[0].text.includes('Url-Pass-61'), a.errors[0].text);
      assert.equal(h.sim.stats().httpRequests, 0);
      await helper.unload();
    }
    await load([serverNode(h.sim), { id: 'a', type: 'gws-complete-record', server: 'server', wires: [] }], {});
    const a = watch('a');
    helper.getNode('a').receive({ payload: { recordHandle: 1, callingList: 'L' } });
    await until(() => a.errors.length === 1);
    assert.match(a.errors[0].text, /username is missing/);
  });

  it('takes the base URL from ${ENV}', async () => {
    process.env.GWS_TEST_URL = h.sim.url;
    try {
      await load([serverNode(h.sim, { baseUrl: '${GWS_TEST_URL}' }), { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] }, { id: 'out', type: 'helper' }]);
      const out = nextMessage('out');
      helper.getNode('a').receive({ payload: { recordHandle: 1, callingList: 'L' } });
      assert.equal((await out).topic, 'RecordProcessedAcknowledge');
    } finally {
      delete process.env.GWS_TEST_URL;
    }
  });

  it('uses the bundled simulator when told to, with the demo user', async () => {
    await load([
      { id: 'server', type: 'gws-server', useSimulator: true, devicePath: '/devices/demo', applicationId: '134', campaignName: 'Campaign1' },
      { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ], {});
    const out = nextMessage('out');
    helper.getNode('a').receive({ payload: { recordHandle: 5, callingList: 'L' } });
    const msg = await out;
    assert.equal(msg.topic, 'RecordProcessedAcknowledge');
    assert.match(helper.getNode('server').connectionState.status, /connected/);
  });

  it('in simulator mode, a server node without a device path gives its nodes /devices/simulator', async () => {
    await load([
      { id: 'server', type: 'gws-server', useSimulator: true },
      { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ], {});
    const out = nextMessage('out');
    helper.getNode('a').receive({ payload: { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1' } });
    const msg = await out;
    assert.equal(msg.topic, 'RecordProcessedAcknowledge');
    assert.equal(msg.gws.request.devicePath, '/devices/simulator');
  });

  it('closes within a second and leaves no socket, timer or CometD client behind', async () => {
    const tracker = trackResources();
    await load([serverNode(h.sim), { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] }, { id: 'out', type: 'helper' }]);
    const out = nextMessage('out');
    helper.getNode('a').receive({ payload: { recordHandle: 1, callingList: 'L' } });
    await out;
    const started = Date.now();
    await helper.unload();
    assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
    await until(() => h.sim.stats().liveSockets === 0 && h.sim.stats().cometdClients === 0, 2000, 'server side released');
    await delay(20);
    assert.deepEqual(tracker.stop().map((r) => `${r.type}\n${r.stack}`), []);
  });

  it('adds one flows:started listener for all server nodes: no leak warning with many of them', async () => {
    const warnings = [];
    const onWarning = (warning) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const flow = [];
      for (let i = 0; i < 15; i++) {
        flow.push(serverNode(h.sim, { id: `server${i}` }), { id: `a${i}`, type: 'gws-complete-record', server: `server${i}`, wires: [] });
      }
      const creds = Object.fromEntries(flow.filter((n) => n.type === 'gws-server').map((n) => [n.id, { username: 'agent1', password: 'agent1' }]));
      await load(flow, creds);
      const events = helper._events;
      // The test helper itself listens once while it loads a flow.
      assert.ok(events.listenerCount('flows:started') <= 2, `${events.listenerCount('flows:started')} flows:started listeners`);
      await helper.setFlows(flow.map((n) => (n.type === 'gws-server' ? n : { ...n, name: 'redeployed' })), 'full', creds);
      await delay(100);
      assert.ok(events.listenerCount('flows:started') <= 2, `${events.listenerCount('flows:started')} flows:started listeners after a redeploy`);
      assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('two simulator-mode server nodes logged in as the same user each get their own record\'s answer for one referenceId', async () => {
    // Both server nodes use the one embedded simulator as its demo user, so each CometD client receives
    // both acknowledgements; the record handle tells them apart (rule 13).
    const simServer = (id) => ({ id, type: 'gws-server', useSimulator: true, devicePath: '/devices/demo', applicationId: '134', campaignName: 'Campaign1' });
    await load([
      simServer('s1'),
      simServer('s2'),
      { id: 'a', type: 'gws-complete-record', server: 's1', wires: [['out1']] },
      { id: 'b', type: 'gws-complete-record', server: 's2', wires: [['out2']] },
      { id: 'out1', type: 'helper' },
      { id: 'out2', type: 'helper' },
    ], {});
    await until(() => helper.getNode('s1').connectionState.status === 'connected' && helper.getNode('s2').connectionState.status === 'connected', 5000, 'both connected');
    const first = nextMessage('out1');
    const second = nextMessage('out2');
    helper.getNode('a').receive({ payload: { recordHandle: 12, callingList: 'L', referenceId: 'order-1' } });
    helper.getNode('b').receive({ payload: { recordHandle: 13, callingList: 'L', referenceId: 'order-1' } });
    const [one, two] = await Promise.all([first, second]);
    assert.equal(one.payload.record.recordHandle, 12);
    assert.equal(two.payload.record.recordHandle, 13);
    assert.equal(one.gws.userEvent.userData.GSW_RECORD_HANDLE, 12);
    assert.equal(two.gws.userEvent.userData.GSW_RECORD_HANDLE, 13);
  });

  it('refuses a referenceId that is already waiting on the same server node, before sending', async () => {
    await load([serverNode(h.sim), { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] }, { id: 'out', type: 'helper' }]);
    const a = watch('a');
    await until(() => helper.getNode('server').connectionState.status === 'connected');
    h.sim.faults.add({ kind: 'ack', mode: 'drop', count: 1 });
    helper.getNode('a').receive({ payload: { recordHandle: 12, callingList: 'L', referenceId: 'order-1' } });
    await until(() => h.sim.requests().length === 1);
    helper.getNode('a').receive({ payload: { recordHandle: 13, callingList: 'L', referenceId: 'order-1' } });
    await until(() => a.errors.length === 1);
    assert.equal(a.errors[0].text, 'CompleteRecord not sent: referenceId "order-1" is already waiting for its answer (give every request its own referenceId, or leave it empty to have one generated)');
    assert.equal(a.errors[0].msg.gws.statusCode, 1);
    assert.equal(h.sim.requests().length, 1, 'the second was not sent');
  });

  describe('simulator mode: the control API', () => {
    const simFlow = () => [
      { id: 'server', type: 'gws-server', useSimulator: true, devicePath: '/devices/demo', applicationId: '134', campaignName: 'Campaign1' },
      { id: 'a', type: 'gws-complete-record', server: 'server', wires: [] },
    ];
    afterEach(() => helper.settings({}));

    it('is off unless settings.js turns it on: the embedded simulator answers /sim/ like an unknown path', async () => {
      await load(simFlow(), {});
      const url = (await helper.getNode('server').connect()).session.baseUrl.origin;
      await until(() => helper.getNode('server').connectionState.status === 'connected');
      const stats = await fetch(`${url}/sim/stats`);
      assert.notEqual(stats.status, 200);
      const push = await fetch(`${url}/sim/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notificationType: 'PreviewRecord' }) });
      assert.notEqual(push.status, 200);
    });

    it('is on with gwsServerSimulatorControl: true, and the server node logs where', async () => {
      helper.settings({ gwsServerSimulatorControl: true });
      await load(simFlow(), {});
      const url = (await helper.getNode('server').connect()).session.baseUrl.origin;
      await until(() => helper.getNode('server').connectionState.status === 'connected');
      const stats = await fetch(`${url}/sim/stats`);
      assert.equal(stats.status, 200);
      const logged = helper.log().args.map((args) => args[0]).filter((entry) => entry?.id === 'server' && entry.level === 40).map((entry) => entry.msg);
      assert.ok(logged.some((text) => text.includes(`${url}/sim/`)), JSON.stringify(logged));
    });
  });

  describe('proxies', () => {
    const { startProxy } = require('../helpers/http-servers');
    const { coreModules } = require('../helpers/examples');
    const { ALL } = require('../helpers/flow');
    let proxy;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    it('sends the REST calls and the CometD long poll through the http proxy node chosen on the server node, with its credentials', async () => {
      proxy = await startProxy({ credentials: { username: 'proxyuser', password: 'proxy-secret' } });
      const flow = [
        { id: 'px', type: 'http proxy', name: 'corporate proxy', url: proxy.url, noproxy: [] },
        serverNode(h.sim, { proxy: 'px' }),
        { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ];
      await helper.load([...ALL, ...coreModules(flow)], flow, { ...credentials(), px: { username: 'proxyuser', password: 'proxy-secret' } });
      const out = nextMessage('out');
      helper.getNode('a').receive({ payload: { recordHandle: 12, callingList: 'L' } });
      assert.equal((await out).topic, 'RecordProcessedAcknowledge');
      const through = proxy.seen.requests.join('\n');
      assert.match(through, /GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/me/);
      assert.match(through, /POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/notifications/);
      assert.match(through, /POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/me\/outbound-records\/12/);
      assert.equal(proxy.seen.refused, 0);
    });

    it('uses HTTP_PROXY for a server node without a proxy node, and never for the bundled simulator', async () => {
      proxy = await startProxy();
      const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
      process.env.HTTP_PROXY = proxy.url;
      for (const name of ['http_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[name];
      try {
        await load([
          serverNode(h.sim),
          { id: 'sim', type: 'gws-server', useSimulator: true, devicePath: '/devices/demo', applicationId: '134', campaignName: 'Campaign1' },
          { id: 'a', type: 'gws-complete-record', server: 'server', wires: [['out']] },
          { id: 'b', type: 'gws-complete-record', server: 'sim', wires: [['out2']] },
          { id: 'out', type: 'helper' },
          { id: 'out2', type: 'helper' },
        ]);
        const out = nextMessage('out');
        const out2 = nextMessage('out2');
        helper.getNode('a').receive({ payload: { recordHandle: 12, callingList: 'L' } });
        helper.getNode('b').receive({ payload: { recordHandle: 13, callingList: 'L' } });
        assert.equal((await out).topic, 'RecordProcessedAcknowledge');
        assert.equal((await out2).topic, 'RecordProcessedAcknowledge');
        const port = h.sim.port;
        assert.ok(proxy.seen.requests.length > 0 && proxy.seen.requests.every((r) => r.includes(`:${port}/`)), proxy.seen.requests.join('\n'));
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    });
  });

  describe('Test connection (admin endpoint)', () => {
    beforeEach(() => load([serverNode(h.sim)]));
    const test = (body) => helper.request().post('/gws-server/test').send(body).expect(200).then((r) => r.body);

    it('logs in and names the user', async () => {
      assert.deepEqual(await test({ baseUrl: h.sim.url, username: 'agent1', password: 'agent1' }), {
        ok: true,
        code: 'success',
        params: { name: 'Demo Agent', user: 'agent1' },
        message: 'Connected as Demo Agent (agent1)',
      });
    });

    it('resolves ${ENV_VAR} only in the URL stored on the node, and never shows its value', async () => {
      process.env.GWS_TEST_CONNECTION_URL = h.sim.url;
      try {
        await helper.unload();
        await load([serverNode(h.sim, { baseUrl: '${GWS_TEST_CONNECTION_URL}' })]);
        const stored = await test({ id: 'server', baseUrl: '${GWS_TEST_CONNECTION_URL}', username: 'agent1', password: '__PWRD__' });
        assert.equal(stored.ok, true, stored.message);
        const typed = await test({ baseUrl: '${GWS_TEST_CONNECTION_URL}', username: 'agent1', password: 'agent1' });
        assert.equal(typed.code, 'envNotAllowed');
        assert.ok(!JSON.stringify(typed).includes(h.sim.url));
        // Unreachable behind the stored reference: the reply names the reference, not the address.
        const port = h.sim.port;
        await h.sim.stop();
        const down = await test({ id: 'server', baseUrl: '${GWS_TEST_CONNECTION_URL}', username: 'agent1', password: '__PWRD__' });
        assert.equal(down.code, 'unreachable');
        assert.ok(!JSON.stringify(down).includes(`127.0.0.1:${port}`), JSON.stringify(down));
        assert.match(down.message, /\$\{GWS_TEST_CONNECTION_URL\}/);
        h.sim = await startSim();
      } finally {
        delete process.env.GWS_TEST_CONNECTION_URL;
      }
    });

    it('sends a stored password only toward the URL stored on that gws-server node', async () => {
      const elsewhere = await test({ id: 'server', baseUrl: 'http://127.0.0.1:9', username: 'agent1', password: '__PWRD__' });
      assert.equal(elsewhere.code, 'passwordNeeded');
      const noSuchNode = await test({ id: 'nope', baseUrl: h.sim.url, username: 'agent1', password: '__PWRD__' });
      assert.equal(noSuchNode.code, 'passwordNeeded');
    });

    it('takes JSON bodies only', async () => {
      const form = await helper.request().post('/gws-server/test').type('form').send({ baseUrl: h.sim.url, username: 'agent1', password: 'agent1' });
      assert.equal(form.status, 415);
      assert.equal(form.body.code, 'jsonOnly');
    });

    it('refuses a URL with a password in it without repeating it', async () => {
      const answer = await test({ baseUrl: 'http://agent1:s3cret-pw@127.0.0.1:9', username: 'agent1', password: 'x' });
      assert.equal(answer.code, 'baseUrlCredentials');
      assert.ok(!JSON.stringify(answer).includes('s3cret-pw'));
      assert.match(answer.message, /Username and Password fields/);
    });

    it('uses the stored password when the dialog shows the placeholder', async () => {
      const answer = await test({ id: 'server', baseUrl: h.sim.url, username: 'agent1', password: '__PWRD__' });
      assert.equal(answer.ok, true);
    });

    it('says why it failed', async () => {
      const refused = await test({ baseUrl: h.sim.url, username: 'agent1', password: 'wrong' });
      assert.equal(refused.ok, false);
      assert.equal(refused.code, 'authFailed');
      assert.match(refused.message, /refused the credentials/);
      const port = h.sim.port;
      await h.sim.stop();
      const down = await test({ baseUrl: `http://127.0.0.1:${port}`, username: 'agent1', password: 'agent1' });
      assert.equal(down.code, 'unreachable');
      h.sim = await startSim();
      assert.deepEqual(await test({ baseUrl: 'nonsense', username: 'a', password: 'b' }), {
        ok: false,
        code: 'baseUrlInvalid',
        params: { value: 'nonsense' },
        message: 'The server URL nonsense is not a valid http:// or https:// URL: open the gws-server node and correct it',
      });
      assert.equal((await test({ baseUrl: h.sim.url, username: '', password: '' })).code, 'usernameMissing');
    });
  });
});
