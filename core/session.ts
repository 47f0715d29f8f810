/**
 * One HTTP session with one GWS server: Basic auth on every request, its own cookie jar and keep-alive
 * agents, the CSRF header on every state-changing request, one refresh-and-retry after a 403 that
 * names the CSRF token, and a typed error for every failure. The password and the cookies are never
 * written to a log or an error.
 */
import http from 'node:http';
import https from 'node:https';
import { SessionCookieJar } from './cookie-jar.js';
import { exchange, ExchangeAbortedError } from './http-exchange.js';
import { GwsError, type FailureReason } from './errors.js';
import { serverText } from './server-text.js';
import type { Logger } from './logger.js';
import { statusCodeMeaning } from './status-codes.js';
import { silentLogger } from './logger.js';
import type { GwsAnswer, GwsUser, MeAnswer } from './wire-types.js';

export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  servername?: string;
  /** Verification of the server certificate; on unless this is explicitly false. */
  rejectUnauthorized?: boolean;
}

export interface SessionOptions {
  baseUrl: string;
  username: string;
  password: string;
  tls?: TlsOptions;
  /** Upper bound for one REST request (ms). */
  requestTimeoutMs?: number;
  /** Sockets kept per session; requests beyond it wait for a free socket. */
  maxSockets?: number;
  log?: Logger;
}

export interface HttpResult {
  httpStatus: number;
  text: string;
}

export interface SendOptions {
  /** Operation named in error texts. */
  operation: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const CSRF_HEADER_NAME = 'x-csrf-header';
const CSRF_TOKEN = 'x-csrf-token';
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

/** Thrown when a request is cancelled through its AbortSignal or the session closes. */
export class RequestAbortedError extends Error {
  constructor() {
    super('request aborted');
    this.name = 'RequestAbortedError';
  }
}

export class GwsSession {
  readonly baseUrl: URL;
  readonly jar = new SessionCookieJar();
  user?: GwsUser;
  readonly #options: SessionOptions;
  readonly #authorization: string;
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #log: Logger;
  readonly #inFlight = new Set<AbortController>();
  #csrf?: { header: string; token: string };
  #refreshing?: Promise<GwsUser>;
  #closed = false;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.baseUrl = parseBaseUrl(options.baseUrl);
    this.#log = options.log ?? silentLogger;
    const tls = options.tls ?? {};
    const maxSockets = options.maxSockets ?? 64;
    this.#agents = {
      http: new http.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' }),
      https: new https.Agent({
        keepAlive: true,
        maxSockets,
        scheduling: 'lifo',
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        passphrase: tls.passphrase,
        servername: tls.servername,
        rejectUnauthorized: tls.rejectUnauthorized !== false,
      }),
    };
    this.#authorization = 'Basic ' + Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64');
  }

  /** Absolute URL of an API path such as `/api/v2/me`. */
  url(path: string): string {
    return new URL(path.replace(/^\/+/, ''), this.baseUrl).toString();
  }

  /**
   * `GET /api/v2/me`: validates the credentials, opens the server session (cookie) and reads the CSRF
   * header. Concurrent calls share one request.
   */
  login(operation = 'Login', timeoutMs?: number): Promise<GwsUser> {
    this.#refreshing ??= this.#login(operation, timeoutMs).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #login(operation: string, timeoutMs?: number): Promise<GwsUser> {
    const result = await this.send('GET', this.url('/api/v2/me'), undefined, { operation, timeoutMs });
    const answer = this.#answer(result, operation) as MeAnswer;
    if (answer.statusCode !== 0) throw rejected(operation, answer, result.httpStatus);
    this.user = answer.user ?? {};
    this.#log.debug(`logged in to ${this.baseUrl.origin}${this.#csrf ? ' (CSRF token received)' : ''}`);
    return this.user;
  }

  /**
   * POSTs a JSON body and returns the GWS answer when its statusCode is 0; anything else throws a GwsError.
   */
  async postJson(path: string, body: unknown, options: SendOptions): Promise<GwsAnswer> {
    const result = await this.send('POST', this.url(path), JSON.stringify(body), options);
    const answer = this.#answer(result, options.operation);
    if (answer.statusCode !== 0) throw rejected(options.operation, answer, result.httpStatus);
    return answer;
  }

  /**
   * Sends one request through the session (auth, cookies, CSRF) and returns status and text.
   * A 401 throws authFailed; network, TLS and timeout failures throw their GwsError. Any other HTTP
   * status is returned for the caller to judge. A 403 naming the CSRF token is retried once after a
   * fresh login.
   */
  async send(method: 'GET' | 'POST', url: string, body: string | undefined, options: SendOptions): Promise<HttpResult> {
    const tokenSent = this.#csrf?.token;
    let result = await this.#sendOnce(method, url, body, options);
    if (method !== 'GET' && result.httpStatus === 403 && /csrf/i.test(result.text)) {
      // Another request may have fetched a newer token meanwhile: then that one is used without a login.
      if (this.#csrf?.token === tokenSent) {
        this.#log.debug(`${options.operation}: CSRF token refused, fetching a new one and sending once more`);
        await this.login(options.operation, options.timeoutMs);
      }
      result = await this.#sendOnce(method, url, body, options);
    }
    if (result.httpStatus === 401) {
      const statusCode = statusCodeOf(result.text) ?? 20;
      throw new GwsError('authFailed', { operation: options.operation, httpStatus: 401, statusCode, meaning: statusCodeMeaning(statusCode) }, {
        httpStatus: 401,
        statusCode,
        reason: 'authFailed',
      });
    }
    return result;
  }

  async #sendOnce(method: 'GET' | 'POST', url: string, body: string | undefined, options: SendOptions): Promise<HttpResult> {
    if (this.#closed) throw new RequestAbortedError();
    if (options.signal?.aborted) throw new RequestAbortedError();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.#inFlight.add(controller);
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? 30000;
    const target = new URL(url);
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: 'application/json',
      'user-agent': 'node-red-contrib-gws-outbound',
    };
    const cookie = this.jar.cookieHeader(target);
    if (cookie !== '') headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.#csrf) headers[this.#csrf.header] = this.#csrf.token;
    try {
      const answer = await exchange({
        method,
        url: target,
        headers,
        body,
        agent: target.protocol === 'https:' ? this.#agents.https : this.#agents.http,
        timeoutMs,
        signal: controller.signal,
      });
      const setCookie = answer.headers['set-cookie'];
      if (setCookie) for (const raw of setCookie) this.jar.store(raw, target);
      this.#readCsrf(answer.headers);
      return { httpStatus: answer.status, text: answer.text };
    } catch (error) {
      if (controller.signal.aborted || error instanceof ExchangeAbortedError) throw new RequestAbortedError();
      throw this.#networkError(error, options.operation, timeoutMs);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.#inFlight.delete(controller);
    }
  }

  #readCsrf(headers: Record<string, string | string[] | undefined>): void {
    const token = first(headers[CSRF_TOKEN]);
    if (!token) return;
    const header = first(headers[CSRF_HEADER_NAME]) || 'X-CSRF-TOKEN';
    this.#csrf = { header, token };
  }

  #answer(result: HttpResult, operation: string): GwsAnswer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.text);
    } catch {
      throw httpFailure(operation, result, 'badAnswer');
    }
    if (parsed === null || typeof parsed !== 'object' || typeof (parsed as GwsAnswer).statusCode !== 'number') {
      throw httpFailure(operation, result, 'httpError');
    }
    return parsed as GwsAnswer;
  }

  #networkError(error: unknown, operation: string, timeoutMs: number): GwsError {
    const err = error as { code?: string; message?: string; name?: string };
    const url = this.baseUrl.origin;
    // Only code and message are kept: an error object of the HTTP stack may hold the request headers.
    const detail = String(err.message ?? err.code ?? 'unknown error');
    if (err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') {
      return new GwsError('requestTimeout', { operation, timeout: timeoutMs }, { reason: 'timeout' });
    }
    if (err.code && TLS_CODES.test(err.code)) {
      return new GwsError('tlsFailed', { operation, url, detail }, { reason: 'tlsFailed' });
    }
    return new GwsError('unreachable', { operation, url, detail }, { reason: 'unreachable' });
  }

  /** Cancels every request in flight and releases every socket. */
  close(): void {
    this.#closed = true;
    for (const controller of this.#inFlight) controller.abort();
    this.#inFlight.clear();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
    this.jar.clear();
    this.#csrf = undefined;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function statusCodeOf(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { statusCode?: unknown };
    return typeof parsed?.statusCode === 'number' ? parsed.statusCode : undefined;
  } catch {
    return undefined;
  }
}

function rejected(operation: string, answer: GwsAnswer, httpStatus: number): GwsError {
  // Server text: one bounded line, no control characters, line separators or bidirectional overrides.
  const detail = typeof answer.statusMessage === 'string' ? serverText(answer.statusMessage) : '';
  const reason: FailureReason = answer.statusCode === 20 ? 'authFailed' : httpStatus >= 500 || answer.statusCode === 4 ? 'serverError' : 'rejected';
  return new GwsError(detail ? 'rejected' : 'rejectedNoDetail', {
    operation,
    statusCode: answer.statusCode,
    meaning: statusCodeMeaning(answer.statusCode),
    detail,
  }, { statusCode: answer.statusCode, httpStatus, reason });
}

function httpFailure(operation: string, result: HttpResult, code: 'badAnswer' | 'httpError'): GwsError {
  const detail = serverText(result.text, 200) || 'empty body';
  return new GwsError(code, { operation, httpStatus: result.httpStatus, detail }, {
    httpStatus: result.httpStatus,
    reason: result.httpStatus >= 500 ? 'serverError' : 'rejected',
  });
}

export function parseBaseUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseUrl must start with http:// or https://, got ${url.protocol}`);
  if (url.username || url.password) throw new TypeError('baseUrl must not hold credentials; give them as username and password');
  // Keep a path prefix (GWS behind a reverse proxy) but make it a directory so that relative API paths stay below it.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}
