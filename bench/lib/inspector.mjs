// CPU profiles of a time window: of another process through its inspector port (Node-RED is started
// with --inspect=127.0.0.1:<port>), or of this process through node:inspector; and a plain inspector
// client (commands, events, heap snapshots) for the scale run's probe.
import { createWriteStream } from 'node:fs';
import inspector from 'node:inspector';
import { createRequire } from 'node:module';
import { withTimeout } from './util.mjs';

const require = createRequire(import.meta.url);

/**
 * A connection to the inspector of a process listening on 127.0.0.1:`port`: `call(method, params)`
 * sends one DevTools protocol command (bounded by `timeoutMs`), `on(method, fn)` listens to its events.
 */
export async function inspectorClient(port, { timeoutMs = 30000 } = {}) {
  const WebSocket = require('ws');
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(5000) })).json();
  const socket = new WebSocket(list[0].webSocketDebuggerUrl, { maxPayload: 1024 * 1024 * 1024 });
  await withTimeout(new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  }), 5000, 'inspector connection');
  let nextId = 1;
  const waiting = new Map();
  const listeners = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.method) {
      for (const fn of listeners.get(message.method) ?? []) fn(message.params);
      return;
    }
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.error) entry.reject(new Error(message.error.message));
    else entry.resolve(message.result);
  });
  socket.on('close', () => {
    for (const entry of waiting.values()) entry.reject(new Error('inspector connection closed'));
    waiting.clear();
  });
  return {
    call(method, params = {}, callTimeoutMs = timeoutMs) {
      const id = nextId++;
      const answer = new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
      socket.send(JSON.stringify({ id, method, params }));
      return withTimeout(answer, callTimeoutMs, `inspector ${method}`);
    },
    on(method, fn) {
      if (!listeners.has(method)) listeners.set(method, new Set());
      listeners.get(method).add(fn);
      return () => listeners.get(method).delete(fn);
    },
    close() {
      socket.terminate();
    },
  };
}

/** Connects to the inspector of a process listening on 127.0.0.1:`port`. */
export async function remoteProfiler(port) {
  const client = await inspectorClient(port);
  await client.call('Profiler.enable');
  await client.call('Profiler.setSamplingInterval', { interval: 200 });
  return {
    start: () => client.call('Profiler.start'),
    async stop() {
      const { profile } = await client.call('Profiler.stop');
      return profile;
    },
    close() {
      client.close();
    },
  };
}

/**
 * Writes a heap snapshot of the process behind `client` (see inspectorClient) to `file`, streamed
 * chunk by chunk; the snapshot itself runs a full garbage collection first.
 */
export async function remoteHeapSnapshot(client, file, { timeoutMs = 300000 } = {}) {
  const out = createWriteStream(file);
  const off = client.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => out.write(chunk));
  try {
    await client.call('HeapProfiler.enable');
    await client.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, timeoutMs);
  } finally {
    off();
    await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  }
  return file;
}

/** Profiles this process. */
export function localProfiler() {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params = {}) => new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
  });
  return {
    async start() {
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
    },
    async stop() {
      const { profile } = await post('Profiler.stop');
      return profile;
    },
    close() {
      session.disconnect();
    },
  };
}
