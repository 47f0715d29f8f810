'use strict';
/*
 * Every dialog of the package in a real Chromium, on Node-RED 4.1 and on Node-RED 5, in English, German and
 * Japanese: a screenshot of each goes to test-output/dialogs/<major>-<lang>-<dialog>.png, and the layout is
 * measured: every label on one line, every field of a dialog (input, select, TypedInput, config-node select)
 * in one column of one width, no placeholder wider than its field, no catalog key shown instead of its
 * text. Also: the record operation dialog shows exactly the rows of the chosen operation (as the operation
 * table says), and a node imported without its optional properties, opened and saved unchanged, stores the
 * runtime's defaults.
 * One browser and one Node-RED per major; one page per language, reused by every dialog.
 * Skipped (with a line on stdout) when /usr/bin/chromium is not installed.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { CHROMIUM, CHROMIUM_ARGS, root, startEditor, majors } = require('./helpers');

const OUTPUT = path.join(root, 'test-output', 'dialogs');
// BROWSER_NODE_RED=5 (or 4) runs one major only, while working on the dialogs.
const MAJORS = majors();
const LANGUAGES = ['en-US', 'de', 'ja'];
const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
/** Text that means a catalog key was shown instead of its translation. */
const RAW_KEY =
  /node-red-contrib-gws-outbound\/|\b(gws-server|action|gws-[a-z-]+)\.(label|placeholder|test|callResultFormat|tip|tipMsg|operation|validation|paletteLabel|inputLabel|channel|correlated)\b/;

/** The flow every editor starts with: one server and one node of each type (disabled: nothing connects). */
const FLOWS = [
  { id: 'tab1', type: 'tab', label: 'Dialogs' },
  {
    id: 'srv', type: 'gws-server', name: '', useSimulator: false, baseUrl: 'http://gws.example.com:8090', tls: '', proxy: '',
    devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1', ackTimeout: '10000', callResultFormat: 'name', maxSockets: '6',
  },
  { id: 'complete', type: 'gws-complete-record', z: 'tab1', d: true, server: 'srv', x: 160, y: 80, wires: [[]] },
  { id: 'chained', type: 'gws-get-chained-record', z: 'tab1', d: true, server: 'srv', x: 160, y: 160, wires: [[]] },
  { id: 'record', type: 'gws-outbound-record', z: 'tab1', d: true, server: 'srv', x: 160, y: 240, wires: [[]] },
  { id: 'campaign', type: 'gws-outbound-campaign', z: 'tab1', d: true, server: 'srv', x: 160, y: 320, wires: [[]] },
  { id: 'event', type: 'gws-outbound-event', z: 'tab1', d: true, server: 'srv', x: 160, y: 400, wires: [[]] },
];
const CREDENTIALS = { srv: { username: 'agent1', password: 'agent1' } };
/**
 * The editor without what these dialogs do not use, so that six pages load in time on a busy machine: the
 * Ace code editor instead of Monaco (4 MB of script), no palette manager (it asks the flows library).
 * editorTheme replaces the helper's own, whose settings it repeats.
 */
const SETTINGS = {
  editorTheme: { tours: false, projects: { enabled: false }, palette: { categories: ['Genesys', 'common', 'function', 'network'] }, codeEditor: { lib: 'ace' } },
  externalModules: { palette: { allowInstall: false } },
};
/** The dialogs each language opens: [file name, node id, operation to choose first (record operation)]. */
const DIALOGS = [
  ['gws-server', 'srv'],
  ['complete-record', 'complete'],
  ['get-chained-record', 'chained'],
  ['record-RejectRecord', 'record', 'RejectRecord'],
  ['record-RescheduleRecord', 'record', 'RescheduleRecord'],
  ['record-AddRecord', 'record', 'AddRecord'],
  ['record-msg', 'record', 'msg'],
  ['preview-session', 'campaign'],
  ['outbound-event', 'event'],
];

/** Opens the dialog of a node (a config node in its own dialog) and resolves once the tray stands still. */
async function openDialog(page, id) {
  await page.evaluate((nid) => {
    const node = RED.nodes.node(nid);
    if (node._def.category === 'config') RED.editor.editConfig('', node.type, nid);
    else RED.editor.edit(node);
  }, id);
  await page.waitForFunction(() => {
    const ok = document.querySelector('#node-config-dialog-ok, #node-dialog-ok');
    const tray = [...document.querySelectorAll('.red-ui-tray')].pop();
    if (!ok || !tray) return false;
    const box = tray.getBoundingClientRect();
    const now = `${box.x},${box.width}`;
    const still = window.__gwsTray === now && box.right <= window.innerWidth + 1;
    window.__gwsTray = now;
    return still;
  }, null, { polling: 80 });
}

/** Closes the open dialog with its Done (`ok`) or Cancel button and resolves once it is gone. */
async function closeDialog(page, button = 'cancel') {
  await page.evaluate((which) => {
    const buttons = [...document.querySelectorAll(`#node-config-dialog-${which}, #node-dialog-${which}`)];
    buttons.pop().click();
  }, button);
  await page.waitForFunction(() => !document.querySelector('#node-config-dialog-ok, #node-dialog-ok'));
}

/**
 * What the open dialog shows: its labels (with their number of text lines), its fields (box of each
 * row's input, select, TypedInput or config-node select), its placeholders (with the room they have) and
 * its texts. Measured in the page.
 */
function measure(page) {
  return page.evaluate(() => {
    const form = [...document.querySelectorAll('.red-ui-tray .gws-form')].pop();
    const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const lines = (el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top + r.height / 2));
      return tops.filter((top, i) => tops.findIndex((other) => Math.abs(other - top) <= 4) === i).length;
    };
    const labels = [...form.querySelectorAll('.form-row > label')].filter(visible).map((el) => ({
      text: el.textContent.replace(/\s+/g, ' ').trim(),
      lines: lines(el),
    }));
    const fields = [];
    for (const row of form.querySelectorAll('.form-row')) {
      if (!visible(row)) continue;
      const candidates = [
        row.querySelector(':scope > .red-ui-typedInput-container'),
        row.querySelector(':scope > div > select') && row.querySelector(':scope > div > select').parentElement,
        row.querySelector(':scope > select'),
        row.querySelector(':scope > input[type=text]:not(.red-ui-typedInput)'),
        row.querySelector(':scope > input[type=password]'),
      ].filter(visible);
      if (!candidates.length) continue;
      // A config-node select is a box holding the select and its buttons: measure all of it.
      const parts = candidates[0].tagName === 'DIV' ? [candidates[0], ...candidates[0].children] : [candidates[0]];
      const boxes = parts.filter(visible).map((el) => el.getBoundingClientRect());
      const box = { left: Math.min(...boxes.map((b) => b.left)), width: Math.max(...boxes.map((b) => b.right)) - Math.min(...boxes.map((b) => b.left)) };
      const label = row.querySelector(':scope > label');
      fields.push({ row: label ? label.textContent.replace(/\s+/g, ' ').trim() : '?', left: box.left, width: box.width });
    }
    const canvas = document.createElement('canvas').getContext('2d');
    const placeholders = [...form.querySelectorAll('input[placeholder]')]
      .filter((el) => visible(el) && el.value === '' && el.placeholder !== '')
      .map((el) => {
        const style = getComputedStyle(el);
        canvas.font = style.font;
        return {
          id: el.id || (el.closest('.form-row') && el.closest('.form-row').querySelector('input[id]').id),
          text: el.placeholder,
          width: canvas.measureText(el.placeholder).width,
          room: el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
          scrollWidth: el.scrollWidth,
          clientWidth: el.clientWidth,
        };
      });
    const texts = [
      form.innerText,
      ...[...form.querySelectorAll('[placeholder]')].map((el) => el.getAttribute('placeholder')),
      ...[...form.querySelectorAll('[title]')].map((el) => el.getAttribute('title')),
      ...[...form.querySelectorAll('option')].map((el) => el.textContent),
    ].join('\n');
    return { labels, fields, placeholders, texts };
  });
}

/** The layout rules of a dialog; returns a list of problems. */
function layoutProblems(shown) {
  const problems = [];
  for (const label of shown.labels) {
    if (label.lines > 1) problems.push(`label "${label.text}" takes ${label.lines} lines`);
  }
  assert.ok(shown.fields.length >= 2, `a dialog with fields (found ${shown.fields.length})`);
  const [first] = shown.fields;
  for (const field of shown.fields) {
    if (Math.abs(field.left - first.left) > 2) problems.push(`field of "${field.row}" starts at ${field.left.toFixed(1)}, "${first.row}" at ${first.left.toFixed(1)}`);
    if (Math.abs(field.width - first.width) > 2) problems.push(`field of "${field.row}" is ${field.width.toFixed(1)} wide, "${first.row}" ${first.width.toFixed(1)}`);
  }
  for (const placeholder of shown.placeholders) {
    if (placeholder.width > placeholder.room + 0.5 || placeholder.scrollWidth > placeholder.clientWidth) {
      problems.push(`placeholder "${placeholder.text}" of ${placeholder.id} is ${placeholder.width.toFixed(1)} wide, its field has ${placeholder.room.toFixed(1)}`);
    }
  }
  const raw = RAW_KEY.exec(shown.texts);
  if (raw) problems.push(`catalog key shown: ${shown.texts.slice(Math.max(0, raw.index - 30), raw.index + 60)}`);
  return problems;
}

describe('dialogs on Node-RED 4.1 and 5, in en-US, de and ja', function () {
  this.timeout(30000);
  let browser;
  const editors = {};
  const pages = {};
  const pageErrors = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`dialog test SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium)`);
      this.skip();
    }
    this.timeout(120000);
    fs.mkdirSync(OUTPUT, { recursive: true });
    const { chromium } = require('playwright-core');
    const launched = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await Promise.all(MAJORS.map(async (major) => {
      editors[major] = await startEditor({ major, flows: FLOWS, credentials: CREDENTIALS, settings: SETTINGS });
    }));
    browser = await launched;
    // The majors load side by side, the languages of one major one after the other (a busy machine serves
    // three editors at once too slowly).
    const open = async (major, lang) => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1300 }, locale: lang });
      const page = await context.newPage();
      page.setDefaultTimeout(10000);
      page.on('pageerror', (err) => pageErrors.push(`${major}-${lang}: ${err.message} ${String(err.stack).split('\n').slice(1, 3).join(' ')}`));
      await page.goto(editors[major].url, { waitUntil: 'domcontentloaded', timeout: 45000 });
      await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.node('record') && RED.workspaces && RED.workspaces.active(), null, { timeout: 45000 });
      await page.locator('#red-ui-loading-progress').waitFor({ state: 'hidden' }).catch(() => {});
      pages[`${major}-${lang}`] = page;
    };
    await Promise.all(MAJORS.map(async (major) => {
      for (const lang of LANGUAGES) await open(major, lang);
    }));
  });

  after(async function () {
    this.timeout(20000);
    if (browser) await browser.close().catch(() => {});
    await Promise.all(Object.values(editors).map((editor) => editor.stop().catch(() => {})));
  });

  for (const major of MAJORS) {
    for (const lang of LANGUAGES) {
      it(`Node-RED ${major}, ${lang}: every dialog has one label column, one field column and nothing cut off or untranslated`, async () => {
        const page = pages[`${major}-${lang}`];
        const problems = [];
        let open;
        for (const [name, id, operation] of DIALOGS) {
          if (open !== id) {
            if (open) await closeDialog(page);
            await openDialog(page, id);
            open = id;
          }
          if (operation) {
            await page.locator('#node-input-operation').selectOption(operation);
          }
          // The tray (the dialog) only, with a strip of the workspace for context.
          const tray = await page.locator('.red-ui-tray').last().boundingBox();
          await page.screenshot({ path: path.join(OUTPUT, `${major}-${lang}-${name}.png`), clip: { x: tray.x - 20, y: 0, width: tray.width + 40, height: tray.y + tray.height } });
          problems.push(...layoutProblems(await measure(page)).map((problem) => `${name}: ${problem}`));
        }
        await closeDialog(page);
        assert.deepEqual(problems, []);
      });
    }

    it(`Node-RED ${major}: the record operation dialog shows exactly the rows of the chosen operation`, async () => {
      const page = pages[`${major}-en-US`];
      await openDialog(page, 'record');
      const table = await page.evaluate(() => window.GwsOperations);
      const offered = table.nodes['gws-outbound-record'];
      const options = await page.locator('#node-input-operation option').evaluateAll((els) => els.map((el) => el.value));
      assert.deepEqual(options, [...offered, 'msg']);
      try {
        for (const operation of [...offered, 'msg']) {
          await page.locator('#node-input-operation').selectOption(operation);
          const shown = await page.evaluate(() => [...document.querySelectorAll('.gws-param')]
            .filter((row) => row.getClientRects().length > 0)
            .map((row) => ({ param: row.dataset.gwsParam, required: row.querySelector('.gws-required').getClientRects().length > 0 })));
          const operations = operation === 'msg' ? offered : [operation];
          const expected = table.paramNames
            .filter((param) => operations.some((op) => table.operations[op].params[param]))
            .map((param) => ({
              param,
              // With msg.operation: marked when every operation that sends it requires it.
              required: operations.filter((op) => table.operations[op].params[param]).every((op) => table.operations[op].params[param] === 'required'),
            }));
          assert.deepEqual(shown, expected, `rows of ${operation}`);
        }
      } finally {
        await closeDialog(page);
      }
    });

    it(`Node-RED ${major}: nodes imported without their optional properties keep the runtime's defaults when saved unchanged`, async () => {
      const page = pages[`${major}-en-US`];
      const bare = [
        { id: 'bareServer', type: 'gws-server', baseUrl: 'http://gws.example.com:8090' },
        { id: 'bareComplete', type: 'gws-complete-record', z: 'tab1', server: 'bareServer', x: 500, y: 80, wires: [[]] },
        { id: 'bareRecord', type: 'gws-outbound-record', z: 'tab1', server: 'bareServer', x: 500, y: 160, wires: [[]] },
        { id: 'bareCampaign', type: 'gws-outbound-campaign', z: 'tab1', server: 'bareServer', x: 500, y: 240, wires: [[]] },
        { id: 'bareEvent', type: 'gws-outbound-event', z: 'tab1', server: 'bareServer', x: 500, y: 320, wires: [[]] },
        // An operation the node does not offer: every message fails at runtime, so the dialog must not swap it.
        { id: 'oddRecord', type: 'gws-outbound-record', z: 'tab1', server: 'bareServer', operation: 'DeleteRecord', x: 500, y: 400, wires: [[]] },
        // The runtime reads /v2/me/* as both and an unknown correlated as all: the dialog shows that.
        { id: 'oddEvent', type: 'gws-outbound-event', z: 'tab1', server: 'bareServer', channel: '/v2/me/*', correlated: 'sometimes', x: 500, y: 480, wires: [[]] },
      ];
      await page.evaluate((nodes) => {
        RED.view.importNodes(nodes, { generateIds: false, addFlow: false, touchImport: true, notify: false, applyNodeDefaults: false });
        RED.view.state(RED.state.DEFAULT);
      }, bare);
      const before = await page.evaluate(() => ['bareComplete', 'bareRecord'].map((id) => RED.nodes.node(id)).map((n) => [n.waitForAck, n.operation, n.recordHandleType]));
      assert.deepEqual(before, [[undefined, undefined, undefined], [undefined, undefined, undefined]], 'imported as they are');

      // What the dialogs show, then Done without a change.
      const shown = {};
      for (const node of bare) {
        await openDialog(page, node.id);
        shown[node.id] = await page.evaluate(() => {
          const value = (id) => {
            const el = document.getElementById(id);
            if (!el) return undefined;
            return el.type === 'checkbox' ? el.checked : el.value;
          };
          return Object.fromEntries(['waitForAck', 'timeout', 'operation', 'recordHandleType', 'campaignNameType', 'channel', 'correlated']
            .map((p) => [p, value(`node-input-${p}`)])
            .concat(['useSimulator', 'ackTimeout', 'callResultFormat', 'maxSockets'].map((p) => [p, value(`node-config-input-${p}`)]))
            .filter(([, v]) => v !== undefined));
        });
        await closeDialog(page, 'ok');
      }
      assert.deepEqual(shown, {
        bareServer: { useSimulator: false, ackTimeout: '10000', callResultFormat: 'name', maxSockets: '6' },
        bareComplete: { waitForAck: true, timeout: '', recordHandleType: 'str', campaignNameType: 'str' },
        bareRecord: { waitForAck: true, timeout: '', operation: 'RejectRecord', recordHandleType: 'str', campaignNameType: 'str' },
        bareCampaign: { waitForAck: true, timeout: '', operation: 'StartPreviewSession', campaignNameType: 'str' },
        bareEvent: { channel: '/v2/me/outbound', correlated: 'all' },
        oddRecord: { waitForAck: true, timeout: '', operation: 'DeleteRecord', recordHandleType: 'str', campaignNameType: 'str' },
        oddEvent: { channel: 'both', correlated: 'all' },
      });

      // What they store, in the editor and in the exported flow.
      const stored = await page.evaluate((ids) => {
        const exported = RED.nodes.createCompleteNodeSet();
        const pick = (n, keys) => Object.fromEntries(keys.filter((k) => k in n).map((k) => [k, n[k]]));
        const keys = ['waitForAck', 'timeout', 'operation', 'recordHandleType', 'useSimulator', 'ackTimeout', 'callResultFormat', 'maxSockets', 'channel', 'correlated'];
        return ids.map((id) => ({ editor: pick(RED.nodes.node(id), keys), exported: pick(exported.find((n) => n.id === id), keys) }));
      }, bare.map((n) => n.id));
      const expected = [
        { useSimulator: false, ackTimeout: '10000', callResultFormat: 'name', maxSockets: '6' },
        { waitForAck: true, timeout: '', recordHandleType: 'str' },
        { waitForAck: true, timeout: '', operation: 'RejectRecord', recordHandleType: 'str' },
        { waitForAck: true, timeout: '', operation: 'StartPreviewSession' },
        { channel: '/v2/me/outbound', correlated: 'all' },
        { waitForAck: true, timeout: '', operation: 'DeleteRecord', recordHandleType: 'str' },
        { channel: 'both', correlated: 'all' },
      ];
      assert.deepEqual(stored.map((s) => s.editor), expected, 'RED.nodes.node(id) after Done');
      assert.deepEqual(stored.map((s) => s.exported), expected, 'the exported flow');
      assert.equal(await page.evaluate(() => RED.nodes.node('oddRecord').valid), false, 'an operation the node does not offer is marked invalid');
      await page.evaluate((ids) => {
        // Leave the page as the other tests expect it.
        ids.forEach((id) => RED.nodes.remove(id));
        RED.nodes.dirty(false);
        RED.view.redraw(true);
      }, bare.map((n) => n.id));
    });

    it(`Node-RED ${major}: Test connection's result goes away when the simulator box changes`, async () => {
      const page = pages[`${major}-en-US`];
      await openDialog(page, 'srv');
      try {
        const result = page.locator('#node-config-gws-test-result');
        await page.locator('#node-config-input-useSimulator').check();
        await page.locator('#node-config-gws-test').click();
        await page.waitForFunction(() => /^Connected as /.test(document.getElementById('node-config-gws-test-result').textContent), null, { timeout: 20000 });
        await page.locator('#node-config-input-useSimulator').uncheck();
        assert.equal(await result.textContent(), '');
        assert.equal(await page.locator('#node-config-gws-test-row').isVisible(), false);
      } finally {
        await closeDialog(page);
      }
    });
  }

  it('raised no script errors in any page', () => {
    // Node-RED 5's rotating tips of the info sidebar sometimes fail on their own (a timer, "reading 'html'"
    // inside red.min.js), whatever the nodes: not counted here.
    const ours = pageErrors.filter((error) => !/reading 'html'\) +at \w+ \(\S*\/red\/red\.min\.js/.test(error));
    assert.deepEqual(ours, []);
  });
});
