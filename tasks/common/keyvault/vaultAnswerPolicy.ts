// What the vault answered, checked before the SDK reads it: a body too large, or a success that
// is not Key Vault's JSON (an HTML page from a proxy or firewall), fails naming the vault, the
// operation and the secret. Apart from vaultAnswers.ts: this part needs the SDK's HTTP runtime,
// which a run loads only when it first asks a vault.
import { RestError, isRestError } from '@azure/core-rest-pipeline';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { answerError, cutOffProblem, parseJsonAnswer } from '../net';
import type { VaultAddress } from './vaultAddress';
import { VAULT_ANSWER_LIMIT, vaultAnswerSource, vaultOperation } from './vaultAnswers';

type AdditionalPolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number];

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
