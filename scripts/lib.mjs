// Small helpers shared by the build, package, provision and test scripts.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Runs a command inheriting stdio; returns true when it exited 0. */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (r.error) console.error(`${cmd}: ${r.error.message}`);
  return r.status === 0;
}

export function step(title) {
  console.log(`\n=== ${title}`);
}
