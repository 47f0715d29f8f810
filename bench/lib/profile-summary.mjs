// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and the
// most inclusive time of the package's own code (dist/core, dist/nodes, dist/simulator) and of the
// libraries it drives. Usable as a module and as a command:
//   node bench/lib/profile-summary.mjs <file.cpuprofile> [top=25] [filter-regexp]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function shortUrl(url) {
  if (!url) return '';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('node_modules/');
  if (nm >= 0) return clean.slice(nm + 'node_modules/'.length);
  const dist = clean.indexOf('/dist/');
  if (dist >= 0) return clean.slice(dist + 1);
  const bench = clean.indexOf('/bench/');
  if (bench >= 0) return clean.slice(bench + 1);
  return clean.startsWith('node:') ? clean : path.basename(clean);
}

export function summarize(fileOrProfile, { top = 25, filter } = {}) {
  const profile = typeof fileOrProfile === 'string' ? JSON.parse(readFileSync(fileOrProfile, 'utf8')) : fileOrProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const key = (node) => {
    const f = node.callFrame;
    return `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
  };
  const selfBy = new Map();
  const inclusiveBy = new Map();
  for (const [id, time] of self) {
    const node = nodes.get(id);
    selfBy.set(key(node), (selfBy.get(key(node)) ?? 0) + time);
    // Inclusive: every distinct frame on the stack gets the sample once.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(nodes.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      inclusiveBy.set(k, (inclusiveBy.get(k) ?? 0) + time);
    }
  }
  const rows = (map) => [...map.entries()]
    .filter(([k]) => !filter || filter.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => ({ fn: k, ms: t / 1000, percent: (t / total) * 100 }));
  return {
    totalMs: total / 1000,
    self: rows(selfBy),
    inclusive: rows(inclusiveBy),
  };
}

const GOT_PARTS = /node_modules\/(got|@sindresorhus|p-cancelable|cacheable-|http2-wrapper|lowercase-keys|responselike|form-data-encoder|decompress-response|mimic-response|@szmarczak|defer-to-connect|keyv|normalize-url|byte-counter|chunk-data|type-fest)/;
const EXPRESS_PARTS = /node_modules\/(express|body-parser|raw-body|router|finalhandler|send|cors|on-finished|iconv-lite|type-is|qs|content-type|media-typer|mime|accepts|negotiator|parseurl|vary|depd|http-errors|cookie|fresh|etag|proxy-addr|statuses|merge-descriptors|utils-merge|encodeurl|escape-html|destroy|unpipe|bytes|ee-first)\//;

/** Which part of the stack a frame belongs to. */
export function category(callFrame) {
  const url = callFrame.url ?? '';
  const name = callFrame.functionName;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)' || name === '(root)') return 'V8/native (program)';
  if (/\/dist\/nodes\//.test(url)) return 'package: nodes (dist/nodes)';
  if (/\/dist\/core\//.test(url)) return 'package: core (dist/core)';
  if (/\/dist\/simulator\//.test(url)) return 'simulator (dist/simulator)';
  if (/node_modules\/i18next\/|@node-red\/util\/lib\/i18n/.test(url)) return 'i18next (Node-RED i18n)';
  if (/node_modules\/cometd-nodejs-client\//.test(url)) return 'cometd-nodejs-client';
  if (/node_modules\/cometd\//.test(url)) return 'cometd';
  if (GOT_PARTS.test(url)) return 'got';
  if (/@node-red\/nodes\/core\/function\//.test(url)) return 'Node-RED function node';
  if (/@node-red\/nodes\/core\/network\/21-httprequest/.test(url)) return 'Node-RED http request node';
  if (/@node-red\/nodes\/core\/network\/21-httpin/.test(url)) return 'Node-RED http in/response nodes';
  if (/@node-red\/|node_modules\/node-red\//.test(url)) return 'Node-RED runtime';
  if (EXPRESS_PARTS.test(url)) return 'express + body-parser';
  if (/^Function node/.test(url) || /^evalmachine/.test(url)) return 'function node code (vm)';
  if (url.startsWith('node:')) return 'Node.js core (JS)';
  if (url === '') return 'native (syscalls, JSON, …)';
  if (/\/bench\//.test(url)) return 'bench driver';
  if (/node_modules\//.test(url)) return 'other node_modules';
  return 'other';
}

/** Share of the busy (non-idle) samples per category, largest first. */
export function categorize(fileOrProfile) {
  const profile = typeof fileOrProfile === 'string' ? JSON.parse(readFileSync(fileOrProfile, 'utf8')) : fileOrProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const deltas = profile.timeDeltas ?? [];
  const by = new Map();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]);
    const cat = category(node.callFrame);
    const time = deltas[i] ?? 0;
    if (cat === 'idle') continue;
    busy += time;
    by.set(cat, (by.get(cat) ?? 0) + time);
  }
  return {
    busyMs: busy / 1000,
    shares: [...by.entries()].sort((a, b) => b[1] - a[1]).map(([name, time]) => ({ name, ms: time / 1000, percent: (time / busy) * 100 })),
  };
}

export function formatSummary(summary, title) {
  const lines = [`${title}: ${summary.totalMs.toFixed(0)} ms sampled`];
  lines.push('  self time:');
  for (const r of summary.self) lines.push(`    ${r.percent.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(6)} ms  ${r.fn}`);
  lines.push('  inclusive time:');
  for (const r of summary.inclusive) lines.push(`    ${r.percent.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(6)} ms  ${r.fn}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = '25', filter] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/lib/profile-summary.mjs <file.cpuprofile> [top] [filter-regexp]');
    process.exit(2);
  }
  console.log(formatSummary(summarize(file, { top: Number(top), filter: filter ? new RegExp(filter) : undefined }), path.basename(file)));
}
