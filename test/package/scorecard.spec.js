'use strict';
/**
 * The flows-library scorecard (node-red-dev validate), run offline with the catalogue call stubbed.
 * Every check must pass but two warnings explained in the README ("Flows-library scorecard"): P04 (the
 * unscoped name is part of the contract) and D03 for undici (its next major needs Node.js 22.19).
 */
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

describe('flows-library scorecard (node-red-dev validate, offline)', function () {
  this.timeout(180000);
  let scorecard;
  let report;

  before(async () => {
    const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gws-scorecard-')), 'scorecard.json');
    report = await new Promise((resolve, reject) => {
      execFile(process.execPath, [path.join(root, 'scripts', 'scorecard.mjs'), output], { cwd: root, timeout: 170000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout + stderr),
      );
    });
    scorecard = JSON.parse(fs.readFileSync(output, 'utf8'));
  });

  it('parses every node definition and finds an example for each node', () => {
    assert.ok(!/Unable to parse/.test(report), report);
    // Every node type but the config node needs an example flow that uses it.
    const nodes = Object.keys(require(path.join(root, 'package.json'))['node-red'].nodes).filter((type) => type !== 'gws-server');
    assert.deepEqual({ ...scorecard.N02, nodes: [...(scorecard.N02.nodes ?? [])].sort() }, { test: true, nodes: nodes.sort() });
  });

  it('passes every package, node and dependency check', () => {
    for (const [check, result] of Object.entries(scorecard)) {
      if (check === 'package') continue;
      // D03 (dependencies at their latest major) is only a warning; undici 8 would drop Node.js 20.
      if (check === 'D03') {
        assert.deepEqual(result.packages ?? [], result.test ? [] : ['undici'], `${check}: ${JSON.stringify(result)}`);
        continue;
      }
      assert.equal(result.test, true, `${check}: ${JSON.stringify(result)}\n${report}`);
    }
    for (const check of ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03']) assert.ok(scorecard[check], check);
    // Two warnings are known and explained in the README ("Flows-library scorecard"): the unscoped name
    // is part of the contract, and undici 8 needs Node.js 22.19 while the package supports Node.js 20.
    // The CLI wraps a long warning over lines that each start with "›".
    const found = report
      .split(/\n\s*›\s+(?=Warning:)/)
      .slice(1)
      .map((text) => text.split('\n\n')[0].replace(/\n\s*›\s*/g, ' ').replace(/^Warning: /, '').replace(/\s+/g, ' ').trim());
    assert.equal(found[0], 'P04 New Packages should use a scoped name', found.join('\n'));
    assert.deepEqual(found.slice(1).filter((w) => !/^D03 undici is not at latest version, package.json specifies: \^7\.\d+\.\d+, latest is: 8\./.test(w)), []);
  });
});
