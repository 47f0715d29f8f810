'use strict';
/**
 * Another CometD user in the same Node-RED. `cometd-nodejs-client`'s `adapt()` puts a process-wide
 * `window` with an XMLHttpRequest (its own, with one global cookie jar) and a WebSocket; the package's
 * CometD transport must not depend on it, nor be disturbed by it.
 *
 * Two ways another package does that, each in a Node-RED of its own (the `window` stays for the life
 * of the process):
 * - a function node that loads cometd-nodejs-client through `libs` (functionExternalModules) and calls
 *   `adapt()` in its On Start code: after our nodes are loaded, before they connect; `window` then is
 *   the one our package created, now with an XMLHttpRequest and a WebSocket;
 * - settings.js requiring it and calling `adapt()`: before Node-RED loads any node, so our package
 *   finds a `window` that is not its own.
 * In both: the connection, a completed record, a forced re-handshake (`POST /sim/forget-clients`) and
 * a full redeploy with a request in flight.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startSim, until, delay, DEVICE } = require('../helpers');
const { startRed, startCollector, reporter, simRequests, root } = require('../helpers/red');

const RECORD = { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1' };
const OTHER = 'other-package';
const TAB = 'gws';

/** The user directory knows cometd-nodejs-client as an installed module (a link to the dev dependency), so nothing is installed. */
function linkCometdNodejsClient(dir) {
  const source = path.dirname(require.resolve('cometd-nodejs-client/package.json', { paths: [root] }));
  fs.symlinkSync(source, path.join(dir, 'node_modules', 'cometd-nodejs-client'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-user-dir', private: true, dependencies: { 'cometd-nodejs-client': '*' } }, null, 2));
}

const MODES = [
  {
    name: 'a function node calls adapt() (libs: cometd-nodejs-client) after the package loaded, before it connects',
    settings: { functionExternalModules: true, externalModules: { modules: { allowInstall: false } } },
    adaptInFunction: true,
  },
  {
    name: 'settings.js calls adapt() before Node-RED loads the package',
    settings: { functionExternalModules: true, externalModules: { modules: { allowInstall: false } } },
    preamble: "require('cometd-nodejs-client').adapt();",
    adaptInFunction: false,
  },
];

for (const mode of MODES) {
  describe(`with cometd-nodejs-client adapted in the same Node-RED: ${mode.name}`, function () {
    this.timeout(30000);
    let sim;
    let red;
    let collector;

    before(async () => {
      sim = await startSim({ longPollTimeoutMs: 2000 });
      collector = await startCollector();
      red = await startRed({ settings: mode.settings, preamble: mode.preamble, prepare: linkCometdNodejsClient });
    });

    after(async () => {
      await red?.stop();
      await collector?.stop();
      await sim?.stop();
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed') process.stdout.write(`    Node-RED log (last lines):\n${red.output().split('\n').slice(-25).join('\n')}\n`);
    });

    /** The tab of the "other package": it adapts (when so configured) and reports what `window` holds. */
    function otherTab() {
      const libs = [{ var: 'vm', module: 'vm' }];
      if (mode.adaptInFunction) libs.push({ var: 'cometdNodejsClient', module: 'cometd-nodejs-client' });
      return [
        { id: OTHER, type: 'tab', label: 'another CometD user' },
        { id: 'probe', type: 'inject', z: OTHER, props: [{ p: 'payload' }], payload: '', payloadType: 'date', x: 100, y: 40, wires: [['adapt']] },
        {
          id: 'adapt',
          type: 'function',
          z: OTHER,
          name: 'cometd-nodejs-client',
          // The function's own context has no `window`; the process's global is reached through vm.
          func: "const w = vm.runInThisContext('globalThis.window');\nmsg.payload = { window: typeof w, xhr: typeof (w && w.XMLHttpRequest), webSocket: typeof (w && w.WebSocket) };\nreturn msg;",
          outputs: 1,
          timeout: 0,
          noerr: 0,
          initialize: mode.adaptInFunction ? 'cometdNodejsClient.adapt();' : '',
          finalize: '',
          libs,
          x: 300,
          y: 40,
          wires: [['probe-report']],
        },
        ...reporter(collector, { id: 'probe-report', z: OTHER, path: '/probe', y: 40 }),
      ];
    }

    function gwsTab(name = 'complete record') {
      return [
        { id: TAB, type: 'tab', label: 'gws' },
        { id: 's1', type: 'gws-server', name: 'simulator', baseUrl: sim.url, devicePath: DEVICE, credentials: { username: 'agent1', password: 'agent1' } },
        { id: 'go', type: 'inject', z: TAB, props: [{ p: 'payload' }], payload: JSON.stringify(RECORD), payloadType: 'json', x: 100, y: 100, wires: [['a']] },
        { id: 'a', type: 'gws-complete-record', z: TAB, name, server: 's1', x: 300, y: 100, wires: [['out']] },
        { id: 'e', type: 'gws-outbound-event', z: TAB, server: 's1', channel: 'both', notificationTypes: '', correlated: 'only', x: 100, y: 200, wires: [['events']] },
        { id: 'k', type: 'catch', z: TAB, scope: null, uncaught: false, x: 100, y: 300, wires: [['err']] },
        ...reporter(collector, { id: 'out', z: TAB, path: '/out', y: 100 }),
        ...reporter(collector, { id: 'events', z: TAB, path: '/events', y: 200 }),
        ...reporter(collector, { id: 'err', z: TAB, path: '/err', y: 300 }),
      ];
    }

    const connected = () => until(() => sim.stats().cometdClients === 1 && sim.stats().heldConnects === 1, 10000, 'one CometD client subscribed and polling');

    async function completeOnce(what) {
      collector.clear();
      sim.clearRequests();
      await red.inject('go');
      const seen = await collector.first(['/out', '/err'], 10000, 200);
      assert.deepEqual(seen['/err'].map((m) => m.error?.message), [], `no error ${what}`);
      assert.equal(seen['/out'].length, 1, `one output ${what}`);
      const output = seen['/out'][0];
      assert.equal(output.topic, 'RecordProcessedAcknowledge', what);
      const requests = await simRequests(sim);
      assert.equal(requests.length, 1, `one request ${what}`);
      assert.equal(requests[0].path, '/api/v2/me/outbound-records/12');
      assert.equal(output.payload.referenceId, requests[0].body.referenceId);
      await collector.wait('/events', 1);
      assert.equal(collector.all('/events')[0].gws.correlation.referenceId, requests[0].body.referenceId, `the event node got the answer ${what}`);
      return output;
    }

    it('the global window is in place: XMLHttpRequest and WebSocket from cometd-nodejs-client', async () => {
      await red.deploy(otherTab());
      await red.inject('probe');
      const [probe] = await collector.wait('/probe', 1);
      assert.deepEqual(probe.payload, { window: 'object', xhr: 'function', webSocket: 'function' });
    });

    it('connects, completes a record and streams its answer', async () => {
      await red.deploy([...otherTab(), ...gwsTab()]);
      await connected();
      await completeOnce('on the first connection');
    });

    it('after a forced re-handshake (the server forgot the CometD client) it subscribes again and completes a record', async () => {
      const response = await fetch(`${sim.url}/sim/forget-clients`, { method: 'POST' });
      assert.equal(response.status, 200);
      await delay(100);
      await connected();
      await completeOnce('after the re-handshake');
    });

    it('a full redeploy with a request in flight: that message ends once, the new flow completes a record', async () => {
      sim.faults.add({ kind: 'ack', mode: 'late', lateMs: 1500, count: 1 });
      collector.clear();
      sim.clearRequests();
      const logFrom = red.output().length;
      await red.inject('go');
      await until(async () => (await simRequests(sim)).length === 1, 5000, 'the request sent');
      const [inFlight] = await simRequests(sim);
      await red.deploy([...otherTab(), ...gwsTab('complete record (edited)')]);
      // The old flow's Catch node is stopped by a full deploy: the end of that message goes to the log.
      await red.logged(/closed before the answer arrived/, logFrom);
      await delay(1800);
      const log = red.output().slice(logFrom);
      // Said once, naming its referenceId (an error line of its own, or the node's summary warning on close).
      const said = log.split('\n').filter((line) => /\[(warn|error)\]/.test(line) && line.includes(inFlight.body.referenceId));
      assert.equal(said.length, 1, `the message in flight ended once:\n${log}`);
      assert.match(said[0], /node closed before the answer arrived/);
      assert.equal(collector.all('/out').length, 0, 'the late answer produced no output');
      assert.doesNotMatch(log, /Uncaught|unhandled|TypeError|ReferenceError/i);
      await connected();
      await completeOnce('after the redeploy');
    });
  });
}
