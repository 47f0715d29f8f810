/**
 * gws-server: the config node. It holds the base URL, the credentials (credential store) and the
 * defaults, and owns the one connection (HTTP session + CometD link) that all its nodes share; the
 * lifecycle of that connection (open on first use, close when the last node is removed, state fan-out)
 * is the core's SharedConnection. This file maps the node's configuration onto it and reports.
 */
import type { NodeAPI } from 'node-red';
import { GwsConnection, type ConnectionState } from '../core/connection.js';
import { loadEsmDeps } from '../core/esm-deps.js';
import type { Logger } from '../core/logger.js';
import { parseBaseUrl } from '../core/session.js';
import { SharedConnection } from '../core/shared-connection.js';
import { describeError } from './lib/errors.js';
import { shared, translator } from './lib/i18n.js';
import { positiveNumber } from './lib/properties.js';
import { checkConfig, proxyOptions, resolveTarget, tlsOptions } from './lib/server-target.js';
import { registerTestConnection } from './lib/test-connection.js';
import type { GwsServerCredentials, GwsServerDef, GwsServerNode } from './lib/types.js';

const DEFAULT_ACK_TIMEOUT_MS = 10000;
const CLOSE_WAIT_MS = 500;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;
/** The device of a simulator-mode server node left without one: a first flow should not need a made-up path. */
const SIMULATOR_DEVICE_PATH = '/devices/simulator';

export = async function (RED: NodeAPI): Promise<void> {
  const deps = await loadEsmDeps();
  const t = translator(RED);

  // One `flows:started` listener for all server nodes (one each would trip Node's leak warning at 11):
  // after a deploy, a connection that no node uses any more is closed.
  const live = new Set<SharedConnection>();
  const onFlowsStarted = () => {
    for (const connection of live) connection.closeIfUnused().catch(() => undefined);
  };

  function GwsServer(this: GwsServerNode, def: GwsServerDef) {
    RED.nodes.createNode(this, def);
    const node = this as GwsServerNode & { defaults: GwsServerNode['defaults']; ackTimeoutMs: number; configError?: string; baseUrl: string };
    const useSimulator = def.useSimulator === true || def.useSimulator === 'true';
    const credentials: GwsServerCredentials = node.credentials ?? {};
    node.baseUrl = String(def.baseUrl ?? '').trim();
    node.defaults = {
      devicePath: def.devicePath || (useSimulator ? SIMULATOR_DEVICE_PATH : undefined),
      applicationId: def.applicationId === '' ? undefined : def.applicationId,
      campaignName: def.campaignName || undefined,
    };
    node.ackTimeoutMs = positiveNumber(def.ackTimeout) ?? DEFAULT_ACK_TIMEOUT_MS;
    node.configError = checkConfig(t, def.baseUrl, credentials, useSimulator)?.message;
    if (node.configError) node.error(node.configError);

    const log: Logger = {
      warn: (message) => node.warn(message),
      debug: (message) => node.debug(message),
      trace: (message) => node.trace(message),
    };

    // Say each new kind of failure once, not on every retry; say when it is over.
    let lastReported: string | undefined;
    const report = (state: ConnectionState) => {
      if (state.status === 'failed' && state.reason !== 'badConfig') {
        const text = `${state.reason}:${state.detail}`;
        if (text === lastReported) return;
        lastReported = text;
        node.warn(t(shared('warnings.connectionFailed'), { detail: state.error ? describeError(t, state.error) : state.detail ?? state.reason }));
      } else if (state.status === 'connected') {
        if (lastReported !== undefined) node.log(t(shared('warnings.connectionRestored')));
        lastReported = undefined;
      }
    };

    const connection = new SharedConnection({
      configError: node.configError,
      stateChanged: report,
      closeWaitMs: CLOSE_WAIT_MS,
      log,
      open: async () => {
        const target = await resolveTarget(RED, useSimulator, def.baseUrl, credentials);
        if (target.control) node.log(t(shared('logs.simulatorControl'), { url: `${target.baseUrl}/sim/` }));
        if (!useSimulator) {
          const url = parseBaseUrl(target.baseUrl);
          if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) node.warn(t(shared('warnings.plainHttp'), { host: url.host }));
        }
        const created = new GwsConnection({
          baseUrl: target.baseUrl,
          username: target.username,
          password: target.password,
          tls: useSimulator ? undefined : tlsOptions(RED, def.tls),
          // The bundled simulator is on this machine: no proxy of the environment stands between.
          proxy: useSimulator ? undefined : proxyOptions(RED, def.proxy),
          useEnvProxy: !useSimulator,
          maxSockets: positiveNumber(def.maxSockets),
          ackTimeoutMs: node.ackTimeoutMs,
          callResultFormat: def.callResultFormat === 'number' ? 'number' : 'name',
          log,
        }, deps);
        return { connection: created, release: target.release };
      },
    });
    if (live.size === 0) RED.events.on('flows:started', onFlowsStarted);
    live.add(connection);

    Object.defineProperty(node, 'connectionState', { get: () => connection.state });
    node.connect = () => connection.connect();
    node.register = (user) => connection.register(user);
    node.deregister = (user, removed) => connection.deregister(user, removed);

    // Two parameters, so that Node-RED waits for done(); the config node closes its connection either way.
    node.on('close', (_removed: boolean, done: () => void) => {
      live.delete(connection);
      if (live.size === 0) RED.events.removeListener('flows:started', onFlowsStarted);
      connection
        .close()
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

  registerTestConnection(RED, t);
};
