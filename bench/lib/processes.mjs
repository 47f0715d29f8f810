// Child processes of the benchmark: the simulator (IPC-driven), one-shot measurement children and
// Node-RED instances. Each is registered in `children` so that it is killed whatever way the run ends.
import { fork } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareUserDir, root, startNodeRed } from '../../scripts/lib/node-red-instance.mjs';
import { children, freePort, killGroup, withTimeout } from './util.mjs';

export { root };
const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts the simulator child (`script`, a bench/lib file speaking sim-child.mjs's IPC protocol); resolves
 * with { url, pid, call(cmd, args), stop() }.
 */
export async function startSimProcess({ users, execArgv = [], timeoutMs = 20000, onUnexpectedExit, script = 'sim-child.mjs' }) {
  const child = fork(path.join(here, script), [], {
    env: { ...process.env, BENCH_SIM_USERS: JSON.stringify(users) },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const unregister = children.add('simulator', () => child.kill('SIGKILL'));
  const pending = new Map();
  let nextId = 1;
  let exited = false;
  let stopping = false;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    if (!stopping) onUnexpectedExit?.(code ?? signal);
    unregister();
    for (const { reject } of pending.values()) reject(new Error(`simulator exited (${code ?? signal})`));
    pending.clear();
    resolve();
  }));
  const ready = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message) => {
      if (message?.ready) return resolve(message);
      const entry = pending.get(message?.id);
      if (!entry) return;
      pending.delete(message.id);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(`simulator ${entry.cmd}: ${message.error}`));
    });
    exit.then(() => reject(new Error('simulator exited before it was ready')));
  });
  const { url } = await withTimeout(ready, timeoutMs, 'simulator start');
  return {
    url,
    pid: child.pid,
    call(cmd, args = {}, callTimeoutMs = 30000) {
      if (exited) return Promise.reject(new Error('simulator is not running'));
      const id = nextId++;
      const answer = new Promise((resolve, reject) => pending.set(id, { resolve, reject, cmd }));
      child.send({ id, cmd, args });
      return withTimeout(answer, callTimeoutMs, `simulator command ${cmd}`);
    },
    async stop() {
      if (exited) return;
      stopping = true;
      try {
        await this.call('stop', {}, 3000);
      } catch {
        // killed below
      }
      const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/**
 * Runs `script` (a bench/lib file) in a fresh node process with `execArgv`, hands it `input`, and
 * resolves with the one result it sends. Killed after `timeoutMs`.
 */
export function runChild(script, input, { execArgv = [], timeoutMs = 120000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, script), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
    const unregister = children.add(script, () => child.kill('SIGKILL'));
    let result;
    let failure;
    const timer = setTimeout(() => {
      failure = new Error(`${script} did not finish within ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message) => {
      if (message?.ok) result = message.result;
      else failure = new Error(`${script}: ${message?.error ?? 'failed'}`);
      child.disconnect();
    });
    child.once('error', (error) => {
      failure ??= error;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      unregister();
      if (failure) reject(failure);
      else if (result === undefined) reject(new Error(`${script} exited (${code ?? signal}) without a result`));
      else resolve(result);
    });
    child.send({ input });
  });
}

/**
 * A Node-RED 4.1 instance with `flows` in its own user directory under `dir`, on a free port of
 * 127.0.0.1 (`settings` are added to settings.js). `externalModules` are linked into the user directory
 * and declared in its package.json, so that function nodes can load them through `libs` without any npm
 * install.
 */
export async function startNodeRedInstance(options) {
  // The port is free when picked but could be taken before Node-RED binds it: one more try on EADDRINUSE.
  try {
    return await startOnce(options);
  } catch (error) {
    if (!/EADDRINUSE|port in use/.test(String(error?.message))) throw error;
    return startOnce(options);
  }
}

async function startOnce({ name, dir, flows, credentials, externalModules = [], env = {}, logFile, timeoutMs = 60000, nodesDir, packageDir, beforeStart, settings: extraSettings = {} }) {
  const port = await freePort();
  prepareUserDir({
    dir,
    flows,
    credentials,
    port,
    settings: {
      functionExternalModules: true,
      ...(nodesDir ? { nodesDir: [nodesDir] } : {}),
      externalModules: { modules: { allowInstall: false } },
      editorTheme: { tours: false, projects: { enabled: false } },
      ...extraSettings,
    },
  });
  if (packageDir) {
    // Load this package from the run's frozen copy instead of the working tree.
    const link = path.join(dir, 'node_modules', 'node-red-contrib-gws-outbound');
    rmSync(link, { force: true });
    symlinkSync(packageDir, link, 'dir');
  }
  if (externalModules.length > 0) {
    const pkg = { name: 'node-red-user-dir', private: true, dependencies: {} };
    for (const module of externalModules) {
      const source = path.join(root, 'node_modules', module);
      const version = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')).version;
      pkg.dependencies[module] = version;
      mkdirSync(path.dirname(path.join(dir, 'node_modules', module)), { recursive: true });
      symlinkSync(source, path.join(dir, 'node_modules', module), 'dir');
    }
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  }
  // Orphan guard: should the bench process die without cleaning up, Node-RED ends itself.
  const settingsFile = path.join(dir, 'settings.js');
  const settings = readFileSync(settingsFile, 'utf8');
  writeFileSync(settingsFile, `const benchParent = ${process.pid};\n` +
    `setInterval(() => { try { process.kill(benchParent, 0); } catch { process.exit(3); } }, 1000).unref();\n` + settings);
  beforeStart?.();
  const output = [];
  const red = startNodeRed({
    userDir: dir,
    port,
    env,
    timeoutMs,
    onOutput: (text) => {
      output.push(text);
      if (logFile) appendFileSync(logFile, text);
    },
  });
  const unregister = children.add(`node-red ${name}`, () => killGroup(red.child.pid));
  try {
    await red.started;
  } catch (error) {
    await red.stop();
    unregister();
    throw error;
  }
  return {
    name,
    url: red.url,
    port,
    pid: red.child.pid,
    output: () => output.join(''),
    async stop() {
      await withTimeout(red.stop(), 10000, `stopping Node-RED ${name}`).catch(() => killGroup(red.child.pid));
      unregister();
    },
  };
}
