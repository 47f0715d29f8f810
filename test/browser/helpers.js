'use strict';
/** Helpers for the editor test in Chromium: a free port, a Node-RED + simulator pair, and editor gestures. */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { freePort } = require('../helpers');

const root = path.join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];


/**
 * The Node-RED majors the editor is tested on: 4.1 (the dev dependency, on this Node) and 5 (the
 * `node-red-5` dev dependency, on the Node 22 binary of the `node-22` dev dependency, since Node-RED 5
 * needs Node >= 22.9).
 */
const NODE_RED = {
  4: { label: 'Node-RED 4.1', redScript: require.resolve('node-red/red.js'), nodeBinary: process.execPath },
  5: {
    label: 'Node-RED 5',
    redScript: path.join(root, 'node_modules', 'node-red-5', 'red.js'),
    nodeBinary: path.join(root, 'node_modules', 'node-22', 'bin', 'node'),
  },
};

/**
 * Starts Node-RED (`major` 4 or 5) with `flows` in a fresh user dir under os.tmpdir(); `stop()` ends its
 * process group. `settings` are merged into settings.js.
 */
async function startEditor({ major = 4, flows = [], credentials = {}, settings = {}, env = {} } = {}) {
  const { prepareUserDir, startNodeRed } = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'node-red-instance.mjs')).href);
  const target = NODE_RED[major];
  if (!target) throw new Error(`no Node-RED ${major} to test with`);
  const port = await freePort();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gws-browser-'));
  prepareUserDir({ dir: userDir, flows, credentials, port, settings });
  let log = '';
  const red = startNodeRed({
    userDir, port, env, timeoutMs: 30000, redScript: target.redScript, nodeBinary: target.nodeBinary, onOutput: (text) => { log += text; },
  });
  const stop = async () => {
    await red.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    await red.started;
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: red.url, userDir, major, label: target.label, log: () => log, stop };
}

/** Centre of an element's bounding box (throws when it is not rendered). */
async function centre(locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`element not visible: ${locator}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags with the real mouse from one point to another, in small steps as a hand would. */
async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 10, from.y + 5, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 15 });
  await page.mouse.up();
}

/** Drags a palette entry onto the workspace at (x, y) relative to the chart; resolves with the new node's id. */
async function dropFromPalette(page, type, x, y) {
  const before = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const entry = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await entry.scrollIntoViewIfNeeded();
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  await drag(page, await centre(entry), { x: chart.x + x, y: chart.y + y });
  const handle = await page.waitForFunction(
    ([t, known]) => {
      const added = RED.nodes.filterNodes({ type: t }).filter((n) => !known.includes(n.id));
      return added.length === 1 ? added[0].id : false;
    },
    [type, before],
    { timeout: 5000 },
  );
  return handle.jsonValue();
}

/** The SVG group of a node on the workspace. */
function nodeOnCanvas(page, id) {
  return page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`);
}

/** The label of a node on the workspace, its lines joined by a space. */
function canvasLabel(page, id) {
  return nodeOnCanvas(page, id).locator('.red-ui-flow-node-label').evaluate((el) => {
    const lines = [...el.querySelectorAll('.red-ui-flow-node-label-text')].map((t) => t.textContent);
    return (lines.length ? lines : [el.textContent]).join(' ').replace(/\s+/g, ' ').trim();
  });
}

/** The visible text field of the TypedInput built on `#node-input-<param>` (that element itself is hidden). */
function typed(page, param) {
  return page.locator(`#node-input-${param} + .red-ui-typedInput-container input.red-ui-typedInput-input`);
}

/** Resolves once the element's box has stopped moving (the editor trays slide in and out). */
async function settled(page, selector, timeout = 5000) {
  await page.waitForFunction(
    (sel) => {
      const el = [...document.querySelectorAll(sel)].pop();
      if (!el) return false;
      const r = el.getBoundingClientRect();
      const now = `${r.x},${r.y},${r.width},${r.height}`;
      const same = window.__gwsLastBox === now;
      window.__gwsLastBox = now;
      return same;
    },
    selector,
    { timeout, polling: 100 },
  );
}

/** Wires output 0 of `from` to the input of `to` by dragging between the ports; falls back to the editor API. */
async function wire(page, from, to) {
  const out = nodeOnCanvas(page, from).locator('.red-ui-flow-port-output').first();
  const inp = nodeOnCanvas(page, to).locator('.red-ui-flow-port-input').first();
  await drag(page, await centre(out), await centre(inp));
  const linked = () => page.evaluate(([a, b]) => RED.nodes.filterLinks({ source: { id: a }, target: { id: b } }).length, [from, to]);
  if ((await linked()) === 1) return 'drag';
  await page.evaluate(([a, b]) => {
    const link = { source: RED.nodes.node(a), sourcePort: 0, target: RED.nodes.node(b) };
    RED.nodes.addLink(link);
    RED.history.push({ t: 'add', links: [link], dirty: RED.nodes.dirty() });
    RED.nodes.dirty(true);
    RED.view.redraw(true);
  }, [from, to]);
  return 'api';
}

/** Presses Deploy and resolves once the editor no longer has undeployed changes (rejects on an error notification). */
async function deploy(page) {
  await page.locator('#red-ui-header-button-deploy').click();
  const handle = await page.waitForFunction(() => {
    if (!RED.nodes.dirty()) return 'deployed';
    const error = document.querySelector('#red-ui-notifications .red-ui-notification-error, .red-ui-notification-error');
    return error ? `deploy failed: ${error.textContent.trim()}` : false;
  });
  const outcome = await handle.jsonValue();
  if (outcome !== 'deployed') throw new Error(outcome);
}

/** Resolves once the status text under the node on the workspace reads `text`. */
async function waitForStatus(page, id, text, timeout = 15000) {
  await page.waitForFunction(
    ([nid, want]) => {
      const el = document.querySelector(`g.red-ui-flow-node-group[id="${nid}"] .red-ui-flow-node-status-label`);
      return el && el.textContent === want;
    },
    [id, text],
    { timeout },
  );
}

/** Opens the debug tab of the sidebar; resolves with its message list. */
async function showDebug(page) {
  await page.locator('#red-ui-tab-debug-link-button').click().catch(() => page.evaluate(() => RED.sidebar.show('debug')));
  const list = page.locator('#red-ui-sidebar-content .red-ui-debug-content-list');
  await list.waitFor({ state: 'visible' });
  return list;
}

/** Text of an element with its white space collapsed. */
async function flatText(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Expands the object view of a message in the debug sidebar along `keys` (e.g. ['records', '0']) by clicking
 * the rows that are still collapsed, as a user would; resolves with the (expanded) element of the last key.
 */
async function expandDebug(message, keys) {
  const page = message.page();
  let element = message.locator('.red-ui-debug-msg-top-level').first();
  const open = async (el) => {
    await el.waitFor({ state: 'visible' });
    if (await el.evaluate((e) => e.classList.contains('collapsed'))) await el.locator(':scope > .red-ui-debug-msg-row').click();
    await page.waitForFunction((e) => !e.classList.contains('collapsed'), await el.elementHandle());
  };
  await open(element);
  for (const key of keys) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    element = element
      .locator(':scope > .red-ui-debug-msg-object-entry > .red-ui-debug-msg-element, :scope > .red-ui-debug-msg-array-rows > .red-ui-debug-msg-object-entry > .red-ui-debug-msg-element')
      .filter({ has: page.locator(':scope > .red-ui-debug-msg-row > .red-ui-debug-msg-object-key', { hasText: new RegExp(`^${escaped}$`) }) });
    await open(element);
  }
  return element;
}

/** The children of an expanded element of the debug sidebar's object view, as their rows read ("key: summary"). */
function debugRows(element) {
  return element
    .locator(':scope > .red-ui-debug-msg-object-entry > .red-ui-debug-msg-element > .red-ui-debug-msg-row, :scope > .red-ui-debug-msg-array-rows > .red-ui-debug-msg-object-entry > .red-ui-debug-msg-element > .red-ui-debug-msg-row')
    .evaluateAll((rows) => rows.map((row) => row.innerText.replace(/\s+/g, ' ').trim()));
}

module.exports = {
  CHROMIUM, CHROMIUM_ARGS, NODE_RED, root, freePort, startEditor, centre, drag, dropFromPalette, nodeOnCanvas, canvasLabel, typed, settled, wire,
  deploy, waitForStatus, showDebug, flatText, expandDebug, debugRows,
};
