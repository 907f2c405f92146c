// `npm run demo`: provisions the tools (registry, Helm, kubectl), builds and packs the extension,
// then plays the release flow with the packaged tasks (out/demo/main.js). Arguments after `--`
// go to the demo: --approve, --kubeconfig FILE, --report FILE.html, --verbose.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { build } from './build.mjs';
import { root, step } from './lib.mjs';
import { pack } from './package.mjs';
import { provision } from './provision.mjs';

async function main() {
  provision({ browser: false });
  await build();
  pack({ dev: false });
  step('Demo: the release flow of delivery v1.0.2, locally');
  const child = spawn(
    process.execPath,
    [path.join(root, 'out', 'demo', 'main.js'), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  // Ctrl-C reaches the demo too (same process group); it stops what it started, then exits.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise((resolve) =>
    child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
  );
  process.exitCode = code;
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
