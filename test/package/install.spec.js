'use strict';
/**
 * The packed package as a user gets it: the tarball holds only runtime files, installs into a fresh
 * Node-RED user directory with plain `npm install <tarball>` (no build tools, no dev dependencies), and
 * Node-RED then loads every node type package.json lists without an error.
 */
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('../helpers');

const root = path.join(__dirname, '..', '..');

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 240000, ...options }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('packed package', function () {
  this.timeout(300000);
  let work;
  let packed;
  let red;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gws-pack-'));
    // dist/ was built by `npm test`; --ignore-scripts keeps `npm pack` from rebuilding under running tests.
    const [info] = JSON.parse(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root }));
    packed = info;
  });

  after(async () => {
    if (red) await red.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('holds only runtime files', () => {
    const files = packed.files.map((f) => f.path);
    const allowed = /^(package\.json|README\.md|LICENSE|dist\/(core|nodes|simulator)\/.+\.(js|d\.ts|html|json|svg)|examples\/[^/]+\.json|resources\/[^/]+\.js)$/;
    const unexpected = files.filter((f) => !allowed.test(f));
    assert.deepEqual(unexpected, []);
    for (const must of ['dist/nodes/gws-server.js', 'dist/nodes/gws-server.html', 'dist/nodes/locales/en-US/gws-server.json', 'dist/nodes/icons/gws-complete-record.svg', 'dist/simulator/cli.js', 'resources/gws-editor.js', 'resources/gws-operations.js']) {
      assert.ok(files.includes(must), must);
    }
    assert.ok(files.some((f) => f.startsWith('examples/')), 'examples');
    assert.ok(!files.some((f) => /(^|\/)test\/|\.ts$(?<!\.d\.ts)|tsconfig|\.mocharc/.test(f)), 'no sources or tests');
  });

  it('installs with plain npm install and Node-RED loads every node type', async () => {
    const userDir = path.join(work, 'user');
    const { prepareUserDir, startNodeRed } = await import(path.join(root, 'scripts', 'lib', 'node-red-instance.mjs'));
    const port = await freePort();
    prepareUserDir({ dir: userDir, port, linkPackage: false });
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts=false', path.join(work, packed.filename)], { cwd: userDir });
    const installed = path.join(userDir, 'node_modules', 'node-red-contrib-gws-outbound');
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'nodes', 'gws-server.js')));
    assert.ok(!fs.existsSync(path.join(userDir, 'node_modules', 'typescript')), 'no build tools installed');
    let output = '';
    red = startNodeRed({ userDir, port, onOutput: (text) => (output += text) });
    await red.started;
    const response = await fetch(`${red.url}/nodes`, { headers: { accept: 'application/json' } });
    const sets = (await response.json()).filter((set) => set.module === 'node-red-contrib-gws-outbound');
    assert.deepEqual(sets.map((set) => set.types).flat().sort(), Object.keys(require(path.join(root, 'package.json'))['node-red'].nodes).sort());
    for (const set of sets) {
      assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
      assert.equal(set.enabled, true);
    }
    assert.ok(!/\[error\]/i.test(output), output);
    const html = await (await fetch(`${red.url}/nodes`, { headers: { accept: 'text/html' } })).text();
    assert.match(html, /RED\.nodes\.registerType\('gws-complete-record'/);
    for (const resource of ['gws-editor.js', 'gws-operations.js']) {
      const served = await fetch(`${red.url}/resources/node-red-contrib-gws-outbound/${resource}`);
      assert.equal(served.status, 200, resource);
    }
    const catalog = await (await fetch(`${red.url}/locales/node-red-contrib-gws-outbound/gws-server?lng=de`)).json();
    assert.ok(catalog['gws-server'], 'catalog served');
    const examples = await (await fetch(`${red.url}/library/_examples_/`, { headers: { accept: 'application/json' } })).json().catch(() => null);
    if (examples) assert.ok(JSON.stringify(examples).includes('node-red-contrib-gws-outbound'), 'examples listed');
  });
});
