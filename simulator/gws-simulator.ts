/**
 * The bundled GWS simulator: the parts of Genesys Web Services the package talks to, on one HTTP(S)
 * server. Basic auth on every request, a JSESSIONID session, CSRF headers (switchable), `GET /api/v2/me`,
 * the outbound operations and the CometD endpoint, plus a control API under `/sim/` that injects faults.
 * Usable as a library (`startSimulator({port: 0})`) and as the `gws-sim` command.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { BayeuxServer, type BayeuxMessage } from './bayeux-server.js';
import { FaultSet, type FaultRule } from './faults.js';
import { ACK_TYPES, errorNotification, planOperation, OUTBOUND, type OperationPlan, type Planned, type SimCallResultFormat } from './outbound-api.js';

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
}

export interface SimulatorConfig {
  csrf: boolean;
  csrfOnNotifications: boolean;
  ackExtension: boolean;
  chainLength: number;
  callResultFormat: SimCallResultFormat;
}

export interface SimulatorStats {
  httpRequests: number;
  operations: Record<string, number>;
  /** Open TCP connections right now. */
  liveSockets: number;
  cometdClients: number;
  heldConnects: number;
  notificationsDelivered: number;
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

export class GwsSimulator {
  readonly host: string;
  readonly config: SimulatorConfig;
  readonly faults = new FaultSet();
  readonly #users = new Map<string, SimUser>();
  readonly #sessions = new Map<string, Session>();
  readonly #records = new Map<string, string>();
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
    this.config = {
      csrf: options.csrf ?? true,
      csrfOnNotifications: options.csrfOnNotifications ?? false,
      ackExtension: options.ackExtension ?? true,
      chainLength: options.chainLength ?? 0,
      callResultFormat: options.callResultFormat ?? 'any',
    };
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

  configure(config: Partial<SimulatorConfig>): void {
    Object.assign(this.config, config);
    this.#bayeux.ackExtension = this.config.ackExtension;
  }

  /** Publishes notifications to the CometD clients of one user, in one long-poll answer. */
  push(user: string, notifications: Planned[]): number {
    return this.#bayeux.deliver(user, notifications);
  }

  /** An unsolicited record, as a campaign in preview mode pushes it. */
  pushPreviewRecord(user: string, record: Record<string, unknown> = {}): number {
    const handle = 1000 + Math.floor(Math.random() * 9000);
    return this.push(user, [{
      channel: OUTBOUND,
      data: {
        record: {
          campaignName: 'Campaign1',
          devicePath: DEMO_DEVICE_PATH,
          callingList: this.#options.defaultCallingList ?? 'CallingList1',
          applicationId: 134,
          recordHandle: handle,
          contactInfo: `555010${String(handle).padStart(4, '0')}`,
          ...record,
        },
        notificationType: 'PreviewRecord',
        messageType: 'OutboundRecordMessage',
      },
    }]);
  }

  stats(): SimulatorStats {
    return {
      httpRequests: this.#stats.httpRequests,
      operations: { ...this.#stats.operations },
      liveSockets: this.#sockets.size,
      cometdClients: this.#bayeux.clientCount,
      heldConnects: this.#bayeux.heldCount,
      notificationsDelivered: this.#bayeux.delivered,
      csrfRejections: this.#stats.csrfRejections,
      authFailures: this.#stats.authFailures,
    };
  }

  /** Session ids and CSRF tokens handed out so far, for tests that look for them where they must not be. */
  sessionSecrets(): string[] {
    return [...this.#sessions.values()].flatMap((session) => [session.id, session.csrfToken]);
  }

  /** The last requests to /api/v2/me/outbound-records (method, path, user, body), also those that address no record. */
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
    server.keepAliveTimeout = 65000;
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
    if (path.startsWith('/sim/')) return this.#control(req, res, path);

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

    const prefix = '/api/v2/me/outbound-records';
    if ((path === prefix || path.startsWith(`${prefix}/`)) && req.method === 'POST') {
      const segment = path.slice(prefix.length + 1);
      if (segment === '' || segment.includes('/')) {
        this.#record({ method: 'POST', path: req.url ?? '', user, at: Date.now() });
        json(res, 404, { statusCode: 6, statusMessage: 'Resource not found' });
        req.resume();
        return;
      }
      return this.#operation(req, res, user, session, decodeURIComponent(segment));
    }

    if ((path === '/api/v2/notifications' || path.startsWith('/api/v2/notifications/')) && req.method === 'POST') {
      if (this.config.csrf && this.config.csrfOnNotifications && !this.#csrfValid(req, session)) {
        this.#stats.csrfRejections++;
        json(res, 403, { statusCode: 3, statusMessage: 'Missing or invalid Csrf token' });
        req.resume();
        return;
      }
      const body = await readJson(req);
      const messages = Array.isArray(body) ? body : [body];
      const answer = await this.#bayeux.handle(user, messages as BayeuxMessage[]);
      if (answer.some((message) => message.data !== undefined) && this.faults.take('loseLongPoll')) {
        res.socket?.destroy();
        return;
      }
      if (!res.destroyed) json(res, 200, answer);
      return;
    }

    json(res, 404, { statusCode: 6, statusMessage: 'Resource not found' });
    req.resume();
  }

  async #operation(req: http.IncomingMessage, res: http.ServerResponse, user: string, session: Session, handle: string): Promise<void> {
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      json(res, 400, { statusCode: 1, statusMessage: 'The request body is not valid JSON' });
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
    const outcome = planOperation({
      handle,
      body,
      callResultFormat: this.config.callResultFormat,
      chainLength: this.config.chainLength,
      callingListOf: (h) => this.#records.get(h) ?? this.#options.defaultCallingList ?? 'CallingList1',
    });
    if (!outcome.ok) {
      json(res, outcome.httpStatus, { statusCode: outcome.statusCode, statusMessage: outcome.statusMessage });
      return;
    }
    const plan = outcome.plan;
    this.#stats.operations[plan.operationName] = (this.#stats.operations[plan.operationName] ?? 0) + 1;
    if (plan.callingList !== undefined) {
      this.#records.delete(handle);
      this.#records.set(handle, plan.callingList);
      if (this.#records.size > MAX_SESSIONS) this.#records.delete(this.#records.keys().next().value as string);
    }
    json(res, 200, { statusCode: 0 });
    // What GWS sends next arrives on CometD, after the synchronous answer.
    setImmediate(() => this.#notify(user, plan));
  }

  #notify(user: string, plan: OperationPlan): void {
    const op = plan.operationName;
    const ack = this.faults.take('ack', op);
    const userEventFault = this.faults.take('userEvent', op);
    const withUserEvent = (answer: Planned): Planned[] => {
      if (userEventFault?.mode === 'drop') return [answer];
      if (userEventFault?.mode === 'delay') {
        this.#later(() => this.push(user, [plan.userEvent]), userEventFault.delayMs ?? 100);
        return [answer];
      }
      return [answer, plan.userEvent];
    };
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
      case 'error':
        this.push(user, [errorNotification(plan, ack.errorMessage ?? 'OCS refused the request: record not found')]);
        return;
      case 'malformed':
        this.push(user, [{ channel: OUTBOUND, data: 'malformed notification' as unknown as Record<string, unknown> }]);
        this.push(user, [{ channel: OUTBOUND, data: { referenceId: plan.referenceId, notificationType: 17, record: 'x' } }]);
        return;
      case 'incomplete':
        this.push(user, [{ channel: OUTBOUND, data: { referenceId: plan.referenceId, messageType: 'OutboundRecordMessage' } }]);
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

  async #control(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    let body: Record<string, unknown> = {};
    try {
      const parsed = await readJson(req, true);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      json(res, 400, { error: 'body is not JSON' });
      return;
    }
    try {
      switch (`${req.method} ${path}`) {
        case 'GET /sim/stats':
          return json(res, 200, this.stats());
        case 'GET /sim/requests':
          return json(res, 200, this.requests());
        case 'GET /sim/faults':
          return json(res, 200, this.faults.list());
        case 'POST /sim/faults':
          this.faults.add((Array.isArray(body) ? body : body) as unknown as FaultRule | FaultRule[]);
          return json(res, 200, this.faults.list());
        case 'DELETE /sim/faults':
          this.faults.clear();
          return json(res, 200, []);
        case 'POST /sim/forget-clients':
          this.forgetClients();
          return json(res, 200, { ok: true });
        case 'POST /sim/rotate-csrf':
          this.rotateCsrf();
          return json(res, 200, { ok: true });
        case 'POST /sim/restart':
          json(res, 200, { ok: true });
          setImmediate(() => void this.restart(Number(body.downMs ?? 0)));
          return;
        case 'POST /sim/users':
          this.setUser(String(body.username), { password: String(body.password) });
          return json(res, 200, { ok: true });
        case 'PUT /sim/config':
          this.configure(body as Partial<SimulatorConfig>);
          return json(res, 200, this.config);
        case 'POST /sim/push': {
          const user = String(body.user ?? DEMO_USER);
          if (body.notificationType !== 'PreviewRecord' && (body.data === null || typeof body.data !== 'object')) {
            return json(res, 400, { error: 'push needs {"notificationType":"PreviewRecord"} or a data object (and a channel)' });
          }
          const reached = body.notificationType === 'PreviewRecord'
            ? this.pushPreviewRecord(user, (body.record as Record<string, unknown>) ?? {})
            : this.push(user, [{ channel: String(body.channel ?? OUTBOUND), data: body.data as Record<string, unknown> }]);
          return json(res, 200, { clients: reached });
        }
        default:
          return json(res, 404, { error: `unknown control ${req.method} ${path}` });
      }
    } catch (error) {
      json(res, 400, { error: (error as Error).message });
    }
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<GwsSimulator> {
  return new GwsSimulator(options).start();
}

export { ACK_TYPES };

function token(): string {
  return randomBytes(16).toString('hex');
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: http.IncomingMessage, allowEmpty = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
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
