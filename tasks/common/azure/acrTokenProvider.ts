import type { AccessToken, TokenCredential } from '@azure/identity';
import { UserError } from '../errors';
import type { AzureCloud } from './cloud';

/**
 * Which Entra audience to present to ACR's `/oauth2/exchange`: the ACR audience of the cloud
 * (`https://containerregistry.azure.net`, `.azure.us`, `.azure.cn`), accepted by every registry,
 * or the Resource Manager audience, which registries refuse once authentication-as-arm is disabled.
 */
export type AcrAudience = 'containerRegistry' | 'resourceManager';

export interface AcrTokenProviderOptions {
  readonly audience?: AcrAudience;
  /** A cached token is replaced this long before it expires (default 5 minutes). */
  readonly refreshMarginMs?: number;
  readonly now?: () => number;
}

/** The scope to ask Entra ID for, in the connection's cloud. */
export function acrEntraScope(cloud: AzureCloud, audience: AcrAudience = 'containerRegistry'): string {
  const scope =
    audience === 'containerRegistry'
      ? (cloud.containerRegistryScope ?? cloud.managementScope)
      : cloud.managementScope;
  if (!scope) {
    throw new UserError(
      `Cloud '${cloud.name}' has no Azure Container Registry or Resource Manager audience to sign in to ACR with.`,
    );
  }
  return scope;
}

/**
 * `() => Promise<string>` giving an Entra access token for ACR, for the registry client's
 * `{ kind: 'entra', tenantId, getAccessToken }` credential (which does the exchange itself).
 * The token is cached until shortly before it expires; concurrent callers share one request.
 */
export function acrEntraTokenProvider(
  credential: TokenCredential,
  cloud: AzureCloud,
  options: AcrTokenProviderOptions = {},
): () => Promise<string> {
  const scope = acrEntraScope(cloud, options.audience);
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let cached: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;

  const fresh = (t: AccessToken | undefined): t is AccessToken =>
    t !== undefined &&
    now() < t.expiresOnTimestamp - margin &&
    (t.refreshAfterTimestamp === undefined || now() < t.refreshAfterTimestamp);

  return async () => {
    if (fresh(cached)) return cached.token;
    pending ??= (async () => {
      try {
        const token = await credential.getToken(scope);
        if (!token) throw new UserError(`No Entra ID token was returned for ${scope}.`);
        cached = token;
        return token;
      } finally {
        pending = undefined;
      }
    })();
    return (await pending).token;
  };
}
