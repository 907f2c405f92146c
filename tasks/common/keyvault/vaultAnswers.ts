// What the vault answered, checked before the SDK reads it: a body too large, or a success that
// is not Key Vault's JSON (an HTML page from a proxy or firewall), fails naming the vault, the
// operation and the secret; the SDK's own errors for such answers are explained the same way.
import { RestError, isRestError } from '@azure/core-rest-pipeline';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import type { UserError } from '../errors';
import { answerError, cutOffProblem, jsonAnswerProblem, parseJsonAnswer, type AnswerSource } from '../net';
import type { VaultAddress } from './vaultAddress';

type AdditionalPolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number];

/** Key Vault answers are small (a secret is at most 25 KB, a list page 25 entries). */
export const VAULT_ANSWER_LIMIT = 4 * 1024 * 1024;

/** `list secrets`, `read secret 'name'`, `read key 'name'` or `sign with key 'name'`, from a request URL. */
export function vaultOperation(url: string): string {
  const parts = new URL(url).pathname.split('/').filter((p) => p !== '');
  if (parts[0] === 'secrets' && parts[1]) return `read secret '${decodeURIComponent(parts[1])}'`;
  if (parts[0] === 'keys' && parts[1]) {
    return `${parts.at(-1) === 'sign' ? 'sign with' : 'read'} key '${decodeURIComponent(parts[1])}'`;
  }
  return parts[0] === 'secrets' ? 'list secrets' : `${parts.join('/')}`;
}

export function vaultAnswerSource(vault: VaultAddress, operation: string): AnswerSource {
  return {
    service: `Key Vault ${vault.label}`,
    operation,
    check:
      `Check the vault URL ${vault.url}, the vault's firewall and private endpoint, and the agent's ` +
      `proxy settings: something between the agent and the vault answered instead of it.`,
  };
}

/**
 * Checks each raw answer (inside the SDK's retries, before its deserializer): too large fails;
 * a 200 must be a JSON object. Hands list pages' nextLink to `onListPage` (the SDK follows
 * nextLink itself but drops it from the pages it yields).
 */
export function vaultAnswerPolicy(
  vault: VaultAddress,
  onListPage: (nextLink: string | undefined) => void,
): AdditionalPolicy {
  return {
    position: 'perRetry',
    policy: {
      name: 'releaseGuardKeyVaultAnswers',
      async sendRequest(request, next) {
        const source = vaultAnswerSource(vault, vaultOperation(request.url));
        let response;
        try {
          response = await next(request);
        } catch (err) {
          // The SDK does not retry an answer cut inside its body ("Error reading response as text:
          // aborted"); as a reset connection it does.
          if (isRestError(err) && cutOffProblem(err)) err.code = 'ECONNRESET';
          throw err;
        }
        const text = response.bodyAsText ?? '';
        if (Buffer.byteLength(text) > VAULT_ANSWER_LIMIT) {
          throw answerError(
            source,
            `the answer is larger than the ${VAULT_ANSWER_LIMIT} bytes accepted (HTTP ${response.status})`,
          );
        }
        if (response.status !== 200) return response;
        // Parsed once here (the SDK parses it again for itself): not JSON fails naming the vault.
        let json: { nextLink?: unknown };
        try {
          json = parseJsonAnswer(text, response.headers.get('content-type'), source) as {
            nextLink?: unknown;
          };
        } catch (err) {
          // A JSON object that stops short arrived cut off (the connection ended cleanly early): ask again.
          if (!/^\s*\{/.test(text)) throw err;
          throw new RestError(
            `${source.service}: ${source.operation}: the answer stops short, it arrived incomplete`,
            { code: 'ECONNRESET', statusCode: response.status, request },
          );
        }
        if (new URL(request.url).pathname.replace(/\/+$/, '').endsWith('/secrets')) {
          onListPage(typeof json.nextLink === 'string' && json.nextLink ? json.nextLink : undefined);
        }
        return response;
      },
    },
  };
}

interface SdkResponse {
  readonly status?: number;
  readonly bodyAsText?: string | null;
  readonly headers?: { get(name: string): string | undefined };
}

/**
 * The UserError for an SDK failure caused by what came back: an HTML or non-JSON error page,
 * or an answer cut off; undefined for Key Vault's own JSON errors (the caller explains those).
 */
export function unusableVaultAnswer(
  vault: VaultAddress,
  operation: string,
  err: unknown,
): UserError | undefined {
  const { response, statusCode } = (err ?? {}) as { response?: SdkResponse; statusCode?: number };
  // The SDK reports a body cut off as PARSE_ERROR "Error reading response as text: aborted".
  const problem =
    cutOffProblem(err) ??
    jsonAnswerProblem(
      statusCode ?? response?.status ?? 0,
      response?.bodyAsText ?? undefined,
      response?.headers?.get('content-type'),
    );
  return problem ? answerError(vaultAnswerSource(vault, operation), problem, err) : undefined;
}
