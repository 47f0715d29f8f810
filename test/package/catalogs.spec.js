'use strict';
/*
 * The locale catalogs and help files must not drift: de and ja have exactly the keys (and the
 * __placeholders__) of en-US, every node has a help file in every language, the shared error and
 * status-code texts match the compiled core, and every key the code uses exists in en-US.
 * Needs the build: dist/core for ERROR_TEXTS and GWS_STATUS_CODES, and the help as Node-RED serves it
 * (dist/nodes/locales, with the shared sections of help/ and the parameter lists filled in).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const LOCALES = path.join(ROOT, 'locales');
const MODULE = 'node-red-contrib-gws-outbound';
/** Every node type package.json lists (the editor files and catalogs of each are checked). */
const TYPES = Object.keys(require(path.join(ROOT, 'package.json'))['node-red'].nodes);
const TRANSLATIONS = ['de', 'ja'];
const LANGUAGES = ['en-US', ...TRANSLATIONS];
/** The operation table as the build compiled it: which node offers which operations, every parameter. */
const TABLE = require(path.join(ROOT, 'dist', 'core', 'operation-table.js'));

/** Section headings of the help, as Node-RED's own help files write them in each language. */
const HEADINGS = {
  'en-US': { inputs: ['Inputs'], outputs: ['Outputs'], details: ['Details'], references: ['References'] },
  de: { inputs: ['Eingangsdaten', 'Eingaben'], outputs: ['Ausgangsdaten', 'Ausgaben'], details: ['Details'], references: ['Referenzen'] },
  ja: { inputs: ['入力'], outputs: ['出力'], details: ['詳細'], references: ['参照'] },
};
/** Which sections each node's help must have. */
const SECTIONS = {
  'gws-server': ['details', 'references'],
  'gws-complete-record': ['inputs', 'outputs', 'details', 'references'],
  'gws-get-chained-record': ['inputs', 'outputs', 'details', 'references'],
  'gws-outbound-record': ['inputs', 'outputs', 'details', 'references'],
  'gws-outbound-campaign': ['inputs', 'outputs', 'details', 'references'],
  'gws-outbound-event': ['outputs', 'details', 'references'],
};
/** Key prefixes the code builds at runtime; the ERROR_TEXTS and statusCodes checks cover them. */
const DYNAMIC_PREFIXES = ['errors.', 'statusCodes.'];

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function catalog(lang, type) {
  return readJson(path.join(LOCALES, lang, `${type}.json`));
}

/** Every leaf of a catalog as `a.b.c` → value. */
function leaves(value, prefix = '', out = new Map()) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

function placeholders(text) {
  return [...new Set([...String(text).matchAll(/__([A-Za-z0-9]+)__/g)].map((match) => match[1]))].sort();
}

/** The text at a dotted key of a catalog, undefined unless it is a string. */
function lookup(data, key) {
  let value = data;
  for (const part of key.split('.')) {
    value = value !== null && typeof value === 'object' ? value[part] : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

function filesUnder(dir, test) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(file, test));
    else if (test(entry.name)) found.push(file);
  }
  return found.sort();
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/**
 * Every catalog key the code uses, as { set, key, where }, plus `problems` for uses the scan cannot
 * resolve (a dynamic key it does not know). Forms:
 * - TypeScript: shared('k'), shared(`status.${reason}`), qualified('set', 'k'), t('k'),
 *   '<module>/<set>:k' literals;
 * - node .html: data-i18n="k" (with [attr] prefixes and ;-lists), this._('k'), RED._('k'),
 *   RED._(NS + 'k') with NS defined in the file; unqualified keys belong to the node's own set;
 * - resources/gws-editor.js: t('k') and RED._(NS + 'k') (NS = the gws-server set),
 *   this._(options.type + '.k') for every action node, '<module>/<set>:k' literals.
 */
function usedKeys() {
  const uses = [];
  const problems = [];
  const failureReasons = readFailureReasons();
  const qualifiedKey = (text, where) => {
    const match = new RegExp(`^${MODULE}/([a-z-]+):(.*)$`).exec(text);
    if (!match) return false;
    if (match[2] !== '') uses.push({ set: match[1], key: match[2], where });
    return true;
  };
  const dynamic = (set, prefix, where) => {
    if (prefix === 'status.' && set === 'gws-server') {
      for (const reason of [...failureReasons, 'noServer', 'badConfig']) uses.push({ set, key: `status.${reason}`, where });
    } else if (prefix === 'action.label.' && set === 'gws-server') {
      // The editor builds a row per parameter of the operation table.
      for (const param of TABLE.PARAM_NAMES) uses.push({ set, key: `action.label.${param}`, where });
    } else if (!DYNAMIC_PREFIXES.includes(prefix)) {
      problems.push(`${where}: key built at runtime from "${prefix}"; teach catalogs.spec.js which keys it can give`);
    }
  };
  const literalQualified = (text, file) => {
    const re = new RegExp(`(['"\`])(${MODULE}/[a-z-]+:[A-Za-z0-9_.-]*)\\1`, 'g');
    for (const match of text.matchAll(re)) qualifiedKey(match[2], `${path.relative(ROOT, file)}:${lineOf(text, match.index)}`);
  };

  // TypeScript of the nodes.
  for (const file of filesUnder(path.join(ROOT, 'nodes'), (name) => name.endsWith('.ts'))) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(ROOT, file);
    const ownType = TYPES.includes(path.basename(file, '.ts')) && path.dirname(file) === path.join(ROOT, 'nodes') ? path.basename(file, '.ts') : undefined;
    literalQualified(text, file);
    for (const match of text.matchAll(/\bshared\(\s*(['"`])((?:(?!\1).)*)\1\s*\)/g)) {
      const where = `${rel}:${lineOf(text, match.index)}`;
      const key = match[2];
      const template = /\$\{/.exec(key);
      if (template) dynamic('gws-server', key.slice(0, template.index), where);
      else uses.push({ set: 'gws-server', key, where });
    }
    for (const match of text.matchAll(/\bqualified\(\s*'([a-z-]+)'\s*,\s*'([^']+)'\s*\)/g)) {
      uses.push({ set: match[1], key: match[2], where: `${rel}:${lineOf(text, match.index)}` });
    }
    for (const match of text.matchAll(/(?<![.\w])t\(\s*'([^']+)'/g)) {
      const where = `${rel}:${lineOf(text, match.index)}`;
      if (qualifiedKey(match[1], where)) continue;
      if (ownType) uses.push({ set: ownType, key: match[1], where });
      else problems.push(`${where}: unqualified key "${match[1]}" in shared code (which catalog?)`);
    }
  }

  // Editor files of the nodes (what they use must exist in every language: the editor shows it).
  const runtimeUses = uses.length;
  for (const type of TYPES) {
    const file = path.join(ROOT, 'nodes', `${type}.html`);
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(ROOT, file);
    const ns = /var\s+NS\s*=\s*'([^']*)'/.exec(text)?.[1];
    const own = (key, where) => {
      if (!qualifiedKey(key, where)) uses.push({ set: type, key, where });
    };
    literalQualified(text, file);
    for (const match of text.matchAll(/data-i18n="([^"]*)"/g)) {
      for (const part of match[1].split(';')) {
        const key = part.trim().replace(/^\[[^\]]*\]/, '');
        if (key !== '') own(key, `${rel}:${lineOf(text, match.index)}`);
      }
    }
    for (const match of text.matchAll(/\bthis\._\(\s*'([^']+)'/g)) own(match[1], `${rel}:${lineOf(text, match.index)}`);
    for (const match of text.matchAll(/\bRED\._\(\s*'([^']+)'/g)) {
      const where = `${rel}:${lineOf(text, match.index)}`;
      if (!qualifiedKey(match[1], where)) problems.push(`${where}: RED._ with the unqualified key "${match[1]}" resolves in the editor's namespace`);
    }
    for (const match of text.matchAll(/\bRED\._\(\s*NS\s*\+\s*'([^']*)'(\s*\+)?/g)) {
      const where = `${rel}:${lineOf(text, match.index)}`;
      assert.ok(ns, `${rel} uses NS without defining it`);
      if (match[2]) {
        const set = new RegExp(`^${MODULE}/([a-z-]+):$`).exec(ns)?.[1];
        dynamic(set, match[1], where);
      } else {
        qualifiedKey(ns + match[1], where);
      }
    }
  }

  // Shared editor code: every quoted key of the gws-server catalog ('action.…', 'gws-server.…', also
  // 'action.label.' + param), and nodeText(type, 'k') = key <type>.k of each action node's own catalog.
  const editorFile = path.join(ROOT, 'resources', 'gws-editor.js');
  const editor = fs.readFileSync(editorFile, 'utf8');
  const editorRel = path.relative(ROOT, editorFile);
  const editorNs = /var\s+NS\s*=\s*MODULE\s*\+\s*'([^']*)'/.exec(editor)?.[1];
  assert.equal(editorNs, '/gws-server:', `${editorRel}: NS is no longer the gws-server catalog; update catalogs.spec.js`);
  literalQualified(editor, editorFile);
  for (const match of editor.matchAll(/'((?:action|gws-server|test)\.[A-Za-z0-9_.]*)'(\s*\+)?/g)) {
    const where = `${editorRel}:${lineOf(editor, match.index)}`;
    if (match[2] || match[1].endsWith('.')) dynamic('gws-server', match[1], where);
    else uses.push({ set: 'gws-server', key: match[1], where });
  }
  for (const match of editor.matchAll(/\bnodeText\(\s*type\s*,\s*'([^']*)'(\s*\+)?/g)) {
    const where = `${editorRel}:${lineOf(editor, match.index)}`;
    for (const [type, operations] of Object.entries(TABLE.NODE_OPERATIONS)) {
      if (!match[2]) uses.push({ set: type, key: `${type}.${match[1]}`, where });
      else if (match[1] === 'operation.') {
        // Only the nodes with a choice of operations show the select.
        if (operations.length > 1) for (const operation of [...operations, 'msg']) uses.push({ set: type, key: `${type}.operation.${operation}`, where });
      } else problems.push(`${where}: nodeText(type, '${match[1]}' + ...): teach catalogs.spec.js which keys it can give`);
    }
  }
  for (const use of uses.slice(runtimeUses)) use.editor = true;
  return { uses, problems };
}

/** The members of `FailureReason` in core/errors.ts: each is shown as status.<reason>. */
function readFailureReasons() {
  const text = fs.readFileSync(path.join(ROOT, 'core', 'errors.ts'), 'utf8');
  const match = /export\s+type\s+FailureReason\s*=([^;]+);/.exec(text);
  assert.ok(match, 'core/errors.ts no longer declares FailureReason');
  const reasons = [...match[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
  assert.ok(reasons.length > 0, 'FailureReason has no members');
  return reasons;
}

/** The built help of a node, as Node-RED serves it. */
function helpFile(lang, type) {
  return path.join(ROOT, 'dist', 'nodes', 'locales', lang, `${type}.html`);
}

/** The property names of a help file's <dt> entries, in order (the part before the type). */
function helpTerms(html) {
  return [...html.matchAll(/<dt[^>]*>([\s\S]*?)<\/dt>/g)].map((m) => m[1].replace(/<span[\s\S]*$/, '').trim());
}

describe('locale catalogs and help', () => {
  describe('catalogs', () => {
    for (const type of TYPES) {
      it(`en-US/${type}.json is valid and every leaf is a non-empty text`, () => {
        const english = leaves(catalog('en-US', type));
        assert.ok(english.size > 0);
        for (const [key, value] of english) {
          assert.equal(typeof value, 'string', `en-US/${type}.json ${key} is not a string`);
          assert.notEqual(value.trim(), '', `en-US/${type}.json ${key} is empty`);
        }
      });

      for (const lang of TRANSLATIONS) {
        it(`${lang}/${type}.json has exactly the keys and placeholders of en-US`, () => {
          const file = path.join(LOCALES, lang, `${type}.json`);
          assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} is missing`);
          const english = leaves(catalog('en-US', type));
          const translated = leaves(catalog(lang, type));
          const missing = [...english.keys()].filter((key) => !translated.has(key));
          const extra = [...translated.keys()].filter((key) => !english.has(key));
          assert.deepEqual(missing, [], `${lang}/${type}.json lacks keys of en-US`);
          assert.deepEqual(extra, [], `${lang}/${type}.json has keys that en-US does not have`);
          for (const [key, text] of english) {
            const value = translated.get(key);
            assert.equal(typeof value, 'string', `${lang}/${type}.json ${key} is not a string`);
            assert.notEqual(value.trim(), '', `${lang}/${type}.json ${key} is empty`);
            assert.deepEqual(placeholders(value), placeholders(text), `${lang}/${type}.json ${key}: placeholders differ from en-US`);
          }
        });
      }
    }
  });

  describe('help', () => {
    for (const lang of LANGUAGES) {
      for (const type of TYPES) {
        it(`${lang}/${type}.html exists, holds one help block for ${type} and its sections`, () => {
          const source = path.join(LOCALES, lang, `${type}.html`);
          assert.ok(fs.existsSync(source), `${path.relative(ROOT, source)} is missing`);
          const file = helpFile(lang, type);
          assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} is missing (npm run build writes it)`);
          const html = fs.readFileSync(file, 'utf8');
          const blocks = [...html.matchAll(/data-help-name="([^"]*)"/g)].map((m) => m[1]);
          assert.deepEqual(blocks, [type], `${lang}/${type}.html must hold exactly one data-help-name block, for ${type}`);
          assert.match(html, new RegExp(`<script type="text/html" data-help-name="${type}">`));
          assert.equal((html.match(/<script\b/g) ?? []).length, 1, 'one <script> block');
          assert.equal((html.match(/<\/script>/g) ?? []).length, 1, 'one </script>');
          const headings = [...html.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1].trim());
          for (const section of SECTIONS[type]) {
            const names = HEADINGS[lang][section];
            assert.ok(headings.some((heading) => names.includes(heading)), `${lang}/${type}.html has no <h3>${names[0]}</h3>`);
          }
          assert.match(html.trim(), /^<script[^>]*>\s*<p>/, 'the help starts with a one-line summary <p>');
        });
      }
    }

    for (const lang of TRANSLATIONS) {
      for (const type of TYPES) {
        it(`${lang}/${type}.html has the structure of en-US/${type}.html`, () => {
          const english = fs.readFileSync(helpFile('en-US', type), 'utf8');
          const translated = fs.readFileSync(helpFile(lang, type), 'utf8');
          assert.deepEqual(helpTerms(translated), helpTerms(english), 'the same properties, in the same order');
          for (const tag of ['h3', 'h4', 'dl', 'li', 'ul', 'ol']) {
            const count = (html) => (html.match(new RegExp(`<${tag}\\b`, 'g')) ?? []).length;
            assert.equal(count(translated), count(english), `the same number of <${tag}>`);
          }
          const links = (html) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
          assert.deepEqual(links(translated), links(english), 'the same references');
        });
      }
    }
  });

  describe('texts shared with the core', () => {
    const core = require('../../dist/core/index.js');
    const server = catalog('en-US', 'gws-server');

    it('errors.<code> of en-US equals ERROR_TEXTS for every core code', () => {
      const codes = Object.keys(core.ERROR_TEXTS);
      assert.ok(codes.length > 0);
      for (const code of codes) {
        assert.equal(server.errors?.[code], core.ERROR_TEXTS[code], `errors.${code} of en-US/gws-server.json differs from ERROR_TEXTS`);
      }
    });

    it('statusCodes of en-US equals GWS_STATUS_CODES', () => {
      const expected = Object.fromEntries(Object.entries(core.GWS_STATUS_CODES).map(([code, text]) => [String(code), text]));
      assert.deepEqual(server.statusCodes, expected);
    });
  });

  describe('keys used by the code', () => {
    const { uses, problems } = usedKeys();

    it('finds the keys the code uses', () => {
      assert.deepEqual(problems, []);
      // The scan itself must keep working: a few keys it must always see.
      const seen = new Set(uses.map((use) => `${use.set}:${use.key}`));
      for (const key of [
        'gws-server:status.waiting',
        'gws-server:status.authFailed',
        'gws-server:status.noServer',
        'gws-server:warnings.badProperty',
        'gws-server:gws-server.label.baseUrl',
        'gws-server:gws-server.test.failed',
        'gws-server:action.tip',
        'gws-server:action.placeholder.fromPayload',
        'gws-complete-record:gws-complete-record.paletteLabel',
        'gws-get-chained-record:gws-get-chained-record.outputLabel',
        'gws-outbound-event:gws-outbound-event.placeholder.notificationTypes',
        'gws-server:action.label.timestamp',
        'gws-server:action.validation.enum',
        'gws-server:gws-server.label.proxy',
        'gws-outbound-record:gws-outbound-record.operation.msg',
        'gws-outbound-campaign:gws-outbound-campaign.operation.GetPreviewRecord',
      ]) {
        assert.ok(seen.has(key), `the scan no longer finds ${key}`);
      }
    });

    for (const lang of LANGUAGES) {
      it(lang === 'en-US' ? 'every key the code uses exists in en-US' : `every key the editor uses exists in ${lang}`, () => {
        const catalogs = Object.fromEntries(TYPES.map((type) => [type, catalog(lang, type)]));
        // de and ja are checked for the editor's keys here; for the runtime's, their key set equals en-US (above).
        const missing = uses
          .filter((use) => lang === 'en-US' || use.editor)
          .filter((use) => !catalogs[use.set] || lookup(catalogs[use.set], use.key) === undefined)
          .map((use) => `${use.set}:${use.key} (${use.where})`);
        assert.deepEqual([...new Set(missing)], [], `keys used by the code but missing from locales/${lang}`);
      });
    }
  });
});
