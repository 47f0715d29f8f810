// Open sockets of a process from /proc (Linux): its file descriptors that are sockets, joined by inode with
// the kernel's TCP tables, so that the sockets to the simulator can be counted by state. A socket in
// CLOSE_WAIT is one the server has closed and the process has not: a pooled keep-alive socket that a
// request would be sent on and lost.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const STATES = {
  '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '06': 'TIME_WAIT',
  '07': 'CLOSE', '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0A': 'LISTEN', '0B': 'CLOSING',
};

/** Number of open file descriptors of `pid` (cheap enough to sample while a burst runs). */
export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** inode → { localPort, remotePort, state } for every TCP socket in the process's network namespace. */
function tcpTable(pid) {
  const table = new Map();
  for (const file of ['tcp', 'tcp6']) {
    let text;
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    for (let i = 1; i < lines.length; i++) {
      const f = lines[i].trim().split(/\s+/);
      if (f.length < 10) continue;
      const port = (address) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      table.set(f[9], { localPort: port(f[1]), remotePort: port(f[2]), state: STATES[f[3]] ?? f[3] });
    }
  }
  return table;
}

/**
 * The sockets of `pid`: total file descriptors, sockets, and its TCP sockets to `serverPort` by state
 * (plus listening and other TCP sockets, and non-TCP sockets such as Unix sockets).
 */
export function processSockets(pid, { serverPort } = {}) {
  let fds;
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const inodes = [];
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith('socket:[')) inodes.push(target.slice(8, -1));
    } catch {
      // closed meanwhile
    }
  }
  const table = tcpTable(pid);
  const toServer = {};
  let toServerTotal = 0;
  let listening = 0;
  let otherTcp = 0;
  let notTcp = 0;
  for (const inode of inodes) {
    const entry = table.get(inode);
    if (!entry) {
      notTcp++;
      continue;
    }
    if (entry.state === 'LISTEN') listening++;
    else if (serverPort !== undefined && entry.remotePort === serverPort) {
      toServer[entry.state] = (toServer[entry.state] ?? 0) + 1;
      toServerTotal++;
    } else otherTcp++;
  }
  return { fds: fds.length, sockets: inodes.length, toServer: toServerTotal, toServerByState: toServer, listening, otherTcp, notTcp };
}
