'use strict';
/**
 * A real Node-RED for the flow and admin-API suites: a child process in its own process group with a
 * fresh user directory (scripts/lib/node-red-instance.mjs), telemetry and tours off, on 127.0.0.1 and a
 * free port. Flows are deployed through the Admin API (credentials inside the flow JSON, as the editor
 * sends them), inject nodes are pressed through `POST /inject/<id>`, and what a flow produces is seen by
 * a small collector HTTP server that end nodes of the flow POST to (core `http request` nodes).
 */
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { freePort, until, delay } = require('./index');

const root = path.join(__dirname, '..', '..');

/**
 * Starts Node-RED. Options:
 * - `settings`: merged into the generated settings.js (JSON values only);
 * - `preamble`: JavaScript put before `module.exports` in settings.js (code that runs when Node-RED
 *   reads its settings, before any node is loaded);
 * - `env`: extra environment variables of the Node-RED process;
 * - `prepare(dir)`: called after the user directory is written, before Node-RED starts.
 * Resolves once the (empty) flows have started.
 */
async function startRed({ settings = {}, preamble, env = {}, prepare } = {}) {
  const { prepareUserDir, startNodeRed } = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'node-red-instance.mjs')).href);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gws-red-'));
  const port = await freePort();
  prepareUserDir({ dir, port, settings });
  if (preamble) {
    const file = path.join(dir, 'settings.js');
    fs.writeFileSync(file, `${preamble}\n${fs.readFileSync(file, 'utf8')}`);
  }
  if (prepare) prepare(dir);
  let log = '';
  const red = startNodeRed({ userDir: dir, port, env, onOutput: (text) => (log += text) });
  try {
    await red.started;
  } catch (error) {
    await red.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const instance = {
    url: red.url,
    port,
    dir,
    child: red.child,
    /** Everything Node-RED wrote to stdout and stderr so far. */
    output: () => log,
    /** Headers sent with every Admin API call of this helper (e.g. an access token). */
    headers: {},
    async stop() {
      await red.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    /**
     * `POST /flows`; resolves once the new flows have started (Node-RED answers the POST before it starts
     * them, and says so in its log).
     */
    async deploy(flows, type = 'full') {
      const from = log.length;
      const response = await fetch(`${red.url}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': type, ...instance.headers },
        body: JSON.stringify(flows),
      });
      const text = await response.text();
      if (response.status !== 200 && response.status !== 204) throw new Error(`deploy failed: HTTP ${response.status} ${text}`);
      await until(() => /Started (modified )?(flows|nodes)/.test(log.slice(from)), 10000, 'the deployed flows to start');
      return text;
    },
    /** `GET /flows` (the flows as the editor sees them, credentials removed). */
    async flows() {
      const response = await fetch(`${red.url}/flows`, { headers: { accept: 'application/json', ...instance.headers } });
      return response.json();
    },
    /** Presses inject node `id`. */
    async inject(id) {
      const response = await fetch(`${red.url}/inject/${encodeURIComponent(id)}`, { method: 'POST', headers: instance.headers });
      if (response.status !== 200) throw new Error(`inject ${id}: HTTP ${response.status} ${await response.text()}`);
    },
    /** Waits until Node-RED's output after position `from` (a length of output()) matches `pattern`. */
    async logged(pattern, from = 0, timeoutMs = 5000) {
      await until(() => pattern.test(log.slice(from)), timeoutMs, `${pattern} in the Node-RED log`);
    },
  };
  return instance;
}

/**
 * A collector: an HTTP server on 127.0.0.1 and a free port that keeps the JSON body of every POST by
 * path. `next(path)` resolves with the next body for a path; `after(path, ms)` gives all bodies once
 * nothing new arrived for `ms`.
 */
async function startCollector() {
  const bodies = new Map();
  const waiters = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const key = req.url.split('?')[0];
      if (!bodies.has(key)) bodies.set(key, []);
      bodies.get(key).push(body);
      for (const waiter of [...waiters]) waiter();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const list = (key) => bodies.get(key) ?? [];
  const collector = {
    url,
    /** All bodies POSTed to `key` so far. */
    all: list,
    clear() {
      bodies.clear();
    },
    /** Resolves when `key` holds at least `count` bodies; rejects after `timeoutMs`. */
    wait(key, count = 1, timeoutMs = 10000) {
      if (list(key).length >= count) return Promise.resolve(list(key));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${key}: ${list(key).length} of ${count} messages within ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          if (list(key).length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(list(key));
        }
        waiters.add(check);
      });
    },
    /**
     * Resolves with what arrived at `keys` once the first of them received something (or after
     * `timeoutMs`), after a further quiet `settleMs` to see whether anything else follows.
     */
    async first(keys, timeoutMs = 10000, settleMs = 150) {
      const total = () => keys.reduce((sum, key) => sum + list(key).length, 0);
      await until(() => total() > 0, timeoutMs, `a message at ${keys.join(' or ')}`);
      await delay(settleMs);
      return Object.fromEntries(keys.map((key) => [key, [...list(key)]]));
    },
    stop() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return collector;
}

/**
 * Nodes that report every message reaching them to the collector at `path`: a function node that puts
 * what the test looks at into msg.payload, then a core http request node that POSTs it. Returns the
 * nodes and the id to wire to.
 */
function reporter(collector, { id, z, path: key, x = 700, y = 100 }) {
  const format = {
    id,
    type: 'function',
    z,
    name: `report ${key}`,
    func: [
      'const copy = (value) => value === undefined ? undefined : JSON.parse(JSON.stringify(value));',
      'msg.payload = { payload: copy(msg.payload), topic: msg.topic, gws: copy(msg.gws), error: copy(msg.error), tag: msg.tag, parts: copy(msg.parts) };',
      'delete msg.headers; delete msg.url; delete msg.method; delete msg.requestTimeout; delete msg.cookies; delete msg.rejectUnauthorized;',
      'return msg;',
    ].join('\n'),
    outputs: 1,
    x,
    y,
    wires: [[`${id}-post`]],
  };
  const post = {
    id: `${id}-post`,
    type: 'http request',
    z,
    name: '',
    method: 'POST',
    ret: 'txt',
    paytoqs: 'ignore',
    url: `${collector.url}${key}`,
    tls: '',
    persist: false,
    proxy: '',
    insecureHTTPParser: false,
    authType: '',
    senderr: false,
    headers: [],
    x: x + 200,
    y,
    wires: [[]],
  };
  return [format, post];
}

/** The simulator's record of the requests it received (`GET /sim/requests`). */
async function simRequests(sim) {
  const response = await fetch(`${sim.url}/sim/requests`);
  return response.json();
}

module.exports = { root, startRed, startCollector, reporter, simRequests };
