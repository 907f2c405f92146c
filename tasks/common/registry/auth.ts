// Registry sign-in: Basic, Bearer tokens (Docker token protocol and OAuth2 refresh tokens) and
// ACR's Entra ID exchange. One token per registry covers every scope the run declared.
import type { Logger, SecretRegistry } from '../log';
import { challengeScopes, mergeScopes, parseChallenges, scopesCover, type Challenge } from './challenge';
import type { CredentialResolver, RegistryCredential } from './credential';
import { Endpoints } from './endpoints';
import { exchangeEntraToken, type EntraSignIn } from './entraExchange';
import { assertRealmAllowed, realmRefusal, type CheckedRealm } from './realmPolicy';
import { RegistryError } from './registryError';
import type { RequestStats } from './stats';
import { issuedToken, tokenServiceCall } from './tokenService';
import type { Transport } from '../net/transport';

const CLIENT_ID = 'release-guard';

interface CachedToken {
  readonly scopes: readonly string[];
  readonly header: string;
  readonly expiresAt: number;
}

interface RegistryAuthState {
  credential?: Promise<RegistryCredential>;
  scheme?: 'basic' | 'bearer';
  realm?: string;
  service?: string;
  declared: string[];
  tokens: CachedToken[];
  /** Refresh token from ACR's exchange, reused for every scope set. */
  exchanged?: string;
  inflight: Map<string, Promise<CachedToken>>;
}

export interface AuthenticatorDeps {
  readonly credentials: CredentialResolver;
  readonly transport: Transport;
  readonly secrets: SecretRegistry;
  readonly logger: Logger;
  readonly stats: RequestStats;
  /** Where each registry is reached (its own origin, for the token realm rule); default Docker's rule. */
  readonly endpoints?: Endpoints;
  readonly now?: () => number;
}

export class Authenticator {
  private readonly states = new Map<string, RegistryAuthState>();
  private readonly now: () => number;
  private readonly endpoints: Endpoints;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.now = deps.now ?? Date.now;
    this.endpoints = deps.endpoints ?? new Endpoints();
  }

  /** Scopes the run will need on `registry`, asked for with the first token so one token serves all. */
  declareScopes(registry: string, scopes: readonly string[]): void {
    const state = this.state(registry);
    state.declared = mergeScopes(state.declared, scopes);
  }

  /** The Authorization header to send now, or undefined before the registry asked for any. */
  async headerFor(registry: string, scopes: readonly string[]): Promise<string | undefined> {
    const state = this.state(registry);
    if (state.scheme === 'basic') return this.basicHeader(registry);
    if (state.scheme !== 'bearer') return undefined;
    const valid = this.validTokens(state);
    const cached = valid.find((t) => scopesCover(t.scopes, scopes));
    if (cached) return cached.header;
    const wanted = mergeScopes(scopes, state.declared, ...valid.map((t) => t.scopes));
    return (await this.token(registry, wanted, scopes)).header;
  }

  /**
   * After a 401: the header to retry with, or undefined when nothing new can be tried (the
   * credentials were refused, or the token already asked for these scopes and did not get them).
   */
  async onUnauthorized(
    registry: string,
    scopes: readonly string[],
    wwwAuthenticate: string | string[] | undefined,
    sent: string | undefined,
  ): Promise<string | undefined> {
    const state = this.state(registry);
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm']);
    if (bearer) return this.onBearer(registry, state, bearer, scopes, sent);
    if (challenges.some((c) => c.scheme === 'basic')) {
      state.scheme = 'basic';
      const header = await this.basicHeader(registry);
      return header === sent ? undefined : header;
    }
    // A 401 without a usable challenge: retry only when a cached token may have gone stale.
    if (sent?.startsWith('Bearer ')) {
      state.tokens = state.tokens.filter((t) => t.header !== sent);
      return state.scheme === 'bearer' ? this.headerFor(registry, scopes) : undefined;
    }
    return undefined;
  }

  private async onBearer(
    registry: string,
    state: RegistryAuthState,
    bearer: Challenge,
    scopes: readonly string[],
    sent: string | undefined,
  ): Promise<string | undefined> {
    state.scheme = 'bearer';
    state.realm = bearer.params['realm'];
    state.service = bearer.params['service'];
    const needed = mergeScopes(scopes, challengeScopes(bearer));
    if (sent?.startsWith('Bearer ')) {
      const refused = state.tokens.find((t) => t.header === sent);
      state.tokens = state.tokens.filter((t) => t.header !== sent);
      if (refused && scopesCover(refused.scopes, needed) && bearer.params['error'] === 'insufficient_scope') {
        return undefined;
      }
    }
    const wanted = mergeScopes(needed, state.declared, ...this.validTokens(state).map((t) => t.scopes));
    return (await this.token(registry, wanted, needed)).header;
  }

  private state(registry: string): RegistryAuthState {
    let state = this.states.get(registry);
    if (!state) {
      state = { declared: [], tokens: [], inflight: new Map() };
      this.states.set(registry, state);
    }
    return state;
  }

  /** The credential the task gives for `registry`, resolved once per registry. */
  credential(registry: string): Promise<RegistryCredential> {
    const state = this.state(registry);
    state.credential ??= this.deps.credentials(registry);
    return state.credential;
  }

  private validTokens(state: RegistryAuthState): CachedToken[] {
    const now = this.now();
    state.tokens = state.tokens.filter((t) => t.expiresAt > now);
    return state.tokens;
  }

  private async basicHeader(registry: string): Promise<string | undefined> {
    const credential = await this.credential(registry);
    if (credential.kind !== 'basic') return undefined;
    const encoded = Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64');
    this.deps.secrets.register(encoded);
    return `Basic ${encoded}`;
  }

  /** A token for `wanted`; when the service refuses that many scopes, one for `needed` alone. */
  private async token(registry: string, wanted: string[], needed: readonly string[]): Promise<CachedToken> {
    try {
      return await this.fetchOnce(registry, wanted);
    } catch (err) {
      const narrower = mergeScopes(needed);
      if (!(err instanceof RegistryError) || narrower.join(' ') === wanted.join(' ')) throw err;
      this.deps.logger.debug(
        `Token for ${wanted.join(' ')} refused on ${registry}; asking for ${narrower.join(' ')}`,
      );
      return this.fetchOnce(registry, narrower);
    }
  }

  private fetchOnce(registry: string, scopes: string[]): Promise<CachedToken> {
    const state = this.state(registry);
    // The same scopes in another order (requests started at once list repositories as they come)
    // share one token request.
    const key = [...scopes].sort().join(' ');
    let pending = state.inflight.get(key);
    if (!pending) {
      pending = this.fetchToken(registry, state, scopes).finally(() => state.inflight.delete(key));
      state.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetchToken(
    registry: string,
    state: RegistryAuthState,
    scopes: string[],
  ): Promise<CachedToken> {
    const credential = await this.credential(registry);
    const realm = this.realmOf(registry, state);
    const origin = new URL(this.endpoints.origin(registry));
    const plainHttpAllowed = this.endpoints.isInsecure(registry);
    // A password or token given for this registry goes only where realmPolicy allows, else the
    // task fails (going anonymous would hide the misconfiguration or the attack behind a 401).
    if (credential.kind === 'basic' || credential.kind === 'refreshToken') {
      assertRealmAllowed(registry, origin, realm, 'password', plainHttpAllowed);
    }
    // The Entra ID sign-in (azureSubscription) stands for every registry no connection covers, ACR
    // or not: a registry whose token service is not on its own host and port is not an ACR that
    // can exchange it, and is asked anonymously (public Docker Hub images next to ACR ones).
    const entraRefused =
      credential.kind === 'entra' ? realmRefusal(origin, realm, 'entra', plainHttpAllowed) : undefined;
    if (entraRefused) {
      this.deps.logger.debug(`Entra ID sign-in not used for ${registry} (${realm.host}): ${entraRefused}.`);
    }
    // Everything below goes to the realm checked above, never to one a concurrent challenge
    // names while this sign-in waits (state.realm may change under it).
    const checked = { realm, ...(state.service ? { service: state.service } : {}) };
    let answer: Record<string, unknown>;
    if (credential.kind === 'refreshToken') {
      answer = await this.refreshGrant(registry, checked, scopes, credential.refreshToken);
    } else if (credential.kind === 'entra' && !entraRefused) {
      const known = state.exchanged;
      const refresh = known ?? (await this.exchange(registry, state, checked, credential));
      try {
        answer = await this.refreshGrant(registry, checked, scopes, refresh);
      } catch (err) {
        if (known === undefined || !(err instanceof RegistryError) || err.details.status !== 401) throw err;
        state.exchanged = undefined; // the refresh token expired: exchange once more
        answer = await this.refreshGrant(
          registry,
          checked,
          scopes,
          await this.exchange(registry, state, checked, credential),
        );
      }
    } else {
      const url = new URL(realm);
      if (state.service) url.searchParams.set('service', state.service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const authorization = credential.kind === 'basic' ? await this.basicHeader(registry) : undefined;
      answer = await this.call(registry, scopes, 'GET', url, authorization ? { authorization } : {});
    }
    const { token, seconds } = issuedToken(answer, registry, realm);
    this.deps.secrets.register(token);
    const margin = Math.min(30, seconds * 0.2);
    const cached = { scopes, header: `Bearer ${token}`, expiresAt: this.now() + (seconds - margin) * 1000 };
    state.tokens.push(cached);
    return cached;
  }

  private refreshGrant(registry: string, at: CheckedRealm, scopes: string[], refreshToken: string) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: refreshToken,
    });
    if (at.service) form.set('service', at.service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    return this.call(registry, scopes, 'POST', at.realm, {}, form);
  }

  /** ACR's refresh token for `registry`: the one this run already exchanged, else one exchange now. */
  refreshTokenFor(registry: string, at: CheckedRealm, entra: EntraSignIn): Promise<string> {
    const state = this.state(registry);
    return state.exchanged !== undefined
      ? Promise.resolve(state.exchanged)
      : this.exchange(registry, state, at, entra);
  }

  private async exchange(
    registry: string,
    state: RegistryAuthState,
    at: CheckedRealm,
    entra: EntraSignIn,
  ): Promise<string> {
    const refresh = await exchangeEntraToken(this.deps, { registry, ...at }, entra);
    state.exchanged = refresh;
    return refresh;
  }

  /** The realm the registry's challenge named, as a URL. */
  private realmOf(registry: string, state: RegistryAuthState): URL {
    try {
      return new URL(state.realm ?? '');
    } catch {
      throw new RegistryError(
        `The registry ${registry} named a token service that is not a URL; check its token auth setting (realm).`,
        { registry, operation: 'sign in', access: 'pull' },
      );
    }
  }

  private call(
    registry: string,
    scopes: readonly string[],
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    form?: URLSearchParams,
  ): Promise<Record<string, unknown>> {
    return tokenServiceCall(this.deps.transport, this.deps.stats, {
      registry,
      scopes,
      method,
      url,
      headers,
      what: 'get token from',
      ...(form ? { form } : {}),
    });
  }
}
