'use strict';
/**
 * Utilities for the flow tests of the action nodes (gws-complete-record, gws-get-chained-record):
 * flows on a tab (flow context and Catch nodes need one), collectors of what reaches helper nodes,
 * a per-message record of what an action node did with each input, and the seed exchanges.
 */
const { helper, serverNode } = require('./flow');
const { readSeed } = require('./seeds');

const TAB = 'f1';
const STATUS = 'node-red-contrib-gws-outbound/gws-server:status.';

/** Puts every flow node on tab f1; the gws-server config node stays global. */
function onTab(nodes) {
  return [{ id: TAB, type: 'tab', label: 'actions' }, ...nodes.map((n) => (n.type === 'gws-server' ? n : { z: TAB, ...n }))];
}

/**
 * server + action node `a` (wired to helper `out`) + a Catch node for all nodes of the tab (wired to
 * helper `caught`), plus `extra` nodes.
 */
function actionFlow(sim, { type = 'gws-complete-record', node = {}, server = {}, extra = [] } = {}) {
  return onTab([
    serverNode(sim, server),
    { id: 'a', type, server: 'server', ...node, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    ...extra,
  ]);
}

/** Every message reaching the given helper nodes, in arrival order (listeners stay for the whole test). */
function collect(...ids) {
  const seen = {};
  for (const id of ids) {
    seen[id] = [];
    helper.getNode(id).on('input', (msg) => {
      seen[id].push(msg);
    });
  }
  return seen;
}

/**
 * Records, per `_msgid`, what node `id` did with each input message: how often it sent it and how it
 * ended it (`done()` / `done(err)`). It wraps the methods on the node instance, so it keeps counting
 * while the node closes (helper.unload() restores the test helper's own spies before closing nodes).
 * `byId` may be shared by several node instances (one per redeploy) to count across them.
 */
function track(id, byId = new Map()) {
  const node = helper.getNode(id);
  const entry = (msgid) => {
    if (!byId.has(msgid)) byId.set(msgid, { sent: 0, done: 0, errors: [] });
    return byId.get(msgid);
  };
  const send = node.send;
  node.send = function (msg, ...rest) {
    for (const m of Array.isArray(msg) ? msg.flat() : [msg]) if (m) entry(m._msgid).sent++;
    return send.call(this, msg, ...rest);
  };
  const complete = node._complete;
  node._complete = function (msg, error) {
    const e = entry(msg._msgid);
    if (error) e.errors.push(String(error));
    else e.done++;
    return complete.call(this, msg, error);
  };
  return {
    node,
    byId,
    get: (msgid) => byId.get(msgid) ?? { sent: 0, done: 0, errors: [] },
    /** Inputs that ended (with done() or done(err)). */
    ended: () => [...byId.values()].filter((e) => e.done + e.errors.length > 0).length,
  };
}

/**
 * Sends `msg` to node `id` and resolves with what it ended in: `{ out }` (the next message at helper
 * `out`) or `{ caught }` (the next message at helper `caught`). `seen` is what `collect('out', 'caught')` returned.
 */
async function exchange(seen, msg, id = 'a', timeoutMs = 5000) {
  const { until } = require('./index');
  const outs = seen.out.length;
  const caught = seen.caught.length;
  helper.getNode(id).receive(msg);
  await until(() => seen.out.length > outs || seen.caught.length > caught, timeoutMs, `an output or an error from ${id}`);
  return seen.out.length > outs ? { out: seen.out.at(-1) } : { caught: seen.caught.at(-1) };
}

/** The output message `msg` ends in at node `id`; fails with the error text when it ends in an error. */
async function expectOutput(seen, msg, id = 'a', timeoutMs = 5000) {
  const { out, caught } = await exchange(seen, msg, id, timeoutMs);
  if (caught) throw new Error(`expected an output from ${id}, got the error: ${caught.error.message}`);
  return out;
}

/** The message a Catch node got for `msg` at node `id`; fails when it ends in an output. */
async function expectError(seen, msg, id = 'a', timeoutMs = 5000) {
  const { out, caught } = await exchange(seen, msg, id, timeoutMs);
  if (out) throw new Error(`expected an error from ${id}, got an output with topic ${out.topic}`);
  return caught;
}

/** True while the server node's shared connection has its subscriptions confirmed. */
function isConnected() {
  return helper.getNode('server')?.connectionState?.status === 'connected';
}

module.exports = { TAB, STATUS, onTab, actionFlow, collect, track, exchange, expectOutput, expectError, isConnected, readSeed };
