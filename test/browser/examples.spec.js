'use strict';
/*
 * The example flows as a user meets them, on Node-RED 4.1 and on Node-RED 5 (one browser for the file, one
 * Node-RED per major): every file of examples/ is imported through Menu → Import → Examples →
 * node-red-contrib-gws-outbound; the editor must hold exactly what the file says. Then the dialog of each of
 * its nodes (the config nodes included, through the pencil next to their select; not the flow tab's)
 * is opened and closed with Done without touching anything: no stored property may change (waitForAck,
 * timeout, every <param>Type, channel, correlated, useSimulator, ackTimeout, callResultFormat, ...). After one
 * deploy, each example's inject buttons are pressed on the workspace and its debug nodes must show what
 * EXPECTED says in the debug sidebar, and nothing else.
 * Writes test-output/examples/nr<major>-<example>.png. Skipped (with a line on stdout) without Chromium.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  NODE_RED, root, majors, haveChromium, perMajor, ourPageErrors, reportFailure, importExample, openNodeDialog,
  openConfigDialogFrom, pressDone, exportFlow, deploy, showDebug, clearDebug, pressInject, debugMessagesOf, showWorkspace, dismissNotifications, flowDifferences,
} = require('./helpers');

const MODULE = 'node-red-contrib-gws-outbound';
const EXAMPLES = path.join(root, 'examples');
const OUTPUT = path.join(root, 'test-output', 'examples');

/**
 * What each example shows once all its inject buttons were pressed, by the name of its debug nodes: the
 * message's `topic` (as the debug sidebar's meta line shows it) and/or a pattern of its shown `text`.
 * A debug node of the example that is not named here must show nothing. Derived from the example's nodes:
 * a waiting action node answers with its acknowledgement, one with waitForAck off with the operation name,
 * an event node with the notifications, a Catch path with the error.
 */
const EXPECTED = {
  '01 Complete a record.json': { 'complete msg': { topic: 'RecordProcessedAcknowledge' } },
  '02 Get a chained record.json': { chain: { topic: 'ChainedRecordsDataEnd', text: /records: array\[2\]/ } },
  '03 Stream outbound events.json': {
    ack: { topic: 'RecordProcessedAcknowledge' },
    event: { topic: 'RecordProcessedAcknowledge' },
  },
  '04 Error handling with Catch and retry.json': {
    completed: { topic: 'RecordProcessedAcknowledge' },
    'needs fixing': { text: /^"?CompleteRecord not sent: callingList is missing/ },
  },
  '05 Fire-and-forget with correlation.json': {
    accepted: { topic: 'CompleteRecord' },
    acknowledged: { topic: 'RecordProcessedAcknowledge', text: /operationName: "CompleteRecord"/ },
  },
  '06 Outbound desk.json': {
    session: { topic: 'PreviewSessionEnded' },
    'record to decide': { topic: 'PreviewRecord' },
    'decision result': { topic: 'UpdateCallCompletionStatsAcknowledge' },
  },
};

/**
 * Examples whose buttons make sense only in order, each after the answer of the one before: the inject
 * to press, then the debug node and topic to wait for. The others are pressed in file order at once.
 */
const STEPS = {
  '06 Outbound desk.json': [
    ['start session', 'session', 'PreviewSessionStarted'],
    ['next record', 'record to decide', 'PreviewRecord'],
    ['complete: Answer', 'decision result', 'RecordProcessedAcknowledge'],
    ['next record', 'record to decide', 'PreviewRecord'],
    ['reject', 'decision result', 'RecordRejectAcknowledge'],
    ['next record', 'record to decide', 'PreviewRecord'],
    ['reschedule in one hour', 'decision result', 'ScheduledRecordRescheduleAcknowledge'],
    ['next record', 'record to decide', 'PreviewRecord'],
    ['do not call', 'decision result', 'DoNotCallAcknowledge'],
    ['next record', 'record to decide', 'PreviewRecord'],
    ['update phone: 5550199', 'decision result', 'UpdateCallCompletionStatsAcknowledge'],
    ['end session', 'session', 'PreviewSessionEnded'],
  ],
};

/** Node types without an edit dialog. */
const NO_DIALOG = ['junction'];

const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();
const flows = Object.fromEntries(files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'))]));

const MAJORS = majors();
const stacks = perMajor({ pageOptions: { animations: false } });

describe('example flows in the editor', function () {
  before(async function () {
    if (!haveChromium()) this.skip();
    this.timeout(30000);
    await stacks.launch(MAJORS);
  });

  after(async function () {
    this.timeout(30000);
    await stacks.closeAll();
  });

  it('has an expectation for every example file and no expectation without its file', () => {
    assert.ok(files.length > 0, `no example flows in ${EXAMPLES}`);
    const missing = files.filter((f) => !EXPECTED[f]);
    assert.deepEqual(missing, [], `add what the debug nodes of ${missing.join(', ')} must show to EXPECTED in ${path.basename(__filename)}`);
    const stale = Object.keys(EXPECTED).filter((f) => !files.includes(f));
    assert.deepEqual(stale, [], `EXPECTED names examples that are gone: ${stale.join(', ')}`);
  });

  for (const major of MAJORS) describe(NODE_RED[major].label, function () { examplesSuite.call(this, major); });
});

/** The examples on one Node-RED major. */
function examplesSuite(major) {
  this.timeout(20000);
  let editor;
  let session;
  let page;
  /** Per example file: the flow as the editor held it right after the import. */
  const imported = {};

  before(async function () {
    this.timeout(120000);
    ({ editor, session, page } = await stacks.get(major));
  });

  afterEach(async function () {
    await reportFailure(this.currentTest, { spec: 'examples', major, editor, ...session });
  });

  after(async function () {
    this.timeout(20000);
    await stacks.close(major);
  });

  for (const file of files) {
    const flow = flows[file];
    const ids = flow.map((n) => n.id);
    const name = file.replace(/\.json$/, '');

    it(`${name}: Import → Examples brings in exactly what the file holds`, async () => {
      await importExample(page, MODULE, name, ids);
      imported[file] = await exportFlow(page, ids);
      const diff = flowDifferences(flow, imported[file]);
      if (diff.length) assert.fail(`the editor holds other values than examples/${file}:\n  ${diff.join('\n  ')}`);
    });

    it(`${name}: every dialog, config nodes included, saved unchanged with Done, keeps every property`, async function () {
      this.timeout(60000);
      assert.ok(imported[file], 'needs the import of the previous test');
      // The flow tab's properties are Node-RED's alone: its dialog is left out (it costs a code editor per example).
      const opened = flow.filter((n) => n.type === 'tab').map((n) => n.id);
      // Which config node each node refers to, through which property (a property whose default names a config type).
      const refs = await page.evaluate((wanted) => Object.fromEntries(wanted.map((id) => {
        const node = RED.nodes.node(id);
        if (!node || !node._def || !node._def.defaults) return [id, []];
        const found = Object.entries(node._def.defaults)
          .filter(([prop, def]) => def.type && node[prop] && RED.nodes.node(node[prop]) && RED.nodes.getType(def.type) && RED.nodes.getType(def.type).category === 'config')
          .map(([prop]) => ({ property: prop, config: node[prop] }));
        return [id, found];
      })), ids);
      const isConfig = await page.evaluate((wanted) => Object.fromEntries(wanted.map((id) => {
        const node = RED.nodes.node(id);
        return [id, !!(node && node._def && node._def.category === 'config')];
      })), ids);
      for (const node of flow) {
        if (node.type === 'tab' || isConfig[node.id]) continue;
        if (NO_DIALOG.includes(node.type)) {
          opened.push(node.id);
          continue;
        }
        await openNodeDialog(page, node.id);
        for (const { property, config } of refs[node.id]) {
          if (opened.includes(config) || !ids.includes(config)) continue;
          await openConfigDialogFrom(page, property);
          await pressDone(page, '#node-config-dialog-ok');
          opened.push(config);
        }
        await pressDone(page);
        opened.push(node.id);
      }
      const unopened = ids.filter((id) => !opened.includes(id));
      assert.deepEqual(unopened, [], `config nodes no node of the example refers to (their dialog was not opened): ${unopened.join(', ')}`);
      const after = await exportFlow(page, ids);
      const diff = flowDifferences(imported[file], after);
      if (diff.length) assert.fail(`saving unchanged dialogs changed the flow:\n  ${diff.join('\n  ')}`);
    });
  }

  it('deploys all examples', async function () {
    this.timeout(30000);
    await deploy(page);
    await showDebug(page);
  });

  for (const file of files) {
    const flow = flows[file];
    const name = file.replace(/\.json$/, '');
    it(`${name}: its inject buttons bring the expected messages into the debug sidebar`, async function () {
      this.timeout(30000);
      const expected = EXPECTED[file];
      assert.ok(expected, `no expectation for examples/${file}: add what its debug nodes must show to EXPECTED in ${path.basename(__filename)}`);
      assert.ok(imported[file], 'needs the import of an earlier test');
      const debugs = flow.filter((n) => n.type === 'debug');
      const unknown = Object.keys(expected).filter((label) => !debugs.some((d) => (d.name || d.id) === label));
      assert.deepEqual(unknown, [], `EXPECTED names debug nodes that examples/${file} does not have`);
      const tab = flow.find((n) => n.type === 'tab');
      if (tab) await showWorkspace(page, tab.id);
      await clearDebug(page);
      const steps = STEPS[file];
      if (steps) {
        for (const [button, label, topic] of steps) {
          const inject = flow.find((n) => n.type === 'inject' && n.name === button);
          const debug = debugs.find((d) => (d.name || d.id) === label);
          assert.ok(inject && debug, `examples/${file} has an inject "${button}" and a debug node "${label}"`);
          const before = (await debugMessagesOf(page, debug.id)).filter((m) => m.topic === topic).length;
          await pressInject(page, inject.id);
          const until = Date.now() + 10000;
          while ((await debugMessagesOf(page, debug.id)).filter((m) => m.topic === topic).length <= before) {
            if (Date.now() > until) assert.fail(`examples/${file}: after "${button}", no ${topic} at "${label}" within 10 s`);
            await page.waitForTimeout(100);
          }
        }
      } else {
        for (const inject of flow.filter((n) => n.type === 'inject')) await pressInject(page, inject.id);
      }

      const matches = (message, want) => (want.topic === undefined || message.topic === want.topic) && (!want.text || want.text.test(message.text));
      const shown = async () => Object.fromEntries(await Promise.all(debugs.map(async (d) => [d.name || d.id, await debugMessagesOf(page, d.id)])));
      const describe = (all) => Object.entries(all).map(([label, list]) => `${label}: ${list.length ? list.map((m) => `[${m.meta}] ${m.text.slice(0, 160)}`).join(' | ') : '(nothing)'}`).join('\n  ');
      const deadline = Date.now() + 15000;
      let all = await shown();
      while (!Object.entries(expected).every(([label, want]) => all[label].some((m) => matches(m, want)))) {
        if (Date.now() > deadline) {
          const wanted = Object.entries(expected).map(([label, want]) => `${label}: ${[want.topic && `topic ${want.topic}`, want.text && `text ${want.text}`].filter(Boolean).join(', ')}`);
          assert.fail(`examples/${file}: expected within 15 s\n  ${wanted.join('\n  ')}\nthe debug sidebar shows\n  ${describe(all)}`);
        }
        await page.waitForTimeout(200);
        all = await shown();
      }
      const unexpected = Object.entries(all).filter(([label, list]) => !expected[label] && list.length);
      assert.deepEqual(unexpected.map(([label]) => label), [], `debug nodes that should show nothing:\n  ${describe(all)}`);
      fs.mkdirSync(OUTPUT, { recursive: true });
      await dismissNotifications(page);
      await page.screenshot({ path: path.join(OUTPUT, `nr${major}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`) });
    });
  }

  it('raised no script errors and requested nothing of ours that failed', () => {
    assert.deepEqual(ourPageErrors(major, session), []);
    assert.deepEqual(session.failedRequests.filter((r) => /gws/i.test(r)), []);
  });
}
