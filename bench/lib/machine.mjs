// What the numbers were measured on: machine and versions.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { root } from './processes.mjs';

function version(module, from = root) {
  try {
    const require = createRequire(path.join(from, 'package.json'));
    let dir = path.dirname(require.resolve(module));
    // Walk up to the module's own package.json (its "main" may sit in a subfolder).
    for (let i = 0; i < 6; i++) {
      try {
        const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
        if (pkg.name === module) return pkg.version;
      } catch {
        // keep walking
      }
      dir = path.dirname(dir);
    }
    return 'unknown';
  } catch {
    return 'not installed';
  }
}

export function loadAverage() {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

export function machineInfo() {
  const cpus = os.cpus();
  let cpuModel = cpus[0]?.model ?? 'unknown';
  try {
    // Some VMs report a short model name to os.cpus(); /proc/cpuinfo may say more.
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line && line.length - line.indexOf(':') > cpuModel.length + 2) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux
  }
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return {
    machine: {
      cpuModel,
      cores: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
    },
    versions: {
      node: process.versions.node,
      'node-red': version('node-red'),
      // The core used got until it moved to node:http; the naive flow's http request node uses its own got.
      ...(pkg.dependencies?.got ? { 'got (core client)': version('got') } : {}),
      'got (Node-RED http request node, variant 3)': version('got', path.join(root, 'node_modules', '@node-red', 'nodes')),
      cometd: version('cometd'),
      'cometd-nodejs-client': version('cometd-nodejs-client'),
      [pkg.name]: pkg.version,
    },
  };
}
