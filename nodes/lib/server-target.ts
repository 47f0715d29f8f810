/**
 * Where a server node connects, and with what: the configured GWS (URL, credentials, the TLS and proxy
 * config nodes it names) or, in simulator mode, the bundled simulator with its demo user. The simulator
 * is loaded only in simulator mode.
 */
import type { NodeAPI } from 'node-red';
import type { ProxyOptions } from '../../core/proxy.js';
import { parseBaseUrl, type TlsOptions } from '../../core/session.js';
import { shared, type Translate } from './i18n.js';
import type { GwsServerCredentials } from './types.js';

export interface Target {
  baseUrl: string;
  username: string;
  password: string;
  /** Set when the target is the bundled simulator; release it when done. */
  release?(): Promise<void>;
  /** The bundled simulator serves its control API (the settings.js switch is on). */
  control?: boolean;
}

/** The settings.js switch that opens the embedded simulator's control API (off by default). */
export const SIMULATOR_CONTROL_SETTING = 'gwsServerSimulatorControl';

/**
 * The configured GWS, or the bundled simulator with its demo user (credentials kept for a real GWS are
 * not used then; the dialog hides them).
 */
export async function resolveTarget(RED: NodeAPI, useSimulator: boolean, baseUrl: string | undefined, credentials: GwsServerCredentials): Promise<Target> {
  if (!useSimulator) {
    return { baseUrl: String(baseUrl ?? '').trim(), username: credentials.username ?? '', password: credentials.password ?? '' };
  }
  const [{ acquireSimulator }, { DEMO_USER, DEMO_PASSWORD }] = await Promise.all([
    import('./embedded-simulator.js'),
    import('../../simulator/gws-simulator.js'),
  ]);
  const control = (RED.settings as unknown as Record<string, unknown>)[SIMULATOR_CONTROL_SETTING] === true;
  const simulator = await acquireSimulator({ control });
  return { baseUrl: simulator.url, username: DEMO_USER, password: DEMO_PASSWORD, release: () => simulator.release(), control };
}

export interface ConfigProblem {
  code: string;
  params: Record<string, string>;
  message: string;
}

/** Why this configuration cannot connect (a catalog key under errors. and its text); undefined when it can. */
export function checkConfig(t: Translate, baseUrl: string | undefined, credentials: GwsServerCredentials, useSimulator: boolean): ConfigProblem | undefined {
  if (useSimulator) return undefined;
  const problem = (code: string, params: Record<string, string> = {}): ConfigProblem => ({ code, params, message: t(shared(`errors.${code}`), params) });
  const url = String(baseUrl ?? '').trim();
  if (url === '') return problem('baseUrlMissing');
  // A password in the URL would be repeated in logs, errors and the dialog: refuse it and never show it.
  if (hasUserInfo(url)) return problem('baseUrlCredentials');
  try {
    parseBaseUrl(url);
  } catch {
    return problem('baseUrlInvalid', { value: url.slice(0, 100) });
  }
  if (!credentials.username) return problem('usernameMissing');
  return undefined;
}

/**
 * Credentials written into a URL, in any spelling a URL parser accepts: `http://user:pw@host`, but also
 * `http:/user:pw@host`, `http:user:pw@host`, `http:\\user:pw@host` or a tab inside the scheme. Such a
 * URL must be refused before anything repeats it, so the check is wider than the parser: an `@` before
 * the first `/`, `\`, `?` or `#` after the scheme and its slashes.
 */
export function hasUserInfo(url: string): boolean {
  const text = url.trim();
  try {
    const parsed = new URL(text);
    if (parsed.username !== '' || parsed.password !== '') return true;
  } catch {
    // Not a URL to the parser: the text check below still applies.
  }
  const authority = text.replace(/[\t\n\r]/g, '').replace(/^[a-z][a-z0-9+.-]*:/i, '').replace(/^[/\\]*/, '');
  return /^[^/\\?#]*@/.test(authority);
}

interface TlsConfigNode {
  type?: string;
  addTLSOptions(options: TlsOptions): TlsOptions;
}

/** TLS options from a core tls-config node, when the id names one. */
export function tlsOptions(RED: NodeAPI, tlsId: unknown): TlsOptions | undefined {
  if (typeof tlsId !== 'string' || tlsId === '') return undefined;
  const tlsNode = RED.nodes.getNode(tlsId) as unknown as TlsConfigNode | null;
  return tlsNode && tlsNode.type === 'tls-config' && typeof tlsNode.addTLSOptions === 'function' ? tlsNode.addTLSOptions({}) : undefined;
}

interface HttpProxyNode {
  type?: string;
  url?: string;
  noproxy?: unknown;
  credentials?: { username?: string; password?: string };
}

/** The proxy of a core `http proxy` config node, when the id names one (environment proxies apply otherwise). */
export function proxyOptions(RED: NodeAPI, proxyId: unknown): ProxyOptions | undefined {
  if (typeof proxyId !== 'string' || proxyId === '') return undefined;
  const proxyNode = RED.nodes.getNode(proxyId) as unknown as HttpProxyNode | null;
  if (!proxyNode || proxyNode.type !== 'http proxy' || typeof proxyNode.url !== 'string' || proxyNode.url === '') return undefined;
  const noProxy = Array.isArray(proxyNode.noproxy) ? proxyNode.noproxy.filter((entry): entry is string => typeof entry === 'string' && entry !== '') : [];
  return {
    url: proxyNode.url,
    username: proxyNode.credentials?.username || undefined,
    password: proxyNode.credentials?.password || undefined,
    noProxy,
  };
}
