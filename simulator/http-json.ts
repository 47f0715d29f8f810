/** JSON over HTTP for the simulator: answers, request bodies read within a size limit, nesting depth. */
import type http from 'node:http';

/** A request body over its size limit; answered without reading the rest. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes an answer that is already JSON text (a long-poll answer serialised message by message). */
export function jsonText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * An answer to a request whose body was refused before it was read to its end: the connection closes
 * after the answer, so the unread rest cannot be taken for the next request.
 */
export function jsonAndClose(res: http.ServerResponse, status: number, body: unknown): void {
  res.setHeader('Connection', 'close');
  json(res, status, body);
}

/**
 * Reads a JSON body of at most `limit` bytes. A declared or actual size over the limit rejects with
 * BodyTooLargeError at once (no more is buffered); an empty body gives undefined when `allowEmpty`.
 */
export function readJson(req: http.IncomingMessage, limit: number, allowEmpty = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        if (allowEmpty) resolve(undefined);
        else reject(new Error('empty body'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

/**
 * True when `value` nests objects and arrays deeper than `max` levels (`{}` is one level). Stops
 * looking one level past `max`, so its own recursion stays bounded whatever the value.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  for (const child of Object.values(value)) {
    if (nestsDeeperThan(child, max - 1)) return true;
  }
  return false;
}
