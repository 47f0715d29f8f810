/**
 * One connection to one GWS server for one user: the HTTP session, the CometD link and the correlator,
 * shared by everything that uses the server. This is the public face of the core: prepare a request,
 * execute it (POST, then wait for its correlated answer), and listen to state and notifications.
 */
import { EventEmitter } from 'node:events';
import type { CallResultFormat } from './call-results.js';
import { Correlator, type CorrelatedAnswer, type CorrelationInfo, type CorrelatorStats } from './correlator.js';
import { GwsError, toError } from './errors.js';
import { loadEsmDeps, type EsmDeps } from './esm-deps.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import { NotificationLink, type LinkState, type NotificationLinkOptions } from './notification-link.js';
import { prepareRequest, type OperationInput, type PreparedRequest } from './operations.js';
import { GwsSession, RequestAbortedError, type SessionOptions } from './session.js';
import { SUBSCRIBED_CHANNELS, type GwsAnswer, type GwsUser, type Notification, type OperationName } from './wire-types.js';

export interface ConnectionOptions extends SessionOptions {
  /** Default time to wait for an answer (ms). */
  ackTimeoutMs?: number;
  callResultFormat?: CallResultFormat;
  userEventWaitMs?: number;
  /** Requests remembered for tagging notifications. */
  memorySize?: number;
  link?: Omit<NotificationLinkOptions, 'channels' | 'log'>;
  log?: Logger;
}

export type ConnectionState = LinkState;

export interface ExecuteOptions {
  waitForAck?: boolean;
  timeoutMs?: number;
  nodeId?: string;
  /** Aborting gives up the request: it then fails with `closed`. */
  signal?: AbortSignal;
}

export interface OperationResult {
  request: PreparedRequest;
  /** The synchronous answer of the POST (`{statusCode: 0}`). */
  accepted: GwsAnswer;
  /** The correlated answer; absent when waitForAck is false. */
  answer?: CorrelatedAnswer;
  elapsedMs: number;
}

export interface TaggedNotification extends Notification {
  /** The request this notification answers, when one of this connection sent it. */
  correlation?: CorrelationInfo;
}

export interface ConnectionEvents {
  state: [ConnectionState];
  notification: [TaggedNotification];
}

interface ReadyWaiter {
  resolve(): void;
  reject(error: Error): void;
}

export class GwsConnection extends EventEmitter<ConnectionEvents> {
  readonly session: GwsSession;
  readonly correlator: Correlator;
  readonly #link: NotificationLink;
  readonly #options: ConnectionOptions;
  readonly #log: Logger;
  readonly #waiters = new Set<ReadyWaiter>();
  #stopped = false;

  /** Loads the ES-module dependencies, then builds the connection (nothing is sent before start()). */
  static async create(options: ConnectionOptions): Promise<GwsConnection> {
    return new GwsConnection(options, await loadEsmDeps());
  }

  constructor(options: ConnectionOptions, deps: EsmDeps) {
    super();
    this.#options = options;
    this.#log = options.log ?? silentLogger;
    this.session = new GwsSession(options);
    this.correlator = new Correlator({ userEventWaitMs: options.userEventWaitMs, memorySize: options.memorySize });
    this.#link = new NotificationLink(
      this.session,
      deps.cometd,
      {
        notification: (notification) => this.#onNotification(notification),
        batchEnd: (batch) => this.correlator.batchEnd(batch),
        state: (state) => this.#onState(state),
      },
      { ...options.link, channels: SUBSCRIBED_CHANNELS, log: this.#log },
    );
  }

  get state(): ConnectionState {
    return this.#link.state;
  }

  get user(): GwsUser | undefined {
    return this.session.user;
  }

  get ackTimeoutMs(): number {
    return this.#options.ackTimeoutMs ?? 10000;
  }

  get stats(): CorrelatorStats & { pending: number } {
    return { ...this.correlator.stats, pending: this.correlator.pendingCount };
  }

  /** Logs in and opens the notification link; idempotent. */
  start(): void {
    if (this.#stopped) return;
    this.#link.start();
  }

  /** Checks and converts the parameters; throws a GwsError naming the field (statusCode 1). */
  prepare(operationName: OperationName, input: OperationInput): PreparedRequest {
    return prepareRequest(operationName, input, { callResultFormat: this.#options.callResultFormat });
  }

  /**
   * Sends a prepared request once the notification link is ready, and (unless waitForAck is false)
   * waits for its correlated answer. The timeout covers the whole exchange. Throws a GwsError that
   * carries the referenceId, statusCode and HTTP status known at the time.
   */
  async execute(request: PreparedRequest, options: ExecuteOptions = {}): Promise<OperationResult> {
    const started = performance.now();
    const { operationName, referenceId } = request;
    const timeoutMs = options.timeoutMs ?? this.ackTimeoutMs;
    const waitForAck = options.waitForAck !== false;
    if (this.correlator.isPending(referenceId)) {
      throw new GwsError('duplicateReference', { operation: operationName, value: JSON.stringify(referenceId) }, {
        statusCode: 1,
        referenceId,
        reason: 'invalid',
      });
    }
    const info: CorrelationInfo = {
      referenceId,
      operationName,
      recordHandle: request.recordHandle,
      campaignName: request.campaignName ?? request.body.campaignName,
      nodeId: options.nodeId,
      request: request.body,
    };
    // Listen before sending: the answer may arrive before the POST returns.
    let answer: Promise<CorrelatedAnswer> | undefined;
    if (waitForAck) {
      answer = this.correlator.expect(info, request.expect, timeoutMs);
      answer.catch(() => undefined);
    } else {
      this.correlator.remember(info);
    }
    const signal = options.signal;
    // Giving up while the answer is awaited (the node closes) ends the wait at once; before that, the
    // signal itself cancels the wait for the connection or the POST.
    const onAbort = () => this.correlator.fail(referenceId, this.#closedError(request));
    signal?.addEventListener('abort', onAbort, { once: true });
    let posting = false;
    try {
      this.start();
      await this.#whenReady(started + timeoutMs, timeoutMs, signal, operationName);
      // The POST gets what is left of the request's timeout: if that runs out, the request's timeout did.
      const remaining = Math.max(1, Math.round(started + timeoutMs - performance.now()));
      posting = true;
      const accepted = await this.session.postJson(request.path, request.body, {
        operation: operationName,
        timeoutMs: remaining,
        signal,
      });
      posting = false;
      if (answer === undefined) return { request, accepted, elapsedMs: performance.now() - started };
      return { request, accepted, answer: await answer, elapsedMs: performance.now() - started };
    } catch (thrown) {
      const error = this.#asOperationError(thrown, request, signal?.aborted === true, posting ? { timeoutMs } : undefined);
      if (waitForAck) this.correlator.fail(referenceId, error);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #closedError(request: PreparedRequest): GwsError {
    const { operationName, referenceId } = request;
    return new GwsError(this.#stopped ? 'connectionClosed' : 'closed', { operation: operationName, referenceId }, { referenceId, reason: 'rejected' });
  }

  /**
   * The error a caller sees. When the request's own timeout ran out while the POST was under way, it is
   * told as that timeout (with the configured value), not as a slow HTTP answer.
   */
  #asOperationError(thrown: unknown, request: PreparedRequest, abortedByCaller: boolean, expired?: { timeoutMs: number }): GwsError {
    const { operationName, referenceId } = request;
    if (expired && thrown instanceof GwsError && thrown.code === 'requestTimeout') {
      return new GwsError('postTimeout', { operation: operationName, timeout: expired.timeoutMs, referenceId }, { referenceId, reason: 'timeout' });
    }
    if (abortedByCaller || thrown instanceof RequestAbortedError) return this.#closedError(request);
    if (thrown instanceof GwsError) {
      return thrown.params.operation === operationName && thrown.referenceId === referenceId
        ? thrown
        : thrown.forOperation(operationName, { referenceId });
    }
    const error = toError(thrown);
    return new GwsError('unreachable', { operation: operationName, url: this.session.baseUrl.origin, detail: error.message }, {
      referenceId,
      reason: 'unreachable',
    });
  }

  /**
   * Resolves once the subscriptions are confirmed (rule: nothing is POSTed before anyone listens).
   * Refused credentials and TLS failures fail at once; other failures are waited out until the deadline.
   */
  #whenReady(deadline: number, timeoutMs: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
    if (this.#link.ready) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new RequestAbortedError());
    this.#link.kick();
    return new Promise<void>((resolve, reject) => {
      const waiter: ReadyWaiter = {
        resolve: () => settle(),
        reject: (error) => settle(error),
      };
      const onAbort = () => settle(new RequestAbortedError());
      const settle = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(waiter);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        const state = this.#link.state;
        const reason = state.detail ?? state.status;
        settle(new GwsError('noConnection', { operation, timeout: timeoutMs, reason }, {
          reason: state.reason ?? 'timeout',
          statusCode: state.error?.statusCode,
          httpStatus: state.error?.httpStatus,
        }));
      }, Math.max(0, deadline - performance.now()));
      if (signal?.aborted) return settle(new RequestAbortedError());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  #onState(state: ConnectionState): void {
    if (state.status === 'connected') {
      for (const waiter of [...this.#waiters]) waiter.resolve();
    } else if (state.status === 'failed' && (state.reason === 'authFailed' || state.reason === 'tlsFailed') && state.error) {
      // Waiting would not help: the credentials or the certificate have to be fixed first.
      for (const waiter of [...this.#waiters]) waiter.reject(state.error);
    }
    if (state.status === 'failed') this.#log.debug(`connection failed: ${state.detail ?? state.reason}`);
    this.emit('state', state);
  }

  #onNotification(notification: Notification): void {
    const correlation = this.correlator.handle(notification);
    if (this.listenerCount('notification') === 0) return;
    const tagged: TaggedNotification = correlation === undefined ? notification : { ...notification, correlation };
    this.emit('notification', tagged);
  }

  /**
   * Disconnects and releases every socket and timer. Requests still waiting fail with
   * `connectionClosed`. Returns within about `waitMs` even when the server does not answer.
   */
  async stop(waitMs = 500): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const waiter of [...this.#waiters]) waiter.reject(new RequestAbortedError());
    this.correlator.failAll((info) =>
      new GwsError('connectionClosed', { operation: info.operationName, referenceId: info.referenceId }, {
        referenceId: info.referenceId,
        reason: 'rejected',
      }),
    );
    try {
      await this.#link.stop(waitMs);
    } finally {
      this.session.close();
    }
  }
}
