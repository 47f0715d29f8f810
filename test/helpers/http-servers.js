'use strict';
/**
 * Plain HTTP servers for the transport tests: the few GWS answers a session needs (GET /api/v2/me,
 * POST answered {"statusCode":0}), with server-side counts of sockets and arrivals, so that a test
 * can tell what really reached the server and how many sockets were open at once.
 */
const http = require('node:http');

/**
 * `keepAliveTimeout`: Node's own keep-alive (sends the `Keep-Alive: timeout=` hint);
 * `idleCloseMs`: no hint, idle sockets closed after that long by the server itself;
 * `onPost(req, res, count)`: replaces the default answer of a POST (after it was counted);
 * `onIdleClose(socket, user)`: called when the server gives up an idle socket (see below).
 */
async function gwsLikeServer({ keepAliveTimeout = 0, idleCloseMs = 0, answerDelayMs = 0, onPost, onIdleClose } = {}) {
  let handle;
  const state = {
    open: 0,
    maxOpen: 0,
    /** Requests being answered at once (received, answer not yet sent), and the most seen. */
    running: 0,
    maxRunning: 0,
    connections: 0,
    arrivals: new Map(),
    posts: 0,
    gets: 0,
    idleCloses: 0,
    userOf: new Map(),
  };
  const server = http.createServer((req, res) => {
    const socket = req.socket;
    if (idleCloseMs) socket.setTimeout(0);
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    res.on('close', () => state.running--);
    const auth = req.headers.authorization ?? '';
    const user = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8').split(':')[0];
    state.userOf.set(socket, user);
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const finish = () => {
        if (idleCloseMs && !socket.destroyed) socket.setTimeout(idleCloseMs);
      };
      res.on('finish', finish);
      if (req.method === 'GET') {
        state.gets++;
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `JSESSIONID=${user}-${state.gets}; Path=/; HttpOnly` });
        res.end(JSON.stringify({ statusCode: 0, user: { userName: user } }));
        return;
      }
      state.posts++;
      const id = new URL(req.url, 'http://x').pathname;
      const count = (state.arrivals.get(id) ?? 0) + 1;
      state.arrivals.set(id, count);
      if (onPost && onPost(req, res, count) !== false) return;
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"statusCode":0}');
      };
      if (answerDelayMs) setTimeout(answer, answerDelayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = keepAliveTimeout;
  server.on('connection', (socket) => {
    state.open++;
    state.connections++;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    socket.on('close', () => {
      state.open--;
    });
  });
  // An idle socket timed out (Node's keep-alive timeout or ours). As a server that closes an idle
  // connection does, it reads nothing more from it (a request written now is lost) and closes it; the
  // close is 50 ms later, so that the test can send in that moment, as a client does that writes to a
  // connection at the instant the server closes it.
  server.on('timeout', (socket) => {
    state.idleCloses++;
    socket.pause();
    socket.removeAllListeners('data');
    (handle.onIdleClose ?? onIdleClose)?.(socket, state.userOf.get(socket));
    setTimeout(() => socket.destroy(), 50);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  handle = {
    /** Replaceable: called right after the server closed an idle socket. */
    onIdleClose: undefined,
    server,
    url,
    state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}

/**
 * A real forwarding proxy (the `proxy` package: absolute-form requests and CONNECT tunnels) on
 * 127.0.0.1 and a free port, counting what went through it. `credentials`: { username, password }
 * required in Proxy-Authorization (a wrong or missing login is answered 407).
 */
async function startProxy({ credentials } = {}) {
  const { createProxy } = await import('proxy');
  const server = createProxy(http.createServer());
  const seen = { requests: [], connects: [], refused: 0, authorizations: [] };
  if (credentials) {
    const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    server.authenticate = (req) => {
      const ok = req.headers['proxy-authorization'] === expected;
      if (!ok) seen.refused++;
      return ok;
    };
  }
  // Prepended, so that they see each request before the proxy handles it.
  server.prependListener('request', (req) => {
    seen.requests.push(`${req.method} ${req.url}`);
    seen.authorizations.push(req.headers['proxy-authorization']);
  });
  server.prependListener('connect', (req) => {
    seen.connects.push(req.url);
    seen.authorizations.push(req.headers['proxy-authorization']);
  });
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

module.exports = { gwsLikeServer, startProxy };
