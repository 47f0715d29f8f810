// Starts a real Node-RED (the dev dependency) in its own process group, with a fresh user directory in
// which this package is installed by a link, telemetry and editor tours off, on 127.0.0.1.
// Used by `npm start`, the browser test and the benchmarks.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/**
 * Writes settings.js, flows.json and flows_cred.json (unencrypted: credentialSecret false) into `dir`
 * and links this package into its node_modules, where Node-RED looks for installed nodes.
 */
export function prepareUserDir({ dir, flows = [], credentials = {}, port = 1880, settings = {}, linkPackage = true, clean = true }) {
  if (clean) rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  if (linkPackage) symlinkSync(root, path.join(dir, 'node_modules', 'node-red-contrib-gws-outbound'), 'dir');
  const allSettings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false }, palette: { categories: ['Genesys', 'common', 'function', 'network'] } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...settings,
  };
  writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(allSettings, null, 2)};\n`);
  if (clean || !existsSync(path.join(dir, 'package.json'))) {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-user-dir', private: true }, null, 2));
  }
  writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flows, null, 2));
  writeFileSync(path.join(dir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
}

/**
 * Starts Node-RED on `port` with `userDir`; resolves once the flows have started. `stop()` ends the
 * whole process group. Output goes to `onOutput` (default: this process's stdout).
 */
export function startNodeRed({ userDir, port = 1880, env = {}, onOutput = (text) => process.stdout.write(text), nodeBinary = process.execPath, timeoutMs = 60000, redScript = require.resolve('node-red/red.js') }) {
  const red = redScript;
  const child = spawn(nodeBinary, [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js'), '--port', String(port)], {
    cwd: userDir,
    env: { ...process.env, NODE_RED_ENABLE_TOURS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Node-RED did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      onOutput(text);
      if (/Started flows/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited with code ${code}:\n${output}`));
    });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    started,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
