import { UserError } from '../errors';
import { type AzureRmConnection, connectionData, describeConnection } from './connection';

/** Where a connection's cloud signs in and which audiences its services use. */
export interface AzureCloud {
  /** The connection's `environment`: AzureCloud, AzureUSGovernment, AzureChinaCloud, AzureStack... */
  readonly name: string;
  /** Authority host with a trailing slash, e.g. `https://login.microsoftonline.us/`. */
  readonly authorityHost: string;
  /**
   * True when MSAL knows this authority host (public and sovereign Azure clouds), so instance
   * discovery works. False for Azure Stack, ADFS and emulators: credentials must then be built
   * with `disableInstanceDiscovery`, or MSAL calls login.microsoftonline.com to "discover" them.
   */
  readonly knownAuthority: boolean;
  /** Azure Stack Hub with ADFS: the tenant is `adfs` and the authority host ends with `/adfs`. */
  readonly adfs: boolean;
  readonly resourceManagerUrl: string | undefined;
  /** The Resource Manager audience (`.../.default`), accepted by ACR unless authentication-as-arm is off. */
  readonly managementScope: string | undefined;
  /** The ACR audience of this cloud, undefined where the cloud has no ACR (Azure Stack). */
  readonly containerRegistryScope: string | undefined;
  readonly keyVaultDnsSuffix: string | undefined;
  readonly keyVaultScope: string | undefined;
}

interface KnownCloud {
  readonly authority: string;
  readonly resourceManager: string;
  readonly containerRegistry: string;
  readonly keyVaultDnsSuffix: string;
  readonly keyVaultResource: string;
}

/** Sovereign cloud endpoints (Azure CLI `az cloud show`, ACR audiences per cloud). */
const KNOWN_CLOUDS: Readonly<Record<string, KnownCloud>> = {
  azurecloud: {
    authority: 'https://login.microsoftonline.com/',
    resourceManager: 'https://management.azure.com/',
    containerRegistry: 'https://containerregistry.azure.net',
    keyVaultDnsSuffix: 'vault.azure.net',
    keyVaultResource: 'https://vault.azure.net',
  },
  azureusgovernment: {
    authority: 'https://login.microsoftonline.us/',
    resourceManager: 'https://management.usgovcloudapi.net/',
    containerRegistry: 'https://containerregistry.azure.us',
    keyVaultDnsSuffix: 'vault.usgovcloudapi.net',
    keyVaultResource: 'https://vault.usgovcloudapi.net',
  },
  azurechinacloud: {
    authority: 'https://login.chinacloudapi.cn/',
    resourceManager: 'https://management.chinacloudapi.cn/',
    containerRegistry: 'https://containerregistry.azure.cn',
    keyVaultDnsSuffix: 'vault.azure.cn',
    keyVaultResource: 'https://vault.azure.cn',
  },
};

/** Authority hosts msal-node has built-in metadata for (instance discovery succeeds for them). */
const KNOWN_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login-us.microsoftonline.com',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
const scopeOf = (resource: string) => `${resource.replace(/\/+$/, '')}/.default`;

function parseAuthority(conn: AzureRmConnection, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(
      `${describeConnection(conn)} has an invalid activeDirectoryAuthority '${value}': not a URL.`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new UserError(
      `${describeConnection(conn)} has activeDirectoryAuthority '${value}': it must be an https URL.`,
    );
  }
  return url;
}

/**
 * The connection's cloud, from its `environment` and `activeDirectoryAuthority` data (the
 * authority as given wins over the built-in table, which is how Azure Stack and test emulators
 * are reached). Nothing defaults to the public cloud when the connection names another one.
 */
export function resolveAzureCloud(conn: AzureRmConnection): AzureCloud {
  const name = connectionData(conn, 'environment') ?? 'AzureCloud';
  const known = KNOWN_CLOUDS[name.toLowerCase()];
  const authorityValue =
    connectionData(conn, 'activeDirectoryAuthority') ??
    connectionData(conn, 'environmentAuthorityUrl') ??
    known?.authority;
  if (authorityValue === undefined) {
    throw new UserError(
      `${describeConnection(conn)} uses environment '${name}' but has no 'activeDirectoryAuthority' data: ` +
        'the task cannot tell where to sign in. Recreate the connection with the Azure Stack / custom cloud endpoints.',
    );
  }
  const authority = parseAuthority(conn, authorityValue);
  const adfs =
    /\/adfs\/?$/i.test(authority.pathname) ||
    connectionData(conn, 'EnableAdfsAuthentication')?.toLowerCase() === 'true';
  const resourceManagerUrl = connectionData(conn, 'resourceManagerUrl') ?? conn.url ?? known?.resourceManager;
  const managementResource =
    connectionData(conn, 'activeDirectoryServiceEndpointResourceId') ?? resourceManagerUrl;
  const keyVaultResource =
    connectionData(conn, 'AzureKeyVaultServiceEndpointResourceId') ?? known?.keyVaultResource;
  return {
    name,
    authorityHost: withSlash(authority.href),
    knownAuthority: !adfs && KNOWN_AUTHORITY_HOSTS.has(authority.hostname.toLowerCase()),
    adfs,
    resourceManagerUrl: resourceManagerUrl ? withSlash(resourceManagerUrl) : undefined,
    managementScope: managementResource ? scopeOf(managementResource) : undefined,
    containerRegistryScope: known ? scopeOf(known.containerRegistry) : undefined,
    keyVaultDnsSuffix: connectionData(conn, 'AzureKeyVaultDnsSuffix') ?? known?.keyVaultDnsSuffix,
    keyVaultScope: keyVaultResource ? scopeOf(keyVaultResource) : undefined,
  };
}
