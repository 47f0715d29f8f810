/**
 * Reading from and writing to a message that may be hostile or odd: a property whose getter throws, a
 * Proxy whose traps throw, a non-writable `topic`, a `gws` whose setter throws, an object made in a
 * function node's own JavaScript context. Whatever the message, the node must read its parameters
 * without crashing and end it exactly once.
 */
import { types } from 'node:util';
import type { NodeMessage } from 'node-red';

/** An object of any JavaScript context (a function node's objects have their own Object.prototype). */
export function isObjectLike(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Result of reading one property: its value, or the error its getter or Proxy trap threw. */
export type Read = { ok: true; value: unknown } | { ok: false; error: string };

/** Reads `object[key]` if it is an own property; a throwing getter or trap becomes a failed read. */
export function readOwn(object: unknown, key: string): Read {
  try {
    if (!isObjectLike(object) || !Object.hasOwn(object, key)) return { ok: true, value: undefined };
    return { ok: true, value: object[key] };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}

/**
 * Writes `fields` into `msg` and returns it; when the message refuses (a read-only or frozen property,
 * a setter that throws or ignores the value), returns a copy that holds every readable property of
 * the message and the fields instead, so that the answer is never lost.
 */
export function writeMessage<T extends object>(msg: NodeMessage, fields: T): NodeMessage & T {
  try {
    const target = msg as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(fields)) {
      target[key] = value;
      if (!Object.is(target[key], value)) throw new TypeError(`msg.${key} did not keep its value`);
    }
    return msg as NodeMessage & T;
  } catch {
    return Object.assign(copyMessage(msg), fields) as NodeMessage & T;
  }
}

/**
 * A plain, deep copy of what can be read of `msg`: properties whose getter throws and Proxies (whose
 * traps may throw) are left out, functions too; cycles stay cycles. Node-RED copies a message for each
 * Catch node, and that copy must not throw.
 */
export function copyMessage(msg: NodeMessage): NodeMessage {
  return (safeCopy(msg, new WeakMap(), 0) ?? {}) as NodeMessage;
}

const MAX_COPY_DEPTH = 64;

function safeCopy(value: unknown, seen: WeakMap<object, unknown>, depth: number): unknown {
  if (typeof value === 'function') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (types.isProxy(value) || depth > MAX_COPY_DEPTH) return undefined;
  if (seen.has(value)) return seen.get(value);
  try {
    if (Buffer.isBuffer(value)) return Buffer.from(value);
    if (types.isDate(value)) return new Date(Date.prototype.getTime.call(value));
  } catch {
    return undefined;
  }
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  seen.set(value, copy);
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return copy;
  }
  for (const key of keys) {
    try {
      const item = safeCopy((value as Record<string, unknown>)[key], seen, depth + 1);
      if (item !== undefined) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    } catch {
      // A property that cannot be read cannot be passed on either.
    }
  }
  return copy;
}

export function errorText(error: unknown): string {
  try {
    // An error thrown in a function node's context is not an instance of this context's Error.
    if (isObjectLike(error) && typeof error.message === 'string') return error.message;
    return String(error);
  } catch {
    return 'unreadable error';
  }
}
