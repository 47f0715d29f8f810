// The code under test, frozen for one run. The working tree is shared: someone may rebuild dist/ while
// the benchmark runs, and a process started later would then load other code than one started earlier.
// So the run copies dist/ (and the sources it was built from, for the file:line references of the
// report) once, at its start, and every process of the run — this one, the simulator, the measurement
// children and both Node-RED instances — loads the package from that copy.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package directory processes load the code from: BENCH_PACKAGE_DIR when set (a run's copy), else the repository. */
export function packageDir() {
  return process.env.BENCH_PACKAGE_DIR || repoRoot;
}

function hashTree(dir) {
  const hash = createHash('sha1');
  const walk = (current) => {
    for (const name of readdirSync(current).sort()) {
      const file = path.join(current, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(path.relative(dir, file)).update(readFileSync(file));
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 12);
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n+$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Copies dist/, package.json and the product sources into `target`, links node_modules, and returns
 * what identifies the code: the dist hash, the git commit and the product files changed since it.
 */
export function freezePackage(target) {
  mkdirSync(target, { recursive: true });
  cpSync(path.join(repoRoot, 'dist'), path.join(target, 'dist'), { recursive: true });
  cpSync(path.join(repoRoot, 'package.json'), path.join(target, 'package.json'));
  for (const dir of ['core', 'nodes', 'simulator']) cpSync(path.join(repoRoot, dir), path.join(target, 'src', dir), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(target, 'node_modules'), 'dir');
  symlinkSync(path.join(repoRoot, 'resources'), path.join(target, 'resources'), 'dir');
  const changed = git(['status', '--porcelain', '--', 'core', 'nodes', 'simulator']);
  return {
    dir: target,
    distHash: hashTree(path.join(target, 'dist')),
    commit: git(['rev-parse', '--short', 'HEAD']),
    // porcelain: two status letters, a space, the path
    changedFiles: changed ? changed.split('\n').map((line) => line.slice(3)).filter(Boolean) : [],
  };
}
