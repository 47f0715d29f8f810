/**
 * cometd is an ES module; this package compiles to CommonJS so that Node-RED 4 (which `require()`s node
 * files) and Node-RED 5 both load it. It is therefore loaded with `import()`, once, and shared by every
 * connection.
 *
 * cometd reads its timers from a global `window` at call time. This is the only place that touches
 * it: a minimal `window` (timers only, no XMLHttpRequest, WebSocket or document, so that other modules
 * do not mistake Node for a browser) is created when none exists, and an existing one is never
 * replaced. Transports, cookies and TLS never go through `window`: see notification-link.ts.
 */
import type * as CometDModule from 'cometd';

export interface EsmDeps {
  cometd: typeof CometDModule;
}

let loading: Promise<EsmDeps> | undefined;

export function loadEsmDeps(): Promise<EsmDeps> {
  loading ??= (async () => {
    const globals = globalThis as { window?: unknown };
    if (globals.window === undefined) {
      globals.window = { setTimeout, clearTimeout };
    }
    return { cometd: await import('cometd') };
  })();
  return loading;
}
