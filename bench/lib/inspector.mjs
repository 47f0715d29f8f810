// CPU profiles of a time window: of another process through its inspector port (Node-RED is started
// with --inspect=127.0.0.1:<port>), or of this process through node:inspector.
import inspector from 'node:inspector';
import { createRequire } from 'node:module';
import { withTimeout } from './util.mjs';

const require = createRequire(import.meta.url);

/** Connects to the inspector of a process listening on 127.0.0.1:`port`. */
export async function remoteProfiler(port) {
  const WebSocket = require('ws');
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(5000) })).json();
  const socket = new WebSocket(list[0].webSocketDebuggerUrl);
  await withTimeout(new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  }), 5000, 'inspector connection');
  let nextId = 1;
  const waiting = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.error) entry.reject(new Error(message.error.message));
    else entry.resolve(message.result);
  });
  const call = (method, params = {}) => {
    const id = nextId++;
    const answer = new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    socket.send(JSON.stringify({ id, method, params }));
    return withTimeout(answer, 30000, `inspector ${method}`);
  };
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  return {
    start: () => call('Profiler.start'),
    async stop() {
      const { profile } = await call('Profiler.stop');
      return profile;
    },
    close() {
      socket.terminate();
    },
  };
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
