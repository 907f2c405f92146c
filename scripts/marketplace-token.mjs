// The token `npm run publish` signs in to the Visual Studio Marketplace with, and how it got it.
// Order: a PAT from AZURE_DEVOPS_EXT_PAT (where an organization still allows one), else an Entra ID
// access token for Azure DevOps (resource 499b84ac-1321-427f-aa17-267ca6975798) from:
//   1. workload identity federation in a pipeline (AzurePipelinesCredential): the variables the
//      AzureCLI@2 task sets for a WIF connection (AZURESUBSCRIPTION_TENANT_ID, _CLIENT_ID,
//      _SERVICE_CONNECTION_ID) and SYSTEM_ACCESSTOKEN mapped into the step's env;
//   2. a service principal from the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and
//      AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH; AZURE_AUTHORITY_HOST for another cloud);
//   3. the Azure CLI sign-in (`az login`).
// The token is returned, never printed.
import {
  AzureCliCredential,
  AzurePipelinesCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
} from '@azure/identity';

export const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798';
const SCOPE = `${AZURE_DEVOPS_RESOURCE}/.default`;
const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';

/** A usable setting: set and not blank. */
const val = (env, name) => (env[name] ?? '').trim() || undefined;

/** Which credential the environment selects, or undefined when only a PAT or nothing is there. */
export function selectCredential(env = process.env) {
  const authorityHost = (val(env, 'AZURE_AUTHORITY_HOST') ?? PUBLIC_AUTHORITY).replace(/\/+$/, '');
  // MSAL "discovers" an authority it does not know at login.microsoftonline.com; an authority
  // named on purpose (Azure Stack, ADFS, a private cloud) is used as given instead.
  const options = { authorityHost, disableInstanceDiscovery: authorityHost !== PUBLIC_AUTHORITY };
  const pipeline = [
    'AZURESUBSCRIPTION_TENANT_ID',
    'AZURESUBSCRIPTION_CLIENT_ID',
    'AZURESUBSCRIPTION_SERVICE_CONNECTION_ID',
  ];
  if (pipeline.every((n) => val(env, n))) {
    const accessToken = val(env, 'SYSTEM_ACCESSTOKEN');
    if (!accessToken) {
      throw new Error(
        'workload identity federation: SYSTEM_ACCESSTOKEN is not set; map it in the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))',
      );
    }
    return {
      method: `workload identity federation (service connection ${val(env, 'AZURESUBSCRIPTION_SERVICE_CONNECTION_ID')})`,
      credential: new AzurePipelinesCredential(
        val(env, 'AZURESUBSCRIPTION_TENANT_ID'),
        val(env, 'AZURESUBSCRIPTION_CLIENT_ID'),
        val(env, 'AZURESUBSCRIPTION_SERVICE_CONNECTION_ID'),
        accessToken,
        options,
      ),
    };
  }
  const tenant = val(env, 'AZURE_TENANT_ID');
  const client = val(env, 'AZURE_CLIENT_ID');
  if (tenant && client && (val(env, 'AZURE_CLIENT_SECRET') || val(env, 'AZURE_CLIENT_CERTIFICATE_PATH'))) {
    const secret = val(env, 'AZURE_CLIENT_SECRET');
    return {
      method: `service principal ${client} (${secret ? 'client secret' : 'certificate'}) at ${authorityHost}`,
      credential: secret
        ? new ClientSecretCredential(tenant, client, secret, options)
        : new ClientCertificateCredential(tenant, client, val(env, 'AZURE_CLIENT_CERTIFICATE_PATH'), options),
    };
  }
  return { method: 'Azure CLI sign-in', credential: new AzureCliCredential() };
}

/** Resolves to { token, method }: how it was obtained is printable, the token is not. */
export async function marketplaceToken(env = process.env) {
  const pat = val(env, 'AZURE_DEVOPS_EXT_PAT');
  if (pat) return { token: pat, method: 'personal access token from AZURE_DEVOPS_EXT_PAT' };
  const { method, credential } = selectCredential(env);
  try {
    const access = await credential.getToken(SCOPE);
    if (!access?.token) throw new Error('no token returned');
    return { token: access.token, method: `Entra ID token via ${method}` };
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(
      `signing in to Entra ID for Azure DevOps (${SCOPE}) through ${method} failed: ${why}. ` +
        'Check the identity is a member of the Marketplace publisher, or set AZURE_DEVOPS_EXT_PAT.',
    );
  }
}
