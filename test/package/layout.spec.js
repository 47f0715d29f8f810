'use strict';
/**
 * After the build, every asset is where Node-RED looks for it (rules R1-R7 of the loader): beside each
 * node file named in package.json, and the examples and editor resources at the package root.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const pkg = require(path.join(root, 'package.json'));

describe('package layout', () => {
  const entries = Object.entries(pkg['node-red'].nodes);

  it('is a Node-RED module for the types of the contract', () => {
    assert.equal(pkg.name, 'node-red-contrib-gws-outbound');
    assert.ok(pkg.keywords.includes('node-red'));
    assert.deepEqual(entries.map(([type]) => type).sort(), ['gws-complete-record', 'gws-get-chained-record', 'gws-outbound-event', 'gws-server']);
    assert.ok(pkg['node-red'].version);
  });

  for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
    describe(type, () => {
      const js = path.join(root, file);
      const dir = path.dirname(js);
      const base = path.basename(js, '.js');

      it('has its compiled node file, exporting a function of RED', () => {
        assert.ok(fs.existsSync(js), js);
        const exported = require(js);
        assert.equal(typeof (exported.__esModule ? exported.default : exported), 'function');
      });

      it('has its editor file beside it, registering the type by its literal name', () => {
        const html = fs.readFileSync(path.join(dir, `${base}.html`), 'utf8');
        assert.match(html, new RegExp(`<script type="text/javascript">[\\s\\S]*RED\\.nodes\\.registerType\\('${type}'`));
        assert.match(html, new RegExp(`data-template-name="${type}"`));
      });

      it('has its en-US catalog and help where the loader reads them', () => {
        const catalog = JSON.parse(fs.readFileSync(path.join(dir, 'locales', 'en-US', `${base}.json`), 'utf8'));
        assert.ok(catalog[type] || type === 'gws-server', `catalog has a ${type} section`);
        assert.ok(fs.existsSync(path.join(dir, 'locales', 'en-US', `${base}.html`)), 'help file');
      });

      it('has every icon its editor names', () => {
        const html = fs.readFileSync(path.join(dir, `${base}.html`), 'utf8');
        for (const [, icon] of html.matchAll(/icon: '([^']+)'/g)) {
          assert.ok(fs.existsSync(path.join(dir, 'icons', icon)), `${icon} in ${path.join(dir, 'icons')}`);
        }
      });
    });
  }

  it('serves the shared editor code from resources/ at the package root', () => {
    const html = fs.readFileSync(path.join(root, 'dist', 'nodes', 'gws-complete-record.html'), 'utf8');
    const [, src] = /src="resources\/node-red-contrib-gws-outbound\/([^"]+)"/.exec(html);
    assert.ok(fs.existsSync(path.join(root, 'resources', src)));
    assert.ok(pkg.files.includes('resources'));
  });

  it('ships dist, examples and resources and declares the gws-sim command', () => {
    for (const entry of ['dist', 'examples', 'resources']) assert.ok(pkg.files.includes(entry), entry);
    assert.ok(fs.existsSync(path.join(root, pkg.bin['gws-sim'])));
    assert.match(fs.readFileSync(path.join(root, pkg.bin['gws-sim']), 'utf8'), /^#!\/usr\/bin\/env node/);
  });
});
