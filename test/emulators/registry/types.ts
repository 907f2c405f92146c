// Public types of the registry fixture (re-exported by index.ts).
import type { BodyCut, Fault } from '../faultProxy';
import type { AcrRequest } from './acrFront';
import type { Action, GrantedAccess } from './tokenGrants';

export type { BodyCut, Fault } from '../faultProxy';

export type { Action, GrantedAccess } from './tokenGrants';
export type { AcrRequest } from './acrFront';

export type RegistryAuth = 'anonymous' | 'basic' | 'token';

export interface RegistryUser {
  username: string;
  password: string;
  /** token auth only: repository glob ('*', 'prod/*', 'team/app') -> allowed actions */
  access: Record<string, Action[]>;
}

export interface StartRegistryOptions {
  auth?: RegistryAuth;
  users?: RegistryUser[];
  /** token auth only: what a token asked for without credentials grants (default: nothing). */
  anonymousAccess?: Record<string, Action[]>;
  /** Entra access tokens accepted by /oauth2/exchange -> username (a map, or a check such as a JWT validation) */
  entraTokens?: Record<string, string> | ((accessToken: string) => string | undefined);
  /** Lifetime of issued access tokens (default 300). */
  tokenLifetimeSeconds?: number;
  /**
   * token auth only: put Azure Container Registry's lock API (`/acr/v1/`, see acrFront.ts) in
   * front; `host` is then that front, and locked tags and manifests refuse writes and deletes.
   */
  acr?: boolean;
  /** Serve HTTPS (the registry's own `http.tls`) with this certificate, instead of plain HTTP. */
  tls?: { readonly certPem: string; readonly keyPem: string };
}

export interface RegistryRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  /** true when the fault proxy answered and the registry never saw the request. */
  injected?: boolean;
  /** Fault proxy only: request body bytes received from the client (also for a cut request). */
  bodyBytes?: number;
  /** Fault proxy only: the proxy cut the connection inside the request body (status 0). */
  cut?: boolean;
}

/** One request to the token server, with what it asked for and what it got. */
export interface TokenRequest {
  /** 'token': GET or POST /oauth2/token; 'exchange': POST /oauth2/exchange. */
  endpoint: 'token' | 'exchange';
  method: string;
  /** POST only: the form's grant_type. */
  grantType?: string;
  /** Who the request authenticated as; undefined when anonymous or rejected. */
  user?: string;
  service?: string;
  /** Requested scopes, one entry per scope (space-separated lists are split). */
  scopes: string[];
  /** The JWT's `access` claim; empty when nothing was granted or the request failed. */
  granted: GrantedAccess[];
  status: number;
}

export interface RegistryFixture {
  /** '127.0.0.1:PORT' (the fault proxy's port when started with faults) */
  readonly host: string;
  /** 'https' when started with `tls`. */
  readonly scheme: 'http' | 'https';
  readonly auth: RegistryAuth;
  /** full rights; always present (anonymous variant: used by nothing) */
  readonly admin: RegistryUser;
  readonly users: readonly RegistryUser[];
  /** token auth only. url = origin of the realm (the realm is `${url}/oauth2/token`). */
  readonly tokenServer?: { readonly url: string; requests(): TokenRequest[] };
  /** Requests the registry served since start or the last resetRequests(). */
  requests(): Promise<RegistryRequest[]>;
  resetRequests(): void;
  /** Only with `faults: true`: make the next `times` matching requests answer `status`. */
  injectFault?(f: Fault): void;
  /** Only with `faults: true`: cut one request body part-way (see BodyCut). */
  injectCut?(cut: BodyCut): void;
  /** Only with `acr: true`: the lock API's requests and the writes it refused (405). */
  readonly acr?: { requests(): AcrRequest[]; refusals(): AcrRequest[] };
  stop(): Promise<void>;
}
