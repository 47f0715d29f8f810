'use strict';
/*
 * Nodes that come without some of their properties (hand-written JSON, older exports, the Admin API) must
 * keep working when a user opens their dialog and presses Done without changing anything (node contract:
 * "A node deployed with only `server` set works exactly like one with the editor's defaults"; pattern 17).
 * On Node-RED 4.1 and on Node-RED 5 (one browser for the file, one Node-RED per major):
 * - for every action node type the palette offers (the types of the Genesys category with an input): a node
 *   with only id, type, server, x, y, z and wires;
 * - for gws-complete-record: a node with every property (the control), and one lacking each optional property
 *   in turn (waitForAck, timeout, each <param>Type); and one with every property on a gws-server that has
 *   only id, type, useSimulator and devicePath.
 * All are imported in one flow through Menu → Import (JSON pasted), each dialog is opened and closed with Done:
 * its checkboxes and selects must show the default of a property the node lacks, and the property must then
 * be stored as the editor's default (or stay unset where unset means the default). After one deploy a valid
 * record (built by a function node) must come out with msg.topic = the acknowledgement the operation waits
 * for, not the operation name (which would mean the dialog switched waitForAck off); an error is shown with
 * its text. Writes test-output/imported-defaults-nr<major>.png.
 * The types are read from the palette, so the tests are added once the editor is open (mocha's --grep must
 * match the first test, "offers action nodes", for the others to be added).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Test } = require('mocha');
const {
  NODE_RED, root, majors, haveChromium, perMajor, ourPageErrors, reportFailure, importPasted, exportFlow, flowDifferences, openNodeDialog,
  openConfigDialogFrom, pressDone, deploy, showDebug, pressInject, debugMessagesOf, dismissNotifications,
} = require('./helpers');

const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
const OUTPUT = path.join(root, 'test-output');
/** The answer each operation waits for (GWS 8.5 Outbound API, node contract); a RegExp where it is not fixed. */
const ANSWER = {
  CompleteRecord: 'RecordProcessedAcknowledge',
  GetChainedRecord: 'ChainedRecordsDataEnd',
  RejectRecord: 'RecordRejectAcknowledge',
  RescheduleRecord: 'ScheduledRecordRescheduleAcknowledge',
  DoNotCallRecord: 'DoNotCallAcknowledge',
  UpdateRecord: 'UpdateCallCompletionStatsAcknowledge',
  AddRecord: /Acknowledge$/,
  StartPreviewSession: 'PreviewSessionStarted',
  GetPreviewRecord: 'PreviewRecord',
  EndPreviewSession: 'PreviewSessionEnded',
};
/** Node types that always send one operation; the others have an `operation` property whose default counts. */
const FIXED_OPERATION = { 'gws-complete-record': 'CompleteRecord', 'gws-get-chained-record': 'GetChainedRecord' };
/** The record every node gets, built in a function node (objects from another JavaScript context, pattern 16). */
const PAYLOAD_CODE = "msg.payload = { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1' };\nreturn msg;";
const ONLY = ['id', 'type', 'server', 'x', 'y', 'z', 'wires'];
const TAB = 'f1a9d0c3e5b70001';
const SERVER = 'f1a9d0c3e5b70002';
const BARE_SERVER = 'f1a9d0c3e5b70003';

/**
 * The flow: one row per case (inject → function → node under test → debug "answer", and a Catch of that node
 * → debug "error" showing msg.error.message). `cases` are { title, node, server?, lacks }.
 */
function buildFlow(cases) {
  const flow = [
    { id: TAB, type: 'tab', label: 'Imported defaults', disabled: false, info: '', env: [] },
    {
      id: SERVER, type: 'gws-server', z: TAB, name: 'GWS simulator', useSimulator: true, baseUrl: '', tls: '', devicePath: DEVICE,
      applicationId: '134', campaignName: 'Campaign1', ackTimeout: '10000', callResultFormat: 'name',
    },
    { id: BARE_SERVER, type: 'gws-server', z: TAB, useSimulator: true, devicePath: DEVICE },
  ];
  // One row per case, 50 px apart; the node under test and the inject button stay within the visible workspace.
  cases.forEach((c, i) => {
    const y = 40 + i * 50;
    const id = (n) => `f1a9d0c3e5b7${String(100 + i).padStart(3, '0')}${n}`;
    c.ids = { inject: id(1), build: id(2), node: c.node.id, answer: id(3), catch: id(4), error: id(5) };
    flow.push(
      { id: c.ids.inject, type: 'inject', z: TAB, name: c.short, props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', x: 170, y, wires: [[c.ids.build]] },
      { id: c.ids.build, type: 'function', z: TAB, name: 'record 12', func: PAYLOAD_CODE, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x: 360, y, wires: [[c.node.id]] },
      { ...c.node, z: TAB, x: 610, y, wires: [[c.ids.answer]] },
      { id: c.ids.answer, type: 'debug', z: TAB, name: 'answer', active: true, tosidebar: true, console: false, tostatus: false, complete: 'true', targetType: 'full', statusVal: '', statusType: 'auto', x: 900, y, wires: [] },
      { id: c.ids.catch, type: 'catch', z: TAB, name: '', scope: [c.node.id], uncaught: false, x: 1040, y, wires: [[c.ids.error]] },
      { id: c.ids.error, type: 'debug', z: TAB, name: 'error', active: true, tosidebar: true, console: false, tostatus: false, complete: 'error.message', targetType: 'msg', statusVal: '', statusType: 'auto', x: 1180, y, wires: [] },
    );
  });
  return flow;
}

/**
 * The cases for the action node types the palette offers ({ type, defaults: { key: { value, config } } }):
 * each type with only id, type, server (and x, y, z, wires); gws-complete-record with every property, then
 * without each optional property in turn, then with every property on a bare server.
 */
function buildCases(types) {
  const cases = [];
  let n = 0;
  const nodeId = () => `f1a9d0c3e5b7e${String(++n).padStart(3, '0')}`;
  for (const { type, defaults } of types) {
    cases.push({
      title: `${type} imported with only ${ONLY.join(', ')}`, short: `${type.replace(/^gws-/, '')}, bare`, type, defaults,
      node: { id: nodeId(), type, server: SERVER }, lacks: Object.keys(defaults).filter((k) => k !== 'server'),
    });
  }
  const complete = types.find((t) => t.type === 'gws-complete-record');
  if (!complete) return cases;
  const full = Object.fromEntries(Object.entries(complete.defaults).map(([key, d]) => [key, key === 'server' ? SERVER : d.value]));
  const base = { type: complete.type, defaults: complete.defaults };
  cases.push({ ...base, title: 'gws-complete-record imported with every property (control)', short: 'all properties', node: { id: nodeId(), type: complete.type, ...full }, lacks: [] });
  const optional = ['waitForAck', 'timeout', ...Object.keys(full).filter((key) => key.endsWith('Type') && key.slice(0, -4) in full)];
  for (const key of optional) {
    const { [key]: _, ...rest } = full;
    cases.push({ ...base, title: `gws-complete-record imported without ${key}`, short: `no ${key}`, node: { id: nodeId(), type: complete.type, ...rest }, lacks: [key] });
  }
  cases.push({
    ...base, title: 'gws-complete-record with every property on a gws-server with only id, type, useSimulator and devicePath', short: 'bare server',
    node: { id: nodeId(), type: complete.type, ...full, server: BARE_SERVER }, lacks: [], bareServer: true,
  });
  return cases;
}

/** Stored as the default, or unset (absent or ''; node contract, precise rules 1 and 2) where the default is text. */
function sameAsDefault(value, def) {
  return JSON.stringify(value) === JSON.stringify(def) || ((value === undefined || value === '') && (def === undefined || typeof def === 'string'));
}

/**
 * Opens the dialog of case `c` (and, for a bare server, that server's dialog through the pencil), reads what
 * its checkboxes and selects show for the properties the node lacks, and presses Done. Resolves with
 * `changed` (a lacking property not stored as its default, or a given one stored differently) and
 * `notShown` (a checkbox or select that did not show the default, pattern 17), as readable lines.
 */
async function saveUnchanged(page, c) {
  // A config node select (server, tls) is Node-RED's own: it offers "add new" when none is chosen.
  const shownIn = (prefix, keys) => page.evaluate(([pre, wanted]) => Object.fromEntries(wanted.map((key) => {
    const el = document.getElementById(`${pre}-${key}`);
    if (el && el.type === 'checkbox') return [key, { kind: 'checkbox', value: el.checked }];
    if (el && el.tagName === 'SELECT') return [key, { kind: 'select', value: el.value }];
    return [key, { kind: 'other' }];
  })), [prefix, keys]);
  const notShownOf = (shown, defaults, label) => Object.entries(shown)
    .filter(([key, s]) => s.kind !== 'other' && s.value !== defaults[key].value)
    .map(([key, s]) => `${label}${key}: the dialog shows ${s.kind === 'checkbox' ? (s.value ? 'ticked' : 'unticked') : JSON.stringify(s.value)}, the default is ${JSON.stringify(defaults[key].value)}`);

  await openNodeDialog(page, c.node.id);
  const notShown = notShownOf(await shownIn('node-input', c.lacks.filter((key) => !c.defaults[key].config)), c.defaults, '');
  let serverDefaults = {};
  let serverLacks = [];
  if (c.bareServer) {
    await openConfigDialogFrom(page, 'server');
    serverDefaults = await page.evaluate(() => Object.fromEntries(Object.entries(RED.nodes.getType('gws-server').defaults)
      .map(([key, d]) => [key, { value: d.value, config: !!d.type }])));
    serverLacks = Object.keys(serverDefaults).filter((key) => !['useSimulator', 'devicePath'].includes(key));
    notShown.push(...notShownOf(await shownIn('node-config-input', serverLacks.filter((key) => !serverDefaults[key].config)), serverDefaults, 'gws-server '));
    await pressDone(page, '#node-config-dialog-ok');
  }
  await pressDone(page);

  const [node, server] = await page.evaluate((ids) => ids.map((id) => {
    const n = RED.nodes.node(id);
    return n && JSON.parse(JSON.stringify(Object.fromEntries(Object.keys(n._def.defaults).map((key) => [key, n[key]]))));
  }), [c.node.id, BARE_SERVER]);
  const changed = [
    ...c.lacks.filter((key) => !sameAsDefault(node[key], c.defaults[key].value))
      .map((key) => `${key}: stored ${JSON.stringify(node[key])}, the editor's default is ${JSON.stringify(c.defaults[key].value)}`),
    ...Object.keys(c.node).filter((key) => key in c.defaults && JSON.stringify(node[key]) !== JSON.stringify(c.node[key]))
      .map((key) => `${key}: imported ${JSON.stringify(c.node[key])}, stored ${JSON.stringify(node[key])}`),
    ...serverLacks.filter((key) => !sameAsDefault(server[key], serverDefaults[key].value))
      .map((key) => `gws-server ${key}: stored ${JSON.stringify(server[key])}, the editor's default is ${JSON.stringify(serverDefaults[key].value)}`),
  ];
  return { changed, notShown };
}

const MAJORS = majors();
const stacks = perMajor({ pageOptions: { viewport: { width: 1400, height: 1000 }, animations: false } });

describe('imported nodes in the editor: dialogs saved unchanged keep the defaults', function () {
  before(async function () {
    if (!haveChromium()) this.skip();
    this.timeout(30000);
    await stacks.launch(MAJORS);
  });

  after(async function () {
    this.timeout(30000);
    await stacks.closeAll();
  });

  for (const major of MAJORS) describe(NODE_RED[major].label, function () { defaultsSuite.call(this, major); });
});

/** The cases on one Node-RED major; its tests are added by `before` once the palette is known. */
function defaultsSuite(major) {
  this.timeout(20000);
  let editor;
  let session;
  let page;
  let deployed = false;
  let offered = [];

  before(async function () {
    this.timeout(120000);
    ({ editor, session, page } = await stacks.get(major));

    // The action node types the palette offers, with their defaults as the editor defines them.
    const types = await page.evaluate(() => [...document.querySelectorAll('.red-ui-palette-node[data-palette-type]')]
      .map((el) => el.getAttribute('data-palette-type'))
      .map((type) => ({ type, def: RED.nodes.getType(type) }))
      .filter(({ def }) => def && def.category === 'Genesys' && def.inputs > 0)
      .map(({ type, def }) => ({
        type,
        defaults: Object.fromEntries(Object.entries(def.defaults).map(([key, d]) => [key, { value: d.value, config: !!d.type }])),
      })));
    const cases = buildCases(types);
    const flow = buildFlow(cases);
    const suite = this.test.parent;
    const add = (title, fn, timeout) => {
      const test = new Test(title, fn);
      suite.addTest(test);
      if (timeout) test.timeout(timeout);
    };

    offered = types.map((t) => t.type);
    add('imports the flow through Menu → Import (JSON pasted) without adding any property', async () => {
      await importPasted(page, flow);
      const diff = flowDifferences(flow, await exportFlow(page, flow.map((node) => node.id)));
      if (diff.length) assert.fail(`the editor holds other values than the JSON imported:\n  ${diff.join('\n  ')}`);
    }, 30000);

    for (const c of cases) {
      add(`${c.title}: the dialog saved unchanged with Done stores the editor's default of every property the import lacked`, async () => {
        const { changed, notShown } = await saveUnchanged(page, c);
        if (changed.length || notShown.length) {
          assert.fail([
            changed.length && `Done on an unchanged dialog changed what the node does:\n  ${changed.join('\n  ')}`,
            notShown.length && `the dialog does not show the default of a property the node lacks:\n  ${notShown.join('\n  ')}`,
          ].filter(Boolean).join('\n'));
        }
      });
    }

    add('deploys the flow', async () => {
      await deploy(page);
      await dismissNotifications(page);
      await showDebug(page);
      deployed = true;
    }, 30000);

    for (const c of cases) {
      const fixed = FIXED_OPERATION[c.type];
      const operation = fixed || (c.defaults.operation && c.defaults.operation.value);
      add(`${c.title}: deployed, a valid record comes out with msg.topic = the acknowledgement of ${operation || 'its operation'}`, async () => {
        assert.ok(operation, `no operation known for ${c.type}: name it in FIXED_OPERATION or give the type an operation default`);
        const answer = ANSWER[operation];
        assert.ok(answer, `no acknowledgement known for ${operation}: add it to ANSWER`);
        assert.ok(deployed, 'needs the deploy of an earlier test');
        await pressInject(page, c.ids.inject);
        const deadline = Date.now() + 15000;
        let answers = [];
        let errors = [];
        while (!answers.length && !errors.length) {
          if (Date.now() > deadline) assert.fail(`nothing came out of ${c.type} within 15 s (neither an answer nor an error)`);
          await page.waitForTimeout(100);
          answers = await debugMessagesOf(page, c.ids.answer);
          errors = await debugMessagesOf(page, c.ids.error);
        }
        if (errors.length) assert.fail(`${c.type} ended in an error: ${errors.map((m) => m.text).join(' | ')} (msg.payload came from a function node: ${PAYLOAD_CODE.split('\n')[0]})`);
        const { topic } = answers[0];
        const hint = topic === operation ? ` (the operation name: the node did not wait for the acknowledgement, waitForAck was off)` : '';
        assert.ok(answer instanceof RegExp ? answer.test(topic) : topic === answer, `msg.topic is ${JSON.stringify(topic)}${hint}; expected ${answer}`);
      });
    }

    add('raised no script errors and requested nothing of ours that failed', async () => {
      fs.mkdirSync(OUTPUT, { recursive: true });
      await dismissNotifications(page);
      await page.screenshot({ path: path.join(OUTPUT, `imported-defaults-nr${major}.png`) });
      assert.deepEqual(ourPageErrors(major, session), []);
      assert.deepEqual(session.failedRequests.filter((r) => /gws/i.test(r)), []);
    });
  });

  // Mocha runs the hooks of a suite only when it has a test of its own; the others are added by `before`.
  it('offers action nodes in the Genesys category of the palette, gws-complete-record among them', () => {
    console.log(`      action node types offered: ${offered.join(', ')}`);
    assert.ok(offered.includes('gws-complete-record'), `offered: ${offered.join(', ')}`);
  });

  afterEach(async function () {
    await reportFailure(this.currentTest, { spec: 'imported-defaults', major, editor, ...session });
  });

  after(async function () {
    this.timeout(20000);
    await stacks.close(major);
  });
}
