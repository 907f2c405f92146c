// A private workspace for running Helm and kubectl against the Kubernetes emulator: a temp dir
// holding the kubeconfig (with the token: it never leaves this dir, which cleanup() removes) and
// Helm's config, cache and data homes, so nothing is read from or written to the user's own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubernetesEmulator } from '../index';
import type { KubeconfigOptions } from '../kubeconfig';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

export class ClientWorkspace {
  readonly dir: string;
  readonly kubeconfigPath: string;

  constructor(emulator: KubernetesEmulator, options: KubeconfigOptions = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-client-'));
    this.kubeconfigPath = path.join(this.dir, 'kubeconfig');
    fs.writeFileSync(this.kubeconfigPath, emulator.kubeconfig(options), { mode: 0o600 });
  }

  /** The environment for helm/kubectl: KUBECONFIG and private HELM_* homes. */
  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KUBECONFIG: this.kubeconfigPath,
      HELM_CONFIG_HOME: path.join(this.dir, 'helm-config'),
      HELM_CACHE_HOME: path.join(this.dir, 'helm-cache'),
      HELM_DATA_HOME: path.join(this.dir, 'helm-data'),
      HELM_REGISTRY_CONFIG: path.join(this.dir, 'helm-registry.json'),
    };
  }

  /** Runs a binary in the workspace; never rejects on a non-zero exit. */
  run(bin: string, args: readonly string[]): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(bin, args, { env: this.env(), cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr, elapsedMs: Date.now() - started }));
    });
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
