import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { UserError, errorMessage } from '../errors';
import type { SecretRegistry } from '../log';
import type { AzureSdkNetwork } from './azureSdkNetwork';

export interface ConnectionCredentialContext {
  /** `Azure service connection 'x' ...`. */
  readonly connectionLabel: string;
  /** How it signs in, e.g. `service principal 1234 with a client secret`. */
  readonly method: string;
  readonly authorityHost: string;
  readonly tenantId: string | undefined;
  readonly secrets: SecretRegistry;
  /** A better explanation of a failure than the SDK's, when there is one (OIDC token fetch). */
  readonly explain?: () => UserError | undefined;
  /** Where the credential's HTTP failures are recorded. */
  readonly network?: Pick<AzureSdkNetwork, 'lastFailure' | 'clearFailure'>;
}

/** The SDK's message on one line: Entra's `\r\nTrace ID: ...` tails are kept, flattened. */
const oneLine = (message: string) => message.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/**
 * Entra's answer out of MSAL's wrapping (`invalid_client: Error(s): 7000215 - Timestamp: ... -
 * Description: AADSTS7000215: ... Trace ID: t Correlation ID: c Timestamp: ...`): the AADSTS
 * sentence, then the trace and correlation ids support asks for. Other messages stay as they are.
 */
export function summarizeEntraError(message: string): string {
  const flat = oneLine(message);
  const aadsts = /(AADSTS\d+:.*?)(?=\s+Trace ID:|\s+-\s+Correlation ID:|$)/.exec(flat)?.[1];
  if (!aadsts) return flat;
  const trace = /Trace ID: ([\w-]+)/.exec(flat)?.[1];
  const correlation = /Correlation ID: ([\w-]+)/.exec(flat)?.[1];
  const ids = [trace && `trace id ${trace}`, correlation && `correlation id ${correlation}`].filter(Boolean);
  return `${aadsts.replace(/\.$/, '')}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}`;
}

/** What MSAL's bare error codes mean for a task user. */
function hint(message: string, context: ConnectionCredentialContext): string {
  const failure = context.network?.lastFailure();
  if (failure) return ` The request to ${failure.url} failed: ${failure.message}`;
  if (/endpoints_resolution_error/.test(message)) {
    return (
      ` Entra ID did not serve the OpenID configuration of tenant '${context.tenantId ?? '?'}' at ${context.authorityHost}: ` +
      "check the connection's tenant id and its cloud (environment, activeDirectoryAuthority), and that the agent can reach the authority."
    );
  }
  return '';
}

/**
 * The credential tasks get: registers every access token as a secret the moment it arrives, and
 * turns a failure into a UserError that names the service connection, the sign-in method, the
 * authority and the scope, and keeps Entra's AADSTS code and trace ids.
 */
export class ConnectionCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly context: ConnectionCredentialContext,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    let token: AccessToken | null;
    this.context.network?.clearFailure();
    try {
      token = await this.inner.getToken(scopes, options);
    } catch (err) {
      const explained = this.context.explain?.();
      if (explained) throw explained;
      const { connectionLabel, method, authorityHost } = this.context;
      throw new UserError(
        `${connectionLabel}: signing in as ${method} at ${authorityHost} for ${[scopes].flat().join(' ')} failed: ${summarizeEntraError(errorMessage(err))}.${hint(errorMessage(err), this.context)}`,
        { cause: err },
      );
    }
    if (!token) {
      throw new UserError(
        `${this.context.connectionLabel}: ${this.context.method} returned no access token.`,
      );
    }
    this.context.secrets.register(token.token);
    return token;
  }
}
