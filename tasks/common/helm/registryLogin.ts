import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import type { ToolLogin } from '../registry';
import { HelmCommandError, type HelmRunOptions, type HelmRunner } from './helmRunner';
import type { ProcessResult } from './processRunner';

/**
 * How Helm reaches a registry, for every command that talks to one (login, push, pull, an OCI
 * upgrade): plain HTTP (`--plain-http`; login differs by version), else HTTPS checked against the
 * task's CA bundle (`--ca-file`, unless Helm already has it through SSL_CERT_FILE) when the agent
 * has a CA beyond the system roots.
 */
export function registryFlags(
  runner: HelmRunner,
  plainHttp: boolean,
  command: 'login' | 'transfer',
): string[] {
  if (plainHttp) return command === 'login' && runner.major < 4 ? ['--insecure'] : ['--plain-http'];
  return runner.caBundleFile && !runner.caThroughEnvironment ? ['--ca-file', runner.caBundleFile] : [];
}

/** Helm's (Go's) words for a server certificate it does not accept. */
const UNTRUSTED_CERTIFICATE = /x509: |tls: failed to verify certificate/;

/**
 * Runs a helm command against `host` with the registry flags; a certificate Helm refuses ends in
 * a message naming the registry and the setting that makes Helm trust it.
 */
export async function runOnRegistry(
  runner: HelmRunner,
  host: string,
  plainHttp: boolean,
  command: 'login' | 'transfer',
  args: readonly string[],
  options: HelmRunOptions = {},
): Promise<ProcessResult> {
  try {
    return await runner.mustRun([...args, ...registryFlags(runner, plainHttp, command)], options);
  } catch (err) {
    if (err instanceof HelmCommandError && UNTRUSTED_CERTIFICATE.test(err.message)) {
      throw new UserError(
        `${err.message}\nHelm does not accept the TLS certificate of registry ${host}. If it comes from a private CA, ` +
          `give the agent that CA (the Agent.CAInfo setting, or NODE_EXTRA_CA_CERTS): Helm gets it as --ca-file.`,
        { cause: err },
      );
    }
    throw err;
  }
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
  credential: ToolLogin,
  plainHttp: boolean,
): Promise<void> {
  // An empty registry config makes Helm (oras) detect the OS credential store (wincred,
  // osxkeychain, secretservice) and save the password there, outliving the task. An entry for the
  // host marks the file as configured, so the login is stored in this private file only.
  seedRegistryConfig(runner.registryConfigFile, host);
  await runOnRegistry(
    runner,
    host,
    plainHttp,
    'login',
    ['registry', 'login', host, '--username', credential.username, '--password-stdin'],
    { stdin: credential.password },
  );
}
