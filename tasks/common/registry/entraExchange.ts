// ACR's Entra ID sign-in: `/oauth2/exchange` at the registry turns an Entra access token into a
// refresh token. The one exchange for the registry client and for tools (Helm); the caller has
// checked the realm with realmPolicy ('entra': the registry's own host and port only).
import type { SecretRegistry } from '../log';
import { RegistryError } from './registryError';
import type { RequestStats } from './stats';
import { tokenServiceCall } from './tokenService';
import type { Transport } from '../net/transport';

/** Entra ID sign-in: the tenant is read after the first token (a lazily loaded credential learns it then). */
export interface EntraSignIn {
  readonly tenantId?: string;
  getAccessToken(): Promise<string>;
}

export interface ExchangeAt {
  readonly registry: string;
  /** The token realm the registry named; the exchange is `/oauth2/exchange` on its origin. */
  readonly realm: URL;
  /** The challenge's `service` (default: the registry). */
  readonly service?: string;
}

/** The refresh token for `entra` at the registry; every token is registered as a secret first. */
export async function exchangeEntraToken(
  deps: { readonly transport: Transport; readonly stats: RequestStats; readonly secrets: SecretRegistry },
  at: ExchangeAt,
  entra: EntraSignIn,
): Promise<string> {
  const accessToken = await entra.getAccessToken();
  deps.secrets.register(accessToken);
  const form = new URLSearchParams({ grant_type: 'access_token', service: at.service ?? at.registry });
  if (entra.tenantId) form.set('tenant', entra.tenantId);
  form.set('access_token', accessToken);
  const url = new URL('/oauth2/exchange', at.realm);
  const answer = await tokenServiceCall(deps.transport, deps.stats, {
    registry: at.registry,
    scopes: [],
    method: 'POST',
    url,
    headers: {},
    form,
    what: 'exchange Entra ID token at',
  });
  const refresh = answer['refresh_token'];
  if (typeof refresh !== 'string' || refresh === '') {
    throw new RegistryError(
      `${url.origin}${url.pathname} answered without a refresh token for ${at.registry}: check that ` +
        `the Entra ID identity has AcrPull/AcrPush on the registry.`,
      { registry: at.registry, operation: 'exchange Entra ID token', access: 'pull' },
    );
  }
  deps.secrets.register(refresh);
  return refresh;
}
