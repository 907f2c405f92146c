// What the vault answered, in words: where an answer came from (vault, operation, secret), and
// the SDK's errors for answers that are not Key Vault's JSON (an HTML page from a proxy or
// firewall, an answer cut off). The check of each raw answer is vaultAnswerPolicy.ts.
import type { UserError } from '../errors';
import { answerError, cutOffProblem, jsonAnswerProblem, type AnswerSource } from '../net';
import type { VaultAddress } from './vaultAddress';

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
