// Two operations on a Key Vault key, as REST calls through the same Azure SDK pipeline the
// secrets reader uses (the connection's credential and Key Vault's challenge sign-in, the agent's
// proxy and CA policies, the answer checks, the throttling gate and retries), without the
// @azure/keyvault-keys client: GET /keys/{name}[/{version}] and POST .../sign.
import crypto from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { HttpClient, Pipeline, PipelinePolicy } from '@azure/core-rest-pipeline';
import { UserError, errorMessage } from '../errors';
import { KEY_VAULT_RETRY } from '../net';
import type { KeyReference } from './keyReference';
import {
  ThrottleGate,
  newThrottleStats,
  retryThrottled,
  throttlePolicy,
  type ThrottleStats,
} from './throttling';
import { unusableVaultAnswer } from './vaultAnswers';
import type { VaultAddress } from './vaultAddress';

type VaultLibraries = typeof import('./vaultLibraries.js');

/** Key Vault REST API version of the keys calls. */
export const KEYS_API_VERSION = '7.5';

/** A key's public part as the vault answered it. */
export interface VaultKey {
  /** The key id with its version: `https://<vault>/keys/<name>/<version>`. */
  readonly kid: string;
  readonly kty: string;
  readonly publicKey: crypto.KeyObject;
  readonly keyOps: readonly string[];
}

export interface KeyVaultKeys {
  readonly vault: VaultAddress;
  readonly stats: ThrottleStats;
  /** The key's current version, or the one the reference names. */
  getKey(ref: KeyReference): Promise<VaultKey>;
  /** Signs a digest with the exact key version `kid` names; the raw signature (ES256: r||s). */
  sign(ref: KeyReference, kid: string, alg: string, digest: Buffer): Promise<Buffer>;
}

export interface KeyVaultKeysOptions {
  readonly vault: VaultAddress;
  readonly credential: TokenCredential;
  /** The agent's proxy and CA policies (AzureConnectionCredential.clientOptions). */
  readonly additionalPolicies?: readonly { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
  readonly gate?: ThrottleGate;
}

interface KeyVaultErrorBody {
  error?: { code?: string; message?: string; innerError?: { code?: string }; innererror?: { code?: string } };
}

/** What a refused or failed key operation means, naming the vault, the key and what to check. */
function failure(vault: VaultAddress, ref: KeyReference, operation: 'get' | 'sign', err: unknown): Error {
  if (err instanceof UserError) return err;
  const what = operation === 'get' ? `reading key '${ref.name}'` : `signing with key '${ref.name}'`;
  const unusable = unusableVaultAnswer(
    vault,
    `${operation === 'get' ? 'read' : 'sign with'} key '${ref.name}'`, // as vaultOperation names it
    err,
  );
  if (unusable) return unusable;
  const { statusCode, code } = (err ?? {}) as { statusCode?: number; code?: string };
  const message = errorMessage(err).split('\n')[0] ?? '';
  const status = `HTTP ${statusCode ?? '?'}${code ? ` ${code}` : ''}: ${message}`;
  if (statusCode === 404) {
    return new UserError(
      `${vault.label}: key '${ref.name}'${ref.version ? ` version ${ref.version}` : ''} was not found (${status}). ` +
        `Check the key name in ${ref.text} and that the key was not deleted.`,
    );
  }
  if (statusCode === 401 || statusCode === 403) {
    return new UserError(
      `${vault.label}: ${what} was denied (${status}). The service connection's identity needs the ` +
        `keys/${operation} permission (access policy: Key permissions ${operation === 'get' ? 'Get' : 'Sign'}) or the ` +
        `'Key Vault Crypto User' role (Azure RBAC) on ${vault.label}, and the vault's firewall must let the agent in.`,
    );
  }
  return new UserError(`${vault.label}: ${what} failed (${status}).`, { cause: err });
}

function keyObject(jwk: Record<string, unknown>, where: string): crypto.KeyObject {
  const { kty, crv, x, y, n, e } = jwk;
  const publicJwk =
    kty === 'EC' || kty === 'EC-HSM'
      ? { kty: 'EC', crv, x, y }
      : kty === 'RSA' || kty === 'RSA-HSM'
        ? { kty: 'RSA', n, e }
        : undefined;
  if (!publicJwk) throw new UserError(`${where} is a ${String(kty)} key: only EC and RSA keys sign images.`);
  try {
    return crypto.createPublicKey({ key: publicJwk as crypto.JsonWebKey, format: 'jwk' });
  } catch (err) {
    throw new UserError(
      `${where}: the vault's JSON web key is not a usable public key (${errorMessage(err)}).`,
    );
  }
}

export function createKeyVaultKeys(options: KeyVaultKeysOptions): KeyVaultKeys {
  const { vault } = options;
  const stats = newThrottleStats();
  const gate = options.gate ?? new ThrottleGate();
  // The SDK's pipeline is loaded and built on the first call, not when the keys object is made.
  let sdk: Promise<{ libs: VaultLibraries; pipeline: Pipeline; httpClient: HttpClient }> | undefined;
  const connect = () =>
    (sdk ??= import('./vaultLibraries.js').then((libs) => {
      const pipeline = libs.createPipelineFromOptions({ retryOptions: { ...KEY_VAULT_RETRY.sdk } });
      // As the SDK's clients add them: per-retry policies after signing, then the challenge sign-in.
      const policies = [
        ...(options.additionalPolicies ?? []),
        libs.vaultAnswerPolicy(vault, () => undefined),
        throttlePolicy(gate, stats),
      ];
      for (const { policy, position } of policies) {
        pipeline.addPolicy(policy, position === 'perRetry' ? { afterPhase: 'Sign' } : {});
      }
      pipeline.addPolicy(
        libs.keyVaultAuthenticationPolicy(options.credential, {
          disableChallengeResourceVerification: !vault.verifyChallengeResource,
        }),
      );
      return { libs, pipeline, httpClient: libs.createDefaultHttpClient() };
    }));
  const outer = { attempts: KEY_VAULT_RETRY.outerAttempts, gate, stats };

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const { libs, pipeline, httpClient } = await connect();
    const request = libs.createPipelineRequest({
      url: `${vault.url}${path}?api-version=${KEYS_API_VERSION}`,
      method,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    request.headers.set('accept', 'application/json');
    if (body !== undefined) request.headers.set('content-type', 'application/json');
    const response = await pipeline.sendRequest(httpClient, request);
    const text = response.bodyAsText ?? '';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.status !== 200 || typeof json !== 'object' || json === null) {
      const error = (json as KeyVaultErrorBody | undefined)?.error;
      const inner = error?.innerError?.code ?? error?.innererror?.code;
      throw new libs.RestError(error?.message ?? `HTTP ${response.status}`, {
        statusCode: response.status,
        code: [error?.code, inner].filter(Boolean).join('/') || undefined,
        request,
        response,
      });
    }
    return json as Record<string, unknown>;
  }

  const keyPath = (ref: KeyReference, version: string | undefined) =>
    `/keys/${encodeURIComponent(ref.name)}${version ? `/${encodeURIComponent(version)}` : ''}`;

  return {
    vault,
    stats,
    async getKey(ref) {
      const answer = await retryThrottled(() => call('GET', keyPath(ref, ref.version)), outer).catch(
        (err: unknown) => {
          throw failure(vault, ref, 'get', err);
        },
      );
      const jwk = (answer['key'] ?? {}) as Record<string, unknown>;
      const kid = typeof jwk['kid'] === 'string' ? jwk['kid'] : '';
      if (!/\/keys\/[^/]+\/[0-9a-fA-F]{32}$/.test(kid)) {
        throw new UserError(
          `${vault.label}: the answer for key '${ref.name}' names no versioned key id (kid '${kid}').`,
        );
      }
      return {
        kid,
        kty: String(jwk['kty']),
        publicKey: keyObject(jwk, `${vault.label}: key '${ref.name}'`),
        keyOps: Array.isArray(jwk['key_ops']) ? jwk['key_ops'].map(String) : [],
      };
    },
    async sign(ref, kid, alg, digest) {
      const version = kid.split('/').at(-1);
      const answer = await retryThrottled(
        () => call('POST', `${keyPath(ref, version)}/sign`, { alg, value: digest.toString('base64url') }),
        outer,
      ).catch((err: unknown) => {
        throw failure(vault, ref, 'sign', err);
      });
      const value = answer['value'];
      if (typeof value !== 'string' || value === '') {
        throw new UserError(`${vault.label}: signing with key '${ref.name}' answered no signature value.`);
      }
      return Buffer.from(value, 'base64url');
    },
  };
}
