import fs from 'node:fs';
import path from 'node:path';
import { isLoopbackHost } from '../registry/endpoints';
import type { HelmRunner } from './helmRunner';

export interface HelmRegistryCredential {
  readonly username: string;
  readonly password: string;
}

/** Registries reached over plain HTTP: loopback hosts and the ones listed as insecure. */
export function usesPlainHttp(host: string, insecureRegistries: readonly string[]): boolean {
  const wanted = host.toLowerCase();
  const bare = (entry: string) =>
    entry
      .trim()
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/+$/, '')
      .toLowerCase();
  return (
    isLoopbackHost(host) ||
    insecureRegistries.some((e) => bare(e) === wanted || bare(e) === wanted.split(':')[0])
  );
}

/** The flag that makes this Helm talk plain HTTP: `--plain-http` for push/pull; login differs by version. */
export function plainHttpFlags(
  runner: HelmRunner,
  plainHttp: boolean,
  command: 'login' | 'transfer',
): string[] {
  if (!plainHttp) return [];
  if (command === 'login') return [runner.major >= 4 ? '--plain-http' : '--insecure'];
  return ['--plain-http'];
}

function seedRegistryConfig(file: string, host: string): void {
  let config: { auths?: Record<string, unknown> } = {};
  if (fs.existsSync(file)) config = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof config;
  config.auths = { ...(config.auths ?? {}), [host]: config.auths?.[host] ?? {} };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
}

/**
 * `helm registry login` with the password on stdin, into the runner's private HELM_REGISTRY_CONFIG
 * (removed with the runner).
 */
export async function helmRegistryLogin(
  runner: HelmRunner,
  host: string,
  credential: HelmRegistryCredential,
  plainHttp: boolean,
): Promise<void> {
  // An empty registry config makes Helm (oras) detect the OS credential store (wincred,
  // osxkeychain, secretservice) and save the password there, outliving the task. An entry for the
  // host marks the file as configured, so the login is stored in this private file only.
  seedRegistryConfig(runner.registryConfigFile, host);
  await runner.mustRun(
    [
      'registry',
      'login',
      host,
      '--username',
      credential.username,
      '--password-stdin',
      ...plainHttpFlags(runner, plainHttp, 'login'),
    ],
    { stdin: credential.password },
  );
}
