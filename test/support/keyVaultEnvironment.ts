// The Azure side of the Key Vault tests: an Entra ID emulator with one service principal, and a
// Key Vault emulator behind it, reached exactly as a user configures them (a vault URI in
// keyVaultName, the emulator as the connection's activeDirectoryAuthority).
import crypto from 'node:crypto';
import {
  type AzureConnectionCredential,
  createAzureCredential,
} from '../../tasks/common/azure/credentialFactory';
import { type SecretRegistry, silentLogger } from '../../tasks/common/log';
import { type EntraIdEmulator, startEntraIdEmulator } from '../emulators/entraIdEmulator';
import { type KeyVaultEmulator, type SeedSecret, startKeyVaultEmulator } from '../emulators/keyVaultEmulator';
import type { EndpointSpec } from './taskRunner';

export const TENANT = '4c5d6e7f-1111-4222-8333-944455556666';
export const CLIENT_ID = 'b0b0b0b0-0000-4000-8000-00000000c1d1';
/** The AzureRM service connection id tasks name in azureSubscription. */
export const CONNECTION_ID = 'f00df00d-0000-4000-8000-00000000abcd';

export interface KeyVaultTestEnvironment {
  readonly entra: EntraIdEmulator;
  readonly vault: KeyVaultEmulator;
  readonly clientSecret: string;
  /** The service connection as the agent hands it over. */
  readonly endpoint: EndpointSpec;
  /** Environment for a task run: trusts the emulators' test CA. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startKeyVaultTestEnvironment(
  secrets: readonly SeedSecret[],
  settings: { latencyMs?: number } = {},
): Promise<KeyVaultTestEnvironment> {
  const clientSecret = `kv~${crypto.randomBytes(18).toString('base64url')}`;
  const entra = await startEntraIdEmulator({
    apps: [{ tenantId: TENANT, clientId: CLIENT_ID, secrets: [clientSecret] }],
  });
  const vault = await startKeyVaultEmulator({
    tenantId: TENANT,
    authority: entra.url,
    verifyToken: (token) => entra.verifyAccessToken(token),
    secrets,
    latencyMs: settings.latencyMs,
  });
  return {
    entra,
    vault,
    clientSecret,
    endpoint: {
      url: 'https://management.azure.com/',
      scheme: 'ServicePrincipal',
      parameters: {
        serviceprincipalid: CLIENT_ID,
        tenantid: TENANT,
        authenticationType: 'spnKey',
        serviceprincipalkey: clientSecret,
      },
      data: {
        environment: 'AzureCloud',
        subscriptionId: 'c0ffee00-1111-2222-3333-444455556666',
        subscriptionName: 'Fabrikam Production',
        activeDirectoryAuthority: entra.authorityHost,
      },
    },
    env: { NODE_EXTRA_CA_CERTS: entra.caFile },
    async stop() {
      await Promise.all([vault.stop(), entra.stop()]);
    },
  };
}

/**
 * The connection's credential in this process, as the task builds it; the emulators' CA is
 * trusted through the agent CA setting (tls.caFile), like Agent.CAInfo.
 */
export function inProcessCredential(
  env: KeyVaultTestEnvironment,
  secrets: SecretRegistry = { register: () => undefined },
): AzureConnectionCredential {
  const { url, scheme, parameters, data } = env.endpoint;
  return createAzureCredential(
    { id: CONNECTION_ID, url, scheme, parameters, data: data ?? {} },
    { network: { tls: { caFile: env.entra.caFile } }, secrets, logger: silentLogger },
  );
}

/** Values that break naive handling: logging-command characters, quotes, unicode, line breaks. */
export const SPECIAL_VALUE = `p%40ss;w0rd]&"quoted" 'single' \\back\\slash %AZP25 %3B %0D %5D ##vso[task.complete result=Failed]x <tag> Ünïcødé 🔐 ✓`;
export const MULTI_LINE_VALUE = 'first line: a\nsecond "line"\r\n  third; line ]\n\nlast line\n';

/** A 25 KB value (the Key Vault maximum) of printable ASCII with every special character. */
export function largeValue(seed: string): string {
  const alphabet = `abcXYZ019 %;]&"'\\<>#{}:-_,[]|!@$^*()+=~\`?/`;
  const bytes = crypto.createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < 25 * 1024; i++)
    out += alphabet[((bytes[i % 32] as number) + i * 7) % alphabet.length] ?? '';
  return out.slice(0, 25 * 1024);
}
