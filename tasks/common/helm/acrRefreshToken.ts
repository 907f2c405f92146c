import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import { parseChallenges } from '../registry/challenge';
import { retryPolicy } from '../registry/retry';
import { Transport, readBody, type TransportOptions } from '../registry/transport';

export interface AcrExchangeOptions {
  /** `myregistry.azurecr.io` */
  readonly host: string;
  readonly plainHttp: boolean;
  /** Entra ID sign-in: its tenant is read after the first token (a lazily loaded credential learns it then). */
  readonly entra: { readonly tenantId?: string; getAccessToken(): Promise<string> };
  readonly transport: TransportOptions;
  readonly logger: Logger;
  readonly secrets: SecretRegistry;
}

async function call(transport: Transport, method: string, url: URL, form?: URLSearchParams) {
  const body = form ? Buffer.from(form.toString(), 'utf8') : undefined;
  const res = await transport.send({
    method,
    url,
    headers: {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(body ? { body } : {}),
  });
  return {
    status: res.status,
    headers: res.headers,
    text: (await readBody(res.body, 1024 * 1024)).toString('utf8'),
  };
}

/**
 * ACR's Entra ID sign-in for tools that only know user name and password (helm registry login):
 * the registry's challenge names its token realm, `/oauth2/exchange` there turns an Entra access
 * token into a refresh token, which ACR accepts as the password of user 00000000-0000-0000-0000-000000000000.
 * The refresh token is registered as a secret before it is returned.
 */
export async function acrRefreshToken(options: AcrExchangeOptions): Promise<string> {
  const transport = new Transport(options.transport, retryPolicy(), options.logger);
  const origin = `${options.plainHttp ? 'http' : 'https'}://${options.host}`;
  const ping = await call(transport, 'GET', new URL('/v2/', origin));
  const bearer = parseChallenges(ping.headers['www-authenticate']).find((c) => c.scheme === 'bearer');
  const realm = bearer?.params['realm'];
  if (!realm) {
    throw new UserError(
      `${options.host} did not ask for a bearer token (HTTP ${ping.status}), so it is not an Azure Container Registry ` +
        `that accepts Entra ID sign-in: use a Docker registry service connection ('registryConnection') instead.`,
    );
  }
  const accessToken = await options.entra.getAccessToken();
  options.secrets.register(accessToken);
  const form = new URLSearchParams({
    grant_type: 'access_token',
    service: bearer.params['service'] ?? options.host,
  });
  if (options.entra.tenantId) form.set('tenant', options.entra.tenantId);
  form.set('access_token', accessToken);
  const exchangeUrl = new URL('/oauth2/exchange', realm);
  const answer = await call(transport, 'POST', exchangeUrl, form);
  let refresh: unknown;
  try {
    refresh = (JSON.parse(answer.text) as Record<string, unknown>)['refresh_token'];
  } catch {
    refresh = undefined;
  }
  if (answer.status !== 200 || typeof refresh !== 'string' || refresh === '') {
    throw new UserError(
      `${exchangeUrl.origin}${exchangeUrl.pathname} refused the Entra ID token for ${options.host} (HTTP ${answer.status}): ` +
        `check that the service connection's identity has AcrPush on the registry.`,
    );
  }
  options.secrets.register(refresh);
  return refresh;
}
