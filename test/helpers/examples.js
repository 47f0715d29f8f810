'use strict';
/**
 * Helpers for the tests of examples/: the example files, the properties the editor defines for each
 * node type (read from the editor files themselves), the core node modules the examples use, and
 * the control API of the simulator that a server node with `useSimulator: true` starts.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { dist } = require('./index');

const root = path.join(__dirname, '..', '..');
const EXAMPLES_DIR = path.join(root, 'examples');

/** Every example file, sorted as the Import > Examples menu lists them: `{ file, title, text, nodes }`. */
function exampleFiles() {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
      return { file, title: file.replace(/\.json$/, ''), text, nodes: JSON.parse(text) };
    });
}

/** The example whose file name starts with `prefix` (e.g. `01`). */
function example(prefix) {
  const found = exampleFiles().find((e) => e.file.startsWith(`${prefix} `));
  if (!found) throw new Error(`no example ${prefix} in ${EXAMPLES_DIR}`);
  return found;
}

/**
 * The `defaults` and `credentials` of every node type the package's editor files register, found by
 * running their inline scripts (and the shared resources/gws-editor.js) against a stub of the editor API.
 * Returns `{ [type]: { defaults: Set<string>, credentials: Set<string> } }`.
 */
function editorDefinitions() {
  const registered = {};
  const $ = () => ({ length: 0, val() {}, on() {}, prop() {}, attr() {}, toggle() {}, typedInput() {} });
  $.extend = Object.assign;
  const sandbox = {
    $,
    jQuery: $,
    RED: {
      _: (key) => key,
      validators: { number: () => () => true, regex: () => () => true, typedInput: () => () => true },
      nodes: {
        registerType(type, definition) {
          registered[type] = {
            defaults: new Set(Object.keys(definition.defaults ?? {})),
            credentials: new Set(Object.keys(definition.credentials ?? {})),
          };
        },
        node: () => null,
      },
    },
  };
  sandbox.window = sandbox;
  const context = vm.createContext(sandbox);
  // The generated operation table first: the shared editor code builds the dialogs from it.
  for (const resource of ['gws-operations.js', 'gws-editor.js']) {
    const shared = path.join(root, 'resources', resource);
    if (fs.existsSync(shared)) vm.runInContext(fs.readFileSync(shared, 'utf8'), context, { filename: shared });
  }
  const dir = path.join(root, 'nodes');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.html'))) {
    const html = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
      vm.runInContext(match[1], context, { filename: path.join(dir, file) });
    }
  }
  // A node type of the package without an editor file yet: what its dialog will store, from the table.
  for (const type of PACKAGE_TYPES) registered[type] ??= tableDefinition(type);
  return registered;
}

/** Core node modules by type, from the @node-red/nodes package that belongs to the node-red used in the tests. */
const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(require.resolve('node-red'))] }));
const CORE_FILES = {
  inject: 'core/common/20-inject.js',
  debug: 'core/common/21-debug.js',
  comment: 'core/common/90-comment.js',
  function: 'core/function/10-function.js',
  switch: 'core/function/10-switch.js',
  change: 'core/function/15-change.js',
  delay: 'core/function/89-delay.js',
  'http proxy': 'core/network/06-httpproxy.js',
  'tls-config': 'core/network/05-tls.js',
};
/** Node types the test helper loads itself when a flow uses them. */
const HELPER_TYPES = new Set(['catch', 'status', 'complete']);
const PACKAGE_TYPES = new Set(['gws-server', 'gws-complete-record', 'gws-get-chained-record', 'gws-outbound-record', 'gws-outbound-campaign', 'gws-outbound-event']);

/**
 * The properties an action node's dialog stores, from the operation table the dialogs are built from:
 * name, server, waitForAck, timeout, every parameter of its operations with its TypedInput type, and
 * `operation` where it offers more than one. Used for a node type whose editor file is not there.
 */
function tableDefinition(type) {
  const { NODE_OPERATIONS, paramsOf } = require(path.join(dist, 'core', 'index.js'));
  const operations = NODE_OPERATIONS[type];
  if (!operations) return undefined;
  const defaults = new Set(['name', 'server', 'waitForAck', 'timeout', ...(operations.length > 1 ? ['operation'] : [])]);
  for (const param of paramsOf(operations)) {
    defaults.add(param);
    defaults.add(`${param}Type`);
  }
  return { defaults, credentials: new Set(), fromTable: true };
}

/** The core node modules a flow needs (debug nodes are replaced by helper nodes, see `forTest`). */
function coreModules(flow) {
  const types = new Set(flow.map((n) => n.type));
  return Object.entries(CORE_FILES)
    .filter(([type]) => types.has(type))
    .map(([, file]) => require(path.join(nodesDir, file)));
}

/**
 * A copy of an example ready for the test helper: every debug node becomes a helper node with the
 * same id (so the wires to it stay and the test can watch what arrives), `change` edits nodes by id.
 */
function forTest(nodes, change = {}) {
  return structuredClone(nodes).map((node) => {
    const changed = change[node.id] ? { ...node, ...change[node.id] } : node;
    if (changed.type !== 'debug') return changed;
    return { id: changed.id, type: 'helper', z: changed.z, name: changed.name, x: changed.x, y: changed.y, wires: [] };
  });
}

/** The single node of `type` (and `name`, if given) in a flow; throws when there is none or several. */
function only(nodes, type, name) {
  const found = nodes.filter((n) => n.type === type && (name === undefined || n.name === name));
  if (found.length !== 1) throw new Error(`expected one ${type}${name === undefined ? '' : ` named "${name}"`}, found ${found.length}`);
  return found[0];
}

/**
 * The simulator a `useSimulator: true` server node runs inside the process. Acquiring it here keeps it
 * (and what the test set up in it, like faults) alive across the flow's start and stop; `release()` ends it.
 */
async function embeddedSimulator() {
  const { acquireSimulator, stopUnusedSimulator } = require(path.join(dist, 'nodes', 'lib', 'embedded-simulator.js'));
  // A fresh simulator per test: no requests, records, preview sessions or faults of an earlier one.
  await stopUnusedSimulator();
  const sim = await acquireSimulator({ control: true });
  async function control(method, route, body) {
    const res = await fetch(`${sim.url}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator control ${method} ${route}: HTTP ${res.status}`);
    return res.json();
  }
  return {
    url: sim.url,
    /** Releases it; once nobody uses it any more it stops at once (instead of lingering as it does for a redeploy). */
    release: async () => {
      await sim.release();
      await stopUnusedSimulator();
    },
    fault: (rules) => control('POST', '/sim/faults', rules),
    stats: () => control('GET', '/sim/stats'),
    /** Pushes an unsolicited PreviewRecord (answering no request) to the demo user's CometD clients. */
    pushPreviewRecord: () => control('POST', '/sim/push', { notificationType: 'PreviewRecord' }),
    /** The outbound operation requests the simulator received (also those it then refused or dropped). */
    operations: async () => (await control('GET', '/sim/requests')).filter((r) => r.path.startsWith('/api/v2/me/outbound-records/')),
    /** Every operation request the simulator received: records, AddRecord and campaigns. */
    requests: () => control('GET', '/sim/requests'),
  };
}

module.exports = { EXAMPLES_DIR, exampleFiles, example, editorDefinitions, tableDefinition, coreModules, forTest, only, embeddedSimulator, HELPER_TYPES, PACKAGE_TYPES, CORE_FILES };
