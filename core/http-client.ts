/**
 * The HTTP client of one session: one undici pool for the session's single origin, with a bounded
 * number of sockets, idle sockets closed before the server closes them, and an optional proxy.
 *
 * Two lanes share the pool: at most `maxSockets - 2` REST calls are in flight at once (the others wait
 * here, in order), so that two sockets are always there for the CometD requests (the long poll, which
 * holds one most of the time, and a handshake, subscription or disconnect beside it). A re-handshake
 * therefore never waits behind a burst of POSTs (the client would stay unsubscribed meanwhile, and
 * answers published then are lost). Idle sockets serve either lane.
 *
 * Keep-alive: a socket is reused only while it is idle for less than the server's `Keep-Alive:
 * timeout=` hint minus a margin; without a hint for less than a short default. A socket the server
 * closed while it was idle is noticed before the next request is written to it (undici yields one
 * event-loop turn before it reuses an idle socket), and a request that was queued for a socket that
 * closed before the request was written is sent on a new socket: it provably never left. A request
 * that was written is never sent again, whatever happens to its connection (GWS operations are not
 * idempotent), and requests are never pipelined.
 *
 * Proxies: an http:// target goes through an HTTP proxy as an absolute-form request (as Node-RED's
 * http request node does); an https:// target through a CONNECT tunnel, with TLS to the target inside
 * it. The proxy's credentials travel only in the Proxy-Authorization header.
 *
 * Nothing secret reaches an error: errors of this module carry fixed texts plus what is safe (the
 * proxy's origin, status codes); errors of the network stack are reduced to code and message by the
 * session.
 */
import type { Duplex } from 'node:stream';
import { Pool, buildConnector, type Dispatcher } from 'undici';
import type { ProxyChoice } from './proxy.js';

export interface ClientTlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
}

export interface HttpClientOptions {
  /** The one origin this client talks to (scheme, host, port). */
  origin: URL;
  tls?: ClientTlsOptions;
  /** Upper bound of open sockets to the origin (or to the proxy), both lanes together; at least 3. */
  maxSockets: number;
  /** Idle time after which a socket is closed when the server gave no Keep-Alive hint (ms). */
  keepAliveTimeoutMs: number;
  /** Longest idle time whatever the server's hint (ms). */
  keepAliveMaxTimeoutMs: number;
  /** Margin subtracted from the server's hint (ms). */
  keepAliveMarginMs: number;
  /** Longest wait for a TCP (and TLS) connection (ms). */
  connectTimeoutMs: number;
  /** Answers larger than this are refused (bytes). */
  maxAnswerBytes: number;
  proxy?: ProxyChoice;
}

/** Which sockets a request uses: the REST calls' or the CometD requests'. */
export type Lane = 'rest' | 'notifications';

export interface HttpRequest {
  method: 'GET' | 'POST';
  lane?: Lane;
  /** Path and query below the origin, starting with `/`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** Response headers by lower-case name; repeated headers (set-cookie) as arrays. */
  headers: Record<string, string | string[]>;
  text: string;
}

export interface SocketStats {
  /** Sockets connected now. */
  open: number;
  /** Connected sockets waiting for a request. */
  idle: number;
  /** Connected sockets carrying a request. */
  busy: number;
  /** Requests waiting for a socket (not yet written). */
  queued: number;
  /** Requests written and waiting for their answer. */
  running: number;
  /** Connections opened since the client was made. */
  connects: number;
  /** Connections closed since the client was made. */
  disconnects: number;
}

/** The whole request took longer than its timeout. */
export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** The request was given up through its AbortSignal or because the client closed. */
export class HttpAbortedError extends Error {
  constructor() {
    super('request aborted');
    this.name = 'AbortError';
  }
}

/** The proxy refused: its login (HTTP 407) or the tunnel. Names the proxy by its origin only. */
export class ProxyRefusedError extends Error {
  readonly code = 'EPROXYREFUSED';
  readonly proxy: string;
  readonly status: number;
  constructor(proxy: string, status: number) {
    super(status === 407
      ? `the proxy ${proxy} refused the proxy credentials (HTTP 407)`
      : `the proxy ${proxy} refused the connection (HTTP ${status})`);
    this.name = 'ProxyRefusedError';
    this.proxy = proxy;
    this.status = status;
  }

  get loginRefused(): boolean {
    return this.status === 407;
  }
}

type Mode = 'direct' | 'forward' | 'tunnel';

/** Sockets kept for the notifications lane: the long poll and one request beside it. */
const NOTIFICATION_SOCKETS = 2;

export class HttpClient {
  readonly origin: URL;
  readonly #pool: Pool;
  /** REST calls in flight at most. */
  readonly #restLimit: number;
  #restActive = 0;
  /** REST calls waiting for their turn (some may have ended meanwhile: skipped). */
  #restWaiting: Exchange[] = [];
  #pumpScheduled = false;
  readonly #mode: Mode;
  readonly #options: HttpClientOptions;
  /** The origin written in absolute-form request targets (forward proxy). */
  readonly #absolutePrefix: string;
  readonly #host: string;
  readonly #inFlight = new Set<Exchange>();
  /** Connection attempts under way, each with its cancel function (close() ends them at once). */
  readonly #attempts = new Set<(error: Error) => void>();
  /** Opens the CONNECT tunnels (https:// through a proxy); each tunnel's socket then leaves it. */
  #tunnelPool?: Pool;
  #connects = 0;
  #disconnects = 0;
  #closed = false;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.origin = new URL(options.origin.origin);
    this.#host = this.origin.host;
    this.#absolutePrefix = this.origin.origin;
    const proxy = options.proxy;
    this.#mode = proxy === undefined ? 'direct' : this.origin.protocol === 'https:' ? 'tunnel' : 'forward';
    const tls = options.tls ?? {};
    const total = Math.max(NOTIFICATION_SOCKETS + 1, Math.floor(options.maxSockets));
    const poolOptions: Pool.Options = {
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      keepAliveMaxTimeout: options.keepAliveMaxTimeoutMs,
      keepAliveTimeoutThreshold: options.keepAliveMarginMs,
      // The session's own timer covers the whole request, queue time included.
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    // undici's own connect timeout is off (it would start a process-wide timer that outlives the
    // session); #withConnectTimeout puts a timer of this client around each connection attempt.
    const tlsConnect = {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      passphrase: tls.passphrase,
      servername: tls.servername,
      rejectUnauthorized: tls.rejectUnauthorized !== false,
      timeout: 0,
    };
    const connectTimeoutMs = options.connectTimeoutMs;
    this.#restLimit = total - NOTIFICATION_SOCKETS;
    if (this.#mode === 'direct') {
      const connect = this.#withConnectTimeout(buildConnector(tlsConnect as buildConnector.BuildOptions), connectTimeoutMs);
      this.#pool = new Pool(this.origin, { ...poolOptions, connections: total, connect });
    } else if (this.#mode === 'forward') {
      // The proxy's own TLS (an https:// proxy) is verified against the system's CAs.
      const proxyUrl = (proxy as ProxyChoice).url;
      const connect = this.#withConnectTimeout(buildConnector({ timeout: 0 }), connectTimeoutMs);
      this.#pool = new Pool(proxyUrl, { ...poolOptions, connections: total, connect });
    } else {
      const toTarget = buildConnector(tlsConnect as buildConnector.BuildOptions);
      this.#tunnelPool = new Pool((proxy as ProxyChoice).url, {
        connections: total,
        connect: buildConnector({ timeout: 0 }),
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      const connect: buildConnector.connector = (connectOptions, callback) => this.#tunnel(connectOptions, toTarget, callback);
      this.#pool = new Pool(this.origin, { ...poolOptions, connections: total, connect });
    }
    this.#pool.on('connect', () => this.#connects++);
    this.#pool.on('disconnect', () => this.#disconnects++);
  }

  /** The proxy in use, by origin (never with credentials), or undefined when direct. */
  get proxy(): string | undefined {
    return this.#options.proxy?.url.origin;
  }

  /** Sends one request and reads its whole answer. */
  request(request: HttpRequest): Promise<HttpAnswer> {
    if (this.#closed || request.signal?.aborted) return Promise.reject(new HttpAbortedError());
    return new Promise<HttpAnswer>((resolve, reject) => {
      const exchange = new Exchange(this, resolve, reject, request, this.#options.maxAnswerBytes);
      const headers = request.headers;
      let path = request.path;
      if (this.#mode === 'forward') {
        path = this.#absolutePrefix + request.path;
        headers.host = this.#host;
        const authorization = this.#options.proxy?.authorization;
        if (authorization !== undefined) headers['proxy-authorization'] = authorization;
      }
      const options: Dispatcher.DispatchOptions & { servername?: string } = {
        path,
        method: request.method,
        headers,
        body: request.body ?? null,
      };
      if (this.#options.tls?.servername) options.servername = this.#options.tls.servername;
      exchange.dispatchOptions = options;
      this.#inFlight.add(exchange);
      if (request.lane === 'notifications') {
        this.#dispatch(exchange);
      } else if (this.#restActive < this.#restLimit && this.#restWaiting.length === 0) {
        this.#restActive++;
        exchange.rest = true;
        this.#dispatch(exchange);
      } else {
        this.#restWaiting.push(exchange);
      }
    });
  }

  #dispatch(exchange: Exchange): void {
    try {
      this.#pool.dispatch(exchange.dispatchOptions as Dispatcher.DispatchOptions, exchange);
    } catch (error) {
      exchange.fail(error as Error);
    }
  }

  /** @internal An exchange ended (answered, failed, timed out or cancelled). */
  settled(exchange: Exchange): void {
    this.#inFlight.delete(exchange);
    if (!exchange.rest) return;
    exchange.rest = false;
    this.#restActive--;
    // After undici's own turn: it frees the socket of an answered request in an immediate scheduled
    // after this one, so the next call waits for that to reuse the socket instead of opening another.
    if (this.#restWaiting.length > 0 && !this.#pumpScheduled && !this.#closed) {
      this.#pumpScheduled = true;
      setImmediate(() => setImmediate(() => this.#pump()));
    }
  }

  /** Starts waiting REST calls while there is room; those that ended while they waited are dropped. */
  #pump(): void {
    this.#pumpScheduled = false;
    if (this.#closed) return;
    let next = 0;
    const waiting = this.#restWaiting;
    while (this.#restActive < this.#restLimit && next < waiting.length) {
      const exchange = waiting[next++];
      if (exchange.ended) continue;
      this.#restActive++;
      exchange.rest = true;
      this.#dispatch(exchange);
    }
    this.#restWaiting = next === waiting.length ? [] : waiting.slice(next);
  }

  /** Sockets and requests of this client now, and connections opened and closed so far. */
  socketStats(): SocketStats {
    const stats = this.#pool.stats;
    let waiting = 0;
    for (const exchange of this.#restWaiting) if (!exchange.ended) waiting++;
    return {
      open: stats.connected,
      idle: stats.free,
      busy: stats.connected - stats.free,
      queued: stats.pending + waiting,
      running: stats.running,
      connects: this.#connects,
      disconnects: this.#disconnects,
    };
  }

  /** Cancels every request (queued or running) and closes every socket at once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const exchange of [...this.#inFlight]) exchange.fail(new HttpAbortedError());
    this.#inFlight.clear();
    this.#restWaiting = [];
    // The pool first: a pool told of a failed attempt would otherwise start another one.
    this.#pool.destroy().catch(() => undefined);
    this.#tunnelPool?.destroy().catch(() => undefined);
    for (const cancel of [...this.#attempts]) cancel(new HttpAbortedError());
  }

  /**
   * `connector` with a time limit: an attempt that has not connected (TCP, and TLS where it applies)
   * within `timeoutMs` fails with a connect timeout; close() ends it at once; a socket that comes
   * later is closed.
   */
  #withConnectTimeout(connector: buildConnector.connector, timeoutMs: number): buildConnector.connector {
    return (options, callback) => {
      if (this.#closed) {
        callback(new HttpAbortedError(), null);
        return;
      }
      let socket: { destroy(error?: Error): void } | undefined;
      const cancel = (error: Error) => {
        if (!this.#attempts.delete(cancel)) return;
        clearTimeout(timer);
        socket?.destroy();
        callback(error, null);
      };
      const timer = setTimeout(() => cancel(connectTimeout(timeoutMs)), timeoutMs);
      this.#attempts.add(cancel);
      socket = (connector as (...args: Parameters<buildConnector.connector>) => { destroy(): void } | undefined)(options, (...args) => {
        if (!this.#attempts.delete(cancel)) {
          if (!args[0]) args[1]?.destroy();
          return;
        }
        clearTimeout(timer);
        callback(...args);
      });
    };
  }

  /**
   * Opens a socket to the target through a CONNECT tunnel of the proxy, then TLS to the target; the
   * connect timeout covers the whole attempt (connection to the proxy, CONNECT, TLS with GWS).
   */
  #tunnel(
    connectOptions: buildConnector.Options,
    toTarget: buildConnector.connector,
    callback: buildConnector.Callback,
  ): void {
    if (this.#closed) {
      callback(new HttpAbortedError(), null);
      return;
    }
    const proxy = this.#options.proxy as ProxyChoice;
    const port = connectOptions.port || (connectOptions.protocol === 'https:' ? '443' : '80');
    const authority = `${connectOptions.hostname}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxy.authorization !== undefined) headers['proxy-authorization'] = proxy.authorization;
    const controller = new AbortController();
    let pending: { destroy(): void } | undefined;
    let done = false;
    const finish = (error: Error | null, socket?: Duplex & { destroy(): void }) => {
      if (done) {
        socket?.destroy();
        return;
      }
      done = true;
      clearTimeout(timer);
      this.#attempts.delete(cancel);
      if (error) callback(error, null);
      else callback(null, socket as never);
    };
    const cancel = (error: Error) => {
      controller.abort();
      pending?.destroy();
      finish(error);
    };
    const timer = setTimeout(() => cancel(connectTimeout(this.#options.connectTimeoutMs)), this.#options.connectTimeoutMs);
    this.#attempts.add(cancel);
    (this.#tunnelPool as Pool).connect({ path: authority, headers, signal: controller.signal }, (error, data) => {
      if (error) {
        finish(error);
        return;
      }
      const socket = data.socket as Duplex & { destroy(): void };
      if (done) {
        socket.destroy();
        return;
      }
      if (data.statusCode !== 200) {
        socket.on('error', () => undefined);
        socket.destroy();
        finish(new ProxyRefusedError(proxy.url.origin, data.statusCode));
        return;
      }
      const servername = this.#options.tls?.servername ?? connectOptions.servername;
      pending = socket;
      const secured: unknown = (toTarget as (...args: Parameters<buildConnector.connector>) => unknown)(
        { ...connectOptions, servername, httpSocket: socket as never },
        (tlsError, tlsSocket) => finish(tlsError, tlsSocket as never),
      );
      pending = (secured as { destroy(): void } | undefined) ?? socket;
    });
  }

  /** Whether answers of this status come from the proxy rather than from GWS. */
  proxyRefusal(status: number): ProxyRefusedError | undefined {
    // A forward proxy answers 407 itself; GWS never does.
    if (this.#mode === 'forward' && status === 407) return new ProxyRefusedError((this.#options.proxy as ProxyChoice).url.origin, status);
    return undefined;
  }
}

function connectTimeout(timeoutMs: number): Error {
  return Object.assign(new Error(`connect timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
}

/**
 * One request in flight: the undici dispatch handler (the callback interface, which undici calls
 * without an adapter) plus the request's timer and AbortSignal.
 */
class Exchange implements Dispatcher.DispatchHandler {
  /** What undici is given; set by the client before the exchange is dispatched. */
  dispatchOptions?: Dispatcher.DispatchOptions;
  /** Counted among the REST calls in flight. */
  rest = false;
  readonly #client: HttpClient;
  readonly #resolve: (answer: HttpAnswer) => void;
  readonly #reject: (error: Error) => void;
  readonly #signal?: AbortSignal;
  readonly #maxBytes: number;
  readonly #timer: NodeJS.Timeout;
  #abort?: (error?: Error) => void;
  #cancelled?: Error;
  #settled = false;
  #status = 0;
  #headers: Record<string, string | string[]> = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(client: HttpClient, resolve: (answer: HttpAnswer) => void, reject: (error: Error) => void, request: HttpRequest, maxBytes: number) {
    this.#client = client;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = request.signal;
    this.#maxBytes = maxBytes;
    this.#timer = setTimeout(() => this.fail(new HttpTimeoutError(request.timeoutMs)), request.timeoutMs);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = () => this.fail(new HttpAbortedError());

  /**
   * Ends the request with `error` now. A request not yet written is dropped before it is written
   * (when undici reaches it); one in flight is cut, and its socket closed.
   */
  fail(error: Error): void {
    if (this.#settled) return;
    this.#cancelled = error;
    this.#settle();
    this.#reject(error);
    this.#abort?.(error);
  }

  /** True once the caller has its answer or error. */
  get ended(): boolean {
    return this.#settled;
  }

  #settle(): void {
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#client.settled(this);
  }

  // undici: the request is about to be written to a socket.
  onConnect(abort: (error?: Error) => void): void {
    // Given up while it waited for a socket: throwing here drops it unwritten and keeps the socket.
    if (this.#cancelled) throw this.#cancelled;
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, _statusText: string): boolean {
    if (statusCode < 200) return true;
    this.#status = statusCode;
    const refusal = this.#client.proxyRefusal(statusCode);
    if (refusal) {
      this.fail(refusal);
      return false;
    }
    const headers: Record<string, string | string[]> = {};
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i].toString('latin1').toLowerCase();
      const value = rawHeaders[i + 1].toString('latin1');
      const previous = headers[name];
      if (previous === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
      else if (Array.isArray(previous)) previous.push(value);
      else headers[name] = [previous, value];
    }
    this.#headers = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#settled) return true;
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      this.fail(new Error(`answer larger than ${this.#maxBytes} bytes`));
      return true;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    this.#settle();
    const text = this.#chunks.length === 1 ? this.#chunks[0].toString('utf8') : Buffer.concat(this.#chunks).toString('utf8');
    this.#chunks = [];
    this.#resolve({ status: this.#status, headers: this.#headers, text });
  }

  onError(error: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(error);
  }
}
