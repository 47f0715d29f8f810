/**
 * A cookie jar for one HTTP session with one GWS server. Every connection owns one, so two connections
 * never share a session cookie, even with the same host.
 *
 * Scope: what a GWS session needs (JSESSIONID and load-balancer cookies): name, value, Path, Max-Age and
 * Expires, Secure. Domain is tied to the host the cookie came from.
 */
interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  expiresAt?: number;
}

export class SessionCookieJar {
  /** At most this many cookies are kept; a server that sets more loses the oldest. */
  static readonly MAX_COOKIES = 50;
  readonly #cookies = new Map<string, StoredCookie>();

  /** Keeps the cookie of a `Set-Cookie` header received from `url`. */
  store(rawCookie: string, url: URL): void {
    const [pair, ...attributes] = rawCookie.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const cookie: StoredCookie = { name, value, host: url.hostname, path: '/', secure: false };
    let maxAge: number | undefined;
    for (const attribute of attributes) {
      const [rawKey, ...rest] = attribute.split('=');
      const key = rawKey.trim().toLowerCase();
      const attrValue = rest.join('=').trim();
      if (key === 'path' && attrValue.startsWith('/')) cookie.path = attrValue;
      else if (key === 'secure') cookie.secure = true;
      else if (key === 'max-age' && /^-?\d+$/.test(attrValue)) maxAge = Number(attrValue);
      else if (key === 'expires') {
        const at = Date.parse(attrValue);
        if (!Number.isNaN(at)) cookie.expiresAt = at;
      }
    }
    // Max-Age wins over Expires (RFC 6265 5.3 step 3).
    if (maxAge !== undefined) cookie.expiresAt = Date.now() + maxAge * 1000;
    const key = `${cookie.host}\n${cookie.path}\n${name}`;
    this.#cookies.delete(key);
    if (cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now()) return;
    this.#cookies.set(key, cookie);
    if (this.#cookies.size > SessionCookieJar.MAX_COOKIES) {
      this.#cookies.delete(this.#cookies.keys().next().value as string);
    }
  }

  /** The `Cookie` header for a request to `url` ('' when no cookie applies). */
  cookieHeader(url: URL): string {
    const now = Date.now();
    const parts: string[] = [];
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) {
        this.#cookies.delete(key);
        continue;
      }
      if (cookie.host !== url.hostname) continue;
      if (cookie.secure && url.protocol !== 'https:') continue;
      if (!pathMatches(url.pathname, cookie.path)) continue;
      parts.push(`${cookie.name}=${cookie.value}`);
    }
    return parts.join('; ');
  }

  /** Names of the cookies held (never their values, which are secrets). */
  names(): string[] {
    return [...this.#cookies.values()].map((c) => c.name);
  }

  clear(): void {
    this.#cookies.clear();
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}
