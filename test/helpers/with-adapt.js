'use strict';
/**
 * Runs mocha specs in a child process in which cometd-nodejs-client's adapt() was called first (as
 * another Node-RED package in the same runtime would), and resolves with its exit code and output.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

function runWithAdapt(specs, { timeoutMs = 180000 } = {}) {
  return new Promise((resolve) => {
    const args = [require.resolve('mocha/bin/mocha.js'), '--no-config', '--timeout', String(timeoutMs), '--node-option', 'expose-gc', '--require', path.join(__dirname, 'adapt.js'), ...specs];
    const child = spawn(process.execPath, args, { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

module.exports = { runWithAdapt };
