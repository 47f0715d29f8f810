/**
 * "Test connection" in the server dialog: `POST /gws-server/test` logs in with what the dialog holds.
 *
 * The caller is treated as untrusted even with the permission (and with adminAuth off, any web page can
 * reach a Node-RED on localhost): JSON bodies only (a cross-site form post cannot send one); a stored
 * password is used only for the gws-server node it belongs to, only toward the URL stored on that
 * node and only through that node's own proxy and TLS nodes; `${ENV}` references are expanded only in
 * that stored URL; no reply contains an environment value or a secret (not even one the server
 * echoes); text from the server is cleaned like every server text; each use writes one info line
 * (node id and host).
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { GwsError } from '../../core/errors.js';
import { serverText } from '../../core/server-text.js';
import { GwsSession } from '../../core/session.js';
import { describeError } from './errors.js';
import { shared, type Translate } from './i18n.js';
import { checkConfig, hasUserInfo, proxyOptions, resolveTarget, tlsOptions, type Target } from './server-target.js';
import type { GwsServerCredentials, GwsServerNode } from './types.js';

/** What the dialog sends. Anything else in the body is ignored; fields of the wrong type count as absent. */
interface TestRequest {
  id?: string;
  baseUrl?: string;
  useSimulator?: boolean;
  username?: string;
  password?: string;
  tls?: string;
  proxy?: string;
}

export interface TestReply {
  ok: boolean;
  message: string;
  code?: string;
  params?: Record<string, string | number>;
}

/** The dialog shows this for a password that is stored but not sent to the editor. */
const STORED_PASSWORD = '__PWRD__';
const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const LOGIN_TIMEOUT_MS = 10000;

export function registerTestConnection(RED: NodeAPI, t: Translate): void {
  RED.httpAdmin.post('/gws-server/test', RED.auth.needsPermission('gws-server.write'), (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      res.status(415).json(refusal(t, 'jsonOnly'));
      return;
    }
    testConnection(RED, t, readRequest(req.body)).then(
      (reply) => res.json(reply),
      (error: unknown) => res.json(refusal(t, 'unexpectedTest', { detail: error instanceof Error ? error.message : 'unknown error' })),
    );
  });
}

function readRequest(body: unknown): TestRequest {
  const source = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const text = (key: string) => (typeof source[key] === 'string' ? (source[key] as string) : undefined);
  return {
    id: text('id'),
    baseUrl: text('baseUrl'),
    useSimulator: source.useSimulator === true || source.useSimulator === 'true',
    username: text('username'),
    password: text('password'),
    tls: text('tls'),
    proxy: text('proxy'),
  };
}

function refusal(t: Translate, code: string, params: Record<string, string> = {}): TestReply {
  return { ok: false, code, params, message: t(shared(`errors.${code}`), params) };
}

interface StoredServer {
  baseUrl: string;
  tls: string;
  proxy: string;
}

/** The raw configuration of a deployed gws-server node (its `${ENV}` references not yet expanded). */
function storedServer(RED: NodeAPI, id: string | undefined): StoredServer | undefined {
  if (!id) return undefined;
  let found: StoredServer | undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  RED.nodes.eachNode((config) => {
    const raw = config as unknown as { id?: string; type?: string; baseUrl?: unknown; tls?: unknown; proxy?: unknown };
    if (raw.id === id && raw.type === 'gws-server') found = { baseUrl: text(raw.baseUrl), tls: text(raw.tls), proxy: text(raw.proxy) };
  });
  return found;
}

async function testConnection(RED: NodeAPI, t: Translate, request: TestRequest): Promise<TestReply> {
  if (request.useSimulator) {
    RED.log.info(t(shared('logs.testConnection'), { id: request.id ?? '-', host: t(shared('words.bundledSimulator')) }));
    return login(RED, t, await resolveTarget(RED, true, undefined, {}), {});
  }
  const typed = (request.baseUrl ?? '').trim();
  const stored = storedServer(RED, request.id);
  const asStored = stored !== undefined && stored.baseUrl === typed && typed !== '';
  if (hasUserInfo(typed)) return refusal(t, 'baseUrlCredentials');
  if (!asStored && typed.includes('${')) return refusal(t, 'envNotAllowed');

  let baseUrl = typed;
  let storedCredentials: GwsServerCredentials = {};
  if (asStored) {
    const running = RED.nodes.getNode(request.id as string) as GwsServerNode | null;
    // The running node holds the URL as Node-RED expanded it (process, flow and global environment).
    baseUrl = running?.type === 'gws-server' && typeof running.baseUrl === 'string' ? running.baseUrl : typed.replace(ENV_REFERENCE, (_, name: string) => process.env[name] ?? '');
    storedCredentials = (RED.nodes.getCredentials(request.id as string) as GwsServerCredentials | undefined) ?? {};
  }
  const usesStoredPassword = request.password === undefined || request.password === STORED_PASSWORD;
  const credentials: GwsServerCredentials = {
    username: request.username || (asStored ? storedCredentials.username : undefined) || '',
    password: usesStoredPassword ? storedCredentials.password ?? '' : request.password,
  };
  if (usesStoredPassword && !asStored) return refusal(t, 'passwordNeeded');
  // Through another proxy (or TLS node) the stored password would reach whoever runs that proxy.
  if (usesStoredPassword && ((request.proxy ?? '').trim() !== stored?.proxy || (request.tls ?? '').trim() !== stored?.tls)) {
    return refusal(t, 'passwordNeeded');
  }
  const hide = hider(typed, baseUrl, secretsOf(credentials));
  const problem = checkConfig(t, baseUrl, credentials, false);
  if (problem) return hide({ ok: false, ...problem });

  let host = '-';
  try {
    host = new URL(baseUrl).host;
  } catch {
    // checkConfig has refused what does not parse.
  }
  RED.log.info(t(shared('logs.testConnection'), { id: request.id ?? '-', host }));
  const target: Target = { baseUrl, username: credentials.username ?? '', password: credentials.password ?? '' };
  return hide(await login(RED, t, target, { tls: request.tls, proxy: request.proxy }));
}

/** Logs in to `target`; `via` names the tls-config and http proxy nodes of a real GWS (none for the simulator). */
async function login(RED: NodeAPI, t: Translate, target: Target, via: { tls?: string; proxy?: string }): Promise<TestReply> {
  try {
    const { baseUrl, username, password } = target;
    const simulator = target.release !== undefined;
    const session = new GwsSession({
      baseUrl,
      username,
      password,
      tls: tlsOptions(RED, via.tls),
      proxy: proxyOptions(RED, via.proxy),
      useEnvProxy: !simulator,
    });
    try {
      const user = await session.login('Login', LOGIN_TIMEOUT_MS);
      const name = [user.firstName, user.lastName].filter((part) => typeof part === 'string' && part !== '').join(' ') || target.username;
      const params = { name: serverText(name, 200), user: serverText(user.userName ?? target.username, 200) };
      // The editor translates code + params into its own language; message is the runtime's rendering.
      return { ok: true, code: 'success', params, message: t(shared('test.success'), params) };
    } catch (error) {
      if (error instanceof GwsError) return { ok: false, message: describeError(t, error), code: error.code, params: error.params };
      throw error;
    } finally {
      session.close();
    }
  } finally {
    await target.release?.();
  }
}

/** The forms in which a server may echo the credentials of the request: the password, and Basic auth. */
function secretsOf(credentials: GwsServerCredentials): string[] {
  const { username = '', password = '' } = credentials;
  if (password === '') return [];
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  const header = `Basic ${basic}`;
  // A password equal to the user name is no secret from whoever sees the dialog (the demo user's is).
  return password === username ? [header, basic] : [password, header, basic];
}

/**
 * Puts the `${NAME}` references back wherever a reply shows the expanded URL or a part of it (an error
 * naming the host, say), so that no environment value leaves the runtime; and hides the request's own
 * secrets, should the server (or a proxy, or an error page) echo them.
 */
function hider(template: string, expanded: string, secrets: string[] = []): (reply: TestReply) => TestReply {
  const values = new Map<string, string>();
  // Even a short password is hidden: a reply may then lose a few letters, but never shows a secret.
  for (const secret of secrets) values.set(secret, '***');
  const names = [...template.matchAll(ENV_REFERENCE)].map((match) => match[1]);
  if (names.length > 0 && expanded !== template) {
    const pattern = template.split(ENV_REFERENCE).map((part, index) => (index % 2 === 0 ? escapeRegExp(part) : '(.*?)')).join('');
    const match = new RegExp(`^${pattern}$`, 's').exec(expanded);
    names.forEach((name, index) => {
      const value = match?.[index + 1] ?? process.env[name];
      // A value of one or two characters would turn up inside unrelated words; it is no secret either.
      if (value && value.length >= 3) values.set(value, `\${${name}}`);
    });
    values.set(expanded, template);
    // Network errors name the host and port on their own (connect ECONNREFUSED host:port).
    try {
      const url = new URL(expanded);
      for (const part of [url.host, url.hostname]) if (part.length >= 3 && !template.includes(part)) values.set(part, template);
    } catch {
      // Not a URL: nothing more to hide.
    }
  }
  const scrub = (text: string) => {
    let result = text;
    // Longest first, so that a URL is replaced whole before its parts.
    for (const [value, reference] of [...values].sort((a, b) => b[0].length - a[0].length)) result = result.split(value).join(reference);
    return result;
  };
  return (reply) => {
    if (values.size === 0) return reply;
    const params = reply.params && Object.fromEntries(Object.entries(reply.params).map(([key, value]) => [key, typeof value === 'string' ? scrub(value) : value]));
    return { ...reply, message: scrub(reply.message), ...(params ? { params } : {}) };
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
