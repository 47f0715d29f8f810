'use strict';
/*
 * The record operation and preview session nodes in the editor, in a real Chromium (en-US), on Node-RED 4.1
 * and on Node-RED 5 (one browser, one Node-RED per major, one page per major reused by every test), used as
 * a user would: each node is dragged from the Genesys category of the palette, wired inject → node → debug
 * by dragging between the ports and opened with a double click. A gws-server with the bundled simulator is
 * added from the record operation dialog (its + button) and picked in the preview session dialogs. Switching
 * the Operation select shows exactly the rows the operation table (window.GwsOperations) gives that
 * operation, and all rows of the node for msg.operation. After Deploy the inject buttons bring the answers
 * into the debug sidebar: RecordRejectAcknowledge for RejectRecord 12 on CallingList1; PreviewSessionStarted,
 * then PreviewRecord with recordHandle (and the other record fields) at the top of msg.payload, expanded in
 * the sidebar. Palette labels and dialog texts must be the en-US catalog's (no catalog key shown).
 * Screenshots: test-output/new-nodes/nr<major>-record-dialog.png and nr<major>-preview-flow.png; on failure
 * one more to test-output/. Skipped (with a line on stdout) when /usr/bin/chromium is not installed;
 * BROWSER_NODE_RED=4 (or 5) runs one major.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  NODE_RED, root, majors, haveChromium, perMajor, ourPageErrors, reportFailure, dropFromPalette, nodeOnCanvas, canvasLabel, typed, wire,
  deploy, waitForStatus, showDebug, flatText, expandDebug, debugRows, dismissNotifications, pressInject, openNodeDialog, trayOpen, pressDone,
  settled, clearDebug,
} = require('./helpers');

const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
const OUTPUT = path.join(root, 'test-output', 'new-nodes');
const catalog = (file) => JSON.parse(fs.readFileSync(path.join(root, 'locales', 'en-US', `${file}.json`), 'utf8'));
const SHARED = catalog('gws-server');
const TYPES = {
  'gws-outbound-record': catalog('gws-outbound-record')['gws-outbound-record'],
  'gws-outbound-campaign': catalog('gws-outbound-campaign')['gws-outbound-campaign'],
};
/** Text that means a catalog key was shown instead of its text. */
const RAW_KEY =
  /node-red-contrib-gws-outbound\/|\b(gws-server|action|gws-[a-z-]+)\.(label|placeholder|test|callResultFormat|tip|tipMsg|operation|validation|paletteLabel|inputLabel|outputLabel)\b/;

const MAJORS = majors();
// The editor without what this file does not use, so that both majors load in time on a busy machine: the Ace
// code editor instead of Monaco (4 MB of script), no palette manager. editorTheme replaces the helper's own.
const SETTINGS = {
  editorTheme: { tours: false, projects: { enabled: false }, palette: { categories: ['Genesys', 'common', 'function', 'network'] }, codeEditor: { lib: 'ace' } },
  externalModules: { palette: { allowInstall: false } },
};
// With animations: dragging from the palette relies on jQuery UI's (a drop without them opens an edit dialog).
const stacks = perMajor({ editorOptions: { settings: SETTINGS }, pageOptions: { locale: 'en-US' } });

describe('record operation and preview session in the editor', function () {
  before(async function () {
    if (!haveChromium()) this.skip();
    this.timeout(30000);
    await stacks.launch(MAJORS);
  });

  after(async function () {
    this.timeout(30000);
    await stacks.closeAll();
  });

  for (const major of MAJORS) describe(NODE_RED[major].label, function () { newNodesSuite.call(this, major); });
});

/** Every text the open (topmost) dialog shows or offers: its text, placeholders, tooltips and option texts. */
function dialogTexts(page) {
  return page.evaluate(() => {
    const tray = [...document.querySelectorAll('#red-ui-editor-stack .red-ui-tray')].pop();
    return [
      tray.innerText,
      ...[...tray.querySelectorAll('[placeholder]')].map((el) => el.getAttribute('placeholder')),
      ...[...tray.querySelectorAll('[title]')].map((el) => el.getAttribute('title')),
      ...[...tray.querySelectorAll('option')].map((el) => el.textContent),
    ].join('\n');
  });
}

/** Fails with the place where a catalog key shows in `text`. */
function assertTranslated(text, where) {
  const raw = RAW_KEY.exec(text);
  assert.ok(!raw, raw && `${where} shows a catalog key: …${text.slice(Math.max(0, raw.index - 40), raw.index + 60)}…`);
}

/**
 * The parameter rows the open dialog shows (param, whether marked required, label text) and whether the
 * msg.operation tip shows.
 */
function shownRows(page) {
  return page.evaluate(() => {
    const form = [...document.querySelectorAll('#red-ui-editor-stack .red-ui-tray .gws-form')].pop();
    const visible = (el) => !!el && el.getClientRects().length > 0;
    return {
      rows: [...form.querySelectorAll('.gws-param')].filter(visible).map((row) => ({
        param: row.dataset.gwsParam,
        required: visible(row.querySelector('.gws-required')),
        label: row.querySelector('label').textContent.replace(/\s+/g, ' ').replace(/\s*\*$/, '').trim(),
      })),
      msgTip: visible(form.querySelector('.gws-tip-msg')),
    };
  });
}

/** What the operation table says a dialog must show for `setting` (one operation, or 'msg': all the node's). */
function expectedRows(table, type, setting) {
  const offered = table.nodes[type];
  const operations = setting === 'msg' ? offered : [setting];
  return {
    rows: table.paramNames
      .filter((param) => operations.some((op) => table.operations[op].params[param]))
      .map((param) => ({
        param,
        // With msg.operation: marked when every operation that sends it requires it.
        required: operations.filter((op) => table.operations[op].params[param]).every((op) => table.operations[op].params[param] === 'required'),
        label: SHARED.action.label[param],
      })),
    msgTip: setting === 'msg',
  };
}

/**
 * In an open action dialog: the Operation select offers the node's operations and msg.operation with their
 * en-US texts; choosing each of `settings` in turn shows exactly its rows. Leaves `settings`' last chosen.
 */
async function checkOperations(page, table, type, settings) {
  const select = page.locator('#node-input-operation');
  const offered = table.nodes[type];
  const options = await select.locator('option').evaluateAll((els) => els.map((el) => [el.value, el.textContent]));
  assert.deepEqual(options, [...offered, 'msg'].map((op) => [op, TYPES[type].operation[op]]), 'the operations offered, with their texts');
  for (const setting of settings) {
    await select.selectOption(setting);
    assert.deepEqual(await shownRows(page), expectedRows(table, type, setting), `the rows of ${setting}`);
  }
}

/** The newest message in the debug sidebar whose meta line names `topic`, once it shows. */
async function debugMessage(list, topic, timeout = 15000) {
  const message = list.locator('.red-ui-debug-msg').filter({
    has: list.page().locator('.red-ui-debug-msg-topic', { hasText: new RegExp(`^${topic} : msg\\.payload : Object$`) }),
  }).last();
  await message.waitFor({ state: 'visible', timeout });
  return message;
}

/** The record operation and preview session suite on one Node-RED major. */
function newNodesSuite(major) {
  this.timeout(20000);
  let editor;
  let session;
  let page;
  let table;
  const ids = {};
  const wiredByApi = [];
  /** The tests build on each other: say so instead of failing on a missing element. */
  const need = (...keys) => keys.forEach((key) => assert.ok(ids[key], `needs ids.${key} from an earlier test of this suite`));
  /** Wires by dragging between the ports; notes when only the editor API could make the link. */
  const link = async (from, to) => {
    if ((await wire(page, from, to)) === 'api') wiredByApi.push(`${from} → ${to}`);
  };

  before(async function () {
    this.timeout(120000);
    ({ editor, session, page } = await stacks.get(major));
    table = await page.evaluate(() => window.GwsOperations);
    assert.ok(table && table.nodes['gws-outbound-record'] && table.nodes['gws-outbound-campaign'], 'window.GwsOperations holds both node types');
  });

  afterEach(async function () {
    await reportFailure(this.currentTest, { spec: 'new-nodes', major, editor, ...session });
  });

  after(async function () {
    this.timeout(20000);
    if (wiredByApi.length) console.log(`    note: ${NODE_RED[major].label} wired by the editor API (dragging between the ports did not link): ${wiredByApi.join(', ')}`);
    await stacks.close(major);
  });

  it('shows record operation and preview session in the Genesys category, with their icons and en-US texts', async () => {
    await page.locator('#red-ui-palette-header-Genesys').waitFor({ state: 'visible' });
    for (const [type, texts] of Object.entries(TYPES)) {
      const entry = page.locator(`#red-ui-palette-base-category-Genesys .red-ui-palette-node[data-palette-type="${type}"]`);
      assert.equal(await entry.count(), 1, `${type} in the Genesys category`);
      assert.equal(await flatText(entry.locator('.red-ui-palette-label')), texts.paletteLabel);
      const icon = await entry.locator('.red-ui-palette-icon').evaluate((el) => getComputedStyle(el).backgroundImage);
      assert.match(icon, new RegExp(`icons/node-red-contrib-gws-outbound/${type}\\.svg`), `${type} icon`);
      // The port labels (shown when hovering a port) come from the same catalog.
      const ports = await page.evaluate((t) => {
        const def = RED.nodes.getType(t);
        const node = { type: t, _def: def, _: def._ };
        return { input: def.inputLabels.call(node, 0), output: def.outputLabels.call(node, 0) };
      }, type);
      assert.deepEqual(ports, { input: texts.inputLabel, output: texts.outputLabel }, `${type} port labels`);
    }
  });

  it('builds inject → record operation → debug by dragging from the palette and wiring the ports', async () => {
    ids.recordInject = await dropFromPalette(page, 'inject', 140, 80);
    ids.record = await dropFromPalette(page, 'gws-outbound-record', 400, 80);
    ids.recordDebug = await dropFromPalette(page, 'debug', 680, 80);
    for (const id of [ids.recordInject, ids.record, ids.recordDebug]) await nodeOnCanvas(page, id).waitFor({ state: 'visible' });
    await link(ids.recordInject, ids.record);
    await link(ids.record, ids.recordDebug);
    const links = await page.evaluate(() => RED.nodes.filterLinks({}).map((l) => [l.source.id, l.target.id]));
    assert.deepEqual(links.sort(), [[ids.recordInject, ids.record], [ids.record, ids.recordDebug]].sort());
    // Nothing set yet: the first operation of the table, the handle from the message.
    assert.equal(await canvasLabel(page, ids.record), `${table.nodes['gws-outbound-record'][0]} msg.payload.recordHandle`);
  });

  it('adds a gws-server with the bundled simulator from the record operation dialog (its + button)', async () => {
    need('record');
    await openNodeDialog(page, ids.record);
    await page.locator('#node-input-btn-server-add').click();
    await trayOpen(page, '#node-config-dialog-ok');
    const box = page.locator('#node-config-input-useSimulator');
    assert.equal(await box.isChecked(), false, 'a new server starts without the simulator');
    await box.check();
    await page.locator('#node-config-input-baseUrl').waitFor({ state: 'hidden' });
    await page.locator('#node-config-input-devicePath').fill(DEVICE);
    await page.locator('#node-config-input-applicationId').fill('134');
    await page.locator('#node-config-input-campaignName').fill('Campaign1');
    assertTranslated(await dialogTexts(page), 'the gws-server dialog');
    await pressDone(page, '#node-config-dialog-ok');
    const server = await page.evaluate(() => {
      const found = [];
      RED.nodes.eachConfig((n) => { if (n.type === 'gws-server') found.push(n); });
      return found.map((n) => ({ id: n.id, useSimulator: n.useSimulator, devicePath: n.devicePath, applicationId: n.applicationId, campaignName: n.campaignName }));
    });
    assert.equal(server.length, 1, 'one gws-server');
    ids.server = server[0].id;
    assert.deepEqual(server[0], { id: ids.server, useSimulator: true, devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1' });
    assert.equal(await page.locator('#node-input-server').inputValue(), ids.server, 'the new server is picked in the record operation dialog');
    assert.equal(await flatText(page.locator('#node-input-server option:checked')), SHARED['gws-server'].label.simulatorName);
  });

  it('record operation dialog: each operation shows exactly its rows (all for msg.operation), every text translated', async () => {
    need('record', 'server');
    await checkOperations(page, table, 'gws-outbound-record', ['RescheduleRecord', 'AddRecord', 'DoNotCallRecord', 'UpdateRecord', 'CompleteRecord', 'GetChainedRecord', 'msg', 'RejectRecord']);
    assertTranslated(await dialogTexts(page), 'the record operation dialog');
    // Where an empty field reads from, with the server's default.
    assert.equal(await typed(page, 'campaignName').getAttribute('title'), 'msg.payload.campaignName → Campaign1');
  });

  it('sets RejectRecord, record handle 12 and calling list CallingList1, and Done keeps them', async () => {
    need('record', 'server');
    assert.equal(await page.locator('#node-input-operation').inputValue(), 'RejectRecord');
    await typed(page, 'recordHandle').fill('12');
    await typed(page, 'callingList').fill('CallingList1');
    await settled(page, '.red-ui-tray');
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, `nr${major}-record-dialog.png`) });
    await pressDone(page);
    const node = await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      return { server: n.server, operation: n.operation, recordHandle: n.recordHandle, recordHandleType: n.recordHandleType, callingList: n.callingList, callingListType: n.callingListType, waitForAck: n.waitForAck, valid: n.valid };
    }, ids.record);
    assert.deepEqual(node, { server: ids.server, operation: 'RejectRecord', recordHandle: '12', recordHandleType: 'str', callingList: 'CallingList1', callingListType: 'str', waitForAck: true, valid: true });
    assert.equal(await canvasLabel(page, ids.record), 'RejectRecord 12');
  });

  it('deploys; the inject brings RecordRejectAcknowledge for record 12 into the debug sidebar', async () => {
    need('recordInject', 'record', 'recordDebug');
    await deploy(page);
    await waitForStatus(page, ids.record, 'connected');
    const list = await showDebug(page);
    await pressInject(page, ids.recordInject);
    const message = await debugMessage(list, 'RecordRejectAcknowledge');
    assert.doesNotMatch(await message.innerText(), /error/i);
    const top = await debugRows(await expandDebug(message, []));
    assert.ok(top.includes('notificationType: "RecordRejectAcknowledge"'), `msg.payload: ${top.join(', ')}`);
    const record = await debugRows(await expandDebug(message, ['record']));
    assert.ok(record.includes('recordHandle: 12'), `msg.payload.record: ${record.join(', ')}`);
    assert.ok(record.includes('callingList: "CallingList1"'), `msg.payload.record: ${record.join(', ')}`);
  });

  it('builds two inject → preview session → debug rows from the palette, wired by dragging', async () => {
    need('server');
    ids.startInject = await dropFromPalette(page, 'inject', 140, 200);
    ids.start = await dropFromPalette(page, 'gws-outbound-campaign', 400, 200);
    ids.getInject = await dropFromPalette(page, 'inject', 140, 280);
    ids.get = await dropFromPalette(page, 'gws-outbound-campaign', 400, 280);
    ids.previewDebug = await dropFromPalette(page, 'debug', 680, 240);
    for (const id of [ids.startInject, ids.start, ids.getInject, ids.get, ids.previewDebug]) await nodeOnCanvas(page, id).waitFor({ state: 'visible' });
    await link(ids.startInject, ids.start);
    await link(ids.start, ids.previewDebug);
    await link(ids.getInject, ids.get);
    await link(ids.get, ids.previewDebug);
    const links = await page.evaluate((wanted) => RED.nodes.filterLinks({}).map((l) => [l.source.id, l.target.id]).filter(([a]) => wanted.includes(a)), [ids.startInject, ids.start, ids.getInject, ids.get]);
    assert.deepEqual(links.sort(), [[ids.startInject, ids.start], [ids.start, ids.previewDebug], [ids.getInject, ids.get], [ids.get, ids.previewDebug]].sort());
    assert.equal(await canvasLabel(page, ids.start), table.nodes['gws-outbound-campaign'][0]);
  });

  it('preview session dialogs: the server is picked, each operation shows exactly its rows, every text translated', async () => {
    need('start', 'get', 'server');
    for (const [id, operation, settings] of [
      [ids.start, 'StartPreviewSession', ['GetPreviewRecord', 'EndPreviewSession', 'msg', 'StartPreviewSession']],
      [ids.get, 'GetPreviewRecord', ['msg', 'GetPreviewRecord']],
    ]) {
      await openNodeDialog(page, id);
      const select = page.locator('#node-input-server');
      const offered = await select.locator('option').evaluateAll((els) => els.map((el) => el.value));
      assert.ok(offered.includes(ids.server), `the gws-server is offered (${offered.join(', ')})`);
      await select.selectOption(ids.server);
      await checkOperations(page, table, 'gws-outbound-campaign', settings);
      assertTranslated(await dialogTexts(page), 'the preview session dialog');
      assert.equal(await typed(page, 'applicationId').getAttribute('title'), 'msg.payload.applicationId → 134');
      await pressDone(page);
      const node = await page.evaluate((nid) => {
        const n = RED.nodes.node(nid);
        return { server: n.server, operation: n.operation, waitForAck: n.waitForAck, valid: n.valid };
      }, id);
      assert.deepEqual(node, { server: ids.server, operation, waitForAck: true, valid: true });
      assert.equal(await canvasLabel(page, id), operation);
    }
  });

  it('deploys; StartPreviewSession answers PreviewSessionStarted, then GetPreviewRecord a PreviewRecord with recordHandle at the top of msg.payload', async () => {
    need('startInject', 'start', 'getInject', 'get', 'previewDebug');
    await deploy(page);
    await waitForStatus(page, ids.start, 'connected');
    await waitForStatus(page, ids.get, 'connected');
    await clearDebug(page);
    const list = await showDebug(page);

    await pressInject(page, ids.startInject);
    const started = await debugMessage(list, 'PreviewSessionStarted');
    assert.doesNotMatch(await started.innerText(), /error/i);
    const campaign = await debugRows(await expandDebug(started, ['campaign']));
    assert.ok(campaign.includes('name: "Campaign1"'), `msg.payload.campaign: ${campaign.join(', ')}`);

    await pressInject(page, ids.getInject);
    const preview = await debugMessage(list, 'PreviewRecord');
    assert.doesNotMatch(await preview.innerText(), /error/i);
    const top = await debugRows(await expandDebug(preview, []));
    const handleRow = top.find((row) => /^recordHandle: /.test(row));
    assert.ok(handleRow, `recordHandle at the top of msg.payload: ${top.join(', ')}`);
    const record = await debugRows(await expandDebug(preview, ['record']));
    assert.ok(record.includes(handleRow), `the top-level ${handleRow} is the record's (${record.join(', ')})`);
    const callingList = record.find((row) => /^callingList: /.test(row));
    assert.ok(callingList && top.includes(callingList), `callingList at the top of msg.payload: ${top.join(', ')}`);
    for (const row of ['campaignName: "Campaign1"', 'applicationId: 134']) assert.ok(top.includes(row), `${row} at the top of msg.payload: ${top.join(', ')}`);
    assert.ok(top.some((row) => /^phoneNumber: "\d+"$/.test(row)), `phoneNumber at the top of msg.payload: ${top.join(', ')}`);
    // For the screenshot: record folded again (a click on its row), so the fields at the top of msg.payload show.
    const recordElement = await expandDebug(preview, ['record']);
    await recordElement.locator(':scope > .red-ui-debug-msg-row').click();
    await page.waitForFunction((e) => e.classList.contains('collapsed'), await recordElement.elementHandle());
    await preview.scrollIntoViewIfNeeded();
    await dismissNotifications(page);
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, `nr${major}-preview-flow.png`) });
  });

  it('raised no script errors and requested nothing of ours that failed', () => {
    assert.deepEqual(ourPageErrors(major, session), []);
    assert.deepEqual(session.failedRequests.filter((r) => /gws/i.test(r)), []);
  });
}
