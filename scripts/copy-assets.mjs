// Puts every editor asset where Node-RED looks for it, beside the compiled node files
// (dist/nodes/<type>.html, dist/nodes/locales/<lang>/<type>.{json,html}, dist/nodes/icons/).
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'dist', 'nodes');
mkdirSync(target, { recursive: true });
for (const file of readdirSync(path.join(root, 'nodes'))) {
  if (file.endsWith('.html')) cpSync(path.join(root, 'nodes', file), path.join(target, file));
}
cpSync(path.join(root, 'locales'), path.join(target, 'locales'), { recursive: true });
cpSync(path.join(root, 'icons'), path.join(target, 'icons'), { recursive: true });
