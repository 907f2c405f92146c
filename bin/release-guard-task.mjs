#!/usr/bin/env node
// `npx release-guard-task <pipeline.yml>` from a clone (and `npm run task -- ...`): builds and
// packs the extension when it has not been built yet, then runs the pipeline with out/runner/cli.js.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'out', 'runner', 'cli.js');
const packed =
  fs.existsSync(path.join(root, 'dist')) &&
  fs.readdirSync(path.join(root, 'dist')).some((f) => f.endsWith('.vsix'));
if (!fs.existsSync(cli) || !packed) {
  process.stderr.write('release-guard-task: building and packing the extension first (npm run package)\n');
  for (const script of ['build.mjs', 'package.mjs']) {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', script)], {
      cwd: root,
      stdio: ['ignore', 2, 2],
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
// `npm run task` runs in the package root: paths on the command line are the caller's.
if (process.env.npm_lifecycle_event === 'task' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
const { main } = createRequire(import.meta.url)(cli);
process.exitCode = await main(process.argv.slice(2));
