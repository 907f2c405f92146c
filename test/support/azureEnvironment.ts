// The Azure side of a test: an Entra ID emulator with one app per sign-in method, the Azure DevOps
// OIDC token fixture it trusts, and AzureRM connection descriptions pointing at them.
import crypto from 'node:crypto';
import type { AzureRmConnection } from '../../tasks/common/azure/connection';
import type { EndpointSpec } from './taskRunner';
import { type EntraIdEmulator, startEntraIdEmulator } from '../emulators/entraIdEmulator';
import { type OidcTokenFixture, startOidcTokenFixture } from '../emulators/oidcTokenFixture';
import { type ClientCertificate, clientCertificate } from '../emulators/testCertificates';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const SUBSCRIPTION = 'c0ffee00-1111-2222-3333-444455556666';
export const PROJECT = { id: '4f1c7a6e-0d8b-4bd5-9f55-2b7d0f4a2c11', name: 'Delivery' };

/** Ids of the apps, identities and connections the environment registers. */
export const ids = {
  secretApp: 'a1b2c3d4-0000-4000-8000-000000000001',
  certApp: 'a1b2c3d4-0000-4000-8000-000000000002',
  wifApp: 'a1b2c3d4-0000-4000-8000-000000000003',
  managedIdentity: 'a1b2c3d4-0000-4000-8000-000000000004',
  wifConnection: 'e0e0e0e0-0000-4000-8000-00000000000a',
  otherWifConnection: 'e0e0e0e0-0000-4000-8000-00000000000b',
  secretConnection: 'e0e0e0e0-0000-4000-8000-00000000000c',
};

export interface AzureTestEnvironment {
  readonly entra: EntraIdEmulator;
  readonly oidc: OidcTokenFixture;
  readonly clientSecret: string;
  readonly certificate: ClientCertificate;
  /** A certificate Entra does not know. */
  readonly strangerCertificate: ClientCertificate;
  /** SystemVssConnection's AccessToken the OIDC fixture expects. */
  readonly jobAccessToken: string;
  /** IDENTITY_HEADER of the App Service style managed identity endpoint. */
  readonly identityHeader: string;
  stop(): Promise<void>;
}

const randomSecret = (prefix: string) => `${prefix}~${crypto.randomBytes(18).toString('base64url')}`;

export async function startAzureTestEnvironment(): Promise<AzureTestEnvironment> {
  const clientSecret = randomSecret('spn');
  const jobAccessToken = randomSecret('job');
  const identityHeader = randomSecret('msi');
  const [certificate, strangerCertificate] = await Promise.all([
    clientCertificate('release-guard-test-spn'),
    clientCertificate('someone-else'),
  ]);
  const oidc = await startOidcTokenFixture({
    project: PROJECT,
    accessToken: jobAccessToken,
    serviceConnections: [
      { id: ids.wifConnection, name: 'prod-wif' },
      { id: ids.otherWifConnection, name: 'not-federated' },
    ],
  });
  const entra = await startEntraIdEmulator({
    apps: [
      { tenantId: TENANT, clientId: ids.secretApp, secrets: [clientSecret] },
      { tenantId: TENANT, clientId: ids.certApp, certificatePems: [certificate.certPem] },
      {
        tenantId: TENANT,
        clientId: ids.wifApp,
        federatedCredentials: [{ issuer: oidc.issuer, subject: oidc.subjectFor(ids.wifConnection) }],
      },
    ],
    managedIdentities: [{ tenantId: TENANT, clientId: ids.managedIdentity, systemAssigned: true }],
    identityHeader,
  });
  entra.trustIssuer(oidc.issuer, oidc.publicKey);
  return {
    entra,
    oidc,
    clientSecret,
    certificate,
    strangerCertificate,
    jobAccessToken,
    identityHeader,
    async stop() {
      await Promise.all([entra.stop(), oidc.stop()]);
    },
  };
}

/** An AzureRM connection description in the public cloud whose authority is the emulator. */
export function azureRmConnection(
  env: AzureTestEnvironment,
  id: string,
  scheme: string,
  parameters: Record<string, string>,
  data: Record<string, string> = {},
): AzureRmConnection {
  return {
    id,
    url: 'https://management.azure.com/',
    scheme,
    parameters,
    data: {
      environment: 'AzureCloud',
      subscriptionId: SUBSCRIPTION,
      subscriptionName: 'Fabrikam Production',
      activeDirectoryAuthority: env.entra.authorityHost,
      ...data,
    },
  };
}

/** The same connection as the task runner hands it to a task. */
export function endpointOf(
  env: AzureTestEnvironment,
  id: string,
  scheme: string,
  parameters: Record<string, string>,
  data: Record<string, string> = {},
): EndpointSpec {
  const conn = azureRmConnection(env, id, scheme, parameters, data);
  return { url: conn.url, scheme, parameters, data: conn.data as Record<string, string> };
}
