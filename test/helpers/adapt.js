'use strict';
/**
 * Mocha root hook for the runs "with another CometD package in the same process": calls
 * cometd-nodejs-client's adapt() before any test, as another Node-RED package would. It installs a
 * global `window` with an XMLHttpRequest and a WebSocket; the package must not depend on either.
 */
exports.mochaHooks = {
  async beforeAll() {
    const { adapt } = await import('cometd-nodejs-client');
    adapt();
    if (typeof globalThis.window?.XMLHttpRequest !== 'function') throw new Error('adapt() did not install window.XMLHttpRequest');
  },
};
