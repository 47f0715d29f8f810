/**
 * Texts come from the catalogs in locales/<lang>/<node>.json (Node-RED's `RED._`). Shared texts
 * (status, errors, status-code meanings) live in the gws-server catalog and are used with fully
 * qualified keys, so every node and the editor find them.
 *
 * When `RED._` has no text for a key it returns the key; the en-US catalog shipped beside this file is
 * then rendered directly, so a runtime that did not load the catalogs still shows words, not keys.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from 'node-red';

export const MODULE = 'node-red-contrib-gws-outbound';
export type TextParams = Record<string, string | number | boolean | undefined>;
export type Translate = (key: string, params?: TextParams) => string;

/** `node-red-contrib-gws-outbound/<set>:<key>`, a key every namespace can resolve. */
export function qualified(set: string, key: string): string {
  return `${MODULE}/${set}:${key}`;
}

/** A key of the gws-server catalog, where the shared texts are. */
export function shared(key: string): string {
  return qualified('gws-server', key);
}

export function translator(RED: NodeAPI): Translate {
  return (key, params) => {
    const text = (RED._ as (key: string, params?: TextParams) => string)(key, params);
    if (typeof text === 'string' && text !== key && text !== stripNamespace(key)) return text;
    return fromEnglishCatalog(key, params) ?? key;
  };
}

const catalogs = new Map<string, unknown>();

function stripNamespace(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(colon + 1);
}

function fromEnglishCatalog(key: string, params: TextParams = {}): string | undefined {
  const match = /^node-red-contrib-gws-outbound\/([a-z-]+):(.+)$/.exec(key);
  if (!match) return undefined;
  const [, set, dotted] = match;
  let catalog = catalogs.get(set);
  if (catalog === undefined) {
    try {
      catalog = JSON.parse(readFileSync(path.join(__dirname, '..', 'locales', 'en-US', `${set}.json`), 'utf8')) as unknown;
    } catch {
      catalog = null;
    }
    catalogs.set(set, catalog);
  }
  let value: unknown = catalog;
  for (const part of dotted.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value !== 'string') return undefined;
  return value.replace(/__([A-Za-z0-9]+)__/g, (whole, name: string) =>
    Object.hasOwn(params, name) && params[name] !== undefined ? String(params[name]) : whole,
  );
}
