'use strict';
/**
 * The sections the action nodes' help shares (the msg.error.code list, Status, References) are written
 * once per language in help/<lang>/<name>.html and put in place of a `<!-- gws:<name> -->` marker by
 * the build (scripts/copy-assets.mjs), keeping the fragment lines whose `<!-- gws:if ... -->` condition
 * holds for the node. Needs the build (dist/core, dist/nodes/locales).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.join(__dirname, '..', '..');
const LOCALES = path.join(ROOT, 'locales');
const HELP = path.join(ROOT, 'help');
const LANGUAGES = ['en-US', 'de', 'ja'];
const pkg = require(path.join(ROOT, 'package.json'));
const TYPES = Object.keys(pkg['node-red'].nodes);
const TABLE = require(path.join(ROOT, 'dist', 'core', 'operation-table.js'));
const { ERROR_TEXTS } = require(path.join(ROOT, 'dist', 'core', 'index.js'));

const assets = () => import(pathToFileURL(path.join(ROOT, 'scripts', 'copy-assets.mjs')).href);
const source = (lang, type) => fs.readFileSync(path.join(LOCALES, lang, `${type}.html`), 'utf8');
const built = (lang, type) => fs.readFileSync(path.join(ROOT, 'dist', 'nodes', 'locales', lang, `${type}.html`), 'utf8');
/** The fragment markers of a help file, e.g. ['error-codes', 'status']. */
const fragmentMarkers = (html) =>
  [...html.matchAll(/<!-- gws:([a-z][a-z0-9-]*) -->/g)].map((m) => m[1]).filter((name) => name !== 'parameters' && name !== 'parameter-names');
/** The codes the msg.error.code lists of a built help name (`<li><code>x</code> - ...`), up to the Status section. */
const listedCodes = (html) => {
  const start = html.indexOf('<p><code>msg.error.code</code>');
  assert.ok(start >= 0, 'the help explains msg.error.code');
  const section = html.slice(start, html.indexOf('<h4>', start));
  return [...section.matchAll(/<li><code>([A-Za-z]+)<\/code> - /g)].map((m) => m[1]);
};
const fragmentNames = (lang) => fs.readdirSync(path.join(HELP, lang)).filter((file) => file.endsWith('.html')).map((file) => file.slice(0, -5)).sort();
const conditions = (text) => [...text.matchAll(/<!-- gws:if ([^>]*?) -->/g)].map((m) => m[1]);

describe('shared help sections', () => {
  it('every language has the same fragments, with the same conditions in the same order', () => {
    const english = fragmentNames('en-US');
    assert.ok(english.length > 0, 'help/en-US holds fragments');
    for (const lang of LANGUAGES) {
      assert.deepEqual(fragmentNames(lang), english, `help/${lang} holds the fragments of help/en-US`);
      for (const name of english) {
        const read = (l) => fs.readFileSync(path.join(HELP, l, `${name}.html`), 'utf8');
        assert.deepEqual(conditions(read(lang)), conditions(read('en-US')), `help/${lang}/${name}.html has the conditional lines of help/en-US/${name}.html`);
      }
    }
  });

  it('every action node uses the shared sections, and each marker has its fragment in every language', () => {
    for (const type of Object.keys(TABLE.NODE_OPERATIONS)) {
      for (const lang of LANGUAGES) {
        const markers = fragmentMarkers(source(lang, type));
        assert.deepEqual(markers, ['error-codes', 'status', 'references'], `locales/${lang}/${type}.html`);
        for (const name of markers) assert.ok(fs.existsSync(path.join(HELP, lang, `${name}.html`)), `help/${lang}/${name}.html`);
      }
    }
  });

  it('no built help holds a marker or a condition', () => {
    for (const type of TYPES) {
      for (const lang of LANGUAGES) assert.doesNotMatch(built(lang, type), /<!-- gws:/, `dist/nodes/locales/${lang}/${type}.html`);
    }
  });

  it('the built help lists only real error codes, and the codes of what each node offers', () => {
    for (const lang of LANGUAGES) {
      for (const [type, operations] of Object.entries(TABLE.NODE_OPERATIONS)) {
        const codes = listedCodes(built(lang, type));
        for (const code of codes) assert.ok(code in ERROR_TEXTS, `${lang}/${type}.html lists ${code}, which is not an error code`);
        const params = TABLE.paramsOf(operations);
        const expect = (code, present) => assert.equal(codes.includes(code), present, `${lang}/${type}.html ${present ? 'lacks' : 'lists'} ${code}`);
        expect('unknownOperation', operations.length > 1);
        expect('badOperationSetting', operations.length > 1);
        expect('unknownCallResult', params.includes('callResult'));
        expect('badRecordHandle', params.includes('recordHandle'));
        expect('badTimestamp', params.includes('timestamp'));
        expect('badFieldName', params.includes('otherFields'));
        expect('emptyPreviewRecord', operations.includes('GetPreviewRecord'));
        for (const code of ['missing', 'notInteger', 'dotSegment', 'timeout', 'unexpected']) {
          assert.equal(codes.filter((c) => c === code).length, 1, `${lang}/${type}.html lists ${code} once`);
        }
      }
    }
  });

  it('help/ is read at build time only: it is not shipped, dist is', () => {
    assert.ok(!pkg.files.some((entry) => entry === 'help' || entry.startsWith('help/')), 'package.json files does not list help/');
    assert.ok(pkg.files.includes('dist'));
  });

  describe('the build', () => {
    const type = 'gws-outbound-campaign';
    let a;
    let table;
    let words;
    let fragments;
    before(async () => {
      a = await assets();
      table = a.loadTable();
      words = a.helpWords(LOCALES, 'de');
      fragments = a.helpFragments(a.HELP_DIR, 'de');
    });
    const expand = (html, more = {}) => a.expandHelp(html, { table, type, words, fragments, ...more });

    it('fails when a marker has no fragment in the help file\'s language', () => {
      const files = new Map(fragments.files);
      files.delete('status');
      assert.throws(
        () => expand(source('de', type), { fragments: { ...fragments, files } }),
        /help of gws-outbound-campaign \(de\) has the marker <!-- gws:status -->, but its fragment help[\\/]de[\\/]status\.html does not exist/,
      );
      assert.throws(() => expand('<p>x</p>\n    <!-- gws:no-such-section -->\n'), /no-such-section\.html does not exist/);
      assert.throws(() => expand(source('de', type), { fragments: a.helpFragments(a.HELP_DIR, 'xx') }), /help[\\/]xx[\\/]error-codes\.html does not exist/);
    });

    it('fails when a marker stands inside a line', () => {
      assert.throws(() => expand('    <p>see <!-- gws:status --></p>'), /<!-- gws:status --> must stand on a line of its own \(help of gws-outbound-campaign, de\)/);
      assert.throws(() => expand('    <!-- gws:status --> <!-- gws:references -->'), /must stand on a line of its own/);
    });

    it('fails on an unknown condition, a condition inside a line and a marker it does not know', () => {
      const files = (text) => ({ fragments: { ...fragments, files: new Map([['x', text]]) } });
      assert.throws(() => expand('<!-- gws:x -->', files('<!-- gws:if param noSuchParam -->a')), /help condition "param noSuchParam".*needs one of/);
      assert.throws(() => expand('<!-- gws:x -->', files('<!-- gws:if sometimes -->a')), /unknown help condition "sometimes"/);
      assert.throws(() => expand('<!-- gws:x -->', files('<li>a <!-- gws:if several -->b</li>')), /must begin its line/);
      assert.throws(() => expand('<p><!-- gws:if several -->a</p>'), /holds <!-- gws:if several -->, which the build does not know/);
    });

    it('keeps the lines whose condition holds, indented like the marker', () => {
      const text = ['<ul>', '    <!-- gws:if several --><li>several</li>', '    <!-- gws:if not several --><li>one</li>', '    <!-- gws:if only CompleteRecord --><li>complete</li>', '</ul>', ''].join('\n');
      const files = { fragments: { ...fragments, files: new Map([['x', text]]) } };
      assert.equal(expand('<p>a</p>\n    <!-- gws:x -->\n<p>b</p>', files), '<p>a</p>\n    <ul>\n        <li>several</li>\n    </ul>\n<p>b</p>');
      assert.equal(a.expandHelp('  <!-- gws:x -->', { table, type: 'gws-complete-record', words, ...files }), '  <ul>\n      <li>one</li>\n      <li>complete</li>\n  </ul>');
    });

    it('does not expand conditions for a node that is not an action node', () => {
      const files = { fragments: { ...fragments, files: new Map([['x', '<!-- gws:if several -->a']]) } };
      assert.throws(() => a.expandHelp('<!-- gws:x -->', { table, type: 'gws-server', words, ...files }), /gws-server is not an action node/);
    });
  });
});
