/**
 * Which proxy, if any, carries the requests of a session: the rules of Node-RED's http request node
 * (`core/network/lib/proxyHelper.js`, strict mode), so that a flow author finds the same behaviour here.
 *
 * - An explicit proxy (the core `http proxy` config node: url, noproxy list, username/password) wins.
 *   Its noproxy list is matched like NO_PROXY.
 * - Otherwise, unless switched off, the environment: `<scheme>_proxy` (http_proxy for http://,
 *   https_proxy for https://), then `all_proxy`, lower-case names before upper-case ones; `no_proxy`
 *   (or NO_PROXY) lists hosts that are reached directly: `*` for all, `host`, `host:port`, `.domain`
 *   or `*.domain` for a domain and its subdomains, separated by commas or spaces.
 * - A proxy URL without a scheme takes the scheme of the target, as in Node-RED.
 *
 * The proxy credentials come from the options, else from the proxy URL's user info. They leave this
 * module only as the ready-made Proxy-Authorization value; the URL handed on never holds them, so that
 * it can be named in error texts and logs.
 */

export interface ProxyOptions {
  /** e.g. `http://proxy.example:3128`; a URL without a scheme takes the scheme of the target. */
  url: string;
  username?: string;
  password?: string;
  /** Hosts reached without the proxy, as in NO_PROXY: `host`, `host:port`, `.domain`, `*.domain`, `*`. */
  noProxy?: string[];
}

export interface ProxyChoice {
  /** The proxy's origin, without credentials (safe to show). */
  url: URL;
  /** `Basic …` for the Proxy-Authorization header, when credentials are known. */
  authorization?: string;
  /** Where the proxy came from. */
  source: 'option' | 'environment';
}

type Env = Record<string, string | undefined>;

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/**
 * The proxy for requests to `target`, or undefined for a direct connection. Throws a TypeError for a
 * proxy URL that cannot be used; the error never repeats the URL (it may hold a password).
 */
export function proxyFor(
  target: URL,
  options: { proxy?: ProxyOptions; useEnvProxy?: boolean; env?: Env } = {},
): ProxyChoice | undefined {
  const explicit = options.proxy && String(options.proxy.url ?? '').trim() !== '' ? options.proxy : undefined;
  let env: Env;
  if (explicit) {
    env = { no_proxy: (explicit.noProxy ?? []).join(','), http_proxy: explicit.url, https_proxy: explicit.url };
  } else if (options.useEnvProxy !== false) {
    env = options.env ?? process.env;
  } else {
    return undefined;
  }
  const scheme = target.protocol.slice(0, -1);
  const port = Number(target.port) || DEFAULT_PORTS[scheme] || 0;
  // `host` keeps the brackets of an IPv6 address, as NO_PROXY entries write them.
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  if (!shouldProxy(hostname, port, getEnv(env, 'no_proxy'))) return undefined;
  let raw = getEnv(env, `${scheme}_proxy`) || getEnv(env, 'all_proxy');
  raw = raw.trim();
  if (raw === '') return undefined;
  if (!raw.includes('://')) raw = `${scheme}://${raw}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`the ${explicit ? 'configured' : 'environment'} proxy URL is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`the ${explicit ? 'configured' : 'environment'} proxy URL must start with http:// or https://`);
  }
  let username = explicit?.username ?? '';
  let password = explicit?.password ?? '';
  if (username === '' && password === '' && (url.username !== '' || url.password !== '')) {
    username = safeDecode(url.username);
    password = safeDecode(url.password);
  }
  const origin = new URL(url.origin);
  return {
    url: origin,
    authorization: username !== '' || password !== '' ? `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` : undefined,
    source: explicit ? 'option' : 'environment',
  };
}

/** NO_PROXY matching of Node-RED (after proxy-from-env by Rob Wu): false when `hostname:port` is listed. */
export function shouldProxy(hostname: string, port: number, noProxy: string): boolean {
  const list = noProxy.toLowerCase();
  if (list === '') return true;
  if (list === '*') return false;
  return list.split(/[,\s]/).every((entry) => {
    if (entry === '') return true;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    let entryHost = parsed ? parsed[1] : entry;
    const entryPort = parsed ? Number.parseInt(parsed[2], 10) : 0;
    if (entryPort && entryPort !== port) return true;
    if (!/^[.*]/.test(entryHost)) return hostname !== entryHost;
    if (entryHost.startsWith('*')) entryHost = entryHost.slice(1);
    return !hostname.endsWith(entryHost);
  });
}

function getEnv(env: Env, key: string): string {
  return env[key.toLowerCase()] || env[key.toUpperCase()] || '';
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
