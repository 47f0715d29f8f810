'use strict';
/**
 * After the build, every asset is where Node-RED looks for it (rules R1-R7 of the loader): beside each
 * node file named in package.json, and the examples and editor resources at the package root.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..', '..');
const pkg = require(path.join(root, 'package.json'));

describe('package layout', () => {
  const entries = Object.entries(pkg['node-red'].nodes);

  it('is a Node-RED module for the types of the contract', () => {
    assert.equal(pkg.name, 'node-red-contrib-gws-outbound');
    assert.ok(pkg.keywords.includes('node-red'));
    assert.deepEqual(entries.map(([type]) => type).sort(), [
      'gws-complete-record', 'gws-get-chained-record', 'gws-outbound-campaign', 'gws-outbound-event', 'gws-outbound-record', 'gws-server',
    ]);
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

  describe('what the build generates from the operation table', () => {
    const table = require(path.join(root, 'dist', 'core', 'operation-table.js'));
    const LANGUAGES = ['en-US', 'de', 'ja'];

    it('writes resources/gws-operations.js: the table for the editor, equal to the compiled one', () => {
      const file = path.join(root, 'resources', 'gws-operations.js');
      assert.ok(fs.existsSync(file), 'resources/gws-operations.js (npm run build writes it)');
      const context = { window: {} };
      vm.runInNewContext(fs.readFileSync(file, 'utf8'), context);
      // JSON round trip: the generated file is JSON data, the compiled table holds readonly arrays.
      const expected = JSON.parse(JSON.stringify({ params: table.PARAMS, operations: table.OPERATION_TABLE, nodes: table.NODE_OPERATIONS, paramNames: table.PARAM_NAMES }));
      assert.deepEqual(JSON.parse(JSON.stringify(context.window.GwsOperations)), expected);
    });

    it('every node that uses the shared editor code loads the table before it', () => {
      for (const [type, file] of entries) {
        const html = fs.readFileSync(path.join(root, path.dirname(file), `${type}.html`), 'utf8');
        if (!html.includes('gws-editor.js')) continue;
        const operations = html.indexOf('src="resources/node-red-contrib-gws-outbound/gws-operations.js"');
        assert.ok(operations >= 0 && operations < html.indexOf('gws-editor.js'), `${type}.html loads gws-operations.js before gws-editor.js`);
      }
    });

    it('every action node of the table is listed in package.json and its dialog comes from the table', () => {
      for (const type of Object.keys(table.NODE_OPERATIONS)) {
        assert.ok(pkg['node-red'].nodes[type], `${type} in node-red.nodes`);
        const html = fs.readFileSync(path.join(root, 'dist', 'nodes', `${type}.html`), 'utf8');
        assert.match(html, new RegExp(`defaults: GwsEditor\\.defaults\\('${type}'\\)`));
        assert.match(html, new RegExp(`GwsEditor\\.form\\('${type}'\\)`));
      }
    });

    for (const lang of LANGUAGES) {
      it(`fills the parameter lists of the ${lang} help of every action node from the table`, async () => {
        const assets = await import(pathToFileURL(path.join(root, 'scripts', 'copy-assets.mjs')).href);
        const words = assets.helpWords(path.join(root, 'locales'), lang);
        const fragments = assets.helpFragments(assets.HELP_DIR, lang);
        for (const [type, operations] of Object.entries(table.NODE_OPERATIONS)) {
          const source = fs.readFileSync(path.join(root, 'locales', lang, `${type}.html`), 'utf8');
          assert.ok(source.includes(assets.MARKERS.parameters), `locales/${lang}/${type}.html has the ${assets.MARKERS.parameters} marker`);
          const html = fs.readFileSync(path.join(root, 'dist', 'nodes', 'locales', lang, `${type}.html`), 'utf8');
          assert.ok(!html.includes('<!-- gws:'), `dist help of ${type} (${lang}) still holds a marker`);
          const params = table.paramsOf(operations);
          for (const param of params) {
            assert.ok(html.includes(`payload.${param} <span class="property-type">`), `${lang}/${type}.html lists payload.${param}`);
          }
          const listed = [...html.matchAll(/<dt[^>]*>payload\.([A-Za-z]+) /g)].map((m) => m[1]);
          assert.deepEqual(listed, params, `${lang}/${type}.html lists exactly the parameters of its operations, in table order`);
          if (operations.length > 1) {
            for (const operation of operations) assert.ok(html.includes(`<dt>${operation}</dt>`), `${lang}/${type}.html has an entry for ${operation}`);
          }
          assert.ok(html.includes(words.required) || html.includes(words.requiredWithDefault), `${lang}/${type}.html uses the ${lang} words`);
          assert.equal(html, assets.expandHelp(source, { table: assets.loadTable(), type, words, fragments }), 'dist holds what the build generates now');
        }
      });
    }
  });

  it('ships dist, examples and resources and declares the gws-sim command', () => {
    for (const entry of ['dist', 'examples', 'resources']) assert.ok(pkg.files.includes(entry), entry);
    assert.ok(fs.existsSync(path.join(root, pkg.bin['gws-sim'])));
    assert.match(fs.readFileSync(path.join(root, pkg.bin['gws-sim']), 'utf8'), /^#!\/usr\/bin\/env node/);
  });
});
