/**
 * gws-server: the config node. It holds the base URL, the credentials (credential store) and the
 * defaults, and owns the one connection (HTTP session + CometD link) that all its nodes share. The
 * connection opens when the first node registers and closes when the last one is removed (or when
 * this node closes); every state change is painted on every registered node.
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { GwsConnection, type ConnectionState, type TaggedNotification } from '../core/connection.js';
import { GwsError } from '../core/errors.js';
import { loadEsmDeps } from '../core/esm-deps.js';
import type { Logger } from '../core/logger.js';
import { GwsSession, parseBaseUrl, type TlsOptions } from '../core/session.js';
import { DEMO_PASSWORD, DEMO_USER } from '../simulator/gws-simulator.js';
import { acquireSimulator, type EmbeddedSimulator } from './lib/embedded-simulator.js';
import { describeError } from './lib/errors.js';
import { shared, translator, type Translate } from './lib/i18n.js';
import { positiveNumber } from './lib/properties.js';
import type { GwsServerCredentials, GwsServerDef, GwsServerNode, ServerUser } from './lib/types.js';

const DEFAULT_ACK_TIMEOUT_MS = 10000;
const CLOSE_WAIT_MS = 500;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

interface TlsConfigNode {
  addTLSOptions(options: TlsOptions): TlsOptions;
}

interface TestRequestBody {
  id?: string;
  baseUrl?: string;
  useSimulator?: boolean | string;
  username?: string;
  password?: string;
  tls?: string;
}

export = async function (RED: NodeAPI): Promise<void> {
  const deps = await loadEsmDeps();
  const t = translator(RED);

  function GwsServer(this: GwsServerNode, def: GwsServerDef) {
    RED.nodes.createNode(this, def);
    const node = this as GwsServerNode & { defaults: GwsServerNode['defaults']; ackTimeoutMs: number; configError?: string };
    const useSimulator = def.useSimulator === true || def.useSimulator === 'true';
    const credentials: GwsServerCredentials = node.credentials ?? {};
    node.defaults = {
      devicePath: def.devicePath || undefined,
      applicationId: def.applicationId === '' ? undefined : def.applicationId,
      campaignName: def.campaignName || undefined,
    };
    node.ackTimeoutMs = positiveNumber(def.ackTimeout) ?? DEFAULT_ACK_TIMEOUT_MS;
    node.configError = checkConfig(t, def.baseUrl, credentials, useSimulator)?.message;
    if (node.configError) node.error(node.configError);

    const users = new Map<string, ServerUser>();
    const listeners = new Map<string, (notification: TaggedNotification) => void>();
    let connection: GwsConnection | undefined;
    let opening: Promise<GwsConnection> | undefined;
    let embedded: EmbeddedSimulator | undefined;
    let state: ConnectionState = { status: 'disconnected' };
    let lastReported: string | undefined;
    let closed = false;

    const log: Logger = {
      warn: (message) => node.warn(message),
      debug: (message) => node.debug(message),
      trace: (message) => node.trace(message),
    };

    const setState = (next: ConnectionState) => {
      state = next;
      for (const user of users.values()) user.connectionChanged(next);
      // Say each new kind of failure once, not on every retry.
      if (next.status === 'failed') {
        const report = `${next.reason}:${next.detail}`;
        if (report !== lastReported) {
          lastReported = report;
          node.warn(t(shared('warnings.connectionFailed'), { detail: next.error ? describeError(t, next.error) : next.detail ?? next.reason }));
        }
      } else if (next.status === 'connected') {
        if (lastReported !== undefined) node.log(t(shared('warnings.connectionRestored')));
        lastReported = undefined;
      }
    };

    async function open(): Promise<GwsConnection> {
      if (node.configError) throw new Error(node.configError);
      const target = await resolveTarget(useSimulator, def.baseUrl, credentials);
      embedded = target.simulator;
      if (!useSimulator) {
        const url = parseBaseUrl(target.baseUrl);
        if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) node.warn(t(shared('warnings.plainHttp'), { host: url.host }));
      }
      if (closed) throw new Error(t(shared('errors.serverClosed')));
      const created = new GwsConnection({
        baseUrl: target.baseUrl,
        username: target.username,
        password: target.password,
        tls: tlsOptions(RED, def.tls),
        ackTimeoutMs: node.ackTimeoutMs,
        callResultFormat: def.callResultFormat === 'number' ? 'number' : 'name',
        log,
      }, deps);
      created.on('state', setState);
      created.on('notification', (notification) => {
        for (const [id, listener] of listeners) {
          try {
            listener(notification);
          } catch (error) {
            node.warn(t(shared('warnings.listenerFailed'), { id, detail: (error as Error).message }));
          }
        }
      });
      connection = created;
      created.start();
      return created;
    }

    async function shut(): Promise<void> {
      const current = connection;
      const sim = embedded;
      connection = undefined;
      opening = undefined;
      embedded = undefined;
      try {
        if (current) await current.stop(CLOSE_WAIT_MS);
      } finally {
        await sim?.release();
        setState({ status: 'disconnected' });
      }
    }

    Object.defineProperty(node, 'connectionState', { get: () => state });

    node.connect = () => {
      opening ??= open();
      return opening;
    };

    node.register = (user: ServerUser) => {
      users.set(user.id, user);
      user.connectionChanged(node.configError ? { status: 'failed', reason: 'badConfig', detail: node.configError } : state);
      if (node.configError || closed) return;
      node.connect().catch((error: unknown) => {
        opening = undefined;
        setState({ status: 'failed', reason: 'unreachable', detail: (error as Error).message });
      });
    };

    node.deregister = async (user: ServerUser, removed: boolean) => {
      users.delete(user.id);
      listeners.delete(user.id);
      // A redeploy keeps the connection for the node that comes back; deleting the last node closes it.
      if (removed && users.size === 0) await shut();
    };

    node.listen = (user: ServerUser, listener: (notification: TaggedNotification) => void) => {
      listeners.set(user.id, listener);
    };

    // A node moved to another server node is closed without `removed`: once the deploy has started the
    // flows again, a connection that no node uses any more is closed (it would otherwise stay open idle).
    const onFlowsStarted = () => {
      if (users.size === 0 && connection) {
        shut().catch((error: unknown) => node.debug(`close unused connection: ${(error as Error).message}`));
      }
    };
    RED.events.on('flows:started', onFlowsStarted);

    // Two parameters, so that Node-RED waits for done(); the config node closes its connection either way.
    node.on('close', (_removed: boolean, done: () => void) => {
      RED.events.removeListener('flows:started', onFlowsStarted);
      closed = true;
      users.clear();
      listeners.clear();
      shut()
        .catch((error: unknown) => node.debug(`close: ${(error as Error).message}`))
        .finally(() => done());
    });
  }

  RED.nodes.registerType('gws-server', GwsServer as unknown as Parameters<NodeAPI['nodes']['registerType']>[1], {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
    },
  });

  // "Test connection" in the editor: logs in with what the dialog holds (or the stored password).
  RED.httpAdmin.post('/gws-server/test', RED.auth.needsPermission('gws-server.write'), (req: Request, res: Response) => {
    testConnection(RED, t, (req.body ?? {}) as TestRequestBody).then(
      (result) => res.json(result),
      (error: unknown) => res.json({ ok: false, message: (error as Error).message }),
    );
  });
};

interface Target {
  baseUrl: string;
  username: string;
  password: string;
  /** Set when the target is the bundled simulator; release it when done. */
  simulator?: EmbeddedSimulator;
}

/**
 * Where to connect: the configured GWS, or the bundled simulator with its demo user (credentials kept
 * for a real GWS are not used then; the dialog hides them).
 */
async function resolveTarget(useSimulator: boolean, baseUrl: string | undefined, credentials: GwsServerCredentials): Promise<Target> {
  if (!useSimulator) {
    return { baseUrl: String(baseUrl ?? '').trim(), username: credentials.username ?? '', password: credentials.password ?? '' };
  }
  const simulator = await acquireSimulator();
  return { baseUrl: simulator.url, username: DEMO_USER, password: DEMO_PASSWORD, simulator };
}

/** Why this configuration cannot connect (a catalog key under errors. and its text); undefined when it can. */
function checkConfig(
  t: Translate,
  baseUrl: string | undefined,
  credentials: GwsServerCredentials,
  useSimulator: boolean,
): { code: string; message: string; params: Record<string, string> } | undefined {
  if (useSimulator) return undefined;
  const problem = (code: string, params: Record<string, string> = {}) => ({ code, params, message: t(shared(`errors.${code}`), params) });
  const url = String(baseUrl ?? '').trim();
  if (url === '') return problem('baseUrlMissing');
  try {
    parseBaseUrl(url);
  } catch {
    return problem('baseUrlInvalid', { value: url.slice(0, 100) });
  }
  if (!credentials.username) return problem('usernameMissing');
  return undefined;
}

function tlsOptions(RED: NodeAPI, tlsId: string | undefined): TlsOptions | undefined {
  if (!tlsId) return undefined;
  const tlsNode = RED.nodes.getNode(tlsId) as unknown as TlsConfigNode | null;
  return tlsNode ? tlsNode.addTLSOptions({}) : undefined;
}

interface TestResult {
  ok: boolean;
  message: string;
  code?: string;
  params?: Record<string, string | number>;
}

async function testConnection(RED: NodeAPI, t: Translate, body: TestRequestBody): Promise<TestResult> {
  const stored = (body.id ? RED.nodes.getCredentials(body.id) : undefined) as GwsServerCredentials | undefined;
  // The dialog shows __PWRD__ for a password that is stored but not sent to the editor.
  const credentials: GwsServerCredentials = {
    username: body.username || stored?.username || '',
    password: body.password === '__PWRD__' || body.password === undefined ? stored?.password ?? '' : body.password,
  };
  const useSimulator = body.useSimulator === true || body.useSimulator === 'true';
  // The dialog sends the URL as typed: resolve ${ENV_VAR} as the runtime does for the deployed node.
  const baseUrl = String(body.baseUrl ?? '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => process.env[name] ?? '');
  if (!useSimulator) {
    const problem = checkConfig(t, baseUrl, credentials, false);
    if (problem) return { ok: false, ...problem };
  }
  const target = await resolveTarget(useSimulator, baseUrl, credentials);
  try {
    const { baseUrl, username, password } = target;
    const session = new GwsSession({ baseUrl, username, password, tls: tlsOptions(RED, body.tls), maxSockets: 1 });
    try {
      const user = await session.login('Login', 10000);
      const name = [user.firstName, user.lastName].filter(Boolean).join(' ') || target.username;
      const params = { name, user: String(user.userName ?? target.username) };
      // The editor translates code + params into its own language; message is the runtime's rendering.
      return { ok: true, code: 'success', params, message: t(shared('test.success'), params) };
    } catch (error) {
      if (error instanceof GwsError) return { ok: false, message: describeError(t, error), code: error.code, params: error.params };
      throw error;
    } finally {
      session.close();
    }
  } finally {
    await target.simulator?.release();
  }
}
