// One request to a registry's token service (Docker token GET, OAuth2 form POST, ACR exchange).
import { readAnswer, readJsonAnswer } from '../net/remoteAnswer';
import {
  RegistryError,
  answerSource,
  networkError,
  responseError,
  type RegistryOperation,
} from './registryError';
import type { RequestStats } from './stats';
import { TransportError, type Transport } from '../net/transport';

export interface TokenServiceCall {
  readonly registry: string;
  readonly scopes: readonly string[];
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly form?: URLSearchParams;
  /** For messages: 'get token from', 'exchange Entra ID token at'. */
  readonly what: string;
}

/** Lifetime of a token whose answer does not say (the Docker token protocol's default). */
const DEFAULT_TOKEN_SECONDS = 60;

/** The token in a token service's answer and its lifetime in seconds; none is a RegistryError. */
export function issuedToken(
  answer: Record<string, unknown>,
  registry: string,
  realm: URL,
): { token: string; seconds: number } {
  const token = [answer['token'], answer['access_token']].find((t) => typeof t === 'string' && t !== '');
  if (typeof token !== 'string') {
    throw new RegistryError(`The token service ${realm.host} of ${registry} answered without a token.`, {
      registry,
      operation: 'get token',
      access: 'pull',
    });
  }
  const expires = answer['expires_in'];
  return { token, seconds: typeof expires === 'number' && expires > 0 ? expires : DEFAULT_TOKEN_SECONDS };
}

/** Sends the call and returns the JSON answer; any answer but 200 is a RegistryError. */
export async function tokenServiceCall(
  transport: Transport,
  stats: RequestStats,
  call: TokenServiceCall,
): Promise<Record<string, unknown>> {
  const { registry, scopes, url } = call;
  const repository = /^repository:(.+):[^:]*$/.exec(scopes[0] ?? '')?.[1];
  const op: RegistryOperation = {
    registry,
    ...(repository ? { repository } : {}),
    operation: `${call.what} ${url.origin}${url.pathname}`,
    access: scopes.some((s) => /:(.*,)?push(,|$)/.test(s)) ? 'push' : 'pull',
  };
  const body = call.form ? Buffer.from(call.form.toString(), 'utf8') : undefined;
  const headers: Record<string, string> = { ...call.headers, accept: 'application/json' };
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const counters = stats.of(registry);
  let res;
  try {
    res = await transport.send(
      { method: call.method, url, headers, ...(body ? { body } : {}) },
      { onAttempt: () => counters.tokenRequests++ },
    );
  } catch (err) {
    const transportError = err instanceof TransportError ? err : undefined;
    throw networkError(op, transportError ? transportError.cause : err, transportError?.retries ?? 0);
  }
  const source = {
    ...answerSource(op, `Token service ${url.host} of registry ${registry}`),
    carriesCredentials: true,
  };
  if (res.status !== 200) {
    const text = await readAnswer(res.body, source, 1024 * 1024).catch(() => Buffer.alloc(0));
    throw responseError(op, res.status, text, res.retries);
  }
  return (await readJsonAnswer(res.body, source, 1024 * 1024)) as Record<string, unknown>;
}
