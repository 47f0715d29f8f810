// The flows-library scorecard (`node-red-dev validate`) of this package, offline: the catalogue call is
// answered by a stub (scripts/lib/catalogue-stub.cjs). Writes the scorecard to the path given as first
// argument (default test-output/scorecard.json, outside what is packed) and prints the validator's report.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.resolve(process.argv[2] ?? path.join(root, 'test-output', 'scorecard.json'));
mkdirSync(path.dirname(output), { recursive: true });
const validator = path.join(path.dirname(require.resolve('node-red-dev/package.json')), 'bin', 'run');
const child = spawn(process.execPath, ['-r', path.join(root, 'scripts', 'lib', 'catalogue-stub.cjs'), validator, 'validate', '-p', root, '-o', output], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
child.on('exit', (code) => process.exit(code ?? 1));
