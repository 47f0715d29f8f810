'use strict';
/**
 * Secrets: the password (and the Basic header made from it, the session cookie and the CSRF tokens)
 * never appear in a flow export, in the log at any level including trace, in a message, in an error
 * text or in the debug sidebar. A real Node-RED runs with trace logging and an encrypted credential
 * file; the debug sidebar is read over the editor's websocket.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require(require.resolve('ws', { paths: [path.dirname(require.resolve('node-red'))] }));
const { startSim, until, delay, freePort, DEVICE } = require('../helpers');
const { helper, serverNode, credentials, load, watch, flowHarness } = require('../helpers/flow');

const PASSWORD = 'Unique-S3cret-P@ssw0rd-7731';
const root = path.join(__dirname, '..', '..');

describe('secrets', function () {
  this.timeout(90000);

  describe('in a real Node-RED with trace logging', () => {
    let sim;
    let red;
    let userDir;
    let log = '';
    const sidebar = [];
    let socket;

    before(async () => {
      sim = await startSim({ users: { agent1: { password: PASSWORD, firstName: 'Demo', lastName: 'Agent' } } });
      userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gws-secrets-'));
      const { prepareUserDir, startNodeRed } = await import(path.join(root, 'scripts', 'lib', 'node-red-instance.mjs'));
      const port = await freePort();
      prepareUserDir({
        dir: userDir,
        port,
        settings: { credentialSecret: 'a-test-credential-secret', logging: { console: { level: 'trace', metrics: false, audit: true } } },
      });
      red = startNodeRed({ userDir, port, onOutput: (text) => (log += text) });
      await red.started;
      socket = new WebSocket(`ws://127.0.0.1:${port}/comms`);
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ subscribe: 'debug' }));
      socket.on('message', (data) => sidebar.push(data.toString()));
      const tab = 't1';
      const flows = [
        { id: tab, type: 'tab', label: 'secrets' },
        { id: 's1', type: 'gws-server', name: 'gws', baseUrl: sim.url, devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1', credentials: { username: 'agent1', password: PASSWORD } },
        { id: 'good', type: 'inject', z: tab, props: [{ p: 'payload' }], payload: '{"recordHandle":12,"callingList":"L"}', payloadType: 'json', wires: [['c1']] },
        { id: 'bad', type: 'inject', z: tab, props: [{ p: 'payload' }], payload: '{"recordHandle":12}', payloadType: 'json', wires: [['c1']] },
        { id: 'c1', type: 'gws-complete-record', z: tab, server: 's1', timeout: '10000', wires: [['d1']] },
        { id: 'd1', type: 'debug', z: tab, active: true, tosidebar: true, console: true, complete: 'true', targetType: 'full', wires: [] },
        { id: 'k1', type: 'catch', z: tab, scope: null, uncaught: false, wires: [['d2']] },
        { id: 'd2', type: 'debug', z: tab, active: true, tosidebar: true, console: true, complete: 'true', targetType: 'full', wires: [] },
        { id: 'e1', type: 'gws-outbound-event', z: tab, server: 's1', channel: 'both', wires: [['d3']] },
        { id: 'd3', type: 'debug', z: tab, active: true, tosidebar: true, console: true, complete: 'true', targetType: 'full', wires: [] },
      ];
      const deploy = await fetch(`${red.url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flows) });
      assert.ok(deploy.status === 200 || deploy.status === 204, await deploy.text());
      await until(() => sim.stats().cometdClients === 1, 10000, 'connected');
      const inject = (id) => fetch(`${red.url}/inject/${id}`, { method: 'POST' });
      const answers = () => sidebar.filter((m) => m.includes('RecordProcessedAcknowledge')).length;
      /** Injects a good request and waits for its answer in the sidebar (each step starts from a quiet state). */
      const answered = async (what) => {
        const before = answers();
        await inject('good');
        await until(() => answers() > before, 20000, `the answer ${what} in the sidebar`);
      };
      const subscribedAgain = () => until(() => sim.stats().cometdClients === 1 && sim.stats().heldConnects === 1, 20000, 'subscribed again');
      // A success, a parameter error, a CSRF refresh, a forgotten CometD client, refused credentials.
      await answered('of a plain request');
      await inject('bad');
      await until(() => sidebar.some((m) => m.includes('callingList is missing')), 20000, 'the parameter error in the sidebar');
      sim.rotateCsrf();
      await answered('after a CSRF refresh');
      sim.forgetClients();
      await subscribedAgain();
      await answered('after the server forgot the CometD client');
      sim.setPassword('agent1', 'changed');
      sim.forgetClients();
      await until(() => sim.stats().authFailures >= 1, 20000, 'a refused login');
      await inject('good');
      await until(() => sidebar.some((m) => m.includes('refused the credentials')), 20000, 'the refusal in the sidebar');
      sim.setPassword('agent1', PASSWORD);
      await subscribedAgain();
      await delay(500);
    });

    after(async () => {
      socket?.close();
      await red?.stop();
      await sim?.stop();
      if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    });

    function secrets() {
      return [PASSWORD, Buffer.from(`agent1:${PASSWORD}`).toString('base64'), ...sim.sessionSecrets()];
    }

    it('produced trace output, debug messages, errors and failures to look at', () => {
      assert.match(log, /\[trace\]/);
      assert.ok(sidebar.some((m) => m.includes('RecordProcessedAcknowledge')));
      assert.ok(sidebar.some((m) => m.includes('callingList is missing')));
      assert.ok(sim.stats().csrfRejections >= 1 && sim.stats().authFailures >= 1);
      assert.ok(sim.sessionSecrets().length >= 2, 'a session id and a CSRF token to look for');
    });

    it('keeps them out of the log at trace level', () => {
      for (const secret of secrets()) assert.ok(!log.includes(secret), `log contains ${secret.slice(0, 4)}…`);
    });

    it('keeps them out of the debug sidebar (messages and errors)', () => {
      const all = sidebar.join('\n');
      for (const secret of secrets()) assert.ok(!all.includes(secret), `sidebar contains ${secret.slice(0, 4)}…`);
    });

    it('keeps the password out of the flow export and the flow file; the credential file is encrypted', async () => {
      const exported = await (await fetch(`${red.url}/flows`, { headers: { accept: 'application/json' } })).text();
      assert.ok(exported.includes('gws-server'));
      assert.ok(!exported.includes(PASSWORD));
      const flowFile = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
      assert.ok(flowFile.includes('gws-server') && !flowFile.includes(PASSWORD));
      const credFile = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
      assert.ok(!credFile.includes(PASSWORD) && !credFile.includes('agent1'), 'encrypted');
      const nodeCredentials = await (await fetch(`${red.url}/credentials/gws-server/s1`)).json();
      assert.equal(nodeCredentials.username, 'agent1');
      assert.equal(nodeCredentials.password, undefined, 'the editor only learns that a password is set');
      assert.equal(nodeCredentials.has_password, true);
    });
  });

  describe('over plain HTTP', () => {
    const h = flowHarness();

    it('warns once when Basic auth would go over plain HTTP to a host that is not this machine', async () => {
      // 192.0.2.1 is TEST-NET-1: never routed, so nothing leaves this machine.
      await load([serverNode(h.sim, { baseUrl: 'http://192.0.2.1:8090' }), { id: 'node', type: 'gws-complete-record', server: 'server', timeout: '200', wires: [[]] }]);
      const server = watch('server');
      const node = watch('node');
      for (let i = 0; i < 3; i++) helper.getNode('node').receive({ payload: { recordHandle: i, callingList: 'L' } });
      await until(() => node.errors.length === 3, 5000, 'three errors');
      const warnings = server.warnings.filter((w) => /plain HTTP/.test(w));
      assert.deepEqual(warnings, ['Credentials are sent to 192.0.2.1:8090 over plain HTTP: use https:// for a GWS that is not on this machine']);
    });

    it('does not warn for this machine', async () => {
      await load([serverNode(h.sim), { id: 'node', type: 'gws-complete-record', server: 'server', wires: [['out']] }, { id: 'out', type: 'helper' }], credentials());
      const server = watch('server');
      const out = new Promise((resolve) => helper.getNode('out').once('input', resolve));
      helper.getNode('node').receive({ payload: { recordHandle: 1, callingList: 'L' } });
      await out;
      assert.deepEqual(server.warnings.filter((w) => /plain HTTP/.test(w)), []);
    });
  });
});
