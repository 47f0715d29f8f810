'use strict';
/*
 * The editor in a real Chromium, on Node-RED 4.1 and on Node-RED 5 (one browser, one Node-RED and one
 * simulator per major): the palette shows the Genesys nodes, a flow is built by dragging from the palette,
 * the gws-server is added and tested in its dialog, and the deployed flow completes a record on the
 * simulator; a second flow built the same way (inject → get chained record → debug) fetches a chain of 2
 * records. On Node-RED 4.1 writes editor-dialog.png, server-dialog.png and running-flow.png to test-output/
 * (to docs/images/ with UPDATE_SCREENSHOTS=1) and chained-flow.png to test-output/; on Node-RED 5 all four
 * go to test-output/node-red-5/. On failure a screenshot goes to test-output/.
 * Skipped (with a line on stdout) when /usr/bin/chromium is not installed; BROWSER_NODE_RED=4 (or 5) runs one major.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  NODE_RED, root, majors, haveChromium, perMajor, ourPageErrors, reportFailure, dropFromPalette, nodeOnCanvas, canvasLabel, typed, settled,
  wire, deploy, waitForStatus, showDebug, flatText, expandDebug, debugRows, dismissNotifications, pressInject,
} = require('./helpers');

const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
const OUTPUT = path.join(root, 'test-output');
/** Where the screenshots of a major go: the README's (docs/images/ with UPDATE_SCREENSHOTS=1) come from Node-RED 4.1. */
function imagesOf(major) {
  if (major !== 4) return path.join(OUTPUT, `node-red-${major}`);
  return process.env.UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs', 'images') : OUTPUT;
}
const GWS_TYPES = { 'gws-complete-record': 'complete record', 'gws-get-chained-record': 'get chained record', 'gws-outbound-event': 'outbound event' };
/** Text that means an i18n key was shown instead of its translation. */
const RAW_KEY = /node-red-contrib-gws-outbound\/|\bgws-server\.(label|placeholder|test|callResultFormat)\.|\baction\.(label|placeholder|tip)\b|\bgws-(complete-record|get-chained-record|outbound-event)\.(paletteLabel|label)\b/;

const MAJORS = majors();
// One simulator per major, so that each suite sees only its own requests. With animations: dragging from
// the palette relies on jQuery UI's (a drop without them opens an edit dialog).
const stacks = perMajor({
  extra: async () => ({ sim: await require(path.join(root, 'dist', 'simulator', 'index.js')).startSimulator({ host: '127.0.0.1', port: 0 }) }),
});

describe('editor in Chromium', function () {
  before(async function () {
    if (!haveChromium()) this.skip();
    this.timeout(30000);
    await stacks.launch(MAJORS);
  });

  after(async function () {
    this.timeout(30000);
    await stacks.closeAll();
  });

  for (const major of MAJORS) describe(NODE_RED[major].label, function () { editorSuite.call(this, major); });
});

/** The editor suite on one Node-RED major. */
function editorSuite(major) {
  this.timeout(20000);
  const IMAGES = imagesOf(major);
  const OUT = major === 4 ? OUTPUT : IMAGES;
  let sim;
  let editor;
  let session;
  let page;
  const ids = {};
  const placeholders = {};
  /** The tests build on each other: say so instead of failing on a missing element. */
  const need = (...keys) => keys.forEach((key) => assert.ok(ids[key], `needs ids.${key} from an earlier test of this suite`));

  before(async function () {
    this.timeout(120000);
    ({ sim, editor, session, page } = await stacks.get(major));
  });

  afterEach(async function () {
    await reportFailure(this.currentTest, { spec: 'editor', major, editor, ...session });
  });

  after(async function () {
    this.timeout(20000);
    await stacks.close(major);
  });

  it('shows the Genesys category with the three nodes and their icons, and registers gws-server', async () => {
    const header = page.locator('#red-ui-palette-header-Genesys');
    await header.waitFor({ state: 'visible' });
    assert.equal((await header.innerText()).trim(), 'Genesys');
    for (const [type, label] of Object.entries(GWS_TYPES)) {
      const entry = page.locator(`#red-ui-palette-base-category-Genesys .red-ui-palette-node[data-palette-type="${type}"]`);
      assert.equal(await entry.count(), 1, `${type} in the Genesys category`);
      assert.equal((await entry.locator('.red-ui-palette-label').innerText()).replace(/\s+/g, ' ').trim(), label);
      const icon = await entry.locator('.red-ui-palette-icon').evaluate((el) => getComputedStyle(el).backgroundImage);
      assert.match(icon, new RegExp(`icons/node-red-contrib-gws-outbound/${type}\\.svg`), `${type} icon`);
      const res = await page.request.get(new URL(`icons/node-red-contrib-gws-outbound/${type}.svg`, editor.url).href);
      assert.equal(res.status(), 200, `${type} icon is served`);
      assert.match(await res.text(), /<svg/);
    }
    const server = await page.evaluate(() => {
      const def = RED.nodes.getType('gws-server');
      return def && { category: def.category, credentials: Object.keys(def.credentials || {}) };
    });
    assert.deepEqual(server, { category: 'config', credentials: ['username', 'password'] });
  });

  it('builds inject → complete record → debug by dragging from the palette and wiring the ports', async () => {
    ids.inject = await dropFromPalette(page, 'inject', 160, 120);
    ids.record = await dropFromPalette(page, 'gws-complete-record', 420, 200);
    ids.debug = await dropFromPalette(page, 'debug', 700, 120);
    for (const id of Object.values(ids)) await nodeOnCanvas(page, id).waitFor({ state: 'visible' });
    const wiredBy = [await wire(page, ids.inject, ids.record), await wire(page, ids.record, ids.debug)];
    if (wiredBy.includes('api')) console.log(`    note: wired by ${wiredBy.join(', ')} (dragging between the ports did not make a link)`);
    const links = await page.evaluate(() => RED.nodes.filterLinks({}).map((l) => [l.source.id, l.target.id]));
    assert.deepEqual(links.sort(), [[ids.inject, ids.record], [ids.record, ids.debug]].sort());
    assert.equal(await canvasLabel(page, ids.record), 'CompleteRecord msg.payload.recordHandle');
  });

  it('adds a gws-server in the dialog; Test connection logs in through the simulator box and through URL + credentials', async () => {
    need('record');
    await nodeOnCanvas(page, ids.record).locator('.red-ui-flow-node').dblclick();
    await typed(page, 'recordHandle').waitFor({ state: 'visible' });
    // The pencil is disabled while no gws-server exists; the + next to it adds one.
    await page.locator('#node-input-btn-server-add').click();
    const box = page.locator('#node-config-input-useSimulator');
    await box.waitFor({ state: 'visible' });
    const result = page.locator('#node-config-gws-test-result');
    const test = async () => {
      await page.locator('#node-config-gws-test').click();
      await page.waitForFunction(() => {
        const text = document.getElementById('node-config-gws-test-result').textContent;
        return text && !/…|\.\.\./.test(text);
      });
      return (await result.innerText()).trim();
    };

    // Variant 1: the simulator that runs inside Node-RED.
    await box.check();
    assert.equal(await page.locator('#node-config-input-baseUrl').isVisible(), false, 'URL hidden while the simulator box is ticked');
    assert.equal(await test(), 'Connected as Demo Agent (agent1)');

    // Variant 2: the simulator of this test, by URL and credentials.
    await box.uncheck();
    await page.locator('#node-config-input-baseUrl').fill(sim.url);
    await page.locator('#node-config-input-username').fill('agent1');
    await page.locator('#node-config-input-password').fill('agent1');
    await page.locator('#node-config-input-devicePath').fill(DEVICE);
    await page.locator('#node-config-input-applicationId').fill('134');
    await page.locator('#node-config-input-campaignName').fill('Campaign1');
    const before = sim.stats().httpRequests;
    assert.equal(await test(), 'Connected as Demo Agent (agent1)');
    assert.ok(sim.stats().httpRequests > before, 'the test connection went to the URL given');

    const tray = page.locator('.red-ui-tray').last();
    assert.doesNotMatch(await tray.innerText(), RAW_KEY, 'no untranslated keys in the server dialog');
    await settled(page, '.red-ui-tray');
    fs.mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: path.join(IMAGES, 'server-dialog.png') });

    await page.locator('#node-config-dialog-ok').click();
    await box.waitFor({ state: 'detached' });
    const server = await page.evaluate(() => {
      let node;
      RED.nodes.eachConfig((n) => { if (n.type === 'gws-server') node = n; });
      return node && { id: node.id, baseUrl: node.baseUrl, useSimulator: node.useSimulator, devicePath: node.devicePath, applicationId: node.applicationId, campaignName: node.campaignName, selected: $('#node-input-server').val() };
    });
    assert.ok(server, 'a gws-server config node exists');
    ids.server = server.id;
    assert.deepEqual(server, { id: ids.server, baseUrl: sim.url, useSimulator: false, devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1', selected: ids.server });
  });

  it('sets Record handle and Calling list in the complete record dialog', async () => {
    need('record', 'server');
    await typed(page, 'recordHandle').fill('12');
    await typed(page, 'callingList').fill('CallingList1');
    placeholders.campaignName = await typed(page, 'campaignName').getAttribute('placeholder');
    placeholders.recordHandle = await typed(page, 'recordHandle').getAttribute('placeholder');
    placeholders.timeout = await page.locator('#node-input-timeout').getAttribute('placeholder');
    const tray = page.locator('.red-ui-tray').last();
    assert.doesNotMatch(await tray.innerText(), RAW_KEY, 'no untranslated keys in the complete record dialog');
    await settled(page, '.red-ui-tray');
    fs.mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: path.join(IMAGES, 'editor-dialog.png') });
    await page.locator('#node-dialog-ok').click();
    await typed(page, 'recordHandle').waitFor({ state: 'detached' });
    const node = await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      return { server: n.server, recordHandle: n.recordHandle, recordHandleType: n.recordHandleType, callingList: n.callingList, callingListType: n.callingListType, valid: n.valid };
    }, ids.record);
    assert.deepEqual(node, { server: ids.server, recordHandle: '12', recordHandleType: 'str', callingList: 'CallingList1', callingListType: 'str', valid: true });
    assert.equal(await canvasLabel(page, ids.record), 'CompleteRecord 12');
  });

  it('deploys, shows connected, and the inject brings a RecordProcessedAcknowledge into the debug sidebar', async () => {
    need('inject', 'record', 'debug', 'server');
    await deploy(page);
    assert.equal(await page.evaluate(() => RED.nodes.dirty()), false, 'deployed');
    await waitForStatus(page, ids.record, 'connected');
    assert.equal(await nodeOnCanvas(page, ids.record).locator('.red-ui-flow-node-status-label').textContent(), 'connected');
    await showDebug(page);

    await pressInject(page, ids.inject);
    const message = page.locator('.red-ui-debug-msg', { hasText: 'RecordProcessedAcknowledge' }).first();
    await message.waitFor({ state: 'visible', timeout: 15000 });
    const text = await message.innerText();
    assert.match(text, /RecordProcessedAcknowledge/);
    assert.doesNotMatch(text, /error/i);
    const sent = sim.requests().filter((r) => r.method === 'POST' && /\/outbound-records\/12$/.test(r.path));
    assert.equal(sent.length, 1, 'one CompleteRecord reached the simulator');
    assert.deepEqual(
      { operationName: sent[0].body.operationName, callingList: sent[0].body.callingList, applicationId: sent[0].body.applicationId, campaignName: sent[0].body.campaignName },
      { operationName: 'CompleteRecord', callingList: 'CallingList1', applicationId: 134, campaignName: 'Campaign1' },
    );
    // Click away the "Successfully deployed / injected" notifications so they do not cover the header.
    await dismissNotifications(page);
    fs.mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: path.join(IMAGES, 'running-flow.png') });
  });

  it('gives the reason of an invalid literal value, from the catalog, where Node-RED shows it', async () => {
    // Node-RED calls a two-argument validator with an options object and shows a string result as the reason.
    const reasons = await page.evaluate(() => {
      const action = RED.nodes.getType('gws-complete-record').defaults;
      const server = RED.nodes.getType('gws-server');
      const node = { applicationIdType: 'str', devicePathType: 'str', recordHandleType: 'str' };
      return {
        applicationId: action.applicationId.validate.call(node, '12a', {}),
        devicePath: action.devicePath.validate.call(node, 'devices/x', {}),
        recordHandle: action.recordHandle.validate.call(node, '..', {}),
        timeout: action.timeout.validate.call(node, '5s', {}),
        fromMessage: action.applicationId.validate.call({ applicationIdType: 'msg' }, 'payload.id', {}),
        good: action.applicationId.validate.call(node, '134', {}),
        baseUrl: server.defaults.baseUrl.validate.call({ useSimulator: false }, 'gws.example.com', {}),
        username: server.credentials.username.validate.call({ useSimulator: false }, '', {}),
        usernameWithSimulator: server.credentials.username.validate.call({ useSimulator: true }, '', {}),
      };
    });
    assert.deepEqual(reasons, {
      applicationId: 'applicationId must be a whole number',
      devicePath: 'devicePath must look like /devices/<device id>',
      recordHandle: 'recordHandle must not be . or ..',
      timeout: 'Enter a number of milliseconds',
      fromMessage: true,
      good: true,
      baseUrl: 'Enter a URL starting with http:// or https://, or ${ENV_VAR}',
      username: 'Enter the GWS username (or use the bundled simulator)',
      usernameWithSimulator: true,
    });
  });

  it('shows the server defaults as placeholders in the visible TypedInput fields of the dialog', () => {
    assert.ok(Object.keys(placeholders).length, 'needs the complete record dialog of an earlier test');
    // The placeholders are what tells a user that empty fields fall back to msg.payload and the server node.
    assert.deepEqual(placeholders, {
      campaignName: 'msg.payload.campaignName → Campaign1',
      recordHandle: 'msg.payload.recordHandle',
      timeout: 'server default (10000 ms)',
    });
  });

  it('opens the get chained record and outbound event dialogs with every text translated', async () => {
    need('server');
    for (const [type, x] of [['gws-get-chained-record', 200], ['gws-outbound-event', 500]]) {
      const id = await dropFromPalette(page, type, x, 450);
      await nodeOnCanvas(page, id).locator('.red-ui-flow-node').dblclick();
      await page.locator('#node-input-btn-server-add').waitFor({ state: 'visible' });
      await settled(page, '.red-ui-tray');
      const tray = page.locator('.red-ui-tray').last();
      const text = await tray.innerText();
      assert.doesNotMatch(text, RAW_KEY, `no untranslated keys in the ${type} dialog`);
      const servers = await page.locator('#node-input-server option').evaluateAll((els) => els.map((el) => el.value));
      assert.ok(servers.includes(ids.server), 'the gws-server is offered');
      if (type === 'gws-outbound-event') {
        const options = await page.locator('#node-input-channel option').allInnerTexts();
        assert.deepEqual(options, ['/v2/me/outbound (outbound records)', '/me/internal (device user events)', 'both']);
      }
      await page.locator('#node-dialog-cancel').click();
      await page.locator('#node-input-btn-server-add').waitFor({ state: 'detached' });
      await nodeOnCanvas(page, id).locator('.red-ui-flow-node').click();
      await page.keyboard.press('Delete');
      await page.waitForFunction((nid) => !RED.nodes.node(nid), id);
    }
  });

  it('builds inject → get chained record → debug from the palette, sets it up in its dialog, and the deployed flow fetches a chain of 2', async function () {
    this.timeout(40000);
    need('debug', 'server');
    ids.chainInject = await dropFromPalette(page, 'inject', 160, 300);
    ids.chain = await dropFromPalette(page, 'gws-get-chained-record', 420, 300);
    for (const id of [ids.chainInject, ids.chain]) await nodeOnCanvas(page, id).waitFor({ state: 'visible' });
    const wiredBy = [await wire(page, ids.chainInject, ids.chain), await wire(page, ids.chain, ids.debug)];
    if (wiredBy.includes('api')) console.log(`    note: wired by ${wiredBy.join(', ')} (dragging between the ports did not make a link)`);
    const links = await page.evaluate(() => RED.nodes.filterLinks({}).map((l) => [l.source.id, l.target.id]));
    assert.deepEqual(
      links.sort(),
      [[ids.inject, ids.record], [ids.record, ids.debug], [ids.chainInject, ids.chain], [ids.chain, ids.debug]].sort(),
    );

    // The dialog: the gws-server made earlier is picked in the Server select, Record handle 7 in the visible field.
    await nodeOnCanvas(page, ids.chain).locator('.red-ui-flow-node').dblclick();
    const handle = typed(page, 'recordHandle');
    await handle.waitFor({ state: 'visible' });
    await settled(page, '.red-ui-tray');
    const select = page.locator('#node-input-server');
    const offered = await select.locator('option').evaluateAll((els) => els.map((el) => el.value));
    assert.ok(offered.includes(ids.server), `the gws-server is offered (${offered.join(', ')})`);
    await select.selectOption(ids.server);
    assert.equal(await select.inputValue(), ids.server);
    await handle.fill('7');
    await page.locator('#node-dialog-ok').click();
    await handle.waitFor({ state: 'detached' });
    const node = await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      return { server: n.server, recordHandle: n.recordHandle, recordHandleType: n.recordHandleType, waitForAck: n.waitForAck, valid: n.valid };
    }, ids.chain);
    assert.deepEqual(node, { server: ids.server, recordHandle: '7', recordHandleType: 'str', waitForAck: true, valid: true });
    assert.equal(await canvasLabel(page, ids.chain), 'GetChainedRecord 7');

    await deploy(page);
    await waitForStatus(page, ids.chain, 'connected');
    const list = await showDebug(page);

    sim.configure({ chainLength: 2 });
    const since = Date.now();
    await pressInject(page, ids.chainInject);
    const message = list.locator('.red-ui-debug-msg', { hasText: 'ChainedRecordsDataEnd' }).first();
    await message.waitFor({ state: 'visible', timeout: 15000 });
    // The meta line names the topic; the summary of msg.payload the two records and the end notification.
    const topic = await flatText(message.locator('.red-ui-debug-msg-topic'));
    assert.match(topic, /^ChainedRecordsDataEnd : msg\.payload : Object$/);
    const summary = await flatText(message.locator('.red-ui-debug-msg-object-header').first());
    assert.equal(summary, '{ records: array[2], end: object }');
    assert.doesNotMatch(await message.innerText(), /error/i);

    // Expanded as a user would: payload → records (2 rows) → each chained record, with the handles the
    // simulator derives from 7 (701, 702) and its place in the chain; the end notification closes it.
    assert.deepEqual(await debugRows(await expandDebug(message, ['records'])), ['0: object', '1: object']);
    for (const n of [1, 2]) {
      const rows = await debugRows(await expandDebug(message, ['records', String(n - 1)]));
      assert.ok(rows.includes(`recordHandle: ${700 + n}`), `record ${n - 1}: ${rows.join(', ')}`);
      assert.ok(rows.includes(`chainN: ${n}`), `record ${n - 1}: ${rows.join(', ')}`);
      assert.ok(rows.includes('campaignName: "Campaign1"'), `record ${n - 1}: ${rows.join(', ')}`);
    }
    const end = await debugRows(await expandDebug(message, ['end']));
    assert.ok(end.includes('notificationType: "ChainedRecordsDataEnd"'), `end: ${end.join(', ')}`);

    // requests() keeps only the latest ones: what the inject caused is what arrived since it was pressed.
    const sent = sim.requests().filter((r) => r.at >= since && r.method === 'POST' && /\/outbound-records\//.test(r.path));
    assert.deepEqual(sent.map((r) => r.path), ['/api/v2/me/outbound-records/7'], 'one request reached the simulator, for handle 7');
    assert.deepEqual(
      { operationName: sent[0].body.operationName, applicationId: sent[0].body.applicationId, campaignName: sent[0].body.campaignName, devicePath: sent[0].body.devicePath },
      { operationName: 'GetChainedRecord', applicationId: 134, campaignName: 'Campaign1', devicePath: DEVICE },
    );
    assert.ok(end.includes(`referenceId: "${sent[0].body.referenceId}"`), `the end notification answers the request (${end.join(', ')})`);
    const all = sim.requests().filter((r) => r.method === 'POST' && r.path === '/api/v2/me/outbound-records/7');
    assert.equal(all.length, 1, 'one GetChainedRecord for handle 7 in the whole suite');
    sim.configure({ chainLength: 0 });
    await dismissNotifications(page);
    fs.mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: path.join(OUT, 'chained-flow.png') });
  });

  it('raised no script errors and requested nothing of ours that failed', () => {
    assert.deepEqual(ourPageErrors(major, session), []);
    assert.deepEqual(session.failedRequests.filter((r) => /gws/i.test(r)), []);
  });
}
