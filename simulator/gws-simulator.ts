/**
 * The bundled GWS simulator: the parts of Genesys Web Services the package talks to, on one HTTP(S)
 * server. Basic auth on every request, a JSESSIONID session, CSRF headers (switchable), `GET /api/v2/me`,
 * the ten Outbound API operations (records, AddRecord, preview sessions) and the CometD endpoint, plus a
 * control API under `/sim/` that injects faults (switchable).
 * Usable as a library (`startSimulator({port: 0})`) and as the `gws-sim` command.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { BayeuxServer, type BayeuxMessage } from './bayeux-server.js';
import { PREVIEW_HANDLE_IN, PreviewSessions, type PreviewHandleIn } from './campaign-operations.js';
import { handleControl } from './control-api.js';
import { FaultSet, type FaultRule } from './faults.js';
import { BodyTooLargeError, json, jsonAndClose, jsonText, readJson } from './http-json.js';
import { KnownRecords } from './known-records.js';
import { errorNotification, OUTBOUND, userEventError, type Planned } from './notifications.js';
import type { OperationPlan } from './operation-plan.js';
import { ACK_TYPES, checkRequest, isRefusal, type SimCallResultFormat } from './operation-rules.js';
import { planRecordOperation } from './record-operations.js';

export interface SimUser {
  password: string;
  firstName?: string;
  lastName?: string;
  /** Features of the user; without `api-voice-outbound` the outbound operations answer statusCode 3. */
  features?: string[];
}

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  users?: Record<string, SimUser>;
  /** Send and check CSRF tokens on the outbound operations. */
  csrf?: boolean;
  /** Also check the CSRF token on CometD requests. */
  csrfOnNotifications?: boolean;
  /** Offer CometD's ack extension to clients that ask for it. */
  ackExtension?: boolean;
  /** Long-poll hold time (ms). */
  longPollTimeoutMs?: number;
  /** Chained records sent before ChainedRecordsDataEnd. */
  chainLength?: number;
  callResultFormat?: SimCallResultFormat;
  /** Calling list reported for records the simulator has not seen. */
  defaultCallingList?: string;
  /** Key and certificate for HTTPS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Push a PreviewRecord to every connected user at this interval (ms); 0 = never. */
  previewIntervalMs?: number;
  /** Records in the calling list of each preview session (default 5). */
  previewListSize?: number;
  /** Where a PreviewRecord carries its record handle (default both). */
  previewHandleIn?: PreviewHandleIn;
  /**
   * Serve the control API under `/sim/` (default true). Off, every `/sim/` path answers like any
   * unknown path: it has no authentication, so whoever reaches the port could change the simulator.
   */
  control?: boolean;
  /** How long an idle keep-alive connection stays open (ms, default 65000). */
  keepAliveTimeoutMs?: number;
}

/** What can change while the simulator runs (`configure`, `PUT /sim/config`). */
export interface SimulatorConfig {
  csrf: boolean;
  csrfOnNotifications: boolean;
  ackExtension: boolean;
  /** Chained records sent before ChainedRecordsDataEnd (0 to 1000). */
  chainLength: number;
  callResultFormat: SimCallResultFormat;
  /** Records in the calling list of a preview session started from now on (0 to 1000). */
  previewListSize: number;
  previewHandleIn: PreviewHandleIn;
}

const isBoolean = (value: unknown) => typeof value === 'boolean';
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 1000;
const CONFIG_CHECKS: { [K in keyof SimulatorConfig]: [check: (value: unknown) => boolean, expected: string] } = {
  csrf: [isBoolean, 'true or false'],
  csrfOnNotifications: [isBoolean, 'true or false'],
  ackExtension: [isBoolean, 'true or false'],
  chainLength: [isCount, 'an integer from 0 to 1000'],
  callResultFormat: [(value) => value === 'name' || value === 'number' || value === 'any', 'name, number or any'],
  previewListSize: [isCount, 'an integer from 0 to 1000'],
  previewHandleIn: [(value) => PREVIEW_HANDLE_IN.includes(value as PreviewHandleIn), PREVIEW_HANDLE_IN.join(', ')],
};

/** Throws on an unknown setting or a value of the wrong kind: a bad setting is refused, not half applied. */
function checkConfig(config: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(config)) {
    if (!Object.hasOwn(CONFIG_CHECKS, key)) throw new TypeError(`unknown setting ${key}: ${Object.keys(CONFIG_CHECKS).join(', ')}`);
    const [check, expected] = CONFIG_CHECKS[key as keyof SimulatorConfig];
    if (!check(value)) throw new TypeError(`${key} must be ${expected}`);
  }
}

export interface SimulatorStats {
  httpRequests: number;
  operations: Record<string, number>;
  /** Open TCP connections right now. */
  liveSockets: number;
  cometdClients: number;
  heldConnects: number;
  notificationsDelivered: number;
  /** Notifications dropped because they could not be serialised (see BayeuxServer). */
  notificationsDropped: number;
  previewSessions: number;
  csrfRejections: number;
  authFailures: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  user?: string;
  body?: unknown;
  at: number;
}

interface Session {
  id: string;
  user: string;
  csrfToken: string;
}

export const DEMO_USER = 'agent1';
export const DEMO_PASSWORD = 'agent1';
export const DEMO_DEVICE_PATH = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
const MAX_SESSIONS = 10000;
const MAX_RECORDED = 2000;
const MAX_BODY = 4 * 1024 * 1024;
const RECORDS_PATH = '/api/v2/me/outbound-records';
const CAMPAIGNS_PATH = '/api/v2/me/outbound-campaigns';

export class GwsSimulator {
  readonly host: string;
  readonly config: SimulatorConfig;
  readonly faults = new FaultSet();
  /** Whether the control API under /sim/ answers; may be switched while the simulator runs. */
  control: boolean;
  readonly #users = new Map<string, SimUser>();
  readonly #sessions = new Map<string, Session>();
  readonly #records: KnownRecords;
  readonly #previews: PreviewSessions;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #recorded: RecordedRequest[] = [];
  readonly #options: SimulatorOptions;
  #bayeux: BayeuxServer;
  #server: http.Server | https.Server;
  #port: number;
  #stats = { httpRequests: 0, operations: {} as Record<string, number>, csrfRejections: 0, authFailures: 0 };
  #preview?: NodeJS.Timeout;
  #stopped = false;

  constructor(options: SimulatorOptions = {}) {
    this.#options = options;
    this.host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    const users = options.users ?? { [DEMO_USER]: { password: DEMO_PASSWORD, firstName: 'Demo', lastName: 'Agent' } };
    for (const [name, user] of Object.entries(users)) this.#users.set(name, { ...user });
    this.control = options.control ?? true;
    this.#records = new KnownRecords(options.defaultCallingList ?? 'CallingList1');
    this.#previews = new PreviewSessions(this.#records);
    this.config = {
      csrf: true,
      csrfOnNotifications: false,
      ackExtension: true,
      chainLength: 0,
      callResultFormat: 'any',
      previewListSize: 5,
      previewHandleIn: 'both',
    };
    const given: Partial<SimulatorConfig> = {
      csrf: options.csrf,
      csrfOnNotifications: options.csrfOnNotifications,
      ackExtension: options.ackExtension,
      chainLength: options.chainLength,
      callResultFormat: options.callResultFormat,
      previewListSize: options.previewListSize,
      previewHandleIn: options.previewHandleIn,
    };
    const chosen = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    checkConfig(chosen);
    Object.assign(this.config, chosen);
    this.#bayeux = this.#newBayeux();
    this.#server = this.#newServer();
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.#options.tls ? 'https' : 'http'}://${host}:${this.#port}`;
  }

  async start(): Promise<this> {
    await this.#listen();
    const interval = this.#options.previewIntervalMs ?? 0;
    if (interval > 0) {
      this.#preview = setInterval(() => {
        for (const user of this.#users.keys()) this.pushPreviewRecord(user);
      }, interval);
      this.#preview.unref();
    }
    return this;
  }

  /** Stops listening and drops every connection, client, session and timer. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#preview) clearInterval(this.#preview);
    await this.#shutdown();
  }

  /** A restart: every connection, session, CSRF token and CometD client is gone; back after `downMs`. */
  async restart(downMs = 0): Promise<void> {
    await this.#shutdown();
    this.#sessions.clear();
    this.#bayeux = this.#newBayeux();
    this.#server = this.#newServer();
    if (downMs > 0) await new Promise<void>((resolve) => this.#later(resolve, downMs));
    if (!this.#stopped) await this.#listen();
  }

  /** Forgets every CometD client: their next long poll answers `402::Unknown client`. */
  forgetClients(): void {
    this.#bayeux.forgetAll();
  }

  /** Gives every session a new CSRF token: requests with the old one answer 403. */
  rotateCsrf(): void {
    for (const session of this.#sessions.values()) session.csrfToken = token();
  }

  setUser(name: string, user: SimUser): void {
    this.#users.set(name, { ...user });
  }

  setPassword(name: string, password: string): void {
    const user = this.#users.get(name);
    if (!user) throw new Error(`no user ${name}`);
    user.password = password;
  }

  /** Changes the configuration; every value is checked first, and nothing changes when one is refused. */
  configure(config: Partial<SimulatorConfig>): void {
    checkConfig(config);
    Object.assign(this.config, config);
    this.#bayeux.ackExtension = this.config.ackExtension;
  }

  /** Publishes notifications to the CometD clients of one user, in one long-poll answer. */
  push(user: string, notifications: Planned[]): number {
    return this.#bayeux.deliver(user, notifications);
  }

  /** An unsolicited record, as a campaign in preview mode pushes it; later operations know its calling list. */
  pushPreviewRecord(user: string, record: Record<string, unknown> = {}): number {
    const handle = 1000 + Math.floor(Math.random() * 9000);
    const data = {
      campaignName: 'Campaign1',
      devicePath: DEMO_DEVICE_PATH,
      callingList: this.#options.defaultCallingList ?? 'CallingList1',
      applicationId: 134,
      recordHandle: handle,
      contactInfo: `555010${String(handle).padStart(4, '0')}`,
      ...record,
    };
    if ((typeof data.recordHandle === 'number' || typeof data.recordHandle === 'string') && typeof data.callingList === 'string') {
      this.#records.remember(data.recordHandle, data.callingList);
    }
    return this.push(user, [{ channel: OUTBOUND, data: { record: data, notificationType: 'PreviewRecord', messageType: 'OutboundRecordMessage' } }]);
  }

  stats(): SimulatorStats {
    return {
      httpRequests: this.#stats.httpRequests,
      operations: { ...this.#stats.operations },
      liveSockets: this.#sockets.size,
      cometdClients: this.#bayeux.clientCount,
      heldConnects: this.#bayeux.heldCount,
      notificationsDelivered: this.#bayeux.delivered,
      notificationsDropped: this.#bayeux.dropped,
      previewSessions: this.#previews.size,
      csrfRejections: this.#stats.csrfRejections,
      authFailures: this.#stats.authFailures,
    };
  }

  /** Session ids and CSRF tokens handed out so far, for tests that look for them where they must not be. */
  sessionSecrets(): string[] {
    return [...this.#sessions.values()].flatMap((session) => [session.id, session.csrfToken]);
  }

  /**
   * The last operation POSTs, to /api/v2/me/outbound-records(/<handle>) and /api/v2/me/outbound-campaigns/<name>
   * (method, path, user, body), also those that were refused or address nothing.
   */
  requests(): RecordedRequest[] {
    return this.#recorded.map((entry) => ({ ...entry }));
  }

  clearRequests(): void {
    this.#recorded.length = 0;
  }

  #newBayeux(): BayeuxServer {
    return new BayeuxServer({
      timeoutMs: this.#options.longPollTimeoutMs ?? 30000,
      maxIntervalMs: 10000,
      ackExtension: this.config.ackExtension,
    });
  }

  #newServer(): http.Server | https.Server {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { statusCode: 4, statusMessage: `Simulator error: ${(error as Error).message}` });
        else res.destroy();
      });
    };
    const server = this.#options.tls ? https.createServer({ key: this.#options.tls.key, cert: this.#options.tls.cert }, handler) : http.createServer(handler);
    server.keepAliveTimeout = this.#options.keepAliveTimeoutMs ?? 65000;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    return server;
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, this.host, () => {
        this.#server.off('error', reject);
        this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  async #shutdown(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#bayeux.close();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }

  #record(request: RecordedRequest): void {
    this.#recorded.push(request);
    if (this.#recorded.length > MAX_RECORDED) this.#recorded.shift();
  }

  #later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.#stats.httpRequests++;
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    if (this.control && path.startsWith('/sim/')) return handleControl(this, req, res, path, DEMO_USER);

    const user = this.#authenticate(req);
    if (user === undefined) {
      this.#stats.authFailures++;
      res.setHeader('WWW-Authenticate', 'Basic realm="GWS"');
      json(res, 401, { statusCode: 20, statusMessage: 'Authentication failed' });
      req.resume();
      return;
    }
    const session = this.#session(req, res, user);

    if (path === '/api/v2/me' && req.method === 'GET') {
      await this.#delay('Me');
      if (this.config.csrf) {
        res.setHeader('X-CSRF-HEADER', 'X-CSRF-TOKEN');
        res.setHeader('X-CSRF-TOKEN', session.csrfToken);
      }
      const profile = this.#users.get(user) as SimUser;
      json(res, 200, {
        statusCode: 0,
        user: {
          id: `sim-${user}`,
          userName: user,
          firstName: profile.firstName ?? user,
          lastName: profile.lastName ?? '',
          roles: ['ROLE_AGENT'],
          enabledFeatures: profile.features ?? ['api-voice', 'api-voice-outbound'],
        },
      });
      return;
    }

    if (req.method === 'POST' && isOperationPath(path)) {
      const target = operationTarget(path);
      if (target === undefined) {
        this.#record({ method: 'POST', path: req.url ?? '', user, at: Date.now() });
        json(res, 404, { statusCode: 6, statusMessage: 'Resource not found' });
        req.resume();
        return;
      }
      return this.#operation(req, res, user, session, target);
    }

    if ((path === '/api/v2/notifications' || path.startsWith('/api/v2/notifications/')) && req.method === 'POST') {
      if (this.config.csrf && this.config.csrfOnNotifications && !this.#csrfValid(req, session)) {
        this.#stats.csrfRejections++;
        json(res, 403, { statusCode: 3, statusMessage: 'Missing or invalid Csrf token' });
        req.resume();
        return;
      }
      let body: unknown;
      try {
        body = await readJson(req, MAX_BODY);
      } catch (error) {
        refuseBody(res, error);
        return;
      }
      const messages = Array.isArray(body) ? body : [body];
      const answer = await this.#bayeux.handle(user, messages as BayeuxMessage[]);
      if (answer.notifications > 0 && this.faults.take('loseLongPoll')) {
        res.socket?.destroy();
        return;
      }
      if (!res.destroyed) jsonText(res, 200, answer.text);
      return;
    }

    json(res, 404, { statusCode: 6, statusMessage: 'Resource not found' });
    req.resume();
  }

  async #operation(req: http.IncomingMessage, res: http.ServerResponse, user: string, session: Session, target: OperationTarget): Promise<void> {
    const startedNs = process.hrtime.bigint();
    let body: unknown;
    try {
      body = await readJson(req, MAX_BODY);
    } catch (error) {
      this.#record({ method: 'POST', path: req.url ?? '', user, at: Date.now() });
      refuseBody(res, error);
      return;
    }
    const operationName = typeof (body as { operationName?: unknown })?.operationName === 'string' ? (body as { operationName: string }).operationName : undefined;
    this.#record({ method: 'POST', path: req.url ?? '', user, body, at: Date.now() });

    if (this.config.csrf && !this.#csrfValid(req, session)) {
      this.#stats.csrfRejections++;
      json(res, 403, { statusCode: 3, statusMessage: 'Missing or invalid Csrf token' });
      return;
    }
    if (this.faults.take('reset', operationName)) {
      req.socket.destroy();
      return;
    }
    await this.#delay(operationName);
    const forced = this.faults.take('status', operationName);
    if (forced) {
      const httpStatus = forced.httpStatus ?? (forced.statusCode === 4 ? 503 : forced.statusCode === 20 ? 401 : 400);
      json(res, httpStatus, { statusCode: forced.statusCode, statusMessage: forced.statusMessage ?? `Injected statusCode ${forced.statusCode}` });
      return;
    }
    const features = this.#users.get(user)?.features;
    if (features && !features.includes('api-voice-outbound')) {
      json(res, 403, { statusCode: 3, statusMessage: 'The feature api-voice-outbound is not enabled for this user' });
      return;
    }
    const request = checkRequest(target.endpoint, body, this.config.callResultFormat);
    if (isRefusal(request)) {
      json(res, request.httpStatus, { statusCode: request.statusCode, statusMessage: request.statusMessage });
      return;
    }
    const plan = target.endpoint === 'campaign'
      ? this.#previews.plan({
          request,
          user,
          campaignName: target.name,
          listSize: this.config.previewListSize,
          handleIn: this.config.previewHandleIn,
          startedNs,
        })
      : planRecordOperation({ request, handle: target.endpoint === 'record' ? target.name : undefined, chainLength: this.config.chainLength, records: this.#records, startedNs });
    if (isRefusal(plan)) {
      json(res, plan.httpStatus, { statusCode: plan.statusCode, statusMessage: plan.statusMessage });
      return;
    }
    const op = request.operationName;
    this.#stats.operations[op] = (this.#stats.operations[op] ?? 0) + 1;
    const ack = this.faults.take('ack', op);
    // A request OCS refuses changes nothing: a preview record stays in its list, a session stays as it was.
    if (ack?.mode !== 'error' && ack?.mode !== 'userEventError') plan.commit();
    json(res, 200, { statusCode: 0 });
    // What GWS sends next arrives on CometD, after the synchronous answer.
    setImmediate(() => this.#notify(user, plan, ack));
  }

  #notify(user: string, plan: OperationPlan, ack: Extract<FaultRule, { kind: 'ack' }> | undefined): void {
    const subject = plan.subject;
    const userEventFault = this.faults.take('userEvent', subject.operationName);
    const withUserEvent = (answer: Planned): Planned[] => {
      if (!plan.userEvent || userEventFault?.mode === 'drop') return [answer];
      if (userEventFault?.mode === 'delay') {
        const event = plan.userEvent;
        this.#later(() => this.push(user, [event]), userEventFault.delayMs ?? 100);
        return [answer];
      }
      return [answer, plan.userEvent];
    };
    switch (ack?.mode) {
      case 'error':
        this.push(user, [errorNotification(subject, ack.errorMessage ?? 'OCS refused the request: record not found')]);
        return;
      case 'userEventError':
        this.push(user, [userEventError(subject, ack.errorMessage ?? 'OCS refused the request', ack.errorNumber ?? 1003, plan.startedNs)]);
        return;
      default:
    }
    if (plan.before.length > 0) this.push(user, plan.before);
    switch (ack?.mode) {
      case 'drop':
        return;
      case 'duplicate':
        this.push(user, withUserEvent(plan.answer));
        this.#later(() => this.push(user, [plan.answer]), 5);
        return;
      case 'late':
        this.#later(() => this.push(user, withUserEvent(plan.answer)), ack.lateMs ?? 15000);
        return;
      case 'malformed':
        this.push(user, [{ channel: OUTBOUND, data: 'malformed notification' as unknown as Record<string, unknown> }]);
        this.push(user, [{ channel: OUTBOUND, data: { referenceId: subject.referenceId, notificationType: 17, record: 'x' } }]);
        return;
      case 'incomplete':
        this.push(user, [{ channel: OUTBOUND, data: { referenceId: subject.referenceId, messageType: subject.messageType } }]);
        return;
      default:
        this.push(user, withUserEvent(plan.answer));
    }
  }

  async #delay(operation?: string): Promise<void> {
    const latency = this.faults.take('latency', operation);
    if (latency && latency.ms > 0) await new Promise<void>((resolve) => this.#later(resolve, latency.ms));
  }

  #authenticate(req: http.IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const name = decoded.slice(0, colon);
    const user = this.#users.get(name);
    if (!user) return undefined;
    const given = Buffer.from(decoded.slice(colon + 1));
    const expected = Buffer.from(user.password);
    return given.length === expected.length && timingSafeEqual(given, expected) ? name : undefined;
  }

  #session(req: http.IncomingMessage, res: http.ServerResponse, user: string): Session {
    const id = /(?:^|;\s*)JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const existing = id === undefined ? undefined : this.#sessions.get(id);
    if (existing && existing.user === user) return existing;
    const session: Session = { id: randomUUID().replace(/-/g, ''), user, csrfToken: token() };
    this.#sessions.set(session.id, session);
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    res.setHeader('Set-Cookie', `JSESSIONID=${session.id}; Path=/; HttpOnly`);
    return session;
  }

  #csrfValid(req: http.IncomingMessage, session: Session): boolean {
    return req.headers['x-csrf-token'] === session.csrfToken;
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<GwsSimulator> {
  return new GwsSimulator(options).start();
}

export { ACK_TYPES };

function token(): string {
  return randomBytes(16).toString('hex');
}

/** Where an operation is POSTed: the endpoint and the record handle or campaign name of its path, decoded. */
type OperationTarget = { endpoint: 'records' } | { endpoint: 'record' | 'campaign'; name: string };

function isOperationPath(path: string): boolean {
  return [RECORDS_PATH, CAMPAIGNS_PATH].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The target of an operation path, or undefined when the path names no resource (404). */
function operationTarget(path: string): OperationTarget | undefined {
  if (path === RECORDS_PATH) return { endpoint: 'records' };
  const [prefix, endpoint] = path.startsWith(`${RECORDS_PATH}/`) ? [RECORDS_PATH, 'record' as const] : [CAMPAIGNS_PATH, 'campaign' as const];
  // One path segment: a handle or name with `/` in it arrives encoded (%2F), never as a deeper path.
  const segment = path.slice(prefix.length + 1);
  if (segment === '' || segment.includes('/')) return undefined;
  try {
    return { endpoint, name: decodeURIComponent(segment) };
  } catch {
    return undefined;
  }
}

/** The answer to an operation or CometD body that could not be read. */
function refuseBody(res: http.ServerResponse, error: unknown): void {
  if (error instanceof BodyTooLargeError) jsonAndClose(res, 400, { statusCode: 1, statusMessage: `The request body is larger than ${error.limit} bytes` });
  else json(res, 400, { statusCode: 1, statusMessage: 'The request body is not valid JSON' });
}
