'use strict';
/**
 * The flows-library scorecard (node-red-dev validate), run offline with the catalogue call stubbed.
 * Every check must pass (P04 passes with a warning about scoped names, see "Scorecard" in the README).
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
      assert.equal(result.test, true, `${check}: ${JSON.stringify(result)}\n${report}`);
    }
    for (const check of ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03']) assert.ok(scorecard[check], check);
    const warnings = report.split('\n').filter((line) => /Warning:/.test(line));
    assert.deepEqual(warnings.map((line) => line.replace(/^\W+Warning: /, '')), ['P04 New Packages should use a scoped name']);
  });
});
