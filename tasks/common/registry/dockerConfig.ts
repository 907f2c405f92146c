import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import type { SecretRegistry } from '../log';
import type { RegistryCredential } from './credential';

/** The parts of a Docker CLI config.json that carry registry credentials. */
interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** docker.io is stored under its legacy index URL by `docker login`. */
const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];

/** The host a config key names: keys may be bare hosts or URLs (`https://host/v1/`). */
export function configKeyHost(key: string): string {
  const host = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB_KEYS.includes(host) || host === 'index.docker.io' ? 'docker.io' : host;
}

/**
 * Credentials from the agent's Docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`):
 * `credHelpers` for the host, else `auths` (`auth` or `identitytoken`), else `credsStore`.
 * Returns undefined when the config has nothing for the host.
 */
export class DockerConfigCredentials {
  private constructor(
    private readonly file: string,
    private readonly config: DockerConfigFile,
    private readonly secrets: SecretRegistry,
  ) {}

  static load(configDir: string, secrets: SecretRegistry): DockerConfigCredentials | undefined {
    const file = path.join(configDir, 'config.json');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return new DockerConfigCredentials(file, JSON.parse(text) as DockerConfigFile, secrets);
    } catch (err) {
      // Not the parser's message: it quotes the text around the error, which may be a credential.
      const at = /position \d+/.exec((err as Error).message)?.[0];
      throw new UserError(
        `The Docker config ${file} is not valid JSON${at ? ` (at ${at})` : ''}; fix or remove it.`,
      );
    }
  }

  async forHost(host: string): Promise<RegistryCredential | undefined> {
    const wanted = configKeyHost(host);
    const helper = Object.entries(this.config.credHelpers ?? {}).find(
      ([k]) => configKeyHost(k) === wanted,
    )?.[1];
    if (helper) return this.fromHelper(helper, host);
    const entry = Object.entries(this.config.auths ?? {}).find(([k]) => configKeyHost(k) === wanted)?.[1];
    if (entry) {
      const fromAuths = this.fromAuthsEntry(entry, host);
      if (fromAuths) return fromAuths;
    }
    if (this.config.credsStore) return this.fromHelper(this.config.credsStore, host);
    return undefined;
  }

  private fromAuthsEntry(
    entry: NonNullable<DockerConfigFile['auths']>[string],
    host: string,
  ): RegistryCredential | undefined {
    if (entry.identitytoken) {
      this.secrets.register(entry.identitytoken);
      return { kind: 'refreshToken', refreshToken: entry.identitytoken };
    }
    if (entry.auth) {
      this.secrets.register(entry.auth);
      const base64 = /^[A-Za-z0-9+/]+={0,2}$/.test(entry.auth.trim());
      const decoded = base64 ? Buffer.from(entry.auth, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      if (colon <= 0) {
        // The value is not quoted: it is the credential, or a mangled form of it.
        throw new UserError(
          `The Docker config ${this.file} has an 'auth' for ${host} that is not ${base64 ? 'base64 of user:password' : 'base64'}: ` +
            `run 'docker login ${host}' again or fix the entry (base64 of user:password).`,
        );
      }
      const password = decoded.slice(colon + 1);
      this.secrets.register(password);
      return { kind: 'basic', username: decoded.slice(0, colon), password };
    }
    if (entry.username && entry.password) {
      this.secrets.register(entry.password);
      return { kind: 'basic', username: entry.username, password: entry.password };
    }
    return undefined;
  }

  /** Runs `docker-credential-<name> get` with the host on stdin, as the Docker CLI does. */
  private async fromHelper(name: string, host: string): Promise<RegistryCredential | undefined> {
    const program = `docker-credential-${name}`;
    const serverUrl = configKeyHost(host) === 'docker.io' ? 'https://index.docker.io/v1/' : host;
    const { code, stdout, stderr, spawnError } = await runHelper(program, serverUrl);
    if (spawnError) {
      throw new UserError(
        `The Docker credential helper ${program}, named in ${this.file} for ${host}, ` +
          `${spawnError === 'ENOENT' ? "is not on the agent's PATH" : `could not be run (${spawnError})`}: ` +
          `install it, remove it from the config, or use a registry service connection.`,
      );
    }
    // A helper's output is never quoted: helpers may print the credential itself (or parts of it)
    // when they fail or answer oddly, and such text is not registered as a secret.
    if (code !== 0) {
      if (/credentials not found/i.test(stdout + stderr)) return undefined;
      throw new UserError(
        `The Docker credential helper ${program} (from ${this.file}) failed for ${host} with exit code ${code}; ` +
          `its output is not shown because a credential helper may print secrets. Check on the agent that the ` +
          `helper is installed and signed in ('${program} get' with ${serverUrl} on stdin shows its error), or ` +
          `use a registry service connection.`,
      );
    }
    let parsed: { Username?: unknown; Secret?: unknown };
    try {
      parsed = JSON.parse(stdout) as typeof parsed;
    } catch {
      parsed = { Secret: null };
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      !['string', 'undefined'].includes(typeof parsed.Secret)
    ) {
      throw new UserError(
        `The Docker credential helper ${program} (from ${this.file}) answered for ${host} with something that is ` +
          `not its JSON ({"Username": ..., "Secret": ...}); the answer is not shown. Check the helper's version ` +
          `and that '${program} get' works on the agent, or use a registry service connection.`,
      );
    }
    if (typeof parsed.Secret !== 'string' || parsed.Secret === '') return undefined;
    this.secrets.register(parsed.Secret);
    const username = typeof parsed.Username === 'string' ? parsed.Username : '';
    if (username === '<token>') return { kind: 'refreshToken', refreshToken: parsed.Secret };
    return { kind: 'basic', username, password: parsed.Secret };
  }
}

function runHelper(
  program: string,
  input: string,
): Promise<{ code: number; stdout: string; stderr: string; spawnError?: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ code: 127, stdout: '', stderr: '', spawnError: err.code ?? 'error' }),
    );
    // A helper that exits without reading stdin: its exit status tells what happened.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}
