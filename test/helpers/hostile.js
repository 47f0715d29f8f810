'use strict';
/**
 * A hostile GWS for the tests: a reverse proxy in front of the simulator (127.0.0.1, port 0) that
 * passes everything through but lets a test rewrite answers — the CometD long polls and the REST
 * answers — the way a broken or malicious server would.
 */
const http = require('node:http');

/**
 * `rewrite({ method, path, status, headers, body, requestBody })` may return (or resolve with, to hold
 * the answer back) a new `{ status, body }` (body text), or undefined to pass the answer on unchanged.
 */
async function hostileFront(sim, rewrite = () => undefined) {
  const target = new URL(sim.url);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const upstream = http.request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      }, (answer) => {
        const parts = [];
        answer.on('data', (chunk) => parts.push(chunk));
        answer.on('end', async () => {
          const body = Buffer.concat(parts).toString('utf8');
          let changed;
          try {
            changed = await front.rewrite({ method: req.method, path: req.url, status: answer.statusCode, headers: answer.headers, body, requestBody: requestBody.toString('utf8') });
          } catch (error) {
            changed = { status: 500, body: String(error) };
          }
          if (res.destroyed) return;
          const status = changed?.status ?? answer.statusCode;
          const text = changed?.body ?? body;
          const headers = { ...answer.headers };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(requestBody);
    });
  });
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const front = {
    url: `http://127.0.0.1:${server.address().port}`,
    rewrite,
    async stop() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return front;
}

/** True for the answer of a CometD request that carries notifications (data messages). */
function isNotificationAnswer({ path, body }) {
  if (!path.startsWith('/api/v2/notifications')) return false;
  try {
    const messages = JSON.parse(body);
    return Array.isArray(messages) && messages.some((m) => m && m.data !== undefined);
  } catch {
    return false;
  }
}

/** True for the answer to a /meta/connect (the long poll). */
function isConnectAnswer({ path, requestBody }) {
  return path.startsWith('/api/v2/notifications') && requestBody.includes('"/meta/connect"');
}

module.exports = { hostileFront, isNotificationAnswer, isConnectAnswer };
