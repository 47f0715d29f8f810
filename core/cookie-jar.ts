/**
 * The cookie jar of one HTTP session with one GWS server, on tough-cookie (RFC 6265: Domain and
 * host-only cookies, Path, Expires and Max-Age, Secure, public suffixes). Every session owns one, so two
 * sessions never share a cookie, even with the same host and user.
 *
 * Secure cookies are stored and sent over https:// only (a loopback address over http:// is not
 * treated as secure). The jar holds at most MAX_COOKIES cookies: a server that sets more loses the
 * oldest. Values never leave the jar except in the Cookie header; `names()` gives names only.
 */
import { CookieJar, MemoryCookieStore, type Cookie } from 'tough-cookie';

export class SessionCookieJar {
  /** At most this many cookies are kept; a server that sets more loses the oldest. */
  static readonly MAX_COOKIES = 50;
  readonly #store = new MemoryCookieStore();
  readonly #jar = new CookieJar(this.#store, { allowSecureOnLocal: false, rejectPublicSuffixes: true });

  /** Keeps the cookie of a `Set-Cookie` header received from `url`; an invalid one is ignored. */
  store(rawCookie: string, url: URL): void {
    let stored: Cookie | undefined;
    try {
      stored = this.#jar.setCookieSync(rawCookie, url, { ignoreError: true });
    } catch {
      return;
    }
    if (stored !== undefined) this.#bound();
  }

  /** The `Cookie` header for a request to `url` ('' when no cookie applies). */
  cookieHeader(url: URL): string {
    return this.#jar.getCookieStringSync(url);
  }

  /** Names of the cookies held (never their values, which are secrets). */
  names(): string[] {
    return this.#all().map((cookie) => cookie.key);
  }

  clear(): void {
    this.#jar.removeAllCookiesSync();
  }

  /** Every live cookie, oldest first; expired ones are dropped on the way. */
  #all(): Cookie[] {
    const now = new Date();
    const live: Cookie[] = [];
    for (const [domain, paths] of Object.entries(this.#store.idx)) {
      for (const [path, cookies] of Object.entries(paths)) {
        for (const [key, cookie] of Object.entries(cookies)) {
          const expiry = cookie.expiryTime(now);
          if (expiry !== undefined && expiry <= now.getTime()) {
            delete this.#store.idx[domain][path][key];
            continue;
          }
          live.push(cookie);
        }
      }
    }
    return live.sort((a, b) => a.creationIndex - b.creationIndex);
  }

  #bound(): void {
    const all = this.#all();
    for (let excess = all.length - SessionCookieJar.MAX_COOKIES, i = 0; i < excess; i++) {
      const { domain, path, key } = all[i];
      if (domain !== null && path !== null) delete this.#store.idx[domain]?.[path]?.[key];
    }
  }
}
