// Where a registry's credentials may go: the one rule for token realms (registry client and Helm).
//
// A password, identity token or refresh token goes to a token realm only
//  - on the registry's own host and port (ACR, Harbor, distribution, GHCR...), or
//  - over HTTPS on a host of the registry's registrable domain (Docker Hub: registry-1.docker.io
//    signs in at auth.docker.io).
// An Entra ID token is stricter: it is exchanged only at the registry's own host and port.
// Plain HTTP is allowed only where the registry itself may be plain HTTP (loopback hosts and
// insecureRegistries, Docker's rule).
//
// Registrable domain: the last two labels (docker.io), or three under a two-label public suffix
// of a country (example.co.uk, example.com.au). Under a domain shared by many tenants of one
// provider (myreg.azurecr.io, *.amazonaws.com, *.jfrog.io, ...) every host is its own domain:
// other.azurecr.io belongs to someone else. IP addresses and single-label names (localhost) have
// no registrable domain: only the same host and port qualifies.
import net from 'node:net';
import { RegistryError } from './registryError';

/**
 * Suffixes under which each host belongs to a different customer: only the exact host qualifies.
 * Hand-kept (the Public Suffix List is the complete answer); a hosting domain missing here falls
 * back to the last-two-labels rule, which only matters for a realm on another host over HTTPS.
 */
const SHARED_SUFFIXES = [
  'azurecr.io',
  'azurecr.cn',
  'azurecr.us',
  'azurecr.de',
  'amazonaws.com',
  'amazonaws.com.cn',
  'pkg.dev',
  'gcr.io',
  'jfrog.io',
  'ocir.io',
  'azurewebsites.net',
  'cloudapp.azure.com',
  'cloudapp.net',
  'windows.net',
  'cloudfront.net',
  'herokuapp.com',
  'appspot.com',
  'run.app',
  'github.io',
  'gitlab.io',
  'ngrok.io',
  'ngrok-free.app',
  'azurecontainerapps.io',
  'azurecontainer.io',
  'azure-api.net',
  'azurefd.net',
  'trafficmanager.net',
  'vercel.app',
  'netlify.app',
  'fly.dev',
  'pages.dev',
  'workers.dev',
  'onrender.com',
  'ondigitalocean.app',
];

/** Second-level labels that, under a two-letter country code, form a public suffix (co.uk). */
const COUNTRY_SECOND_LEVEL = new Set([
  'co',
  'com',
  'net',
  'org',
  'gov',
  'edu',
  'ac',
  'or',
  'ne',
  'go',
  'ltd',
  'plc',
  'me',
  'nom',
  'sch',
  'mil',
]);

function bareHostname(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** The registrable domain of a host name, or undefined for IP addresses and single labels. */
export function registrableDomain(hostname: string): string | undefined {
  const host = bareHostname(hostname);
  if (net.isIP(host) !== 0) return undefined;
  const labels = host.split('.');
  if (labels.length < 2 || labels.some((l) => l === '')) return undefined;
  if (SHARED_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))) return host;
  const tld = labels[labels.length - 1] ?? '';
  const second = labels[labels.length - 2] ?? '';
  const take = tld.length === 2 && COUNTRY_SECOND_LEVEL.has(second) ? 3 : 2;
  return labels.length < take ? undefined : labels.slice(-take).join('.');
}

function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** Same host name and same port (default ports made explicit). */
export function sameHostAndPort(a: URL, b: URL): boolean {
  return bareHostname(a.hostname) === bareHostname(b.hostname) && effectivePort(a) === effectivePort(b);
}

export type CredentialKind = 'password' | 'entra';

/**
 * Why `realm` may not receive a `kind` credential of the registry at `origin`, or undefined when
 * it may. `plainHttpAllowed`: the registry itself may be plain HTTP (loopback, insecureRegistries).
 */
export function realmRefusal(
  origin: URL,
  realm: URL,
  kind: CredentialKind,
  plainHttpAllowed: boolean,
): string | undefined {
  if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && plainHttpAllowed)) {
    return `it is not HTTPS (${realm.protocol.replace(':', '')}), and ${origin.host} is neither a loopback host nor listed in insecureRegistries`;
  }
  if (sameHostAndPort(origin, realm)) return undefined;
  if (kind === 'entra') {
    return `an Entra ID token is exchanged only at the registry's own host and port (${origin.host})`;
  }
  const domain = registrableDomain(origin.hostname);
  if (realm.protocol === 'https:' && domain !== undefined && domain === registrableDomain(realm.hostname)) {
    return undefined;
  }
  return (
    `it is neither the registry's own host and port (${origin.host}) nor, over HTTPS, a host of ` +
    `the registry's domain${domain && domain !== bareHostname(origin.hostname) ? ` (${domain})` : ''}`
  );
}

/**
 * Throws a RegistryError naming both hosts when `realm` may not receive the credential; the
 * credential has not been sent anywhere then.
 */
export function assertRealmAllowed(
  registry: string,
  origin: URL,
  realm: URL,
  kind: CredentialKind,
  plainHttpAllowed: boolean,
): void {
  const reason = realmRefusal(origin, realm, kind, plainHttpAllowed);
  if (reason === undefined) return;
  const what = kind === 'entra' ? 'the Entra ID token' : 'the credentials';
  throw new RegistryError(
    `The registry ${registry} sends sign-in to the token service ${realm.origin}${realm.pathname}, ` +
      `which may not receive ${what} for ${registry}: ${reason}. Nothing was sent there. Check that ` +
      `${registry} is the registry you meant and its token service setting (the realm in its ` +
      `WWW-Authenticate answer); credentials go only to the registry's own host.`,
    { registry, operation: 'sign in', access: 'pull' },
  );
}

/** A token realm that passed realmPolicy, with the service the same challenge named. */
export interface CheckedRealm {
  readonly realm: URL;
  readonly service?: string;
}
