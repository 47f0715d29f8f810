/**
 * One HTTP request and its whole answer, on node:http/https with the caller's keep-alive agent: the
 * few things the session needs (timeout, AbortSignal, size limit) without a request library's per-call
 * machinery, which dominated the cost of a round trip.
 */
import http from 'node:http';
import https from 'node:https';

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  agent: http.Agent;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ExchangeAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** The whole request took longer than its timeout. */
export class ExchangeTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** The request was given up through its AbortSignal. */
export class ExchangeAbortedError extends Error {
  constructor() {
    super('request aborted');
    this.name = 'AbortError';
  }
}

/** Answers larger than this are refused (GWS answers are a few kB; a long poll carries at most some MB). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export function exchange(request: ExchangeRequest): Promise<ExchangeAnswer> {
  return new Promise((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(new ExchangeAbortedError());
      return;
    }
    const transport = request.url.protocol === 'https:' ? https : http;
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const req = transport.request(request.url, { method: request.method, headers, agent: request.agent });
    let settled = false;
    const settle = (error: Error | undefined, answer?: ExchangeAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(answer as ExchangeAnswer);
    };
    const fail = (error: Error) => {
      settle(error);
      req.destroy();
    };
    const onAbort = () => fail(new ExchangeAbortedError());
    const timer = setTimeout(() => fail(new ExchangeTimeoutError(request.timeoutMs)), request.timeoutMs);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => settle(error));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) fail(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => settle(undefined, { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => settle(error));
      res.on('aborted', () => settle(Object.assign(new Error('connection closed while the answer was read'), { code: 'ECONNRESET' })));
    });
    req.end(request.body);
  });
}
