/**
 * The CometD (Bayeux) connection of one session: one `cometd` client per link, long-polling only, with
 * every HTTP request of its own sent through the session (same Basic auth, cookie jar, CSRF token, TLS
 * options and agents as the REST calls). That is why the transport's `xhrSend` is replaced per instance
 * instead of using a global XMLHttpRequest: a process-wide cookie jar or HTTPS agent would mix the
 * sessions of two servers or two users.
 *
 * Listeners are added once per client. Subscriptions are made again in the `/meta/handshake` listener
 * after every successful handshake (the library drops them on re-handshake), so that a server that
 * forgot the client (`402::Unknown client`) or restarted is followed without duplicates.
 *
 * The server is not trusted: an element of a long-poll answer that is not a Bayeux message is dropped
 * (with a warning) before the library sees it, and a watchdog handshakes again when no long poll has
 * been in flight for longer than the server's timeout plus the network delay; the link never says
 * connected while nothing polls. Nothing here depends on a global `window` another package may have
 * installed (cometd-nodejs-client's `adapt()` puts an XMLHttpRequest there).
 */
import type * as CometDModule from 'cometd';
import { jittered } from './backoff.js';
import { GwsError, type FailureReason } from './errors.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import { serverText } from './server-text.js';
import { GwsSession, RequestAbortedError } from './session.js';
import type { Notification } from './wire-types.js';

export type LinkStatus = 'disconnected' | 'connecting' | 'connected' | 'failed';

export interface LinkState {
  status: LinkStatus;
  reason?: FailureReason;
  /** Technical detail of a failure, for logs and error texts (never credentials). */
  detail?: string;
  /** The error behind a failure, when one was thrown. */
  error?: GwsError;
}

export interface LinkEvents {
  notification(notification: Notification): void;
  /** After all notifications of one long-poll answer were handed out. */
  batchEnd(batch: number): void;
  state(state: LinkState): void;
}

export interface NotificationLinkOptions {
  channels: readonly string[];
  /** Extra time the client waits for an answer beyond the server's long-poll timeout (ms). */
  maxNetworkDelayMs?: number;
  backoffIncrementMs?: number;
  maxBackoffMs?: number;
  /** Longest wait between two login attempts after the server refused the credentials (ms). */
  maxAuthBackoffMs?: number;
  /** Register CometD's ack extension (a server without it ignores it). */
  ackExtension?: boolean;
  log?: Logger;
  /** Route the library's own debug output to log.trace. */
  libraryDebug?: boolean;
}

type Message = CometDModule.Message & { failure?: { httpCode?: number; reason?: string; exception?: unknown } };

interface XhrPacket {
  url: string;
  body: string;
  onSuccess(text: string): void;
  onError(reason: string, exception?: unknown): void;
}

/** The part of XMLHttpRequest that the long-polling transport reads back. */
interface SessionXhr {
  readyState: number;
  status: number;
  abort(): void;
}

/** The transport methods replaced per instance, so that nothing goes through `window.XMLHttpRequest`. */
interface LongPollingInternals {
  xhrSend(packet: XhrPacket): SessionXhr;
  abortXHR(xhr: SessionXhr | undefined): boolean;
}

/** How long after a long poll ended without a next one the status stops saying connected (beyond the backoff). */
const IDLE_GRACE_MS = 1000;
/** At most one warning about malformed answers per this interval (a hostile server could send many). */
const MALFORMED_WARNING_INTERVAL_MS = 60000;

let instances = 0;

export class NotificationLink {
  readonly #session: GwsSession;
  readonly #events: LinkEvents;
  readonly #options: Required<Omit<NotificationLinkOptions, 'log'>>;
  readonly #log: Logger;
  readonly #lib: typeof CometDModule;
  #cometd: CometDModule.CometD;
  #state: LinkState = { status: 'disconnected' };
  #batch = 0;
  #subscribed = false;
  #generation = 0;
  #started = false;
  #stopping = false;
  #lastTransportError?: GwsError;
  #authFailures = 0;
  #retryTimer?: NodeJS.Timeout;
  /** CometD requests under way (the long poll among them). */
  #pollsInFlight = 0;
  /** The server's long-poll hold time, from its advice (before the first advice: CometD's default). */
  #adviceTimeoutMs = 60000;
  #watchdog?: NodeJS.Timeout;
  #malformed = 0;
  #malformedWarnedAt = 0;

  constructor(session: GwsSession, cometd: typeof CometDModule, events: LinkEvents, options: NotificationLinkOptions) {
    this.#session = session;
    this.#events = events;
    this.#log = options.log ?? silentLogger;
    this.#options = {
      channels: options.channels,
      maxNetworkDelayMs: options.maxNetworkDelayMs ?? 10000,
      backoffIncrementMs: options.backoffIncrementMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 1000,
      maxAuthBackoffMs: options.maxAuthBackoffMs ?? 30000,
      ackExtension: options.ackExtension ?? true,
      libraryDebug: options.libraryDebug ?? false,
    };
    this.#lib = cometd;
    this.#cometd = this.#createClient();
  }

  /**
   * One CometD client, configured: long-polling only, every request through the session, jittered
   * retries, the library's logging routed to ours. Its listeners ignore it once a newer client replaced
   * it (the watchdog starts over with a new client).
   */
  #createClient(): CometDModule.CometD {
    const client = new this.#lib.CometD(`gws-${++instances}`);
    // Only long-polling is known to be served by GWS; the other transports would also bypass the session.
    for (const type of client.getTransportTypes()) {
      if (type !== 'long-polling') client.unregisterTransport(type);
    }
    const transport = client.findTransport('long-polling') as unknown as LongPollingInternals;
    transport.xhrSend = (packet) => this.#xhrSend(packet);
    // The library asks whether an aborted XHR will still call back, by comparing with
    // window.XMLHttpRequest.UNSENT: its answer would then depend on what another package put on
    // `window`. Ours never calls back after an abort, so the library always completes the request.
    transport.abortXHR = (xhr) => {
      xhr?.abort();
      return false;
    };
    // Jittered retries: N links that lost the same server do not come back in waves.
    const backoff = client as unknown as { increaseBackoffPeriod(): number; getBackoffPeriod(): number };
    const increaseBackoff = backoff.increaseBackoffPeriod.bind(client);
    const backoffPeriod = backoff.getBackoffPeriod.bind(client);
    backoff.increaseBackoffPeriod = () => jittered(increaseBackoff(), this.#options.maxBackoffMs);
    backoff.getBackoffPeriod = () => jittered(backoffPeriod(), this.#options.maxBackoffMs);
    const internals = client as unknown as Record<'_warn' | '_info' | '_debug', (...args: unknown[]) => void> & {
      onListenerException: (error: unknown) => void;
    };
    internals._warn = (...args) => this.#log.warn(`CometD: ${describe(args)}`);
    internals._info = (...args) => this.#log.debug(`CometD: ${describe(args)}`);
    internals._debug = (...args) => {
      if (this.#options.libraryDebug) this.#log.trace(`CometD: ${describe(args)}`);
    };
    internals.onListenerException = (error: unknown) => {
      this.#log.warn(`notification handler failed: ${error instanceof Error ? error.message : String(error)}`);
    };
    client.configure({
      url: this.#session.url('/api/v2/notifications'),
      logLevel: 'warn',
      maxNetworkDelay: this.#options.maxNetworkDelayMs,
      backoffIncrement: this.#options.backoffIncrementMs,
      maxBackoff: this.#options.maxBackoffMs,
    });
    if (this.#options.ackExtension) client.registerExtension('ack', new this.#lib.AckExtension());
    client.addListener('/meta/handshake', (message: Message) => {
      if (client === this.#cometd) this.#onHandshake(message);
    });
    client.addListener('/meta/connect', (message: Message) => {
      if (client === this.#cometd) this.#onConnect(message);
    });
    return client;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** True when the subscriptions of the current handshake are confirmed and the long poll is running. */
  get ready(): boolean {
    return this.#state.status === 'connected';
  }

  /** Logs in and handshakes; further calls while running do nothing. */
  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#attempt();
  }

  /**
   * Tries again at once when the link is waiting between two login attempts (a request is waiting
   * for it). While CometD itself retries (network failures, server restarts) this does nothing.
   */
  kick(): void {
    if (this.#stopping || !this.#started || this.#retryTimer === undefined) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#attempt();
  }

  /**
   * One attempt: `GET /api/v2/me` (validates the credentials, opens the server session, reads the CSRF
   * token), then the CometD handshake. Later re-handshakes (unknown client, network failures) are left
   * to the CometD client, which goes on using the session's cookie and token.
   */
  #attempt(): void {
    if (this.#stopping) return;
    this.#setState({ status: 'connecting' });
    this.#session.login('Login', this.#options.maxNetworkDelayMs).then(
      () => {
        if (this.#stopping) return;
        try {
          this.#cometd.handshake();
        } catch (error) {
          // 'Illegal state: ...': a handshake is already under way.
          this.#log.debug(`handshake not started: ${String(error)}`);
        }
      },
      (error: unknown) => {
        if (this.#stopping) return;
        const failure = error instanceof GwsError ? error : undefined;
        const reason = failure?.reason ?? 'unreachable';
        this.#setState({ status: 'failed', reason, detail: failure?.message ?? String(error), error: failure });
        // Refused credentials, a certificate that does not verify or a refusal will not go away by itself.
        this.#retryLater(reason === 'authFailed' || reason === 'tlsFailed' || reason === 'rejected');
      },
    );
  }

  /**
   * After a refused login (or TLS failure) the next attempt waits longer each time (1 s doubling up to maxAuthBackoffMs):
   * a wrong password tried every second is enough to lock an account. Other failures are tried again
   * after the short CometD backoff.
   */
  #retryLater(slow: boolean): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    const delay = jittered(slow
      ? Math.min(this.#options.maxAuthBackoffMs, 1000 * 2 ** Math.min(this.#authFailures++, 15))
      : this.#options.maxBackoffMs);
    this.#log.debug(`next login attempt in ${delay} ms`);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#attempt();
    }, delay);
  }

  #xhrSend(packet: XhrPacket): SessionXhr {
    const controller = new AbortController();
    // Every request of the client counts as activity: a handshake retried while GWS is down is not a stall.
    this.#pollStarted();
    let pollOpen = true;
    const pollEnded = () => {
      if (!pollOpen) return;
      pollOpen = false;
      this.#pollEnded();
    };
    const xhr: SessionXhr & { aborted: boolean } = {
      readyState: 1,
      status: 0,
      aborted: false,
      abort() {
        // CometD completes the request itself after an abort: no callback may follow.
        xhr.aborted = true;
        controller.abort();
        pollEnded();
      },
    };
    const timeoutMs = this.#options.maxNetworkDelayMs + this.#serverTimeoutMs() + 5000;
    this.#session
      .send('POST', packet.url, packet.body, { operation: 'Notifications', signal: controller.signal, timeoutMs })
      .then(
        (result) => {
          pollEnded();
          if (xhr.aborted) return;
          xhr.readyState = 4;
          xhr.status = result.httpStatus;
          if (result.httpStatus !== 200) {
            this.#lastTransportError = new GwsError('httpError', {
              operation: 'Notifications',
              httpStatus: result.httpStatus,
              detail: serverText(result.text, 200) || 'empty body',
            }, { httpStatus: result.httpStatus, reason: result.httpStatus >= 500 ? 'serverError' : 'rejected' });
            packet.onError(`HTTP ${result.httpStatus}`);
            return;
          }
          this.#lastTransportError = undefined;
          const batch = ++this.#batch;
          packet.onSuccess(this.#wellFormed(result.text));
          this.#events.batchEnd(batch);
        },
        (error: unknown) => {
          pollEnded();
          if (xhr.aborted) return;
          xhr.readyState = 4;
          if (error instanceof GwsError) {
            xhr.status = error.httpStatus ?? 0;
            this.#lastTransportError = error;
          }
          packet.onError(error instanceof RequestAbortedError ? 'closed' : String((error as Error).message), error);
        },
      );
    return xhr;
  }

  /**
   * The answer with every element that is not a Bayeux message left out (one without a string
   * `channel` stops the library's polling for good). Text that is not JSON goes through unchanged:
   * the library fails that long poll and tries again.
   */
  #wellFormed(text: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return text;
    }
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    const kept = messages.filter((message) => isBayeuxMessage(message));
    this.#readAdvice(kept);
    if (kept.length === messages.length) return text;
    this.#malformed += messages.length - kept.length;
    const now = Date.now();
    if (now - this.#malformedWarnedAt >= MALFORMED_WARNING_INTERVAL_MS) {
      this.#malformedWarnedAt = now;
      this.#log.warn(`dropped ${this.#malformed} malformed message(s) of a CometD answer (no channel); the server sent something that is not Bayeux`);
      this.#malformed = 0;
    }
    return JSON.stringify(kept);
  }

  /**
   * How long the server holds a long poll: the timeout of its latest advice that named one (read from
   * the answers themselves: the library mixes its own default into an advice that names none).
   */
  #serverTimeoutMs(): number {
    return this.#adviceTimeoutMs;
  }

  #readAdvice(messages: unknown[]): void {
    for (const message of messages) {
      const timeout = (message as { advice?: { timeout?: unknown } }).advice?.timeout;
      if (typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0) this.#adviceTimeoutMs = timeout;
    }
  }

  #pollStarted(): void {
    this.#pollsInFlight++;
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  /**
   * A long poll ended. The library sends the next one at once (or after its backoff); if none is under
   * way a little after the longest backoff, the link no longer says connected, and if none follows
   * within the server's timeout plus the network delay, it handshakes again.
   */
  #pollEnded(): void {
    this.#pollsInFlight = Math.max(0, this.#pollsInFlight - 1);
    if (this.#pollsInFlight > 0 || this.#stopping) return;
    clearTimeout(this.#watchdog);
    const grace = Math.round(this.#options.maxBackoffMs * 1.5) + IDLE_GRACE_MS;
    this.#watchdog = setTimeout(() => {
      if (this.#pollsInFlight > 0 || this.#stopping) return;
      if (this.#state.status === 'connected') this.#setState({ status: 'connecting' });
      const stalled = Math.max(0, this.#options.maxNetworkDelayMs + this.#serverTimeoutMs() - grace);
      this.#watchdog = setTimeout(() => this.#stalled(), stalled);
    }, grace);
  }

  /** No long poll for longer than the server holds one: start over with a login and a handshake. */
  #stalled(): void {
    this.#watchdog = undefined;
    if (this.#pollsInFlight > 0 || this.#stopping || this.#retryTimer !== undefined) return;
    if (this.#cometd.isDisconnected() && this.#state.status === 'failed') return;
    this.#log.warn('no CometD long poll for longer than the server holds one: handshaking again');
    this.#subscribed = false;
    // A client that stopped polling is in a state of its own: start over with a new one, and let the
    // old one say goodbye to the server without waiting for it.
    const stale = this.#cometd;
    this.#cometd = this.#createClient();
    try {
      stale.disconnect();
    } catch {
      // Already disconnected.
    }
    this.#attempt();
  }

  #onHandshake(message: Message): void {
    if (this.#stopping) return;
    this.#subscribed = false;
    if (!message.successful) {
      this.#fail(message);
      return;
    }
    this.#authFailures = 0;
    const generation = ++this.#generation;
    let confirmed = 0;
    const channels = this.#options.channels;
    this.#cometd.batch(() => {
      for (const channel of channels) {
        this.#cometd.subscribe(
          channel,
          (delivered: Message) => this.#onMessage(delivered),
          (reply: Message) => {
            if (generation !== this.#generation || this.#stopping) return;
            if (!reply.successful) {
              this.#setState({
                status: 'failed',
                reason: 'rejected',
                detail: `subscription to ${channel} refused: ${reply.error ?? 'no reason given'}`,
              });
              return;
            }
            if (++confirmed === channels.length) {
              this.#subscribed = true;
              this.#log.debug(`subscribed to ${channels.join(', ')}`);
              this.#setState({ status: 'connected' });
            }
          },
        );
      }
    });
  }

  #onConnect(message: Message): void {
    if (this.#stopping || this.#cometd.isDisconnected()) return;
    if (message.successful) {
      if (this.#subscribed && this.#state.status !== 'connected') this.#setState({ status: 'connected' });
      return;
    }
    this.#fail(message);
  }

  #fail(message: Message): void {
    // A failed long poll keeps the subscriptions (the next successful one resumes them); only a new
    // handshake drops them, and #onHandshake tracks that.
    const error = typeof message.error === 'string' ? message.error : '';
    if (error.startsWith('402')) {
      // The server forgot this client: the library handshakes again at once.
      this.#log.debug('server forgot the CometD client, handshaking again');
      this.#setState({ status: 'connecting' });
      return;
    }
    const httpCode = message.failure?.httpCode;
    const known = this.#lastTransportError;
    let reason: FailureReason;
    let detail: string;
    if (known) {
      reason = known.reason;
      detail = known.message;
    } else {
      reason = httpCode !== undefined && httpCode >= 500 ? 'serverError' : 'unreachable';
      detail = error || message.failure?.reason || 'no answer';
    }
    this.#setState({ status: 'failed', reason, detail, error: known });
    if (reason === 'authFailed') {
      // Stop the library's fast retries; log in again on the slow schedule.
      this.#cometd.disconnect();
      this.#retryLater(true);
    }
  }

  #onMessage(message: Message): void {
    const data = message.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      this.#log.warn(`ignored a notification on ${message.channel} whose data is not a JSON object`);
      return;
    }
    this.#events.notification({ channel: message.channel, data: data as Record<string, unknown>, batch: this.#batch });
  }

  #setState(next: LinkState): void {
    // A detail may quote the server (a /meta/connect error, a refused subscription): it goes into log
    // lines, statuses and warnings, so it is cleaned and capped like every server text.
    const state = next.detail === undefined ? next : { ...next, detail: serverText(next.detail) };
    const previous = this.#state;
    // A failure is reported every time (a waiting request needs to hear about each refused attempt).
    if (state.status !== 'failed' && previous.status === state.status && previous.reason === state.reason) return;
    this.#state = state;
    this.#events.state(state);
  }

  /**
   * Disconnects (the server releases the held long poll), waiting at most `waitMs` for its answer.
   * The owner closes the session afterwards, which cancels whatever is still in flight.
   */
  async stop(waitMs = 500): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    if (!this.#cometd.isDisconnected()) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
        try {
          this.#cometd.disconnect(() => resolve());
        } catch {
          resolve();
        }
      });
      clearTimeout(timer);
    }
    this.#state = { status: 'disconnected' };
    this.#events.state(this.#state);
  }
}

/** An element of a long-poll answer the library can handle: an object with a channel. */
function isBayeuxMessage(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { channel?: unknown }).channel === 'string' && (value as { channel: string }).channel.startsWith('/');
}

function describe(args: unknown[]): string {
  return args
    .map((arg) => (typeof arg === 'string' ? arg : arg instanceof Error ? arg.message : safeJson(arg)))
    .join(' ')
    .slice(0, 500);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
