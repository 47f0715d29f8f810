/**
 * One HTTP session with one GWS server: Basic auth on every request, its own cookie jar and socket
 * pool, the CSRF header on every state-changing request, one refresh-and-retry after a 403 that
 * names the CSRF token, and a typed error for every failure. The password, the cookies and the CSRF
 * token are never written to a log or an error.
 *
 * The sockets (http-client.ts): at most `maxSockets` per session, and at most `maxSockets - 2` REST
 * calls at once, so that the CometD requests (sent to the notifications URL) always find a socket;
 * idle ones are closed before the server would close them; a request is sent again only when it
 * provably never left. Proxies (proxy.ts) as Node-RED's http request node finds them.
 */
import { SessionCookieJar } from './cookie-jar.js';
import { HttpAbortedError, HttpClient, HttpTimeoutError, ProxyRefusedError, type SocketStats } from './http-client.js';
import { GwsError, type FailureReason } from './errors.js';
import type { Logger } from './logger.js';
import { proxyFor, type ProxyOptions } from './proxy.js';
import { serverText } from './server-text.js';
import { statusCodeMeaning } from './status-codes.js';
import { silentLogger } from './logger.js';
import type { GwsAnswer, GwsUser, MeAnswer } from './wire-types.js';

export type { ProxyOptions } from './proxy.js';
export type { SocketStats } from './http-client.js';

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
  /**
   * Sockets open at most to GWS (or to the proxy), default 6, at least 3. At most `maxSockets - 2`
   * REST calls are under way at once (the others wait, in order), so that two sockets are always there
   * for the CometD requests: the long poll holds one most of the time, handshakes and subscriptions
   * use the other, and they never wait behind REST calls. The default is sized for the unit of scale,
   * one agent per server node: 4 REST sockets carry far more than an agent sends (one Node-RED thread
   * is the limit long before), and with 1,000 agents a burst opens ~5,000 sockets instead of ~15,000,
   * whose set-up alone pushed requests past their timeout (bench/SCALE.md).
   */
  maxSockets?: number;
  /** An idle socket is closed after this long when GWS sends no `Keep-Alive: timeout=` hint (ms, default 4000). */
  keepAliveTimeoutMs?: number;
  /** An idle socket is closed after this long at the latest, whatever the hint (ms, default 30000). */
  keepAliveMaxTimeoutMs?: number;
  /** An explicit proxy (the core `http proxy` config node); wins over the environment. */
  proxy?: ProxyOptions;
  /** Use HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY (any case) from the environment (default true). */
  useEnvProxy?: boolean;
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

export const SESSION_DEFAULTS = {
  maxSockets: 6,
  keepAliveTimeoutMs: 4000,
  keepAliveMaxTimeoutMs: 30000,
  /** Subtracted from the server's hint, so that the client closes first. */
  keepAliveMarginMs: 1000,
  connectTimeoutMs: 10000,
  requestTimeoutMs: 30000,
} as const;

/** Answers larger than this are refused (GWS answers are a few kB; a long poll carries at most some MB). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
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
  readonly #client: HttpClient;
  readonly #log: Logger;
  /** Path of the CometD endpoint: requests below it use the notifications lane of the client. */
  readonly #notificationsPath: string;
  #csrf?: { header: string; token: string };
  #refreshing?: Promise<GwsUser>;
  #closed = false;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.baseUrl = parseBaseUrl(options.baseUrl);
    this.#log = options.log ?? silentLogger;
    const proxy = proxyFor(this.baseUrl, { proxy: options.proxy, useEnvProxy: options.useEnvProxy });
    const keepAliveMaxTimeoutMs = positive(options.keepAliveMaxTimeoutMs) ?? SESSION_DEFAULTS.keepAliveMaxTimeoutMs;
    this.#client = new HttpClient({
      origin: this.baseUrl,
      tls: options.tls,
      maxSockets: Math.max(3, Math.floor(positive(options.maxSockets) ?? SESSION_DEFAULTS.maxSockets)),
      keepAliveTimeoutMs: Math.min(keepAliveMaxTimeoutMs, positive(options.keepAliveTimeoutMs) ?? SESSION_DEFAULTS.keepAliveTimeoutMs),
      keepAliveMaxTimeoutMs,
      keepAliveMarginMs: SESSION_DEFAULTS.keepAliveMarginMs,
      connectTimeoutMs: SESSION_DEFAULTS.connectTimeoutMs,
      maxAnswerBytes: MAX_ANSWER_BYTES,
      proxy,
    });
    if (proxy) this.#log.debug(`requests to ${this.baseUrl.origin} go through the proxy ${proxy.url.origin} (${proxy.source === 'option' ? 'configured' : 'from the environment'})`);
    this.#notificationsPath = new URL(this.url('/api/v2/notifications')).pathname;
    this.#authorization = 'Basic ' + Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64');
  }

  /** The proxy the requests go through (its origin, never credentials), or undefined when they go direct. */
  get proxy(): string | undefined {
    return this.#client.proxy;
  }

  /** Open, idle and busy sockets, queued and running requests, connections opened and closed so far. */
  socketStats(): SocketStats {
    return this.#client.socketStats();
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
   * fresh login. `url` must be on the session's own server (the credentials go nowhere else): another
   * origin is refused with a TypeError.
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
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? SESSION_DEFAULTS.requestTimeoutMs;
    const target = new URL(url);
    // The credentials go to the session's own server only.
    if (target.origin !== this.baseUrl.origin) throw new TypeError('the session sends requests to its own server only');
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
      const path = target.pathname;
      const notifications = path.startsWith(this.#notificationsPath) && (path.length === this.#notificationsPath.length || path[this.#notificationsPath.length] === '/');
      const answer = await this.#client.request({
        method,
        lane: notifications ? 'notifications' : 'rest',
        path: path + target.search,
        headers,
        body,
        timeoutMs,
        signal: options.signal,
      });
      const setCookie = answer.headers['set-cookie'];
      if (setCookie) for (const raw of setCookie) this.jar.store(raw, target);
      this.#readCsrf(answer.headers);
      return { httpStatus: answer.status, text: answer.text };
    } catch (error) {
      if (error instanceof HttpAbortedError || this.#closed || options.signal?.aborted) throw new RequestAbortedError();
      throw this.#networkError(error, options.operation, timeoutMs);
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
    const url = this.baseUrl.origin;
    if (error instanceof HttpTimeoutError) {
      return new GwsError('requestTimeout', { operation, timeout: timeoutMs }, { reason: 'timeout' });
    }
    if (error instanceof ProxyRefusedError) {
      // A refused proxy login will not mend itself: told like refused credentials, naming the proxy.
      return new GwsError('unreachable', { operation, url, detail: error.message }, {
        httpStatus: error.status,
        reason: error.loginRefused ? 'authFailed' : 'unreachable',
      });
    }
    // Only code and message are kept: an error object of the HTTP stack may hold request details.
    const err = error as { code?: unknown; message?: unknown };
    const code = typeof err.code === 'string' ? err.code : undefined;
    let detail = serverText(typeof err.message === 'string' && err.message !== '' ? err.message : code ?? 'unknown error');
    if (code && !detail.includes(code) && !code.startsWith('UND_ERR')) detail = `${detail} (${code})`;
    const proxy = this.#client.proxy;
    if (code && TLS_CODES.test(code)) {
      return new GwsError('tlsFailed', { operation, url, detail }, { reason: 'tlsFailed' });
    }
    if (proxy) detail = `${detail}, through the proxy ${proxy}`;
    return new GwsError('unreachable', { operation, url, detail }, { reason: 'unreachable' });
  }

  /** Cancels every request in flight and releases every socket. */
  close(): void {
    this.#closed = true;
    this.#client.close();
    this.jar.clear();
    this.#csrf = undefined;
  }
}

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
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
  const detail = typeof answer.statusMessage === 'string' ? serverText(answer.statusMessage, 500) : '';
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

/**
 * Checks and normalises the base URL. Its errors never repeat the URL or a part of it: it may hold
 * credentials by mistake.
 */
export function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    // Node's own error carries the input.
    throw new TypeError('baseUrl is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must start with http:// or https://');
  if (url.username || url.password) throw new TypeError('baseUrl must not hold credentials; give them as username and password');
  // Keep a path prefix (GWS behind a reverse proxy) but make it a directory so that relative API paths stay below it.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}
