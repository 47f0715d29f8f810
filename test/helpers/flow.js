'use strict';
/**
 * Flow tests: node-red-node-test-helper loading the compiled node files, with a simulator per test.
 * In these tests RED._ returns keys; the nodes then render the en-US catalog themselves, so error
 * texts read as users see them.
 */
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const { dist, USER, startSim } = require('./index');

// GWS_NODE_RED_FROM: a directory whose node_modules hold the Node-RED to test with (the compatibility runs).
helper.init(require.resolve('node-red', { paths: [process.env.GWS_NODE_RED_FROM || __dirname] }));

const nodes = {
  server: require(path.join(dist, 'nodes', 'gws-server.js')),
  complete: require(path.join(dist, 'nodes', 'gws-complete-record.js')),
  chained: require(path.join(dist, 'nodes', 'gws-get-chained-record.js')),
  record: require(path.join(dist, 'nodes', 'gws-outbound-record.js')),
  campaign: require(path.join(dist, 'nodes', 'gws-outbound-campaign.js')),
  event: require(path.join(dist, 'nodes', 'gws-outbound-event.js')),
};
const ALL = [nodes.server, nodes.complete, nodes.chained, nodes.record, nodes.campaign, nodes.event];

/** A gws-server node definition pointing at `sim`. */
function serverNode(sim, extra = {}) {
  return { id: 'server', type: 'gws-server', name: 'sim', baseUrl: sim.url, devicePath: '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00', applicationId: '134', campaignName: 'Campaign1', ...extra };
}

const credentials = (id = 'server', user = USER) => ({ [id]: { username: user.username, password: user.password } });

/** Loads a flow with every node type of the package; resolves when started. */
function load(flow, creds = credentials()) {
  return helper.load(ALL, flow, creds);
}

/** Resolves with the next message arriving at helper node `id`. */
function nextMessage(id, timeoutMs = 5000) {
  const node = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message at ${id} within ${timeoutMs} ms`)), timeoutMs);
    node.once('input', (msg) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Collects what a node reports: sent messages, done(err) errors (as Catch nodes see them) and statuses. */
function watch(id) {
  const node = helper.getNode(id);
  const seen = { errors: [], statuses: [], warnings: [] };
  node.on('call:error', (call) => seen.errors.push({ text: String(call.args[0]), msg: call.args[1] }));
  node.on('call:status', (call) => seen.statuses.push(call.args[0]));
  node.on('call:warn', (call) => seen.warnings.push(String(call.args[0])));
  return seen;
}

/**
 * The hooks of a flow test: before each test a fresh simulator (options, or a function returning them)
 * and the test helper's server; after it, the flows unloaded, the server and the simulator stopped.
 * `harness.sim` is that simulator; a test that replaces it leaves the new one to be stopped.
 */
function flowHarness(options = {}) {
  const harness = { sim: undefined };
  beforeEach(async () => {
    harness.sim = await startSim(typeof options === 'function' ? options() : options);
    await new Promise((resolve) => {
      helper.startServer(resolve);
    });
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise((resolve) => {
      helper.stopServer(resolve);
    });
    await harness.sim.stop();
  });
  return harness;
}

module.exports = { helper, nodes, ALL, serverNode, credentials, load, nextMessage, watch, flowHarness };
