'use strict';
/** Test utilities: the compiled package, a simulator per test, and waiting for things. */
const path = require('node:path');
const { createHook } = require('node:async_hooks');
const net = require('node:net');

// GWS_PACKAGE_ROOT points the tests at an installed copy of the package (the compatibility runs).
const packageRoot = process.env.GWS_PACKAGE_ROOT || path.join(__dirname, '..', '..');
const dist = path.join(packageRoot, 'dist');
const core = require(path.join(dist, 'core', 'index.js'));
const simulator = require(path.join(dist, 'simulator', 'index.js'));

const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
const USER = { username: 'agent1', password: 'agent1' };

/** A simulator on 127.0.0.1 and a free port. */
function startSim(options = {}) {
  return simulator.startSimulator({ host: '127.0.0.1', port: 0, ...options });
}

/** A core connection to `sim` (not started). */
function connect(sim, options = {}) {
  return core.GwsConnection.create({ baseUrl: sim.url, ...USER, ...options });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `predicate()` is true, polling; rejects after `timeoutMs`. */
async function until(predicate, timeoutMs = 5000, what = 'condition') {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** Resolves with the next state of `connection` whose status is `status`. */
function nextState(connection, status, timeoutMs = 5000) {
  if (connection.state.status === status) return Promise.resolve(connection.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off('state', listener);
      reject(new Error(`no ${status} state within ${timeoutMs} ms (now ${connection.state.status})`));
    }, timeoutMs);
    function listener(state) {
      if (state.status !== status) return;
      clearTimeout(timer);
      connection.off('state', listener);
      resolve(state);
    }
    connection.on('state', listener);
  });
}

/**
 * Records the timers, sockets and other async resources created from now on by the package (or the
 * libraries it drives), until `stop()` returns those still alive. Node's own short-lived caches and the
 * test's own resources are not counted.
 */
const HANDLE_TYPES = /^(Timeout|Immediate|TCPWRAP|TLSWRAP|TCPCONNECTWRAP|TCPSERVERWRAP|PIPEWRAP|UDPWRAP|GETADDRINFOREQWRAP|SHUTDOWNWRAP|WRITEWRAP|FSREQCALLBACK|FSREQPROMISE)$/;

function trackResources(filter = /[\\/]dist[\\/](core|nodes)[\\/]|node_modules[\\/](cometd|got)[\\/]/) {
  const live = new Map();
  const hook = createHook({
    init(id, type) {
      // Only what can keep the process alive: timers, immediates, sockets and pending I/O requests.
      if (!HANDLE_TYPES.test(type)) return;
      const stack = new Error().stack;
      if (filter.test(stack)) live.set(id, { type, stack: stack.split('\n').slice(3, 12).join('\n') });
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();
  return {
    stop() {
      hook.disable();
      return [...live.values()];
    },
  };
}

function completeParams(overrides = {}) {
  return { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE, ...overrides };
}

function chainParams(overrides = {}) {
  return { recordHandle: 7, applicationId: 134, campaignName: 'Campaign1', devicePath: DEVICE, ...overrides };
}

module.exports = { freePort, dist, core, simulator, DEVICE, USER, startSim, connect, delay, until, nextState, trackResources, completeParams, chainParams };
