// Heap snapshots (v8.writeHeapSnapshot) summed by object type and constructor name, and the difference
// between two of them: what grew, in bytes (self size) and object counts.
import { readFileSync } from 'node:fs';

export function heapByType(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const stride = fields.length;
  const { nodes, strings } = snapshot;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const by = new Map();
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]];
    let name = strings[nodes[i + iName]];
    if (type.includes('string')) name = '(strings)';
    else if (type === 'code') name = '(compiled code)';
    else if (type === 'number') name = '(heap numbers)';
    else if (type === 'array' && name === '') name = '(internal arrays: hash tables, backing stores)';
    const key = `${type}: ${name.slice(0, 60)}`;
    const entry = by.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + iSize];
    by.set(key, entry);
  }
  return by;
}

/** The `top` largest changes from snapshot `a` to snapshot `b`, optionally divided by `per`. */
export function heapGrowth(a, b, { top = 10, per = 1 } = {}) {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys]
    .map((key) => ({
      what: key,
      bytes: ((b.get(key)?.bytes ?? 0) - (a.get(key)?.bytes ?? 0)) / per,
      count: ((b.get(key)?.count ?? 0) - (a.get(key)?.count ?? 0)) / per,
    }))
    .filter((row) => row.bytes !== 0)
    .sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes))
    .slice(0, top);
}
