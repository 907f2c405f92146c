// What the task gives the registry library to sign in with, per registry host.
import type { EntraSignIn } from './entraExchange';

export type RegistryCredential =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** A Docker identity token or an ACR refresh token: POST realm grant_type=refresh_token. */
  | { readonly kind: 'refreshToken'; readonly refreshToken: string }
  /** ACR with Entra ID: `/oauth2/exchange` turns the access token into a refresh token. */
  | ({ readonly kind: 'entra' } & EntraSignIn);

/** How the library finds the credential for a registry host; given by the task. */
export type CredentialResolver = (registryHost: string) => Promise<RegistryCredential>;
