import type { TokenCredential } from '@azure/identity';
import type { SecretClient, SecretClientOptions, SecretProperties } from '@azure/keyvault-secrets';
import { UserError, errorMessage } from '../errors';
import { KEY_VAULT_RETRY } from '../net';
import {
  type ThrottleStats,
  ThrottleGate,
  newThrottleStats,
  retryThrottled,
  throttlePolicy,
} from './throttling';
import { unusableVaultAnswer } from './vaultAnswers';
import type { VaultAddress } from './vaultAddress';

type AdditionalPolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number];

/** A secret as the vault lists it: no value. */
export interface ListedSecret {
  readonly name: string;
  readonly enabled: boolean;
  readonly expiresOn: Date | undefined;
  readonly notBefore: Date | undefined;
}

/** A secret version with its value. */
export interface SecretVersion extends ListedSecret {
  readonly version: string;
  readonly value: string;
  readonly contentType: string | undefined;
}

/** The vault answered that this secret (version) does not exist, or is disabled. */
export class SecretLookupError extends Error {
  override readonly name = 'SecretLookupError';
  constructor(
    readonly kind: 'notFound' | 'disabled',
    message: string,
  ) {
    super(message);
  }
}

/** Reading a vault: listing pages and getting values, throttling handled. */
export interface VaultReader {
  readonly vault: VaultAddress;
  readonly stats: ThrottleStats;
  /** The vault's secrets, page by page (`maxresults`, then `nextLink`). */
  listPages(pageSize: number): AsyncIterable<readonly ListedSecret[]>;
  /** A secret's latest version, or the given one. */
  getSecret(name: string, version: string | undefined): Promise<SecretVersion>;
}

export interface VaultReaderOptions {
  readonly vault: VaultAddress;
  readonly credential: TokenCredential;
  /** The agent's proxy and CA policies (AzureConnectionCredential.clientOptions). */
  readonly additionalPolicies?: readonly AdditionalPolicy[];
  /** SecretClient's own retries of 429/503 (honouring Retry-After) and network errors; default 6. */
  readonly sdkRetries?: number;
  /** Attempts of this reader around the SDK, once the SDK's retries are spent; default 4. */
  readonly outerAttempts?: number;
  /** The clock that holds requests back while the vault throttles (default: real time). */
  readonly gate?: ThrottleGate;
}

interface SdkError {
  statusCode?: number;
  code?: string;
  details?: { error?: { innerError?: { code?: string }; innererror?: { code?: string } } };
}

/**
 * The SDK quotes the whole answer when it cannot parse it ("Error ... occurred while parsing the
 * response body - {...}"); an answer cut short can hold a secret's value, so the body is dropped.
 */
function withoutBody(message: string): string {
  const quoted = /^(Error .* occurred (?:while parsing|in deserializing) the response ?body) - /is.exec(
    message,
  );
  return quoted
    ? `${quoted[1]} (cut short or not JSON; the answer is not shown, it may hold a secret)`
    : message;
}

function failure(vault: VaultAddress, err: unknown, what: string, operation: string): Error {
  if (err instanceof UserError) return err;
  const unusable = unusableVaultAnswer(vault, operation, err);
  if (unusable) return unusable;
  const { statusCode, code, details } = (err ?? {}) as SdkError;
  const inner = details?.error?.innerError?.code ?? details?.error?.innererror?.code;
  const message = withoutBody(errorMessage(err).split('\n')[0] ?? '');
  if (statusCode === 404) return new SecretLookupError('notFound', message);
  if (statusCode === 403 && (inner === 'SecretDisabled' || /disabled secret/i.test(message))) {
    return new SecretLookupError('disabled', message);
  }
  if (statusCode === 401 || statusCode === 403) {
    return new UserError(
      `${vault.label}: ${what} was denied (HTTP ${statusCode}${code ? ` ${code}` : ''}: ${message}). ` +
        "The service connection's identity needs the List and Get secret permissions (access policy) or the " +
        "'Key Vault Secrets User' role (Azure RBAC), and the vault's firewall must let the agent in.",
    );
  }
  const status = statusCode ? `HTTP ${statusCode}${code ? ` ${code}` : ''}: ` : '';
  return new UserError(`${vault.label}: ${what} failed: ${status}${message}`, { cause: err });
}

const listed = (p: SecretProperties): ListedSecret => ({
  name: p.name,
  enabled: p.enabled !== false,
  expiresOn: p.expiresOn,
  notBefore: p.notBefore,
});

/**
 * A reader over the real SecretClient: the SDK retries 429/503 honouring Retry-After (its retry
 * count raised from 3); a gate shared by all requests holds everyone back while the vault asks to
 * wait; where the SDK gives up, this reader retries again (a list page resumes from its nextLink).
 */
export function createVaultReader(options: VaultReaderOptions): VaultReader {
  const { vault } = options;
  const stats = newThrottleStats();
  const gate = options.gate ?? new ThrottleGate();
  const listing: { nextLink?: string } = {};
  // The SDK is loaded and its client made on the first request, not when the reader is made.
  let client: Promise<SecretClient> | undefined;
  const sdk = (): Promise<SecretClient> =>
    (client ??= import('./vaultLibraries.js').then(
      ({ SecretClient, vaultAnswerPolicy }) =>
        new SecretClient(vault.url, options.credential, {
          additionalPolicies: [
            ...(options.additionalPolicies ?? []),
            vaultAnswerPolicy(vault, (nextLink) => {
              listing.nextLink = nextLink;
            }),
            throttlePolicy(gate, stats),
          ],
          retryOptions: {
            ...KEY_VAULT_RETRY.sdk,
            maxRetries: options.sdkRetries ?? KEY_VAULT_RETRY.sdk.maxRetries,
          },
          disableChallengeResourceVerification: !vault.verifyChallengeResource,
        }),
    ));
  const outer = { attempts: options.outerAttempts ?? KEY_VAULT_RETRY.outerAttempts, gate, stats };

  return {
    vault,
    stats,
    async *listPages(pageSize) {
      const fetchPage = (page: number, continuationToken: string | undefined) =>
        retryThrottled(async () => {
          listing.nextLink = undefined;
          const pages = (await sdk())
            .listPropertiesOfSecrets()
            .byPage({ maxPageSize: pageSize, continuationToken });
          const result = await pages.next();
          return result.done ? undefined : { items: result.value, nextLink: listing.nextLink };
        }, outer).catch((err: unknown) => {
          throw failure(vault, err, `listing secrets (page ${page})`, `list secrets (page ${page})`);
        });
      // Pages are sequential (each names the next): the next one is requested before this one is
      // handed out, so its round trip overlaps the value requests the caller starts for this one.
      let pending = fetchPage(1, undefined);
      for (let page = 1; ; page++) {
        const current = await pending;
        if (!current) return;
        if (current.nextLink) {
          pending = fetchPage(page + 1, current.nextLink);
          // A caller that stops early never awaits it: its failure is not an unhandled rejection.
          void pending.catch(() => undefined);
        }
        yield current.items.map(listed);
        if (!current.nextLink) return;
      }
    },
    async getSecret(name, version) {
      const secret = await retryThrottled(
        async () => (await sdk()).getSecret(name, { version }),
        outer,
      ).catch((err: unknown) => {
        const secret = version ? `${name}/${version}` : name;
        throw failure(vault, err, `reading secret '${secret}'`, `read secret '${secret}'`);
      });
      const p = secret.properties;
      return {
        name: secret.name,
        version: p.version ?? '',
        value: secret.value ?? '',
        enabled: p.enabled !== false,
        expiresOn: p.expiresOn,
        notBefore: p.notBefore,
        contentType: p.contentType,
      };
    },
  };
}
