import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors';
import type { Logger } from '../log';
import { hasExtraCas, trustedCaPems } from '../net';
import type { HelmBinary } from './findHelm';
import { runProcess, type ProcessResult } from './processRunner';

/** Helm environment variables the runner owns: inherited values are dropped. */
const OWNED_ENV = [
  'HELM_CONFIG_HOME',
  'HELM_CACHE_HOME',
  'HELM_DATA_HOME',
  'HELM_REGISTRY_CONFIG',
  'HELM_REPOSITORY_CONFIG',
  'HELM_REPOSITORY_CACHE',
  'HELM_PLUGINS',
  'KUBECONFIG',
  'DOCKER_CONFIG',
];

export interface HelmRunnerOptions {
  readonly helm: HelmBinary;
  /** Parent of the private folder (the agent's temp directory); default the OS temp folder. */
  readonly tempRoot?: string;
  readonly logger: Logger;
  /** Environment to start from (default process.env); Helm's own folders are replaced. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** The agent's CA (Agent.CAInfo, PEM): Helm trusts it for registries, through --ca-file. */
  readonly agentCaPem?: string;
}

export interface HelmRunOptions {
  /** Goes to helm's stdin (a password for --password-stdin). */
  readonly stdin?: string;
  /** Copy helm's output lines to the log as they come. */
  readonly echo?: boolean;
  readonly cwd?: string;
}

/** Go's system roots on Linux (the first file Go finds): --ca-file replaces them, so they go in the bundle. */
const GO_LINUX_ROOTS = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

function goSystemRoots(): string[] {
  if (process.platform !== 'linux') return [];
  const file = GO_LINUX_ROOTS.find((f) => fs.existsSync(f));
  return file ? [fs.readFileSync(file, 'utf8')] : [];
}

/** A helm command that exited non-zero: the message is helm's own error. */
export class HelmCommandError extends UserError {
  constructor(
    readonly command: string,
    readonly result: ProcessResult,
  ) {
    const said = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/).slice(-15).join('\n');
    super(`helm ${command} failed (exit code ${result.code ?? 'killed'}): ${said || 'no output'}`);
  }
}

/** `upgrade`, `registry login`, `dependency build`: what to call the command in a message. */
function commandName(args: readonly string[]): string {
  const [first, second] = args;
  const twoWords = ['registry', 'dependency', 'repo', 'plugin', 'get'];
  return first && second && twoWords.includes(first) ? `${first} ${second}` : (first ?? '');
}

/**
 * How an argument is shown in the log: wrapped in quotes when it has spaces, never escaped, so an
 * argument that holds a secret is shown exactly as the agent knows it and stays masked.
 */
function shown(arg: string): string {
  return /[\s"']/.test(arg) ? `'${arg}'` : arg;
}

/**
 * Runs helm in an isolated environment: its config, cache, data, plugins, repository and registry
 * credentials live in a private temporary folder (mode 0700) that dispose() removes, so nothing
 * the task does reaches the agent's own Helm setup and no credential outlives the task.
 */
export class HelmRunner {
  readonly dir: string;
  /**
   * The CA bundle Helm checks registry certificates with (`--ca-file`): Node's roots,
   * NODE_EXTRA_CA_CERTS and the agent's CA, so Helm trusts what the task's own clients trust
   * (Helm's --ca-file replaces the system roots). Undefined when there is nothing beyond the roots.
   */
  readonly caBundleFile: string | undefined;
  /** Whether Helm trusts the bundle through SSL_CERT_FILE, so registry commands need no --ca-file. */
  readonly caThroughEnvironment: boolean = false;
  private readonly env: NodeJS.ProcessEnv;
  private disposed = false;

  constructor(private readonly options: HelmRunnerOptions) {
    const root = options.tempRoot ?? os.tmpdir();
    fs.mkdirSync(root, { recursive: true });
    this.dir = fs.mkdtempSync(path.join(root, 'helm-'));
    fs.chmodSync(this.dir, 0o700);
    const base = { ...(options.baseEnv ?? process.env) };
    for (const name of OWNED_ENV) delete base[name];
    const sub = (name: string): string => {
      const dir = path.join(this.dir, name);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      return dir;
    };
    this.env = {
      ...base,
      HELM_CONFIG_HOME: sub('config'),
      HELM_CACHE_HOME: sub('cache'),
      HELM_DATA_HOME: sub('data'),
      HELM_PLUGINS: sub('plugins'),
      HELM_REGISTRY_CONFIG: path.join(sub('registry'), 'config.json'),
      HELM_REPOSITORY_CONFIG: path.join(sub('repository'), 'repositories.yaml'),
      HELM_REPOSITORY_CACHE: sub('repository-cache'),
      DOCKER_CONFIG: sub('docker'),
    };
    if (hasExtraCas(options.agentCaPem)) {
      this.caBundleFile = path.join(this.dir, 'ca-bundle.pem');
      const pems = [...trustedCaPems(options.agentCaPem), ...goSystemRoots()];
      fs.writeFileSync(this.caBundleFile, pems.join('\n'), { mode: 0o600 });
      // Helm 3.17 drops HTTPS_PROXY for registry calls given --ca-file (helm/helm#13116 came back
      // in 3.17; observed with 3.17.3 push). Go on Linux reads SSL_CERT_FILE as its roots instead.
      this.caThroughEnvironment = this.major < 4 && !!this.env['HTTPS_PROXY'] && process.platform === 'linux';
      if (this.caThroughEnvironment) this.env['SSL_CERT_FILE'] = this.caBundleFile;
    }
  }

  get helm(): HelmBinary {
    return this.options.helm;
  }

  /** The private HELM_REGISTRY_CONFIG file of this run. */
  get registryConfigFile(): string {
    return String(this.env['HELM_REGISTRY_CONFIG']);
  }

  get major(): number {
    return this.options.helm.version.major;
  }

  /** Where Helm 4 looks for plugins (the post-renderer plugin goes there). */
  get pluginsDir(): string {
    return this.env['HELM_PLUGINS'] ?? path.join(this.dir, 'plugins');
  }

  /** A private file path inside the runner's folder (removed by dispose). */
  privatePath(name: string): string {
    return path.join(this.dir, name);
  }

  setEnv(name: string, value: string): void {
    this.env[name] = value;
  }

  /** Runs helm; resolves whatever the exit code. */
  async run(args: readonly string[], options: HelmRunOptions = {}): Promise<ProcessResult> {
    if (this.disposed) throw new Error('HelmRunner used after dispose()');
    const { logger } = this.options;
    logger.debug(
      `helm ${args.map(shown).join(' ')}${options.stdin !== undefined ? ' (stdin: <hidden>)' : ''}`,
    );
    return runProcess(this.options.helm.path, args, {
      env: this.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.echo ? { onLine: (line: string) => logger.info(line) } : {}),
    });
  }

  /** Runs helm; a non-zero exit code throws HelmCommandError with helm's message. */
  async mustRun(args: readonly string[], options: HelmRunOptions = {}): Promise<ProcessResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new HelmCommandError(commandName(args), result);
    return result;
  }

  /** Removes the private folder: credentials, values files, plugins. Safe to call twice. */
  dispose(): void {
    this.disposed = true;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
